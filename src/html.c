#include "baton/html.h"
char *baton_html_to_text (const char *html)
{ GString *out = g_string_new (NULL); gboolean tag = FALSE;
  for (const char *p = html; *p; p++) { if (*p == '<') tag = TRUE; else if (*p == '>') tag = FALSE; else if (!tag) g_string_append_c (out, *p); }
  return g_string_free (out, FALSE); }
