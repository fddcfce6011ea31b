/* SPDX-License-Identifier: MIT */
/* undo: what one mail of a member did, reverted as new events.
 *
 * The log stays append-only: each task the mail touched is put back to
 * what replaying its log up to that mail gives (transitions.h), with the
 * events that say so (reopened, handoff back, dropped, blocked,
 * unblocked; a task the mail created is closed). A task someone touched
 * since is left alone and the sender is told: undo never clobbers later
 * work, and a second undo of the same mail finds its own events there. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

#include "baton/transitions.h"

typedef struct {
  const char *kind;
  char *from; /* owned once emit() has it: the holder it replaces changes */
  const char *to;
  const char *note;
} Revert;

static gboolean
record (ApplyContext *context, gint64 task, const Revert *revert, GError **error)
{
  BatonEventInput event = {
    .task = task,
    .kind = revert->kind,
    .who = context->sender,
    .from_member = revert->from,
    .to_member = revert->to,
    .note = revert->note,
    .at = context->now,
    .message = context->message_row,
  };
  return baton_store_event_add (context->team->store, &event, error);
}

static gboolean
same_snapshot (const BatonTaskSnapshot *a, const BatonTaskSnapshot *b)
{
  return a->state == b->state && g_strcmp0 (a->owner, b->owner) == 0 &&
         g_strcmp0 (a->blocked_reason, b->blocked_reason) == 0;
}

static void
emit (BatonTaskSnapshot *now, Revert *out, guint *n, Revert revert)
{
  revert.from = g_strdup (revert.from);
  out[(*n)++] = revert;
  baton_transitions_replay (now, revert.kind, revert.to, revert.note);
}

/* The events that take a task from @now (replayed along the way) back to
 * @before, at most four; their number. Done first (reopened), then the
 * holder, then blocked, each decided on the state the ones before left. */
static guint
reverts_for (BatonTaskSnapshot *now, const BatonTaskSnapshot *before, Revert *out)
{
  guint n = 0;
  if (now->state == BATON_STATE_DONE && before->state != BATON_STATE_DONE)
    emit (now, out, &n, (Revert){ "reopened", NULL, NULL, "undo" });
  if (g_strcmp0 (now->owner, before->owner) != 0)
    emit (now, out, &n,
          before->owner ? (Revert){ "handoff", now->owner, before->owner, "undo" }
                        : (Revert){ "dropped", NULL, NULL, "undo" });
  gboolean was_blocked = before->state == BATON_STATE_BLOCKED;
  if (was_blocked && (now->state != BATON_STATE_BLOCKED ||
                      g_strcmp0 (now->blocked_reason, before->blocked_reason)))
    emit (now, out, &n, (Revert){ "blocked", NULL, NULL, before->blocked_reason });
  else if (!was_blocked && now->state == BATON_STATE_BLOCKED)
    emit (now, out, &n, (Revert){ "unblocked", NULL, NULL, "undo" });
  if (before->state == BATON_STATE_DONE && now->state != BATON_STATE_DONE)
    emit (now, out, &n, (Revert){ "done", NULL, NULL, "undo" });
  return n;
}

static void
snapshot_of (const BatonTask *task, BatonTaskSnapshot *snapshot)
{
  snapshot->exists = TRUE;
  if (!baton_task_state_parse (task->state, &snapshot->state))
    snapshot->state = BATON_STATE_COUNT;
  snapshot->owner = g_strdup (task->owner);
  snapshot->blocked_reason = g_strdup (task->blocked_reason);
}

static gboolean
write_task (ApplyContext *context, BatonTask *task, const BatonTaskSnapshot *to, GError **error)
{
  g_free (task->state);
  task->state = g_strdup (baton_task_state_name (to->state));
  g_free (task->owner);
  task->owner = g_strdup (to->owner);
  g_free (task->blocked_reason);
  task->blocked_reason = g_strdup (to->blocked_reason);
  return baton_store_task_update (context->team->store, task, context->now, error);
}

/* Writes @task back to @before with @reverts, which took @now there;
 * @noted: the mail wrote a note on it, withdrawn when nothing else is. */
