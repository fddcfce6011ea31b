/* SPDX-License-Identifier: MIT */
/* baton_message_parse() on the messy input the MIME corpus turned up:
 * each case is a bug that tests/shell/mime-corpus.t found, cut down to the
 * bytes that matter. */
#include "baton/error.h"
#include "baton/message.h"

#include <string.h>

static BatonMessage *
parse_ok (const char *data, gsize length)
{
  g_autoptr (GError) error = NULL;
  BatonMessage *message = baton_message_parse (data, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

#define PARSE(literal) parse_ok (literal, sizeof (literal) - 1)

static void
test_byte_order_mark (void)
{
  g_autoptr (BatonMessage) message = PARSE ("\xef\xbb\xbf"
                                            "From: Ann <ann@example.org>\nSubject: bom\n\nhi\n");
  g_assert_cmpstr (message->from_address, ==, "ann@example.org");
  g_assert_cmpstr (message->subject, ==, "bom");
  g_autoptr (BatonMessage) mbox = PARSE ("\xef\xbb\xbf"
                                         "From -\nFrom: ann@example.org\n\nhi\n");
  g_assert_cmpstr (mbox->from_address, ==, "ann@example.org");
}

/* RFC 5322 4.5 obs-optional: blanks before the colon. */
static void
test_obsolete_header_colon (void)
{
  g_autoptr (BatonMessage) message = PARSE ("Subject :old style\nFrom : ann@example.org\n\nbody\n");
  g_assert_cmpstr (message->subject, ==, "old style");
  g_assert_cmpstr (message->body_text, ==, "body\n");
}

static void
test_headerless_refused (void)
{
  const char *const inputs[] = { "",
                                 "\xef\xbb\xbf",
                                 "Just a body.\n",
                                 "\nSubject: late\n",
                                 "From a@b Mon Jan  1 00:00:00 2024\n",
                                 ": no name\n" };
  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (BatonMessage) message =
          baton_message_parse (inputs[i], strlen (inputs[i]), &error);
      g_assert_null (message);
      g_assert_error (error, BATON_ERROR, BATON_ERROR_DATA);
    }
}

/* Latin-1 bytes under a UTF-8 or US-ASCII label: GMime's converter drops
 * them ("caf nave"); baton reads them as Windows-1252. */
static void
test_mislabelled_charset (void)
{
  g_autoptr (BatonMessage) utf8 = PARSE ("From: a@example.org\n"
                                         "Content-Type: text/plain; charset=utf-8\n\n"
                                         "caf\xe9 na\xefve \x80 5\n");
  g_assert_cmpstr (utf8->body_text, ==, "café naïve € 5\n");
  g_autoptr (BatonMessage) ascii = PARSE ("From: a@example.org\n"
                                          "Content-Type: text/plain; charset=\"ascii\"\n\n"
                                          "caf\xe9\n");
  g_assert_cmpstr (ascii->body_text, ==, "café\n");
  /* Valid UTF-8 beside a stray byte stays as it is. */
  g_autoptr (BatonMessage) mixed = PARSE ("From: a@example.org\n"
                                          "Content-Type: text/plain; charset=UTF-8\n"
                                          "Content-Transfer-Encoding: quoted-printable\n\n"
                                          "caf=E9 na=C3=AFve\n");
  g_assert_cmpstr (mixed->body_text, ==, "café naïve\n");
}

/* Declared charsets still go through GMime's lenient conversion. */
static void
test_declared_charsets (void)
{
  g_autoptr (BatonMessage) latin9 = PARSE ("From: a@example.org\n"
                                           "Content-Type: text/plain; charset=iso-8859-15\n"
                                           "Content-Transfer-Encoding: quoted-printable\n\n"
                                           "5 =A4\n");
  g_assert_cmpstr (latin9->body_text, ==, "5 €\n");
  g_autoptr (BatonMessage) utf16 = PARSE ("From: a@example.org\n"
                                          "Content-Type: text/plain; charset=utf-16le\n"
                                          "Content-Transfer-Encoding: base64\n\n"
                                          "aABpAAoA\n");
  g_assert_cmpstr (utf16->body_text, ==, "hi\n");
  g_autoptr (BatonMessage) unknown = PARSE ("From: a@example.org\n"
                                            "Content-Type: text/plain; charset=x-no-such\n\n"
                                            "caf\xe9\n");
  g_assert_cmpstr (unknown->body_text, ==, "café\n");
}

/* A NUL used to end body_text early: text after it was never seen. */
static void
test_nul_in_body (void)
{
  g_autoptr (BatonMessage) message = PARSE ("From: a@example.org\n\nbefore\0after\n");
  g_assert_cmpstr (message->body_text, ==,
                   "before\xef\xbf\xbd"
                   "after\n");
  g_autoptr (BatonMessage) latin1 = PARSE ("From: a@example.org\n"
                                           "Content-Type: text/plain; charset=iso-8859-1\n\n"
                                           "caf\xe9\0!\n");
  g_assert_cmpstr (latin1->body_text, ==, "café\xef\xbf\xbd!\n");
}

/* An empty first text/plain (multi-badnames.msg; Thunderbird's empty
 * alternative beside HTML in thirdparty/011.eml) used to win over the part
 * holding the text. */
static void
test_blank_part_skipped (void)
{
  g_autoptr (BatonMessage) mixed = PARSE ("From: a@example.org\n"
                                          "Content-Type: multipart/mixed; boundary=b\n\n"
                                          "--b\nContent-Type: text/plain\n\n \n\t\n"
                                          "--b\nContent-Type: text/plain\n\nthe text\n"
                                          "--b--\n");
  g_assert_cmpstr (mixed->body_text, ==, "the text"); /* CRLF before a boundary is the boundary's */
  g_assert_false (mixed->body_was_html);
  g_autoptr (BatonMessage) alternative =
      PARSE ("From: a@example.org\n"
             "Content-Type: multipart/alternative; boundary=b\n\n"
             "--b\nContent-Type: text/plain\n\n\n"
             "--b\nContent-Type: text/html\n\n<p>in html</p>\n"
             "--b--\n");
  g_assert_true (alternative->body_was_html);
  g_assert_nonnull (strstr (alternative->body_text, "in html"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/message/robust/byte-order-mark", test_byte_order_mark);
  g_test_add_func ("/message/robust/obsolete-header-colon", test_obsolete_header_colon);
  g_test_add_func ("/message/robust/headerless-refused", test_headerless_refused);
  g_test_add_func ("/message/robust/mislabelled-charset", test_mislabelled_charset);
  g_test_add_func ("/message/robust/declared-charsets", test_declared_charsets);
  g_test_add_func ("/message/robust/nul-in-body", test_nul_in_body);
  g_test_add_func ("/message/robust/blank-part-skipped", test_blank_part_skipped);
  return g_test_run ();
}
