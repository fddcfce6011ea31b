/* SPDX-License-Identifier: MIT */
/* The command language (docs/DESIGN.md §2): visible text in, commands out.
 *
 * Why the rules look the way they do:
 *
 * - A line is a command *attempt* only when its first word is a keyword and
 *   what follows could only be meant as a command: nothing, ':', a task
 *   number, or (handoff/pass) "to". So "done with the review, heading home"
 *   and "Pass the salt" stay free text, while "take 12 please" is an attempt
 *   that fails loudly instead of being silently ignored.
 * - task:/todo: need their colon: "Task force met today" is prose.
 * - Optional decorations people type out of habit are accepted: a list
 *   bullet ("- ", "* ", "+ ", "• "), a hashtag-style '#' before the keyword
 *   ("#done 7"), '#' before a number, '@' before a receiver.
 * - After "KEYWORD:" a number is the task only when it stands alone, so
 *   "note: 12 tests fail on staging" is a note on no task, not an error.
 * - Task titles are kept exactly as written, @mention included: stripping
 *   it would mangle "ask @bob about the schema". The first @mention that
 *   is not part of an address ("mail bob@example.com") is the assignee.
 * - An UPDATE's source is its whole paragraph, like its text.
 * - Task numbers are 1..2^31-1; anything else is an error, not a wrap.
 * - Forms people type are commands too (issue 11): punctuation after the
 *   keyword ("Done.", "done, thanks": the text after ',' is the note),
 *   "it" for the task ("take it", "pass it to bob"), "hand off" and
 *   "hand over", the number glued to the keyword ("take5"). No-break and
 *   other Unicode spaces count as spaces, and invisible characters (a
 *   leading U+FEFF, U+200B) are dropped before a line is read.
 * - "Take, for example, ..." and "take it easy" stay prose: only done and
 *   drop take a note after punctuation, and after "it" only what could
 *   follow a number may come.
 * - A near miss ("tkae 5", "dn 5") is an error with the form to use, never
 *   an update; see near_miss() for the rule that keeps prose ("Node 5:
 *   down", "Notes: ...", "Don") out of it.
 * - Every step only moves forward through the line, so the whole parse is
 *   linear in the input (a 100 KB line costs one pass).
 */
#define G_LOG_DOMAIN "baton-commands"
#include "baton/commands.h"

#include "baton/date.h"

#include <string.h>

/* Task numbers fit a signed 32-bit column everywhere they are stored. */
#define MAX_TASK_NUMBER G_MAXINT32
/* A whole address's local part is at most 64 octets (RFC 5321). */
#define MAX_NAME_CHARS 64

/* How the rest of the line after a keyword is read. */
typedef enum {
  ARGS_TITLE,    /* task: TITLE, the colon required */
  ARGS_BARE,     /* take [N]: nothing may follow the number */
  ARGS_TEXT,     /* done [N] [: text] */
  ARGS_NOTE,     /* note [N]: text, the text required */
  ARGS_RECEIVER, /* handoff [N] to WHO [: note] */
  ARGS_AWAY,     /* away until DATE / away DATE..DATE: dates, no task */
  ARGS_NONE,     /* back: the word alone */
} ArgShape;

enum {
  ALONE_WITH_PUNCTUATION = 1 << 0, /* "Done." and "Take!" are the bare command */
  NOTE_AFTER_PUNCTUATION = 1 << 1, /* "done, thanks": the note follows the ',' */
};

/* One row per command word: a new command is a new row (and its kind). */
typedef struct {
  const char *word; /* lowercase; a space matches any run of spaces */
  BatonCommandKind kind;
  ArgShape shape;
  guint flags;
} Keyword;

static const Keyword keywords[] = {
  { "task", BATON_COMMAND_TASK, ARGS_TITLE, 0 },
  { "todo", BATON_COMMAND_TASK, ARGS_TITLE, 0 },
  { "take", BATON_COMMAND_TAKE, ARGS_BARE, ALONE_WITH_PUNCTUATION },
  { "done", BATON_COMMAND_DONE, ARGS_TEXT, ALONE_WITH_PUNCTUATION | NOTE_AFTER_PUNCTUATION },
  { "drop", BATON_COMMAND_DROP, ARGS_TEXT, ALONE_WITH_PUNCTUATION | NOTE_AFTER_PUNCTUATION },
  { "handoff", BATON_COMMAND_HANDOFF, ARGS_RECEIVER, 0 },
  { "hand off", BATON_COMMAND_HANDOFF, ARGS_RECEIVER, 0 },
  { "hand-off", BATON_COMMAND_HANDOFF, ARGS_RECEIVER, 0 },
  { "hand over", BATON_COMMAND_HANDOFF, ARGS_RECEIVER, 0 },
  { "pass", BATON_COMMAND_HANDOFF, ARGS_RECEIVER, 0 },
  { "note", BATON_COMMAND_NOTE, ARGS_NOTE, 0 },
  { "block", BATON_COMMAND_BLOCK, ARGS_TEXT, ALONE_WITH_PUNCTUATION },
  { "unblock", BATON_COMMAND_UNBLOCK, ARGS_BARE, ALONE_WITH_PUNCTUATION },
  { "reopen", BATON_COMMAND_REOPEN, ARGS_TEXT, ALONE_WITH_PUNCTUATION | NOTE_AFTER_PUNCTUATION },
  { "undo", BATON_COMMAND_UNDO, ARGS_BARE, ALONE_WITH_PUNCTUATION },
  { "accept", BATON_COMMAND_ACCEPT, ARGS_BARE, ALONE_WITH_PUNCTUATION },
  { "ack", BATON_COMMAND_ACCEPT, ARGS_BARE, ALONE_WITH_PUNCTUATION },
  /* Working time (the member, not a task). */
  { "away", BATON_COMMAND_AWAY, ARGS_AWAY, 0 },
  { "back", BATON_COMMAND_BACK, ARGS_NONE, ALONE_WITH_PUNCTUATION },
};

