/* SPDX-License-Identifier: MIT */
/* Old text recognised by its parent (include/baton/ancestry.h).
 *
 * Why word shingles and not lines: a client may quote ("> ", "> > ",
 * "| ", "AB> "), re-wrap at 40 or 100 columns, or paste the parent with no
 * mark at all. Lines change under all of that; the sequence of words does
 * not. Hashing every run of four words gives a set that the reply's own
 * runs can be looked up in, in one pass, without keeping the parent's text.
 *
 * Why a long run starts the old text: a reply and its parent share short
 * phrases by chance ("thanks for the update"); ten consecutive words of the
 * parent do not happen by chance. Below the first such run everything is
 * old, except lines with none of the parent's words that more of the
 * parent follows: the sender answering between pasted passages. Where that
 * is not clear (nothing of the parent follows), the lines are old: a line
 * lost as a command costs a resend, a pasted command acting costs a task.
 */
#define G_LOG_DOMAIN "baton-ancestry"
#include "baton/ancestry.h"

#include "baton/commands.h"

#include <string.h>

/* A later passage of the parent must be this long for the lines before it
 * to count as written between passages. */
#define RESUME_WORDS 6

typedef struct {
  guint64 hash;
  guint line;
} Word;

typedef struct {
  const char *start;
  gsize length; /* without "\r\n" */
  guint words;
} Line;

/* A growing array of Word or of guint32, filled without a function call
 * per element: appending one word at a time through GArray was a third of
 * the time of a fingerprint. */
typedef struct {
  gpointer data;
  guint len, size;
} Buffer;

static void
buffer_grow (Buffer *buffer, gsize element)
{
  buffer->size = MAX (16u, buffer->size * 2);
  buffer->data = g_realloc_n (buffer->data, buffer->size, element);
}

/* Where add_words() puts words: into WORDS (the cut needs them all, with
 * their lines) or, for a fingerprint, straight into HASHES as shingles of
 * BATON_ANCESTRY_WIDTH words, keeping only the last few words. */
typedef struct {
  Buffer *words;                        /* Word, or NULL */
  Buffer *hashes;                       /* guint32 shingles, when WORDS is NULL */
  guint max_hashes;                     /* the room left in the fingerprint (templates add up) */
  guint64 recent[BATON_ANCESTRY_WIDTH]; /* the last words' hashes, by seen % WIDTH */
  guint seen;                           /* words so far */
} Sink;

#define SHINGLE_FACTOR 0x9e3779b97f4a7c15ULL

/* The end of shingle(): 32 well-mixed bits of H. */
static inline guint32
shingle_finish (guint64 h)
{
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 29;
  return (guint32) (h >> 32);
}

static inline void
emit (Sink *sink, guint64 hash, guint line)
{
  Word w = { hash, line };
  sink->seen++;
  if (sink->words != NULL)
    {
      if (G_UNLIKELY (sink->words->len == sink->words->size))
        buffer_grow (sink->words, sizeof (Word));
      ((Word *) sink->words->data)[sink->words->len++] = w;
      return;
    }
  sink->recent[(sink->seen - 1) % BATON_ANCESTRY_WIDTH] = hash;
  if (sink->seen < BATON_ANCESTRY_WIDTH || sink->hashes->len >= sink->max_hashes)
    return;
  /* shingle() of the last WIDTH words, oldest first, read from the ring. */
  guint64 h = BATON_ANCESTRY_WIDTH;
  for (guint k = 0; k < BATON_ANCESTRY_WIDTH; k++)
    h = (h ^ sink->recent[(sink->seen + k) % BATON_ANCESTRY_WIDTH]) * SHINGLE_FACTOR;
  if (G_UNLIKELY (sink->hashes->len == sink->hashes->size))
    buffer_grow (sink->hashes, sizeof (guint32));
  ((guint32 *) sink->hashes->data)[sink->hashes->len++] = shingle_finish (h);
}

/* The text cut into lines and words. */
typedef struct {
  Line *lines;
  guint n_lines;
  Word *words;
  guint n_words;
} Tokens;

/* The arrays of a cut and of a fingerprint, kept from one mail to the
 * next on each thread: in an ingest, where parsing leaves the heap
 * fragmented, allocating them for every mail took a third of the cut's
 * time. */
