/* SPDX-License-Identifier: MIT */
/* `baton init` and `baton check`. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/error.h"
#include "baton/imap.h"
#include "baton/poll.h"
#include "baton/smtp.h"
#include "baton/store.h"
#include "baton/templates.h"
#include "baton/workflow.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

gboolean
baton_cli_init (const BatonCli *cli, int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  if (!baton_cli_parse_options ("init", "", entries, &argc, &argv, error))
    return FALSE;
  const char *path = cli->config_given ? cli->config_path : "baton.conf";
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GError) local = NULL;
      if (!g_file_set_contents_full (path, baton_config_sample (), -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0640, &local))
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "%s", local->message);
          return FALSE;
        }
      g_message ("wrote %s: edit the team address and members, then run baton check", path);
    }
  /* The config names the database: load it first, so a broken config
   * creates nothing. */
  g_autoptr (BatonConfig) config = baton_config_load (path, error);
  if (config == NULL || !baton_store_create (config->database, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (path, error);
  if (team == NULL)
    return FALSE;
  g_message ("database %s is ready", team->config->database);
  return TRUE;
}

/* ---- check --connect ---------------------------------------------------- */

typedef struct {
  const BatonCli *cli;
  GError *first; /* the first failure: its code is the exit status */
  guint failures;
} Probe;

static void step_ok (Probe *probe, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
step_ok (Probe *probe, const char *format, ...)
{
  if (probe->cli->verbosity == 0)
    return;
  va_list args;
  va_start (args, format);
  g_autofree char *text = g_strdup_vprintf (format, args);
  va_end (args);
  printf ("%s\n", text);
}

/* Each failure its own line on stderr, naming the side it came from. */
static void
step_failed (Probe *probe, const char *side, GError *failure)
{
  fprintf (stderr, "%s: %s\n", side, failure->message);
  probe->failures++;
  if (probe->first == NULL)
    probe->first = g_error_copy (failure);
}

/* A processed or failed folder that is missing is created by the first
 * move, so it is said, not failed. */
static void
probe_folder (Probe *probe, BatonImapSession *session, const char *key, const char *folder)
{
  g_autoptr (GError) failure = NULL;
  if (folder == NULL)
    return;
  if (baton_imap_select (session, folder, NULL, NULL, &failure))
    step_ok (probe, "imap: %s = %s opened", key, folder);
  else if (g_error_matches (failure, BATON_ERROR, BATON_ERROR_CONFIG))
    step_ok (probe,
             "imap: %s = %s cannot be opened yet (%s); baton creates it when it first "
             "moves mail there",
             key, folder, failure->message);
  else
    step_failed (probe, "imap", failure);
}

static void
probe_imap (Probe *probe, const BatonConfig *config)
{
  g_autoptr (GError) failure = NULL;
  g_autoptr (BatonPollSettings) settings = baton_poll_settings_new (config, &failure);
  g_autoptr (BatonImapSession) session =
      settings ? baton_imap_connect (&settings->imap, &failure) : NULL;
  if (session == NULL)
    {
      step_failed (probe, "imap", failure);
      return;
    }
  step_ok (probe, "imap: %s:%u: TLS verified, logged in as %s", settings->imap.host,
           settings->imap.port, settings->imap.user);
  guint32 uidvalidity = 0, uidnext = 0;
  if (!baton_imap_select (session, NULL, &uidvalidity, &uidnext, &failure))
    {
      step_failed (probe, "imap", failure);
      return;
    }
  step_ok (probe, "imap: mailbox %s opened (UIDVALIDITY %u)", settings->imap.mailbox, uidvalidity);
  probe_folder (probe, session, "processed-folder", settings->processed_folder);
  probe_folder (probe, session, "failed-folder", settings->failed_folder);
}

static void
probe_smtp (Probe *probe, const BatonSmtpConfig *smtp)
{
  g_autoptr (GError) failure = NULL;
  g_autofree char *password = NULL;
  if (smtp->user != NULL &&
      (password = baton_config_read_secret (smtp->password_file, smtp->password_command, "[smtp]",
                                            &failure)) == NULL)
    {
      step_failed (probe, "smtp", failure);
      return;
    }
  BatonSmtpSettings settings = { smtp->url, smtp->allow_plaintext, smtp->user,
                                 password,  smtp->ca_file,         0 };
  g_autoptr (BatonSmtpSender) sender = baton_smtp_sender_new (&settings, &failure);
  gboolean ok = sender != NULL && baton_smtp_probe (sender, &failure);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
  if (!ok)
    {
      step_failed (probe, "smtp", failure);
      return;
    }
  step_ok (probe, "smtp: %s: EHLO%s accepted%s%s; no mail sent", smtp->url,
           g_str_has_prefix (smtp->url, "smtp://") && !smtp->allow_plaintext ? ", STARTTLS" : "",
           smtp->user ? ", logged in as " : "", smtp->user ? smtp->user : "");
}

/* Logs in wherever the config says baton will, sending nothing. */
static gboolean
check_connect (const BatonCli *cli, const BatonConfig *config, GError **error)
{
  Probe probe = { cli, NULL, 0 };
  if (config->imap != NULL)
    probe_imap (&probe, config);
  if (config->smtp != NULL)
    probe_smtp (&probe, config->smtp);
  if (config->imap == NULL && config->smtp == NULL)
    step_ok (&probe, "no [imap] or [smtp] section: nothing to connect to");
  if (probe.first == NULL)
    return TRUE;
  g_set_error (error, BATON_ERROR, probe.first->code, "%u connection problem%s found (above)",
               probe.failures, probe.failures == 1 ? "" : "s");
  g_error_free (probe.first);
  return FALSE;
}

gboolean
baton_cli_check (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean connect = FALSE;
  GOptionEntry entries[] = { { "connect", 0, 0, G_OPTION_ARG_NONE, &connect,
                               "also log in to the IMAP and SMTP servers (sends nothing)", NULL },
                             { NULL } };
  if (!baton_cli_parse_options ("check", "", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) problems = baton_config_problems (cli->config_path, warnings);
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "%s\n", (char *) warnings->pdata[i]);
  g_autoptr (BatonConfig) config = NULL;
  if (problems->len == 0)
    {
      config = baton_config_load (cli->config_path, error);
      if (config == NULL)
        return FALSE;
      g_autoptr (GPtrArray) template_problems = baton_templates_check (config->templates_dir);
      g_ptr_array_extend_and_steal (problems, g_steal_pointer (&template_problems));
    }
  for (guint i = 0; i < problems->len; i++)
    fprintf (stderr, "%s\n", (char *) problems->pdata[i]);
  if (problems->len > 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%u problem%s found", problems->len,
                   problems->len == 1 ? "" : "s");
      return FALSE;
    }
  if (connect && !check_connect (cli, config, error))
    return FALSE;
  if (cli->verbosity > 0)
    printf ("%s: no problems found%s\n", cli->config_path,
            connect ? "; the servers accepted baton"
                    : " (servers not contacted: baton check --connect logs in to them)");
  return TRUE;
}
