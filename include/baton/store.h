/* SPDX-License-Identifier: MIT */
/* The team's state in SQLite (docs/DESIGN.md §4). The only module that speaks SQL.
 *
 * WAL mode and a busy timeout so a poller, a digest run and a reader can
 * share the file; the schema is versioned with PRAGMA user_version and
 * migrated forward on open. Callers group the work for one message between
 * baton_store_begin() and baton_store_commit(): the raw mail, its effects,
 * its events and the mail it causes land together or not at all.
 *
 * Errors: SQLITE_BUSY/LOCKED/FULL/IOERR/NOMEM become BATON_ERROR_TEMPORARY
 * (retry later, the mail stays with its sender); a damaged or foreign file
 * BATON_ERROR_IO; anything else BATON_ERROR_SOFTWARE.
 *
 * The contract of every function below, unless its comment says otherwise:
 * a gboolean is TRUE on success and FALSE with @error set on failure; a
 * value wanted back goes through an out parameter, which is set (to 0 when
 * there is nothing) even on failure, so "nothing there" and "it failed"
 * never share one value. A returned pointer is NULL exactly when @error is
 * set, and the caller owns it (arrays free their elements: unref them).
 * Strings in returned structs are owned by the struct; free with the
 * matching _free function, which accepts NULL.
 */
#pragma once
#include "baton/ancestry.h"

#include <glib.h>

typedef struct BatonStore BatonStore;

/* A message's raw bytes: @data in memory, or (@data NULL) the @length bytes
 * from offset 0 of the regular file open at @fd, read with pread in pieces
 * so the mail never has to fit in memory. */
typedef struct {
  const char *data;
  int fd;
  gsize length;
} BatonRawMail;

/* Opens and migrates the existing database at @path; never creates one. A
 * missing or empty (user_version 0) file is BATON_ERROR_NO_INPUT naming
 * `baton init`. */
BatonStore *baton_store_open (const char *path, GError **error);
/* Creates the database at @path (mode 0600; an existing one is kept, its
 * group and other permissions removed) and migrates it: `baton init` only. */
gboolean baton_store_create (const char *path, GError **error);
/* FALSE with BATON_ERROR_IO when the file at the store's path is no longer
 * the one opened (deleted or replaced). baton_store_begin() checks it; a
 * long-running loop calls it once per cycle. */
gboolean baton_store_check_file (BatonStore *store, GError **error);
/* Rolls back any open transaction and closes @store; NULL is allowed. */
void baton_store_close (BatonStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonStore, baton_store_close)

/* BEGIN IMMEDIATE: takes the write lock now, so a busy database is found
 * before any work is done rather than at commit. */
gboolean baton_store_begin (BatonStore *store, GError **error);
/* Commits the open transaction. On failure it is rolled back: nothing of
 * it is kept, and the caller retries the whole unit of work later. */
gboolean baton_store_commit (BatonStore *store, GError **error);
/* Safe to call when no transaction is open. */
void baton_store_rollback (BatonStore *store);

/* Savepoints inside a transaction, for batched ingest: one message's
 * failure rolls back alone. */
gboolean baton_store_savepoint (BatonStore *store, GError **error);
/* Keeps the work since the innermost savepoint, in the transaction. */
gboolean baton_store_release (BatonStore *store, GError **error);
/* Undoes the work since the innermost savepoint and drops it. Should that
 * fail, the whole transaction is rolled back instead, and the next
 * baton_store_savepoint() and baton_store_commit() fail with
 * BATON_ERROR_TEMPORARY until baton_store_rollback() or a new
 * baton_store_begin(). */
void baton_store_rollback_to_savepoint (BatonStore *store);

/* ---- messages ---- */

