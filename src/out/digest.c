/* SPDX-License-Identifier: MIT */
/* Digests that follow the sun: each member's, at their own digest-at in
 * their own time zone, telling them their part of the relay since their
 * last one.
 *
 * Due-ness is decided from the stored time of the member's last digest
 * (or their join time), never from "is it 08:30 now", so a cron that runs
 * every 5 minutes, every hour, or missed a night entirely still sends
 * exactly one digest per local morning. What a digest holds is decided by
 * the log's order instead: its window is the events (and held mail) after
 * the last row the previous digest covered, so a clock stepped back or
 * forward loses nothing and repeats nothing.
 *
 * Each task with something in the window lands in exactly one section,
 * the first that claims it in the reader's order of concern: waiting for
 * you, what happened to your tasks, done by others, new tasks, blocked,
 * between others. The lists of the team's state (your tasks, stale, open)
 * skip what a section already showed, and the long ones show the first
 * few and a count: a digest is read in a minute, the board holds the rest.
 *
 * Cost: one GTimeZone per zone per run (building one reads the tz file,
 * once 81% of a digest's time), and per reader only the events of their
 * window; times are formatted only for what is shown. */
#define G_LOG_DOMAIN "baton-outbox"
#include "outbox-private.h"

#include "baton/board.h"
#include "baton/clock.h"
#include "baton/error.h"
#include "baton/schedule.h"

#include <string.h>

#define DIGEST_HELD_LISTED 20
/* Sections about the team rather than the reader show this many, the
 * latest: a three-week catch-up must still read in a minute. */
#define DIGEST_TEAM_LISTED 5
#define DIGEST_STALE_LISTED 5
#define DIGEST_OPEN_LISTED 5

/* What one digest run shares between its members. */
typedef struct {
  BatonTeam *team;
  GPtrArray *tasks;  /* BatonTask*, by number, all but done ones */
  GPtrArray *done;   /* BatonTask*, done ones a window named, read on demand */
  GHashTable *by_id; /* task id → BatonTask, borrowed from tasks and done */
  GHashTable *zones; /* tzid → GTimeZone*, a reference each for the run */
  gint64 now;
  GPtrArray *pending; /* BatonPending*, oldest first; NULL when acceptance is off */
} DigestRun;

typedef enum {
  SECTION_NONE,
  SECTION_WAITING,
  SECTION_HAPPENED,
  SECTION_DONE,
  SECTION_CREATED,
  SECTION_BLOCKED,
  SECTION_BETWEEN,
  SECTION_COUNT
} Section;

/* A task's events in the window, and the section it landed in. */
typedef struct {
  const BatonTask *task;
  GPtrArray *events;     /* BatonEvent*, borrowed from the window */
  guint first;           /* events[first..] came after the reader last acted on it */
  const BatonEvent *key; /* the event that put it in its section */
} TaskWindow;

typedef struct {
  DigestRun *run;
  const BatonMember *member;
  GTimeZone *zone;                    /* the reader's, borrowed from run->zones */
  char *city;                         /* the reader's zone's city */
  GHashTable *claimed;                /* task ids shown in a section */
  GPtrArray *windows;                 /* TaskWindow*, owned */
  GPtrArray *sections[SECTION_COUNT]; /* TaskWindow*, borrowed from windows */
  gboolean has_anything;
} DigestContext;

static void
task_window_free (TaskWindow *window)
{
  g_ptr_array_unref (window->events);
  g_free (window);
}

static GTimeZone *
run_zone (DigestRun *run, const char *tzid)
{
  const char *key = tzid != NULL ? tzid : "";
  GTimeZone *zone = g_hash_table_lookup (run->zones, key);
  if (zone == NULL)
    {
      zone = baton_schedule_zone (tzid);
      g_hash_table_insert (run->zones, g_strdup (key), zone);
    }
  return zone;
}

static gboolean
same_local_day (GTimeZone *a, GTimeZone *b, gint64 at)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (at);
  if (utc == NULL)
    return TRUE;
  g_autoptr (GDateTime) in_a = g_date_time_to_timezone (utc, a);
  g_autoptr (GDateTime) in_b = g_date_time_to_timezone (utc, b);
  return g_date_time_get_day_of_year (in_a) == g_date_time_get_day_of_year (in_b);
}

/* When @who acted, as the reader reads it: "Tue 18:05 Paris" in the
 * author's zone (the relay across zones is the point), then ", 09:05 your
 * time" when the reader's zone is another. The date is shown whenever the
 * weekday alone could name two days. */
