/* SPDX-License-Identifier: MIT */
/* Mail files opened and parsed ahead of the one being stored.
 *
 * Why: storing a message (SQLite) and parsing the next one (GMime) use
 * different data and take about as long as each other, so on a machine
 * with two cores a Maildir or a spool drain runs at the speed of the
 * slower half instead of the sum. One worker thread parses the files in
 * the order given, at most BATON_READAHEAD_FILES and about 32 MB of mail
 * ahead of the consumer; a consumer whose next file is not ready parses
 * files further ahead itself instead of waiting, so neither thread idles
 * while the other works. The consumer still stores them in the order
 * given, so outcomes and the order of events are exactly those of a
 * one-thread run. Nothing is acknowledged by parsing: that still waits for
 * the consumer's commit.
 */
#pragma once
#include "baton/message.h"

#include <glib.h>

/* Enough to keep parsing through a commit's fsync: with 32 the worker
 * stopped at each one, and a 5,000-mail Maildir took 10% longer. */
#define BATON_READAHEAD_FILES 128

/* One mail file, opened and parsed. */
typedef struct {
  char *path;                  /* NULL for a descriptor (baton_parsed_file_from_fd) */
  char *source;                /* as given: "file:…", "spool:…" */
  char *spool_file;            /* as given, or NULL */
  int fd;                      /* the open file, or -1 when it could not be opened */
  gsize length;                /* its size when opened */
  BatonMessage *message;       /* NULL: @error says why */
  GError *error;               /* why it could not be opened (G_FILE_ERROR) or parsed */
  gboolean parsed_by_consumer; /* readahead's: which thread frees it */
} BatonParsedFile;

void baton_parsed_file_free (BatonParsedFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonParsedFile, baton_parsed_file_free)

/* Opens @path and parses it from the file itself (see baton_message_parse_fd):
 * what the worker does for each file, also usable on its own. */
BatonParsedFile *baton_parsed_file_open (const char *path, const char *source,
                                         const char *spool_file);

/* The same for a file already open at @fd, which the result now owns. */
BatonParsedFile *baton_parsed_file_from_fd (int fd, const char *source);

typedef struct BatonReadahead BatonReadahead;

/* Starts parsing the files named in @paths, @sources and @spool_files (arrays
 * of equal length, copied; @spool_files may be NULL or hold NULLs). */
BatonReadahead *baton_readahead_new (GPtrArray *paths, GPtrArray *sources, GPtrArray *spool_files);
/* As baton_readahead_new() on the files of each of @dirs (NULL-terminated)
 * in turn, each directory's in byte order of their names (delivery order
 * for Maildir and spool names), skipping names that start with a dot; a
 * directory that does not exist adds nothing. The worker lists them, so the
 * caller can open the database meanwhile. @as_spool: the files are the
 * spool's own, with sources "spool:NAME" and each its own spool file; else
 * sources are "file:PATH". NULL with @error (G_FILE_ERROR) when one of
 * @dirs exists but cannot be listed (not a directory, no permission):
 * nothing would be read from it, and the run must not look successful. */
BatonReadahead *baton_readahead_new_listing (const char *const *dirs, gboolean as_spool,
                                             GError **error);
/* The next file in order, waiting for the worker if needed; NULL after the
 * last. The caller owns it: it frees it, or better gives it back. */
BatonParsedFile *baton_readahead_next (BatonReadahead *readahead);
/* Gives back a file the caller is done with (NULL is ignored), for the
 * worker to close and free: memory is best freed by the thread that
 * allocated it. */
void baton_readahead_done (BatonReadahead *readahead, BatonParsedFile *file);
/* Stops the worker (a consumer may stop early, after a temporary failure),
 * waits for it and frees every file it parsed but nobody took. */
void baton_readahead_free (BatonReadahead *readahead);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonReadahead, baton_readahead_free)
