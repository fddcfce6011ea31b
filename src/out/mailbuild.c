/* SPDX-License-Identifier: MIT */
/* One outgoing mail as bytes (see mailbuild.h).
 *
 * GMime builds the MIME body; the message headers are written here. Two
 * reasons. Safety: every header value is cleaned or validated and then
 * emitted token by token, so no outside text can end a header line, and
 * that guarantee does not depend on details of another library's writer.
 * Round trips: GMime 3.2's own encoder writes base64 encoded-words that its
 * own decoder garbles (a B word after one ending in '=' padding is
 * dropped: "« déploiement » ✓," comes back without " ✓,"), and baton reads
 * replies to its own mail with GMime. Q encoding round-trips everywhere.
 */
#define G_LOG_DOMAIN "baton-mailbuild"
#include "baton/mailbuild.h"

#include "baton/error.h"
#include "baton/message.h"
#include "baton/text.h"

#include "baton/gmime-autoptr.h"

#include <string.h>

/* Long References headers only cost bytes; the last few ids thread fine. */
#define MAX_REFERENCES 20
#define MAX_LINE 78
/* Longest encoded-word or plain word we emit: "Subject: " + 66 < 78. */
#define MAX_WORD 66

/* A character that could end a header line or confuse a reader of one. */
static gboolean
is_control (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029;
}

/* Header text with every run of control characters and blanks one space,
 * valid UTF-8, trimmed. Caller frees. */
static char *
clean_header_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (!is_control (c) && c != ' ')
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (out->len > 0 && out->str[out->len - 1] != ' ')
        g_string_append_c (out, ' ');
    }
  return g_strstrip (g_string_free (out, FALSE));
}

static gboolean
is_atext (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* dot-atom: atext runs separated by single dots. */
static gboolean
local_part_valid (const char *p, gsize len)
{
  if (len == 0 || len > 64 || p[0] == '.' || p[len - 1] == '.')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!(is_atext (p[i]) || (p[i] == '.' && p[i + 1] != '.')))
      return FALSE;
  return TRUE;
}

/* Dotted labels of letters, digits and inner hyphens. */
static gboolean
domain_valid (const char *domain)
{
  gsize len = strlen (domain);
  if (len == 0 || len > 253)
    return FALSE;
  gsize label = 0;
  for (gsize i = 0; i <= len; i++)
    {
      char c = domain[i];
      if (c == '.' || c == '\0')
        {
          if (label == 0 || label > 63 || domain[i - 1] == '-')
            return FALSE;
          label = 0;
        }
      else if (g_ascii_isalnum (c) || (c == '-' && label > 0))
        label++;
      else
        return FALSE;
    }
  return TRUE;
}

gboolean
baton_mail_address_valid (const char *text)
{
  if (text == NULL || strlen (text) > 254)
    return FALSE;
  const char *at = strrchr (text, '@');
  return at != NULL && local_part_valid (text, (gsize) (at - text)) && domain_valid (at + 1);
}

static gboolean
check_address (const char *address, const char *role, GError **error)
{
  if (baton_mail_address_valid (address))
    return TRUE;
  g_autofree char *shown = clean_header_text (address != NULL ? address : "(none)");
  g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
               "%s address \"%s\" is not a plain address like name@example.com", role, shown);
  return FALSE;
}

/* A message id without <>, or NULL when it is not plain printable ASCII
 * (then it is not worth threading on, and not safe to repeat). */
static char *
clean_message_id (const char *id)
{
  if (id == NULL)
    return NULL;
  g_autofree char *t = g_strstrip (g_strdup (id));
  char *p = t;
  gsize len = strlen (p);
  if (len >= 2 && p[0] == '<' && p[len - 1] == '>')
    {
      p[len - 1] = '\0';
      p++;
      len -= 2;
    }
  if (len == 0 || len > 250)
    return NULL;
  for (const char *q = p; *q != '\0'; q++)
    if ((guchar) *q <= 0x20 || (guchar) *q >= 0x7f || strchr ("<>()[],;:\\\"", *q) != NULL)
      return NULL;
  return g_strdup (p);
}