static char *
event_time (DigestContext *context, const char *who, gint64 at)
{
  const BatonConfig *config = context->run->team->config;
  const BatonMember *author = baton_config_member_by_name (config, who);
  const char *tzid = author ? author->timezone : config->timezone;
  g_autofree char *near = NULL;
  if (g_strcmp0 (tzid, context->member->timezone) == 0)
    {
      near = baton_schedule_format_near (context->zone, at, context->run->now);
      return g_strdup_printf ("%s %s", near, context->city);
    }
  GTimeZone *zone = run_zone (context->run, tzid);
  near = baton_schedule_format_near (zone, at, context->run->now);
  g_autofree char *city = baton_schedule_zone_city (tzid);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (at);
  g_autoptr (GDateTime) mine = utc ? g_date_time_to_timezone (utc, context->zone) : NULL;
  g_autofree char *yours =
      mine ? g_date_time_format (mine,
                                 same_local_day (zone, context->zone, at) ? "%H:%M" : "%a %H:%M")
           : g_strdup ("?");
  return g_strdup_printf ("%s %s, %s your time", near, city, yours);
}

/* A time in the reader's own zone: "Tue 10 Mar 09:05 Paris". */
static char *
reader_time (DigestContext *context, gint64 at)
{
  g_autofree char *near = baton_schedule_format_near (context->zone, at, context->run->now);
  return g_strdup_printf ("%s %s", near, context->city);
}

/* "you" for the reader, the name for anyone else. */
static const char *
name_for (DigestContext *context, const char *name)
{
  return g_strcmp0 (name, context->member->name) == 0 ? "you" : name ? name : "nobody";
}

/* A title as the digest shows it: without the trailing "@name" it was
 * created with, which names whoever held it first and is wrong as soon as
 * it moves on (who holds it now is said beside it). */
static char *
shown_title (DigestContext *context, const BatonTask *task)
{
  if (task == NULL)
    return g_strdup ("");
  char *title = g_strdup (task->title);
  for (;;)
    {
      g_strchomp (title);
      char *at = strrchr (title, '@');
      if (at == NULL || at == title || at[-1] != ' ' ||
          baton_config_member_by_name (context->run->team->config, at + 1) == NULL)
        break;
      *at = '\0';
    }
  if (*title == '\0')
    return g_free (title), g_strdup (task->title);
  return title;
}

static void
add_task_heading (DigestContext *context, JsonBuilder *builder, const BatonTask *task)
{
  g_autofree char *title = shown_title (context, task);
  baton_json_add_int (builder, "task", task->id);
  baton_json_add_int (builder, "id", task->id);
  outbox_json_text (builder, "title", title, 0);
}

/* "held by bob", "done", "in the pool", "blocked, held by you". */
static char *
task_status (DigestContext *context, const BatonTask *task)
{
  if (g_str_equal (task->state, "done"))
    return g_strdup ("done");
  if (task->owner == NULL)
    return g_strdup ("in the pool");
  return g_strdup_printf ("%sheld by %s", g_str_equal (task->state, "blocked") ? "blocked, " : "",
                          name_for (context, task->owner));
}

/* What @event did, in words for the reader: "handed on to you by bob". */
static char *
event_said (DigestContext *context, const BatonEvent *event)
{
  const char *who = name_for (context, event->who);
  const char *kind = event->kind;
  if (g_str_equal (kind, "handoff") && g_strcmp0 (event->to_member, event->who) == 0)
    return g_strdup_printf ("taken from %s by %s", name_for (context, event->from_member), who);
  if (g_str_equal (kind, "handoff") && g_strcmp0 (event->from_member, event->who) == 0)
    return g_strdup_printf ("handed on to %s by %s", name_for (context, event->to_member), who);
  if (g_str_equal (kind, "handoff"))
    return g_strdup_printf ("handed from %s to %s by %s", name_for (context, event->from_member),
                            name_for (context, event->to_member), who);
  if (g_str_equal (kind, "created") && event->to_member != NULL)
    return g_strdup_printf ("created by %s for %s", who, name_for (context, event->to_member));
  if (g_str_equal (kind, "dropped"))
    return g_strdup_printf ("dropped back in the pool by %s", who);
  return g_strdup_printf ("%s by %s", kind, who);
}

/* One event line: what, when, and its note (a creation's note is its
 * title, already shown). */
static void
add_event_line (DigestContext *context, JsonBuilder *builder, const BatonEvent *event)
{
  g_autofree char *said = event_said (context, event);
  g_autofree char *when = event_time (context, event->who, event->at);
  outbox_json_text (builder, "said", said, 0);
  outbox_json_text (builder, "who", event->who, 0);
  baton_json_add_string (builder, "local_time", when);
  outbox_json_text (builder, "note", g_str_equal (event->kind, "created") ? NULL : event->note, 0);
}

static gboolean
is_note (const BatonEvent *event)
{
  return g_str_equal (event->kind, "note") || g_str_equal (event->kind, "update");
}

static gboolean
is_reader (DigestContext *context, const char *name)
{
  return g_strcmp0 (name, context->member->name) == 0;
}

