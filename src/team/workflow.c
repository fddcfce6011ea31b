/* SPDX-License-Identifier: MIT */
/* One incoming mail, start to end: parse, file under its Message-ID, decide
 * whether its sender may act, find the task it is about, apply its
 * commands, queue what it causes, and commit it all at once.
 *
 * Why every mail gets a row even when nothing is applied: a quarantined or
 * ignored mail is still the team's mail, and its row is what makes a second
 * delivery of it a no-op instead of a second chance to act.
 *
 * The raw bytes are copied in only where baton holds the only copy (stdin,
 * its own spool), unless keep-raw = always: a Maildir, an mbox or an IMAP
 * folder keeps the mail itself, the row names it (source), and copying it
 * would double the bytes written (WAL, then checkpoint) for nothing. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

#include "baton/auth.h"
#include "baton/clock.h"
#include "baton/error.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

BatonTeam *
baton_team_open (const char *config_path, GError **error)
{
  g_autoptr (BatonTeam) team = g_new0 (BatonTeam, 1);
  team->config = baton_config_load (config_path, error);
  if (team->config == NULL)
    return NULL;
  team->store = baton_store_open (team->config->database, error);
  if (team->store == NULL)
    return NULL;
  gboolean in_sync = FALSE;
  if (!baton_store_members_match (team->store, team->config->members, &in_sync, error))
    return NULL;
  if (!in_sync && (!baton_store_begin (team->store, error) ||
                   !baton_store_members_sync (team->store, team->config->members,
                                              baton_clock_now_unix (), error) ||
                   !baton_store_commit (team->store, error)))
    return NULL;
  return g_steal_pointer (&team);
}

void
baton_team_close (BatonTeam *team)
{
  if (team == NULL)
    return;
  baton_store_close (team->store);
  baton_config_free (team->config);
  baton_fingerprint_free (team->templates);
  g_free (team);
}

char *
baton_workflow_message_key (const BatonMessage *message, const char *raw, gsize length)
{
  if (message->message_id != NULL)
    return g_strdup (message->message_id);
  BatonMessageKey *key = baton_message_key_new ();
  baton_message_key_update (key, raw, length);
  return baton_message_key_finish (key);
}

/* Our own mail coming back (a loop through a list or a forward) must never
 * act: it carries our X-Loop marker or our own address as sender. */
static char *
own_mail_reason (const BatonConfig *config, const BatonMessage *message)
{
  for (guint i = 0; message->x_loop[i] != NULL; i++)
    if (g_ascii_strcasecmp (message->x_loop[i], config->team_address) == 0)
      return g_strdup_printf ("our own mail coming back (X-Loop: %s)", message->x_loop[i]);
  if (message->from_address && g_str_equal (message->from_address, config->team_address))
    return g_strdup_printf ("sent from the team address %s itself", config->team_address);
  return NULL;
}

/* Decides whether the sender may act. Sets outcome and reason when not. */
static const BatonMember *
authorise (BatonTeam *team, const BatonMessage *message, BatonIngestResult *result)
{
  g_autofree char *own = own_mail_reason (team->config, message);
  if (own != NULL || message->auto_reason != NULL)
    {
      result->outcome = g_strdup ("ignored");
      result->reason = g_strdup_printf ("machine mail: %s", own ? own : message->auto_reason);
      return NULL;
    }
  const BatonMember *member = baton_config_member_by_address (team->config, message->from_address);
  if (member == NULL)
    {
      result->outcome = g_strdup ("quarantined");
      result->reason = g_strdup_printf ("sender %s is not a member of the team",
                                        message->from_address ? message->from_address : "(none)");
      return NULL;
    }
  g_autofree char *why = NULL;
  if (team->config->require_auth &&
      !baton_auth_vouches (message->auth_results, team->config->authserv_id, message->from_address,
                           &why))
    {
      result->outcome = g_strdup ("quarantined");
      result->reason = g_strdup_printf ("require-auth: %s", why);
      return NULL;
    }
  result->member = g_strdup (member->name);
  return member;
}

/* Plus-addressing names both a task and a command ("team+take-12@").
 * It acts only for a mail written to it, which is never a reply: a digest's
 * mailto: link starts a new mail, while reply-all to a mail sent to
 * team+take-5@ carries that address along in To or Cc, and must not take
 * #5 again from whoever holds it now. The envelope cannot tell the two
 * apart (the MTA's Delivered-To/X-Original-To name the plus address for
 * both), the thread can: a reply names its parent in In-Reply-To or
 * References. */
