/* SPDX-License-Identifier: MIT */
/* Small network facts shared by the transports (imap.c, smtp.c). Pure. */
#pragma once
#include <glib.h>

/* TRUE when @host is a loopback name or address: "localhost" (any case,
 * trailing dot allowed), 127.0.0.0/8, ::1, with or without [brackets].
 * Only then may a transport talk without TLS: the traffic never leaves the
 * machine. NULL or "" is not loopback. */
gboolean baton_net_host_is_loopback (const char *host);

/* A copy of @text fit for an error message or log line: bytes outside
 * printable ASCII become '?', trailing CR/LF/spaces are dropped, and at most
 * @max_len bytes are kept. For words a server sent us. Caller frees. */
char *baton_net_sanitize (const char *text, gsize max_len);

/* ---- stopping on a signal ------------------------------------------------
 *
 * Why process-wide: SIGTERM must end a connect, a TLS handshake or a login
 * too, before any session exists that a handler could reach. So the
 * transports register each socket they wait on, and one stop request
 * reaches all of them. */

/* Asks every network wait of this process to end soon: sets the stop flag,
 * shuts down every socket registered with baton_net_watch_fd() (a read or
 * handshake in progress on it returns at once), and wakes
 * baton_net_connect(). Async-signal-safe: call it from a SIGTERM handler.
 * There is no undo; the process is expected to wind down. */
void baton_net_stop (void);

/* Makes baton_net_stop() call @stop as well, at once when a stop was
 * already requested. Why: the network module (netmodule.h) has a copy of
 * this file, and so of the stop state, of its own; the program passes its
 * stops on to it. */
void baton_net_stop_also (void (*stop) (void));

/* TRUE once baton_net_stop() was called. Async-signal-safe. */
gboolean baton_net_stop_requested (void);

/* Registers @fd (a connected socket) so that baton_net_stop() shuts it
 * down; when a stop was already requested it is shut down at once. Call
 * baton_net_unwatch_fd() before the fd is closed. At most 8 at a time;
 * more are not watched (the caller's timeout still bounds them). */
void baton_net_watch_fd (int fd);
void baton_net_unwatch_fd (int fd);

/* A TCP connection to @host:@port, resolving the name and connecting each
 * address in turn, all within @timeout_seconds, and ending within moments
 * of baton_net_stop(). Returns a blocking socket already registered with
 * baton_net_watch_fd() (the caller unwatches and closes it), or -1 with
 * @error set to BATON_ERROR_TEMPORARY whose message is only the reason
 * ("no answer within 5 s", the resolver's or the system's words, or "baton
 * was asked to stop"): the caller names the server and the key to check. */
int baton_net_connect (const char *host, guint16 port, guint timeout_seconds, GError **error);
