/* SPDX-License-Identifier: MIT */
/* mbox splitting; the rules and why are in include/baton/mbox.h. Offsets,
 * not pointers, so every look-ahead is checked against the length.
 *
 * One splitter for bytes in memory and for a file read in pieces: every
 * look at the input goes through peek(), which for a file keeps one
 * window of WINDOW bytes and reads ahead only as far as the scan goes. So
 * an mbox costs its window of memory, not its size (mapped, one of a 70 MB
 * and a 44 MB mail peaked at 302 MB of RSS), and both ways split
 * identically. Each
 * look-ahead is bounded (a header name, a Content-Length value, a quoting
 * prefix: at most LOOK_AHEAD bytes), which is also what keeps the file
 * reader's window from ever having to grow. */
#define G_LOG_DOMAIN "baton-mbox"
#include "baton/mbox.h"

#include "baton/error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define WINDOW (64 * 1024)
/* A header line is at most 998 bytes (RFC 5322 2.1.1): a field name, a
 * Content-Length value or a run of '>' longer than that is not one. */
#define LOOK_AHEAD 1000
#define KEEP_BEHIND 4096

typedef struct {
  const char *data; /* the whole input in memory, or NULL for a file */
  int fd;           /* the file (borrowed), when data is NULL */
  guint64 length;
  char *window; /* a file's bytes [window_start, window_start + window_length) */
  guint64 window_start;
  gsize window_length;
  int read_errno; /* the first read error, 0 when none */
} Input;

/* At least MIN (WANT, what remains) bytes of INPUT from POS, and maybe
 * more; *GOT says how many. WANT is at most WINDOW - KEEP_BEHIND; a scan
 * asks for 1 and takes what comes, so the file is read once, not once per
 * line. A read error ends the input there (read_errno says why). */
static const char *
peek (Input *in, guint64 pos, gsize want, gsize *got)
{
  if (pos >= in->length)
    {
      *got = 0;
      return "";
    }
  if (in->data != NULL)
    {
      *got = (gsize) (in->length - pos);
      return in->data + pos;
    }
  gsize needed = (gsize) MIN ((guint64) want, in->length - pos);
  if (pos < in->window_start || pos + needed > in->window_start + in->window_length)
    {
      /* A little is kept before POS: the scan steps back a few bytes (a
       * separator's blank line) or to the start of a short header. */
      guint64 start = pos - MIN (pos, (guint64) KEEP_BEHIND);
      in->window_start = start;
      in->window_length = 0;
      while (in->window_length < WINDOW && start + in->window_length < in->length)
        {
          ssize_t n = pread (in->fd, in->window + in->window_length, WINDOW - in->window_length,
                             (off_t) (start + in->window_length));
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              if (in->read_errno == 0)
                in->read_errno = n < 0 ? errno : EIO;
              in->length = start + in->window_length; /* the input ends where reading did */
              break;
            }
          in->window_length += (gsize) n;
        }
    }
  *got = (gsize) (in->window_start + in->window_length - pos);
  return in->window + (pos - in->window_start);
}

/* Offset just after the line starting at pos (its '\n' included). */
static guint64
line_end (Input *in, guint64 pos)
{
  for (;;)
    {
      gsize got;
      const char *p = peek (in, pos, 1, &got);
      if (got == 0)
        return in->length;
      const char *newline = memchr (p, '\n', got);
      if (newline != NULL)
        return pos + (guint64) (newline - p) + 1;
      pos += got;
    }
}

static gboolean
is_blank_line (Input *in, guint64 pos)
{
  gsize got;
  const char *p = peek (in, pos, 2, &got);
  return got > 0 && (p[0] == '\n' || (p[0] == '\r' && got > 1 && p[1] == '\n'));
}

static gboolean
starts_from_bytes (const char *p, gsize got)
{
  return got >= 5 && memcmp (p, "From ", 5) == 0;
}

