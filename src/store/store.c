/* SPDX-License-Identifier: MIT */
/* The SQLite connection: opening, migrating, transactions, error classes,
 * and the messages and members tables. Tasks and events live in
 * store-tasks.c; outbox, threads, IMAP position and digests in
 * store-outbox.c. */
#define G_LOG_DOMAIN "baton-store"
#include "store-private.h"

#include "baton/config.h"
#include "baton/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Each entry migrates the schema from version i to i + 1. Never edit a
 * released step: add a new one, so every existing database moves forward. */
static const char *const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  message_id TEXT NOT NULL UNIQUE,"
  "  sender TEXT, member TEXT, subject TEXT, date INTEGER,"
  "  received_at INTEGER NOT NULL, source TEXT NOT NULL,"
  "  raw BLOB NOT NULL,"
  "  outcome TEXT NOT NULL CHECK (outcome IN ('applied','partly','failed','quarantined','ignored')),"
  "  reason TEXT, report TEXT);"
  "CREATE TABLE members ("
  "  name TEXT PRIMARY KEY, email TEXT NOT NULL, display_name TEXT,"
  "  timezone TEXT NOT NULL, digest_minutes INTEGER NOT NULL,"
  "  joined_at INTEGER NOT NULL, active INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE tasks ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('open','taken','blocked','done')),"
  "  owner TEXT, created_by TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, blocked_reason TEXT);"
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY, task INTEGER REFERENCES tasks (id),"
  "  kind TEXT NOT NULL, who TEXT NOT NULL, from_member TEXT, to_member TEXT,"
  "  note TEXT, at INTEGER NOT NULL, message INTEGER REFERENCES messages (id));"
  "CREATE INDEX events_at ON events (at);"
  "CREATE INDEX events_task ON events (task);"
  "CREATE TABLE threads (message_id TEXT PRIMARY KEY, task INTEGER);"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY, message_id TEXT NOT NULL, kind TEXT NOT NULL,"
  "  recipient TEXT NOT NULL, envelope_from TEXT NOT NULL, mime BLOB NOT NULL,"
  "  task INTEGER, created_at INTEGER NOT NULL, not_before INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL DEFAULT 0,"
  "  sent_at INTEGER, failed_at INTEGER, last_error TEXT);"
  "CREATE INDEX outbox_pending ON outbox (sent_at, failed_at, next_attempt);"
  "CREATE INDEX outbox_recipient ON outbox (recipient, kind, created_at);"
  "CREATE TABLE imap_state (mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,"
  "  last_uid INTEGER NOT NULL);"
  "CREATE TABLE digests (member TEXT PRIMARY KEY, last_at INTEGER NOT NULL);",
  /* 1 → 2: UIDs processed but not yet moved out of the polled mailbox */
  "CREATE TABLE imap_pending (mailbox TEXT NOT NULL, uid INTEGER NOT NULL,"
  "  folder TEXT NOT NULL, PRIMARY KEY (mailbox, uid));",
  /* 2 → 3: the raw bytes move to a table where they are the last column.
   * SQLite builds a whole record in memory unless its only large value is
   * a trailing zeroblob; there the blob is written in pieces with
   * sqlite3_blob_write(), so a 100 MB mail never sits in memory. */
  "CREATE TABLE message_raw (message INTEGER PRIMARY KEY REFERENCES messages (id),"
  "  raw BLOB NOT NULL);"
  "INSERT INTO message_raw (message, raw) SELECT id, raw FROM messages;"
  "ALTER TABLE messages DROP COLUMN raw;",
  /* 3 → 4: the same CHECKs written with OR. SQLite evaluates "x IN (list
   * of constants)" by building a temporary b-tree each time a statement
   * runs: 7% of the storing thread's time in a Maildir ingest, spent on
   * every INSERT and UPDATE of messages and tasks. Rewriting the CHECK text
   * is the change SQLite documents for writable_schema (the rows are not
   * touched, and satisfy both forms); migrate() then bumps schema_version
   * so every connection reloads the schema. */
  "PRAGMA writable_schema = ON;"
  "UPDATE sqlite_schema SET sql = replace (sql,"
  "  'CHECK (outcome IN (''applied'',''partly'',''failed'',''quarantined'',''ignored''))',"
  "  'CHECK (outcome = ''applied'' OR outcome = ''partly'' OR outcome = ''failed'' OR "
  "outcome = ''quarantined'' OR outcome = ''ignored'')')"
  "  WHERE type = 'table' AND name = 'messages';"
  "UPDATE sqlite_schema SET sql = replace (sql,"
  "  'CHECK (state IN (''open'',''taken'',''blocked'',''done''))',"
  "  'CHECK (state = ''open'' OR state = ''taken'' OR state = ''blocked'' OR state = ''done'')')"
  "  WHERE type = 'table' AND name = 'tasks';"
  "PRAGMA writable_schema = OFF;",
  /* 4 → 5: what baton needs to recognise a message's text when a reply
   * pastes it (src/mail/ancestry.c), for every mail it sent or ingested. */
  "CREATE TABLE fingerprints (message_id TEXT PRIMARY KEY, sent INTEGER NOT NULL,"
  "  width INTEGER NOT NULL, words INTEGER NOT NULL, hashes BLOB NOT NULL) WITHOUT ROWID;",
  /* 5 → 6: a digest window ends at a place in the log (the last event and
   * message row it covered), not at a time: a clock stepped back or forward
   * between two events loses nothing and repeats nothing. Existing rows
   * take the last rows before their time. */
  "ALTER TABLE digests ADD COLUMN last_event INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE digests ADD COLUMN last_message INTEGER NOT NULL DEFAULT 0;"
  "UPDATE digests SET"
  "  last_event = coalesce ((SELECT max (id) FROM events WHERE at < digests.last_at), 0),"
  "  last_message = coalesce ((SELECT max (id) FROM messages WHERE received_at < digests.last_at), 0);",
  /* 6 → 7: who is away (`away until …` by mail), as the member's local
   * Julian days, both included; one period per member, `back` deletes it. */
  "CREATE TABLE away (member TEXT PRIMARY KEY, first_day INTEGER NOT NULL,"
  "  last_day INTEGER NOT NULL, set_at INTEGER NOT NULL);",
  /* 7 → 8: handoffs not yet accepted: one row per task while its receiver
   * has not acted on it; when the reminder, the escalation and the return
   * were done, so each happens once. */
  "CREATE TABLE pending (task INTEGER PRIMARY KEY REFERENCES tasks (id),"
  "  receiver TEXT NOT NULL, giver TEXT NOT NULL, since INTEGER NOT NULL,"
  "  reminded_at INTEGER, escalated_at INTEGER);",
  /* 8 → 9: the pending rows a mail settled (accepted, or moved on), as
   * they were, so `undo` of that mail can put them back unchanged. */
  "CREATE TABLE pending_settled (id INTEGER PRIMARY KEY, message INTEGER NOT NULL,"
  "  task INTEGER NOT NULL, receiver TEXT NOT NULL, giver TEXT NOT NULL,"
  "  since INTEGER NOT NULL, reminded_at INTEGER, escalated_at INTEGER);"
  "CREATE INDEX pending_settled_message ON pending_settled (message, task);",
  /* 9 → 10: the mail baton sent a member about a task, newest first
   * (baton_store_sent_about(), for a reply that names no parent): found
   * in the index, in id order, where a scan of all the recipient's mail
   * and a sort took 9 ms a reply with 50,000 of them. */
  "CREATE INDEX outbox_task ON outbox (recipient, task);",
  /* 10 → 11: a mail's fingerprint is written with its row, in messages
   * for mail baton ingested and in outbox for mail it sent (found there by
   * Message-ID): one row per mail where there were two, the second of them
   * 3.6% of the CPU time of a Maildir ingest and a statement more to
   * prepare in every one-mail process. A held row set aside under another
   * id takes its fingerprint with it. */
  "ALTER TABLE messages ADD COLUMN fingerprint_width INTEGER;"
  "ALTER TABLE messages ADD COLUMN fingerprint_words INTEGER;"
  "ALTER TABLE messages ADD COLUMN fingerprint BLOB;"
  "ALTER TABLE outbox ADD COLUMN fingerprint_width INTEGER;"
  "ALTER TABLE outbox ADD COLUMN fingerprint_words INTEGER;"
  "ALTER TABLE outbox ADD COLUMN fingerprint BLOB;"
  "UPDATE messages SET fingerprint_width = f.width, fingerprint_words = f.words,"
  "  fingerprint = f.hashes"
  "  FROM fingerprints AS f WHERE f.message_id = messages.message_id AND f.sent = 0;"
  "UPDATE outbox SET fingerprint_width = f.width, fingerprint_words = f.words,"
  "  fingerprint = f.hashes"
  "  FROM fingerprints AS f WHERE f.message_id = outbox.message_id AND f.sent = 1;"
  "CREATE INDEX outbox_message ON outbox (message_id);"
  "DROP TABLE fingerprints;",
};

