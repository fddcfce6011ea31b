/* SPDX-License-Identifier: MIT */
/* Batches of incoming mail in one transaction, and the spool directory
 * (see spool.h for the guarantees).
 *
 * A batch keeps the per-message contract of baton_workflow_ingest(): each
 * message runs inside its own savepoint, so a failure unwinds exactly that
 * message, and a duplicate writes nothing. The difference is only when the
 * commit happens, which is why acknowledgements wait in `pending` until
 * then. A temporary failure (database busy or full) stops the batch: the
 * messages before it are committed and acknowledged, the failing one and
 * everything after it stay with their source for the retry that exit code
 * 75 asks for. */
#define G_LOG_DOMAIN "baton-spool"
#include "baton/spool.h"

#include "baton/error.h"
#include "baton/message.h"
#include "baton/readahead.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  char *source;
  char *spool_file;          /* removed once committed, or NULL */
  BatonIngestResult *result; /* owned */
  gboolean body_truncated;   /* only the first BATON_MESSAGE_MAX_BODY bytes were read */
} Pending;

struct BatonSpoolBatch {
  BatonTeam *team; /* borrowed */
  guint max_messages;
  gboolean open;      /* a transaction is open */
  gint64 opened_at;   /* monotonic µs of its BEGIN */
  GPtrArray *pending; /* Pending*, committed at the next commit */
  gboolean stopped;   /* a temporary failure ended the batch */
  guint processed;
  guint refused;
  GError *temporary; /* first temporary failure, owned */
  GError *permanent; /* first other failure, owned */
};

static void
pending_free (Pending *pending)
{
  g_free (pending->source);
  g_free (pending->spool_file);
  baton_ingest_result_free (pending->result);
  g_free (pending);
}

BatonSpoolBatch *
baton_spool_batch_new (BatonTeam *team, guint max_messages)
{
  BatonSpoolBatch *batch = g_new0 (BatonSpoolBatch, 1);
  batch->team = team;
  batch->max_messages = max_messages > 0 ? max_messages : BATON_BATCH_MESSAGES;
  batch->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  return batch;
}

void
baton_spool_batch_free (BatonSpoolBatch *batch)
{
  if (batch == NULL)
    return;
  if (batch->open)
    baton_store_rollback (batch->team->store);
  g_ptr_array_unref (batch->pending);
  g_clear_error (&batch->temporary);
  g_clear_error (&batch->permanent);
  g_free (batch);
}

/* The one key=value line per message, under the "baton" domain as it was
 * before batching, so log scrapers see the same text. */
static void
log_result (const BatonIngestResult *result, const char *source, gboolean body_truncated)
{
  guint failed = 0;
  for (guint i = 0; i < result->lines->len; i++)
    failed += !((BatonLineResult *) result->lines->pdata[i])->ok;
  g_log ("baton", G_LOG_LEVEL_INFO,
         "ingest source=%s message-id=<%s> member=%s outcome=%s lines=%u failed=%u%s%s%s", source,
         result->message_id, result->member ? result->member : "-", result->outcome,
         result->lines->len, failed, body_truncated ? " body=truncated" : "",
         result->reason ? " reason=" : "", result->reason ? result->reason : "");
}

/* A spool file that can never be stored goes aside, where an admin can
 * look at it, instead of failing every drain from now on. */
static void
set_aside (const char *spool_file)
{
  g_autofree char *new_dir = g_path_get_dirname (spool_file);
  g_autofree char *spool_dir = g_path_get_dirname (new_dir);
  g_autofree char *failed_dir = g_build_filename (spool_dir, "failed", NULL);
  g_autofree char *base = g_path_get_basename (spool_file);
  g_autofree char *target = g_build_filename (failed_dir, base, NULL);
  if (g_mkdir_with_parents (failed_dir, 0700) != 0 || rename (spool_file, target) != 0)
    g_warning ("%s: cannot move it to %s (%s); the next drain will try it again", spool_file,
               failed_dir, g_strerror (errno));
}

static void
acknowledge (const Pending *pending)
{
  log_result (pending->result, pending->source, pending->body_truncated);
  if (pending->spool_file != NULL && unlink (pending->spool_file) != 0 && errno != ENOENT)
    g_warning ("%s is stored but could not be removed (%s): remove it by hand, or the next "
               "drain finds it a duplicate",
               pending->spool_file, g_strerror (errno));
}

/* Keeps the first failure of each class for the exit code; later ones are
 * only logged, so every message that was refused is named somewhere. */
