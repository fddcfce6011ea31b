/* SPDX-License-Identifier: MIT */
/* Every step from a mail's bytes to its commands grows linearly with the
 * mail: each is timed on a ~10 KB and a ~1 MB input of the same hostile
 * shape, and fails when 100 times the input costs more than 400 times the
 * time (see MAX_RATIO).
 *
 * Robust on a loaded machine: time is this thread's CPU time, not the
 * wall clock, and each size takes the minimum of several runs; the small
 * input is repeated until one measurement lasts at least 2 ms, so the
 * clock's resolution and one-off costs do not count. */
#include "baton/commands.h"
#include "baton/html.h"
#include "baton/mbox.h"
#include "baton/message.h"
#include "baton/visible.h"

#include <string.h>
#include <time.h>

#define SMALL (10 * 1024)
#define BIG (100 * SMALL)
#define RUNS 5
/* A quadratic step shows about 10,000; a linear one about 100, somewhat
 * more for caches and, under AddressSanitizer, much more for its allocator
 * (a linear GMime step measured 303 there), so that build gets room. */
#if defined(__SANITIZE_ADDRESS__)
#define MAX_RATIO 1000.0
#else
#define MAX_RATIO 400.0
#endif

typedef GString *(*Shape) (gsize size);
typedef void (*Step) (const GString *input);

static double
thread_seconds (void)
{
  struct timespec now;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (double) now.tv_sec + (double) now.tv_nsec / 1e9;
}

/* The least CPU time of RUNS runs of STEP on INPUT, per run of the step. */
static double
time_step (Step step, const GString *input)
{
  double best = G_MAXDOUBLE;
  guint repeat = 1;
  for (int run = 0; run < RUNS; run++)
    {
      double start = thread_seconds ();
      for (guint i = 0; i < repeat; i++)
        step (input);
      double took = (thread_seconds () - start) / repeat;
      if (took * repeat < 0.002 && repeat < 4096)
        {
          repeat *= 4; /* too short to measure: this run does not count */
          run--;
          continue;
        }
      best = MIN (best, took);
    }
  return best;
}

static void
check_linear (const char *what, Shape shape, Step step)
{
  g_autoptr (GString) small = shape (SMALL);
  g_autoptr (GString) big = shape (BIG);
  double t_small = time_step (step, small);
  double t_big = time_step (step, big);
  double ratio = t_big / t_small;
  g_test_message ("%s: %zu bytes %.3f ms, %zu bytes %.3f ms, ratio %.0f (at most %.0f)", what,
                  small->len, t_small * 1e3, big->len, t_big * 1e3, ratio, MAX_RATIO);
  if (ratio > MAX_RATIO)
    g_test_fail_printf ("%s is not linear: %.3f ms for %zu bytes, %.3f ms for %zu bytes (x%.0f)",
                        what, t_small * 1e3, small->len, t_big * 1e3, big->len, ratio);
}

/* ---- shapes ---- */

static GString *
repeat (const char *head, const char *unit, const char *tail, gsize size)
{
  GString *out = g_string_new (head);
  while (out->len < size)
    g_string_append (out, unit);
  g_string_append (out, tail);
  return out;
}

static GString *
mail_with_subject (const char *unit, gsize size)
{
  return repeat ("From: a@example.com\nSubject: ", unit, "\n\ntake 1\n", size);
}

static GString *
encoded_word_starts (gsize size)
{
  return repeat ("", "=?x?Q?a ", "", size);
}

static GString *
subject_of_word_starts (gsize size)
{
  return mail_with_subject ("=?x?Q?a ", size);
}

static GString *
subject_of_encoded_words (gsize size)
{
  return mail_with_subject ("=?UTF-8?Q?=C3=A9t=C3=A9?= =?ISO-8859-1?B?6Q==?= ", size);
}

static GString *
long_to_list (gsize size)
{
  return repeat ("From: a@example.com\nTo: ", "\"Some One\" <someone@example.com>, ", "x@y\n\nhi\n",
                 size);
}

static GString *
many_to_headers (gsize size)
{
  return repeat ("From: a@example.com\n", "To: b@example.com\nCc: c@example.com\n", "\nhi\n", size);
}

static GString *
long_references (gsize size)
{
  return repeat ("From: a@example.com\nIn-Reply-To: <x@y>\nReferences: ", "<abcdef@example.com> ",
                 "\n\nhi\n", size);
}

static GString *
address_list (gsize size)
{
  return repeat ("", "Name <n@example.com>, \"Q, R\" <q@example.com>, group: a@b, c@d;, ", "",
                 size);
}

