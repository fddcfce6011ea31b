/* SPDX-License-Identifier: MIT */
/* Away periods: the one table the `away` and `back` mail commands write and
 * the schedule reads, kept apart from the task tables. */
#define G_LOG_DOMAIN "baton-store"
#include "baton/worktime.h"
#include "store-private.h"

gboolean
baton_store_away_set (BatonStore *store, const char *member, guint32 first, guint32 last,
                      gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "INSERT INTO away (member, first_day, last_day, set_at) VALUES (?, ?, ?, ?)"
                       " ON CONFLICT (member) DO UPDATE SET first_day = excluded.first_day,"
                       " last_day = excluded.last_day, set_at = excluded.set_at",
                       error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, member);
  sqlite3_bind_int64 (statement, 2, first);
  sqlite3_bind_int64 (statement, 3, last);
  sqlite3_bind_int64 (statement, 4, now);
  return store_exec_statement (store, statement, "recording an away period", error);
}

gboolean
baton_store_away_clear (BatonStore *store, const char *member, gboolean *was_away, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store, "DELETE FROM away WHERE member = ?", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, member);
  if (!store_exec_statement (store, statement, "ending an away period", error))
    return FALSE;
  if (was_away != NULL)
    *was_away = sqlite3_changes (sqlite3_db_handle (statement)) > 0;
  return TRUE;
}

GArray *
baton_store_away_get (BatonStore *store, const char *member, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store, "SELECT first_day, last_day FROM away WHERE member = ?", error);
  if (statement == NULL)
    return NULL;
  store_bind_text (statement, 1, member);
  g_autoptr (GArray) periods = g_array_new (FALSE, FALSE, sizeof (BatonAway));
  int rc;
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 first = sqlite3_column_int64 (statement, 0),
             last = sqlite3_column_int64 (statement, 1);
      /* Only what a Julian day can be: the table is ours, but a file is a file. */
      if (first >= 1 && last >= first && last <= G_MAXUINT32)
        {
          BatonAway away = { (guint32) first, (guint32) last };
          g_array_append_val (periods, away);
        }
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (store, rc, "reading away periods", error);
      return NULL;
    }
  return g_steal_pointer (&periods);
}
