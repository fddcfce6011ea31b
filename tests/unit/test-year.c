/* SPDX-License-Identifier: MIT */
/* Issue 12's simulated year: five members in Paris, Los Angeles, Tokyo,
 * Sydney and Kathmandu (Mon-Fri, each their own hours and digest-at; a holiday
 * .ics for Paris and Tokyo; Los Angeles away 6-17 July) hand tasks to each
 * other every working day of 2026 while cron runs `baton digest; baton
 * send` every STEP seconds. On Tuesday 21 July at 08:00 UTC the clock
 * steps back one hour and goes on.
 *
 * Everything runs on the real code: a real store in a temporary SQLite
 * file, real RFC 5322 mails through baton_workflow_ingest(), and the very
 * functions `baton digest` and `baton send` call (queue_digests, send into
 * a Maildir), with the injectable clock (BATON_NOW). What baton produced
 * (the outbox rows, the mails in the Maildir with their X-Baton-Kind and
 * Date:, the digest windows the store records, the pending table) is then
 * checked against an oracle written plainly below from each member's zone,
 * hours, weekdays, holidays and away days with GDateTime alone: it never
 * calls baton's schedule, worktime or acceptance code.
 *
 * Two setups (see `days` and `hours` at the end). `make check` runs cron
 * hourly and every two hours; BATON_YEAR_FULL=1 (`make check-year`) every
 * 15 minutes, as the issue asks. */
#include "baton/outbox.h"
#include "baton/store.h"
#include "baton/workflow.h"

#include <gmime/gmime.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#define YEAR_START "2026-01-01T00:00:00Z"
#define YEAR_END "2027-01-01T00:00:00Z"
/* A Tuesday, just after Paris's digest (09:15 CEST, 07:15 UTC); then
 * now is 07:00 again. */
#define STEP_BACK_AT "2026-07-21T08:00:00Z"

/* One run's [baton] settings, and what they mean to the oracle. */
typedef struct {
  const char *settings;   /* [baton] lines */
  gboolean morning;       /* handoff-delivery = morning */
  int accept_days;        /* accept-within in days of the receiver's hours … */
  int accept_hours;       /* … or in working hours */
  int return_days;        /* return-after; 0: off */
  gint64 step, full_step; /* cron's period in `make check`, and with BATON_YEAR_FULL */
} Setup;

/* ---- the team, as the oracle sees it ---------------------------------- */

typedef struct {
  const char *name;
  const char *tzid;
  int start, end, digest_at; /* minutes after local midnight */
  const char *holidays[12];  /* YYYY-MM-DD, NULL-terminated; written out by hand */
  const char *away_first, *away_last;
  GTimeZone *tz;
} Member;

/* The .ics files below, as dates: the oracle does not read calendars. */
static Member team[] = {
  { "paris",
    "Europe/Paris",
    9 * 60,
    17 * 60 + 30,
    9 * 60 + 15,
    { "2026-01-01", "2026-04-06", "2026-05-01", "2026-07-14", "2026-12-25", NULL },
    NULL,
    NULL,
    NULL },
  { "la",
    "America/Los_Angeles",
    7 * 60 + 30,
    16 * 60,
    8 * 60,
    { NULL },
    "2026-07-06",
    "2026-07-17",
    NULL },
  { "tokyo",
    "Asia/Tokyo",
    9 * 60 + 30,
    18 * 60 + 30,
    9 * 60 + 30,
    { "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-12", "2026-04-29", "2026-05-04",
      "2026-05-05", "2026-05-06", NULL },
    NULL,
    NULL,
    NULL },
  { "sydney", "Australia/Sydney", 8 * 60, 16 * 60 + 30, 8 * 60 + 30, { NULL }, NULL, NULL, NULL },
  { "kathmandu", "Asia/Kathmandu", 10 * 60, 18 * 60, 10 * 60, { NULL }, NULL, NULL, NULL },
};
#define TEAM_SIZE G_N_ELEMENTS (team)

static const char french_ics[] =
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//baton test//EN\n"
    "BEGIN:VEVENT\nUID:1\nDTSTART;VALUE=DATE:20200101\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:2\nDTSTART;VALUE=DATE:20260406\nSUMMARY:Easter Monday\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:3\nDTSTART;VALUE=DATE:20200501\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:4\nDTSTART;VALUE=DATE:20200714\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:5\nDTSTART;VALUE=DATE:20201225\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "END:VCALENDAR\n";
/* 3 May 2026 is a Sunday: the Monday to Wednesday after are holidays. */
static const char japanese_ics[] =
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//baton test//EN\n"
    "BEGIN:VEVENT\nUID:1\nDTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20260104\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:2\nDTSTART;VALUE=DATE:20200112\n"
    "RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=2MO\nSUMMARY:Coming of Age Day\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:3\nDTSTART;VALUE=DATE:20260429\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:4\nDTSTART;VALUE=DATE:20260503\nDTEND;VALUE=DATE:20260507\nEND:VEVENT\n"
    "END:VCALENDAR\n";

static gint64
utc (const char *iso)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static char *
show (gint64 t)
{
  g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (t);
  return g_date_time_format (d, "%Y-%m-%dT%H:%M:%SZ");
}

static GDateTime *
local (const Member *m, gint64 t)
{
  g_autoptr (GDateTime) u = g_date_time_new_from_unix_utc (t);
  return g_date_time_to_timezone (u, m->tz);
}

/* The local date of @t as "YYYY-MM-DD". */
static char *
local_date (const Member *m, gint64 t)
{
  g_autoptr (GDateTime) d = local (m, t);
  return g_date_time_format (d, "%Y-%m-%d");
}

static gboolean
works_on (const Member *m, GDateTime *day)
{
  if (g_date_time_get_day_of_week (day) > 5)
    return FALSE;
  g_autofree char *date = g_date_time_format (day, "%Y-%m-%d");
  for (guint i = 0; m->holidays[i] != NULL; i++)
    if (g_str_equal (m->holidays[i], date))
      return FALSE;
  return m->away_first == NULL || strcmp (date, m->away_first) < 0 ||
         strcmp (date, m->away_last) > 0;
}

/* @minutes on local day @day (any time within it) as an instant. Working
 * hours and digest-at never fall in a daylight-saving gap in these zones. */
static gint64
at_minutes (const Member *m, GDateTime *day, int minutes)
{
  g_autoptr (GDateTime) t =
      g_date_time_new (m->tz, g_date_time_get_year (day), g_date_time_get_month (day),
                       g_date_time_get_day_of_month (day), minutes / 60, minutes % 60, 0);
  return g_date_time_to_unix (t);
}

