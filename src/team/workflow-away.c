/* SPDX-License-Identifier: MIT */
/* `away` and `back`: commands about the member who writes them, not about
 * a task. An away period is days of the member's own calendar; it stops
 * their digests and holds morning notices (src/team/schedule.c, notify.c), and
 * whoever hands them a task while they are away hears of it at once. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

#include "baton/worktime.h"

#include <string.h>

static BatonLineResult *
away_line (const BatonCommand *command)
{
  BatonLineResult *line = g_new0 (BatonLineResult, 1);
  line->line = command->line;
  line->kind = command->kind;
  line->source = g_strdup (command->source ? command->source : "");
  return line;
}

G_GNUC_PRINTF (3, 4)
static void
away_finish (ApplyContext *context, BatonLineResult *line, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  line->outcome = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (context->result->lines, line);
}

/* The sender's week (no away periods: those are what is being changed). */
static const BatonMember *
sender_member (ApplyContext *context, BatonWorktime *week)
{
  const BatonMember *member = baton_config_member_by_name (context->team->config, context->sender);
  if (member != NULL)
    baton_config_member_week (member, NULL, week);
  return member;
}

static gboolean
apply_away (ApplyContext *context, const BatonCommand *command, GError **error)
{
  BatonLineResult *line = away_line (command);
  BatonWorktime week;
  if (sender_member (context, &week) == NULL)
    return away_finish (context, line, "only a member can be away"), TRUE;
  guint32 today = baton_worktime_local_day (&week, context->now);
  const char *text = command->text != NULL ? command->text : "";
  const char *dots = strstr (text, "..");
  g_autofree char *first_text = dots ? g_strndup (text, dots - text) : NULL;
  guint32 first = today, last = 0;
  if (dots == NULL || (*first_text != '\0' && !baton_date_parse (first_text, &first, NULL)) ||
      !baton_date_parse (dots + 2, &last, NULL) || last < first)
    return away_finish (context, line,
                        "write `away until 2027-01-04` or "
                        "`away 2026-12-21..2027-01-03`"),
           TRUE;
  if (last < today)
    {
      g_autofree char *shown = baton_date_format (last);
      away_finish (context, line,
                   "%s is in the past: write the day you are back, "
                   "`away until 2027-01-04`",
                   shown);
      return TRUE;
    }
  if (!baton_store_away_set (context->team->store, context->sender, first, last, context->now,
                             error))
    return workflow_line_free (line), FALSE;
  g_autofree char *from = baton_date_format (first);
  g_autofree char *to = baton_date_format (last);
  g_autofree char *back = baton_date_format (last + 1);
  line->ok = TRUE;
  away_finish (context, line,
               "you are away %s..%s: no digests then, one on your first working day from %s "
               "(write `back` to return sooner)",
               from, to, back);
  return TRUE;
}

static gboolean
apply_back (ApplyContext *context, const BatonCommand *command, GError **error)
{
  BatonLineResult *line = away_line (command);
  gboolean was_away = FALSE;
  if (!baton_store_away_clear (context->team->store, context->sender, &was_away, error))
    return workflow_line_free (line), FALSE;
  line->ok = TRUE;
  away_finish (context, line,
               was_away ? "welcome back: your digests and notices resume"
                        : "you were not marked away; nothing changed");
  return TRUE;
}

gboolean
workflow_apply_member_command (ApplyContext *context, const BatonCommand *command, GError **error)
{
  if (command->kind == BATON_COMMAND_AWAY)
    return apply_away (context, command, error);
  return apply_back (context, command, error);
}

gboolean
workflow_tell_if_away (ApplyContext *context, const BatonMember *receiver, BatonLineResult *line,
                       GError **error)
{
  g_autoptr (GArray) away = baton_store_away_get (context->team->store, receiver->name, error);
  if (away == NULL)
    return FALSE;
  BatonWorktime week;
  baton_config_member_week (receiver, away, &week);
  guint32 today = baton_worktime_local_day (&week, context->now);
  for (guint i = 0; i < away->len; i++)
    {
      const BatonAway *period = &g_array_index (away, BatonAway, i);
      if (today < period->first || today > period->last)
        continue;
      g_autofree char *until = baton_date_format (period->last);
      g_autofree char *outcome =
          g_strdup_printf ("%s (%s is away until %s)", line->outcome, receiver->name, until);
      g_free (line->outcome);
      line->outcome = g_steal_pointer (&outcome);
      line->tell = TRUE;
      break;
    }
  return TRUE;
}
