/* SPDX-License-Identifier: MIT */
/* baton_html_to_text(): layout, entities, quotes, lists, hostile input. */
#include "baton/html.h"
#include "baton/visible.h"

#include <string.h>

static void
check (const char *html, const char *expected)
{
  g_autofree char *text = baton_html_to_text (html);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_blocks (void)
{
  check ("<p>one</p><p>two</p>", "one\n\ntwo");
  check ("<div>a</div><div>b</div>", "a\nb");
  check ("a<br>b<br/><br />c", "a\nb\n\nc");
  check ("<h1>Title</h1>text", "Title\n\ntext");
  check ("<table><tr><td>x</td><td>y</td></tr><tr><td>z</td></tr></table>", "x y\nz");
  check ("<div><div></div><div>only</div></div>", "only");
}

static void
test_whitespace (void)
{
  check ("  lots   of\n\t space  ", "lots of space");
  check ("<p>\n  take 12\n</p>", "take 12");
  check ("a&nbsp;&nbsp;b", "a  b");
  check ("<p>x</p><pre>  code\n    indented\n</pre>after", "x\n\n  code\n    indented\nafter");
}

static void
test_entities (void)
{
  check ("&amp; &lt;b&gt; &quot;q&quot; &apos;", "& <b> \"q\" '");
  check ("caf&eacute; &uuml;ber &szlig; &euro; &mdash;", "café über ß € —");
  check ("&#233;&#xe9;&#X4E2D;&#65", "éé中A");
  check ("&#0; &#xD800; &#99999999;", "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd");
  check ("&bogus; & &#; &#x;", "&bogus; & &#; &#x;");
}

static void
test_dropped (void)
{
  check ("<html><head><title>t</title><style>p{color:red}</style></head>"
         "<body>shown<script>alert('<p>no</p>')</script></body></html>",
         "shown");
  check ("a<!-- hidden <p>x</p> -->b<!DOCTYPE html><?xml x?>c", "abc");
  check ("<head><meta charset=utf-8><body>body without closing head", "body without closing head");
}

static void
test_blockquote (void)
{
  check ("<div>reply</div><blockquote><p>old</p><p>older</p></blockquote><p>more</p>",
         "reply\n\n> old\n>\n> older\n\nmore");
  check ("<blockquote>one<blockquote>two</blockquote></blockquote>", "> one\n> > two");
  check ("</blockquote></blockquote>x", "x");
}

static void
test_lists (void)
{
  check ("<ul><li>one</li><li>two</li></ul>", "- one\n- two");
  check ("<ol><li>a<ul><li>b</li></ul></li></ol>", "- a\n  - b");
  check ("<li>stray", "- stray");
}

static void
test_garbage (void)
{
  check (NULL, "");
  check ("", "");
  check ("<", "<");
  check ("a < b and c > d", "a < b and c > d");
  check ("<p class=\"x>y\">text</p>", "text");
  check ("<p class=\"unterminated>text", "text");
  check ("<div", "");
  check ("<script>never closed", "");
  check ("<!-- never closed", "");
  check ("&", "&");
  check ("\xff\xfe<p>bad bytes\x80</p>", "\xef\xbf\xbd\xef\xbf\xbd\n\nbad bytes\xef\xbf\xbd");
  /* Deep nesting and long runs must neither crash nor be slow. */
  g_autoptr (GString) deep = g_string_new (NULL);
  for (int i = 0; i < 20000; i++)
    g_string_append (deep, "<blockquote><div><li>");
  g_string_append (deep, "x");
  for (int i = 0; i < 20000; i++)
    g_string_append (deep, "x<br>");
  g_autofree char *text = baton_html_to_text (deep->str);
  g_assert_nonnull (strstr (text, "x"));
  g_assert_cmpuint (strlen (text), <, 2000000); /* prefixes are capped */
  g_autoptr (GString) junk = g_string_new (NULL);
  for (int i = 0; i < 100000; i++)
    g_string_append_c (junk, "<>&;#x\"'/! a\n"[i % 13]);
  g_autofree char *junk_text = baton_html_to_text (junk->str);
  g_assert_true (g_utf8_validate (junk_text, -1, NULL));
}

/* Text a sighted reader does not see is not text (issue 15): a hidden
 * "done 1" must not become a command. */
static void
test_hidden (void)
{
  check ("take 2<span style=\"display:none\">done 1</span>", "take 2");
  check ("take 2<div style=\"color:red; DISPLAY : None !important\">done 1</div>", "take 2");
  check ("take 2<span style='visibility:hidden'>done 1</span>", "take 2");
  check ("take 2<p hidden>done 1</p>", "take 2");
  check ("take 2<p HIDDEN=\"hidden\">done 1</p>", "take 2");
  check ("take 2<span style=\"font-size:0px\">done 1</span>", "take 2");
  check ("take 2<span style=\"font-size: 0\">done 1</span>", "take 2");
  check ("take 2<span style=\"opacity:0\">done 1</span>", "take 2");
  check ("take 2<div style=\"max-height:0;overflow:hidden;mso-hide:all\">done 1</div>", "take 2");
  check ("take 2<span style=\"display:/* x */none\">done 1</span>", "take 2");
  check ("take 2<template><p>done 1</p></template>", "take 2");
  check ("<head><title>done 1</title></head><body>take 2</body>", "take 2");
  check ("<style>done 1</style><script>done 1</script>take 2", "take 2");
  /* Nested elements of the same name end where the hidden one ends. */
  check ("<div hidden><div>done 1</div><div>done 3</div></div>take 2", "take 2");
  check ("<div style=\"display:none\">a<!-- </div> -->b</div>take 2", "take 2");
  /* Never closed: hidden to the end, as a browser hides it. */
  check ("take 2<span hidden>done 1<p>done 3", "take 2");
  /* Visible: aria-hidden hides from screen readers only; a void element
   * hides nothing after it; other styles and attributes hide nothing. */
  check ("<span aria-hidden=\"true\">take 2</span>", "take 2");
  check ("<img hidden src=x>take 2", "take 2");
  check ("<span style=\"font-size:0.9em;display:inline\">take 2</span>", "take 2");
  check ("<span title=\"hidden\" data-hidden=x>take 2</span>", "take 2");
  check ("<span style=\"max-height:0\">take 2</span>", "take 2");
}

/* HTML replies as the big clients write them, through both steps. */
static void
check_reply (const char *html, const char *expected)
{
  g_autofree char *text = baton_html_to_text (html);
  g_autofree char *visible = baton_visible_text (text);
  g_assert_cmpstr (visible, ==, expected);
}

static void
test_replies (void)
{
  check_reply (
      "<div dir=\"ltr\">take 12<div><br></div><div>Thanks!</div></div><br>"
      "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Mon, Mar 11, "
      "2024 at 10:00 AM Bob &lt;<a href=\"mailto:bob@example.com\">bob@example.com</a>&gt; "
      "wrote:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px\">"
      "<div dir=\"ltr\">done 7</div></blockquote></div>",
      "take 12\n\nThanks!");
  check_reply ("<html><head><style>p{margin:0}</style></head><body><div>done 7</div>"
               "<hr style=\"display:inline-block\"><div id=\"divRplyFwdMsg\" dir=\"ltr\"><font>"
               "<b>From:</b> Bob &lt;bob@example.com&gt;<br><b>Sent:</b> Monday, March 11, 2024 "
               "10:00 AM<br><b>To:</b> Team &lt;team@example.com&gt;<br><b>Subject:</b> Re: tasks"
               "</font><div>&nbsp;</div></div><div>take 12</div></body></html>",
               "done 7");
  check_reply ("<html><body>take 3<br><div><br><blockquote type=\"cite\"><div>On 11 Mar 2024, "
               "at 10:00, Bob &lt;bob@example.com&gt; wrote:</div><br><div>done 7</div>"
               "</blockquote></div></body></html>",
               "take 3");
}

/* Random documents from markup fragments: no crash (ASan run), valid UTF-8. */
static void
test_random (void)
{
  static const char *const pieces[] = {
    "<p>",     "</p>",   "<div>", "</div>", "<br>",   "<blockquote>", "</blockquote>",
    "<li>",    "<ul>",   "</ul>", "<pre>",  "</pre>", "<script>",     "</script>",
    "<style>", "<head>", "<!--",  "-->",    "<!x",    "<?",           "<",
    ">",       "&",      "&#",    "&#x",    ";",      "&amp;",        "&#1114112;",
    "&nbsp;",  "\"",     "'",     " ",      "\n",     "\t",           "text",
    "\xc3",    "\xa9",   "\xff",  "=",      "/",      "<a href='",    "</",
    "<td>",
  };
  for (int round = 0; round < 2000; round++)
    {
      g_autoptr (GString) doc = g_string_new (NULL);
      int n = g_test_rand_int_range (0, 60);
      for (int i = 0; i < n; i++)
        g_string_append (doc, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      g_autofree char *text = baton_html_to_text (doc->str);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/html/blocks", test_blocks);
  g_test_add_func ("/html/whitespace", test_whitespace);
  g_test_add_func ("/html/entities", test_entities);
  g_test_add_func ("/html/dropped", test_dropped);
  g_test_add_func ("/html/blockquote", test_blockquote);
  g_test_add_func ("/html/lists", test_lists);
  g_test_add_func ("/html/garbage", test_garbage);
  g_test_add_func ("/html/random", test_random);
  g_test_add_func ("/html/replies", test_replies);
  g_test_add_func ("/html/hidden", test_hidden);
  return g_test_run ();
}
