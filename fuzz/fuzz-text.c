/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any bytes through baton_text_line() and
 * baton_text_lines(), the one gate between text from mail and a terminal
 * or a plain-text mail. What comes out is valid UTF-8 with no control
 * character, no line or paragraph separator and no bidi control; the
 * one-line form has no line break at all, the multi-line form only LF.
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/text.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check (const char *out, gboolean multi_line)
{
  g_assert (g_utf8_validate (out, -1, NULL));
  for (const char *p = out; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (multi_line && (c == '\n' || c == '\t'))
        continue;
      g_assert (g_unichar_type (c) != G_UNICODE_CONTROL);
      g_assert (g_unichar_type (c) != G_UNICODE_LINE_SEPARATOR);
      g_assert (g_unichar_type (c) != G_UNICODE_PARAGRAPH_SEPARATOR);
      g_assert (!(c >= 0x202A && c <= 0x202E) && !(c >= 0x2066 && c <= 0x2069));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* a C string: text from mail reaches the sanitizer NUL-terminated */
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *line = baton_text_line (text);
  g_autofree char *lines = baton_text_lines (text);
  g_autofree char *cut = baton_text_line_max (text, 7);
  check (line, FALSE);
  check (lines, TRUE);
  check (cut, FALSE);
  g_assert (g_utf8_strlen (cut, -1) <= 8);
  return 0;
}
