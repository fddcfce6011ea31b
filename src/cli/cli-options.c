/* SPDX-License-Identifier: MIT */
/* Option parsing shared by the subcommands. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/error.h"

gboolean
baton_cli_parse_options (const char *command, const char *parameters, GOptionEntry *entries,
                         int *argc, char ***argv, GError **error)
{
  g_autofree char *title = g_strdup_printf ("%s %s", command, parameters ? parameters : "");
  g_autoptr (GOptionContext) context = g_option_context_new (title);
  g_option_context_set_summary (context, "See baton(1) for the details.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_autoptr (GError) local = NULL;
  if (!g_option_context_parse (context, argc, argv, &local))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE, "%s (see baton %s --help)",
                   local->message, command);
      return FALSE;
    }
  return TRUE;
}
