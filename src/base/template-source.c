/* SPDX-License-Identifier: MIT */
/* Template lookup: the user's directory first, then the built-in copy. */
#define G_LOG_DOMAIN "baton-templates"
#include "baton/template-source.h"

#include "baton/error.h"

const char *
baton_template_source_shipped (const char *name)
{
  for (guint i = 0; baton_embedded_templates[i].name != NULL; i++)
    if (g_str_equal (baton_embedded_templates[i].name, name))
      return baton_embedded_templates[i].text;
  return NULL;
}

/* @dir/@name when @dir (may be NULL) has it, else NULL. */
static char *
override_path (const char *dir, const char *name)
{
  if (dir == NULL)
    return NULL;
  char *path = g_build_filename (dir, name, NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_free (path);
  return NULL;
}

gboolean
baton_template_source_overridden (const char *dir, const char *name)
{
  g_autofree char *path = override_path (dir, name);
  return path != NULL;
}

gboolean
baton_template_is_mail_text (const char *name)
{
  return g_str_has_suffix (name, ".txt");
}

char *
baton_template_source_find (const char *dir, const char *name, char **origin, GError **error)
{
  g_autofree char *path = override_path (dir, name);
  if (path != NULL)
    {
      char *text = NULL;
      g_autoptr (GError) local = NULL;
      if (!g_file_get_contents (path, &text, NULL, &local))
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "template %s", local->message);
          return NULL;
        }
      if (origin)
        *origin = g_steal_pointer (&path);
      return text;
    }
  const char *text = baton_template_source_shipped (name);
  if (text == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "no template named %s", name);
      return NULL;
    }
  if (origin)
    *origin = g_strdup_printf ("(built-in) %s", name);
  return g_strdup (text);
}
