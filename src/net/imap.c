/* SPDX-License-Identifier: MIT */
/* IMAP session over libetpan, the only file that includes it.
 *
 * Why we verify certificates ourselves: libetpan's TLS connect (GnuTLS
 * build) completes the handshake without checking who answered, so a man in
 * the middle would read the password. Right after the handshake, before
 * LOGIN, we take the peer's chain from the stream and check it with GnuTLS
 * against the system CAs (or only the configured ca-file) and the host name.
 *
 * Why fetch is SEARCH then FETCH: "UID FETCH n:*" returns the highest message
 * even when its UID is below n, and a mailbox of 100 000 messages would
 * arrive as one response held in memory. Listing the UIDs first lets us fetch
 * exactly the wanted ones, BATON_IMAP_FETCH_CHUNK per command.
 *
 * Why sizes before bodies: libetpan holds a whole response in memory, so
 * 500 messages of 15 MB in one FETCH reached 339 MB. Knowing RFC822.SIZE,
 * bodies come in batches of at most BATON_IMAP_BATCH_BYTES, and a larger
 * message alone, in pieces, into a temporary file: a few MB at any time.
 */
#define G_LOG_DOMAIN "baton-imap"
#include "baton/imap.h"

#include "baton/error.h"
#include "baton/net.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT 60
/* The largest literal a server may send: baton asks for whole messages
 * only up to BATON_IMAP_BATCH_BYTES and for the rest in pieces of
 * BATON_IMAP_PIECE_BYTES, and libetpan allocates a literal's announced
 * size before a byte of it arrives (1 GB for "{1073741823}", found by
 * fuzz-imap). The margin covers a server whose RFC822.SIZE is off. */
#define MAX_LITERAL_BYTES (64u << 20)

/* libetpan and GnuTLS name their types "struct x": one-word names for
 * g_autoptr. */
typedef struct mailimap_set ImapSet;
typedef struct mailimap_fetch_type ImapFetchType;
typedef struct mailimap_search_key ImapSearchKey;
typedef struct mailimap_store_att_flags ImapStoreFlags;
typedef struct gnutls_x509_trust_list_st TrustList;

static void
trust_list_free (TrustList *list)
{
  gnutls_x509_trust_list_deinit (list, 1); /* 1: and the CAs it loaded */
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (mailimap, mailimap_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImapSet, mailimap_set_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImapFetchType, mailimap_fetch_type_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImapSearchKey, mailimap_search_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImapStoreFlags, mailimap_store_att_flags_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrustList, trust_list_free)

struct BatonImapSession {
  mailimap *imap; /* owned */
  char *host;     /* owned */
  guint16 port;
  char *user;          /* owned; for messages, never the password */
  char *mailbox;       /* owned; default for baton_imap_select */
  gboolean idle_ready; /* mailstream_setup_idle done */
  gboolean broken;     /* the connection failed: LOGOUT would only wait */
  gboolean lost;       /* a command failed mid-answer: where the next answer starts is unknown */
  BatonErrorCode lost_code; /* that failure's: TEMPORARY (retried) or PROTOCOL */

  guint timeout;                   /* seconds any one network wait may take */
  int fd;                          /* the connection's socket, -1 before connect; borrowed */
  volatile sig_atomic_t cancelled; /* baton_imap_cancel() was called */
  gboolean closed;                 /* the server closed the connection */
  gboolean timed_out;              /* a read waited the whole timeout */
  gboolean malformed;              /* the screen refused a response line */
  gboolean refuse_literals;        /* greeting, login, IDLE's start: see the screen */
  gboolean stalled;                /* a response came slower than BATON_IMAP_MIN_RATE */
  guint64 stall_bytes;             /* what that response brought in its last window */
};

/* TRUE once this session, or the whole process (baton_net_stop, from a
 * SIGTERM handler), was asked to stop. */
static gboolean
stopping (BatonImapSession *s)
{
  return s->cancelled || baton_net_stop_requested ();
}

/* ---- the guarded stream ------------------------------------------------
 *
 * Why a stream driver of our own around libetpan's: libetpan 1.9.4's
 * socket and TLS readers return 0 at end of file, and its literal reader
 * ("{100000}" followed by the bytes) loops "while bytes are missing, read"
 * without checking for 0. A server that closes in the middle of a literal
 * thus spun the poller at 100% CPU forever, deaf to SIGTERM. The guard
 * turns end of file into a read error, and fails every read and write
 * once the session is cancelled; libetpan then reports a stream error,
 * which is TEMPORARY. The waiting itself (with the session's timeout) is
 * still libetpan's. */

/* ---- the response screen ------------------------------------------------
 *
 * Why: libetpan 1.9.4's parser frees a NULL list, or copies one, when a
 * response code it starts on turns out malformed: "[PERMANENTFLAGS (" with
 * anything but flags and ")", or "[CAPABILITY]" with no names (found by
 * fuzz-imap). A server's bad line must be a protocol error, not a crash, so
 * the guard screens every protocol line (not the literals inside them, which
 * are message bytes) and fails the read that would complete such a line:
 * libetpan parses a line only once it has all of it.
 *
 * Literals, too: libetpan parses the greeting, continuation requests and
 * the responses before IDLE's "+" without a parser context, and reading a
 * literal there, or any string of a BADCHARSET or PERMANENTFLAGS list,
 * dereferences it (found by fuzz-imap: "* OK [BADCHARSET (x)] hi" is
 * enough, and the parser runs on into later lines after a malformed one;
 * libetpan issue 254 for IDLE). No server needs any of them before the
 * login is done or while IDLE starts (literals come in FETCH, LIST and the
 * like; PERMANENTFLAGS answers SELECT), so while the session is in one of
 * those steps the screen refuses any "{N}" and "[PERMANENTFLAGS" it reads.
 *
 * BADCHARSET, anywhere: a server sends it only to a SEARCH that named a
 * CHARSET, and baton names none. libetpan 1.9.4 mishandles it three ways
 * besides the one above: a second BADCHARSET for one command frees the
 * new list and keeps the freed pointer (a crash on "[BADCHARSET]", a
 * double free otherwise), and an unclosed list's atoms are lost (18 bytes
 * a line from "[BADCHARSET  (,Ub@example.ceted", found by fuzz-imap), so
 * a server could grow a daemon's memory line by line. */

enum { FLAGS_NONE, FLAGS_START, FLAGS_SPACE, FLAGS_BACKSLASH, FLAGS_ATOM, FLAGS_AFTER_STAR };

/* Where in a literal's "{N}": outside, after "{", after "{-", in the
 * digits, after them ("+" or blanks). */
enum { BRACE_NO, BRACE_OPEN, BRACE_NEGATIVE, BRACE_DIGITS, BRACE_AFTER };

typedef struct {
  guint64 literal_left; /* bytes of a literal still to pass unexamined */
  char tail[24];        /* the last bytes of the line, for a "{N}" at its end */
  gsize tail_len;
  guint perm_match;        /* bytes of "[PERMANENTFLAGS (" matched */
  guint cap_match;         /* bytes of "[CAPABILITY" matched */
  int cap_state;           /* 1: just after "[CAPABILITY"; 2: after "[CAPABILITY " */
  int flags;               /* FLAGS_*: where in a PERMANENTFLAGS list */
  int brace;               /* BRACE_*: where in a literal's "{N}" */
  guint64 brace_value;     /* those digits' value, stopping past MAX_LITERAL_BYTES */
  gboolean brace_negative; /* "{-N}", which libetpan reads as 0 */
  char head[32];           /* the first bytes of the line, for its kind */
  gsize head_len;
  guint open_codes;    /* "[" not closed by "]" so far in the line */
  gboolean continued;  /* the line goes on after a literal: not a response's start */
  gsize line_len;      /* bytes of the line so far (the tail keeps the last) */
  guint charset_match; /* bytes of "[BADCHARSET" matched */
  guint flags_match;   /* bytes of "[PERMANENTFLAGS" matched */
} Screen;

static gboolean
is_atom_char (guchar c)
{
  return c > 0x20 && c < 0x7f && !strchr ("(){%*\"\\]", c);
}

/* Advances @m, the count of @pattern's bytes matched, by @c; TRUE when the
 * whole pattern has just matched. Case-insensitive; '[' starts over. */
static gboolean
match_step (guint *m, const char *pattern, guchar c)
{
  if (g_ascii_toupper (c) == (guchar) pattern[*m])
    (*m)++;
  else
    *m = c == '[' ? 1 : 0;
  if (pattern[*m] != '\0')
    return FALSE;
  *m = 0;
  return TRUE;
}

/* One byte of a PERMANENTFLAGS list: flag-perm *(SP flag-perm) ")", a
 * flag-perm being "\*", "\" atom or atom. FALSE when it cannot be. */
static gboolean
flags_step (Screen *sc, guchar c)
{
  gboolean after_flag = sc->flags == FLAGS_ATOM || sc->flags == FLAGS_AFTER_STAR;
  if (c == ')' && (after_flag || sc->flags == FLAGS_START))
    sc->flags = FLAGS_NONE;
  else if (c == ' ' && after_flag)
    sc->flags = FLAGS_SPACE;
  else if (c == '\\' && (sc->flags == FLAGS_START || sc->flags == FLAGS_SPACE))
    sc->flags = FLAGS_BACKSLASH;
  else if (c == '*' && sc->flags == FLAGS_BACKSLASH)
    sc->flags = FLAGS_AFTER_STAR;
  else if (is_atom_char (c) && sc->flags != FLAGS_AFTER_STAR)
    sc->flags = FLAGS_ATOM;
  else
    return FALSE;
  return TRUE;
}

/* The N of a line that ends in "{N}" (CR LF already stripped), or -1. */
static gint64
literal_at_end (const char *tail, gsize len)
{
  if (len < 3 || tail[len - 1] != '}')
    return -1;
  gsize i = len - 1;
  while (i > 0 && g_ascii_isdigit (tail[i - 1]))
    i--;
  if (i == 0 || i == len - 1 || tail[i - 1] != '{' || len - 1 - i > 10)
    return -1;
  return (gint64) g_ascii_strtoull (tail + i, NULL, 10);
}

/* A whole line "* CAPABILITY" with no names: libetpan's
 * mailimap_capability() then copies a NULL list (found by fuzz-imap). */
static gboolean
empty_capability_line (const Screen *sc, gsize len)
{
  while (len > 0 && sc->tail[len - 1] == ' ')
    len--;
  return sc->line_len == sc->tail_len && len == 12 &&
         g_ascii_strncasecmp (sc->tail, "* CAPABILITY", 12) == 0;
}

/* Whether the line, a response's start, is a status response ("* OK",
 * "tag NO", "* BYE" and the like) or a continuation request ("+"), which
 * end in free text. */
static gboolean
status_line (const Screen *sc)
{
  g_autofree char *head = g_strndup (sc->head, sc->head_len);
  if (head[0] == '+')
    return TRUE;
  const char *space = strchr (head, ' ');
  if (space == NULL)
    return FALSE;
  static const char *const kinds[] = { "OK ", "NO ", "BAD ", "BYE ", "PREAUTH " };
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_ascii_strncasecmp (space + 1, kinds[i], strlen (kinds[i])) == 0)
      return TRUE;
  return FALSE;
}

