/* SPDX-License-Identifier: MIT */
/* Building one outgoing mail as bytes, ready for the outbox.
 *
 * Pure: struct in, RFC 5322 bytes out. GMime builds the MIME body inside
 * and none of its objects leave this module; the headers are written here
 * (RFC 2047 Q encoded-words, which GMime 3.2 itself decodes reliably).
 * The bytes use LF line endings (how the outbox stores them and how a
 * Maildir file holds them); the SMTP sender converts to CRLF on the wire.
 * Every line is at most 78 characters, save one holding a single outside
 * message id longer than that (ids cannot be folded).
 *
 * Nothing a member or a peer wrote can add a header: control characters
 * (CR, LF, NUL, the rest of C0, DEL, C1, U+2028/U+2029) in display names,
 * the subject and the X-Loop marker become one space per run; addresses
 * must be plain addr-specs or the build fails; message ids for threading
 * are dropped unless they are plain printable ASCII.
 */
#pragma once
#include <glib.h>

typedef struct {
  const char *name;    /* display name, UTF-8, may be NULL; borrowed */
  const char *address; /* plain addr-spec "local@domain", ASCII; borrowed */
} BatonMailbox;

typedef struct {
  BatonMailbox from;
  const BatonMailbox *to; /* n_to recipients, n_to >= 1; borrowed */
  gsize n_to;
  const char *reply_to;          /* addr-spec or NULL */
  const char *subject;           /* UTF-8; NULL means empty */
  const char *text_body;         /* UTF-8; required (may be "") */
  const char *html_body;         /* UTF-8 or NULL: with it, multipart/alternative */
  const char *message_id_domain; /* right side of our Message-ID; NULL: from's domain */
  const char *in_reply_to;       /* message id with or without <>, or NULL */
  const char *const *references; /* NULL-terminated message ids, or NULL */
  const char *x_loop;            /* loop marker; NULL: the from address */
  gint64 date_unix;              /* Date header; pass baton_clock_now_unix () */
  const char *kind;              /* X-Baton-Kind (digest, handoff, reply, ...) or NULL */
} BatonMailSpec;

/* Builds the complete message: From, To, Reply-To, Subject (encoded-words
 * where not ASCII), Date (UTC), a new Message-ID in our own domain
 * (random + time), In-Reply-To/References when given (at most the last 20),
 * MIME-Version, Auto-Submitted: auto-generated, X-Loop, X-Baton-Kind when
 * kind is set (letters, digits and hyphens kept, the rest dropped, so that
 * sieve and procmail can filter on it), and a UTF-8
 * text/plain body, or multipart/alternative (text/plain, then text/html)
 * when html_body is set. Bodies are 7bit when plain short-lined ASCII,
 * otherwise quoted-printable, or base64 when mostly non-ASCII.
 *
 * Returns the message (NUL-terminated, caller frees with g_free), its
 * length in *len_out (may be NULL) and the new Message-ID without angle
 * brackets in *message_id_out (may be NULL; caller frees). On failure
 * returns NULL, sets BATON_ERROR_DATA (an address that is not a plain
 * addr-spec, no recipient, a bad message-id domain) and leaves the out
 * parameters untouched. */
char *baton_mail_build (const BatonMailSpec *spec, char **message_id_out, gsize *len_out,
                        GError **error);

/* @mime (a message this module built) with its Date: header set to
 * @unix_time: a notice held for the morning is dated when it goes out,
 * not when it was queued. A new reference the caller unrefs; @mime itself
 * (another reference) when it has no Date: header. */
GBytes *baton_mail_restamp_date (GBytes *mime, gint64 unix_time);

/* TRUE when text is a plain addr-spec this module accepts: dot-atom local
 * part, '@', a domain of letters, digits and hyphens in dotted labels. */
gboolean baton_mail_address_valid (const char *text);
