/* SPDX-License-Identifier: MIT */
/* The board's page data: columns, durations, the relay's geometry across
 * time zones and daylight saving, the feed's order and cap, and the
 * escaping of what came from mail. Pure: tasks and events built here. */
#include "baton/board.h"
#include "baton/schedule.h"
#include "baton/templates.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const char config_text[] = "[baton]\n"
                                  "team-address = team@example.com\n"
                                  "[member alice]\n"
                                  "email = alice@example.com\n"
                                  "timezone = Europe/Paris\n"
                                  "[member bob]\n"
                                  "email = bob@example.com\n"
                                  "timezone = America/Los_Angeles\n";

static BatonConfig *
load_config_text (const char *text)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("baton-board-XXXXXX.conf", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_autoptr (GError) error = NULL;
  BatonConfig *config = baton_config_load (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return config;
}

static BatonConfig *
load_config (void)
{
  return load_config_text (config_text);
}

static gint64
at (const char *iso)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

static void
add_task (GPtrArray *tasks, gint64 id, const char *title, const char *state, const char *owner,
          gint64 created)
{
  BatonTask *task = g_new0 (BatonTask, 1);
  task->id = id;
  task->title = g_strdup (title);
  task->state = g_strdup (state);
  task->owner = g_strdup (owner);
  task->created_by = g_strdup ("alice");
  task->created_at = task->updated_at = created;
  g_ptr_array_add (tasks, task);
}

static void
add_event (GPtrArray *events, gint64 task, const char *kind, const char *from, const char *to,
           const char *note, gint64 when)
{
  BatonEvent *event = g_new0 (BatonEvent, 1);
  event->id = events->len + 1;
  event->task = task;
  event->kind = g_strdup (kind);
  event->who = g_strdup (from ? from : "alice");
  event->from_member = g_strdup (from);
  event->to_member = g_strdup (to);
  event->note = g_strdup (note);
  event->at = when;
  g_ptr_array_add (events, event);
}

typedef struct {
  BatonConfig *config;
  GPtrArray *tasks;
  GPtrArray *events;
  BatonBoardInput input;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  (void) data;
  f->config = load_config ();
  f->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) baton_task_free);
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) baton_event_free);
  gint64 created = at ("2026-03-01T08:00:00Z");
  add_task (f->tasks, 1, "<script>alert(1)</script>", "open", NULL, created);
  add_task (f->tasks, 2, "Relay", "taken", "bob", created);
  add_task (f->tasks, 3, "Old", "done", "bob", created);
  add_task (f->tasks, 4, "Recent", "done", "alice", created);
  add_task (f->tasks, 5, "Stuck", "blocked", "alice", created);
  for (gint64 id = 1; id <= 5; id++)
    add_event (f->events, id, "created", NULL, NULL, NULL, created);
  add_event (f->events, 3, "done", NULL, NULL, NULL, at ("2026-03-01T09:00:00Z"));
  add_event (f->events, 2, "handoff", "alice", "bob", "\"><b>x</b>\x1b",
             at ("2026-03-08T17:00:00Z"));
  add_event (f->events, 2, "handoff", "bob", "carol", NULL, at ("2026-03-09T01:30:00Z"));
  add_event (f->events, 2, "handoff", "carol", "bob", NULL, at ("2026-03-01T12:00:00Z"));
  add_event (f->events, 4, "done", NULL, NULL, NULL, at ("2026-03-09T10:00:00Z"));
  add_event (f->events, 5, "blocked", NULL, NULL, "vendor", at ("2026-03-09T14:31:00Z"));
  BatonBoardInput input = { f->config, f->tasks, f->events, at ("2026-03-09T16:31:00Z"),
                            NULL,      NULL,     NULL };
  f->input = input;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  (void) data;
  g_ptr_array_unref (f->tasks);
  g_ptr_array_unref (f->events);
  baton_config_free (f->config);
}

/* "1,5" for the card ids of column @key. */
static char *
column_ids (JsonObject *root, const char *key)
{
  JsonArray *columns = json_object_get_array_member (root, "columns");
  for (guint c = 0; c < json_array_get_length (columns); c++)
    {
      JsonObject *column = json_array_get_object_element (columns, c);
      if (!g_str_equal (json_object_get_string_member (column, "key"), key))
        continue;
      JsonArray *cards = json_object_get_array_member (column, "cards");
      g_autoptr (GString) ids = g_string_new (NULL);
      for (guint i = 0; i < json_array_get_length (cards); i++)
        g_string_append_printf (
            ids, "%s%" G_GINT64_FORMAT, i ? "," : "",
            json_object_get_int_member (json_array_get_object_element (cards, i), "id"));
      return g_string_free (g_steal_pointer (&ids), FALSE);
    }
  return NULL;
}