/* The end of a protocol line; FALSE when libetpan would crash on it.
 *
 * A status response ends in free text, so a "{N}" there is text, and
 * libetpan reads the next bytes as lines: skipping them as a literal let
 * "* OK hi {28}" carry a line that crashes libetpan past the screen
 * (found by fuzz-imap). Inside a response code libetpan may read a
 * literal or not; no server sends one, so a status line that ends in
 * "{N}" inside an unclosed "[" is refused. */
static gboolean
end_of_line (Screen *sc)
{
  gsize len = sc->tail_len;
  if (len > 0 && sc->tail[len - 1] == '\r')
    len--;
  if (empty_capability_line (sc, len))
    return FALSE;
  gint64 literal = literal_at_end (sc->tail, len);
  if (literal >= 0 && !sc->continued && status_line (sc))
    {
      if (sc->open_codes > 0)
        return FALSE;
      literal = -1;
    }
  sc->continued = literal >= 0;
  sc->head_len = 0;
  sc->open_codes = 0;
  sc->literal_left = literal > 0 ? (guint64) literal : 0;
  sc->tail_len = 0;
  sc->perm_match = sc->cap_match = 0;
  sc->cap_state = 0;
  sc->brace = 0;
  sc->charset_match = sc->flags_match = 0;
  sc->line_len = 0;
  return TRUE;
}

/* What brace_step() has just seen. */
enum { BRACE_NONE, BRACE_LITERAL, BRACE_TOO_LARGE };

/* Advances the match of a literal's "{N}" (or "{N+}") by @c: whether one
 * has just closed, wherever it stands (libetpan takes "{113}" for a
 * literal even with no CR LF after it), and whether its N is more than
 * MAX_LITERAL_BYTES (libetpan allocates it at once; "{11355…5}" even
 * overflowed into 4 GB). libetpan also takes spaces or tabs after the "{"
 * and before the "}", and reads "{-N}" as 0: "{ 000914556419}" was 1 GB
 * (found by fuzz-imap). */
static int
brace_step (Screen *sc, guchar c)
{
  gboolean blank = c == ' ' || c == '\t';
  if (c == '{')
    {
      sc->brace = BRACE_OPEN;
      sc->brace_value = 0;
      sc->brace_negative = FALSE;
    }
  else if (blank && (sc->brace == BRACE_OPEN || sc->brace == BRACE_NEGATIVE))
    ; /* before the number */
  else if (c == '-' && (sc->brace == BRACE_OPEN || sc->brace == BRACE_NEGATIVE))
    {
      sc->brace = BRACE_NEGATIVE;
      sc->brace_negative = TRUE;
    }
  else if (g_ascii_isdigit (c) && sc->brace >= BRACE_OPEN && sc->brace <= BRACE_DIGITS)
    {
      sc->brace = BRACE_DIGITS;
      if (!sc->brace_negative)
        sc->brace_value =
            MIN (sc->brace_value * 10 + (guint64) (c - '0'), (guint64) MAX_LITERAL_BYTES + 1);
    }
  else if ((c == '+' || blank) && sc->brace == BRACE_DIGITS)
    sc->brace = BRACE_AFTER;
  else if (blank && sc->brace == BRACE_AFTER)
    ;
  else if (c == '}' && sc->brace >= BRACE_DIGITS)
    {
      sc->brace = BRACE_NO;
      return sc->brace_value > MAX_LITERAL_BYTES ? BRACE_TOO_LARGE : BRACE_LITERAL;
    }
  else
    sc->brace = BRACE_NO;
  return BRACE_NONE;
}

/* Screens @n bytes the server sent; FALSE when they hold (or complete) a
 * line libetpan would crash on. @refuse_literals: the session is greeting,
 * logging in or starting IDLE (see above). */
static gboolean
screen_bytes (Screen *sc, const char *bytes, gsize n, gboolean refuse_literals)
{
  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) bytes[i];
      if (sc->literal_left > 0)
        {
          gsize skip = (gsize) MIN ((guint64) (n - i), sc->literal_left);
          sc->literal_left -= skip;
          i += skip - 1;
          continue;
        }
      if (sc->flags != FLAGS_NONE)
        {
          if (!flags_step (sc, c))
            return FALSE;
          continue;
        }
      if (sc->cap_state == 2 && !is_atom_char (c))
        return FALSE; /* "[CAPABILITY " and no name */
      if (sc->cap_state == 1 && c == ']')
        return FALSE; /* "[CAPABILITY]" */
      sc->cap_state = sc->cap_state == 1 && c == ' ' ? 2 : 0;
      if (c == '\n')
        {
          if (!end_of_line (sc))
            return FALSE;
          continue;
        }
      int brace = brace_step (sc, c);
      if (brace == BRACE_TOO_LARGE)
        return FALSE;
      if (match_step (&sc->charset_match, "[BADCHARSET", c))
        return FALSE;
      if (refuse_literals &&
          (brace == BRACE_LITERAL || match_step (&sc->flags_match, "[PERMANENTFLAGS", c)))
        return FALSE;
      sc->line_len++;
      if (sc->head_len < sizeof sc->head)
        sc->head[sc->head_len++] = (char) c;
      if (c == '[')
        sc->open_codes++;
      else if (c == ']' && sc->open_codes > 0)
        sc->open_codes--;
      if (sc->tail_len == sizeof sc->tail)
        {
          memmove (sc->tail, sc->tail + 1, sizeof sc->tail - 1);
          sc->tail_len--;
        }
      sc->tail[sc->tail_len++] = (char) c;
      if (match_step (&sc->perm_match, "[PERMANENTFLAGS (", c))
        sc->flags = FLAGS_START;
      if (match_step (&sc->cap_match, "[CAPABILITY", c))
        sc->cap_state = 1;
    }
  return TRUE;
}

typedef struct {
  mailstream_low *inner;     /* owned: libetpan's socket or TLS driver */
  BatonImapSession *session; /* borrowed: it outlives its stream */
  Screen screen;
  gint64 window_start;  /* monotonic µs of the window's first byte; 0: none yet */
  guint64 window_bytes; /* bytes read in the window so far */
} Guard;

/* ---- the rate floor -----------------------------------------------------
 *
 * Why: the timeout bounds each wait, so a server that sends one byte just
 * inside it kept a poll going forever. Each response is therefore measured
 * too, in windows of the timeout starting at its first byte (the wait for
 * that byte is the timeout's): a window that brings fewer than
 * BATON_IMAP_MIN_RATE bytes a second is a stall. A legitimate 50 MB FETCH
 * over a slow link passes as long as it averages 1 KB/s over each window;
 * a response of a few lines is never measured past its end. Sending a
 * command starts the next response's clock afresh, and IDLE's wait is a
 * select() outside any read, so a quiet mailbox is never a stall. */

/* FALSE when the response being read has fallen below the rate floor;
 * counts @n bytes read just now. */
