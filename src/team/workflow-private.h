/* SPDX-License-Identifier: MIT */
/* The workflow's inside, in layers that only call downwards:
 *
 *   workflow.c, workflow-direct.c   a mail, or a command line, in one transaction
 *   workflow-apply.c                what each command does (-> accept, away, undo)
 *   workflow-accept.c, workflow-away.c, workflow-undo.c, workflow-ancestry.c
 *   ingest-result.c                 the result they all add their lines to
 */
#pragma once
#include "baton/workflow.h"

typedef struct {
  BatonTeam *team;
  const BatonMessage *message;
  BatonIngestResult *result;
  const char *sender; /* the acting member's short name */
  gint64 now;
  gint64 message_row;
} ApplyContext;

/* Applies one command, adding its line to context->result. FALSE with ERROR
 * only for store failures, which abort the whole message. */
gboolean workflow_apply_command (ApplyContext *context, const BatonCommand *command,
                                 GError **error);

void workflow_line_free (BatonLineResult *line);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonLineResult, workflow_line_free)

/* `away` and `back` (src/team/workflow-away.c): about the sender, not a task. */
gboolean workflow_apply_member_command (ApplyContext *context, const BatonCommand *command,
                                        GError **error);
/* After a handoff to @receiver: when they are away today, @line says until
 * when and is marked to be told to the sender at once. */
gboolean workflow_tell_if_away (ApplyContext *context, const BatonMember *receiver,
                                BatonLineResult *line, GError **error);

/* Acceptance (src/team/workflow-accept.c). Task @task now waits for @receiver
 * to accept it from context->sender (nothing when acceptance is off or
 * @receiver is the sender). */
gboolean workflow_pending_start (ApplyContext *context, gint64 task, const char *receiver,
                                 GError **error);
/* After a line of context->sender's on @task (as it is now), applied or
 * not: the handoff it waited on is settled when the sender is its
 * receiver (*@accepted, may be NULL, is then TRUE) or the task has moved
 * on (another holder, done). */
gboolean workflow_pending_settle (ApplyContext *context, const BatonTask *task, gboolean *accepted,
                                  GError **error);
/* The same for a line that recorded no event of its own (one refused, or
 * a `take` of what is already the sender's): an acceptance is recorded as
 * an "accepted" event. */
gboolean workflow_pending_settle_eventless (ApplyContext *context, const BatonTask *task,
                                            GError **error);
/* After undo of message row @target (whose events about @task are
 * @target_events) put @task back: it waits again on the handoff it waited
 * on before that mail, reminder and escalation times as they were
 * (*@restored, the caller's, says which; NULL when none was put back);
 * a row that mail started, or one the task no longer fits, goes. */
gboolean workflow_pending_undo (ApplyContext *context, gint64 target,
                                const GPtrArray *target_events, const BatonTask *task,
                                BatonPending **restored, GError **error);

/* The fingerprint of MESSAGE's text, stored with its row so a reply that
 * pastes it is recognised (workflow-ancestry.c): MESSAGE's own when it was
 * found ahead, else a new one left in *OWN for the caller to free. NULL
 * when there is nothing to remember (no Message-ID, too few words). */
const BatonFingerprint *workflow_text_fingerprint (const BatonMessage *message,
                                                   BatonFingerprint **own);

/* undo by mail: reverts the member's own mail that this one replies to
 * (workflow-undo.c); adds its line to context->result. FALSE with @error
 * only for store failures. */
gboolean workflow_apply_undo (ApplyContext *context, const BatonCommand *command, GError **error);

/* Reverts what message row @target (filed as @message_id, sent by
 * context->sender) applied; sets @line's ok and outcome. */
gboolean workflow_undo_message (ApplyContext *context, gint64 target, const char *message_id,
                                BatonLineResult *line, GError **error);

/* An empty result for @message_id (ingest-result.c); caller frees. */
BatonIngestResult *workflow_result_new (const char *message_id);