static gboolean
write_back (ApplyContext *context, BatonTask *task, const BatonTaskSnapshot *now,
            const BatonTaskSnapshot *before, const Revert *reverts, guint count, gboolean noted,
            GString *said, gboolean *refused, GError **error)
{
  gint64 id = task->id;
  /* The events must replay to the state they claim, or the log would lie. */
  if (!same_snapshot (now, before))
    {
      g_string_append_printf (said,
                              "%stask #%" G_GINT64_FORMAT " cannot be put back by undo: "
                              "set it right by hand",
                              said->len ? "; " : "", id);
      *refused = TRUE;
      return TRUE;
    }
  static const Revert withdrawn = { "note", NULL, NULL, "undo: the note above is withdrawn" };
  if (count == 0 && noted && !record (context, id, &withdrawn, error))
    return FALSE;
  if (count > 0 && !write_task (context, task, before, error))
    return FALSE;
  for (guint i = 0; i < count; i++)
    if (!record (context, id, &reverts[i], error))
      return FALSE;
  g_string_append_printf (said, "%stask #%" G_GINT64_FORMAT " back to %s%s%s",
                          said->len ? "; " : "", id, baton_task_state_name (before->state),
                          before->owner ? " by " : "", before->owner ? before->owner : "");
  return TRUE;
}

/* The handoff @task waited on before mail @target waits again (its
 * events about @task: @own); said in @said and in the log. */
static gboolean
undo_pending (ApplyContext *context, gint64 target, const GPtrArray *own, const BatonTask *task,
              GString *said, GError **error)
{
  g_autoptr (BatonPending) restored = NULL;
  if (!workflow_pending_undo (context, target, own, task, &restored, error))
    return FALSE;
  if (restored == NULL)
    return TRUE;
  g_autofree char *note = g_strdup_printf ("undo: not accepted after all: waits for %s to "
                                           "accept it from %s again",
                                           restored->receiver, restored->giver);
  const Revert waits = { "note", NULL, NULL, note };
  if (!record (context, task->id, &waits, error))
    return FALSE;
  g_string_append_printf (said, ", waiting for %s to accept it again", restored->receiver);
  return TRUE;
}

/* Puts task @id back to what it was before message row @target; says
 * what happened (or why not) in @said. */
static gboolean
undo_task (ApplyContext *context, gint64 target, gint64 id, GString *said, gboolean *refused,
           GError **error)
{
  g_autoptr (GPtrArray) events =
      baton_store_events_list (context->team->store, id, G_MININT64, error);
  g_autoptr (BatonTask) task =
      events ? baton_store_task_get (context->team->store, id, error) : NULL;
  if (task == NULL)
    return error == NULL || *error == NULL;
  guint first = events->len;
  for (guint i = 0; i < events->len && first == events->len; i++)
    if (((BatonEvent *) events->pdata[i])->message == target)
      first = i;
  for (guint i = first + 1; i < events->len; i++)
    {
      const BatonEvent *later = events->pdata[i];
      if (later->message != target)
        {
          g_string_append_printf (said,
                                  "%stask #%" G_GINT64_FORMAT " left as it is: %s changed it since"
                                  " (%s)",
                                  said->len ? "; " : "", id, later->who, later->kind);
          *refused = TRUE;
          return TRUE;
        }
    }
  g_autoptr (GPtrArray) own = g_ptr_array_new ();
  gboolean noted = FALSE;
  for (guint i = first; i < events->len; i++)
    {
      const BatonEvent *e = events->pdata[i];
      g_ptr_array_add (own, events->pdata[i]);
      noted = noted || g_str_equal (e->kind, "note") || g_str_equal (e->kind, "update");
    }
  g_auto (BatonTaskSnapshot) before = { 0 };
  for (guint i = 0; i < first; i++)
    {
      const BatonEvent *e = events->pdata[i];
      baton_transitions_replay (&before, e->kind, e->to_member, e->note);
    }
  if (!before.exists)
    {
      /* Created by that mail: no "before" to return to, so it is closed. */
      Revert close = { "done", NULL, NULL, "undo: created by mistake" };
      before.exists = TRUE, before.state = BATON_STATE_DONE;
      g_free (before.owner), before.owner = g_strdup (task->owner);
      g_clear_pointer (&before.blocked_reason, g_free);
      if (!write_task (context, task, &before, error) || !record (context, id, &close, error))
        return FALSE;
      g_string_append_printf (said, "%stask #%" G_GINT64_FORMAT " closed (its creation undone)",
                              said->len ? "; " : "", id);
      return undo_pending (context, target, own, task, said, error);
    }
  g_auto (BatonTaskSnapshot) now = { 0 };
  snapshot_of (task, &now);
  Revert reverts[4];
  guint count = reverts_for (&now, &before, reverts);
  gboolean kept = FALSE;
  gboolean ok =
      write_back (context, task, &now, &before, reverts, count, noted, said, &kept, error);
  for (guint i = 0; i < count; i++)
    g_free (reverts[i].from);
  *refused = *refused || kept;
  return ok && (kept || undo_pending (context, target, own, task, said, error));
}

