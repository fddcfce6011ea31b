/* SPDX-License-Identifier: MIT */
/* What leaves baton (outbox), what it remembers of what it sent (threads),
 * where the IMAP poller stopped, and when each digest went out. */
#define G_LOG_DOMAIN "baton-store"
#include "store-private.h"

void
baton_outgoing_free (BatonOutgoing *outgoing)
{
  if (outgoing == NULL)
    return;
  g_free (outgoing->message_id);
  g_free (outgoing->kind);
  g_free (outgoing->recipient);
  g_free (outgoing->envelope_from);
  g_clear_pointer (&outgoing->mime, g_bytes_unref);
  g_free (outgoing->last_error);
  g_free (outgoing);
}

gboolean
baton_store_thread_add (BatonStore *store, const char *message_id, gint64 task, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "INSERT OR REPLACE INTO threads (message_id, task) VALUES (?, ?)", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, message_id);
  if (task > 0)
    sqlite3_bind_int64 (statement, 2, task);
  else
    sqlite3_bind_null (statement, 2);
  return store_exec_statement (store, statement, "remembering a sent Message-ID", error);
}

gboolean
baton_store_thread_task (BatonStore *store, char *const *ids, gint64 *task, GError **error)
{
  *task = 0;
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      g_autoptr (sqlite3_stmt) statement =
          store_statement (store, "SELECT task FROM threads WHERE message_id = ?", error);
      if (statement == NULL)
        return FALSE;
      store_bind_text (statement, 1, ids[i]);
      int rc = sqlite3_step (statement);
      if (rc == SQLITE_ROW && sqlite3_column_int64 (statement, 0) > 0)
        {
          *task = sqlite3_column_int64 (statement, 0);
          return TRUE;
        }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          store_set_error (store, rc, "looking up a thread", error);
          return FALSE;
        }
    }
  return TRUE;
}

gint64
baton_store_outbox_add (BatonStore *store, const BatonOutgoing *outgoing, gint64 now,
                        GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "INSERT INTO outbox (message_id, kind, recipient, envelope_from, mime, task, created_at,"
      " not_before, next_attempt, fingerprint_width, fingerprint_words, fingerprint)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      error);
  if (statement == NULL)
    return 0;
  store_bind_fingerprint (statement, 10, outgoing->fingerprint);
  gsize size = 0;
  const void *mime = g_bytes_get_data (outgoing->mime, &size);
  store_bind_text (statement, 1, outgoing->message_id);
  store_bind_text (statement, 2, outgoing->kind);
  store_bind_text (statement, 3, outgoing->recipient);
  store_bind_text (statement, 4, outgoing->envelope_from);
  sqlite3_bind_blob64 (statement, 5, mime ? mime : "", size, SQLITE_STATIC);
  if (outgoing->task > 0)
    sqlite3_bind_int64 (statement, 6, outgoing->task);
  else
    sqlite3_bind_null (statement, 6);
  sqlite3_bind_int64 (statement, 7, now);
  sqlite3_bind_int64 (statement, 8, outgoing->not_before);
  sqlite3_bind_int64 (statement, 9, outgoing->not_before);
  if (!store_exec_statement (store, statement, "queueing a mail", error))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

static BatonOutgoing *
outgoing_from_row (sqlite3_stmt *statement)
{
  BatonOutgoing *outgoing = g_new0 (BatonOutgoing, 1);
  outgoing->id = sqlite3_column_int64 (statement, 0);
  outgoing->message_id = store_column_text (statement, 1);
  outgoing->kind = store_column_text (statement, 2);
  outgoing->recipient = store_column_text (statement, 3);
  outgoing->envelope_from = store_column_text (statement, 4);
  outgoing->mime =
      g_bytes_new (sqlite3_column_blob (statement, 5), sqlite3_column_bytes (statement, 5));
  outgoing->task = sqlite3_column_int64 (statement, 6);
  outgoing->not_before = sqlite3_column_int64 (statement, 7);
  outgoing->attempts = sqlite3_column_int (statement, 8);
  outgoing->next_attempt = sqlite3_column_int64 (statement, 9);
  outgoing->last_error = store_column_text (statement, 10);
  return outgoing;
}

GPtrArray *
baton_store_outbox_due (BatonStore *store, gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT id, message_id, kind, recipient, envelope_from, mime, task, not_before, attempts,"
      " next_attempt, last_error FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
      " AND not_before <= ?1 AND next_attempt <= ?1 ORDER BY id",
      error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, now);
  return store_collect_rows (store, statement, (gpointer (*) (sqlite3_stmt *)) outgoing_from_row,
                             (GDestroyNotify) baton_outgoing_free, "reading the outbox", error);
}

