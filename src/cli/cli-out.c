/* SPDX-License-Identifier: MIT */
/* `baton send` and `baton digest`. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/error.h"
#include "baton/net.h"
#include "baton/outbox.h"

#include <signal.h>
#include <stdio.h>

/* SIGTERM and SIGINT end the send in progress within a second (net.h);
 * the rows not yet sent wait for the next run. */
static void
on_stop_signal (int signal_number)
{
  (void) signal_number;
  baton_net_stop ();
}

gboolean
baton_cli_send (const BatonCli *cli, int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  if (!baton_cli_parse_options ("send", "", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  struct sigaction action = { 0 };
  action.sa_handler = on_stop_signal;
  sigemptyset (&action.sa_mask);
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGINT, &action, NULL);
  BatonSendStats stats = { 0 };
  if (!baton_outbox_send (team, &stats, error))
    return FALSE;
  if (baton_net_stop_requested ())
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "send interrupted: baton was asked to stop; the rest is sent next time");
      return FALSE;
    }
  if (stats.sent + stats.retried + stats.failed > 0)
    g_info ("send sent=%u retried=%u failed=%u", stats.sent, stats.retried, stats.failed);
  if (stats.failed > 0)
    g_warning ("%u mail%s refused for good; see the outbox's last_error", stats.failed,
               stats.failed == 1 ? "" : "s");
  /* Nothing got through at all: say so with 75, so cron and monitoring see
   * a server that is down, while the rows wait for their next attempt. */
  if (stats.retried > 0 && stats.sent == 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "%u mail%s not delivered yet (server unavailable); will retry", stats.retried,
                   stats.retried == 1 ? "" : "s");
      return FALSE;
    }
  return TRUE;
}

gboolean
baton_cli_digest (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean force = FALSE, preview = FALSE, html = FALSE;
  GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "queue every member's digest now", NULL },
    { "preview", 'p', 0, G_OPTION_ARG_NONE, &preview,
      "print the digest each member (or MEMBER) would get now; queue nothing, move no window",
      NULL },
    { "html", 0, 0, G_OPTION_ARG_NONE, &html, "with --preview: the HTML part", NULL },
    { NULL }
  };
  if (!baton_cli_parse_options ("digest", "[--preview [--html] [MEMBER]]", entries, &argc, &argv,
                                error))
    return FALSE;
  if ((!preview && (html || argc > 1)) || argc > 2 || (preview && force))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "usage: baton digest [--force] | baton digest --preview [--html] [MEMBER]");
      return FALSE;
    }
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  if (preview)
    {
      g_autoptr (GString) out = g_string_new (NULL);
      if (!baton_outbox_preview_digests (team, argc > 1 ? argv[1] : NULL, html, out, error))
        return FALSE;
      fwrite (out->str, 1, out->len, stdout);
      return TRUE;
    }
  BatonDigestStats stats = { 0 };
  if (!baton_outbox_queue_digests (team, force, &stats, error))
    return FALSE;
  g_info ("digest queued=%u skipped=%u", stats.queued, stats.skipped);
  return TRUE;
}
