/* SPDX-License-Identifier: MIT */
#include "baton/calendar.h"
#include "baton/error.h"
#include "baton/schedule.h"

#include <string.h>

#define PARIS "Europe/Paris"
#define LA "America/Los_Angeles"

static gint64
utc (const char *iso)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

static void
assert_instant (gint64 got, const char *want_iso)
{
  gint64 want = utc (want_iso);
  if (got != want)
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (got);
      g_autofree char *shown = g_date_time_format_iso8601 (t);
      g_error ("got %s, expected %s", shown, want_iso);
    }
}

/* Every day a working day, all day: the schedule as it was before working
 * time, which these tests keep checking. */
static BatonWorktime
every_day (const char *tzid)
{
  return (BatonWorktime){ tzid, 0xFE, 0, 24 * 60, NULL, NULL };
}

/* digest_due for a week of every_day (). */
static gboolean
due_every_day (const char *tzid, int at, gint64 last, gboolean ever_sent, gint64 now, gint64 *due)
{
  BatonWorktime week = every_day (tzid);
  return baton_schedule_digest_due (&week, at, last, ever_sent, now, due);
}

static int
hhmm (const char *text)
{
  int minutes = -1;
  g_assert_true (baton_schedule_parse_time_of_day (text, &minutes, NULL));
  return minutes;
}

static void
test_parse_time_of_day (void)
{
  g_assert_cmpint (hhmm ("08:30"), ==, 510);
  g_assert_cmpint (hhmm ("8:30"), ==, 510);
  g_assert_cmpint (hhmm (" 00:00 "), ==, 0);
  g_assert_cmpint (hhmm ("23:59"), ==, 1439);
  static const char *const bad[] = { "",       "24:00", "08:60",  "0830",    "8h30", "08:3",
                                     "08:300", "-1:00", "008:30", "08:30pm", ":30",  "ab:cd" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      int minutes = 77;
      g_assert_false (baton_schedule_parse_time_of_day (bad[i], &minutes, &error));
      g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, "HH:MM"));
      g_assert_cmpint (minutes, ==, 77);
    }
  g_autoptr (GError) error = NULL;
  int minutes = 0;
  g_assert_false (baton_schedule_parse_time_of_day (NULL, &minutes, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
}

static void
test_timezone_valid (void)
{
  g_assert_true (baton_schedule_timezone_valid (PARIS));
  g_assert_true (baton_schedule_timezone_valid (LA));
  g_assert_true (baton_schedule_timezone_valid ("UTC"));
  g_assert_false (baton_schedule_timezone_valid ("Europe/Parris"));
  g_assert_false (baton_schedule_timezone_valid ("Mars/Olympus_Mons"));
  g_assert_false (baton_schedule_timezone_valid (""));
  g_assert_false (baton_schedule_timezone_valid (NULL));
  /* An unknown zone must never fail silently as something else: it is UTC. */
  assert_instant (baton_schedule_next_local ("Nowhere/Atlantis", 510, utc ("2026-03-09T00:00:00Z")),
                  "2026-03-09T08:30:00Z");
}

static void
test_next_local_ordinary (void)
{
  gint64 at = 8 * 60 + 30;
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-03-27T00:00:00Z")),
                  "2026-03-27T07:30:00Z");
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-03-27T07:29:59Z")),
                  "2026-03-27T07:30:00Z");
  /* Strictly after: the instant itself moves on to the next day. */
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-03-27T07:30:00Z")),
                  "2026-03-28T07:30:00Z");
  assert_instant (baton_schedule_next_local (LA, at, utc ("2026-03-07T00:00:00Z")),
                  "2026-03-07T16:30:00Z");
  /* Across a month and a year end. */
  assert_instant (baton_schedule_next_local (LA, at, utc ("2026-03-31T16:00:00Z")),
                  "2026-04-01T15:30:00Z");
  assert_instant (baton_schedule_next_local (PARIS, 0, utc ("2026-12-31T23:30:00Z")),
                  "2027-01-01T23:00:00Z");
  assert_instant (baton_schedule_next_local ("UTC", 0, utc ("2026-12-31T23:30:00Z")),
                  "2027-01-01T00:00:00Z");
}

