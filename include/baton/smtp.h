/* SPDX-License-Identifier: MIT */
/* SMTP sending: the only door to libcurl.
 *
 * A sender holds ONE libcurl easy handle, so consecutive baton_smtp_send()
 * calls reuse one connection (one TLS handshake, one AUTH) for a whole batch
 * of notices; if the server closed it meanwhile, the next send reconnects.
 *
 * Security: smtps:// is TLS from the first byte; smtp:// must upgrade with
 * STARTTLS or the send fails, except with allow_plaintext on a loopback host
 * (then it talks plain). The server certificate and its name are always
 * verified (system CAs, or ca_file). The password is never logged and libcurl
 * verbose output is never enabled.
 *
 * Errors (BATON_ERROR), decided once here, used by the outbox retry policy:
 *   TEMPORARY    cannot connect, timeout, stall, connection lost, any 4xx
 *                reply, asked to stop (baton_net_stop(), net.h: every phase
 *                ends within a second of it)
 *   UNAVAILABLE  a 5xx reply (message, sender or recipient refused for good);
 *                the message quotes the server, printable ASCII only
 *   PERMISSION   credentials refused (535 and other AUTH failures)
 *   CONFIG       bad URL, untrusted certificate, no STARTTLS offered,
 *                plain text not allowed
 */
#pragma once
#include <glib.h>

/* All strings borrowed; baton_smtp_sender_new() copies them. */
typedef struct {
  const char *url;          /* "smtps://host[:465]" or "smtp://host[:587]" */
  gboolean allow_plaintext; /* smtp:// without TLS, only to a loopback host */
  const char *user;         /* NULL: no AUTH */
  const char *password;
  const char *ca_file;   /* PEM; NULL: the system CAs */
  guint timeout_seconds; /* connect and each server reply; 0: 30 */
} BatonSmtpSettings;

/* The slowest a send may move: under this many bytes a second for
 * timeout_seconds is a stalled connection (TEMPORARY). Each reply must also
 * be complete within timeout_seconds of its command. */
#define BATON_SMTP_MIN_RATE 1024

typedef struct BatonSmtpSender BatonSmtpSender;

/* Checks @settings and prepares a sender; does not connect yet (the first
 * send does). NULL with a BATON_ERROR_CONFIG @error when the settings cannot
 * work. Free with baton_smtp_sender_free(). */
BatonSmtpSender *baton_smtp_sender_new (const BatonSmtpSettings *settings, GError **error);

/* Sends one message: MAIL FROM:<@envelope_from>, RCPT TO: each of the
 * NULL-terminated @recipients (all must be accepted), DATA @mime_bytes
 * (@len bytes, a complete RFC 5322 message; bare LF line ends are sent as
 * CRLF, dot-stuffing is done here). FALSE with @error set on failure, classed
 * as described above; the message was then not accepted by the server. */
gboolean baton_smtp_send (BatonSmtpSender *sender, const char *envelope_from,
                          const char *const *recipients, const char *mime_bytes, gsize len,
                          GError **error);

/* Connects and logs in as a send would (greeting, EHLO, STARTTLS, AUTH)
 * and sends no message: for `baton check --connect`. FALSE with @error set,
 * classed as for baton_smtp_send(), when a step fails. The connection stays
 * open until baton_smtp_sender_free(). */
gboolean baton_smtp_probe (BatonSmtpSender *sender, GError **error);

/* Closes the connection (QUIT) and frees. NULL is fine. */
void baton_smtp_sender_free (BatonSmtpSender *sender);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonSmtpSender, baton_smtp_sender_free)
