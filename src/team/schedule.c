/* SPDX-License-Identifier: MIT */
/* Local wall times to UTC instants, robust to daylight-saving changes.
 *
 * Why not g_date_time_new (tz, y, m, d, h, min, 0)? For a wall time in a
 * spring-forward gap GLib shifts it by the offset change (02:30 → 03:30),
 * and for a doubled fall-back time which occurrence it picks is not part of
 * its contract. A digest schedule needs both decided, so this file maps a
 * wall time to instants itself: a wall time W (seconds, as if UTC) is the
 * instant t = W - o for every offset o the zone uses near W with
 * offset_at (t) == o. No such t: W is in a gap, and the answer is the
 * moment the gap ends. Several: the earliest.
 */
#define G_LOG_DOMAIN "baton-schedule"
#include "baton/schedule.h"

#include "baton/error.h"

#include <string.h>

#define MINUTES_PER_DAY (24 * 60)
/* Offsets the zone used within this distance of a wall time are the only
 * candidates; real zones never change twice within it. */
#define NEIGHBOURHOOD (36 * 3600)

gboolean
baton_schedule_timezone_valid (const char *tzid)
{
  if (tzid == NULL || *tzid == '\0')
    return FALSE;
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (tzid);
  return tz != NULL;
}

/* GLib forgets a zone when its last reference goes and parses the tzfile
 * again next time: a simulated year of cron runs spent minutes doing that.
 * The zones a config names are few, so each is kept once loaded. */
G_LOCK_DEFINE_STATIC (zones);
static GHashTable *zones; /* tzid → GTimeZone*; only valid ids */

static GTimeZone *
zone_or_utc (const char *tzid)
{
  if (tzid == NULL || *tzid == '\0')
    return g_time_zone_new_utc ();
  G_LOCK (zones);
  if (zones == NULL)
    zones =
        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_time_zone_unref);
  GTimeZone *tz = g_hash_table_lookup (zones, tzid);
  if (tz == NULL && (tz = g_time_zone_new_identifier (tzid)) != NULL)
    g_hash_table_insert (zones, g_strdup (tzid), tz);
  if (tz != NULL)
    g_time_zone_ref (tz);
  G_UNLOCK (zones);
  return tz != NULL ? tz : g_time_zone_new_utc ();
}

GTimeZone *
baton_schedule_zone (const char *tzid)
{
  return zone_or_utc (tzid);
}

gboolean
baton_schedule_parse_time_of_day (const char *text, int *minutes, GError **error)
{
  g_return_val_if_fail (minutes != NULL, FALSE);
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *p = t;
  int hour = 0, digits = 0;
  for (; g_ascii_isdigit (*p) && digits < 3; p++, digits++)
    hour = hour * 10 + (*p - '0');
  gboolean ok = digits >= 1 && digits <= 2 && hour < 24 && p[0] == ':' && g_ascii_isdigit (p[1]) &&
                g_ascii_isdigit (p[2]) && p[3] == '\0';
  int minute = ok ? (p[1] - '0') * 10 + (p[2] - '0') : 0;
  if (!ok || minute > 59)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "\"%s\" is not a time of day: write it as HH:MM on a 24-hour clock, "
                   "e.g. 08:30",
                   t);
      return FALSE;
    }
  *minutes = hour * 60 + minute;
  return TRUE;
}

static gint64
offset_at (GTimeZone *tz, gint64 instant)
{
  gint interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, instant);
  return g_time_zone_get_offset (tz, interval);
}

/* The first instant whose offset is `after_offset`, in (lo, hi]: the end of
 * a gap. offset_at(lo) differs and offset_at(hi) matches. */
static gint64
gap_end (GTimeZone *tz, gint64 lo, gint64 hi, gint64 after_offset)
{
  while (hi - lo > 1)
    {
      gint64 mid = lo + (hi - lo) / 2;
      if (offset_at (tz, mid) == after_offset)
        hi = mid;
      else
        lo = mid;
    }
  return hi;
}