static void
test_columns (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (JsonNode) node = baton_board_index_data (&f->input, NULL, NULL, "");
  JsonObject *root = json_node_get_object (node);
  const char *expect[][2] = {
    { "waiting", "" }, { "open", "1" }, { "taken", "2" }, { "blocked", "5" }, { "done", "4" }
  };
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *ids = column_ids (root, expect[i][0]);
      g_assert_cmpstr (ids, ==, expect[i][1]);
    }
  g_autoptr (JsonNode) alice = baton_board_index_data (&f->input, "alice", NULL, "../");
  g_autofree char *alice_open = column_ids (json_node_get_object (alice), "open");
  g_autofree char *alice_taken = column_ids (json_node_get_object (alice), "taken");
  g_autofree char *alice_blocked = column_ids (json_node_get_object (alice), "blocked");
  g_assert_cmpstr (alice_open, ==, "1"); /* unheld, created by her */
  g_assert_cmpstr (alice_taken, ==, "");
  g_assert_cmpstr (alice_blocked, ==, "5");
}

/* A handoff not accepted yet: its card moves to "waiting" and is marked
 * pending (escalated once the giver was told), and so is the arrow of the
 * handoff it waits on, not the earlier ones of the same task. */
static void
test_pending (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GPtrArray) pending =
      g_ptr_array_new_with_free_func ((GDestroyNotify) baton_pending_free);
  BatonPending *row = g_new0 (BatonPending, 1);
  row->task = 2;
  row->receiver = g_strdup ("carol");
  row->giver = g_strdup ("bob");
  row->since = at ("2026-03-09T01:30:00Z");
  row->escalated_at = at ("2026-03-09T16:00:00Z");
  g_ptr_array_add (pending, row);
  f->input.pending = pending;
  g_autoptr (JsonNode) node = baton_board_index_data (&f->input, NULL, NULL, "");
  JsonObject *root = json_node_get_object (node);
  g_autofree char *waiting = column_ids (root, "waiting");
  g_autofree char *taken = column_ids (root, "taken");
  g_assert_cmpstr (waiting, ==, "2");
  g_assert_cmpstr (taken, ==, "");
  JsonArray *columns = json_object_get_array_member (root, "columns");
  JsonObject *column = json_array_get_object_element (columns, 0);
  JsonObject *card =
      json_array_get_object_element (json_object_get_array_member (column, "cards"), 0);
  g_assert_true (json_object_get_boolean_member (card, "pending"));
  g_assert_true (json_object_get_boolean_member (card, "escalated"));
  JsonObject *relay = json_object_get_object_member (root, "relay");
  JsonArray *arrows = json_object_get_array_member (relay, "arrows");
  g_assert_cmpuint (json_array_get_length (arrows), ==, 2);
  g_assert_false (
      json_object_get_boolean_member (json_array_get_object_element (arrows, 0), "pending"));
  g_assert_true (
      json_object_get_boolean_member (json_array_get_object_element (arrows, 1), "pending"));
  g_assert_true (
      json_object_get_boolean_member (json_array_get_object_element (arrows, 1), "escalated"));
  f->input.pending = NULL;
}

static JsonObject *
card (JsonObject *root, guint column, guint index)
{
  JsonArray *columns = json_object_get_array_member (root, "columns");
  JsonObject *c = json_array_get_object_element (columns, column);
  return json_array_get_object_element (json_object_get_array_member (c, "cards"), index);
}

