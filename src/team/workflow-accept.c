/* SPDX-License-Identifier: MIT */
/* Acceptance of handoffs, as mail is applied: a handoff (or a task created
 * for someone) waits until its receiver acts on it: `accept`/`ack`,
 * `take`, any line of theirs on the task, a reply of theirs to the notice.
 * The periodic side (reminders, escalations, returns) is notify.c's. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

static gboolean
acceptance_on (const BatonConfig *config)
{
  return config->accept_within.amount > 0 || config->return_after.amount > 0;
}

gboolean
workflow_pending_start (ApplyContext *context, gint64 task, const char *receiver, GError **error)
{
  if (!acceptance_on (context->team->config) || receiver == NULL ||
      g_str_equal (receiver, context->sender))
    return TRUE;
  return baton_store_pending_set (context->team->store, task, receiver, context->sender,
                                  context->now, error);
}

gboolean
workflow_pending_settle (ApplyContext *context, const BatonTask *task, gboolean *accepted,
                         GError **error)
{
  if (accepted != NULL)
    *accepted = FALSE;
  g_autoptr (GError) local = NULL;
  g_autoptr (BatonPending) pending =
      baton_store_pending_get (context->team->store, task->id, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (pending == NULL)
    return TRUE;
  gboolean by_receiver = g_str_equal (pending->receiver, context->sender);
  /* Taken back, handed on, dropped or done: nothing waits for them now. */
  gboolean moved =
      g_strcmp0 (task->owner, pending->receiver) != 0 || g_str_equal (task->state, "done");
  if (!by_receiver && !moved)
    return TRUE;
  if (accepted != NULL)
    *accepted = by_receiver;
  /* Kept as this mail settled it: its undo puts the row back. */
  return baton_store_pending_settle (context->team->store, task->id, context->message_row, NULL,
                                     error);
}

gboolean
workflow_pending_settle_eventless (ApplyContext *context, const BatonTask *task, GError **error)
{
  gboolean accepted = FALSE;
  if (!workflow_pending_settle (context, task, &accepted, error))
    return FALSE;
  if (!accepted)
    return TRUE;
  /* Else the log would not say which mail accepted it, and undo would
   * not find that mail's work to revert. */
  BatonEventInput event = { .task = task->id,
                            .kind = "accepted",
                            .who = context->sender,
                            .at = context->now,
                            .message = context->message_row };
  return baton_store_event_add (context->team->store, &event, error);
}

/* Whether one of @events (a mail's, about @pending's task) handed the
 * task to @pending's receiver at the instant the row started. */
static gboolean
started_by (const GPtrArray *events, const BatonPending *pending)
{
  for (guint i = 0; i < events->len; i++)
    {
      const BatonEvent *event = events->pdata[i];
      if ((g_str_equal (event->kind, "handoff") || g_str_equal (event->kind, "created")) &&
          event->at == pending->since && g_strcmp0 (event->to_member, pending->receiver) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
workflow_pending_undo (ApplyContext *context, gint64 target, const GPtrArray *target_events,
                       const BatonTask *task, BatonPending **restored, GError **error)
{
  *restored = NULL;
  BatonStore *store = context->team->store;
  g_autoptr (GError) local = NULL;
  g_autoptr (BatonPending) now = baton_store_pending_get (store, task->id, &local);
  g_autoptr (BatonPending) before =
      local ? NULL : baton_store_pending_settled (store, target, task->id, &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  gboolean live = !g_str_equal (task->state, "done");
  /* With acceptance since turned off, nothing waits again. */
  if (before != NULL && live && acceptance_on (context->team->config) &&
      g_strcmp0 (task->owner, before->receiver) == 0)
    {
      if (now != NULL && g_str_equal (now->receiver, before->receiver) &&
          g_str_equal (now->giver, before->giver) && now->since == before->since)
        return TRUE; /* it never stopped waiting (several lines of one mail) */
      if (!baton_store_pending_restore (store, before, error))
        return FALSE;
      *restored = g_steal_pointer (&before);
      return TRUE;
    }
  if (now == NULL)
    return TRUE;
  if (started_by (target_events, now) || !live || g_strcmp0 (task->owner, now->receiver) != 0)
    return baton_store_pending_clear (store, task->id, NULL, error);
  return TRUE;
}
