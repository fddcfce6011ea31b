/* SPDX-License-Identifier: MIT */
/* The board's page data (include/baton/board.h): pure, no I/O.
 *
 * The relay picture is laid out here rather than in the template: lane
 * rows, shaded working hours and arrow ends are plain numbers in the data,
 * so an overriding template draws the same picture without arithmetic
 * (Mustache has none) and tests can check positions exactly. */
#define G_LOG_DOMAIN "baton-board"
#include "baton/board.h"

#include "baton/clock.h"
#include "baton/json.h"
#include "baton/schedule.h"

#include <string.h>
#include <time.h>

/* The relay picture's geometry, in SVG user units. */
#define RELAY_LABEL_WIDTH 110
#define RELAY_HOUR_WIDTH 35
#define RELAY_LANE_HEIGHT 44
#define RELAY_TOP 24

/* Mail text on one line: control characters (which XML 1.0 forbids, and
 * which would break a line) become spaces; invalid UTF-8 is repaired. */
static char *
one_line (const char *text)
{
  if (text == NULL)
    return NULL;
  char *clean = g_utf8_make_valid (text, -1);
  for (char *p = clean; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  return clean;
}

/* Is @text one_line() already? Most text is, and a board has 20,000
 * notes: checking costs less than the copy. */
static gboolean
is_one_line (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return g_utf8_validate (text, -1, NULL);
}

static void
add_clean (JsonBuilder *builder, const char *name, const char *text)
{
  if (text == NULL || is_one_line (text))
    {
      baton_json_add_string (builder, name, text);
      return;
    }
  g_autofree char *clean = one_line (text);
  baton_json_add_string (builder, name, clean);
}

/* As add_clean(), into @object. */
static void
set_clean (JsonObject *object, const char *name, const char *text)
{
  if (text == NULL)
    json_object_set_null_member (object, name);
  else if (is_one_line (text))
    json_object_set_string_member (object, name, text);
  else
    {
      g_autofree char *clean = one_line (text);
      json_object_set_string_member (object, name, clean);
    }
}

static gboolean
changes_state (const char *kind)
{
  /* Not g_strv_contains: this runs for every event of every page. */
  switch (kind[0])
    {
      case 'c':
        return strcmp (kind, "created") == 0;
      case 't':
        return strcmp (kind, "taken") == 0;
      case 'h':
        return strcmp (kind, "handoff") == 0;
      case 'd':
        return strcmp (kind, "done") == 0 || strcmp (kind, "dropped") == 0;
      case 'b':
        return strcmp (kind, "blocked") == 0;
      case 'u':
        return strcmp (kind, "unblocked") == 0;
      default:
        return FALSE;
    }
}

/* "handoff by alice alice -> bob: needs the deploy" as `baton log` prints
 * it, without the time. */
static char *
event_text (const BatonEvent *event)
{
  /* Appends, not printf: this runs for every event on every page. */
  g_autoptr (GString) text = g_string_sized_new (128);
  g_string_append (text, event->kind);
  g_string_append (text, " by ");
  g_string_append (text, event->who ? event->who : "?");
  if (event->from_member && event->to_member)
    {
      g_string_append (text, " (");
      g_string_append (text, event->from_member);
      g_string_append (text, " \u2192 ");
      g_string_append (text, event->to_member);
      g_string_append_c (text, ')');
    }
  if (event->note && *event->note)
    {
      g_string_append (text, ": ");
      g_string_append (text, event->note);
    }
  if (is_one_line (text->str))
    return g_string_free (g_steal_pointer (&text), FALSE);
  return one_line (text->str);
}

/* @at as local time in @zone with strftime @format, "%Z" replaced by the
 * zone's abbreviation. Done with gmtime_r on the shifted time rather than
 * a GDateTime per call: a board of 20,000 events formats that many. */
static char *
format_in_zone (gint64 at, GTimeZone *zone, const char *format)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, at);
  gint32 offset = interval >= 0 ? g_time_zone_get_offset (zone, interval) : 0;
  time_t local = (time_t) (at + offset);
  struct tm parts;
  char text[96];
  if (gmtime_r (&local, &parts) == NULL)
    return g_strdup ("?");
  g_autofree char *with_zone = NULL;
  const char *zone_tag = strstr (format, "%Z");
  if (zone_tag)
    {
      const char *abbreviation =
          interval >= 0 ? g_time_zone_get_abbreviation (zone, interval) : "UTC";
      with_zone = g_strdup_printf ("%.*s%s%s", (int) (zone_tag - format), format, abbreviation,
                                   zone_tag + 2);
      format = with_zone;
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  gsize length = strftime (text, sizeof text, format, &parts);
#pragma GCC diagnostic pop
  return g_strdup (length > 0 ? text : "?");
}

/* ISO 8601 UTC of @at into @text, as baton_json_add_time() writes it. */
static void
format_iso (gint64 at, char text[32])
{
  time_t t = (time_t) at;
  struct tm parts;
  g_strlcpy (text, "?", 32);
  if (gmtime_r (&t, &parts) != NULL)
    strftime (text, 32, "%Y-%m-%dT%H:%M:%SZ", &parts);
}

