/* SPDX-License-Identifier: MIT */
/* Calendar dates as Julian day numbers (include/baton/date.h). */
#define G_LOG_DOMAIN "baton"
#include "baton/date.h"

#include "baton/error.h"

#include <stdio.h>
#include <string.h>

gboolean
baton_date_parse (const char *text, guint32 *julian, GError **error)
{
  g_return_val_if_fail (julian != NULL, FALSE);
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  unsigned year = 0, month = 0, day = 0;
  int used = 0;
  gboolean ok = strlen (t) == 10 && sscanf (t, "%4u-%2u-%2u%n", &year, &month, &day, &used) == 3 &&
                used == 10 && g_ascii_isdigit (t[5]) && g_ascii_isdigit (t[8]) && year >= 1 &&
                g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year);
  if (!ok)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "\"%s\" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-24", t);
      return FALSE;
    }
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  *julian = g_date_get_julian (&date);
  return TRUE;
}

char *
baton_date_format (guint32 julian)
{
  if (!g_date_valid_julian (julian))
    return g_strdup ("?");
  GDate date;
  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (&date), g_date_get_month (&date),
                          g_date_get_day (&date));
}
