/* SPDX-License-Identifier: MIT */
/* The board: a static web site of the team's tasks and the relay
 * (docs/DESIGN.md §10.5), for any web server or file://.
 *
 * Two halves. baton_board_*_data() are pure: the tasks, the event log, the
 * members and a clock in, a JsonNode for one Mustache template out, every
 * position of the relay picture already computed, so templates only place
 * numbers and text. baton_board_write() renders every page into a fresh
 * directory beside the target and swaps it in with one rename, so a web
 * server never serves half a board.
 *
 * Everything from mail (titles, notes, reasons) reaches the pages only
 * through {{var}}, which the renderer escapes for HTML and XML alike.
 *
 * "pending" and "escalated" (a handoff waiting to be accepted; its giver
 * already told) come from the store's pending rows: a pending task's card
 * is in the "waiting to be accepted" column, and the arrow of the handoff
 * it waits on is marked, on the board and in the digest's compact relay.
 *
 * The relay shades each member's own working periods (hours, workdays,
 * holidays and away days of include/baton/worktime.h) in the viewer's zone.
 */
#pragma once
#include "baton/config.h"
#include "baton/store.h"

#include <glib.h>
#include <json-glib/json-glib.h>

/* Done tasks and handoffs shown: the last seven days. */
#define BATON_BOARD_RECENT_SECONDS (7 * 24 * 3600)
/* The feed carries the newest events only; the whole log is `baton log`. */
#define BATON_BOARD_FEED_ENTRIES 500

/* Work the pages of one write share: the task history, and the relay's
 * arrows per time zone, which the index and the member pages would each
 * build again. Opaque; serves one BatonBoardInput only. */
typedef struct BatonBoardCache BatonBoardCache;

BatonBoardCache *baton_board_cache_new (void);
void baton_board_cache_free (BatonBoardCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonBoardCache, baton_board_cache_free)

/* Everything a page is built from; all borrowed. */
typedef struct {
  const BatonConfig *config; /* members, team address */
  GPtrArray *tasks;          /* BatonTask*, done ones included, by number */
  GPtrArray *events;         /* BatonEvent*, the whole log, oldest first */
  gint64 now;                /* the "now" line and every duration */
  GPtrArray *pending;        /* BatonPending*, the handoffs not accepted; NULL: none */
  GHashTable *away;          /* member name → GArray of BatonAway; NULL: nobody away */
  BatonBoardCache *cache;    /* NULL, or one shared by every page of this input */
} BatonBoardInput;

/* Data of board.html: the columns (waiting, open, taken, blocked, done in
 * the last 7 days), the member links and the relay picture drawn in time
 * zone @zone (an IANA id; NULL or invalid: UTC). @member (NULL: everyone)
 * keeps only the cards of that member (the tasks they hold, and the
 * unheld ones they created) and the handoffs they gave or received; every
 * member keeps a lane. @root is the path from the page to the site's
 * top ("" or "../"). Returns a new node the caller frees. */
JsonNode *baton_board_index_data (const BatonBoardInput *input, const char *member,
                                  const char *zone, const char *root);

/* Data of board-task.html: task @task with @events (its own, oldest
 * first), as `baton show N` prints them. Caller frees. */
JsonNode *baton_board_task_data (const BatonBoardInput *input, const BatonTask *task,
                                 GPtrArray *events);

/* What task/N.html is made of, as a hex digest: every field of @task and
 * of @events that baton_board_task_data() reads, whether it waits to be
 * accepted, and the team address; not the time. Equal fingerprints give
 * equal data, so baton_board_write() reuses the old page. Caller frees. */
char *baton_board_task_fingerprint (const BatonBoardInput *input, const BatonTask *task,
                                    GPtrArray *events);

/* Data of board-events.atom: the newest BATON_BOARD_FEED_ENTRIES events,
 * newest first, with the RFC 4287 ids and dates. Caller frees. */
JsonNode *baton_board_feed_data (const BatonBoardInput *input);

/* Renders the whole site for @input with the templates of @templates_dir
 * (NULL: the shipped ones) into a new directory beside @out_dir, then
 * puts it in @out_dir's place atomically (the old site, if any, is
 * removed after the swap). FALSE with @error set on failure, with
 * @out_dir as it was: BATON_ERROR_CONFIG for a broken template,
 * BATON_ERROR_CANT_CREATE for a directory or file that cannot be written. */
gboolean baton_board_write (const BatonBoardInput *input, const char *templates_dir,
                            const char *out_dir, const char *zone, GError **error);

/* Reads tasks and events from @store and writes the site as
 * baton_board_write() does, at @now. */
gboolean baton_board_update (const BatonConfig *config, BatonStore *store, const char *out_dir,
                             const char *zone, gint64 now, GError **error);

/* For `baton run`: rewrites [board] dir of @config when the store changed
 * since the last call (or five minutes passed, so durations and the "now"
 * line move on). Does nothing when no [board] dir is set. A failure is
 * logged and retried on the next call, never fatal to the daemon. */
void baton_board_refresh (const BatonConfig *config, BatonStore *store);

/* The compact relay for the HTML digest, drawn for a reader in @zone:
 * tables and inline styles only, as mail clients show no SVG. Data:
 * zone, hours (label, every 6 h), lanes (name, status: "off today",
 * "away until YYYY-MM-DD" or null, cells: 24 of background (the member's
 * own working hours and days shaded), mark, colour, title, now) and the
 * newest handoffs of the last 7 days (task, from, to, at, pending,
 * escalated, marker: "⏳ pending", "⚠ escalated" or null, marker_colour),
 * has_handoffs. Pure; reads @input's config, events (oldest first), now,
 * pending and away; tasks may be NULL. Caller frees. */
JsonNode *baton_board_mail_relay_data (const BatonBoardInput *input, const char *zone);

/* As baton_board_mail_relay_data() with what it reads from @store. A
 * read failure is logged and gives a null node (no picture): a digest is
 * never held back for its picture. */
JsonNode *baton_board_mail_relay (const BatonConfig *config, BatonStore *store, const char *zone,
                                  gint64 now);