static gboolean
is_working (const Member *m, gint64 t)
{
  g_autoptr (GDateTime) d = local (m, t);
  int minutes = g_date_time_get_hour (d) * 60 + g_date_time_get_minute (d);
  return works_on (m, d) && minutes >= m->start && minutes < m->end;
}

/* @t when the member is at work, else the start of their next working day. */
static gint64
working_from (const Member *m, gint64 t)
{
  if (is_working (m, t))
    return t;
  g_autoptr (GDateTime) day = local (m, t);
  for (int i = 0; i < 400; i++)
    {
      g_autoptr (GDateTime) next = g_date_time_add_days (day, i);
      gint64 start = at_minutes (m, next, m->start);
      if (works_on (m, next) && start > t)
        return start;
    }
  g_assert_not_reached ();
}

/* When @left seconds of the member's working time have passed since
 * @since. */
static gint64
deadline (const Member *m, gint64 since, gint64 left)
{
  g_autoptr (GDateTime) day = local (m, since);
  for (int i = 0; i < 400; i++)
    {
      g_autoptr (GDateTime) d = g_date_time_add_days (day, i);
      if (!works_on (m, d))
        continue;
      gint64 from = MAX (at_minutes (m, d, m->start), since);
      gint64 to = at_minutes (m, d, m->end);
      if (to <= from)
        continue;
      if (left <= to - from)
        return from + left;
      left -= to - from;
    }
  g_assert_not_reached ();
}

/* When @setup's accept-within (or with @returning, return-after; never
 * when off) of the receiver's working time has passed since @since. */
static gint64
due_at (const Setup *setup, const Member *receiver, gint64 since, gboolean returning)
{
  gint64 day = (gint64) (receiver->end - receiver->start) * 60;
  if (returning)
    return setup->return_days > 0 ? deadline (receiver, since, setup->return_days * day)
                                  : G_MAXINT64;
  return deadline (receiver, since,
                   setup->accept_days > 0 ? setup->accept_days * day
                                          : (gint64) setup->accept_hours * 3600);
}

static Member *
member (const char *name)
{
  for (guint i = 0; i < TEAM_SIZE; i++)
    if (g_str_equal (team[i].name, name))
      return &team[i];
  g_error ("no member %s", name);
}

/* ---- cron's ticks ------------------------------------------------------ */

/* Every instant cron runs at, in order: STEP apart, with one step back of
 * an hour at STEP_BACK_AT. */
static GArray *
make_ticks (gint64 step)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 back = utc (STEP_BACK_AT);
  gboolean stepped = FALSE;
  for (gint64 t = utc (YEAR_START); t < utc (YEAR_END);)
    {
      g_array_append_val (ticks, t);
      if (t == back && !stepped)
        t -= 3600, stepped = TRUE;
      else
        t += step;
    }
  g_assert_true (stepped);
  return ticks;
}

#define TICK(ticks, i) g_array_index ((ticks), gint64, (i))

/* The first tick at or after index @from that shows @t or later: what
 * cron does with something due at @t, clock steps included. */
static guint
first_tick (GArray *ticks, guint from, gint64 t)
{
  for (guint i = from; i < ticks->len; i++)
    if (TICK (ticks, i) >= t)
      return i;
  return ticks->len;
}

/* What becomes due at @t (index @from on) for @m, held until @m is at
 * work: the tick cron handles it at, then the tick it is sent at. A mail
 * built at a tick when @m is off work waits for their next working start. */
static guint
sent_tick (GArray *ticks, guint from, const Member *m, gint64 t)
{
  guint i = first_tick (ticks, from, t);
  if (i >= ticks->len || is_working (m, TICK (ticks, i)))
    return i;
  return first_tick (ticks, i, working_from (m, TICK (ticks, i)));
}

/* A notice to @m queued by a mail at @at, which came in before tick
 * @index: that tick when @m was at work at @at, else the first tick
 * after their working start. */
static guint
notice_tick (GArray *ticks, guint index, const Member *m, gint64 at)
{
  return is_working (m, at) ? index : first_tick (ticks, index, working_from (m, at));
}

/* ---- the script -------------------------------------------------------- */

/* BY_*: within accept-within; LATE_*: an hour after the reminder reached
 * them, by replying `accept` to it or by an empty mail to team+accept-N;
 * PASS_ON: a minute after cron found the deadline passed (often at night,
 * before the reminder could reach them), handed on to a third member,
 * a new handoff that is never accepted. */
typedef enum {
  NEVER,
  BY_ACCEPT,
  BY_TAKE,
  BY_NOTE,
  BY_REPLY,
  LATE_REPLY,
  LATE_PLUS,
  PASS_ON
} AcceptBy;

typedef struct {
  const char *giver, *receiver;
  gint64 task;
  gint64 since;   /* when the handoff mail came in … */
  guint index;    /* … before this tick */
  AcceptBy by;    /* how (and whether) the receiver accepts */
  guint accepted; /* the tick they did (or handed it on), 0: not (yet) */
} Handoff;

typedef struct {
  const char *giver, *receiver;
  const char *date; /* the giver's local date and time */
  int minutes;
  AcceptBy by;
  gboolean after_step; /* in the hour the clock goes through twice, the second time */
} Special;