static void
test_card (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (JsonNode) node = baton_board_index_data (&f->input, NULL, NULL, "../");
  JsonObject *blocked = card (json_node_get_object (node), 3, 0);
  g_assert_cmpstr (json_object_get_string_member (blocked, "in_state_for"), ==, "2 h");
  g_assert_cmpstr (json_object_get_string_member (blocked, "last_event"), ==,
                   "blocked by alice: vendor");
  g_assert_cmpstr (json_object_get_string_member (blocked, "take_mailto"), ==,
                   "mailto:team+take-5@example.com");
  g_assert_cmpstr (json_object_get_string_member (blocked, "url"), ==, "../task/5.html");
  g_assert_false (json_object_get_boolean_member (blocked, "pending"));
  JsonObject *taken = card (json_node_get_object (node), 2, 0);
  /* The newest event by time order of the log, control characters gone. */
  g_assert_cmpstr (json_object_get_string_member (taken, "last_event"), ==,
                   "handoff by carol (carol \u2192 bob)");
  JsonObject *done = card (json_node_get_object (node), 4, 0);
  g_assert_true (json_object_get_null_member (done, "done_mailto"));
}

/* One arithmetic, two spellings: the card's short form and the digest's
 * words round to the same unit at the same boundaries. */
static void
test_duration (void)
{
  const struct {
    gint64 seconds;
    const char *shorter, *words;
  } cases[] = {
    { -5, "< 1 min", "a moment" }, { 59, "< 1 min", "a moment" },
    { 60, "1 min", "1 minute" },   { 3599, "59 min", "59 minutes" },
    { 3600, "1 h", "1 hour" },     { 2 * 3600 + 59, "2 h", "2 hours" },
    { 86399, "23 h", "23 hours" }, { 86400, "1 d", "1 day" },
    { 47 * 3600, "1 d", "1 day" }, { 30 * 86400, "30 d", "30 days" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shorter =
          baton_schedule_format_seconds (cases[i].seconds, BATON_DURATION_SHORT);
      g_autofree char *words =
          baton_schedule_format_seconds (cases[i].seconds, BATON_DURATION_WORDS);
      g_autofree char *between = baton_schedule_format_duration (1000, 1000 + cases[i].seconds);
      g_assert_cmpstr (shorter, ==, cases[i].shorter);
      g_assert_cmpstr (words, ==, cases[i].words);
      g_assert_cmpstr (between, ==, cases[i].words);
    }
}

static JsonObject *
relay_of (JsonNode *node)
{
  return json_object_get_object_member (json_node_get_object (node), "relay");
}

static const char *
work_x (JsonObject *relay, guint lane, guint span, const char *field)
{
  JsonObject *l =
      json_array_get_object_element (json_object_get_array_member (relay, "lanes"), lane);
  JsonArray *work = json_object_get_array_member (l, "work");
  if (span >= json_array_get_length (work))
    return "none";
  return json_object_get_string_member (json_array_get_object_element (work, span), field);
}

static void
test_relay (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (JsonNode) node = baton_board_index_data (&f->input, NULL, NULL, "");
  JsonObject *relay = relay_of (node);
  g_assert_cmpstr (json_object_get_string_member (relay, "zone"), ==, "UTC");
  /* 16:31 UTC: 110 + 16.5167 h * 35 */
  g_assert_cmpstr (json_object_get_string_member (relay, "now_x"), ==, "688.1");
  /* alice (Paris, UTC+1 in March): 07:00-17:00 UTC. */
  g_assert_cmpstr (work_x (relay, 0, 0, "x"), ==, "355.0");
  g_assert_cmpstr (work_x (relay, 0, 0, "width"), ==, "350.0");
  /* bob (Los Angeles, PDT since 03-08): Monday 08:00-18:00 is 15:00-01:00
   * UTC; Sunday's 15:00-01:00 (UTC 00:00-01:00 today) is his weekend, not
   * shaded. */
  g_assert_cmpstr (work_x (relay, 1, 0, "x"), ==, "635.0");
  g_assert_cmpstr (work_x (relay, 1, 0, "width"), ==, "315.0");
  g_assert_cmpstr (work_x (relay, 1, 1, "x"), ==, "none");
  /* carol is in no config: her lane is added, without hours. */
  JsonArray *lanes = json_object_get_array_member (relay, "lanes");
  g_assert_cmpuint (json_array_get_length (lanes), ==, 3);
  g_assert_cmpstr (work_x (relay, 2, 0, "x"), ==, "none");
  /* The handoff of 03-01 is older than 7 days. */
  JsonArray *arrows = json_object_get_array_member (relay, "arrows");
  g_assert_cmpuint (json_array_get_length (arrows), ==, 2);
  JsonObject *first = json_array_get_object_element (arrows, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "x"), ==, "705.0"); /* 17:00 */
  g_assert_cmpint (json_object_get_int_member (first, "y1"), ==, 46);        /* alice's centre */
  g_assert_cmpint (json_object_get_int_member (first, "y2"), ==, 82);        /* bob's, less 8 */
  g_assert_cmpstr (json_object_get_string_member (first, "note"), ==, "\"><b>x</b> ");
  JsonObject *second = json_array_get_object_element (arrows, 1);
  g_assert_cmpint (json_object_get_int_member (second, "y1"), ==, 90);
  g_assert_cmpint (json_object_get_int_member (second, "y2"), ==, 126);

  /* In Paris the day starts at 23:00 UTC the evening before. */
  g_autoptr (JsonNode) paris = baton_board_index_data (&f->input, NULL, "Europe/Paris", "");
  relay = relay_of (paris);
  g_assert_cmpstr (json_object_get_string_member (relay, "now"), ==, "17:31 CET");
  g_assert_cmpstr (work_x (relay, 0, 0, "x"), ==, "390.0"); /* 08:00 local */
  g_autoptr (JsonNode) bogus = baton_board_index_data (&f->input, NULL, "Not/AZone", "");
  g_assert_cmpstr (json_object_get_string_member (relay_of (bogus), "zone"), ==, "UTC");
}

