/* SPDX-License-Identifier: MIT */
#include "baton/error.h"
#include "baton/mailbuild.h"
#include "baton/message.h"

#include <gmime/gmime.h>
#include <string.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

#define DATE 1773073860 /* 2026-03-09T16:31:00Z */

static const BatonMailbox bob = { "Bob Builder", "bob@example.com" };

static BatonMailSpec
base_spec (void)
{
  BatonMailSpec spec = {
    .from = { "Baton", "team@example.com" },
    .to = &bob,
    .n_to = 1,
    .subject = "[#12] deploy",
    .text_body = "Hello Bob,\nhere is your task.\n",
    .x_loop = "baton team@example.com",
    .date_unix = DATE,
  };
  return spec;
}

/* Builds spec (which must succeed), checks the properties every mail we
 * send has, and returns it parsed back by GMime. */
static GMimeMessage *
build_and_parse (const BatonMailSpec *spec, char **id_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  gsize len = 0;
  g_autofree char *bytes = baton_mail_build (spec, &id, &len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (len, ==, strlen (bytes));
  g_assert_null (strchr (bytes, '\r'));
  g_assert_true (g_str_is_ascii (bytes));

  /* No fold right after a header's colon: some readers keep the space. */
  g_autofree char *header_block = g_strndup (bytes, strstr (bytes, "\n\n") - bytes);
  g_assert_null (strstr (header_block, ":\n "));

  g_auto (GStrv) lines = g_strsplit (bytes, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strlen (lines[i]) > 78)
      g_error ("line %u is %zu long: %s", i + 1, strlen (lines[i]), lines[i]);

  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (bytes, len);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  g_assert_nonnull (message);

  g_assert_cmpstr (g_mime_message_get_message_id (message), ==, id);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "Auto-Submitted"), ==,
                   "auto-generated");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "MIME-Version"), ==, "1.0");
  if (id_out != NULL)
    *id_out = g_steal_pointer (&id);
  return message;
}

/* Only the headers we write, each once: nothing was injected. */
static void
assert_header_names (GMimeMessage *message)
{
  static const char *const allowed[] = {
    "Date",       "From",         "To",           "Reply-To",     "Subject",
    "Message-Id", "In-Reply-To",  "References",   "MIME-Version", "Auto-Submitted",
    "X-Loop",     "Content-Type", "X-Baton-Kind",
  };
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
    {
      const char *name = g_mime_header_get_name (g_mime_header_list_get_header_at (headers, i));
      gboolean known = FALSE;
      for (gsize k = 0; k < G_N_ELEMENTS (allowed); k++)
        known |= g_ascii_strcasecmp (name, allowed[k]) == 0;
      if (!known)
        g_error ("unexpected header %s", name);
      g_autofree char *lower = g_ascii_strdown (name, -1);
      if (g_hash_table_contains (seen, lower))
        g_error ("header %s twice", name);
      g_hash_table_add (seen, g_steal_pointer (&lower));
    }
}

static InternetAddressMailbox *
mailbox_at (GMimeMessage *message, GMimeAddressType type, int index)
{
  InternetAddressList *list = g_mime_message_get_addresses (message, type);
  g_assert_cmpint (index, <, internet_address_list_length (list));
  InternetAddress *ia = internet_address_list_get_address (list, index);
  g_assert_true (INTERNET_ADDRESS_IS_MAILBOX (ia));
  return INTERNET_ADDRESS_MAILBOX (ia);
}

static int
address_count (GMimeMessage *message, GMimeAddressType type)
{
  return internet_address_list_length (g_mime_message_get_addresses (message, type));
}

static char *
part_text (GMimeObject *part)
{
  g_assert_true (GMIME_IS_TEXT_PART (part));
  g_assert_cmpstr (g_mime_object_get_content_type_parameter (part, "charset"), ==, "utf-8");
  return g_mime_text_part_get_text (GMIME_TEXT_PART (part));
}

static GMimeContentEncoding
part_encoding (GMimeObject *part)
{
  return g_mime_part_get_content_encoding (GMIME_PART (part));
}