static gboolean
rate_ok (Guard *g, gsize n)
{
  BatonImapSession *s = g->session;
  gint64 now = g_get_monotonic_time ();
  if (g->window_start == 0)
    g->window_start = now;
  g->window_bytes += n;
  if (now - g->window_start < (gint64) s->timeout * G_USEC_PER_SEC)
    return TRUE;
  if (g->window_bytes < (guint64) BATON_IMAP_MIN_RATE * s->timeout)
    {
      s->stalled = TRUE;
      s->stall_bytes = g->window_bytes;
      return FALSE;
    }
  g->window_start = now;
  g->window_bytes = 0;
  return TRUE;
}

/* TRUE when the server has closed the connection: under TLS the close
 * shows as a failed read (no close_notify), not as end of file. */
static gboolean
peer_closed (BatonImapSession *s)
{
  char byte;
  return s->fd >= 0 && !stopping (s) && recv (s->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static ssize_t
guard_read (mailstream_low *low, void *buf, size_t count)
{
  Guard *g = low->data;
  BatonImapSession *s = g->session;
  if (stopping (s) || s->stalled)
    return -1;
  gint64 start = g_get_monotonic_time ();
  ssize_t n = mailstream_low_read (g->inner, buf, count);
  if (n > 0 && !stopping (s) && !s->malformed)
    {
      if (!screen_bytes (&g->screen, buf, (gsize) n, s->refuse_literals))
        s->malformed = TRUE;
      else if (rate_ok (g, (gsize) n))
        return n;
      return -1;
    }
  if (s->malformed || stopping (s))
    return -1;
  if (n == 0 || peer_closed (s))
    s->closed = TRUE;
  else if (g_get_monotonic_time () - start >= (gint64) s->timeout * G_USEC_PER_SEC - 200000)
    s->timed_out = TRUE;
  return -1;
}

static ssize_t
guard_write (mailstream_low *low, const void *buf, size_t count)
{
  Guard *g = low->data;
  if (stopping (g->session))
    return -1;
  g->window_start = 0; /* a command: its response's clock starts afresh */
  g->window_bytes = 0;
  return mailstream_low_write (g->inner, buf, count);
}

static int
guard_close (mailstream_low *low)
{
  return mailstream_low_close (((Guard *) low->data)->inner);
}

static int
guard_get_fd (mailstream_low *low)
{
  return mailstream_low_get_fd (((Guard *) low->data)->inner);
}

static void
guard_free (mailstream_low *low)
{
  Guard *g = low->data;
  mailstream_low_free (g->inner);
  g_free (g);
  free (low); /* libetpan's mailstream_low_free leaves that to the driver */
}

static void
guard_cancel (mailstream_low *low)
{
  mailstream_low_cancel (((Guard *) low->data)->inner);
}

static struct mailstream_cancel *
guard_get_cancel (mailstream_low *low)
{
  return mailstream_low_get_cancel (((Guard *) low->data)->inner);
}

static carray *
guard_get_certificate_chain (mailstream_low *low)
{
  return mailstream_low_get_certificate_chain (((Guard *) low->data)->inner);
}

static int
guard_setup_idle (mailstream_low *low)
{
  return mailstream_low_setup_idle (((Guard *) low->data)->inner);
}

static int
guard_unsetup_idle (mailstream_low *low)
{
  return mailstream_low_unsetup_idle (((Guard *) low->data)->inner);
}

static int
guard_interrupt_idle (mailstream_low *low)
{
  return mailstream_low_interrupt_idle (((Guard *) low->data)->inner);
}

static mailstream_low_driver guard_driver = {
  .mailstream_read = guard_read,
  .mailstream_write = guard_write,
  .mailstream_close = guard_close,
  .mailstream_get_fd = guard_get_fd,
  .mailstream_free = guard_free,
  .mailstream_cancel = guard_cancel,
  .mailstream_get_cancel = guard_get_cancel,
  .mailstream_get_certificate_chain = guard_get_certificate_chain,
  .mailstream_setup_idle = guard_setup_idle,
  .mailstream_unsetup_idle = guard_unsetup_idle,
  .mailstream_interrupt_idle = guard_interrupt_idle,
};

/* The guard around @inner, which it then owns. */
static mailstream_low *
guard_new (BatonImapSession *s, mailstream_low *inner)
{
  Guard *g = g_new0 (Guard, 1);
  g->inner = inner;
  g->session = s;
  s->fd = mailstream_low_get_fd (inner);
  return mailstream_low_new (g, &guard_driver);
}

/* Puts the guard around the session's stream driver again after STARTTLS,
 * which replaces the driver. */
static void
guard_stream (BatonImapSession *s)
{
  mailstream *stream = s->imap->imap_stream;
  mailstream_low *inner = stream != NULL ? mailstream_get_low (stream) : NULL;
  if (inner == NULL || inner->driver == &guard_driver)
    return;
  mailstream_low *low = guard_new (s, inner);
  if (low != NULL)
    mailstream_set_low (stream, low);
}

/* ---- errors ------------------------------------------------------------ */

/* The server's last response text, made safe to show. Caller frees. */
static char *
server_words (BatonImapSession *s)
{
  const char *text = s->imap != NULL ? s->imap->imap_response : NULL;
  return baton_net_sanitize (text != NULL ? text : "", 300);
}

static BatonErrorCode
code_for (int r)
{
  switch (r)
    {
      case MAILIMAP_ERROR_STREAM:
      case MAILIMAP_ERROR_CONNECTION_REFUSED:
      case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
      case MAILIMAP_ERROR_FATAL:
      case MAILIMAP_ERROR_SSL:
        return BATON_ERROR_TEMPORARY;
      case MAILIMAP_ERROR_PARSE:
      case MAILIMAP_ERROR_PROTOCOL:
        return BATON_ERROR_PROTOCOL;
      case MAILIMAP_ERROR_LOGIN:
        return BATON_ERROR_PERMISSION;
      case MAILIMAP_ERROR_MEMORY:
      case MAILIMAP_ERROR_BAD_STATE:
      case MAILIMAP_ERROR_INVAL:
        return BATON_ERROR_SOFTWARE;
      default: /* the server answered NO or BAD to a command */
        return BATON_ERROR_UNAVAILABLE;
    }
}

/* Sets @error for libetpan result @r of command @what. */
static void
set_error (BatonImapSession *s, GError **error, int r, const char *what)
{
  BatonErrorCode code = s->malformed ? BATON_ERROR_PROTOCOL : code_for (r);
  g_autofree char *words = server_words (s);

  if ((code == BATON_ERROR_TEMPORARY || code == BATON_ERROR_PROTOCOL) && !s->lost)
    {
      s->broken = s->lost = TRUE;
      s->lost_code = code;
    }

  if (code == BATON_ERROR_TEMPORARY && stopping (s))
    g_set_error (error, BATON_ERROR, code,
                 "IMAP %s on %s:%u interrupted: baton was asked to stop; it will be retried", what,
                 s->host, s->port);
  else if (code == BATON_ERROR_TEMPORARY && s->closed)
    g_set_error (error, BATON_ERROR, code,
                 "IMAP %s on %s:%u failed: the server closed the connection in the middle of "
                 "its answer; it will be retried",
                 what, s->host, s->port);
  else if (code == BATON_ERROR_TEMPORARY && s->stalled)
    g_set_error (error, BATON_ERROR, code,
                 "IMAP %s on %s:%u failed: the answer stalled, %" G_GUINT64_FORMAT
                 " bytes in %u s, under the %u bytes/s any live connection manages "
                 "(timeout = in [imap] sets the window); it will be retried",
                 what, s->host, s->port, s->stall_bytes, s->timeout, BATON_IMAP_MIN_RATE);
  else if (code == BATON_ERROR_TEMPORARY && s->timed_out)
    g_set_error (error, BATON_ERROR, code,
                 "IMAP %s on %s:%u failed: no answer within %u s (timeout = in [imap]); "
                 "it will be retried",
                 what, s->host, s->port, s->timeout);
  else if (code == BATON_ERROR_TEMPORARY)
    g_set_error (error, BATON_ERROR, code,
                 "IMAP %s on %s:%u failed: connection lost or timed out (libetpan error %d); "
                 "it will be retried",
                 what, s->host, s->port, r);
  else if (code == BATON_ERROR_PROTOCOL)
    g_set_error (error, BATON_ERROR, code,
                 "IMAP %s on %s:%u: the server's answer could not be parsed (libetpan error %d)",
                 what, s->host, s->port, r);
  else
    g_set_error (error, BATON_ERROR, code, "IMAP %s on %s:%u refused: %s", what, s->host, s->port,
                 *words ? words : "(no text)");
}

/* FALSE, with the error code of that failure, once an earlier command failed in the
 * middle of its answer (a line that did not parse, a stall, a closed
 * connection): libetpan stops reading where the parse stopped, so the rest
 * of that answer, a literal's message bytes included, would be read as the
 * next command's answer (found by fuzz-imap). Only a new session is sure
 * of where the server's lines start. */
static gboolean
usable (BatonImapSession *s, const char *what, GError **error)
{
  if (!s->lost)
    return TRUE;
  g_set_error (error, BATON_ERROR, s->lost_code,
               "IMAP %s on %s:%u not sent: an earlier command on this connection failed in the "
               "middle of the server's answer; only a new connection can go on",
               what, s->host, s->port);
  return FALSE;
}

static gboolean
ok (int r)
{
  return r == MAILIMAP_NO_ERROR || r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
         r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
}

/* ---- settings ---------------------------------------------------------- */

static gboolean
check_settings (const BatonImapSettings *settings, GError **error)
{
  if (settings->host == NULL || *settings->host == '\0')
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "no IMAP server: set url = imaps://HOST/MAILBOX in [imap]");
      return FALSE;
    }
  if (settings->user == NULL || settings->password == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "no IMAP account: set user = and password-file = "
                   "(or password-command =) in [imap]");
      return FALSE;
    }
  if (settings->tls == BATON_IMAP_TLS_PLAIN &&
      !(settings->allow_plaintext && baton_net_host_is_loopback (settings->host)))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "refusing to send the IMAP password for %s to %s without TLS: "
                   "use url = imaps://… or imap://… (STARTTLS) in [imap] "
                   "(plain text is allowed only with allow-plaintext = true and a loopback host)",
                   settings->user, settings->host);
      return FALSE;
    }
  return TRUE;
}