static void
test_feed (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (JsonNode) node = baton_board_feed_data (&f->input);
  JsonObject *root = json_node_get_object (node);
  JsonArray *entries = json_object_get_array_member (root, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, f->events->len);
  JsonObject *newest = json_array_get_object_element (entries, 0);
  /* Newest first in log order: the last event appended. */
  g_assert_cmpstr (json_object_get_string_member (newest, "title"), ==,
                   "#5 blocked by alice: vendor");
  g_assert_cmpstr (json_object_get_string_member (newest, "id"), ==,
                   "tag:example.com,2026-03-09:baton-event-11");
  g_assert_cmpstr (json_object_get_string_member (root, "feed_id"), ==, "mailto:team@example.com");
  for (guint i = 0; i < BATON_BOARD_FEED_ENTRIES + 20; i++)
    add_event (f->events, 0, "update", NULL, NULL, "hi", f->input.now);
  g_autoptr (JsonNode) capped = baton_board_feed_data (&f->input);
  entries = json_object_get_array_member (json_node_get_object (capped), "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, BATON_BOARD_FEED_ENTRIES);
}

/* The shipped templates escape every field from mail. */
static void
test_rendered_escaped (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (JsonNode) node = baton_board_index_data (&f->input, NULL, NULL, "");
  g_autoptr (GError) error = NULL;
  g_autofree char *html =
      baton_templates_render (NULL, "board.html", node, BATON_MUSTACHE_ESCAPE_HTML, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (html, "<script>alert"));
  g_assert_null (strstr (html, "<b>x</b>"));
  g_assert_nonnull (strstr (html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  g_assert_nonnull (strstr (html, "&quot;&gt;&lt;b&gt;x&lt;/b&gt;"));
  g_autoptr (JsonNode) feed = baton_board_feed_data (&f->input);
  g_autofree char *atom =
      baton_templates_render (NULL, "board-events.atom", feed, BATON_MUSTACHE_ESCAPE_HTML, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (atom, "<?xml version=\"1.0\""));
  g_assert_null (strchr (atom, '\x1b'));
}

/* The digest's relay: 24 cells a member, marks where handoffs happened. */
static void
test_mail_relay (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (JsonNode) node = baton_board_mail_relay_data (&f->input, "UTC");
  JsonObject *root = json_node_get_object (node);
  JsonArray *lanes = json_object_get_array_member (root, "lanes");
  g_assert_cmpuint (json_array_get_length (lanes), ==, 2); /* configured members only */
  JsonArray *alice =
      json_object_get_array_member (json_array_get_object_element (lanes, 0), "cells");
  JsonArray *bob = json_object_get_array_member (json_array_get_object_element (lanes, 1), "cells");
  g_assert_cmpuint (json_array_get_length (alice), ==, 24);
#define CELL(lane, h, field)                                                                       \
  json_object_get_string_member (json_array_get_object_element (lane, h), field)
  g_assert_cmpstr (CELL (alice, 17, "mark"), ==, "\u2192"); /* gave #2 at 17:00 */
  g_assert_cmpstr (CELL (bob, 17, "mark"), ==, "\u2190");
  g_assert_cmpstr (CELL (bob, 1, "mark"), ==, "\u2192"); /* to carol at 01:30 */
  g_assert_cmpstr (CELL (alice, 6, "background"), ==, "#ffffff");
  g_assert_cmpstr (CELL (alice, 7, "background"), ==, "#dcefdc");  /* 08:00 Paris */
  g_assert_cmpstr (CELL (alice, 17, "background"), ==, "#ffffff"); /* 18:00 Paris */
#undef CELL
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (alice, 16), "now"));
  JsonArray *handoffs = json_object_get_array_member (root, "handoffs");
  g_assert_cmpuint (json_array_get_length (handoffs), ==, 2); /* not the one of 03-01 */
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (handoffs, 0), "at"), ==,
      "Mon 01:30");
  g_assert_true (
      json_object_get_null_member (json_array_get_object_element (handoffs, 0), "marker"));
}

