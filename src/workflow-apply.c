/* What each command does to a task. Every effect is an event naming who,
 * when and which message; every refusal says what was wrong and how to
 * write it right, because it goes back to the sender line by line. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

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

G_GNUC_PRINTF (3, 4)
static void
finish (ApplyContext *context, BatonLineResult *line, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  line->outcome = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (context->result->lines, line);
}

static gboolean
record (ApplyContext *context, gint64 task, const char *kind, const char *from, const char *to,
        const char *note, GError **error)
{
  BatonEvent event = {
    0,           task,          (char *) kind, (char *) context->sender, (char *) from,
    (char *) to, (char *) note, context->now,  context->message_row
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

/* The task a command is about, or a failed line explaining why there is none. */
static BatonTask *
resolve_task (ApplyContext *context, const BatonCommand *command, BatonLineResult *line,
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
  line->task = number;
  g_autoptr (GError) local = NULL;
  BatonTask *task = baton_store_task_get (context->team->store, number, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (task == NULL)
    finish (context, line, "there is no task #%" G_GINT64_FORMAT, number);
  else if (g_str_equal (task->state, "done") && command->kind != BATON_COMMAND_NOTE &&
           !(command->kind == BATON_COMMAND_UPDATE && context->closed_context &&
             number == context->result->context_task))
    {
      finish (context, line, "task #%" G_GINT64_FORMAT " is already done", number);
      g_clear_pointer (&task, baton_task_free);
    }
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

static gboolean
apply_task (ApplyContext *context, const BatonCommand *command, GError **error)
{
  BatonLineResult *line = line_result (command, 0);
  const BatonMember *assignee = NULL;
  g_autofree char *unknown = NULL;
  if (command->who != NULL)
    {
      assignee = baton_config_member_lookup (context->team->config, command->who);
      if (assignee == NULL)
        unknown = g_strdup_printf (" (@%s is not a member, so nobody holds it yet)", command->who);
    }
  const char *owner = assignee ? assignee->name : NULL;
  gint64 id = baton_store_task_add (context->team->store, command->text, context->sender, owner,
                                    context->now, error);
  if (id == 0 || !record (context, id, "created", NULL, owner, command->text, error))
    {
      workflow_line_free (line);
      return FALSE;
    }
  line->task = id;
  line->ok = TRUE;
  if (owner != NULL && !g_str_equal (owner, context->sender))
    add_notice (context, "handoff", id, owner, context->sender, NULL);
  finish (context, line, "task #%" G_GINT64_FORMAT " created%s%s%s", id, owner ? " for " : "",
          owner ? owner : "", unknown ? unknown : "");
  return TRUE;
}

static gboolean
apply_take (ApplyContext *context, const BatonCommand *command, BatonTask *task,
            BatonLineResult *line, GError **error)
{
  g_autofree char *previous = g_strdup (task->owner);
  if (previous != NULL && g_str_equal (previous, context->sender))
    {
      line->ok = TRUE;
      finish (context, line, "task #%" G_GINT64_FORMAT " is already yours", task->id);
      return TRUE;
    }
  const char *state = g_str_equal (task->state, "blocked") ? "blocked" : "taken";
  if (!save (context, task, state, context->sender, error))
    return FALSE;
  gboolean ok =
      previous != NULL
          ? record (context, task->id, "handoff", previous, context->sender, command->text, error)
          : record (context, task->id, "taken", NULL, context->sender, command->text, error);
  if (!ok)
    return FALSE;
  line->ok = TRUE;
  if (previous != NULL)
    {
      add_notice (context, "taken", task->id, previous, context->sender, command->text);
      finish (context, line, "you took task #%" G_GINT64_FORMAT " from %s", task->id, previous);
    }
  else
    finish (context, line, "task #%" G_GINT64_FORMAT " is yours", task->id);
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

static gboolean
apply_handoff (ApplyContext *context, const BatonCommand *command, BatonTask *task,
               BatonLineResult *line, GError **error)
{
  const BatonMember *receiver = baton_config_member_lookup (context->team->config, command->who);
  if (receiver == NULL)
    {
      g_autofree char *names = member_names (context->team->config);
      finish (context, line, "there is no member called %s; members: %s", command->who, names);
      return TRUE;
    }
  if (g_str_equal (receiver->name, context->sender))
    return apply_take (context, command, task, line, error);
  const char *previous = task->owner ? task->owner : context->sender;
  g_autofree char *from = g_strdup (previous);
  const char *state = g_str_equal (task->state, "blocked") ? "blocked" : "taken";
  if (!save (context, task, state, receiver->name, error) ||
      !record (context, task->id, "handoff", from, receiver->name, command->text, error))
    return FALSE;
  line->ok = TRUE;
  add_notice (context, "handoff", task->id, receiver->name, context->sender, command->text);
  /* Handed again to the member who holds it: nothing was taken from them. */
  if (!g_str_equal (from, context->sender) && !g_str_equal (from, receiver->name))
    add_notice (context, "taken", task->id, from, context->sender, command->text);
  finish (context, line, "task #%" G_GINT64_FORMAT " handed to %s", task->id, receiver->name);
  return workflow_tell_if_away (context, receiver, line, error);
}

static gboolean
apply_state_change (ApplyContext *context, const BatonCommand *command, BatonTask *task,
                    BatonLineResult *line, GError **error)
{
  const char *owner = task->owner;
  const char *state = NULL, *kind = NULL, *said = NULL;
  switch (command->kind)
    {
      case BATON_COMMAND_DONE:
        state = "done", kind = "done", said = "is done";
        break;
      case BATON_COMMAND_DROP:
        if (owner != NULL && !g_str_equal (owner, context->sender))
          {
            finish (context, line,
                    "task #%" G_GINT64_FORMAT " is held by %s, not you: only its "
                    "holder can drop it (take it first, or ask %s)",
                    task->id, owner, owner);
            return TRUE;
          }
        state = "open", kind = "dropped", said = "is back in the pool", owner = NULL;
        break;
      case BATON_COMMAND_BLOCK:
        state = "blocked", kind = "blocked", said = "is blocked";
        g_free (task->blocked_reason);
        task->blocked_reason = g_strdup (command->text);
        break;
      case BATON_COMMAND_UNBLOCK:
        if (!g_str_equal (task->state, "blocked"))
          {
            finish (context, line, "task #%" G_GINT64_FORMAT " is not blocked", task->id);
            return TRUE;
          }
        state = owner ? "taken" : "open", kind = "unblocked", said = "is unblocked";
        break;
      default:
        g_assert_not_reached ();
    }
  if (!save (context, task, state, owner, error) ||
      !record (context, task->id, kind, NULL, NULL, command->text, error))
    return FALSE;
  line->ok = TRUE;
  /* Free text after it in this mail is about it, not a mistake. */
  if (command->kind == BATON_COMMAND_DONE && task->id == context->result->context_task)
    context->closed_context = TRUE;
  finish (context, line, "task #%" G_GINT64_FORMAT " %s", task->id, said);
  return TRUE;
}

static gboolean
apply_note (ApplyContext *context, const BatonCommand *command, BatonTask *task,
            BatonLineResult *line, GError **error)
{
  if (command->text == NULL || *command->text == '\0')
    {
      finish (context, line, "a note needs text: write `note %" G_GINT64_FORMAT ": what happened`",
              task->id);
      return TRUE;
    }
  if (!record (context, task->id, "note", NULL, NULL, command->text, error))
    return FALSE;
  line->ok = TRUE;
  finish (context, line, "note added to task #%" G_GINT64_FORMAT, task->id);
  return TRUE;
}

static gboolean
apply_on_task (ApplyContext *context, const BatonCommand *command, GError **error)
{
  BatonLineResult *line = line_result (command, 0);
  g_autoptr (GError) local = NULL;
  g_autoptr (BatonTask) task = resolve_task (context, command, line, &local);
  if (local != NULL)
    {
      workflow_line_free (line);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (task == NULL)
    return TRUE; /* the line already says why */
  gboolean ok;
  switch (command->kind)
    {
      case BATON_COMMAND_TAKE:
        ok = apply_take (context, command, task, line, error);
        break;
      case BATON_COMMAND_HANDOFF:
        ok = apply_handoff (context, command, task, line, error);
        break;
      case BATON_COMMAND_NOTE:
      case BATON_COMMAND_UPDATE:
        ok = apply_note (context, command, task, line, error);
        break;
      default:
        ok = apply_state_change (context, command, task, line, error);
    }
  if (!ok && line->outcome == NULL)
    workflow_line_free (line); /* a store failure: never reached the result */
  return ok;
}

static gboolean
apply_update (ApplyContext *context, const BatonCommand *command, GError **error)
{
  if (context->result->context_task > 0)
    return apply_on_task (context, command, error);
  if (!record (context, 0, "update", NULL, NULL, command->text, error))
    return FALSE;
  BatonLineResult *line = line_result (command, 0);
  line->ok = TRUE;
  finish (context, line, "update recorded for the next digests");
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
      case BATON_COMMAND_INVALID:
        finish (context, line_result (command, 0), "%s", command->error);
        return TRUE;
      case BATON_COMMAND_AWAY:
      case BATON_COMMAND_BACK:
        return workflow_apply_member_command (context, command, error);
      default:
        return apply_on_task (context, command, error);
    }
}