/* ---- TLS --------------------------------------------------------------- */

/* Sends the host name (SNI) when it is a name: servers with several
 * certificates pick by it. An IP literal must not be sent. */
static void
ssl_context_cb (struct mailstream_ssl_context *ctx, void *data)
{
  char *host = data;
  if (!g_hostname_is_ip_address (host))
    mailstream_ssl_set_server_name (ctx, host);
}

static gboolean
load_trust (gnutls_x509_trust_list_t list, const char *ca_file, GError **error)
{
  int n;
  if (ca_file != NULL)
    {
      n = gnutls_x509_trust_list_add_trust_file (list, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
      if (n <= 0)
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                       "ca-file %s in [imap] holds no PEM certificate (%s): "
                       "point it at the CA that signed the server's certificate",
                       ca_file, n < 0 ? gnutls_strerror (n) : "empty");
          return FALSE;
        }
      return TRUE;
    }
  n = gnutls_x509_trust_list_add_system_trust (list, 0, 0);
  if (n <= 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "no system CA certificates found (install ca-certificates), "
                   "or set ca-file = in [imap]");
      return FALSE;
    }
  return TRUE;
}

/* The DER chain the server sent, as GnuTLS certificates; NULL if none. */
static GPtrArray *
peer_chain (mailstream *stream)
{
  carray *der = mailstream_get_certificate_chain (stream);
  if (der == NULL)
    return NULL;
  GPtrArray *certs = g_ptr_array_new_with_free_func ((GDestroyNotify) gnutls_x509_crt_deinit);
  for (unsigned i = 0; i < carray_count (der); i++)
    {
      MMAPString *str = carray_get (der, i);
      gnutls_datum_t datum = { (unsigned char *) str->str, (unsigned) str->len };
      gnutls_x509_crt_t crt;
      if (gnutls_x509_crt_init (&crt) < 0)
        break;
      if (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER) < 0)
        {
          gnutls_x509_crt_deinit (crt);
          break;
        }
      g_ptr_array_add (certs, crt);
    }
  mailstream_certificate_chain_free (der);
  if (certs->len == 0)
    g_clear_pointer (&certs, g_ptr_array_unref);
  return certs;
}

static void
set_untrusted_error (BatonImapSession *s, const char *ca_file, unsigned status, GError **error)
{
  gnutls_datum_t why = { NULL, 0 };
  gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &why, 0);
  g_autofree char *reason =
      g_strstrip (g_strdup (why.data != NULL ? (const char *) why.data : "not trusted"));

  if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                 "IMAP server %s:%u presented a certificate for another name (%s): "
                 "use in url = in [imap] a host name the certificate lists",
                 s->host, s->port, reason);
  else if (ca_file != NULL)
    g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                 "IMAP server %s:%u presented a certificate that ca-file %s does not vouch for "
                 "(%s): set ca-file = in [imap] to the CA that signed it",
                 s->host, s->port, ca_file, reason);
  else
    g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                 "IMAP server %s:%u presented a certificate no system CA vouches for "
                 "(%s): if it is self-signed or from a private CA, "
                 "set ca-file = in [imap] to that CA's PEM file",
                 s->host, s->port, reason);
  gnutls_free (why.data);
}

/* Checks the TLS peer's chain and name; FALSE with a CONFIG error if not. */
static gboolean
verify_peer (BatonImapSession *s, const char *ca_file, GError **error)
{
  g_autoptr (GPtrArray) chain = peer_chain (s->imap->imap_stream);
  if (chain == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_PROTOCOL,
                   "IMAP server %s:%u sent no usable TLS certificate", s->host, s->port);
      return FALSE;
    }

  gnutls_x509_trust_list_t raw_list;
  if (gnutls_x509_trust_list_init (&raw_list, 0) < 0)
    {
      g_set_error_literal (error, BATON_ERROR, BATON_ERROR_SOFTWARE, "out of memory");
      return FALSE;
    }
  g_autoptr (TrustList) list = raw_list;
  if (!load_trust (list, ca_file, error))
    return FALSE;

  /* The host name (or IP literal, which GnuTLS matches against IP SANs) and
   * the purpose "TLS server" are both part of the check. */
  gnutls_typed_vdata_st data[] = {
    { GNUTLS_DT_DNS_HOSTNAME, (unsigned char *) s->host, 0 },
    { GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *) GNUTLS_KP_TLS_WWW_SERVER, 0 },
  };
  unsigned status = 0;
  int r = gnutls_x509_trust_list_verify_crt2 (list, (gnutls_x509_crt_t *) chain->pdata, chain->len,
                                              data, G_N_ELEMENTS (data), 0, &status, NULL);
  if (r < 0)
    status |= GNUTLS_CERT_INVALID;
  if (status != 0)
    {
      set_untrusted_error (s, ca_file, status, error);
      return FALSE;
    }
  g_debug ("host=%s port=%u tls=verified", s->host, s->port);
  return TRUE;
}

/* ---- connect ----------------------------------------------------------- */

/* Whether the server announced capability @name of @type (a name, or an
 * AUTH= mechanism). Not libetpan's mailimap_has_*: they compare names that
 * a malformed CAPABILITY leaves NULL, and crashed (found by fuzz-imap). */
static gboolean
has_capability_of (BatonImapSession *s, int type, const char *name)
{
  struct mailimap_connection_info *info = s->imap->imap_connection_info;
  if (info == NULL || info->imap_capability == NULL || info->imap_capability->cap_list == NULL)
    return FALSE;
  for (clistiter *it = clist_begin (info->imap_capability->cap_list); it != NULL;
       it = clist_next (it))
    {
      struct mailimap_capability *cap = clist_content (it);
      const char *have = type == MAILIMAP_CAPABILITY_AUTH_TYPE ? cap->cap_data.cap_auth_type
                                                               : cap->cap_data.cap_name;
      if (cap->cap_type == type && have != NULL && g_ascii_strcasecmp (have, name) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_extension (BatonImapSession *s, const char *name)
{
  return has_capability_of (s, MAILIMAP_CAPABILITY_NAME, name);
}

/* CAPABILITY, so libetpan's list is the server's current one. libetpan
 * copies the list the answer left behind and read through NULL when the
 * server answered OK without any (found by fuzz-imap): an empty list is
 * put in place first. */
static gboolean
refresh_capabilities (BatonImapSession *s, GError **error)
{
  if (s->imap->imap_connection_info == NULL)
    s->imap->imap_connection_info = mailimap_connection_info_new ();
  struct mailimap_connection_info *info = s->imap->imap_connection_info;
  if (info != NULL && info->imap_capability == NULL)
    info->imap_capability = mailimap_capability_data_new (clist_new ());
  if (info != NULL && info->imap_capability != NULL && info->imap_capability->cap_list == NULL)
    info->imap_capability->cap_list = clist_new ();
  if (info == NULL || info->imap_capability == NULL)
    {
      g_set_error_literal (error, BATON_ERROR, BATON_ERROR_SOFTWARE, "out of memory");
      return FALSE;
    }
  struct mailimap_capability_data *caps = NULL;
  int r = mailimap_capability (s->imap, &caps);
  if (caps != NULL)
    mailimap_capability_data_free (caps);
  if (!ok (r))
    {
      set_error (s, error, r, "CAPABILITY");
      return FALSE;
    }
  return TRUE;
}

/* STARTTLS on an imap:// connection. A server that does not offer it is
 * a configuration problem (EX_CONFIG), not a reason to retry forever. */
static gboolean
start_tls (BatonImapSession *s, const BatonImapSettings *settings, GError **error)
{
  if (!has_extension (s, "STARTTLS") && !refresh_capabilities (s, error))
    return FALSE;
  if (!has_extension (s, "STARTTLS"))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "IMAP server %s:%u does not offer STARTTLS, which url = imap://… in [imap] "
                   "requires: use url = imaps://… if it has TLS on another port (993), or, for "
                   "a server on this machine only, allow-plaintext = yes",
                   s->host, s->port);
      return FALSE;
    }
  int r = mailimap_socket_starttls_with_callback (s->imap, ssl_context_cb, s->host);
  guard_stream (s);
  if (!ok (r))
    {
      if (r == MAILIMAP_ERROR_STARTTLS)
        g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                     "IMAP server %s:%u refused STARTTLS: use url = imaps://… in [imap]", s->host,
                     s->port);
      else
        set_error (s, error, r, "STARTTLS");
      return FALSE;
    }
  return verify_peer (s, settings->ca_file, error);
}