/* The cases the issue names, besides one handoff a working day. */
static const Special specials[] = {
  /* Friday evenings before each daylight-saving change, both hemispheres. */
  { "sydney", "la", "2026-03-06", 18 * 60 + 30, NEVER, FALSE },    /* US spring, 8 Mar */
  { "paris", "sydney", "2026-03-27", 17 * 60 + 30, NEVER, FALSE }, /* EU spring, 29 Mar */
  { "la", "sydney", "2026-04-03", 17 * 60, NEVER, FALSE },         /* Sydney autumn, 5 Apr */
  { "kathmandu", "sydney", "2026-10-02", 16 * 60, NEVER, FALSE },  /* Sydney spring, 4 Oct */
  { "tokyo", "paris", "2026-10-23", 18 * 60 + 30, NEVER, FALSE },  /* EU autumn, 25 Oct */
  { "paris", "la", "2026-10-30", 17 * 60 + 30, NEVER, FALSE },     /* US autumn, 1 Nov */
  { "la", "paris", "2026-10-30", 19 * 60, BY_ACCEPT, FALSE },
  /* The day before a holiday of the receiver's. */
  { "tokyo", "paris", "2026-07-13", 15 * 60, NEVER, FALSE },
  { "kathmandu", "tokyo", "2026-04-28", 15 * 60, NEVER, FALSE },
  { "la", "paris", "2026-12-24", 16 * 60, NEVER, FALSE },
  { "sydney", "tokyo", "2026-04-30", 17 * 60, BY_TAKE, FALSE },
  /* From a member who is away when the escalation is due: it waits for
   * them, and the task comes back meanwhile. */
  { "la", "tokyo", "2026-07-03", 17 * 60, NEVER, FALSE },
  /* Accepted only after the reminder. */
  { "sydney", "kathmandu", "2026-02-13", 18 * 60 + 30, LATE_REPLY, FALSE },
  { "kathmandu", "la", "2026-03-06", 17 * 60, LATE_PLUS, FALSE },
  { "la", "paris", "2026-10-23", 17 * 60, LATE_REPLY, FALSE },
  /* Handed on at night, when the reminder and escalation wait for the
   * morning. */
  { "paris", "la", "2026-05-12", 10 * 60, PASS_ON, FALSE },
  { "tokyo", "sydney", "2026-09-03", 15 * 60, PASS_ON, FALSE },
  { "kathmandu", "paris", "2026-11-19", 16 * 60, PASS_ON, FALSE },
  /* To a member who is away. */
  { "paris", "la", "2026-07-08", 10 * 60, NEVER, FALSE },
  { "tokyo", "la", "2026-07-09", 11 * 60, BY_NOTE, FALSE },
  /* Around the step back: in the hour run twice, 07:00-08:00 UTC, a
   * handoff the first time, two the second, and a deadline (09:30 Paris). */
  { "paris", "tokyo", "2026-07-21", 9 * 60 + 40, NEVER, FALSE },
  { "paris", "sydney", "2026-07-21", 9 * 60 + 20, NEVER, TRUE },
  { "kathmandu", "paris", "2026-07-21", 12 * 60 + 50, BY_REPLY, TRUE },
  { "kathmandu", "paris", "2026-07-20", 13 * 60 + 15, NEVER, FALSE },
};

typedef struct {
  guint index; /* at the first tick at or after this one … */
  gint64 at;   /* … showing this time or later */
  enum { HANDOFF, ACCEPT, AWAY } what;
  guint handoff; /* into Year.handoffs */
} Action;

typedef struct {
  const Setup *setup;
  char *dir;
  BatonTeam *team;
  sqlite3 *db; /* a second, read-only look at the store */
  GArray *ticks;
  GArray *handoffs; /* Handoff */
  GArray *actions;  /* Action, unordered: run when due */
  guint serial;
  guint waiting_digests;         /* digests that listed something under WAITING FOR YOU */
  GPtrArray *windows[TEAM_SIZE]; /* per member: GArray of gint64 pairs (after, upto] */
} Year;

/* One handoff a day, by the day's giver on their working days, to a
 * member of another zone, at a local time that goes round the week:
 * before work, morning, midday, late afternoon, Friday evening. Two in
 * three are accepted (each way in turn, on time or late), one in three
 * never. */
static void
script_daily (Year *year)
{
  static const int times[] = { 7 * 60 + 31, 9 * 60 + 14, 13 * 60 + 37, 16 * 60 + 52, 11 * 60 + 3 };
  g_autoptr (GDateTime) first = g_date_time_new_utc (2026, 1, 1, 12, 0, 0);
  for (int day = 0; day < 365; day++)
    {
      Member *giver = &team[day % TEAM_SIZE];
      Member *receiver = &team[(day + 1 + (day / TEAM_SIZE) % (TEAM_SIZE - 1)) % TEAM_SIZE];
      g_autoptr (GDateTime) noon = g_date_time_add_days (first, day);
      g_autoptr (GDateTime) d = g_date_time_to_timezone (noon, giver->tz);
      if (!works_on (giver, d))
        continue;
      int weekday = g_date_time_get_day_of_week (d);
      int minutes = weekday == 5 ? 18 * 60 + 29 : times[(day / 7 + weekday) % G_N_ELEMENTS (times)];
      guint n = year->handoffs->len;
      Handoff h = { giver->name, receiver->name, 0, 0, 0, n % 3 == 0 ? NEVER : 1 + (n / 3) % 7, 0 };
      g_array_append_val (year->handoffs, h);
      /* Mail comes at any second, not on cron's ticks. */
      Action a = { 0, at_minutes (giver, d, minutes) + day % 60, HANDOFF, n };
      g_array_append_val (year->actions, a);
    }
}

static void
script_specials (Year *year)
{
  guint step_index = first_tick (year->ticks, 0, utc (STEP_BACK_AT)) + 1;
  for (guint i = 0; i < G_N_ELEMENTS (specials); i++)
    {
      const Special *s = &specials[i];
      Member *giver = member (s->giver);
      g_autofree char *iso = g_strdup_printf ("%sT12:00:00Z", s->date);
      g_autoptr (GDateTime) noon = g_date_time_new_from_iso8601 (iso, NULL);
      g_autoptr (GDateTime) d = g_date_time_to_timezone (noon, giver->tz);
      Handoff h = { s->giver, s->receiver, 0, 0, 0, s->by, 0 };
      g_array_append_val (year->handoffs, h);
      Action a = { s->after_step ? step_index : 0, at_minutes (giver, d, s->minutes), HANDOFF,
                   year->handoffs->len - 1 };
      g_array_append_val (year->actions, a);
    }
  /* Los Angeles says, a week before, that they are away 6-17 July. */
  Action away = { 0, utc ("2026-06-29T17:00:00Z"), AWAY, 0 };
  g_array_append_val (year->actions, away);
}

/* ---- running it -------------------------------------------------------- */

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
set_now (gint64 t)
{
  g_autofree char *iso = show (t);
  g_setenv ("BATON_NOW", iso, TRUE);
}

