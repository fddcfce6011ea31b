/* SPDX-License-Identifier: MIT */
/* The key of a message without a Message-ID: a SHA-256 of its bytes without
 * the trace headers that servers add or rewrite in transit.
 *
 * The same mail delivered twice (a retried SMTP transaction, a forward, a
 * second MX) differs only in those: one more Received:, another
 * Delivered-To:. A hash of the raw bytes saw two mails and applied the
 * commands twice. Every other byte counts, so two mails that differ in
 * anything a sender wrote keep different keys.
 *
 * Streamed a byte run at a time in one pass, so a file-backed message is
 * hashed without being read into memory and the cost stays linear. */
#define G_LOG_DOMAIN "baton-message"
#include "baton/message.h"

#include <string.h>

/* Header names, lowercase; a trailing '*' matches any rest. */
static const char *const trace_headers[] = {
  "received",
  "x-received",
  "return-path",
  "delivered-to",
  "x-delivered-to",
  "x-original-to",
  "envelope-to",
  "x-envelope-to",
  "received-spf",
  "authentication-results",
  "arc-seal",
  "arc-message-signature",
  "arc-authentication-results",
  "x-spam-*",
  "x-virus-scanned",
  "x-rspamd-*",
  "status",
  "x-status",
  "x-uid",
  "x-keywords",
  "x-mozilla-status*",
  "content-length",
  "lines",
};

/* Longer names are no trace header: such a line is kept as it is. */
#define NAME_MAX_BYTES 64

typedef enum { AT_LINE_START, IN_NAME, IN_KEPT, IN_SKIPPED, IN_BODY } State;

struct _BatonMessageKey {
  GChecksum *checksum;
  State state;
  gboolean last_skipped; /* the header that continuation lines belong to */
  char name[NAME_MAX_BYTES];
  gsize name_len;
};

static gboolean
is_trace_header (const char *name, gsize len)
{
  while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
    len--;
  for (guint i = 0; i < G_N_ELEMENTS (trace_headers); i++)
    {
      const char *want = trace_headers[i];
      gsize want_len = strlen (want);
      gboolean prefix = want[want_len - 1] == '*';
      if (prefix)
        want_len--;
      if ((prefix ? len >= want_len : len == want_len) &&
          g_ascii_strncasecmp (name, want, want_len) == 0)
        return TRUE;
    }
  return FALSE;
}

BatonMessageKey *
baton_message_key_new (void)
{
  BatonMessageKey *key = g_new0 (BatonMessageKey, 1);
  key->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  key->state = AT_LINE_START;
  return key;
}

static void
feed (BatonMessageKey *key, const char *bytes, gsize len)
{
  if (len > 0)
    g_checksum_update (key->checksum, (const guchar *) bytes, len);
}

/* The name buffered so far goes into the hash, and the line is kept. */
static void
keep_name (BatonMessageKey *key)
{
  feed (key, key->name, key->name_len);
  key->name_len = 0;
  key->last_skipped = FALSE;
}

/* One byte of a line start or a header name: decides what the line is. */
static void
step_name (BatonMessageKey *key, char c)
{
  if (key->state == AT_LINE_START && (c == ' ' || c == '\t'))
    {
      key->state = key->last_skipped ? IN_SKIPPED : IN_KEPT;
      if (!key->last_skipped)
        feed (key, &c, 1);
      return;
    }
  key->state = IN_NAME;
  if (c == '\n')
    {
      /* An empty line ("\n" or "\r\n") ends the header; a line without a
       * colon is kept as it is. */
      gboolean blank = key->name_len == 0 || (key->name_len == 1 && key->name[0] == '\r');
      keep_name (key);
      feed (key, &c, 1);
      key->state = blank ? IN_BODY : AT_LINE_START;
      return;
    }
  if (c == ':')
    {
      if (is_trace_header (key->name, key->name_len))
        {
          key->name_len = 0;
          key->last_skipped = TRUE;
          key->state = IN_SKIPPED;
          return;
        }
      keep_name (key);
      feed (key, &c, 1);
      key->state = IN_KEPT;
      return;
    }
  key->name[key->name_len++] = c;
  if (key->name_len == sizeof key->name)
    {
      keep_name (key);
      key->state = IN_KEPT;
    }
}

void
baton_message_key_update (BatonMessageKey *key, const char *bytes, gsize len)
{
  gsize i = 0;
  while (i < len)
    {
      if (key->state == IN_BODY)
        {
          feed (key, bytes + i, len - i);
          return;
        }
      if (key->state == IN_KEPT || key->state == IN_SKIPPED)
        {
          /* The rest of the line in one run. */
          const char *end = memchr (bytes + i, '\n', len - i);
          gsize run = end ? (gsize) (end - (bytes + i)) + 1 : len - i;
          if (key->state == IN_KEPT)
            feed (key, bytes + i, run);
          i += run;
          if (end != NULL)
            key->state = AT_LINE_START;
          continue;
        }
      step_name (key, bytes[i++]);
    }
}

char *
baton_message_key_finish (BatonMessageKey *key)
{
  /* A header cut off mid-name (a message of headers only) still counts. */
  if (key->state == AT_LINE_START || key->state == IN_NAME)
    feed (key, key->name, key->name_len);
  char *result = g_strdup_printf ("sha256:%s", g_checksum_get_string (key->checksum));
  baton_message_key_free (key);
  return result;
}

void
baton_message_key_free (BatonMessageKey *key)
{
  if (key == NULL)
    return;
  g_checksum_free (key->checksum);
  g_free (key);
}