/* A TCP connection to the server within the timeout, as a blocking
 * socket libetpan can own, that a SIGTERM shuts down (net.h); -1 with
 * @error set. */
static int
connect_tcp (BatonImapSession *s, GError **error)
{
  g_autoptr (GError) local = NULL;
  int fd = baton_net_connect (s->host, s->port, s->timeout, &local);
  if (fd < 0 && baton_net_stop_requested ())
    g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                 "IMAP connect to %s:%u interrupted: baton was asked to stop; it will be retried",
                 s->host, s->port);
  else if (fd < 0)
    g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                 "cannot reach IMAP server %s:%u (%s): check url = in [imap]; it will be "
                 "retried",
                 s->host, s->port, local->message);
  s->fd = fd;
  return fd;
}

/* Connects, with the guard in place before the greeting is read: a server
 * that sends more than its greeting at once is screened too. */
static gboolean
open_connection (BatonImapSession *s, const BatonImapSettings *settings, GError **error)
{
  int fd = connect_tcp (s, error);
  if (fd < 0)
    return FALSE;
  mailstream_low *low =
      settings->tls == BATON_IMAP_TLS_IMAPS
          ? mailstream_low_ssl_open_with_callback_timeout (fd, s->timeout, ssl_context_cb, s->host)
          : mailstream_low_socket_open (fd);
  if (low == NULL)
    {
      baton_net_unwatch_fd (fd);
      close (fd);
      s->fd = -1;
      if (baton_net_stop_requested ())
        g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                     "TLS with IMAP server %s:%u interrupted: baton was asked to stop; it will "
                     "be retried",
                     s->host, s->port);
      else
        g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                     "TLS with IMAP server %s:%u failed: check that url = in [imap] names its "
                     "TLS port (imaps://, usually 993); it will be retried",
                     s->host, s->port);
      return FALSE;
    }
  mailstream_low_set_timeout (low, s->timeout);
  mailstream *stream = mailstream_new (guard_new (s, low), 8192);
  s->refuse_literals = TRUE;
  int r = mailimap_connect (s->imap, stream);
  s->refuse_literals = FALSE;
  if (!ok (r))
    {
      set_error (s, error, r, "greeting");
      return FALSE;
    }
  if (settings->tls == BATON_IMAP_TLS_STARTTLS)
    return start_tls (s, settings, error);
  if (settings->tls != BATON_IMAP_TLS_PLAIN && !verify_peer (s, settings->ca_file, error))
    return FALSE;
  return TRUE;
}

/* AUTHENTICATE PLAIN (RFC 4616, through Cyrus SASL) when the server offers
 * it, LOGIN otherwise: PLAIN carries UTF-8 credentials that LOGIN's quoted
 * strings mangle on some servers, and some servers disable LOGIN. Both only
 * ever run over TLS, or over loopback when plaintext is allowed. A refused
 * PLAIN is not retried with LOGIN: a second failed login per poll would
 * trip the server's penalties (Dovecot's auth_penalty, fail2ban) twice as
 * fast. */
static int
authenticate (BatonImapSession *s, const char *password, const char **how)
{
  if (has_capability_of (s, MAILIMAP_CAPABILITY_AUTH_TYPE, "PLAIN"))
    {
      *how = "AUTHENTICATE PLAIN";
      return mailimap_authenticate (s->imap, "PLAIN", s->host, NULL, NULL, s->user, s->user,
                                    password, NULL);
    }
  *how = "LOGIN";
  return mailimap_login (s->imap, s->user, password);
}

static gboolean
log_in (BatonImapSession *s, const char *password, GError **error)
{
  const char *how = NULL;
  s->refuse_literals = TRUE;
  int r = authenticate (s, password, &how);
  s->refuse_literals = FALSE;
  g_debug ("imap %s:%u: %s as %s: %d", s->host, s->port, how, s->user, r);
  if (r == MAILIMAP_ERROR_LOGIN || r == MAILIMAP_ERROR_SASL)
    {
      g_autofree char *words = server_words (s);
      /* A server's NO has words; a SASL failure without any came from
       * the client side, where a missing PLAIN plugin is the usual cause. */
      gboolean client_side = r == MAILIMAP_ERROR_SASL && *words == '\0';
      g_set_error (error, BATON_ERROR, BATON_ERROR_PERMISSION,
                   "IMAP server %s:%u refused the login of %s (%s): check user = and "
                   "password-file = (or password-command =) in [imap]%s",
                   s->host, s->port, s->user, *words ? words : "no reason given",
                   client_side ? "; if they are right, install libsasl2-modules (the SASL PLAIN "
                                 "plugin)"
                               : "");
      return FALSE;
    }
  if (!ok (r))
    {
      set_error (s, error, r, how);
      return FALSE;
    }
  /* Servers announce MOVE, UIDPLUS, IDLE only once logged in; ask again so
   * libetpan's capability list is the post-login one. */
  return refresh_capabilities (s, error);
}

BatonImapSession *
baton_imap_connect (const BatonImapSettings *settings, GError **error)
{
  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_settings (settings, error))
    return NULL;

  g_autoptr (BatonImapSession) s = g_new0 (BatonImapSession, 1);
  s->host = g_strdup (settings->host);
  s->port =
      settings->port != 0 ? settings->port : (settings->tls == BATON_IMAP_TLS_IMAPS ? 993 : 143);
  s->user = g_strdup (settings->user);
  s->mailbox = g_strdup (settings->mailbox != NULL ? settings->mailbox : "INBOX");
  g_autoptr (mailimap) imap = mailimap_new (0, NULL);
  if (imap == NULL)
    {
      g_set_error_literal (error, BATON_ERROR, BATON_ERROR_SOFTWARE, "out of memory");
      return NULL;
    }
  s->fd = -1;
  s->timeout = settings->timeout_seconds ? settings->timeout_seconds : DEFAULT_TIMEOUT;
  mailimap_set_timeout (imap, s->timeout);
  s->imap = g_steal_pointer (&imap);
  if (!open_connection (s, settings, error) || !log_in (s, settings->password, error))
    return NULL;
  s->idle_ready = mailstream_setup_idle (s->imap->imap_stream) == 0;
  g_debug ("host=%s port=%u user=%s connected", s->host, s->port, s->user);
  return g_steal_pointer (&s);
}

/* ---- a server from memory (fuzzing) ------------------------------------ */

/* The server's side of a conversation, read from memory; what baton
 * writes is dropped. */
typedef struct {
  const char *bytes; /* borrowed */
  gsize left;
} Script;

static ssize_t
script_read (mailstream_low *low, void *buf, size_t count)
{
  Script *script = low->data;
  /* A line a read, as a server answers one command at a time: a script
   * holding a whole conversation must not reach libetpan in one piece
   * while it is still reading the greeting. */
  const char *newline = memchr (script->bytes, '\n', script->left);
  gsize line = newline != NULL ? (gsize) (newline - script->bytes) + 1 : script->left;
  gsize n = MIN (count, line);
  memcpy (buf, script->bytes, n);
  script->bytes += n;
  script->left -= n;
  return (ssize_t) n;
}

static ssize_t
script_write (mailstream_low *low, const void *buf, size_t count)
{
  (void) low, (void) buf;
  return (ssize_t) count;
}

static int
script_close (mailstream_low *low)
{
  (void) low;
  return 0;
}

static int
script_get_fd (mailstream_low *low)
{
  (void) low;
  return -1;
}

static void
script_free (mailstream_low *low)
{
  g_free (low->data);
  free (low);
}

static void
script_cancel (mailstream_low *low)
{
  (void) low;
}

static mailstream_low_driver script_driver = {
  .mailstream_read = script_read,
  .mailstream_write = script_write,
  .mailstream_close = script_close,
  .mailstream_get_fd = script_get_fd,
  .mailstream_free = script_free,
  .mailstream_cancel = script_cancel,
};

BatonImapSession *
baton_imap_connect_script (const BatonImapSettings *settings, const char *bytes, gsize len,
                           GError **error)
{
  g_return_val_if_fail (settings != NULL && (bytes != NULL || len == 0), NULL);
  g_autoptr (BatonImapSession) s = g_new0 (BatonImapSession, 1);
  s->host = g_strdup (settings->host != NULL ? settings->host : "script");
  s->user = g_strdup (settings->user != NULL ? settings->user : "user");
  s->mailbox = g_strdup (settings->mailbox != NULL ? settings->mailbox : "INBOX");
  s->fd = -1;
  s->timeout = DEFAULT_TIMEOUT;
  s->broken = TRUE; /* no LOGOUT: the script has no answer for it */
  s->imap = mailimap_new (0, NULL);
  Script *script = g_new0 (Script, 1);
  script->bytes = bytes;
  script->left = len;
  mailstream_low *low = guard_new (s, mailstream_low_new (script, &script_driver));
  mailstream *stream = mailstream_new (low, 8192);
  s->refuse_literals = TRUE;
  int r = mailimap_connect (s->imap, stream);
  s->refuse_literals = FALSE;
  if (!ok (r))
    {
      set_error (s, error, r, "greeting");
      return NULL;
    }
  if (!log_in (s, settings->password != NULL ? settings->password : "", error))
    return NULL;
  return g_steal_pointer (&s);
}

