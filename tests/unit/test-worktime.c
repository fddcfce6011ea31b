/* SPDX-License-Identifier: MIT */
#include "baton/error.h"
#include "baton/schedule.h"
#include "baton/worktime.h"
#include "week-fixture.h"

#include <string.h>

#define PARIS "Europe/Paris"
#define LA "America/Los_Angeles"
#define SYDNEY "Australia/Sydney"
#define KATHMANDU "Asia/Kathmandu"
#define ADELAIDE "Australia/Adelaide"

static guint32
day (const char *text)
{
  guint32 julian = 0;
  g_assert_true (baton_date_parse (text, &julian, NULL));
  return julian;
}

static void
test_parse_workdays (void)
{
  guint mask = 0;
  g_assert_true (baton_worktime_parse_workdays ("Mon-Fri", &mask, NULL));
  g_assert_cmpuint (mask, ==, BATON_WORKTIME_MON_FRI);
  g_assert_true (baton_worktime_parse_workdays ("Sun-Thu", &mask, NULL));
  g_assert_cmpuint (mask, ==,
                    (1u << G_DATE_SUNDAY) | (1u << G_DATE_MONDAY) | (1u << G_DATE_TUESDAY) |
                        (1u << G_DATE_WEDNESDAY) | (1u << G_DATE_THURSDAY));
  g_assert_true (baton_worktime_parse_workdays (" mon, Tue ,THURSDAY", &mask, NULL));
  g_assert_cmpuint (mask, ==,
                    (1u << G_DATE_MONDAY) | (1u << G_DATE_TUESDAY) | (1u << G_DATE_THURSDAY));
  const char *bad[] = { "", "Mo-Fr", "Mon-", "weekdays", "Mon,,Tue", "Mon-Tue-Wed", NULL };
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      mask = 7;
      g_assert_false (baton_worktime_parse_workdays (bad[i], &mask, &error));
      g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, "Mon-Fri"));
      g_assert_cmpuint (mask, ==, 7);
    }
}

static void
test_parse_hours (void)
{
  int start = -1, end = -1;
  g_assert_true (baton_worktime_parse_hours ("09:00-18:00", &start, &end, NULL));
  g_assert_cmpint (start, ==, 540);
  g_assert_cmpint (end, ==, 1080);
  g_assert_true (baton_worktime_parse_hours (" 8:30 - 24:00 ", &start, &end, NULL));
  g_assert_cmpint (start, ==, 510);
  g_assert_cmpint (end, ==, 1440);
  const char *bad[] = { "18:00-09:00", "09:00", "09:00-09:00", "9-5", "09:00-25:00", NULL };
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (baton_worktime_parse_hours (bad[i], &start, &end, &error));
      g_assert_nonnull (strstr (error->message, "09:00-18:00"));
    }
}

static void
test_parse_date (void)
{
  guint32 julian = 0;
  g_assert_true (baton_date_parse ("2026-12-24", &julian, NULL));
  g_autofree char *shown = baton_date_format (julian);
  g_assert_cmpstr (shown, ==, "2026-12-24");
  const char *bad[] = { "2026-02-30", "2026-1-04", "26-01-04", "2026-01-04x", "", NULL };
  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_false (baton_date_parse (bad[i], &julian, NULL));
}

/* Fri 18:30 in Los Angeles → Mon 08:00 there; at work → now. */
static void
test_deliver_at_weekend (void)
{
  BatonWorktime week = office (LA, 8 * 60, 18 * 60);
  gint64 friday_evening = utc ("2026-03-14T01:30:00Z"); /* Fri 03-13 18:30 PDT */
  assert_instant (baton_worktime_deliver_at (&week, friday_evening), "2026-03-16T15:00:00Z");
  gint64 at_work = utc ("2026-03-10T21:00:00Z"); /* Tue 14:00 PDT */
  g_assert_cmpint (baton_worktime_deliver_at (&week, at_work), ==, at_work);
  g_assert_true (baton_worktime_is_working (&week, at_work));
  /* 08:31 is at work too: no 24-hour wait. */
  gint64 early = utc ("2026-03-10T15:31:00Z");
  g_assert_cmpint (baton_worktime_deliver_at (&week, early), ==, early);
  /* 18:00 is the end: the next morning. */
  assert_instant (baton_worktime_deliver_at (&week, utc ("2026-03-11T01:00:00Z")),
                  "2026-03-11T15:00:00Z");
}