/* The instant at which wall time `wall` (seconds as if UTC) first happens. */
static gint64
resolve_wall_time (GTimeZone *tz, gint64 wall)
{
  gint64 offsets[3] = {
    offset_at (tz, wall - NEIGHBOURHOOD),
    offset_at (tz, wall),
    offset_at (tz, wall + NEIGHBOURHOOD),
  };
  gboolean found = FALSE;
  gint64 best = 0;
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      gint64 t = wall - offsets[i];
      if (offset_at (tz, t) == offsets[i] && (!found || t < best))
        {
          best = t;
          found = TRUE;
        }
    }
  if (found)
    return best;

  /* A gap: before it the zone used the smaller offset, after it the larger.
   * wall - larger lies before the change, wall - smaller after it. */
  gint64 before = MIN (offsets[0], offsets[2]);
  gint64 after = MAX (offsets[0], offsets[2]);
  return gap_end (tz, wall - after, wall - before, after);
}

static gint64
wall_seconds (const GDate *date, int minutes_of_day)
{
  g_autoptr (GDateTime) midnight = g_date_time_new_utc (
      g_date_get_year (date), g_date_get_month (date), g_date_get_day (date), 0, 0, 0);
  return g_date_time_to_unix (midnight) + (gint64) minutes_of_day * 60;
}

/* FALSE when the gap that swallowed a wall time also swallowed its whole
 * day (Pacific/Apia skipped 2011-12-30): that day gets no instant, or the
 * next day would get two. */
static gboolean
is_local_date (GTimeZone *tz, gint64 instant, const GDate *day)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (instant);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
  return g_date_time_get_year (local) == g_date_get_year (day) &&
         g_date_time_get_month (local) == (int) g_date_get_month (day) &&
         g_date_time_get_day_of_month (local) == g_date_get_day (day);
}

gint64
baton_schedule_next_local (const char *tzid, int minutes_of_day, gint64 after_unix)
{
  g_return_val_if_fail (minutes_of_day >= 0 && minutes_of_day < MINUTES_PER_DAY, after_unix + 1);
  g_autoptr (GTimeZone) tz = zone_or_utc (tzid);
  g_autoptr (GDateTime) after = g_date_time_new_from_unix_utc (after_unix);
  g_return_val_if_fail (after != NULL, after_unix + 1);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (after, tz);

  /* Start a day early: a zone falling back across midnight can make the
   * wanted instant's local date earlier than after_unix's. */
  GDate day;
  g_date_clear (&day, 1);
  g_date_set_dmy (&day, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local),
                  (GDateYear) g_date_time_get_year (local));
  g_date_subtract_days (&day, 1);
  for (;; g_date_add_days (&day, 1))
    {
      gint64 t = resolve_wall_time (tz, wall_seconds (&day, minutes_of_day));
      if (t > after_unix && is_local_date (tz, t, &day))
        return t;
    }
}

gboolean
baton_schedule_local_instant (const char *tzid, guint32 julian, int minutes_of_day, gint64 *instant)
{
  g_return_val_if_fail (g_date_valid_julian (julian), FALSE);
  g_autoptr (GTimeZone) tz = zone_or_utc (tzid);
  GDate day;
  g_date_clear (&day, 1);
  g_date_set_julian (&day, julian);
  gint64 t = resolve_wall_time (tz, wall_seconds (&day, minutes_of_day));
  if (!is_local_date (tz, t, &day))
    return FALSE;
  *instant = t;
  return TRUE;
}

/* The latest working slot at or before @now that falls on @now's local
 * day, if any: today's digest-at has come. */
static gboolean
todays_slot_passed (const BatonWorktime *week, int minutes_of_day, gint64 now)
{
  guint32 today = baton_worktime_local_day (week, now);
  for (gint64 slot = baton_worktime_next_slot (week, minutes_of_day, now - 2 * 86400); slot <= now;
       slot = baton_worktime_next_slot (week, minutes_of_day, slot))
    if (baton_worktime_local_day (week, slot) == today)
      return TRUE;
  return FALSE;
}

