/* SPDX-License-Identifier: MIT */
/* `baton board`: writes the static site of the board (include/baton/board.h)
 * once, for cron or by hand; `baton run` rewrites it by itself. */
#define G_LOG_DOMAIN "baton"
#include "baton/board.h"
#include "baton/cli.h"
#include "baton/clock.h"
#include "baton/error.h"
#include "baton/workflow.h"

gboolean
baton_cli_board (const BatonCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *out = NULL, *zone = NULL;
  GOptionEntry entries[] = { { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
                               "write the site into DIR (default: [board] dir)", "DIR" },
                             { "zone", 'z', 0, G_OPTION_ARG_STRING, &zone,
                               "time zone of the relay picture (default UTC)", "ZONE" },
                             { NULL } };
  if (!baton_cli_parse_options ("board", "", entries, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "unexpected argument '%s' (see baton board --help)", argv[1]);
      return FALSE;
    }
  if (zone != NULL && g_time_zone_new_identifier (zone) == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "unknown time zone '%s': give an IANA name such as Europe/Paris or UTC", zone);
      return FALSE;
    }
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  const char *dir = out ? out : team->config->board_dir;
  if (dir == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "where to? give --out DIR or set [board] dir in %s", team->config->path);
      return FALSE;
    }
  return baton_board_update (team->config, team->store, dir, zone, baton_clock_now_unix (), error);
}
