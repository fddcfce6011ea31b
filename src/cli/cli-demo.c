/* SPDX-License-Identifier: MIT */
/* `baton demo`: a small Paris / San Francisco story run through the real
 * pipeline (parse, rules, store, outbox to a Maildir) in a scratch
 * directory, with the clock set per mail through BATON_NOW. No servers. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/clock.h"
#include "baton/config.h"
#include "baton/error.h"
#include "baton/outbox.h"
#include "baton/workflow.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *now; /* BATON_NOW while this mail arrives */
  const char *story;
  const char *mail; /* NULL: run `baton digest` and show DIGEST_FOR's */
  const char *digest_for;
} DemoMail;

static const DemoMail demo_mails[] = {
  { "2026-03-09T08:05:00Z", "Monday 09:05 in Paris: Alice plans the week",
    "From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: Plan\n"
    "Message-ID: <plan@alice.example.com>\nDate: Mon, 09 Mar 2026 09:05:00 +0100\n\n"
    "Morning all, here is the plan for the API release.\n\n"
    "task: Write the migration guide\n"
    "task: Deploy the API to staging\n"
    "task: Review the auth part @bob\n",
    NULL },
  { "2026-03-09T17:05:00Z", "Monday 18:05 in Paris: Alice passes the baton to Bob",
    "From: Alice Martin <alice@example.com>\nTo: team@example.com\nSubject: Mon update\n"
    "Message-ID: <update@alice.example.com>\nDate: Mon, 09 Mar 2026 18:05:00 +0100\n\n"
    "API draft is up for review; the auth part still needs eyes.\n\n"
    "take 2\n"
    "handoff 2 to bob: tests pass locally, needs the staging deploy before 9am PT\n"
    "\n-- \nAlice\n",
    NULL },
  { "2026-03-09T17:20:00Z", "Alice's out-of-office answers a teammate: machine mail never acts",
    "From: Alice Martin <alice@example.com>\nTo: team@example.com\n"
    "Subject: Out of office: Re: lunch\nAuto-Submitted: auto-replied\n"
    "Message-ID: <ooo@alice.example.com>\n\nI am out until tomorrow.\ndone 1\n",
    NULL },
  { "2026-03-09T19:00:00Z", "A stranger tries to take a task: quarantined",
    "From: Mallory <mallory@elsewhere.example>\nTo: team@example.com\nSubject: hi\n"
    "Message-ID: <x1@elsewhere.example>\n\ntake 3\n",
    NULL },
  { "2026-03-10T07:31:00Z", "Tuesday 08:31 in Paris: Alice's digest shows the stranger's mail held",
    NULL, "alice@example.com" },
  { "2026-03-10T15:31:00Z", "Tuesday 08:31 in San Francisco: Bob wakes up to his digest", NULL,
    "bob@example.com" },
  { "2026-03-10T15:40:00Z", "Tuesday 08:40 in San Francisco: Bob replies to the handoff",
    "From: Bob Stone <bob@example.com>\nTo: team@example.com\n"
    "Subject: Re: [#2] Deploy the API to staging\n"
    "Message-ID: <deployed@bob.example.com>\nIn-Reply-To: <update@alice.example.com>\n"
    "Date: Tue, 10 Mar 2026 08:40:00 -0700\n\n"
    "Deployed, smoke tests are green.\n"
    "done\n\n"
    "On Mon, Mar 9, 2026 at 10:05 AM Alice Martin <alice@example.com> wrote:\n"
    "> handoff 2 to bob: tests pass locally, needs the staging deploy before 9am PT\n",
    NULL },
  { "2026-03-10T15:45:00Z", "Bob picks up more work; one line has a typo",
    "From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: Tue\n"
    "Message-ID: <tue@bob.example.com>\nDate: Tue, 10 Mar 2026 08:45:00 -0700\n\n"
    "take 1\n"
    "block 1: waiting for the API freeze\n"
    "done 99\n"
    "\nSent from my iPhone\n",
    NULL },
  { "2026-03-10T15:50:00Z", "The same mail delivered twice: applied once",
    "From: Bob Stone <bob@example.com>\nTo: team@example.com\nSubject: Tue\n"
    "Message-ID: <tue@bob.example.com>\nDate: Tue, 10 Mar 2026 08:45:00 -0700\n\n"
    "take 1\n"
    "block 1: waiting for the API freeze\n"
    "done 99\n",
    NULL },
};

