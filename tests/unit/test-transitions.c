/* SPDX-License-Identifier: MIT */
/* The task state machine, checked row by row against a spec written out
 * here in words: every state a task can be in, every holder it can have,
 * every command that acts on a task. */
#include "baton/transitions.h"

#include <string.h>

/* state holder command → verdict next-state next-holder event tell */
static const char *const spec[] = {
  "open none take apply taken sender taken -",
  "open none handoff apply taken receiver handoff receiver+previous",
  "open none done apply done keep done -",
  "open none drop apply open none dropped -",
  "open none block apply blocked keep blocked -",
  "open none unblock refuse-not-blocked open keep - -",
  "open none note apply open keep note -",
  "open none update apply open keep note -",
  "open none reopen refuse-not-done open keep - -",
  "open none accept refuse-not-holder open keep - -",
  "taken sender take nothing taken keep - -",
  "taken sender handoff apply taken receiver handoff receiver+previous",
  "taken sender done apply done keep done -",
  "taken sender drop apply open none dropped -",
  "taken sender block apply blocked keep blocked -",
  "taken sender unblock refuse-not-blocked taken keep - -",
  "taken sender note apply taken keep note -",
  "taken sender update apply taken keep note -",
  "taken sender reopen refuse-not-done taken keep - -",
  "taken sender accept apply taken keep accepted -",
  "taken other take apply taken sender handoff previous",
  "taken other handoff apply taken receiver handoff receiver+previous",
  "taken other done apply done keep done holder",
  "taken other drop refuse-not-holder taken keep - -",
  "taken other block apply blocked keep blocked holder",
  "taken other unblock refuse-not-blocked taken keep - -",
  "taken other note apply taken keep note -",
  "taken other update apply taken keep note -",
  "taken other reopen refuse-not-done taken keep - -",
  "taken other accept refuse-not-holder taken keep - -",
  "blocked none take apply blocked sender taken -",
  "blocked none handoff apply blocked receiver handoff receiver+previous",
  "blocked none done apply done keep done -",
  "blocked none drop apply open none dropped -",
  "blocked none block apply blocked keep blocked -",
  "blocked none unblock apply open keep unblocked -",
  "blocked none note apply blocked keep note -",
  "blocked none update apply blocked keep note -",
  "blocked none reopen refuse-not-done blocked keep - -",
  "blocked none accept refuse-not-holder blocked keep - -",
  "blocked sender take nothing blocked keep - -",
  "blocked sender handoff apply blocked receiver handoff receiver+previous",
  "blocked sender done apply done keep done -",
  "blocked sender drop apply open none dropped -",
  "blocked sender block apply blocked keep blocked -",
  "blocked sender unblock apply taken keep unblocked -",
  "blocked sender note apply blocked keep note -",
  "blocked sender update apply blocked keep note -",
  "blocked sender reopen refuse-not-done blocked keep - -",
  "blocked sender accept apply blocked keep accepted -",
  "blocked other take apply blocked sender handoff previous",
  "blocked other handoff apply blocked receiver handoff receiver+previous",
  "blocked other done apply done keep done holder",
  "blocked other drop refuse-not-holder blocked keep - -",
  "blocked other block apply blocked keep blocked holder",
  "blocked other unblock apply taken keep unblocked -",
  "blocked other note apply blocked keep note -",
  "blocked other update apply blocked keep note -",
  "blocked other reopen refuse-not-done blocked keep - -",
  "blocked other accept refuse-not-holder blocked keep - -",
  "done none take refuse-done done keep - -",
  "done none handoff refuse-done done keep - -",
  "done none done refuse-done done keep - -",
  "done none drop refuse-done done keep - -",
  "done none block refuse-done done keep - -",
  "done none unblock refuse-done done keep - -",
  "done none note apply done keep note -",
  "done none update apply done keep note -",
  "done none reopen apply open keep reopened -",
  "done none accept refuse-done done keep - -",
  "done sender take refuse-done done keep - -",
  "done sender handoff refuse-done done keep - -",
  "done sender done refuse-done done keep - -",
  "done sender drop refuse-done done keep - -",
  "done sender block refuse-done done keep - -",
  "done sender unblock refuse-done done keep - -",
  "done sender note apply done keep note -",
  "done sender update apply done keep note -",
  "done sender reopen apply taken keep reopened -",
  "done sender accept refuse-done done keep - -",
  "done other take refuse-done done keep - -",
  "done other handoff refuse-done done keep - -",
  "done other done refuse-done done keep - -",
  "done other drop refuse-done done keep - -",
  "done other block refuse-done done keep - -",
  "done other unblock refuse-done done keep - -",
  "done other note apply done keep note -",
  "done other update apply done keep note -",
  "done other reopen apply taken keep reopened -",
  "done other accept refuse-done done keep - -",
};