typedef struct {
  Buffer lines;  /* Line */
  Buffer words;  /* Word */
  Buffer marks;  /* guint: the cut's flags and counts per line and word */
  Buffer hashes; /* guint32: a fingerprint's, before they are kept */
} Scratch;

/* Arrays bigger than this (a very long mail's) are not kept. */
#define SCRATCH_KEPT_BYTES (256 * 1024)

static void
scratch_free (gpointer data)
{
  Scratch *scratch = data;
  g_free (scratch->lines.data);
  g_free (scratch->words.data);
  g_free (scratch->marks.data);
  g_free (scratch->hashes.data);
  g_free (scratch);
}

static Scratch *
thread_scratch (void)
{
  static GPrivate key = G_PRIVATE_INIT (scratch_free);
  Scratch *scratch = g_private_get (&key);
  if (scratch == NULL)
    {
      scratch = g_new0 (Scratch, 1);
      g_private_set (&key, scratch);
    }
  return scratch;
}

/* Empties BUFFER with room for at least N elements of ELEMENT bytes. */
static void
buffer_reset (Buffer *buffer, gsize n, gsize element)
{
  buffer->len = 0;
  if (buffer->size >= n)
    return;
  g_free (buffer->data);
  buffer->size = (guint) MIN (MAX (n, 16u), G_MAXUINT / 2);
  buffer->data = g_new (guint8, (gsize) buffer->size * element);
}

/* Lets a buffer grown for a very long mail go. */
static void
buffer_trim (Buffer *buffer, gsize element)
{
  if ((gsize) buffer->size * element <= SCRATCH_KEPT_BYTES)
    return;
  g_clear_pointer (&buffer->data, g_free);
  buffer->size = buffer->len = 0;
}

static void
scratch_trim (Scratch *scratch)
{
  buffer_trim (&scratch->lines, sizeof (Line));
  buffer_trim (&scratch->words, sizeof (Word));
  buffer_trim (&scratch->marks, sizeof (guint));
  buffer_trim (&scratch->hashes, sizeof (guint32));
}

/* "AB>" at the start of a line is a quote mark, not a word. */
static const char *
skip_initials_quote (const char *p, const char *end)
{
  for (;;)
    {
      while (p < end && (*p == ' ' || *p == '\t' || *p == '>' || *p == '|'))
        p++;
      const char *q = p;
      while (q < end && q - p < 3 && g_ascii_isalpha (*q))
        q++;
      if (q == p || q >= end || *q != '>')
        return p;
      p = q + 1;
    }
}

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* Scripts written without spaces: each character is a word, or a whole
 * Japanese sentence would be one. */
static gboolean
is_word_by_itself (gunichar c)
{
  if (c < 0x2e80)
    return FALSE;
  switch (g_unichar_get_script (c))
    {
      case G_UNICODE_SCRIPT_HAN:
      case G_UNICODE_SCRIPT_HIRAGANA:
      case G_UNICODE_SCRIPT_KATAKANA:
      case G_UNICODE_SCRIPT_THAI:
      case G_UNICODE_SCRIPT_LAO:
      case G_UNICODE_SCRIPT_KHMER:
      case G_UNICODE_SCRIPT_MYANMAR:
        return TRUE;
      default:
        return FALSE;
    }
}

/* ASCII letters and digits, lowercased; 0 for everything else, and for
 * every byte of a multi-byte character (those take the Unicode path). */
/* clang-format off */
static const guchar ascii_word[256] = {
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',   0,   0,   0,   0,   0,   0,
    0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',   0,   0,   0,   0,   0,
    0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
  'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',   0,   0,   0,   0,   0,
  /* 0x80-0xff: 0 */
};
/* clang-format on */

/* The rest of a word from P while it is ASCII letters and digits, each
 * lowercased into *HASH: most of every text, in a few instructions a
 * byte. Returns where the run stops. */
static inline const char *
hash_ascii_run (const char *p, const char *end, guint64 *hash)
{
  guint64 h = *hash;
  for (; p < end; p++)
    {
      guint folded = ascii_word[(guchar) *p];
      if (folded == 0)
        break;
      h = (h ^ folded) * 0x100000001b3ULL;
    }
  *hash = h;
  return p;
}

