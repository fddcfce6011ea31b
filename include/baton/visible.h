/* Which part of a mail body is newly written.
 *
 * Pure: text in, text out, no I/O. Only the text this returns may be read
 * as commands: quoted replies, "On … wrote:" lines in ~20 languages, Outlook
 * header blocks and "-----Original Message-----" separators, forwarded
 * blocks, "-- " signatures, trailing sign-offs ("Regards,\nJohn") and mobile
 * footers ("Sent from my iPhone") are removed. Everything after the first
 * reply header that introduces an unquoted old message is old. Text written
 * between quoted blocks (inline replies) is kept; the quotes are not.
 */
#pragma once
#include <glib.h>

/* Returns the newly written part of @body_utf8, a whole text/plain body
 * (UTF-8; LF, CRLF or CR line ends; invalid bytes are replaced by U+FFFD).
 * Lines keep their own formatting but lose trailing whitespace; leading and
 * trailing blank lines are dropped; lines end in "\n" except the last.
 * NULL is treated as "". Never returns NULL; caller frees with g_free(). */
char *baton_visible_text (const char *body_utf8);
