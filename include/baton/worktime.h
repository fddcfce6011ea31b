/* SPDX-License-Identifier: MIT */
/* Working time: which local days a member works, between which hours, and
 * when their next working period starts.
 *
 * Pure: no clock (callers pass "now"), no I/O beyond GLib reading the tz
 * database. Days are GDate Julian day numbers of the member's own calendar;
 * instants are Unix seconds. Wall times that a daylight-saving change skips
 * or doubles are resolved as baton_schedule_next_local() resolves them: a
 * skipped start happens when the gap ends, a doubled one the first time.
 */
#pragma once
#include "baton/date.h"

#include <glib.h>

/* One away period, both days included. */
typedef struct {
  guint32 first; /* Julian day */
  guint32 last;  /* Julian day, >= first */
} BatonAway;

/* A member's week, borrowed from the config and the store; the caller
 * keeps every pointer alive while it uses the struct. */
typedef struct {
  const char *timezone;   /* IANA id; invalid or NULL reads as UTC */
  guint workdays;         /* bit (1 << GDateWeekday): 1 << G_DATE_MONDAY … */
  int start;              /* minutes after local midnight, 0..1439 */
  int end;                /* minutes, start < end <= 1440 */
  const GArray *holidays; /* guint32 Julian days, sorted ascending; may be NULL */
  const GArray *away;     /* BatonAway, any order; may be NULL */
} BatonWorktime;

#define BATON_WORKTIME_MON_FRI                                                                     \
  ((1u << G_DATE_MONDAY) | (1u << G_DATE_TUESDAY) | (1u << G_DATE_WEDNESDAY) |                     \
   (1u << G_DATE_THURSDAY) | (1u << G_DATE_FRIDAY))

/* Parses "Mon-Fri", "Sun-Thu" (a range wraps past Sunday) or a list
 * "Mon,Tue,Thu" (ranges and names may mix; English three-letter names or
 * full names, any case) into *@mask. FALSE with BATON_ERROR_CONFIG saying
 * the right form when @text is not one; *@mask is then untouched. */
gboolean baton_worktime_parse_workdays (const char *text, guint *mask, GError **error);

/* Parses "09:00-18:00" into minutes (*@start < *@end; "24:00" may end
 * the day). FALSE with BATON_ERROR_CONFIG otherwise, outputs untouched. */
gboolean baton_worktime_parse_hours (const char *text, int *start, int *end, GError **error);

/* Is @julian a working day: one of the workdays, not a holiday, not
 * within an away period? */
gboolean baton_worktime_is_working_day (const BatonWorktime *week, guint32 julian);

/* The member's local Julian day at @instant. */
guint32 baton_worktime_local_day (const BatonWorktime *week, gint64 instant);

/* Is @instant within working hours on a working day? */
gboolean baton_worktime_is_working (const BatonWorktime *week, gint64 instant);

/* When something meant for the member during their working time may go
 * out: @now itself when they are at work, else the start of their next
 * working period. Gives up after ten years of days off (every day a
 * holiday or away) and returns @now then. */
gint64 baton_worktime_deliver_at (const BatonWorktime *week, gint64 now);

/* The first instant strictly after @after at which the member's wall
 * clock shows @minutes_of_day on a working day; one instant per local
 * day. Ten years without a working day: returns G_MAXINT64. */
gint64 baton_worktime_next_slot (const BatonWorktime *week, int minutes_of_day, gint64 after);

/* The working period of the member's local day @julian as instants
 * [*@from, *@to): FALSE (outputs untouched or partly set) when the day is
 * not a working day, or the zone skipped it. */
gboolean baton_worktime_period (const BatonWorktime *week, guint32 julian, gint64 *from,
                                gint64 *to);
