/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "baton"
#include "baton/text.h"

#include <string.h>

char *
baton_text_lf (const char *text)
{
  /* Most text has no CR at all: then it is one copy. */
  const char *cr = strchr (text, '\r');
  if (cr == NULL)
    return g_strdup (text);
  GString *out = g_string_sized_new (strlen (text) + 1);
  const char *rest = text;
  for (; cr != NULL; cr = strchr (rest, '\r'))
    {
      g_string_append_len (out, rest, cr - rest);
      g_string_append_c (out, '\n');
      rest = cr + (cr[1] == '\n' ? 2 : 1);
    }
  g_string_append (out, rest);
  return g_string_free (out, FALSE);
}

/* The characters that let text pretend to be something else: bidi
 * overrides and isolates reorder what follows them on screen. */
static gboolean
is_bidi_control (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
         c == 0x200F || c == 0x061C;
}

static gboolean
is_line_break (gunichar c)
{
  return c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0x85 || c == 0x2028 ||
         c == 0x2029;
}

/* Appends the sanitized form of C (not a line break) to OUT. */
static void
append_safe (GString *out, gunichar c, gboolean keep_tabs)
{
  if (c == '\t')
    g_string_append_c (out, keep_tabs ? '\t' : ' ');
  else if (g_unichar_type (c) == G_UNICODE_CONTROL || is_bidi_control (c))
    g_string_append_c (out, '?');
  else if (g_unichar_type (c) == G_UNICODE_FORMAT && c != 0x200C && c != 0x200D)
    ; /* invisible: nothing to show, nothing to hide behind */
  else
    g_string_append_unichar (out, c);
}

static char *
sanitize (const char *text, gboolean multi_line, gsize max_chars)
{
  if (text == NULL)
    return NULL;
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid) + 1);
  gsize count = 0;
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (max_chars > 0 && count++ == max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (!is_line_break (c))
        {
          append_safe (out, c, multi_line);
          continue;
        }
      g_string_append_c (out, multi_line ? '\n' : ' ');
      if (c == '\r' && p[1] == '\n')
        p++; /* CRLF is one break */
    }
  return g_string_free (out, FALSE);
}

char *
baton_text_line_max (const char *text, gsize max_chars)
{
  return sanitize (text, FALSE, max_chars);
}

char *
baton_text_line (const char *text)
{
  return sanitize (text, FALSE, 0);
}

char *
baton_text_lines (const char *text)
{
  return sanitize (text, TRUE, 0);
}