static BatonPending *
pending_row (gint64 task, const char *giver, const char *receiver, gint64 since, gint64 escalated)
{
  BatonPending *row = g_new0 (BatonPending, 1);
  row->task = task;
  row->giver = g_strdup (giver);
  row->receiver = g_strdup (receiver);
  row->since = since;
  row->escalated_at = escalated;
  return row;
}

/* Pages built with a shared cache are the pages built without one, in
 * whatever order and zone they come. */
static void
test_cache (Fixture *f, gconstpointer data)
{
  (void) data;
  const char *pages[][2] = { { NULL, "UTC" },
                             { "alice", "Europe/Paris" },
                             { "bob", "America/Los_Angeles" },
                             { "carol", "UTC" },
                             { NULL, "UTC" },
                             { "bob", "Europe/Paris" } };
  g_autoptr (BatonBoardCache) cache = baton_board_cache_new ();
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      f->input.cache = NULL;
      g_autoptr (JsonNode) plain = baton_board_index_data (&f->input, pages[i][0], pages[i][1], "");
      f->input.cache = cache;
      g_autoptr (JsonNode) cached =
          baton_board_index_data (&f->input, pages[i][0], pages[i][1], "");
      g_autofree char *want = json_to_string (plain, FALSE);
      g_autofree char *got = json_to_string (cached, FALSE);
      g_assert_cmpstr (got, ==, want);
    }
  f->input.cache = NULL;
}

/* A task page's fingerprint moves with everything the page shows, and
 * with nothing else (not the time): the writer reuses pages by it. */
static void
test_fingerprint (Fixture *f, gconstpointer data)
{
  (void) data;
  BatonTask *task = f->tasks->pdata[1]; /* #2 */
  g_autoptr (GPtrArray) events = g_ptr_array_new ();
  for (guint i = 0; i < f->events->len; i++)
    if (((BatonEvent *) f->events->pdata[i])->task == 2)
      g_ptr_array_add (events, f->events->pdata[i]);
  g_autofree char *first = baton_board_task_fingerprint (&f->input, task, events);
  g_assert_cmpuint (strlen (first), ==, 32);
  f->input.now += 86400;
  g_autofree char *later = baton_board_task_fingerprint (&f->input, task, events);
  g_assert_cmpstr (later, ==, first);
  g_free (task->title);
  task->title = g_strdup ("Relay!");
  g_autofree char *retitled = baton_board_task_fingerprint (&f->input, task, events);
  g_assert_cmpstr (retitled, !=, first);
  BatonEvent *handoff = events->pdata[1];
  g_free (handoff->note);
  handoff->note = g_strdup ("another note");
  g_autofree char *renoted = baton_board_task_fingerprint (&f->input, task, events);
  g_assert_cmpstr (renoted, !=, retitled);
  /* The fields' boundaries count: "ab" + "" is not "a" + "b". */
  g_free (handoff->note);
  handoff->note = g_strdup ("");
  g_free (handoff->to_member);
  handoff->to_member = g_strdup ("bobx");
  g_autofree char *shifted_a = baton_board_task_fingerprint (&f->input, task, events);
  g_free (handoff->note);
  handoff->note = g_strdup ("x");
  g_free (handoff->to_member);
  handoff->to_member = g_strdup ("bob");
  g_autofree char *shifted_b = baton_board_task_fingerprint (&f->input, task, events);
  g_assert_cmpstr (shifted_a, !=, shifted_b);
  g_autoptr (GPtrArray) pending =
      g_ptr_array_new_with_free_func ((GDestroyNotify) baton_pending_free);
  g_ptr_array_add (pending, pending_row (2, "bob", "carol", at ("2026-03-09T01:30:00Z"), 0));
  f->input.pending = pending;
  g_autofree char *waiting = baton_board_task_fingerprint (&f->input, task, events);
  g_assert_cmpstr (waiting, !=, shifted_b);
  f->input.pending = NULL;
}