/* Words of the line [P, END) appended to WORDS, hashed FNV-1a style one
 * lowercased code point at a time. Invalid UTF-8 separates words. */
static guint
add_words (const char *p, const char *end, guint line, Sink *sink)
{
  guint count = 0;
  guint64 hash = 0;
  gboolean in_word = FALSE;
  while (p < end)
    {
      if (in_word)
        {
          p = hash_ascii_run (p, end, &hash);
          if (p == end)
            break;
        }
      /* ASCII without the Unicode tables: most mail is mostly ASCII. A
       * letter or digit starts a word (inside one, hash_ascii_run() took
       * it); anything else ends one. */
      if ((guchar) *p < 0x80)
        {
          guint folded = ascii_word[(guchar) *p++];
          if (folded != 0)
            {
              if (!in_word)
                hash = 0xcbf29ce484222325ULL;
              hash = (hash ^ folded) * 0x100000001b3ULL;
              in_word = TRUE;
              continue;
            }
          if (in_word)
            {
              emit (sink, hash, line);
              count++;
            }
          in_word = FALSE;
          continue;
        }
      gunichar c = g_utf8_get_char_validated (p, end - p);
      gboolean word = c < 0xfffffffe && is_word_char (c);
      if (c >= 0xfffffffe)
        p++;
      else
        p = g_utf8_next_char (p);
      if (word && in_word && is_word_by_itself (c))
        {
          emit (sink, hash, line);
          count++;
          in_word = FALSE;
        }
      if (word)
        {
          if (!in_word)
            hash = 0xcbf29ce484222325ULL;
          if (c >= 0x80)
            c = g_unichar_tolower (c);
          hash = (hash ^ c) * 0x100000001b3ULL;
          in_word = !is_word_by_itself (c);
          if (!in_word)
            {
              emit (sink, hash, line);
              count++;
            }
          continue;
        }
      if (in_word)
        {
          emit (sink, hash, line);
          count++;
        }
      in_word = FALSE;
    }
  if (in_word)
    {
      emit (sink, hash, line);
      count++;
    }
  return count;
}

/* Feeds the words of TEXT to SINK line by line, recording each line in
 * LINES when it is not NULL. A full fingerprint stops the walk. With no
 * SINK, only the lines are found. */
static void
scan (const char *text, gsize length, Sink *sink, Buffer *lines)
{
  const char *p = text, *end = text + length;
  for (guint n = 0;; n++)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));
      const char *stop = eol ? eol : end;
      if (stop > p && stop[-1] == '\r')
        stop--;
      Line line = { p, (gsize) (stop - p), 0 };
      if (sink != NULL)
        line.words = add_words (skip_initials_quote (p, stop), stop, n, sink);
      if (lines != NULL)
        {
          if (lines->len == lines->size)
            buffer_grow (lines, sizeof (Line));
          ((Line *) lines->data)[lines->len++] = line;
        }
      if (eol == NULL || eol + 1 >= end ||
          (sink != NULL && sink->hashes != NULL && sink->hashes->len >= sink->max_hashes))
        break;
      p = eol + 1;
    }
}

/* TEXT's lines and words, in SCRATCH's arrays. */
static Tokens
tokenize (const char *text, gsize length, Scratch *scratch)
{
  /* Sized as add_text() sizes its hashes (a word in six bytes or more, a
   * line in forty): growing them by doubling was 18,000 reallocations on
   * the 5,000-mail bench. */
  buffer_reset (&scratch->lines, length / 40 + 16, sizeof (Line));
  buffer_reset (&scratch->words, length / 6 + 16, sizeof (Word));
  Sink sink = { .words = &scratch->words };
  scan (text, length, &sink, &scratch->lines);
  return (Tokens){ scratch->lines.data, scratch->lines.len, scratch->words.data,
                   scratch->words.len };
}

/* Hash of WIDTH words from WORDS: order matters, 32 bits kept. */
static guint32
shingle (const Word *words, guint width)
{
  guint64 h = width;
  for (guint i = 0; i < width; i++)
    h = (h ^ words[i].hash) * SHINGLE_FACTOR;
  return shingle_finish (h);
}