gboolean
workflow_undo_message (ApplyContext *context, gint64 target, const char *message_id,
                       BatonLineResult *line, GError **error)
{
  g_autoptr (GPtrArray) events =
      baton_store_events_of_message (context->team->store, target, error);
  if (events == NULL)
    return FALSE;
  /* Each task once, the one touched last first. */
  g_autoptr (GArray) tasks = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = events->len; i-- > 0;)
    {
      BatonEvent *e = events->pdata[i];
      if (e->task > 0 && !g_hash_table_contains (seen, &e->task))
        {
          g_hash_table_add (seen, &e->task);
          g_array_append_val (tasks, e->task);
        }
    }
  g_autoptr (GString) said = g_string_new (NULL);
  gboolean refused = FALSE;
  for (guint i = 0; i < tasks->len; i++)
    if (!undo_task (context, target, g_array_index (tasks, gint64, i), said, &refused, error))
      return FALSE;
  line->ok = !refused && tasks->len > 0;
  if (tasks->len == 0)
    line->outcome = g_strdup_printf ("%s changed no task: nothing to undo", message_id);
  else
    line->outcome = g_strdup_printf ("undo of %s: %s", message_id, said->str);
  if (tasks->len > 0)
    line->task = g_array_index (tasks, gint64, 0);
  return TRUE;
}

/* The mail an `undo` by mail is about: the newest of the mails its thread
 * names (a reply to baton's receipt names the mail the receipt was for)
 * that the same member sent and that was applied. 0 when none is. */
static gboolean
undo_target (ApplyContext *context, gint64 *target, char **message_id, GError **error)
{
  *target = 0;
  char **ids = context->message ? context->message->references : NULL;
  guint n = ids ? g_strv_length (ids) : 0;
  for (guint i = n; i-- > 0 && *target == 0;)
    {
      gint64 row = 0;
      g_autofree char *member = NULL, *outcome = NULL;
      if (!baton_store_message_find (context->team->store, ids[i], &row, &member, &outcome, error))
        return FALSE;
      if (row > 0 && row != context->message_row && g_strcmp0 (member, context->sender) == 0 &&
          (g_strcmp0 (outcome, "applied") == 0 || g_strcmp0 (outcome, "partly") == 0 ||
           g_strcmp0 (outcome, "failed") == 0))
        {
          *target = row;
          *message_id = g_strdup (ids[i]);
        }
    }
  return TRUE;
}

gboolean
workflow_apply_undo (ApplyContext *context, const BatonCommand *command, GError **error)
{
  g_autoptr (BatonLineResult) line = g_new0 (BatonLineResult, 1);
  line->line = command->line;
  line->kind = command->kind;
  line->source = g_strdup (command->source ? command->source : "");
  gint64 target = 0;
  g_autofree char *message_id = NULL;
  if (!undo_target (context, &target, &message_id, error))
    return FALSE;
  if (target == 0)
    line->outcome = g_strdup ("undo what? Reply with `undo` to baton's receipt for the mail "
                              "of yours to undo");
  else if (!workflow_undo_message (context, target, message_id, line, error))
    return FALSE;
  g_ptr_array_add (context->result->lines, g_steal_pointer (&line));
  return TRUE;
}