static BatonCommand *
command_from_address (const BatonConfig *config, const BatonMessage *message,
                      BatonIngestResult *result)
{
  if (message->references[0] != NULL)
    return NULL;
  for (guint i = 0; message->recipients[i] != NULL; i++)
    {
      BatonCommandKind kind;
      gint64 task = 0;
      char *who = NULL;
      if (baton_commands_handoff_from_plus_address (message->recipients[i], config->team_address,
                                                    &task, &who))
        kind = BATON_COMMAND_HANDOFF;
      else if (!baton_commands_from_plus_address (message->recipients[i], config->team_address,
                                                  &kind, &task))
        continue;
      BatonCommand *command = g_new0 (BatonCommand, 1);
      command->kind = kind;
      command->task = task;
      command->who = who;
      command->source = g_strdup_printf ("(sent to %s)", message->recipients[i]);
      if (kind == BATON_COMMAND_TASK)
        command->text = g_strdup (message->subject);
      else
        {
          result->context_task = task;
          result->context_source = g_strdup_printf ("sent to %s", message->recipients[i]);
        }
      return command;
    }
  return NULL;
}

static gboolean
find_context (BatonTeam *team, const BatonMessage *message, BatonIngestResult *result,
              GError **error)
{
  if (result->context_task > 0)
    return TRUE;
  gint64 from_subject = baton_commands_task_from_subject (message->subject);
  if (from_subject > 0)
    {
      result->context_task = from_subject;
      result->context_source =
          g_strdup_printf ("subject carries [#%" G_GINT64_FORMAT "]", from_subject);
      return TRUE;
    }
  gint64 from_thread = 0;
  if (!baton_store_thread_task (team->store, message->references, &from_thread, error))
    return FALSE;
  if (from_thread > 0)
    {
      result->context_task = from_thread;
      result->context_source =
          g_strdup_printf ("a reply to baton's mail about #%" G_GINT64_FORMAT, from_thread);
    }
  return TRUE;
}

/* "done" alone, then free text ("done" ⏎⏎ "Deployed, all green."): the
 * text says how it was done, so it closes the task as the done's note
 * instead of arriving after it as a note on a done task. Returns how many
 * UPDATEs after commands[I] it took, their text joined into *NOTE. */
static guint
prose_after_done (GPtrArray *commands, guint i, char **note)
{
  const BatonCommand *done = commands->pdata[i];
  if (done->kind != BATON_COMMAND_DONE || done->text != NULL)
    return 0;
  guint taken = 0;
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint j = i + 1; j < commands->len; j++, taken++)
    {
      const BatonCommand *next = commands->pdata[j];
      if (next->kind != BATON_COMMAND_UPDATE)
        break;
      g_string_append (g_string_append (text, text->len ? "\n\n" : ""), next->text);
    }
  if (taken > 0)
    *note = g_string_free (g_steal_pointer (&text), FALSE);
  return taken;
}

/* Applies commands[I], with the prose after a bare "done" as its note when
 * that closes the task; returns how many commands it used. 0 on a store
 * failure (ERROR set). */
static guint
apply_at (ApplyContext *context, GPtrArray *commands, guint i, GError **error)
{
  const BatonCommand *command = commands->pdata[i];
  g_autofree char *note = NULL;
  guint taken = prose_after_done (commands, i, &note);
  if (taken == 0)
    return workflow_apply_command (context, command, error) ? 1 : 0;
  BatonCommand with_note = *command;
  with_note.text = note;
  if (!workflow_apply_command (context, &with_note, error))
    return 0;
  GPtrArray *lines = context->result->lines;
  const BatonLineResult *line = lines->pdata[lines->len - 1];
  /* A done that failed leaves its prose to be read as usual. */
  return line->ok ? 1 + taken : 1;
}

/* The commands from @first on, past BATON_COMMANDS_PER_MAIL: one failed
 * line in the reply that says which they are, so the sender can send them
 * again. */