gboolean
baton_store_outbox_mark_sent (BatonStore *store, gint64 id, gint64 at, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
      error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, at);
  sqlite3_bind_int64 (statement, 2, id);
  return store_exec_statement (store, statement, "marking a mail sent", error);
}

gboolean
baton_store_outbox_mark_retry (BatonStore *store, gint64 id, gint64 next_attempt, const char *why,
                               GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "UPDATE outbox SET next_attempt = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
      error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, next_attempt);
  store_bind_text (statement, 2, why);
  sqlite3_bind_int64 (statement, 3, id);
  return store_exec_statement (store, statement, "scheduling a retry", error);
}

gboolean
baton_store_outbox_mark_failed (BatonStore *store, gint64 id, gint64 at, const char *why,
                                GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "UPDATE outbox SET failed_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
      error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, at);
  store_bind_text (statement, 2, why);
  sqlite3_bind_int64 (statement, 3, id);
  return store_exec_statement (store, statement, "marking a mail failed", error);
}

gboolean
baton_store_outbox_count_kinds (BatonStore *store, const char *recipient, const char *const *kinds,
                                guint n_kinds, gint64 since, gint64 *count, GError **error)
{
  *count = 0;
  g_return_val_if_fail (n_kinds >= 1 && n_kinds <= BATON_STORE_COUNT_KINDS, FALSE);
  /* One statement where a count per kind was three, each kind its own
   * range of the index (recipient, kind, created_at): "kind IN (…)" built
   * a table of the kinds on every run and cost twice the three. A kind
   * bound to NULL matches nothing. */
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT (SELECT count(*) FROM outbox WHERE recipient = ?1 AND kind = ?2 AND created_at > ?5)"
      " + (SELECT count(*) FROM outbox WHERE recipient = ?1 AND kind = ?3 AND created_at > ?5)"
      " + (SELECT count(*) FROM outbox WHERE recipient = ?1 AND kind = ?4 AND created_at > ?5)",
      error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, recipient);
  for (guint i = 0; i < BATON_STORE_COUNT_KINDS; i++)
    store_bind_text (statement, 2 + (int) i, i < n_kinds ? kinds[i] : NULL);
  sqlite3_bind_int64 (statement, 2 + BATON_STORE_COUNT_KINDS, since);
  int rc = sqlite3_step (statement);
  if (rc != SQLITE_ROW)
    {
      store_set_error (store, rc, "counting mail", error);
      return FALSE;
    }
  *count = sqlite3_column_int64 (statement, 0);
  return TRUE;
}

gboolean
baton_store_outbox_count (BatonStore *store, const char *recipient, const char *kind, gint64 since,
                          gint64 *count, GError **error)
{
  const char *kinds[] = { kind };
  return baton_store_outbox_count_kinds (store, recipient, kinds, 1, since, count, error);
}

gboolean
baton_store_outbox_superseded (BatonStore *store, gint64 id, const char *recipient,
                               const char *kind, gint64 task, gboolean *later, GError **error)
{
  *later = FALSE;
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT 1 FROM outbox WHERE recipient = ? AND kind = ? AND task = ?"
                       " AND id > ? AND failed_at IS NULL LIMIT 1",
                       error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, recipient);
  store_bind_text (statement, 2, kind);
  sqlite3_bind_int64 (statement, 3, task);
  sqlite3_bind_int64 (statement, 4, id);
  return store_step_row (store, statement, later, "looking for a newer notice", error);
}

gboolean
baton_store_imap_get (BatonStore *store, const char *mailbox, guint32 *uidvalidity,
                      guint32 *last_uid, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, mailbox);
  *uidvalidity = *last_uid = 0;
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "reading the IMAP position", error))
    return FALSE;
  if (found)
    {
      *uidvalidity = (guint32) sqlite3_column_int64 (statement, 0);
      *last_uid = (guint32) sqlite3_column_int64 (statement, 1);
    }
  return TRUE;
}

gboolean
baton_store_imap_set (BatonStore *store, const char *mailbox, guint32 uidvalidity, guint32 last_uid,
                      GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "INSERT OR REPLACE INTO imap_state (mailbox, uidvalidity, last_uid) VALUES (?, ?, ?)",
      error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, mailbox);
  sqlite3_bind_int64 (statement, 2, uidvalidity);
  sqlite3_bind_int64 (statement, 3, last_uid);
  return store_exec_statement (store, statement, "saving the IMAP position", error);
}

/* The old key, when one row matches: PREFIX, then digits (the port),
 * then SUFFIX, with the same UIDVALIDITY, and the new key is not taken. */
