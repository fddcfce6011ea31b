#define G_LOG_DOMAIN "baton"
#include "baton/text.h"

#include <string.h>

char *
baton_text_lf (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 1);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}
