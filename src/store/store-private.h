/* SPDX-License-Identifier: MIT */
/* Shared by the store's files (store.c, store-tasks.c, store-outbox.c): the
 * only sources that include sqlite3.h. */
#pragma once
#include "baton/store.h"

#include <sqlite3.h>
#include <sys/types.h>

struct BatonStore {
  sqlite3 *db;
  char *path;
  GHashTable *statements; /* SQL text (static) → sqlite3_stmt*, prepared once */
  int savepoint_depth;
  gboolean in_transaction;
  char *undo_failure; /* owned: why undoing a savepoint failed; the transaction was
                       * rolled back whole and must not look committed */
  dev_t device;       /* the file opened, to notice it replaced or deleted */
  ino_t inode;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_reset)

/* A cached prepared statement for SQL (a string literal), reset and with
 * bindings cleared; NULL with ERROR set on failure. Use it with
 * g_autoptr (sqlite3_stmt) so it is reset when the caller is done. */
sqlite3_stmt *store_statement (BatonStore *store, const char *sql, GError **error);

/* Sets ERROR from the connection's last error, classed by its code. */
void store_set_error (BatonStore *store, int rc, const char *what, GError **error);
/* Steps @statement once: TRUE with *@found telling whether it gave a row,
 * FALSE with @error set (saying it was @what) when it failed. */
gboolean store_step_row (BatonStore *store, sqlite3_stmt *statement, gboolean *found,
                         const char *what, GError **error);

/* Steps a statement that returns no rows. */
gboolean store_exec_statement (BatonStore *store, sqlite3_stmt *statement, const char *what,
                               GError **error);

/* Column text copied (NULL stays NULL). */
char *store_column_text (sqlite3_stmt *statement, int column);

/* Binds TEXT or NULL. */
void store_bind_text (sqlite3_stmt *statement, int index, const char *text);

/* Binds FINGERPRINT's width, words and hashes (little-endian 32-bit
 * words, in a copy the statement owns) at INDEX and the two after it, or
 * three NULLs. */
void store_bind_fingerprint (sqlite3_stmt *statement, int index,
                             const BatonFingerprint *fingerprint);

/* Steps STATEMENT to the end, turning each row into an element with FROM_ROW;
 * NULL with ERROR set on failure. */
GPtrArray *store_collect_rows (BatonStore *store, sqlite3_stmt *statement,
                               gpointer (*from_row) (sqlite3_stmt *), GDestroyNotify free_row,
                               const char *what, GError **error);
