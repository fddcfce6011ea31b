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
