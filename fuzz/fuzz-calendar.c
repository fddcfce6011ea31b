/* SPDX-License-Identifier: MIT */
/* libFuzzer target: bytes as a holiday calendar (.ics). Public calendars
 * are downloaded from strangers' servers. Checks that a failure is
 * "NAME:LINE: text" with LINE within the input, as baton check promises,
 * that a success adds only valid dates, and that nothing leaks or hangs
 * (a rule without end is cut at 5000 instances).
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/calendar.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint
count_lines (const uint8_t *data, size_t size)
{
  guint lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  return lines;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GArray) days = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GError) error = NULL;
  if (baton_calendar_parse_days ("f.ics", (const char *) data, size, days, &error))
    {
      for (guint i = 0; i < days->len; i++)
        if (!g_date_valid_julian (g_array_index (days, guint32, i)))
          abort ();
      return 0;
    }
  char *end = NULL;
  if (error == NULL || strncmp (error->message, "f.ics:", 6) != 0)
    abort ();
  guint64 line = g_ascii_strtoull (error->message + 6, &end, 10);
  if (end == error->message + 6 || line < 1 || line > count_lines (data, size) ||
      strncmp (end, ": ", 2) != 0)
    {
      fprintf (stderr, "bad line: %s\n", error->message);
      abort ();
    }
  return 0;
}
