/* SPDX-License-Identifier: MIT */
/* The cheap checks in front of the near-miss rule (src/mail/commands.c,
 * may_be_near()) and in front of each keyword change no answer. This file
 * builds commands.c a second time, its public names renamed and with
 * BATON_COMMANDS_TRY_EVERY_KEYWORD (an edit distance against every
 * keyword, as before the checks), and compares what both make of every
 * line of the test corpora and shell tests and of typing slips of every
 * keyword, line by line and as whole texts. */
#define BATON_COMMANDS_TRY_EVERY_KEYWORD 1
#define baton_command_free reference_command_free
#define baton_command_kind_name reference_command_kind_name
#define baton_commands_parse reference_commands_parse
#define baton_commands_any reference_commands_any
#define baton_commands_from_plus_address reference_commands_from_plus_address
#define baton_commands_handoff_from_plus_address reference_commands_handoff_from_plus_address
#define baton_commands_task_from_subject reference_commands_task_from_subject
#include "../../src/mail/commands.c"
#undef baton_command_free
#undef baton_command_kind_name
#undef baton_commands_parse
#undef baton_commands_any
#undef baton_commands_from_plus_address
#undef baton_commands_handoff_from_plus_address
#undef baton_commands_task_from_subject

/* The library's own, as built (include/baton/commands.h, already read
 * above under the reference names). */
void baton_command_free (BatonCommand *command);
GPtrArray *baton_commands_parse (const char *visible_text);
gboolean baton_commands_any (const char *text);

/* One command as text: every field, so any difference shows. */
static void
describe (GString *out, const BatonCommand *c)
{
  g_string_append_printf (out, "%u %d %" G_GINT64_FORMAT " %d [%s] [%s] [%s] [%s]\n", c->line,
                          c->kind, c->task, c->it, c->who ? c->who : "-", c->text ? c->text : "-",
                          c->source ? c->source : "-", c->error ? c->error : "-");
}

static char *
describe_all (GPtrArray *commands)
{
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < commands->len; i++)
    describe (out, commands->pdata[i]);
  return g_string_free (out, FALSE);
}

static guint near_misses;

static void
assert_same (const char *text)
{
  GPtrArray *built = baton_commands_parse (text);
  GPtrArray *reference = reference_commands_parse (text);
  g_autofree char *got = describe_all (built);
  g_autofree char *expected = describe_all (reference);
  if (g_strcmp0 (got, expected) != 0)
    g_error ("`%s`:\nbuilt:\n%s\nevery keyword tried:\n%s", text, got, expected);
  gboolean any = FALSE;
  for (guint i = 0; i < reference->len; i++)
    {
      const BatonCommand *c = reference->pdata[i];
      any |= c->kind != BATON_COMMAND_UPDATE;
      if (c->error != NULL && strstr (c->error, "is not a command") != NULL)
        near_misses++;
    }
  if (baton_commands_any (text) != any || reference_commands_any (text) != any)
    g_error ("`%s`: baton_commands_any() is not what the parse says (%d)", text, any);
  g_ptr_array_unref (built);
  g_ptr_array_unref (reference);
}

/* Every regular file under DIR, recursively: each line, then the whole. */
static guint
compare_files (const char *dir)
{
  guint lines = 0;
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  if (listing == NULL)
    return 0;
  for (const char *name; (name = g_dir_read_name (listing)) != NULL;)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          lines += compare_files (path);
          continue;
        }
      g_autofree char *contents = NULL;
      gsize length = 0;
      if (!g_file_get_contents (path, &contents, &length, NULL) || length > 1024 * 1024 ||
          memchr (contents, '\0', length) != NULL)
        continue;
      g_auto (GStrv) split = g_strsplit (contents, "\n", -1);
      for (guint i = 0; split[i] != NULL; i++, lines++)
        assert_same (split[i]);
      assert_same (contents);
    }
  return lines;
}

static void
test_corpora (void)
{
  static const char *const dirs[] = { "corpus", "shell", "rig" };
  guint lines = 0;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir =
          g_test_build_filename (G_TEST_DIST, "..", "..", "tests", dirs[i], NULL);
      lines += compare_files (dir);
    }
  g_test_message ("%u lines compared, %u near misses among them", lines, near_misses);
  g_assert_cmpuint (lines, >, 5000);
}

/* Tails after the first word that near_miss() treats differently. */
static const char *const tails[] = {
  "", " 5", " it", ".", " 5 to bob", ": Write the guide", " 5: shipped", ", thanks",
};

static void
compare_word (const char *word)
{
  for (guint t = 0; t < G_N_ELEMENTS (tails); t++)
    {
      g_autofree char *line = g_strconcat (word, tails[t], NULL);
      assert_same (line);
    }
  g_autofree char *upper = g_ascii_strup (word, -1);
  g_autofree char *bullet = g_strconcat ("- #", word, " 5", NULL);
  assert_same (upper);
  assert_same (bullet);
}

/* Every word one or two edits (delete, insert, replace, swap) away from a
 * keyword, over the letters of the keywords and a few others. */
static void
edits (const char *word, guint depth, GHashTable *seen)
{
  static const char letters[] = "acdeknoprstx";
  gsize len = strlen (word);
  if (len == 0 || len > NEAR_MAX + 1 || !g_hash_table_add (seen, g_strdup (word)))
    return;
  compare_word (word);
  if (depth == 0)
    return;
  char next[NEAR_MAX + 4];
  for (gsize i = 0; i <= len; i++)
    {
      if (i < len)
        {
          /* delete */
          g_snprintf (next, sizeof next, "%.*s%s", (int) i, word, word + i + 1);
          edits (next, depth - 1, seen);
          if (i + 1 < len)
            {
              /* swap */
              g_strlcpy (next, word, sizeof next);
              next[i] = word[i + 1];
              next[i + 1] = word[i];
              edits (next, depth - 1, seen);
            }
        }
      for (const char *l = letters; *l != '\0'; l++)
        {
          /* insert */
          g_snprintf (next, sizeof next, "%.*s%c%s", (int) i, word, *l, word + i);
          edits (next, depth - 1, seen);
          if (i < len)
            {
              /* replace */
              g_strlcpy (next, word, sizeof next);
              next[i] = *l;
              edits (next, depth - 1, seen);
            }
        }
    }
}

static void
test_slips (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint before = near_misses;
  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    edits (keywords[i].word, 2, seen);
  g_test_message ("%u words compared, %u near misses", g_hash_table_size (seen),
                  near_misses - before);
  /* The slips must include near misses, or this compares nothing useful. */
  g_assert_cmpuint (near_misses - before, >, 1000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/commands-near/corpora", test_corpora);
  g_test_add_func ("/commands-near/slips", test_slips);
  return g_test_run ();
}
