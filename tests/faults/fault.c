/* SPDX-License-Identifier: MIT */
/* LD_PRELOAD shim that makes baton's database fail on demand, for
 * tests/shell/faults.t. baton itself carries no test hooks: this library
 * sits between it and libsqlite3 (and libc, for the file writes).
 *
 *   BATON_FAULT=KIND:WHERE
 *     KIND   busy | locked | full | ioerr
 *     WHERE  N         the Nth call baton makes to sqlite3_step,
 *                      sqlite3_exec, sqlite3_blob_open or sqlite3_blob_write
 *                      (counted together from 1) fails without running
 *            sql:TEXT  the first call whose SQL starts with TEXT fails
 *                      without running (e.g. sql:COMMIT)
 *            write:N   the Nth pwrite() to a file whose name contains
 *                      ".db" fails with ENOSPC (full) or EIO (other kinds),
 *                      so SQLite itself meets the error, mid-commit
 *   BATON_FAULT_TRACE=FILE  appends "cN<TAB>SQL" for every database call,
 *                           "wN<TAB>..." for every database pwrite() and
 *                           "sN<TAB>sync FILE" for every fsync/fdatasync
 *                           of the database or its WAL
 *
 * A call fails once; later calls run normally, so the test also sees
 * what baton does after the error (it must roll back, not carry on).
 * Under ASan, list libasan first: LD_PRELOAD="libasan.so fault.so". */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { AT_NONE, AT_CALL, AT_SQL, AT_WRITE } Where;

static struct {
  int parsed;
  int code; /* the SQLite result a failed call returns */
  int err;  /* the errno a failed write sets */
  Where where;
  long target;   /* AT_CALL, AT_WRITE: which one fails */
  char sql[256]; /* AT_SQL: the prefix */
  long calls;
  long writes;
  int fired;
} fault;

static void
parse_fault (void)
{
  if (fault.parsed)
    return;
  fault.parsed = 1;
  const char *spec = getenv ("BATON_FAULT");
  if (spec == NULL || *spec == '\0')
    return;
  const char *colon = strchr (spec, ':');
  if (colon == NULL)
    return;
  size_t kind_length = (size_t) (colon - spec);
  if (strncmp (spec, "busy", kind_length) == 0)
    fault.code = SQLITE_BUSY, fault.err = EIO;
  else if (strncmp (spec, "locked", kind_length) == 0)
    fault.code = SQLITE_LOCKED, fault.err = EIO;
  else if (strncmp (spec, "full", kind_length) == 0)
    fault.code = SQLITE_FULL, fault.err = ENOSPC;
  else
    fault.code = SQLITE_IOERR_WRITE, fault.err = EIO;
  const char *where = colon + 1;
  if (strncmp (where, "sql:", 4) == 0)
    {
      fault.where = AT_SQL;
      snprintf (fault.sql, sizeof fault.sql, "%s", where + 4);
    }
  else if (strncmp (where, "write:", 6) == 0)
    fault.where = AT_WRITE, fault.target = atol (where + 6);
  else
    fault.where = AT_CALL, fault.target = atol (where);
}

static void
trace_line (char prefix, long number, const char *sql)
{
  const char *path = getenv ("BATON_FAULT_TRACE");
  if (path == NULL)
    return;
  FILE *out = fopen (path, "a");
  if (out == NULL)
    return;
  fprintf (out, "%c%ld\t", prefix, number);
  /* One line per call: multi-line SQL is flattened. */
  for (const char *p = sql ? sql : "?"; *p; p++)
    fputc (*p == '\n' ? ' ' : *p, out);
  fputc ('\n', out);
  fclose (out);
}

/* SQLite calls its own API too (sqlite3_exec steps, the schema loader
 * execs): only baton's calls count, or a fault could land where SQLite
 * ignores it and the test would check something no real failure does. */
static int
called_by_sqlite (const void *caller)
{
  Dl_info info;
  return dladdr (caller, &info) != 0 && info.dli_fname != NULL &&
         strstr (info.dli_fname, "libsqlite3") != NULL;
}

/* Counts one database call; true when it is the one that must fail. */
static int
should_fail (const void *caller, const char *sql)
{
  if (called_by_sqlite (caller))
    return 0;
  parse_fault ();
  long number = ++fault.calls;
  trace_line ('c', number, sql);
  if (fault.fired)
    return 0;
  int hit =
      (fault.where == AT_CALL && number == fault.target) ||
      (fault.where == AT_SQL && sql != NULL && strncmp (sql, fault.sql, strlen (fault.sql)) == 0);
  if (hit)
    {
      fault.fired = 1;
      fprintf (stderr, "fault.so: call %ld fails with %d: %s\n", number, fault.code,
               sql ? sql : "?");
    }
  return hit;
}

