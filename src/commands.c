/* The command language (DESIGN.md §2): visible text in, commands out.
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
 * - Every step only moves forward through the line, so the whole parse is
 *   linear in the input (a 100 KB line costs one pass).
 */
#define G_LOG_DOMAIN "baton-commands"
#include "baton/commands.h"

#include <string.h>

/* Task numbers fit a signed 32-bit column everywhere they are stored. */
#define MAX_TASK_NUMBER G_MAXINT32

typedef struct {
  const char *word;
  BatonCommandKind kind;
} Keyword;

static const Keyword keywords[] = {
  { "task", BATON_COMMAND_TASK },    { "todo", BATON_COMMAND_TASK },
  { "take", BATON_COMMAND_TAKE },    { "done", BATON_COMMAND_DONE },
  { "drop", BATON_COMMAND_DROP },    { "handoff", BATON_COMMAND_HANDOFF },
  { "pass", BATON_COMMAND_HANDOFF }, { "note", BATON_COMMAND_NOTE },
  { "block", BATON_COMMAND_BLOCK },  { "unblock", BATON_COMMAND_UNBLOCK },
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
      case BATON_COMMAND_UPDATE:
        return "update";
      case BATON_COMMAND_INVALID:
        return "invalid";
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

/* The keyword starting at p (after an optional '#'), or NULL. The word must
 * end at a space, ':' or the end of the line: "done7" and "done." are
 * words of their own. */
static const Keyword *
match_keyword (const char *p, const char **after)
{
  if (*p == '#')
    p++;
  gsize len = 0;
  while (g_ascii_isalpha (p[len]))
    len++;
  char next = p[len];
  if (next != '\0' && next != ':' && next != ' ' && next != '\t')
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (strlen (keywords[i].word) == len && g_ascii_strncasecmp (p, keywords[i].word, len) == 0)
      {
        *after = p + len;
        return &keywords[i];
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
  if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ':')
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
      const char *text = skip_separator (p);
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
  if (*p == '\0')
    return c;
  return invalidate (c, "unexpected text after %s: write `%s %" G_GINT64_FORMAT "`",
                     numbered ? "the task number" : "the keyword", keyword,
                     c->task > 0 ? c->task : 12);
}

static gboolean
takes_text (BatonCommandKind kind)
{
  return kind == BATON_COMMAND_DONE || kind == BATON_COMMAND_DROP || kind == BATON_COMMAND_NOTE ||
         kind == BATON_COMMAND_BLOCK;
}

/* Everything after the keyword (and its colon, when colon is set). */
static BatonCommand *
parse_arguments (BatonCommand *c, const Keyword *kw, const char *p, gboolean colon)
{
  const char *rest = p;
  const char *why = NULL;
  NumberResult number = parse_number (p, &c->task, &rest, &why);

  /* "note: 12 tests fail": after "KEYWORD:" a number only counts when
   * nothing or a separator follows it; otherwise it starts the text. */
  if (colon && takes_text (kw->kind) && number != NUMBER_NONE)
    {
      const char *q = number == NUMBER_OK ? skip_space (rest) : NULL;
      if (q == NULL || (*q != '\0' && skip_separator (q) == NULL))
        {
          c->task = 0;
          number = NUMBER_NONE;
        }
    }
  if (number == NUMBER_BAD)
    return invalidate (c, "%s: write `%s 12`", why, kw->word);
  if (number == NUMBER_OK)
    p = skip_space (rest);

  switch (kw->kind)
    {
      case BATON_COMMAND_TAKE:
      case BATON_COMMAND_UNBLOCK:
        return parse_bare_tail (c, kw->word, p, number == NUMBER_OK);
      case BATON_COMMAND_HANDOFF:
        return parse_handoff_tail (c, kw->word, p);
      default:
        return parse_text_tail (c, kw->word, p, colon && number == NUMBER_NONE,
                                kw->kind == BATON_COMMAND_NOTE);
    }
}

/* Parses one trimmed line; NULL when it is free text. */
static BatonCommand *
parse_line (const char *source, guint line)
{
  const char *after = NULL;
  const Keyword *kw = match_keyword (skip_bullet (source), &after);
  if (kw == NULL)
    return NULL;

  const char *p = skip_space (after);
  gboolean colon = (*p == ':');
  if (kw->kind == BATON_COMMAND_TASK)
    return colon ? parse_task (command_new (kw->kind, line, source), kw->word, p + 1) : NULL;
  /* Only what could not be prose makes the line an attempt. */
  if (!colon && *p != '\0' && *p != '#' && !g_ascii_isdigit (*p) &&
      !(kw->kind == BATON_COMMAND_HANDOFF && starts_with_to (p)))
    return NULL;

  BatonCommand *c = command_new (kw->kind, line, source);
  return parse_arguments (c, kw, colon ? skip_space (p + 1) : p, colon);
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
      char *newline = strchr (start, '\n');
      if (newline != NULL)
        *newline = '\0';
      line++;
      char *trimmed = g_strstrip (start); /* also drops the CR of CRLF */
      start = newline != NULL ? newline + 1 : NULL;

      if (*trimmed == '\0')
        {
          flush_update (out, run, run_line);
          continue;
        }
      BatonCommand *c = parse_line (trimmed, line);
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

gboolean
baton_commands_from_plus_address (const char *recipient, const char *team_address,
                                  BatonCommandKind *kind, gint64 *task)
{
  g_return_val_if_fail (kind != NULL && task != NULL, FALSE);
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

  const char *tag = recipient + team_local + 1;
  gsize tag_len = (gsize) (r_at - tag);
  if (tag_len == 4 && g_ascii_strncasecmp (tag, "task", 4) == 0)
    {
      *kind = BATON_COMMAND_TASK;
      *task = 0;
      return TRUE;
    }
  static const Keyword verbs[] = {
    { "take-", BATON_COMMAND_TAKE },
    { "done-", BATON_COMMAND_DONE },
    { "drop-", BATON_COMMAND_DROP },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (tag_len <= 5 || g_ascii_strncasecmp (tag, verbs[i].word, 5) != 0)
        continue;
      gint64 n = strict_task_number (tag + 5, tag_len - 5);
      if (n == 0)
        return FALSE;
      *kind = verbs[i].kind;
      *task = n;
      return TRUE;
    }
  return FALSE;
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
