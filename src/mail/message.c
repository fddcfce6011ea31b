/* SPDX-License-Identifier: MIT */
/* Incoming mail with GMime: which text the sender wrote, who sent it, what
 * it answers, and whether a machine wrote it.
 *
 * The text part is chosen the way a reader's client shows it: the first
 * inline text/plain outside any attached message, else the first inline
 * text/html turned into text. Attached messages (forwards) are never read:
 * their commands were written by someone else. */
#define G_LOG_DOMAIN "baton-message"
#include "baton/message.h"

#include "baton/error.h"
#include "baton/html.h"
#include "baton/text.h"
#include "baton/visible.h"

#include "baton/gmime-autoptr.h"
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <unistd.h>

static gpointer
init_once (gpointer data G_GNUC_UNUSED)
{
  g_mime_init ();
  return NULL;
}

void
baton_mail_gmime_init (void)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, init_once, NULL);
}

/* Deeper MIME nesting than this is hostile, not mail; we stop looking. */
#define MAX_PART_DEPTH 32

void
baton_message_free (BatonMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->message_id);
  g_free (message->from_address);
  g_free (message->from_name);
  g_free (message->subject);
  g_strfreev (message->references);
  g_strfreev (message->recipients);
  g_strfreev (message->x_loop);
  g_strfreev (message->auth_results);
  g_free (message->auto_reason);
  g_free (message->body_text);
  g_free (message->visible_text);
  baton_fingerprint_free (message->fingerprint);
  g_free (message);
}

/* What malloc adds to every allocation, near enough. */
#define ALLOCATION_OVERHEAD 16

static gsize
string_memory (const char *text)
{
  return text != NULL ? strlen (text) + 1 + ALLOCATION_OVERHEAD : 0;
}

static gsize
strv_memory (char **strv)
{
  gsize total = ALLOCATION_OVERHEAD + sizeof (char *);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    total += sizeof (char *) + string_memory (strv[i]);
  return total;
}

static gsize
fingerprint_memory (const BatonFingerprint *fingerprint)
{
  if (fingerprint == NULL)
    return 0;
  return sizeof *fingerprint + 2 * ALLOCATION_OVERHEAD +
         fingerprint->hashes->len * sizeof (guint32);
}

gsize
baton_message_memory (const BatonMessage *message)
{
  if (message == NULL)
    return 0;
  return sizeof *message + ALLOCATION_OVERHEAD + string_memory (message->message_id) +
         string_memory (message->from_address) + string_memory (message->from_name) +
         string_memory (message->subject) + strv_memory (message->references) +
         strv_memory (message->recipients) + strv_memory (message->x_loop) +
         strv_memory (message->auth_results) + string_memory (message->auto_reason) +
         string_memory (message->body_text) + string_memory (message->visible_text) +
         fingerprint_memory (message->fingerprint);
}

/* Mail starts with a header field ("Name: value", or the obsolete
 * "Name : value" of RFC 5322 section 4.5); anything else, such as a bare
 * body, is not a message and must not be guessed at. */
static gboolean
starts_with_header (const char *data, gsize length)
{
  gsize i = 0;
  while (i < length && data[i] > ' ' && data[i] < 127 && data[i] != ':')
    i++;
  gsize name_length = i;
  while (i < length && (data[i] == ' ' || data[i] == '\t'))
    i++;
  return name_length > 0 && i < length && data[i] == ':';
}

