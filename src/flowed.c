/* format=flowed (RFC 3676): lines ending in a space continue on the next
 * line of the same quote depth. Joining them first lets a command that a
 * client wrapped ("handoff 12 to bob: tests pass, needs the ⏎ staging
 * deploy") be read as the one line its author wrote. */
#define G_LOG_DOMAIN "baton-message"
#include "baton/message.h"

#include <string.h>

static int
quote_depth (const char *line)
{
  int depth = 0;
  while (line[depth] == '>')
    depth++;
  return depth;
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
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_sized_new (strlen (text));
  gboolean continuing = FALSE;
  int paragraph_depth = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      int depth = quote_depth (line);
      const char *content = line + depth;
      if (*content == ' ')
        content++; /* space-stuffing */
      if (continuing && depth != paragraph_depth)
        g_string_append_c (out, '\n'); /* a quote-depth change ends a paragraph */
      else if (continuing)
        depth = -1;
      if (depth >= 0)
        {
          append_quote_prefix (out, depth);
          paragraph_depth = depth;
        }
      gsize length = strlen (content);
      gboolean is_signature = g_str_equal (content, "-- ");
      continuing = length > 0 && content[length - 1] == ' ' && !is_signature;
      g_string_append_len (out, content, continuing && delsp ? length - 1 : length);
      if (!continuing && lines[i + 1] != NULL)
        g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}