void
store_set_error (BatonStore *store, int rc, const char *what, GError **error)
{
  int primary = rc & 0xff;
  BatonErrorCode code = BATON_ERROR_SOFTWARE;
  const char *advice = "";
  switch (primary)
    {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        code = BATON_ERROR_TEMPORARY;
        advice = " (another baton holds the database; the mail stays with its sender and is "
                 "retried)";
        break;
      case SQLITE_FULL:
      case SQLITE_IOERR:
      case SQLITE_NOMEM:
      case SQLITE_PROTOCOL:
        code = BATON_ERROR_TEMPORARY;
        advice = " (free disk space or memory; the mail stays with its sender and is retried)";
        break;
      case SQLITE_CANTOPEN:
      case SQLITE_READONLY:
      case SQLITE_PERM:
        code = BATON_ERROR_CANT_CREATE;
        advice = " (check that the database's directory exists and is writable)";
        break;
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
        code = BATON_ERROR_IO;
        advice = " (this file is not a usable baton database: restore it from a backup)";
        break;
    }
  const char *message = store && store->db ? sqlite3_errmsg (store->db) : sqlite3_errstr (rc);
  g_set_error (error, BATON_ERROR, code, "database %s: %s: %s%s",
               store && store->path ? store->path : "", what, message, advice);
}

