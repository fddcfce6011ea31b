/* SPDX-License-Identifier: MIT */
/* The one clock every time-dependent decision reads.
 *
 * BATON_NOW=2026-03-09T16:31:00Z in the environment fixes "now" for every
 * command (tests, previews of a digest); unset, the real clock. Digests,
 * handoff-at-morning and outbox retries all ask here, so tests are exact and
 * never sleep. */
#pragma once
#include <glib.h>

/* Current time in UTC; caller frees. A BATON_NOW that does not parse as
 * ISO 8601 with a zone is reported once on stderr and the real clock used. */
GDateTime *baton_clock_now (void);

/* Seconds since the epoch, from baton_clock_now(). */
gint64 baton_clock_now_unix (void);

/* ISO 8601 UTC text ("2026-03-09T16:31:00Z") for a Unix time; caller frees. */
char *baton_clock_format_iso (gint64 unix_time);
