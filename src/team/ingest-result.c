/* SPDX-License-Identifier: MIT */
/* What one mail (or one command line) did: the result every stage of the
 * workflow adds its lines and notices to. Its own module so that the
 * per-command code (workflow-apply.c, workflow-undo.c, …) builds results
 * without depending on workflow.c, which depends on them. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

void
workflow_line_free (BatonLineResult *line)
{
  if (line == NULL)
    return;
  g_free (line->source);
  g_free (line->outcome);
  g_free (line);
}

static void
notice_free (BatonNotice *notice)
{
  g_free (notice->kind);
  g_free (notice->to_member);
  g_free (notice->from_member);
  g_free (notice->note);
  g_free (notice);
}

void
baton_ingest_result_free (BatonIngestResult *result)
{
  if (result == NULL)
    return;
  g_free (result->message_id);
  g_free (result->outcome);
  g_free (result->reason);
  g_free (result->member);
  g_free (result->context_source);
  g_ptr_array_unref (result->lines);
  g_ptr_array_unref (result->notices);
  g_free (result);
}

BatonIngestResult *
workflow_result_new (const char *message_id)
{
  BatonIngestResult *result = g_new0 (BatonIngestResult, 1);
  result->message_id = g_strdup (message_id);
  result->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) workflow_line_free);
  result->notices = g_ptr_array_new_with_free_func ((GDestroyNotify) notice_free);
  return result;
}