gboolean
store_step_row (BatonStore *store, sqlite3_stmt *statement, gboolean *found, const char *what,
                GError **error)
{
  int rc = sqlite3_step (statement);
  *found = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return TRUE;
  store_set_error (store, rc, what, error);
  return FALSE;
}

sqlite3_stmt *
store_statement (BatonStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *statement = g_hash_table_lookup (store->statements, sql);
  if (statement == NULL)
    {
      int rc = sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL);
      if (rc != SQLITE_OK)
        {
          store_set_error (store, rc, "preparing a query", error);
          return NULL;
        }
      g_hash_table_insert (store->statements, (char *) sql, statement);
    }
  sqlite3_reset (statement);
  sqlite3_clear_bindings (statement);
  return statement;
}

gboolean
store_exec_statement (BatonStore *store, sqlite3_stmt *statement, const char *what, GError **error)
{
  int rc = sqlite3_step (statement);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      store_set_error (store, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

char *
store_column_text (sqlite3_stmt *statement, int column)
{
  const unsigned char *text = sqlite3_column_text (statement, column);
  return text ? g_strdup ((const char *) text) : NULL;
}

void
store_bind_text (sqlite3_stmt *statement, int index, const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (statement, index);
  else
    sqlite3_bind_text (statement, index, text, -1, SQLITE_STATIC);
}

GPtrArray *
store_collect_rows (BatonStore *store, sqlite3_stmt *statement,
                    gpointer (*from_row) (sqlite3_stmt *), GDestroyNotify free_row,
                    const char *what, GError **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (free_row);
  int rc;
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (statement));
  if (rc != SQLITE_DONE)
    {
      store_set_error (store, rc, what, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gboolean
exec_sql (BatonStore *store, const char *sql, const char *what, GError **error)
{
  int rc = sqlite3_exec (store->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (store, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

/* A version that cannot be read is an error of its own class, never a
 * guess: taking a BUSY or IOERR here for "no migration needed" would run
 * on a database without tables and fail for good (70) instead of 75. */
static gboolean
schema_version (BatonStore *store, int *version, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (store, "PRAGMA user_version", error);
  if (statement == NULL)
    return FALSE;
  int rc = sqlite3_step (statement);
  if (rc != SQLITE_ROW)
    {
      store_set_error (store, rc, "reading the schema version", error);
      return FALSE;
    }
  *version = sqlite3_column_int (statement, 0);
  return TRUE;
}

/* Tells every connection, this one included, to reload the schema: needed
 * after a migration that edits sqlite_schema directly (3 → 4), harmless
 * after the others. */
static gboolean
bump_schema_cookie (BatonStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) read = store_statement (store, "PRAGMA schema_version", error);
  if (read == NULL)
    return FALSE;
  int rc = sqlite3_step (read);
  if (rc != SQLITE_ROW)
    {
      store_set_error (store, rc, "reading the schema cookie", error);
      return FALSE;
    }
  g_autofree char *bump =
      g_strdup_printf ("PRAGMA schema_version = %d", sqlite3_column_int (read, 0) + 1);
  sqlite3_reset (read);
  return exec_sql (store, bump, "migrating the schema", error);
}

/* Runs every pending migration in one transaction, so a crash mid-way
 * leaves the old schema intact. */
static gboolean
migrate (BatonStore *store, GError **error)
{
  int version = 0;
  int latest = G_N_ELEMENTS (migrations);
  if (!schema_version (store, &version, error))
    return FALSE;
  if (version > latest)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "database %s has schema version %d, newer than this baton (%d): "
                   "upgrade baton",
                   store->path, version, latest);
      return FALSE;
    }
  if (version == latest)
    return TRUE;
  /* 3 → 4 writes sqlite_schema, which a build defaulting to defensive
   * mode would refuse. */
  sqlite3_db_config (store->db, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *) NULL);
  if (!exec_sql (store, "BEGIN IMMEDIATE", "starting the schema migration", error))
    return FALSE;
  for (int step = version; step < latest; step++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", step + 1);
      if (!exec_sql (store, migrations[step], "migrating the schema", error) ||
          !exec_sql (store, bump, "migrating the schema", error))
        {
          /* No error for the ROLLBACK: @error already says why the
           * migration failed, and the caller closes the connection, which
           * rolls back whatever this could not. */
          exec_sql (store, "ROLLBACK", "rolling back", NULL);
          return FALSE;
        }
    }
  if (!bump_schema_cookie (store, error))
    {
      exec_sql (store, "ROLLBACK", "rolling back", NULL); /* as above */
      return FALSE;
    }
  return exec_sql (store, "COMMIT", "committing the schema migration", error);
}

static void
finalize_statement (gpointer statement)
{
  sqlite3_finalize (statement);
}

/* The sub-journal of each mail's savepoint (the pages its rollback would
 * put back) lives in memory (temp_store = MEMORY) as a chain of blocks of
 * POOL_REQUEST bytes, some 40 per stored mail, all freed when the
 * savepoint is released. glibc's per-thread cache keeps 7 blocks of a
 * size, so the others went through its bins both ways: 0.2 of the 3.4
 * billion instructions of a 5,000-mail ingest. Freed blocks of that size
 * wait here, up to POOL_MAX, for the next savepoint; everything else goes
 * to SQLite's own allocator, as before.
 *
 * Each thread keeps its own pool, with no lock: a mutex around every
 * SQLite allocation and free was 1.7% of the CPU time of that ingest. A
 * block may be freed by another thread than the one that took it (glibc
 * allows it); it then waits in the freeing thread's pool. A thread's pool
 * goes back to the system when the thread ends. */
#define POOL_REQUEST 1024 /* memjournal.c's chunk */
#define POOL_MAX 256

/* Smaller blocks by their size in 8 bytes: a request takes a block of its
 * size or 8 bytes more (glibc's blocks hold 16k + 8 bytes). */
#define SMALL_MAX 4096
#define SMALL_KEEP 32
#define SMALL_BYTES (1024 * 1024)

typedef struct {
  void *blocks[POOL_MAX];
  guint len;
  void *small[SMALL_MAX / 8 + 2][SMALL_KEEP];
  guint small_len[SMALL_MAX / 8 + 2];
  gsize small_bytes;
} Pool;

static sqlite3_mem_methods system_malloc;
static int pool_block_size; /* system_malloc.xSize() of a POOL_REQUEST block */

static void
pool_release (gpointer data)
{
  Pool *pool = data;
  if (pool == NULL)
    return;
  while (pool->len > 0)
    system_malloc.xFree (pool->blocks[--pool->len]);
  for (guint c = 0; c < G_N_ELEMENTS (pool->small_len); c++)
    while (pool->small_len[c] > 0)
      system_malloc.xFree (pool->small[c][--pool->small_len[c]]);
  g_free (pool);
}

/* The calling thread's pool, made on its first use. The GPrivate only
 * frees it when the thread ends; reads go through the faster __thread
 * copy of the pointer. */
static GPrivate pool_owner = G_PRIVATE_INIT (pool_release);
static __thread Pool *thread_pool;

static Pool *
this_thread_pool (void)
{
  if (G_UNLIKELY (thread_pool == NULL))
    {
      thread_pool = g_new0 (Pool, 1);
      g_private_set (&pool_owner, thread_pool);
    }
  return thread_pool;
}

static void *
pool_malloc (int n)
{
  void *block = NULL;
  if (n == POOL_REQUEST)
    {
      Pool *pool = this_thread_pool ();
      if (pool->len > 0)
        block = pool->blocks[--pool->len];
    }
  else if (n > 0 && n <= SMALL_MAX && n % 8 == 0)
    {
      Pool *pool = this_thread_pool ();
      for (int c = n / 8; c <= n / 8 + 1 && block == NULL; c++)
        if (pool->small_len[c] > 0)
          {
            block = pool->small[c][--pool->small_len[c]];
            pool->small_bytes -= (gsize) c * 8;
          }
    }
  return block != NULL ? block : system_malloc.xMalloc (n);
}

/* Any block of the pooled size can serve a POOL_REQUEST. */
static void
pool_free (void *block)
{
  if (block == NULL)
    return;
  int size = system_malloc.xSize (block);
  if (size == pool_block_size)
    {
      Pool *pool = this_thread_pool ();
      if (pool->len < POOL_MAX)
        {
          pool->blocks[pool->len++] = block;
          return;
        }
    }
  else if (size > 0 && size <= SMALL_MAX + 8 && size % 8 == 0)
    {
      Pool *pool = this_thread_pool ();
      int c = size / 8;
      if (pool->small_len[c] < SMALL_KEEP && pool->small_bytes + (gsize) size <= SMALL_BYTES)
        {
          pool->small[c][pool->small_len[c]++] = block;
          pool->small_bytes += (gsize) size;
          return;
        }
    }
  system_malloc.xFree (block);
}

static void *
pool_realloc (void *block, int n)
{
  return system_malloc.xRealloc (block, n);
}

static int
pool_size (void *block)
{
  return system_malloc.xSize (block);
}

static int
pool_roundup (int n)
{
  return system_malloc.xRoundup (n);
}

static int
pool_init (void *data G_GNUC_UNUSED)
{
  return system_malloc.xInit (system_malloc.pAppData);
}

/* Only the calling thread's pool: others go when their threads end. */
static void
pool_shutdown (void *data G_GNUC_UNUSED)
{
  if (thread_pool != NULL)
    {
      g_private_replace (&pool_owner, NULL); /* frees it */
      thread_pool = NULL;
    }
  system_malloc.xShutdown (system_malloc.pAppData);
}

/* Both settings must come before SQLite initializes itself, on the first
 * open. SQLite's memory statistics take a process-wide mutex on every one
 * of its allocations: 180 lock/unlock pairs per stored message; baton never
 * reads them (no soft heap limit), so they are switched off. */
static gpointer
configure_sqlite (gpointer data G_GNUC_UNUSED)
{
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
  if (sqlite3_config (SQLITE_CONFIG_GETMALLOC, &system_malloc) != SQLITE_OK)
    return NULL;
  void *probe = system_malloc.xMalloc (system_malloc.xRoundup (POOL_REQUEST));
  if (probe == NULL)
    return NULL;
  pool_block_size = system_malloc.xSize (probe);
  system_malloc.xFree (probe);
  static const sqlite3_mem_methods pooled = {
    pool_malloc, pool_free, pool_realloc, pool_size, pool_roundup, pool_init, pool_shutdown, NULL,
  };
  sqlite3_config (SQLITE_CONFIG_MALLOC, &pooled);
  return NULL;
}

/* Only `baton init` creates a database (docs/DESIGN.md §5). A command that
 * created one wherever the config points would hide a deleted or truncated
 * file: numbering would restart at #1 and a running daemon keep writing into
 * the deleted inode. The file is created here, not by SQLite, so it starts
 * at 0600 whatever the umask: it holds every raw mail, and SQLite gives its
 * -wal and -shm files the database's own mode. */
static gboolean
create_file (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE,
                   "cannot create database %s: %s (check that its directory exists and is "
                   "writable)",
                   path, g_strerror (saved));
      return FALSE;
    }
  struct stat st;
  /* An existing database keeps its owner but loses what others could read. */
  if (fstat (fd, &st) == 0 && (st.st_mode & 077) != 0 && fchmod (fd, st.st_mode & 0700) == 0)
    g_message ("database %s: removed the access of group and others (it holds raw mail)", path);
  close (fd);
  static const char *const suffixes[] = { "-wal", "-shm" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *side = g_strconcat (path, suffixes[i], NULL);
      if (stat (side, &st) == 0 && (st.st_mode & 077) != 0)
        chmod (side, st.st_mode & 0700);
    }
  return TRUE;
}

/* A missing or empty file is never a database to open: refuse, naming the
 * command that makes one. */
static gboolean
check_exists (const char *path, GError **error)
{
  struct stat st;
  if (stat (path, &st) != 0)
    {
      int saved = errno;
      if (saved == ENOENT)
        g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT,
                     "database %s does not exist: create it with `baton init` (or restore it "
                     "from a backup)",
                     path);
      else
        g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE,
                     "database %s: %s (check the permissions of the file and its directory)", path,
                     g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_IO, "database %s is not a regular file", path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
remember_file (BatonStore *store, GError **error)
{
  struct stat st;
  if (stat (store->path, &st) != 0)
    return baton_store_check_file (store, error);
  store->device = st.st_dev;
  store->inode = st.st_ino;
  return TRUE;
}

/* An empty file (truncated, or created by something else) has user_version
 * 0: read before anything is written, so opening it changes nothing. */
static gboolean
check_not_empty (BatonStore *store, GError **error)
{
  int version = 0;
  if (!schema_version (store, &version, error))
    return FALSE;
  if (version == 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT,
                   "database %s is empty (truncated, or never initialised): restore it from a "
                   "backup, or start a new one with `baton init`",
                   store->path);
      return FALSE;
    }
  return TRUE;
}

static BatonStore *
open_store (const char *path, gboolean creating, GError **error)
{
  static GOnce configured = G_ONCE_INIT;
  g_once (&configured, configure_sqlite, NULL);
  if (creating ? !create_file (path, error) : !check_exists (path, error))
    return NULL;
  g_autoptr (BatonStore) store = g_new0 (BatonStore, 1);
  store->path = g_strdup (path);
  /* Keyed by the address of the SQL text: every query is a string literal
   * (the key is not copied), and hashing the address is cheaper than
   * hashing a long string on each of the thousands of calls per batch. */
  store->statements =
      g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_statement);
  /* One thread uses a connection (readahead.h parses, it never stores), so
   * SQLite's per-call connection mutex is not needed. No SQLITE_OPEN_CREATE:
   * the file exists (see create_file), and if it vanished since, SQLite must
   * not make a new one. */
  int rc = sqlite3_open_v2 (path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      store_set_error (store, rc, "opening", error);
      return NULL;
    }
  sqlite3_extended_result_codes (store->db, 1);
  if (!remember_file (store, error) || (!creating && !check_not_empty (store, error)))
    return NULL;
  /* Long enough for a digest run or a poll to finish its transaction; a
   * writer still waiting after that gets EX_TEMPFAIL and its mail stays put. */
  const char *timeout = g_getenv ("BATON_BUSY_TIMEOUT_MS");
  sqlite3_busy_timeout (store->db, timeout ? atoi (timeout) : 5000);
  /* synchronous = FULL: each commit's WAL is synced before COMMIT returns.
   * Under NORMAL it reaches the disk only at the next checkpoint, yet baton
   * acknowledges mail (exit 0 to the MTA, a move to cur/, an IMAP move)
   * right after the commit: a power cut in between would lose that mail.
   * It costs one fdatasync per batch, not per message. */
  if (!exec_sql (store, "PRAGMA journal_mode = WAL", "enabling WAL", error) ||
      !exec_sql (store,
                 "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY",
                 "setting pragmas", error) ||
      !migrate (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

BatonStore *
baton_store_open (const char *path, GError **error)
{
  return open_store (path, FALSE, error);
}

gboolean
baton_store_create (const char *path, GError **error)
{
  g_autoptr (BatonStore) store = open_store (path, TRUE, error);
  return store != NULL;
}

/* stat() of the path against the file opened: a database deleted or
 * replaced (restored from a backup, re-created by hand) under a running
 * process must stop it, not take its writes into an unlinked inode. */
gboolean
baton_store_check_file (BatonStore *store, GError **error)
{
  struct stat st;
  if (stat (store->path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, BATON_ERROR, BATON_ERROR_IO,
                   "database %s: %s since baton opened it: stopping rather than writing into a "
                   "deleted file (restore it, or run `baton init`, then start baton again)",
                   store->path, saved == ENOENT ? "deleted" : g_strerror (saved));
      return FALSE;
    }
  if (st.st_dev != store->device || st.st_ino != store->inode)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_IO,
                   "database %s was replaced by another file since baton opened it: stopping "
                   "(start baton again to use the new file)",
                   store->path);
      return FALSE;
    }
  return TRUE;
}

void
baton_store_close (BatonStore *store)
{
  if (store == NULL)
    return;
  if (store->in_transaction)
    baton_store_rollback (store);
  g_clear_pointer (&store->statements, g_hash_table_unref);
  g_free (store->undo_failure);
  sqlite3_close (store->db);
  g_free (store->path);
  g_free (store);
}

/* A statement run once per message: prepared once, like the queries. */
static gboolean
exec_prepared (BatonStore *store, const char *sql, const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (store, sql, error);
  return statement != NULL && store_exec_statement (store, statement, what, error);
}

gboolean
baton_store_begin (BatonStore *store, GError **error)
{
  if (!baton_store_check_file (store, error) ||
      !exec_prepared (store, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;
  store->in_transaction = TRUE;
  g_clear_pointer (&store->undo_failure, g_free);
  return TRUE;
}

/* FALSE with @error when an earlier undo failed and took the whole
 * transaction with it: committing now would acknowledge mail not stored. */
static gboolean
check_undo (BatonStore *store, GError **error)
{
  if (store->undo_failure == NULL)
    return TRUE;
  g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
               "nothing of this batch was stored: undoing one message's changes failed (%s); "
               "the mail stays where it is for the next run",
               store->undo_failure);
  return FALSE;
}

gboolean
baton_store_commit (BatonStore *store, GError **error)
{
  if (!check_undo (store, error))
    {
      baton_store_rollback (store);
      return FALSE;
    }
  if (!exec_prepared (store, "COMMIT", "committing", error))
    {
      baton_store_rollback (store);
      return FALSE;
    }
  store->in_transaction = FALSE;
  store->savepoint_depth = 0;
  return TRUE;
}

void
baton_store_rollback (BatonStore *store)
{
  if (sqlite3_get_autocommit (store->db) == 0)
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
  store->in_transaction = FALSE;
  store->savepoint_depth = 0;
  g_clear_pointer (&store->undo_failure, g_free);
}

gboolean
baton_store_savepoint (BatonStore *store, GError **error)
{
  if (!check_undo (store, error) ||
      !exec_prepared (store, "SAVEPOINT message", "starting a savepoint", error))
    return FALSE;
  store->savepoint_depth++;
  return TRUE;
}

gboolean
baton_store_release (BatonStore *store, GError **error)
{
  if (!exec_prepared (store, "RELEASE message", "releasing a savepoint", error))
    return FALSE;
  store->savepoint_depth--;
  return TRUE;
}

void
baton_store_rollback_to_savepoint (BatonStore *store)
{
  g_autoptr (GError) error = NULL;
  if (exec_prepared (store, "ROLLBACK TO message", "rolling back a savepoint", &error) &&
      exec_prepared (store, "RELEASE message", "releasing a savepoint", &error))
    {
      store->savepoint_depth--;
      return;
    }
  /* The message's writes could not be undone alone: undo the whole
   * transaction, and fail the next savepoint and the commit, so that no
   * message of the batch is acknowledged as stored. */
  baton_store_rollback (store);
  store->undo_failure = g_strdup (error->message);
}

/* Which earlier mail makes a Message-ID a duplicate. Only one a member
 * acted on (applied, partly, failed): a stranger who sends first with a
 * member's future (or guessed) Message-ID, or a forgery held by
 * require-auth, must not make the member's real mail a silent duplicate.
 * A replay of the member's mail still is one, and so is a replay of held
 * mail from the same sender (message_add keeps one row of it); a held row
 * is set aside when mail from someone else arrives with its Message-ID. */
static gboolean
is_held (const char *outcome)
{
  return g_strcmp0 (outcome, "quarantined") == 0 || g_strcmp0 (outcome, "ignored") == 0;
}

gboolean
baton_store_message_exists (BatonStore *store, const char *message_id, gboolean *exists,
                            GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT 1 FROM messages WHERE message_id = ?"
                       " AND outcome <> 'quarantined' AND outcome <> 'ignored'",
                       error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, message_id);
  return store_step_row (store, statement, exists, "looking up a Message-ID", error);
}

gboolean
baton_store_message_lookup (BatonStore *store, const char *message_id, gboolean *exists,
                            gint64 *held, char **held_sender, GError **error)
{
  *exists = FALSE;
  *held = 0;
  *held_sender = NULL;
  /* Message-IDs are unique: one row at most, held or not. */
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "SELECT id, sender, outcome FROM messages WHERE message_id = ?", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, message_id);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "looking up a Message-ID", error))
    return FALSE;
  if (!found)
    return TRUE;
  if (!is_held ((const char *) sqlite3_column_text (statement, 2)))
    {
      *exists = TRUE;
      return TRUE;
    }
  *held = sqlite3_column_int64 (statement, 0);
  *held_sender = store_column_text (statement, 1);
  return TRUE;
}