typedef struct {
  const char *message_id; /* required: the header's, or "sha256:…" of the bytes */
  const char *sender;     /* From address or NULL */
  const char *member;     /* the member's short name or NULL */
  const char *subject;
  gint64 date;
  gint64 received_at;
  const char *source; /* "stdin", "file:PATH", "imap:MAILBOX/UIDVALIDITY/UID" … */
  gboolean keep_raw;  /* FALSE: no copy of the bytes (the source keeps them) */
  const BatonRawMail *raw;
  const char *outcome; /* applied, partly, failed, quarantined, ignored */
  const char *reason;  /* why quarantined or ignored, or NULL */
  const char *report;  /* line-by-line results as text, or NULL */
  /* Of the mail's text, remembered with the row for replies that paste
   * it (baton_store_fingerprint_get()), or NULL. */
  const BatonFingerprint *fingerprint;
  /* The held row under message_id as baton_store_message_lookup() found
   * it in this transaction, when held_known; else baton_store_message_add()
   * looks for it itself. */
  gboolean held_known;
  gint64 held;             /* its id, 0 when there is none */
  const char *held_sender; /* its sender, or NULL */
} BatonMessageRecord;

/* TRUE in *@exists when a message with this id was stored before and a
 * member's commands were applied from it; held (quarantined, ignored) mail
 * does not count, see store.c. */
gboolean baton_store_message_exists (BatonStore *store, const char *message_id, gboolean *exists,
                                     GError **error);
/* As baton_store_message_exists(), also reading in the same query the held
 * row under @message_id, for BatonMessageRecord.held: *@held its id (0 when
 * there is none), *@held_sender its sender (the caller's to free; NULL
 * when there is none). */
gboolean baton_store_message_lookup (BatonStore *store, const char *message_id, gboolean *exists,
                                     gint64 *held, char **held_sender, GError **error);
/* Returns the new row id, 0 on error. Held mail from the same sender with
 * the Message-ID of a held row returns that row instead of a new one; any
 * other mail with it sets the held row's Message-ID aside. */
gint64 baton_store_message_add (BatonStore *store, const BatonMessageRecord *record,
                                GError **error);
/* Sets the final outcome and line report of message row @id. */
gboolean baton_store_message_settle (BatonStore *store, gint64 id, const char *outcome,
                                     const char *report, GError **error);

/* ---- members ---- */

/* Sets *@match when the active members are exactly @config_members, as they
 * were stored: then there is nothing to sync, and opening the team need
 * not write (one commit and its fsyncs fewer for each procmail delivery).
 * FALSE with @error only when the table cannot be read. */
gboolean baton_store_members_match (BatonStore *store, GPtrArray *config_members, gboolean *match,
                                    GError **error);

/* Makes the members table match @config_members (a GPtrArray of BatonMember*),
 * stamping newcomers with @now as their join time (their first digest is the
 * first digest-at after it). Members gone from the config are kept, marked
 * inactive, so old events still name them. */
gboolean baton_store_members_sync (BatonStore *store, GPtrArray *config_members, gint64 now,
                                   GError **error);
/* Sets *@joined to the join time of member @name, 0 if there is no such
 * member. */
gboolean baton_store_member_joined (BatonStore *store, const char *name, gint64 *joined,
                                    GError **error);

/* ---- tasks ---- */

typedef struct {
  gint64 id;
  char *title;
  char *state;      /* open, taken, blocked, done */
  char *owner;      /* short name or NULL */
  char *created_by; /* short name */
  gint64 created_at;
  gint64 updated_at;
  char *blocked_reason; /* NULL unless blocked */
} BatonTask;

/* Frees @task and its strings; NULL is allowed. */
void baton_task_free (BatonTask *task);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonTask, baton_task_free)

/* Creates a task, taken by @owner when not NULL, else open. Returns the
 * new task's number (always > 0), or 0 with @error set. */
gint64 baton_store_task_add (BatonStore *store, const char *title, const char *created_by,
                             const char *owner, gint64 at, GError **error);
/* Task number @id, which the caller frees with baton_task_free(). NULL
 * with no error set when there is no task @id; NULL with @error set when
 * it cannot be read. */
