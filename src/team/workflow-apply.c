/* SPDX-License-Identifier: MIT */
/* What each command does to a task. Every effect is an event naming who,
 * when and which message; every refusal says what was wrong and how to
 * write it right, because it goes back to the sender line by line. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

#include "baton/transitions.h"

#include <string.h>

static BatonLineResult *
line_result (const BatonCommand *command, gint64 task)
{
  BatonLineResult *line = g_new0 (BatonLineResult, 1);
  line->line = command->line;
  line->kind = command->kind;
  line->task = task;
  line->source = g_strdup (command->source ? command->source : "");
  return line;
}

/* Sets the outcome of *@line and hands it to the result, leaving *@line
 * NULL: whatever a caller still holds afterwards was never reported. */
G_GNUC_PRINTF (3, 4)
static void
finish (ApplyContext *context, BatonLineResult **line, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  (*line)->outcome = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (context->result->lines, g_steal_pointer (line));
}

static gboolean
record (ApplyContext *context, gint64 task, const char *kind, const char *from, const char *to,
        const char *note, GError **error)
{
  BatonEventInput event = {
    .task = task,
    .kind = kind,
    .who = context->sender,
    .from_member = from,
    .to_member = to,
    .note = note,
    .at = context->now,
    .message = context->message_row,
  };
  return baton_store_event_add (context->team->store, &event, error);
}

static void
add_notice (ApplyContext *context, const char *kind, gint64 task, const char *to, const char *from,
            const char *note)
{
  BatonNotice *notice = g_new0 (BatonNotice, 1);
  notice->kind = g_strdup (kind);
  notice->task = task;
  notice->to_member = g_strdup (to);
  notice->from_member = g_strdup (from);
  notice->note = g_strdup (note);
  g_ptr_array_add (context->result->notices, notice);
}

/* "it" ("task: Fix the login" then "take it"): the task the line before
 * it in this mail named, or 0. Only that one line: a scan back per "it"
 * would make a mail of many lines cost their square. */
static gint64
last_named_task (ApplyContext *context)
{
  GPtrArray *lines = context->result->lines;
  return lines->len > 0 ? ((BatonLineResult *) lines->pdata[lines->len - 1])->task : 0;
}

/* The task a command is about, or NULL with *@line finished saying why
 * there is none (or with @error set when the store fails). */
