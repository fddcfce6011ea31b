/* SPDX-License-Identifier: MIT */
/* imap-probe: drives include/baton/imap.h against a real server for the
 * shell tests (tests/shell/imap-*.t).
 *
 *   imap-probe [OPTIONS] STEP...
 *     --host H --port P --tls imaps|starttls|plain --allow-plaintext
 *     --user U --password P --ca-file F --mailbox M --timeout S
 *   steps, run in order on one session:
 *     select             print "uidvalidity=N uidnext=N"
 *     fetch:FIRST:LAST   fetch BODY.PEEK[] (LAST 0 = no bound); print one
 *                        "uid=N size=N subject=S" per message, then
 *                        "fetched=N commands=N" (IMAP commands it took)
 *     above:UID          print "above=UID,UID,..."
 *     move:FOLDER        move every UID fetched so far to FOLDER
 *     idle:SECONDS       print "idling", wait, print "new_mail=0|1 ms=N";
 *                        SIGUSR1 interrupts the wait (baton_imap_idle_interrupt)
 *     caps               print "move=0|1 uidplus=0|1 idle=0|1"
 *
 * On failure prints "imap-probe: CLASS: message" on stderr and exits with
 * baton_error_exit_code() (75 temporary, 77 permission, 78 config...).
 */
#include "baton/error.h"
#include "baton/imap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  GArray *fetched; /* guint32 UIDs, owned */
} Probe;

/* The session SIGUSR1 interrupts; set while it exists. */
static BatonImapSession *volatile idle_session;

static void
on_usr1 (int signo)
{
  (void) signo;
  baton_imap_idle_interrupt (idle_session);
}

static char *
subject_of (const char *bytes, gsize len)
{
  g_autofree char *head = g_strndup (bytes, len);
  for (char *line = head; line != NULL && *line != '\0' && *line != '\n';)
    {
      char *end = strchr (line, '\n');
      if (end != NULL)
        *end = '\0';
      if (g_ascii_strncasecmp (line, "Subject:", 8) == 0)
        return g_strstrip (g_strdup (line + 8));
      line = end != NULL ? end + 1 : NULL;
    }
  return g_strdup ("");
}

static gboolean
print_message (guint32 uid, const char *bytes, int fd, gsize len, gpointer user_data,
               GError **error)
{
  Probe *probe = user_data;
  (void) error;
  /* A large message comes in a file: its head is enough for the subject. */
  char head[4096];
  gsize head_len = len;
  if (bytes == NULL)
    {
      ssize_t got = pread (fd, head, MIN (len, sizeof head), 0);
      bytes = head;
      head_len = got > 0 ? (gsize) got : 0;
    }
  g_autofree char *subject = subject_of (bytes, head_len);
  g_strdelimit (subject, "\r", ' ');
  printf ("uid=%u size=%" G_GSIZE_FORMAT " subject=%s\n", uid, len, subject);
  g_array_append_val (probe->fetched, uid);
  return TRUE;
}

static gboolean
step_fetch (BatonImapSession *s, Probe *probe, const char *arg, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (arg, ":", 2);
  guint32 first = (guint32) g_ascii_strtoull (parts[0], NULL, 10);
  guint32 last = parts[1] != NULL ? (guint32) g_ascii_strtoull (parts[1], NULL, 10) : 0;
  guint before = baton_imap_commands_sent (s);
  guint had = probe->fetched->len;
  if (!baton_imap_fetch_range (s, first, last, print_message, probe, error))
    return FALSE;
  printf ("fetched=%u commands=%u\n", probe->fetched->len - had,
          baton_imap_commands_sent (s) - before);
  return TRUE;
}

static gboolean
step_above (BatonImapSession *s, const char *arg, GError **error)
{
  g_autoptr (GArray) uids =
      baton_imap_list_uids_above (s, (guint32) g_ascii_strtoull (arg, NULL, 10), error);
  if (uids == NULL)
    return FALSE;
  g_autoptr (GString) out = g_string_new ("above=");
  for (guint i = 0; i < uids->len; i++)
    g_string_append_printf (out, "%s%u", i ? "," : "", g_array_index (uids, guint32, i));
  puts (out->str);
  return TRUE;
}

static gboolean
step_idle (BatonImapSession *s, const char *arg, GError **error)
{
  puts ("idling");
  fflush (stdout);
  gint64 start = g_get_monotonic_time ();
  gboolean new_mail = FALSE;
  if (!baton_imap_idle_wait (s, (guint) g_ascii_strtoull (arg, NULL, 10), &new_mail, error))
    return FALSE;
  printf ("new_mail=%d ms=%" G_GINT64_FORMAT "\n", new_mail,
          (g_get_monotonic_time () - start) / 1000);
  return TRUE;
}