static void
test_next_local_spring (void)
{
  int at = 8 * 60 + 30;
  /* US changes on 2026-03-08, the EU three weeks later. */
  assert_instant (baton_schedule_next_local (LA, at, utc ("2026-03-07T17:00:00Z")),
                  "2026-03-08T15:30:00Z");
  assert_instant (baton_schedule_next_local (LA, at, utc ("2026-03-08T16:00:00Z")),
                  "2026-03-09T15:30:00Z");
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-03-26T08:00:00Z")),
                  "2026-03-27T07:30:00Z");
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-03-28T08:00:00Z")),
                  "2026-03-29T06:30:00Z");
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-03-29T07:00:00Z")),
                  "2026-03-30T06:30:00Z");

  /* 02:30 does not exist on the change day: due when the gap ends (03:00). */
  int gap = 2 * 60 + 30;
  assert_instant (baton_schedule_next_local (PARIS, gap, utc ("2026-03-28T12:00:00Z")),
                  "2026-03-29T01:00:00Z");
  assert_instant (baton_schedule_next_local (PARIS, gap, utc ("2026-03-29T01:00:00Z")),
                  "2026-03-30T00:30:00Z");
  assert_instant (baton_schedule_next_local (LA, gap, utc ("2026-03-07T12:00:00Z")),
                  "2026-03-08T10:00:00Z");
  assert_instant (baton_schedule_next_local (LA, gap, utc ("2026-03-08T10:00:00Z")),
                  "2026-03-09T09:30:00Z");
  /* 02:00 sharp is in the gap too; 03:00 is the first valid minute. */
  assert_instant (baton_schedule_next_local (PARIS, 120, utc ("2026-03-28T12:00:00Z")),
                  "2026-03-29T01:00:00Z");
  assert_instant (baton_schedule_next_local (PARIS, 180, utc ("2026-03-28T12:00:00Z")),
                  "2026-03-29T01:00:00Z");
}

static void
test_next_local_fall (void)
{
  int at = 8 * 60 + 30;
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-10-24T00:00:00Z")),
                  "2026-10-24T06:30:00Z");
  assert_instant (baton_schedule_next_local (PARIS, at, utc ("2026-10-24T07:00:00Z")),
                  "2026-10-25T07:30:00Z");
  assert_instant (baton_schedule_next_local (LA, at, utc ("2026-10-31T16:00:00Z")),
                  "2026-11-01T16:30:00Z");
  assert_instant (baton_schedule_next_local (LA, at, utc ("2026-10-30T16:00:00Z")),
                  "2026-10-31T15:30:00Z");

  /* 02:30 happens twice in Paris on 2026-10-25: only the first counts. */
  int twice = 2 * 60 + 30;
  assert_instant (baton_schedule_next_local (PARIS, twice, utc ("2026-10-24T12:00:00Z")),
                  "2026-10-25T00:30:00Z");
  assert_instant (baton_schedule_next_local (PARIS, twice, utc ("2026-10-25T00:30:00Z")),
                  "2026-10-26T01:30:00Z");
  /* Even from between the two occurrences, the second is not a new day. */
  assert_instant (baton_schedule_next_local (PARIS, twice, utc ("2026-10-25T01:00:00Z")),
                  "2026-10-26T01:30:00Z");
  /* 01:30 twice in Los Angeles on 2026-11-01: 01:30 PDT = 08:30Z first. */
  assert_instant (baton_schedule_next_local (LA, 90, utc ("2026-10-31T12:00:00Z")),
                  "2026-11-01T08:30:00Z");
  assert_instant (baton_schedule_next_local (LA, 90, utc ("2026-11-01T08:30:00Z")),
                  "2026-11-02T09:30:00Z");
}

/* Samoa moved across the date line and skipped 2011-12-30 entirely: no
 * digest for the missing day, and only one on the day after it. */
static void
test_next_local_skipped_day (void)
{
  const char *apia = "Pacific/Apia";
  if (!baton_schedule_timezone_valid (apia))
    {
      g_test_skip ("no Pacific/Apia in this tz database");
      return;
    }
  assert_instant (baton_schedule_next_local (apia, 510, utc ("2011-12-29T00:00:00Z")),
                  "2011-12-29T18:30:00Z");
  assert_instant (baton_schedule_next_local (apia, 510, utc ("2011-12-29T18:30:00Z")),
                  "2011-12-30T18:30:00Z");
  assert_instant (baton_schedule_next_local (apia, 0, utc ("2011-12-29T18:30:00Z")),
                  "2011-12-30T10:00:00Z");
  assert_instant (baton_schedule_next_local (apia, 0, utc ("2011-12-30T10:00:00Z")),
                  "2011-12-31T10:00:00Z");
}

