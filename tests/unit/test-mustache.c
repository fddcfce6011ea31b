/* SPDX-License-Identifier: MIT */
/* The Mustache renderer against the official spec (one g_test case per spec
 * test, read from tests/mustache-spec/) and against baton's own contract:
 * error messages with lines, plain-text mode, partial depth, missing
 * partials. */
#include "baton/error.h"
#include "baton/mustache.h"

#include <string.h>

static const char *const spec_modules[] = {
  "comments", "delimiters", "interpolation", "inverted", "partials", "sections",
};

/* ---- spec tests ---- */

static char *
spec_partial (const char *name, gpointer user_data, GError **error)
{
  JsonObject *partials = user_data;

  (void) error;
  if (partials == NULL || !json_object_has_member (partials, name))
    return NULL;
  return g_strdup (json_object_get_string_member (partials, name));
}

static void
run_spec_case (gconstpointer data)
{
  JsonObject *test = (JsonObject *) data;
  const char *source = json_object_get_string_member (test, "template");
  JsonObject *partials = json_object_has_member (test, "partials")
                             ? json_object_get_object_member (test, "partials")
                             : NULL;
  g_autoptr (GError) error = NULL;

  g_test_message ("%s", json_object_get_string_member (test, "desc"));
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse (source, "spec", &error);
  g_assert_no_error (error);
  g_autofree char *out =
      baton_mustache_render (tmpl, json_object_get_member (test, "data"),
                             BATON_MUSTACHE_ESCAPE_HTML, spec_partial, partials, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, json_object_get_string_member (test, "expected"));
}

/* The harness runs tests from the repository root, but a developer may run
 * the binary from anywhere: BATON_MUSTACHE_SPEC_DIR wins, then the working
 * directory, then the path from the binary (build/tests/) back to the root. */
static char *
find_spec_dir (void)
{
  const char *env = g_getenv ("BATON_MUSTACHE_SPEC_DIR");
  g_autofree char *from_binary =
      g_test_build_filename (G_TEST_DIST, "..", "..", "tests", "mustache-spec", NULL);
  const char *candidates[] = { "tests/mustache-spec", from_binary };

  if (env != NULL)
    return g_strdup (env);
  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *probe = g_build_filename (candidates[i], "comments.json", NULL);
      if (g_file_test (probe, G_FILE_TEST_IS_REGULAR))
        return g_strdup (candidates[i]);
    }
  return NULL;
}

/* Spec names become test paths; '/' would split them and '#' would read as
 * a TAP directive. */
static char *
case_path (const char *module, const char *name)
{
  g_autofree char *clean = g_strdup (name);
  g_strdelimit (clean, "/#", '-');
  return g_strdup_printf ("/mustache/%s/%s", module, clean);
}

static guint
add_spec_module (const char *dir, const char *module, GError **error)
{
  g_autofree char *file = g_strdup_printf ("%s/%s.json", dir, module);
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_file (parser, file, error))
    return 0;
  JsonObject *spec = json_node_get_object (json_parser_get_root (parser));
  JsonArray *tests = json_object_get_array_member (spec, "tests");
  for (guint i = 0; i < json_array_get_length (tests); i++)
    {
      JsonObject *test = json_array_get_object_element (tests, i);
      g_autofree char *path = case_path (module, json_object_get_string_member (test, "name"));
      g_test_add_data_func_full (path, json_object_ref (test), run_spec_case,
                                 (GDestroyNotify) json_object_unref);
    }
  return json_array_get_length (tests);
}

static gboolean
add_spec_tests (GError **error)
{
  g_autofree char *dir = find_spec_dir ();
  guint total = 0;

  if (dir == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "tests/mustache-spec not found; run from the repository root "
                   "or set BATON_MUSTACHE_SPEC_DIR");
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (spec_modules); i++)
    {
      guint added = add_spec_module (dir, spec_modules[i], error);
      if (added == 0)
        return FALSE;
      total += added;
    }
  /* A truncated or replaced spec file must not pass by testing less. */
  if (total != 136)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s holds %u spec tests, expected 136",
                   dir, total);
      return FALSE;
    }
  return TRUE;
}

/* ---- helpers for baton's own tests ---- */

