/* SPDX-License-Identifier: MIT */
/* Authentication-Results: the RFC 8601 parser, and which fields
 * require-auth believes (the forgeries of issue 15 among them). */
#include "baton/auth.h"

#include <string.h>

static BatonAuthResults *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  BatonAuthResults *results = baton_auth_parse (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

static void
assert_syntax_error (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonAuthResults) results = baton_auth_parse (text, &error);
  g_assert_null (results);
  g_assert_error (error, BATON_AUTH_ERROR, BATON_AUTH_ERROR_SYNTAX);
}

static const BatonAuthResult *
result_at (const BatonAuthResults *results, guint i)
{
  g_assert_cmpuint (i, <, results->results->len);
  return results->results->pdata[i];
}

/* RFC 8601 Appendix B examples, folded as they arrive. */
static void
test_parse_rfc_examples (void)
{
  g_autoptr (BatonAuthResults) none = parse_ok (" example.org 1; none");
  g_assert_cmpstr (none->authserv_id, ==, "example.org");
  g_assert_cmpuint (none->version, ==, 1);
  g_assert_cmpuint (none->results->len, ==, 0);

  g_autoptr (BatonAuthResults) spf =
      parse_ok (" example.com;\r\n\t  spf=pass smtp.mailfrom=example.net");
  g_assert_cmpuint (spf->results->len, ==, 1);
  g_assert_cmpstr (result_at (spf, 0)->method, ==, "spf");
  g_assert_cmpstr (result_at (spf, 0)->result, ==, "pass");
  g_assert_cmpstr (baton_auth_result_property (result_at (spf, 0), "smtp", "mailfrom"), ==,
                   "example.net");

  g_autoptr (BatonAuthResults) many =
      parse_ok (" example.com;\r\n"
                "   auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
                "   spf=pass smtp.mailfrom=example.net\r\n"
                "   ;  dkim=pass (good signature) header.d=example.com reason=\"x\"");
  g_assert_cmpuint (many->results->len, ==, 3);
  g_assert_cmpstr (result_at (many, 0)->method, ==, "auth");
  g_assert_cmpstr (baton_auth_result_property (result_at (many, 0), "smtp", "auth"), ==,
                   "sender@example.net");
  g_assert_cmpstr (result_at (many, 2)->reason, ==, "x");
}

static void
test_parse_full_grammar (void)
{
  g_autoptr (BatonAuthResults) r = parse_ok (
      " (comment (nested \\) one)) \"mx.example.com\" (v) 1 (x);\r\n"
      "\tdkim (a) / 1 = (b) PASS reason=\"good; signature\" (c) header . d = (d) Example.COM\r\n"
      "\t  header.i=@example.com header.b=\"ab+/cd==\";\r\n"
      "\tspf=fail smtp.mailfrom=\"odd; local\"@evil.org;");
  g_assert_cmpstr (r->authserv_id, ==, "mx.example.com");
  g_assert_cmpuint (r->results->len, ==, 2);
  const BatonAuthResult *dkim = result_at (r, 0);
  g_assert_cmpstr (dkim->method, ==, "dkim");
  g_assert_cmpstr (dkim->result, ==, "pass");
  g_assert_cmpstr (dkim->reason, ==, "good; signature");
  g_assert_cmpstr (baton_auth_result_property (dkim, "HEADER", "D"), ==, "Example.COM");
  g_assert_cmpstr (baton_auth_result_property (dkim, "header", "b"), ==, "ab+/cd==");
  const BatonAuthResult *spf = result_at (r, 1);
  g_assert_cmpstr (spf->result, ==, "fail");
  g_assert_cmpstr (baton_auth_result_property (spf, "smtp", "mailfrom"), ==, "odd; local@evil.org");
  g_assert_cmpuint (spf->properties->len, ==, 1);
}

static void
test_parse_errors (void)
{
  assert_syntax_error ("");
  assert_syntax_error ("mx.example.com; x-forged=1 dkim=pass header.d=example.com");
  assert_syntax_error ("mx.example.com; dkim=pass header.d=\"example.com");
  assert_syntax_error ("mx.example.com; dkim=pass (unclosed header.d=example.com");
  assert_syntax_error ("mx.example.com; dkim=");
  assert_syntax_error ("mx.example.com; =pass");
  assert_syntax_error ("mx.example.com; dkim=pass header=example.com");
  assert_syntax_error ("mx.example.com; dkim/x=pass");
  assert_syntax_error ("mx.example.com dkim=pass");
  assert_syntax_error ("mx.example.com; none; dkim=pass header.d=example.com");
}