/* "baton.<time>.<96 random bits>@domain": unique without shared state. */
static char *
new_message_id (const char *domain)
{
  return g_strdup_printf ("baton.%" G_GINT64_MODIFIER "x.%08x%08x%08x@%s", g_get_real_time (),
                          g_random_int (), g_random_int (), g_random_int (), domain);
}

/* LF line ends, valid UTF-8: what the outbox stores. Caller frees. */
static char *
normalize_body (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  g_autofree char *lf = baton_text_lf (valid);
  GString *out = g_string_new (lf);
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* 7bit only when it survives any transport untouched: ASCII, short lines,
 * no trailing blanks (some relays strip them). Otherwise quoted-printable,
 * unless non-ASCII bytes are over a sixth of the text, where base64 is the
 * smaller of the two. */
static GMimeContentEncoding
choose_encoding (const char *text)
{
  gsize high = 0, total = 0, line = 0;
  gboolean long_line = FALSE, trailing_blank = FALSE;
  for (const char *p = text; *p != '\0'; p++, total++)
    {
      if ((guchar) *p >= 0x80)
        high++;
      if (*p == '\n')
        {
          trailing_blank |= line > 0 && (p[-1] == ' ' || p[-1] == '\t');
          line = 0;
        }
      else if (++line > MAX_LINE)
        long_line = TRUE;
    }
  if (high == 0 && !long_line && !trailing_blank)
    return GMIME_CONTENT_ENCODING_7BIT;
  return high * 6 > total ? GMIME_CONTENT_ENCODING_BASE64 : GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
}

/* The body goes in as UTF-8 bytes through a stream: the convenience
 * g_mime_text_part_set_text() would pick the "best" charset and convert,
 * and baton promises UTF-8 everywhere. */
static GMimeObject *
text_part (const char *subtype, const char *text)
{
  g_autofree char *body = normalize_body (text);
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (body, strlen (body));
  g_autoptr (GMimeDataWrapper) content =
      g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (GMIME_PART (part), content);
  g_mime_text_part_set_charset (part, "utf-8");
  g_mime_part_set_content_encoding (GMIME_PART (part), choose_encoding (body));
  return GMIME_OBJECT (part);
}

static GMimeObject *
body_part (const BatonMailSpec *spec)
{
  GMimeObject *plain = text_part ("plain", spec->text_body);
  if (spec->html_body == NULL)
    return plain;
  GMimeMultipart *alternative = g_mime_multipart_new_with_subtype ("alternative");
  g_mime_multipart_add (alternative, plain);
  g_object_unref (plain);
  g_autoptr (GMimeTextPart) html = GMIME_TEXT_PART (text_part ("html", spec->html_body));
  g_mime_multipart_add (alternative, GMIME_OBJECT (html));
  return GMIME_OBJECT (alternative);
}

static gboolean
check_addresses (const BatonMailSpec *spec, GError **error)
{
  if (!check_address (spec->from.address, "From", error))
    return FALSE;
  if (spec->n_to == 0 || spec->to == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA, "a mail needs at least one recipient");
      return FALSE;
    }
  for (gsize i = 0; i < spec->n_to; i++)
    if (!check_address (spec->to[i].address, "To", error))
      return FALSE;
  return spec->reply_to == NULL || check_address (spec->reply_to, "Reply-To", error);
}

/* ---- Header writing: values become tokens, tokens become folded lines. */

/* Appends "Name: tok tok ...", folding before a token that would pass
 * MAX_LINE. Never before the first token: a fold right after the colon is
 * legal but some readers then keep a leading space in the value. Tokens
 * are at most MAX_WORD long, so the first one fits after any of our
 * header names; only an outside message id longer than that can make a
 * long line, and it cannot be folded anyway. */