static void
record_failure (BatonSpoolBatch *batch, GError *error)
{
  GError **slot = baton_error_is_temporary (error) ? &batch->temporary : &batch->permanent;
  if (*slot == NULL)
    *slot = error;
  else
    {
      g_warning ("%s", error->message);
      g_error_free (error);
    }
}

static gboolean
commit (BatonSpoolBatch *batch, GError **error)
{
  if (!batch->open)
    return TRUE;
  batch->open = FALSE;
  if (!baton_store_commit (batch->team->store, error))
    {
      /* Rolled back: none of them is stored, so none is acknowledged. */
      batch->refused += batch->pending->len;
      g_ptr_array_set_size (batch->pending, 0);
      return FALSE;
    }
  for (guint i = 0; i < batch->pending->len; i++)
    acknowledge (batch->pending->pdata[i]);
  batch->processed += batch->pending->len;
  g_ptr_array_set_size (batch->pending, 0);
  return TRUE;
}

/* A temporary failure: keep what is done, take nothing more. */
static void
stop (BatonSpoolBatch *batch, GError *error)
{
  batch->refused++;
  batch->stopped = TRUE;
  record_failure (batch, error);
  g_autoptr (GError) commit_error = NULL;
  if (!commit (batch, &commit_error))
    g_warning ("%s", commit_error->message);
}

static void
refuse (BatonSpoolBatch *batch, GError *error, const char *spool_file)
{
  batch->refused++;
  record_failure (batch, error);
  if (spool_file != NULL)
    set_aside (spool_file);
}

static gboolean
ensure_open (BatonSpoolBatch *batch, GError **error)
{
  if (batch->open)
    return TRUE;
  if (!baton_store_begin (batch->team->store, error))
    return FALSE;
  batch->open = TRUE;
  batch->opened_at = g_get_monotonic_time ();
  return TRUE;
}

static gboolean
batch_is_full (const BatonSpoolBatch *batch)
{
  return batch->pending->len >= batch->max_messages ||
         g_get_monotonic_time () - batch->opened_at >= BATON_BATCH_SECONDS * G_USEC_PER_SEC;
}

/* Runs MESSAGE inside its own savepoint; NULL with ERROR set when it failed,
 * in which case everything it wrote is undone. */
