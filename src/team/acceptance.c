/* SPDX-License-Identifier: MIT */
/* Working-time deadlines for handoffs (include/baton/acceptance.h). */
#define G_LOG_DOMAIN "baton-acceptance"
#include "baton/acceptance.h"

#include "baton/error.h"
#include "baton/schedule.h"

#define MAX_DAYS 365
#define MAX_HOURS (365 * 24)
#define SEARCH_DAYS (10 * 366)

gboolean
baton_acceptance_parse (const char *text, BatonWithin *within, GError **error)
{
  const char *value = text != NULL ? text : "";
  char *end = NULL;
  guint64 amount = 0;
  gboolean digits = g_ascii_isdigit (value[0]);
  if (digits)
    amount = g_ascii_strtoull (value, &end, 10);
  if (digits && amount == 0 && *end == '\0')
    {
      *within = (BatonWithin){ 0, FALSE };
      return TRUE;
    }
  if (digits && amount > 0 && (g_str_equal (end, "d") || g_str_equal (end, "h")) &&
      amount <= (end[0] == 'd' ? MAX_DAYS : MAX_HOURS))
    {
      *within = (BatonWithin){ (guint) amount, end[0] == 'd' };
      return TRUE;
    }
  g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
               "'%s' is not a working time: write 1d (working days, up to %d), 8h (working "
               "hours, up to %d) or 0 (off)",
               value, MAX_DAYS, MAX_HOURS);
  return FALSE;
}

/* Day @julian's working period as instants; FALSE when not a working day. */
static gboolean
period (const BatonWorktime *week, guint32 julian, gint64 *from, gint64 *to)
{
  if (!baton_worktime_is_working_day (week, julian) ||
      !baton_schedule_local_instant (week->timezone, julian, week->start, from))
    return FALSE;
  gboolean ok = week->end < 24 * 60
                    ? baton_schedule_local_instant (week->timezone, julian, week->end, to)
                    : baton_schedule_local_instant (week->timezone, julian + 1, 0, to);
  return ok && *to > *from;
}

gint64
baton_acceptance_deadline (const BatonWorktime *week, BatonWithin within, gint64 since)
{
  if (within.amount == 0)
    return G_MAXINT64;
  gint64 day_seconds = (gint64) (week->end - week->start) * 60;
  gint64 left = within.days ? day_seconds * within.amount : (gint64) within.amount * 3600;
  /* From @since's own local day: earlier days end before it. */
  guint32 day = baton_worktime_local_day (week, since);
  for (guint i = 0; i < SEARCH_DAYS; i++, day++)
    {
      gint64 from, to;
      if (!period (week, day, &from, &to) || to <= since)
        continue;
      if (from < since)
        from = since;
      if (left <= to - from)
        return from + left;
      left -= to - from;
    }
  return G_MAXINT64;
}

guint
baton_acceptance_due (gint64 accept_deadline, gint64 return_deadline, gboolean reminded,
                      gboolean escalated, gint64 now)
{
  guint due = BATON_ACCEPT_WAIT;
  if (now >= accept_deadline && !reminded)
    due |= BATON_ACCEPT_REMIND;
  if (now >= accept_deadline && !escalated)
    due |= BATON_ACCEPT_ESCALATE;
  if (now >= return_deadline)
    due |= BATON_ACCEPT_RETURN;
  return due;
}
