/* `baton init` and `baton check`. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/error.h"
#include "baton/store.h"
#include "baton/templates.h"
#include "baton/workflow.h"

#include <stdio.h>

gboolean
baton_cli_init (const BatonCli *cli, int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  if (!baton_cli_parse_options ("init", "", entries, &argc, &argv, error))
    return FALSE;
  const char *path = cli->config_given ? cli->config_path : "baton.conf";
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GError) local = NULL;
      if (!g_file_set_contents_full (path, baton_config_sample (), -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0640, &local))
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "%s", local->message);
          return FALSE;
        }
      g_message ("wrote %s: edit the team address and members, then run baton check", path);
    }
  /* The config names the database: load it first, so a broken config
   * creates nothing. */
  g_autoptr (BatonConfig) config = baton_config_load (path, error);
  if (config == NULL || !baton_store_create (config->database, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (path, error);
  if (team == NULL)
    return FALSE;
  g_message ("database %s is ready", team->config->database);
  return TRUE;
}

gboolean
baton_cli_check (const BatonCli *cli, int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  if (!baton_cli_parse_options ("check", "", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) problems = baton_config_problems (cli->config_path, warnings);
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "%s\n", (char *) warnings->pdata[i]);
  if (problems->len == 0)
    {
      g_autoptr (BatonConfig) config = baton_config_load (cli->config_path, error);
      if (config == NULL)
        return FALSE;
      g_autoptr (GPtrArray) template_problems = baton_templates_check (config->templates_dir);
      g_ptr_array_extend_and_steal (problems, g_steal_pointer (&template_problems));
    }
  for (guint i = 0; i < problems->len; i++)
    fprintf (stderr, "%s\n", (char *) problems->pdata[i]);
  if (problems->len > 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%u problem%s found", problems->len,
                   problems->len == 1 ? "" : "s");
      return FALSE;
    }
  g_info ("%s: no problems found", cli->config_path);
  return TRUE;
}