/* Reads LENGTH bytes at OFFSET of RAW's file into BUFFER. */
static gboolean
read_raw (BatonStore *store, const BatonRawMail *raw, char *buffer, gsize length, gsize offset,
          GError **error)
{
  errno = 0;
  if (pread (raw->fd, buffer, length, offset) == (ssize_t) length)
    return TRUE;
  g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
               "database %s: reading the message to store it: %s", store->path,
               errno ? g_strerror (errno) : "the file shrank");
  return FALSE;
}

/* Fills the zeroblob of message_raw row ID from RAW's file, a piece at a time. */
static gboolean
write_raw (BatonStore *store, gint64 id, const BatonRawMail *raw, GError **error)
{
  sqlite3_blob *blob = NULL;
  int rc = sqlite3_blob_open (store->db, "main", "message_raw", "raw", id, 1, &blob);
  char buffer[65536];
  for (gsize done = 0; rc == SQLITE_OK && done < raw->length;)
    {
      gsize n = MIN (sizeof buffer, raw->length - done);
      if (!read_raw (store, raw, buffer, n, done, error))
        {
          sqlite3_blob_close (blob);
          return FALSE;
        }
      rc = sqlite3_blob_write (blob, buffer, n, done);
      done += n;
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_blob_close (blob);
  else
    sqlite3_blob_close (blob);
  if (rc != SQLITE_OK)
    {
      store_set_error (store, rc, "storing a message", error);
      return FALSE;
    }
  return TRUE;
}

/* Mail up to this size is read whole and bound in one piece; bigger mail
 * from a file is streamed into a zeroblob so memory stays flat whatever
 * the attachment. */
#define RAW_IN_ONE_PIECE (256 * 1024)

static gboolean
store_raw (BatonStore *store, gint64 id, const BatonRawMail *raw, GError **error)
{
  g_autofree char *read_whole = NULL;
  const char *bytes = raw->data;
  if (bytes == NULL && raw->length <= RAW_IN_ONE_PIECE)
    {
      read_whole = g_malloc (raw->length + 1);
      if (!read_raw (store, raw, read_whole, raw->length, 0, error))
        return FALSE;
      bytes = read_whole;
    }
  g_autoptr (sqlite3_stmt) insert =
      store_statement (store,
                       bytes ? "INSERT INTO message_raw (message, raw) VALUES (?, ?)"
                             : "INSERT INTO message_raw (message, raw) VALUES (?, zeroblob (?))",
                       error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, id);
  if (bytes)
    sqlite3_bind_blob64 (insert, 2, bytes, raw->length, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (insert, 2, raw->length);
  return store_exec_statement (store, insert, "storing a message", error) &&
         (bytes != NULL || write_raw (store, id, raw, error));
}

/* The held (quarantined or ignored) row with MESSAGE_ID: *id 0 if none. */
static gboolean
find_held (BatonStore *store, const char *message_id, gint64 *id, char **sender, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT id, sender FROM messages WHERE message_id = ?"
                       " AND (outcome = 'quarantined' OR outcome = 'ignored')",
                       error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, message_id);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "looking up a held Message-ID", error))
    return FALSE;
  *id = found ? sqlite3_column_int64 (statement, 0) : 0;
  *sender = found ? store_column_text (statement, 1) : NULL;
  return TRUE;
}