/* Sorts the N hashes at H: a radix sort, a byte at a time, for all but
 * short arrays. Every parent read from the store is sorted, and qsort()
 * called its comparison through a pointer n log n times. */
static void
sort_hashes (guint32 *h, guint n)
{
  if (n < 48)
    {
      for (guint i = 1; i < n; i++)
        {
          guint32 x = h[i];
          guint j = i;
          for (; j > 0 && h[j - 1] > x; j--)
            h[j] = h[j - 1];
          h[j] = x;
        }
      return;
    }
  g_autofree guint32 *spare = g_new (guint32, n);
  guint32 *from = h, *to = spare;
  for (guint shift = 0; shift < 32; shift += 8)
    {
      guint start[257] = { 0 };
      for (guint i = 0; i < n; i++)
        start[((from[i] >> shift) & 0xff) + 1]++;
      for (guint b = 1; b <= 256; b++)
        start[b] += start[b - 1];
      for (guint i = 0; i < n; i++)
        to[start[(from[i] >> shift) & 0xff]++] = from[i];
      guint32 *swap = from;
      from = to;
      to = swap;
    }
  /* Four passes: the sorted hashes are back in H. */
}

static void
sort_unique (GArray *hashes)
{
  if (hashes->len == 0)
    return;
  /* Stored fingerprints come back sorted: no sort (and its allocation)
   * for each parent read. */
  const guint32 *sorted = (const guint32 *) hashes->data;
  guint in_order = 1;
  while (in_order < hashes->len && sorted[in_order - 1] < sorted[in_order])
    in_order++;
  if (in_order == hashes->len)
    return;
  sort_hashes ((guint32 *) hashes->data, hashes->len);
  guint32 *h = (guint32 *) hashes->data;
  guint kept = 1;
  for (guint i = 1; i < hashes->len; i++)
    if (h[i] != h[kept - 1])
      h[kept++] = h[i];
  g_array_set_size (hashes, kept);
}

void
baton_fingerprint_free (BatonFingerprint *fingerprint)
{
  if (fingerprint == NULL)
    return;
  g_array_unref (fingerprint->hashes);
  g_free (fingerprint->filter);
  g_free (fingerprint);
}

BatonFingerprint *
baton_fingerprint_new (guint width, guint words, const guint32 *hashes, gsize n)
{
  if (width < 1 || width > BATON_ANCESTRY_WIDTH)
    return NULL;
  BatonFingerprint *fingerprint = g_new0 (BatonFingerprint, 1);
  fingerprint->width = width;
  fingerprint->words = words;
  fingerprint->hashes = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n);
  g_array_append_vals (fingerprint->hashes, hashes, n);
  sort_unique (fingerprint->hashes);
  fingerprint->sorted = TRUE;
  return fingerprint;
}

/* Shingles of TEXT's words into a new or existing fingerprint (words
 * counted); a text shorter than a shingle gives one of all its words,
 * when SHORT_TOO. */
static void
add_text (BatonFingerprint *fingerprint, const char *text, gsize length, gboolean short_too)
{
  guint held = fingerprint->hashes->len;
  guint room = held < BATON_ANCESTRY_MAX_HASHES ? BATON_ANCESTRY_MAX_HASHES - held : 0;
  Scratch *scratch = thread_scratch ();
  Buffer *hashes = &scratch->hashes;
  /* Sized for a word in six bytes or more: most mail never grows it. */
  buffer_reset (hashes, MIN (length / 6 + 16, MAX (room, 1u)), sizeof (guint32));
  Sink sink = { .hashes = hashes, .max_hashes = room };
  scan (text, length, &sink, NULL);
  g_array_append_vals (fingerprint->hashes, hashes->data, hashes->len);
  scratch_trim (scratch);
  fingerprint->words += sink.seen;
  if (short_too && sink.seen < BATON_ANCESTRY_WIDTH && sink.seen > 0)
    {
      fingerprint->width = sink.seen;
      guint64 all = sink.seen;
      for (guint i = 0; i < sink.seen; i++)
        all = (all ^ sink.recent[i]) * SHINGLE_FACTOR;
      guint32 h = shingle_finish (all);
      g_array_append_val (fingerprint->hashes, h);
    }
}

