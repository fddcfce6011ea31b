/* SPDX-License-Identifier: MIT */
/* The rules: who may act, what each command does to the team's state, and
 * which notices that causes. One incoming mail is one transaction.
 *
 * docs/DESIGN.md §3: only members act; with require-auth their mail must be
 * vouched for by the trusted Authentication-Results; machine mail (auto
 * replies, bounces, lists, our own) never acts and never gets a reply.
 * Mail from anyone else is stored and quarantined. Taking a task someone
 * else holds is allowed and recorded as a handoff from them.
 */
#pragma once
#include "baton/ancestry.h"
#include "baton/commands.h"
#include "baton/config.h"
#include "baton/message.h"
#include "baton/store.h"

#include <glib.h>

typedef struct BatonTeam BatonTeam;

/* Hook that queues the mail a processed message causes (notices, reply),
 * inside the message's transaction. Set by the outbox module; NULL queues
 * nothing. */
typedef struct BatonIngestResult BatonIngestResult;
typedef gboolean (*BatonNoticeHook) (BatonTeam *team, const BatonMessage *message,
                                     BatonIngestResult *result, GError **error);

struct BatonTeam {
  BatonConfig *config; /* owned */
  BatonStore *store;   /* owned */
  BatonNoticeHook queue_notices;
  BatonFingerprint *templates; /* owned; the templates' literal text, made when first needed */
};

/* Loads the config at @config_path, opens its database and syncs members.
 * Errors: BATON_ERROR_CONFIG, or the store's. */
BatonTeam *baton_team_open (const char *config_path, GError **error);
void baton_team_close (BatonTeam *team);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonTeam, baton_team_close)

typedef struct {
  guint line; /* line in the newly written text; 0 for implicit (plus-address) */
  BatonCommandKind kind;
  gint64 task; /* the task it acted on, 0 if none */
  gboolean ok;
  char *source;  /* the line as written */
  char *outcome; /* "task #15 created", or why it failed and how to fix it */
  gboolean tell; /* ok, but the sender must hear of it now (the receiver is away) */
} BatonLineResult;

typedef struct {
  char *kind; /* "handoff": to the receiver; "taken": to the previous holder */
  gint64 task;
  char *to_member;
  char *from_member;
  char *note;
} BatonNotice;

struct BatonIngestResult {
  char *message_id;
  char *outcome;        /* applied, partly, failed, quarantined, ignored, duplicate */
  char *reason;         /* why quarantined or ignored, or NULL */
  char *member;         /* short name of the sender, or NULL */
  gint64 context_task;  /* task the mail is about by thread, subject or address; 0 if none */
  char *context_source; /* how that was found, for explain */
  GPtrArray *lines;     /* BatonLineResult* in order */
  GPtrArray *notices;   /* BatonNotice* to queue */
  gint64 message_row;   /* messages.id, 0 for a duplicate or a dry run */
};

void baton_ingest_result_free (BatonIngestResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonIngestResult, baton_ingest_result_free)

/* One mail applies at most this many commands (free-text blocks count);
 * the rest are reported back to the sender as one failed line, so a
 * 10,000-line mail costs what a 100-line one does. */
#define BATON_COMMANDS_PER_MAIL 100

/* Processes one raw message from @source ("stdin", "file:…", "imap:…") in one
 * transaction. A message stored before (same Message-ID, or same bytes
 * when it has none) changes nothing: outcome "duplicate".
 * Returns NULL with @error set only when the mail must stay with its
 * sender: BATON_ERROR_TEMPORARY (busy, full) or BATON_ERROR_DATA (not a
 * message at all). Bad commands are not errors: they are in the result. */
BatonIngestResult *baton_workflow_ingest (BatonTeam *team, const char *raw, gsize length,
                                          const char *source, GError **error);

/* As baton_workflow_ingest() on an already parsed @message whose bytes are
 * @raw (in memory or in a file, see BatonRawMail; a read error is
 * temporary), inside a transaction the caller holds (for batching with
 * savepoints). */
BatonIngestResult *baton_workflow_apply (BatonTeam *team, const BatonMessage *message,
                                         const BatonRawMail *raw, const char *source,
                                         GError **error);

/* What baton_workflow_apply() would do, in a transaction that is rolled
 * back (`explain`). */
BatonIngestResult *baton_workflow_dry_run (BatonTeam *team, const BatonMessage *message,
                                           const BatonRawMail *raw, GError **error);

/* The Message-ID baton files a message under: its own, or when it has none
 * baton_message_key_update()'s "sha256:HEX" of the bytes less the trace
 * headers. Caller frees. */
char *baton_workflow_message_key (const BatonMessage *message, const char *raw, gsize length);

/* The newly written text of MESSAGE without what reproduces a mail baton
 * knows: a parent it names in In-Reply-To/References that baton sent or
 * ingested, or the literal text of baton's templates (ancestry.h). */
typedef struct {
  char *text;      /* what commands are read from; owned */
  GPtrArray *cuts; /* char*: "lines 3-9: the text of <id>, a mail baton sent"; owned */
} BatonNewText;

void baton_new_text_free (BatonNewText *new_text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonNewText, baton_new_text_free)

/* Reads the parents' fingerprints from TEAM's store; NULL with ERROR only
 * when the store fails. Caller frees. */
BatonNewText *baton_workflow_new_text (BatonTeam *team, const BatonMessage *message,
                                       GError **error);

/* `baton undo`: reverts what the mail filed under @message_id (with or
 * without <>) applied, as new events by its sender, in one transaction
 * (docs/DESIGN.md §2). A task someone changed since is left as it is; the
 * result's one line says so and is not ok. NULL with @error when there is
 * no such applied mail (BATON_ERROR_NO_INPUT) or the store fails. Caller
 * frees. */
BatonIngestResult *baton_workflow_undo (BatonTeam *team, const char *message_id, GError **error);

/* `baton release`: applies the mail held from a stranger under
 * @message_id (and from @from when not NULL) through the normal workflow,
 * now that its sender is a member; its held row is set aside in the same
 * transaction, so it applies once. A mail not held (released before) gives
 * outcome "duplicate". NULL with @error when there is no such mail, the
 * sender is still not a member (BATON_ERROR_DATA), or its bytes are gone. */
BatonIngestResult *baton_workflow_release (BatonTeam *team, const char *message_id,
                                           const char *from, GError **error);

/* One @command (a task command such as REOPEN) written on the command
 * line, acting as @member, in its own transaction; no notices are queued.
 * The result's one line says what happened. NULL with @error when @member
 * is not one (BATON_ERROR_USAGE) or the store fails. Caller frees. */
BatonIngestResult *baton_workflow_command (BatonTeam *team, const char *member,
                                           const BatonCommand *command, GError **error);
