/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* pipe2 */
#define G_LOG_DOMAIN "baton-net"
#include "baton/net.h"

#include "baton/error.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

gboolean
baton_net_host_is_loopback (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;

  g_autofree char *name = g_strdup (host);
  gsize len = strlen (name);
  if (name[0] == '[' && len > 2 && name[len - 1] == ']')
    {
      name[len - 1] = '\0';
      memmove (name, name + 1, len - 1);
      len -= 2;
    }
  if (len > 1 && name[len - 1] == '.')
    name[--len] = '\0';
  if (g_ascii_strcasecmp (name, "localhost") == 0)
    return TRUE;

  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (name);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

char *
baton_net_sanitize (const char *text, gsize max_len)
{
  if (text == NULL)
    return g_strdup ("");
  gsize len = strnlen (text, max_len);
  char *out = g_strndup (text, len);
  for (gsize i = 0; i < len; i++)
    if (out[i] < 0x20 || out[i] > 0x7e)
      out[i] = '?';
  /* A reply line ends in CRLF, which became "??" above. */
  while (len > 0 && (out[len - 1] == '?' || out[len - 1] == ' ') &&
         (text[len - 1] == '\r' || text[len - 1] == '\n' || text[len - 1] == ' '))
    out[--len] = '\0';
  return out;
}

/* ---- stopping on a signal ---------------------------------------------- */

#define MAX_WATCHED 8

static volatile sig_atomic_t stop_flag;
/* fd + 1 of each registered socket, 0 for a free slot (fd 0 is valid). */
static volatile sig_atomic_t watched[MAX_WATCHED];
/* The write end of a pipe that baton_net_stop() writes to and never
 * drains, so that every later poll() on the read end wakes at once. */
static volatile sig_atomic_t wake_write = -1;
static int wake_read = -1;
static void (*volatile stop_too) (void);

void
baton_net_stop (void)
{
  int saved = errno;
  stop_flag = 1;
  void (*also) (void) = stop_too;
  if (also != NULL)
    also ();
  for (guint i = 0; i < MAX_WATCHED; i++)
    {
      int v = watched[i];
      if (v > 0)
        shutdown (v - 1, SHUT_RDWR);
    }
  if (wake_write >= 0 && write (wake_write, "s", 1) < 0)
    {
      /* A full pipe already wakes every poll. */
    }
  errno = saved;
}

void
baton_net_stop_also (void (*stop) (void))
{
  stop_too = stop;
  if (stop_flag && stop != NULL)
    stop ();
}

gboolean
baton_net_stop_requested (void)
{
  return stop_flag != 0;
}

void
baton_net_watch_fd (int fd)
{
  if (fd < 0)
    return;
  for (guint i = 0; i < MAX_WATCHED; i++)
    if (watched[i] == 0)
      {
        watched[i] = fd + 1;
        break;
      }
  /* Registered first, checked second: a stop that came before is seen
   * here, one that comes after finds the fd in the table. */
  if (stop_flag)
    shutdown (fd, SHUT_RDWR);
}

void
baton_net_unwatch_fd (int fd)
{
  if (fd < 0)
    return;
  for (guint i = 0; i < MAX_WATCHED; i++)
    if (watched[i] == fd + 1)
      watched[i] = 0;
}

/* The read end of the wake pipe, created on first use. */
static int
wake_fd (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      int fds[2];
      if (pipe2 (fds, O_CLOEXEC | O_NONBLOCK) == 0)
        {
          wake_read = fds[0];
          wake_write = fds[1];
        }
      g_once_init_leave (&done, 1);
    }
  return wake_read;
}

/* Waits until @fd shows @events or @deadline (monotonic µs) passes.
 * 1: ready, 0: time is up, -1: a stop was requested. */
static int
wait_fd (int fd, short events, gint64 deadline)
{
  struct pollfd fds[2] = { { fd, events, 0 }, { wake_fd (), POLLIN, 0 } };
  for (;;)
    {
      if (stop_flag)
        return -1;
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        return 0;
      int n = poll (fds, fds[1].fd >= 0 ? 2 : 1, (int) MIN (left / 1000 + 1, 1000));
      if (n < 0 && errno != EINTR)
        return 1; /* let the caller's next call report the trouble */
      if (n > 0 && fds[0].revents != 0 && !stop_flag)
        return 1;
    }
}

/* getaddrinfo() has no timeout and ignores signals, so it runs in a thread
 * of its own that the caller can walk away from: whichever of the two
 * drops the last reference frees the lookup. */