/* The digest's relay marks the handoffs still waiting to be accepted, in
 * text as well as colour: in the hour cell, its title and the list. */
static void
test_mail_relay_pending (Fixture *f, gconstpointer data)
{
  (void) data;
  add_event (f->events, 5, "handoff", "alice", "bob", NULL, at ("2026-03-09T10:00:00Z"));
  g_autoptr (GPtrArray) pending =
      g_ptr_array_new_with_free_func ((GDestroyNotify) baton_pending_free);
  g_ptr_array_add (pending, pending_row (2, "bob", "carol", at ("2026-03-09T01:30:00Z"),
                                         at ("2026-03-09T16:00:00Z")));
  g_ptr_array_add (pending, pending_row (5, "alice", "bob", at ("2026-03-09T10:00:00Z"), 0));
  f->input.pending = pending;
  g_autoptr (JsonNode) node = baton_board_mail_relay_data (&f->input, "UTC");
  JsonObject *root = json_node_get_object (node);
  JsonArray *lanes = json_object_get_array_member (root, "lanes");
  JsonArray *alice =
      json_object_get_array_member (json_array_get_object_element (lanes, 0), "cells");
  JsonArray *bob = json_object_get_array_member (json_array_get_object_element (lanes, 1), "cells");
#define CELL(lane, h, field)                                                                       \
  json_object_get_string_member (json_array_get_object_element (lane, h), field)
  g_assert_cmpstr (CELL (bob, 1, "mark"), ==, "\u2192\u26a0"); /* gave #2, escalated */
  g_assert_cmpstr (CELL (bob, 1, "colour"), ==, "#c0262d");
  g_assert_cmpstr (CELL (bob, 1, "title"), ==, "bob 01:00, gave a handoff, \u26a0 escalated");
  g_assert_cmpstr (CELL (alice, 10, "mark"), ==, "\u2192\u23f3"); /* gave #5, pending */
  g_assert_cmpstr (CELL (bob, 10, "mark"), ==, "\u2190\u23f3");
  g_assert_cmpstr (CELL (bob, 10, "colour"), ==, "#9a5b00");
  g_assert_cmpstr (CELL (alice, 17, "mark"), ==, "\u2192"); /* #2 to bob: accepted since */
  g_assert_cmpstr (CELL (alice, 17, "colour"), ==, "#333333");
#undef CELL
  JsonArray *handoffs = json_object_get_array_member (root, "handoffs");
  JsonObject *newest = json_array_get_object_element (handoffs, 0);
  JsonObject *escalated = json_array_get_object_element (handoffs, 1);
  JsonObject *accepted = json_array_get_object_element (handoffs, 2);
  g_assert_cmpstr (json_object_get_string_member (newest, "marker"), ==, "\u23f3 pending");
  g_assert_true (json_object_get_boolean_member (newest, "pending"));
  g_assert_false (json_object_get_boolean_member (newest, "escalated"));
  g_assert_cmpstr (json_object_get_string_member (escalated, "marker"), ==, "\u26a0 escalated");
  g_assert_true (json_object_get_boolean_member (escalated, "escalated"));
  g_assert_true (json_object_get_null_member (accepted, "marker"));

  /* Rendered: the markers are in the HTML list and in the text part. */
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "relay");
  json_builder_add_value (builder, json_node_copy (node));
  json_builder_end_object (builder);
  g_autoptr (JsonNode) digest = json_builder_get_root (builder);
  g_autoptr (GError) error = NULL;
  g_autofree char *html =
      baton_templates_render (NULL, "digest.html", digest, BATON_MUSTACHE_ESCAPE_HTML, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (html, "alice &rarr; bob, Mon 10:00 (task 5) <b style=\"color: "
                                  "#9a5b00\">\u23f3 pending</b>"));
  g_assert_nonnull (strstr (html, "(task 2) <b style=\"color: #c0262d\">\u26a0 escalated</b>"));
  g_autofree char *text =
      baton_templates_render (NULL, "digest.txt", digest, BATON_MUSTACHE_PLAIN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "  alice -> bob, Mon 10:00 (task 5) \u23f3 pending\n"));
  g_assert_nonnull (strstr (text, "  bob -> carol, Mon 01:30 (task 2) \u26a0 escalated\n"));
  g_assert_nonnull (strstr (text, "  alice -> bob, Sun 17:00 (task 2)\n"));
  f->input.pending = NULL;
}