static void
append_header (GString *out, const char *name, GPtrArray *tokens)
{
  gsize line = strlen (name) + 1;
  g_string_append_printf (out, "%s:", name);
  for (guint i = 0; i < tokens->len; i++)
    {
      const char *token = tokens->pdata[i];
      gsize len = strlen (token);
      if (line + 1 + len > MAX_LINE && i > 0)
        {
          g_string_append_c (out, '\n');
          line = 0;
        }
      g_string_append_c (out, ' ');
      g_string_append (out, token);
      line += 1 + len;
    }
  g_string_append_c (out, '\n');
}

static void
append_simple_header (GString *out, const char *name, const char *value)
{
  g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (tokens, g_strdup (value));
  append_header (out, name, tokens);
}

/* Bytes that stay literal in a Q encoded-word, even inside a phrase. */
static gboolean
is_q_literal (guchar c)
{
  return g_ascii_isalnum (c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/* RFC 2047 Q encoded-words of at most MAX_WORD characters (the RFC allows
 * 75), never splitting a UTF-8 character; spaces travel inside as '_'. */
static void
add_encoded_words (GPtrArray *tokens, const char *text)
{
  const gsize max_payload = MAX_WORD - 12; /* 12: "=?UTF-8?Q?" and "?=" */
  g_autoptr (GString) payload = g_string_new (NULL);
  for (const char *p = text; *p != '\0';)
    {
      const char *next = g_utf8_next_char (p);
      g_autoptr (GString) chunk = g_string_new (NULL);
      for (const char *b = p; b < next; b++)
        {
          guchar c = (guchar) *b;
          if (c == ' ')
            g_string_append_c (chunk, '_');
          else if (is_q_literal (c))
            g_string_append_c (chunk, (char) c);
          else
            g_string_append_printf (chunk, "=%02X", c);
        }
      if (payload->len + chunk->len > max_payload)
        {
          g_ptr_array_add (tokens, g_strdup_printf ("=?UTF-8?Q?%s?=", payload->str));
          g_string_truncate (payload, 0);
        }
      g_string_append (payload, chunk->str);
      p = next;
    }
  if (payload->len > 0)
    g_ptr_array_add (tokens, g_strdup_printf ("=?UTF-8?Q?%s?=", payload->str));
}

static void
add_words (GPtrArray *tokens, const char *text)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (tokens, g_strdup (words[i]));
}

/* Plain words when the text is ASCII that no reader could take for an
 * encoded-word and every word fits a line; encoded-words otherwise. */
static gboolean
words_need_encoding (const char *text)
{
  gsize word = 0;
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80 || (p[0] == '=' && p[1] == '?'))
        return TRUE;
      word = *p == ' ' ? 0 : word + 1;
      if (word > MAX_WORD)
        return TRUE;
    }
  return FALSE;
}

/* Tokens for unstructured text (Subject, X-Loop); text is cleaned. */
static void
add_unstructured (GPtrArray *tokens, const char *text)
{
  if (words_need_encoding (text))
    add_encoded_words (tokens, text);
  else
    add_words (tokens, text);
}

/* Tokens for a display name (cleaned): atoms when they are, a quoted
 * string for short ASCII with specials, encoded-words for the rest. */