static BatonFingerprint *
fingerprint_new_empty (void)
{
  BatonFingerprint *fingerprint = g_new0 (BatonFingerprint, 1);
  fingerprint->width = BATON_ANCESTRY_WIDTH;
  fingerprint->hashes = g_array_new (FALSE, FALSE, sizeof (guint32));
  return fingerprint;
}

/* Not sorted here: most fingerprints are stored and never read again, so
 * the sort waits for the cut (or the read, baton_fingerprint_new()). */
BatonFingerprint *
baton_ancestry_fingerprint (const char *text)
{
  if (text == NULL)
    text = "";
  BatonFingerprint *fingerprint = fingerprint_new_empty ();
  add_text (fingerprint, text, MIN (strlen (text), BATON_ANCESTRY_MAX_TEXT), TRUE);
  if (fingerprint->words < 2)
    g_clear_pointer (&fingerprint, baton_fingerprint_free);
  return fingerprint;
}

BatonFingerprint *
baton_ancestry_fingerprint_template (BatonFingerprint *into, const char *template_source)
{
  if (into == NULL)
    {
      into = fingerprint_new_empty ();
      into->per_line = TRUE;
    }
  const char *p = template_source ? template_source : "";
  for (;;)
    {
      const char *open = strstr (p, "{{");
      add_text (into, p, open ? (gsize) (open - p) : strlen (p), FALSE);
      const char *close = open ? strstr (open + 2, "}}") : NULL;
      if (close == NULL)
        break;
      p = close + 2;
      while (*p == '}')
        p++;
    }
  into->sorted = FALSE;
  g_clear_pointer (&into->filter, g_free);
  return into;
}

void
baton_ancestry_result_free (BatonAncestryResult *result)
{
  if (result == NULL)
    return;
  g_free (result->text);
  g_array_unref (result->cuts);
  g_free (result);
}

/* ---- the cut ---- */

typedef struct {
  const Tokens *tokens;
  const BatonFingerprint *parent;
  gboolean *covered;   /* per word */
  guint *run;          /* per word: length of the covered run it is in, 0 if uncovered */
  guint *line_covered; /* per line: covered words */
} Match;

/* A hash's bit in a fingerprint's filter. */
#define FILTER_BITS 65536
#define FILTER_WORD(hash) (((hash) % FILTER_BITS) / 64)
#define FILTER_BIT(hash) (G_GUINT64_CONSTANT (1) << ((hash) % 64))
#define FILTER_FROM_HASHES 1024

/* Most shingles of a reply are not in a parent: the filter (8 KB; the
 * templates' thousand hashes set about one bit in seventy) answers them
 * with one load, where a binary search took ten hard-to-predict steps. */
static void
make_filter (BatonFingerprint *parent)
{
  parent->filter = g_new0 (guint64, FILTER_BITS / 64);
  const guint32 *hashes = (const guint32 *) parent->hashes->data;
  for (guint i = 0; i < parent->hashes->len; i++)
    parent->filter[FILTER_WORD (hashes[i])] |= FILTER_BIT (hashes[i]);
}

/* A binary search written out: bsearch() calls the comparison through a
 * pointer, once per step, for every word of every reply. */
static gboolean
known (const BatonFingerprint *parent, guint32 hash)
{
  if (parent->filter != NULL && !(parent->filter[FILTER_WORD (hash)] & FILTER_BIT (hash)))
    return FALSE;
  const guint32 *hashes = (const guint32 *) parent->hashes->data;
  guint low = 0, high = parent->hashes->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      if (hashes[middle] < hash)
        low = middle + 1;
      else
        high = middle;
    }
  return low < parent->hashes->len && hashes[low] == hash;
}

static void
match_words (Match *match)
{
  const Word *words = match->tokens->words;
  guint n = match->tokens->n_words, width = match->parent->width;
  guint until = 0;
  for (guint i = 0; i < n; i++)
    {
      if (i + width <= n && known (match->parent, shingle (words + i, width)))
        until = MAX (until, i + width);
      match->covered[i] = i < until;
      if (match->covered[i])
        match->line_covered[words[i].line]++;
    }
  for (guint i = 0; i < n;)
    {
      guint j = i;
      while (j < n && match->covered[j])
        j++;
      for (guint k = i; k < j; k++)
        match->run[k] = j - i;
      if (j == i)
        match->run[j++] = 0;
      i = j;
    }
}