static JsonNode *
json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* Partials from a NULL-terminated list of name, source pairs. */
static char *
table_partial (const char *name, gpointer user_data, GError **error)
{
  const char *const *pairs = user_data;

  (void) error;
  for (gsize i = 0; pairs[i] != NULL; i += 2)
    if (strcmp (pairs[i], name) == 0)
      return g_strdup (pairs[i + 1]);
  return NULL;
}

static char *
render_with (const char *source, const char *data, BatonMustacheFlags flags,
             const char *const *partials)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse (source, "t", &error);
  g_assert_no_error (error);
  g_autoptr (JsonNode) root = data != NULL ? json (data) : NULL;
  char *out = baton_mustache_render (tmpl, root, flags, partials ? table_partial : NULL,
                                     (gpointer) partials, &error);
  g_assert_no_error (error);
  return out;
}

static void
assert_parse_error (const char *source, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse (source, "digest.txt", &error);

  g_assert_null (tmpl);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, message);
}

/* ---- baton's own tests ---- */

static void
test_syntax_errors (void)
{
  assert_parse_error ("Hi\n\n{{#tasks}}\n- {{title}}\n",
                      "digest.txt:3: section 'tasks' opened here is never closed");
  assert_parse_error ("{{#a}}\n{{#b}}\n{{/b}}\n",
                      "digest.txt:1: section 'a' opened here is never closed");
  assert_parse_error ("{{#a}}\n{{^b}}\n{{/a}}\n",
                      "digest.txt:3: '{{/a}}' does not match section 'b' opened on line 2");
  assert_parse_error ("x\n{{/a}}", "digest.txt:2: '{{/a}}' closes a section that was never opened");
  assert_parse_error ("a\nb {{name\n}\n", "digest.txt:2: tag '{{' is never closed by '}}'");
  assert_parse_error ("{{{raw}}\n", "digest.txt:1: tag '{{{' is never closed by '}}}'");
  assert_parse_error ("\n\n\n{{=<% %>}}", "digest.txt:4: tag '{{=' is never closed by '=}}'");
  assert_parse_error ("\n{{=<%=}}",
                      "digest.txt:2: set-delimiter tag '{{=<%=}}' needs two delimiters "
                      "separated by a space");
  assert_parse_error ("{{=a b c=}}",
                      "digest.txt:1: set-delimiter tag '{{=a b c=}}' needs two delimiters "
                      "separated by a space");
  assert_parse_error ("{{=<% %>=}}\n<%#x%>\n<%/y%>",
                      "digest.txt:3: '<%/y%>' does not match section 'x' opened on line 2");
  assert_parse_error ("ok\n{{ }}", "digest.txt:2: tag '{{}}' has no name");
  assert_parse_error ("{{task title}}", "digest.txt:1: tag name 'task title' contains a space");
  /* Lines inside a multi-line comment count. */
  assert_parse_error ("{{!\n\n}}{{/x}}",
                      "digest.txt:3: '{{/x}}' closes a section that was never opened");
  assert_parse_error ("a\n\xff", "digest.txt:2: not valid UTF-8");
}

static void
test_error_name_default (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse ("{{#a}}", NULL, &error);

  g_assert_null (tmpl);
  g_assert_cmpstr (error->message, ==, "template:1: section 'a' opened here is never closed");
  g_autoptr (BatonTemplate) named = baton_mustache_parse ("", "x.txt", NULL);
  g_assert_cmpstr (baton_mustache_get_name (named), ==, "x.txt");
}

static void
test_plain_text (void)
{
  const char *data = "{\"t\": \"Fish & <chips> \\\"now\\\"\"}";
  g_autofree char *plain = render_with ("{{t}}|{{{t}}}|{{&t}}", data, BATON_MUSTACHE_PLAIN, NULL);
  g_autofree char *html =
      render_with ("{{t}}|{{{t}}}|{{&t}}", data, BATON_MUSTACHE_ESCAPE_HTML, NULL);

  g_assert_cmpstr (plain, ==,
                   "Fish & <chips> \"now\"|Fish & <chips> \"now\"|Fish & <chips> \"now\"");
  g_assert_cmpstr (html, ==,
                   "Fish &amp; &lt;chips&gt; &quot;now&quot;|Fish & <chips> \"now\"|"
                   "Fish & <chips> \"now\"");
}