void
baton_imap_session_free (BatonImapSession *session)
{
  if (session == NULL)
    return;
  if (session->imap != NULL)
    {
      if (session->idle_ready)
        mailstream_unsetup_idle (session->imap->imap_stream);
      /* LOGOUT only on a live, logged-in connection: on a dead one it would
       * just wait for the timeout. */
      if (!session->broken && !stopping (session) && session->imap->imap_stream != NULL &&
          session->imap->imap_state >= MAILIMAP_STATE_AUTHENTICATED)
        mailimap_logout (session->imap);
      /* Out of the stop table before libetpan closes it: the number may be
       * reused for a file. */
      baton_net_unwatch_fd (session->fd);
      mailimap_free (session->imap);
    }
  g_free (session->host);
  g_free (session->user);
  g_free (session->mailbox);
  g_free (session);
}

gboolean
baton_imap_has_capability (BatonImapSession *session, const char *capability)
{
  g_return_val_if_fail (session != NULL && capability != NULL, FALSE);
  return has_extension (session, capability);
}

guint
baton_imap_commands_sent (BatonImapSession *session)
{
  g_return_val_if_fail (session != NULL, 0);
  return (guint) session->imap->imap_tag;
}

/* ---- select ------------------------------------------------------------ */

gboolean
baton_imap_select (BatonImapSession *session, const char *mailbox, guint32 *uidvalidity,
                   guint32 *uidnext, GError **error)
{
  g_return_val_if_fail (session != NULL, FALSE);
  const char *name = mailbox != NULL ? mailbox : session->mailbox;
  if (!usable (session, "SELECT", error))
    return FALSE;

  int r = mailimap_select (session->imap, name);
  if (r == MAILIMAP_ERROR_SELECT)
    {
      g_autofree char *words = server_words (session);
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "IMAP server %s:%u cannot open mailbox \"%s\" for %s (%s): "
                   "%s",
                   session->host, session->port, name, session->user, words,
                   g_str_equal (name, session->mailbox)
                       ? "check the mailbox at the end of url = in [imap]"
                       : "check processed-folder = and failed-folder = in [imap]");
      return FALSE;
    }
  if (!ok (r))
    {
      set_error (session, error, r, "SELECT");
      return FALSE;
    }
  struct mailimap_selection_info *info = session->imap->imap_selection_info;
  if (uidvalidity != NULL)
    *uidvalidity = info != NULL ? info->sel_uidvalidity : 0;
  if (uidnext != NULL)
    *uidnext = info != NULL ? info->sel_uidnext : 0;
  g_debug ("mailbox=%s exists=%u uidvalidity=%u uidnext=%u", name, info ? info->sel_exists : 0,
           info ? info->sel_uidvalidity : 0, info ? info->sel_uidnext : 0);
  return TRUE;
}

/* ---- search ------------------------------------------------------------ */

static gint
compare_uid (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

/* UIDs in [first, last] (last 0: no bound), ascending. */
static GArray *
search_uids (BatonImapSession *s, guint32 first, guint32 last, GError **error)
{
  ImapSet *raw_set = mailimap_set_new_interval (first, last);
  g_autoptr (ImapSearchKey) key = mailimap_search_key_new_uid (raw_set); /* owns set */
  if (!usable (s, "UID SEARCH", error))
    return NULL;
  clist *found = NULL;
  int r = mailimap_uid_search (s->imap, NULL, key, &found);
  if (!ok (r))
    {
      /* A NO answer still hands over what it listed (found by fuzz-imap). */
      if (found != NULL)
        mailimap_search_result_free (found);
      set_error (s, error, r, "UID SEARCH");
      return NULL;
    }
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (clistiter *it = clist_begin (found); it != NULL; it = clist_next (it))
    {
      guint32 uid = *(uint32_t *) clist_content (it);
      /* "n:*" matches the highest UID even when it is below n. */
      if (uid >= first && (last == 0 || uid <= last))
        g_array_append_val (uids, uid);
    }
  mailimap_search_result_free (found);
  g_array_sort (uids, compare_uid);
  /* A UID listed twice would be fetched and handed out twice (found by
   * fuzz-imap). */
  guint kept = 0;
  for (guint i = 0; i < uids->len; i++)
    if (kept == 0 || g_array_index (uids, guint32, i) != g_array_index (uids, guint32, kept - 1))
      g_array_index (uids, guint32, kept++) = g_array_index (uids, guint32, i);
  g_array_set_size (uids, kept);
  return uids;
}

GArray *
baton_imap_list_uids_above (BatonImapSession *session, guint32 uid, GError **error)
{
  g_return_val_if_fail (session != NULL, NULL);
  if (uid == G_MAXUINT32)
    return g_array_new (FALSE, FALSE, sizeof (guint32));
  return search_uids (session, uid + 1, 0, error);
}

/* ---- fetch ------------------------------------------------------------- */

/* A set of the UIDs uids[0..n), runs of consecutive UIDs as intervals, so
 * the command line stays short. */
static ImapSet *
set_of (const guint32 *uids, gsize n)
{
  ImapSet *set = mailimap_set_new_empty ();
  gsize i = 0;
  while (i < n)
    {
      gsize j = i;
      while (j + 1 < n && uids[j + 1] == uids[j] + 1)
        j++;
      mailimap_set_add_interval (set, uids[i], uids[j]);
      i = j + 1;
    }
  return set;
}

/* What one FETCH response item carries. */
typedef struct {
  guint32 uid;       /* 0: none */
  gboolean has_size; /* RFC822.SIZE came */
  guint32 size;
  const char *bytes; /* BODY[] or BODY[]<n>; NULL: none (borrowed from the item) */
  gsize len;
} Item;

static Item
item_of (struct mailimap_msg_att *msg)
{
  Item item = { 0 };
  for (clistiter *it = clist_begin (msg->att_list); it != NULL; it = clist_next (it))
    {
      struct mailimap_msg_att_item *att = clist_content (it);
      if (att->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
        continue;
      struct mailimap_msg_att_static *st = att->att_data.att_static;
      if (st->att_type == MAILIMAP_MSG_ATT_UID)
        item.uid = st->att_data.att_uid;
      else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
        {
          item.has_size = TRUE;
          item.size = st->att_data.att_rfc822_size;
        }
      else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
        {
          /* NIL is an empty body part, not a missing one. */
          struct mailimap_msg_att_body_section *body = st->att_data.att_body_section;
          item.bytes = body->sec_body_part != NULL ? body->sec_body_part : "";
          item.len = body->sec_body_part != NULL ? body->sec_length : 0;
        }
    }
  return item;
}

static gboolean
uid_wanted (const guint32 *uids, gsize n, guint32 uid)
{
  return bsearch (&uid, uids, n, sizeof *uids, compare_uid) != NULL;
}

/* The items of a UID FETCH of uids[0..n) (sorted) that carry what
 * @needed says (a body, or a size), by UID; the first one per UID wins.
 * UIDs that were not asked for (a confused or hostile server) are
 * ignored with a warning: processing them would move the stored position
 * past mail never fetched. */
static GHashTable *
items_by_uid (BatonImapSession *s, clist *result, const guint32 *uids, gsize n, gboolean body)
{
  GHashTable *items = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (clistiter *it = clist_begin (result); it != NULL; it = clist_next (it))
    {
      Item item = item_of (clist_content (it));
      if (body ? item.bytes == NULL : !item.has_size)
        continue; /* e.g. an unsolicited FLAGS update */
      if (!uid_wanted (uids, n, item.uid))
        {
          g_warning ("IMAP server %s:%u sent UID %u, which was not asked for: ignored", s->host,
                     s->port, item.uid);
          continue;
        }
      if (!g_hash_table_contains (items, GUINT_TO_POINTER (item.uid)))
        g_hash_table_insert (items, GUINT_TO_POINTER (item.uid), g_memdup2 (&item, sizeof item));
    }
  return items;
}

static void
set_missing_error (BatonImapSession *s, guint32 uid, const char *what, GError **error)
{
  g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
               "IMAP server %s:%u listed UID %u but returned no %s for it: it is left for the "
               "next poll, which will retry it",
               s->host, s->port, uid, what);
}

/* UID FETCH of uids[0..n) with the one attribute @att; the raw result,
 * which the caller frees with mailimap_fetch_list_free(). */
static clist *
uid_fetch (BatonImapSession *s, const guint32 *uids, gsize n, struct mailimap_fetch_att *att,
           GError **error)
{
  g_autoptr (ImapSet) set = set_of (uids, n);
  g_autoptr (ImapFetchType) type = mailimap_fetch_type_new_fetch_att_list_empty ();
  mailimap_fetch_type_new_fetch_att_list_add (type, mailimap_fetch_att_new_uid ());
  mailimap_fetch_type_new_fetch_att_list_add (type, att);
  if (!usable (s, "UID FETCH", error))
    return NULL;
  clist *result = NULL;
  int r = mailimap_uid_fetch (s->imap, set, type, &result);
  if (!ok (r))
    {
      set_error (s, error, r, "UID FETCH");
      return NULL;
    }
  return result;
}

/* Sizes of uids[0..n), in @sizes (same order). FALSE with a TEMPORARY error
 * naming the first UID without one; *@n_sized then says how many before it
 * have theirs, so the caller can still fetch those. */
static gboolean
fetch_sizes (BatonImapSession *s, const guint32 *uids, gsize n, guint32 *sizes, gsize *n_sized,
             GError **error)
{
  *n_sized = 0;
  clist *result = uid_fetch (s, uids, n, mailimap_fetch_att_new_rfc822_size (), error);
  if (result == NULL)
    return FALSE;
  g_autoptr (GHashTable) items = items_by_uid (s, result, uids, n, FALSE);
  mailimap_fetch_list_free (result);
  for (gsize i = 0; i < n; i++)
    {
      Item *item = g_hash_table_lookup (items, GUINT_TO_POINTER (uids[i]));
      if (item == NULL)
        {
          set_missing_error (s, uids[i], "size", error);
          return FALSE;
        }
      sizes[i] = item->size;
      *n_sized = i + 1;
    }
  return TRUE;
}

/* Calls @func; *@stop when it asks to end. */
static gboolean
deliver (guint32 uid, const char *bytes, int fd, gsize len, BatonImapMessageFunc func,
         gpointer user_data, gboolean *stop, GError **error)
{
  GError *local = NULL;
  if (func (uid, bytes, fd, len, user_data, &local))
    return TRUE;
  *stop = TRUE;
  if (local == NULL)
    return TRUE;
  g_propagate_error (error, local);
  return FALSE;
}

/* One UID FETCH (UID BODY.PEEK[]) for uids[0..n), which the caller sized
 * to fit BATON_IMAP_BATCH_BYTES; calls @func in UID order. */
static gboolean
fetch_batch (BatonImapSession *s, const guint32 *uids, gsize n, BatonImapMessageFunc func,
             gpointer user_data, gboolean *stop, GError **error)
{
  clist *result = uid_fetch (
      s, uids, n, mailimap_fetch_att_new_body_peek_section (mailimap_section_new (NULL)), error);
  if (result == NULL)
    return FALSE;
  g_autoptr (GHashTable) items = items_by_uid (s, result, uids, n, TRUE);
  gboolean good = TRUE;
  for (gsize i = 0; i < n && good && !*stop; i++)
    {
      Item *item = g_hash_table_lookup (items, GUINT_TO_POINTER (uids[i]));
      if (item == NULL)
        {
          set_missing_error (s, uids[i], "body", error);
          good = FALSE;
        }
      else
        good = deliver (uids[i], item->bytes, -1, item->len, func, user_data, stop, error);
    }
  mailimap_fetch_list_free (result);
  return good;
}

static gboolean
write_all (int fd, const char *bytes, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t w = write (fd, bytes, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        {
          int saved = errno;
          g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                       "cannot write a large message to a temporary file in %s (%s): free "
                       "some space there or set TMPDIR; it will be retried",
                       g_get_tmp_dir (), g_strerror (saved));
          return FALSE;
        }
      bytes += w;
      len -= (gsize) w;
    }
  return TRUE;
}

