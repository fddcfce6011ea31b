/* SPDX-License-Identifier: MIT */
/* What the working-time unit tests (test-worktime.c, test-acceptance.c)
 * share: instants written as ISO 8601, and the Monday-to-Friday week of
 * office hours they both build. Header-only, static inline: each unit
 * test binary is built from its one .c file (Makefile, $(BUILD)/tests/%). */
#pragma once
#include "baton/worktime.h"

#include <glib.h>

/* @iso ("2026-03-13T17:00:00Z") as a Unix time; aborts the test when it
 * does not parse. */
static inline gint64
utc (const char *iso)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

/* Fails the test, showing both in ISO 8601, unless @got is @want_iso. */
static inline void
assert_instant (gint64 got, const char *want_iso)
{
  gint64 want = utc (want_iso);
  if (got != want)
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (got);
      g_autofree char *shown = t ? g_date_time_format_iso8601 (t) : g_strdup ("(invalid)");
      g_error ("got %s, expected %s", shown, want_iso);
    }
}

/* Monday to Friday from @start to @end (minutes after local midnight) in
 * zone @tzid (borrowed), with no holidays and no time away. */
static inline BatonWorktime
office (const char *tzid, int start, int end)
{
  return (BatonWorktime){ tzid, BATON_WORKTIME_MON_FRI, start, end, NULL, NULL };
}