static void
year_open (Year *year, const Setup *setup, gint64 step)
{
  memset (year, 0, sizeof *year);
  year->setup = setup;
  for (guint i = 0; i < TEAM_SIZE; i++)
    {
      team[i].tz = g_time_zone_new_identifier (team[i].tzid);
      g_assert_nonnull (team[i].tz);
      year->windows[i] = g_ptr_array_new_with_free_func (g_free);
    }
  /* Tens of thousands of commits, each synced (synchronous = FULL): in
   * memory when the machine has a tmpfs, or the disk sets the pace. */
  const char *base = g_access ("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir ();
  year->dir = g_build_filename (base, "baton-year-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (year->dir));
  g_test_message ("in %s (left there when a check fails, to look at)", year->dir);
  g_assert_nonnull (year->dir);
  write_file (year->dir, "fr.ics", french_ics);
  write_file (year->dir, "jp.ics", japanese_ics);
  GString *config = g_string_new ("[baton]\ndatabase = baton.db\nteam-address = team@example.com\n"
                                  "digest-when-empty = yes\n");
  g_string_append_printf (config, "%s\n", setup->settings);
  for (guint i = 0; i < TEAM_SIZE; i++)
    {
      const Member *m = &team[i];
      g_string_append_printf (config,
                              "[member %s]\nemail = %s@example.com\nname = %s member\n"
                              "timezone = %s\ndigest-at = %02d:%02d\nhours = %02d:%02d-%02d:%02d\n"
                              "workdays = Mon-Fri\n%s\n",
                              m->name, m->name, m->name, m->tzid, m->digest_at / 60,
                              m->digest_at % 60, m->start / 60, m->start % 60, m->end / 60,
                              m->end % 60,
                              g_str_equal (m->name, "paris")   ? "holidays = fr.ics\n"
                              : g_str_equal (m->name, "tokyo") ? "holidays = jp.ics\n"
                                                               : "");
    }
  g_string_append (config, "[outbox]\nmaildir = outbox\n");
  write_file (year->dir, "baton.conf", config->str);
  g_string_free (config, TRUE);
  g_autofree char *database = g_build_filename (year->dir, "baton.db", NULL);
  g_autofree char *config_path = g_build_filename (year->dir, "baton.conf", NULL);
  g_autoptr (GError) error = NULL;
  set_now (utc (YEAR_START)); /* everyone joins as the year begins */
  g_assert_true (baton_store_create (database, &error));
  year->team = baton_team_open (config_path, &error);
  g_assert_no_error (error);
  baton_outbox_attach (year->team);
  g_assert_cmpint (sqlite3_open_v2 (database, &year->db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  year->ticks = make_ticks (step);
  year->handoffs = g_array_new (FALSE, FALSE, sizeof (Handoff));
  year->actions = g_array_new (FALSE, FALSE, sizeof (Action));
  script_daily (year);
  script_specials (year);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
year_close (Year *year)
{
  sqlite3_close (year->db);
  baton_team_close (year->team);
  remove_tree (year->dir);
  g_free (year->dir);
  g_array_unref (year->ticks);
  g_array_unref (year->handoffs);
  g_array_unref (year->actions);
  for (guint i = 0; i < TEAM_SIZE; i++)
    {
      g_ptr_array_unref (year->windows[i]);
      g_clear_pointer (&team[i].tz, g_time_zone_unref);
    }
}

/* A mail from member @from to @to (NULL: the team address). */
static void
ingest (Year *year, const char *from, const char *to, const char *extra_headers, const char *body,
        gint64 now)
{
  g_autoptr (GDateTime) date = g_date_time_new_from_unix_utc (now);
  g_autofree char *date_text = g_date_time_format (date, "%a, %d %b %Y %H:%M:%S +0000");
  g_autofree char *raw =
      g_strdup_printf ("From: %s member <%s@example.com>\nTo: %s\nSubject: year mail %u\n"
                       "Date: %s\nMessage-ID: <year-%u@example.com>\n%s\n%s",
                       from, from, to ? to : "team@example.com", year->serial, date_text,
                       year->serial, extra_headers ? extra_headers : "", body);
  year->serial++;
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonIngestResult) result =
      baton_workflow_ingest (year->team, raw, strlen (raw), "stdin", &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      if (!line->ok)
        g_error ("%s's mail at %s: line %u '%s' failed: %s", from, date_text, line->line,
                 line->source, line->outcome);
    }
  g_assert_true (g_str_equal (result->outcome, "applied"));
}

static gint64
query_int (Year *year, const char *sql, gint64 arg)
{
  sqlite3_stmt *statement = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (year->db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (statement, 1, arg);
  gint64 value = sqlite3_step (statement) == SQLITE_ROW ? sqlite3_column_int64 (statement, 0) : -1;
  sqlite3_finalize (statement);
  return value;
}

static char *
query_text (Year *year, const char *sql, gint64 arg)
{
  sqlite3_stmt *statement = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (year->db, sql, -1, &statement, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (statement, 1, arg);
  char *value = sqlite3_step (statement) == SQLITE_ROW
                    ? g_strdup ((const char *) sqlite3_column_text (statement, 0))
                    : NULL;
  sqlite3_finalize (statement);
  return value;
}

static void
run_handoff (Year *year, guint n, guint index, gint64 now)
{
  Handoff *h = &g_array_index (year->handoffs, Handoff, n);
  h->task = query_int (year, "SELECT coalesce (max (id), 0) + 1 FROM tasks", 0);
  h->index = index;
  h->since = now;
  g_autofree char *body =
      g_strdup_printf ("task: Year task %" G_GINT64_FORMAT "\ntake %" G_GINT64_FORMAT
                       "\nhandoff %" G_GINT64_FORMAT " to %s: over to you\n",
                       h->task, h->task, h->task, h->receiver);
  ingest (year, h->giver, NULL, NULL, body, now);
  g_assert_cmpint (query_int (year, "SELECT count (*) FROM pending WHERE task = ?", h->task), ==,
                   1);
  if (h->by == NEVER)
    return;
  /* An hour into the receiver's first working time: well before the
   * deadline, ten working hours on. A late one: an hour after the
   * reminder reached them (by the oracle). */
  const Member *receiver = member (h->receiver);
  gint64 since = now;
  gint64 at = working_from (receiver, since) + 3600 + 7;
  if (h->by == LATE_REPLY || h->by == LATE_PLUS)
    {
      guint reminder =
          sent_tick (year->ticks, index, receiver, due_at (year->setup, receiver, since, FALSE));
      g_assert_cmpuint (reminder, <, year->ticks->len);
      at = TICK (year->ticks, reminder) + 3600 + 7;
    }
  if (h->by == PASS_ON)
    {
      guint found = first_tick (year->ticks, index, due_at (year->setup, receiver, since, FALSE));
      g_assert_cmpuint (found, <, year->ticks->len);
      at = TICK (year->ticks, found) + 60;
    }
  Action a = { index, at, ACCEPT, n };
  g_array_append_val (year->actions, a);
}

/* Handoff @n's receiver hands the task on to the first member after them
 * who is neither them nor its giver: a new handoff, never accepted. */
static void
pass_on (Year *year, guint n, guint index, gint64 now)
{
  Handoff first = g_array_index (year->handoffs, Handoff, n);
  guint r = (guint) (member (first.receiver) - team);
  const Member *next = &team[(r + 1) % TEAM_SIZE];
  if (g_str_equal (next->name, first.giver))
    next = &team[(r + 2) % TEAM_SIZE];
  g_autofree char *body =
      g_strdup_printf ("handoff %" G_GINT64_FORMAT " to %s: yours now\n", first.task, next->name);
  ingest (year, first.receiver, NULL, NULL, body, now);
  g_autofree char *waits =
      query_text (year, "SELECT receiver || '<' || giver FROM pending WHERE task = ?", first.task);
  g_autofree char *want = g_strdup_printf ("%s<%s", next->name, first.receiver);
  g_assert_cmpstr (waits, ==, want);
  g_array_index (year->handoffs, Handoff, n).accepted = index;
  Handoff second = { first.receiver, next->name, first.task, now, index, NEVER, 0 };
  g_array_append_val (year->handoffs, second);
}

static void
run_accept (Year *year, guint n, guint index, gint64 now)
{
  Handoff *h = &g_array_index (year->handoffs, Handoff, n);
  g_autofree char *body = NULL;
  g_autofree char *headers = NULL;
  g_autofree char *to = NULL;
  switch (h->by)
    {
      case BY_ACCEPT:
        body = g_strdup_printf ("accept %" G_GINT64_FORMAT "\n", h->task);
        break;
      case BY_TAKE:
        body = g_strdup_printf ("take %" G_GINT64_FORMAT "\n", h->task);
        break;
      case BY_NOTE:
        body = g_strdup_printf ("note %" G_GINT64_FORMAT ": starting on it\n", h->task);
        break;
      case BY_REPLY:
        {
          g_autofree char *notice = query_text (
              year, "SELECT message_id FROM outbox WHERE kind = 'handoff' AND task = ?", h->task);
          g_assert_nonnull (notice);
          headers = g_strdup_printf ("In-Reply-To: <%s>\n", notice);
          body = g_strdup ("Looking at it this afternoon.\n");
          break;
        }
      case LATE_REPLY:
        {
          g_autofree char *reminder = query_text (
              year, "SELECT message_id FROM outbox WHERE kind = 'reminder' AND task = ?", h->task);
          g_assert_nonnull (reminder);
          headers = g_strdup_printf ("In-Reply-To: <%s>\n", reminder);
          body = g_strdup ("accept\n");
          break;
        }
      case LATE_PLUS:
        to = g_strdup_printf ("team+accept-%" G_GINT64_FORMAT "@example.com", h->task);
        body = g_strdup ("");
        break;
      case PASS_ON:
        pass_on (year, n, index, now);
        return;
      case NEVER:
        g_assert_not_reached ();
    }
  ingest (year, h->receiver, to, headers, body, now);
  g_assert_cmpint (query_int (year, "SELECT count (*) FROM pending WHERE task = ?", h->task), ==,
                   0);
  h->accepted = index;
}

/* After each digest run: where each member's window now ends. A move is
 * one digest's window (after, upto]. */
static void
note_windows (Year *year, gint64 *marks)
{
  for (guint i = 0; i < TEAM_SIZE; i++)
    {
      BatonDigestMark mark;
      g_autoptr (GError) error = NULL;
      g_assert_true (baton_store_digest_mark (year->team->store, team[i].name, &mark, &error));
      /* A digest covers the whole log as it was: nothing waits a day more. */
      gint64 end = query_int (year, "SELECT coalesce (max (id), 0) FROM events", 0);
      if (mark.sent && mark.last_event != marks[i])
        g_assert_cmpint (mark.last_event, ==, end);
      if (mark.sent && mark.last_event != marks[i])
        {
          gint64 *window = g_new (gint64, 2);
          window[0] = marks[i], window[1] = mark.last_event;
          g_ptr_array_add (year->windows[i], window);
          marks[i] = mark.last_event;
        }
    }
}

/* The text part of a MIME message; caller frees. */
static char *
text_part (const void *data, gsize length)
{
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, length);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  GMimeObject *body = g_mime_message_get_body (message);
  if (GMIME_IS_MULTIPART (body))
    body = g_mime_multipart_get_part (GMIME_MULTIPART (body), 0);
  g_assert_true (GMIME_IS_TEXT_PART (body));
  char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (body));
  g_object_unref (message);
  g_object_unref (parser);
  g_object_unref (stream);
  return text;
}

/* The task numbers a digest lists under WAITING FOR YOU, sorted, as
 * "3 17 40". */
static char *
waiting_listed (const char *text)
{
  GString *listed = g_string_new (NULL);
  const char *section = strstr (text, "\nWAITING FOR YOU\n");
  if (section == NULL)
    return g_string_free (listed, FALSE);
  g_auto (GStrv) lines = g_strsplit (section + 17, "\n", -1);
  g_autoptr (GArray) tasks = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    if (g_str_has_prefix (lines[i], "  #"))
      {
        gint64 task = g_ascii_strtoll (lines[i] + 3, NULL, 10);
        g_array_append_val (tasks, task);
      }
  g_array_sort (tasks, compare_int64);
  for (guint i = 0; i < tasks->len; i++)
    g_string_append_printf (listed, "%s%" G_GINT64_FORMAT, i ? " " : "",
                            g_array_index (tasks, gint64, i));
  return g_string_free (listed, FALSE);
}

/* The digests queued since row @after: each lists under WAITING FOR YOU
 * exactly the handoffs that wait for its reader. Returns the last row. */
static gint64
check_waiting (Year *year, gint64 after)
{
  sqlite3_stmt *statement = NULL;
  g_assert_cmpint (
      sqlite3_prepare_v2 (year->db,
                          "SELECT id, recipient, mime, (SELECT group_concat (task, ' ')"
                          " FROM (SELECT task FROM pending WHERE receiver ="
                          " substr (recipient, 1, instr (recipient, '@') - 1)"
                          " ORDER BY task)) FROM outbox"
                          " WHERE kind = 'digest' AND id > ? ORDER BY id",
                          -1, &statement, NULL),
      ==, SQLITE_OK);
  sqlite3_bind_int64 (statement, 1, after);
  while (sqlite3_step (statement) == SQLITE_ROW)
    {
      after = sqlite3_column_int64 (statement, 0);
      g_autofree char *text = text_part (sqlite3_column_blob (statement, 2),
                                         (gsize) sqlite3_column_bytes (statement, 2));
      g_autofree char *listed = waiting_listed (text);
      const char *pending = (const char *) sqlite3_column_text (statement, 3);
      year->waiting_digests += *listed != '\0';
      if (g_strcmp0 (listed, pending ? pending : "") != 0)
        g_error ("the digest to %s lists '%s' as waiting for them, the pending table '%s'",
                 sqlite3_column_text (statement, 1), listed, pending ? pending : "");
    }
  sqlite3_finalize (statement);
  return after;
}

static void
cron (Year *year, gboolean force)
{
  g_autoptr (GError) error = NULL;
  BatonDigestStats digests = { 0 };
  BatonSendStats sent = { 0 };
  g_assert_true (baton_outbox_queue_digests (year->team, force, &digests, &error));
  g_assert_no_error (error);
  g_assert_true (baton_outbox_send (year->team, &sent, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sent.retried + sent.failed, ==, 0);
}

/* Takes the earliest action due by tick @index (at @now) into *@action. */
static gboolean
next_action (Year *year, guint index, gint64 now, Action *action)
{
  guint best = G_MAXUINT;
  for (guint k = 0; k < year->actions->len; k++)
    {
      const Action *a = &g_array_index (year->actions, Action, k);
      if (a->index <= index && a->at <= now &&
          (best == G_MAXUINT || a->at < g_array_index (year->actions, Action, best).at))
        best = k;
    }
  if (best == G_MAXUINT)
    return FALSE;
  *action = g_array_index (year->actions, Action, best);
  g_array_remove_index_fast (year->actions, best);
  return TRUE;
}

static void
run_year (Year *year)
{
  gint64 marks[TEAM_SIZE] = { 0 };
  gint64 digests_before = 0, last_digest = 0;
  for (guint index = 0; index < year->ticks->len; index++)
    {
      gint64 now = TICK (year->ticks, index);
      /* The mail since the last tick, each at its own time (as procmail
       * delivers it), in order; an accept can follow its handoff within
       * one step. */
      Action a;
      while (next_action (year, index, now, &a))
        {
          set_now (a.at);
          if (a.what == HANDOFF)
            run_handoff (year, a.handoff, index, a.at);
          else if (a.what == ACCEPT)
            run_accept (year, a.handoff, index, a.at);
          else
            ingest (year, "la", NULL, NULL, "away 2026-07-06..2026-07-17\n", a.at);
        }
      set_now (now);
      cron (year, FALSE);
      gint64 digests = query_int (year, "SELECT count (*) FROM outbox WHERE kind = 'digest'", 0);
      if (digests != digests_before)
        {
          note_windows (year, marks);
          last_digest = check_waiting (year, last_digest);
        }
      digests_before = digests;
    }
  g_assert_cmpuint (year->actions->len, ==, 0);
  /* Once more after the year, every digest forced: the log's tail too. */
  set_now (utc (YEAR_END) + 3600);
  cron (year, TRUE);
  note_windows (year, marks);
}

/* ---- what baton produced ------------------------------------------------ */

typedef struct {
  gint64 id;
  char *kind;
  char *recipient; /* member name */
  gint64 task;
  gint64 sent_at;   /* 0: not sent */
  gint64 failed_at; /* 0: not dropped */
  gint64 dated;     /* the Date: it must carry: when it was sent if it was held, else queued */
  char *why;        /* why it was dropped */
  char *message_id;
} Row;

static void
row_free (Row *row)
{
  g_free (row->kind);
  g_free (row->recipient);
  g_free (row->message_id);
  g_free (row->why);
  g_free (row);
}

static GPtrArray *
outbox_rows (Year *year)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  sqlite3_stmt *statement = NULL;
  g_assert_cmpint (
      sqlite3_prepare_v2 (year->db,
                          "SELECT id, kind, recipient, coalesce (task, 0),"
                          " coalesce (sent_at, 0), message_id, coalesce (failed_at, 0), last_error,"
                          " CASE WHEN not_before = 0 THEN created_at ELSE sent_at END"
                          " FROM outbox WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL"
                          " ORDER BY id",
                          -1, &statement, NULL),
      ==, SQLITE_OK);
  while (sqlite3_step (statement) == SQLITE_ROW)
    {
      Row *row = g_new0 (Row, 1);
      row->id = sqlite3_column_int64 (statement, 0);
      row->kind = g_strdup ((const char *) sqlite3_column_text (statement, 1));
      const char *address = (const char *) sqlite3_column_text (statement, 2);
      row->recipient = g_strndup (address, strcspn (address, "@"));
      row->task = sqlite3_column_int64 (statement, 3);
      row->sent_at = sqlite3_column_int64 (statement, 4);
      row->message_id = g_strdup ((const char *) sqlite3_column_text (statement, 5));
      row->failed_at = sqlite3_column_int64 (statement, 6);
      row->why = g_strdup ((const char *) sqlite3_column_text (statement, 7));
      row->dated = sqlite3_column_int64 (statement, 8);
      /* Only a reminder or escalation whose handoff settled meanwhile may
       * be dropped; check_handoffs() says which. */
      if (row->failed_at != 0 && !g_str_equal (row->kind, "reminder") &&
          !g_str_equal (row->kind, "escalation"))
        g_error ("outbox row %" G_GINT64_FORMAT " (%s to %s, task %" G_GINT64_FORMAT
                 ") was not sent: %s",
                 row->id, row->kind, row->recipient, row->task, row->why);
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (statement);
  return rows;
}

/* The mails in the Maildir: Message-ID -> "kind Date-as-unix". */
static GHashTable *
maildir_mails (Year *year)
{
  GHashTable *mails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *path = g_build_filename (year->dir, "outbox", "new", NULL);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
      char *end = strstr (text, "\r\n\r\n");
      if (end == NULL)
        end = strstr (text, "\n\n");
      g_assert_nonnull (end);
      *end = '\0';
      g_autofree char *kind = NULL, *date = NULL, *id = NULL;
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_strchomp (lines[i]);
          if (g_str_has_prefix (lines[i], "X-Baton-Kind: "))
            kind = g_strdup (lines[i] + 14);
          else if (g_str_has_prefix (lines[i], "Date: "))
            date = g_strdup (lines[i] + 6);
          else if (g_str_has_prefix (lines[i], "Message-ID: <"))
            id = g_strndup (lines[i] + 13, strcspn (lines[i] + 13, ">"));
        }
      g_assert_nonnull (kind);
      g_assert_nonnull (date);
      g_assert_nonnull (id);
      g_autoptr (GDateTime) when = g_mime_utils_header_decode_date (date);
      g_assert_nonnull (when);
      g_hash_table_insert (
          mails, g_steal_pointer (&id),
          g_strdup_printf ("%s %" G_GINT64_FORMAT, kind, g_date_time_to_unix (when)));
    }
  return mails;
}

static void
check_mails_match_rows (Year *year, GPtrArray *rows)
{
  g_autoptr (GHashTable) mails = maildir_mails (year);
  guint sent = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = rows->pdata[i];
      if (row->sent_at == 0)
        continue;
      sent++;
      g_autofree char *want = g_strdup_printf ("%s %" G_GINT64_FORMAT, row->kind, row->dated);
      const char *got = g_hash_table_lookup (mails, row->message_id);
      g_assert_nonnull (got);
      if (!g_str_equal (got, want))
        g_error ("mail <%s>: X-Baton-Kind and Date are '%s', the row says '%s'", row->message_id,
                 got, want);
    }
  g_assert_cmpuint (g_hash_table_size (mails), ==, sent);
}

/* Exactly one digest on each working day whose digest-at cron reached in
 * 2026, at its digest-at (the first tick after), none on any other day. */
static void
check_digests (GPtrArray *rows, GArray *ticks, gint64 step)
{
  gint64 last_tick = TICK (ticks, ticks->len - 1);
  for (guint m = 0; m < TEAM_SIZE; m++)
    {
      const Member *who = &team[m];
      g_autoptr (GHashTable) days = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < rows->len; i++)
        {
          const Row *row = rows->pdata[i];
          if (!g_str_equal (row->kind, "digest") || !g_str_equal (row->recipient, who->name) ||
              row->sent_at >= utc (YEAR_END))
            continue;
          g_autoptr (GDateTime) d = local (who, row->sent_at);
          char *date = local_date (who, row->sent_at);
          if (!works_on (who, d))
            g_error ("%s: a digest on %s, not a working day", who->name, date);
          gint64 slot = at_minutes (who, d, who->digest_at);
          if (row->sent_at < slot || row->sent_at - slot >= step)
            g_error ("%s: the digest of %s went out at %s, not the first tick after digest-at",
                     who->name, date, show (row->sent_at));
          if (!g_hash_table_add (days, date))
            g_error ("%s: two digests on %s", who->name, date);
        }
      guint expected = 0;
      g_autoptr (GDateTime) first = g_date_time_new (who->tz, 2025, 12, 31, 12, 0, 0);
      for (int i = 0; i < 368; i++)
        {
          g_autoptr (GDateTime) d = g_date_time_add_days (first, i);
          gint64 slot = at_minutes (who, d, who->digest_at);
          if (!works_on (who, d) || slot < utc (YEAR_START) || slot > last_tick)
            continue;
          expected++;
          g_autofree char *date = g_date_time_format (d, "%Y-%m-%d");
          if (!g_hash_table_contains (days, date))
            g_error ("%s: no digest on working day %s", who->name, date);
        }
      g_assert_cmpuint (g_hash_table_size (days), ==, expected);
      g_test_message ("%s: %u digests", who->name, expected);
    }
}

/* Every event in exactly one digest of each member: the windows each
 * member's digests covered follow each other with no gap and no overlap,
 * from before the first event to the last. */
static void
check_windows (Year *year)
{
  gint64 last = query_int (year, "SELECT coalesce (max (id), 0) FROM events", 0);
  g_assert_cmpint (last, >, 0);
  for (guint m = 0; m < TEAM_SIZE; m++)
    {
      GPtrArray *windows = year->windows[m];
      gint64 upto = 0;
      for (guint i = 0; i < windows->len; i++)
        {
          const gint64 *w = windows->pdata[i];
          if (w[0] != upto)
            g_error ("%s: a digest window starts after event %" G_GINT64_FORMAT
                     ", the one before ended at %" G_GINT64_FORMAT,
                     team[m].name, w[0], upto);
          g_assert_cmpint (w[1], >, w[0]);
          upto = w[1];
        }
      g_assert_cmpint (upto, ==, last);
    }
}

/* The rows of @kind for @task to @to: how many, and the last one. */
static guint
rows_for (GPtrArray *rows, const char *kind, gint64 task, const char *to, const Row **last)
{
  guint count = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = rows->pdata[i];
      if (row->task == task && g_str_equal (row->kind, kind) && g_str_equal (row->recipient, to))
        count++, *last = row;
    }
  return count;
}