/* Frees the Message-ID of held row ID for the mail that now arrives with
 * it. The new key has a space, which no Message-ID can hold, so it never
 * meets a real one. */
static gboolean
set_aside (BatonStore *store, gint64 id, const char *message_id, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store, "UPDATE messages SET message_id = ? WHERE id = ?", error);
  if (statement == NULL)
    return FALSE;
  g_autofree char *aside = g_strdup_printf ("%s (held, row %" G_GINT64_FORMAT ")", message_id, id);
  store_bind_text (statement, 1, aside);
  sqlite3_bind_int64 (statement, 2, id);
  return store_exec_statement (store, statement, "setting a held message aside", error);
}

/* An earlier held row with this Message-ID (see message_exists): the same
 * sender's held mail again is stored once (*reuse), anything else sets the
 * old row aside. */
static gboolean
resolve_held (BatonStore *store, const BatonMessageRecord *record, gint64 *reuse, GError **error)
{
  gint64 held = record->held;
  g_autofree char *found_sender = NULL;
  const char *sender = record->held_sender;
  *reuse = 0;
  if (!record->held_known)
    {
      if (!find_held (store, record->message_id, &held, &found_sender, error))
        return FALSE;
      sender = found_sender;
    }
  if (held == 0)
    return TRUE;
  if (is_held (record->outcome) && sender != NULL && record->sender != NULL &&
      g_ascii_strcasecmp (sender, record->sender) == 0)
    {
      *reuse = held;
      return TRUE;
    }
  return set_aside (store, held, record->message_id, error);
}