typedef struct {
  gint refs;
  char *host; /* owned */
  char service[8];
  struct addrinfo *found; /* owned */
  int rc;
  int done[2]; /* the thread writes a byte to done[1] when it has finished */
} Lookup;

static void
lookup_unref (Lookup *l)
{
  if (!g_atomic_int_dec_and_test (&l->refs))
    return;
  if (l->found != NULL)
    freeaddrinfo (l->found);
  close (l->done[0]);
  close (l->done[1]);
  g_free (l->host);
  g_free (l);
}

static gpointer
lookup_run (gpointer data)
{
  Lookup *l = data;
  struct addrinfo hints = { 0 };
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo *found = NULL;
  int rc = getaddrinfo (l->host, l->service, &hints, &found);
  l->found = found;
  g_atomic_int_set (&l->rc, rc);
  if (write (l->done[1], "d", 1) < 0)
    {
      /* The pipe is new and empty: this cannot fill it. */
    }
  lookup_unref (l);
  return NULL;
}

/* The addresses of @host, or NULL with @error set. Caller frees with
 * freeaddrinfo(). */
static struct addrinfo *
resolve (const char *host, guint16 port, gint64 deadline, guint timeout, GError **error)
{
  Lookup *l = g_new0 (Lookup, 1);
  if (pipe2 (l->done, O_CLOEXEC) != 0)
    {
      g_free (l);
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "%s", g_strerror (errno));
      return NULL;
    }
  l->refs = 2;
  l->host = g_strdup (host);
  g_snprintf (l->service, sizeof l->service, "%u", port);
  GThread *thread = g_thread_new ("baton-resolve", lookup_run, l);

  int w = wait_fd (l->done[0], POLLIN, deadline);
  /* Finished: joined, so no thread is still exiting when baton does
   * (LeakSanitizer's exit scan crashed on one, "Tracer caught signal 11",
   * one run in four under load). Still stuck in getaddrinfo(): left to
   * finish on its own. */
  if (w == 1)
    g_thread_join (thread);
  else
    g_thread_unref (thread);
  struct addrinfo *found = NULL;
  if (w == 1)
    {
      int rc = g_atomic_int_get (&l->rc);
      if (rc == 0)
        found = g_steal_pointer (&l->found);
      else
        g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "%s",
                     rc == EAI_SYSTEM ? g_strerror (errno) : gai_strerror (rc));
    }
  else if (w == 0)
    g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "the name did not resolve within %u s",
                 timeout);
  else
    g_set_error_literal (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "baton was asked to stop");
  lookup_unref (l);
  return found;
}

/* One address: a watched socket, connected, made blocking again; -1 with
 * @error set. */
static int
connect_one (const struct addrinfo *ai, gint64 deadline, guint timeout, GError **error)
{
  int fd = socket (ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (fd < 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "%s", g_strerror (errno));
      return -1;
    }
  baton_net_watch_fd (fd);
  int err = 0;
  if (connect (fd, ai->ai_addr, ai->ai_addrlen) != 0)
    err = errno;
  if (err == EINPROGRESS)
    {
      int w = wait_fd (fd, POLLOUT, deadline);
      socklen_t len = sizeof err;
      if (w == 1 && getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
      else if (w == 0)
        err = ETIMEDOUT;
      else if (w < 0)
        err = EINTR;
    }
  if (err == 0 && stop_flag)
    err = EINTR;
  if (err != 0)
    {
      baton_net_unwatch_fd (fd);
      close (fd);
      if (err == EINTR)
        g_set_error_literal (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "baton was asked to stop");
      else if (err == ETIMEDOUT)
        g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "no answer within %u s", timeout);
      else
        g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "%s", g_strerror (err));
      return -1;
    }
  /* The transports' libraries wait with select() themselves and expect
   * blocking reads and writes. */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

int
baton_net_connect (const char *host, guint16 port, guint timeout_seconds, GError **error)
{
  g_return_val_if_fail (host != NULL, -1);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  struct addrinfo *found = resolve (host, port, deadline, timeout_seconds, error);
  if (found == NULL)
    return -1;
  g_autoptr (GError) last = NULL;
  int fd = -1;
  for (struct addrinfo *ai = found; ai != NULL && fd < 0; ai = ai->ai_next)
    {
      g_clear_error (&last);
      fd = connect_one (ai, deadline, timeout_seconds, &last);
      if (fd < 0 && (stop_flag || g_get_monotonic_time () >= deadline))
        break;
    }
  freeaddrinfo (found);
  if (fd < 0)
    g_propagate_error (error, g_steal_pointer (&last));
  return fd;
}
