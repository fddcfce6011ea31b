/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "baton-clock"
#include "baton/clock.h"

GDateTime *
baton_clock_now (void)
{
  const char *fixed = g_getenv ("BATON_NOW");
  if (fixed != NULL && *fixed != '\0')
    {
      g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
      GDateTime *parsed = g_date_time_new_from_iso8601 (fixed, utc);
      if (parsed != NULL)
        {
          GDateTime *in_utc = g_date_time_to_utc (parsed);
          g_date_time_unref (parsed);
          return in_utc;
        }
      static gboolean warned;
      if (!warned)
        g_printerr ("baton: BATON_NOW=%s is not an ISO 8601 time such as "
                    "2026-03-09T16:31:00Z; using the real clock\n",
                    fixed);
      warned = TRUE;
    }
  return g_date_time_new_now_utc ();
}

gint64
baton_clock_now_unix (void)
{
  g_autoptr (GDateTime) now = baton_clock_now ();
  return g_date_time_to_unix (now);
}

char *
baton_clock_format_iso (gint64 unix_time)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (unix_time);
  if (t == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ");
}