/* An unlinked temporary file, or -1 with @error set. */
static int
open_spill_file (GError **error)
{
  g_autofree char *path = NULL;
  GError *local = NULL;
  int fd = g_file_open_tmp ("baton-imap-XXXXXX", &path, &local);
  if (fd < 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "cannot create a temporary file for a large message (%s): check TMPDIR; "
                   "it will be retried",
                   local->message);
      g_error_free (local);
      return -1;
    }
  unlink (path);
  return fd;
}

/* Appends the next piece of message @uid, from @offset, to @fd; *@got is
 * how many bytes came (fewer than asked: the end of the message). */
static gboolean
fetch_piece (BatonImapSession *s, guint32 uid, guint32 offset, int fd, gsize *got, GError **error)
{
  struct mailimap_fetch_att *att = mailimap_fetch_att_new_body_peek_section_partial (
      mailimap_section_new (NULL), offset, BATON_IMAP_PIECE_BYTES);
  clist *result = uid_fetch (s, &uid, 1, att, error);
  if (result == NULL)
    return FALSE;
  g_autoptr (GHashTable) items = items_by_uid (s, result, &uid, 1, TRUE);
  Item *item = g_hash_table_lookup (items, GUINT_TO_POINTER (uid));
  gboolean good;
  if (item == NULL)
    {
      set_missing_error (s, uid, "body", error);
      good = FALSE;
    }
  else
    {
      /* A server must not send more than asked; if it does, the rest is
       * not this piece. */
      *got = MIN (item->len, (gsize) BATON_IMAP_PIECE_BYTES);
      good = write_all (fd, item->bytes, *got, error);
    }
  mailimap_fetch_list_free (result);
  return good;
}

/* A message too large to hold: fetched in pieces into a temporary file
 * that @func reads. The size the server announced is not trusted: pieces
 * come until one is short. */
static gboolean
fetch_large (BatonImapSession *s, guint32 uid, BatonImapMessageFunc func, gpointer user_data,
             gboolean *stop, GError **error)
{
  int fd = open_spill_file (error);
  if (fd < 0)
    return FALSE;
  guint64 total = 0;
  gboolean good = TRUE;
  for (gsize got = BATON_IMAP_PIECE_BYTES; good && got == BATON_IMAP_PIECE_BYTES;)
    {
      if (total + BATON_IMAP_PIECE_BYTES > G_MAXUINT32)
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
                       "IMAP message UID %u on %s:%u is larger than 4 GB: not fetched", uid,
                       s->host, s->port);
          good = FALSE;
          break;
        }
      got = 0;
      good = fetch_piece (s, uid, (guint32) total, fd, &got, error);
      total += got;
    }
  g_debug ("uid=%u fetched in pieces size=%" G_GUINT64_FORMAT, uid, total);
  if (good)
    good = deliver (uid, NULL, fd, (gsize) total, func, user_data, stop, error);
  close (fd);
  return good;
}

/* Bodies of uids[0..n) with @sizes, in UID order: as many whole messages
 * per command as fit BATON_IMAP_BATCH_BYTES, each larger one alone, in
 * pieces. */
static gboolean
fetch_bodies (BatonImapSession *s, const guint32 *uids, const guint32 *sizes, gsize n,
              BatonImapMessageFunc func, gpointer user_data, gboolean *stop, GError **error)
{
  gsize i = 0;
  while (i < n && !*stop)
    {
      if (sizes[i] > BATON_IMAP_BATCH_BYTES)
        {
          if (!fetch_large (s, uids[i], func, user_data, stop, error))
            return FALSE;
          i++;
          continue;
        }
      gsize j = i;
      guint64 total = 0;
      while (j < n && sizes[j] <= BATON_IMAP_BATCH_BYTES &&
             total + sizes[j] <= BATON_IMAP_BATCH_BYTES)
        total += sizes[j++];
      if (!fetch_batch (s, uids + i, j - i, func, user_data, stop, error))
        return FALSE;
      i = j;
    }
  return TRUE;
}

/* Up to BATON_IMAP_FETCH_CHUNK messages: their sizes, then their bodies.
 * When a size is missing, the messages before it are still processed and
 * the fetch then fails, so the stored position stops just before it. */
static gboolean
fetch_chunk (BatonImapSession *s, const guint32 *uids, gsize n, BatonImapMessageFunc func,
             gpointer user_data, gboolean *stop, GError **error)
{
  g_autofree guint32 *sizes = g_new (guint32, n);
  gsize n_sized = 0;
  GError *missing = NULL;
  gboolean sized = fetch_sizes (s, uids, n, sizes, &n_sized, &missing);
  if (!sized && n_sized == 0)
    {
      g_propagate_error (error, missing);
      return FALSE;
    }
  if (!fetch_bodies (s, uids, sizes, n_sized, func, user_data, stop, error))
    {
      g_clear_error (&missing);
      return FALSE;
    }
  if (!sized && !*stop)
    {
      g_propagate_error (error, missing);
      return FALSE;
    }
  g_clear_error (&missing);
  return TRUE;
}

gboolean
baton_imap_fetch_range (BatonImapSession *session, guint32 uid_first, guint32 uid_last,
                        BatonImapMessageFunc func, gpointer user_data, GError **error)
{
  g_return_val_if_fail (session != NULL && func != NULL, FALSE);
  if (uid_first == 0)
    uid_first = 1;
  if (uid_last != 0 && uid_last < uid_first)
    return TRUE;

  g_autoptr (GArray) uids = search_uids (session, uid_first, uid_last, error);
  if (uids == NULL)
    return FALSE;

  gboolean stop = FALSE;
  for (guint at = 0; at < uids->len && !stop; at += BATON_IMAP_FETCH_CHUNK)
    {
      gsize n = MIN ((gsize) BATON_IMAP_FETCH_CHUNK, uids->len - at);
      if (!fetch_chunk (session, &g_array_index (uids, guint32, at), n, func, user_data, &stop,
                        error))
        return FALSE;
    }
  g_debug ("mailbox fetch first=%u last=%u messages=%u", uid_first, uid_last, uids->len);
  return TRUE;
}