static BatonIngestResult *
apply_in_savepoint (BatonSpoolBatch *batch, const BatonMessage *message, const BatonRawMail *raw,
                    const char *source, GError **error)
{
  BatonStore *store = batch->team->store;
  if (!baton_store_savepoint (store, error))
    return NULL;
  g_autoptr (BatonIngestResult) result =
      baton_workflow_apply (batch->team, message, raw, source, error);
  if (result == NULL || !baton_store_release (store, error))
    {
      baton_store_rollback_to_savepoint (store);
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* Counts a message that could not be stored: a temporary failure stops
 * the batch (FALSE), anything else is reported, its spool file set aside,
 * and the batch goes on. Takes ERROR. */
static gboolean
message_failed (BatonSpoolBatch *batch, GError *error, const char *source, const char *spool_file)
{
  g_prefix_error (&error, "%s: ", source);
  if (baton_error_is_temporary (error))
    {
      stop (batch, error);
      return FALSE;
    }
  refuse (batch, error, spool_file);
  return TRUE;
}

/* Stores MESSAGE (NULL when it did not parse: ERROR says why). */
static gboolean
add_parsed (BatonSpoolBatch *batch, const BatonMessage *message, GError *error,
            const BatonRawMail *raw, const char *source, const char *spool_file)
{
  if (message == NULL)
    return message_failed (batch, error, source, spool_file);
  /* A BEGIN that fails is never the message's fault: stop, whatever the class. */
  if (!ensure_open (batch, &error))
    {
      g_prefix_error (&error, "%s: ", source);
      stop (batch, error);
      return FALSE;
    }
  BatonIngestResult *result = apply_in_savepoint (batch, message, raw, source, &error);
  if (result == NULL)
    return message_failed (batch, error, source, spool_file);
  Pending *pending = g_new0 (Pending, 1);
  pending->source = g_strdup (source);
  pending->spool_file = g_strdup (spool_file);
  pending->result = result;
  pending->body_truncated = message->body_truncated;
  g_ptr_array_add (batch->pending, pending);
  if (batch_is_full (batch) && !commit (batch, &error))
    {
      batch->stopped = TRUE;
      record_failure (batch, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
baton_spool_batch_add (BatonSpoolBatch *batch, const char *raw, gsize length, const char *source,
                       const char *spool_file)
{
  if (batch->stopped)
    return FALSE;
  GError *error = NULL;
  g_autoptr (BatonMessage) message = baton_message_parse (raw, length, &error);
  BatonRawMail mail = { raw ? raw : "", -1, length };
  return add_parsed (batch, message, error, &mail, source, spool_file);
}

/* FILE, parsed from the file itself: neither GMime nor SQLite ever holds
 * all of it in memory. A file that could not be opened (gone since it was
 * listed, or unreadable) is not the batch's to fix: counted, and skipped. */
static gboolean
add_parsed_file (BatonSpoolBatch *batch, BatonParsedFile *file)
{
  if (file->fd < 0)
    {
      batch->refused++;
      record_failure (batch, g_steal_pointer (&file->error));
      return TRUE;
    }
  BatonRawMail mail = { NULL, file->fd, file->length };
  return add_parsed (batch, file->message, g_steal_pointer (&file->error), &mail, file->source,
                     file->spool_file);
}

gboolean
baton_spool_batch_add_file (BatonSpoolBatch *batch, const char *path, const char *source,
                            const char *spool_file)
{
  if (batch->stopped)
    return FALSE;
  g_autoptr (BatonParsedFile) file = baton_parsed_file_open (path, source, spool_file);
  return add_parsed_file (batch, file);
}

gboolean
baton_spool_batch_add_parsed (BatonSpoolBatch *batch, BatonReadahead *readahead)
{
  BatonParsedFile *file;
  while (!batch->stopped && (file = baton_readahead_next (readahead)) != NULL)
    {
      add_parsed_file (batch, file);
      baton_readahead_done (readahead, file);
    }
  return !batch->stopped;
}

gboolean
baton_spool_batch_add_files (BatonSpoolBatch *batch, GPtrArray *paths, GPtrArray *sources,
                             GPtrArray *spool_files)
{
  if (batch->stopped)
    return FALSE;
  if (paths->len < 2)
    return paths->len == 0 ||
           baton_spool_batch_add_file (batch, paths->pdata[0], sources->pdata[0],
                                       spool_files ? spool_files->pdata[0] : NULL);
  g_autoptr (BatonReadahead) readahead = baton_readahead_new (paths, sources, spool_files);
  return baton_spool_batch_add_parsed (batch, readahead);
}

gboolean
baton_spool_batch_add_stream (BatonSpoolBatch *batch, int fd, const char *source)
{
  if (batch->stopped)
    return FALSE;
  GError *error = NULL;
  int temp = baton_spool_copy_to_temp (fd, &error);
  if (temp < 0)
    {
      /* Nothing of it was kept: whoever feeds the pipe must keep the mail. */
      g_prefix_error (&error, "%s: ", source);
      stop (batch, error);
      return FALSE;
    }
  g_autoptr (BatonParsedFile) file = baton_parsed_file_from_fd (temp, source);
  return add_parsed_file (batch, file);
}

gboolean
baton_spool_batch_add_fd (BatonSpoolBatch *batch, int fd, const char *source)
{
  if (batch->stopped)
    {
      close (fd);
      return FALSE;
    }
  g_autoptr (BatonParsedFile) file = baton_parsed_file_from_fd (fd, source);
  return add_parsed_file (batch, file);
}

gboolean
baton_spool_batch_finish (BatonSpoolBatch *batch, guint *processed, GError **error)
{
  GError *commit_error = NULL;
  if (!commit (batch, &commit_error))
    record_failure (batch, commit_error);
  if (processed != NULL)
    *processed = batch->processed;
  if (batch->processed + batch->refused > 1)
    g_log ("baton", G_LOG_LEVEL_INFO, "ingest processed=%u refused=%u", batch->processed,
           batch->refused);
  GError **worst = batch->temporary ? &batch->temporary : &batch->permanent;
  if (*worst == NULL)
    return TRUE;
  if (batch->refused > 1)
    g_prefix_error (worst, "%u of %u messages not processed; first: ", batch->refused,
                    batch->processed + batch->refused);
  g_propagate_error (error, g_steal_pointer (worst));
  return FALSE;
}

/* ---- copying a message off a pipe ---- */

static gboolean
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* Copies FROM to TO in fixed-size pieces: memory stays bounded whatever
 * the size of the mail. *COPIED gets the byte count. */
static gboolean
copy_fd (int from, int to, goffset *copied, GError **error)
{
  char buffer[65536];
  *copied = 0;
  for (;;)
    {
      ssize_t n = read (from, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "reading standard input: %s",
                       g_strerror (errno));
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      if (!write_all (to, buffer, n))
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                       "writing the message to disk: %s (free some space; the sender keeps "
                       "the mail and retries)",
                       g_strerror (errno));
          return FALSE;
        }
      *copied += n;
    }
}

int
baton_spool_copy_to_temp (int fd, GError **error)
{
  g_autofree char *path = NULL;
  GError *local = NULL;
  int temp = g_file_open_tmp ("baton-in-XXXXXX", &path, &local);
  if (temp < 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "cannot create a temporary file for the message: %s (check TMPDIR; the "
                   "sender keeps the mail and retries)",
                   local->message);
      g_error_free (local);
      return -1;
    }
  /* Unlinked at once: the descriptor keeps it alive, a crash leaves nothing. */
  unlink (path);
  goffset copied = 0;
  if (!copy_fd (fd, temp, &copied, error) || lseek (temp, 0, SEEK_SET) != 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "rewinding a temporary file: %s",
                     g_strerror (errno));
      close (temp);
      return -1;
    }
  return temp;
}

/* ---- the spool directory ---- */

static gboolean
fsync_directory (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  gboolean ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* Names sort in arrival order (fixed-width microseconds first) and stay
 * unique across processes and hosts sharing the directory. */
static char *
spool_name (void)
{
  return g_strdup_printf ("%016" G_GINT64_FORMAT ".P%dR%08x.%s", g_get_real_time (),
                          (int) getpid (), g_random_int (), g_get_host_name ());
}

static gboolean
spool_fail (GError **error, const char *what, const char *path)
{
  g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
               "cannot %s %s: %s (make the spool directory writable or free some space; the "
               "sender keeps the mail and retries)",
               what, path, g_strerror (errno));
  return FALSE;
}

/* Writes FD into TMP_PATH and makes it durable; the file is left for the
 * caller to rename or remove. */
static gboolean
write_durably (int fd, const char *tmp_path, GError **error)
{
  int out = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0)
    return spool_fail (error, "create", tmp_path);
  goffset copied = 0;
  gboolean ok = copy_fd (fd, out, &copied, error);
  if (ok && copied == 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
                   "nothing on standard input: give baton ingest --queue a mail message");
      ok = FALSE;
    }
  if (ok && fsync (out) != 0)
    ok = spool_fail (error, "write", tmp_path);
  if (close (out) != 0 && ok)
    ok = spool_fail (error, "write", tmp_path);
  return ok;
}