/* Windows editors save .eml files with a UTF-8 byte order mark. */
static gsize
skip_byte_order_mark (const char *data, gsize length)
{
  return length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/* GMime's parser compares every line that starts with "--" against every
 * multipart boundary still open, so its time grows with their product:
 * MIME nested 1,000 deep around a million "--" lines takes 10 s, and a
 * bigger mail minutes, while baton holds the database's write lock. A
 * person's mail has a few multipart parts and a few hundred such lines;
 * this budget (about half a second of parsing) is three orders above. */
#define MAX_BOUNDARY_WORK 50000000

/* Below this size the budget cannot be exceeded, so the scan is skipped:
 * a multipart header takes at least 23 bytes ("content-type:multipart\n")
 * and a "--" line at least 3, so N bytes hold at most (N/23) x (N/3) pairs,
 * which stays under MAX_BOUNDARY_WORK up to 58,000 bytes. */
#define SMALL_ENOUGH_NOT_TO_STALL 58000

/* "Content-Type:" (also the obsolete "Content-Type :"), any case. */
static gboolean
is_content_type_line (const char *line, const char *end)
{
  static const char name[] = "content-type";
  gsize n = sizeof name - 1;
  /* The first byte rules out nearly every line (base64, text) at once. */
  if ((gsize) (end - line) < n || (line[0] | 0x20) != 'c' ||
      g_ascii_strncasecmp (line, name, n) != 0)
    return FALSE;
  const char *p = line + n;
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p < end && *p == ':';
}

static gboolean
mentions_multipart (const char *line, const char *end)
{
  for (const char *p = line; p + 9 <= end; p++)
    if (g_ascii_strncasecmp (p, "multipart", 9) == 0)
      return TRUE;
  return FALSE;
}

/* GMime holds every header of a message and its parts in memory, several
 * times over once parsed (a 4 MB Subject peaked at 122 MB, a 40 MB To at
 * 680 MB), so header bytes are bounded apart from the body's. 1.5 MB is
 * fifteen times Postfix's default header_size_limit and ten thousand
 * parts' worth of part headers; at most it costs about 50 MB. */
#define MAX_HEADER_BYTES (1536 * 1024)

/* An upper bound of the work GMime would do matching boundaries, as
 * (multipart headers) x (lines starting "--"), and the bytes of header
 * lines (the message's, and field lines right after a "--" line, where a
 * part's header is), counted one line at a time so a file can be read in
 * pieces. A header's folded lines count with it, so folding cannot hide
 * one. */
typedef struct {
  guint64 multiparts, dash_lines;
  gboolean in_content_type, counted;
  guint64 header_bytes;
  gboolean past_header; /* FALSE while in a header (zero-initialized: the message's own) */
} BoundaryCount;

static void
count_header_line (BoundaryCount *count, const char *line, const char *end)
{
  gboolean blank = line == end || (end - line == 1 && *line == '\r');
  if (!count->past_header && !blank &&
      (*line == ' ' || *line == '\t' || starts_with_header (line, (gsize) (end - line))))
    count->header_bytes += (guint64) (end - line) + 1;
  else
    count->past_header = !(end - line >= 2 && line[0] == '-' && line[1] == '-');
}

static void
count_line (BoundaryCount *count, const char *line, const char *end)
{
  count_header_line (count, line, end);
  if (end - line >= 2 && line[0] == '-' && line[1] == '-')
    count->dash_lines++;
  if (is_content_type_line (line, end))
    count->in_content_type = TRUE, count->counted = FALSE;
  else if (line == end || (*line != ' ' && *line != '\t'))
    count->in_content_type = FALSE;
  if (count->in_content_type && !count->counted && mentions_multipart (line, end))
    count->multiparts++, count->counted = TRUE;
}

/* Counts the complete lines of DATA, and the last one too when AT_END.
 * Returns how many bytes were used: the rest is an unfinished line. */
static gsize
count_lines (BoundaryCount *count, const char *data, gsize length, gboolean at_end)
{
  const char *end = data + length, *line = data;
  while (line < end)
    {
      const char *newline = memchr (line, '\n', (gsize) (end - line));
      if (newline == NULL && !at_end)
        break;
      const char *line_end = newline ? newline : end;
      count_line (count, line, line_end);
      line = newline ? newline + 1 : end;
    }
  return (gsize) (line - data);
}

static gsize
skip_mbox_from_line (const char *data, gsize length)
{
  if (length < 5 || memcmp (data, "From ", 5) != 0)
    return 0;
  const char *newline = memchr (data, '\n', length);
  return newline ? (gsize) (newline - data) + 1 : length;
}

/* Windows-1252 for 0x80..0x9F; 0xA0..0xFF are the same code points. */
static const gunichar windows_1252_c1[32] = {
  0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
  0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
  0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Valid UTF-8 is kept; each byte that is not is read as Windows-1252,
 * which undeclared or mislabelled 8-bit text nearly always is in practice.
 * A NUL becomes U+FFFD, so the text after it is not lost. */
static char *
repair_utf8 (const char *text, gsize length)
{
  /* An empty part's bytes may be NULL, and NULL + 0 is undefined. */
  if (length == 0)
    return g_strdup ("");
  GString *out = g_string_sized_new (length);
  const char *end = text + length;
  while (text < end)
    {
      const char *bad = NULL;
      gboolean valid = g_utf8_validate_len (text, (gsize) (end - text), &bad);
      g_string_append_len (out, text, bad - text);
      if (valid)
        break;
      guchar byte = (guchar) *bad;
      if (byte == 0)
        g_string_append_unichar (out, 0xFFFD);
      else
        g_string_append_unichar (out, byte < 0xA0 ? windows_1252_c1[byte - 0x80] : byte);
      text = bad + 1;
    }
  return g_string_free (out, FALSE);
}

static char *
to_utf8 (const char *text)
{
  return text ? repair_utf8 (text, strlen (text)) : g_strdup ("");
}

static GMimeParserOptions *parser_options (void);

static gboolean
is_attachment (GMimeObject *part)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (part);
  return disposition != NULL && g_mime_content_disposition_is_attachment (disposition);
}

static char *text_of_part (GMimeTextPart *part, gboolean *truncated);

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* A part with a file name is a file, whatever its disposition: an inline
 * text/plain "notes.txt" a client shows as an icon (or not at all) is not
 * what the sender wrote, and a name is how a file attached as "inline"
 * says so (Content-Disposition filename=, or only Content-Type name=).
 * Asked only inside a multipart: a mail that is one named text part
 * (old mailers wrote name= on the body itself) has nothing else to read. */
static gboolean
has_file_name (GMimeObject *part)
{
  const char *name = g_mime_part_get_filename (GMIME_PART (part));
  return name != NULL;
}

/* Depth-first search for the first inline part of the given text subtype
 * that is not blank and not a file; its decoded text (bounded, see
 * text_of_part()) goes to TEXT, so it is decoded once. */
static GMimeTextPart *
find_text_part (GMimeObject *part, const char *subtype, int depth, char **text, gboolean *truncated)
{
  if (part == NULL || depth > MAX_PART_DEPTH)
    return NULL;
  if (GMIME_IS_MULTIPART (part))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (part);
      int count = g_mime_multipart_get_count (multipart);
      for (int i = 0; i < count; i++)
        {
          GMimeTextPart *found = find_text_part (g_mime_multipart_get_part (multipart, i), subtype,
                                                 depth + 1, text, truncated);
          if (found != NULL)
            return found;
        }
      return NULL;
    }
  if (!GMIME_IS_TEXT_PART (part) || is_attachment (part) || (depth > 0 && has_file_name (part)))
    return NULL;
  GMimeContentType *type = g_mime_object_get_content_type (part);
  if (!g_mime_content_type_is_type (type, "text", subtype))
    return NULL;
  gboolean cut = FALSE;
  g_autofree char *decoded = text_of_part (GMIME_TEXT_PART (part), &cut);
  if (is_blank (decoded))
    return NULL;
  *text = g_steal_pointer (&decoded);
  *truncated = cut;
  return GMIME_TEXT_PART (part);
}