static void
report_not_applied (BatonIngestResult *result, GPtrArray *commands, guint first_index)
{
  const BatonCommand *first = commands->pdata[first_index];
  const BatonCommand *last = commands->pdata[commands->len - 1];
  BatonLineResult *line = g_new0 (BatonLineResult, 1);
  line->line = first->line;
  line->kind = BATON_COMMAND_INVALID;
  line->source = g_strdup_printf ("(lines %u to %u: %u more commands)", first->line, last->line,
                                  commands->len - first_index);
  line->outcome = g_strdup_printf ("not applied: baton applies at most %u commands from one mail; "
                                   "send these again in another mail",
                                   (guint) BATON_COMMANDS_PER_MAIL);
  g_ptr_array_add (result->lines, line);
}

static gboolean
apply_commands (BatonTeam *team, const BatonMessage *message, BatonIngestResult *result, gint64 now,
                GError **error)
{
  g_autoptr (BatonCommand) implicit = command_from_address (team->config, message, result);
  if (!find_context (team, message, result, error))
    return FALSE;
  ApplyContext context = { team, message, result, result->member, now, result->message_row };
  if (implicit != NULL && !workflow_apply_command (&context, implicit, error))
    return FALSE;
  /* A mail to team+task@ is the task: its subject the title, its text
   * notes on it, not a team update. */
  if (implicit != NULL && implicit->kind == BATON_COMMAND_TASK && result->context_task == 0 &&
      result->lines->len > 0)
    {
      const BatonLineResult *created = result->lines->pdata[result->lines->len - 1];
      result->context_task = created->ok ? created->task : 0;
      result->context_source = g_strdup (implicit->source);
    }
  g_autoptr (BatonNewText) fresh = baton_workflow_new_text (team, message, error);
  if (fresh == NULL)
    return FALSE;
  g_autoptr (GPtrArray) commands = baton_commands_parse (fresh->text);
  guint i = 0;
  for (guint applied = 0; i < commands->len && applied < BATON_COMMANDS_PER_MAIL; applied++)
    {
      guint used = apply_at (&context, commands, i, error);
      if (used == 0)
        return FALSE;
      i += used;
    }
  if (i < commands->len)
    report_not_applied (result, commands, i);
  return TRUE;
}

static const char *
outcome_of_lines (GPtrArray *lines)
{
  guint ok = 0;
  for (guint i = 0; i < lines->len; i++)
    ok += ((BatonLineResult *) lines->pdata[i])->ok;
  if (ok == lines->len)
    return "applied";
  return ok == 0 ? "failed" : "partly";
}

/* VALUE in decimal at BUFFER (room for 10 digits); returns its length.
 * g_snprintf() took 650 instructions a line. */
static gsize
format_line_number (char *buffer, guint value)
{
  char reversed[16];
  gsize n = 0;
  do
    {
      reversed[n++] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  for (gsize i = 0; i < n; i++)
    buffer[i] = reversed[n - 1 - i];
  return n;
}

static char *
report_of_lines (GPtrArray *lines)
{
  if (lines->len == 0)
    return NULL;
  GString *report = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    {
      const BatonLineResult *line = lines->pdata[i];
      /* Not g_string_append_printf: its temporary string per line was 1%
       * of a Maildir ingest. */
      g_string_append (report, line->ok ? "ok line " : "FAILED line ");
      char number[16];
      g_string_append_len (report, number, format_line_number (number, line->line));
      g_string_append (report, ": ");
      g_string_append (report, line->source);
      g_string_append (report, ": ");
      g_string_append (report, line->outcome);
      g_string_append_c (report, '\n');
    }
  return g_string_free (report, FALSE);
}

/* As baton_workflow_message_key(), hashing a file a piece at a time. */
static char *
message_key (const BatonMessage *message, const BatonRawMail *raw, GError **error)
{
  if (message->message_id != NULL || raw->data != NULL)
    return baton_workflow_message_key (message, raw->data, raw->length);
  g_autoptr (BatonMessageKey) key = baton_message_key_new ();
  char buffer[65536];
  for (gsize done = 0; done < raw->length;)
    {
      ssize_t n = pread (raw->fd, buffer, MIN (sizeof buffer, raw->length - done), done);
      if (n <= 0)
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "reading the message: %s",
                       n < 0 ? g_strerror (errno) : "the file shrank");
          return NULL;
        }
      baton_message_key_update (key, buffer, n);
      done += n;
    }
  return baton_message_key_finish (g_steal_pointer (&key));
}

