/* SPDX-License-Identifier: MIT */
/* When things are due in a member's own time: digests (on working days,
 * include/baton/worktime.h) and the wall-time arithmetic under them.
 *
 * Pure: no clock of its own (callers pass "now", normally from
 * baton_clock_now_unix()), no I/O beyond GLib reading the tz database.
 * Every instant is Unix seconds (UTC); a wall-clock time is minutes since
 * local midnight. Daylight-saving changes are resolved here, once:
 *   - a wall time that does not exist (spring forward, 02:30 in the gap)
 *     happens at the first instant after the gap (03:00 new time);
 *   - a wall time that happens twice (fall back) happens at its first
 *     occurrence only, so a local day never gets two digests.
 */
#pragma once
#include "baton/worktime.h"

#include <glib.h>

/* TRUE when tzid names a zone GLib can load ("Europe/Paris", "UTC",
 * "+05:30"). NULL and "" are not valid: they would silently mean the
 * machine's own zone. Config checking calls this; the functions below
 * treat an invalid tzid as UTC rather than fail, so check first. */
gboolean baton_schedule_timezone_valid (const char *tzid);

/* The zone @tzid names, or UTC when it names none; a new reference the
 * caller unrefs. Zones are loaded once per process. */
GTimeZone *baton_schedule_zone (const char *tzid);

/* Parses "HH:MM" (24-hour, "8:30" accepted, surrounding blanks ignored)
 * into minutes since midnight, 0..1439. On bad input returns FALSE and
 * sets BATON_ERROR_CONFIG with a message that shows the right form;
 * *minutes is then untouched. */
gboolean baton_schedule_parse_time_of_day (const char *text, int *minutes, GError **error);

/* The first instant strictly after after_unix at which the wall clock in
 * tzid shows minutes_of_day (0..1439), counting each local day at most
 * once (DST rules above). Working days aside: see
 * baton_worktime_next_slot() for those. */
gint64 baton_schedule_next_local (const char *tzid, int minutes_of_day, gint64 after_unix);

/* The instant at which the wall clock in @tzid first shows @minutes_of_day
 * on local date @julian (a skipped time: when the gap ends). FALSE when
 * the zone skipped that whole date (Pacific/Apia, 2011-12-30). */
gboolean baton_schedule_local_instant (const char *tzid, guint32 julian, int minutes_of_day,
                                       gint64 *instant);

/* Is a member's digest due? One digest per working day, at digest-at
 * (@minutes_of_day) in @week's zone:
 *   - @ever_sent FALSE: @last_unix is when the member joined, and the first
 *     digest is the first working digest-at after it (not the first run);
 *   - @ever_sent TRUE: @last_unix is when the previous digest was queued,
 *     and the next is digest-at on the first working day after that local
 *     day, so days off (weekend, holiday, away) get no digest and the next
 *     working day's one covers them;
 *   - a digest missed on an earlier day (downtime) is a catch-up: it goes
 *     out at once only when @now_unix is within working hours, else at the
 *     start of the working period or today's digest-at, whichever is first.
 * Sets *@due_at (may be NULL) to when it is or will be due. Record
 * @now_unix as the new last digest time. */
gboolean baton_schedule_digest_due (const BatonWorktime *week, int minutes_of_day, gint64 last_unix,
                                    gboolean ever_sent, gint64 now_unix, gint64 *due_at);

/* unix_time as wall time in tzid, formatted by g_date_time_format()
 * (names in the C locale unless the process set another). With format
 * NULL: "Wed 18:05 (Paris)", the zone's last component, '_' as space.
 * Returns a string the caller frees; never NULL. */
char *baton_schedule_format_local (const char *tzid, gint64 unix_time, const char *format);

/* "America/Los_Angeles" → "Los Angeles": the zone's last component, '_'
 * as space, the whole id when it has no '/'. Caller frees. */
char *baton_schedule_zone_city (const char *tzid);

/* @unix_time as wall time in @tz, for a list read at @now_unix: "Tue 18:05"
 * within the six days before (or the day after) @now_unix, where the
 * weekday alone is unambiguous, else "Tue 10 Mar 18:05", with the year
 * too ("Tue 10 Mar 2025 18:05") when it is not @now_unix's. Caller frees. */
char *baton_schedule_format_near (GTimeZone *tz, gint64 unix_time, gint64 now_unix);

/* How a duration is written; both forms share one rounding (down, to the
 * largest whole unit of days, hours or minutes). */
typedef enum {
  BATON_DURATION_WORDS, /* mail: "a moment", "1 minute", "3 hours", "2 days" */
  BATON_DURATION_SHORT, /* a board card: "< 1 min", "1 min", "3 h", "2 d" */
} BatonDurationStyle;

/* @seconds (negative reads as 0) in @style. Caller frees. */
char *baton_schedule_format_seconds (gint64 seconds, BatonDurationStyle style);

/* How long from @from_unix to @to_unix, in words: "5 minutes", "3 hours",
 * "2 days" (rounded down; "a moment" under a minute). Caller frees. */
char *baton_schedule_format_duration (gint64 from_unix, gint64 to_unix);
