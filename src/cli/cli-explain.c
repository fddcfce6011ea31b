/* SPDX-License-Identifier: MIT */
/* `baton explain FILE`: what baton understands of a message and what would
 * happen, without changing anything (the workflow runs in a transaction
 * that is rolled back). `--text` prints only the newly written text: a
 * public interface that scripts and the reply-corpus judge rely on. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/error.h"
#include "baton/outbox.h"
#include "baton/readahead.h"
#include "baton/text.h"
#include "baton/visible.h"
#include "baton/workflow.h"

#include <stdio.h>

/* Everything below came from the mail: each value is printed through
 * baton_text_line() (one line, no control character for the terminal),
 * the newly written text line by line through baton_text_lines(). */
static void
print_indented (const char *text)
{
  g_autofree char *safe = baton_text_lines (text);
  g_auto (GStrv) lines = g_strsplit (safe, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    printf ("  | %s\n", lines[i]);
}

/* printf ("%s%s\n", label, the sanitized VALUE or FALLBACK). */
static void
print_field (const char *label, const char *value, const char *fallback)
{
  g_autofree char *safe = baton_text_line (value ? value : fallback);
  printf ("%s%s\n", label, safe);
}

/* Which rule removed which lines of the body (counted as the body's text
 * splits into lines), so a reader can tell why a line did not act. */
static void
print_rule_cuts (const char *body)
{
  g_autoptr (BatonVisible) visible = baton_visible_find (body);
  if (visible->cuts->len == 0)
    return;
  printf ("\nNot newly written (lines of the body):\n");
  for (guint i = 0; i < visible->cuts->len; i++)
    {
      const BatonVisibleCut *cut = visible->cuts->pdata[i];
      if (cut->to_end)
        printf ("  cut at line %u: %s\n", cut->first_line, cut->rule);
      else if (cut->first_line == cut->last_line)
        printf ("  line %u: %s\n", cut->first_line, cut->rule);
      else
        printf ("  line %u-%u: %s\n", cut->first_line, cut->last_line, cut->rule);
    }
}

static void
print_message (const BatonMessage *message)
{
  g_autofree char *from =
      message->from_name
          ? g_strdup_printf ("%s <%s>", message->from_name,
                             message->from_address ? message->from_address : "(none)")
          : g_strdup (message->from_address ? message->from_address : "(none)");
  print_field ("From:        ", from, NULL);
  print_field ("Message-ID:  ", message->message_id, "(none)");
  print_field ("Subject:     ", message->subject, "");
  if (message->auto_reason)
    print_field ("Machine mail: ", message->auto_reason, NULL);
  printf ("Body:        %s", message->body_was_html ? "HTML only, converted to text" : "text");
  if (message->body_truncated)
    printf ("; truncated: only its first %d KB are read", BATON_MESSAGE_MAX_BODY / 1024);
  printf ("\n");
  printf ("\nNewly written text:\n");
  print_indented (message->visible_text);
  print_rule_cuts (message->body_text);
}

/* Which known parent made which lines old (DESIGN §9: --text prints only
 * what is left). */
static void
print_cuts (const BatonNewText *fresh)
{
  if (fresh->cuts->len == 0)
    return;
  printf ("\nOld text recognised by its parent:\n");
  for (guint i = 0; i < fresh->cuts->len; i++)
    printf ("  %s\n", (const char *) fresh->cuts->pdata[i]);
  printf ("\nNewly written text after the cut:\n");
  print_indented (fresh->text);
}

static void
print_result (const BatonIngestResult *result)
{
  printf ("\nSender:      %s\n", result->member ? result->member : "not a member");
  g_autofree char *outcome = g_strdup_printf ("%s%s%s", result->outcome, result->reason ? ": " : "",
                                              result->reason ? result->reason : "");
  print_field ("Outcome:     ", outcome, NULL);
  if (result->context_task > 0)
    {
      g_autofree char *how = baton_text_line (result->context_source);
      printf ("Context:     task #%" G_GINT64_FORMAT " (%s)\n", result->context_task, how);
    }
  if (result->lines->len > 0)
    printf ("\nCommands:\n");
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      g_autofree char *source = baton_text_line (line->source);
      g_autofree char *said = baton_text_line (line->outcome);
      printf ("  line %-3u %-8s %s\n           %s %s\n", line->line,
              baton_command_kind_name (line->kind), source, line->ok ? "->" : "FAILED:", said);
    }
  /* As the outbox sends them: one notice per receiver (the hourly limit
   * aside, which depends on the moment it is sent). */
  g_autoptr (GPtrArray) groups = baton_outbox_group_notices (result->notices);
  for (guint i = 0; i < groups->len; i++)
    {
      GPtrArray *group = groups->pdata[i];
      const BatonNotice *notice = group->pdata[0];
      printf ("%s", i == 0 ? "\nWould notify:\n" : "");
      if (group->len == 1)
        printf ("  %s notice to %s about #%" G_GINT64_FORMAT "\n", notice->kind, notice->to_member,
                notice->task);
      else
        printf ("  one notice to %s about %u tasks, #%" G_GINT64_FORMAT " first\n",
                notice->to_member, group->len, notice->task);
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
  g_autoptr (GError) team_error = NULL;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, &team_error);
  /* Without a team there are no parents to know: the text is the
   * visible text. */
  g_autoptr (BatonNewText) fresh = team ? baton_workflow_new_text (team, message, error) : NULL;
  if (team != NULL && fresh == NULL)
    return FALSE;
  if (text_only)
    {
      g_autofree char *text = baton_text_lines (fresh ? fresh->text : message->visible_text);
      printf ("%s\n", text);
      return TRUE;
    }
  print_message (message);
  if (team == NULL)
    {
      printf ("\n(no team configuration: %s)\n", team_error->message);
      return TRUE;
    }
  print_cuts (fresh);
  baton_outbox_attach (team);
  BatonRawMail raw = { NULL, file->fd, file->length };
  g_autoptr (BatonIngestResult) result = baton_workflow_dry_run (team, message, &raw, error);
  if (result == NULL)
    return FALSE;
  print_result (result);
  return TRUE;
}
