/* SPDX-License-Identifier: MIT */
/* Calendar dates, written YYYY-MM-DD, as Julian day numbers: what the
 * command language (`away until`), the config (`holiday-dates`) and the
 * working-time arithmetic all share, so it lives below all three. */
#pragma once
#include <glib.h>

/* Parses "2026-12-24" (a real calendar date) into a Julian day. FALSE with
 * BATON_ERROR_CONFIG naming @text otherwise. */
gboolean baton_date_parse (const char *text, guint32 *julian, GError **error);

/* "2026-12-24" for a Julian day; caller frees. */
char *baton_date_format (guint32 julian);
