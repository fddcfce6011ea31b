/* SPDX-License-Identifier: MIT */
/* Fingerprints of the text of every mail baton sent (in its outbox row)
 * or ingested (in its messages row), by Message-ID, so that a reply
 * pasting one can be recognised (include/baton/ancestry.h). The hashes are
 * stored as little-endian 32-bit words: 16 KB at most per mail. */
#define G_LOG_DOMAIN "baton-store"
#include "store-private.h"

#include <string.h>

static gpointer
first_column (sqlite3_stmt *statement)
{
  return store_column_text (statement, 0);
}

void
store_bind_fingerprint (sqlite3_stmt *statement, int index, const BatonFingerprint *fingerprint)
{
  if (fingerprint == NULL)
    {
      for (int i = 0; i < 3; i++)
        sqlite3_bind_null (statement, index + i);
      return;
    }
  guint n = fingerprint->hashes->len;
  guint32 *blob = g_new (guint32, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    blob[i] = GUINT32_TO_LE (g_array_index (fingerprint->hashes, guint32, i));
  sqlite3_bind_int (statement, index, fingerprint->width);
  sqlite3_bind_int64 (statement, index + 1, fingerprint->words);
  /* SQLite frees it when the binding is cleared (store_statement()). */
  sqlite3_bind_blob64 (statement, index + 2, blob, (sqlite3_uint64) n * sizeof (guint32), g_free);
}

BatonFingerprint *
baton_store_fingerprint_get (BatonStore *store, const char *message_id, gboolean *sent,
                             GError **error)
{
  /* What baton sent first: its own mail coming back is stored as ingested
   * too, under the same id. */
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT 1, fingerprint_width, fingerprint_words, fingerprint FROM outbox"
                       " WHERE message_id = ?1 AND fingerprint IS NOT NULL"
                       " UNION ALL SELECT 0, fingerprint_width, fingerprint_words, fingerprint"
                       " FROM messages WHERE message_id = ?1 AND fingerprint IS NOT NULL LIMIT 1",
                       error);
  if (statement == NULL)
    return NULL;
  store_bind_text (statement, 1, message_id);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "reading a mail's fingerprint", error) || !found)
    return NULL;
  gsize size = sqlite3_column_bytes (statement, 3);
  const guint8 *bytes = sqlite3_column_blob (statement, 3);
  gsize n = size / sizeof (guint32);
  g_autofree guint32 *hashes = g_new (guint32, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      guint32 word;
      memcpy (&word, bytes + i * sizeof word, sizeof word);
      hashes[i] = GUINT32_FROM_LE (word);
    }
  *sent = sqlite3_column_int (statement, 0) != 0;
  /* A row this version cannot read (width out of range) is as if absent. */
  return baton_fingerprint_new (sqlite3_column_int (statement, 1),
                                (guint) sqlite3_column_int64 (statement, 2), hashes, n);
}

GPtrArray *
baton_store_sent_about (BatonStore *store, gint64 task, const char *recipient, guint limit,
                        GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT message_id FROM outbox WHERE recipient = ? AND task = ?"
                       " ORDER BY id DESC LIMIT ?",
                       error);
  if (statement == NULL)
    return NULL;
  store_bind_text (statement, 1, recipient);
  sqlite3_bind_int64 (statement, 2, task);
  sqlite3_bind_int (statement, 3, limit);
  return store_collect_rows (store, statement, first_column, g_free,
                             "listing the mail sent about a task", error);
}
