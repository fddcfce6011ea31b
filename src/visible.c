#include "baton/visible.h"
#include <string.h>
char *baton_visible_text (const char *body)
{ GString *out = g_string_new (NULL); gchar **lines = g_strsplit (body, "\n", -1);
  for (int i = 0; lines[i]; i++) { if (g_str_has_prefix (lines[i], "-- ")) break; if (lines[i][0] == '>') continue; if (strstr(lines[i], " wrote:")) break; g_string_append (out, lines[i]); g_string_append_c (out, '\n'); }
  g_strfreev (lines); return g_strstrip (g_string_free (out, FALSE)); }
