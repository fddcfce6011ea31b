/* visible-text FILE: prints baton_visible_text() of FILE, a bare body text.
 * Used by tests/shell/replies-corpus.t to score the replies corpus with
 * tests/corpus/judge.py --input txt. */
#include "baton/visible.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  if (argc != 2) {
    fprintf (stderr, "usage: %s FILE\n", argv[0]);
    return 64;
  }
  g_autofree char *body = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (argv[1], &body, NULL, &error)) {
    fprintf (stderr, "visible-text: %s\n", error->message);
    return 66;
  }
  g_autofree char *text = baton_visible_text (body);
  fputs (text, stdout);
  if (*text)
    fputc ('\n', stdout);
  return 0;
}
