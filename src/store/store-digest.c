/* SPDX-License-Identifier: MIT */
/* What a digest reads that nothing else does: where each member's window
 * stands in the log, and the held mail inside a window. */
#define G_LOG_DOMAIN "baton-store"
#include "store-private.h"

/* A member who never had a digest starts at their join time: the rows
 * before it belong to the team's past, not to their first digest. */
static gboolean
mark_from_join (BatonStore *store, const char *member, BatonDigestMark *mark, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT joined_at,"
      " coalesce ((SELECT max (id) FROM events WHERE at < joined_at), 0),"
      " coalesce ((SELECT max (id) FROM messages WHERE received_at < joined_at), 0)"
      " FROM members WHERE name = ?",
      error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, member);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "reading a member's join time", error))
    return FALSE;
  if (found)
    *mark =
        (BatonDigestMark){ sqlite3_column_int64 (statement, 0), sqlite3_column_int64 (statement, 1),
                           sqlite3_column_int64 (statement, 2), FALSE };
  return TRUE;
}

gboolean
baton_store_digest_mark (BatonStore *store, const char *member, BatonDigestMark *mark,
                         GError **error)
{
  *mark = (BatonDigestMark){ 0, 0, 0, FALSE };
  gboolean found = FALSE;
  {
    g_autoptr (sqlite3_stmt) statement = store_statement (
        store, "SELECT last_at, last_event, last_message FROM digests WHERE member = ?", error);
    if (statement == NULL)
      return FALSE;
    store_bind_text (statement, 1, member);
    if (!store_step_row (store, statement, &found, "reading the last digest", error))
      return FALSE;
    if (found)
      *mark = (BatonDigestMark){ sqlite3_column_int64 (statement, 0),
                                 sqlite3_column_int64 (statement, 1),
                                 sqlite3_column_int64 (statement, 2), TRUE };
  }
  return found || mark_from_join (store, member, mark, error);
}

gboolean
baton_store_digest_mark_set (BatonStore *store, const char *member, const BatonDigestMark *mark,
                             GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "INSERT OR REPLACE INTO digests (member, last_at, last_event, last_message)"
                       " VALUES (?, ?, ?, ?)",
                       error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, member);
  sqlite3_bind_int64 (statement, 2, mark->at);
  sqlite3_bind_int64 (statement, 3, mark->last_event);
  sqlite3_bind_int64 (statement, 4, mark->last_message);
  return store_exec_statement (store, statement, "recording a digest", error);
}

gboolean
baton_store_log_end (BatonStore *store, gint64 *last_event, gint64 *last_message, GError **error)
{
  *last_event = *last_message = 0;
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT coalesce ((SELECT max (id) FROM events), 0),"
                       " coalesce ((SELECT max (id) FROM messages), 0)",
                       error);
  if (statement == NULL)
    return FALSE;
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "reading the end of the event log", error))
    return FALSE;
  *last_event = sqlite3_column_int64 (statement, 0);
  *last_message = sqlite3_column_int64 (statement, 1);
  return TRUE;
}

void
baton_held_mail_free (BatonHeldMail *held)
{
  if (held == NULL)
    return;
  g_free (held->sender);
  g_free (held->subject);
  g_free (held->reason);
  g_free (held);
}

static gpointer
held_from_row (sqlite3_stmt *statement)
{
  BatonHeldMail *held = g_new0 (BatonHeldMail, 1);
  held->id = sqlite3_column_int64 (statement, 0);
  held->sender = store_column_text (statement, 1);
  held->subject = store_column_text (statement, 2);
  held->reason = store_column_text (statement, 3);
  held->received_at = sqlite3_column_int64 (statement, 4);
  return held;
}

GPtrArray *
baton_store_held_window (BatonStore *store, gint64 after_id, gint64 upto_id, guint limit,
                         gint64 *more, GError **error)
{
  *more = 0;
  /* Strangers decide how many there are: count them, read only a few. */
  {
    g_autoptr (sqlite3_stmt) count = store_statement (
        store,
        "SELECT count (*) FROM messages WHERE id > ? AND id <= ? AND outcome = 'quarantined'",
        error);
    if (count == NULL)
      return NULL;
    sqlite3_bind_int64 (count, 1, after_id);
    sqlite3_bind_int64 (count, 2, upto_id);
    gboolean found = FALSE;
    if (!store_step_row (store, count, &found, "counting held mail", error))
      return NULL;
    *more = MAX (sqlite3_column_int64 (count, 0) - (gint64) limit, 0);
  }
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT id, sender, subject, reason, received_at FROM messages"
                       " WHERE id > ? AND id <= ? AND outcome = 'quarantined' ORDER BY id LIMIT ?",
                       error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, after_id);
  sqlite3_bind_int64 (statement, 2, upto_id);
  sqlite3_bind_int64 (statement, 3, limit);
  return store_collect_rows (store, statement, held_from_row, (GDestroyNotify) baton_held_mail_free,
                             "reading held mail", error);
}
