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
