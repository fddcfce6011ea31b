/* SPDX-License-Identifier: MIT */
/* format=flowed (RFC 3676): lines ending in a space continue on the next
 * line of the same quote depth. Joining them first lets a command that a
 * client wrapped ("handoff 12 to bob: tests pass, needs the ⏎ staging
 * deploy") be read as the one line its author wrote. */
#define G_LOG_DOMAIN "baton-message"
#include "baton/message.h"

#include <string.h>

static int
quote_depth (const char *line, gsize length)
{
  gsize depth = 0;
  while (depth < length && line[depth] == '>')
    depth++;
  return (int) MIN (depth, (gsize) G_MAXINT);
}

static void
append_quote_prefix (GString *out, int depth)
{
  if (depth == 0)
    return;
  for (int i = 0; i < depth; i++)
    g_string_append_c (out, '>');
  g_string_append_c (out, ' ');
}

char *
baton_message_unflow (const char *text, gboolean delsp)
{
  GString *out = g_string_sized_new (strlen (text));
  gboolean continuing = FALSE;
  int paragraph_depth = 0;
  /* Line by line with strchr(), not g_strsplit(): that is quadratic under
   * AddressSanitizer's strstr, and copies every line besides. */
  for (const char *line = text; line != NULL;)
    {
      const char *newline = strchr (line, '\n');
      gsize line_length = newline ? (gsize) (newline - line) : strlen (line);
      int depth = quote_depth (line, line_length);
      const char *content = line + depth;
      gsize length = line_length - (gsize) depth;
      if (length > 0 && *content == ' ')
        content++, length--; /* space-stuffing */
      if (continuing && depth != paragraph_depth)
        g_string_append_c (out, '\n'); /* a quote-depth change ends a paragraph */
      else if (continuing)
        depth = -1;
      if (depth >= 0)
        {
          append_quote_prefix (out, depth);
          paragraph_depth = depth;
        }
      gboolean is_signature = length == 3 && memcmp (content, "-- ", 3) == 0;
      continuing = length > 0 && content[length - 1] == ' ' && !is_signature;
      g_string_append_len (out, content, (gssize) (continuing && delsp ? length - 1 : length));
      line = newline ? newline + 1 : NULL;
      if (!continuing && line != NULL)
        g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}