static void
add_phrase (GPtrArray *tokens, const char *name)
{
  gboolean atoms = TRUE, ascii = TRUE;
  for (const char *p = name; *p != '\0'; p++)
    {
      atoms &= is_atext (*p) || *p == ' ';
      ascii &= (guchar) *p < 0x80;
    }
  if (atoms && !words_need_encoding (name))
    {
      add_words (tokens, name);
      return;
    }
  /* The quoted string must fit a token (MAX_WORD) with its escapes: a
   * name of 40 '"' was 82 characters quoted, on a 95-character line
   * (found by fuzz-mailbuild). */
  g_autoptr (GString) quoted = g_string_new ("\"");
  for (const char *p = name; *p != '\0' && quoted->len <= MAX_WORD; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');
  if (ascii && quoted->len <= MAX_WORD && strstr (name, "=?") == NULL)
    g_ptr_array_add (tokens, g_string_free (g_steal_pointer (&quoted), FALSE));
  else
    add_encoded_words (tokens, name);
}

/* One mailbox of an address list; `last` decides the separating comma. */
static void
add_mailbox (GPtrArray *tokens, const char *display, const char *address, gboolean last)
{
  g_autofree char *name = clean_header_text (display);
  if (*name != '\0')
    {
      add_phrase (tokens, name);
      g_ptr_array_add (tokens, g_strdup_printf ("<%s>%s", address, last ? "" : ","));
    }
  else
    g_ptr_array_add (tokens, g_strdup_printf ("%s%s", address, last ? "" : ","));
}

static void
append_mailbox_header (GString *out, const char *header, const BatonMailbox *boxes, gsize n)
{
  g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  for (gsize i = 0; i < n; i++)
    add_mailbox (tokens, boxes[i].name, boxes[i].address, i + 1 == n);
  append_header (out, header, tokens);
}

/* RFC 5322 date in UTC; English names whatever the locale. */
static char *
format_date (gint64 unix_time)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (unix_time);
  if (t == NULL)
    t = g_date_time_new_from_unix_utc (0);
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (t) - 1],
                          g_date_time_get_day_of_month (t), months[g_date_time_get_month (t) - 1],
                          g_date_time_get_year (t), g_date_time_get_hour (t),
                          g_date_time_get_minute (t), g_date_time_get_second (t));
}

GBytes *
baton_mail_restamp_date (GBytes *mime, gint64 unix_time)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (mime, &size);
  const char *header_end = g_strstr_len (data, size, "\n\r\n");
  if (header_end == NULL)
    header_end = g_strstr_len (data, size, "\n\n");
  gsize header_size = header_end != NULL ? (gsize) (header_end - data) : size;
  for (gsize at = 0; at < header_size;)
    {
      const char *line_end = memchr (data + at, '\n', header_size - at);
      gsize next = line_end != NULL ? (gsize) (line_end - data) : header_size;
      if (next - at >= 5 && g_ascii_strncasecmp (data + at, "Date:", 5) == 0)
        {
          gsize value_end = next > at && data[next - 1] == '\r' ? next - 1 : next;
          g_autofree char *date = format_date (unix_time);
          GString *out = g_string_new_len (data, at);
          g_string_append_printf (out, "Date: %s", date);
          g_string_append_len (out, data + value_end, size - value_end);
          return g_string_free_to_bytes (out);
        }
      at = next + 1;
    }
  return g_bytes_ref (mime);
}

static void
append_threading (GString *out, const BatonMailSpec *spec)
{
  g_autofree char *parent = clean_message_id (spec->in_reply_to);
  if (parent != NULL)
    {
      g_autofree char *value = g_strdup_printf ("<%s>", parent);
      append_simple_header (out, "In-Reply-To", value);
    }
  if (spec->references == NULL)
    return;
  g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  gsize n = g_strv_length ((char **) spec->references);
  for (gsize i = n > MAX_REFERENCES ? n - MAX_REFERENCES : 0; i < n; i++)
    {
      g_autofree char *id = clean_message_id (spec->references[i]);
      if (id != NULL)
        g_ptr_array_add (tokens, g_strdup_printf ("<%s>", id));
    }
  if (tokens->len > 0)
    append_header (out, "References", tokens);
}

/* X-Baton-Kind: one token people filter on; only [A-Za-z0-9-] survive, so
 * no caller can put a break or a second header through it. */
static void
append_kind (GString *out, const char *kind)
{
  if (kind == NULL)
    return;
  g_autoptr (GString) token = g_string_new (NULL);
  for (const char *p = kind; *p != '\0' && token->len < 40; p++)
    if (g_ascii_isalnum (*p) || *p == '-')
      g_string_append_c (token, *p);
  if (token->len > 0)
    append_simple_header (out, "X-Baton-Kind", token->str);
}