/* Each lane is shaded from its member's own hours, workdays and away days,
 * in the viewer's zone: Monday 2026-03-09. */
static const char hours_config[] = "[baton]\n"
                                   "team-address = team@example.com\n"
                                   "[member ana]\n"
                                   "email = ana@example.com\n"
                                   "timezone = Europe/Paris\n"
                                   "hours = 09:00-17:00\n"
                                   "[member kenji]\n"
                                   "email = kenji@example.com\n"
                                   "timezone = Asia/Tokyo\n"
                                   "hours = 09:00-18:00\n"
                                   "[member tara]\n"
                                   "email = tara@example.com\n"
                                   "timezone = Asia/Kathmandu\n"
                                   "hours = 09:00-18:00\n"
                                   "[member sam]\n"
                                   "email = sam@example.com\n"
                                   "timezone = UTC\n"
                                   "[member wes]\n"
                                   "email = wes@example.com\n"
                                   "timezone = UTC\n"
                                   "workdays = Tue-Sat\n";

static const char *
lane_field (JsonObject *relay, guint lane, const char *field)
{
  JsonObject *l =
      json_array_get_object_element (json_object_get_array_member (relay, "lanes"), lane);
  return json_object_get_string_member (l, field);
}

static void
test_member_hours (void)
{
  g_autoptr (BatonConfig) config = load_config_text (hours_config);
  g_autoptr (GPtrArray) tasks = g_ptr_array_new ();
  g_autoptr (GPtrArray) events = g_ptr_array_new ();
  g_autoptr (GHashTable) away =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_array_unref);
  GArray *sam_away = g_array_new (FALSE, FALSE, sizeof (BatonAway));
  guint32 first = 0, last = 0;
  g_assert_true (baton_date_parse ("2026-03-06", &first, NULL));
  g_assert_true (baton_date_parse ("2026-03-11", &last, NULL));
  BatonAway period = { first, last };
  g_array_append_val (sam_away, period);
  g_hash_table_insert (away, "sam", sam_away);
  BatonBoardInput input = { config, tasks, events, at ("2026-03-09T16:31:00Z"), NULL, away, NULL };

  g_autoptr (JsonNode) utc = baton_board_index_data (&input, NULL, "UTC", "");
  JsonObject *relay = relay_of (utc);
  /* ana, Paris 09:00-17:00 (CET): 08:00-16:00 UTC. */
  g_assert_cmpstr (work_x (relay, 0, 0, "x"), ==, "390.0");
  g_assert_cmpstr (work_x (relay, 0, 0, "width"), ==, "280.0");
  g_assert_cmpstr (lane_field (relay, 0, "hours"), ==, "09:00-17:00");
  /* kenji, Tokyo 09:00-18:00: 00:00-09:00 UTC; Tuesday's starts at midnight. */
  g_assert_cmpstr (work_x (relay, 1, 0, "x"), ==, "110.0");
  g_assert_cmpstr (work_x (relay, 1, 0, "width"), ==, "315.0");
  g_assert_cmpstr (work_x (relay, 1, 1, "x"), ==, "none");
  /* tara, Kathmandu (UTC+05:45) 09:00-18:00: 03:15-12:15 UTC. */
  g_assert_cmpstr (work_x (relay, 2, 0, "x"), ==, "223.8");
  g_assert_cmpstr (work_x (relay, 2, 0, "width"), ==, "315.0");
  g_assert_cmpstr (work_x (relay, 2, 1, "x"), ==, "none");
  g_assert_null (lane_field (relay, 2, "status"));
  /* sam is away through Wednesday: back on Thursday, as he would write it. */
  g_assert_cmpstr (work_x (relay, 3, 0, "x"), ==, "none");
  g_assert_cmpstr (lane_field (relay, 3, "status"), ==, "away until 2026-03-12");
  /* wes works Tuesday to Saturday: Monday is his day off. */
  g_assert_cmpstr (work_x (relay, 4, 0, "x"), ==, "none");
  g_assert_cmpstr (lane_field (relay, 4, "status"), ==, "off today");

  /* Seen from Los Angeles (PDT), kenji's Monday and Tuesday both show:
   * 00:00-02:00 and 17:00-24:00 of the viewer's Monday. */
  g_autoptr (JsonNode) la = baton_board_index_data (&input, NULL, "America/Los_Angeles", "");
  relay = relay_of (la);
  g_assert_cmpstr (work_x (relay, 1, 0, "x"), ==, "110.0");
  g_assert_cmpstr (work_x (relay, 1, 0, "width"), ==, "70.0");
  g_assert_cmpstr (work_x (relay, 1, 1, "x"), ==, "705.0");
  g_assert_cmpstr (work_x (relay, 1, 1, "width"), ==, "245.0");

  /* The text equivalent says the same. */
  g_autoptr (GError) error = NULL;
  g_autofree char *html =
      baton_templates_render (NULL, "board.html", utc, BATON_MUSTACHE_ESCAPE_HTML, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (html, "tara (Asia/Kathmandu, works 09:00-18:00); "));
  g_assert_nonnull (strstr (html, "sam (UTC, works 08:00-18:00, away until 2026-03-12); "));
  g_assert_nonnull (strstr (html, "wes (UTC, works 08:00-18:00, off today); "));
  g_assert_nonnull (strstr (html, ">off today</text>"));

  /* The digest's cells, from the same hours. */
  g_autoptr (JsonNode) mail = baton_board_mail_relay_data (&input, "UTC");
  JsonArray *lanes = json_object_get_array_member (json_node_get_object (mail), "lanes");
  g_autoptr (GString) rows = g_string_new (NULL);
  for (guint l = 0; l < json_array_get_length (lanes); l++)
    {
      JsonObject *lane = json_array_get_object_element (lanes, l);
      JsonArray *cells = json_object_get_array_member (lane, "cells");
      for (guint h = 0; h < 24; h++)
        g_string_append_c (rows,
                           g_str_equal (json_object_get_string_member (
                                            json_array_get_object_element (cells, h), "background"),
                                        "#dcefdc")
                               ? '#'
                               : '.');
      g_string_append_printf (rows, " %s\n",
                              json_object_get_string_member (lane, "status")
                                  ? json_object_get_string_member (lane, "status")
                                  : "-");
    }
  g_assert_cmpstr (rows->str, ==,
                   "........########........ -\n" /* ana: 08-16 UTC */
                   "#########............... -\n" /* kenji: 00-09 */
                   "...#########............ -\n" /* tara: 03:15-12:15, by half hour */
                   "........................ away until 2026-03-12\n"
                   "........................ off today\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/board/duration", test_duration);
  g_test_add ("/board/columns", Fixture, NULL, fixture_set_up, test_columns, fixture_tear_down);
  g_test_add ("/board/card", Fixture, NULL, fixture_set_up, test_card, fixture_tear_down);
  g_test_add ("/board/pending", Fixture, NULL, fixture_set_up, test_pending, fixture_tear_down);
  g_test_add ("/board/relay", Fixture, NULL, fixture_set_up, test_relay, fixture_tear_down);
  g_test_add ("/board/feed", Fixture, NULL, fixture_set_up, test_feed, fixture_tear_down);
  g_test_add ("/board/rendered-escaped", Fixture, NULL, fixture_set_up, test_rendered_escaped,
              fixture_tear_down);
  g_test_add ("/board/mail-relay", Fixture, NULL, fixture_set_up, test_mail_relay,
              fixture_tear_down);
  g_test_add ("/board/mail-relay-pending", Fixture, NULL, fixture_set_up, test_mail_relay_pending,
              fixture_tear_down);
  g_test_add_func ("/board/member-hours", test_member_hours);
  g_test_add ("/board/cache", Fixture, NULL, fixture_set_up, test_cache, fixture_tear_down);
  g_test_add ("/board/fingerprint", Fixture, NULL, fixture_set_up, test_fingerprint,
              fixture_tear_down);
  return g_test_run ();
}