static void
test_recursion_limit (void)
{
  const char *const partials[] = { "loop", "x{{>loop}}", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse ("a\n{{>loop}}", "digest.txt", &error);
  g_autofree char *out =
      baton_mustache_render (tmpl, NULL, 0, table_partial, (gpointer) partials, &error);

  g_assert_null (out);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "nested more than 64 deep"));
  g_assert_nonnull (strstr (error->message, "'loop'"));
}

/* Recursion the data ends is fine, up to the limit. */
static void
test_bounded_recursion (void)
{
  const char *const partials[] = { "n", "{{v}}{{#c}}({{>n}}){{/c}}", NULL };
  g_autoptr (GString) data = g_string_new ("");
  g_autoptr (GString) expected = g_string_new ("");

  for (int i = 0; i < 60; i++)
    {
      g_string_append_printf (data, "{\"v\": %d, \"c\": ", i);
      g_string_append_printf (expected, "%d(", i);
    }
  /* "c": false, or the lookup would find an outer "c" and never end. */
  g_string_append (data, "{\"v\": 60, \"c\": false}");
  g_string_append (expected, "60");
  for (int i = 0; i < 60; i++)
    {
      g_string_append (data, "}");
      g_string_append (expected, ")");
    }
  g_autofree char *out = render_with ("{{>n}}", data->str, 0, partials);
  g_assert_cmpstr (out, ==, expected->str);
}

static char *
failing_partial (const char *name, gpointer user_data, GError **error)
{
  (void) user_data;
  g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT, "cannot read %s.mustache", name);
  return NULL;
}

static void
test_missing_partial (void)
{
  const char *const none[] = { NULL };
  g_autofree char *missing = render_with ("[{{>nope}}]\n  {{>nope}}\n.", "{}", 0, none);
  g_autofree char *no_callback = render_with ("[{{>nope}}]", "{}", 0, NULL);
  g_assert_cmpstr (missing, ==, "[]\n.");
  g_assert_cmpstr (no_callback, ==, "[]");

  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse ("\n{{>footer}}", "digest.txt", NULL);
  g_autofree char *out = baton_mustache_render (tmpl, NULL, 0, failing_partial, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT);
  g_assert_cmpstr (error->message, ==,
                   "digest.txt:2: partial 'footer': cannot read footer.mustache");
}

/* One partial at two indentations is two parses; nested standalone
 * partials add their indentation up. */
static void
test_partial_indentation (void)
{
  const char *const partials[] = { "p", "a\nb\n", "outer", "[\n  {{>p}}\n]\n", NULL };
  g_autofree char *twice = render_with ("{{>p}}\n  {{>p}}\n", "{}", 0, partials);
  g_autofree char *nested = render_with ("\t{{>outer}}\n", "{}", 0, partials);

  g_assert_cmpstr (twice, ==, "a\nb\n  a\n  b\n");
  g_assert_cmpstr (nested, ==, "\t[\n\t  a\n\t  b\n\t]\n");
}

static void
test_partial_syntax_error (void)
{
  const char *const partials[] = { "task", "- {{title}}\n{{#due}}\n", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl =
      baton_mustache_parse ("{{#tasks}}\n{{>task}}\n{{/tasks}}", "digest.txt", NULL);
  g_autoptr (JsonNode) data = json ("{\"tasks\": [1]}");
  g_autofree char *out =
      baton_mustache_render (tmpl, data, 0, table_partial, (gpointer) partials, &error);

  g_assert_null (out);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "digest.txt:2: task:2: section 'due' opened here is never closed");
}