/* Charsets whose bytes baton reads itself: GMime's converter would drop
 * every byte that does not fit the label, and mislabelled Latin-1 is
 * common. */
static gboolean
is_utf8_label (const char *charset)
{
  const char *const labels[] = { "utf-8",          "us-ascii",   "ascii", "us",
                                 "ansi_x3.4-1968", "iso-646-us", NULL };
  const char *name = g_mime_charset_canon_name (charset);
  for (int i = 0; labels[i]; i++)
    if (g_ascii_strcasecmp (name, labels[i]) == 0)
      return TRUE;
  return FALSE;
}

/* glibc loads a converter's module (a shared object under gconv) at iconv_open() and unloads
 * it once no descriptor uses it, so a Maildir of Latin-1 mail would load
 * and unload the same module for every message. One descriptor per
 * charset seen, kept for the process's life, keeps each module loaded.
 * Bounded: only charsets iconv knows are kept, at most MAX_PINNED. */
#define MAX_PINNED_CONVERTERS 64

static void
keep_converter_loaded (const char *charset)
{
  static GMutex lock;
  static GHashTable *pinned; /* canonical charset name → iconv_t */
  g_mutex_lock (&lock);
  if (pinned == NULL)
    pinned = g_hash_table_new (g_str_hash, g_str_equal);
  /* The name GMime's own converter will ask iconv for (it reads
   * iso-8859-1 as windows-1252, for one). */
  const char *name = g_mime_charset_iconv_name (charset);
  if (g_hash_table_size (pinned) < MAX_PINNED_CONVERTERS && !g_hash_table_contains (pinned, name))
    {
      iconv_t converter = iconv_open ("UTF-8", name);
      if (converter != (iconv_t) -1)
        g_hash_table_insert (pinned, g_strdup (name), converter);
    }
  g_mutex_unlock (&lock);
}

/* Reads at most LIMIT bytes from STREAM into BYTES; TRUE when the stream
 * had more than that (one byte past LIMIT is read to know). */
static gboolean
read_bounded (GMimeStream *stream, GByteArray *bytes, gsize limit)
{
  char buffer[16384];
  while (bytes->len <= limit)
    {
      gsize want = MIN (sizeof buffer, limit + 1 - bytes->len);
      gssize got = g_mime_stream_read (stream, buffer, want);
      if (got <= 0)
        break;
      g_byte_array_append (bytes, (const guint8 *) buffer, (guint) got);
    }
  if (bytes->len <= limit)
    return FALSE;
  g_byte_array_set_size (bytes, (guint) limit);
  return TRUE;
}

/* A text cut at a byte count may end inside a line, or inside a UTF-8
 * character: back to the last line end, so "done 12" is never read as
 * "done 1". A first line longer than the whole limit is cut after its
 * last complete character instead. */
static void
cut_at_line_end (GByteArray *bytes)
{
  const guint8 *newline = NULL;
  for (guint i = bytes->len; i > 0 && newline == NULL; i--)
    if (bytes->data[i - 1] == '\n')
      newline = bytes->data + i - 1;
  if (newline != NULL)
    {
      g_byte_array_set_size (bytes, (guint) (newline - bytes->data) + 1);
      return;
    }
  guint lead = bytes->len;
  while (lead > 0 && bytes->len - lead < 4 && (bytes->data[lead - 1] & 0xC0) == 0x80)
    lead--;
  if (lead == 0 || bytes->data[lead - 1] < 0xC0)
    return;
  guint8 first = bytes->data[lead - 1];
  guint length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2;
  if (bytes->len - (lead - 1) < length)
    g_byte_array_set_size (bytes, lead - 1);
}

