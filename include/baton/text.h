/* Small text helpers shared by the incoming (message) and outgoing
 * (mailbuild) sides. Pure. */
#pragma once
#include <glib.h>

/* @text with every CRLF and lone CR turned into LF; caller frees. */
char *baton_text_lf (const char *text);