/* Shows the text part of the newest digest, as its reader would see it. */
static gboolean
print_latest_digest (BatonTeam *team, const char *recipient, GError **error)
{
  g_autoptr (GPtrArray) due = baton_store_outbox_due (team->store, G_MAXINT64, error);
  if (due == NULL)
    return FALSE;
  for (guint i = due->len; i-- > 0;)
    {
      const BatonOutgoing *outgoing = due->pdata[i];
      if (!g_str_equal (outgoing->kind, "digest") || !g_str_equal (outgoing->recipient, recipient))
        continue;
      gsize size = 0;
      const char *data = g_bytes_get_data (outgoing->mime, &size);
      g_autoptr (BatonMessage) mail = baton_message_parse (data, size, error);
      if (mail == NULL)
        return FALSE;
      printf ("   -> digest to %s, \"%s\":\n", outgoing->recipient, mail->subject);
      g_auto (GStrv) lines = g_strsplit (mail->body_text, "\n", -1);
      for (guint l = 0; lines[l] != NULL; l++)
        printf ("      | %s\n", lines[l]);
      return TRUE;
    }
  printf ("   -> no digest for %s: nothing happened that they did not do themselves\n", recipient);
  return TRUE;
}

static void
print_result (const BatonIngestResult *result)
{
  printf ("   -> %s%s%s\n", result->outcome, result->reason ? ": " : "",
          result->reason ? result->reason : "");
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      printf ("      %s %-62.62s %s\n", line->ok ? "ok  " : "FAIL", line->source, line->outcome);
    }
}

static gboolean
write_config (const char *dir, char **config_path, GError **error)
{
  *config_path = g_build_filename (dir, "baton.conf", NULL);
  if (g_file_test (*config_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE,
                   "%s already exists: give baton demo an empty or new --dir", *config_path);
      return FALSE;
    }
  /* The same file `baton init` writes: the demo shows the setup a user starts from. */
  return g_file_set_contents (*config_path, baton_config_sample (), -1, error);
}

static gboolean
run_story (BatonTeam *team, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (demo_mails); i++)
    {
      const DemoMail *mail = &demo_mails[i];
      g_setenv ("BATON_NOW", mail->now, TRUE);
      printf ("\n%s  %s\n", mail->now, mail->story);
      if (mail->mail == NULL)
        {
          BatonDigestStats stats = { 0 };
          if (!baton_outbox_queue_digests (team, FALSE, &stats, error) ||
              !print_latest_digest (team, mail->digest_for, error))
            return FALSE;
          continue;
        }
      g_autoptr (BatonIngestResult) result =
          baton_workflow_ingest (team, mail->mail, strlen (mail->mail), "demo", error);
      if (result == NULL)
        return FALSE;
      print_result (result);
    }
  return TRUE;
}

static gboolean
print_board (BatonTeam *team, GError **error)
{
  g_autoptr (GPtrArray) tasks = baton_store_tasks_list (team->store, TRUE, error);
  if (tasks == NULL)
    return FALSE;
  printf ("\nThe task board (baton tasks --all):\n");
  for (guint i = 0; i < tasks->len; i++)
    {
      const BatonTask *task = tasks->pdata[i];
      printf ("  #%-3" G_GINT64_FORMAT " %-8s %-6s %s%s%s%s\n", task->id, task->state,
              task->owner ? task->owner : "-", task->title, task->blocked_reason ? " (" : "",
              task->blocked_reason ? task->blocked_reason : "", task->blocked_reason ? ")" : "");
    }
  return TRUE;
}

gboolean
baton_cli_demo (const BatonCli *cli, int argc, char **argv, GError **error)
{
  (void) cli;
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = { { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
                               "where to keep the demo's files (default: demo)", "DIR" },
                             { NULL } };
  if (!baton_cli_parse_options ("demo", "", entries, &argc, &argv, error))
    return FALSE;
  if (dir == NULL)
    dir = g_strdup ("demo");
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "cannot create %s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  g_autofree char *config_path = NULL;
  if (!write_config (dir, &config_path, error))
    return FALSE;
  g_setenv ("BATON_NOW", "2026-03-09T07:00:00Z", TRUE); /* the team joins */
  g_autoptr (BatonConfig) config = baton_config_load (config_path, error);
  if (config == NULL || !baton_store_create (config->database, error)) /* as baton init does */
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (config_path, error);
  if (team == NULL)
    return FALSE;
  baton_outbox_attach (team);
  printf ("baton demo: Alice works in Paris, Bob in San Francisco, nine hours apart.\n"
          "Files: %s\n",
          dir);
  if (!run_story (team, error))
    return FALSE;
  if (!print_board (team, error))
    return FALSE;
  return baton_outbox_demo_summary (team, error);
}
