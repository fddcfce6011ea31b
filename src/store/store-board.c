/* SPDX-License-Identifier: MIT */
/* What the board needs beyond the task and event queries: a cheap way to
 * tell whether anything changed since the site was last written. */
#define G_LOG_DOMAIN "baton-store"
#include "store-private.h"

gboolean
baton_store_change_stamp (BatonStore *store, gint64 stamp[3], GError **error)
{
  stamp[0] = stamp[1] = stamp[2] = 0;
  /* Every change to a task records an event, so the newest event id moves
   * with each one; the task count and newest update guard the rest. */
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT (SELECT COALESCE (MAX (id), 0) FROM events),"
                       " (SELECT COUNT (*) FROM tasks),"
                       " (SELECT COALESCE (MAX (updated_at), 0) FROM tasks)",
                       error);
  if (statement == NULL)
    return FALSE;
  int rc = sqlite3_step (statement);
  if (rc != SQLITE_ROW)
    {
      store_set_error (store, rc, "reading the board's change stamp", error);
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    stamp[i] = sqlite3_column_int64 (statement, i);
  return TRUE;
}