gint64
baton_store_message_add (BatonStore *store, const BatonMessageRecord *record, GError **error)
{
  gint64 reuse = 0;
  if (!resolve_held (store, record, &reuse, error))
    return 0;
  if (reuse != 0)
    return reuse;
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "INSERT INTO messages (message_id, sender, member, subject, date, received_at, source,"
      " outcome, reason, report, fingerprint_width, fingerprint_words, fingerprint)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
      error);
  if (statement == NULL)
    return 0;
  store_bind_fingerprint (statement, 11, record->fingerprint);
  store_bind_text (statement, 1, record->message_id);
  store_bind_text (statement, 2, record->sender);
  store_bind_text (statement, 3, record->member);
  store_bind_text (statement, 4, record->subject);
  sqlite3_bind_int64 (statement, 5, record->date);
  sqlite3_bind_int64 (statement, 6, record->received_at);
  store_bind_text (statement, 7, record->source);
  store_bind_text (statement, 8, record->outcome);
  store_bind_text (statement, 9, record->reason);
  store_bind_text (statement, 10, record->report);
  if (!store_exec_statement (store, statement, "storing a message", error))
    return 0;
  gint64 id = sqlite3_last_insert_rowid (store->db);
  if (record->keep_raw && !store_raw (store, id, record->raw, error))
    return 0;
  return id;
}