/* Member @name: ISO 8601 UTC of @at. */
static void
add_iso (JsonBuilder *builder, const char *name, gint64 at)
{
  char text[32];
  format_iso (at, text);
  baton_json_add_string (builder, name, text);
}

/* Per task: its newest event and when it entered its current state. */
typedef struct {
  const BatonEvent *last;
  gint64 state_since;
} TaskHistory;

static GHashTable *
index_history (const BatonBoardInput *input)
{
  GHashTable *history = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  for (guint i = 0; i < input->events->len; i++)
    {
      const BatonEvent *event = input->events->pdata[i];
      if (event->task <= 0)
        continue;
      TaskHistory *entry = g_hash_table_lookup (history, &event->task);
      if (entry == NULL)
        {
          entry = g_new0 (TaskHistory, 1);
          g_hash_table_insert (history, (gpointer) &event->task, entry);
        }
      entry->last = event;
      if (changes_state (event->kind))
        entry->state_since = event->at;
    }
  return history;
}

struct BatonBoardCache {
  GHashTable *history; /* index_history() of the input; NULL until asked */
  GHashTable *arrows;  /* zone name → (event id → Arrow) */
};

/* An arrow as built for one zone, between lanes @from and @to. */
typedef struct {
  int from, to;
  JsonObject *object; /* owned */
} Arrow;

static void
arrow_free (gpointer data)
{
  Arrow *arrow = data;
  json_object_unref (arrow->object);
  g_free (arrow);
}

BatonBoardCache *
baton_board_cache_new (void)
{
  BatonBoardCache *cache = g_new0 (BatonBoardCache, 1);
  cache->arrows =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  return cache;
}

void
baton_board_cache_free (BatonBoardCache *cache)
{
  if (cache == NULL)
    return;
  if (cache->history)
    g_hash_table_unref (cache->history);
  g_hash_table_unref (cache->arrows);
  g_free (cache);
}

/* The input's task history: a new reference the caller unrefs. */
static GHashTable *
history_of (const BatonBoardInput *input)
{
  if (input->cache == NULL)
    return index_history (input);
  if (input->cache->history == NULL)
    input->cache->history = index_history (input);
  return g_hash_table_ref (input->cache->history);
}

/* team+take-12@example.com from team@example.com. */
static char *
plus_address (const char *team, const char *verb, gint64 task)
{
  const char *at = team ? strrchr (team, '@') : NULL;
  if (at == NULL)
    return NULL;
  return g_strdup_printf ("mailto:%.*s+%s-%" G_GINT64_FORMAT "%s", (int) (at - team), team, verb,
                          task, at);
}

static const char *const column_keys[] = { "waiting", "open", "taken", "blocked", "done" };
static const char *const column_titles[] = { "Waiting to be accepted", "Open", "Taken", "Blocked",
                                             "Done in the last 7 days" };
static const char *const column_empty[] = { "Nothing waiting", "Nothing open",
                                            "Nobody holds a task", "Nothing blocked",
                                            "Nothing done this week" };

/* The handoff task @task waits on (store.h's pending rows), or NULL. */
static const BatonPending *
pending_of (const BatonBoardInput *input, gint64 task)
{
  for (guint i = 0; input->pending != NULL && i < input->pending->len; i++)
    {
      const BatonPending *pending = input->pending->pdata[i];
      if (pending->task == task)
        return pending;
    }
  return NULL;
}

/* The pending row of handoff @event: the one it started (same task,
 * receiver and time), or NULL once it was accepted or handed on. */
static const BatonPending *
pending_of_event (const BatonBoardInput *input, const BatonEvent *event)
{
  const BatonPending *pending = pending_of (input, event->task);
  return pending != NULL && pending->since == event->at &&
                 g_strcmp0 (pending->receiver, event->to_member) == 0
             ? pending
             : NULL;
}

/* The column of @task, or -1 when it is not on the board (done long ago).
 * "waiting" holds the handoffs not accepted yet. */
static int
column_of (const BatonTask *task, gint64 since, gint64 now, gboolean pending)
{
  if (pending)
    return 0;
  if (g_str_equal (task->state, "open"))
    return 1;
  if (g_str_equal (task->state, "taken"))
    return 2;
  if (g_str_equal (task->state, "blocked"))
    return 3;
  if (g_str_equal (task->state, "done") && now - since <= BATON_BOARD_RECENT_SECONDS)
    return 4;
  return -1;
}

static gboolean
belongs_to (const BatonTask *task, const char *member)
{
  if (member == NULL)
    return TRUE;
  if (task->owner)
    return g_str_equal (task->owner, member);
  return task->created_by && g_str_equal (task->created_by, member);
}

