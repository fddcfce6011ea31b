/* `baton explain FILE`: what baton understands of a message and what would
 * happen, without changing anything (the workflow runs in a transaction
 * that is rolled back). `--text` prints only the newly written text: a
 * public interface that scripts and the reply-corpus judge rely on. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/error.h"
#include "baton/outbox.h"
#include "baton/readahead.h"
#include "baton/workflow.h"

#include <stdio.h>

static void
print_indented (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    printf ("  | %s\n", lines[i]);
}

static void
print_message (const BatonMessage *message)
{
  printf ("From:        %s%s%s%s\n", message->from_name ? message->from_name : "",
          message->from_name ? " <" : "", message->from_address ? message->from_address : "(none)",
          message->from_name ? ">" : "");
  printf ("Message-ID:  %s\n", message->message_id ? message->message_id : "(none)");
  printf ("Subject:     %s\n", message->subject);
  if (message->auto_reason)
    printf ("Machine mail: %s\n", message->auto_reason);
  printf ("Body:        %s", message->body_was_html ? "HTML only, converted to text" : "text");
  if (message->body_truncated)
    printf ("; truncated: only its first %d KB are read", BATON_MESSAGE_MAX_BODY / 1024);
  printf ("\n");
  printf ("\nNewly written text:\n");
  print_indented (message->visible_text);
}

static void
print_result (const BatonIngestResult *result)
{
  printf ("\nSender:      %s\n", result->member ? result->member : "not a member");
  printf ("Outcome:     %s%s%s\n", result->outcome, result->reason ? ": " : "",
          result->reason ? result->reason : "");
  if (result->context_task > 0)
    printf ("Context:     task #%" G_GINT64_FORMAT " (%s)\n", result->context_task,
            result->context_source);
  if (result->lines->len > 0)
    printf ("\nCommands:\n");
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      printf ("  line %-3u %-8s %s\n           %s %s\n", line->line,
              baton_command_kind_name (line->kind), line->source,
              line->ok ? "->" : "FAILED:", line->outcome);
    }
  for (guint i = 0; i < result->notices->len; i++)
    {
      const BatonNotice *notice = result->notices->pdata[i];
      printf ("%s  %s notice to %s about #%" G_GINT64_FORMAT "\n",
              i == 0 ? "\nWould notify:\n" : "", notice->kind, notice->to_member, notice->task);
    }
}

gboolean
baton_cli_explain (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean text_only = FALSE;
  GOptionEntry entries[] = { { "text", 0, 0, G_OPTION_ARG_NONE, &text_only,
                               "print only the newly written text", NULL },
                             { NULL } };
  if (!baton_cli_parse_options ("explain", "FILE", entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "give one message file (see baton explain --help)");
      return FALSE;
    }
  /* Parsed from the file itself, as ingest does: a big attachment is
   * never read into memory. */
  g_autoptr (BatonParsedFile) file = baton_parsed_file_open (argv[1], "explain", NULL);
  if (file->message == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&file->error));
      return FALSE;
    }
  const BatonMessage *message = file->message;
  if (text_only)
    {
      printf ("%s\n", message->visible_text);
      return TRUE;
    }
  print_message (message);
  g_autoptr (GError) team_error = NULL;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, &team_error);
  if (team == NULL)
    {
      printf ("\n(no team configuration: %s)\n", team_error->message);
      return TRUE;
    }
  baton_outbox_attach (team);
  BatonRawMail raw = { NULL, file->fd, file->length };
  g_autoptr (BatonIngestResult) result = baton_workflow_dry_run (team, message, &raw, error);
  if (result == NULL)
    return FALSE;
  print_result (result);
  return TRUE;
}
