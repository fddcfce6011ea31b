/* SPDX-License-Identifier: MIT */
/* The store's lookups keep "nothing there" and "it failed" apart
 * (store.h): a lookup that finds nothing returns TRUE with 0 in its out
 * parameter; one that cannot read returns FALSE with its error set, and
 * still leaves 0 there. Before, both cases returned 0 and a caller that
 * passed one error to two calls (digest.c) could not tell them apart.
 *
 * The failure is real: a second connection drops the tables under the
 * open store, as a damaged or foreign database would look to baton. */
#include "baton/config.h"
#include "baton/error.h"
#include "baton/store.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

typedef struct {
  char *dir;
  char *path;
  BatonStore *store;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  (void) data;
  fixture->dir = g_dir_make_tmp ("baton-store-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->path = g_build_filename (fixture->dir, "baton.db", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_store_create (fixture->path, &error)); /* what `baton init` does */
  fixture->store = baton_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  (void) data;
  baton_store_close (fixture->store);
  const char *suffixes[] = { "", "-wal", "-shm" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Drops @tables through a connection of its own, behind the store's back. */
static void
drop_tables (const Fixture *fixture, const char *tables)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_auto (GStrv) names = g_strsplit (tables, " ", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("DROP TABLE %s", names[i]);
      char *message = NULL;
      int rc = sqlite3_exec (db, sql, NULL, NULL, &message);
      if (rc != SQLITE_OK)
        g_error ("%s: %s", sql, message);
    }
  sqlite3_close (db);
}

static void
test_digest_mark (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  BatonDigestMark mark = { -1, -1, -1, TRUE };
  /* No such member, no digest: nothing there, which is not a failure. */
  g_assert_true (baton_store_digest_mark (fixture->store, "bob", &mark, &error));
  g_assert_no_error (error);
  g_assert_false (mark.sent);
  g_assert_cmpint (mark.at, ==, 0);
  BatonDigestMark queued = { 1773072000, 7, 3, TRUE };
  g_assert_true (baton_store_digest_mark_set (fixture->store, "bob", &queued, &error));
  g_assert_true (baton_store_digest_mark (fixture->store, "bob", &mark, &error));
  g_assert_true (mark.sent);
  g_assert_cmpint (mark.at, ==, 1773072000);
  g_assert_cmpint (mark.last_event, ==, 7);
  g_assert_cmpint (mark.last_message, ==, 3);

  drop_tables (fixture, "digests");
  g_assert_false (baton_store_digest_mark (fixture->store, "bob", &mark, &error));
  g_assert_nonnull (error);
}

static void
test_member_joined (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  gint64 joined = -1;
  g_assert_true (baton_store_member_joined (fixture->store, "bob", &joined, &error));
  g_assert_no_error (error);
  g_assert_cmpint (joined, ==, 0);

  char *no_aliases[] = { NULL };
  BatonMember bob = {
    "bob", "bob@example.com", no_aliases, "Bob Stone", "UTC", 510, 0, 0, 0, NULL
  };
  g_autoptr (GPtrArray) members = g_ptr_array_new ();
  g_ptr_array_add (members, &bob);
  g_assert_true (baton_store_members_sync (fixture->store, members, 1773000000, &error));
  g_assert_no_error (error);
  g_assert_true (baton_store_member_joined (fixture->store, "bob", &joined, &error));
  g_assert_cmpint (joined, ==, 1773000000);

  drop_tables (fixture, "members");
  joined = -1;
  g_assert_false (baton_store_member_joined (fixture->store, "bob", &joined, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (joined, ==, 0);
}

static void
test_thread_task (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  gint64 task = -1;
  g_assert_true (baton_store_thread_task (fixture->store, NULL, &task, &error));
  g_assert_cmpint (task, ==, 0);
  char *ids[] = { "<unknown@example.com>", "<notice-7@example.com>", NULL };
  g_assert_true (baton_store_thread_task (fixture->store, ids, &task, &error));
  g_assert_no_error (error);
  g_assert_cmpint (task, ==, 0);

  gint64 id = baton_store_task_add (fixture->store, "Write the guide", "alice", NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_true (baton_store_thread_add (fixture->store, ids[1], id, &error));
  g_assert_true (baton_store_thread_task (fixture->store, ids, &task, &error));
  g_assert_no_error (error);
  g_assert_cmpint (task, ==, id);

  drop_tables (fixture, "threads");
  task = -1;
  g_assert_false (baton_store_thread_task (fixture->store, ids, &task, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (task, ==, 0);
}

static void
test_outbox_count (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  gint64 count = -1;
  g_assert_true (
      baton_store_outbox_count (fixture->store, "bob@example.com", "reply", 0, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 0);

  g_autoptr (GBytes) mime = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 16);
  BatonOutgoing outgoing = { .message_id = "<r1@example.com>",
                             .kind = "reply",
                             .recipient = "bob@example.com",
                             .envelope_from = "team@example.com",
                             .mime = mime };
  g_assert_cmpint (baton_store_outbox_add (fixture->store, &outgoing, 100, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (
      baton_store_outbox_count (fixture->store, "bob@example.com", "reply", 0, &count, &error));
  g_assert_cmpint (count, ==, 1);
  g_assert_true (
      baton_store_outbox_count (fixture->store, "bob@example.com", "reply", 100, &count, &error));
  g_assert_cmpint (count, ==, 0);

  drop_tables (fixture, "outbox");
  count = -1;
  g_assert_false (
      baton_store_outbox_count (fixture->store, "bob@example.com", "reply", 0, &count, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (count, ==, 0);
}

/* An undo that fails takes the whole transaction with it and fails the
 * commit: before, the failure was dropped (NULL error) and the batch
 * committed the writes of the message it meant to undo. Here the undo
 * fails for want of a savepoint, the same path a failing ROLLBACK TO
 * takes. */
static void
test_failed_undo (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_store_begin (fixture->store, &error));
  gint64 kept = baton_store_task_add (fixture->store, "Before", "alice", NULL, 1, &error);
  g_assert_cmpint (kept, >, 0);
  baton_store_rollback_to_savepoint (fixture->store);
  g_assert_false (baton_store_savepoint (fixture->store, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
  g_clear_error (&error);
  g_assert_false (baton_store_commit (fixture->store, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY);
  g_clear_error (&error);
  g_autoptr (BatonTask) task = baton_store_task_get (fixture->store, kept, &error);
  g_assert_no_error (error);
  g_assert_null (task);

  /* The next transaction starts clean. */
  g_assert_true (baton_store_begin (fixture->store, &error));
  g_assert_true (baton_store_savepoint (fixture->store, &error));
  g_assert_cmpint (baton_store_task_add (fixture->store, "After", "alice", NULL, 2, &error), >, 0);
  g_assert_true (baton_store_release (fixture->store, &error));
  g_assert_true (baton_store_commit (fixture->store, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) tasks = baton_store_tasks_list (fixture->store, TRUE, &error);
  g_assert_cmpuint (tasks->len, ==, 1);
}

/* A settled pending row is kept under the mail that settled it, as it
 * was, and comes back unchanged (undo, workflow-accept.c). */
static void
test_pending_settled (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  BatonStore *store = fixture->store;
  gint64 task = baton_store_task_add (store, "Review", "alice", "bob", 1000, &error);
  g_assert_no_error (error);
  g_assert_true (baton_store_pending_set (store, task, "bob", "alice", 1000, &error));
  g_assert_true (baton_store_pending_mark (store, task, FALSE, 2000, &error));
  gboolean was = FALSE;
  g_assert_true (baton_store_pending_settle (store, task, 7, &was, &error));
  g_assert_true (was);
  g_assert_null (baton_store_pending_get (store, task, &error));
  g_assert_no_error (error);
  /* Handed on and settled again by the same mail: the first row counts. */
  g_assert_true (baton_store_pending_set (store, task, "carol", "bob", 3000, &error));
  g_assert_true (baton_store_pending_settle (store, task, 7, NULL, &error));
  /* Settled outside any mail (message 0): nothing kept. */
  g_assert_true (baton_store_pending_set (store, task, "dave", "bob", 4000, &error));
  g_assert_true (baton_store_pending_settle (store, task, 0, NULL, &error));
  g_assert_null (baton_store_pending_settled (store, 0, task, &error));
  g_assert_null (baton_store_pending_settled (store, 8, task, &error));
  g_assert_no_error (error);
  g_autoptr (BatonPending) kept = baton_store_pending_settled (store, 7, task, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kept);
  g_assert_cmpstr (kept->receiver, ==, "bob");
  g_assert_cmpstr (kept->giver, ==, "alice");
  g_assert_cmpint (kept->since, ==, 1000);
  g_assert_cmpint (kept->reminded_at, ==, 2000);
  g_assert_cmpint (kept->escalated_at, ==, 0);
  g_assert_true (baton_store_pending_restore (store, kept, &error));
  g_autoptr (BatonPending) back = baton_store_pending_get (store, task, &error);
  g_assert_nonnull (back);
  g_assert_cmpstr (back->receiver, ==, "bob");
  g_assert_cmpint (back->since, ==, 1000);
  g_assert_cmpint (back->reminded_at, ==, 2000);
  g_assert_cmpint (back->escalated_at, ==, 0);
}

/* The notice budget's one count over several kinds is the sum of the
 * counts per kind (notify.c's within_hourly_budget()). */
static void
test_outbox_count_kinds (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) mime = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 16);
  static char *kinds[] = { "handoff", "taken", "changed", "reply", "handoff" };
  static char *recipients[] = { "bob@example.com", "bob@example.com", "bob@example.com",
                                "bob@example.com", "alice@example.com" };
  static const gint64 times[] = { 100, 200, 300, 400, 500 };
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *id = g_strdup_printf ("<n%u@example.com>", i);
      BatonOutgoing outgoing = { .message_id = id,
                                 .kind = kinds[i],
                                 .recipient = recipients[i],
                                 .envelope_from = "team@example.com",
                                 .mime = mime };
      g_assert_cmpint (baton_store_outbox_add (fixture->store, &outgoing, times[i], &error), >, 0);
      g_assert_no_error (error);
    }
  static const char *const notices[] = { "handoff", "taken", "changed" };
  static const struct {
    const char *recipient;
    gint64 since;
    guint n_kinds;
    gint64 expected;
  } cases[] = {
    { "bob@example.com", 0, 3, 3 },   { "bob@example.com", 150, 3, 2 },
    { "bob@example.com", 300, 3, 0 }, { "bob@example.com", 0, 1, 1 },
    { "bob@example.com", 0, 2, 2 },   { "alice@example.com", 0, 3, 1 },
    { "carol@example.com", 0, 3, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 count = -1, sum = 0;
      g_assert_true (baton_store_outbox_count_kinds (fixture->store, cases[i].recipient, notices,
                                                     cases[i].n_kinds, cases[i].since, &count,
                                                     &error));
      g_assert_no_error (error);
      for (guint k = 0; k < cases[i].n_kinds; k++)
        {
          gint64 one = -1;
          g_assert_true (baton_store_outbox_count (fixture->store, cases[i].recipient, notices[k],
                                                   cases[i].since, &one, &error));
          sum += one;
        }
      g_assert_cmpint (count, ==, cases[i].expected);
      g_assert_cmpint (count, ==, sum);
    }
  drop_tables (fixture, "outbox");
  gint64 count = -1;
  g_assert_false (baton_store_outbox_count_kinds (fixture->store, "bob@example.com", notices, 3, 0,
                                                  &count, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (count, ==, 0);
}

static void
assert_lookup (BatonStore *store, const char *id, gboolean exists, gint64 held,
               const char *held_sender)
{
  g_autoptr (GError) error = NULL;
  gboolean got_exists = !exists, old_exists = !exists;
  gint64 got_held = -1;
  g_autofree char *got_sender = NULL;
  g_assert_true (
      baton_store_message_lookup (store, id, &got_exists, &got_held, &got_sender, &error));
  g_assert_no_error (error);
  g_assert_cmpint (got_exists, ==, exists);
  g_assert_cmpint (got_held, ==, held);
  g_assert_cmpstr (got_sender, ==, held_sender);
  g_assert_true (baton_store_message_exists (store, id, &old_exists, &error));
  g_assert_cmpint (old_exists, ==, exists);
}

/* The workflow reads a Message-ID once (baton_store_message_lookup()) and
 * hands the held row it found to baton_store_message_add(), which used to
 * look for it again: the same mail held twice is stored once, anything
 * else with the held row's Message-ID sets that row aside, as before. */
static void
test_message_lookup (Fixture *fixture, gconstpointer data)
{
  (void) data;
  BatonStore *store = fixture->store;
  g_autoptr (GError) error = NULL;
  const char *id = "<same@example.com>";
  assert_lookup (store, id, FALSE, 0, NULL);
  BatonMessageRecord record = {
    .message_id = id,
    .sender = "mallory@evil.example",
    .received_at = 100,
    .source = "stdin",
    .outcome = "quarantined",
    .reason = "not a member",
  };
  gint64 first = baton_store_message_add (store, &record, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first, >, 0);
  assert_lookup (store, id, FALSE, first, "mallory@evil.example");

  /* The same sender's held mail again: the row found is the row. */
  record.held_known = TRUE;
  record.held = first;
  record.held_sender = "mallory@evil.example";
  g_assert_cmpint (baton_store_message_add (store, &record, &error), ==, first);
  g_assert_no_error (error);

  /* A member's mail with that Message-ID sets the held row aside. */
  BatonMessageRecord member = {
    .message_id = id,
    .sender = "alice@example.com",
    .member = "alice",
    .received_at = 200,
    .source = "stdin",
    .outcome = "applied",
    .held_known = TRUE,
    .held = first,
    .held_sender = "mallory@evil.example",
  };
  gint64 second = baton_store_message_add (store, &member, &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, >, first);
  assert_lookup (store, id, TRUE, 0, NULL);
  g_autofree char *aside = g_strdup_printf ("%s (held, row %" G_GINT64_FORMAT ")", id, first);
  assert_lookup (store, aside, FALSE, first, "mallory@evil.example");

  drop_tables (fixture, "messages");
  gboolean exists = TRUE;
  gint64 held = -1;
  g_autofree char *sender = NULL;
  g_assert_false (baton_store_message_lookup (store, id, &exists, &held, &sender, &error));
  g_assert_nonnull (error);
  g_assert_false (exists);
  g_assert_cmpint (held, ==, 0);
  g_assert_null (sender);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/digest-mark", Fixture, NULL, fixture_set_up, test_digest_mark,
              fixture_tear_down);
  g_test_add ("/store/member-joined", Fixture, NULL, fixture_set_up, test_member_joined,
              fixture_tear_down);
  g_test_add ("/store/thread-task", Fixture, NULL, fixture_set_up, test_thread_task,
              fixture_tear_down);
  g_test_add ("/store/outbox-count", Fixture, NULL, fixture_set_up, test_outbox_count,
              fixture_tear_down);
  g_test_add ("/store/failed-undo", Fixture, NULL, fixture_set_up, test_failed_undo,
              fixture_tear_down);
  g_test_add ("/store/pending-settled", Fixture, NULL, fixture_set_up, test_pending_settled,
              fixture_tear_down);
  g_test_add ("/store/outbox-count-kinds", Fixture, NULL, fixture_set_up, test_outbox_count_kinds,
              fixture_tear_down);
  g_test_add ("/store/message-lookup", Fixture, NULL, fixture_set_up, test_message_lookup,
              fixture_tear_down);
  return g_test_run ();
}
