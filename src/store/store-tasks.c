/* SPDX-License-Identifier: MIT */
/* Tasks and the event log they are read from. */
#define G_LOG_DOMAIN "baton-store"
#include "store-private.h"

void
baton_task_free (BatonTask *task)
{
  if (task == NULL)
    return;
  g_free (task->title);
  g_free (task->state);
  g_free (task->owner);
  g_free (task->created_by);
  g_free (task->blocked_reason);
  g_free (task);
}

void
baton_event_free (BatonEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->kind);
  g_free (event->who);
  g_free (event->from_member);
  g_free (event->to_member);
  g_free (event->note);
  g_free (event);
}

gint64
baton_store_task_add (BatonStore *store, const char *title, const char *created_by,
                      const char *owner, gint64 at, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "INSERT INTO tasks (title, state, owner, created_by, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       error);
  if (statement == NULL)
    return 0;
  store_bind_text (statement, 1, title);
  store_bind_text (statement, 2, owner ? "taken" : "open");
  store_bind_text (statement, 3, owner);
  store_bind_text (statement, 4, created_by);
  sqlite3_bind_int64 (statement, 5, at);
  sqlite3_bind_int64 (statement, 6, at);
  if (!store_exec_statement (store, statement, "creating a task", error))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

#define TASK_COLUMNS "id, title, state, owner, created_by, created_at, updated_at, blocked_reason"

static BatonTask *
task_from_row (sqlite3_stmt *statement)
{
  BatonTask *task = g_new0 (BatonTask, 1);
  task->id = sqlite3_column_int64 (statement, 0);
  task->title = store_column_text (statement, 1);
  task->state = store_column_text (statement, 2);
  task->owner = store_column_text (statement, 3);
  task->created_by = store_column_text (statement, 4);
  task->created_at = sqlite3_column_int64 (statement, 5);
  task->updated_at = sqlite3_column_int64 (statement, 6);
  task->blocked_reason = store_column_text (statement, 7);
  return task;
}

BatonTask *
baton_store_task_get (BatonStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store, "SELECT " TASK_COLUMNS " FROM tasks WHERE id = ?", error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, id);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "reading a task", error) || !found)
    return NULL;
  return task_from_row (statement);
}

gboolean
baton_store_task_update (BatonStore *store, const BatonTask *task, gint64 at, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "UPDATE tasks SET state = ?, owner = ?, blocked_reason = ?, updated_at = ? WHERE id = ?",
      error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, task->state);
  store_bind_text (statement, 2, task->owner);
  store_bind_text (statement, 3, task->blocked_reason);
  sqlite3_bind_int64 (statement, 4, at);
  sqlite3_bind_int64 (statement, 5, task->id);
  return store_exec_statement (store, statement, "updating a task", error);
}

GPtrArray *
baton_store_tasks_list (BatonStore *store, gboolean include_done, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "SELECT " TASK_COLUMNS " FROM tasks WHERE ? OR state <> 'done' ORDER BY id", error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int (statement, 1, include_done);
  return store_collect_rows (store, statement, (gpointer (*) (sqlite3_stmt *)) task_from_row,
                             (GDestroyNotify) baton_task_free, "listing tasks", error);
}

gboolean
baton_store_event_add (BatonStore *store, const BatonEventInput *event, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "INSERT INTO events (task, kind, who, from_member, to_member, note, at, message)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      error);
  if (statement == NULL)
    return FALSE;
  if (event->task > 0)
    sqlite3_bind_int64 (statement, 1, event->task);
  else
    sqlite3_bind_null (statement, 1);
  store_bind_text (statement, 2, event->kind);
  store_bind_text (statement, 3, event->who);
  store_bind_text (statement, 4, event->from_member);
  store_bind_text (statement, 5, event->to_member);
  store_bind_text (statement, 6, event->note);
  sqlite3_bind_int64 (statement, 7, event->at);
  if (event->message > 0)
    sqlite3_bind_int64 (statement, 8, event->message);
  else
    sqlite3_bind_null (statement, 8);
  return store_exec_statement (store, statement, "recording an event", error);
}

static BatonEvent *
event_from_row (sqlite3_stmt *statement)
{
  BatonEvent *event = g_new0 (BatonEvent, 1);
  event->id = sqlite3_column_int64 (statement, 0);
  event->task = sqlite3_column_int64 (statement, 1);
  event->kind = store_column_text (statement, 2);
  event->who = store_column_text (statement, 3);
  event->from_member = store_column_text (statement, 4);
  event->to_member = store_column_text (statement, 5);
  event->note = store_column_text (statement, 6);
  event->at = sqlite3_column_int64 (statement, 7);
  event->message = sqlite3_column_int64 (statement, 8);
  return event;
}

