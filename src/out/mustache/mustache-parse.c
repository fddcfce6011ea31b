/* SPDX-License-Identifier: MIT */
/* Mustache parsing: source text to the tree in mustache-private.h.
 *
 * One pass, left to right: find the next opening delimiter, read the tag,
 * and flush the literal text before it. Standalone lines (a section, comment,
 * partial or set-delimiter tag alone on its line) are settled here, by
 * looking at the bytes around the tag, so the renderer never has to think
 * about whitespace: the tree's text nodes are exactly what gets printed.
 * Sections nest through an explicit stack, not recursion, so a hostile
 * template cannot run the parser out of C stack.
 */
#define G_LOG_DOMAIN "baton-mustache"
#include "mustache-private.h"

#include "baton/error.h"

#include <stdarg.h>
#include <string.h>

#define BLANKS " \t\r\n"

typedef struct {
  const char *src;          /* borrowed: the whole template */
  const char *name;         /* borrowed: for error messages */
  gsize text_start;         /* first byte not yet in the tree */
  char *open;               /* owned: current opening delimiter */
  char *close;              /* owned: current closing delimiter */
  guint line;               /* 1-based line number of byte line_pos */
  gsize line_pos;           /* how far lines have been counted */
  GPtrArray *open_sections; /* borrowed nodes, innermost last */
  GPtrArray *root;          /* owned: the tree being built */
} Parser;

typedef struct {
  char sigil;    /* one of "#^/!>&{=", or 0 for a plain {{name}} */
  gsize start;   /* offset of the opening delimiter */
  gsize end;     /* offset just past the closing delimiter */
  char *content; /* owned: between sigil and closing delimiter, trimmed */
} Tag;