/* The handoff of task @task that waits for the reader to accept it, or
 * NULL. */
static const BatonPending *
pending_for_reader (DigestContext *context, gint64 task)
{
  GPtrArray *pending = context->run->pending;
  for (guint i = 0; pending != NULL && i < pending->len; i++)
    {
      const BatonPending *row = pending->pdata[i];
      if (row->task == task && is_reader (context, row->receiver))
        return row;
    }
  return NULL;
}

/* A handoff (or a creation) to the reader that they have not acted on
 * since. NULL when none. */
static const BatonEvent *
waiting_event (DigestContext *context, const TaskWindow *window)
{
  const BatonTask *task = window->task;
  if (!is_reader (context, task->owner) || g_str_equal (task->state, "done"))
    return NULL;
  for (guint i = window->events->len; i > 0; i--)
    {
      const BatonEvent *event = window->events->pdata[i - 1];
      if (is_reader (context, event->who))
        return NULL;
      if ((g_str_equal (event->kind, "handoff") || g_str_equal (event->kind, "created")) &&
          is_reader (context, event->to_member))
        return event;
    }
  return NULL;
}

/* The last event in @window by someone else, of @kind (NULL: any kind but
 * notes). */
static const BatonEvent *
last_by_others (DigestContext *context, const TaskWindow *window, const char *kind)
{
  for (guint i = window->events->len; i > window->first; i--)
    {
      const BatonEvent *event = window->events->pdata[i - 1];
      if (!is_reader (context, event->who) && !is_note (event) &&
          (kind == NULL || g_str_equal (event->kind, kind)))
        return event;
    }
  return NULL;
}

static gboolean
is_readers_task (DigestContext *context, const TaskWindow *window)
{
  if (is_reader (context, window->task->created_by) || is_reader (context, window->task->owner))
    return TRUE;
  for (guint i = 0; i < window->events->len; i++)
    if (is_reader (context, ((BatonEvent *) window->events->pdata[i])->from_member))
      return TRUE;
  return FALSE;
}

/* The one section @window belongs in, with its key event. */
static Section
classify (DigestContext *context, TaskWindow *window)
{
  const BatonEvent *any = last_by_others (context, window, NULL);
  if (any == NULL)
    return SECTION_NONE; /* only the reader's own doings, and notes */
  /* With acceptance on, "waiting" is what the store says waits for the
   * reader (a line of theirs accepted the rest); else the window decides. */
  if (context->run->pending != NULL && pending_for_reader (context, window->task->id) != NULL)
    {
      const BatonEvent *event = waiting_event (context, window);
      window->key = event != NULL ? event : any;
      return SECTION_WAITING;
    }
  if (context->run->pending == NULL && (window->key = waiting_event (context, window)) != NULL)
    return SECTION_WAITING;
  window->key = any;
  if (is_readers_task (context, window))
    return SECTION_HAPPENED;
  if (g_str_equal (window->task->state, "done") &&
      (window->key = last_by_others (context, window, "done")) != NULL)
    return SECTION_DONE;
  if ((window->key = last_by_others (context, window, "created")) != NULL)
    return SECTION_CREATED;
  if ((window->key = last_by_others (context, window, "blocked")) != NULL ||
      (window->key = last_by_others (context, window, "unblocked")) != NULL)
    return SECTION_BLOCKED;
  window->key = any;
  return SECTION_BETWEEN;
}

/* Groups the window's task events by task, in the order tasks first
 * moved, into context->windows, and puts each in its section. */
static void
sort_window (DigestContext *context, GPtrArray *events)
{
  GPtrArray *windows = context->windows;
  g_autoptr (GHashTable) by_task = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < events->len; i++)
    {
      BatonEvent *event = events->pdata[i];
      const BatonTask *task = g_hash_table_lookup (context->run->by_id, &event->task);
      if (task == NULL)
        continue;
      TaskWindow *window = g_hash_table_lookup (by_task, &event->task);
      if (window == NULL)
        {
          window = g_new0 (TaskWindow, 1);
          window->task = task;
          window->events = g_ptr_array_new ();
          g_hash_table_insert (by_task, &event->task, window);
          g_ptr_array_add (windows, window);
        }
      g_ptr_array_add (window->events, event);
    }
  for (guint i = 0; i < windows->len; i++)
    {
      TaskWindow *window = windows->pdata[i];
      /* What the reader did themselves, and what came before it, they
       * know: a task created for them and done by them is no news. A note
       * is no sign they knew: one may be written on a task without having
       * seen who took it. */
      for (guint j = 0; j < window->events->len; j++)
        {
          const BatonEvent *event = window->events->pdata[j];
          if (is_reader (context, event->who) && !is_note (event))
            window->first = j + 1;
        }
      Section section = classify (context, window);
      if (section == SECTION_NONE)
        continue;
      g_ptr_array_add (context->sections[section], window);
      g_hash_table_add (context->claimed, (gpointer) &window->task->id);
    }
}