gboolean
baton_spool_accept (const char *spool_dir, int fd, GError **error)
{
  g_autofree char *tmp_dir = g_build_filename (spool_dir, "tmp", NULL);
  g_autofree char *new_dir = g_build_filename (spool_dir, "new", NULL);
  if (g_mkdir_with_parents (tmp_dir, 0700) != 0)
    return spool_fail (error, "create", tmp_dir);
  if (g_mkdir_with_parents (new_dir, 0700) != 0)
    return spool_fail (error, "create", new_dir);
  g_autofree char *name = spool_name ();
  g_autofree char *tmp_path = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *new_path = g_build_filename (new_dir, name, NULL);
  if (!write_durably (fd, tmp_path, error))
    {
      unlink (tmp_path);
      return FALSE;
    }
  if (rename (tmp_path, new_path) != 0)
    {
      spool_fail (error, "move the message into", new_dir);
      unlink (tmp_path);
      return FALSE;
    }
  /* The rename is durable only once the directory is: until then a crash
   * could lose a mail we already said 0 for. */
  if (!fsync_directory (new_dir))
    return spool_fail (error, "sync", new_dir);
  return TRUE;
}

gboolean
baton_spool_drain (BatonTeam *team, guint *processed, GError **error)
{
  g_autofree char *new_dir = g_build_filename (team->config->spool_dir, "new", NULL);
  const char *const dirs[] = { new_dir, NULL };
  g_autoptr (BatonReadahead) readahead = baton_readahead_new_listing (dirs, TRUE, error);
  if (readahead == NULL)
    return FALSE;
  g_autoptr (BatonSpoolBatch) batch = baton_spool_batch_new (team, 0);
  baton_spool_batch_add_parsed (batch, readahead);
  return baton_spool_batch_finish (batch, processed, error);
}
