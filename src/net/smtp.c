/* SPDX-License-Identifier: MIT */
/* SMTP sender over libcurl, the only file that includes it.
 *
 * Why one easy handle per sender: libcurl keeps the connection of an easy
 * handle open between transfers to the same URL, so a digest to thirty
 * people costs one TCP+TLS handshake and one AUTH instead of thirty.
 *
 * Why we read the server's words from the header callback: for SMTP libcurl
 * hands every reply line to it, while its own error text says only "RCPT
 * failed: 550". The reply is what tells a user why mail was refused.
 *
 * Why a progress callback: libcurl waits in its own poll(), which a signal
 * does not end; it calls the callback at least once a second in every
 * phase (name lookup, connect, TLS, each reply, the upload), and a nonzero
 * return aborts. So baton_net_stop() (SIGTERM) ends a send within a second.
 */
#define G_LOG_DOMAIN "baton-smtp"
#include "baton/smtp.h"

#include "baton/error.h"
#include "baton/net.h"

#include <curl/curl.h>
#include <string.h>

#define DEFAULT_TIMEOUT 30

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURL, curl_easy_cleanup)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURLU, curl_url_cleanup)
typedef struct curl_slist CurlList;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CurlList, curl_slist_free_all)

struct BatonSmtpSender {
  CURL *curl;          /* owned; keeps the connection */
  char *url;           /* owned */
  char *host;          /* owned; for messages */
  GString *reply;      /* the reply being received, sanitized */
  gboolean reply_done; /* the last line received ended a reply */
  GString *refusal;    /* this send's first 4xx/5xx reply: QUIT's "221" comes after */
  char errbuf[CURL_ERROR_SIZE];
};

typedef struct {
  const char *data; /* borrowed */
  gsize left;
} Upload;

static size_t
read_cb (char *buffer, size_t size, size_t nitems, void *user_data)
{
  Upload *up = user_data;
  size_t n = MIN (size * nitems, up->left);
  memcpy (buffer, up->data, n);
  up->data += n;
  up->left -= n;
  return n;
}

/* Aborts the transfer once baton was asked to stop (net.h). */
static int
progress_cb (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
             curl_off_t ulnow)
{
  (void) user_data, (void) dltotal, (void) dlnow, (void) ultotal, (void) ulnow;
  return baton_net_stop_requested () ? 1 : 0;
}

/* Collects reply lines ("250-…" continues, "250 …" ends a reply). */
static size_t
header_cb (char *buffer, size_t size, size_t nitems, void *user_data)
{
  BatonSmtpSender *s = user_data;
  size_t len = size * nitems;
  g_autofree char *line = g_strndup (buffer, len);
  g_autofree char *clean = baton_net_sanitize (line, 512);

  if (s->reply_done)
    g_string_truncate (s->reply, 0);
  if (s->reply->len > 0)
    g_string_append_c (s->reply, ' ');
  g_string_append (s->reply, clean);
  s->reply_done = !(len > 3 && buffer[3] == '-');
  if (s->reply_done && s->refusal->len == 0 && (buffer[0] == '4' || buffer[0] == '5'))
    g_string_assign (s->refusal, s->reply->str);
  return len;
}

static gboolean
global_init (GError **error)
{
  static gsize done = 0;
  static CURLcode result = CURLE_OK;
  if (g_once_init_enter (&done))
    {
      result = curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&done, 1);
    }
  if (result != CURLE_OK)
    g_set_error (error, BATON_ERROR, BATON_ERROR_SOFTWARE, "libcurl failed to start: %s",
                 curl_easy_strerror (result));
  return result == CURLE_OK;
}

/* ---- settings ---------------------------------------------------------- */

/* One part of a parsed URL, as a GLib string (libcurl's own is curl_free'd). */
static char *
url_part (CURLU *u, CURLUPart part)
{
  char *value = NULL;
  if (curl_url_get (u, part, &value, 0) != CURLUE_OK)
    return NULL;
  char *copy = g_strdup (value);
  curl_free (value);
  return copy;
}

/* Splits @url into scheme and host; CONFIG error if it is no SMTP URL.
 * Messages never quote the URL: it may carry a password. */
static gboolean
parse_url (const char *url, char **scheme, char **host, GError **error)
{
  g_autoptr (CURLU) u = curl_url ();
  if (url != NULL && u != NULL && curl_url_set (u, CURLUPART_URL, url, 0) == CURLUE_OK)
    {
      *scheme = url_part (u, CURLUPART_SCHEME);
      *host = url_part (u, CURLUPART_HOST);
    }
  if (*scheme == NULL || *host == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "url = in [smtp] is not a mail server URL: "
                   "write smtps://HOST or smtp://HOST:587");
      return FALSE;
    }
  if (g_ascii_strcasecmp (*scheme, "smtp") != 0 && g_ascii_strcasecmp (*scheme, "smtps") != 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "url = in [smtp] must start with smtps:// or smtp://, not %s://", *scheme);
      return FALSE;
    }
  return TRUE;
}

