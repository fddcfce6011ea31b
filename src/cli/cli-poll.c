/* SPDX-License-Identifier: MIT */
/* `baton poll` (one pass, for cron), `baton poll --idle` (stays connected
 * and reacts to new mail within seconds) and `baton run` (the daemon:
 * IDLE plus digests and the outbox, until SIGTERM).
 *
 * The daemon reconnects with exponential backoff when the server goes away
 * and re-issues IDLE well before the server's 30-minute limit. Signals only
 * set a flag and interrupt the IDLE; the loop stops between messages, never
 * inside a transaction. */
#define G_LOG_DOMAIN "baton"
#include "baton/board.h"
#include "baton/cli.h"
#include "baton/error.h"
#include "baton/lock.h"
#include "baton/net.h"
#include "baton/outbox.h"
#include "baton/poll.h"
#include "baton/spool.h"

#include <signal.h>
#include <unistd.h>

/* Each IDLE wait is this long, so digests and sends run at least once a
 * minute; a fresh IDLE is issued well within RFC 2177's 29 minutes. */
#define IDLE_SLICE_SECONDS 60
#define MAX_BACKOFF_SECONDS 300

static volatile sig_atomic_t stop_requested;
/* The connected session, so that SIGTERM can stop it wherever it is: in
 * IDLE, or in the middle of a large FETCH. */
static BatonImapSession *volatile active_session;

static void
on_stop_signal (int signal_number)
{
  (void) signal_number;
  stop_requested = 1;
  baton_net_stop (); /* also a connect, TLS handshake or login, and SMTP */
  if (active_session != NULL)
    baton_imap_cancel (active_session);
}

/* baton_imap_connect, with the session made the one a signal stops. */
static BatonImapSession *
connect_stoppable (const BatonPollSettings *settings, GError **error)
{
  BatonImapSession *session = baton_imap_connect (&settings->imap, error);
  active_session = session;
  if (session != NULL && stop_requested)
    baton_imap_cancel (session); /* the signal came while connecting */
  return session;
}

static void
disconnect (BatonImapSession *session)
{
  active_session = NULL;
  baton_imap_session_free (session);
}

static void
install_signal_handlers (void)
{
  struct sigaction action = { 0 };
  action.sa_handler = on_stop_signal;
  sigemptyset (&action.sa_mask);
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGINT, &action, NULL);
  signal (SIGPIPE, SIG_IGN);
}

/* The first pass leaving mail alone is said at the default verbosity,
 * once (the next pass has a position): otherwise a new user waits for
 * mail that never comes. */
static void
log_stats (const BatonPollStats *stats, const BatonPollSettings *settings)
{
  if (stats->first_pass && stats->left_alone > 0)
    g_message ("first poll of %s: left the %u message%s already there alone; "
               "`baton poll --from-start` processes them too",
               settings->mailbox_key, stats->left_alone, stats->left_alone == 1 ? "" : "s");
  else if (stats->first_pass)
    g_info ("first poll of %s: the mailbox is empty; new mail is processed from now on",
            settings->mailbox_key);
  if (stats->fetched + stats->moved > 0)
    {
      g_autofree char *outcomes = baton_poll_stats_describe (stats);
      g_info ("poll fetched=%u %s moved=%u", stats->fetched, outcomes, stats->moved);
    }
}

/* Mail that procmail queued with `ingest --queue` is processed with every
 * poll. A failure leaves the spool as it is for the next round. */
static void
drain_spool (BatonTeam *team)
{
  g_autoptr (GError) error = NULL;
  guint processed = 0;
  if (!baton_spool_drain (team, &processed, &error))
    g_warning ("spool: %s", error->message);
  if (processed > 0)
    g_info ("spool drained=%u", processed);
}

static gboolean
poll_pass (BatonTeam *team, BatonImapSession *session, const BatonPollSettings *settings,
           gboolean from_start, GError **error)
{
  BatonPollStats stats = { 0 };
  gboolean ok = baton_poll_once (team, session, settings, from_start, &stats, error);
  log_stats (&stats, settings);
  drain_spool (team);
  return ok;
}

/* The spool, digests and the outbox, for the daemon; their failures are
 * logged and retried on the next round, never fatal. */
static void
housekeeping (BatonTeam *team)
{
  g_autoptr (GError) error = NULL;
  BatonDigestStats digests = { 0 };
  BatonSendStats sent = { 0 };
  drain_spool (team);
  if (!baton_outbox_queue_digests (team, FALSE, &digests, &error) ||
      !baton_outbox_send (team, &sent, &error))
    g_warning ("%s", error->message);
  baton_board_refresh (team->config, team->store);
  if (digests.queued + sent.sent + sent.retried + sent.failed > 0)
    g_info ("run digests=%u sent=%u retried=%u failed=%u", digests.queued, sent.sent, sent.retried,
            sent.failed);
}

