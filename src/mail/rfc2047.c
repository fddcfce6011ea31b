/* SPDX-License-Identifier: MIT */
/* Encoded-word (RFC 2047) decoding for the headers baton shows and stores.
 *
 * Why not GMime's decoder: GMime 3.2 joins the base64 text of adjacent
 * encoded-words before decoding it, so when the first word ends in '='
 * padding the rest is lost ("=?UTF-8?B?wrs=?= =?UTF-8?B?IOKckyw=?=" comes
 * out as "»" instead of "» ✓,"), and mail clients split long subjects
 * exactly like that. Here each word is decoded on its own, and the bytes of
 * adjacent words in one charset are joined before conversion, so a
 * character split across two words still comes out whole. */
#define G_LOG_DOMAIN "baton-message"
#include "baton/message.h"

#include <string.h>

typedef struct {
  GString *out;      /* UTF-8 text so far */
  GByteArray *bytes; /* decoded bytes of the current run of encoded-words */
  char *charset;     /* their charset */
} Decoder;

static void
flush_run (Decoder *decoder)
{
  if (decoder->bytes->len == 0)
    return;
  /* No error: an unknown charset or bad bytes in a stranger's header are
   * not a failure to report; the text is shown as valid UTF-8 instead. */
  g_autofree char *text = g_convert ((const char *) decoder->bytes->data, decoder->bytes->len,
                                     "UTF-8", decoder->charset, NULL, NULL, NULL);
  if (text == NULL)
    text = g_utf8_make_valid ((const char *) decoder->bytes->data, decoder->bytes->len);
  g_string_append (decoder->out, text);
  g_byte_array_set_size (decoder->bytes, 0);
}

static void
decode_q (GByteArray *into, const char *text, gsize length)
{
  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = (guint8) text[i];
      if (text[i] == '_')
        byte = ' ';
      else if (text[i] == '=' && i + 2 < length && g_ascii_isxdigit (text[i + 1]) &&
               g_ascii_isxdigit (text[i + 2]))
        {
          byte = (guint8) (g_ascii_xdigit_value (text[i + 1]) * 16 +
                           g_ascii_xdigit_value (text[i + 2]));
          i += 2;
        }
      g_byte_array_append (into, &byte, 1);
    }
}

static void
decode_b (GByteArray *into, const char *text, gsize length)
{
  g_autofree char *copy = g_strndup (text, length);
  gsize size = 0;
  g_autofree guchar *data = g_base64_decode (copy, &size);
  g_byte_array_append (into, data, size);
}

/* The first '?' from P, or NULL when whitespace or the end of the value
 * comes first. An encoded-word holds no whitespace, so no search ever
 * passes one: searching to the end of the value instead made a Subject of
 * 100,000 "=?x?Q?a " take 31 s, each unfinished word rescanning the rest. */
static const char *
word_question_mark (const char *p)
{
  for (; *p != '\0' && !g_ascii_isspace (*p); p++)
    if (*p == '?')
      return p;
  return NULL;
}

/* Parses "=?charset?X?text?=" at P; returns its end or NULL. */
static const char *
parse_word (const char *p, char **charset, char *encoding, const char **text, gsize *length)
{
  if (p[0] != '=' || p[1] != '?')
    return NULL;
  const char *charset_end = word_question_mark (p + 2);
  if (charset_end == NULL || charset_end[1] == '\0' || charset_end[2] != '?')
    return NULL;
  const char *end = word_question_mark (charset_end + 3);
  if (end == NULL || end[1] != '=')
    return NULL;
  *encoding = g_ascii_toupper (charset_end[1]);
  if (*encoding != 'B' && *encoding != 'Q')
    return NULL;
  g_autofree char *name = g_strndup (p + 2, charset_end - p - 2);
  char *language = strchr (name, '*'); /* RFC 2231: charset*language */
  if (language)
    *language = '\0';
  *charset = g_ascii_strup (name, -1);
  *text = charset_end + 3;
  *length = end - charset_end - 3;
  return end + 2;
}

/* Unfolds raw header TEXT in place (RFC 5322 2.2.3: a line break followed
 * by a blank is removed, the blank stays) and turns any other CR or LF
 * into a space. Turning folds into spaces instead doubled the space at
 * every fold (found by fuzz-mailbuild on a long subject). What
 * encoded-words decode to is left as it is: the database keeps the
 * original, and whatever prints it strips line breaks. */
static void
unfold (char *text)
{
  char *out = text;
  for (const char *p = text; *p;)
    {
      if (*p != '\r' && *p != '\n')
        {
          *out++ = *p++;
          continue;
        }
      while (*p == '\r' || *p == '\n')
        p++;
      if (*p != ' ' && *p != '\t')
        *out++ = ' ';
    }
  *out = '\0';
}

char *
baton_message_decode_header (const char *raw)
{
  if (raw == NULL)
    return NULL;
  Decoder decoder = { g_string_new (NULL), g_byte_array_new (), NULL };
  g_autofree char *unfolded = g_strdup (raw);
  unfold (unfolded);
  const char *p = unfolded, *pending_space = NULL;
  while (*p)
    {
      g_autofree char *charset = NULL;
      char encoding;
      const char *text;
      gsize length;
      const char *end = parse_word (p, &charset, &encoding, &text, &length);
      if (end != NULL)
        {
          /* Whitespace between two encoded-words is not part of the text. */
          if (decoder.charset == NULL || g_strcmp0 (decoder.charset, charset) != 0)
            {
              flush_run (&decoder);
              g_free (decoder.charset);
              decoder.charset = g_strdup (charset);
            }
          if (encoding == 'B')
            decode_b (decoder.bytes, text, length);
          else
            decode_q (decoder.bytes, text, length);
          pending_space = NULL;
          p = end;
          continue;
        }
      if (g_ascii_isspace (*p) && decoder.bytes->len > 0)
        {
          pending_space = pending_space ? pending_space : p;
          p++;
          continue;
        }
      flush_run (&decoder);
      g_clear_pointer (&decoder.charset, g_free);
      if (pending_space)
        g_string_append_len (decoder.out, pending_space, p - pending_space);
      pending_space = NULL;
      g_string_append_c (decoder.out, *p);
      p++;
    }
  flush_run (&decoder);
  g_free (decoder.charset);
  g_byte_array_unref (decoder.bytes);
  char *decoded = g_string_free (decoder.out, FALSE);
  if (!g_utf8_validate (decoded, -1, NULL))
    {
      char *valid = g_utf8_make_valid (decoded, -1);
      g_free (decoded);
      decoded = valid;
    }
  return decoded;
}
