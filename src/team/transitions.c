/* SPDX-License-Identifier: MIT */
/* The task state machine (include/baton/transitions.h). One row per case,
 * read top to bottom, first match wins; ANY stands for every holder. A
 * rule lives here or nowhere: workflow-apply.c only carries rows out. */
#define G_LOG_DOMAIN "baton-transitions"
#include "baton/transitions.h"

#include <string.h>

#define ANY BATON_HOLDER_COUNT

#define S_OPEN BATON_STATE_OPEN
#define S_TAKEN BATON_STATE_TAKEN
#define S_BLOCKED BATON_STATE_BLOCKED
#define S_DONE BATON_STATE_DONE

#define NONE BATON_HOLDER_NONE
#define SENDER BATON_HOLDER_SENDER
#define OTHER BATON_HOLDER_OTHER

#define APPLY BATON_VERDICT_APPLY
#define NOTHING BATON_VERDICT_NOTHING

#define KEEP BATON_NEXT_HOLDER_KEEP
#define TO_SENDER BATON_NEXT_HOLDER_SENDER
#define TO_NOBODY BATON_NEXT_HOLDER_NONE
#define TO_RECEIVER BATON_NEXT_HOLDER_RECEIVER

#define C(name) BATON_COMMAND_##name

/* A refusal leaves everything as it was. */
#define REFUSE(s, h, c, why)                                                                       \
  {                                                                                                \
    s, h, C (c), BATON_VERDICT_REFUSE_##why, s, KEEP, NULL, 0                                      \
  }

/* What any member may do to a task that is not done, in state S; a task
 * someone holds stays blocked when it changes hands, so the next holder
 * sees why it waits. */
#define LIVE(S, HELD)                                                                              \
  { S, SENDER, C (TAKE), NOTHING, S, KEEP, NULL, 0 },                                              \
      { S, NONE, C (TAKE), APPLY, HELD, TO_SENDER, "taken", 0 },                                   \
      { S, OTHER, C (TAKE), APPLY, HELD, TO_SENDER, "handoff", BATON_TELL_PREVIOUS },              \
      { S,    ANY,         C (HANDOFF), APPLY,                                                     \
        HELD, TO_RECEIVER, "handoff",   BATON_TELL_RECEIVER | BATON_TELL_PREVIOUS },               \
      { S, OTHER, C (DONE), APPLY, S_DONE, KEEP, "done", BATON_TELL_HOLDER },                      \
      { S, ANY, C (DONE), APPLY, S_DONE, KEEP, "done", 0 }, REFUSE (S, OTHER, DROP, NOT_HOLDER),   \
      { S, ANY, C (DROP), APPLY, S_OPEN, TO_NOBODY, "dropped", 0 },                                \
      { S, OTHER, C (BLOCK), APPLY, S_BLOCKED, KEEP, "blocked", BATON_TELL_HOLDER },               \
      { S, ANY, C (BLOCK), APPLY, S_BLOCKED, KEEP, "blocked", 0 },                                 \
      REFUSE (S, ANY, REOPEN, NOT_DONE), { S, ANY, C (NOTE), APPLY, S, KEEP, "note", 0 },          \
      { S, SENDER, C (ACCEPT), APPLY, S, KEEP, "accepted", 0 },                                    \
      REFUSE (S, ANY, ACCEPT, NOT_HOLDER),                                                         \
  {                                                                                                \
    S, ANY, C (UPDATE), APPLY, S, KEEP, "note", 0                                                  \
  }

