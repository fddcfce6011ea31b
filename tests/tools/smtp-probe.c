/* SPDX-License-Identifier: MIT */
/* smtp-probe: drives include/baton/smtp.h against a real server for the
 * shell tests (tests/shell/smtp-*.t).
 *
 *   smtp-probe --url URL [--allow-plaintext] [--user U --password P]
 *              [--ca-file F] [--timeout S] --from ADDR --to ADDR [--to ADDR...]
 *              [--count N] [--lf] [--each] [--keep-going]
 *
 * Sends N (default 1) messages through ONE sender (one connection), each
 * with "Subject: smtp-probe i/N"; prints "sent=i" after each. --lf writes
 * the messages with bare LF line ends; --each sends message i only to the
 * i-th --to (round robin). On failure prints "smtp-probe: CLASS: message"
 * on stderr and exits with baton_error_exit_code() (75 temporary, 69
 * unavailable, 77 permission...); with --keep-going it prints
 * "failed=i CLASS" and goes on, exiting with the last failure's code.
 */
#include "baton/error.h"
#include "baton/smtp.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *
make_message (const char *from, const char *const *to, int i, int n, gboolean lf)
{
  g_autofree char *to_list = g_strjoinv (", ", (char **) to);
  g_autofree char *text = g_strdup_printf (
      "From: <%s>\nTo: %s\nSubject: smtp-probe %d/%d\nMessage-ID: <probe.%d.%d@baton.test>\n"
      "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
      "Message %d of %d.\n.A line that starts with a dot must survive.\n",
      from, to_list, i, n, (int) getpid (), i, i, n);
  if (lf)
    return g_steal_pointer (&text);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  return g_strjoinv ("\r\n", lines);
}

static int
fail (GError *error)
{
  fprintf (stderr, "smtp-probe: %s: %s\n", baton_error_class_name (error), error->message);
  int code = baton_error_exit_code (error);
  g_error_free (error);
  return code;
}

int
main (int argc, char **argv)
{
  g_autofree char *url = NULL, *user = NULL, *password = NULL, *ca_file = NULL, *from = NULL;
  g_auto (GStrv) to = NULL;
  int timeout = 10, count = 1;
  gboolean allow_plaintext = FALSE, lf = FALSE, each = FALSE, keep_going = FALSE;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "smtp[s]://host:port", "URL" },
    { "allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &allow_plaintext, "allow plain", NULL },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "login", "U" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "password", "P" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "CA PEM", "F" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "seconds", "S" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "envelope sender", "ADDR" },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, "recipient", "ADDR" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "messages", "N" },
    { "lf", 0, 0, G_OPTION_ARG_NONE, &lf, "bare LF line ends", NULL },
    { "each", 0, 0, G_OPTION_ARG_NONE, &each, "one recipient per message", NULL },
    { "keep-going", 0, 0, G_OPTION_ARG_NONE, &keep_going, "go on after failures", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse (context, &argc, &argv, &error) || from == NULL || to == NULL)
    {
      fprintf (stderr, "smtp-probe: usage: %s\n", error ? error->message : "--from and --to");
      g_clear_error (&error);
      return 64;
    }
  signal (SIGPIPE, SIG_IGN);
  BatonSmtpSettings settings = {
    .url = url,
    .allow_plaintext = allow_plaintext,
    .user = user,
    .password = password,
    .ca_file = ca_file,
    .timeout_seconds = (guint) timeout,
  };
  g_autoptr (BatonSmtpSender) sender = baton_smtp_sender_new (&settings, &error);
  if (sender == NULL)
    return fail (error);
  guint n_to = g_strv_length (to);
  int status = 0;
  for (int i = 1; i <= count; i++)
    {
      const char *one[] = { to[(guint) (i - 1) % n_to], NULL };
      const char *const *rcpts = each ? one : (const char *const *) to;
      g_autofree char *msg = make_message (from, rcpts, i, count, lf);
      if (baton_smtp_send (sender, from, rcpts, msg, strlen (msg), &error))
        printf ("sent=%d\n", i);
      else if (!keep_going)
        return fail (error);
      else
        {
          printf ("failed=%d %s\n", i, baton_error_class_name (error));
          status = fail (error);
          error = NULL;
        }
      fflush (stdout);
    }
  return status;
}