static void
test_plain (void)
{
  const char *refs[] = { "<root@example.org>", "middle@example.org", NULL };
  BatonMailSpec spec = base_spec ();
  spec.reply_to = "team+take-12@example.com";
  spec.in_reply_to = "<parent@example.org>";
  spec.references = refs;
  g_autofree char *id = NULL;
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, &id);
  assert_header_names (m);

  g_assert_true (g_str_has_prefix (id, "baton."));
  g_assert_true (g_str_has_suffix (id, "@example.com"));
  InternetAddressMailbox *from = mailbox_at (m, GMIME_ADDRESS_TYPE_FROM, 0);
  g_assert_cmpstr (internet_address_mailbox_get_addr (from), ==, "team@example.com");
  g_assert_cmpstr (internet_address_get_name (INTERNET_ADDRESS (from)), ==, "Baton");
  g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_FROM), ==, 1);
  InternetAddressMailbox *to = mailbox_at (m, GMIME_ADDRESS_TYPE_TO, 0);
  g_assert_cmpstr (internet_address_mailbox_get_addr (to), ==, "bob@example.com");
  g_assert_cmpstr (internet_address_get_name (INTERNET_ADDRESS (to)), ==, "Bob Builder");
  g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_TO), ==, 1);
  g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_CC), ==, 0);
  g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_BCC), ==, 0);
  InternetAddressMailbox *reply = mailbox_at (m, GMIME_ADDRESS_TYPE_REPLY_TO, 0);
  g_assert_cmpstr (internet_address_mailbox_get_addr (reply), ==, "team+take-12@example.com");

  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "[#12] deploy");
  g_assert_cmpint (g_date_time_to_unix (g_mime_message_get_date (m)), ==, DATE);
  GMimeObject *object = GMIME_OBJECT (m);
  g_assert_cmpstr (g_mime_object_get_header (object, "In-Reply-To"), ==, "<parent@example.org>");
  g_assert_cmpstr (g_mime_object_get_header (object, "References"), ==,
                   "<root@example.org> <middle@example.org>");
  g_assert_cmpstr (g_mime_object_get_header (object, "X-Loop"), ==, "baton team@example.com");

  GMimeObject *body = g_mime_message_get_mime_part (m);
  g_assert_true (
      g_mime_content_type_is_type (g_mime_object_get_content_type (body), "text", "plain"));
  g_autofree char *text = part_text (body);
  g_assert_cmpstr (text, ==, "Hello Bob,\nhere is your task.\n");
  g_assert_cmpint (part_encoding (body), ==, GMIME_CONTENT_ENCODING_7BIT);
}

static void
test_defaults (void)
{
  BatonMailSpec spec = base_spec ();
  spec.from.name = NULL;
  spec.x_loop = NULL;
  spec.subject = NULL;
  spec.message_id_domain = "baton.example.net";
  g_autofree char *id = NULL;
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, &id);
  g_assert_true (g_str_has_suffix (id, "@baton.example.net"));
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "X-Loop"), ==, "team@example.com");
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "In-Reply-To"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "References"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Reply-To"));
  const char *subject = g_mime_message_get_subject (m);
  g_assert_true (subject == NULL || *subject == '\0');
  InternetAddressMailbox *from = mailbox_at (m, GMIME_ADDRESS_TYPE_FROM, 0);
  const char *name = internet_address_get_name (INTERNET_ADDRESS (from));
  g_assert_true (name == NULL || *name == '\0');
}