static gboolean
holds_only_copy (const char *source)
{
  return g_str_equal (source, "stdin") || g_str_has_prefix (source, "spool:");
}

/* HELD and HELD_SENDER: the held row under the key, as the lookup that
 * found no duplicate read it (baton_store_message_lookup()). */
static gboolean
store_message (BatonTeam *team, const BatonMessage *message, BatonIngestResult *result,
               const BatonRawMail *raw, const char *source, gint64 now, gint64 held,
               const char *held_sender, GError **error)
{
  g_autofree char *report = report_of_lines (result->lines);
  gboolean keep_raw = team->config->keep_raw_always || holds_only_copy (source);
  g_autoptr (BatonFingerprint) own = NULL;
  BatonMessageRecord record = {
    .message_id = result->message_id,
    .sender = message->from_address,
    .member = result->member,
    .subject = message->subject,
    .date = message->date,
    .received_at = now,
    .source = source,
    .keep_raw = keep_raw,
    .raw = raw,
    .outcome = result->outcome,
    .reason = result->reason,
    .report = report,
    .fingerprint = workflow_text_fingerprint (message, &own),
    .held_known = TRUE,
    .held = held,
    .held_sender = held_sender,
  };
  result->message_row = baton_store_message_add (team->store, &record, error);
  return result->message_row != 0;
}

/* Events name the message they came from, so the row is written first and
 * its outcome settled once the commands have run. */
BatonIngestResult *
baton_workflow_apply (BatonTeam *team, const BatonMessage *message, const BatonRawMail *raw,
                      const char *source, GError **error)
{
  g_autofree char *key = message_key (message, raw, error);
  if (key == NULL)
    return NULL;
  g_autoptr (BatonIngestResult) result = workflow_result_new (key);
  gboolean exists = FALSE;
  gint64 held = 0;
  g_autofree char *held_sender = NULL;
  if (!baton_store_message_lookup (team->store, key, &exists, &held, &held_sender, error))
    return NULL;
  if (exists)
    {
      result->outcome = g_strdup ("duplicate");
      result->reason = g_strdup ("this Message-ID was processed before; nothing applied again");
      return g_steal_pointer (&result);
    }
  gint64 now = baton_clock_now_unix ();
  const BatonMember *member = authorise (team, message, result);
  if (member == NULL)
    return store_message (team, message, result, raw, source, now, held, held_sender, error)
               ? g_steal_pointer (&result)
               : NULL;
  result->outcome = g_strdup ("applied");
  if (!store_message (team, message, result, raw, source, now, held, held_sender, error) ||
      !apply_commands (team, message, result, now, error))
    return NULL;
  g_free (result->outcome);
  result->outcome = g_strdup (outcome_of_lines (result->lines));
  g_autofree char *report = report_of_lines (result->lines);
  if (!baton_store_message_settle (team->store, result->message_row, result->outcome, report,
                                   error))
    return NULL;
  if (team->queue_notices && !team->queue_notices (team, message, result, error))
    return NULL;
  return g_steal_pointer (&result);
}

BatonIngestResult *
baton_workflow_dry_run (BatonTeam *team, const BatonMessage *message, const BatonRawMail *raw,
                        GError **error)
{
  if (!baton_store_begin (team->store, error))
    return NULL;
  BatonIngestResult *result = baton_workflow_apply (team, message, raw, "explain", error);
  baton_store_rollback (team->store);
  if (result != NULL)
    result->message_row = 0;
  return result;
}

BatonIngestResult *
baton_workflow_ingest (BatonTeam *team, const char *raw, gsize length, const char *source,
                       GError **error)
{
  g_autoptr (BatonMessage) message = baton_message_parse (raw, length, error);
  if (message == NULL)
    return NULL;
  if (!baton_store_begin (team->store, error))
    return NULL;
  BatonRawMail bytes = { raw ? raw : "", -1, length };
  g_autoptr (BatonIngestResult) result =
      baton_workflow_apply (team, message, &bytes, source, error);
  if (result == NULL || g_str_equal (result->outcome, "duplicate"))
    {
      baton_store_rollback (team->store);
      return g_steal_pointer (&result);
    }
  if (!baton_store_commit (team->store, error))
    return NULL;
  return g_steal_pointer (&result);
}
