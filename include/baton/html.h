/* SPDX-License-Identifier: MIT */
/* Plain text from the HTML part of an HTML-only mail.
 *
 * Pure: no I/O, no network, no images. The text is meant for
 * baton_visible_text(), so <blockquote> content comes out with "> " in
 * front of every line (and is then stripped as quoted), list items as
 * "- ", block elements as line breaks, entities decoded.
 */
#pragma once
#include <glib.h>

/* Renders @html (UTF-8 or close to it; invalid bytes become U+FFFD) the way
 * a browser would lay out its text: script, style, head and comments
 * dropped; p, div, br, li, tr, h1-h6, blockquote, pre… become line breaks;
 * runs of whitespace collapse to one space except inside <pre>; named
 * (common) and numeric (&#NNN; &#xHH;) entities decoded, &nbsp; to a plain
 * space. Unclosed tags and garbage are tolerated. Lines have no trailing
 * whitespace; no leading or trailing blank lines. NULL is treated as "".
 * Never returns NULL; caller frees with g_free(). */
char *baton_html_to_text (const char *html);
