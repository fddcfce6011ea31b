/* SPDX-License-Identifier: MIT */
/* The fallback key of mail without a Message-ID (issue 16): the same mail
 * delivered twice, with one more Received: and another Delivered-To:, gets
 * one key; anything the sender wrote still tells two mails apart. */
#include "baton/message.h"

#include <string.h>

static char *
key_of (const char *bytes)
{
  BatonMessageKey *key = baton_message_key_new ();
  baton_message_key_update (key, bytes, strlen (bytes));
  return baton_message_key_finish (key);
}

/* Fed one byte at a time: the pieces must not matter. */
static char *
key_bytewise (const char *bytes)
{
  BatonMessageKey *key = baton_message_key_new ();
  for (gsize i = 0; bytes[i] != '\0'; i++)
    baton_message_key_update (key, bytes + i, 1);
  return baton_message_key_finish (key);
}

#define FIRST                                                                                      \
  "Return-Path: <alice@example.com>\n"                                                             \
  "Delivered-To: team@example.com\n"                                                               \
  "Received: from mx1.example.com (mx1 [192.0.2.1])\n"                                             \
  "\tby imap.example.com with LMTP; Mon, 9 Mar 2026 18:05:02 +0100\n"                              \
  "From: alice@example.com\n"                                                                      \
  "To: team@example.com\n"                                                                         \
  "Subject: no id\n"                                                                               \
  "\n"                                                                                             \
  "task: Write the report\n"

/* The same mail after a second hop: one more Received (folded), another
 * Delivered-To and X-Original-To, the trace headers in another order. */
#define SECOND                                                                                     \
  "Received: from relay.example.net (relay [198.51.100.7])\n"                                      \
  " by mx1.example.com with ESMTPS id 42; Mon, 9 Mar 2026 18:05:01 +0100\n"                        \
  "Return-Path: <alice@example.com>\n"                                                             \
  "X-Original-To: team+take-1@example.com\n"                                                       \
  "Delivered-To: team+take-1@example.com\n"                                                        \
  "Received: from mx1.example.com (mx1 [192.0.2.1])\n"                                             \
  "\tby imap.example.com with LMTP; Mon, 9 Mar 2026 18:06:40 +0100\n"                              \
  "From: alice@example.com\n"                                                                      \
  "RECEIVED: by another.example.org; Mon, 9 Mar 2026 18:06:41 +0100\n"                             \
  "To: team@example.com\n"                                                                         \
  "Subject: no id\n"                                                                               \
  "\n"                                                                                             \
  "task: Write the report\n"

static void
test_trace_headers_ignored (void)
{
  g_autofree char *first = key_of (FIRST);
  g_autofree char *second = key_of (SECOND);
  g_assert_true (g_str_has_prefix (first, "sha256:"));
  g_assert_cmpstr (first, ==, second);
  g_autofree char *bytewise = key_bytewise (SECOND);
  g_assert_cmpstr (first, ==, bytewise);
}

static void
test_sender_bytes_count (void)
{
  g_autofree char *first = key_of (FIRST);
  g_autofree char *other_subject = key_of ("From: alice@example.com\nTo: team@example.com\n"
                                           "Subject: no id!\n\ntask: Write the report\n");
  g_autofree char *other_body = key_of ("From: alice@example.com\nTo: team@example.com\n"
                                        "Subject: no id\n\ntask: Write the reports\n");
  g_assert_cmpstr (first, !=, other_subject);
  g_assert_cmpstr (first, !=, other_body);
  /* A header whose name starts like a trace header is not one. */
  g_autofree char *a = key_of ("X-Received-By: one\n\nbody\n");
  g_autofree char *b = key_of ("X-Received-By: two\n\nbody\n");
  g_assert_cmpstr (a, !=, b);
}

/* In the body, "Received:" is text like any other. */
static void
test_body_untouched (void)
{
  g_autofree char *a = key_of ("From: a@example.com\n\nReceived: yes\n");
  g_autofree char *b = key_of ("From: a@example.com\n\nReceived: no\n");
  g_assert_cmpstr (a, !=, b);
  g_autofree char *crlf_a = key_of ("From: a@example.com\r\nReceived: x\r\n\r\nReceived: yes\r\n");
  g_autofree char *crlf_b =
      key_of ("Received: y\r\n z\r\nFrom: a@example.com\r\n\r\nReceived: yes\r\n");
  g_assert_cmpstr (crlf_a, ==, crlf_b);
  g_autofree char *crlf_c = key_of ("From: a@example.com\r\n\r\nReceived: no\r\n");
  g_assert_cmpstr (crlf_a, !=, crlf_c);
}

/* Lines without a colon, over-long names, a message of headers only. */
static void
test_odd_shapes (void)
{
  g_autofree char *long_name = g_strnfill (200, 'x');
  g_autofree char *text = g_strdup_printf ("%s: v\nFrom: a@b\n\nbody\n", long_name);
  g_autofree char *a = key_of (text);
  g_autofree char *b = key_bytewise (text);
  g_assert_cmpstr (a, ==, b);
  g_autofree char *headers_only_1 = key_of ("From: a@b\nSubject: one");
  g_autofree char *headers_only_2 = key_of ("From: a@b\nSubject: two");
  g_assert_cmpstr (headers_only_1, !=, headers_only_2);
  g_autofree char *cut_1 = key_of ("From: a@b\nSubj");
  g_autofree char *cut_2 = key_of ("From: a@b\nSubx");
  g_assert_cmpstr (cut_1, !=, cut_2);
  g_autofree char *no_colon_1 = key_of ("From a@b Mon Mar 9\nFrom: a@b\n\nx\n");
  g_autofree char *no_colon_2 = key_of ("From c@d Mon Mar 9\nFrom: a@b\n\nx\n");
  g_assert_cmpstr (no_colon_1, !=, no_colon_2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/message-key/trace-headers-ignored", test_trace_headers_ignored);
  g_test_add_func ("/message-key/sender-bytes-count", test_sender_bytes_count);
  g_test_add_func ("/message-key/body-untouched", test_body_untouched);
  g_test_add_func ("/message-key/odd-shapes", test_odd_shapes);
  return g_test_run ();
}
