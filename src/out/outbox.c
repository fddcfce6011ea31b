/* SPDX-License-Identifier: MIT */
/* Delivering the outbox. Over SMTP, one connection for the whole batch;
 * without [smtp], into a Maildir (the embedded default: the whole flow
 * works on one machine with no server, and the files are exactly what SMTP
 * would have carried).
 *
 * A row is marked sent only after the server accepted it. A crash between
 * the server's "250 OK" and that mark sends the mail again on the next run
 * (at-least-once): SMTP has no way to ask "did you already take this?", and
 * a duplicate notice is better than a lost one. */
#define G_LOG_DOMAIN "baton-outbox"
#include "outbox-private.h"

#include "baton/clock.h"
#include "baton/config.h"
#include "baton/error.h"
#include "baton/lock.h"
#include "baton/net.h"
#include "baton/mailbuild.h"
#include "baton/smtp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

gint64
baton_outbox_backoff (int attempts)
{
  gint64 delay = 60;
  for (int i = 0; i < attempts && delay < 6 * 3600; i++)
    delay *= 2;
  return MIN (delay, 6 * 3600);
}

/* tmp/ then rename into new/, with an fsync between: a reader never sees
 * half a file, and a crash never leaves a file that looks delivered. */
static gboolean
deliver_to_maildir (const char *maildir, const BatonOutgoing *outgoing, GError **error)
{
  static guint counter;
  g_autofree char *tmp_dir = g_build_filename (maildir, "tmp", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);
  if (g_mkdir_with_parents (tmp_dir, 0700) != 0 || g_mkdir_with_parents (new_dir, 0700) != 0 ||
      g_mkdir_with_parents (cur_dir, 0700) != 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "cannot create Maildir %s: %s",
                   maildir, g_strerror (errno));
      return FALSE;
    }
  g_autofree char *name =
      g_strdup_printf ("%" G_GINT64_FORMAT ".%d_%u_%" G_GINT64_FORMAT ".baton",
                       g_get_real_time () / G_USEC_PER_SEC, getpid (), counter++, outgoing->id);
  g_autofree char *tmp_path = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *new_path = g_build_filename (new_dir, name, NULL);
  gsize size = 0;
  const char *data = g_bytes_get_data (outgoing->mime, &size);
  if (!g_file_set_contents_full (tmp_path, data, size, G_FILE_SET_CONTENTS_DURABLE, 0600, error))
    return FALSE;
  if (rename (tmp_path, new_path) != 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "cannot move %s into %s: %s",
                   tmp_path, new_dir, g_strerror (errno));
      unlink (tmp_path);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  BatonTeam *team;
  BatonSmtpSender *sender; /* NULL: Maildir delivery */
  BatonSendStats *stats;
} Delivery;

/* A handoff notice held for the receiver's morning is stale when the task
 * changed hands again overnight: telling them "it is yours now" would be
 * wrong. Sets *why when the row should be dropped instead of sent. */
static gboolean
is_stale_handoff (BatonTeam *team, const BatonOutgoing *outgoing, char **why, GError **error)
{
  if (!g_str_equal (outgoing->kind, "handoff") || outgoing->not_before == 0 || outgoing->task <= 0)
    return FALSE;
  const BatonMember *receiver = baton_config_member_by_address (team->config, outgoing->recipient);
  g_autoptr (BatonTask) task = baton_store_task_get (team->store, outgoing->task, error);
  if (task == NULL || receiver == NULL)
    return FALSE;
  if (task->owner != NULL && g_str_equal (task->owner, receiver->name) &&
      !g_str_equal (task->state, "done"))
    {
      /* Handed away and back to them overnight (A to C to B, or taken back
       * and handed again): the newest notice tells the whole story. */
      gboolean later = FALSE;
      if (!baton_store_outbox_superseded (team->store, outgoing->id, outgoing->recipient, "handoff",
                                          task->id, &later, error) ||
          !later)
        return FALSE;
      *why = g_strdup_printf ("not sent: a newer handoff notice of task #%" G_GINT64_FORMAT
                              " to the same member replaces it",
                              task->id);
      return TRUE;
    }
  *why = g_strdup_printf ("not sent: task #%" G_GINT64_FORMAT " is %s%s%s since this notice was "
                          "held for the morning",
                          task->id, task->state, task->owner ? " and held by " : "",
                          task->owner ? task->owner : "");
  return TRUE;
}