static gboolean
starts_from (Input *in, guint64 pos)
{
  gsize got;
  const char *p = peek (in, pos, 5, &got);
  return starts_from_bytes (p, got);
}

/* "Name:" with the obsolete whitespace before the colon allowed. */
static gboolean
looks_like_field (Input *in, guint64 pos)
{
  gsize got;
  const char *p = peek (in, pos, LOOK_AHEAD, &got);
  got = MIN (got, LOOK_AHEAD);
  gsize i = 0;
  while (i < got && p[i] > ' ' && p[i] < 127 && p[i] != ':')
    i++;
  if (i == 0)
    return FALSE;
  while (i < got && (p[i] == ' ' || p[i] == '\t'))
    i++;
  return i < got && p[i] == ':';
}

/* A "From " line at a line start pos > 0 that is followed by a header
 * field: a message starts with its header. */
static gboolean
is_separator (Input *in, guint64 pos)
{
  return pos > 0 && starts_from (in, pos) && looks_like_field (in, line_end (in, pos));
}

static guint64
find_separator (Input *in, guint64 start)
{
  for (guint64 pos = line_end (in, start); pos < in->length; pos = line_end (in, pos))
    if (is_separator (in, pos))
      return pos;
  return in->length;
}

/* The Content-Length: value of the header line at POS..EOL, or -1. */
static gint64
content_length_value (Input *in, guint64 pos, guint64 eol)
{
  static const char name[] = "Content-Length:";
  const gsize name_length = sizeof name - 1;
  if (eol - pos <= name_length || eol - pos > LOOK_AHEAD)
    return -1;
  gsize got;
  const char *p = peek (in, pos, (gsize) (eol - pos), &got);
  if (got < eol - pos || g_ascii_strncasecmp (p, name, name_length) != 0)
    return -1;
  g_autofree char *value = g_strndup (p + name_length, (gsize) (eol - pos) - name_length);
  g_strstrip (value);
  guint64 number;
  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &number, NULL))
    return -1;
  return (gint64) number;
}

/* mboxcl: a Content-Length that ends the body exactly at the end of the
 * input or at the next "From " line (after at most one blank line). */
static gboolean
content_length_end (Input *in, guint64 start, guint64 *end, guint64 *next)
{
  guint64 pos = start;
  gint64 declared = -1;
  /* The header ends at a blank line; a "From " line ends the scan too,
   * since no header holds one: without that stop, messages with no blank
   * line made every header scan run to the end of the input (0.37 s for
   * 100 KB of them, now 0.5 ms). */
  while (pos < in->length && !is_blank_line (in, pos) && !(pos > start && starts_from (in, pos)))
    {
      guint64 eol = line_end (in, pos);
      gint64 value = content_length_value (in, pos, eol);
      if (value >= 0)
        declared = value;
      pos = eol;
    }
  if (declared < 0 || pos >= in->length || !is_blank_line (in, pos))
    return FALSE;
  guint64 body = line_end (in, pos);
  if ((guint64) declared > in->length - body)
    return FALSE;
  guint64 stop = body + (guint64) declared;
  guint64 after = stop;
  if (is_blank_line (in, after))
    after = line_end (in, after);
  if (after != in->length && !starts_from (in, after))
    return FALSE;
  *end = stop;
  *next = after;
  return TRUE;
}

/* The blank line before a separator belongs to the separator. */
static guint64
trim_separator_blank (Input *in, guint64 start, guint64 end)
{
  if (end - start < 2)
    return end;
  gsize back = end - start >= 3 ? 3 : 2, got;
  const char *p = peek (in, end - back, back, &got);
  if (got < back)
    return end;
  const char *e = p + back;
  if (e[-1] == '\n' && e[-2] == '\n')
    return end - 1;
  if (back == 3 && e[-1] == '\n' && e[-2] == '\r' && e[-3] == '\n')
    return end - 2;
  return end;
}

