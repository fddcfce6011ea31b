/* SPDX-License-Identifier: MIT */
/* What the command line does to the team without a mail: `baton undo`,
 * `baton release` and the direct commands (`baton reopen N --as NAME`).
 * Each is its own transaction, beside baton_workflow_ingest() (workflow.c)
 * rather than below it: the per-command modules (workflow-apply.c,
 * workflow-undo.c, …) only ever run inside a transaction someone above
 * them holds, so nothing they call leads back up here. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

#include "baton/clock.h"
#include "baton/error.h"

#include <string.h>

/* "<id@host>" as written in a mail's headers, or without the brackets. */
static char *
bare_message_id (const char *message_id)
{
  g_autofree char *id = g_strstrip (g_strdup (message_id));
  gsize length = strlen (id);
  if (length >= 2 && id[0] == '<' && id[length - 1] == '>')
    return g_strndup (id + 1, length - 2);
  return g_steal_pointer (&id);
}

/* The undo itself, inside the transaction baton_workflow_undo() holds. */
static gboolean
undo_in_transaction (BatonTeam *team, const char *id, BatonIngestResult *result, GError **error)
{
  gint64 row = 0;
  g_autofree char *member = NULL, *outcome = NULL;
  if (!baton_store_message_find (team->store, id, &row, &member, &outcome, error))
    return FALSE;
  if (row == 0 || member == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT,
                   row == 0 ? "no mail %s was ingested: check the Message-ID (`baton log` "
                              "lists what each mail did)"
                            : "mail %s was not applied (held or ignored): nothing to undo",
                   id);
      return FALSE;
    }
  result->member = g_strdup (member);
  ApplyContext context = { team, NULL, result, member, baton_clock_now_unix (), 0 };
  g_autoptr (BatonLineResult) line = g_new0 (BatonLineResult, 1);
  line->source = g_strdup_printf ("undo %s", id);
  line->kind = BATON_COMMAND_UNDO;
  if (!workflow_undo_message (&context, row, id, line, error))
    return FALSE;
  result->outcome = g_strdup (line->ok ? "applied" : "failed");
  g_ptr_array_add (result->lines, g_steal_pointer (&line));
  return TRUE;
}

BatonIngestResult *
baton_workflow_undo (BatonTeam *team, const char *message_id, GError **error)
{
  g_autofree char *id = bare_message_id (message_id);
  g_autoptr (BatonIngestResult) result = workflow_result_new (id);
  if (!baton_store_begin (team->store, error))
    return NULL;
  if (!undo_in_transaction (team, id, result, error))
    {
      baton_store_rollback (team->store);
      return NULL;
    }
  if (!baton_store_commit (team->store, error))
    return NULL;
  return g_steal_pointer (&result);
}

/* The held mail's bytes: kept in the database, or the file its source
 * names. */
static GBytes *
held_bytes (BatonHeldRaw *held, const char *id, GError **error)
{
  if (held->raw != NULL)
    return g_bytes_ref (held->raw);
  char *contents = NULL;
  gsize length = 0;
  if (held->source != NULL && g_str_has_prefix (held->source, "file:") &&
      g_file_get_contents (held->source + 5, &contents, &length, NULL))
    return g_bytes_new_take (contents, length);
  g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT,
               "mail %s is held but baton did not keep its bytes (source %s): ingest it again "
               "from there",
               id, held->source ? held->source : "unknown");
  return NULL;
}

BatonIngestResult *
baton_workflow_release (BatonTeam *team, const char *message_id, const char *from, GError **error)
{
  g_autofree char *id = bare_message_id (message_id);
  g_auto (BatonHeldRaw) held = { 0 };
  if (!baton_store_held_find (team->store, id, &held, error))
    return NULL;
  if (held.row == 0)
    {
      gint64 row = 0;
      g_autofree char *member = NULL, *outcome = NULL;
      if (!baton_store_message_find (team->store, id, &row, &member, &outcome, error))
        return NULL;
      if (row == 0)
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT,
                       "no mail %s is held: check the Message-ID in your digest's HELD list", id);
          return NULL;
        }
      /* Released before (or never held): once is all it applies. */
      g_autoptr (BatonIngestResult) result = workflow_result_new (id);
      result->outcome = g_strdup ("duplicate");
      result->reason = g_strdup_printf ("mail %s is not held (%s): nothing to release", id,
                                        outcome ? outcome : "unknown");
      result->member = g_strdup (member);
      return g_steal_pointer (&result);
    }
  if (from != NULL && (held.sender == NULL || g_ascii_strcasecmp (from, held.sender) != 0))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT, "mail %s is held from %s, not from %s",
                   id, held.sender ? held.sender : "(no sender)", from);
      return NULL;
    }
  if (baton_config_member_by_address (team->config, held.sender) == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_DATA,
                   "%s is still not a member of the team: add them to the config "
                   "(a [member] section with this email), then release the mail",
                   held.sender ? held.sender : "(no sender)");
      return NULL;
    }
  g_autoptr (GBytes) bytes = held_bytes (&held, id, error);
  if (bytes == NULL)
    return NULL;
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autofree char *source = g_strdup_printf ("release:%s", held.source ? held.source : "");
  /* One transaction: the held row is set aside by the new one. */
  return baton_workflow_ingest (team, data ? data : "", length, source, error);
}

BatonIngestResult *
baton_workflow_command (BatonTeam *team, const char *member, const BatonCommand *command,
                        GError **error)
{
  const BatonMember *acting = baton_config_member_lookup (team->config, member);
  if (acting == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "there is no member called %s: name one from `baton members` with --as", member);
      return NULL;
    }
  g_autoptr (BatonIngestResult) result = workflow_result_new ("(command line)");
  result->member = g_strdup (acting->name);
  ApplyContext context = { team, NULL, result, acting->name, baton_clock_now_unix (), 0 };
  if (!baton_store_begin (team->store, error))
    return NULL;
  if (!workflow_apply_command (&context, command, error))
    {
      baton_store_rollback (team->store);
      return NULL;
    }
  if (!baton_store_commit (team->store, error))
    return NULL;
  gboolean ok = result->lines->len > 0 && ((BatonLineResult *) result->lines->pdata[0])->ok;
  result->outcome = g_strdup (ok ? "applied" : "failed");
  return g_steal_pointer (&result);
}