static void
add_card (JsonBuilder *builder, const BatonBoardInput *input, const BatonTask *task,
          const TaskHistory *history, GTimeZone *zone, const char *root)
{
  gint64 since = history && history->state_since ? history->state_since : task->created_at;
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "id", task->id);
  add_clean (builder, "title", task->title);
  baton_json_add_string (builder, "state", task->state);
  baton_json_add_string (builder, "holder", task->owner);
  baton_json_add_string (builder, "created_by", task->created_by);
  add_clean (builder, "blocked_reason", task->blocked_reason);
  g_autofree char *duration =
      baton_schedule_format_seconds (input->now - since, BATON_DURATION_SHORT);
  baton_json_add_string (builder, "in_state_for", duration);
  add_iso (builder, "in_state_since", since);
  if (history && history->last)
    {
      g_autofree char *line = event_text (history->last);
      g_autofree char *when = format_in_zone (history->last->at, zone, "%a %d %b %H:%M");
      baton_json_add_string (builder, "last_event", line);
      baton_json_add_string (builder, "last_event_at", when);
    }
  g_autofree char *take = plus_address (input->config->team_address, "take", task->id);
  g_autofree char *done = plus_address (input->config->team_address, "done", task->id);
  baton_json_add_string (builder, "take_mailto", take);
  baton_json_add_string (builder, "done_mailto", g_str_equal (task->state, "done") ? NULL : done);
  g_autofree char *url = g_strdup_printf ("%stask/%" G_GINT64_FORMAT ".html", root, task->id);
  baton_json_add_string (builder, "url", url);
  const BatonPending *pending = pending_of (input, task->id);
  baton_json_add_bool (builder, "pending", pending != NULL);
  baton_json_add_bool (builder, "escalated", pending != NULL && pending->escalated_at != 0);
  json_builder_end_object (builder);
}

static void
add_columns (JsonBuilder *builder, const BatonBoardInput *input, GHashTable *history,
             const char *member, GTimeZone *zone, const char *root)
{
  GPtrArray *columns[G_N_ELEMENTS (column_keys)];
  for (guint c = 0; c < G_N_ELEMENTS (column_keys); c++)
    columns[c] = g_ptr_array_new ();
  for (guint i = 0; i < input->tasks->len; i++)
    {
      const BatonTask *task = input->tasks->pdata[i];
      const TaskHistory *entry = g_hash_table_lookup (history, &task->id);
      gint64 since = entry && entry->state_since ? entry->state_since : task->created_at;
      int column = column_of (task, since, input->now, pending_of (input, task->id) != NULL);
      if (column >= 0 && belongs_to (task, member))
        g_ptr_array_add (columns[column], (gpointer) task);
    }
  json_builder_set_member_name (builder, "columns");
  json_builder_begin_array (builder);
  for (guint c = 0; c < G_N_ELEMENTS (column_keys); c++)
    {
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "key", column_keys[c]);
      baton_json_add_string (builder, "title", column_titles[c]);
      baton_json_add_string (builder, "empty_text", column_empty[c]);
      baton_json_add_int (builder, "count", columns[c]->len);
      json_builder_set_member_name (builder, "cards");
      json_builder_begin_array (builder);
      for (guint i = 0; i < columns[c]->len; i++)
        {
          const BatonTask *task = columns[c]->pdata[i];
          add_card (builder, input, task, g_hash_table_lookup (history, &task->id), zone, root);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      g_ptr_array_unref (columns[c]);
    }
  json_builder_end_array (builder);
}