/* Whether the line at P ('>'s then "From ") has mboxrd quoting. */
static gboolean
is_quoted_from (const char *p, gsize got)
{
  gsize i = 0;
  got = MIN (got, LOOK_AHEAD);
  while (i < got && p[i] == '>')
    i++;
  return i > 0 && starts_from_bytes (p + i, got - i);
}

/* Where the next message's bytes are: [*START, *END); *POS moves past it
 * (and its separator). FALSE when no message is left. Empty messages are
 * skipped. */
static gboolean
next_extent (Input *in, guint64 *pos, guint64 *start, guint64 *end)
{
  while (*pos < in->length)
    {
      *start = line_end (in, *pos);
      guint64 next;
      if (!content_length_end (in, *start, end, &next))
        {
          next = find_separator (in, *start);
          *end = trim_separator_blank (in, *start, next);
        }
      *pos = next;
      if (*end > *start)
        return TRUE;
    }
  return FALSE;
}

/* Where splitting starts: after a byte order mark. *WHOLE is set when the
 * input does not start with a "From " line and so is one message. */
static guint64
first_position (Input *in, gboolean *whole)
{
  gsize got;
  const char *p = peek (in, 0, 3, &got);
  guint64 pos = got >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
  *whole = pos < in->length && !starts_from (in, pos);
  return pos;
}

/* mboxrd: one '>' comes off every line that is '>'s then "From ". Calls
 * EMIT with the message's bytes in order, in pieces. */
typedef gboolean (*Emit) (gpointer target, const char *data, gsize length);

static gboolean
unquote (Input *in, guint64 start, guint64 end, gboolean undo_quoting, Emit emit, gpointer target)
{
  for (guint64 pos = start; pos < end;)
    {
      guint64 eol = MIN (line_end (in, pos), end);
      gsize got;
      const char *p = peek (in, pos, LOOK_AHEAD, &got);
      if (undo_quoting && got > 0 && is_quoted_from (p, (gsize) MIN ((guint64) got, eol - pos)))
        pos++;
      while (pos < eol)
        {
          p = peek (in, pos, 1, &got);
          if (got == 0)
            return FALSE;
          gsize piece = (gsize) MIN ((guint64) got, eol - pos);
          if (!emit (target, p, piece))
            return FALSE;
          pos += piece;
        }
    }
  return TRUE;
}

static gboolean
emit_to_string (gpointer target, const char *data, gsize length)
{
  g_string_append_len (target, data, (gssize) length);
  return TRUE;
}

/* The bytes [START, END) of IN, mboxrd quoting undone when UNDO_QUOTING
 * (not for input that is not an mbox: it is returned as it is). */
static GBytes *
message_bytes (Input *in, guint64 start, guint64 end, gboolean undo_quoting)
{
  /* Most messages have no quoting: then the bytes are one copy. */
  gboolean quoted = FALSE;
  for (guint64 pos = start; undo_quoting && pos < end && !quoted; pos = line_end (in, pos))
    {
      gsize got;
      const char *p = peek (in, pos, LOOK_AHEAD, &got);
      quoted = is_quoted_from (p, (gsize) MIN ((guint64) got, end - pos));
    }
  if (!quoted && in->data != NULL)
    return g_bytes_new (in->data + start, (gsize) (end - start));
  GString *out = g_string_sized_new ((gsize) (end - start));
  unquote (in, start, end, undo_quoting, emit_to_string, out);
  gsize out_length = out->len;
  return g_bytes_new_take (g_string_free (out, FALSE), out_length);
}

GPtrArray *
baton_mbox_split (const char *data, gsize length)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Input in = { .data = data, .fd = -1, .length = length };
  gboolean whole;
  guint64 pos = first_position (&in, &whole), start, end;
  if (whole)
    {
      g_ptr_array_add (messages, g_bytes_new (data + pos, (gsize) (length - pos)));
      return messages;
    }
  while (next_extent (&in, &pos, &start, &end))
    g_ptr_array_add (messages, message_bytes (&in, start, end, TRUE));
  return messages;
}