/* One mail of @kind about @h to @to, sent at tick @want; or, when the
 * handoff settled (accepted, returned) at tick @settled, no later than
 * @want, one dropped at @want instead: a reminder or escalation that
 * waited for a working start the handoff no longer needs. Nothing when
 * @want is past the year's last tick. */
static void
expect_one (GPtrArray *rows, const char *kind, const Handoff *h, const char *to, GArray *ticks,
            guint want, guint settled)
{
  const Row *row = NULL;
  guint count = rows_for (rows, kind, h->task, to, &row);
  g_autofree char *since = show (h->since);
  if (want >= ticks->len)
    {
      if (count != 0)
        g_error ("task %" G_GINT64_FORMAT " (%s -> %s at %s): a %s after the year's end", h->task,
                 h->giver, h->receiver, since, kind);
      return;
    }
  g_autofree char *expected = show (TICK (ticks, want));
  gboolean dropped = settled <= want;
  if (count != 1 || (dropped ? row->failed_at : row->sent_at) != TICK (ticks, want))
    {
      g_autofree char *sent = row ? show (row->sent_at) : g_strdup ("-");
      g_autofree char *failed = row ? show (row->failed_at) : g_strdup ("-");
      g_error ("task %" G_GINT64_FORMAT " (%s -> %s at %s): %u %s to %s, the last sent %s, "
               "dropped %s; expected one %s at %s",
               h->task, h->giver, h->receiver, since, count, kind, to, sent, failed,
               dropped ? "dropped" : "sent", expected);
    }
  if (dropped)
    g_assert_nonnull (strstr (row->why, "accepted (or moved on)"));
}