/* A 1 MB value of nested comments, quotes and properties: one pass. */
static void
test_parse_large (void)
{
  g_autoptr (GString) text = g_string_new ("mx.example.com; dkim=pass");
  while (text->len < 1 << 20)
    g_string_append (text, " header.x=\"a\\\"b\" (c (d))");
  g_autoptr (BatonAuthResults) r = parse_ok (text->str);
  g_assert_cmpuint (result_at (r, 0)->properties->len, >, 10000);
  g_autoptr (GString) open = g_string_new ("mx; dkim=pass ");
  for (int i = 0; i < 100000; i++)
    g_string_append_c (open, '(');
  assert_syntax_error (open->str);
}

/* Fastest of several parses of a value of LENGTH bytes, in microseconds. */
static gint64
parse_time (gsize length)
{
  g_autoptr (GString) text = g_string_new ("mx.example.com; dkim=pass header.d=example.com");
  while (text->len < length)
    g_string_append (text, " header.x=\"a\\\"b;c\" (c (d)); spf=pass smtp.mailfrom=a@b.c");
  gint64 best = G_MAXINT64;
  for (int i = 0; i < 5; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr (BatonAuthResults) r = baton_auth_parse (text->str, NULL);
      gint64 spent = g_get_monotonic_time () - start;
      g_assert_nonnull (r);
      best = MIN (best, spent);
    }
  return MAX (best, 1);
}

/* Linear: 100 times the input may cost at most 400 times the time (a
 * quadratic parser costs 10,000 times). Min of five runs each, so a busy
 * machine does not fail it. */
static void
test_parse_linear (void)
{
  gint64 small = parse_time (10 * 1024);
  gint64 large = parse_time (1024 * 1024);
  g_test_message ("10 KB: %" G_GINT64_FORMAT " us, 1 MB: %" G_GINT64_FORMAT " us", small, large);
  g_assert_cmpint (large, <, 400 * MAX (small, 50));
}

static gboolean
vouches (const char *from, char **why, ...)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new ();
  va_list args;
  va_start (args, why);
  for (const char *f; (f = va_arg (args, const char *)) != NULL;)
    g_ptr_array_add (fields, (char *) f);
  va_end (args);
  g_ptr_array_add (fields, NULL);
  return baton_auth_vouches ((char *const *) fields->pdata, "mx.example.com", from, why);
}

static void
test_vouches_legit (void)
{
  g_assert_true (vouches ("alice@example.com", NULL,
                          " mx.example.com; dkim=pass header.d=example.com header.s=s1", NULL));
  g_assert_true (vouches ("alice@example.com", NULL,
                          " mx.example.com 1; spf=pass smtp.mailfrom=alice@Example.COM", NULL));
  /* the From domain's subdomain signs; a parent of it signs */
  g_assert_true (vouches ("alice@example.com", NULL,
                          "mx.example.com; dkim=pass header.d=mail.example.com", NULL));
  g_assert_true (vouches ("alice@eu.example.com", NULL,
                          "mx.example.com; dkim=pass header.d=example.com", NULL));
  g_assert_true (
      vouches ("alice@example.com", NULL, "mx.example.com; dkim=pass header.i=@example.com", NULL));
  /* two signatures in our one field: one broken by a list, one good */
  g_assert_true (vouches ("alice@example.com", NULL,
                          "mx.example.com; dkim=fail header.d=example.com; "
                          "dkim=pass header.d=example.com",
                          NULL));
  /* OpenDMARC's field above OpenDKIM's, both ours; a foreign one below */
  g_assert_true (vouches ("alice@example.com", NULL,
                          "mx.example.com; dmarc=pass header.from=example.com",
                          "mx.example.com; dkim=pass header.d=example.com",
                          "mx.google.com; dkim=pass header.d=example.com", NULL));
}