static void
test_digest_due (void)
{
  gint64 due = 0;
  gint64 joined = utc ("2026-03-09T10:00:00Z");
  g_assert_false (due_every_day (LA, 510, joined, FALSE, utc ("2026-03-09T15:29:59Z"), &due));
  assert_instant (due, "2026-03-09T15:30:00Z");
  g_assert_true (due_every_day (LA, 510, joined, FALSE, utc ("2026-03-09T15:30:00Z"), &due));
  g_assert_true (due_every_day (LA, 510, joined, FALSE, utc ("2026-03-09T16:31:00Z"), NULL));
  /* After a digest at 16:31Z the next is tomorrow's 08:30, not sooner. */
  g_assert_false (due_every_day (LA, 510, utc ("2026-03-09T16:31:00Z"), TRUE,
                                 utc ("2026-03-10T15:29:00Z"), &due));
  assert_instant (due, "2026-03-10T15:30:00Z");
  /* Three days of downtime: due once; recording now prevents a backlog. */
  g_assert_true (due_every_day (PARIS, 510, utc ("2026-03-01T08:00:00Z"), TRUE,
                                utc ("2026-03-04T12:00:00Z"), &due));
  assert_instant (due, "2026-03-02T07:30:00Z");
  g_assert_false (due_every_day (PARIS, 510, utc ("2026-03-04T12:00:00Z"), TRUE,
                                 utc ("2026-03-05T07:29:00Z"), NULL));
}

/* A cron running every `step` seconds from `from` to `to`, queuing digests
 * for one member: every local day in the window gets exactly one digest,
 * at or within one step after its due time, which shows `at` on the wall
 * clock (or the end of the gap, when `at` does not exist that day). */
static void
simulate (const char *tzid, int at, const char *from, const char *to, gint64 step,
          guint expected_days)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (tzid);
  gint64 start = utc (from), end = utc (to);
  gint64 last = start; /* joined */
  g_autoptr (GDateTime) first_day = NULL;
  guint fired = 0;
  int previous_doy = -1;

  for (gint64 now = start; now < end; now += step)
    {
      gint64 due = 0;
      if (!due_every_day (tzid, at, last, fired > 0, now, &due))
        continue;
      g_assert_cmpint (now, >=, due);
      g_assert_cmpint (now - due, <, step);

      g_autoptr (GDateTime) u = g_date_time_new_from_unix_utc (due);
      g_autoptr (GDateTime) local = g_date_time_to_timezone (u, tz);
      int wall = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
      if (wall != at)
        {
          /* Only in a spring gap, and then at the first minute after it. */
          g_autoptr (GDateTime) before = g_date_time_add_seconds (local, -1);
          g_assert_cmpint (g_date_time_get_utc_offset (before), <,
                           g_date_time_get_utc_offset (local));
          g_assert_cmpint (g_date_time_get_minute (local), ==, 0);
        }
      /* Consecutive local days: none missed, none doubled. */
      int doy = g_date_time_get_day_of_year (local);
      if (previous_doy >= 0)
        g_assert_cmpint (doy, ==, previous_doy + 1);
      previous_doy = doy;
      fired++;
      last = now;
    }
  g_assert_cmpuint (fired, ==, expected_days);
}

typedef struct {
  const char *tzid;
  int at;
} Member;

static const Member members[] = {
  { PARIS, 8 * 60 + 30 },
  { LA, 8 * 60 + 30 },
  { PARIS, 2 * 60 + 30 }, /* in the spring gap and the fall overlap */
  { LA, 2 * 60 + 30 },
};

static void
run_cron (gint64 step)
{
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    {
      /* Windows start at 00:00Z, before every member's first digest of
       * that local day (Los Angeles is still on the day before), and end at
       * 00:00Z, after every member's digest of the last local day and
       * before the next one: local days 03-01..04-04 (35) and
       * 10-20..11-04 (16). */
      simulate (members[i].tzid, members[i].at, "2026-03-01T00:00:00Z", "2026-04-05T00:00:00Z",
                step, 35);
      simulate (members[i].tzid, members[i].at, "2026-10-20T00:00:00Z", "2026-11-05T00:00:00Z",
                step, 16);
    }
}

static void
test_cron_every_minute (void)
{
  run_cron (60);
}

static void
test_cron_every_5_minutes (void)
{
  run_cron (5 * 60);
}