gboolean
baton_store_message_settle (BatonStore *store, gint64 id, const char *outcome, const char *report,
                            GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store, "UPDATE messages SET outcome = ?, report = ? WHERE id = ?", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, outcome);
  store_bind_text (statement, 2, report);
  sqlite3_bind_int64 (statement, 3, id);
  return store_exec_statement (store, statement, "settling a message", error);
}

static const BatonMember *
config_member (GPtrArray *config_members, const char *name)
{
  for (guint i = 0; i < config_members->len; i++)
    {
      const BatonMember *member = config_members->pdata[i];
      if (g_strcmp0 (member->name, name) == 0)
        return member;
    }
  return NULL;
}

gboolean
baton_store_members_match (BatonStore *store, GPtrArray *config_members, gboolean *match,
                           GError **error)
{
  *match = FALSE;
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT name, email, display_name, timezone, digest_minutes FROM members WHERE active = 1",
      error);
  if (statement == NULL)
    return FALSE;
  guint rows = 0;
  gboolean same = TRUE;
  int rc;
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      const BatonMember *member =
          config_member (config_members, (const char *) sqlite3_column_text (statement, 0));
      rows++;
      same = same && member != NULL &&
             g_strcmp0 (member->email, (const char *) sqlite3_column_text (statement, 1)) == 0 &&
             g_strcmp0 (member->display_name, (const char *) sqlite3_column_text (statement, 2)) ==
                 0 &&
             g_strcmp0 (member->timezone, (const char *) sqlite3_column_text (statement, 3)) == 0 &&
             member->digest_minutes == sqlite3_column_int (statement, 4);
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (store, rc, "reading members", error);
      return FALSE;
    }
  /* Names are unique on both sides: as many rows as members, each found. */
  *match = same && rows == config_members->len;
  return TRUE;
}

