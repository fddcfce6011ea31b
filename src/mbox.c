/* mbox splitting; the rules and why are in include/baton/mbox.h. Offsets,
 * not pointers, so every look-ahead is checked against the length. */
#define G_LOG_DOMAIN "baton-mbox"
#include "baton/mbox.h"

#include <string.h>

/* Offset just after the line starting at pos (its '\n' included). */
static gsize
line_end (const char *data, gsize length, gsize pos)
{
  const char *newline = memchr (data + pos, '\n', length - pos);
  return newline ? (gsize) (newline - data) + 1 : length;
}

static gboolean
is_blank_line (const char *data, gsize length, gsize pos)
{
  return pos < length &&
         (data[pos] == '\n' || (data[pos] == '\r' && pos + 1 < length && data[pos + 1] == '\n'));
}

static gboolean
starts_from (const char *data, gsize length, gsize pos)
{
  return length - pos >= 5 && memcmp (data + pos, "From ", 5) == 0;
}

/* "Name:" with the obsolete whitespace before the colon allowed. */
static gboolean
looks_like_field (const char *data, gsize length, gsize pos)
{
  gsize i = pos;
  while (i < length && data[i] > ' ' && data[i] < 127 && data[i] != ':')
    i++;
  if (i == pos)
    return FALSE;
  while (i < length && (data[i] == ' ' || data[i] == '\t'))
    i++;
  return i < length && data[i] == ':';
}

/* A "From " line at a line start pos > 0 that is followed by a header
 * field: a message starts with its header. */
static gboolean
is_separator (const char *data, gsize length, gsize pos)
{
  return starts_from (data, length, pos) && pos > 0 && data[pos - 1] == '\n' &&
         looks_like_field (data, length, line_end (data, length, pos));
}

static gsize
find_separator (const char *data, gsize length, gsize start)
{
  for (gsize pos = line_end (data, length, start); pos < length; pos = line_end (data, length, pos))
    if (is_separator (data, length, pos))
      return pos;
  return length;
}

/* mboxcl: a Content-Length that ends the body exactly at the end of the
 * input or at the next "From " line (after at most one blank line). */
static gboolean
content_length_end (const char *data, gsize length, gsize start, gsize *end, gsize *next)
{
  gsize pos = start;
  gint64 declared = -1;
  while (pos < length && !is_blank_line (data, length, pos))
    {
      gsize eol = line_end (data, length, pos);
      const gsize name_length = strlen ("Content-Length:");
      if (eol - pos > name_length &&
          g_ascii_strncasecmp (data + pos, "Content-Length:", name_length) == 0)
        {
          g_autofree char *value = g_strndup (data + pos + name_length, eol - pos - name_length);
          g_strstrip (value);
          guint64 number;
          if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &number, NULL))
            declared = (gint64) number;
        }
      pos = eol;
    }
  if (declared < 0 || pos >= length)
    return FALSE;
  gsize body = line_end (data, length, pos);
  if ((guint64) declared > length - body)
    return FALSE;
  gsize stop = body + (gsize) declared;
  gsize after = stop;
  if (is_blank_line (data, length, after))
    after = line_end (data, length, after);
  if (after != length && !starts_from (data, length, after))
    return FALSE;
  *end = stop;
  *next = after;
  return TRUE;
}

/* The blank line before a separator belongs to the separator. */
static gsize
trim_separator_blank (const char *data, gsize start, gsize end)
{
  if (end - start >= 2 && data[end - 1] == '\n' && data[end - 2] == '\n')
    return end - 1;
  if (end - start >= 3 && data[end - 1] == '\n' && data[end - 2] == '\r' && data[end - 3] == '\n')
    return end - 2;
  return end;
}

static gboolean
is_quoted_from (const char *line, gsize length)
{
  gsize i = 0;
  while (i < length && line[i] == '>')
    i++;
  return i > 0 && starts_from (line, length, i);
}

/* mboxrd: one '>' comes off every line that is '>'s then "From ". */
static GBytes *
unquote (const char *data, gsize length)
{
  GString *out = NULL;
  for (gsize pos = 0; pos < length; pos = line_end (data, length, pos))
    {
      gboolean quoted = is_quoted_from (data + pos, length - pos);
      if (quoted && out == NULL)
        out = g_string_new_len (data, (gssize) pos);
      if (out != NULL)
        {
          gsize skip = quoted ? 1 : 0;
          g_string_append_len (out, data + pos + skip,
                               (gssize) (line_end (data, length, pos) - pos - skip));
        }
    }
  if (out == NULL)
    return g_bytes_new (data, length);
  gsize out_length = out->len;
  return g_bytes_new_take (g_string_free (out, FALSE), out_length);
}

GPtrArray *
baton_mbox_split (const char *data, gsize length)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize pos = 0;
  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    pos = 3;
  if (pos >= length)
    return messages;
  if (!starts_from (data, length, pos))
    {
      g_ptr_array_add (messages, g_bytes_new (data + pos, length - pos));
      return messages;
    }
  while (pos < length)
    {
      gsize start = line_end (data, length, pos);
      gsize end, next;
      if (!content_length_end (data, length, start, &end, &next))
        {
          next = find_separator (data, length, start);
          end = trim_separator_blank (data, start, next);
        }
      if (end > start)
        g_ptr_array_add (messages, unquote (data + start, end - start));
      pos = next;
    }
  return messages;
}