static const Line *
line_at (const Tokens *tokens, guint index)
{
  return &tokens->lines[index];
}

static gboolean
fully_covered (const Match *match, guint line)
{
  return match->line_covered[line] == line_at (match->tokens, line)->words;
}

/* Index of the first word of the first run that marks the parent: long
 * enough, or (for a short parent) all of it on lines of its own. G_MAXUINT
 * when there is none. */
static guint
find_anchor (const Match *match, guint from)
{
  const Word *words = match->tokens->words;
  guint n = match->tokens->n_words;
  guint needed = MIN (BATON_ANCESTRY_ANCHOR_WORDS, match->parent->words);
  for (guint i = from; i < n; i += MAX (match->run[i], 1))
    {
      guint run = match->run[i];
      if (run < needed)
        continue;
      guint first = words[i].line, last = words[i + run - 1].line;
      /* A line that starts with words of the sender's own and ends in a
       * phrase of the parent is theirs: a failed line sent again,
       * corrected ("handoff 12 to bob: <the same long note>"). */
      if (first == last && i > 0 && words[i - 1].line == first)
        continue;
      if (run >= BATON_ANCESTRY_ANCHOR_WORDS ||
          (fully_covered (match, first) && fully_covered (match, last)))
        return i;
    }
  return G_MAXUINT;
}

static const char *const header_names[] = {
  "from",     "to",      "cc",    "sent",    "date",    "subject", "von",    "an",
  "gesendet", "betreff", "datum", "de",      "para",    "enviado", "asunto", "objet",
  "envoyé",   "à",       "da",    "inviato", "oggetto", NULL,
};

/* "On … wrote:", "From: …", "-----Original Message-----": lines that
 * introduce a pasted message. A command never counts, even one ending in
 * ':'. */
static gboolean
is_attribution (const Line *line)
{
  g_autofree char *text = g_strstrip (g_strndup (line->start, line->length));
  if (*text == '\0')
    return FALSE;
  g_autoptr (GPtrArray) commands = baton_commands_parse (text);
  if (commands->len > 0 && ((BatonCommand *) commands->pdata[0])->kind != BATON_COMMAND_UPDATE)
    return FALSE;
  if (g_str_has_prefix (text, "---") || g_str_has_prefix (text, "___") ||
      g_str_has_prefix (text, "***"))
    return TRUE;
  if (line->words >= 3 && g_str_has_suffix (text, ":"))
    return TRUE;
  const char *colon = strchr (text, ':');
  if (colon == NULL)
    return FALSE;
  g_autofree char *name = g_utf8_strdown (text, colon - text);
  g_strstrip (name);
  for (guint i = 0; header_names[i] != NULL; i++)
    if (g_str_equal (name, header_names[i]))
      return TRUE;
  return FALSE;
}

/* The first line of the old block whose first parent line is LINE: the
 * attribution and header lines directly above it (blank lines between
 * them allowed), when there are any. */
static guint
block_start (const Tokens *tokens, guint line)
{
  guint start = line;
  for (guint l = line; l > 0; l--)
    {
      const Line *above = line_at (tokens, l - 1);
      if (above->words == 0)
        continue;
      if (!is_attribution (above))
        break;
      start = l - 1;
    }
  /* Separators ("____", "--") and blank lines above it go with it. */
  while (start > 0 && line_at (tokens, start - 1)->words == 0)
    start--;
  return start;
}

/* Index of the first covered word on a line >= LINE with a run of at
 * least NEEDED words, when no line before it has covered words; G_MAXUINT
 * otherwise. */
static guint
resumption (const Match *match, guint line, guint first_word, guint needed)
{
  const Word *words = match->tokens->words;
  guint n = match->tokens->n_words;
  for (guint i = first_word; i < n; i++)
    if (words[i].line >= line && match->covered[i])
      return match->run[i] >= needed ? i : G_MAXUINT;
  return G_MAXUINT;
}

/* Marks old the lines from the attribution above the passage starting at
 * word FIRST (not above line FLOOR) down to the passage itself. Returns
 * the passage's line. */