static GString *
many_tiny_parts (gsize size)
{
  return repeat ("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n",
                 "--b\nContent-Type: text/plain\n\nx\n", "--b--\n", size);
}

static GString *
mail_with_body (const char *headers, GString *body)
{
  g_string_prepend (body, headers);
  return body;
}

static GString *
html_nested_divs (gsize size)
{
  return repeat ("", "<div><blockquote><ul><li><b>", "done 1", size);
}

static GString *
html_closing_tags (gsize size)
{
  return repeat ("", "</div></blockquote></pre></ul>x", "", size);
}

static GString *
html_heads (gsize size)
{
  return repeat ("", "<head></head>x", "", size);
}

static GString *
html_hidden_spans (gsize size)
{
  return repeat ("", "<span style=\"display:none\">done 1</span><div hidden>x<div>y</div></div>z",
                 "", size);
}

static GString *
html_unclosed_hidden (gsize size)
{
  return repeat ("", "<span style=\"display:none\"><p hidden>x", "", size);
}

static GString *
html_unbalanced_quotes (gsize size)
{
  return repeat ("<a \"", "<b '>x", "", size);
}

static GString *
html_entities_and_comments (gsize size)
{
  return repeat ("", "&amp;&#233;&bogus;<!-- c --><!x>&", "", size);
}

static GString *
html_mail (gsize size)
{
  return mail_with_body ("From: a@example.com\nContent-Type: text/html\n\n",
                         html_nested_divs (size));
}

static GString *
flowed_paragraph (gsize size)
{
  return repeat ("", "a long paragraph of flowed text \n", "end\n", size);
}

static GString *
flowed_quote_changes (gsize size)
{
  return repeat ("", "> quoted \n>> deeper \nplain \n", "end\n", size);
}

static GString *
flowed_mail (gsize size)
{
  return mail_with_body ("From: a@example.com\nContent-Type: text/plain; format=flowed; "
                         "delsp=yes\n\n",
                         flowed_paragraph (size));
}

static GString *
one_long_line (gsize size)
{
  return repeat ("", "abcdefghij", "\n", size);
}

static GString *
short_lines (gsize size)
{
  return repeat ("", "ok\n", "", size);
}

static GString *
mail_one_long_line (gsize size)
{
  return mail_with_body ("From: a@example.com\n\n", one_long_line (size));
}

static GString *
mail_short_lines (gsize size)
{
  return mail_with_body ("From: a@example.com\n\n", short_lines (size));
}

static GString *
mail_base64_body (gsize size)
{
  g_autoptr (GString) plain = repeat ("", "take 1\nsome text here\n", "", size * 3 / 4);
  g_autofree char *encoded = g_base64_encode ((const guchar *) plain->str, plain->len);
  GString *out = g_string_new ("From: a@example.com\nContent-Transfer-Encoding: base64\n"
                               "Content-Type: text/plain; charset=iso-8859-1\n\n");
  gsize length = strlen (encoded);
  for (gsize i = 0; i < length; i += 76)
    {
      g_string_append_len (out, encoded + i, (gssize) MIN (76, length - i));
      g_string_append_c (out, '\n');
    }
  return out;
}

static GString *
mbox_many_froms (gsize size)
{
  return repeat ("", "From a@b Sat Jan  1 00:00:00 2000\nFrom: a@b\n\nx\n", "", size);
}

static GString *
mbox_froms_in_body (gsize size)
{
  return repeat ("From a@b Sat Jan  1 00:00:00 2000\nFrom: a@b\n\n", "From here\n>From x\n", "",
                 size);
}

/* No blank line anywhere: each header scan must stop at the next "From ". */
static GString *
mbox_no_blank_lines (gsize size)
{
  return repeat ("", "From a@b Sat Jan  1 00:00:00 2000\nContent-Length: 3\nX: y\n", "", size);
}

static GString *
mbox_content_lengths (gsize size)
{
  return repeat ("", "From a@b Sat Jan  1 00:00:00 2000\nContent-Length: 99999\nX: y\n\nx\n", "",
                 size);
}

static GString *
mbox_one_long_line (gsize size)
{
  return mail_with_body ("From a@b Sat Jan  1 00:00:00 2000\nFrom: a@b\n\n", one_long_line (size));
}

static GString *
mbox_short_lines (gsize size)
{
  return mail_with_body ("From a@b Sat Jan  1 00:00:00 2000\nFrom: a@b\n\n", short_lines (size));
}