static void
parser_clear (Parser *p)
{
  g_free (p->open);
  g_free (p->close);
  g_clear_pointer (&p->open_sections, g_ptr_array_unref);
  g_clear_pointer (&p->root, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parser, parser_clear)

static void
node_free (gpointer data)
{
  BatonMustacheNode *node = data;

  g_free (node->text);
  g_strfreev (node->path);
  g_free (node->indent);
  if (node->children != NULL)
    g_ptr_array_unref (node->children);
  g_free (node);
}

/* Tags are met in source order, so lines are counted incrementally; an
 * earlier offset (only ever for an error) restarts the count. */
static guint
line_at (Parser *p, gsize offset)
{
  if (offset < p->line_pos)
    {
      p->line = 1;
      p->line_pos = 0;
    }
  for (; p->line_pos < offset; p->line_pos++)
    if (p->src[p->line_pos] == '\n')
      p->line++;
  return p->line;
}

static gboolean fail (Parser *p, guint line, GError **error, const char *format, ...)
    G_GNUC_PRINTF (4, 5);

static gboolean
fail (Parser *p, guint line, GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%s:%u: %s", p->name, line, what);
  return FALSE;
}

static GPtrArray *
current_children (Parser *p)
{
  if (p->open_sections->len == 0)
    return p->root;
  BatonMustacheNode *section = g_ptr_array_index (p->open_sections, p->open_sections->len - 1);
  return section->children;
}

static BatonMustacheNode *
add_node (Parser *p, BatonMustacheNodeKind kind, char *text, guint line)
{
  BatonMustacheNode *node = g_new0 (BatonMustacheNode, 1);

  node->kind = kind;
  node->text = text;
  node->len = strlen (text);
  node->line = line;
  g_ptr_array_add (current_children (p), node);
  return node;
}

/* Moves the literal text before END (a tag, or the end of the source) into
 * the tree. */
static void
flush_text (Parser *p, gsize end)
{
  if (end > p->text_start)
    {
      char *text = g_strndup (p->src + p->text_start, end - p->text_start);
      add_node (p, BATON_MUSTACHE_NODE_TEXT, text, 0);
    }
}

/* Reads the tag whose opening delimiter is at START. Triple mustaches and
 * set-delimiter tags end with their sigil's mate before the closing
 * delimiter ("}}}", "=}}"), so that is what is searched for. */
static gboolean
scan_tag (Parser *p, gsize start, Tag *tag, GError **error)
{
  const char *after_open = p->src + start + strlen (p->open);
  char sigil = (*after_open != '\0' && strchr ("#^/!>&{=", *after_open)) ? *after_open : 0;
  const char *body = sigil ? after_open + 1 : after_open;
  g_autofree char *closing = sigil == '{'   ? g_strconcat ("}", p->close, NULL)
                             : sigil == '=' ? g_strconcat ("=", p->close, NULL)
                                            : g_strdup (p->close);
  const char *found = strstr (body, closing);

  if (found == NULL)
    return fail (p, line_at (p, start), error, "tag '%s%.*s' is never closed by '%s'", p->open,
                 sigil ? 1 : 0, after_open, closing);
  tag->sigil = sigil;
  tag->start = start;
  tag->end = (gsize) (found - p->src) + strlen (closing);
  tag->content = g_strstrip (g_strndup (body, (gsize) (found - body)));
  return TRUE;
}

/* A section, comment, partial or set-delimiter tag alone on its line, but
 * for spaces and tabs, leaves no trace: its indentation and line end go
 * with it. On TRUE, *LINE_START is where the indentation begins and *NEXT
 * the start of the following line (or the end of the source). */
static gboolean
find_standalone (const Parser *p, const Tag *tag, gsize *line_start, gsize *next)
{
  const char *s = p->src;
  gsize before = tag->start;
  gsize after = tag->end;

  if (tag->sigil == 0 || strchr ("#^/!>=", tag->sigil) == NULL)
    return FALSE;
  while (before > p->text_start && (s[before - 1] == ' ' || s[before - 1] == '\t'))
    before--;
  if (before > 0 && s[before - 1] != '\n')
    return FALSE;
  after += strspn (s + after, " \t");
  if (s[after] == '\r' && s[after + 1] == '\n')
    after += 2;
  else if (s[after] == '\n')
    after++;
  else if (s[after] != '\0')
    return FALSE;
  *line_start = before;
  *next = after;
  return TRUE;
}

/* The spec asks for a non-empty name without whitespace; a space inside a
 * name is almost always a typo ({{task title}}), so it is an error rather
 * than a lookup that silently finds nothing. */
static gboolean
check_name (Parser *p, const Tag *tag, guint line, GError **error)
{
  if (tag->content[0] == '\0')
    return fail (p, line, error, "tag '%s%s' has no name", p->open, p->close);
  if (tag->content[strcspn (tag->content, BLANKS)] != '\0')
    return fail (p, line, error, "tag name '%s' contains a space", tag->content);
  return TRUE;
}

static gboolean
set_delimiters (Parser *p, const Tag *tag, guint line, GError **error)
{
  const char *first = tag->content;
  gsize first_len = strcspn (first, BLANKS);
  const char *second = first + first_len + strspn (first + first_len, BLANKS);
  gsize second_len = strcspn (second, BLANKS);

  if (first_len == 0 || second_len == 0 || second[second_len] != '\0')
    return fail (p, line, error,
                 "set-delimiter tag '%s=%s=%s' needs two delimiters separated by a space", p->open,
                 tag->content, p->close);
  g_free (p->open);
  g_free (p->close);
  p->open = g_strndup (first, first_len);
  p->close = g_strndup (second, second_len);
  return TRUE;
}

static gboolean
open_section (Parser *p, const Tag *tag, guint line, GError **error)
{
  BatonMustacheNodeKind kind =
      tag->sigil == '#' ? BATON_MUSTACHE_NODE_SECTION : BATON_MUSTACHE_NODE_INVERTED;

  if (p->open_sections->len >= BATON_MUSTACHE_MAX_SECTION_DEPTH)
    return fail (p, line, error, "sections nested more than %d deep",
                 BATON_MUSTACHE_MAX_SECTION_DEPTH);
  BatonMustacheNode *node = add_node (p, kind, g_strdup (tag->content), line);
  node->children = g_ptr_array_new_with_free_func (node_free);
  g_ptr_array_add (p->open_sections, node);
  return TRUE;
}

static gboolean
close_section (Parser *p, const Tag *tag, guint line, GError **error)
{
  if (p->open_sections->len == 0)
    return fail (p, line, error, "'%s/%s%s' closes a section that was never opened", p->open,
                 tag->content, p->close);
  BatonMustacheNode *open = g_ptr_array_index (p->open_sections, p->open_sections->len - 1);
  if (strcmp (open->text, tag->content) != 0)
    return fail (p, line, error, "'%s/%s%s' does not match section '%s' opened on line %u", p->open,
                 tag->content, p->close, open->text, open->line);
  g_ptr_array_remove_index (p->open_sections, p->open_sections->len - 1);
  return TRUE;
}

/* "." is the top of the context stack; any other name is looked up part by
 * part, so it is split once here rather than on every render. */
static void
set_path (BatonMustacheNode *node)
{
  if (strcmp (node->text, ".") != 0)
    node->path = g_strsplit (node->text, ".", -1);
}

/* Adds the node for TAG; INDENT is the standalone indentation (partials
 * only use it) or NULL. */
static gboolean
add_tag_node (Parser *p, const Tag *tag, guint line, const char *indent, GError **error)
{
  BatonMustacheNode *node;

  if (!check_name (p, tag, line, error))
    return FALSE;
  switch (tag->sigil)
    {
      case '#':
      case '^':
        if (!open_section (p, tag, line, error))
          return FALSE;
        node = g_ptr_array_index (p->open_sections, p->open_sections->len - 1);
        break;
      case '/':
        return close_section (p, tag, line, error);
      case '>':
        node = add_node (p, BATON_MUSTACHE_NODE_PARTIAL, g_strdup (tag->content), line);
        node->indent = g_strdup (indent);
        return TRUE;
      default:
        node = add_node (p, BATON_MUSTACHE_NODE_VALUE, g_strdup (tag->content), line);
        node->escape = tag->sigil == 0;
        break;
    }
  set_path (node);
  return TRUE;
}

static gboolean
take_tag (Parser *p, const Tag *tag, GError **error)
{
  gsize text_end = tag->start;
  gsize next = tag->end;
  gsize line_start = 0;
  g_autofree char *indent = NULL;
  guint line = line_at (p, tag->start);

  if (find_standalone (p, tag, &line_start, &next))
    {
      text_end = line_start;
      if (tag->start > line_start)
        indent = g_strndup (p->src + line_start, tag->start - line_start);
    }
  flush_text (p, text_end);
  p->text_start = next;
  if (tag->sigil == '!')
    return TRUE;
  if (tag->sigil == '=')
    return set_delimiters (p, tag, line, error);
  return add_tag_node (p, tag, line, indent, error);
}

static gboolean
parse_all (Parser *p, GError **error)
{
  const char *found;
  const char *bad_utf8;

  if (!g_utf8_validate (p->src, -1, &bad_utf8))
    return fail (p, line_at (p, (gsize) (bad_utf8 - p->src)), error, "not valid UTF-8");
  while ((found = strstr (p->src + p->text_start, p->open)) != NULL)
    {
      Tag tag = { 0 };
      gboolean ok =
          scan_tag (p, (gsize) (found - p->src), &tag, error) && take_tag (p, &tag, error);
      g_free (tag.content);
      if (!ok)
        return FALSE;
    }
  flush_text (p, strlen (p->src));
  if (p->open_sections->len > 0)
    {
      /* The innermost one is the one missing its close: an outer close
       * would have been reported as a mismatch. */
      BatonMustacheNode *open = g_ptr_array_index (p->open_sections, p->open_sections->len - 1);
      return fail (p, open->line, error, "section '%s' opened here is never closed", open->text);
    }
  return TRUE;
}

BatonTemplate *
baton_mustache_parse (const char *source, const char *name, GError **error)
{
  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_auto (Parser) p = {
    .src = source,
    .name = name != NULL ? name : "template",
    .open = g_strdup ("{{"),
    .close = g_strdup ("}}"),
    .line = 1,
    .open_sections = g_ptr_array_new (),
    .root = g_ptr_array_new_with_free_func (node_free),
  };

  if (!parse_all (&p, error))
    return NULL;
  BatonTemplate *tmpl = g_new0 (BatonTemplate, 1);
  tmpl->name = g_strdup (p.name);
  tmpl->root = g_steal_pointer (&p.root);
  return tmpl;
}

const char *
baton_mustache_get_name (const BatonTemplate *tmpl)
{
  g_return_val_if_fail (tmpl != NULL, NULL);
  return tmpl->name;
}

void
baton_mustache_free (BatonTemplate *tmpl)
{
  if (tmpl == NULL)
    return;
  g_free (tmpl->name);
  g_ptr_array_unref (tmpl->root);
  g_free (tmpl);
}

char *
baton_mustache_indent_source (const char *source, const char *indent)
{
  GString *out = g_string_sized_new (strlen (source) + strlen (indent) * 8);
  gboolean at_line_start = TRUE;

  for (const char *c = source; *c != '\0'; c++)
    {
      if (at_line_start)
        g_string_append (out, indent);
      g_string_append_c (out, *c);
      at_line_start = *c == '\n';
    }
  return g_string_free (out, FALSE);
}