/* The part's text in UTF-8, at most BATON_MESSAGE_MAX_BODY bytes of it
 * (*TRUNCATED says whether there was more). Not
 * g_mime_text_part_get_text(): its string ends at the first NUL, it
 * silently drops 8-bit bytes in a part labelled UTF-8 or US-ASCII, and it
 * decodes the whole part, so a 50 MB "text" part cost 460 MB of memory.
 * Here the part's stream is read through the transfer decoder and, for
 * other declared charsets, GMime's lenient charset converter, and reading
 * stops at the bound: memory and time stay the bound's whatever the
 * part's size. repair_utf8() handles whatever remains. */
static char *
text_of_part (GMimeTextPart *part, gboolean *truncated)
{
  GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part));
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  *truncated = FALSE;
  GMimeStream *source = content ? g_mime_data_wrapper_get_stream (content) : NULL;
  if (source != NULL)
    {
      g_mime_stream_reset (source);
      g_autoptr (GMimeStream) filtered = g_mime_stream_filter_new (source);
      GMimeFilter *decode =
          g_mime_filter_basic_new (g_mime_data_wrapper_get_encoding (content), FALSE);
      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), decode);
      g_object_unref (decode);
      gboolean converts = charset && !is_utf8_label (charset);
      if (converts)
        keep_converter_loaded (charset);
      GMimeFilter *convert = converts ? g_mime_filter_charset_new (charset, "UTF-8") : NULL;
      if (convert != NULL)
        {
          g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), convert);
          g_object_unref (convert);
        }
      *truncated = read_bounded (filtered, bytes, BATON_MESSAGE_MAX_BODY);
      if (*truncated)
        cut_at_line_end (bytes);
    }
  g_autofree char *utf8 = repair_utf8 ((const char *) bytes->data, bytes->len);
  return baton_text_lf (utf8);
}

/* The chosen text after its conversion (HTML's quote prefixes, flowed
 * joining) can be longer than what was read: cut to the same bound, at a
 * line end, so body_text and everything taken from it never exceed it. */
static void
bound_body (BatonMessage *message)
{
  gsize length = strlen (message->body_text);
  if (length <= BATON_MESSAGE_MAX_BODY)
    return;
  char *cut =
      g_utf8_find_prev_char (message->body_text, message->body_text + BATON_MESSAGE_MAX_BODY + 1);
  char *newline = g_strrstr_len (message->body_text, BATON_MESSAGE_MAX_BODY, "\n");
  *(newline != NULL ? newline + 1 : cut) = '\0';
  message->body_truncated = TRUE;
}

static void
extract_body (BatonMessage *message, GMimeMessage *mime)
{
  GMimeObject *top = g_mime_message_get_mime_part (mime);
  g_autofree char *text = NULL;
  GMimeTextPart *plain = find_text_part (top, "plain", 0, &text, &message->body_truncated);
  GMimeTextPart *html =
      plain ? NULL : find_text_part (top, "html", 0, &text, &message->body_truncated);
  if (plain != NULL)
    {
      GMimeContentType *type = g_mime_object_get_content_type (GMIME_OBJECT (plain));
      const char *format = g_mime_content_type_get_parameter (type, "format");
      const char *delsp = g_mime_content_type_get_parameter (type, "delsp");
      if (format != NULL && g_ascii_strcasecmp (format, "flowed") == 0)
        message->body_text =
            baton_message_unflow (text, delsp && g_ascii_strcasecmp (delsp, "yes") == 0);
      else
        message->body_text = g_steal_pointer (&text);
    }
  else if (html != NULL)
    {
      message->body_text = baton_html_to_text (text);
      message->body_was_html = TRUE;
    }
  else
    message->body_text = g_strdup ("");
  bound_body (message);
}

static void
add_addresses (GPtrArray *into, InternetAddressList *list)
{
  int count = list ? internet_address_list_length (list) : 0;
  for (int i = 0; i < count; i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        {
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
          if (addr != NULL && *addr != '\0')
            g_ptr_array_add (into, g_ascii_strdown (addr, -1));
        }
      else if (INTERNET_ADDRESS_IS_GROUP (address))
        add_addresses (into, internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)));
    }
}

char **
baton_message_parse_addresses (const char *header_value)
{
  baton_mail_gmime_init ();
  GPtrArray *addresses = g_ptr_array_new ();
  if (header_value != NULL)
    {
      g_autoptr (InternetAddressList) list =
          internet_address_list_parse (parser_options (), header_value);
      add_addresses (addresses, list);
    }
  g_ptr_array_add (addresses, NULL);
  return (char **) g_ptr_array_free (addresses, FALSE);
}

static void
add_references (GPtrArray *into, const char *value)
{
  if (value == NULL)
    return;
  GMimeReferences *refs = g_mime_references_parse (NULL, value);
  int count = refs ? g_mime_references_length (refs) : 0;
  for (int i = 0; i < count; i++)
    g_ptr_array_add (into, g_strdup (g_mime_references_get_message_id (refs, i)));
  if (refs)
    g_mime_references_free (refs);
}

