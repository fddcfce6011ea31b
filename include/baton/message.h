/* SPDX-License-Identifier: MIT */
/* Understanding one incoming mail: raw bytes in, the facts baton needs out.
 *
 * The only module (besides the outgoing MIME builder) that touches GMime.
 * Pure: no database, no configuration. It picks the text the sender wrote
 * (text/plain preferred, HTML converted, any charset to UTF-8, format=flowed
 * joined) and hands it to baton_visible_text() for the newly written part.
 * Every step is linear in the mail's size, and the text read is bounded
 * (BATON_MESSAGE_MAX_BODY).
 */
#pragma once
#include "baton/ancestry.h"

#include <glib.h>

typedef struct {
  char *message_id;       /* without <>; NULL when the mail has none */
  char *from_address;     /* lowercase addr-spec, or NULL */
  char *from_name;        /* decoded display name, or NULL */
  char *subject;          /* decoded UTF-8, "" when absent */
  gint64 date;            /* Date: as Unix time, 0 when absent or unreadable */
  char **references;      /* In-Reply-To then References ids, without <>; never NULL */
  char **recipients;      /* To, Cc, Delivered-To, X-Original-To addresses, lowercase; never NULL */
  char **x_loop;          /* every X-Loop value; never NULL */
  char **auth_results;    /* every Authentication-Results value; never NULL */
  char *auto_reason;      /* why this is machine mail (auto-reply, bounce, list), or NULL */
  char *body_text;        /* the chosen text part in UTF-8, LF line ends */
  char *visible_text;     /* the newly written part of body_text */
  gboolean body_was_html; /* no text/plain part: body_text came from HTML */
  gboolean body_truncated; /* the text part was longer than BATON_MESSAGE_MAX_BODY */

  /* Set by baton_message_find_fingerprint(), often on a reading thread. */
  gboolean fingerprinted;        /* it has run */
  BatonFingerprint *fingerprint; /* of body_text then; NULL for too few words */
} BatonMessage;

/* How much of the chosen text part is read, in bytes of decoded UTF-8 (cut
 * back to a line end): body_text, visible_text and so every command,
 * update and note come from at most this much. A member writes a few
 * kilobytes, a long report some tens; a text part of megabytes is a file in
 * disguise, and reading all of it made a 50 MB part cost 460 MB of memory
 * and a 116 MB "update" carried by every digest. The raw mail is still
 * stored whole. */
#define BATON_MESSAGE_MAX_BODY (256 * 1024)

/* Parses a whole RFC 5322 message. A leading mbox "From " line is skipped.
 * Input with no header at all fails with BATON_ERROR_DATA, and so does a
 * MIME structure whose boundaries would take GMime's parser more than about
 * half a second (multipart parts nested around very many "--" lines).
 * Returns a new message the caller frees with baton_message_free(). */
BatonMessage *baton_message_parse (const char *data, gsize length, GError **error);
/* As baton_message_parse() on the regular file open at @fd, @size bytes long
 * (the caller's fstat: read with pread and a dup of @fd, so its offset and
 * ownership stay the caller's). Attachments are never loaded: memory stays
 * bounded by the text part. A read error is BATON_ERROR_TEMPORARY.
 * visible_text is left NULL for baton_message_find_visible_text(), so a
 * reading thread can leave that step to the thread that stores. */
BatonMessage *baton_message_parse_fd (int fd, gsize size, GError **error);
/* Fills @message's visible_text from its body_text (baton_visible_text())
 * if it is not there yet; NULL is ignored. */
void baton_message_find_visible_text (BatonMessage *message);
/* Fills @message's fingerprint from its body_text (baton_ancestry_fingerprint())
 * if that was not done yet; NULL is ignored. A reading thread does it
 * ahead of the thread that stores (src/readahead.c). */
void baton_message_find_fingerprint (BatonMessage *message);

/* About how many bytes of memory MESSAGE holds (its strings and their
 * allocations); 0 for NULL. For budgets such as readahead's. */
gsize baton_message_memory (const BatonMessage *message);

void baton_message_free (BatonMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonMessage, baton_message_free)

/* Joins format=flowed lines (RFC 3676): soft breaks removed, space-stuffing
 * undone, quote depth respected. @delsp removes the soft-break space too.
 * Pure; caller frees. */
char *baton_message_unflow (const char *text, gboolean delsp);

/* Decodes RFC 2047 encoded-words in a raw header value to UTF-8 (each
 * word on its own; adjacent words of one charset joined before conversion).
 * Folding is undone (the line break goes, the blank after it stays) and
 * any other raw CR or LF is a space; what an encoded-word decodes to is
 * kept, line breaks included. Pure; caller frees; NULL for NULL. */
char *baton_message_decode_header (const char *raw);

/* Dequotes and unfolds an address-list header value, returning the
 * lowercase addr-specs it names. Caller frees with g_strfreev(). */
char **baton_message_parse_addresses (const char *header_value);

/* The fallback key of a message without a Message-ID, fed its raw bytes in
 * any pieces: "sha256:HEX" of the bytes less the trace headers that change
 * in transit (Received, Return-Path, Delivered-To, X-Original-To and the
 * like), so the same mail delivered twice gets one key. Linear, streaming. */
typedef struct _BatonMessageKey BatonMessageKey;
BatonMessageKey *baton_message_key_new (void);
void baton_message_key_update (BatonMessageKey *key, const char *bytes, gsize len);
/* Frees @key; the caller frees the returned key. */
char *baton_message_key_finish (BatonMessageKey *key);
void baton_message_key_free (BatonMessageKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonMessageKey, baton_message_key_free)

/* The one thread-safe way into g_mime_init() for all of baton. GMime 3's
 * own init only counts calls with a plain, unlocked counter, so two modules
 * calling it from two threads could race; call this instead. Idempotent. */
void baton_mail_gmime_init (void);
