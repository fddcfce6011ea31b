/* SPDX-License-Identifier: MIT */
/* `away` and `back` as the command parser reads them. */
#include "baton/commands.h"

#include <string.h>

static BatonCommand *
only (const char *text)
{
  g_autoptr (GPtrArray) commands = baton_commands_parse (text);
  g_assert_cmpuint (commands->len, ==, 1);
  return g_ptr_array_steal_index (commands, 0);
}

static void
test_forms (void)
{
  struct {
    const char *line;
    BatonCommandKind kind;
    const char *text;
  } cases[] = {
    { "away until 2027-01-04", BATON_COMMAND_AWAY, "..2027-01-03" },
    { "Away: until 2026-03-01", BATON_COMMAND_AWAY, "..2026-02-28" },
    { "away 2026-12-21..2027-01-03", BATON_COMMAND_AWAY, "2026-12-21..2027-01-03" },
    { "- away 2026-12-21..2026-12-21.", BATON_COMMAND_AWAY, "2026-12-21..2026-12-21" },
    { "back", BATON_COMMAND_BACK, NULL },
    { "Back!", BATON_COMMAND_BACK, NULL },
    /* Prose stays prose. */
    { "away from my desk today", BATON_COMMAND_UPDATE, "away from my desk today" },
    { "Back to you, Alice", BATON_COMMAND_UPDATE, "Back to you, Alice" },
    { "back 2 the drawing board", BATON_COMMAND_UPDATE, "back 2 the drawing board" },
    { "awayness", BATON_COMMAND_UPDATE, "awayness" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BatonCommand) c = only (cases[i].line);
      if (c->kind != cases[i].kind || g_strcmp0 (c->text, cases[i].text) != 0)
        g_error ("\"%s\": got %s \"%s\"", cases[i].line, baton_command_kind_name (c->kind),
                 c->text ? c->text : "(null)");
      g_assert_cmpint (c->task, ==, 0);
    }
}

static void
test_mistakes (void)
{
  const char *lines[] = { "away until 2027-02-30",          "away until Monday",
                          "away 2027-01-03..2026-12-21",    "away 2026-12-21",
                          "away until 2027-01-04 and more", NULL };
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (BatonCommand) c = only (lines[i]);
      if (c->kind != BATON_COMMAND_INVALID)
        g_error ("\"%s\" is not invalid", lines[i]);
      g_assert_nonnull (strstr (c->error, "away"));
    }
  g_autoptr (BatonCommand) reversed = only ("away 2027-01-03..2026-12-21");
  g_assert_nonnull (strstr (reversed->error, "away 2026-12-21..2027-01-03"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/away/forms", test_forms);
  g_test_add_func ("/away/mistakes", test_mistakes);
  return g_test_run ();
}