gboolean
baton_store_members_sync (BatonStore *store, GPtrArray *config_members, gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) retire = store_statement (store, "UPDATE members SET active = 0", error);
  if (retire == NULL || !store_exec_statement (store, retire, "syncing members", error))
    return FALSE;
  for (guint i = 0; i < config_members->len; i++)
    {
      const BatonMember *member = config_members->pdata[i];
      g_autoptr (sqlite3_stmt) upsert = store_statement (
          store,
          "INSERT INTO members (name, email, display_name, timezone, digest_minutes, joined_at)"
          " VALUES (?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET email = excluded.email,"
          " display_name = excluded.display_name, timezone = excluded.timezone,"
          " digest_minutes = excluded.digest_minutes, active = 1",
          error);
      if (upsert == NULL)
        return FALSE;
      store_bind_text (upsert, 1, member->name);
      store_bind_text (upsert, 2, member->email);
      store_bind_text (upsert, 3, member->display_name);
      store_bind_text (upsert, 4, member->timezone);
      sqlite3_bind_int (upsert, 5, member->digest_minutes);
      sqlite3_bind_int64 (upsert, 6, now);
      if (!store_exec_statement (store, upsert, "syncing members", error))
        return FALSE;
    }
  return TRUE;
}

gboolean
baton_store_member_joined (BatonStore *store, const char *name, gint64 *joined, GError **error)
{
  *joined = 0;
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store, "SELECT joined_at FROM members WHERE name = ?", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, name);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "reading a member", error))
    return FALSE;
  if (found)
    *joined = sqlite3_column_int64 (statement, 0);
  return TRUE;
}