BatonTask *baton_store_task_get (BatonStore *store, gint64 id, GError **error);
/* Writes state, owner and blocked_reason of @task (by id), updated at @at. */
gboolean baton_store_task_update (BatonStore *store, const BatonTask *task, gint64 at,
                                  GError **error);
/* All tasks (without done ones unless @include_done), by number: a
 * GPtrArray of BatonTask* (possibly empty) that the caller unrefs, which
 * frees the tasks too. NULL with @error set when they cannot be read. */
GPtrArray *baton_store_tasks_list (BatonStore *store, gboolean include_done, GError **error);

/* ---- events ---- */

typedef struct {
  gint64 id;
  gint64 task;       /* 0: not about a task (a free-text update) */
  char *kind;        /* created, taken, handoff, done, dropped, note, blocked, unblocked, update */
  char *who;         /* the member who acted */
  char *from_member; /* handoff: who held it */
  char *to_member;   /* handoff: who holds it now */
  char *note;
  gint64 at;
  gint64 message; /* messages.id it came from, 0 if none */
} BatonEvent;

/* Frees @event and its strings; NULL is allowed. */
void baton_event_free (BatonEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonEvent, baton_event_free)

/* An event to append: read, never kept or freed (the strings are borrowed). */
typedef struct {
  gint64 task; /* 0: not about a task */
  const char *kind;
  const char *who;
  const char *from_member;
  const char *to_member;
  const char *note;
  gint64 at;
  gint64 message; /* 0 if none */
} BatonEventInput;

/* Appends @event to the log; the store assigns its id. */
gboolean baton_store_event_add (BatonStore *store, const BatonEventInput *event, GError **error);
/* Events with at > @since (and about @task when @task > 0), oldest first:
 * a GPtrArray of BatonEvent* (possibly empty) that the caller unrefs. NULL
 * with @error set when they cannot be read. */
GPtrArray *baton_store_events_list (BatonStore *store, gint64 task, gint64 since, GError **error);
/* Events with @after_id < id <= @upto_id, in the log's order: a digest's
 * window. Same ownership as baton_store_events_list(). */
GPtrArray *baton_store_events_window (BatonStore *store, gint64 after_id, gint64 upto_id,
                                      GError **error);
/* The events message row @message caused, in the order they were
 * recorded: a GPtrArray of BatonEvent* the caller unrefs; NULL on error. */
GPtrArray *baton_store_events_of_message (BatonStore *store, gint64 message, GError **error);
/* The messages row filed under @message_id: *@row (0 when there is none),
 * and the acting member's name and the outcome in *@member and *@outcome,
 * which the caller frees (NULL when none). FALSE with @error on a store
 * failure. */
gboolean baton_store_message_find (BatonStore *store, const char *message_id, gint64 *row,
                                   char **member, char **outcome, GError **error);
/* Mail held from a stranger, for `baton release`. */
typedef struct {
  gint64 row;   /* messages.id; 0 when there is no such held mail */
  char *sender; /* From address; owned */
  char *source; /* where it came from ("stdin", "file:…"); owned */
  GBytes *raw;  /* its bytes when baton kept them, else NULL; owned */
} BatonHeldRaw;

/* Fills @held with the quarantined mail filed under @message_id (row 0
 * when there is none). FALSE with @error on a store failure. Clear @held
 * with baton_held_raw_clear(). */
gboolean baton_store_held_find (BatonStore *store, const char *message_id, BatonHeldRaw *held,
                                GError **error);
/* Frees what @held owns and zeroes it; @held itself is the caller's. */
void baton_held_raw_clear (BatonHeldRaw *held);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BatonHeldRaw, baton_held_raw_clear)

/* The last LIMIT events about TASK, oldest first, and in *TOTAL how many
 * it has in all: a notice shows a bounded history whatever its length.
 * NULL on error. */
GPtrArray *baton_store_events_last (BatonStore *store, gint64 task, guint limit, gint64 *total,
                                    GError **error);

/* Sets @stamp to three numbers that change whenever a task or the event
 * log does (the board rewrites itself only then); all 0 on failure. */