static void
test_non_ascii_round_trip (void)
{
  BatonMailbox to[] = {
    { "Zoé Ünïcode-Łukasz 日本", "zoe@example.com" },
    { "\"Quoted\", <Weird> (name)", "carol@example.org" },
    { NULL, "dave@example.org" },
  };
  BatonMailSpec spec = base_spec ();
  spec.from.name = "Bâton — l'équipe";
  spec.to = to;
  spec.n_to = G_N_ELEMENTS (to);
  spec.subject = "Passation de la tâche n°12 — « déploiement » ✓, avec un sujet assez long pour "
                 "qu'il faille le replier sur plusieurs lignes";
  spec.text_body =
      "Bonjour Zoé,\nla tâche de déploiement est maintenant à toi ; les tests passent.\n";
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
  assert_header_names (m);
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, spec.subject);
  g_assert_cmpstr (
      internet_address_get_name (INTERNET_ADDRESS (mailbox_at (m, GMIME_ADDRESS_TYPE_FROM, 0))), ==,
      "Bâton — l'équipe");
  g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_TO), ==, 3);
  for (int i = 0; i < 3; i++)
    {
      InternetAddressMailbox *box = mailbox_at (m, GMIME_ADDRESS_TYPE_TO, i);
      g_assert_cmpstr (internet_address_mailbox_get_addr (box), ==, to[i].address);
      const char *name = internet_address_get_name (INTERNET_ADDRESS (box));
      if (to[i].name != NULL)
        g_assert_cmpstr (name, ==, to[i].name);
      else
        g_assert_true (name == NULL || *name == '\0');
    }
  GMimeObject *body = g_mime_message_get_mime_part (m);
  g_autofree char *text = part_text (body);
  g_assert_cmpstr (text, ==, spec.text_body);
  g_assert_cmpint (part_encoding (body), ==, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
}

static void
test_html_alternative (void)
{
  BatonMailSpec spec = base_spec ();
  spec.html_body = "<p>Hello <b>Bob</b>, voilà.</p>";
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
  GMimeObject *body = g_mime_message_get_mime_part (m);
  g_assert_true (GMIME_IS_MULTIPART (body));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (body), "multipart",
                                              "alternative"));
  GMimeMultipart *multipart = GMIME_MULTIPART (body);
  g_assert_cmpint (g_mime_multipart_get_count (multipart), ==, 2);
  GMimeObject *plain = g_mime_multipart_get_part (multipart, 0);
  GMimeObject *html = g_mime_multipart_get_part (multipart, 1);
  g_assert_true (
      g_mime_content_type_is_type (g_mime_object_get_content_type (plain), "text", "plain"));
  g_assert_true (
      g_mime_content_type_is_type (g_mime_object_get_content_type (html), "text", "html"));
  g_autofree char *plain_text = part_text (plain);
  g_autofree char *html_text = part_text (html);
  g_assert_cmpstr (plain_text, ==, spec.text_body);
  g_assert_cmpstr (html_text, ==, "<p>Hello <b>Bob</b>, voilà.</p>\n");
}