static void
end_list (DigestContext *context, JsonBuilder *builder, const char *name, guint shown, guint more,
          gboolean counts)
{
  json_builder_end_array (builder);
  g_autofree char *flag = g_strdup_printf ("has_%s", name);
  g_autofree char *more_name = g_strdup_printf ("%s_more", name);
  baton_json_add_bool (builder, flag, shown + more > 0);
  baton_json_add_int (builder, more_name, more);
  if (counts)
    context->has_anything |= shown + more > 0;
}

static void
add_waiting_entry (DigestContext *context, JsonBuilder *builder, const BatonTask *task,
                   const char *from, gint64 since, const char *note)
{
  g_autofree char *when = event_time (context, from, since);
  g_autofree char *waited = baton_schedule_format_duration (since, context->run->now);
  json_builder_begin_object (builder);
  add_task_heading (context, builder, task);
  outbox_json_text (builder, "from", from, 0);
  baton_json_add_string (builder, "local_time", when);
  baton_json_add_string (builder, "waited", waited);
  outbox_json_text (builder, "note", note, 0);
  json_builder_end_object (builder);
}

/* Every handoff waiting for the reader to accept it (or, with acceptance
 * off, those of the window they have not acted on), with how long. */
static void
add_waiting (DigestContext *context, JsonBuilder *builder)
{
  GPtrArray *windows = context->sections[SECTION_WAITING];
  json_builder_set_member_name (builder, "waiting");
  json_builder_begin_array (builder);
  for (guint i = 0; i < windows->len; i++)
    {
      const TaskWindow *window = windows->pdata[i];
      const BatonPending *pending = pending_for_reader (context, window->task->id);
      const BatonEvent *key = window->key;
      gboolean handoff = g_str_equal (key->kind, "handoff") || g_str_equal (key->kind, "created");
      add_waiting_entry (context, builder, window->task, pending ? pending->giver : key->who,
                         pending ? pending->since : key->at,
                         handoff && !g_str_equal (key->kind, "created") ? key->note : NULL);
    }
  guint shown = windows->len;
  /* Handed over before this window and still not accepted: as pressing. */
  for (guint i = 0; context->run->pending != NULL && i < context->run->pending->len; i++)
    {
      const BatonPending *pending = context->run->pending->pdata[i];
      const BatonTask *task = g_hash_table_lookup (context->run->by_id, &pending->task);
      if (!is_reader (context, pending->receiver) || task == NULL ||
          g_hash_table_contains (context->claimed, &pending->task))
        continue;
      add_waiting_entry (context, builder, task, pending->giver, pending->since, NULL);
      g_hash_table_add (context->claimed, (gpointer) &task->id);
      shown++;
    }
  /* Only news makes a digest go out: an old wait alone does not. */
  end_list (context, builder, "waiting", shown, 0, FALSE);
  context->has_anything |= windows->len > 0;
}

/* The tasks the reader holds that no section above showed, with when each
 * last moved: someone back from weeks away sees what is still theirs. */
static void
add_yours (DigestContext *context, JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "yours");
  json_builder_begin_array (builder);
  guint shown = 0;
  for (guint i = 0; i < context->run->tasks->len; i++)
    {
      const BatonTask *task = context->run->tasks->pdata[i];
      if (!is_reader (context, task->owner) || g_str_equal (task->state, "done") ||
          g_hash_table_contains (context->claimed, &task->id))
        continue;
      g_autofree char *moved = reader_time (context, task->updated_at);
      json_builder_begin_object (builder);
      add_task_heading (context, builder, task);
      baton_json_add_string (builder, "moved", moved);
      outbox_json_text (builder, "reason", task->blocked_reason, 0);
      json_builder_end_object (builder);
      shown++;
    }
  end_list (context, builder, "yours", shown, 0, FALSE);
}