static char *
find_old_imap_key (BatonStore *store, const char *mailbox, const char *prefix, const char *suffix,
                   guint32 uidvalidity, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT mailbox FROM imap_state WHERE uidvalidity = ?4 AND mailbox <> ?1"
      " AND substr(mailbox, 1, length(?2)) = ?2 AND substr(mailbox, -length(?3)) = ?3"
      " AND length(mailbox) > length(?2) + length(?3)"
      " AND NOT EXISTS (SELECT 1 FROM imap_state WHERE mailbox = ?1)",
      error);
  if (statement == NULL)
    return NULL;
  store_bind_text (statement, 1, mailbox);
  store_bind_text (statement, 2, prefix);
  store_bind_text (statement, 3, suffix);
  sqlite3_bind_int64 (statement, 4, uidvalidity);
  int rc;
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      g_autofree char *key = store_column_text (statement, 0);
      const char *port = key + strlen (prefix);
      gsize digits = strlen (key) - strlen (prefix) - strlen (suffix);
      if (strspn (port, "0123456789") == digits)
        return g_steal_pointer (&key);
    }
  if (rc != SQLITE_DONE)
    store_set_error (store, rc, "reading the IMAP position", error);
  return NULL;
}

static gboolean
rename_imap_key (BatonStore *store, const char *table, const char *from, const char *to,
                 GError **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET mailbox = ?1 WHERE mailbox = ?2", table);
  g_autoptr (sqlite3_stmt) statement = store_statement (store, sql, error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, to);
  store_bind_text (statement, 2, from);
  return store_exec_statement (store, statement, "moving the IMAP position", error);
}

gboolean
baton_store_imap_adopt (BatonStore *store, const char *mailbox, const char *prefix,
                        const char *suffix, guint32 uidvalidity, char **old_key, GError **error)
{
  *old_key = NULL;
  if (!baton_store_begin (store, error))
    return FALSE;
  g_autoptr (GError) failure = NULL;
  g_autofree char *found =
      find_old_imap_key (store, mailbox, prefix, suffix, uidvalidity, &failure);
  if (failure == NULL && found != NULL &&
      (!rename_imap_key (store, "imap_state", found, mailbox, &failure) ||
       !rename_imap_key (store, "imap_pending", found, mailbox, &failure)))
    g_clear_pointer (&found, g_free);
  if (failure == NULL && baton_store_commit (store, &failure))
    {
      *old_key = g_steal_pointer (&found);
      return TRUE;
    }
  baton_store_rollback (store);
  g_propagate_error (error, g_steal_pointer (&failure));
  return FALSE;
}

gboolean
baton_store_imap_pending_add (BatonStore *store, const char *mailbox, guint32 uid,
                              const char *folder, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "INSERT OR REPLACE INTO imap_pending (mailbox, uid, folder) VALUES (?, ?, ?)", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, mailbox);
  sqlite3_bind_int64 (statement, 2, uid);
  store_bind_text (statement, 3, folder);
  return store_exec_statement (store, statement, "remembering a message to move", error);
}

GArray *
baton_store_imap_pending_uids (BatonStore *store, const char *mailbox, const char *folder,
                               GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "SELECT uid FROM imap_pending WHERE mailbox = ? AND folder = ? ORDER BY uid", error);
  if (statement == NULL)
    return NULL;
  store_bind_text (statement, 1, mailbox);
  store_bind_text (statement, 2, folder);
  g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  int rc;
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      guint32 uid = (guint32) sqlite3_column_int64 (statement, 0);
      g_array_append_val (uids, uid);
    }
  if (rc != SQLITE_DONE)
    {
      store_set_error (store, rc, "reading messages to move", error);
      return NULL;
    }
  return g_steal_pointer (&uids);
}

static gpointer
folder_from_row (sqlite3_stmt *statement)
{
  return store_column_text (statement, 0);
}

GPtrArray *
baton_store_imap_pending_folders (BatonStore *store, const char *mailbox, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "SELECT DISTINCT folder FROM imap_pending WHERE mailbox = ? ORDER BY folder", error);
  if (statement == NULL)
    return NULL;
  store_bind_text (statement, 1, mailbox);
  return store_collect_rows (store, statement, folder_from_row, g_free, "reading messages to move",
                             error);
}

gboolean
baton_store_imap_pending_clear (BatonStore *store, const char *mailbox, const char *folder,
                                GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "DELETE FROM imap_pending WHERE mailbox = ?1 AND (?2 IS NULL OR folder = ?2)", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, mailbox);
  store_bind_text (statement, 2, folder);
  return store_exec_statement (store, statement, "forgetting moved messages", error);
}