static void
test_cron_hourly (void)
{
  run_cron (3600);
}

/* The instants the 5-minute cron actually fires on the change days. */
static void
test_cron_fire_instants (void)
{
  struct {
    const char *tzid;
    int at;
    const char *last;
    const char *fires;
  } cases[] = {
    { LA, 510, "2026-03-07T17:00:00Z", "2026-03-08T15:30:00Z" },
    { LA, 510, "2026-03-08T15:30:00Z", "2026-03-09T15:30:00Z" },
    { PARIS, 510, "2026-03-26T07:30:00Z", "2026-03-27T07:30:00Z" },
    { PARIS, 510, "2026-03-29T06:30:00Z", "2026-03-30T06:30:00Z" },
    { PARIS, 510, "2026-10-24T06:30:00Z", "2026-10-25T07:30:00Z" },
    { LA, 510, "2026-10-31T15:30:00Z", "2026-11-01T16:30:00Z" },
    { PARIS, 150, "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z" },
    { LA, 150, "2026-03-07T10:30:00Z", "2026-03-08T10:00:00Z" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 last = utc (cases[i].last);
      gint64 now = last;
      gint64 due = 0;
      do
        now += 300;
      while (!due_every_day (cases[i].tzid, cases[i].at, last, TRUE, now, &due));
      assert_instant (now, cases[i].fires);
      assert_instant (due, cases[i].fires);
    }
}

/* The year 2026 for five members on Mon-Fri weeks, cron every 15 minutes:
 * exactly one digest on each working day, at its digest-at, and none on
 * weekends, holidays (from an .ics for Paris and Tokyo) or away days
 * (Los Angeles, across the summer). */
typedef struct {
  const char *tzid;
  int at;
  const char *ics; /* NULL: no holidays */
  const char *away_first, *away_last;
} YearMember;

static const char french_holidays[] =
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//baton test//EN\n"
    "BEGIN:VEVENT\nUID:1\nDTSTART;VALUE=DATE:20200101\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:2\nDTSTART;VALUE=DATE:20260406\nSUMMARY:Easter Monday\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:3\nDTSTART;VALUE=DATE:20200501\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:4\nDTSTART;VALUE=DATE:20200714\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:5\nDTSTART;VALUE=DATE:20201225\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
    "END:VCALENDAR\n";
static const char japanese_holidays[] =
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//baton test//EN\n"
    "BEGIN:VEVENT\nUID:1\nDTSTART;VALUE=DATE:20260101\nDTEND;VALUE=DATE:20260104\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:2\nDTSTART;VALUE=DATE:20200112\n"
    "RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=2MO\nSUMMARY:Coming of Age Day\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:3\nDTSTART;VALUE=DATE:20260429\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:4\nDTSTART;VALUE=DATE:20260503\nDTEND;VALUE=DATE:20260507\nEND:VEVENT\n"
    "END:VCALENDAR\n";

static guint32
julian (const char *text)
{
  guint32 day = 0;
  g_assert_true (baton_date_parse (text, &day, NULL));
  return day;
}

static int
compare_day (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

static void
simulate_year (const YearMember *m, gint64 step)
{
  g_autoptr (GArray) holidays = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (m->ics != NULL)
    g_assert_true (baton_calendar_parse_days ("h.ics", m->ics, strlen (m->ics), holidays, NULL));
  g_array_sort (holidays, compare_day);
  g_autoptr (GArray) away = g_array_new (FALSE, FALSE, sizeof (BatonAway));
  if (m->away_first != NULL)
    {
      BatonAway period = { julian (m->away_first), julian (m->away_last) };
      g_array_append_val (away, period);
    }
  BatonWorktime week = { m->tzid, BATON_WORKTIME_MON_FRI, 8 * 60, 18 * 60, holidays, away };
  g_autoptr (GHashTable) fired = g_hash_table_new (g_direct_hash, g_direct_equal);
  gint64 start = utc ("2026-01-01T00:00:00Z"), end = utc ("2027-01-01T00:00:00Z");
  gint64 last = start; /* joined */
  gboolean ever = FALSE;
  for (gint64 now = start; now < end; now += step)
    {
      gint64 due = 0;
      if (!baton_schedule_digest_due (&week, m->at, last, ever, now, &due))
        continue;
      g_assert_cmpint (now - due, <, step);
      guint32 day = baton_worktime_local_day (&week, now);
      g_assert_true (baton_worktime_is_working_day (&week, day));
      g_assert_false (g_hash_table_contains (fired, GUINT_TO_POINTER (day)));
      g_hash_table_add (fired, GUINT_TO_POINTER (day));
      last = now, ever = TRUE;
    }
  /* Every working day whose digest-at falls in 2026 (UTC) got one. */
  guint expected = 0;
  for (guint32 day = julian ("2025-12-31"); day <= julian ("2027-01-01"); day++)
    {
      gint64 slot = 0;
      if (!baton_worktime_is_working_day (&week, day) ||
          !baton_schedule_local_instant (m->tzid, day, m->at, &slot) || slot < start || slot >= end)
        continue;
      expected++;
      if (!g_hash_table_contains (fired, GUINT_TO_POINTER (day)))
        {
          g_autofree char *shown = baton_date_format (day);
          g_error ("%s: no digest on working day %s", m->tzid, shown);
        }
    }
  g_assert_cmpuint (g_hash_table_size (fired), ==, expected);
  g_test_message ("%s: %u digests in 2026", m->tzid, expected);
}

static void
test_year_working_days (void)
{
  const YearMember team[] = {
    { PARIS, 8 * 60 + 30, french_holidays, NULL, NULL },
    { LA, 8 * 60 + 30, NULL, "2026-07-06", "2026-07-17" },
    { "Asia/Tokyo", 9 * 60, japanese_holidays, NULL, NULL },
    { "Australia/Sydney", 8 * 60 + 30, NULL, NULL, NULL },
    { "Asia/Kathmandu", 8 * 60 + 30, NULL, NULL, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (team); i++)
    simulate_year (&team[i], 15 * 60);
}

/* Downtime: the catch-up waits for the working start, not the night, and
 * the day's digest-at then sends no second one. */
static void
test_catch_up_waits_for_morning (void)
{
  BatonWorktime week = { LA, BATON_WORKTIME_MON_FRI, 8 * 60, 18 * 60, NULL, NULL };
  gint64 monday = utc ("2026-03-09T15:30:00Z"); /* Mon 08:30 PDT, the last digest */
  gint64 due = 0;
  /* Cron comes back Thu 04:00 PDT: nothing in the night. */
  g_assert_false (
      baton_schedule_digest_due (&week, 510, monday, TRUE, utc ("2026-03-12T11:00:00Z"), &due));
  assert_instant (due, "2026-03-12T15:00:00Z"); /* 08:00, the working start */
  g_assert_true (
      baton_schedule_digest_due (&week, 510, monday, TRUE, utc ("2026-03-12T15:00:00Z"), NULL));
  /* Sent at 08:00: today's 08:30 does not send another. */
  gint64 sent = utc ("2026-03-12T15:00:00Z");
  g_assert_false (
      baton_schedule_digest_due (&week, 510, sent, TRUE, utc ("2026-03-12T15:30:00Z"), &due));
  assert_instant (due, "2026-03-13T15:30:00Z");
  /* A digest-at before the working start (06:00) that cron missed by an
   * hour on the same day is that day's digest, sent when cron runs. */
  g_assert_true (
      baton_schedule_digest_due (&week, 6 * 60, monday, TRUE, utc ("2026-03-10T14:00:00Z"), NULL));
}

/* Joined at 02:50 in Tokyo: the first digest waits for 08:30. */
static void
test_first_digest_waits (void)
{
  BatonWorktime week = { "Asia/Tokyo", BATON_WORKTIME_MON_FRI, 8 * 60, 18 * 60, NULL, NULL };
  gint64 joined = utc ("2026-03-09T17:50:00Z"); /* Tue 02:50 JST */
  gint64 due = 0;
  g_assert_false (baton_schedule_digest_due (&week, 510, joined, FALSE, joined + 60, &due));
  assert_instant (due, "2026-03-09T23:30:00Z");
}

static void
test_format_local (void)
{
  /* Alice's mail in docs/DESIGN.md §1: Wednesday 18:05 in Paris. */
  gint64 t = utc ("2026-03-04T17:05:00Z");
  g_autofree char *paris = baton_schedule_format_local (PARIS, t, NULL);
  g_assert_cmpstr (paris, ==, "Wed 18:05 (Paris)");
  g_autofree char *la = baton_schedule_format_local (LA, t, NULL);
  g_assert_cmpstr (la, ==, "Wed 09:05 (Los Angeles)");
  g_autofree char *iso = baton_schedule_format_local (LA, utc ("2026-03-09T15:30:00Z"), "%F %R %Z");
  g_assert_cmpstr (iso, ==, "2026-03-09 08:30 PDT");
  g_autofree char *utc_name = baton_schedule_format_local ("UTC", t, NULL);
  g_assert_cmpstr (utc_name, ==, "Wed 17:05 (UTC)");
  g_autofree char *unknown = baton_schedule_format_local ("Bogus/Zone", t, "%H:%M");
  g_assert_cmpstr (unknown, ==, "17:05");
}

/* Digest times: the weekday alone within six days of now, the date when a
 * weekday could name two days (three different Mondays in a three-week
 * digest once read the same), the year when it is not now's. */
static void
test_format_near (void)
{
  g_autoptr (GTimeZone) paris = baton_schedule_zone (PARIS);
  gint64 now = utc ("2026-03-23T16:00:00Z");
  struct {
    const char *at, *want;
  } cases[] = {
    { "2026-03-23T08:00:00Z", "Mon 09:00" },
    { "2026-03-17T17:00:00Z", "Tue 18:00" },
    { "2026-03-17T15:00:00Z", "Tue 17 Mar 16:00" }, /* 6 days and 1 hour before */
    { "2026-03-16T08:00:00Z", "Mon 16 Mar 09:00" },
    { "2026-03-02T08:00:00Z", "Mon 2 Mar 09:00" },
    { "2026-03-24T08:00:00Z", "Tue 09:00" },
    { "2026-03-26T08:00:00Z", "Thu 26 Mar 09:00" },
    { "2025-12-29T08:00:00Z", "Mon 29 Dec 2025 09:00" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = baton_schedule_format_near (paris, utc (cases[i].at), now);
      g_assert_cmpstr (got, ==, cases[i].want);
    }
  g_autoptr (GTimeZone) bogus = baton_schedule_zone ("Bogus/Zone");
  g_autofree char *in_utc = baton_schedule_format_near (bogus, utc ("2026-03-23T08:00:00Z"), now);
  g_assert_cmpstr (in_utc, ==, "Mon 08:00");
  g_autofree char *city = baton_schedule_zone_city (LA);
  g_assert_cmpstr (city, ==, "Los Angeles");
  g_autofree char *none = baton_schedule_zone_city (NULL);
  g_assert_cmpstr (none, ==, "UTC");
}

static void
test_format_duration (void)
{
  struct {
    gint64 seconds;
    const char *want;
  } cases[] = { { -5, "a moment" },     { 59, "a moment" },           { 60, "1 minute" },
                { 3599, "59 minutes" }, { 3600, "1 hour" },           { 86399, "23 hours" },
                { 86400, "1 day" },     { 22 * 86400 + 5, "22 days" } };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = baton_schedule_format_duration (1000, 1000 + cases[i].seconds);
      g_assert_cmpstr (got, ==, cases[i].want);
    }
}

int
main (int argc, char **argv)
{
  /* Weekday names in format_local must be the C locale's, wherever CI runs. */
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schedule/parse-time-of-day", test_parse_time_of_day);
  g_test_add_func ("/schedule/timezone-valid", test_timezone_valid);
  g_test_add_func ("/schedule/next-local/ordinary", test_next_local_ordinary);
  g_test_add_func ("/schedule/next-local/spring", test_next_local_spring);
  g_test_add_func ("/schedule/next-local/fall", test_next_local_fall);
  g_test_add_func ("/schedule/next-local/skipped-day", test_next_local_skipped_day);
  g_test_add_func ("/schedule/digest-due", test_digest_due);
  g_test_add_func ("/schedule/format-near", test_format_near);
  g_test_add_func ("/schedule/format-duration", test_format_duration);
  g_test_add_func ("/schedule/cron/every-minute", test_cron_every_minute);
  g_test_add_func ("/schedule/cron/every-5-minutes", test_cron_every_5_minutes);
  g_test_add_func ("/schedule/cron/hourly", test_cron_hourly);
  g_test_add_func ("/schedule/cron/fire-instants", test_cron_fire_instants);
  g_test_add_func ("/schedule/format-local", test_format_local);
  g_test_add_func ("/schedule/year/working-days", test_year_working_days);
  g_test_add_func ("/schedule/catch-up-waits-for-morning", test_catch_up_waits_for_morning);
  g_test_add_func ("/schedule/first-digest-waits", test_first_digest_waits);
  return g_test_run ();
}