static void
test_vouches_refused (void)
{
  g_autofree char *why = NULL;
  g_assert_false (
      vouches ("alice@example.com", &why, "mx.example.com; dkim=pass header.d=evil.org", NULL));
  g_assert_cmpstr (why, ==, "mx.example.com reports no dkim or spf pass aligned with example.com");
  g_clear_pointer (&why, g_free);
  g_assert_false (vouches ("alice@example.com", &why,
                           "mx.example.com; dkim=neutral header.d=example.com", NULL));
  g_clear_pointer (&why, g_free);
  g_assert_false (vouches ("alice@example.com", &why, NULL));
  g_assert_cmpstr (why, ==, "no Authentication-Results header from mx.example.com");
  g_clear_pointer (&why, g_free);
  g_assert_false (vouches ("alice@example.com", &why,
                           "other.example.net; dkim=pass header.d=example.com", NULL));
  g_clear_pointer (&why, g_free);
  /* "co.uk" is no parent a stranger can use, nor is a sibling */
  g_assert_false (
      vouches ("alice@example.com", NULL, "mx.example.com; dkim=pass header.d=com", NULL));
  g_assert_false (vouches ("alice@team.example.com", NULL,
                           "mx.example.com; dkim=pass header.d=evil.example.com", NULL));
  g_assert_false (vouches ("alice@example.com", NULL,
                           "mx.example.com; dkim=pass header.d=notexample.com", NULL));
}

/* Issue 15's three forgeries. */
static void
test_forged_pass_below_real_fail (void)
{
  g_autofree char *why = NULL;
  g_assert_false (vouches ("alice@example.com", &why,
                           " mx.example.com; dkim=fail header.d=example.com",
                           " mx.example.com; dkim=pass header.d=example.com", NULL));
  g_assert_cmpstr (why, ==, "mx.example.com reports no dkim or spf pass aligned with example.com");
  /* the same with our spf check on top: spf is decided by our field */
  g_assert_false (vouches ("alice@example.com", NULL,
                           "mx.example.com; spf=softfail smtp.mailfrom=example.com",
                           "mx.example.com; spf=pass smtp.mailfrom=example.com", NULL));
}

static void
test_forged_semicolon_in_quotes (void)
{
  g_assert_false (vouches (
      "alice@example.com", NULL,
      " mx.example.com; spf=pass smtp.mailfrom=\"x; dkim=pass header.d=example.com\"@evil.org",
      NULL));
}

static void
test_forged_unknown_word (void)
{
  g_autofree char *why = NULL;
  g_assert_false (vouches ("alice@example.com", &why,
                           " mx.example.com; x-forged=1 dkim=pass header.d=example.com", NULL));
  g_assert_true (strstr (why, "not a valid one from mx.example.com") != NULL);
}

/* Ours below another server's field came with the mail. */
static void
test_forged_below_foreign (void)
{
  g_autofree char *why = NULL;
  g_assert_false (vouches ("alice@example.com", &why, "mx.google.com; dkim=none",
                           "mx.example.com; dkim=pass header.d=example.com", NULL));
  g_assert_true (strstr (why, "topmost") != NULL);
  /* the run ends at the first field that is not ours */
  g_assert_false (vouches ("alice@example.com", NULL, "mx.example.com; none",
                           "mx.google.com; dkim=none",
                           "mx.example.com; dkim=pass header.d=example.com", NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/parse/rfc-examples", test_parse_rfc_examples);
  g_test_add_func ("/auth/parse/full-grammar", test_parse_full_grammar);
  g_test_add_func ("/auth/parse/errors", test_parse_errors);
  g_test_add_func ("/auth/parse/large", test_parse_large);
  g_test_add_func ("/auth/parse/linear", test_parse_linear);
  g_test_add_func ("/auth/vouches/legit", test_vouches_legit);
  g_test_add_func ("/auth/vouches/refused", test_vouches_refused);
  g_test_add_func ("/auth/forged/pass-below-real-fail", test_forged_pass_below_real_fail);
  g_test_add_func ("/auth/forged/semicolon-in-quotes", test_forged_semicolon_in_quotes);
  g_test_add_func ("/auth/forged/unknown-word", test_forged_unknown_word);
  g_test_add_func ("/auth/forged/below-foreign", test_forged_below_foreign);
  return g_test_run ();
}