static const char *const holder_words[] = { "none", "sender", "other" };
static const char *const verdict_words[] = {
  "apply", "nothing", "refuse-done", "refuse-not-holder", "refuse-not-blocked", "refuse-not-done"
};
static const char *const next_holder_words[] = { "keep", "sender", "none", "receiver" };

static const BatonCommandKind commands[] = {
  BATON_COMMAND_TAKE,   BATON_COMMAND_HANDOFF, BATON_COMMAND_DONE, BATON_COMMAND_DROP,
  BATON_COMMAND_BLOCK,  BATON_COMMAND_UNBLOCK, BATON_COMMAND_NOTE, BATON_COMMAND_UPDATE,
  BATON_COMMAND_REOPEN, BATON_COMMAND_ACCEPT,
};

static guint
word_index (const char *const *words, guint count, const char *word)
{
  for (guint i = 0; i < count; i++)
    if (g_str_equal (words[i], word))
      return i;
  g_error ("spec word %s is not known", word);
}

static BatonCommandKind
command_from_word (const char *word)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (baton_command_kind_name (commands[i]), word))
      return commands[i];
  g_error ("spec command %s is not known", word);
}

static const char *
tell_word (guint tell)
{
  switch (tell)
    {
      case BATON_TELL_NOBODY:
        return "-";
      case BATON_TELL_RECEIVER:
        return "receiver";
      case BATON_TELL_PREVIOUS:
        return "previous";
      case BATON_TELL_RECEIVER | BATON_TELL_PREVIOUS:
        return "receiver+previous";
      case BATON_TELL_HOLDER:
        return "holder";
      default:
        return "?";
    }
}

/* Each spec line is what the table says, word for word. */
static void
test_spec (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (spec); i++)
    {
      g_auto (GStrv) w = g_strsplit (spec[i], " ", -1);
      g_assert_cmpuint (g_strv_length (w), ==, 8);
      BatonTaskState state;
      g_assert_true (baton_task_state_parse (w[0], &state));
      BatonHolder holder = word_index (holder_words, G_N_ELEMENTS (holder_words), w[1]);
      const BatonTransition *row = baton_transition_find (state, holder, command_from_word (w[2]));
      g_test_message ("%s", spec[i]);
      g_assert_nonnull (row);
      g_assert_cmpstr (verdict_words[row->verdict], ==, w[3]);
      g_assert_cmpstr (baton_task_state_name (row->next), ==, w[4]);
      g_assert_cmpstr (next_holder_words[row->next_holder], ==, w[5]);
      g_assert_cmpstr (row->event ? row->event : "-", ==, w[6]);
      g_assert_cmpstr (tell_word (row->tell), ==, w[7]);
    }
}

/* The spec names every state, every holder a task in it can have, and
 * every command: 9 state-holder pairs × 10 commands. */
static void
test_spec_is_complete (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (spec); i++)
    {
      g_auto (GStrv) w = g_strsplit (spec[i], " ", 4);
      g_autofree char *key = g_strjoin (" ", w[0], w[1], w[2], NULL);
      g_assert_false (g_hash_table_contains (seen, key));
      g_hash_table_add (seen, g_steal_pointer (&key));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 9 * G_N_ELEMENTS (commands));
  for (guint s = 0; s < BATON_STATE_COUNT; s++)
    for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
      {
        g_autofree char *key = g_strdup_printf ("%s %s %s", baton_task_state_name (s),
                                                s == BATON_STATE_TAKEN ? "sender" : "none",
                                                baton_command_kind_name (commands[c]));
        g_assert_true (g_hash_table_contains (seen, key));
      }
}

/* Every state, holder and command finds a row, even pairs the store never
 * holds (an open task with a holder), so a bad row cannot crash ingest;
 * the commands that do not act on a task find none. */
static void
test_total (void)
{
  for (guint s = 0; s < BATON_STATE_COUNT; s++)
    for (guint h = 0; h < BATON_HOLDER_COUNT; h++)
      {
        for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
          g_assert_nonnull (baton_transition_find (s, h, commands[c]));
        g_assert_null (baton_transition_find (s, h, BATON_COMMAND_TASK));
        g_assert_null (baton_transition_find (s, h, BATON_COMMAND_UNDO));
        g_assert_null (baton_transition_find (s, h, BATON_COMMAND_INVALID));
      }
}

/* A refusal changes nothing and records nothing; an applied row records
 * an event; every row is the first match of some lookup (none is dead). */
