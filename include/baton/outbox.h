/* SPDX-License-Identifier: MIT */
/* Everything that leaves baton: notices, replies and digests are rendered
 * from templates, built as MIME and queued as outbox rows in the same
 * transaction as the change that caused them (a transactional outbox: a
 * crash never leaves a change without its notice, or a notice without its
 * change). `baton send` delivers the rows later.
 */
#pragma once
#include "baton/workflow.h"

#include <glib.h>

/* From now on every message @team processes queues its notices and reply. */
void baton_outbox_attach (BatonTeam *team);

/* The notice hook itself (see BatonNoticeHook): queues a handoff notice to
 * each receiver and a "taken" notice to each previous holder (at once, or
 * with handoff-delivery = morning at the receiver's next working start when
 * they are off work), and a reply to the sender listing each line when a
 * line failed, a receiver is away, or acknowledge = yes, at most
 * BATON_REPLIES_PER_HOUR per sender per hour.
 *
 * Floods are bounded: one mail causes at most one notice per receiver (the
 * tasks listed, the first BATON_NOTICE_TASKS of them, and how many more),
 * a receiver gets at most BATON_NOTICES_PER_HOUR notices an hour (the
 * rest wait for their digest: every event stays in the log), and a
 * notice shows the last BATON_NOTICE_HISTORY events of its task. */
gboolean baton_outbox_queue_notices (BatonTeam *team, const BatonMessage *message,
                                     BatonIngestResult *result, GError **error);

/* The notices one mail causes (BatonNotice*, as in BatonIngestResult),
 * merged as baton_outbox_queue_notices() sends them: only the last per
 * receiver and task counts (a task handed to bob 1,000 times in one mail
 * is one notice), grouped per receiver in the order they came. Returns a
 * GPtrArray (caller unrefs) of GPtrArrays, one per receiver, of
 * BatonNotice* borrowed from NOTICES. Pure. */
GPtrArray *baton_outbox_group_notices (GPtrArray *notices);

#define BATON_REPLIES_PER_HOUR 5
#define BATON_NOTICES_PER_HOUR 20
#define BATON_NOTICE_TASKS 20
#define BATON_NOTICE_HISTORY 10

typedef struct {
  guint queued;  /* digests queued */
  guint skipped; /* due, but nothing happened (digest-when-empty = no) */
} BatonDigestStats;

/* Queues each member's digest whose local digest-at has passed since their
 * last one (or since they joined), holding the events since then. @force
 * queues everyone's now. One transaction per member. */
gboolean baton_outbox_queue_digests (BatonTeam *team, gboolean force, BatonDigestStats *stats,
                                     GError **error);

/* `baton digest --preview`: appends to @out, for @member_name (NULL:
 * every member), the digest that would be queued now, text or @html,
 * each after To:, Subject: and Due: lines, whether due or not. Writes
 * nothing: no mail is queued and no window moves. BATON_ERROR_USAGE for a
 * name that is no member's. */
gboolean baton_outbox_preview_digests (BatonTeam *team, const char *member_name, gboolean html,
                                       GString *out, GError **error);

/* Handoffs not accepted in time (src/out/notify-accept.c): queues the
 * receiver's one reminder and the giver's one escalation, each held for
 * their next working start, and with return-after gives the task back to
 * its giver. Called by baton_outbox_send() and
 * baton_outbox_queue_digests(), so cron needs no line of its own. */
gboolean baton_outbox_queue_pending (BatonTeam *team, GError **error);

typedef struct {
  guint sent;
  guint retried; /* temporary failure: tried again later, with backoff */
  guint failed;  /* permanent failure: marked failed with the server's words */
} BatonSendStats;

/* Delivers every due row: over SMTP on one connection when the config has
 * [smtp], else as files in the [outbox] Maildir. A row is marked sent only
 * once the server (or the Maildir) has it. FALSE with @error for a failure
 * that stops the whole run (credentials refused, bad settings, database);
 * per-row failures are counted in @stats and retried or marked failed. */
gboolean baton_outbox_send (BatonTeam *team, BatonSendStats *stats, GError **error);

/* For `baton demo`: prints what the outbox holds, one mail per block. */
gboolean baton_outbox_demo_summary (BatonTeam *team, GError **error);

/* Seconds to wait before attempt @attempts + 1 after a temporary failure:
 * 1, 2, 4 … minutes, capped at 6 hours. Pure. */
gint64 baton_outbox_backoff (int attempts);