GPtrArray *
baton_store_events_window (BatonStore *store, gint64 after_id, gint64 upto_id, GError **error)
{
  /* By rowid: the digest reads its window only, whatever the log's length. */
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT id, task, kind, who, from_member, to_member, note, at, message FROM events"
      " WHERE id > ? AND id <= ? ORDER BY id",
      error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, after_id);
  sqlite3_bind_int64 (statement, 2, upto_id);
  return store_collect_rows (store, statement, (gpointer (*) (sqlite3_stmt *)) event_from_row,
                             (GDestroyNotify) baton_event_free, "listing events", error);
}

GPtrArray *
baton_store_events_list (BatonStore *store, gint64 task, gint64 since, GError **error)
{
  /* Two statements, not one with "(? = 0 OR task = ?)": with the OR the
   * planner walks events_at over the whole log for every task's history,
   * which made ingest quadratic in the number of events. */
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      task > 0 ? "SELECT id, task, kind, who, from_member, to_member, note, at, message FROM events"
                 " WHERE task = ?2 AND at > ?1 ORDER BY at, id"
               : "SELECT id, task, kind, who, from_member, to_member, note, at, message FROM events"
                 " WHERE at > ?1 ORDER BY at, id",
      error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, since);
  if (task > 0)
    sqlite3_bind_int64 (statement, 2, task);
  return store_collect_rows (store, statement, (gpointer (*) (sqlite3_stmt *)) event_from_row,
                             (GDestroyNotify) baton_event_free, "listing events", error);
}

GPtrArray *
baton_store_events_last (BatonStore *store, gint64 task, guint limit, gint64 *total, GError **error)
{
  g_autoptr (sqlite3_stmt) count =
      store_statement (store, "SELECT count(*) FROM events WHERE task = ?", error);
  if (count == NULL)
    return NULL;
  sqlite3_bind_int64 (count, 1, task);
  int rc = sqlite3_step (count);
  if (rc != SQLITE_ROW)
    {
      store_set_error (store, rc, "counting events", error);
      return NULL;
    }
  *total = sqlite3_column_int64 (count, 0);
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT * FROM (SELECT id, task, kind, who, from_member, to_member, note, at, message"
      " FROM events WHERE task = ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id",
      error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, task);
  sqlite3_bind_int64 (statement, 2, limit);
  return store_collect_rows (store, statement, (gpointer (*) (sqlite3_stmt *)) event_from_row,
                             (GDestroyNotify) baton_event_free, "listing events", error);
}

GPtrArray *
baton_store_events_of_message (BatonStore *store, gint64 message, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store,
      "SELECT id, task, kind, who, from_member, to_member, note, at, message FROM events"
      " WHERE message = ? ORDER BY id",
      error);
  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, message);
  return store_collect_rows (store, statement, (gpointer (*) (sqlite3_stmt *)) event_from_row,
                             (GDestroyNotify) baton_event_free, "listing a message's events",
                             error);
}

gboolean
baton_store_message_find (BatonStore *store, const char *message_id, gint64 *row, char **member,
                          char **outcome, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = store_statement (
      store, "SELECT id, member, outcome FROM messages WHERE message_id = ?", error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, message_id);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "looking up a Message-ID", error))
    return FALSE;
  *row = found ? sqlite3_column_int64 (statement, 0) : 0;
  *member = found ? store_column_text (statement, 1) : NULL;
  *outcome = found ? store_column_text (statement, 2) : NULL;
  return TRUE;
}

gboolean
baton_store_held_find (BatonStore *store, const char *message_id, BatonHeldRaw *held,
                       GError **error)
{
  memset (held, 0, sizeof *held);
  g_autoptr (sqlite3_stmt) statement =
      store_statement (store,
                       "SELECT m.id, m.sender, m.source, r.raw FROM messages m"
                       " LEFT JOIN message_raw r ON r.message = m.id"
                       " WHERE m.message_id = ? AND m.outcome = 'quarantined'",
                       error);
  if (statement == NULL)
    return FALSE;
  store_bind_text (statement, 1, message_id);
  gboolean found = FALSE;
  if (!store_step_row (store, statement, &found, "looking up held mail", error))
    return FALSE;
  if (!found)
    return TRUE;
  held->row = sqlite3_column_int64 (statement, 0);
  held->sender = store_column_text (statement, 1);
  held->source = store_column_text (statement, 2);
  if (sqlite3_column_type (statement, 3) != SQLITE_NULL)
    held->raw =
        g_bytes_new (sqlite3_column_blob (statement, 3), sqlite3_column_bytes (statement, 3));
  return TRUE;
}

void
baton_held_raw_clear (BatonHeldRaw *held)
{
  g_free (held->sender);
  g_free (held->source);
  g_clear_pointer (&held->raw, g_bytes_unref);
  memset (held, 0, sizeof *held);
}