static void
test_encodings_and_wrapping (void)
{
  BatonMailSpec spec = base_spec ();
  g_autoptr (GString) long_ascii = g_string_new (NULL);
  for (int i = 0; i < 40; i++)
    g_string_append (long_ascii, "word ");
  g_string_append (long_ascii, "\nCRLF line\r\nlone CR\rend  ");
  spec.text_body = long_ascii->str;
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
  GMimeObject *body = g_mime_message_get_mime_part (m);
  g_assert_cmpint (part_encoding (body), ==, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  g_autofree char *text = part_text (body);
  g_autofree char *expected =
      g_strdup_printf ("%.200s\nCRLF line\nlone CR\nend  \n", long_ascii->str);
  g_assert_cmpstr (text, ==, expected);

  /* Mostly non-ASCII: base64 is the smaller encoding. */
  spec.text_body = "日本語のテキストです。これは長い行ではありません。\n";
  g_autoptr (GMimeMessage) cjk = build_and_parse (&spec, NULL);
  GMimeObject *cjk_body = g_mime_message_get_mime_part (cjk);
  g_assert_cmpint (part_encoding (cjk_body), ==, GMIME_CONTENT_ENCODING_BASE64);
  g_autofree char *cjk_text = part_text (cjk_body);
  g_assert_cmpstr (cjk_text, ==, spec.text_body);

  /* A 2000-character subject folds onto lines of at most 78. */
  g_autoptr (GString) subject = g_string_new (NULL);
  for (int i = 0; i < 200; i++)
    g_string_append (subject, i % 2 ? "handoff " : "tâche ");
  g_string_truncate (subject, subject->len - 1);
  spec.subject = subject->str;
  g_autoptr (GMimeMessage) folded = build_and_parse (&spec, NULL);
  g_assert_cmpstr (g_mime_message_get_subject (folded), ==, subject->str);
}

/* Each injection attempt: the build succeeds (or is refused), and
 * re-parsing finds no header we did not write, no extra recipient. */
static void
test_injection_neutralized (void)
{
  const char *evil = "Hi\r\nBcc: evil@x\r\n\r\nbody";
  BatonMailbox evil_to = { "Bob\r\nBcc: evil@x", "bob@example.com" };
  const char *refs[] = { "<ok@example.org>", "<x@y>\r\nBcc: evil@x", "<a@b>\nX-Evil: 1", NULL };
  BatonMailSpec spec = base_spec ();
  spec.subject = evil;
  spec.from.name = "Baton\nX-Evil: yes";
  spec.to = &evil_to;
  spec.in_reply_to = "<p@example.org>\r\nBcc: evil@x";
  spec.references = refs;
  spec.x_loop = "marker\r\nBcc: evil@x";
  spec.html_body = "<p>fine</p>";
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
  assert_header_names (m);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Bcc"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "X-Evil"));
  g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_BCC), ==, 0);
  g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_TO), ==, 1);
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Hi Bcc: evil@x body");
  g_assert_cmpstr (
      internet_address_get_name (INTERNET_ADDRESS (mailbox_at (m, GMIME_ADDRESS_TYPE_TO, 0))), ==,
      "Bob Bcc: evil@x");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "X-Loop"), ==, "marker Bcc: evil@x");
  /* Unusable threading ids are dropped, usable ones kept. */
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "In-Reply-To"));
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "References"), ==,
                   "<ok@example.org>");

  /* Found by fuzz-mailbuild: a name that is short but all quotes was
   * quoted with an escape each, past 78 characters on its line. */
  spec = base_spec ();
  BatonMailbox quotes_to = { "Subject rrrrs\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""
                             "\"\"\"\"\"\"\"\"c lBc* x@y",
                             "bob@example.com" };
  spec.to = &quotes_to;
  g_autoptr (GMimeMessage) q = build_and_parse (&spec, NULL);
  g_assert_cmpstr (
      internet_address_get_name (INTERNET_ADDRESS (mailbox_at (q, GMIME_ADDRESS_TYPE_TO, 0))), ==,
      quotes_to.name);

  /* Other control characters: NUL ends the text, C1 and U+2028 become spaces. */
  spec = base_spec ();
  spec.subject = "a\x7f"
                 "b\xc2\x85"
                 "c\xe2\x80\xa8"
                 "d\te\x01"
                 "f";
  g_autoptr (GMimeMessage) controls = build_and_parse (&spec, NULL);
  g_assert_cmpstr (g_mime_message_get_subject (controls), ==, "a b c d e f");
}

/* Subjects that must come back exactly as given, whatever they hold. */
static void
test_subject_round_trips (void)
{
  static const char *const subjects[] = {
    "Re: =?UTF-8?Q?not_an_encoded_word?= literally",
    "see https://example.com/a/very/long/path/that/does/not/fit/on/one/line/of/seventy-eight/characters/at/all",
    "« déploiement » ✓, et ensuite",
    "\"quoted\" (comment) <angle> ; semicolon",
    "日本語の件名",
    "x",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (subjects); i++)
    {
      BatonMailSpec spec = base_spec ();
      spec.subject = subjects[i];
      spec.from.name = subjects[i]; /* the same text as a display name */
      g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
      g_assert_cmpstr (g_mime_message_get_subject (m), ==, subjects[i]);
      InternetAddressMailbox *from = mailbox_at (m, GMIME_ADDRESS_TYPE_FROM, 0);
      g_assert_cmpstr (internet_address_get_name (INTERNET_ADDRESS (from)), ==, subjects[i]);
      g_assert_cmpstr (internet_address_mailbox_get_addr (from), ==, "team@example.com");
    }
}