/* Stays connected: poll, IDLE, poll again on news. Returns when asked to
 * stop, or FALSE with ERROR when the connection failed. */
static gboolean
idle_session (BatonTeam *team, const BatonPollSettings *settings, gboolean from_start,
              gboolean with_housekeeping, GError **error)
{
  BatonImapSession *session = connect_stoppable (settings, error);
  gboolean ok = session != NULL && poll_pass (team, session, settings, from_start, error);
  if (ok)
    g_info ("idle: connected to %s, waiting for mail", settings->mailbox_key);
  while (ok && !stop_requested)
    {
      if (!baton_store_check_file (team->store, error))
        return FALSE;
      if (with_housekeeping)
        housekeeping (team);
      gboolean new_mail = FALSE;
      ok = baton_imap_idle_wait (session, IDLE_SLICE_SECONDS, &new_mail, error) &&
           (stop_requested || poll_pass (team, session, settings, FALSE, error));
    }
  disconnect (session);
  return ok;
}

/* Server gone, network down: wait and reconnect, doubling the wait up to
 * five minutes. Credentials or configuration refused: stop, a retry cannot
 * fix those. */
static gboolean
idle_forever (BatonTeam *team, const BatonPollSettings *settings, gboolean from_start,
              gboolean with_housekeeping, GError **error)
{
  guint backoff = 1;
  while (!stop_requested)
    {
      g_autoptr (GError) failure = NULL;
      /* A failure that a stop request caused (a cancelled FETCH) is the
       * stop, not a reason to reconnect. */
      if (idle_session (team, settings, from_start, with_housekeeping, &failure) || stop_requested)
        break;
      if (!baton_error_is_temporary (failure))
        {
          g_propagate_error (error, g_steal_pointer (&failure));
          return FALSE;
        }
      g_warning ("idle: %s; reconnecting in %u s", failure->message, backoff);
      for (guint waited = 0; waited < backoff && !stop_requested; waited++)
        sleep (1);
      backoff = MIN (backoff * 2, MAX_BACKOFF_SECONDS);
      from_start = FALSE;
    }
  g_info ("stopping on request");
  return TRUE;
}

/* The [imap] settings and the poll lock: one poller per mailbox. */
static gboolean
prepare_poller (BatonTeam *team, int *lock_fd, BatonPollSettings **settings, GError **error)
{
  baton_outbox_attach (team);
  if ((*settings = baton_poll_settings_new (team->config, error)) == NULL)
    return FALSE;
  *lock_fd = baton_lock_take (team->config->database, "poll", error);
  return *lock_fd >= 0;
}

gboolean
baton_cli_poll (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean idle = FALSE, from_start = FALSE;
  GOptionEntry entries[] = { { "idle", 0, 0, G_OPTION_ARG_NONE, &idle,
                               "stay connected and process mail as it arrives", NULL },
                             { "from-start", 0, 0, G_OPTION_ARG_NONE, &from_start,
                               "also process the mail already in the mailbox", NULL },
                             { NULL } };
  if (!baton_cli_parse_options ("poll", "", entries, &argc, &argv, error))
    return FALSE;
  int lock_fd = -1;
  g_autoptr (BatonPollSettings) settings = NULL;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL || !prepare_poller (team, &lock_fd, &settings, error))
    return FALSE;
  install_signal_handlers ();
  gboolean ok;
  if (idle)
    ok = idle_forever (team, settings, from_start, FALSE, error);
  else
    {
      BatonImapSession *session = connect_stoppable (settings, error);
      ok = session != NULL && poll_pass (team, session, settings, from_start, error);
      disconnect (session);
    }
  close (lock_fd);
  return ok;
}

/* A team without [imap] (mail arrives through procmail) still needs its
 * digests and outbox: once a minute. */
static gboolean
run_without_imap (BatonTeam *team, GError **error)
{
  install_signal_handlers ();
  while (!stop_requested)
    {
      if (!baton_store_check_file (team->store, error))
        return FALSE;
      housekeeping (team);
      for (guint waited = 0; waited < IDLE_SLICE_SECONDS && !stop_requested; waited++)
        sleep (1);
    }
  g_info ("stopping on request");
  return TRUE;
}

gboolean
baton_cli_run (const BatonCli *cli, int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  if (!baton_cli_parse_options ("run", "", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  if (team->config->imap == NULL)
    {
      baton_outbox_attach (team);
      return run_without_imap (team, error);
    }
  int lock_fd = -1;
  g_autoptr (BatonPollSettings) settings = NULL;
  if (!prepare_poller (team, &lock_fd, &settings, error))
    return FALSE;
  install_signal_handlers ();
  gboolean ok = idle_forever (team, settings, FALSE, TRUE, error);
  close (lock_fd);
  return ok;
}