static void
add_members (JsonBuilder *builder, const BatonBoardInput *input, const char *member,
             const char *root)
{
  json_builder_set_member_name (builder, "members");
  json_builder_begin_array (builder);
  for (guint i = 0; i < input->config->members->len; i++)
    {
      const BatonMember *m = input->config->members->pdata[i];
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "name", m->name);
      add_clean (builder, "display_name", m->display_name);
      baton_json_add_string (builder, "timezone", m->timezone);
      g_autofree char *url = g_strdup_printf ("%smember/%s.html", root, m->name);
      baton_json_add_string (builder, "url", url);
      baton_json_add_bool (builder, "current", member && g_str_equal (member, m->name));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* ---- the relay picture ---- */

typedef struct {
  const char *name;
  const BatonMember *member; /* NULL: not a configured member, no hours */
} Lane;

static double
x_of (gint64 at, gint64 day_start)
{
  return RELAY_LABEL_WIDTH + (double) (at - day_start) * RELAY_HOUR_WIDTH / 3600.0;
}

/* @member's working time with their away periods, borrowing from both. */
static void
member_week (const BatonBoardInput *input, const BatonMember *member, BatonWorktime *week)
{
  const GArray *away = input->away ? g_hash_table_lookup (input->away, member->name) : NULL;
  baton_config_member_week (member, away, week);
}

/* Why the member does not work on their own today at @now: "off today",
 * "away until 2026-03-12", or NULL on a working day. "until" names the
 * day they are back, as they wrote it in `away until DATE`. */
static char *
day_status (const BatonWorktime *week, gint64 now)
{
  guint32 today = baton_worktime_local_day (week, now);
  if (baton_worktime_is_working_day (week, today))
    return NULL;
  guint32 last = 0;
  for (guint i = 0; week->away != NULL && i < week->away->len; i++)
    {
      const BatonAway *away = &g_array_index (week->away, BatonAway, i);
      if (today >= away->first && today <= away->last)
        last = MAX (last, away->last);
    }
  if (last == 0)
    return g_strdup ("off today");
  g_autofree char *back = baton_date_format (last + 1);
  return g_strdup_printf ("away until %s", back);
}

/* "09:00-18:00" for minutes after midnight; the end may be 24:00. */
static char *
hours_text (const BatonWorktime *week)
{
  return g_strdup_printf ("%02d:%02d-%02d:%02d", week->start / 60, week->start % 60, week->end / 60,
                          week->end % 60);
}

/* The member's working periods that fall in the viewer's day
 * [@day_start, @day_end), as rectangles: each of the member's own local
 * days that overlaps it contributes its period, clipped, so a Tokyo day
 * seen from Europe gives two and a day off gives none. */
static void
add_work_spans (JsonBuilder *builder, const BatonWorktime *week, gint64 day_start, gint64 day_end)
{
  json_builder_set_member_name (builder, "work");
  json_builder_begin_array (builder);
  guint32 first = week ? baton_worktime_local_day (week, day_start) : 1;
  guint32 last = week ? baton_worktime_local_day (week, day_end - 1) : 0;
  for (guint32 day = first; day <= last; day++)
    {
      gint64 from = 0, to = 0;
      if (!baton_worktime_period (week, day, &from, &to))
        continue;
      from = MAX (from, day_start);
      to = MIN (to, day_end);
      if (to <= from)
        continue;
      g_autofree char *x = g_strdup_printf ("%.1f", x_of (from, day_start));
      g_autofree char *w = g_strdup_printf ("%.1f", x_of (to, day_start) - x_of (from, day_start));
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "x", x);
      baton_json_add_string (builder, "width", w);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static int
lane_index (GArray *lanes, const char *name)
{
  for (guint i = 0; i < lanes->len; i++)
    if (g_str_equal (g_array_index (lanes, Lane, i).name, name))
      return (int) i;
  Lane extra = { name, NULL };
  g_array_append_val (lanes, extra);
  return (int) lanes->len - 1;
}

static int
lane_y (int lane)
{
  return RELAY_TOP + lane * RELAY_LANE_HEIGHT + RELAY_LANE_HEIGHT / 2;
}

static void
add_arrow (JsonBuilder *builder, const BatonEvent *event, const BatonPending *pending, int from,
           int to, gint64 day_start, GTimeZone *zone, gint64 now)
{
  /* Every handoff lands at its time of day, whichever of the seven days. */
  gint64 offset = ((event->at - day_start) % 86400 + 86400) % 86400;
  double x = x_of (day_start + offset, day_start);
  int y1 = lane_y (from), y2 = lane_y (to);
  /* Stop short of the receiver's lane centre so the head stays visible. */
  int y2_tip = y2 + (y2 > y1 ? -8 : 8);
  gint64 age_days = (now - event->at) / 86400;
  g_autofree char *when = format_in_zone (event->at, zone, "%a %d %b %H:%M %Z");
  g_autofree char *xs = g_strdup_printf ("%.1f", x);
  g_autofree char *opacity = g_strdup_printf ("%.2f", 1.0 - 0.1 * (double) MIN (age_days, 6));
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "task", event->task);
  baton_json_add_string (builder, "from", event->from_member);
  baton_json_add_string (builder, "to", event->to_member);
  baton_json_add_string (builder, "at", when);
  add_iso (builder, "at_iso", event->at);
  add_clean (builder, "note", event->note);
  baton_json_add_string (builder, "x", xs);
  baton_json_add_int (builder, "y1", y1);
  baton_json_add_int (builder, "y2", y2_tip);
  baton_json_add_int (builder, "age_days", age_days);
  baton_json_add_string (builder, "opacity", opacity);
  baton_json_add_bool (builder, "pending", pending != NULL);
  baton_json_add_bool (builder, "escalated", pending != NULL && pending->escalated_at != 0);
  json_builder_end_object (builder);
}

/* The arrow of handoff @event as add_arrow() builds it, from the cache
 * when a page before drew it in the same zone between the same lanes; a
 * new reference. */
static JsonObject *
arrow_object (const BatonBoardInput *input, const char *zone_name, const BatonEvent *event,
              int from, int to, gint64 day_start, GTimeZone *zone)
{
  GHashTable *drawn = NULL;
  if (input->cache)
    {
      drawn = g_hash_table_lookup (input->cache->arrows, zone_name);
      if (drawn == NULL)
        {
          drawn = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, arrow_free);
          g_hash_table_insert (input->cache->arrows, g_strdup (zone_name), drawn);
        }
      Arrow *arrow = g_hash_table_lookup (drawn, &event->id);
      if (arrow != NULL && arrow->from == from && arrow->to == to)
        return json_object_ref (arrow->object);
    }
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  add_arrow (builder, event, pending_of_event (input, event), from, to, day_start, zone,
             input->now);
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  JsonObject *object = json_node_dup_object (root);
  if (drawn != NULL)
    {
      Arrow *arrow = g_new (Arrow, 1);
      *arrow = (Arrow){ from, to, json_object_ref (object) };
      /* Keyed by the event, which the input keeps alive. */
      g_hash_table_replace (drawn, (gpointer) &event->id, arrow);
    }
  return object;
}