static void
expect_none (GPtrArray *rows, const char *kind, const Handoff *h, const char *to)
{
  const Row *row = NULL;
  guint count = rows_for (rows, kind, h->task, to, &row);
  if (count != 0)
    {
      g_autofree char *sent = show (row->sent_at);
      g_error ("task %" G_GINT64_FORMAT " (%s -> %s, accepted): a %s to %s at %s", h->task,
               h->giver, h->receiver, kind, to, sent);
    }
}

/* Each handoff: its notice once, at the receiver's first working tick.
 * Once ten of the receiver's working hours have passed without it being
 * accepted: one reminder (held for the receiver's working time) and one
 * escalation to the giver (held for theirs), and at thirty the task back
 * with the giver, who is told at their working time. Accepted in time:
 * none of those; late: no return. */
static void
check_handoffs (Year *year, GPtrArray *rows)
{
  GArray *ticks = year->ticks;
  guint never = 0, returned = 0, on_time = 0, late = 0, passed = 0, passed_dropped = 0;
  for (guint n = 0; n < year->handoffs->len; n++)
    {
      const Handoff *h = &g_array_index (year->handoffs, Handoff, n);
      const Member *giver = member (h->giver), *receiver = member (h->receiver);
      gint64 since = h->since;
      g_assert_cmpint (h->task, >, 0);
      expect_one (rows, "handoff", h, h->receiver, ticks,
                  year->setup->morning ? notice_tick (ticks, h->index, receiver, since) : h->index,
                  ticks->len);
      g_autofree char *owner = query_text (year, "SELECT owner FROM tasks WHERE id = ?", h->task);
      gint64 waiting = query_int (year, "SELECT count (*) FROM pending WHERE task = ?", h->task);
      if (h->by != NEVER)
        g_assert_cmpuint (h->accepted, >, 0);
      if (h->by == PASS_ON)
        {
          /* What this handoff caused and was still held is dropped; the
           * next handoff of the task is checked on its own. */
          gint64 accept_at = due_at (year->setup, receiver, since, FALSE);
          expect_one (rows, "reminder", h, h->receiver, ticks,
                      sent_tick (ticks, h->index, receiver, accept_at), h->accepted);
          expect_one (rows, "escalation", h, h->giver, ticks,
                      sent_tick (ticks, h->index, giver, accept_at), h->accepted);
          expect_none (rows, "returned", h, h->giver);
          const Row *row = NULL;
          if (rows_for (rows, "reminder", h->task, h->receiver, &row) == 1 && row->failed_at)
            passed_dropped++;
          if (rows_for (rows, "escalation", h->task, h->giver, &row) == 1 && row->failed_at)
            passed_dropped++;
          passed++;
          continue;
        }
      if (h->by != NEVER && h->by != LATE_REPLY && h->by != LATE_PLUS)
        {
          expect_none (rows, "reminder", h, h->receiver);
          expect_none (rows, "escalation", h, h->giver);
          expect_none (rows, "returned", h, h->giver);
          g_assert_cmpstr (owner, ==, h->receiver);
          on_time++;
          continue;
        }
      gint64 accept_at = due_at (year->setup, receiver, since, FALSE);
      gint64 return_at = due_at (year->setup, receiver, since, TRUE);
      guint back = first_tick (ticks, h->index, return_at);
      guint settled = h->by == NEVER ? back : h->accepted;
      expect_one (rows, "reminder", h, h->receiver, ticks,
                  sent_tick (ticks, h->index, receiver, accept_at), settled);
      expect_one (rows, "escalation", h, h->giver, ticks,
                  sent_tick (ticks, h->index, giver, accept_at), settled);
      g_assert_cmpint (waiting, ==, h->by == NEVER && back >= ticks->len);
      if (h->by != NEVER)
        {
          g_assert_cmpuint (h->accepted, <, back);
          expect_none (rows, "returned", h, h->giver);
          g_assert_cmpstr (owner, ==, h->receiver);
          late++;
          continue;
        }
      never++;
      expect_one (rows, "returned", h, h->giver, ticks,
                  sent_tick (ticks, h->index, giver, return_at), ticks->len);
      if (back >= ticks->len)
        {
          g_assert_cmpstr (owner, ==, h->receiver);
          continue;
        }
      g_assert_cmpstr (owner, ==, h->giver);
      /* The log says when: at the tick the return was due. */
      gint64 at = query_int (
          year,
          "SELECT at FROM events WHERE task = ? AND kind = 'handoff' ORDER BY id DESC LIMIT 1",
          h->task);
      g_assert_cmpint (at, ==, TICK (ticks, back));
      returned++;
    }
  g_test_message ("%u handoffs: %u accepted in time, %u late, %u handed on (%u held reminders "
                  "and escalations dropped), %u never (%u returned in 2026)",
                  year->handoffs->len, on_time, late, passed, passed_dropped, never, returned);
}

