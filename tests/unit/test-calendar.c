/* SPDX-License-Identifier: MIT */
#include "baton/calendar.h"
#include "baton/error.h"
#include "baton/worktime.h"

#include <string.h>

static guint32
day (const char *text)
{
  guint32 julian = 0;
  g_assert_true (baton_date_parse (text, &julian, NULL));
  return julian;
}

static gboolean
has_day (GArray *days, const char *text)
{
  guint32 want = day (text);
  for (guint i = 0; i < days->len; i++)
    if (g_array_index (days, guint32, i) == want)
      return TRUE;
  return FALSE;
}

static GArray *
parse_ok (const char *text)
{
  GArray *days = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GError) error = NULL;
  if (!baton_calendar_parse_days ("h.ics", text, strlen (text), days, &error))
    g_error ("%s", error->message);
  return days;
}

static char *
parse_error (const char *text)
{
  g_autoptr (GArray) days = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GError) error = NULL;
  g_assert_false (baton_calendar_parse_days ("h.ics", text, strlen (text), days, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_assert_cmpuint (days->len, ==, 0);
  return g_strdup (error->message);
}

/* All-day events as public calendars publish them, CRLF and folded. */
static void
test_all_day (void)
{
  g_autoptr (GArray) days =
      parse_ok ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
                "BEGIN:VEVENT\r\nUID:1@test\r\nDTSTART;VALUE=DATE:20261225\r\n"
                "DTEND;VALUE=DATE:20261226\r\nSUMMARY:Christmas\r\n  Day\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:2@test\r\nDTSTART;VALUE=DATE:20260814\r\n"
                "DTEND;VALUE=DATE:20260818\r\nSUMMARY:Long weekend\r\nEND:VEVENT\r\n"
                "BEGIN:VEVENT\r\nUID:3@test\r\nDTSTART;VALUE=DATE:20260501\r\nSUMMARY:No end\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n");
  g_assert_true (has_day (days, "2026-12-25"));
  g_assert_false (has_day (days, "2026-12-26")); /* DTEND is exclusive */
  g_assert_true (has_day (days, "2026-08-14"));
  g_assert_true (has_day (days, "2026-08-17"));
  g_assert_false (has_day (days, "2026-08-18"));
  g_assert_true (has_day (days, "2026-05-01"));
  g_assert_cmpuint (days->len, ==, 6);
}

/* A yearly rule, a rule by weekday (US Thanksgiving), an EXDATE, a count. */
static void
test_recurring (void)
{
  g_autoptr (GArray) days =
      parse_ok ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n"
                "BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20200714\nRRULE:FREQ=YEARLY\n"
                "EXDATE;VALUE=DATE:20270714\nSUMMARY:Fete nationale\nEND:VEVENT\n"
                "BEGIN:VEVENT\nUID:b\nDTSTART;VALUE=DATE:20201126\n"
                "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\nSUMMARY:Thanksgiving\nEND:VEVENT\n"
                "BEGIN:VEVENT\nUID:c\nDTSTART;VALUE=DATE:20260105\nRRULE:FREQ=WEEKLY;COUNT=3\n"
                "SUMMARY:Three Mondays\nEND:VEVENT\n"
                "END:VCALENDAR\n");
  g_assert_true (has_day (days, "2026-07-14"));
  g_assert_true (has_day (days, "2099-07-14"));
  g_assert_false (has_day (days, "2027-07-14"));
  g_assert_true (has_day (days, "2026-11-26"));
  g_assert_true (has_day (days, "2027-11-25"));
  g_assert_true (has_day (days, "2026-01-19"));
  g_assert_false (has_day (days, "2026-01-26"));
}

/* A rule without end costs a bounded amount. */
static void
test_unbounded_rule (void)
{
  g_autoptr (GArray) days = parse_ok ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:d\n"
                                      "DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=DAILY\n"
                                      "END:VEVENT\nEND:VCALENDAR\n");
  g_assert_cmpuint (days->len, ==, 5000);
}

/* A daily rule no day satisfies ends at the 2100 limit, with no days. */
static void
test_impossible_daily_rule (void)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr (GArray) days = parse_ok ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n"
                                      "DTSTART;VALUE=DATE:20260101\n"
                                      "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3\n"
                                      "END:VEVENT\nEND:VCALENDAR\n");
  g_assert_cmpuint (days->len, ==, 0);
  g_test_message ("%" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
}

/* Malformed files: the line, and what to write. */
static void
test_malformed (void)
{
  struct {
    const char *text;
    const char *want;
  } cases[] = {
    { "", "h.ics:1: empty" },
    { "hello\n", "h.ics:1: not an iCalendar line" },
    { "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nthis is not ical\nEND:VEVENT\n"
      "END:VCALENDAR\n",
      "h.ics:4: not an iCalendar line" },
    { "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VCALENDAR\n",
      "h.ics:4: END:VCALENDAR does not close BEGIN:VEVENT" },
    { "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VEVENT\n",
      "h.ics:4: BEGIN:VCALENDAR is never closed" },
    { "BEGIN:VCALENDAR\nVERSION:2.0\n\nBEGIN:VEVENT\nSUMMARY:No date\nEND:VEVENT\nEND:VCALENDAR\n",
      "h.ics:4: this event has no valid DTSTART" },
    { "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261345\nEND:VEVENT\nEND:VCALENDAR\n",
      "h.ics:2: " },
    { "BEGIN:VEVENT\nEND:VEVENT\n", "h.ics:1: an iCalendar file starts with BEGIN:VCALENDAR" },
    /* A rule no second satisfies made libical search forever (over 20 s
     * before this was refused). */
    { "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20260101T000000Z\n"
      "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\nEND:VCALENDAR\n",
      "h.ics:2: this event repeats more often than daily" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = parse_error (cases[i].text);
      if (!g_str_has_prefix (message, cases[i].want))
        g_error ("case %zu: got \"%s\", expected it to start \"%s\"", i, message, cases[i].want);
    }
  g_autoptr (GArray) days = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GError) error = NULL;
  g_assert_false (baton_calendar_read_days ("/nonexistent/h.ics", days, &error));
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/h.ics:1: "));
  g_clear_error (&error);
  g_assert_false (baton_calendar_parse_days ("bin.ics", "BEGIN:VCAL\0ENDAR", 16, days, &error));
  g_assert_nonnull (strstr (error->message, "bin.ics:1: not an iCalendar file"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/calendar/all-day", test_all_day);
  g_test_add_func ("/calendar/recurring", test_recurring);
  g_test_add_func ("/calendar/unbounded-rule", test_unbounded_rule);
  g_test_add_func ("/calendar/malformed", test_malformed);
  g_test_add_func ("/calendar/impossible-daily-rule", test_impossible_daily_rule);
  return g_test_run ();
}