static char **
finish_strv (GPtrArray *array)
{
  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

static void
extract_sender (BatonMessage *message, GMimeMessage *mime)
{
  InternetAddressList *from = g_mime_message_get_from (mime);
  for (int i = 0; from && i < internet_address_list_length (from); i++)
    {
      InternetAddress *address = internet_address_list_get_address (from, i);
      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        continue;
      const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (addr == NULL || strchr (addr, '@') == NULL)
        continue;
      message->from_address = g_ascii_strdown (addr, -1);
      const char *name = internet_address_get_name (address);
      message->from_name = name && *name ? to_utf8 (name) : NULL;
      return;
    }
}

/* Subject prefixes of auto-replies, lowercase NFKC, without their ':'
 * (Exchange writes the one of the mailbox's language, Lotus "AUTO:"). */
static const char *const auto_reply_subjects[] = {
  "automatic reply",
  "auto reply",
  "autoreply",
  "auto-reply",
  "auto response",
  "auto",
  "out of office",
  "out of office autoreply",
  "out of the office",
  "réponse automatique",
  "absence du bureau",
  "automatische antwort",
  "abwesenheitsnotiz",
  "respuesta automática",
  "risposta automatica",
  "fuori sede",
  "resposta automática",
  "automatisch antwoord",
  "autosvar",
  "automatisk svar",
  "automatiskt svar",
  "frånvaro",
  "automaattinen vastaus",
  "automatyczna odpowiedź",
  "automatická odpověď",
  "автоматический ответ",
  "自動回覆",
  "自动回复",
  "自動応答",
  "自動返信",
};

/* TRUE when SUBJECT starts with an auto-reply prefix and its ':'. Only its
 * first 48 characters are looked at, normalised (NFKC makes a no-break
 * space a space and "：" a ':') and case-folded. */
static gboolean
has_auto_reply_subject (const char *subject)
{
  const char *end = subject;
  for (int i = 0; i < 48 && *end != '\0'; i++)
    end = g_utf8_next_char (end);
  g_autofree char *normal = g_utf8_normalize (subject, end - subject, G_NORMALIZE_ALL_COMPOSE);
  if (normal == NULL)
    return FALSE;
  g_autofree char *folded = g_utf8_casefold (normal, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (auto_reply_subjects); i++)
    {
      gsize len = strlen (auto_reply_subjects[i]);
      if (strncmp (folded, auto_reply_subjects[i], len) != 0)
        continue;
      const char *p = folded + len;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == ':')
        return TRUE;
    }
  return FALSE;
}

/* TRUE when an X-Auto-Response-Suppress value names OOF or All. */
static gboolean
suppresses_out_of_office (const char *value)
{
  g_auto (GStrv) tokens = g_strsplit_set (value, ", \t", -1);
  for (int i = 0; tokens[i] != NULL; i++)
    if (g_ascii_strcasecmp (tokens[i], "OOF") == 0 || g_ascii_strcasecmp (tokens[i], "All") == 0)
      return TRUE;
  return FALSE;
}

/* Precedence or X-Precedence saying bulk, junk, list or auto_reply. */
static char *
precedence_reason (GMimeHeaderList *headers)
{
  const char *const names[] = { "Precedence", "X-Precedence" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header (headers, names[i]);
      if (header == NULL)
        continue;
      g_autofree char *value = g_ascii_strdown (g_mime_header_get_value (header), -1);
      g_strstrip (value);
      if (g_str_equal (value, "bulk") || g_str_equal (value, "junk") ||
          g_str_equal (value, "list") || g_str_equal (value, "auto_reply"))
        return g_strdup_printf ("%s: %s", names[i], value);
    }
  return NULL;
}

/* The one place that decides a mail was written by a machine (RFC 3834
 * Auto-Submitted, bulk precedence, bounces, the auto-reply and list
 * markers real servers send). Own-mail checks (X-Loop marker, our own
 * address) need the configuration and live in the workflow.
 *
 * Exchange's out-of-office replies carry no Auto-Submitted. They carry
 * X-Auto-Response-Suppress, but so does ordinary mail from Outlook in
 * some setups (it asks others not to auto-reply; it does not say the
 * mail is one), so that header counts only together with an auto-reply
 * subject prefix ("Automatic reply:", "Abwesenheitsnotiz:"), and such a
 * prefix alone does not count either: a person may well write "Out of
 * office: Friday". A list's copy of a mail (List-Id, List-Unsubscribe)
 * is the list's, not the sender's word to the team. */