/* How TLS is required on smtp:// (smtps:// is TLS anyway). */
static gboolean
choose_tls (const BatonSmtpSettings *settings, const char *scheme, const char *host, long *use_ssl,
            GError **error)
{
  *use_ssl = CURLUSESSL_ALL;
  if (!settings->allow_plaintext)
    return TRUE;
  if (!baton_net_host_is_loopback (host))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "allow-plaintext in [smtp] applies only to a loopback server, not %s: "
                   "remove it, mail leaving this machine must be encrypted",
                   host);
      return FALSE;
    }
  /* Plain on loopback: a local relay's STARTTLS often has a certificate
   * nobody issued for "localhost", and the bytes never leave the machine. */
  if (g_ascii_strcasecmp (scheme, "smtp") == 0)
    *use_ssl = CURLUSESSL_NONE;
  return TRUE;
}

static void
set_options (BatonSmtpSender *s, const BatonSmtpSettings *settings, long use_ssl)
{
  long timeout = settings->timeout_seconds ? (long) settings->timeout_seconds : DEFAULT_TIMEOUT;
  CURL *c = s->curl;
  curl_easy_setopt (c, CURLOPT_URL, s->url);
  curl_easy_setopt (c, CURLOPT_USE_SSL, use_ssl);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (settings->ca_file != NULL)
    curl_easy_setopt (c, CURLOPT_CAINFO, settings->ca_file);
  if (settings->user != NULL)
    {
      curl_easy_setopt (c, CURLOPT_USERNAME, settings->user);
      curl_easy_setopt (c, CURLOPT_PASSWORD, settings->password ? settings->password : "");
    }
  curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, timeout);
  curl_easy_setopt (c, CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
  /* Each reply has the timeout as a whole (SERVER_RESPONSE_TIMEOUT counts
   * from the command, not from the last byte); a transfer that moves under
   * 1 KB/s for the timeout is stalled, as for IMAP (imap.h). */
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_LIMIT, (long) BATON_SMTP_MIN_RATE);
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_TIME, timeout);
  curl_easy_setopt (c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (c, CURLOPT_XFERINFOFUNCTION, progress_cb);
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (c, CURLOPT_HEADERDATA, s);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, s->errbuf);
}

BatonSmtpSender *
baton_smtp_sender_new (const BatonSmtpSettings *settings, GError **error)
{
  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *scheme = NULL, *host = NULL;
  long use_ssl;
  if (!global_init (error) || !parse_url (settings->url, &scheme, &host, error) ||
      !choose_tls (settings, scheme, host, &use_ssl, error))
    return NULL;

  g_autoptr (BatonSmtpSender) s = g_new0 (BatonSmtpSender, 1);
  s->url = g_strdup (settings->url);
  s->host = g_strdup (host);
  s->reply = g_string_new (NULL);
  s->refusal = g_string_new (NULL);
  g_autoptr (CURL) curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_set_error_literal (error, BATON_ERROR, BATON_ERROR_SOFTWARE, "libcurl: out of memory");
      return NULL;
    }
  s->curl = g_steal_pointer (&curl);
  set_options (s, settings, use_ssl);
  return g_steal_pointer (&s);
}

void
baton_smtp_sender_free (BatonSmtpSender *sender)
{
  if (sender == NULL)
    return;
  if (sender->curl != NULL)
    curl_easy_cleanup (sender->curl); /* sends QUIT on an open connection */
  g_free (sender->url);
  g_free (sender->host);
  if (sender->reply != NULL)
    g_string_free (sender->reply, TRUE);
  if (sender->refusal != NULL)
    g_string_free (sender->refusal, TRUE);
  g_free (sender);
}

/* ---- send -------------------------------------------------------------- */

/* @bytes with every bare LF made CRLF, or NULL when it has none (the common
 * case: GMime writes CRLF when asked). SMTP requires CRLF; many servers now
 * refuse bare LF. Caller frees. */
static char *
crlf_copy (const char *bytes, gsize len, gsize *out_len)
{
  gsize bare = 0;
  for (gsize i = 0; i < len; i++)
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
      bare++;
  if (bare == 0)
    return NULL;
  char *out = g_malloc (len + bare);
  gsize o = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r'))
        out[o++] = '\r';
      out[o++] = bytes[i];
    }
  *out_len = o;
  return out;
}

static BatonErrorCode
classify (CURLcode rc, long reply_code)
{
  if (reply_code >= 400 && reply_code < 500)
    return BATON_ERROR_TEMPORARY;
  switch (rc)
    {
      case CURLE_LOGIN_DENIED:
        return BATON_ERROR_PERMISSION;
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_USE_SSL_FAILED:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        return BATON_ERROR_CONFIG;
      case CURLE_OUT_OF_MEMORY:
        return BATON_ERROR_SOFTWARE;
      default:
        break;
    }
  if (reply_code >= 500 && reply_code < 600)
    return BATON_ERROR_UNAVAILABLE;
  /* Anything else (connect, timeout, lost connection, TLS trouble): the
   * message stays queued rather than being dropped. */
  return BATON_ERROR_TEMPORARY;
}

