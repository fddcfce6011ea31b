/* SPDX-License-Identifier: MIT */
/* IMAP session: the only door to libetpan.
 *
 * A session is one authenticated connection with (after baton_imap_select)
 * one selected mailbox. It knows nothing of tasks or config files: callers
 * pass settings in and get bytes, UIDs and GErrors out.
 *
 * Security: IMAPS and STARTTLS verify the server's certificate chain (system
 * CAs, or only ca_file when set) and that it names `host`. Plain text is
 * allowed only with allow_plaintext on a loopback host. The password is
 * never logged.
 *
 * SIGTERM: every wait, from the name lookup and connect on, ends within
 * moments of baton_net_stop() (net.h) with BATON_ERROR_TEMPORARY.
 *
 * Errors are BATON_ERROR: TEMPORARY (unreachable, timeout, stall, connection
 * lost, asked to stop),
 * PERMISSION (credentials refused), CONFIG (settings that cannot work,
 * certificate not trusted), PROTOCOL (unparseable answer), UNAVAILABLE (the
 * server refuses a command for good). Every message names what to fix.
 *
 * libetpan and GnuTLS may write to a closed socket: callers should ignore
 * SIGPIPE (the errors then arrive as TEMPORARY).
 */
#pragma once
#include <glib.h>

typedef enum {
  BATON_IMAP_TLS_IMAPS,    /* TLS from the first byte (port 993) */
  BATON_IMAP_TLS_STARTTLS, /* plain connect, then STARTTLS before LOGIN (port 143) */
  BATON_IMAP_TLS_PLAIN,    /* no TLS: only with allow_plaintext on loopback */
} BatonImapTls;

/* All strings borrowed; baton_imap_connect() copies what it keeps. */
typedef struct {
  const char *host;
  guint16 port; /* 0: 993 for IMAPS, else 143 */
  BatonImapTls tls;
  gboolean allow_plaintext; /* permits BATON_IMAP_TLS_PLAIN to a loopback host */
  const char *user;
  const char *password;
  const char *ca_file;   /* PEM; NULL: the system CAs */
  const char *mailbox;   /* NULL: INBOX; what baton_imap_select (s, NULL…) opens */
  guint timeout_seconds; /* any one network wait (connect, each read), and the
                          * window of the rate floor below; 0: 60 */
} BatonImapSettings;

/* The slowest a response may come: fewer bytes than this per second,
 * averaged over each timeout_seconds from the response's first byte, is a
 * stalled connection (BATON_ERROR_TEMPORARY), however long each wait. */
#define BATON_IMAP_MIN_RATE 1024

typedef struct BatonImapSession BatonImapSession;

/* For fuzzing: a session whose server's whole side of the conversation is
 * @bytes (borrowed; they must outlive the session), read as if from a
 * socket that closes after them; what baton sends is dropped. Reads the
 * greeting and logs in as baton_imap_connect() does, without TLS; of
 * @settings only host, user, password and mailbox are used. */
BatonImapSession *baton_imap_connect_script (const BatonImapSettings *settings, const char *bytes,
                                             gsize len, GError **error);

/* Connects, secures and logs in (AUTHENTICATE PLAIN when the server offers
 * it, else LOGIN). Returns a session the caller frees with
 * baton_imap_session_free(), or NULL with @error set. */
BatonImapSession *baton_imap_connect (const BatonImapSettings *settings, GError **error);

/* Sends LOGOUT (best effort) and frees. NULL is fine. */
void baton_imap_session_free (BatonImapSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonImapSession, baton_imap_session_free)

/* TRUE when the server announced @capability (e.g. "MOVE") after login. */
gboolean baton_imap_has_capability (BatonImapSession *session, const char *capability);

/* Commands sent since connect (LOGIN included): lets tests and logs show
 * that a batch took one round trip, not one per message. */
guint baton_imap_commands_sent (BatonImapSession *session);

/* SELECTs @mailbox (NULL: the settings' mailbox) read-write. @uidvalidity and
 * @uidnext may be NULL; each is 0 if the server did not report it. A missing
 * mailbox is BATON_ERROR_CONFIG. */