static void
test_year (gconstpointer data)
{
  const Setup *setup = data;
  gint64 step = g_getenv ("BATON_YEAR_FULL") != NULL ? setup->full_step : setup->step;
  Year year;
  year_open (&year, setup, step);
  g_autoptr (GTimer) timer = g_timer_new ();
  run_year (&year);
  g_test_message ("%u ticks of %" G_GINT64_FORMAT " s in %.1f s; %u digests listed handoffs "
                  "waiting for their reader",
                  year.ticks->len, step, g_timer_elapsed (timer, NULL), year.waiting_digests);
  g_autoptr (GPtrArray) rows = outbox_rows (&year);
  check_mails_match_rows (&year, rows);
  check_digests (rows, year.ticks, step);
  check_windows (&year);
  check_handoffs (&year, rows);
  year_close (&year);
}

/* The issue's run: a day to accept, three to have it back; notices held
 * for the morning. */
static const Setup days = {
  "handoff-delivery = morning\naccept-within = 1d\nreturn-after = 3d", TRUE, 1, 0, 3, 3600, 15 * 60
};
/* Working hours, no return, notices at once: what never gets accepted
 * stays pending all year, reminded and escalated once. */
static const Setup hours = {
  "handoff-delivery = now\naccept-within = 6h\nreturn-after = 0", FALSE, 0, 6, 0, 2 * 3600, 15 * 60
};

/* A year of cron runs logs tens of thousands of info lines: keep the
 * warnings. */
static void
quiet (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if (level & (G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG))
    return;
  g_log_default_handler (domain, level, message, data);
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();
  g_log_set_default_handler (quiet, NULL);
  g_test_add_data_func ("/year/2026/days", &days, test_year);
  g_test_add_data_func ("/year/2026/hours", &hours, test_year);
  return g_test_run ();
}