/* ---- reading an mbox file in pieces ---- */

struct BatonMboxReader {
  Input in;
  guint64 pos;
  gboolean whole; /* not an mbox: the one message is all of it */
};

BatonMboxReader *
baton_mbox_reader_new (int fd, guint64 size)
{
  BatonMboxReader *reader = g_new0 (BatonMboxReader, 1);
  reader->in.fd = fd;
  reader->in.length = size;
  reader->in.window = g_malloc (WINDOW);
  reader->pos = first_position (&reader->in, &reader->whole);
  return reader;
}

void
baton_mbox_reader_free (BatonMboxReader *reader)
{
  if (reader == NULL)
    return;
  g_free (reader->in.window);
  g_free (reader);
}

/* Output to a file, gathered into WINDOW-sized writes: one write() per
 * line made a 70 MB message take 30 s. */
typedef struct {
  int fd;
  char *buffer;
  gsize length;
} FileOut;

static gboolean
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
flush_out (FileOut *out)
{
  gboolean ok = write_all (out->fd, out->buffer, out->length);
  out->length = 0;
  return ok;
}

static gboolean
emit_to_file (gpointer target, const char *data, gsize length)
{
  FileOut *out = target;
  if (out->length + length > WINDOW && !flush_out (out))
    return FALSE;
  if (length >= WINDOW)
    return write_all (out->fd, data, length);
  memcpy (out->buffer + out->length, data, length);
  out->length += length;
  return TRUE;
}

/* The message [START, END) of READER's file, unquoted when UNDO_QUOTING, in an unlinked
 * temporary file positioned at 0; -1 with ERROR set on failure. */
static int
message_to_temp (BatonMboxReader *reader, guint64 start, guint64 end, gboolean undo_quoting,
                 GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) local = NULL;
  int temp = g_file_open_tmp ("baton-mbox-XXXXXX", &path, &local);
  if (temp < 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "a temporary file for a message of the mbox: %s", local->message);
      return -1;
    }
  g_unlink (path);
  g_autofree char *buffer = g_malloc (WINDOW);
  FileOut out = { temp, buffer, 0 };
  if (!unquote (&reader->in, start, end, undo_quoting, emit_to_file, &out) || !flush_out (&out) ||
      lseek (temp, 0, SEEK_SET) != 0)
    {
      int saved = reader->in.read_errno ? reader->in.read_errno : errno;
      close (temp);
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "copying a message out of the mbox: %s (free some space in %s and retry)",
                   g_strerror (saved), g_get_tmp_dir ());
      return -1;
    }
  return temp;
}

gboolean
baton_mbox_reader_next (BatonMboxReader *reader, BatonMboxMessage *message, GError **error)
{
  guint64 start, end;
  message->bytes = NULL;
  message->fd = -1;
  gboolean whole = reader->whole;
  if (whole)
    {
      reader->whole = FALSE;
      start = reader->pos, end = reader->in.length;
      reader->pos = end;
    }
  else if (!next_extent (&reader->in, &reader->pos, &start, &end))
    {
      if (reader->in.read_errno == 0)
        return FALSE;
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "reading the mbox: %s",
                   g_strerror (reader->in.read_errno));
      return FALSE;
    }
  if (end - start <= BATON_MBOX_IN_MEMORY)
    message->bytes = message_bytes (&reader->in, start, end, !whole);
  else
    message->fd = message_to_temp (reader, start, end, !whole, error);
  if (message->fd < 0 && message->bytes == NULL)
    return FALSE;
  /* A read error cut the input short: what was split from it is not to be
   * trusted, so nothing more is handed out. */
  if (reader->in.read_errno != 0)
    {
      g_clear_pointer (&message->bytes, g_bytes_unref);
      if (message->fd >= 0)
        close (message->fd);
      message->fd = -1;
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "reading the mbox: %s",
                   g_strerror (reader->in.read_errno));
      return FALSE;
    }
  return TRUE;
}