static const BatonTransition table[] = {
  LIVE (S_OPEN, S_TAKEN),
  REFUSE (S_OPEN, ANY, UNBLOCK, NOT_BLOCKED),

  LIVE (S_TAKEN, S_TAKEN),
  REFUSE (S_TAKEN, ANY, UNBLOCK, NOT_BLOCKED),

  LIVE (S_BLOCKED, S_BLOCKED),
  { S_BLOCKED, NONE, C (UNBLOCK), APPLY, S_OPEN, KEEP, "unblocked", 0 },
  { S_BLOCKED, ANY, C (UNBLOCK), APPLY, S_TAKEN, KEEP, "unblocked", 0 },

  /* A done task takes notes (written or free text) and can be reopened,
   * back to whoever held it; everything else waits for the reopen. */
  { S_DONE, ANY, C (NOTE), APPLY, S_DONE, KEEP, "note", 0 },
  { S_DONE, ANY, C (UPDATE), APPLY, S_DONE, KEEP, "note", 0 },
  { S_DONE, NONE, C (REOPEN), APPLY, S_OPEN, KEEP, "reopened", 0 },
  { S_DONE, ANY, C (REOPEN), APPLY, S_TAKEN, KEEP, "reopened", 0 },
  REFUSE (S_DONE, ANY, TAKE, DONE),
  REFUSE (S_DONE, ANY, HANDOFF, DONE),
  REFUSE (S_DONE, ANY, DONE, DONE),
  REFUSE (S_DONE, ANY, DROP, DONE),
  REFUSE (S_DONE, ANY, BLOCK, DONE),
  REFUSE (S_DONE, ANY, UNBLOCK, DONE),
  REFUSE (S_DONE, ANY, ACCEPT, DONE),
};

const BatonTransition *
baton_transition_find (BatonTaskState state, BatonHolder holder, BatonCommandKind command)
{
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].state == state && table[i].command == command &&
        (table[i].holder == holder || table[i].holder == ANY))
      return &table[i];
  return NULL;
}

const BatonTransition *
baton_transitions_all (gsize *count)
{
  *count = G_N_ELEMENTS (table);
  return table;
}

static const char *const state_names[BATON_STATE_COUNT] = { "open", "taken", "blocked", "done" };

const char *
baton_task_state_name (BatonTaskState state)
{
  return state < BATON_STATE_COUNT ? state_names[state] : "unknown";
}

gboolean
baton_task_state_parse (const char *name, BatonTaskState *state)
{
  for (guint i = 0; i < BATON_STATE_COUNT; i++)
    if (name != NULL && g_str_equal (name, state_names[i]))
      {
        *state = (BatonTaskState) i;
        return TRUE;
      }
  return FALSE;
}

void
baton_task_snapshot_clear (BatonTaskSnapshot *snapshot)
{
  g_free (snapshot->owner);
  g_free (snapshot->blocked_reason);
  memset (snapshot, 0, sizeof *snapshot);
}

static void
set_owner (BatonTaskSnapshot *snapshot, const char *owner)
{
  g_free (snapshot->owner);
  snapshot->owner = g_strdup (owner);
}

/* Every state but blocked drops its reason, as the store does. */
static void
set_state (BatonTaskSnapshot *snapshot, BatonTaskState state, const char *reason)
{
  snapshot->state = state;
  g_free (snapshot->blocked_reason);
  snapshot->blocked_reason = state == BATON_STATE_BLOCKED ? g_strdup (reason) : NULL;
}

/* Back to work: with its holder if it has one, else to the pool. */
static BatonTaskState
working (const BatonTaskSnapshot *snapshot)
{
  return snapshot->owner ? BATON_STATE_TAKEN : BATON_STATE_OPEN;
}

void
baton_transitions_replay (BatonTaskSnapshot *snapshot, const char *kind, const char *to_member,
                          const char *note)
{
  if (g_str_equal (kind, "created"))
    {
      snapshot->exists = TRUE;
      set_owner (snapshot, to_member);
      set_state (snapshot, working (snapshot), NULL);
    }
  else if (g_str_equal (kind, "taken") || g_str_equal (kind, "handoff"))
    {
      set_owner (snapshot, to_member);
      if (snapshot->state != BATON_STATE_BLOCKED)
        set_state (snapshot, BATON_STATE_TAKEN, NULL);
    }
  else if (g_str_equal (kind, "done"))
    set_state (snapshot, BATON_STATE_DONE, NULL);
  else if (g_str_equal (kind, "dropped"))
    {
      set_owner (snapshot, NULL);
      set_state (snapshot, BATON_STATE_OPEN, NULL);
    }
  else if (g_str_equal (kind, "blocked"))
    set_state (snapshot, BATON_STATE_BLOCKED, note);
  else if (g_str_equal (kind, "unblocked") || g_str_equal (kind, "reopened"))
    set_state (snapshot, working (snapshot), NULL);
}
