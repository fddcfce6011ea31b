/* SPDX-License-Identifier: MIT */
/* baton_text_line() and baton_text_lines(): what a stranger's bytes may
 * still do once printed. Each input is a payload that reached a digest or
 * a terminal before. */
#include "baton/text.h"

#include <string.h>

static void
check_line (const char *in, const char *expected)
{
  g_autofree char *out = baton_text_line (in);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_line_breaks (void)
{
  /* the decoded subject =?utf-8?Q?x=0AHANDED_TO_YOU?= */
  check_line ("x\nHANDED TO YOU", "x HANDED TO YOU");
  check_line ("a\r\nb\rc\vd\fe", "a b c d e");
  check_line ("a\u2028b\u2029c\302\205d", "a b c d");
  check_line ("tab\there", "tab here");
  check_line ("", "");
  g_assert_null (baton_text_line (NULL));
}

static void
test_controls (void)
{
  /* set the window title, clear the screen */
  check_line ("\033]0;pwned\007\033[2J", "?]0;pwned??[2J");
  check_line ("nul\001del\177c1\302\233x", "nul?del?c1?x");
  /* bidi: "evil\u202Etxt.exe" shows as "evilexe.txt" */
  check_line ("evil\u202Etxt.exe", "evil?txt.exe");
  check_line ("a\u2066b\u2069c\u200Fd\u061Ce", "a?b?c?d?e");
  /* invisible format characters go; the joiners emoji need stay */
  check_line ("zero\u200Bwidth\uFEFF", "zerowidth");
  check_line ("\U0001F469\u200D\U0001F4BB", "\U0001F469\u200D\U0001F4BB");
  check_line ("caf\303\251 \346\227\245\346\234\254", "caf\303\251 \346\227\245\346\234\254");
  /* invalid UTF-8 cannot smuggle a byte through */
  g_autofree char *bad = baton_text_line ("a\377\033b");
  g_assert_true (g_utf8_validate (bad, -1, NULL));
  g_assert_null (strchr (bad, '\033'));
}

static void
test_max (void)
{
  g_autofree char *cut = baton_text_line_max ("abcdef\nghi", 4);
  g_assert_cmpstr (cut, ==, "abcd…");
  g_autofree char *whole = baton_text_line_max ("abcd", 4);
  g_assert_cmpstr (whole, ==, "abcd");
}

static void
test_lines (void)
{
  g_autofree char *out = baton_text_lines ("one\r\ntwo\033[2J\u2028three\tfour");
  g_assert_cmpstr (out, ==, "one\ntwo?[2J\nthree\tfour");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/text/line-breaks", test_line_breaks);
  g_test_add_func ("/text/controls", test_controls);
  g_test_add_func ("/text/max", test_max);
  g_test_add_func ("/text/lines", test_lines);
  return g_test_run ();
}
