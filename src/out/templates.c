/* SPDX-License-Identifier: MIT */
/* The templates rendered: parsed once per process, partials from the same
 * lookup (template-source.h). */
#define G_LOG_DOMAIN "baton-templates"
#include "baton/templates.h"

#include "baton/error.h"
#include "baton/template-source.h"

/* A missing partial renders empty, as Mustache wants; an unreadable one is
 * an error. */
static char *
partial_source (const char *name, gpointer dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  char *text = baton_template_source_find (dir, name, NULL, &local);
  if (text == NULL && dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_propagate_error (error, g_steal_pointer (&local));
    }
  return text;
}

/* Parsed templates, kept for the life of the process: a batch renders the
 * same few templates hundreds of times, and parsing was most of each
 * render. Keyed by where the text came from, and reused only while the
 * text is the same, so an edited file still takes effect on the next mail. */
typedef struct {
  char *source;
  BatonTemplate *template;
} ParsedTemplate;

static void
parsed_template_free (gpointer data)
{
  ParsedTemplate *parsed = data;
  g_free (parsed->source);
  baton_mustache_free (parsed->template);
  g_free (parsed);
}

static GMutex parsed_lock;           /* held from lookup to the end of rendering */
static GHashTable *parsed_templates; /* origin → ParsedTemplate */

static const BatonTemplate *
parse_cached (char *source, const char *origin, GError **error)
{
  if (parsed_templates == NULL)
    parsed_templates =
        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, parsed_template_free);
  ParsedTemplate *parsed = g_hash_table_lookup (parsed_templates, origin);
  if (parsed != NULL && g_str_equal (parsed->source, source))
    {
      g_free (source);
      return parsed->template;
    }
  BatonTemplate *template = baton_mustache_parse (source, origin, error);
  if (template == NULL)
    {
      g_free (source);
      return NULL;
    }
  parsed = g_new (ParsedTemplate, 1);
  parsed->source = source;
  parsed->template = template;
  g_hash_table_replace (parsed_templates, g_strdup (origin), parsed);
  return template;
}

char *
baton_templates_render (const char *dir, const char *name, JsonNode *data, BatonMustacheFlags flags,
                        GError **error)
{
  g_autofree char *origin = NULL;
  char *source = baton_template_source_find (dir, name, &origin, error);
  if (source == NULL)
    return NULL;
  g_mutex_lock (&parsed_lock);
  const BatonTemplate *template = parse_cached (source, origin, error);
  char *text = template ? baton_mustache_render (template, data, flags, partial_source,
                                                 (gpointer) dir, error)
                        : NULL;
  g_mutex_unlock (&parsed_lock);
  return text;
}

GPtrArray *
baton_templates_check (const char *dir)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; baton_embedded_templates[i].name != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *origin = NULL;
      g_autofree char *source =
          baton_template_source_find (dir, baton_embedded_templates[i].name, &origin, &error);
      g_autoptr (BatonTemplate) template =
          source ? baton_mustache_parse (source, origin, &error) : NULL;
      if (template == NULL)
        g_ptr_array_add (problems, g_strdup (error->message));
    }
  g_autoptr (GError) listing_error = NULL;
  g_autoptr (GDir) listing = dir ? g_dir_open (dir, 0, &listing_error) : NULL;
  /* A templates directory that is there but unreadable would leave every
   * override silently unused. (A missing one overrides nothing, as before.) */
  if (listing_error != NULL && !g_error_matches (listing_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_ptr_array_add (problems, g_strdup_printf ("%s:1: cannot read the templates directory: %s; "
                                                "fix it or the templates setting",
                                                dir, listing_error->message));
  const char *name;
  while (listing && (name = g_dir_read_name (listing)) != NULL)
    if (name[0] != '.' && baton_template_source_shipped (name) == NULL &&
        !g_str_has_prefix (name, "partial-") && !g_str_equal (name, "README.md"))
      g_ptr_array_add (
          problems,
          g_strdup_printf ("%s/%s:1: baton has no template of this name; "
                           "templates: digest.txt, digest.html, handoff.txt, "
                           "taken.txt, changed.txt, reply.txt, reminder.txt, escalation.txt",
                           dir, name));
  return problems;
}