typedef enum { NUMBER_NONE, NUMBER_OK, NUMBER_BAD } NumberResult;

void
baton_command_free (BatonCommand *command)
{
  if (command == NULL)
    return;
  g_free (command->who);
  g_free (command->text);
  g_free (command->source);
  g_free (command->error);
  g_free (command);
}

const char *
baton_command_kind_name (BatonCommandKind kind)
{
  switch (kind)
    {
      case BATON_COMMAND_TASK:
        return "task";
      case BATON_COMMAND_TAKE:
        return "take";
      case BATON_COMMAND_DONE:
        return "done";
      case BATON_COMMAND_DROP:
        return "drop";
      case BATON_COMMAND_HANDOFF:
        return "handoff";
      case BATON_COMMAND_NOTE:
        return "note";
      case BATON_COMMAND_BLOCK:
        return "block";
      case BATON_COMMAND_UNBLOCK:
        return "unblock";
      case BATON_COMMAND_REOPEN:
        return "reopen";
      case BATON_COMMAND_UNDO:
        return "undo";
      case BATON_COMMAND_ACCEPT:
        return "accept";
      case BATON_COMMAND_UPDATE:
        return "update";
      case BATON_COMMAND_INVALID:
        return "invalid";
      case BATON_COMMAND_AWAY:
        return "away";
      case BATON_COMMAND_BACK:
        return "back";
    }
  return "unknown";
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v')
    p++;
  return p;
}

static char *
strdup_trimmed (const char *p)
{
  return g_strstrip (g_strdup (p));
}

/* "- ", "* ", "+ " or "• " before a command: list habits, not content. */
static const char *
skip_bullet (const char *p)
{
  if ((*p == '-' || *p == '*' || *p == '+') && (p[1] == ' ' || p[1] == '\t'))
    return skip_space (p + 1);
  if (strncmp (p, "\xe2\x80\xa2", 3) == 0 && (p[3] == ' ' || p[3] == '\t'))
    return skip_space (p + 3);
  return p;
}

/* A run of sentence punctuation (". , ! ;" and "…") that ends the word
 * before it: followed by a space or the end. Returns the text after the
 * run, or P itself when there is none: "7.5" and "done.txt" are words. */
static const char *
skip_punctuation (const char *p)
{
  const char *q = p;
  for (;;)
    {
      if (*q == '.' || *q == ',' || *q == '!' || *q == ';')
        q++;
      else if (strncmp (q, "\xe2\x80\xa6", 3) == 0)
        q += 3;
      else
        break;
    }
  if (q == p || (*q != '\0' && *q != ' ' && *q != '\t'))
    return p;
  return q;
}

/* TRUE when a command word may end just before P: at a space, ':', the
 * end, sentence punctuation ("Done."), or a number glued on ("take5"). */
static gboolean
ends_word (const char *p)
{
  return *p == '\0' || *p == ':' || *p == ' ' || *p == '\t' || *p == '#' || g_ascii_isdigit (*p) ||
         *p == '.' || *p == ',' || *p == '!' || *p == ';' || strncmp (p, "\xe2\x80\xa6", 3) == 0;
}

/* g_ascii_tolower() inline: it is a function call, made for every byte
 * compared against the keywords, on every line of every mail. */
static inline char
ascii_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

/* Length of WORD at P, any case, a space in WORD matching a run of
 * spaces ("hand   off"); 0 when P does not start with it. */
static gsize
match_word (const char *p, const char *word)
{
  const char *q = p;
  for (const char *w = word; *w != '\0'; w++)
    {
      if (*w == ' ')
        {
          if (*q != ' ' && *q != '\t')
            return 0;
          q = skip_space (q);
        }
      else if (ascii_lower (*q) != *w)
        return 0;
      else
        q++;
    }
  return (gsize) (q - p);
}

/* The keyword starting at p (after an optional '#'), or NULL. The word must
 * end where ends_word() allows: "taken" and "done.txt" are words of their
 * own. */
static const Keyword *
match_keyword (const char *p, const char **after)
{
  if (*p == '#')
    p++;
  char first = ascii_lower (*p);
  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      if (keywords[i].word[0] != first)
        continue; /* what match_word() would find at the first byte */
      gsize len = match_word (p, keywords[i].word);
      if (len > 0 && ends_word (p + len))
        {
          *after = p + len;
          return &keywords[i];
        }
    }
  return NULL;
}

/* TRUE when p starts with the word "to" followed by a space or the end. */
static gboolean
starts_with_to (const char *p)
{
  return g_ascii_strncasecmp (p, "to", 2) == 0 && (p[2] == '\0' || p[2] == ' ' || p[2] == '\t');
}