/* +05:45 and +10:30/+09:30: the start is the local wall time. */
static void
test_odd_offsets (void)
{
  BatonWorktime kathmandu = office (KATHMANDU, 9 * 60, 18 * 60);
  /* Sat 2026-06-06 12:00 local → Mon 06-08 09:00 = 03:15Z. */
  assert_instant (baton_worktime_deliver_at (&kathmandu, utc ("2026-06-06T06:15:00Z")),
                  "2026-06-08T03:15:00Z");
  BatonWorktime adelaide = office (ADELAIDE, 9 * 60, 17 * 60);
  /* Summer +10:30: Mon 2026-01-05 09:00 = Sun 22:30Z. */
  assert_instant (baton_worktime_deliver_at (&adelaide, utc ("2026-01-04T00:00:00Z")),
                  "2026-01-04T22:30:00Z");
  /* Winter +09:30: Mon 2026-06-08 09:00 = Sun 23:30Z. */
  assert_instant (baton_worktime_deliver_at (&adelaide, utc ("2026-06-07T00:00:00Z")),
                  "2026-06-07T23:30:00Z");
}

/* Both hemispheres: Sydney leaves DST on Sun 2026-04-05, Paris enters it on
 * Sun 2026-03-29; the Monday start after each is 09:00 local either way. */
static void
test_dst_both_hemispheres (void)
{
  BatonWorktime sydney = office (SYDNEY, 9 * 60, 17 * 60);
  assert_instant (baton_worktime_deliver_at (&sydney, utc ("2026-04-03T08:00:00Z")),
                  "2026-04-05T23:00:00Z"); /* Mon 04-06 09:00 AEST (+10) */
  assert_instant (baton_worktime_deliver_at (&sydney, utc ("2026-10-02T08:00:00Z")),
                  "2026-10-04T22:00:00Z"); /* Mon 10-05 09:00 AEDT (+11) */
  BatonWorktime paris = office (PARIS, 9 * 60, 18 * 60);
  assert_instant (baton_worktime_deliver_at (&paris, utc ("2026-03-27T18:00:00Z")),
                  "2026-03-30T07:00:00Z"); /* Mon 03-30 09:00 CEST (+2) */
}

/* A holiday on a DST day is the whole local day, 23 hours long. */
static void
test_holiday_on_dst_day (void)
{
  g_autoptr (GArray) holidays = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 h = day ("2026-03-29"); /* Sunday in Paris: the EU change */
  g_array_append_val (holidays, h);
  guint32 monday = day ("2026-03-30");
  g_array_append_val (holidays, monday);
  BatonWorktime paris = { PARIS, 0xFE, 0, 24 * 60, holidays, NULL };
  /* 00:30 CET on the 29th and 23:30 CEST: both within the holiday. */
  g_assert_false (baton_worktime_is_working (&paris, utc ("2026-03-28T23:30:00Z")));
  g_assert_false (baton_worktime_is_working (&paris, utc ("2026-03-29T21:30:00Z")));
  g_assert_true (baton_worktime_is_working (&paris, utc ("2026-03-28T22:59:59Z")));
  /* Work resumes at Tuesday's midnight local, 22:00Z. */
  assert_instant (baton_worktime_deliver_at (&paris, utc ("2026-03-29T12:00:00Z")),
                  "2026-03-30T22:00:00Z");
}