static void
test_truthiness (void)
{
  const char *source = "{{#v}}T{{/v}}{{^v}}F{{/v}}";
  const char *cases[][2] = {
    { "{\"v\": \"\"}", "F" }, { "{\"v\": \"x\"}", "T" }, { "{\"v\": 0}", "F" },
    { "{\"v\": 0.0}", "F" },  { "{\"v\": 2}", "T" },     { "{\"v\": {}}", "T" },
    { "{\"v\": []}", "F" },   { "{\"v\": null}", "F" },  { "{}", "F" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = render_with (source, cases[i][0], 0, NULL);
      g_assert_cmpstr (out, ==, cases[i][1]);
    }
}

static void
test_values (void)
{
  g_autofree char *out = render_with ("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} [{{g}}] [{{h}}]",
                                      "{\"a\": -3, \"b\": 0.1, \"c\": 1e21, \"d\": 2.5,"
                                      " \"e\": true, \"f\": false, \"g\": {\"x\": 1},"
                                      " \"h\": [1]}",
                                      0, NULL);
  g_assert_cmpstr (out, ==, "-3 0.1 1e+21 2.5 true false [] []");

  g_autofree char *no_data = render_with ("[{{a}}{{.}}{{#a}}x{{/a}}{{^a}}y{{/a}}]", NULL, 0, NULL);
  g_assert_cmpstr (no_data, ==, "[y]");
}

/* Partials nested to the limit, each opening sections to theirs, must stay
 * within the C stack (this runs under ASan too). */
static void
test_deep_nesting (void)
{
  g_autoptr (GString) body = g_string_new ("");
  for (int i = 0; i < BATON_MUSTACHE_MAX_SECTION_DEPTH; i++)
    g_string_append (body, "{{#o}}");
  g_string_append (body, "{{#more}}{{>p}}{{/more}}");
  for (int i = 0; i < BATON_MUSTACHE_MAX_SECTION_DEPTH; i++)
    g_string_append (body, "{{/o}}");
  const char *const partials[] = { "p", body->str, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonTemplate) tmpl = baton_mustache_parse ("{{>p}}", "t", NULL);
  g_autoptr (JsonNode) data = json ("{\"o\": {}, \"more\": true}");
  g_autofree char *out =
      baton_mustache_render (tmpl, data, 0, table_partial, (gpointer) partials, &error);

  g_assert_null (out);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);

  g_clear_error (&error);
  g_string_append (body, "{{#o}}");
  g_autoptr (BatonTemplate) too_deep = baton_mustache_parse (body->str, "t", &error);
  g_assert_null (too_deep);
  g_assert_nonnull (strstr (error->message, "nested more than 100 deep"));
}

/* A digest of 1,000 tasks through a partial: one parse of the partial,
 * output checked in full. */
static void
test_large_digest (void)
{
  const char *const partials[] = { "task", "- #{{id}} {{title}} ({{owner.name}})\n", NULL };
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GString) expected = g_string_new ("Tasks:\n");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tasks");
  json_builder_begin_array (builder);
  for (int i = 0; i < 1000; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, i);
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, "Fix & ship");
      json_builder_set_member_name (builder, "owner");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, "Ana");
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      g_string_append_printf (expected, "  - #%d Fix & ship (Ana)\n", i);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  g_autoptr (JsonNode) data = json_builder_get_root (builder);
  g_autoptr (BatonTemplate) tmpl =
      baton_mustache_parse ("Tasks:\n{{#tasks}}\n  {{>task}}\n{{/tasks}}\n", "digest.txt", NULL);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autofree char *out =
      baton_mustache_render (tmpl, data, 0, table_partial, (gpointer) partials, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, expected->str);
  g_test_message ("1000 tasks rendered in %" G_GINT64_FORMAT " us",
                  g_get_monotonic_time () - start);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  if (!add_spec_tests (&error))
    {
      g_printerr ("test-mustache: %s\n", error->message);
      return 1;
    }
  g_test_add_func ("/mustache/baton/syntax-errors", test_syntax_errors);
  g_test_add_func ("/mustache/baton/error-name-default", test_error_name_default);
  g_test_add_func ("/mustache/baton/plain-text", test_plain_text);
  g_test_add_func ("/mustache/baton/recursion-limit", test_recursion_limit);
  g_test_add_func ("/mustache/baton/bounded-recursion", test_bounded_recursion);
  g_test_add_func ("/mustache/baton/missing-partial", test_missing_partial);
  g_test_add_func ("/mustache/baton/partial-indentation", test_partial_indentation);
  g_test_add_func ("/mustache/baton/partial-syntax-error", test_partial_syntax_error);
  g_test_add_func ("/mustache/baton/truthiness", test_truthiness);
  g_test_add_func ("/mustache/baton/values", test_values);
  g_test_add_func ("/mustache/baton/deep-nesting", test_deep_nesting);
  g_test_add_func ("/mustache/baton/large-digest", test_large_digest);
  return g_test_run ();
}
