/* SPDX-License-Identifier: MIT */
/* Mustache rendering: walks the tree from mustache-parse.c against a
 * json-glib context stack and appends to one GString.
 *
 * All whitespace decisions were made by the parser, so rendering is a plain
 * walk. The context stack holds borrowed JsonNodes; a section pushes its
 * value (or each array element in turn) and pops it afterwards. Partials are
 * fetched through the caller's callback and parsed once per render, keyed by
 * name and indentation, so a partial inside a 1,000-task loop costs one
 * parse, not a thousand.
 */
#define G_LOG_DOMAIN "baton-mustache"
#include "mustache-private.h"

#include "baton/error.h"

#include <string.h>

typedef struct {
  GString *out;                      /* borrowed: the text so far */
  gboolean escape_html;              /* BATON_MUSTACHE_ESCAPE_HTML was given */
  BatonMustachePartialFunc partials; /* may be NULL */
  gpointer user_data;
  GPtrArray *stack;          /* borrowed JsonNodes, innermost context last */
  GHashTable *partial_cache; /* owned keys and templates, see partial_key() */
  guint depth;               /* partials being rendered inside each other */
} Renderer;

static gboolean render_nodes (Renderer *r, const BatonTemplate *tmpl, GPtrArray *nodes,
                              GError **error);

static JsonNode *
member (JsonNode *node, const char *key)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) || json_node_get_object (node) == NULL)
    return NULL;
  return json_object_get_member (json_node_get_object (node), key);
}

/* The spec's name resolution: the first part is searched for down the
 * context stack, and the remaining parts only inside what it found, so
 * {{a.b}} never falls back to an outer "b" when the inner "a" lacks one.
 * A key present with a null value stops the search, as in the spec. */
static JsonNode *
lookup (const Renderer *r, char **path)
{
  JsonNode *found = NULL;

  if (path == NULL)
    return r->stack->len > 0 ? g_ptr_array_index (r->stack, r->stack->len - 1) : NULL;
  for (guint i = r->stack->len; i > 0 && found == NULL; i--)
    found = member (g_ptr_array_index (r->stack, i - 1), path[0]);
  for (guint part = 1; found != NULL && path[part] != NULL; part++)
    found = member (found, path[part]);
  return found;
}

static gboolean
value_is_truthy (JsonNode *node)
{
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node) != 0.0;
  if (type == G_TYPE_STRING)
    return json_node_get_string (node) != NULL && json_node_get_string (node)[0] != '\0';
  return TRUE;
}

static gboolean
is_truthy (JsonNode *node)
{
  if (node == NULL)
    return FALSE;
  switch (JSON_NODE_TYPE (node))
    {
      case JSON_NODE_NULL:
        return FALSE;
      case JSON_NODE_ARRAY:
        {
          JsonArray *array = json_node_get_array (node);
          return array != NULL && json_array_get_length (array) > 0;
        }
      case JSON_NODE_OBJECT:
        return TRUE;
      case JSON_NODE_VALUE:
        return value_is_truthy (node);
    }
  return FALSE;
}

/* Exactly the four characters the spec escapes; copies runs of ordinary
 * bytes in one go because most values have nothing to escape. */
static void
append_escaped (GString *out, const char *text)
{
  const char *run = text;
  const char *c;

  for (c = text; *c != '\0'; c++)
    {
      const char *entity = NULL;
      switch (*c)
        {
          case '&':
            entity = "&amp;";
            break;
          case '"':
            entity = "&quot;";
            break;
          case '<':
            entity = "&lt;";
            break;
          case '>':
            entity = "&gt;";
            break;
          default:
            continue;
        }
      g_string_append_len (out, run, c - run);
      g_string_append (out, entity);
      run = c + 1;
    }
  g_string_append_len (out, run, c - run);
}

/* The shortest text that reads back as the same double: JSON's 1.1 prints
 * as "1.1", not as the "1.1000000000000001" that %.17g gives. */
static void
append_double (GString *out, double value)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, sizeof buffer, formats[i], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  g_string_append (out, buffer);
}

static void
append_value (Renderer *r, JsonNode *node, gboolean escape)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return;
  GType type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    {
      /* json_node_set_string (node, NULL) is possible with JsonNode's API. */
      const char *text = json_node_get_string (node);
      if (text != NULL && escape)
        append_escaped (r->out, text);
      else if (text != NULL)
        g_string_append (r->out, text);
    }
  else if (type == G_TYPE_INT64)
    g_string_append_printf (r->out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    append_double (r->out, json_node_get_double (node));
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (r->out, json_node_get_boolean (node) ? "true" : "false");
}

