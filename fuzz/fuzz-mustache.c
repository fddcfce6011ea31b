/* SPDX-License-Identifier: MIT */
/* libFuzzer target: bytes as a Mustache template, parsed and, when valid,
 * rendered plain and HTML-escaped against a small fixed context that has
 * every kind of JSON value, with partials that nest, loop over a list and
 * include themselves (the renderer must stop at its depth limit).
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/mustache.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char context_json[] =
    "{\"team\": \"Team <ops> & co\", \"count\": 3, \"pi\": 3.25, \"yes\": true, \"no\": false,"
    " \"none\": null, \"empty\": [], \"blank\": \"\", \"zero\": 0,"
    " \"tasks\": [{\"id\": 1, \"title\": \"Write the guide\", \"owner\": \"bob\"},"
    "             {\"id\": 2, \"title\": \"<b>Deploy</b>\", \"owner\": null, \"tags\": [\"a\", \"b\"]}],"
    " \"member\": {\"name\": \"alice\", \"tz\": {\"name\": \"Europe/Paris\"}}}";

static JsonNode *
context (void)
{
  static JsonNode *root;
  if (root == NULL)
    root = json_from_string (context_json, NULL);
  return root;
}

static char *
partial (const char *name, gpointer user_data, GError **error)
{
  (void) user_data;
  (void) error;
  if (strcmp (name, "item") == 0)
    return g_strdup ("- #{{id}} {{title}}{{#owner}} ({{.}}){{/owner}}\n");
  if (strcmp (name, "list") == 0)
    return g_strdup ("{{#tasks}}{{>item}}{{/tasks}}{{^tasks}}none{{/tasks}}");
  if (strcmp (name, "self") == 0)
    return g_strdup ("{{>self}}");
  if (strcmp (name, "broken") == 0)
    return g_strdup ("{{#open}}");
  return NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Sources are NUL-terminated: a NUL inside ends the template early. */
  g_autofree char *source = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse (source, "fuzz", &error);
  if (tmpl == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  const BatonMustacheFlags modes[] = { BATON_MUSTACHE_PLAIN, BATON_MUSTACHE_ESCAPE_HTML };
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr (GError) render_error = NULL;
      g_autofree char *out =
          baton_mustache_render (tmpl, context (), modes[i], partial, NULL, &render_error);
      g_assert ((out == NULL) == (render_error != NULL));
    }
  return 0;
}
