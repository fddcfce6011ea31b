/* SPDX-License-Identifier: MIT */
/* The task state machine as one table: task state × who holds it × command
 * → verdict, next state, next holder, event recorded and who is told.
 *
 * Pure: no store, no config. workflow-apply.c looks a row up and carries
 * it out; tests/unit/test-transitions.c checks every row. What a row cannot
 * know (whether a handoff's receiver is a member, whether a note has text)
 * the caller decides before or after the lookup. See docs/DESIGN.md §4.
 */
#pragma once
#include "baton/commands.h"

#include <glib.h>

typedef enum {
  BATON_STATE_OPEN,    /* in the pool, nobody holds it */
  BATON_STATE_TAKEN,   /* somebody holds it */
  BATON_STATE_BLOCKED, /* waiting; may or may not have a holder */
  BATON_STATE_DONE,
  BATON_STATE_COUNT,
} BatonTaskState;

/* Who holds the task, seen from the member who wrote the command. */
typedef enum {
  BATON_HOLDER_NONE,
  BATON_HOLDER_SENDER,
  BATON_HOLDER_OTHER,
  BATON_HOLDER_COUNT,
} BatonHolder;

typedef enum {
  BATON_VERDICT_APPLY,              /* change the task, record the event */
  BATON_VERDICT_NOTHING,            /* fine as it is ("already yours"): no event */
  BATON_VERDICT_REFUSE_DONE,        /* the task is done */
  BATON_VERDICT_REFUSE_NOT_HOLDER,  /* only its holder may do this */
  BATON_VERDICT_REFUSE_NOT_BLOCKED, /* unblock of a task that is not blocked */
  BATON_VERDICT_REFUSE_NOT_DONE,    /* reopen of a task that is not done */
} BatonVerdict;

typedef enum {
  BATON_NEXT_HOLDER_KEEP,
  BATON_NEXT_HOLDER_SENDER,
  BATON_NEXT_HOLDER_NONE,
  BATON_NEXT_HOLDER_RECEIVER, /* the member a handoff names */
} BatonNextHolder;

/* Who is told; a notice to the sender themself, or a "taken" notice to
 * the member who now holds the task anyway, is never sent. */
typedef enum {
  BATON_TELL_NOBODY = 0,
  BATON_TELL_RECEIVER = 1 << 0, /* "handoff" notice to the new holder */
  BATON_TELL_PREVIOUS = 1 << 1, /* "taken" notice to who held it before */
  BATON_TELL_HOLDER = 1 << 2,   /* notice named after the event to who holds it */
} BatonTell;

typedef struct {
  BatonTaskState state;
  BatonHolder holder;
  BatonCommandKind command;
  BatonVerdict verdict;
  BatonTaskState next; /* the state after; == state unless the verdict is APPLY */
  BatonNextHolder next_holder;
  const char *event; /* kind of the event recorded (store.h), NULL when none */
  guint tell;        /* BatonTell flags */
} BatonTransition;

/* The row for @state, @holder and @command (TAKE, HANDOFF, DONE, DROP,
 * NOTE, BLOCK, UNBLOCK, REOPEN, ACCEPT or UPDATE — a free-text update about a
 * task); NULL for a command that does not act on an existing task (TASK,
 * UNDO, INVALID). Static: never freed. */
const BatonTransition *baton_transition_find (BatonTaskState state, BatonHolder holder,
                                              BatonCommandKind command);

/* Every row, in table order; *@count is set to their number. Static. */
const BatonTransition *baton_transitions_all (gsize *count);

/* "open", "taken", "blocked", "done" (the tasks table's words); static. */
const char *baton_task_state_name (BatonTaskState state);
/* The state named @name; FALSE for a word the table does not know. */
gboolean baton_task_state_parse (const char *name, BatonTaskState *state);

/* What a task is after a run of events: the log replayed. undo uses it to
 * find what a task was before a mail's events, and the table's rows agree
 * with it event for event (test-transitions.c). */
typedef struct {
  gboolean exists; /* FALSE until a "created" event */
  BatonTaskState state;
  char *owner;          /* owned, NULL when nobody holds it */
  char *blocked_reason; /* owned, NULL unless blocked */
} BatonTaskSnapshot;

/* Applies one event (kind, to_member, note as in store.h's events) to
 * @snapshot. Kinds that change nothing (note, update) leave it as it is. */
void baton_transitions_replay (BatonTaskSnapshot *snapshot, const char *kind, const char *to_member,
                               const char *note);
/* Frees the strings of @snapshot (not @snapshot itself) and zeroes it. */
void baton_task_snapshot_clear (BatonTaskSnapshot *snapshot);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BatonTaskSnapshot, baton_task_snapshot_clear)