/* [#]DIGITS ending at a space, ':' or the end. On NUMBER_BAD, *why says
 * what is wrong (static text). Digits are counted with saturation so an
 * absurd number costs one pass and cannot overflow. */
static NumberResult
parse_number (const char *p, gint64 *value, const char **after, const char **why)
{
  gboolean hash = (*p == '#');
  if (hash)
    p++;
  if (!g_ascii_isdigit (*p))
    {
      *why = "a task number is digits after the '#'";
      return hash ? NUMBER_BAD : NUMBER_NONE;
    }
  gint64 n = 0;
  for (; g_ascii_isdigit (*p); p++)
    if (n <= MAX_TASK_NUMBER)
      n = n * 10 + (*p - '0');
  if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ':' && skip_punctuation (p) == p)
    {
      *why = "a task number is digits only";
      return NUMBER_BAD;
    }
  if (n == 0 || n > MAX_TASK_NUMBER)
    {
      *why = "task numbers go from 1 to 2147483647";
      return NUMBER_BAD;
    }
  *value = n;
  *after = p;
  return NUMBER_OK;
}

/* A note separator: ':' or a dash ("-", "–", "—") standing alone.
 * Returns the text after it, or NULL when p is no separator. */
static const char *
skip_separator (const char *p)
{
  if (*p == ':')
    return p + 1;
  gsize len = 0;
  if (*p == '-')
    len = 1;
  else if (strncmp (p, "\xe2\x80\x93", 3) == 0 || strncmp (p, "\xe2\x80\x94", 3) == 0)
    len = 3;
  if (len > 0 && (p[len] == '\0' || p[len] == ' ' || p[len] == '\t'))
    return p + len;
  return NULL;
}

/* "it" as the task ("take it", "pass it to bob"): returns the text after
 * it, or NULL when P is not the word "it". */
static const char *
after_it (const char *p)
{
  if (g_ascii_tolower (p[0]) != 'i' || g_ascii_tolower (p[1]) != 't')
    return NULL;
  const char *q = p + 2;
  if (*q == '\0' || *q == ' ' || *q == '\t' || *q == ':' || skip_punctuation (q) != q)
    return q;
  return NULL;
}

/* A task number, or "it" (task 0 with *it set: the workflow decides). */
static NumberResult
parse_reference (const char *p, gint64 *value, gboolean *it, const char **after, const char **why)
{
  const char *q = after_it (p);
  if (q == NULL)
    return parse_number (p, value, after, why);
  *it = TRUE;
  *after = q;
  return NUMBER_OK;
}

/* Before a note after the task: a separator, or sentence punctuation
 * ("done 7, thanks"). Returns the text after it, or NULL. */
static const char *
skip_text_separator (const char *p)
{
  const char *text = skip_separator (p);
  if (text != NULL)
    return text;
  text = skip_punctuation (p);
  return text != p ? text : NULL;
}

/* Bytes a short name may hold: ASCII letters and digits, "._-+", and any
 * non-ASCII byte (names like "zoé"; the input is valid UTF-8 by then). */
static gboolean
is_name_byte (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-' || c == '+' || (guchar) c >= 0x80;
}

/* A handoff receiver: a short name or a plain address, '@' or <> removed.
 * Returns NULL when the token is neither. */
static char *
normalize_receiver (const char *token, gsize len)
{
  if (len >= 2 && token[0] == '<' && token[len - 1] == '>')
    {
      token++;
      len -= 2;
    }
  if (len > 0 && token[0] == '@')
    {
      token++;
      len--;
    }
  while (len > 0 && token[len - 1] == '.')
    len--; /* "handoff 12 to bob." ends a sentence */
  if (len == 0)
    return NULL;
  guint ats = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (token[i] == '@')
        ats++;
      else if (!is_name_byte (token[i]))
        return NULL;
    }
  if (ats > 1 || (ats == 1 && (token[0] == '@' || token[len - 1] == '@')))
    return NULL;
  return g_strndup (token, len);
}

/* First "@name" in a title that is not part of an address ("mail
 * bob@example.com" mentions nobody). */
static char *
first_mention (const char *title)
{
  for (const char *p = strchr (title, '@'); p != NULL; p = strchr (p + 1, '@'))
    {
      if (p > title && is_name_byte (p[-1]))
        continue;
      gsize len = 0;
      while (is_name_byte (p[1 + len]))
        len++;
      while (len > 0 && (p[len] == '.' || p[len] == '-'))
        len--;
      if (len > 0)
        return g_strndup (p + 1, len);
    }
  return NULL;
}

static BatonCommand *
command_new (BatonCommandKind kind, guint line, const char *source)
{
  BatonCommand *c = g_new0 (BatonCommand, 1);
  c->kind = kind;
  c->line = line;
  c->source = g_strdup (source);
  return c;
}

/* Turns c into an INVALID command with a message built from the format. */
G_GNUC_PRINTF (2, 3)
static BatonCommand *
invalidate (BatonCommand *c, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  c->kind = BATON_COMMAND_INVALID;
  c->task = 0;
  c->it = FALSE;
  g_clear_pointer (&c->who, g_free);
  g_clear_pointer (&c->text, g_free);
  g_free (c->error);
  c->error = g_strdup_vprintf (format, args);
  va_end (args);
  return c;
}