/* Away across New Year: 2026-12-21..2027-01-03, back Monday the 4th. */
static void
test_away_across_new_year (void)
{
  g_autoptr (GArray) away = g_array_new (FALSE, FALSE, sizeof (BatonAway));
  BatonAway period = { day ("2026-12-21"), day ("2027-01-03") };
  g_array_append_val (away, period);
  BatonWorktime week = office (PARIS, 9 * 60, 18 * 60);
  week.away = away;
  g_assert_true (baton_worktime_is_working_day (&week, day ("2026-12-18")));
  g_assert_false (baton_worktime_is_working_day (&week, day ("2026-12-21")));
  g_assert_false (baton_worktime_is_working_day (&week, day ("2026-12-31")));
  g_assert_false (baton_worktime_is_working_day (&week, day ("2027-01-01")));
  g_assert_true (baton_worktime_is_working_day (&week, day ("2027-01-04")));
  assert_instant (baton_worktime_deliver_at (&week, utc ("2026-12-22T10:00:00Z")),
                  "2027-01-04T08:00:00Z");
  assert_instant (baton_worktime_next_slot (&week, 8 * 60 + 30, utc ("2026-12-18T08:00:00Z")),
                  "2027-01-04T07:30:00Z");
}

/* A zone that changes at 09:00: that day has no 09:00, work starts when
 * the gap ends (10:00 new time), and a digest-at of 09:30 too. */
static void
test_start_in_gap (void)
{
  /* POSIX rule: +1 standard, +2 summer from the last Sunday of March 09:00
   * to the last Sunday of October 10:00 (summer time). */
  const char *zone = "XST-1XDT,M3.5.0/9,M10.5.0/10";
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_assert_nonnull (tz);
  BatonWorktime week = { zone, 0xFE, 9 * 60, 18 * 60, NULL, NULL };
  /* Sunday 2026-03-29 at 07:00Z is 08:00 standard time: before work. At
   * 08:00Z the clock jumps from 09:00 to 10:00: work starts then. */
  assert_instant (baton_worktime_deliver_at (&week, utc ("2026-03-29T07:00:00Z")),
                  "2026-03-29T08:00:00Z");
  g_assert_false (baton_worktime_is_working (&week, utc ("2026-03-29T07:59:59Z")));
  g_assert_true (baton_worktime_is_working (&week, utc ("2026-03-29T08:00:00Z")));
  assert_instant (baton_worktime_next_slot (&week, 9 * 60 + 30, utc ("2026-03-28T12:00:00Z")),
                  "2026-03-29T08:00:00Z");
}

/* Every day off for years: no answer rather than a hang. */
static void
test_no_working_day (void)
{
  BatonWorktime week = { PARIS, 0, 9 * 60, 18 * 60, NULL, NULL };
  gint64 now = utc ("2026-03-09T12:00:00Z");
  g_assert_cmpint (baton_worktime_deliver_at (&week, now), ==, now);
  g_assert_cmpint (baton_worktime_next_slot (&week, 510, now), ==, G_MAXINT64);
  g_assert_false (baton_schedule_digest_due (&week, 510, now, TRUE, now + 86400 * 30, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/worktime/parse/workdays", test_parse_workdays);
  g_test_add_func ("/worktime/parse/hours", test_parse_hours);
  g_test_add_func ("/worktime/parse/date", test_parse_date);
  g_test_add_func ("/worktime/deliver-at/weekend", test_deliver_at_weekend);
  g_test_add_func ("/worktime/odd-offsets", test_odd_offsets);
  g_test_add_func ("/worktime/dst-both-hemispheres", test_dst_both_hemispheres);
  g_test_add_func ("/worktime/holiday-on-dst-day", test_holiday_on_dst_day);
  g_test_add_func ("/worktime/away-across-new-year", test_away_across_new_year);
  g_test_add_func ("/worktime/start-in-gap", test_start_in_gap);
  g_test_add_func ("/worktime/no-working-day", test_no_working_day);
  return g_test_run ();
}