static gboolean
render_in_context (Renderer *r, const BatonTemplate *tmpl, const BatonMustacheNode *section,
                   JsonNode *context, GError **error)
{
  g_ptr_array_add (r->stack, context);
  gboolean ok = render_nodes (r, tmpl, section->children, error);
  g_ptr_array_remove_index (r->stack, r->stack->len - 1);
  return ok;
}

static gboolean
render_section (Renderer *r, const BatonTemplate *tmpl, const BatonMustacheNode *node,
                GError **error)
{
  JsonNode *value = lookup (r, node->path);

  if (node->kind == BATON_MUSTACHE_NODE_INVERTED)
    return is_truthy (value) || render_nodes (r, tmpl, node->children, error);
  if (!is_truthy (value))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (value))
    return render_in_context (r, tmpl, node, value, error);
  JsonArray *items = json_node_get_array (value);
  for (guint i = 0; i < json_array_get_length (items); i++)
    if (!render_in_context (r, tmpl, node, json_array_get_element (items, i), error))
      return FALSE;
  return TRUE;
}

/* Indentation and name together: the same partial included standalone at
 * two indentations is two different parsed templates. */
static char *
partial_key (const BatonMustacheNode *node)
{
  return g_strconcat (node->indent != NULL ? node->indent : "", "\n", node->text, NULL);
}

/* Asks the caller for a partial's source, indents it and parses it. A
 * partial the caller does not have becomes an empty template, so it is
 * asked for only once. */
static BatonTemplate *
load_partial (Renderer *r, const BatonTemplate *tmpl, const BatonMustacheNode *node, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *source = NULL;

  if (r->partials != NULL)
    source = r->partials (node->text, r->user_data, &local);
  if (local != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                  "%s:%u: partial '%s': ", tmpl->name, node->line, node->text);
      return NULL;
    }
  if (source != NULL && node->indent != NULL)
    {
      char *indented = baton_mustache_indent_source (source, node->indent);
      g_free (source);
      source = indented;
    }
  BatonTemplate *partial = baton_mustache_parse (source != NULL ? source : "", node->text, &local);
  if (partial == NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s:%u: ", tmpl->name, node->line);
  return partial;
}

static gboolean
render_partial (Renderer *r, const BatonTemplate *tmpl, const BatonMustacheNode *node,
                GError **error)
{
  g_autofree char *key = partial_key (node);
  BatonTemplate *partial = g_hash_table_lookup (r->partial_cache, key);

  if (r->depth >= BATON_MUSTACHE_MAX_PARTIAL_DEPTH)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "%s:%u: partials nested more than %d deep; does '%s' include itself "
                   "without a section that ends it?",
                   tmpl->name, node->line, BATON_MUSTACHE_MAX_PARTIAL_DEPTH, node->text);
      return FALSE;
    }
  if (partial == NULL)
    {
      partial = load_partial (r, tmpl, node, error);
      if (partial == NULL)
        return FALSE;
      g_hash_table_insert (r->partial_cache, g_steal_pointer (&key), partial);
    }
  r->depth++;
  gboolean ok = render_nodes (r, partial, partial->root, error);
  r->depth--;
  return ok;
}

static gboolean
render_nodes (Renderer *r, const BatonTemplate *tmpl, GPtrArray *nodes, GError **error)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      const BatonMustacheNode *node = g_ptr_array_index (nodes, i);
      switch (node->kind)
        {
          case BATON_MUSTACHE_NODE_TEXT:
            g_string_append_len (r->out, node->text, (gssize) node->len);
            break;
          case BATON_MUSTACHE_NODE_VALUE:
            append_value (r, lookup (r, node->path), node->escape && r->escape_html);
            break;
          case BATON_MUSTACHE_NODE_SECTION:
          case BATON_MUSTACHE_NODE_INVERTED:
            if (!render_section (r, tmpl, node, error))
              return FALSE;
            break;
          case BATON_MUSTACHE_NODE_PARTIAL:
            if (!render_partial (r, tmpl, node, error))
              return FALSE;
            break;
        }
    }
  return TRUE;
}

char *
baton_mustache_render (const BatonTemplate *tmpl, JsonNode *data, BatonMustacheFlags flags,
                       BatonMustachePartialFunc partials, gpointer user_data, GError **error)
{
  g_return_val_if_fail (tmpl != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (GString) out = g_string_sized_new (1024);
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();
  g_autoptr (GHashTable) cache =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) baton_mustache_free);
  Renderer r = {
    .out = out,
    .escape_html = (flags & BATON_MUSTACHE_ESCAPE_HTML) != 0,
    .partials = partials,
    .user_data = user_data,
    .stack = stack,
    .partial_cache = cache,
  };

  if (data != NULL)
    g_ptr_array_add (stack, data);
  if (!render_nodes (&r, tmpl, tmpl->root, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