/* Optional note after a separator; empty notes are no note. */
static char *
note_text (const char *p)
{
  char *text = strdup_trimmed (p);
  if (*text == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static BatonCommand *
parse_task (BatonCommand *c, const char *keyword, const char *p)
{
  c->text = note_text (p);
  if (c->text == NULL)
    return invalidate (c, "%s needs a title: write `%s: Write the migration guide`", keyword,
                       keyword);
  c->who = first_mention (c->text);
  return c;
}

/* At most 40 characters of p[0..len) for an error message, cut on a
 * character boundary so the message stays valid UTF-8. */
static char *
excerpt (const char *p, gsize len)
{
  const char *end = p;
  for (int chars = 0; chars < 40 && end < p + len; chars++)
    end = g_utf8_next_char (end);
  if (end > p + len)
    end = p + len;
  return g_strdup_printf ("%.*s%s", (int) (end - p), p, end < p + len ? "…" : "");
}

static BatonCommand *
parse_handoff_tail (BatonCommand *c, const char *keyword, const char *p)
{
  gint64 n = c->task > 0 ? c->task : 12;
  if (!starts_with_to (p))
    return invalidate (c, "%s needs a receiver: write `%s %" G_GINT64_FORMAT " to bob`", keyword,
                       keyword, n);
  p = skip_space (p + 2);
  gsize len = 0;
  while (p[len] != '\0' && p[len] != ' ' && p[len] != '\t' && p[len] != ':' && p[len] != ',' &&
         p[len] != ';')
    len++;
  if (len == 0)
    return invalidate (c, "%s needs a receiver: write `%s %" G_GINT64_FORMAT " to bob`", keyword,
                       keyword, n);
  c->who = normalize_receiver (p, len);
  if (c->who == NULL)
    {
      g_autofree char *shown = excerpt (p, len);
      return invalidate (c,
                         "`%s` is not a member's short name or an address: "
                         "write `%s %" G_GINT64_FORMAT " to bob` or `%s %" G_GINT64_FORMAT
                         " to bob@example.com`",
                         shown, keyword, n, keyword, n);
    }
  p = skip_space (p + len);
  if (*p == '\0')
    return c;
  const char *note = skip_separator (p);
  if (note == NULL)
    return invalidate (
        c, "unexpected text after the receiver: write `%s %" G_GINT64_FORMAT " to bob: your note`",
        keyword, n);
  c->text = note_text (note);
  return c;
}

/* done/drop/note/block after the (optional) number. whole_is_text: the
 * line was "KEYWORD: text" with no number, so p is the text itself. */
static BatonCommand *
parse_text_tail (BatonCommand *c, const char *keyword, const char *p, gboolean whole_is_text,
                 gboolean required)
{
  gint64 n = c->task > 0 ? c->task : 12;
  if (whole_is_text)
    c->text = note_text (p);
  else if (*p != '\0')
    {
      const char *text = skip_text_separator (p);
      if (text == NULL)
        return invalidate (
            c, "unexpected text after the task number: write `%s %" G_GINT64_FORMAT ": your text`",
            keyword, n);
      c->text = note_text (text);
    }
  if (required && c->text == NULL)
    return invalidate (c, "%s needs text: write `%s %" G_GINT64_FORMAT ": your text`", keyword,
                       keyword, n);
  return c;
}

/* take/unblock: nothing may follow the number. */
static BatonCommand *
parse_bare_tail (BatonCommand *c, const char *keyword, const char *p, gboolean numbered)
{
  if (*skip_space (skip_punctuation (p)) == '\0')
    return c; /* "take 12." */
  return invalidate (c, "unexpected text after %s: write `%s %" G_GINT64_FORMAT "`",
                     numbered ? "the task number" : "the keyword", keyword,
                     c->task > 0 ? c->task : 12);
}

static gboolean
takes_text (const Keyword *kw)
{
  return kw->shape == ARGS_TEXT || kw->shape == ARGS_NOTE;
}

/* Everything after the keyword (and its colon, when colon is set). */
static BatonCommand *
parse_arguments (BatonCommand *c, const Keyword *kw, const char *p, gboolean colon)
{
  const char *rest = p;
  const char *why = NULL;
  NumberResult number = parse_reference (p, &c->task, &c->it, &rest, &why);

  /* "note: 12 tests fail", "note: it works": after "KEYWORD:" a number
   * only counts when nothing or a separator follows it; otherwise it
   * starts the text. */
  if (colon && takes_text (kw) && number != NUMBER_NONE)
    {
      const char *q = number == NUMBER_OK ? skip_space (rest) : NULL;
      if (q == NULL || (*q != '\0' && skip_text_separator (q) == NULL))
        {
          c->task = 0;
          c->it = FALSE;
          number = NUMBER_NONE;
        }
    }
  if (number == NUMBER_BAD)
    return invalidate (c, "%s: write `%s 12`", why, kw->word);
  if (number == NUMBER_OK)
    p = skip_space (rest);

  switch (kw->shape)
    {
      case ARGS_BARE:
        return parse_bare_tail (c, kw->word, p, number == NUMBER_OK);
      case ARGS_RECEIVER:
        return parse_handoff_tail (c, kw->word, p);
      case ARGS_TITLE:
      case ARGS_TEXT:
      case ARGS_NOTE:
      case ARGS_AWAY: /* parse_command() reads these two itself */
      case ARGS_NONE:
        break;
    }
  return parse_text_tail (c, kw->word, p, colon && number == NUMBER_NONE, kw->shape == ARGS_NOTE);
}

/* What may follow a task number (or "it") in an attempt that is not
 * prose: "take it easy" and "Take it from me" are not commands. */
static gboolean
fits_after_number (const Keyword *kw, const char *p)
{
  if (*skip_space (skip_punctuation (p)) == '\0')
    return TRUE;
  if (kw->shape == ARGS_RECEIVER)
    return starts_with_to (p);
  return takes_text (kw) && skip_text_separator (p) != NULL;
}

/* Whether what follows the keyword (P, after spaces; no colon) can only be
 * meant as a command. */
static gboolean
is_attempt (const Keyword *kw, const char *p)
{
  if (*p == '\0' || *p == '#' || g_ascii_isdigit (*p))
    return TRUE;
  if (kw->shape == ARGS_RECEIVER && starts_with_to (p))
    return TRUE;
  const char *q = after_it (p);
  if (q != NULL)
    return fits_after_number (kw, skip_space (q));
  q = skip_punctuation (p);
  if (q == p)
    return FALSE;
  if (*skip_space (q) == '\0')
    return (kw->flags & ALONE_WITH_PUNCTUATION) != 0;
  return (kw->flags & NOTE_AFTER_PUNCTUATION) != 0;
}

/* A YYYY-MM-DD date at *P: its text, *P moved past it; NULL if none. */
static char *
take_date (const char **p)
{
  const char *q = *p;
  for (int i = 0; i < 10; i++)
    if (i == 4 || i == 7 ? q[i] != '-' : !g_ascii_isdigit (q[i]))
      return NULL;
  guint32 julian = 0;
  g_autofree char *date = g_strndup (q, 10);
  if (!baton_date_parse (date, &julian, NULL))
    return NULL;
  *p = q + 10;
  return g_steal_pointer (&date);
}

/* "away until 2027-01-04" and "away 2026-12-21..2027-01-03"; prose ("away
 * from my desk") unless "until" or a digit follows the keyword. */
static BatonCommand *
parse_away (const Keyword *kw, const char *p, const char *source, guint line)
{
  if (*p == ':')
    p = skip_space (p + 1);
  gboolean until = g_ascii_strncasecmp (p, "until", 5) == 0 && (p[5] == ' ' || p[5] == '\0');
  if (!until && !g_ascii_isdigit (*p))
    return NULL;
  BatonCommand *c = command_new (kw->kind, line, source);
  const char *q = until ? skip_space (p + 5) : p;
  g_autofree char *first = until ? g_strdup ("") : take_date (&q);
  if (first != NULL && !until)
    q = g_str_has_prefix (q, "..") ? q + 2 : NULL;
  g_autofree char *last = first != NULL && q != NULL ? take_date (&q) : NULL;
  if (last == NULL || *skip_space (skip_punctuation (q)) != '\0')
    return invalidate (c, "write `away until 2027-01-04` (back on the 4th) or "
                          "`away 2026-12-21..2027-01-03` (both days away), dates as YYYY-MM-DD");
  if (until)
    {
      /* Back on DATE: away through the day before. */
      guint32 julian = 0;
      baton_date_parse (last, &julian, NULL);
      g_free (last);
      last = baton_date_format (julian - 1);
    }
  else if (strcmp (first, last) > 0)
    return invalidate (c, "the first day %s is after the last %s: write `away %s..%s`", first, last,
                       last, first);
  c->text = g_strdup_printf ("%s..%s", first, last);
  return c;
}

/* The line SOURCE whose keyword KW ends at AFTER; NULL when it is prose. */
static BatonCommand *
parse_command (const Keyword *kw, const char *after, const char *source, guint line)
{
  if (kw->shape == ARGS_AWAY)
    return g_ascii_isalnum (*after) ? NULL : parse_away (kw, skip_space (after), source, line);
  if (kw->shape == ARGS_NONE)
    return g_ascii_isalnum (*after) || *skip_space (skip_punctuation (after)) != '\0'
               ? NULL
               : command_new (kw->kind, line, source);
  /* "take5" is a command, "take5x" a word of its own. */
  if (*after == '#' || g_ascii_isdigit (*after))
    {
      gint64 n = 0;
      const char *end = NULL, *why = NULL;
      if (parse_number (after, &n, &end, &why) != NUMBER_OK)
        return NULL;
    }
  const char *p = skip_space (after);
  gboolean colon = (*p == ':');
  if (kw->shape == ARGS_TITLE)
    return colon ? parse_task (command_new (kw->kind, line, source), kw->word, p + 1) : NULL;
  /* Only what could not be prose makes the line an attempt. */
  if (!colon && !is_attempt (kw, p))
    return NULL;

  BatonCommand *c = command_new (kw->kind, line, source);
  return parse_arguments (c, kw, colon ? skip_space (p + 1) : p, colon);
}

/* Optimal string alignment distance (Damerau: a swap of neighbours is one
 * edit) between two short lowercase words; both at most NEAR_MAX long. */
#define NEAR_MAX 9

static guint
edit_distance (const char *a, gsize la, const char *b, gsize lb)
{
  guint d[NEAR_MAX + 1][NEAR_MAX + 1];
  for (gsize i = 0; i <= la; i++)
    d[i][0] = (guint) i;
  for (gsize j = 0; j <= lb; j++)
    d[0][j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = a[i - 1] != b[j - 1];
        guint best = MIN (d[i - 1][j] + 1, d[i][j - 1] + 1);
        best = MIN (best, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          best = MIN (best, d[i - 2][j - 2] + 1);
        d[i][j] = best;
      }
  return d[la][lb];
}

/* A slip of the fingers rather than another word: two neighbours swapped
 * ("tkae") or one letter too many ("doone"). Substitutions and deletions
 * make real words and names ("Node", "None", "Don", "Tate"). */
static gboolean
is_typing_slip (const char *word, gsize len, const char *keyword, gsize klen, guint distance)
{
  if (distance != 1)
    return FALSE;
  if (len == klen + 1)
    return TRUE;
  if (len != klen)
    return FALSE;
  for (gsize i = 0; i + 1 < len; i++)
    if (word[i] != keyword[i])
      return word[i] == keyword[i + 1] && word[i + 1] == keyword[i];
  return FALSE;
}

/* Most first words of most lines are no near miss: a keyword that does
 * not start as WORD does (same_start) can neither be extended by it nor be
 * its answer, and one whose length is 3 or more away is at distance 3 or
 * more. Skipping those keywords changes no answer (tests/unit/
 * test-commands-near.c compares with every keyword tried: it builds this
 * file with BATON_COMMANDS_TRY_EVERY_KEYWORD) and spares an edit distance
 * per keyword per line. */
#ifdef BATON_COMMANDS_TRY_EVERY_KEYWORD
#define may_be_near(condition) ((void) (condition), TRUE)
#else
#define may_be_near(condition) (condition)
#endif

/* The keyword nearest to WORD (distance 1 or 2, same first letter or the
 * first two swapped), or NULL. A word that extends a keyword ("notes",
 * "taken", "tasks") is a word of its own. Only one-word keywords. */
static const Keyword *
nearest_keyword (const char *word, gsize len, guint *distance)
{
  const Keyword *best = NULL;
  *distance = 3;
  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      const char *k = keywords[i].word;
      gboolean same_start = word[0] == k[0] || (word[0] == k[1] && word[1] == k[0]);
      if (!may_be_near (same_start))
        continue;
      gsize klen = strlen (k);
      if (strchr (k, ' ') != NULL || strchr (k, '-') != NULL)
        continue;
      if (len > klen && strncmp (word, k, klen) == 0)
        return NULL;
      if (!may_be_near (len <= klen + 2 && klen <= len + 2))
        continue;
      guint d = edit_distance (word, len, k, klen);
      if (same_start && d >= 1 && d < *distance)
        {
          best = &keywords[i];
          *distance = d;
        }
    }
  return best;
}

/* The right way to write C, for the error message. */
static char *
suggestion (const Keyword *kw, const BatonCommand *c)
{
  GString *form = g_string_new (kw->word);
  if (kw->shape == ARGS_TITLE)
    g_string_append (form, ":");
  else if (c->task > 0)
    g_string_append_printf (form, " %" G_GINT64_FORMAT, c->task);
  else if (c->it)
    g_string_append (form, " it");
  if (c->who != NULL)
    g_string_append_printf (form, " to %s", c->who);
  if (c->text != NULL)
    {
      g_autofree char *text = excerpt (c->text, strlen (c->text));
      g_string_append_printf (form, "%s %s", kw->shape == ARGS_TITLE ? "" : ":", text);
    }
  return g_string_free (form, FALSE);
}

/* A line that is nearly a command ("tkae 5", "dn 5", "Doen.") is reported
 * with the form to use, never filed as an update. The rule, which keeps
 * prose out of it:
 * - its first word is no keyword but within edit distance 1 or 2 of one,
 *   starts with the same letter (or the first two swapped), and does not
 *   extend a keyword ("Notes:", "taken", "Tasks:" are words);
 * - with the keyword in its place, the line is a valid command;
 * - and that command is the keyword with a task number or "it" and
 *   nothing else ("dn 5", "tkae it"), or a handoff with its number and
 *   receiver ("pas 5 to bob"); any other shape (the word alone "Doen.",
 *   "dnoe 5: shipped", "tsak: Write the guide") counts only when the word
 *   is a slip of the fingers (is_typing_slip()): "Node 5: down since 3am",
 *   "Don", "Dome." stay prose. */
static BatonCommand *
near_miss (const char *p, const char *source, guint line)
{
  if (*p == '#')
    p++;
  gsize len = 0;
  while (len <= NEAR_MAX && g_ascii_isalpha (p[len]))
    len++;
  if (len < 2 || len > NEAR_MAX || !ends_word (p + len))
    return NULL;
  char word[NEAR_MAX + 1];
  for (gsize i = 0; i < len; i++)
    word[i] = g_ascii_tolower (p[i]);
  word[len] = '\0';
  guint distance = 0;
  const Keyword *kw = nearest_keyword (word, len, &distance);
  if (kw == NULL)
    return NULL;
  g_autoptr (BatonCommand) c = parse_command (kw, p + len, source, line);
  if (c == NULL || c->kind == BATON_COMMAND_INVALID)
    return NULL;
  gboolean numbered = c->task > 0 || c->it;
  gboolean plain = numbered && c->text == NULL && kw->shape != ARGS_TITLE &&
                   (kw->shape == ARGS_RECEIVER || c->who == NULL);
  if (!plain && !is_typing_slip (word, len, kw->word, strlen (kw->word), distance))
    return NULL;
  g_autofree char *form = suggestion (kw, c);
  g_autofree char *typed = g_strndup (p, len);
  return invalidate (g_steal_pointer (&c), "`%s` is not a command: write `%s`", typed, form);
}

/* Parses one trimmed line; NULL when it is free text. */
static BatonCommand *
parse_line (const char *source, guint line)
{
  /* Every command and near miss starts with a letter, after a bullet or
   * '#' at most: most lines of prose, quotes and signatures do not. */
  guchar first = (guchar) *source;
  if (first < 0x80 && !g_ascii_isalpha (first) && first != '#' && first != '-' && first != '*' &&
      first != '+')
    return NULL;
  const char *after = NULL;
  const char *p = skip_bullet (source);
  const Keyword *kw = match_keyword (p, &after);
  if (kw == NULL)
    return near_miss (p, source, line);
  return parse_command (kw, after, source, line);
}

/* Spaces to a reader: no-break, en/em and the other Unicode spaces. */
static gboolean
is_unicode_space (gunichar u)
{
  return u == 0xA0 || u == 0x1680 || (u >= 0x2000 && u <= 0x200A) || u == 0x202F || u == 0x205F ||
         u == 0x3000;
}

/* Characters that show nothing: zero-width space, word joiner, byte order
 * mark, soft hyphen anywhere; the joiners and direction marks, which
 * matter inside some scripts and emoji, only before the first visible one. */
static gboolean
is_invisible (gunichar u, gboolean leading)
{
  if (u == 0x200B || u == 0x2060 || u == 0xFEFF || u == 0xAD)
    return TRUE;
  return leading && ((u >= 0x200C && u <= 0x200F) || (u >= 0x202A && u <= 0x202E) ||
                     (u >= 0x2066 && u <= 0x2069));
}

/* LINE as the parser reads it: Unicode spaces made ' ', invisible
 * characters dropped. NULL when LINE is plain ASCII (nothing to do). */
static char *
normalize_line (const char *line)
{
  const char *p = line;
  while (*p != '\0' && (guchar) *p < 0x80)
    p++;
  if (*p == '\0')
    return NULL;
  GString *out = g_string_sized_new (strlen (line));
  gboolean leading = TRUE;
  for (const char *q = line; *q != '\0'; q = g_utf8_next_char (q))
    {
      gunichar u = g_utf8_get_char (q);
      if (is_invisible (u, leading))
        continue;
      if (is_unicode_space (u))
        g_string_append_c (out, ' ');
      else
        {
          g_string_append_len (out, q, g_utf8_next_char (q) - q);
          leading = leading && (u == ' ' || u == '\t');
        }
    }
  return g_strstrip (g_string_free (out, FALSE));
}

static void
flush_update (GPtrArray *out, GString *run, guint line)
{
  if (run->len == 0)
    return;
  BatonCommand *c = command_new (BATON_COMMAND_UPDATE, line, run->str);
  c->text = g_strdup (run->str);
  g_ptr_array_add (out, c);
  g_string_truncate (run, 0);
}

/* Reads the line at START (ended at the next newline, which is made a
 * NUL; *NEXT is the line after it or NULL) as line number LINE. Returns
 * FALSE for a blank line; otherwise sets *TRIMMED (the line as written,
 * trimmed in place) and *COMMAND (NULL for free text). */
static gboolean
read_line (char *start, guint line, char **next, char **trimmed, BatonCommand **command)
{
  char *newline = strchr (start, '\n');
  if (newline != NULL)
    *newline = '\0';
  *next = newline != NULL ? newline + 1 : NULL;
  *trimmed = g_strstrip (start); /* also drops the CR of CRLF */
  *command = NULL;
  /* Commands are read normalised; free text is kept as written. */
  g_autofree char *normal = normalize_line (*trimmed);
  const char *read = normal != NULL ? normal : *trimmed;
  if (*read == '\0')
    return FALSE;
  *command = parse_line (read, line);
  return TRUE;
}

gboolean
baton_commands_any (const char *text)
{
  if (text == NULL)
    return FALSE;
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  guint line = 0;
  for (char *start = valid; start != NULL;)
    {
      char *trimmed = NULL;
      g_autoptr (BatonCommand) c = NULL;
      read_line (start, ++line, &start, &trimmed, &c);
      if (c != NULL)
        return TRUE;
    }
  return FALSE;
}

GPtrArray *
baton_commands_parse (const char *visible_text)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) baton_command_free);
  if (visible_text == NULL)
    return out;
  /* Mail text can be anything; everything we hand on is valid UTF-8. */
  g_autofree char *text = g_utf8_make_valid (visible_text, -1);
  g_autoptr (GString) run = g_string_new (NULL);
  guint run_line = 0;
  guint line = 0;

  for (char *start = text; start != NULL;)
    {
      char *trimmed = NULL;
      BatonCommand *c = NULL;
      if (!read_line (start, ++line, &start, &trimmed, &c))
        {
          flush_update (out, run, run_line);
          continue;
        }
      if (c != NULL)
        {
          flush_update (out, run, run_line);
          g_ptr_array_add (out, c);
          continue;
        }
      if (run->len == 0)
        run_line = line;
      else
        g_string_append_c (run, '\n');
      g_string_append (run, trimmed);
    }
  flush_update (out, run, run_line);
  return out;
}

