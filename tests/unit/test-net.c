/* SPDX-License-Identifier: MIT */
/* The pure checks the transports decide security with: which hosts may be
 * spoken to in plain text, and how server words are made safe to print. */
#include "baton/error.h"
#include "baton/imap.h"
#include "baton/net.h"
#include "baton/smtp.h"

#include <string.h>

static void
test_loopback (void)
{
  const char *yes[] = { "localhost", "LocalHost", "localhost.", "127.0.0.1",
                        "127.1.2.3", "::1",       "[::1]" };
  const char *no[] = {
    NULL,  "",     "mail.example.com", "localhost.example.com", "128.0.0.1", "10.0.0.1",
    "::2", "[::1", "0.0.0.0",          "127.0.0.1.example.com"
  };
  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (baton_net_host_is_loopback (yes[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    g_assert_false (baton_net_host_is_loopback (no[i]));
}

static void
test_sanitize (void)
{
  g_autofree char *a = baton_net_sanitize ("550 5.1.1 No such user\r\n", 100);
  g_assert_cmpstr (a, ==, "550 5.1.1 No such user");
  g_autofree char *b = baton_net_sanitize ("550 \x1b[31mred\x1b[0m \xc3\xa9t\xc3\xa9", 100);
  g_assert_cmpstr (b, ==, "550 ?[31mred?[0m ??t??");
  g_autofree char *c = baton_net_sanitize ("0123456789", 4);
  g_assert_cmpstr (c, ==, "0123");
  g_autofree char *d = baton_net_sanitize (NULL, 4);
  g_assert_cmpstr (d, ==, "");
}

/* Settings that cannot work are refused before any network traffic. */
static void
test_imap_refuses_plaintext (void)
{
  BatonImapSettings settings = {
    .host = "mail.example.com",
    .tls = BATON_IMAP_TLS_PLAIN,
    .allow_plaintext = TRUE,
    .user = "team@example.com",
    .password = "secret",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) session = baton_imap_connect (&settings, &error);
  g_assert_null (session);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "team@example.com"));
  g_assert_null (strstr (error->message, "secret"));
}

static void
test_smtp_refuses_bad_settings (void)
{
  const char *urls[] = { "http://mail.example.com", "mail.example.com", NULL };
  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      BatonSmtpSettings settings = { .url = urls[i] };
      g_autoptr (GError) error = NULL;
      g_autoptr (BatonSmtpSender) sender = baton_smtp_sender_new (&settings, &error);
      g_assert_null (sender);
      g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
    }
  BatonSmtpSettings plain = { .url = "smtp://user:pw@mail.example.com", .allow_plaintext = TRUE };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonSmtpSender) sender = baton_smtp_sender_new (&plain, &error);
  g_assert_null (sender);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_assert_null (strstr (error->message, "pw"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/loopback", test_loopback);
  g_test_add_func ("/net/sanitize", test_sanitize);
  g_test_add_func ("/imap/refuses-plaintext", test_imap_refuses_plaintext);
  g_test_add_func ("/smtp/refuses-bad-settings", test_smtp_refuses_bad_settings);
  return g_test_run ();
}
