/* SPDX-License-Identifier: MIT */
/* Working-time arithmetic, day by day in the member's own calendar.
 *
 * Everything is computed from local dates and wall times, never by adding
 * hours to an instant: a working day is a date, its start and end are wall
 * times on that date turned into instants by baton_schedule_local_instant(),
 * which alone knows about daylight-saving gaps and doubled hours. So a
 * holiday on a DST day is still the whole local day, and a start that a
 * gap swallows (no 09:00 that day) is the moment the gap ends.
 */
#define G_LOG_DOMAIN "baton-worktime"
#include "baton/worktime.h"

#include "baton/error.h"
#include "baton/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ten years of days off in a row is a configuration mistake, not a week. */
#define HORIZON_DAYS (10 * 366)

static const char *const day_names[] = { NULL,       "monday", "tuesday",  "wednesday",
                                         "thursday", "friday", "saturday", "sunday" };

/* "mon", "Monday" → G_DATE_MONDAY; 0 when not a day name. */
static int
parse_day_name (const char *text)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  if (strlen (lower) < 3)
    return 0;
  for (int day = G_DATE_MONDAY; day <= G_DATE_SUNDAY; day++)
    if (g_str_has_prefix (day_names[day], lower) &&
        (strlen (lower) == 3 || g_str_equal (day_names[day], lower)))
      return day;
  return 0;
}

static gboolean
add_day_range (const char *item, guint *mask)
{
  g_auto (GStrv) ends = g_strsplit (item, "-", -1);
  guint n = g_strv_length (ends);
  if (n < 1 || n > 2)
    return FALSE;
  int first = parse_day_name (g_strstrip (ends[0]));
  int last = n == 2 ? parse_day_name (g_strstrip (ends[1])) : first;
  if (first == 0 || last == 0)
    return FALSE;
  /* Sun-Thu wraps past the end of the ISO week. */
  for (int day = first;; day = day % 7 + 1)
    {
      *mask |= 1u << day;
      if (day == last)
        break;
    }
  return TRUE;
}

gboolean
baton_worktime_parse_workdays (const char *text, guint *mask, GError **error)
{
  g_return_val_if_fail (mask != NULL, FALSE);
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_auto (GStrv) items = g_strsplit (t, ",", -1);
  guint result = 0;
  gboolean ok = *t != '\0';
  for (guint i = 0; ok && items[i] != NULL; i++)
    ok = add_day_range (items[i], &result);
  if (!ok)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "\"%s\" is not a set of working days: write a range such as Mon-Fri or "
                   "Sun-Thu, or a list such as Mon,Tue,Thu",
                   t);
      return FALSE;
    }
  *mask = result;
  return TRUE;
}

gboolean
baton_worktime_parse_hours (const char *text, int *start, int *end, GError **error)
{
  g_return_val_if_fail (start != NULL && end != NULL, FALSE);
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_auto (GStrv) ends = g_strsplit (t, "-", -1);
  int from = 0, to = 0;
  gboolean ok =
      g_strv_length (ends) == 2 && baton_schedule_parse_time_of_day (ends[0], &from, NULL);
  if (ok && g_str_equal (g_strstrip (ends[1]), "24:00"))
    to = 24 * 60;
  else
    ok = ok && baton_schedule_parse_time_of_day (ends[1], &to, NULL);
  if (!ok || from >= to)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "\"%s\" is not a span of working hours: write START-END on a 24-hour clock "
                   "with START before END, e.g. 09:00-18:00",
                   t);
      return FALSE;
    }
  *start = from;
  *end = to;
  return TRUE;
}

static int
compare_day (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

static gboolean
is_holiday (const BatonWorktime *week, guint32 julian)
{
  const GArray *days = week->holidays;
  return days != NULL && days->len > 0 &&
         bsearch (&julian, days->data, days->len, sizeof (guint32), compare_day) != NULL;
}

static gboolean
is_away (const BatonWorktime *week, guint32 julian)
{
  for (guint i = 0; week->away != NULL && i < week->away->len; i++)
    {
      const BatonAway *away = &g_array_index (week->away, BatonAway, i);
      if (julian >= away->first && julian <= away->last)
        return TRUE;
    }
  return FALSE;
}

gboolean
baton_worktime_is_working_day (const BatonWorktime *week, guint32 julian)
{
  if (!g_date_valid_julian (julian))
    return FALSE;
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  return (week->workdays & (1u << g_date_get_weekday (&date))) != 0 && !is_holiday (week, julian) &&
         !is_away (week, julian);
}

guint32
baton_worktime_local_day (const BatonWorktime *week, gint64 instant)
{
  g_autoptr (GTimeZone) tz = baton_schedule_zone (week->timezone);
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (instant);
  if (utc == NULL)
    return 1;
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) g_date_time_get_day_of_month (local),
                  (GDateMonth) g_date_time_get_month (local),
                  (GDateYear) g_date_time_get_year (local));
  return g_date_get_julian (&date);
}

/* The working period of local day @julian as instants [*from, *to); FALSE
 * when the day is not a working day or the zone skipped it. */
static gboolean
working_period (const BatonWorktime *week, guint32 julian, gint64 *from, gint64 *to)
{
  if (!baton_worktime_is_working_day (week, julian) ||
      !baton_schedule_local_instant (week->timezone, julian, week->start, from))
    return FALSE;
  if (week->end < 24 * 60)
    return baton_schedule_local_instant (week->timezone, julian, week->end, to) && *to > *from;
  /* 24:00 is the next day's midnight. */
  if (!baton_schedule_local_instant (week->timezone, julian + 1, 0, to))
    *to = *from + (gint64) (week->end - week->start) * 60;
  return *to > *from;
}

gboolean
baton_worktime_is_working (const BatonWorktime *week, gint64 instant)
{
  guint32 today = baton_worktime_local_day (week, instant);
  gint64 from = 0, to = 0;
  return working_period (week, today, &from, &to) && instant >= from && instant < to;
}

gint64
baton_worktime_deliver_at (const BatonWorktime *week, gint64 now)
{
  guint32 today = baton_worktime_local_day (week, now);
  for (guint32 day = today; day <= today + HORIZON_DAYS; day++)
    {
      gint64 from = 0, to = 0;
      if (!working_period (week, day, &from, &to) || now >= to)
        continue;
      return MAX (from, now);
    }
  return now;
}

gint64
baton_worktime_next_slot (const BatonWorktime *week, int minutes_of_day, gint64 after)
{
  g_return_val_if_fail (minutes_of_day >= 0 && minutes_of_day < 24 * 60, G_MAXINT64);
  /* A day early: a zone falling back across midnight can put the wanted
   * instant on a local date before @after's. */
  guint32 first = baton_worktime_local_day (week, after) - 1;
  for (guint32 day = MAX (first, 1); day <= first + HORIZON_DAYS; day++)
    {
      gint64 t = 0;
      if (baton_worktime_is_working_day (week, day) &&
          baton_schedule_local_instant (week->timezone, day, minutes_of_day, &t) && t > after)
        return t;
    }
  return G_MAXINT64;
}

gboolean
baton_worktime_period (const BatonWorktime *week, guint32 julian, gint64 *from, gint64 *to)
{
  return g_date_valid_julian (julian) && working_period (week, julian, from, to);
}