static void
append_headers (GString *out, const BatonMailSpec *spec, const char *message_id)
{
  g_autofree char *date = format_date (spec->date_unix);
  append_simple_header (out, "Date", date);
  append_mailbox_header (out, "From", &spec->from, 1);
  append_mailbox_header (out, "To", spec->to, spec->n_to);
  if (spec->reply_to != NULL)
    {
      BatonMailbox reply = { NULL, spec->reply_to };
      append_mailbox_header (out, "Reply-To", &reply, 1);
    }
  g_autofree char *subject = clean_header_text (spec->subject);
  g_autoptr (GPtrArray) subject_tokens = g_ptr_array_new_with_free_func (g_free);
  add_unstructured (subject_tokens, subject);
  append_header (out, "Subject", subject_tokens);
  g_autofree char *id = g_strdup_printf ("<%s>", message_id);
  append_simple_header (out, "Message-ID", id);
  append_threading (out, spec);
  append_simple_header (out, "MIME-Version", "1.0");
  append_simple_header (out, "Auto-Submitted", "auto-generated");
  g_autofree char *loop =
      clean_header_text (spec->x_loop != NULL ? spec->x_loop : spec->from.address);
  g_autoptr (GPtrArray) loop_tokens = g_ptr_array_new_with_free_func (g_free);
  add_unstructured (loop_tokens, loop);
  append_header (out, "X-Loop", loop_tokens);
  append_kind (out, spec->kind);
}

/* A lone text/plain part, as every notice and reply is: written here, with
 * GMime's encoder for the content, because building GMime objects to
 * serialize 1 KB of text was half the cost of queueing a notice. The bytes
 * are those GMime's writer gives (test-mailbuild compares the two). */
static char *
serialize_plain (const char *text)
{
  g_autofree char *body = normalize_body (text);
  GMimeContentEncoding encoding = choose_encoding (body);
  GString *out = g_string_new ("Content-Type: text/plain; charset=utf-8\n"
                               "Content-Transfer-Encoding: ");
  g_string_append (out, g_mime_content_encoding_to_string (encoding));
  g_string_append (out, "\n\n");
  gsize length = strlen (body);
  if (encoding == GMIME_CONTENT_ENCODING_7BIT)
    {
      g_string_append_len (out, body, length);
      return g_string_free (out, FALSE);
    }
  GMimeEncoding state;
  g_mime_encoding_init_encode (&state, encoding);
  gsize start = out->len;
  g_string_set_size (out, start + g_mime_encoding_outlen (&state, length));
  gsize written = g_mime_encoding_flush (&state, body, length, out->str + start);
  g_string_truncate (out, start + written);
  return g_string_free (out, FALSE);
}

/* The body entity (its Content-* headers, a blank line, the content). */
static char *
serialize_body (const BatonMailSpec *spec)
{
  baton_mail_gmime_init ();
  if (spec->html_body == NULL)
    return serialize_plain (spec->text_body);
  GMimeObject *body = body_part (spec);
  /* Explicit options: the process-wide defaults are shared with message.c
   * and must not decide our line endings. */
  GMimeFormatOptions *options = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_UNIX);
  char *text = g_mime_object_to_string (body, options);
  g_mime_format_options_free (options);
  g_object_unref (body);
  return text;
}

char *
baton_mail_build (const BatonMailSpec *spec, char **message_id_out, gsize *len_out, GError **error)
{
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (!check_addresses (spec, error))
    return NULL;
  const char *domain = spec->message_id_domain != NULL ? spec->message_id_domain
                                                       : strrchr (spec->from.address, '@') + 1;
  if (!domain_valid (domain))
    {
      g_autofree char *shown = clean_header_text (domain);
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
                   "\"%s\" cannot be a Message-ID domain: use a domain like example.com", shown);
      return NULL;
    }

  g_autofree char *message_id = new_message_id (domain);
  GString *out = g_string_new (NULL);
  append_headers (out, spec, message_id);
  g_autofree char *body = serialize_body (spec);
  g_string_append (out, body);

  if (len_out != NULL)
    *len_out = out->len;
  if (message_id_out != NULL)
    *message_id_out = g_steal_pointer (&message_id);
  return g_string_free (out, FALSE);
}