/* The exact header lines that do not depend on randomness. */
static void
test_raw_headers (void)
{
  BatonMailSpec spec = base_spec ();
  g_autofree char *bytes = baton_mail_build (&spec, NULL, NULL, NULL);
  g_assert_true (g_str_has_prefix (bytes, "Date: Mon, 09 Mar 2026 16:31:00 +0000\n"
                                          "From: Baton <team@example.com>\n"
                                          "To: Bob Builder <bob@example.com>\n"
                                          "Subject: [#12] deploy\n"
                                          "Message-ID: <baton."));
  g_assert_nonnull (strstr (bytes, "@example.com>\nMIME-Version: 1.0\n"
                                   "Auto-Submitted: auto-generated\n"
                                   "X-Loop: baton team@example.com\n"
                                   "Content-Type: text/plain; charset=utf-8\n"
                                   "Content-Transfer-Encoding: 7bit\n\n"
                                   "Hello Bob,\nhere is your task.\n"));
}

/* X-Baton-Kind names the mail's kind for sieve/procmail, after X-Loop;
 * nothing but letters, digits and hyphens gets into it, and without a
 * kind there is no such header. */
static void
test_kind_header (void)
{
  BatonMailSpec spec = base_spec ();
  spec.kind = "escalation";
  g_autofree char *bytes = baton_mail_build (&spec, NULL, NULL, NULL);
  g_assert_nonnull (strstr (bytes, "X-Loop: baton team@example.com\n"
                                   "X-Baton-Kind: escalation\n"
                                   "Content-Type: text/plain"));
  spec.kind = "reply\r\nBcc: evil@x";
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
  assert_header_names (m);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "X-Baton-Kind"), ==,
                   "replyBccevilx");
  spec.kind = NULL;
  g_autofree char *plain = baton_mail_build (&spec, NULL, NULL, NULL);
  g_assert_null (strstr (plain, "X-Baton-Kind"));
}

/* Random subjects and names full of breaks, colons and non-ASCII: the
 * re-parsed mail never has a header or recipient we did not write, and
 * the text comes back as cleaned (breaks and blank runs made one space). */
static void
test_random_header_text (void)
{
  static const char *const pieces[] = {
    "\r\n", "\n", "\r", "Bcc: evil@x", " ", "  ", "\t",   ":",    "=?",       "?=",           "é",
    "✓",    "\"", "<",  ">",           ",", "x",  "word", "\x01", "\xc2\x85", "\xe2\x80\xa8", "\\",
  };
  GRand *rand = g_rand_new_with_seed (20261025);
  for (int round = 0; round < 300; round++)
    {
      g_autoptr (GString) text = g_string_new ("s");
      int n = g_rand_int_range (rand, 0, 40);
      for (int i = 0; i < n; i++)
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      BatonMailSpec spec = base_spec ();
      spec.subject = text->str;
      spec.from.name = text->str;
      g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
      assert_header_names (m);
      g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_TO), ==, 1);
      g_assert_cmpint (address_count (m, GMIME_ADDRESS_TYPE_FROM), ==, 1);

      g_autoptr (GRegex) breaks =
          g_regex_new ("[\\x{0}-\\x{20}\\x{7f}-\\x{9f}\\x{2028}\\x{2029}]+", 0, 0, NULL);
      g_autofree char *spaced = g_regex_replace_literal (breaks, text->str, -1, 0, " ", 0, NULL);
      g_strstrip (spaced);
      g_assert_cmpstr (g_mime_message_get_subject (m), ==, spaced);
      InternetAddressMailbox *from = mailbox_at (m, GMIME_ADDRESS_TYPE_FROM, 0);
      g_assert_cmpstr (internet_address_get_name (INTERNET_ADDRESS (from)), ==, spaced);
      g_assert_cmpstr (internet_address_mailbox_get_addr (from), ==, "team@example.com");
    }
  g_rand_free (rand);
}