/* Digits only, 1..MAX_TASK_NUMBER, the whole string. */
static gint64
strict_task_number (const char *p, gsize len)
{
  if (len == 0 || len > 10)
    return 0;
  gint64 n = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return 0;
      n = n * 10 + (p[i] - '0');
    }
  return n <= MAX_TASK_NUMBER ? n : 0;
}

/* The tag of a plus-address of @team_address ("take-12" in
 * "team+take-12@example.com"): *@tag and *@tag_len; FALSE when @recipient
 * is not one (another domain or local part, or no tag). */
static gboolean
plus_tag (const char *recipient, const char *team_address, const char **tag, gsize *tag_len)
{
  if (recipient == NULL || team_address == NULL)
    return FALSE;
  const char *r_at = strrchr (recipient, '@');
  const char *t_at = strrchr (team_address, '@');
  if (r_at == NULL || t_at == NULL || g_ascii_strcasecmp (r_at + 1, t_at + 1) != 0)
    return FALSE;
  gsize team_local = (gsize) (t_at - team_address);
  gsize r_local = (gsize) (r_at - recipient);
  if (team_local == 0 || r_local <= team_local + 1 ||
      g_ascii_strncasecmp (recipient, team_address, team_local) != 0 ||
      recipient[team_local] != '+')
    return FALSE;
  *tag = recipient + team_local + 1;
  *tag_len = (gsize) (r_at - *tag);
  return TRUE;
}