static void
add_lanes (JsonBuilder *builder, const BatonBoardInput *input, GArray *lanes, gint64 day_start,
           gint64 day_end)
{
  json_builder_set_member_name (builder, "lanes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < lanes->len; i++)
    {
      const Lane *lane = &g_array_index (lanes, Lane, i);
      BatonWorktime week;
      if (lane->member)
        member_week (input, lane->member, &week);
      g_autofree char *hours = lane->member ? hours_text (&week) : NULL;
      g_autofree char *status = lane->member ? day_status (&week, input->now) : NULL;
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "name", lane->name);
      baton_json_add_string (builder, "timezone", lane->member ? lane->member->timezone : NULL);
      baton_json_add_string (builder, "hours", hours);
      baton_json_add_string (builder, "status", status);
      baton_json_add_int (builder, "y", RELAY_TOP + (int) i * RELAY_LANE_HEIGHT);
      baton_json_add_int (builder, "label_y", lane_y ((int) i) + 4);
      baton_json_add_int (builder, "status_y", lane_y ((int) i) + 16);
      baton_json_add_int (builder, "height", RELAY_LANE_HEIGHT);
      add_work_spans (builder, lane->member ? &week : NULL, day_start, day_end);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_hours (JsonBuilder *builder, int height)
{
  json_builder_set_member_name (builder, "hours");
  json_builder_begin_array (builder);
  for (int h = 0; h <= 24; h += 3)
    {
      json_builder_begin_object (builder);
      baton_json_add_int (builder, "x", RELAY_LABEL_WIDTH + h * RELAY_HOUR_WIDTH);
      g_autofree char *label = g_strdup_printf ("%02d:00", h % 24);
      baton_json_add_string (builder, "label", label);
      baton_json_add_int (builder, "bottom", height);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_relay (JsonBuilder *builder, const BatonBoardInput *input, const char *member, GTimeZone *zone,
           const char *zone_name)
{
  g_autoptr (GDateTime) now_utc = g_date_time_new_from_unix_utc (input->now);
  g_autoptr (GDateTime) now_local = g_date_time_to_timezone (now_utc, zone);
  g_autoptr (GDateTime) midnight =
      g_date_time_new (zone, g_date_time_get_year (now_local), g_date_time_get_month (now_local),
                       g_date_time_get_day_of_month (now_local), 0, 0, 0);
  gint64 day_start = g_date_time_to_unix (midnight);
  gint64 day_end = day_start + 86400;
  g_autoptr (GArray) lanes = g_array_new (FALSE, FALSE, sizeof (Lane));
  for (guint i = 0; i < input->config->members->len; i++)
    {
      const BatonMember *m = input->config->members->pdata[i];
      Lane lane = { m->name, m };
      g_array_append_val (lanes, lane);
    }
  json_builder_set_member_name (builder, "relay");
  json_builder_begin_object (builder);
  baton_json_add_string (builder, "zone", zone_name);
  g_autofree char *day = g_date_time_format (now_local, "%A %d %B %Y");
  baton_json_add_string (builder, "day", day);
  json_builder_set_member_name (builder, "arrows");
  json_builder_begin_array (builder);
  guint arrows = 0;
  for (guint i = 0; i < input->events->len; i++)
    {
      const BatonEvent *event = input->events->pdata[i];
      if (!g_str_equal (event->kind, "handoff") || event->from_member == NULL ||
          event->to_member == NULL || input->now - event->at > BATON_BOARD_RECENT_SECONDS ||
          event->at > input->now)
        continue;
      /* A member's page shows the relay legs they ran. */
      if (member && !g_str_equal (member, event->from_member) &&
          !g_str_equal (member, event->to_member))
        continue;
      int from = lane_index (lanes, event->from_member);
      int to = lane_index (lanes, event->to_member);
      JsonObject *object = arrow_object (input, zone_name, event, from, to, day_start, zone);
      JsonNode *node = json_node_alloc ();
      json_node_init_object (node, object);
      json_object_unref (object);
      json_builder_add_value (builder, node);
      arrows++;
    }
  json_builder_end_array (builder);
  baton_json_add_int (builder, "arrow_count", arrows);
  int height = RELAY_TOP + (int) lanes->len * RELAY_LANE_HEIGHT;
  add_lanes (builder, input, lanes, day_start, day_end);
  add_hours (builder, height);
  baton_json_add_int (builder, "width", RELAY_LABEL_WIDTH + 24 * RELAY_HOUR_WIDTH + 10);
  baton_json_add_int (builder, "height", height + 4);
  g_autofree char *now_x = g_strdup_printf ("%.1f", x_of (input->now, day_start));
  baton_json_add_string (builder, "now_x", now_x);
  g_autofree char *now_text = g_date_time_format (now_local, "%H:%M %Z");
  baton_json_add_string (builder, "now", now_text);
  json_builder_end_object (builder);
}

/* @now: the time the page was written, or 0 for a page that must not
 * depend on it (a task page is reused while its fingerprint holds). */
static void
add_header (JsonBuilder *builder, const BatonBoardInput *input, const char *root, gint64 now)
{
  baton_json_add_string (builder, "team_address", input->config->team_address);
  baton_json_add_string (builder, "root", root);
  if (now != 0)
    add_iso (builder, "generated_at", now);
  g_autofree char *task_mailto = plus_address (input->config->team_address, "task", 0);
  /* "team+task-0@" is no address: a new task goes to team+task@. */
  if (task_mailto)
    {
      char *dash = strstr (task_mailto, "+task-0@");
      if (dash)
        memmove (dash + 5, dash + 7, strlen (dash + 7) + 1);
    }
  baton_json_add_string (builder, "new_task_mailto", task_mailto);
}

JsonNode *
baton_board_index_data (const BatonBoardInput *input, const char *member, const char *zone,
                        const char *root)
{
  GTimeZone *found = zone ? g_time_zone_new_identifier (zone) : NULL;
  const char *zone_name = found ? zone : "UTC";
  g_autoptr (GTimeZone) tz = found ? found : g_time_zone_new_utc ();
  g_autoptr (GHashTable) history = history_of (input);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_header (builder, input, root, input->now);
  baton_json_add_string (builder, "member", member);
  add_members (builder, input, member, root);
  add_columns (builder, input, history, member, tz, root);
  add_relay (builder, input, member, tz, zone_name);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* @text or null, into @object. */
static void
set_string (JsonObject *object, const char *name, const char *text)
{
  if (text == NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_string_member (object, name, text);
}

/* The rows of a task page. Built as objects directly, without the
 * builder's member names and state: these are most of a board's JSON. */
static void
add_event_rows (JsonBuilder *builder, GPtrArray *events)
{
  JsonArray *rows = json_array_sized_new (events->len);
  for (guint i = 0; i < events->len; i++)
    {
      const BatonEvent *event = events->pdata[i];
      JsonObject *row = json_object_new ();
      char iso[32];
      format_iso (event->at, iso);
      json_object_set_string_member (row, "at", iso);
      set_string (row, "kind", event->kind);
      set_string (row, "who", event->who);
      set_string (row, "from", event->from_member);
      set_string (row, "to", event->to_member);
      set_clean (row, "note", event->note);
      g_autofree char *line = event_text (event);
      json_object_set_string_member (row, "text", line);
      json_array_add_object_element (rows, row);
    }
  JsonNode *node = json_node_alloc ();
  json_node_init_array (node, rows);
  json_array_unref (rows);
  json_builder_set_member_name (builder, "events");
  json_builder_add_value (builder, node);
}

JsonNode *
baton_board_task_data (const BatonBoardInput *input, const BatonTask *task, GPtrArray *events)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_header (builder, input, "../", 0);
  baton_json_add_int (builder, "id", task->id);
  add_clean (builder, "title", task->title);
  baton_json_add_string (builder, "state", task->state);
  baton_json_add_string (builder, "holder", task->owner);
  baton_json_add_string (builder, "created_by", task->created_by);
  add_iso (builder, "created_at", task->created_at);
  add_clean (builder, "blocked_reason", task->blocked_reason);
  g_autofree char *take = plus_address (input->config->team_address, "take", task->id);
  g_autofree char *done = plus_address (input->config->team_address, "done", task->id);
  baton_json_add_string (builder, "take_mailto", take);
  baton_json_add_string (builder, "done_mailto", g_str_equal (task->state, "done") ? NULL : done);
  baton_json_add_bool (builder, "pending", pending_of (input, task->id) != NULL);
  add_event_rows (builder, events);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Fed to the fingerprint: each field with its length first, so that no
 * two different sequences of fields read alike. */
static void
print_text (GChecksum *sum, const char *text)
{
  gsize length = text ? strlen (text) : G_MAXSIZE;
  g_checksum_update (sum, (const guchar *) &length, sizeof length);
  if (text)
    g_checksum_update (sum, (const guchar *) text, (gssize) length);
}

static void
print_int (GChecksum *sum, gint64 value)
{
  g_checksum_update (sum, (const guchar *) &value, sizeof value);
}

char *
baton_board_task_fingerprint (const BatonBoardInput *input, const BatonTask *task,
                              GPtrArray *events)
{
  /* MD5 hashes at a fraction of GLib's SHA-256 cost; a collision, which
   * only the task's own authors could craft, would keep that task's
   * older page, nothing worse. */
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  /* Bump when baton_board_task_data() changes what it puts in. */
  print_text (sum, "board-task 1");
  print_text (sum, input->config->team_address);
  print_int (sum, task->id);
  print_text (sum, task->title);
  print_text (sum, task->state);
  print_text (sum, task->owner);
  print_text (sum, task->created_by);
  print_int (sum, task->created_at);
  print_text (sum, task->blocked_reason);
  print_int (sum, pending_of (input, task->id) != NULL);
  for (guint i = 0; i < events->len; i++)
    {
      const BatonEvent *event = events->pdata[i];
      print_int (sum, event->at);
      print_text (sum, event->kind);
      print_text (sum, event->who);
      print_text (sum, event->from_member);
      print_text (sum, event->to_member);
      print_text (sum, event->note);
    }
  return g_strdup (g_checksum_get_string (sum));
}

JsonNode *
baton_board_feed_data (const BatonBoardInput *input)
{
  const char *team = input->config->team_address ? input->config->team_address : "team@invalid";
  const char *at = strrchr (team, '@');
  const char *domain = at ? at + 1 : "invalid";
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_header (builder, input, "", input->now);
  g_autofree char *feed_id = g_strdup_printf ("mailto:%s", team);
  baton_json_add_string (builder, "feed_id", feed_id);
  guint n = input->events->len;
  gint64 updated = n > 0 ? ((const BatonEvent *) input->events->pdata[n - 1])->at : input->now;
  add_iso (builder, "updated", updated);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  for (guint k = 0; k < MIN (n, BATON_BOARD_FEED_ENTRIES); k++)
    {
      const BatonEvent *event = input->events->pdata[n - 1 - k];
      g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (event->at);
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%d");
      g_autofree char *id =
          g_strdup_printf ("tag:%s,%s:baton-event-%" G_GINT64_FORMAT, domain, date, event->id);
      g_autofree char *line = event_text (event);
      g_autofree char *title = event->task > 0
                                   ? g_strdup_printf ("#%" G_GINT64_FORMAT " %s", event->task, line)
                                   : g_strdup (line);
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "id", id);
      baton_json_add_string (builder, "title", title);
      add_iso (builder, "updated", event->at);
      baton_json_add_string (builder, "who", event->who);
      g_autofree char *link =
          event->task > 0 ? g_strdup_printf ("task/%" G_GINT64_FORMAT ".html", event->task) : NULL;
      baton_json_add_string (builder, "link", link);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- the relay in the HTML digest ---- */

/* Mail clients show no SVG and strip most CSS: the digest's relay is a
 * table of 24 hour cells per member, coloured by inline styles, with a
 * mark in the hours a member gave or received a handoff. A handoff still
 * waiting to be accepted carries a text marker as well as a colour, as a
 * client that drops the styles (or a reader who cannot tell the colours
 * apart) must still see it. */
#define MAIL_WORK_COLOUR "#dcefdc"
#define MAIL_FREE_COLOUR "#ffffff"
#define MAIL_MARK_COLOUR "#333333"
#define MAIL_PENDING_COLOUR "#9a5b00"
#define MAIL_ESCALATED_COLOUR "#c0262d"
#define MAIL_PENDING_MARKER "\u23f3 pending"
#define MAIL_ESCALATED_MARKER "\u26a0 escalated"
#define MAIL_HANDOFFS_LISTED 10

/* A handoff of the last 7 days, up to now, between two members. */
static gboolean
recent_handoff (const BatonEvent *e, gint64 now)
{
  return g_str_equal (e->kind, "handoff") && e->from_member && e->to_member &&
         now - e->at <= BATON_BOARD_RECENT_SECONDS && e->at <= now;
}

/* Per hour cell: 0 nothing, 1 a handoff, 2 one still pending, 3 escalated. */
static int
handoff_level (const BatonBoardInput *input, const BatonEvent *event)
{
  const BatonPending *pending = pending_of_event (input, event);
  return pending == NULL ? 1 : pending->escalated_at != 0 ? 3 : 2;
}

static void
add_mail_cell (JsonBuilder *builder, const BatonMember *member, const BatonWorktime *week, int h,
               gint64 day_start, int gave, int got, int level, gboolean now)
{
  const char *arrow = gave && got ? "\u21c4" : gave ? "\u2192" : got ? "\u2190" : "";
  const char *sign = level == 3 ? "\u26a0" : level == 2 ? "\u23f3" : "";
  const char *marker = level == 3   ? ", " MAIL_ESCALATED_MARKER
                       : level == 2 ? ", " MAIL_PENDING_MARKER
                                    : "";
  g_autofree char *mark = g_strconcat (arrow, sign, NULL);
  g_autofree char *title =
      g_strdup_printf ("%s %02d:00%s%s%s", member->name, h, gave ? ", gave a handoff" : "",
                       got ? ", received a handoff" : "", marker);
  gboolean working = baton_worktime_is_working (week, day_start + h * 3600 + 1800);
  json_builder_begin_object (builder);
  baton_json_add_string (builder, "background", working ? MAIL_WORK_COLOUR : MAIL_FREE_COLOUR);
  baton_json_add_string (builder, "mark", mark);
  baton_json_add_string (builder, "colour",
                         level == 3   ? MAIL_ESCALATED_COLOUR
                         : level == 2 ? MAIL_PENDING_COLOUR
                                      : MAIL_MARK_COLOUR);
  baton_json_add_string (builder, "title", title);
  baton_json_add_bool (builder, "now", now);
  json_builder_end_object (builder);
}

static void
add_mail_lane (JsonBuilder *builder, const BatonBoardInput *input, const BatonMember *member,
               gint64 day_start)
{
  int gave[24] = { 0 }, got[24] = { 0 }, level[24] = { 0 };
  for (guint i = 0; i < input->events->len; i++)
    {
      const BatonEvent *e = input->events->pdata[i];
      if (!recent_handoff (e, input->now))
        continue;
      gboolean from = g_str_equal (e->from_member, member->name);
      gboolean to = g_str_equal (e->to_member, member->name);
      if (!from && !to)
        continue;
      int hour = (int) ((((e->at - day_start) % 86400) + 86400) % 86400 / 3600);
      gave[hour] += from;
      got[hour] += to;
      level[hour] = MAX (level[hour], handoff_level (input, e));
    }
  BatonWorktime week;
  member_week (input, member, &week);
  g_autofree char *status = day_status (&week, input->now);
  g_autofree char *hours = hours_text (&week);
  json_builder_begin_object (builder);
  baton_json_add_string (builder, "name", member->name);
  baton_json_add_string (builder, "hours", hours);
  baton_json_add_string (builder, "status", status);
  json_builder_set_member_name (builder, "cells");
  json_builder_begin_array (builder);
  int now_hour = (int) ((input->now - day_start) / 3600);
  for (int h = 0; h < 24; h++)
    add_mail_cell (builder, member, &week, h, day_start, gave[h], got[h], level[h], h == now_hour);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
add_mail_handoffs (JsonBuilder *builder, const BatonBoardInput *input, GTimeZone *tz)
{
  json_builder_set_member_name (builder, "handoffs");
  json_builder_begin_array (builder);
  guint listed = 0;
  for (guint i = input->events->len; i > 0 && listed < MAIL_HANDOFFS_LISTED; i--)
    {
      const BatonEvent *e = input->events->pdata[i - 1];
      if (!recent_handoff (e, input->now))
        continue;
      int level = handoff_level (input, e);
      g_autofree char *when = format_in_zone (e->at, tz, "%a %H:%M");
      json_builder_begin_object (builder);
      baton_json_add_int (builder, "task", e->task);
      baton_json_add_string (builder, "from", e->from_member);
      baton_json_add_string (builder, "to", e->to_member);
      baton_json_add_string (builder, "at", when);
      baton_json_add_bool (builder, "pending", level >= 2);
      baton_json_add_bool (builder, "escalated", level == 3);
      baton_json_add_string (builder, "marker",
                             level == 3   ? MAIL_ESCALATED_MARKER
                             : level == 2 ? MAIL_PENDING_MARKER
                                          : NULL);
      baton_json_add_string (builder, "marker_colour",
                             level == 3 ? MAIL_ESCALATED_COLOUR : MAIL_PENDING_COLOUR);
      json_builder_end_object (builder);
      listed++;
    }
  json_builder_end_array (builder);
  baton_json_add_bool (builder, "has_handoffs", listed > 0);
}

JsonNode *
baton_board_mail_relay_data (const BatonBoardInput *input, const char *zone)
{
  GTimeZone *found = zone ? g_time_zone_new_identifier (zone) : NULL;
  g_autoptr (GTimeZone) tz = found ? found : g_time_zone_new_utc ();
  g_autoptr (GDateTime) now_utc = g_date_time_new_from_unix_utc (input->now);
  g_autoptr (GDateTime) now_local = g_date_time_to_timezone (now_utc, tz);
  g_autoptr (GDateTime) midnight =
      g_date_time_new (tz, g_date_time_get_year (now_local), g_date_time_get_month (now_local),
                       g_date_time_get_day_of_month (now_local), 0, 0, 0);
  gint64 day_start = g_date_time_to_unix (midnight);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  baton_json_add_string (builder, "zone", found ? zone : "UTC");
  json_builder_set_member_name (builder, "hours");
  json_builder_begin_array (builder);
  for (int h = 0; h < 24; h += 6)
    {
      json_builder_begin_object (builder);
      g_autofree char *label = g_strdup_printf ("%02d", h);
      baton_json_add_string (builder, "label", label);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "lanes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < input->config->members->len; i++)
    add_mail_lane (builder, input, input->config->members->pdata[i], day_start);
  json_builder_end_array (builder);
  add_mail_handoffs (builder, input, tz);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