static void
add_happened (DigestContext *context, JsonBuilder *builder)
{
  GPtrArray *windows = context->sections[SECTION_HAPPENED];
  json_builder_set_member_name (builder, "happened");
  json_builder_begin_array (builder);
  for (guint i = 0; i < windows->len; i++)
    {
      const TaskWindow *window = windows->pdata[i];
      g_autofree char *status = task_status (context, window->task);
      json_builder_begin_object (builder);
      add_task_heading (context, builder, window->task);
      baton_json_add_string (builder, "status", status);
      outbox_json_text (builder, "reason", window->task->blocked_reason, 0);
      json_builder_set_member_name (builder, "events");
      json_builder_begin_array (builder);
      for (guint j = window->first; j < window->events->len; j++)
        {
          const BatonEvent *event = window->events->pdata[j];
          if (is_reader (context, event->who) || is_note (event))
            continue;
          json_builder_begin_object (builder);
          add_event_line (context, builder, event);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  end_list (context, builder, "happened", windows->len, 0, TRUE);
}

/* Done, new, blocked and between-others entries: the task and the one
 * event that put it there. */
static void
add_keyed (DigestContext *context, JsonBuilder *builder, Section section, const char *name)
{
  GPtrArray *windows = context->sections[section];
  guint shown = MIN (windows->len, DIGEST_TEAM_LISTED);
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = windows->len - shown; i < windows->len; i++)
    {
      const TaskWindow *window = windows->pdata[i];
      g_autofree char *status = task_status (context, window->task);
      json_builder_begin_object (builder);
      add_task_heading (context, builder, window->task);
      baton_json_add_string (builder, "status", status);
      outbox_json_text (builder, "owner", window->task->owner, 0);
      outbox_json_text (builder, "reason", window->task->blocked_reason, 0);
      add_event_line (context, builder, window->key);
      json_builder_end_object (builder);
    }
  end_list (context, builder, name, shown, windows->len - shown, TRUE);
}

/* Free-text updates and notes by others, line by line; a note also says
 * which task it is about. */
static void
add_updates (DigestContext *context, JsonBuilder *builder, GPtrArray *events)
{
  g_autoptr (GPtrArray) updates = g_ptr_array_new ();
  for (guint i = 0; i < events->len; i++)
    {
      const BatonEvent *event = events->pdata[i];
      if (is_note (event) && !is_reader (context, event->who))
        g_ptr_array_add (updates, (gpointer) event);
    }
  guint shown = MIN (updates->len, DIGEST_TEAM_LISTED);
  json_builder_set_member_name (builder, "updates");
  json_builder_begin_array (builder);
  for (guint i = updates->len - shown; i < updates->len; i++)
    {
      const BatonEvent *event = updates->pdata[i];
      g_autofree char *when = event_time (context, event->who, event->at);
      json_builder_begin_object (builder);
      outbox_json_text (builder, "who", event->who, 0);
      baton_json_add_string (builder, "local_time", when);
      const BatonTask *task = g_hash_table_lookup (context->run->by_id, &event->task);
      if (task != NULL)
        {
          g_autofree char *title = shown_title (context, task);
          g_autofree char *about = g_strdup_printf ("#%" G_GINT64_FORMAT " %s", task->id, title);
          outbox_json_text (builder, "about", about, 0);
        }
      if (event->note)
        outbox_json_lines (builder, "lines", event->note);
      json_builder_end_object (builder);
    }
  end_list (context, builder, "updates", shown, updates->len - shown, TRUE);
}

/* Tasks someone holds that have not moved in stale-after days (calendar
 * days until baton knows working days), oldest first. */
static void
add_stale (DigestContext *context, JsonBuilder *builder)
{
  int days = context->run->team->config->stale_after_days;
  gint64 before = context->run->now - (gint64) (days > 0 ? days : 3) * 86400;
  g_autoptr (GPtrArray) stale = g_ptr_array_new ();
  for (guint i = 0; i < context->run->tasks->len; i++)
    {
      const BatonTask *task = context->run->tasks->pdata[i];
      if (task->owner != NULL && !is_reader (context, task->owner) &&
          g_str_equal (task->state, "taken") && task->updated_at < before &&
          !g_hash_table_contains (context->claimed, &task->id))
        g_ptr_array_add (stale, (gpointer) task);
    }
  guint shown = 0;
  json_builder_set_member_name (builder, "stale");
  json_builder_begin_array (builder);
  /* oldest movement first: a few passes over a short list */
  for (; shown < MIN (stale->len, DIGEST_STALE_LISTED); shown++)
    {
      guint oldest = shown;
      for (guint j = shown + 1; j < stale->len; j++)
        if (((BatonTask *) stale->pdata[j])->updated_at <
            ((BatonTask *) stale->pdata[oldest])->updated_at)
          oldest = j;
      gpointer swap = stale->pdata[shown];
      stale->pdata[shown] = stale->pdata[oldest];
      stale->pdata[oldest] = swap;
      const BatonTask *task = stale->pdata[shown];
      g_autofree char *moved = reader_time (context, task->updated_at);
      g_autofree char *idle = baton_schedule_format_duration (task->updated_at, context->run->now);
      json_builder_begin_object (builder);
      add_task_heading (context, builder, task);
      outbox_json_text (builder, "owner", task->owner, 0);
      baton_json_add_string (builder, "moved", moved);
      baton_json_add_string (builder, "idle", idle);
      json_builder_end_object (builder);
    }
  end_list (context, builder, "stale", shown, stale->len - shown, FALSE);
}

/* The blocked tasks that changed (the BLOCKED section's entries) and how
 * many are blocked in all. */
static void
add_blocked_total (DigestContext *context, JsonBuilder *builder)
{
  guint total = 0;
  for (guint i = 0; i < context->run->tasks->len; i++)
    total += g_str_equal (((BatonTask *) context->run->tasks->pdata[i])->state, "blocked");
  baton_json_add_int (builder, "blocked_total", total);
  baton_json_add_bool (builder, "has_blocked_total", total > 0);
  baton_json_add_bool (builder, "has_blocked_section",
                       total > 0 || context->sections[SECTION_BLOCKED]->len > 0);
}

/* The pool, oldest first: the first few, and how many more. */
static void
add_open (DigestContext *context, JsonBuilder *builder)
{
  guint shown = 0, more = 0;
  json_builder_set_member_name (builder, "open");
  json_builder_begin_array (builder);
  for (guint i = 0; i < context->run->tasks->len; i++)
    {
      const BatonTask *task = context->run->tasks->pdata[i];
      if (!g_str_equal (task->state, "open") || task->owner != NULL ||
          g_hash_table_contains (context->claimed, &task->id))
        continue;
      if (shown == DIGEST_OPEN_LISTED)
        {
          more++;
          continue;
        }
      g_autofree char *take = outbox_plus_address (context->run->team->config, "take", task->id);
      g_autofree char *age = baton_schedule_format_duration (task->created_at, context->run->now);
      json_builder_begin_object (builder);
      add_task_heading (context, builder, task);
      baton_json_add_string (builder, "take_address", take);
      baton_json_add_string (builder, "age", age);
      json_builder_end_object (builder);
      shown++;
    }
  end_list (context, builder, "open", shown, more, FALSE);
}

/* Held mail, in two lists: a member's mail that failed the
 * Authentication-Results check (adding them to the configuration would be
 * the wrong advice: their mail must come through their own server), and
 * mail from outside the team. */
static void
add_held (DigestContext *context, JsonBuilder *builder, GPtrArray *held, gint64 held_more)
{
  const BatonConfig *config = context->run->team->config;
  for (int members = 1; members >= 0; members--)
    {
      const char *name = members ? "held_auth" : "held";
      guint shown = 0;
      json_builder_set_member_name (builder, name);
      json_builder_begin_array (builder);
      for (guint i = 0; i < held->len; i++)
        {
          const BatonHeldMail *mail = held->pdata[i];
          if ((baton_config_member_by_address (config, mail->sender) != NULL) != members)
            continue;
          g_autofree char *when = reader_time (context, mail->received_at);
          json_builder_begin_object (builder);
          /* A stranger's words, the first thing to sanitize: an encoded-word
           * "=0A" in the subject once drew a fake HANDED TO YOU section. */
          outbox_json_text (builder, "sender", mail->sender ? mail->sender : "(no sender)", 200);
          outbox_json_text (builder, "subject", mail->subject, 200);
          outbox_json_text (builder, "reason", mail->reason, 300);
          baton_json_add_string (builder, "local_time", when);
          json_builder_end_object (builder);
          shown++;
        }
      end_list (context, builder, name, shown, 0, TRUE);
    }
  baton_json_add_int (builder, "held_more", held_more);
  context->has_anything |= held_more > 0;
}

static JsonNode *
digest_data (DigestContext *context, GPtrArray *events, GPtrArray *held, gint64 held_more,
             gint64 since, const char *subject)
{
  sort_window (context, events);
  g_autofree char *since_text = reader_time (context, since);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  outbox_json_member (builder, "member", context->member, NULL);
  baton_json_add_string (builder, "since", since_text);
  baton_json_add_string (builder, "subject", subject);
  baton_json_add_string (builder, "team_address", context->run->team->config->team_address);
  add_waiting (context, builder);
  add_yours (context, builder);
  add_happened (context, builder);
  add_keyed (context, builder, SECTION_DONE, "done");
  add_keyed (context, builder, SECTION_CREATED, "created");
  add_updates (context, builder, events);
  add_keyed (context, builder, SECTION_BETWEEN, "between");
  add_stale (context, builder);
  add_keyed (context, builder, SECTION_BLOCKED, "blocked");
  add_blocked_total (context, builder);
  add_open (context, builder);
  add_held (context, builder, held, held_more);
  json_builder_set_member_name (builder, "relay");
  json_builder_add_value (
      builder, baton_board_mail_relay (context->run->team->config, context->run->team->store,
                                       context->member->timezone, context->run->now));
  baton_json_add_bool (builder, "has_anything", context->has_anything);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A rendered digest, and whether anything in it changed. */
typedef struct {
  char *subject;
  JsonNode *data;
  gboolean has_anything;
} Digest;

static void
digest_clear (Digest *digest)
{
  g_clear_pointer (&digest->subject, g_free);
  g_clear_pointer (&digest->data, json_node_unref);
}

/* Reads the tasks @events name that the run does not hold yet (done
 * ones). A task that is not there (never, in a sane log) is skipped. */
static gboolean
load_window_tasks (DigestRun *run, GPtrArray *events, GError **error)
{
  for (guint i = 0; i < events->len; i++)
    {
      const BatonEvent *event = events->pdata[i];
      if (event->task <= 0 || g_hash_table_contains (run->by_id, &event->task))
        continue;
      GError *local = NULL;
      BatonTask *task = baton_store_task_get (run->team->store, event->task, &local);
      if (local != NULL)
        return g_propagate_error (error, local), FALSE;
      if (task == NULL)
        continue;
      g_ptr_array_add (run->done, task);
      g_hash_table_insert (run->by_id, &task->id, task);
    }
  return TRUE;
}

/* Builds @member's digest of the log after @from up to @to. */
static gboolean
digest_build (DigestRun *run, const BatonMember *member, const BatonDigestMark *from,
              const BatonDigestMark *to, Digest *digest, GError **error)
{
  BatonStore *store = run->team->store;
  g_autoptr (GPtrArray) events =
      baton_store_events_window (store, from->last_event, to->last_event, error);
  if (events == NULL || !load_window_tasks (run, events, error))
    return FALSE;
  gint64 held_more = 0;
  g_autoptr (GPtrArray) held = baton_store_held_window (store, from->last_message, to->last_message,
                                                        DIGEST_HELD_LISTED, &held_more, error);
  if (held == NULL)
    return FALSE;
  DigestContext context = { run,
                            member,
                            run_zone (run, member->timezone),
                            baton_schedule_zone_city (member->timezone),
                            g_hash_table_new (g_int64_hash, g_int64_equal),
                            g_ptr_array_new_with_free_func ((GDestroyNotify) task_window_free),
                            { NULL },
                            FALSE };
  for (int i = 0; i < SECTION_COUNT; i++)
    context.sections[i] = g_ptr_array_new ();
  g_autofree char *day = baton_schedule_format_local (member->timezone, run->now, "%a %d %b");
  digest->subject = g_strdup_printf ("baton digest for %s, %s", member->display_name, day);
  digest->data = digest_data (&context, events, held, held_more, from->at, digest->subject);
  digest->has_anything = context.has_anything;
  for (int i = 0; i < SECTION_COUNT; i++)
    g_ptr_array_unref (context.sections[i]);
  g_ptr_array_unref (context.windows);
  g_hash_table_unref (context.claimed);
  g_free (context.city);
  return TRUE;
}

/* Where @member's window ends now: the whole log so far. It never moves
 * backwards, in rows or in time (a clock set back must not make the next
 * digest due again). */
static gboolean
window_end (BatonStore *store, const BatonDigestMark *from, gint64 now, BatonDigestMark *to,
            GError **error)
{
  if (!baton_store_log_end (store, &to->last_event, &to->last_message, error))
    return FALSE;
  to->at = MAX (now, from->at);
  to->last_event = MAX (to->last_event, from->last_event);
  to->last_message = MAX (to->last_message, from->last_message);
  return TRUE;
}

static gboolean
queue_digest (DigestRun *run, const BatonMember *member, gboolean force, BatonDigestStats *stats,
              GError **error)
{
  BatonStore *store = run->team->store;
  BatonDigestMark from, to;
  if (!baton_store_digest_mark (store, member->name, &from, error))
    return FALSE;
  g_autoptr (GArray) away = baton_store_away_get (store, member->name, error);
  if (away == NULL)
    return FALSE;
  BatonWorktime week;
  baton_config_member_week (member, away, &week);
  if (!force && !baton_schedule_digest_due (&week, member->digest_minutes, from.at, from.sent,
                                            run->now, NULL))
    return TRUE;
  if (!window_end (store, &from, run->now, &to, error))
    return FALSE;
  Digest digest = { NULL, NULL, FALSE };
  if (!digest_build (run, member, &from, &to, &digest, error))
    return FALSE;
  gboolean queued = FALSE;
  if (digest.has_anything || force || run->team->config->digest_when_idle)
    {
      g_autofree char *text = outbox_render (run->team, "digest.txt", digest.data, FALSE, error);
      g_autofree char *html =
          text ? outbox_render (run->team, "digest.html", digest.data, TRUE, error) : NULL;
      OutgoingMail mail = {
        "digest", 0, member->display_name, member->email, digest.subject, text, html, NULL, NULL, 0
      };
      if (html == NULL || !outbox_queue_mail (run->team, &mail, error))
        return digest_clear (&digest), FALSE;
      queued = TRUE;
    }
  digest_clear (&digest);
  if (queued)
    stats->queued++;
  else
    stats->skipped++;
  return baton_store_digest_mark_set (store, member->name, &to, error);
}

static gboolean
run_open (DigestRun *run, BatonTeam *team, GError **error)
{
  run->team = team;
  run->now = baton_clock_now_unix ();
  run->zones =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_time_zone_unref);
  run->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  run->done = g_ptr_array_new_with_free_func ((GDestroyNotify) baton_task_free);
  /* Done tasks pile up forever; a digest reads only those its window names. */
  run->tasks = baton_store_tasks_list (team->store, FALSE, error);
  if (run->tasks == NULL)
    return FALSE;
  for (guint i = 0; i < run->tasks->len; i++)
    {
      BatonTask *task = run->tasks->pdata[i];
      g_hash_table_insert (run->by_id, &task->id, task);
    }
  const BatonConfig *config = team->config;
  if (config->accept_within.amount > 0 || config->return_after.amount > 0)
    run->pending = baton_store_pending_all (team->store, error);
  return run->pending != NULL || (error == NULL || *error == NULL);
}

static void
run_close (DigestRun *run)
{
  g_clear_pointer (&run->tasks, g_ptr_array_unref);
  g_clear_pointer (&run->done, g_ptr_array_unref);
  g_clear_pointer (&run->by_id, g_hash_table_unref);
  g_clear_pointer (&run->zones, g_hash_table_unref);
  g_clear_pointer (&run->pending, g_ptr_array_unref);
}

gboolean
baton_outbox_queue_digests (BatonTeam *team, gboolean force, BatonDigestStats *stats,
                            GError **error)
{
  if (!baton_outbox_queue_pending (team, error))
    return FALSE;
  DigestRun run = { NULL, NULL, NULL, NULL, NULL, 0, NULL };
  gboolean ok = run_open (&run, team, error);
  /* One transaction per member: one member's failure keeps the others'. */
  for (guint i = 0; ok && i < team->config->members->len; i++)
    {
      ok = baton_store_begin (team->store, error);
      if (ok && !queue_digest (&run, team->config->members->pdata[i], force, stats, error))
        ok = FALSE, baton_store_rollback (team->store);
      else if (ok)
        ok = baton_store_commit (team->store, error);
    }
  run_close (&run);
  return ok;
}

static gboolean
preview_member (DigestRun *run, const BatonMember *member, gboolean html, GString *out,
                GError **error)
{
  BatonDigestMark from, to;
  if (!baton_store_digest_mark (run->team->store, member->name, &from, error) ||
      !window_end (run->team->store, &from, run->now, &to, error))
    return FALSE;
  Digest digest = { NULL, NULL, FALSE };
  if (!digest_build (run, member, &from, &to, &digest, error))
    return FALSE;
  g_autofree char *body =
      outbox_render (run->team, html ? "digest.html" : "digest.txt", digest.data, html, error);
  if (body != NULL)
    {
      g_autoptr (GArray) away = baton_store_away_get (run->team->store, member->name, error);
      if (away == NULL)
        return FALSE;
      BatonWorktime week;
      baton_config_member_week (member, away, &week);
      gint64 due = 0;
      baton_schedule_digest_due (&week, member->digest_minutes, from.at, from.sent, run->now, &due);
      g_autofree char *due_text =
          baton_schedule_format_near (run_zone (run, member->timezone), due, run->now);
      g_autofree char *city = baton_schedule_zone_city (member->timezone);
      g_autofree char *wait = due <= run->now ? baton_schedule_format_duration (due, run->now)
                                              : baton_schedule_format_duration (run->now, due);
      g_string_append_printf (out, "To: %s <%s>\nSubject: %s\nDue: %s %s, %s%s%s%s\n\n%s",
                              member->display_name, member->email, digest.subject, due_text, city,
                              due <= run->now ? "" : "in ", wait, due <= run->now ? " ago" : "",
                              digest.has_anything || run->team->config->digest_when_idle
                                  ? ""
                                  : "; nothing changed, so none would be sent",
                              body);
      if (body[0] != '\0' && body[strlen (body) - 1] != '\n')
        g_string_append_c (out, '\n');
    }
  digest_clear (&digest);
  return body != NULL;
}

gboolean
baton_outbox_preview_digests (BatonTeam *team, const char *member_name, gboolean html, GString *out,
                              GError **error)
{
  const BatonMember *only = NULL;
  if (member_name != NULL &&
      (only = baton_config_member_by_name (team->config, member_name)) == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "no member named '%s': give a short name from the configuration's "
                   "[member NAME] sections",
                   member_name);
      return FALSE;
    }
  DigestRun run = { NULL, NULL, NULL, NULL, NULL, 0, NULL };
  gboolean ok = run_open (&run, team, error);
  for (guint i = 0; ok && i < team->config->members->len; i++)
    {
      const BatonMember *member = team->config->members->pdata[i];
      if (only != NULL && member != only)
        continue;
      if (out->len > 0)
        g_string_append (out, "\n");
      ok = preview_member (&run, member, html, out, error);
    }
  run_close (&run);
  return ok;
}