gboolean baton_imap_select (BatonImapSession *session, const char *mailbox, guint32 *uidvalidity,
                            guint32 *uidnext, GError **error);

/* Called once per message, in UID order. The raw RFC 5322 message is
 * either @bytes (not NUL-terminated, @len bytes), or, when @bytes is NULL,
 * the @len bytes from offset 0 of the regular file open at @fd (a message
 * too large to hold in memory, fetched in pieces). Either is valid only
 * during the call. Return FALSE to stop: with @error set the fetch fails
 * with it, without it the fetch ends early and succeeds. */
typedef gboolean (*BatonImapMessageFunc) (guint32 uid, const char *bytes, int fd, gsize len,
                                          gpointer user_data, GError **error);

/* Fetches BODY.PEEK[] (flags untouched) of every message with
 * @uid_first <= UID <= @uid_last (0: no upper bound) in the selected mailbox.
 * One UID SEARCH, then per BATON_IMAP_FETCH_CHUNK messages one UID FETCH of
 * their sizes (RFC822.SIZE) and UID FETCHes of their bodies in batches of
 * at most BATON_IMAP_BATCH_BYTES; a message larger than that is fetched on
 * its own in BATON_IMAP_PIECE_BYTES pieces (BODY.PEEK[]<offset.length>)
 * into an unlinked temporary file. So memory stays bounded whatever the
 * mailbox holds. A message the server lists but returns without a body
 * stops the fetch with BATON_ERROR_TEMPORARY before it (it is not skipped);
 * UIDs the server sends that were not asked for are ignored with a warning.
 * Returns FALSE with @error set on failure (or when @func failed). */
#define BATON_IMAP_FETCH_CHUNK 500
#define BATON_IMAP_BATCH_BYTES (4u << 20)
#define BATON_IMAP_PIECE_BYTES (4u << 20)
gboolean baton_imap_fetch_range (BatonImapSession *session, guint32 uid_first, guint32 uid_last,
                                 BatonImapMessageFunc func, gpointer user_data, GError **error);

/* UIDs greater than @uid in the selected mailbox, ascending, as a GArray of
 * guint32 the caller frees; NULL with @error set on failure. */
GArray *baton_imap_list_uids_above (BatonImapSession *session, guint32 uid, GError **error);

/* Marks @uids \Seen and moves them to @folder (created when missing):
 * UID MOVE when the server has MOVE, else UID COPY + \Deleted + UID EXPUNGE
 * (UIDPLUS, which expunges only these UIDs). A server with neither is
 * BATON_ERROR_UNAVAILABLE: a plain EXPUNGE could destroy other mail. */
gboolean baton_imap_move (BatonImapSession *session, const guint32 *uids, gsize n_uids,
                          const char *folder, GError **error);

/* IDLEs on the selected mailbox for at most @timeout_seconds, returning as
 * soon as the message count grows (*@new_mail TRUE); other events (flag
 * changes by other clients) do not end the wait. A count that an expunge and
 * an arrival leave unchanged is not seen: callers still list UIDs above the
 * last one processed after each wait. Keep @timeout_seconds short (seconds
 * to minutes) so the caller's loop can check a stop flag, and well under 29
 * minutes (RFC 2177). Servers without IDLE get a NOOP after the wait.
 * baton_imap_idle_interrupt() ends the wait early. */
gboolean baton_imap_idle_wait (BatonImapSession *session, guint timeout_seconds, gboolean *new_mail,
                               GError **error);

/* Makes a running baton_imap_idle_wait() return soon (with *new_mail FALSE).
 * Safe to call from a signal handler or another thread. */
void baton_imap_idle_interrupt (BatonImapSession *session);

/* Stops @session for good, soon: a read or wait in progress (a FETCH, an
 * IDLE) returns within moments, baton_imap_idle_wait() as if interrupted,
 * and every other operation in progress or later fails with
 * BATON_ERROR_TEMPORARY. Only baton_imap_session_free() remains useful
 * (it then skips LOGOUT). Async-signal-safe: for SIGTERM handlers. NULL is
 * fine. */
void baton_imap_cancel (BatonImapSession *session);