static char *
machine_mail_reason (GMimeHeaderList *headers, const BatonMessage *message, GMimeMessage *mime)
{
  GMimeHeader *auto_submitted = g_mime_header_list_get_header (headers, "Auto-Submitted");
  if (auto_submitted != NULL)
    {
      g_autofree char *value = g_strstrip (g_strdup (g_mime_header_get_value (auto_submitted)));
      if (g_ascii_strncasecmp (value, "no", 2) != 0 ||
          (value[2] && value[2] != ';' && value[2] != ' '))
        return g_strdup_printf ("Auto-Submitted: %s", value);
    }
  char *precedence = precedence_reason (headers);
  if (precedence != NULL)
    return precedence;
  GMimeHeader *return_path = g_mime_header_list_get_header (headers, "Return-Path");
  if (return_path != NULL)
    {
      g_autofree char *value = g_strdup (g_mime_header_get_value (return_path));
      g_strstrip (value);
      if (g_str_equal (value, "<>") || *value == '\0')
        return g_strdup ("bounce (empty Return-Path)");
    }
  const char *const autoreply_headers[] = { "X-Autoreply",
                                            "X-Autorespond",
                                            "X-Auto-Reply",
                                            "X-Failed-Recipients",
                                            "X-MS-Exchange-Inbox-Rules-Loop",
                                            "List-Id",
                                            "List-Unsubscribe",
                                            NULL };
  for (int i = 0; autoreply_headers[i]; i++)
    if (g_mime_header_list_contains (headers, autoreply_headers[i]))
      return g_strdup_printf ("%s header", autoreply_headers[i]);
  GMimeHeader *suppress = g_mime_header_list_get_header (headers, "X-Auto-Response-Suppress");
  const char *suppressed = suppress ? g_mime_header_get_value (suppress) : NULL;
  if (suppressed != NULL && message->subject != NULL && suppresses_out_of_office (suppressed) &&
      has_auto_reply_subject (message->subject))
    return g_strdup_printf ("auto-reply subject with X-Auto-Response-Suppress: %s", suppressed);
  GMimeContentType *type = g_mime_object_get_content_type (g_mime_message_get_mime_part (mime));
  if (type && g_mime_content_type_is_type (type, "multipart", "report"))
    return g_strdup ("delivery or read report (multipart/report)");
  if (message->from_address && (g_str_has_prefix (message->from_address, "mailer-daemon@") ||
                                g_str_has_prefix (message->from_address, "postmaster@")))
    return g_strdup_printf ("bounce from %s", message->from_address);
  return NULL;
}

static void
extract_headers (BatonMessage *message, GMimeMessage *mime)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (mime));
  GPtrArray *references = g_ptr_array_new ();
  GPtrArray *recipients = g_ptr_array_new ();
  GPtrArray *loops = g_ptr_array_new ();
  GPtrArray *auth = g_ptr_array_new ();
  GMimeHeader *in_reply_to = g_mime_header_list_get_header (headers, "In-Reply-To");
  add_references (references, in_reply_to ? g_mime_header_get_raw_value (in_reply_to) : NULL);
  int count = g_mime_header_list_get_count (headers);
  gboolean seen_to = FALSE, seen_cc = FALSE;
  for (int i = 0; i < count; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
      const char *name = g_mime_header_get_name (header);
      const char *raw = g_mime_header_get_raw_value (header);
      if (g_ascii_strcasecmp (name, "References") == 0)
        add_references (references, raw);
      /* GMime has parsed every To and every Cc into one list each already:
       * taken at the first such header, not parsed again. */
      else if (g_ascii_strcasecmp (name, "To") == 0)
        {
          if (!seen_to)
            add_addresses (recipients, g_mime_message_get_addresses (mime, GMIME_ADDRESS_TYPE_TO));
          seen_to = TRUE;
        }
      else if (g_ascii_strcasecmp (name, "Cc") == 0)
        {
          if (!seen_cc)
            add_addresses (recipients, g_mime_message_get_addresses (mime, GMIME_ADDRESS_TYPE_CC));
          seen_cc = TRUE;
        }
      else if (g_ascii_strcasecmp (name, "Delivered-To") == 0 ||
               g_ascii_strcasecmp (name, "X-Original-To") == 0)
        {
          g_autoptr (InternetAddressList) list =
              internet_address_list_parse (parser_options (), raw);
          add_addresses (recipients, list);
        }
      else if (g_ascii_strcasecmp (name, "X-Loop") == 0)
        g_ptr_array_add (loops, g_strstrip (g_strdup (g_mime_header_get_value (header))));
      else if (g_ascii_strcasecmp (name, "Authentication-Results") == 0)
        g_ptr_array_add (auth, g_strdup (raw));
    }
  message->references = finish_strv (references);
  message->recipients = finish_strv (recipients);
  message->x_loop = finish_strv (loops);
  message->auth_results = finish_strv (auth);
  message->auto_reason = machine_mail_reason (headers, message, mime);
}

/* The raw Subject decoded here, not by GMime (see rfc2047.c for why). */
static char *
subject_of (GMimeMessage *mime)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (mime));
  GMimeHeader *header = g_mime_header_list_get_header (headers, "Subject");
  const char *raw = header ? g_mime_header_get_raw_value (header) : NULL;
  if (raw == NULL)
    return g_strdup ("");
  g_autofree char *repaired = to_utf8 (raw);
  g_autofree char *decoded = baton_message_decode_header (repaired);
  return g_strstrip (g_steal_pointer (&decoded));
}