gboolean
baton_schedule_digest_due (const BatonWorktime *week, int minutes_of_day, gint64 last_unix,
                           gboolean ever_sent, gint64 now_unix, gint64 *due_at)
{
  gint64 due = baton_worktime_next_slot (week, minutes_of_day, last_unix);
  /* A digest sent on a day, even late or forced, is that day's digest. */
  if (ever_sent && due != G_MAXINT64 &&
      baton_worktime_local_day (week, due) == baton_worktime_local_day (week, last_unix))
    due = baton_worktime_next_slot (week, minutes_of_day, due);
  gboolean is_due = due <= now_unix;
  if (is_due && !todays_slot_passed (week, minutes_of_day, now_unix) &&
      !baton_worktime_is_working (week, now_unix))
    {
      /* Missed on an earlier day and now out of hours: no digest in the
       * night; the catch-up waits for the morning. */
      due = MIN (baton_worktime_deliver_at (week, now_unix),
                 baton_worktime_next_slot (week, minutes_of_day, now_unix));
      is_due = FALSE;
    }
  if (due_at != NULL)
    *due_at = due;
  return is_due;
}

char *
baton_schedule_zone_city (const char *tzid)
{
  if (tzid == NULL || *tzid == '\0')
    return g_strdup ("UTC");
  const char *slash = strrchr (tzid, '/');
  char *city = g_strdup (slash != NULL ? slash + 1 : tzid);
  g_strdelimit (city, "_", ' ');
  return city;
}

char *
baton_schedule_format_local (const char *tzid, gint64 unix_time, const char *format)
{
  g_autoptr (GTimeZone) tz = zone_or_utc (tzid);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  if (utc == NULL)
    return g_strdup ("?");
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
  if (format != NULL)
    {
      char *text = g_date_time_format (local, format);
      return text != NULL ? text : g_strdup ("?");
    }
  g_autofree char *clock = g_date_time_format (local, "%a %H:%M");
  g_autofree char *city = baton_schedule_zone_city (g_time_zone_get_identifier (tz));
  return g_strdup_printf ("%s (%s)", clock, city);
}

char *
baton_schedule_format_near (GTimeZone *tz, gint64 unix_time, gint64 now_unix)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr (GDateTime) now_utc = g_date_time_new_from_unix_utc (now_unix);
  if (utc == NULL || now_utc == NULL)
    return g_strdup ("?");
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autoptr (GDateTime) now = g_date_time_to_timezone (now_utc, tz);
  /* Within six days a weekday names one day; a week back it names two. */
  gint64 ago = now_unix - unix_time;
  const char *format = "%a %H:%M";
  if (ago >= 6 * 24 * 3600 || ago < -24 * 3600)
    format = g_date_time_get_year (local) == g_date_time_get_year (now) ? "%a %-d %b %H:%M"
                                                                        : "%a %-d %b %Y %H:%M";
  char *text = g_date_time_format (local, format);
  return text != NULL ? text : g_strdup ("?");
}

char *
baton_schedule_format_seconds (gint64 seconds, BatonDurationStyle style)
{
  static const struct {
    gint64 seconds;
    const char *one, *many, *abbreviation;
  } units[] = { { 86400, "day", "days", "d" },
                { 3600, "hour", "hours", "h" },
                { 60, "minute", "minutes", "min" } };
  seconds = MAX (seconds, 0);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (seconds >= units[i].seconds)
      {
        gint64 n = seconds / units[i].seconds;
        const char *unit = style == BATON_DURATION_SHORT ? units[i].abbreviation
                           : n == 1                      ? units[i].one
                                                         : units[i].many;
        return g_strdup_printf ("%" G_GINT64_FORMAT " %s", n, unit);
      }
  return g_strdup (style == BATON_DURATION_SHORT ? "< 1 min" : "a moment");
}

char *
baton_schedule_format_duration (gint64 from_unix, gint64 to_unix)
{
  return baton_schedule_format_seconds (to_unix - from_unix, BATON_DURATION_WORDS);
}