gboolean baton_store_change_stamp (BatonStore *store, gint64 stamp[3], GError **error);

/* ---- threads: Message-IDs baton sent, with the task each was about ---- */

/* Remembers that baton sent @message_id, about @task (0: about no single
 * task), so a reply to it finds its task. */
gboolean baton_store_thread_add (BatonStore *store, const char *message_id, gint64 task,
                                 GError **error);
/* Sets *@task to the task of the first of @ids (NULL-terminated, may be
 * NULL) that baton sent about one task; 0 if none was. */
gboolean baton_store_thread_task (BatonStore *store, char *const *ids, gint64 *task,
                                  GError **error);

/* ---- fingerprints: what baton knows of the text of mail it sent or
 * ingested, to recognise it pasted in a reply ---- */

/* A mail's fingerprint is stored with its row: BatonMessageRecord for
 * mail baton ingests, BatonOutgoing for mail it queues. */

/* The fingerprint of MESSAGE_ID, with *SENT TRUE when baton sent it (what
 * baton sent, when it also ingested mail with that id: its own coming
 * back). NULL with no error set when none is known. Caller frees. */
BatonFingerprint *baton_store_fingerprint_get (BatonStore *store, const char *message_id,
                                               gboolean *sent, GError **error);
/* Message-IDs (char*) of the LIMIT latest mails baton queued to RECIPIENT
 * about TASK, newest first: what an echo without References may repeat.
 * NULL on error. */
GPtrArray *baton_store_sent_about (BatonStore *store, gint64 task, const char *recipient,
                                   guint limit, GError **error);

/* ---- outbox ---- */

typedef struct {
  gint64 id;
  char *message_id;
  char *kind;      /* handoff, taken, reply, digest, … */
  char *recipient; /* one envelope recipient */
  char *envelope_from;
  GBytes *mime;      /* the whole message, as it will be sent */
  gint64 task;       /* 0 when about no single task */
  gint64 not_before; /* held until then (handoff-delivery = morning) */
  int attempts;
  gint64 next_attempt;
  char *last_error;
  /* Of its text, when queued (baton_store_fingerprint_get() finds it by
   * message_id); not read back. Not owned. */
  const BatonFingerprint *fingerprint;
} BatonOutgoing;

/* Frees @outgoing, its strings and its reference to mime; NULL is allowed. */
void baton_outgoing_free (BatonOutgoing *outgoing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonOutgoing, baton_outgoing_free)

/* Queues @outgoing (id, attempts and last_error are ignored), created at
 * @now. Returns the new row id (always > 0), or 0 with @error set. */
gint64 baton_store_outbox_add (BatonStore *store, const BatonOutgoing *outgoing, gint64 now,
                               GError **error);
/* Rows neither sent nor failed whose not_before and next_attempt are <= @now,
 * oldest first: a GPtrArray of BatonOutgoing* (possibly empty) that the
 * caller unrefs. NULL with @error set when the outbox cannot be read. */
GPtrArray *baton_store_outbox_due (BatonStore *store, gint64 now, GError **error);
/* Row @id went out at @at: it is never sent again. */
gboolean baton_store_outbox_mark_sent (BatonStore *store, gint64 id, gint64 at, GError **error);
/* Row @id failed for a temporary reason @why: one more attempt counted,
 * due again at @next_attempt. */
gboolean baton_store_outbox_mark_retry (BatonStore *store, gint64 id, gint64 next_attempt,
                                        const char *why, GError **error);
/* Row @id failed for good at @at for reason @why: never tried again. */
gboolean baton_store_outbox_mark_failed (BatonStore *store, gint64 id, gint64 at, const char *why,
                                         GError **error);
/* Sets *@later to TRUE when a mail of @kind about @task to @recipient was
 * queued after row @id and has not failed: a notice held for the morning
 * that a newer one about the same task replaces. */
gboolean baton_store_outbox_superseded (BatonStore *store, gint64 id, const char *recipient,
                                        const char *kind, gint64 task, gboolean *later,
                                        GError **error);
