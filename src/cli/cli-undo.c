/* SPDX-License-Identifier: MIT */
/* `baton undo`, `baton reopen` and `baton release`: taking a mistake back
 * from the command line, through the same rules as mail (workflow.h). */
#define G_LOG_DOMAIN "baton-cli"
#include "baton/cli.h"
#include "baton/error.h"
#include "baton/outbox.h"
#include "baton/text.h"
#include "baton/workflow.h"

#include <stdio.h>

/* One line per line of the result, as the reply to a mail would say it;
 * FALSE with BATON_ERROR_DATA when one failed, so scripts see it. */
static gboolean
print_result (const BatonIngestResult *result, GError **error)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      g_autofree char *outcome = baton_text_line_max (line->outcome, 0);
      if (line->ok)
        printf ("%s\n", outcome);
      ok &= line->ok;
    }
  if (!ok)
    {
      const BatonLineResult *line = result->lines->pdata[0];
      g_autofree char *outcome = baton_text_line_max (line->outcome, 0);
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA, "%s", outcome);
    }
  return ok;
}

gboolean
baton_cli_undo (const BatonCli *cli, int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  if (!baton_cli_parse_options ("undo", "MESSAGE-ID", entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "undo needs the Message-ID of the mail to undo: baton undo MESSAGE-ID");
      return FALSE;
    }
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  g_autoptr (BatonIngestResult) result = baton_workflow_undo (team, argv[1], error);
  return result != NULL && print_result (result, error);
}

gboolean
baton_cli_reopen (const BatonCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *as = NULL, *note = NULL;
  GOptionEntry entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &as, "the member who reopens it", "NAME" },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note, "why, for the log", "TEXT" },
    { NULL }
  };
  guint64 number = 0;
  if (!baton_cli_parse_options ("reopen", "N --as NAME", entries, &argc, &argv, error))
    return FALSE;
  const char *text = argc == 2 ? argv[1] + (argv[1][0] == '#') : NULL;
  if (text == NULL || as == NULL ||
      !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &number, NULL))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "reopen needs a task number and the member acting: baton reopen 12 --as alice");
      return FALSE;
    }
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  BatonCommand command = { .kind = BATON_COMMAND_REOPEN,
                           .line = 0,
                           .task = (gint64) number,
                           .text = note,
                           .source = argv[1] };
  g_autoptr (BatonIngestResult) result = baton_workflow_command (team, as, &command, error);
  return result != NULL && print_result (result, error);
}

gboolean
baton_cli_release (const BatonCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *from = NULL;
  GOptionEntry entries[] = { { "from", 0, 0, G_OPTION_ARG_STRING, &from,
                               "only if held from this address", "ADDRESS" },
                             { NULL } };
  if (!baton_cli_parse_options ("release", "MESSAGE-ID", entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "release needs the Message-ID of the held mail: baton release MESSAGE-ID");
      return FALSE;
    }
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  baton_outbox_attach (team);
  g_autoptr (BatonIngestResult) result = baton_workflow_release (team, argv[1], from, error);
  if (result == NULL)
    return FALSE;
  if (result->reason != NULL)
    {
      g_autofree char *reason = baton_text_line_max (result->reason, 0);
      printf ("%s\n", reason);
      return TRUE;
    }
  g_autofree char *id = baton_text_line_max (result->message_id, 0);
  printf ("released %s: %s\n", id, result->outcome);
  return TRUE;
}
