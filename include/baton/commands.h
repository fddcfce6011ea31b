/* SPDX-License-Identifier: MIT */
/* The command language: newly written text in, a list of commands out.
 *
 * Pure: no I/O, no database. Line-oriented; keywords are case-insensitive,
 * an optional ':' may follow the keyword, '#' before a number is optional,
 * "it" may stand for the number. Lines are read with Unicode spaces as
 * spaces and invisible characters dropped. A line that starts like a
 * command but does not parse, or is a near miss of one ("tkae 5"), is a
 * BATON_COMMAND_INVALID on that line (never a silent skip); every other
 * line is the sender's free text. See docs/DESIGN.md §2 and baton(1).
 */
#pragma once
#include <glib.h>

typedef enum {
  BATON_COMMAND_TASK,    /* task: TITLE / todo: TITLE; text = title, who = @mention or NULL */
  BATON_COMMAND_TAKE,    /* take [N] */
  BATON_COMMAND_DONE,    /* done [N] [: note] */
  BATON_COMMAND_DROP,    /* drop [N] [: note] */
  BATON_COMMAND_HANDOFF, /* handoff|hand off|hand over|pass [N] to WHO [: note] */
  BATON_COMMAND_NOTE,    /* note [N]: text */
  BATON_COMMAND_BLOCK,   /* block [N]: reason */
  BATON_COMMAND_UNBLOCK, /* unblock [N] */
  BATON_COMMAND_REOPEN,  /* reopen [N] [: note]: a done task back to work */
  BATON_COMMAND_ACCEPT,  /* accept|ack [N]: the receiver takes on a handoff */
  BATON_COMMAND_UNDO,    /* undo: in a reply to baton's mail, reverts the mail it was about */
  BATON_COMMAND_UPDATE,  /* free text: consecutive lines joined as one paragraph block */
  BATON_COMMAND_INVALID, /* looked like a command, did not parse; error says why */
  /* Member-level, not about a task (task is 0): */
  BATON_COMMAND_AWAY, /* away until DATE / away FIRST..LAST; text = "FIRST..LAST" (dates as
                       * YYYY-MM-DD, both days included; FIRST empty: from today) */
  BATON_COMMAND_BACK, /* back: the away period ends today */
} BatonCommandKind;

typedef struct {
  BatonCommandKind kind;
  guint line;   /* 1-based line in the visible text where it starts */
  gint64 task;  /* task number, or 0 when the line names none (context decides) */
  gboolean it;  /* task 0 written as "it": the task the line before named, else context */
  char *who;    /* handoff target or @mention as written, without '@'; owned, may be NULL */
  char *text;   /* title, note, reason or free text; owned, may be NULL */
  char *source; /* the line as read (trimmed; Unicode spaces as ' ', invisibles dropped), owned */
  char *error;  /* INVALID only: what is wrong and how to write it, owned */
} BatonCommand;

void baton_command_free (BatonCommand *command);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonCommand, baton_command_free)

/* Parses newly written text into commands in line order. Free-text lines
 * that follow each other (no blank line, no command between) become one
 * UPDATE whose text keeps their line breaks. Returns a GPtrArray of
 * BatonCommand* that owns its elements; never NULL. */
GPtrArray *baton_commands_parse (const char *visible_text);
/* TRUE when baton_commands_parse (TEXT) would return anything but
 * UPDATEs (a command, valid or not): the same reading, without building
 * the commands and free text of the lines that are none. */
gboolean baton_commands_any (const char *text);

/* Plus-addressing context: for a recipient "team+take-12@example.com" whose
 * base is team_address ("team@example.com"), sets *kind and *task and returns
 * TRUE. Understood: take-N, done-N, drop-N, accept-N (task > 0), and "task" (kind TASK,
 * task 0: the subject becomes a new task). Comparison is case-insensitive. */
gboolean baton_commands_from_plus_address (const char *recipient, const char *team_address,
                                           BatonCommandKind *kind, gint64 *task);
/* The plus-address form of a handoff to a named member:
 * "team+handoff-12-carol@example.com" sets *task to 12 and *who to
 * "carol" (lowercased, the caller's to free) and returns TRUE. The number
 * comes first and ends at the first '-', so the name may hold '-', '_'
 * and '.' as member names do; whether it names a member is the caller's
 * to decide. Case-insensitive; FALSE (nothing set) for anything else. */
gboolean baton_commands_handoff_from_plus_address (const char *recipient, const char *team_address,
                                                   gint64 *task, char **who);

/* "[#12]" anywhere in a subject: returns 12; 0 when there is none. */
gint64 baton_commands_task_from_subject (const char *subject);

/* Lowercase keyword for a kind ("take", "handoff", "update", ...); static. */
const char *baton_command_kind_name (BatonCommandKind kind);
