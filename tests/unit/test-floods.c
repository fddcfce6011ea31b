/* SPDX-License-Identifier: MIT */
/* What one mail, or one sender in one hour, can cause: bounded notices,
 * bounded notice size, at most BATON_COMMANDS_PER_MAIL commands applied,
 * and a cost linear in the mail. Each test runs the real workflow and
 * outbox on a fresh database in a temporary directory. */
#include "baton/message.h"
#include "baton/outbox.h"
#include "baton/store.h"
#include "baton/workflow.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  char *dir;
  BatonTeam *team;
  guint serial;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_setenv ("BATON_NOW", "2026-03-09T17:05:00Z", TRUE);
  fixture->dir = g_dir_make_tmp ("baton-floods-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  g_autofree char *config = g_build_filename (fixture->dir, "baton.conf", NULL);
  const char *text = "[baton]\ndatabase = baton.db\nteam-address = team@example.com\n\n"
                     "[member alice]\nemail = alice@example.com\nname = Alice Martin\n\n"
                     "[member bob]\nemail = bob@example.com\nname = Bob Stone\n\n"
                     "[outbox]\nmaildir = outbox\n";
  g_assert_true (g_file_set_contents (config, text, -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autofree char *database = g_build_filename (fixture->dir, "baton.db", NULL);
  g_assert_true (baton_store_create (database, &error)); /* what `baton init` does */
  fixture->team = baton_team_open (config, &error);
  g_assert_no_error (error);
  baton_outbox_attach (fixture->team);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  (void) data;
  baton_team_close (fixture->team);
  const char *names[] = { "baton.conf", "baton.db", "baton.db-wal", "baton.db-shm" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

/* Ingests a mail from alice whose body is BODY; returns its result. */
static BatonIngestResult *
ingest (Fixture *fixture, const char *body)
{
  g_autofree char *raw =
      g_strdup_printf ("From: Alice Martin <alice@example.com>\nTo: team@example.com\n"
                       "Subject: flood\nMessage-ID: <flood-%u@a>\n\n%s",
                       fixture->serial++, body);
  g_autoptr (GError) error = NULL;
  BatonIngestResult *result =
      baton_workflow_ingest (fixture->team, raw, strlen (raw), "stdin", &error);
  g_assert_no_error (error);
  return result;
}

/* COUNT lines "LINE\n", or "LINE N SUFFIX\n" numbered from 0 with SUFFIX. */
static char *
repeat_lines (const char *line, const char *suffix, guint count)
{
  GString *body = g_string_new (NULL);
  for (guint i = 0; i < count; i++)
    if (suffix != NULL)
      g_string_append_printf (body, "%s %u %s\n", line, i, suffix);
    else
      g_string_append_printf (body, "%s\n", line);
  return g_string_free (body, FALSE);
}

/* Rows waiting in the outbox for RECIPIENT (kind KIND, or any), and the
 * size of the biggest. */
static guint
outbox_rows (Fixture *fixture, const char *recipient, const char *kind, gsize *biggest)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) due = baton_store_outbox_due (fixture->team->store, G_MAXINT64, &error);
  g_assert_no_error (error);
  guint count = 0;
  for (guint i = 0; i < due->len; i++)
    {
      const BatonOutgoing *outgoing = due->pdata[i];
      if (!g_str_equal (outgoing->recipient, recipient) ||
          (kind != NULL && !g_str_equal (outgoing->kind, kind)))
        continue;
      count++;
      if (biggest != NULL)
        *biggest = MAX (*biggest, g_bytes_get_size (outgoing->mime));
    }
  return count;
}

static gboolean
outbox_holds (Fixture *fixture, const char *recipient, const char *text)
{
  g_autoptr (GPtrArray) due = baton_store_outbox_due (fixture->team->store, G_MAXINT64, NULL);
  for (guint i = 0; due != NULL && i < due->len; i++)
    {
      const BatonOutgoing *outgoing = due->pdata[i];
      gsize size = 0;
      const char *mime = g_bytes_get_data (outgoing->mime, &size);
      if (g_str_equal (outgoing->recipient, recipient) && g_strstr_len (mime, size, text))
        return TRUE;
    }
  return FALSE;
}

/* The reported flood: one 290 KB mail of 10,000 `task: … @bob` lines
 * queued 10,000 notices to bob. 8,000 lines here, so that all of them are
 * within the 256 KB of a body that is read for commands. */
static void
test_many_tasks (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autofree char *body = repeat_lines ("task: thing number", "@bob", 8000);
  g_assert_cmpuint (strlen (body), >, 200000);
  g_assert_cmpuint (strlen (body), <, BATON_MESSAGE_MAX_BODY);
  g_autoptr (BatonIngestResult) result = ingest (fixture, body);
  g_assert_cmpstr (result->outcome, ==, "partly");
  gsize biggest = 0;
  g_assert_cmpuint (outbox_rows (fixture, "bob@example.com", NULL, &biggest), ==, 1);
  g_assert_cmpuint (biggest, <, 8192);
  g_assert_true (outbox_holds (fixture, "bob@example.com", "and 80 more"));
  g_autoptr (GPtrArray) tasks = baton_store_tasks_list (fixture->team->store, TRUE, NULL);
  g_assert_cmpuint (tasks->len, ==, BATON_COMMANDS_PER_MAIL);
  /* the rest is reported back, not dropped in silence */
  g_assert_cmpuint (result->lines->len, ==, BATON_COMMANDS_PER_MAIL + 1);
  const BatonLineResult *last = result->lines->pdata[BATON_COMMANDS_PER_MAIL];
  g_assert_false (last->ok);
  g_assert_cmpuint (last->line, ==, BATON_COMMANDS_PER_MAIL + 1);
  g_assert_nonnull (strstr (last->source, "lines 101 to 8000: 7900 more commands"));
  g_assert_cmpuint (outbox_rows (fixture, "alice@example.com", "reply", NULL), ==, 1);
  g_assert_true (outbox_holds (fixture, "alice@example.com", "7900 more commands"));
}

/* Seconds for the fastest of REPEAT ingests of BODY. */
static double
fastest_ingest (Fixture *fixture, const char *body, guint repeat)
{
  double best = G_MAXDOUBLE;
  for (guint i = 0; i < repeat; i++)
    {
      g_autoptr (GTimer) timer = g_timer_new ();
      g_autoptr (BatonIngestResult) result = ingest (fixture, body);
      best = MIN (best, g_timer_elapsed (timer, NULL));
    }
  return best;
}

/* `handoff 1 to bob` 250, 500, 1,000 times took 22 s, 89 s, over 300 s:
 * every line queued two notices, each rendering the task's whole history.
 * Now one mail is one notice to bob, a notice shows the last
 * BATON_NOTICE_HISTORY events, and 1,000 lines cost about what 100 do
 * (generous bound for a loaded machine: 10x the input, at most 40x the
 * time; quadratic would be 100x). */
static void
test_handoff_lines (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autoptr (BatonIngestResult) created = ingest (fixture, "task: one\n");
  g_autofree char *hundred = repeat_lines ("handoff 1 to bob", NULL, 100);
  g_autofree char *thousand = repeat_lines ("handoff 1 to bob", NULL, 1000);
  double small = fastest_ingest (fixture, hundred, 4);
  double large = fastest_ingest (fixture, thousand, 4);
  g_test_message ("100 lines: %.4f s, 1000 lines: %.4f s", small, large);
  g_assert_cmpfloat (large, <, 40 * small + 0.05);
  gsize biggest = 0;
  /* 8 mails, 8 notices: handing bob the task he holds takes nothing from him */
  g_assert_cmpuint (outbox_rows (fixture, "bob@example.com", "handoff", &biggest), ==, 8);
  g_assert_cmpuint (outbox_rows (fixture, "bob@example.com", "taken", NULL), ==, 0);
  g_assert_cmpuint (biggest, <, 6144);
  g_assert_true (outbox_holds (fixture, "bob@example.com", "(791 earlier events: baton show 1)"));
}

/* A title and a note as long as a line can be: the notice stays small. */
static void
test_long_title_and_note (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autofree char *title = g_strnfill (100000, 'T');
  g_autofree char *note = g_strnfill (100000, 'N');
  g_autofree char *body = g_strdup_printf ("task: %s\nhandoff 1 to bob: %s\n", title, note);
  g_autoptr (BatonIngestResult) result = ingest (fixture, body);
  g_assert_cmpstr (result->outcome, ==, "applied");
  gsize biggest = 0;
  g_assert_cmpuint (outbox_rows (fixture, "bob@example.com", NULL, &biggest), ==, 1);
  g_assert_cmpuint (biggest, <, 8192);
}

/* At most BATON_NOTICES_PER_HOUR notices to one member an hour; the rest
 * are in the log (and the digest), not in their mailbox. */
static void
test_hourly_cap (Fixture *fixture, gconstpointer data)
{
  (void) data;
  for (guint i = 0; i < BATON_NOTICES_PER_HOUR + 5; i++)
    {
      g_autofree char *body = g_strdup_printf ("task: chore %u @bob\n", i);
      g_autoptr (BatonIngestResult) result = ingest (fixture, body);
    }
  g_assert_cmpuint (outbox_rows (fixture, "bob@example.com", NULL, NULL), ==,
                    BATON_NOTICES_PER_HOUR);
  g_autoptr (GPtrArray) events = baton_store_events_list (fixture->team->store, 0, 0, NULL);
  g_assert_cmpuint (events->len, ==, BATON_NOTICES_PER_HOUR + 5);
  /* an hour later bob hears again */
  g_setenv ("BATON_NOW", "2026-03-09T18:06:00Z", TRUE);
  g_autoptr (BatonIngestResult) later = ingest (fixture, "task: later @bob\n");
  g_assert_cmpuint (outbox_rows (fixture, "bob@example.com", NULL, NULL), ==,
                    BATON_NOTICES_PER_HOUR + 1);
}

/* Past the hourly limit nothing is lost: the digest lists what the
 * notices would have said, the tasks handed to bob and those taken. */
static void
test_hourly_cap_folds_into_digest (Fixture *fixture, gconstpointer data)
{
  (void) data;
  g_autofree char *body = repeat_lines ("task: chore", "@bob", 30);
  g_autoptr (BatonIngestResult) created = ingest (fixture, body);
  for (guint i = 1; i <= 25; i++)
    {
      g_autofree char *take = g_strdup_printf ("take %u\n", i);
      g_autoptr (BatonIngestResult) result = ingest (fixture, take);
    }
  g_assert_cmpuint (outbox_rows (fixture, "bob@example.com", NULL, NULL), ==,
                    BATON_NOTICES_PER_HOUR);
  g_assert_false (outbox_holds (fixture, "bob@example.com", "[#25]"));
  g_setenv ("BATON_NOW", "2026-03-09T17:30:00Z", TRUE); /* [joined, now) holds them */
  BatonDigestStats stats = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_outbox_queue_digests (fixture->team, TRUE, &stats, &error));
  g_assert_no_error (error);
  g_assert_true (outbox_holds (fixture, "bob@example.com", "taken from you by"));
  g_assert_true (outbox_holds (fixture, "bob@example.com", "#25 chore 24"));
  g_assert_true (outbox_holds (fixture, "bob@example.com", "#30 chore 29"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  g_test_add ("/floods/many-tasks", Fixture, NULL, fixture_set_up, test_many_tasks,
              fixture_tear_down);
  g_test_add ("/floods/handoff-lines", Fixture, NULL, fixture_set_up, test_handoff_lines,
              fixture_tear_down);
  g_test_add ("/floods/long-title-and-note", Fixture, NULL, fixture_set_up,
              test_long_title_and_note, fixture_tear_down);
  g_test_add ("/floods/hourly-cap", Fixture, NULL, fixture_set_up, test_hourly_cap,
              fixture_tear_down);
  g_test_add ("/floods/hourly-cap-digest", Fixture, NULL, fixture_set_up,
              test_hourly_cap_folds_into_digest, fixture_tear_down);
  return g_test_run ();
}
