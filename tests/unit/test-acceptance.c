/* SPDX-License-Identifier: MIT */
/* Handoff deadlines in the receiver's working time, in several zones and
 * across a weekend, a holiday and a daylight-saving change; and when the
 * giver then hears of it (their own next working start). */
#include "baton/acceptance.h"
#include "baton/error.h"
#include "baton/worktime.h"
#include "week-fixture.h"

#define PARIS "Europe/Paris"
#define LA "America/Los_Angeles"
#define TOKYO "Asia/Tokyo"

static BatonWithin
within (const char *text)
{
  BatonWithin w = { 99, TRUE };
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_acceptance_parse (text, &w, &error));
  g_assert_no_error (error);
  return w;
}

static void
test_parse (void)
{
  BatonWithin w = within ("1d");
  g_assert_cmpuint (w.amount, ==, 1);
  g_assert_true (w.days);
  w = within ("8h");
  g_assert_cmpuint (w.amount, ==, 8);
  g_assert_false (w.days);
  g_assert_cmpuint (within ("0").amount, ==, 0);
  g_assert_cmpuint (within ("365d").amount, ==, 365);
  static const char *const bad[] = {
    "",     "d",  "1", "1 d", "-1d", "1w", "0d", "366d", "8761h", "1dd", "99999999999999999999d",
    "1.5d", " 1d"
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      BatonWithin untouched = { 7, TRUE };
      g_autoptr (GError) error = NULL;
      g_test_message ("%s", bad[i]);
      g_assert_false (baton_acceptance_parse (bad[i], &untouched, &error));
      g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
      g_assert_nonnull (g_strstr_len (error->message, -1, "write 1d"));
      g_assert_cmpuint (untouched.amount, ==, 7);
    }
}

/* Friday 18:00 in Paris is 10:00 in Los Angeles: 7 of bob's 8 hours are
 * left that day, the last one is Monday 09:00-10:00. */
static void
test_los_angeles_during_hours (void)
{
  BatonWorktime bob = office (LA, 9 * 60, 17 * 60);
  gint64 since = utc ("2026-03-13T17:00:00Z");
  assert_instant (baton_acceptance_deadline (&bob, within ("1d"), since), "2026-03-16T17:00:00Z");
  assert_instant (baton_acceptance_deadline (&bob, within ("8h"), since), "2026-03-16T17:00:00Z");
  assert_instant (baton_acceptance_deadline (&bob, within ("2h"), since), "2026-03-13T19:00:00Z");
}

/* Handed over after bob's Friday: his whole Monday counts, the deadline is
 * Monday 17:00 in Los Angeles, and alice in Paris hears of it at her next
 * working start, Tuesday 09:00 Paris time. */
static void
test_paris_hears_tuesday_morning (void)
{
  BatonWorktime bob = office (LA, 9 * 60, 17 * 60);
  BatonWorktime alice = office (PARIS, 9 * 60, 17 * 60);
  gint64 deadline = baton_acceptance_deadline (&bob, within ("1d"), utc ("2026-03-14T01:00:00Z"));
  assert_instant (deadline, "2026-03-17T00:00:00Z");
  assert_instant (baton_worktime_deliver_at (&alice, deadline), "2026-03-17T08:00:00Z");
  /* And bob's reminder waits for his own Tuesday 09:00. */
  assert_instant (baton_worktime_deliver_at (&bob, deadline), "2026-03-17T16:00:00Z");
}

/* Tokyo, with Monday a holiday: Friday's last hour, then Tuesday. */
static void
test_tokyo_holiday (void)
{
  g_autoptr (GArray) holidays = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 monday = 0;
  g_assert_true (baton_date_parse ("2026-03-16", &monday, NULL));
  g_array_append_val (holidays, monday);
  BatonWorktime ken = office (TOKYO, 9 * 60, 18 * 60);
  ken.holidays = holidays;
  gint64 since = utc ("2026-03-13T08:00:00Z"); /* Friday 17:00 JST */
  assert_instant (baton_acceptance_deadline (&ken, within ("4h"), since), "2026-03-17T03:00:00Z");
  /* 1d is one working day of his hours: 9 h, so Tuesday 17:00 JST. */
  assert_instant (baton_acceptance_deadline (&ken, within ("1d"), since), "2026-03-17T08:00:00Z");
}

/* Paris springs forward on Sunday 29 March: Monday's hours are CEST. */
static void
test_paris_daylight_saving (void)
{
  BatonWorktime alice = office (PARIS, 9 * 60, 17 * 60);
  gint64 since = utc ("2026-03-27T15:00:00Z"); /* Friday 16:00 CET */
  assert_instant (baton_acceptance_deadline (&alice, within ("8h"), since), "2026-03-30T14:00:00Z");
}

static void
test_off_and_impossible (void)
{
  BatonWorktime bob = office (LA, 9 * 60, 17 * 60);
  g_assert_cmpint (baton_acceptance_deadline (&bob, within ("0"), 0), ==, G_MAXINT64);
  BatonWorktime never = { LA, 0, 9 * 60, 17 * 60, NULL, NULL };
  g_assert_cmpint (baton_acceptance_deadline (&never, within ("1d"), utc ("2026-03-13T17:00:00Z")),
                   ==, G_MAXINT64);
}

/* Each step once, in its order: reminder and escalation together at the
 * deadline, the return only at its own. */
static void
test_due (void)
{
  g_assert_cmpuint (baton_acceptance_due (100, G_MAXINT64, FALSE, FALSE, 99), ==, 0);
  g_assert_cmpuint (baton_acceptance_due (100, G_MAXINT64, FALSE, FALSE, 100), ==,
                    BATON_ACCEPT_REMIND | BATON_ACCEPT_ESCALATE);
  g_assert_cmpuint (baton_acceptance_due (100, G_MAXINT64, TRUE, TRUE, 5000), ==, 0);
  g_assert_cmpuint (baton_acceptance_due (100, 200, TRUE, TRUE, 200), ==, BATON_ACCEPT_RETURN);
  g_assert_cmpuint (baton_acceptance_due (G_MAXINT64, 200, FALSE, FALSE, 300), ==,
                    BATON_ACCEPT_RETURN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/acceptance/parse", test_parse);
  g_test_add_func ("/acceptance/los-angeles-during-hours", test_los_angeles_during_hours);
  g_test_add_func ("/acceptance/paris-hears-tuesday-morning", test_paris_hears_tuesday_morning);
  g_test_add_func ("/acceptance/tokyo-holiday", test_tokyo_holiday);
  g_test_add_func ("/acceptance/paris-daylight-saving", test_paris_daylight_saving);
  g_test_add_func ("/acceptance/off-and-impossible", test_off_and_impossible);
  g_test_add_func ("/acceptance/due", test_due);
  return g_test_run ();
}