static void
extract_envelope (BatonMessage *message, GMimeMessage *mime)
{
  const char *id = g_mime_message_get_message_id (mime);
  message->message_id = id && *id ? to_utf8 (id) : NULL;
  message->subject = subject_of (mime);
  GDateTime *date = g_mime_message_get_date (mime);
  message->date = date ? g_date_time_to_unix (date) : 0;
  extract_sender (message, mime);
}

/* Where the message proper starts in DATA (after a byte order mark and an
 * mbox "From " line), or -1 when it does not start with a header. */
static gssize
message_start (const char *data, gsize length, GError **error)
{
  gsize start = skip_byte_order_mark (data, length);
  start += skip_mbox_from_line (data + start, length - start);
  if (!starts_with_header (data + start, length - start))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
                   "not a mail message: it does not start with a header such as "
                   "\"From: …\" (was a bare body or a file of another kind given?)");
      return -1;
    }
  return start;
}

/* TRUE when COUNT is within MAX_BOUNDARY_WORK, else FALSE with ERROR set. */
static gboolean
within_budget (const BoundaryCount *count, GError **error)
{
  if (count->header_bytes > MAX_HEADER_BYTES)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
                   "refusing %" G_GUINT64_FORMAT " bytes of header (at most %d): a person's "
                   "mail has a few kilobytes of it",
                   count->header_bytes, MAX_HEADER_BYTES);
      return FALSE;
    }
  guint64 work = count->multiparts * count->dash_lines;
  if (work <= MAX_BOUNDARY_WORK)
    return TRUE;
  g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
               "refusing a MIME structure built to stall the parser (%" G_GUINT64_FORMAT
               " boundary checks, at most %d): multipart parts nested around many "
               "'--' lines",
               work, MAX_BOUNDARY_WORK);
  return FALSE;
}

/* Sets ERROR when DATA is shaped to stall GMime (see MAX_BOUNDARY_WORK). */
static gboolean
check_boundary_work (const char *data, gsize length, GError **error)
{
  if (length <= SMALL_ENOUGH_NOT_TO_STALL)
    return TRUE;
  BoundaryCount count = { 0 };
  count_lines (&count, data, length, TRUE);
  return within_budget (&count, error);
}

/* The same for the file open at FD from offset START, read in pieces: a
 * 100 MB attachment must not become 100 MB of memory, mapped or not. A
 * line longer than the buffer counts as its first piece; if it is a
 * Content-Type header it counts as a multipart one, which can only make
 * the bound stricter. A descriptor that cannot be read is left to the
 * parser, whose error is the one to report. */
#define BOUNDARY_SCAN_BUFFER 65536

static gboolean
check_boundary_work_fd (int fd, gsize start, gsize size, GError **error)
{
  if (size <= start + SMALL_ENOUGH_NOT_TO_STALL)
    return TRUE;
  g_autofree char *buffer = g_malloc (BOUNDARY_SCAN_BUFFER);
  BoundaryCount count = { 0 };
  gsize kept = 0, offset = start;
  gboolean skipping_long_line = FALSE;
  for (;;)
    {
      ssize_t got = pread (fd, buffer + kept, BOUNDARY_SCAN_BUFFER - kept, offset);
      if (got < 0)
        return TRUE;
      offset += got;
      gsize have = kept + got, used = 0;
      if (skipping_long_line)
        {
          const char *newline = memchr (buffer, '\n', have);
          used = newline ? (gsize) (newline - buffer) + 1 : have;
          skipping_long_line = newline == NULL;
          if (!count.past_header)
            count.header_bytes += used; /* the rest of a long header line */
        }
      used += count_lines (&count, buffer + used, have - used, got == 0);
      if (used == 0 && have == BOUNDARY_SCAN_BUFFER)
        {
          count_line (&count, buffer, buffer + have);
          if (count.in_content_type && !count.counted)
            count.multiparts++, count.counted = TRUE;
          used = have;
          skipping_long_line = TRUE;
        }
      kept = have - used;
      memmove (buffer, buffer + used, kept);
      if (got == 0)
        break;
    }
  return within_budget (&count, error);
}

/* GMime decodes encoded-words in Subject, addresses and MIME parameters
 * while it parses. In its default (loose) mode every "=?" that is not
 * closed searches the rest of the header for "?=": a Subject, From name or
 * filename of 100,000 "=?x?Q?a " took 3 to 8 s each. Strict mode takes
 * only whole whitespace-separated words, in one pass; the Subject is
 * decoded by rfc2047.c anyway, and names glued to an encoded-word are rare
 * enough to lose their decoding rather than stall. */
static GMimeParserOptions *
parser_options (void)
{
  static gsize once;
  static GMimeParserOptions *options;
  if (g_once_init_enter (&once))
    {
      options = g_mime_parser_options_new ();
      g_mime_parser_options_set_rfc2047_compliance_mode (options, GMIME_RFC_COMPLIANCE_STRICT);
      g_once_init_leave (&once, 1);
    }
  return options;
}