gboolean
baton_commands_from_plus_address (const char *recipient, const char *team_address,
                                  BatonCommandKind *kind, gint64 *task)
{
  g_return_val_if_fail (kind != NULL && task != NULL, FALSE);
  const char *tag = NULL;
  gsize tag_len = 0;
  if (!plus_tag (recipient, team_address, &tag, &tag_len))
    return FALSE;
  if (tag_len == 4 && g_ascii_strncasecmp (tag, "task", 4) == 0)
    {
      *kind = BATON_COMMAND_TASK;
      *task = 0;
      return TRUE;
    }
  static const struct {
    const char *word;
    BatonCommandKind kind;
  } verbs[] = {
    { "take-", BATON_COMMAND_TAKE },
    { "done-", BATON_COMMAND_DONE },
    { "drop-", BATON_COMMAND_DROP },
    { "accept-", BATON_COMMAND_ACCEPT },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      gsize word_len = strlen (verbs[i].word);
      if (tag_len <= word_len || g_ascii_strncasecmp (tag, verbs[i].word, word_len) != 0)
        continue;
      gint64 n = strict_task_number (tag + word_len, tag_len - word_len);
      if (n == 0)
        return FALSE;
      *kind = verbs[i].kind;
      *task = n;
      return TRUE;
    }
  return FALSE;
}