/* Sets *@count to how many mails of @kind went (or wait) to @recipient
 * since @since. */
gboolean baton_store_outbox_count (BatonStore *store, const char *recipient, const char *kind,
                                   gint64 since, gint64 *count, GError **error);
/* As baton_store_outbox_count(), for mails of any of the N_KINDS (1 to
 * BATON_STORE_COUNT_KINDS) @kinds, in one query. */
#define BATON_STORE_COUNT_KINDS 3
gboolean baton_store_outbox_count_kinds (BatonStore *store, const char *recipient,
                                         const char *const *kinds, guint n_kinds, gint64 since,
                                         gint64 *count, GError **error);

/* ---- IMAP position ---- */

/* Sets *@uidvalidity and *@last_uid to the stored position in @mailbox;
 * both 0 when none is stored yet. */
gboolean baton_store_imap_get (BatonStore *store, const char *mailbox, guint32 *uidvalidity,
                               guint32 *last_uid, GError **error);
/* Stores the position in @mailbox, replacing any before. */
gboolean baton_store_imap_set (BatonStore *store, const char *mailbox, guint32 uidvalidity,
                               guint32 last_uid, GError **error);

/* Renames the position stored under an older key for this mailbox to
 * @mailbox: a key that is @prefix, a port number, then @suffix, whose
 * UIDVALIDITY is @uidvalidity, when @mailbox has no position yet. Its
 * pending moves follow it. *@old_key is the key renamed (the caller
 * frees it) or NULL when there was none. */
gboolean baton_store_imap_adopt (BatonStore *store, const char *mailbox, const char *prefix,
                                 const char *suffix, guint32 uidvalidity, char **old_key,
                                 GError **error);

/* A message the poller processed (committed with its effects) that is
 * still to be moved to @folder on the server. Moves are batched after the
 * fetch; a crash in between leaves the row here and the next poll moves it. */
gboolean baton_store_imap_pending_add (BatonStore *store, const char *mailbox, guint32 uid,
                                       const char *folder, GError **error);
/* Pending UIDs of @mailbox for @folder, ascending: a GArray of guint32
 * (possibly empty) that the caller unrefs. NULL with @error set when they
 * cannot be read. */
GArray *baton_store_imap_pending_uids (BatonStore *store, const char *mailbox, const char *folder,
                                       GError **error);
/* The folders that pending UIDs of @mailbox wait for, sorted: a GPtrArray
 * of char* (possibly empty) that the caller unrefs, which frees the
 * strings. NULL with @error set when they cannot be read. */
GPtrArray *baton_store_imap_pending_folders (BatonStore *store, const char *mailbox,
                                             GError **error);
/* Forgets the pending UIDs of @mailbox for @folder (NULL: all folders). */
gboolean baton_store_imap_pending_clear (BatonStore *store, const char *mailbox, const char *folder,
                                         GError **error);

/* ---- digests ---- */

/* Where a member's digest window stands (src/store/store-digest.c). A window is
 * a stretch of the event log and of the messages table, by row id, so a
 * clock step loses nothing and repeats nothing; @at is kept for deciding
 * when the next digest is due. */
typedef struct {
  gint64 at;           /* when the last digest was queued; the join time if never */
  gint64 last_event;   /* the last events.id it covered */
  gint64 last_message; /* the last messages.id it covered */
  gboolean sent;       /* a digest was queued before; FALSE: @at is the join time */
} BatonDigestMark;

/* Sets *@mark to where @member's last digest ended. Never sent one: the
 * join time, and the last rows before it (0s when there is no such
 * member). */
gboolean baton_store_digest_mark (BatonStore *store, const char *member, BatonDigestMark *mark,
                                  GError **error);
/* Records that @member's digest was queued, covering the log up to @mark. */
gboolean baton_store_digest_mark_set (BatonStore *store, const char *member,
                                      const BatonDigestMark *mark, GError **error);
/* Sets *@last_event and *@last_message to the newest rows of the log now:
 * the end of a digest window opened now. */