static GString *
prose (gsize size)
{
  return repeat ("Hi all,\n\ntake 3\ndone 4: shipped\n",
                 "The staging deploy went fine, and the tests pass on both machines.\n", "", size);
}

static GString *
quoted_reply (gsize size)
{
  return repeat ("done 4\n\nOn Mon, 9 Mar 2026, Bob wrote:\n",
                 "> The staging deploy went fine, and the tests pass.\n>\n", "", size);
}

static GString *
commands_and_text (gsize size)
{
  return repeat ("", "take 12\nsome words\nhandoff 3 to bob: note\ntask: a title @carol\n\n", "",
                 size);
}

static GString *
subject_brackets (gsize size)
{
  return repeat ("Re: ", "[# [#x [#12", "]", size);
}

/* ---- steps ---- */

static void
step_decode_header (const GString *input)
{
  g_free (baton_message_decode_header (input->str));
}

static void
step_parse (const GString *input)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonMessage) message = baton_message_parse (input->str, input->len, &error);
  g_assert_no_error (error);
}

static void
step_addresses (const GString *input)
{
  g_strfreev (baton_message_parse_addresses (input->str));
}

static void
step_html (const GString *input)
{
  g_free (baton_html_to_text (input->str));
}

static void
step_unflow (const GString *input)
{
  g_free (baton_message_unflow (input->str, TRUE));
}

static void
step_mbox (const GString *input)
{
  g_ptr_array_unref (baton_mbox_split (input->str, input->len));
}

static void
step_visible (const GString *input)
{
  g_free (baton_visible_text (input->str));
}

static void
step_commands (const GString *input)
{
  g_ptr_array_unref (baton_commands_parse (input->str));
}

static void
step_subject_task (const GString *input)
{
  (void) baton_commands_task_from_subject (input->str);
}

typedef struct {
  const char *path;
  Shape shape;
  Step step;
} Case;

static const Case cases[] = {
  { "/linear/rfc2047/word-starts", encoded_word_starts, step_decode_header },
  { "/linear/parse/subject-word-starts", subject_of_word_starts, step_parse },
  { "/linear/parse/subject-encoded-words", subject_of_encoded_words, step_parse },
  { "/linear/parse/long-to-list", long_to_list, step_parse },
  { "/linear/parse/many-to-headers", many_to_headers, step_parse },
  { "/linear/parse/long-references", long_references, step_parse },
  { "/linear/parse/many-tiny-parts", many_tiny_parts, step_parse },
  { "/linear/parse/html-body", html_mail, step_parse },
  { "/linear/parse/flowed-body", flowed_mail, step_parse },
  { "/linear/parse/one-long-line", mail_one_long_line, step_parse },
  { "/linear/parse/short-lines", mail_short_lines, step_parse },
  { "/linear/parse/base64-latin1-body", mail_base64_body, step_parse },
  { "/linear/addresses/list", address_list, step_addresses },
  { "/linear/html/nested", html_nested_divs, step_html },
  { "/linear/html/closing-tags", html_closing_tags, step_html },
  { "/linear/html/heads", html_heads, step_html },
  { "/linear/html/hidden", html_hidden_spans, step_html },
  { "/linear/html/unclosed-hidden", html_unclosed_hidden, step_html },
  { "/linear/html/unbalanced-quotes", html_unbalanced_quotes, step_html },
  { "/linear/html/entities-comments", html_entities_and_comments, step_html },
  { "/linear/html/one-long-line", one_long_line, step_html },
  { "/linear/flowed/paragraph", flowed_paragraph, step_unflow },
  { "/linear/flowed/quote-changes", flowed_quote_changes, step_unflow },
  { "/linear/flowed/short-lines", short_lines, step_unflow },
  { "/linear/mbox/many-froms", mbox_many_froms, step_mbox },
  { "/linear/mbox/froms-in-body", mbox_froms_in_body, step_mbox },
  { "/linear/mbox/content-lengths", mbox_content_lengths, step_mbox },
  { "/linear/mbox/no-blank-lines", mbox_no_blank_lines, step_mbox },
  { "/linear/mbox/one-long-line", mbox_one_long_line, step_mbox },
  { "/linear/mbox/short-lines", mbox_short_lines, step_mbox },
  { "/linear/visible/prose", prose, step_visible },
  { "/linear/visible/quoted-reply", quoted_reply, step_visible },
  { "/linear/commands/mixed", commands_and_text, step_commands },
  { "/linear/commands/prose", prose, step_commands },
  { "/linear/commands/subject-brackets", subject_brackets, step_subject_task },
};

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  check_linear (c->path, c->shape, c->step);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], run_case);
  return g_test_run ();
}