static guint
mark_attribution (const Match *match, guint first, guint floor, gboolean *old)
{
  const Word *words = match->tokens->words;
  guint line = words[first].line;
  for (guint l = MAX (block_start (match->tokens, line), floor); l < line; l++)
    old[l] = TRUE;
  return line;
}

/* Marks in OLD the lines MATCH makes old, from the first anchor on. */
static void
mark_block (const Match *match, gboolean *old)
{
  const Tokens *tokens = match->tokens;
  const Word *words = tokens->words;
  guint word = find_anchor (match, 0);
  if (word == G_MAXUINT)
    return;
  guint n_lines = tokens->n_lines;
  guint needed = MIN (RESUME_WORDS, MIN (BATON_ANCESTRY_ANCHOR_WORDS, match->parent->words));
  guint l = mark_attribution (match, word, 0, old);
  while (l < n_lines)
    {
      /* Old up to the next line that has words but none of the parent's. */
      for (; l < n_lines; l++)
        {
          const Line *line = line_at (tokens, l);
          if (line->words > 0 && match->line_covered[l] == 0)
            break;
          old[l] = TRUE;
        }
      while (word < tokens->n_words && words[word].line < l)
        word++;
      if (l >= n_lines)
        return;
      guint next = match->parent->per_line ? G_MAXUINT : resumption (match, l, word, needed);
      if (next == G_MAXUINT)
        {
          for (; l < n_lines; l++)
            old[l] = TRUE;
          return;
        }
      /* Written between passages: new, down to the attribution lines
       * above the next passage. */
      l = mark_attribution (match, next, l, old);
      word = next;
    }
}

/* A template's own lines are old wherever they stand. */
static void
mark_lines (const Match *match, gboolean *old)
{
  for (guint l = 0; l < match->tokens->n_lines; l++)
    if (line_at (match->tokens, l)->words >= match->parent->width && fully_covered (match, l))
      old[l] = TRUE;
}

static void
add_cuts (GArray *cuts, guint parent, const gboolean *old, const Tokens *tokens)
{
  guint n_lines = tokens->n_lines;
  for (guint l = 0; l < n_lines;)
    {
      if (!old[l])
        {
          l++;
          continue;
        }
      guint end = l;
      while (end < n_lines && old[end])
        end++;
      /* Reported from its first to its last line with words: blank lines
       * around it are no news. */
      guint first = l, last = end;
      while (first < last && line_at (tokens, first)->words == 0)
        first++;
      while (last > first && line_at (tokens, last - 1)->words == 0)
        last--;
      if (first < last)
        {
          BatonAncestryCut cut = { parent, first + 1, last };
          g_array_append_val (cuts, cut);
        }
      l = end;
    }
}

static int
compare_cut (const void *a, const void *b)
{
  const BatonAncestryCut *x = a, *y = b;
  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return x->parent < y->parent ? -1 : x->parent > y->parent;
}

static gboolean
is_blank (const Line *line)
{
  for (gsize i = 0; i < line->length; i++)
    if (!g_ascii_isspace (line->start[i]))
      return FALSE;
  return TRUE;
}

/* The kept lines (all of them when OLD is NULL) of the LENGTH bytes of
 * text TOKENS came from; a cut between kept lines leaves one blank line. */
static char *
join_kept (const Tokens *tokens, const gboolean *old, gsize length)
{
  GString *out = g_string_sized_new (length); /* what is kept is no longer */
  gboolean gap = FALSE;
  guint blank_run = 0;
  for (guint l = 0; l < tokens->n_lines; l++)
    {
      const Line *line = line_at (tokens, l);
      if (old != NULL && old[l])
        {
          gap = TRUE;
          continue;
        }
      if (is_blank (line))
        {
          blank_run++;
          continue;
        }
      if (out->len > 0)
        {
          guint blanks = MAX (blank_run, gap ? 1u : 0u);
          g_string_append_c (out, '\n');
          for (guint b = 0; b < blanks; b++)
            g_string_append_c (out, '\n');
        }
      g_string_append_len (out, line->start, line->length);
      gap = FALSE;
      blank_run = 0;
    }
  return g_string_free (out, FALSE);
}

