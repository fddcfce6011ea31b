/* SPDX-License-Identifier: MIT */
/* Small text helpers shared by the incoming (message) and outgoing
 * (mailbuild) sides, and by everything that prints text from mail. Pure. */
#pragma once
#include <glib.h>

/* @text with every CRLF and lone CR turned into LF; caller frees. */
char *baton_text_lf (const char *text);

/* TEXT, which came from mail, made safe to print on a terminal or put into
 * plain text: one line (CR, LF, CRLF, VT, FF, NEL, U+2028 and U+2029 become
 * one space each, a tab a space), every other control character (C0, DEL,
 * C1) and every bidi override or isolate (U+202A-U+202E, U+2066-U+2069,
 * U+200E, U+200F, U+061C) shown as '?', other invisible format characters
 * (Cf: zero-width space, BOM, tags...) removed, except the joiners U+200C
 * and U+200D that scripts and emoji need. Invalid UTF-8 becomes U+FFFD.
 * With MAX_CHARS > 0, at most that many characters, then "…".
 * NULL for NULL; otherwise the caller frees. */
char *baton_text_line_max (const char *text, gsize max_chars);

/* baton_text_line_max (TEXT, 0). */
char *baton_text_line (const char *text);

/* As baton_text_line(), but keeping the line structure: each line break
 * (any of the above) becomes one LF, and tabs stay. For multi-line notes
 * and the newly written text. NULL for NULL; caller frees. */
char *baton_text_lines (const char *text);
