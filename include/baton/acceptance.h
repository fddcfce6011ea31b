/* SPDX-License-Identifier: MIT */
/* Acceptance of a handoff: how long its receiver has (`[baton]
 * accept-within`, `return-after`) and when that time is up, counted in the
 * receiver's working time only.
 *
 * Pure: no clock (callers pass the instants), no store, no I/O beyond GLib
 * reading the tz database. See docs/DESIGN.md §12.
 */
#pragma once
#include "baton/worktime.h"

#include <glib.h>

/* "1d" (working days), "8h" (working hours) or "0" (off). */
typedef struct {
  guint amount;  /* 0: off */
  gboolean days; /* TRUE: working days of the member's hours; FALSE: working hours */
} BatonWithin;

/* Parses @text ("1d", "2d", "8h", "0"; at most 365d or 8760h) into
 * *@within. FALSE with BATON_ERROR_CONFIG saying the right form otherwise,
 * *@within untouched. */
gboolean baton_acceptance_parse (const char *text, BatonWithin *within, GError **error);

/* The instant at which @within of @week's working time has passed since
 * @since: only time inside working hours on working days counts, so a
 * handoff on Friday evening with 1d is due at the end of Monday's hours.
 * G_MAXINT64 when @within is off or ten years hold no working day. */
gint64 baton_acceptance_deadline (const BatonWorktime *week, BatonWithin within, gint64 since);

/* What is due for one pending handoff at @now, given its deadlines
 * (G_MAXINT64: none) and what was already done. */
typedef enum {
  BATON_ACCEPT_WAIT = 0,
  BATON_ACCEPT_REMIND = 1 << 0,   /* remind the receiver (once) */
  BATON_ACCEPT_ESCALATE = 1 << 1, /* tell the giver (once) */
  BATON_ACCEPT_RETURN = 1 << 2,   /* put the task back with the giver */
} BatonAcceptDue;

guint baton_acceptance_due (gint64 accept_deadline, gint64 return_deadline, gboolean reminded,
                            gboolean escalated, gint64 now);