/* Sorts PARENT's hashes once, and gives it a filter when it serves many
 * lookups. */
static void
prepare_parent (BatonFingerprint *parent)
{
  if (!parent->sorted)
    {
      sort_unique (parent->hashes);
      parent->sorted = TRUE;
      g_clear_pointer (&parent->filter, g_free);
    }
  /* The templates' filter serves every mail; a parent read from the store
   * serves one cut, and for a few hundred hashes clearing 8 KB costs more
   * than the searches it saves. */
  if (parent->filter == NULL && (parent->per_line || parent->hashes->len >= FILTER_FROM_HASHES))
    make_filter (parent);
}

gboolean
baton_ancestry_shares (BatonFingerprint *parent, const BatonFingerprint *text)
{
  if (parent == NULL || text == NULL || parent->hashes->len == 0)
    return FALSE;
  if (parent->width != text->width)
    return TRUE; /* not comparable: as if shared */
  prepare_parent (parent);
  const guint32 *hashes = (const guint32 *) text->hashes->data;
  for (guint i = 0; i < text->hashes->len; i++)
    if (known (parent, hashes[i]))
      return TRUE;
  return FALSE;
}

/* TEXT kept whole, as a cut that finds nothing keeps it: found without
 * hashing a word. */
static BatonAncestryResult *
keep_all (const char *text, gsize length, Scratch *scratch)
{
  buffer_reset (&scratch->lines, length / 40 + 16, sizeof (Line));
  scan (text, length, NULL, &scratch->lines);
  Tokens lines = { scratch->lines.data, scratch->lines.len, NULL, 0 };
  BatonAncestryResult *result = g_new0 (BatonAncestryResult, 1);
  result->cuts = g_array_new (FALSE, FALSE, sizeof (BatonAncestryCut));
  result->text = join_kept (&lines, NULL, length);
  scratch_trim (scratch);
  return result;
}

BatonAncestryResult *
baton_ancestry_cut (const char *text, BatonFingerprint *const *parents, guint n_parents)
{
  if (text == NULL)
    text = "";
  Scratch *scratch = thread_scratch ();
  gsize length = strlen (text);
  guint usable = 0;
  for (guint p = 0; p < n_parents; p++)
    usable += parents[p] != NULL && parents[p]->hashes->len > 0;
  if (usable == 0)
    return keep_all (text, length, scratch);
  Tokens tokens = tokenize (text, length, scratch);
  guint n_words = tokens.n_words, n_lines = tokens.n_lines;
  BatonAncestryResult *result = g_new0 (BatonAncestryResult, 1);
  result->cuts = g_array_new (FALSE, FALSE, sizeof (BatonAncestryCut));
  /* Per line: old, old_here, line_covered; per word and one more: covered,
   * run. All of them guint-sized. */
  G_STATIC_ASSERT (sizeof (gboolean) == sizeof (guint));
  gsize marks = 3 * (gsize) n_lines + 2 * ((gsize) n_words + 1);
  buffer_reset (&scratch->marks, marks, sizeof (guint));
  guint *mark = memset (scratch->marks.data, 0, marks * sizeof (guint));
  gboolean *old = (gboolean *) mark, *old_here = old + n_lines;
  guint *line_covered = (guint *) (old_here + n_lines);
  gboolean *covered = (gboolean *) (line_covered + n_lines);
  guint *run = (guint *) (covered + n_words + 1);
  for (guint p = 0; p < n_parents; p++)
    {
      if (parents[p] == NULL || parents[p]->hashes->len == 0)
        continue;
      prepare_parent (parents[p]);
      memset (line_covered, 0, n_lines * sizeof (guint));
      memset (old_here, 0, n_lines * sizeof (gboolean));
      Match match = { &tokens, parents[p], covered, run, line_covered };
      match_words (&match);
      mark_block (&match, old_here);
      if (parents[p]->per_line)
        mark_lines (&match, old_here);
      add_cuts (result->cuts, p, old_here, &tokens);
      for (guint l = 0; l < n_lines; l++)
        old[l] |= old_here[l];
    }
  g_array_sort (result->cuts, compare_cut);
  result->text = join_kept (&tokens, old, length);
  scratch_trim (scratch);
  return result;
}