static void
assert_refused (const BatonMailSpec *spec, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  char *id = (char *) "untouched";
  gsize len = 4242;
  char *bytes = baton_mail_build (spec, &id, &len, &error);
  g_assert_null (bytes);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_DATA);
  if (strstr (error->message, fragment) == NULL)
    g_error ("error `%s` lacks `%s`", error->message, fragment);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strchr (error->message, '\r'));
  g_assert_cmpstr (id, ==, "untouched");
  g_assert_cmpuint (len, ==, 4242);
}

static void
test_bad_addresses_refused (void)
{
  BatonMailSpec spec = base_spec ();
  spec.from.address = "team@example.com\r\nBcc: evil@x";
  assert_refused (&spec, "From address");

  BatonMailbox evil_to = { "Bob", "bob@example.com>, evil@x" };
  spec = base_spec ();
  spec.to = &evil_to;
  assert_refused (&spec, "To address");

  spec = base_spec ();
  spec.reply_to = "team@example.com\nBcc: evil@x";
  assert_refused (&spec, "Reply-To address");

  spec = base_spec ();
  spec.n_to = 0;
  assert_refused (&spec, "at least one recipient");

  spec = base_spec ();
  spec.message_id_domain = "example.com>\r\nBcc: evil@x";
  assert_refused (&spec, "Message-ID domain");
}

static void
test_address_valid (void)
{
  static const char *const good[] = {
    "bob@example.com",
    "team+take-12@example.com",
    "a.b.c@x-y.example.org",
    "o'neil@example.ie",
    "x@localhost",
    "UPPER@EXAMPLE.COM",
    "!#$%&'*+-/=?^_`{|}~@example.com",
  };
  static const char *const bad[] = {
    "",
    "bob",
    "@example.com",
    "bob@",
    "bob@@example.com",
    "bob@example..com",
    "bob@-example.com",
    "bob@example-.com",
    ".bob@example.com",
    "bob.@example.com",
    "bo..b@example.com",
    "bob smith@example.com",
    "\"bob\"@example.com",
    "bob@[127.0.0.1]",
    "Bob <bob@example.com>",
    "bob@example.com\r\nBcc: x@y",
    "bob@exa mple.com",
    "zoé@example.com",
    "bob@exämple.com",
    "bob@example.com.",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    if (!baton_mail_address_valid (good[i]))
      g_error ("%s refused", good[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    if (baton_mail_address_valid (bad[i]))
      g_error ("%s accepted", bad[i]);
  g_assert_false (baton_mail_address_valid (NULL));
}

static void
test_unique_message_ids (void)
{
  BatonMailSpec spec = base_spec ();
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < 200; i++)
    {
      char *id = NULL;
      g_autofree char *bytes = baton_mail_build (&spec, &id, NULL, NULL);
      g_assert_nonnull (bytes);
      g_assert_false (g_hash_table_contains (ids, id));
      g_hash_table_add (ids, id);
    }
}

static void
test_many_references (void)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < 50; i++)
    g_ptr_array_add (refs, g_strdup_printf ("<ref%d@example.org>", i));
  g_ptr_array_add (refs, NULL);
  BatonMailSpec spec = base_spec ();
  spec.references = (const char *const *) refs->pdata;
  g_autoptr (GMimeMessage) m = build_and_parse (&spec, NULL);
  const char *header = g_mime_object_get_header (GMIME_OBJECT (m), "References");
  g_assert_true (g_str_has_prefix (header, "<ref30@example.org>"));
  g_assert_true (g_str_has_suffix (header, "<ref49@example.org>"));
}

static gpointer
init_in_thread (gpointer data G_GNUC_UNUSED)
{
  baton_mail_gmime_init ();
  return NULL;
}

static void
test_init_threads (void)
{
  GThread *threads[8];
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("init", init_in_thread, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  baton_mail_gmime_init ();
}

/* What GMime's own writer gives for a text/plain UTF-8 part holding TEXT
 * with ENCODING: the reference baton's plain-part writer must match. */
static char *
gmime_plain_part (const char *text, GMimeContentEncoding encoding)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype ("plain");
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (text, strlen (text));
  GMimeDataWrapper *content =
      g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (GMIME_PART (part), content);
  g_mime_text_part_set_charset (part, "utf-8");
  g_mime_part_set_content_encoding (GMIME_PART (part), encoding);
  GMimeFormatOptions *options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_UNIX);
  char *bytes = g_mime_object_to_string (GMIME_OBJECT (part), options);
  g_mime_format_options_free (options);
  g_object_unref (content);
  g_object_unref (stream);
  g_object_unref (part);
  return bytes;
}