/* One parser per thread, given each message's stream in turn: a new parser
 * allocates and clears its buffers, and creating and freeing one was 6% of
 * the parsing thread's instructions in a Maildir ingest. */
typedef struct {
  GMimeParser *parser;
  GMimeStream *empty; /* given to the parser between messages */
} ThreadParser;

static void
thread_parser_free (gpointer data)
{
  ThreadParser *reused = data;
  g_object_unref (reused->parser);
  g_object_unref (reused->empty);
  g_free (reused);
}

static ThreadParser *
thread_parser (void)
{
  static GPrivate key = G_PRIVATE_INIT (thread_parser_free);
  ThreadParser *reused = g_private_get (&key);
  if (reused == NULL)
    {
      reused = g_new (ThreadParser, 1);
      reused->parser = g_mime_parser_new ();
      reused->empty = g_mime_stream_mem_new ();
      g_private_set (&key, reused);
    }
  return reused;
}

static BatonMessage *
parse_stream (GMimeStream *stream, GError **error)
{
  ThreadParser *reused = thread_parser ();
  g_mime_parser_init_with_stream (reused->parser, stream);
  g_autoptr (GMimeMessage) mime =
      g_mime_parser_construct_message (reused->parser, parser_options ());
  /* The parser outlives the message: without this it would hold the
   * stream, and a file stream's file, until the next message. */
  g_mime_parser_init_with_stream (reused->parser, reused->empty);
  if (mime == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
                   "not a mail message: GMime found no headers");
      return NULL;
    }
  BatonMessage *message = g_new0 (BatonMessage, 1);
  extract_envelope (message, mime);
  extract_headers (message, mime);
  extract_body (message, mime);
  return message;
}

void
baton_message_find_visible_text (BatonMessage *message)
{
  if (message != NULL && message->visible_text == NULL)
    message->visible_text = baton_visible_text (message->body_text);
}

void
baton_message_find_fingerprint (BatonMessage *message)
{
  if (message == NULL || message->fingerprinted)
    return;
  message->fingerprint = baton_ancestry_fingerprint (message->body_text);
  message->fingerprinted = TRUE;
}

BatonMessage *
baton_message_parse (const char *data, gsize length, GError **error)
{
  baton_mail_gmime_init ();
  gssize start = message_start (data, length, error);
  if (start < 0 || !check_boundary_work (data + start, length - start, error))
    return NULL;
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data + start, length - start);
  BatonMessage *message = parse_stream (stream, error);
  baton_message_find_visible_text (message);
  return message;
}

/* Enough to see a byte order mark, an mbox "From " line and a header name. */
#define PREFIX_LENGTH 4096

static BatonMessage *
read_failed (GError **error)
{
  g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "reading the message: %s",
               g_strerror (errno));
  return NULL;
}

/* Mail up to this size is read with one pread() and parsed from memory:
 * GMime's file stream reads 4 KiB at a time and seeks for every part, a
 * dozen system calls for a typical mail. Bigger mail keeps the file stream,
 * so an attachment is never all in memory. */
#define READ_WHOLE_BELOW (256 * 1024)

static BatonMessage *
parse_small_file (int fd, gsize size, GError **error)
{
  GByteArray *bytes = g_byte_array_sized_new (size);
  g_byte_array_set_size (bytes, size);
  ssize_t got = pread (fd, bytes->data, size, 0);
  if (got < 0)
    {
      g_byte_array_unref (bytes);
      return read_failed (error);
    }
  g_byte_array_set_size (bytes, got); /* a file that shrank is read as it is now */
  gssize start = message_start ((const char *) bytes->data, bytes->len, error);
  if (start < 0 ||
      !check_boundary_work ((const char *) bytes->data + start, bytes->len - start, error))
    {
      g_byte_array_unref (bytes);
      return NULL;
    }
  /* The stream owns the array: no copy, unlike g_mime_stream_mem_new_with_buffer(). */
  g_autoptr (GMimeStream) whole = g_mime_stream_mem_new_with_byte_array (bytes);
  g_autoptr (GMimeStream) stream = g_mime_stream_substream (whole, start, -1);
  return parse_stream (stream, error);
}

BatonMessage *
baton_message_parse_fd (int fd, gsize size, GError **error)
{
  baton_mail_gmime_init ();
  if (size <= READ_WHOLE_BELOW)
    return parse_small_file (fd, size, error);
  char prefix[PREFIX_LENGTH];
  ssize_t got = pread (fd, prefix, sizeof prefix, 0);
  if (got < 0)
    return read_failed (error);
  gssize start = message_start (prefix, got, error);
  if (start < 0 || !check_boundary_work_fd (fd, start, size, error))
    return NULL;
  int own = dup (fd);
  if (own < 0)
    return read_failed (error);
  /* A file-system stream, persisted (GMime's default): parts stay on disk
   * and only the text part is ever read into memory. */
  g_autoptr (GMimeStream) stream = g_mime_stream_fs_new_with_bounds (own, start, -1);
  return parse_stream (stream, error);
}