/* A member's short name as config.c allows it: letters, digits, '-',
 * '_', '.'. */
static gboolean
short_name (const char *p, gsize len)
{
  if (len == 0 || len > MAX_NAME_CHARS)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (p[i]) && p[i] != '-' && p[i] != '_' && p[i] != '.')
      return FALSE;
  return TRUE;
}

gboolean
baton_commands_handoff_from_plus_address (const char *recipient, const char *team_address,
                                          gint64 *task, char **who)
{
  g_return_val_if_fail (task != NULL && who != NULL, FALSE);
  static const char word[] = "handoff-";
  gsize word_len = sizeof word - 1;
  const char *tag = NULL;
  gsize tag_len = 0;
  if (!plus_tag (recipient, team_address, &tag, &tag_len) || tag_len <= word_len ||
      g_ascii_strncasecmp (tag, word, word_len) != 0)
    return FALSE;
  /* The number ends at the first '-': names may hold '-', numbers not. */
  const char *number = tag + word_len;
  const char *end = tag + tag_len;
  const char *dash = memchr (number, '-', (gsize) (end - number));
  if (dash == NULL)
    return FALSE;
  gint64 n = strict_task_number (number, (gsize) (dash - number));
  if (n == 0 || !short_name (dash + 1, (gsize) (end - dash - 1)))
    return FALSE;
  *task = n;
  *who = g_ascii_strdown (dash + 1, end - dash - 1);
  return TRUE;
}

gint64
baton_commands_task_from_subject (const char *subject)
{
  if (subject == NULL)
    return 0;
  /* strchr, not strstr: under AddressSanitizer strstr measures the rest
   * of the subject each time, quadratic in its "[#"s. */
  for (const char *p = strchr (subject, '['); p != NULL; p = strchr (p + 1, '['))
    {
      if (p[1] != '#')
        continue;
      const char *digits = p + 2;
      gsize len = 0;
      while (g_ascii_isdigit (digits[len]))
        len++;
      if (digits[len] != ']')
        continue;
      gint64 n = strict_task_number (digits, len);
      if (n > 0)
        return n;
    }
  return 0;
}
