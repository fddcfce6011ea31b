/* SPDX-License-Identifier: MIT */
/* HTML to plain text for HTML-only mail.
 *
 * Not a DOM parser: a single pass over the bytes, tags recognized by name,
 * attributes ignored. That is enough for mail (the text of a reply, not its
 * layout) and it cannot be driven into deep recursion or quadratic work by
 * hostile markup: every byte is looked at a bounded number of times, except
 * that a <script>/<style>/<head> element is searched for its end once.
 *
 * Text a reader would not see is not text: besides script, style, head and
 * template, an element with the hidden attribute or a hiding inline style
 * (display:none, visibility:hidden, font-size:0, opacity:0…) is dropped
 * with everything in it, so a "done 1" hidden in a mail's markup is never
 * read as a command. Styles from <style> sheets and classes are not
 * applied: only what the element itself says.
 *
 * Rendering state is one line at a time: text goes into the current line,
 * block elements ask for line ends, and the line is finished (with one "> "
 * per enclosing <blockquote>) only when more text arrives, so empty blocks
 * never make empty lines.
 */
#define G_LOG_DOMAIN "baton-html"

#include "baton/html.h"

#include <string.h>

#define MAX_BREAKS 3 /* more blank lines than this say nothing */
/* Prefixes and list indents stop growing here, so that a flood of nested
 * <blockquote>s cannot make every later line megabytes long; any depth
 * above zero is quoted all the same. */
#define MAX_NESTING 20

typedef struct {
  GString *out;     /* finished lines, each ending in "\n" */
  GString *line;    /* the current line, without its quote prefix */
  guint line_depth; /* blockquote depth of the current line */
  guint depth;      /* blockquote depth at this point of the input */
  guint breaks;     /* line ends due before the next text */
  guint pre;        /* inside <pre>: whitespace is kept */
  guint lists;      /* nesting of <ul>/<ol> */
  gboolean space;   /* a collapsed space is due before the next text */
  gboolean item;    /* a list marker is due before the next text */
} Render;

static const struct {
  const char *name;
  gunichar c;
} entities[] = {
  { "amp", '&' },       { "lt", '<' },       { "gt", '>' },        { "quot", '"' },
  { "apos", '\'' },     { "nbsp", 0xA0 },    { "ensp", 0x2002 },   { "emsp", 0x2003 },
  { "thinsp", 0x2009 }, { "zwnj", 0x200C },  { "zwj", 0x200D },    { "shy", 0xAD },
  { "copy", 0xA9 },     { "reg", 0xAE },     { "trade", 0x2122 },  { "hellip", 0x2026 },
  { "mdash", 0x2014 },  { "ndash", 0x2013 }, { "lsquo", 0x2018 },  { "rsquo", 0x2019 },
  { "sbquo", 0x201A },  { "ldquo", 0x201C }, { "rdquo", 0x201D },  { "bdquo", 0x201E },
  { "laquo", 0xAB },    { "raquo", 0xBB },   { "lsaquo", 0x2039 }, { "rsaquo", 0x203A },
  { "bull", 0x2022 },   { "middot", 0xB7 },  { "euro", 0x20AC },   { "pound", 0xA3 },
  { "yen", 0xA5 },      { "cent", 0xA2 },    { "sect", 0xA7 },     { "para", 0xB6 },
  { "deg", 0xB0 },      { "plusmn", 0xB1 },  { "times", 0xD7 },    { "divide", 0xF7 },
  { "frac12", 0xBD },   { "frac14", 0xBC },  { "frac34", 0xBE },   { "sup1", 0xB9 },
  { "sup2", 0xB2 },     { "sup3", 0xB3 },    { "iexcl", 0xA1 },    { "iquest", 0xBF },
  { "szlig", 0xDF },    { "auml", 0xE4 },    { "ouml", 0xF6 },     { "uuml", 0xFC },
  { "Auml", 0xC4 },     { "Ouml", 0xD6 },    { "Uuml", 0xDC },     { "euml", 0xEB },
  { "iuml", 0xEF },     { "yuml", 0xFF },    { "aacute", 0xE1 },   { "eacute", 0xE9 },
  { "iacute", 0xED },   { "oacute", 0xF3 },  { "uacute", 0xFA },   { "Aacute", 0xC1 },
  { "Eacute", 0xC9 },   { "Iacute", 0xCD },  { "Oacute", 0xD3 },   { "Uacute", 0xDA },
  { "agrave", 0xE0 },   { "egrave", 0xE8 },  { "igrave", 0xEC },   { "ograve", 0xF2 },
  { "ugrave", 0xF9 },   { "Agrave", 0xC0 },  { "Egrave", 0xC8 },   { "acirc", 0xE2 },
  { "ecirc", 0xEA },    { "icirc", 0xEE },   { "ocirc", 0xF4 },    { "ucirc", 0xFB },
  { "Ecirc", 0xCA },    { "atilde", 0xE3 },  { "otilde", 0xF5 },   { "ntilde", 0xF1 },
  { "Ntilde", 0xD1 },   { "ccedil", 0xE7 },  { "Ccedil", 0xC7 },   { "aring", 0xE5 },
  { "Aring", 0xC5 },    { "aelig", 0xE6 },   { "AElig", 0xC6 },    { "oslash", 0xF8 },
  { "Oslash", 0xD8 },   { "oelig", 0x153 },  { "OElig", 0x152 },   { "larr", 0x2190 },
  { "rarr", 0x2192 },   { "uarr", 0x2191 },  { "darr", 0x2193 },   { "check", 0x2713 },
  { "hearts", 0x2665 },
};

