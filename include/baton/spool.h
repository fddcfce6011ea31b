/* SPDX-License-Identifier: MIT */
/* Mail on its way into the database: the spool that `baton ingest --queue`
 * fills, and the batches that store many messages per transaction.
 *
 * Why batches: a commit is an fsync, and one per message is what limits a
 * Maildir or a spool drain. A batch holds one transaction for up to
 * BATON_BATCH_MESSAGES messages or BATON_BATCH_SECONDS, with a savepoint
 * per message, so a message that fails rolls back alone and every message
 * keeps exactly the outcome it would have had in its own transaction.
 * Nothing is acknowledged (its log line printed, its spool file removed)
 * before the commit that holds it: a crash or a temporary failure leaves
 * the message where it was, and the Message-ID check makes the retry safe.
 *
 * Why a spool: procmail and MTAs run one process per delivery and wait for
 * it. `--queue` writes the mail to spool/tmp, fsyncs it and renames it into
 * spool/new (the Maildir protocol, so a half-written file is never seen)
 * without opening the database; `--drain`, `baton poll` and `baton run`
 * store it later in one batch.
 */
#pragma once
#include "baton/readahead.h"
#include "baton/workflow.h"

#include <glib.h>

#define BATON_BATCH_MESSAGES 500
#define BATON_BATCH_SECONDS 1

typedef struct BatonSpoolBatch BatonSpoolBatch;

/* A batch storing messages into @team (borrowed; it must outlive the batch)
 * with @team's notice hook. @max_messages 0 means BATON_BATCH_MESSAGES.
 * Free with baton_spool_batch_free(), after baton_spool_batch_finish(). */
BatonSpoolBatch *baton_spool_batch_new (BatonTeam *team, guint max_messages);
/* Rolls back whatever is not committed: nothing of it is acknowledged. */
void baton_spool_batch_free (BatonSpoolBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonSpoolBatch, baton_spool_batch_free)

/* Processes the message @raw (@length bytes, borrowed until the call
 * returns) from @source ("file:…", "stdin", …). When its commit has
 * happened its log line is printed and, when @spool_file is not NULL, that
 * file is removed (or moved to spool/failed/ if it is not mail).
 * Returns FALSE once the batch has stopped on a temporary failure: what
 * came before is committed, the rest must wait for a retry, so the caller
 * stops feeding it. Other failures are counted and the batch goes on. */
gboolean baton_spool_batch_add (BatonSpoolBatch *batch, const char *raw, gsize length,
                                const char *source, const char *spool_file);

/* As baton_spool_batch_add() on the file at @path, parsed and stored from
 * the file itself in pieces: memory stays bounded whatever its size. */
gboolean baton_spool_batch_add_file (BatonSpoolBatch *batch, const char *path, const char *source,
                                     const char *spool_file);

/* As baton_spool_batch_add_file() on each of @paths in order, with the
 * matching @sources and @spool_files (NULL, or NULL entries, for none); the
 * files are parsed ahead by a second thread (readahead.h). FALSE once the
 * batch has stopped. */
gboolean baton_spool_batch_add_files (BatonSpoolBatch *batch, GPtrArray *paths, GPtrArray *sources,
                                      GPtrArray *spool_files);

/* As baton_spool_batch_add_file() on each file @readahead (borrowed) parses,
 * in its order. FALSE once the batch has stopped. */
gboolean baton_spool_batch_add_parsed (BatonSpoolBatch *batch, BatonReadahead *readahead);

/* As baton_spool_batch_add() on everything readable from @fd (standard
 * input), copied first to an unlinked temporary file and stored from
 * there like a file, so the message never has to fit in memory. A failure to read or copy it
 * is temporary: the writer of the pipe keeps the mail. */
gboolean baton_spool_batch_add_stream (BatonSpoolBatch *batch, int fd, const char *source);

/* As baton_spool_batch_add_file() on the regular file open at @fd, which
 * the batch now owns and closes (an mbox message in a temporary file). */
gboolean baton_spool_batch_add_fd (BatonSpoolBatch *batch, int fd, const char *source);

/* Commits what is open and acknowledges it. *@processed (may be NULL) is
 * the number of messages stored or found to be duplicates. Returns FALSE
 * with @error set to the worst failure seen: a temporary one (exit 75, retry
 * later) before anything else, else the first permanent one (for example
 * BATON_ERROR_DATA: a file that is not mail). */
gboolean baton_spool_batch_finish (BatonSpoolBatch *batch, guint *processed, GError **error);

/* Copies everything readable from @fd into a new file in @spool_dir/new (via
 * @spool_dir/tmp, fsynced before and after the rename), creating the
 * directories when needed. Never opens the database. Errors: nothing to
 * read is BATON_ERROR_DATA; any failure to write is BATON_ERROR_TEMPORARY,
 * so the MTA keeps the mail. */
gboolean baton_spool_accept (const char *spool_dir, int fd, GError **error);

/* Copies everything readable from @fd into an already unlinked file under
 * g_get_tmp_dir(), so a large message never sits in memory and nothing is
 * left behind even after a crash. Returns the new file's descriptor,
 * positioned at 0, which the caller closes; -1 with @error set
 * (BATON_ERROR_TEMPORARY) on failure. */
int baton_spool_copy_to_temp (int fd, GError **error);

/* Stores every message in @team's spool (spool/new, in arrival order) in
 * batches, removing each file only after its commit. *@processed (may be
 * NULL) counts the messages stored. Returns FALSE with @error as
 * baton_spool_batch_finish(): on a temporary failure (database locked,
 * disk full) the files not yet committed stay for the next drain. A file
 * that can never be stored (not mail, or refused for another permanent
 * reason) is moved to spool/failed/ and reported after the rest has been
 * stored, BATON_ERROR_DATA for a file that is not mail. A missing spool
 * directory is an empty spool. */
gboolean baton_spool_drain (BatonTeam *team, guint *processed, GError **error);