static BatonTask *
resolve_task (ApplyContext *context, const BatonCommand *command, BatonLineResult **line,
              GError **error)
{
  gint64 number = command->task;
  if (number <= 0 && command->it)
    number = last_named_task (context);
  if (number <= 0)
    number = context->result->context_task;
  const char *verb = baton_command_kind_name (command->kind);
  if (number <= 0)
    {
      finish (context, line, "which task? Write `%s 12`, or reply to a baton mail about the task",
              verb);
      return NULL;
    }
  (*line)->task = number;
  g_autoptr (GError) local = NULL;
  BatonTask *task = baton_store_task_get (context->team->store, number, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (task == NULL)
    finish (context, line, "there is no task #%" G_GINT64_FORMAT, number);
  return task;
}

static gboolean
save (ApplyContext *context, BatonTask *task, const char *state, const char *owner, GError **error)
{
  if (state != task->state)
    {
      g_free (task->state);
      task->state = g_strdup (state);
    }
  if (owner != task->owner)
    {
      g_free (task->owner);
      task->owner = g_strdup (owner);
    }
  if (!g_str_equal (task->state, "blocked"))
    g_clear_pointer (&task->blocked_reason, g_free);
  return baton_store_task_update (context->team->store, task, context->now, error);
}

/* A title's @mention at its very end or start only assigns ("Review the
 * API @chen"): it is left out of the title, which would name chen long
 * after a handoff. Inside the text ("ask @bob about it") it stays. Caller
 * frees. */
static char *
title_without_assignee (const char *title, const char *who)
{
  g_autofree char *mention = g_strdup_printf ("@%s", who);
  gsize len = strlen (title), m = strlen (mention);
  char *stripped = NULL;
  if (len > m && g_ascii_strcasecmp (title + len - m, mention) == 0 &&
      g_ascii_isspace (title[len - m - 1]))
    stripped = g_strndup (title, len - m);
  else if (len > m && g_ascii_strncasecmp (title, mention, m) == 0 && g_ascii_isspace (title[m]))
    stripped = g_strdup (title + m);
  if (stripped == NULL || *g_strstrip (stripped) == '\0')
    {
      g_free (stripped);
      return g_strdup (title);
    }
  return stripped;
}

static gboolean
apply_task (ApplyContext *context, const BatonCommand *command, GError **error)
{
  g_autoptr (BatonLineResult) line = line_result (command, 0);
  const BatonMember *assignee = NULL;
  g_autofree char *unknown = NULL;
  if (command->who != NULL)
    {
      assignee = baton_config_member_lookup (context->team->config, command->who);
      if (assignee == NULL)
        unknown = g_strdup_printf (" (@%s is not a member, so nobody holds it yet)", command->who);
    }
  const char *owner = assignee ? assignee->name : NULL;
  g_autofree char *title =
      assignee ? title_without_assignee (command->text, command->who) : g_strdup (command->text);
  gint64 id = baton_store_task_add (context->team->store, title, context->sender, owner,
                                    context->now, error);
  if (id == 0 || !record (context, id, "created", NULL, owner, title, error))
    return FALSE;
  line->task = id;
  line->ok = TRUE;
  if (owner != NULL && !g_str_equal (owner, context->sender))
    add_notice (context, "handoff", id, owner, context->sender, NULL);
  if (!workflow_pending_start (context, id, owner, error))
    return FALSE;
  finish (context, &line, "task #%" G_GINT64_FORMAT " created%s%s%s", id, owner ? " for " : "",
          owner ? owner : "", unknown ? unknown : "");
  return TRUE;
}

/* "alice, bob": for the one error that lists them. */
static char *
member_names (const BatonConfig *config)
{
  GString *names = g_string_new (NULL);
  for (guint i = 0; i < config->members->len; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "",
                            ((BatonMember *) config->members->pdata[i])->name);
  return g_string_free (names, FALSE);
}

static BatonHolder
holder_of (const ApplyContext *context, const BatonTask *task)
{
  if (task->owner == NULL)
    return BATON_HOLDER_NONE;
  return g_str_equal (task->owner, context->sender) ? BATON_HOLDER_SENDER : BATON_HOLDER_OTHER;
}

/* Finishes *@line for a row that changes nothing. */
static void
refuse (ApplyContext *context, const BatonTransition *row, const BatonTask *task,
        BatonLineResult **line)
{
  gint64 id = task->id;
  switch (row->verdict)
    {
      case BATON_VERDICT_NOTHING:
        (*line)->ok = TRUE;
        finish (context, line, "task #%" G_GINT64_FORMAT " is already yours", id);
        break;
      case BATON_VERDICT_REFUSE_DONE:
        finish (context, line,
                "task #%" G_GINT64_FORMAT " is already done (write `reopen %" G_GINT64_FORMAT
                "` first if it is not)",
                id, id);
        break;
      case BATON_VERDICT_REFUSE_NOT_DONE:
        finish (context, line, "task #%" G_GINT64_FORMAT " is not done: nothing to reopen", id);
        break;
      case BATON_VERDICT_REFUSE_NOT_HOLDER:
        if (task->owner == NULL)
          {
            finish (context, line,
                    "nobody holds task #%" G_GINT64_FORMAT
                    ": nothing to %s (write `take %" G_GINT64_FORMAT "` to make it yours)",
                    id, baton_command_kind_name (row->command), id);
            break;
          }
        finish (context, line,
                "task #%" G_GINT64_FORMAT " is held by %s, not you: only its "
                "holder can %s it (take it first, or ask %s)",
                id, task->owner, baton_command_kind_name (row->command), task->owner);
        break;
      case BATON_VERDICT_REFUSE_NOT_BLOCKED:
        finish (context, line, "task #%" G_GINT64_FORMAT " is not blocked", id);
        break;
      case BATON_VERDICT_APPLY:
      default:
        g_assert_not_reached ();
    }
}

/* What the sender is told a row did, once it is done. */
static void
report (ApplyContext *context, const BatonTransition *row, const BatonTask *task,
        const char *previous, BatonLineResult **line)
{
  gint64 id = task->id;
  (*line)->ok = TRUE;
  switch (row->command)
    {
      case BATON_COMMAND_TAKE:
        if (previous != NULL)
          finish (context, line, "you took task #%" G_GINT64_FORMAT " from %s", id, previous);
        else
          finish (context, line, "task #%" G_GINT64_FORMAT " is yours", id);
        break;
      case BATON_COMMAND_HANDOFF:
        finish (context, line, "task #%" G_GINT64_FORMAT " handed to %s", id, task->owner);
        break;
      case BATON_COMMAND_ACCEPT:
        finish (context, line, "you accepted task #%" G_GINT64_FORMAT, id);
        break;
      case BATON_COMMAND_NOTE:
      case BATON_COMMAND_UPDATE:
        finish (context, line, "note added to task #%" G_GINT64_FORMAT, id);
        break;
      default:
        finish (context, line, "task #%" G_GINT64_FORMAT " %s", id,
                row->command == BATON_COMMAND_DONE     ? "is done"
                : row->command == BATON_COMMAND_DROP   ? "is back in the pool"
                : row->command == BATON_COMMAND_BLOCK  ? "is blocked"
                : row->command == BATON_COMMAND_REOPEN ? "is open again"
                                                       : "is unblocked");
    }
}

static const char *
next_owner (const ApplyContext *context, const BatonTransition *row, const BatonTask *task,
            const char *receiver)
{
  switch (row->next_holder)
    {
      case BATON_NEXT_HOLDER_SENDER:
        return context->sender;
      case BATON_NEXT_HOLDER_NONE:
        return NULL;
      case BATON_NEXT_HOLDER_RECEIVER:
        return receiver;
      case BATON_NEXT_HOLDER_KEEP:
      default:
        return task->owner;
    }
}

/* Carries out an APPLY row: the task, its event, the notices. */
static gboolean
carry_out (ApplyContext *context, const BatonCommand *command, const BatonTransition *row,
           BatonTask *task, const char *receiver, BatonLineResult **line, GError **error)
{
  g_autofree char *previous = g_strdup (task->owner);
  g_autofree char *owner = g_strdup (next_owner (context, row, task, receiver));
  gboolean is_note = g_str_equal (row->event, "note");
  if (is_note && (command->text == NULL || *command->text == '\0'))
    {
      finish (context, line, "a note needs text: write `note %" G_GINT64_FORMAT ": what happened`",
              task->id);
      return TRUE;
    }
  if (row->command == BATON_COMMAND_BLOCK)
    {
      g_free (task->blocked_reason);
      task->blocked_reason = g_strdup (command->text);
    }
  const char *from = NULL, *to = NULL;
  if (g_str_equal (row->event, "taken"))
    to = owner;
  else if (g_str_equal (row->event, "handoff"))
    from = previous ? previous : context->sender, to = owner;
  /* A note leaves the task as it is, updated_at included. */
  if ((!is_note && !save (context, task, baton_task_state_name (row->next), owner, error)) ||
      !record (context, task->id, row->event, from, to, command->text, error))
    return FALSE;
  if (!workflow_pending_settle (context, task, NULL, error))
    return FALSE;
  if ((row->tell & BATON_TELL_RECEIVER) && owner != NULL && !g_str_equal (owner, context->sender))
    {
      add_notice (context, "handoff", task->id, owner, context->sender, command->text);
      if (!workflow_pending_start (context, task->id, owner, error))
        return FALSE;
    }
  /* Handed again to the member who holds it: nothing was taken from them. */
  if ((row->tell & BATON_TELL_PREVIOUS) && previous != NULL &&
      !g_str_equal (previous, context->sender) && g_strcmp0 (previous, owner) != 0)
    add_notice (context, "taken", task->id, previous, context->sender, command->text);
  /* Closed or blocked under its holder's hands: they are told. */
  if ((row->tell & BATON_TELL_HOLDER) && previous != NULL &&
      !g_str_equal (previous, context->sender))
    add_notice (context, row->event, task->id, previous, context->sender, command->text);
  report (context, row, task, previous, line);
  return TRUE;
}

/* `accept`: records the acceptance when the handoff waited for the
 * sender; otherwise there was nothing to accept, which is fine. */
static gboolean
accept_pending (ApplyContext *context, const BatonCommand *command, const BatonTransition *row,
                BatonTask *task, BatonLineResult **line, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (BatonPending) pending =
      baton_store_pending_get (context->team->store, task->id, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (pending == NULL || !g_str_equal (pending->receiver, context->sender))
    {
      (*line)->ok = TRUE;
      finish (context, line,
              "task #%" G_GINT64_FORMAT " is already yours: nothing waited to be accepted",
              task->id);
      return TRUE;
    }
  return carry_out (context, command, row, task, NULL, line, error);
}

/* Looks up the row for @command on @task (a handoff needs a member to
 * hand to, and one to oneself is a take) and carries it out. */
static gboolean
apply_row (ApplyContext *context, const BatonCommand *command, BatonTask *task,
           BatonLineResult **line, GError **error)
{
  BatonTaskState state;
  if (!baton_task_state_parse (task->state, &state))
    {
      finish (context, line, "task #%" G_GINT64_FORMAT " is in a state baton does not know (%s)",
              task->id, task->state);
      return TRUE;
    }
  BatonCommandKind kind = command->kind;
  BatonHolder holder = holder_of (context, task);
  const BatonTransition *row = baton_transition_find (state, holder, kind);
  g_assert (row != NULL);
  const char *receiver = NULL;
  const BatonMember *member = NULL;
  if (row->verdict == BATON_VERDICT_APPLY && kind == BATON_COMMAND_HANDOFF)
    {
      member = baton_config_member_lookup (context->team->config, command->who);
      if (member == NULL)
        {
          g_autofree char *names = member_names (context->team->config);
          finish (context, line, "there is no member called %s; members: %s", command->who, names);
          return TRUE;
        }
      receiver = member->name;
      if (g_str_equal (receiver, context->sender))
        row = baton_transition_find (state, holder, BATON_COMMAND_TAKE);
    }
  if (row->verdict != BATON_VERDICT_APPLY)
    {
      refuse (context, row, task, line);
      /* Even a line that changed nothing shows the receiver has seen it. */
      return workflow_pending_settle_eventless (context, task, error);
    }
  if (kind == BATON_COMMAND_ACCEPT)
    return accept_pending (context, command, row, task, line, error);
  if (!carry_out (context, command, row, task, receiver, line, error))
    return FALSE;
  if (member == NULL || row->command != BATON_COMMAND_HANDOFF)
    return TRUE; /* not a handoff to someone else (a take is recorded as one) */
  /* Applied all the same; the giver hears at once who is away until when. */
  GPtrArray *lines = context->result->lines;
  return workflow_tell_if_away (context, member, lines->pdata[lines->len - 1], error);
}

static gboolean
apply_on_task (ApplyContext *context, const BatonCommand *command, GError **error)
{
  /* Still set on return only when a store failure kept it from the result. */
  g_autoptr (BatonLineResult) line = line_result (command, 0);
  g_autoptr (GError) local = NULL;
  g_autoptr (BatonTask) task = resolve_task (context, command, &line, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (task == NULL)
    return TRUE; /* the line already says why */
  return apply_row (context, command, task, &line, error);
}

static gboolean
apply_update (ApplyContext *context, const BatonCommand *command, GError **error)
{
  if (context->result->context_task > 0)
    return apply_on_task (context, command, error);
  if (!record (context, 0, "update", NULL, NULL, command->text, error))
    return FALSE;
  g_autoptr (BatonLineResult) line = line_result (command, 0);
  line->ok = TRUE;
  finish (context, &line, "update recorded for the next digests");
  return TRUE;
}

gboolean
workflow_apply_command (ApplyContext *context, const BatonCommand *command, GError **error)
{
  switch (command->kind)
    {
      case BATON_COMMAND_TASK:
        return apply_task (context, command, error);
      case BATON_COMMAND_UPDATE:
        return apply_update (context, command, error);
      case BATON_COMMAND_UNDO:
        return workflow_apply_undo (context, command, error);
      case BATON_COMMAND_INVALID:
        {
          g_autoptr (BatonLineResult) line = line_result (command, 0);
          finish (context, &line, "%s", command->error);
          return TRUE;
        }
      case BATON_COMMAND_AWAY:
      case BATON_COMMAND_BACK:
        return workflow_apply_member_command (context, command, error);
      default:
        return apply_on_task (context, command, error);
    }
}