/* Elements whose content is not text at all. */
static const char *const skipped[] = { "script",   "style",    "head",   "title",
                                       "noscript", "template", "object", "svg" };

/* Elements that start and end on their own line. */
static const char *const blocks[] = {
  "div",     "ul",      "ol",      "li",         "tr",       "table",   "blockquote",
  "pre",     "hr",      "dl",      "dt",         "dd",       "section", "article",
  "header",  "footer",  "address", "form",       "fieldset", "center",  "nav",
  "aside",   "main",    "figure",  "figcaption", "tbody",    "thead",   "tfoot",
  "caption", "details", "summary", "body",       "html",
};

/* Elements that also leave a blank line around them. */
static const char *const paragraphs[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6" };

static gboolean
in_list (const char *name, const char *const *list, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (strcmp (name, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
append_prefix (GString *out, guint depth)
{
  for (guint i = 0; i < MIN (depth, MAX_NESTING); i++)
    g_string_append (out, "> ");
}

/* Writes out the current line and the blank lines due after it. A blank
 * line between two quoted lines stays quoted, so the quote stays one block. */
static void
finish_line (Render *r)
{
  append_prefix (r->out, r->line_depth);
  g_string_append_len (r->out, r->line->str, r->line->len);
  g_string_append_c (r->out, '\n');
  for (guint i = 1; i < r->breaks; i++)
    {
      append_prefix (r->out, MIN (r->line_depth, r->depth));
      g_string_append_c (r->out, '\n');
    }
  g_string_truncate (r->line, 0);
  r->breaks = 0;
}

static void
want_breaks (Render *r, guint n)
{
  r->breaks = MAX (r->breaks, n);
  r->space = FALSE;
}

/* Adds visible text (one character, as UTF-8) to the current line. */
static void
put_text (Render *r, const char *s, gsize len)
{
  if (r->breaks > 0 && r->line->len > 0)
    finish_line (r);
  r->breaks = 0; /* breaks before the first text are margins, not lines */
  if (r->line->len == 0)
    {
      r->line_depth = r->depth;
      if (r->item)
        {
          for (guint i = 1; i < MIN (r->lists, MAX_NESTING); i++)
            g_string_append (r->line, "  ");
          g_string_append (r->line, "- ");
          r->item = FALSE;
        }
    }
  else if (r->space)
    {
      g_string_append_c (r->line, ' ');
    }
  r->space = FALSE;
  g_string_append_len (r->line, s, len);
}

static void
put_char (Render *r, gunichar c)
{
  if (c == 0xA0)
    { /* a non-breaking space is a space that does not collapse */
      put_text (r, " ", 1);
      return;
    }
  if (c == '\n' && r->pre)
    {
      r->breaks = MIN (r->breaks + 1, MAX_BREAKS);
      return;
    }
  if (!r->pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'))
    {
      r->space = TRUE;
      return;
    }
  if (c == 0xAD || c == 0x200C || c == 0x200D || c == '\r') /* invisible */
    return;
  char buf[6];
  put_text (r, buf, g_unichar_to_utf8 (c, buf));
}

static gunichar
named_entity (const char *name, gsize len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strlen (entities[i].name) == len && strncmp (entities[i].name, name, len) == 0)
      return entities[i].c;
  return 0;
}

static gunichar
numeric_entity (const char *p, const char **end)
{
  gboolean hex = (*p == 'x' || *p == 'X');
  const char *q = p + (hex ? 1 : 0);
  guint64 value = 0;
  const char *digits = q;
  while (hex ? g_ascii_isxdigit (*q) : g_ascii_isdigit (*q))
    {
      if (value <= 0x10FFFF)
        value = value * (hex ? 16 : 10) + (guint) (hex ? g_ascii_xdigit_value (*q) : *q - '0');
      q++;
    }
  if (q == digits)
    return 0;
  *end = (*q == ';') ? q + 1 : q;
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
    return 0xFFFD;
  return (gunichar) value;
}

/* Decodes the entity at p ('&'); returns where the text continues, or p
 * when it is not an entity (the '&' is then plain text). */
static const char *
entity (Render *r, const char *p)
{
  const char *end = NULL;
  gunichar c = 0;
  if (p[1] == '#')
    {
      c = numeric_entity (p + 2, &end);
    }
  else
    {
      gsize len = 0;
      while (len < 10 && g_ascii_isalnum (p[1 + len]))
        len++;
      if (len > 0 && p[1 + len] == ';')
        {
          c = named_entity (p + 1, len);
          end = p + len + 2;
        }
    }
  if (c == 0)
    return p;
  put_char (r, c);
  return end;
}

/* The end of a comment whose text starts at P: just past "-->", or NULL.
 * Not strstr(): under AddressSanitizer it measures the whole rest of the
 * input first, which made a run of comments quadratic in the sanitized
 * build. */
static const char *
comment_end (const char *p)
{
  for (const char *dash = strchr (p, '-'); dash != NULL; dash = strchr (dash + 1, '-'))
    if (dash[1] == '-' && dash[2] == '>')
      return dash + 3;
  return NULL;
}

/* Case-insensitive search for needle (ASCII) in text. */
static const char *
find_ci (const char *text, const char *needle)
{
  gsize n = strlen (needle);
  for (const char *p = text; *p; p++)
    if (g_ascii_strncasecmp (p, needle, n) == 0)
      return p;
  return NULL;
}

/* Where a tag that started at p ends (just past '>'), honouring quoted
 * attribute values; an unbalanced quote falls back to the first '>'. */
static const char *
tag_end (const char *p)
{
  char quote = 0;
  for (const char *q = p; *q; q++)
    {
      if (quote)
        {
          if (*q == quote)
            quote = 0;
        }
      else if (*q == '"' || *q == '\'')
        {
          quote = *q;
        }
      else if (*q == '>')
        {
          return q + 1;
        }
    }
  const char *gt = strchr (p, '>');
  return gt != NULL ? gt + 1 : p + strlen (p);
}

/* The same, only in [TEXT, LIMIT). */
static const char *
find_ci_before (const char *text, const char *limit, const char *needle)
{
  gsize n = strlen (needle);
  for (const char *p = text; p < limit && *p; p++)
    if (g_ascii_strncasecmp (p, needle, n) == 0)
      return p;
  return NULL;
}

/* The end of a skipped element's content: its closing tag, or for <head>
 * also <body>, which closes it implicitly; the end of input if missing.
 * <body> is looked for only before the closing tag: searching the whole
 * rest made "<head></head>x" repeated quadratic (8 s for 100 KB). */
static const char *
skip_element (const char *p, const char *name)
{
  g_autofree char *close = g_strconcat ("</", name, NULL);
  const char *end = find_ci (p, close);
  if (strcmp (name, "head") == 0)
    {
      const char *body = find_ci_before (p, end != NULL ? end : p + strlen (p), "<body");
      if (body != NULL)
        return body;
    }
  return end != NULL ? tag_end (end) : p + strlen (p);
}

/* Elements that never have content, so hiding one hides nothing more. */
static const char *const void_elements[] = { "area",  "base",   "br",    "col",  "embed",
                                             "hr",    "img",    "input", "link", "meta",
                                             "param", "source", "track", "wbr" };

static gboolean
is_name_end (char c)
{
  return !g_ascii_isalnum (c);
}

/* The end of a hidden element whose start tag ended at P: past its own
 * closing tag, counting nested elements of the same name; the end of input
 * when it is never closed (a browser hides the rest too). Other tags are
 * only recognized by their name, never searched to their end, and the scan
 * resumes where it stops, so hidden markup costs one pass like the rest.
 * Implicitly closed elements (a second <p>) count as nested: more is
 * dropped than a browser hides, never less. */
static const char *
skip_hidden (const char *p, const char *name)
{
  gsize n = strlen (name);
  guint depth = 1;
  for (const char *lt = strchr (p, '<'); lt != NULL; lt = strchr (lt + 1, '<'))
    {
      if (strncmp (lt, "<!--", 4) == 0)
        {
          const char *end = comment_end (lt + 4);
          if (end == NULL)
            break;
          lt = end - 1;
          continue;
        }
      gboolean closing = lt[1] == '/';
      const char *tag = lt + (closing ? 2 : 1);
      if (g_ascii_strncasecmp (tag, name, n) != 0 || !is_name_end (tag[n]))
        continue;
      if (!closing)
        depth++;
      else if (--depth == 0)
        return tag_end (tag + n);
    }
  return p + strlen (p);
}

/* A CSS length or number that is zero: "0", "0px", "0.0em", "0%"… */
static gboolean
is_zero (const char *value)
{
  const char *p = value;
  while (*p == '0' || *p == '.')
    p++;
  return p > value && !g_ascii_isdigit (*p);
}

/* Whether the declarations of a style attribute (lowercase, without
 * whitespace or comments) hide the element from a sighted reader: the
 * ways mail hides a "preheader" or smuggled text. aria-hidden is not
 * among them: it hides from screen readers only, the text is on screen. */
static gboolean
style_hides (char *style)
{
  gboolean zero_height = FALSE, overflow_hidden = FALSE;
  /* Split at ';' by hand: g_strsplit() is quadratic under ASan. */
  for (char *declaration = style, *next; declaration != NULL; declaration = next)
    {
      next = strchr (declaration, ';');
      if (next != NULL)
        *next++ = '\0';
      char *value = strchr (declaration, ':');
      if (value == NULL)
        continue;
      *value++ = '\0';
      char *important = strchr (value, '!');
      if (important != NULL)
        *important = '\0'; /* "!important" */
      const char *property = declaration;
      if ((strcmp (property, "display") == 0 && strcmp (value, "none") == 0) ||
          (strcmp (property, "visibility") == 0 &&
           (strcmp (value, "hidden") == 0 || strcmp (value, "collapse") == 0)) ||
          (strcmp (property, "font-size") == 0 && is_zero (value)) ||
          (strcmp (property, "opacity") == 0 && is_zero (value)) ||
          (strcmp (property, "mso-hide") == 0 && strcmp (value, "all") == 0))
        return TRUE;
      if ((strcmp (property, "max-height") == 0 || strcmp (property, "height") == 0) &&
          is_zero (value))
        zero_height = TRUE;
      if (strcmp (property, "overflow") == 0 && strcmp (value, "hidden") == 0)
        overflow_hidden = TRUE;
    }
  return zero_height && overflow_hidden;
}

/* A style attribute's value in the form style_hides() reads. */
static char *
normalize_style (const char *value, gsize length)
{
  GString *out = g_string_sized_new (length);
  for (gsize i = 0; i < length; i++)
    {
      if (value[i] == '/' && i + 1 < length && value[i + 1] == '*')
        {
          const char *end = g_strstr_len (value + i + 2, (gssize) (length - i - 2), "*/");
          i = end != NULL ? (gsize) (end - value) + 1 : length;
        }
      else if (!g_ascii_isspace (value[i]))
        g_string_append_c (out, g_ascii_tolower (value[i]));
    }
  return g_string_free (out, FALSE);
}

/* Whether the attributes in [P, END) hide the element: the hidden
 * attribute or a hiding style. Attribute names are read as HTML does:
 * up to whitespace, '=', '/' or '>'; values quoted or not. */
static gboolean
attributes_hide (const char *p, const char *end)
{
  while (p < end)
    {
      while (p < end && (g_ascii_isspace (*p) || *p == '/'))
        p++;
      const char *name = p;
      while (p < end && !g_ascii_isspace (*p) && *p != '=' && *p != '>' && *p != '/')
        p++;
      gsize name_length = (gsize) (p - name);
      if (name_length == 0)
        return FALSE; /* the closing '>' */
      while (p < end && g_ascii_isspace (*p))
        p++;
      const char *value = p, *value_end = p;
      if (p < end && *p == '=')
        {
          p++;
          while (p < end && g_ascii_isspace (*p))
            p++;
          char quote = (p < end && (*p == '"' || *p == '\'')) ? *p++ : 0;
          value = p;
          while (p < end && (quote ? *p != quote : !g_ascii_isspace (*p) && *p != '>'))
            p++;
          value_end = p;
          if (quote && p < end)
            p++;
        }
      if (name_length == 6 && g_ascii_strncasecmp (name, "hidden", 6) == 0)
        return TRUE;
      if (name_length == 5 && g_ascii_strncasecmp (name, "style", 5) == 0)
        {
          g_autofree char *style = normalize_style (value, (gsize) (value_end - value));
          if (style_hides (style))
            return TRUE;
        }
    }
  return FALSE;
}

static void
block_tag (Render *r, const char *name, gboolean closing)
{
  if (strcmp (name, "br") == 0)
    {
      r->breaks = MIN (r->breaks + 1, MAX_BREAKS);
      r->space = FALSE;
    }
  else if (in_list (name, paragraphs, G_N_ELEMENTS (paragraphs)))
    {
      want_breaks (r, 2);
    }
  else if (in_list (name, blocks, G_N_ELEMENTS (blocks)))
    {
      want_breaks (r, 1);
    }
  else if (strcmp (name, "td") == 0 || strcmp (name, "th") == 0)
    {
      r->space = TRUE;
    }
  if (strcmp (name, "blockquote") == 0)
    r->depth = closing ? (r->depth > 0 ? r->depth - 1 : 0) : r->depth + 1;
  else if (strcmp (name, "pre") == 0)
    r->pre = closing ? (r->pre > 0 ? r->pre - 1 : 0) : r->pre + 1;
  else if (strcmp (name, "ul") == 0 || strcmp (name, "ol") == 0)
    r->lists = closing ? (r->lists > 0 ? r->lists - 1 : 0) : r->lists + 1;
  else if (strcmp (name, "li") == 0)
    r->item = !closing;
}

/* Handles the markup at p ('<'); returns where the text continues, or p
 * when the '<' does not open a tag (it is then plain text). */
static const char *
markup (Render *r, const char *p)
{
  if (strncmp (p, "<!--", 4) == 0)
    {
      const char *end = comment_end (p + 4);
      return end != NULL ? end : p + strlen (p);
    }
  if (p[1] == '!' || p[1] == '?')
    return tag_end (p);
  gboolean closing = (p[1] == '/');
  const char *q = p + (closing ? 2 : 1);
  if (!g_ascii_isalpha (*q))
    return p;
  char name[16];
  gsize len = 0;
  for (; g_ascii_isalnum (*q); q++)
    if (len < sizeof name - 1)
      name[len++] = g_ascii_tolower (*q);
  name[len] = '\0';
  const char *end = tag_end (q);
  if (!closing && in_list (name, skipped, G_N_ELEMENTS (skipped)))
    return skip_element (end, name);
  if (!closing && !in_list (name, void_elements, G_N_ELEMENTS (void_elements)) &&
      attributes_hide (q, end))
    return skip_hidden (end, name);
  block_tag (r, name, closing);
  return end;
}

/* Trailing whitespace off every line, no blank lines at either end. (A
 * plain walk: g_strsplit() is quadratic under ASan's strstr interceptor.) */
static char *
tidy (const char *text)
{
  GString *out = g_string_new (NULL);
  guint blanks = 0;
  for (const char *line = text; *line;)
    {
      const char *nl = strchr (line, '\n');
      const char *next = nl != NULL ? nl + 1 : line + strlen (line);
      const char *end = nl != NULL ? nl : next;
      while (end > line && g_ascii_isspace (end[-1]))
        end--;
      if (end == line)
        {
          blanks++;
        }
      else
        {
          if (out->len > 0)
            for (guint b = 0; b <= blanks; b++)
              g_string_append_c (out, '\n');
          g_string_append_len (out, line, end - line);
          blanks = 0;
        }
      line = next;
    }
  return g_string_free (out, FALSE);
}

char *
baton_html_to_text (const char *html)
{
  g_autofree char *valid = g_utf8_make_valid (html != NULL ? html : "", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GString) line = g_string_new (NULL);
  Render r = { .out = out, .line = line };
  const char *p = valid;
  while (*p)
    {
      const char *next = p;
      if (*p == '<')
        next = markup (&r, p);
      else if (*p == '&')
        next = entity (&r, p);
      if (next != p)
        {
          p = next;
          continue;
        }
      const char *after = g_utf8_next_char (p);
      put_char (&r, g_utf8_get_char (p));
      p = after;
    }
  if (line->len > 0)
    {
      r.breaks = 0;
      finish_line (&r);
    }
  return tidy (out->str);
}