/* Every encoding baton picks, on text that stresses each: the body entity
 * baton writes itself is byte for byte what GMime's writer makes. */
static void
test_plain_part_matches_gmime (void)
{
  GString *long_line = g_string_new (NULL);
  for (int i = 0; i < 40; i++)
    g_string_append (long_line, "word= ");
  g_string_append_c (long_line, '\n');
  const char *texts[] = {
    "",
    "Hello Bob,\nhere is your task.\n",
    "trailing blank \nand tab\t\n",
    long_line->str,
    "caf\xc3\xa9 d\xc3\xa9ploiement \xe2\x80\x94 ok\n",
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87\n",
    "From the start\n.\n..dots\n=3D already\n",
    "no final newline",
  };
  guint seen = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      BatonMailSpec spec = base_spec ();
      spec.text_body = texts[i];
      g_autoptr (GError) error = NULL;
      g_autofree char *bytes = baton_mail_build (&spec, NULL, NULL, &error);
      g_assert_no_error (error);
      const char *entity = strstr (bytes, "\nContent-Type: text/plain");
      g_assert_nonnull (entity);
      entity++;
      const char *cte = strstr (entity, "Content-Transfer-Encoding: ");
      g_assert_nonnull (cte);
      g_autofree char *name = g_strndup (cte + 27, strcspn (cte + 27, "\n"));
      GMimeContentEncoding encoding = g_mime_content_encoding_from_string (name);
      /* The body as baton stores it: valid UTF-8, LF, ending in a newline. */
      g_autofree char *normal = g_str_has_suffix (texts[i], "\n") || !*texts[i]
                                    ? g_strdup (texts[i])
                                    : g_strconcat (texts[i], "\n", NULL);
      g_autofree char *reference = gmime_plain_part (normal, encoding);
      g_assert_cmpstr (entity, ==, reference);
      seen |= 1u << encoding;
    }
  g_assert_cmpuint (seen, ==,
                    (1u << GMIME_CONTENT_ENCODING_7BIT) | (1u << GMIME_CONTENT_ENCODING_BASE64) |
                        (1u << GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE));
  g_string_free (long_line, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The test parses with GMime too, through the same guarded init. */
  baton_mail_gmime_init ();
  g_test_add_func ("/mailbuild/plain", test_plain);
  g_test_add_func ("/mailbuild/plain-part-matches-gmime", test_plain_part_matches_gmime);
  g_test_add_func ("/mailbuild/defaults", test_defaults);
  g_test_add_func ("/mailbuild/non-ascii-round-trip", test_non_ascii_round_trip);
  g_test_add_func ("/mailbuild/html-alternative", test_html_alternative);
  g_test_add_func ("/mailbuild/encodings-and-wrapping", test_encodings_and_wrapping);
  g_test_add_func ("/mailbuild/subject-round-trips", test_subject_round_trips);
  g_test_add_func ("/mailbuild/raw-headers", test_raw_headers);
  g_test_add_func ("/mailbuild/kind-header", test_kind_header);
  g_test_add_func ("/mailbuild/random-header-text", test_random_header_text);
  g_test_add_func ("/mailbuild/injection-neutralized", test_injection_neutralized);
  g_test_add_func ("/mailbuild/bad-addresses-refused", test_bad_addresses_refused);
  g_test_add_func ("/mailbuild/address-valid", test_address_valid);
  g_test_add_func ("/mailbuild/unique-message-ids", test_unique_message_ids);
  g_test_add_func ("/mailbuild/many-references", test_many_references);
  g_test_add_func ("/mailbuild/init-threads", test_init_threads);
  return g_test_run ();
}
