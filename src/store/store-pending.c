/* SPDX-License-Identifier: MIT */
/* Handoffs waiting to be accepted: the `pending` table, one row per task
 * (include/baton/store.h). */
#define G_LOG_DOMAIN "baton-store"
#include "store-private.h"

void
baton_pending_free (BatonPending *pending)
{
  if (pending == NULL)
    return;
  g_free (pending->receiver);
  g_free (pending->giver);
  g_free (pending);
}

gboolean
baton_store_pending_set (BatonStore *store, gint64 task, const char *receiver, const char *giver,
                         gint64 since, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "INSERT INTO pending (task, receiver, giver, since) VALUES (?, ?, ?, ?)"
      " ON CONFLICT (task) DO UPDATE SET receiver = excluded.receiver, giver = excluded.giver,"
      " since = excluded.since, reminded_at = NULL, escalated_at = NULL",
      error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, task);
  store_bind_text (statement, 2, receiver);
  store_bind_text (statement, 3, giver);
  sqlite3_bind_int64 (statement, 4, since);
  return store_exec_statement (store, statement, "recording a handoff to accept", error);
}

gboolean
baton_store_pending_clear (BatonStore *store, gint64 task, gboolean *was_pending, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store, "DELETE FROM pending WHERE task = ?", error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, task);
  if (!store_exec_statement (store, statement, "recording a handoff accepted", error))
    return FALSE;
  if (was_pending != NULL)
    *was_pending = sqlite3_changes (sqlite3_db_handle (statement)) > 0;
  return TRUE;
}

static gpointer
pending_from_row (sqlite3_stmt *statement)
{
  BatonPending *pending = g_new0 (BatonPending, 1);
  pending->task = sqlite3_column_int64 (statement, 0);
  pending->receiver = store_column_text (statement, 1);
  pending->giver = store_column_text (statement, 2);
  pending->since = sqlite3_column_int64 (statement, 3);
  pending->reminded_at = sqlite3_column_int64 (statement, 4);
  pending->escalated_at = sqlite3_column_int64 (statement, 5);
  return pending;
}

BatonPending *
baton_store_pending_get (BatonStore *store, gint64 task, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT task, receiver, giver, since, coalesce (reminded_at, 0), coalesce (escalated_at, 0)"
      " FROM pending WHERE task = ?",
      error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, task);
  g_autoptr (GPtrArray) rows =
      store_collect_rows (store, statement, pending_from_row, (GDestroyNotify) baton_pending_free,
                          "reading a handoff to accept", error);
  if (rows == NULL || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

GPtrArray *
baton_store_pending_all (BatonStore *store, GError **error)
{
  return baton_store_pending_to_check (store, TRUE, error);
}

GPtrArray *
baton_store_pending_to_check (BatonStore *store, gboolean with_finished, GError **error)
{
  /* A handoff never accepted keeps its row for ever (the digest's WAITING
   * FOR YOU, the board): without return-after, each cron run reading it
   * again would cost more every week. */
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      with_finished ? "SELECT task, receiver, giver, since, coalesce (reminded_at, 0),"
                      " coalesce (escalated_at, 0) FROM pending ORDER BY since, task"
                    : "SELECT task, receiver, giver, since, coalesce (reminded_at, 0),"
                      " coalesce (escalated_at, 0) FROM pending"
                      " WHERE reminded_at IS NULL OR escalated_at IS NULL ORDER BY since, task",
      error);
  if (statement == NULL)
    return NULL;
  return store_collect_rows (store, statement, pending_from_row,
                             (GDestroyNotify) baton_pending_free, "reading the handoffs to accept",
                             error);
}

gboolean
baton_store_pending_mark (BatonStore *store, gint64 task, gboolean escalation, gint64 at,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       escalation ? "UPDATE pending SET escalated_at = ? WHERE task = ?"
                                  : "UPDATE pending SET reminded_at = ? WHERE task = ?",
                       error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, at);
  sqlite3_bind_int64 (statement, 2, task);
  return store_exec_statement (store, statement, "recording a reminder sent", error);
}

gboolean
baton_store_pending_settle (BatonStore *store, gint64 task, gint64 message, gboolean *was_pending,
                            GError **error)
{
  if (message > 0)
    {
      g_autoptr (sqlite3_stmt) keep = store_statement (
          store,
          "INSERT INTO pending_settled (message, task, receiver, giver, since, reminded_at,"
          " escalated_at) SELECT ?, task, receiver, giver, since, reminded_at, escalated_at"
          " FROM pending WHERE task = ?",
          error);
      if (keep == NULL)
        return FALSE;
      sqlite3_bind_int64 (keep, 1, message);
      sqlite3_bind_int64 (keep, 2, task);
      if (!store_exec_statement (store, keep, "keeping a settled handoff for undo", error))
        return FALSE;
    }
  return baton_store_pending_clear (store, task, was_pending, error);
}

BatonPending *
baton_store_pending_settled (BatonStore *store, gint64 message, gint64 task, GError **error)
{
  /* The first a mail settled is the one that waited before it. */
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT task, receiver, giver, since, coalesce (reminded_at, 0), coalesce (escalated_at, 0)"
      " FROM pending_settled WHERE message = ? AND task = ? ORDER BY id LIMIT 1",
      error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, message);
  sqlite3_bind_int64 (statement, 2, task);
  g_autoptr (GPtrArray) rows =
      store_collect_rows (store, statement, pending_from_row, (GDestroyNotify) baton_pending_free,
                          "reading a settled handoff", error);
  if (rows == NULL || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

gboolean
baton_store_pending_restore (BatonStore *store, const BatonPending *pending, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "INSERT OR REPLACE INTO pending (task, receiver, giver, since, reminded_at, escalated_at)"
      " VALUES (?, ?, ?, ?, nullif (?, 0), nullif (?, 0))",
      error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, pending->task);
  store_bind_text (statement, 2, pending->receiver);
  store_bind_text (statement, 3, pending->giver);
  sqlite3_bind_int64 (statement, 4, pending->since);
  sqlite3_bind_int64 (statement, 5, pending->reminded_at);
  sqlite3_bind_int64 (statement, 6, pending->escalated_at);
  return store_exec_statement (store, statement, "putting back a handoff to accept", error);
}
