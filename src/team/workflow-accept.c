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
  return baton_store_pending_clear (context->team->store, task->id, NULL, error);
}