gboolean baton_store_log_end (BatonStore *store, gint64 *last_event, gint64 *last_message,
                              GError **error);

typedef struct {
  gint64 id;
  char *sender;
  char *subject;
  char *reason;
  gint64 received_at;
} BatonHeldMail;

/* Frees @held and its strings; NULL is allowed. */
void baton_held_mail_free (BatonHeldMail *held);

/* Quarantined messages with @after_id < id <= @upto_id, oldest first, at
 * most @limit (the rest counted in *@more): a GPtrArray of BatonHeldMail*
 * the caller unrefs; NULL with @error set. */
GPtrArray *baton_store_held_window (BatonStore *store, gint64 after_id, gint64 upto_id, guint limit,
                                    gint64 *more, GError **error);

/* ---- away periods (`away until …` by mail) ---- */

/* Records that @member is away from Julian day @first through @last (their
 * own calendar), replacing any earlier period. */
gboolean baton_store_away_set (BatonStore *store, const char *member, guint32 first, guint32 last,
                               gint64 now, GError **error);
/* Forgets @member's away period; *@was_away (may be NULL) says whether
 * there was one. */
gboolean baton_store_away_clear (BatonStore *store, const char *member, gboolean *was_away,
                                 GError **error);
/* @member's away periods as a GArray of BatonAway (include
 * baton/worktime.h), possibly empty, that the caller unrefs; NULL with
 * @error set when they cannot be read. */
GArray *baton_store_away_get (BatonStore *store, const char *member, GError **error);

/* ---- handoffs waiting to be accepted (src/store/store-pending.c) ---- */

typedef struct {
  gint64 task;
  char *receiver; /* who must accept it */
  char *giver;    /* who handed it over */
  gint64 since;
  gint64 reminded_at;  /* 0: not yet */
  gint64 escalated_at; /* 0: not yet */
} BatonPending;

void baton_pending_free (BatonPending *pending);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonPending, baton_pending_free)

/* Task @task now waits for @receiver to accept it from @giver, since
 * @since; replaces what it waited for before (reminder and escalation
 * start over). */
gboolean baton_store_pending_set (BatonStore *store, gint64 task, const char *receiver,
                                  const char *giver, gint64 since, GError **error);
/* Task @task no longer waits; *@was_pending (may be NULL) says whether it did. */
gboolean baton_store_pending_clear (BatonStore *store, gint64 task, gboolean *was_pending,
                                    GError **error);
/* What task @task waits for; NULL when nothing (or on error: check @error). */
BatonPending *baton_store_pending_get (BatonStore *store, gint64 task, GError **error);
/* Every waiting handoff (BatonPending*, owned), oldest first; NULL on error. */
GPtrArray *baton_store_pending_all (BatonStore *store, GError **error);
/* As baton_store_pending_all(), less the rows both reminded and escalated
 * unless @with_finished: those a run without return-after has nothing
 * left to do for. */
GPtrArray *baton_store_pending_to_check (BatonStore *store, gboolean with_finished, GError **error);
/* Records that the reminder (@escalation FALSE) or the escalation (TRUE)
 * about task @task went out at @at. */
gboolean baton_store_pending_mark (BatonStore *store, gint64 task, gboolean escalation, gint64 at,
                                   GError **error);
/* As baton_store_pending_clear(), and when @message (a messages row) is
 * not 0 the row as it was is kept as settled by that mail, for undo. */
gboolean baton_store_pending_settle (BatonStore *store, gint64 task, gint64 message,
                                     gboolean *was_pending, GError **error);
/* The row task @task waited on before mail @message settled it (the first
 * if the mail settled several), owned by the caller; NULL when the mail
 * settled none (or on error: check @error). */
BatonPending *baton_store_pending_settled (BatonStore *store, gint64 message, gint64 task,
                                           GError **error);
/* Puts @pending back as it was, reminder and escalation times included,
 * replacing what its task waits on now. */
gboolean baton_store_pending_restore (BatonStore *store, const BatonPending *pending,
                                      GError **error);
