/* SPDX-License-Identifier: MIT */
/* Public-holiday calendars: the days an iCalendar (RFC 5545) file marks.
 *
 * The one module that includes libical. Holidays are published as .ics
 * files of all-day events, often one event with a yearly RRULE; this reads
 * every VEVENT, expands its rules (through 2100, at most 5000 instances
 * per event), drops EXDATEs, and yields local dates: a holiday is a date
 * in each member's own zone, not an instant.
 */
#pragma once
#include <glib.h>

/* Appends to @days (guint32 Julian days, unsorted, may repeat) every date
 * an event of the iCalendar file @path covers: an all-day event from
 * DTSTART up to but not including DTEND (one day without DTEND), a timed
 * event the date of its DTSTART. FALSE with BATON_ERROR_CONFIG when the
 * file cannot be read or is not iCalendar, the message "PATH:LINE: what is
 * wrong and what to write"; @days is then unchanged. */
gboolean baton_calendar_read_days (const char *path, GArray *days, GError **error);

/* The same for @text already in memory; @name stands for the file in
 * messages. */
gboolean baton_calendar_parse_days (const char *name, const char *text, gsize length, GArray *days,
                                    GError **error);