/* A reminder or escalation is stale once its handoff was accepted (or the
 * task moved on) while it waited for a working start. Handed on or back
 * meanwhile, the task waits for someone else, or for the same member from
 * the start: the row that waits then is not the one this mail is about. */
static gboolean
is_stale_reminder (BatonTeam *team, const BatonOutgoing *outgoing, char **why, GError **error)
{
  gboolean reminder = g_str_equal (outgoing->kind, "reminder");
  if ((!reminder && !g_str_equal (outgoing->kind, "escalation")) || outgoing->task <= 0)
    return FALSE;
  g_autoptr (BatonPending) pending = baton_store_pending_get (team->store, outgoing->task, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  const BatonMember *to = baton_config_member_by_address (team->config, outgoing->recipient);
  if (pending != NULL && to != NULL &&
      g_str_equal (to->name, reminder ? pending->receiver : pending->giver) &&
      (reminder ? pending->reminded_at : pending->escalated_at) != 0)
    return FALSE;
  *why = g_strdup_printf ("not sent: the handoff of task #%" G_GINT64_FORMAT
                          " was accepted (or moved on) before this %s went out",
                          outgoing->task, outgoing->kind);
  return TRUE;
}

static gboolean
deliver_one (Delivery *delivery, const BatonOutgoing *outgoing, GError **error)
{
  if (delivery->sender == NULL)
    return deliver_to_maildir (delivery->team->config->outbox_maildir, outgoing, error);
  gsize size = 0;
  const char *data = g_bytes_get_data (outgoing->mime, &size);
  const char *recipients[] = { outgoing->recipient, NULL };
  return baton_smtp_send (delivery->sender, outgoing->envelope_from, recipients, data, size, error);
}

/* Records what happened to one row. FALSE stops the batch: the failure is
 * the run's (credentials, settings, database), not the row's. */
static gboolean
settle (Delivery *delivery, const BatonOutgoing *outgoing, GError *failure, GError **error)
{
  BatonStore *store = delivery->team->store;
  gint64 now = baton_clock_now_unix ();
  if (failure == NULL)
    {
      delivery->stats->sent++;
      g_info ("send id=%" G_GINT64_FORMAT " kind=%s to=%s message-id=<%s> result=sent",
              outgoing->id, outgoing->kind, outgoing->recipient, outgoing->message_id);
      return baton_store_outbox_mark_sent (store, outgoing->id, now, error);
    }
  g_info ("send id=%" G_GINT64_FORMAT " kind=%s to=%s result=%s error=%s", outgoing->id,
          outgoing->kind, outgoing->recipient,
          baton_error_is_temporary (failure) ? "retry" : "failed", failure->message);
  if (baton_error_is_temporary (failure))
    {
      delivery->stats->retried++;
      return baton_store_outbox_mark_retry (store, outgoing->id,
                                            now + baton_outbox_backoff (outgoing->attempts),
                                            failure->message, error);
    }
  if (g_error_matches (failure, BATON_ERROR, BATON_ERROR_UNAVAILABLE) ||
      g_error_matches (failure, BATON_ERROR, BATON_ERROR_DATA))
    {
      delivery->stats->failed++;
      return baton_store_outbox_mark_failed (store, outgoing->id, now, failure->message, error);
    }
  g_propagate_error (error, g_error_copy (failure));
  return FALSE;
}

static BatonSmtpSender *
open_sender (const BatonConfig *config, GError **error)
{
  const BatonSmtpConfig *smtp = config->smtp;
  g_autofree char *password = NULL;
  if (smtp->user != NULL)
    {
      password =
          baton_config_read_secret (smtp->password_file, smtp->password_command, "[smtp]", error);
      if (password == NULL)
        return NULL;
    }
  BatonSmtpSettings settings = { smtp->url, smtp->allow_plaintext, smtp->user,
                                 password,  smtp->ca_file,         0 };
  return baton_smtp_sender_new (&settings, error);
}

/* Reads what is due only once the lock is held: a list read before could
 * hold rows another sender delivered meanwhile. */
static gboolean
send_due (BatonTeam *team, BatonSendStats *stats, GError **error)
{
  g_autoptr (GPtrArray) due = baton_store_outbox_due (team->store, baton_clock_now_unix (), error);
  if (due == NULL)
    return FALSE;
  if (due->len == 0)
    return TRUE;
  g_autoptr (BatonSmtpSender) sender = NULL;
  if (team->config->smtp != NULL && (sender = open_sender (team->config, error)) == NULL)
    return FALSE;
  Delivery delivery = { team, sender, stats };
  for (guint i = 0; i < due->len; i++)
    {
      g_autoptr (GError) failure = NULL;
      g_autofree char *stale = NULL;
      const BatonOutgoing *outgoing = due->pdata[i];
      if (is_stale_handoff (team, outgoing, &stale, error) ||
          (error == NULL || *error == NULL ? is_stale_reminder (team, outgoing, &stale, error)
                                           : FALSE))
        {
          g_info ("send id=%" G_GINT64_FORMAT " kind=%s to=%s result=dropped why=%s", outgoing->id,
                  outgoing->kind, outgoing->recipient, stale);
          if (!baton_store_outbox_mark_failed (team->store, outgoing->id, baton_clock_now_unix (),
                                               stale, error))
            return FALSE;
          continue;
        }
      if (error != NULL && *error != NULL)
        return FALSE;
      if (baton_net_stop_requested ())
        break; /* SIGTERM: the rest keep their turn, no retry delay */
      /* A held notice is dated when it goes out, or it sorts under the
       * newer mail its receiver already has. */
      BatonOutgoing held = *outgoing;
      g_autoptr (GBytes) restamped =
          outgoing->not_before != 0
              ? baton_mail_restamp_date (outgoing->mime, baton_clock_now_unix ())
              : NULL;
      if (restamped != NULL)
        held.mime = restamped;
      deliver_one (&delivery, &held, &failure);
      if (failure != NULL && baton_net_stop_requested ())
        break; /* not sent, and not the row's fault: it stays due as it was */
      if (!settle (&delivery, outgoing, failure, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
baton_outbox_send (BatonTeam *team, BatonSendStats *stats, GError **error)
{
  /* Two senders at once (cron and the daemon) would both send a row. */
  g_autoptr (GError) busy = NULL;
  int lock_fd = baton_lock_take (team->config->database, "send", &busy);
  if (lock_fd < 0)
    {
      if (!baton_error_is_temporary (busy))
        return g_propagate_error (error, g_steal_pointer (&busy)), FALSE;
      g_info ("send: %s; leaving the outbox to it", busy->message);
      return TRUE;
    }
  /* Under the lock, so a reminder queued now goes out in this same run. */
  gboolean ok = baton_outbox_queue_pending (team, error) && send_due (team, stats, error);
  close (lock_fd);
  return ok;
}

gboolean
baton_outbox_demo_summary (BatonTeam *team, GError **error)
{
  g_autoptr (GPtrArray) due = baton_store_outbox_due (team->store, G_MAXINT64, error);
  if (due == NULL)
    return FALSE;
  BatonSendStats stats = { 0 };
  if (!baton_outbox_send (team, &stats, error))
    return FALSE;
  printf ("\nMail baton wrote (%u, in %s/new):\n", stats.sent, team->config->outbox_maildir);
  for (guint i = 0; i < due->len; i++)
    {
      const BatonOutgoing *outgoing = due->pdata[i];
      printf ("  %-8s to %s\n", outgoing->kind, outgoing->recipient);
    }
  return TRUE;
}