static void
test_rows_consistent (void)
{
  gsize count = 0;
  const BatonTransition *rows = baton_transitions_all (&count);
  g_assert_cmpuint (count, >, 0);
  for (gsize i = 0; i < count; i++)
    {
      const BatonTransition *row = &rows[i];
      if (row->verdict == BATON_VERDICT_APPLY)
        g_assert_nonnull (row->event);
      else
        {
          g_assert_null (row->event);
          g_assert_cmpint (row->next, ==, row->state);
          g_assert_cmpint (row->next_holder, ==, BATON_NEXT_HOLDER_KEEP);
          g_assert_cmpuint (row->tell, ==, 0);
        }
      gboolean reached = FALSE;
      for (guint h = 0; h < BATON_HOLDER_COUNT && !reached; h++)
        reached = baton_transition_find (row->state, h, row->command) == row;
      g_assert_true (reached);
    }
}

/* The log replayed agrees with the table: each applied row's event, on a
 * task in the row's state with the row's holder, gives the row's next
 * state — what undo relies on to find the state before a mail. */
static void
test_replay_agrees (void)
{
  gsize count = 0;
  const BatonTransition *rows = baton_transitions_all (&count);
  guint checked = 0;
  for (gsize i = 0; i < count; i++)
    for (guint h = 0; h < BATON_HOLDER_COUNT; h++)
      {
        const BatonTransition *row = &rows[i];
        /* Only the pairs the store holds: open has no holder, taken has one. */
        if (row->verdict != BATON_VERDICT_APPLY ||
            baton_transition_find (row->state, h, row->command) != row ||
            (row->state == BATON_STATE_OPEN && h != BATON_HOLDER_NONE) ||
            (row->state == BATON_STATE_TAKEN && h == BATON_HOLDER_NONE))
          continue;
        const char *holder = h == BATON_HOLDER_NONE     ? NULL
                             : h == BATON_HOLDER_SENDER ? "me"
                                                        : "you";
        const char *to = row->next_holder == BATON_NEXT_HOLDER_SENDER     ? "me"
                         : row->next_holder == BATON_NEXT_HOLDER_RECEIVER ? "them"
                                                                          : NULL;
        g_auto (BatonTaskSnapshot) snapshot = { 0 };
        baton_transitions_replay (&snapshot, "created", holder, NULL);
        if (row->state == BATON_STATE_BLOCKED)
          baton_transitions_replay (&snapshot, "blocked", NULL, "why");
        else if (row->state == BATON_STATE_DONE)
          baton_transitions_replay (&snapshot, "done", NULL, NULL);
        g_assert_cmpint (snapshot.state, ==, row->state);
        baton_transitions_replay (&snapshot, row->event, to, "why");
        g_test_message ("%s %u %s", baton_task_state_name (row->state), h, row->event);
        g_assert_cmpint (snapshot.state, ==, row->next);
        const char *owner = row->next_holder == BATON_NEXT_HOLDER_KEEP   ? holder
                            : row->next_holder == BATON_NEXT_HOLDER_NONE ? NULL
                                                                         : to;
        g_assert_cmpstr (snapshot.owner, ==, owner);
        g_assert_true ((snapshot.blocked_reason != NULL) == (row->next == BATON_STATE_BLOCKED));
        checked++;
      }
  /* Every applied row of the spec but the nine notes, which change nothing. */
  g_assert_cmpuint (checked, >=, 40);
}

/* A task created by the mail being undone did not exist before it. */
static void
test_replay_created (void)
{
  g_auto (BatonTaskSnapshot) snapshot = { 0 };
  g_assert_false (snapshot.exists);
  baton_transitions_replay (&snapshot, "note", NULL, "hi");
  g_assert_false (snapshot.exists);
  baton_transitions_replay (&snapshot, "created", "bob", "Title");
  g_assert_true (snapshot.exists);
  g_assert_cmpint (snapshot.state, ==, BATON_STATE_TAKEN);
  g_assert_cmpstr (snapshot.owner, ==, "bob");
}

static void
test_state_names (void)
{
  for (guint s = 0; s < BATON_STATE_COUNT; s++)
    {
      BatonTaskState back = BATON_STATE_COUNT;
      g_assert_true (baton_task_state_parse (baton_task_state_name (s), &back));
      g_assert_cmpint (back, ==, s);
    }
  BatonTaskState unused;
  g_assert_false (baton_task_state_parse ("closed", &unused));
  g_assert_false (baton_task_state_parse (NULL, &unused));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transitions/spec", test_spec);
  g_test_add_func ("/transitions/spec-complete", test_spec_is_complete);
  g_test_add_func ("/transitions/total", test_total);
  g_test_add_func ("/transitions/rows-consistent", test_rows_consistent);
  g_test_add_func ("/transitions/replay-agrees", test_replay_agrees);
  g_test_add_func ("/transitions/replay-created", test_replay_created);
  g_test_add_func ("/transitions/state-names", test_state_names);
  return g_test_run ();
}
