/* SPDX-License-Identifier: MIT */
/* Splitting an mbox file into its messages: bytes in memory, or a file read
 * in pieces (the same rules and results either way).
 *
 * mbox has no single definition (mboxo, mboxrd, mboxcl, mboxcl2), and a body
 * line starting "From " that nobody escaped makes a file ambiguous; no reader
 * can be right about every file. baton's rules, in order:
 *
 *  - A UTF-8 byte order mark at the very start is skipped.
 *  - Input that does not start with a "From " line is one message, returned
 *    whole (so a single .eml handed to an mbox reader still works).
 *  - A message whose header has a Content-Length: N (mboxcl) ends after N
 *    body bytes when that lands exactly on the end of the input or on the
 *    next "From " line (one blank line between is allowed). Otherwise the
 *    header is ignored: it is often stale.
 *  - Without a usable Content-Length, a message ends at the next line that
 *    starts "From " and is followed by a line that looks like a header
 *    field ("Name:"): a message starts with its header. No blank line is
 *    required before it (MimeKit's simple.mbox has none, and Python and
 *    MimeKit split there too); when there is one, it is the separator's,
 *    not the message's. The header-field condition keeps "From Russia with
 *    love" followed by a paragraph inside the body; an unescaped "From "
 *    line that *is* followed by "Name: value" still splits a message in
 *    two, and nothing short of Content-Length can tell.
 *  - Empty messages (an envelope line and nothing else) are dropped.
 *  - mboxrd quoting is undone on every line: ">From " becomes "From ",
 *    ">>From " becomes ">From ".
 *  - LF and CRLF line ends both work; the bytes of each message are
 *    returned as they are, without the "From " envelope line.
 */
#pragma once
#include <glib.h>

/* Returns one GBytes per message, in file order; the array owns them (its
 * free function unrefs). Never NULL; empty for empty input. Caller frees
 * with g_ptr_array_unref(). */
GPtrArray *baton_mbox_split (const char *data, gsize length);

/* Messages longer than this (in the file, before unquoting) are handed out
 * as a temporary file instead of bytes: the parser and the store read a
 * file in pieces, so a 50 MB message never sits in memory. Smaller ones
 * stay in memory, where parsing is cheapest. */
#define BATON_MBOX_IN_MEMORY (1024 * 1024)

typedef struct BatonMboxReader BatonMboxReader;

typedef struct {
  GBytes *bytes; /* the message, owned; NULL when it is in FD */
  int fd;        /* an unlinked temporary file holding it, at offset 0, owned; or -1 */
} BatonMboxMessage;

/* Splits the mbox file open at FD (borrowed; SIZE bytes, from the
 * caller's fstat) with the rules of baton_mbox_split(), reading it with
 * pread() in pieces: memory stays bounded whatever the file's size. */
BatonMboxReader *baton_mbox_reader_new (int fd, guint64 size);
void baton_mbox_reader_free (BatonMboxReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonMboxReader, baton_mbox_reader_free)

/* The next message into MESSAGE, whose bytes or fd the caller now owns;
 * FALSE after the last one, or with ERROR set (BATON_ERROR_TEMPORARY) when
 * the file could not be read or a temporary file not written. */
gboolean baton_mbox_reader_next (BatonMboxReader *reader, BatonMboxMessage *message,
                                 GError **error);