static void
set_send_error (BatonSmtpSender *s, CURLcode rc, long reply_code, GError **error)
{
  BatonErrorCode code = classify (rc, reply_code);
  const char *detail = s->errbuf[0] ? s->errbuf : curl_easy_strerror (rc);
  const char *what = s->refusal->len > 0 ? s->refusal->str : detail;

  switch (code)
    {
      case BATON_ERROR_PERMISSION:
        g_set_error (error, BATON_ERROR, code,
                     "SMTP server %s refused the login (%s): check user = and password-file = "
                     "(or password-command =) in [smtp]",
                     s->host, what);
        break;
      case BATON_ERROR_CONFIG:
        g_set_error (error, BATON_ERROR, code, "SMTP server %s: %s: %s", s->host, detail,
                     rc == CURLE_USE_SSL_FAILED
                         ? "it offers no STARTTLS, which url = smtp://… in [smtp] requires: use "
                           "url = smtps://… if it has TLS on another port (465), or, for a relay "
                           "on this machine only, allow-plaintext = yes"
                         : "if the server uses a private CA, set ca-file = in [smtp] to its PEM "
                           "file; if the certificate names another host, use that name in url =");
        break;
      case BATON_ERROR_UNAVAILABLE:
        g_set_error (error, BATON_ERROR, code, "SMTP server %s refused the message: %s", s->host,
                     what);
        break;
      default:
        if (rc == CURLE_ABORTED_BY_CALLBACK || baton_net_stop_requested ())
          g_set_error (error, BATON_ERROR, code,
                       "SMTP to %s interrupted: baton was asked to stop; it will be retried",
                       s->host);
        else
          g_set_error (error, BATON_ERROR, code, "SMTP server %s: %s; it will be retried", s->host,
                       what);
        break;
    }
}

gboolean
baton_smtp_send (BatonSmtpSender *sender, const char *envelope_from, const char *const *recipients,
                 const char *mime_bytes, gsize len, GError **error)
{
  g_return_val_if_fail (sender != NULL && envelope_from != NULL, FALSE);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, FALSE);
  g_return_val_if_fail (mime_bytes != NULL || len == 0, FALSE);

  if (baton_net_stop_requested ())
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "SMTP to %s not tried: baton was asked to stop; it will be retried",
                   sender->host);
      return FALSE;
    }
  g_autoptr (CurlList) rcpt = NULL;
  for (gsize i = 0; recipients[i] != NULL; i++)
    rcpt = curl_slist_append (g_steal_pointer (&rcpt), recipients[i]);
  gsize crlf_len = 0;
  g_autofree char *crlf = crlf_copy (mime_bytes, len, &crlf_len);
  Upload up = { crlf ? crlf : mime_bytes, crlf ? crlf_len : len };

  CURL *c = sender->curl;
  curl_easy_setopt (c, CURLOPT_MAIL_FROM, envelope_from);
  curl_easy_setopt (c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt (c, CURLOPT_READDATA, &up);
  curl_easy_setopt (c, CURLOPT_INFILESIZE_LARGE, (curl_off_t) up.left);
  sender->errbuf[0] = '\0';
  g_string_truncate (sender->reply, 0);
  g_string_truncate (sender->refusal, 0);
  sender->reply_done = TRUE;

  CURLcode rc = curl_easy_perform (c);
  long reply_code = 0;
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &reply_code);
  /* The list dies with this call: libcurl must not keep a dangling pointer. */
  curl_easy_setopt (c, CURLOPT_MAIL_RCPT, NULL);
  curl_easy_setopt (c, CURLOPT_READDATA, NULL);

  g_debug ("host=%s from=<%s> rcpts=%u size=%" G_GSIZE_FORMAT " result=%d reply=%ld", sender->host,
           envelope_from, g_strv_length ((char **) recipients), len, rc, reply_code);
  if (rc != CURLE_OK)
    {
      set_send_error (sender, rc, reply_code, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
baton_smtp_probe (BatonSmtpSender *sender, GError **error)
{
  g_return_val_if_fail (sender != NULL, FALSE);
  CURL *c = sender->curl;
  /* For SMTP, libcurl's connect phase is the greeting, EHLO, STARTTLS and
   * AUTH: CONNECT_ONLY stops right after them, before any MAIL FROM. */
  curl_easy_setopt (c, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt (c, CURLOPT_UPLOAD, 0L);
  sender->errbuf[0] = '\0';
  g_string_truncate (sender->reply, 0);
  g_string_truncate (sender->refusal, 0);
  sender->reply_done = TRUE;
  CURLcode rc = curl_easy_perform (c);
  long reply_code = 0;
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &reply_code);
  curl_easy_setopt (c, CURLOPT_CONNECT_ONLY, 0L);
  curl_easy_setopt (c, CURLOPT_UPLOAD, 1L);
  g_debug ("host=%s probe result=%d reply=%ld", sender->host, rc, reply_code);
  if (rc != CURLE_OK)
    {
      set_send_error (sender, rc, reply_code, error);
      return FALSE;
    }
  return TRUE;
}