/* ---- move -------------------------------------------------------------- */

static gboolean
add_flags (BatonImapSession *s, ImapSet *set, gboolean deleted, GError **error)
{
  struct mailimap_flag_list *flags = mailimap_flag_list_new_empty ();
  mailimap_flag_list_add (flags, mailimap_flag_new_seen ());
  if (deleted)
    mailimap_flag_list_add (flags, mailimap_flag_new_deleted ());
  g_autoptr (ImapStoreFlags) store =
      mailimap_store_att_flags_new_add_flags_silent (flags); /* owns flags */
  int r = mailimap_uid_store (s->imap, set, store);
  if (!ok (r))
    {
      set_error (s, error, r, "UID STORE");
      return FALSE;
    }
  return TRUE;
}

/* UID MOVE, or UID COPY when !@use_move; libetpan result code. */
static int
transfer (BatonImapSession *s, ImapSet *set, const char *folder, gboolean use_move)
{
  return use_move ? mailimap_uid_move (s->imap, set, folder)
                  : mailimap_uid_copy (s->imap, set, folder);
}

/* Transfers, creating @folder and trying once more when the first try is
 * refused: servers answer NO [TRYCREATE] for a missing folder, and asking
 * "does it exist" first would cost a round trip on every call. */
static gboolean
transfer_creating (BatonImapSession *s, ImapSet *set, const char *folder, gboolean use_move,
                   GError **error)
{
  int r = transfer (s, set, folder, use_move);
  if (!ok (r) && code_for (r) == BATON_ERROR_UNAVAILABLE && ok (mailimap_create (s->imap, folder)))
    {
      g_debug ("folder=%s created", folder);
      r = transfer (s, set, folder, use_move);
    }
  if (!ok (r))
    {
      set_error (s, error, r, use_move ? "UID MOVE" : "UID COPY");
      return FALSE;
    }
  return TRUE;
}

gboolean
baton_imap_move (BatonImapSession *session, const guint32 *uids, gsize n_uids, const char *folder,
                 GError **error)
{
  g_return_val_if_fail (session != NULL && folder != NULL, FALSE);
  if (n_uids == 0)
    return TRUE;
  if (!usable (session, "MOVE", error))
    return FALSE;

  gboolean has_move = baton_imap_has_capability (session, "MOVE");
  if (!has_move && !baton_imap_has_capability (session, "UIDPLUS"))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_UNAVAILABLE,
                   "IMAP server %s:%u has neither MOVE nor UIDPLUS, so processed mail cannot "
                   "be moved to %s without risking other mail",
                   session->host, session->port, folder);
      return FALSE;
    }

  g_autofree guint32 *sorted = g_memdup2 (uids, n_uids * sizeof *uids);
  qsort (sorted, n_uids, sizeof *sorted, compare_uid);
  g_autoptr (ImapSet) set = set_of (sorted, n_uids);

  /* \Seen first: MOVE carries flags along, and a COPY keeps them too. */
  if (!add_flags (session, set, FALSE, error))
    return FALSE;
  if (!transfer_creating (session, set, folder, has_move, error))
    return FALSE;
  if (!has_move)
    {
      if (!add_flags (session, set, TRUE, error))
        return FALSE;
      int r = mailimap_uid_expunge (session->imap, set);
      if (!ok (r))
        {
          set_error (session, error, r, "UID EXPUNGE");
          return FALSE;
        }
    }
  g_debug ("moved=%" G_GSIZE_FORMAT " folder=%s via=%s", n_uids, folder,
           has_move ? "MOVE" : "COPY+EXPUNGE");
  return TRUE;
}

/* ---- idle -------------------------------------------------------------- */

static guint32
exists_now (BatonImapSession *s)
{
  struct mailimap_selection_info *info = s->imap->imap_selection_info;
  return info != NULL ? info->sel_exists : 0;
}

/* Waits until the server sends something, @seconds pass or an interrupt
 * comes. Returns MAILSTREAM_IDLE_*. Data libetpan already buffered counts as
 * something: select() on the socket would not see it. */
static int
wait_readable (BatonImapSession *s, int seconds)
{
  mailstream *stream = s->imap->imap_stream;
  if (stopping (s))
    return MAILSTREAM_IDLE_CANCELLED;
  if (stream->read_buffer_len > 0)
    return MAILSTREAM_IDLE_HASDATA;
  if (!s->idle_ready)
    return MAILSTREAM_IDLE_ERROR;
  /* A signal (whose handler may be the one calling
   * baton_imap_idle_interrupt) makes select() fail with EINTR: wait again
   * for the rest of the time, and a pending interrupt is then seen. */
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  for (;;)
    {
      int w = mailstream_wait_idle (stream, seconds);
      if (w != MAILSTREAM_IDLE_ERROR || errno != EINTR)
        return w;
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        return MAILSTREAM_IDLE_TIMEOUT;
      seconds = (int) MAX (1, left / G_USEC_PER_SEC);
    }
}

static gboolean
wait_failed (BatonImapSession *s, GError **error)
{
  s->broken = TRUE;
  g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
               "waiting for mail on IMAP server %s:%u failed; it will be retried", s->host,
               s->port);
  return FALSE;
}

/* A cancelled session ends its wait as if interrupted, without DONE or
 * LOGOUT: its socket is already shut down. */
static gboolean
stop_cancelled (BatonImapSession *s, gboolean *interrupted)
{
  s->broken = TRUE;
  *interrupted = TRUE;
  return TRUE;
}

/* One IDLE … DONE, at most @seconds; *grew when EXISTS rose. */
static gboolean
idle_once (BatonImapSession *s, int seconds, gboolean *grew, gboolean *interrupted, GError **error)
{
  guint32 before = exists_now (s);
  s->refuse_literals = TRUE;
  int r = mailimap_idle (s->imap);
  s->refuse_literals = FALSE;
  if (!ok (r))
    {
      set_error (s, error, r, "IDLE");
      return FALSE;
    }
  /* Mail that came between SELECT and IDLE is announced before the "+". */
  int w = exists_now (s) > before ? MAILSTREAM_IDLE_HASDATA : wait_readable (s, seconds);
  *interrupted = w == MAILSTREAM_IDLE_INTERRUPTED || w == MAILSTREAM_IDLE_CANCELLED;
  if (stopping (s))
    return stop_cancelled (s, interrupted);
  /* DONE makes the server finish; libetpan parses the untagged EXISTS that
   * woke us on the way to the tagged OK. */
  r = mailimap_idle_done (s->imap);
  if (!ok (r))
    {
      set_error (s, error, r, "IDLE DONE");
      return FALSE;
    }
  if (w == MAILSTREAM_IDLE_ERROR)
    return wait_failed (s, error);
  *grew = exists_now (s) > before;
  return TRUE;
}

/* Without IDLE: an interruptible sleep, then NOOP to learn of new mail. */
static gboolean
poll_once (BatonImapSession *s, int seconds, gboolean *grew, gboolean *interrupted, GError **error)
{
  guint32 before = exists_now (s);
  int w = wait_readable (s, seconds);
  *interrupted = w == MAILSTREAM_IDLE_INTERRUPTED || w == MAILSTREAM_IDLE_CANCELLED;
  if (stopping (s))
    return stop_cancelled (s, interrupted);
  if (w == MAILSTREAM_IDLE_ERROR)
    return wait_failed (s, error);
  int r = mailimap_noop (s->imap);
  if (!ok (r))
    {
      set_error (s, error, r, "NOOP");
      return FALSE;
    }
  *grew = exists_now (s) > before;
  return TRUE;
}

gboolean
baton_imap_idle_wait (BatonImapSession *session, guint timeout_seconds, gboolean *new_mail,
                      GError **error)
{
  g_return_val_if_fail (session != NULL && new_mail != NULL, FALSE);
  *new_mail = FALSE;
  if (!usable (session, "IDLE", error))
    return FALSE;
  gboolean use_idle = has_extension (session, "IDLE");
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

  /* Other clients' flag changes also wake an IDLE: keep waiting until mail
   * arrives or the time is up. */
  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      int seconds = (int) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      if (seconds <= 0)
        return TRUE;
      gboolean interrupted = FALSE;
      gboolean good = use_idle ? idle_once (session, seconds, new_mail, &interrupted, error)
                               : poll_once (session, seconds, new_mail, &interrupted, error);
      if (!good || *new_mail || interrupted)
        return good;
    }
}

void
baton_imap_idle_interrupt (BatonImapSession *session)
{
  if (session != NULL && session->idle_ready)
    mailstream_interrupt_idle (session->imap->imap_stream);
}

void
baton_imap_cancel (BatonImapSession *session)
{
  if (session == NULL)
    return;
  session->cancelled = 1;
  /* shutdown() is async-signal-safe and wakes a read or wait that libetpan
   * has in progress on the socket: it returns at once with end of file. */
  if (session->fd >= 0)
    shutdown (session->fd, SHUT_RDWR);
}