static gboolean
run_step (BatonImapSession *s, Probe *probe, const char *step, GError **error)
{
  if (strcmp (step, "select") == 0)
    {
      guint32 validity = 0, next = 0;
      if (!baton_imap_select (s, NULL, &validity, &next, error))
        return FALSE;
      printf ("uidvalidity=%u uidnext=%u\n", validity, next);
      return TRUE;
    }
  if (strcmp (step, "caps") == 0)
    {
      printf ("move=%d uidplus=%d idle=%d\n", baton_imap_has_capability (s, "MOVE"),
              baton_imap_has_capability (s, "UIDPLUS"), baton_imap_has_capability (s, "IDLE"));
      return TRUE;
    }
  if (g_str_has_prefix (step, "fetch:"))
    return step_fetch (s, probe, step + 6, error);
  if (g_str_has_prefix (step, "above:"))
    return step_above (s, step + 6, error);
  if (g_str_has_prefix (step, "move:"))
    {
      if (!baton_imap_move (s, (guint32 *) (void *) probe->fetched->data, probe->fetched->len,
                            step + 5, error))
        return FALSE;
      printf ("moved=%u\n", probe->fetched->len);
      return TRUE;
    }
  if (g_str_has_prefix (step, "idle:"))
    return step_idle (s, step + 5, error);
  g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE, "unknown step %s", step);
  return FALSE;
}

static gboolean
parse_tls (const char *value, BatonImapTls *tls)
{
  if (g_strcmp0 (value, "imaps") == 0)
    *tls = BATON_IMAP_TLS_IMAPS;
  else if (g_strcmp0 (value, "starttls") == 0)
    *tls = BATON_IMAP_TLS_STARTTLS;
  else if (g_strcmp0 (value, "plain") == 0)
    *tls = BATON_IMAP_TLS_PLAIN;
  else
    return FALSE;
  return TRUE;
}

static int
fail (GError *error)
{
  fprintf (stderr, "imap-probe: %s: %s\n", baton_error_class_name (error), error->message);
  int code = baton_error_exit_code (error);
  g_error_free (error);
  return code;
}

int
main (int argc, char **argv)
{
  g_autofree char *host = NULL, *tls_name = NULL, *user = NULL, *password = NULL;
  g_autofree char *ca_file = NULL, *mailbox = NULL;
  int port = 0, timeout = 10;
  gboolean allow_plaintext = FALSE;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "server", "H" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "port", "P" },
    { "tls", 0, 0, G_OPTION_ARG_STRING, &tls_name, "imaps|starttls|plain", "MODE" },
    { "allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &allow_plaintext, "allow plain", NULL },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "login", "U" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "password", "P" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "CA PEM", "F" },
    { "mailbox", 0, 0, G_OPTION_ARG_STRING, &mailbox, "mailbox", "M" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "seconds", "S" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("STEP...");
  g_option_context_add_main_entries (context, entries, NULL);
  GError *error = NULL;
  BatonImapSettings settings = { 0 };
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !parse_tls (tls_name ? tls_name : "imaps", &settings.tls))
    {
      fprintf (stderr, "imap-probe: usage: %s\n", error ? error->message : "bad --tls");
      g_clear_error (&error);
      return 64;
    }
  signal (SIGPIPE, SIG_IGN);
  settings.host = host;
  settings.port = (guint16) port;
  settings.allow_plaintext = allow_plaintext;
  settings.user = user;
  settings.password = password;
  settings.ca_file = ca_file;
  settings.mailbox = mailbox;
  settings.timeout_seconds = (guint) timeout;

  g_autoptr (BatonImapSession) session = baton_imap_connect (&settings, &error);
  if (session == NULL)
    return fail (error);
  puts ("connected");
  idle_session = session;
  signal (SIGUSR1, on_usr1);
  g_autoptr (GArray) fetched = g_array_new (FALSE, FALSE, sizeof (guint32));
  Probe probe = { fetched };
  for (int i = 1; i < argc; i++)
    {
      if (!run_step (session, &probe, argv[i], &error))
        {
          signal (SIGUSR1, SIG_IGN);
          return fail (error);
        }
      fflush (stdout);
    }
  signal (SIGUSR1, SIG_IGN);
  idle_session = NULL;
  return 0;
}