int
sqlite3_step (sqlite3_stmt *statement)
{
  static int (*real) (sqlite3_stmt *);
  if (real == NULL)
    real = (int (*) (sqlite3_stmt *)) dlsym (RTLD_NEXT, "sqlite3_step");
  if (should_fail (__builtin_return_address (0), sqlite3_sql (statement)))
    return fault.code;
  return real (statement);
}

int
sqlite3_exec (sqlite3 *db, const char *sql, int (*callback) (void *, int, char **, char **),
              void *argument, char **errmsg)
{
  static int (*real) (sqlite3 *, const char *, int (*) (void *, int, char **, char **), void *,
                      char **);
  if (real == NULL)
    real = (int (*) (sqlite3 *, const char *, int (*) (void *, int, char **, char **), void *,
                     char **)) dlsym (RTLD_NEXT, "sqlite3_exec");
  if (should_fail (__builtin_return_address (0), sql))
    return fault.code;
  return real (db, sql, callback, argument, errmsg);
}

/* Raw mail goes into its blob through incremental I/O: these count as
 * calls too, named "blob_open" and "blob_write" in the trace. */
int
sqlite3_blob_open (sqlite3 *db, const char *database, const char *table, const char *column,
                   sqlite3_int64 row, int flags, sqlite3_blob **blob)
{
  static int (*real) (sqlite3 *, const char *, const char *, const char *, sqlite3_int64, int,
                      sqlite3_blob **);
  if (real == NULL)
    real = (int (*) (sqlite3 *, const char *, const char *, const char *, sqlite3_int64, int,
                     sqlite3_blob **)) dlsym (RTLD_NEXT, "sqlite3_blob_open");
  if (should_fail (__builtin_return_address (0), "blob_open"))
    {
      *blob = NULL;
      return fault.code;
    }
  return real (db, database, table, column, row, flags, blob);
}

int
sqlite3_blob_write (sqlite3_blob *blob, const void *data, int count, int offset)
{
  static int (*real) (sqlite3_blob *, const void *, int, int);
  if (real == NULL)
    real =
        (int (*) (sqlite3_blob *, const void *, int, int)) dlsym (RTLD_NEXT, "sqlite3_blob_write");
  if (should_fail (__builtin_return_address (0), "blob_write"))
    return fault.code;
  return real (blob, data, count, offset);
}

/* Fills TARGET with the file's name when FD is the database or its WAL. */
static int
is_database_fd (int fd, char *target, size_t size)
{
  char link[64];
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink (link, target, size - 1);
  if (length <= 0)
    return 0;
  target[length] = '\0';
  return strstr (target, ".db") != NULL;
}

ssize_t
pwrite64 (int fd, const void *buffer, size_t count, off_t offset)
{
  static ssize_t (*real) (int, const void *, size_t, off_t);
  if (real == NULL)
    real = (ssize_t (*) (int, const void *, size_t, off_t)) dlsym (RTLD_NEXT, "pwrite64");
  parse_fault ();
  int traced = getenv ("BATON_FAULT_TRACE") != NULL;
  char path[PATH_MAX];
  if ((fault.where != AT_WRITE && !traced) || !is_database_fd (fd, path, sizeof path))
    return real (fd, buffer, count, offset);
  long number = ++fault.writes;
  if (traced)
    {
      char what[PATH_MAX + 64];
      const char *slash = strrchr (path, '/');
      snprintf (what, sizeof what, "%zu bytes to %s", count, slash ? slash + 1 : path);
      trace_line ('w', number, what);
    }
  if (fault.where == AT_WRITE && !fault.fired && number == fault.target)
    {
      fault.fired = 1;
      fprintf (stderr, "fault.so: write %ld to the database fails (errno %d)\n", fault.writes,
               fault.err);
      errno = fault.err;
      return -1;
    }
  return real (fd, buffer, count, offset);
}

/* Traces a sync of the database or its WAL: the test checks the commit is
 * on disk before baton says the mail is delivered. */
static void
trace_sync (int fd)
{
  static long syncs;
  char path[PATH_MAX];
  if (getenv ("BATON_FAULT_TRACE") == NULL || !is_database_fd (fd, path, sizeof path))
    return;
  const char *slash = strrchr (path, '/');
  char what[PATH_MAX + 16];
  snprintf (what, sizeof what, "sync %s", slash ? slash + 1 : path);
  trace_line ('s', ++syncs, what);
}

int
fdatasync (int fd)
{
  static int (*real) (int);
  if (real == NULL)
    real = (int (*) (int)) dlsym (RTLD_NEXT, "fdatasync");
  trace_sync (fd);
  return real (fd);
}

int
fsync (int fd)
{
  static int (*real) (int);
  if (real == NULL)
    real = (int (*) (int)) dlsym (RTLD_NEXT, "fsync");
  trace_sync (fd);
  return real (fd);
}
