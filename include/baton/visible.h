/* SPDX-License-Identifier: MIT */
/* Which part of a mail body is newly written.
 *
 * Pure: text in, text out, no I/O. Only the text this returns may be read
 * as commands: quoted replies (">", "| ", "AB> "), attributions ("On …
 * wrote:" in ~25 languages and the shapes of unlisted clients), header
 * blocks in any language (labelled lines naming a sender or a date, with an
 * address or a date), "-----Original Message-----" and other separators,
 * forwarded blocks, "-- " signatures, trailing sign-offs ("Thanks,\nBob"),
 * names, signature blocks and mobile footers ("Sent from my iPhone") are
 * removed. Everything after the first reply header that introduces an
 * unquoted old message is old; where the boundary is uncertain, the text
 * is taken as old. Text written between quoted blocks (inline replies) is
 * kept; the quotes are not. Time and memory are linear in the body.
 */
#pragma once
#include <glib.h>

/* One removal: lines first_line..last_line (1-based, as the body splits on
 * LF, CRLF or CR), and the rule that removed them. */
typedef struct {
  guint first_line;
  guint last_line;
  char *rule;      /* "quoted", "sign-off", "header block (De/Envoyé/À/Objet)"; owned */
  gboolean to_end; /* the old message: everything from first_line on */
} BatonVisibleCut;

typedef struct {
  char *text;      /* as baton_visible_text() returns it; owned */
  GPtrArray *cuts; /* of BatonVisibleCut *, in line order; owns them */
} BatonVisible;

/* Returns the newly written part of @body_utf8, a whole text/plain body
 * (UTF-8; LF, CRLF or CR line ends; invalid bytes are replaced by U+FFFD).
 * Lines keep their own formatting but lose trailing whitespace; leading and
 * trailing blank lines are dropped; lines end in "\n" except the last.
 * NULL is treated as "". Never returns NULL; caller frees with g_free(). */
char *baton_visible_text (const char *body_utf8);

/* The same text plus every cut and the rule that made it, for `baton
 * explain`. A rule may quote up to 60 characters of the mail, control
 * characters made spaces. Never returns NULL; caller frees with
 * baton_visible_free(). */
BatonVisible *baton_visible_find (const char *body_utf8);

void baton_visible_cut_free (BatonVisibleCut *cut);
void baton_visible_free (BatonVisible *visible);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonVisible, baton_visible_free)
