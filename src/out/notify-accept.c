/* SPDX-License-Identifier: MIT */
/* What an unaccepted handoff causes once its time is up (docs/DESIGN.md
 * §12): one reminder to the receiver at their next working start, one
 * escalation to the giver at theirs, and with return-after the task back
 * with the giver. Run by `digest`, `send` and `run`: no cron line of its
 * own. Each step is recorded in the pending row in the same transaction as
 * its mail, so it happens once however often cron runs. */
#define G_LOG_DOMAIN "baton-outbox"
#include "outbox-private.h"

#include "baton/acceptance.h"
#include "baton/clock.h"
#include "baton/schedule.h"
#include "baton/text.h"

#define TITLE_CHARS 200

typedef struct {
  BatonTeam *team;
  const BatonPending *pending;
  const BatonTask *task;
  const BatonMember *receiver;
  const BatonMember *giver;
  BatonWorktime receiver_week;
  BatonWorktime giver_week;
  gint64 now;
} Due;

/* @member's week, with their away periods (kept alive in *@away). */
static gboolean
member_week (BatonTeam *team, const BatonMember *member, GArray **away, BatonWorktime *week,
             GError **error)
{
  *away = baton_store_away_get (team->store, member->name, error);
  if (*away == NULL)
    return FALSE;
  baton_config_member_week (member, *away, week);
  return TRUE;
}

/* "1 working day", "8 working hours". */
static char *
within_text (BatonWithin within)
{
  return g_strdup_printf ("%u working %s%s", within.amount, within.days ? "day" : "hour",
                          within.amount == 1 ? "" : "s");
}

/* "team+handoff-12-carol@example.com": an empty mail there hands task
 * @task to @member (commands.h). */
static char *
handoff_address (const BatonConfig *config, gint64 task, const BatonMember *member)
{
  const char *at = strrchr (config->team_address, '@');
  return g_strdup_printf ("%.*s+handoff-%" G_GINT64_FORMAT "-%s%s",
                          (int) (at - config->team_address), config->team_address, task,
                          member->name, at);
}

/* others[]: every member but the giver and the receiver, with the address
 * that hands the task to them in one click; has_others. */
static void
add_others (JsonBuilder *builder, const Due *due)
{
  const BatonConfig *config = due->team->config;
  guint count = 0;
  json_builder_set_member_name (builder, "others");
  json_builder_begin_array (builder);
  for (guint i = 0; i < config->members->len; i++)
    {
      const BatonMember *member = config->members->pdata[i];
      if (member == due->giver || member == due->receiver)
        continue;
      g_autofree char *address = handoff_address (config, due->task->id, member);
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "name", member->name);
      outbox_json_text (builder, "display_name", member->display_name, 0);
      baton_json_add_string (builder, "handoff_address", address);
      json_builder_end_object (builder);
      count++;
    }
  json_builder_end_array (builder);
  /* A list's section repeats per member: the lines around it need this. */
  baton_json_add_bool (builder, "has_others", count > 0);
}

static JsonNode *
due_data (const Due *due, const BatonMember *reader, gboolean returned)
{
  const BatonConfig *config = due->team->config;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *take_address = outbox_plus_address (config, "take", due->task->id);
  g_autofree char *accept_address = outbox_plus_address (config, "accept", due->task->id);
  g_autofree char *within = within_text (returned ? config->return_after : config->accept_within);
  g_autofree char *since =
      baton_schedule_format_local (reader->timezone, due->pending->since, "%a %d %b %H:%M");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "task");
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "id", due->task->id);
  outbox_json_text (builder, "title", due->task->title, TITLE_CHARS);
  json_builder_end_object (builder);
  outbox_json_member (builder, "from", due->giver, NULL);
  outbox_json_member (builder, "to", due->receiver, NULL);
  baton_json_add_string (builder, "within", within);
  baton_json_add_string (builder, "since", since);
  baton_json_add_bool (builder, "returned", returned);
  baton_json_add_string (builder, "team_address", config->team_address);
  baton_json_add_string (builder, "take_address", take_address);
  baton_json_add_string (builder, "accept_address", accept_address);
  add_others (builder, due);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Queues @template's mail about the due handoff to @to, held until @to's
 * next working start (@week). */
static gboolean
queue_due_mail (const Due *due, const char *kind, const BatonMember *to, const BatonWorktime *week,
                gboolean returned, GError **error)
{
  g_autoptr (JsonNode) data = due_data (due, to, returned);
  /* The return is told with escalation.txt ({{#returned}}), but filed as
   * its own kind: unlike an escalation it stays true after an accept. */
  g_autofree char *template_name = g_strdup_printf ("%s.txt", returned ? "escalation" : kind);
  g_autofree char *text = outbox_render (due->team, template_name, data, FALSE, error);
  if (text == NULL)
    return FALSE;
  g_autofree char *title = baton_text_line_max (due->task->title, TITLE_CHARS);
  g_autofree char *subject =
      g_strdup_printf ("[#%" G_GINT64_FORMAT "] %s (%s)", due->task->id, title,
                       returned                         ? "back with you: not accepted"
                       : g_str_equal (kind, "reminder") ? "waiting for you to accept it"
                                                        : "not accepted yet");
  g_autofree char *thread = outbox_task_thread_id (due->team->config, due->task->id);
  const char *references[] = { thread, NULL };
  gint64 at = baton_worktime_deliver_at (week, due->now);
  OutgoingMail mail = { kind, due->task->id, to->display_name, to->email,  subject,
                        text, NULL,          thread,           references, at > due->now ? at : 0 };
  return outbox_queue_mail (due->team, &mail, error);
}

/* return-after has passed: the task goes back to its giver, who is told. */
static gboolean
return_task (const Due *due, GError **error)
{
  g_autoptr (BatonTask) task = baton_store_task_get (due->team->store, due->task->id, error);
  if (task == NULL)
    return FALSE;
  g_free (task->owner);
  task->owner = g_strdup (due->giver->name);
  g_autofree char *within = within_text (due->team->config->return_after);
  g_autofree char *note =
      g_strdup_printf ("not accepted by %s within %s", due->receiver->name, within);
  BatonEventInput event = { .task = task->id,
                            .kind = "handoff",
                            .who = due->giver->name,
                            .from_member = due->receiver->name,
                            .to_member = due->giver->name,
                            .note = note,
                            .at = due->now };
  return baton_store_task_update (due->team->store, task, due->now, error) &&
         baton_store_event_add (due->team->store, &event, error) &&
         baton_store_pending_clear (due->team->store, task->id, NULL, error) &&
         queue_due_mail (due, "returned", due->giver, &due->giver_week, TRUE, error);
}

static gboolean
handle_due (Due *due, GError **error)
{
  const BatonConfig *config = due->team->config;
  gint64 accept_at =
      baton_acceptance_deadline (&due->receiver_week, config->accept_within, due->pending->since);
  gint64 return_at =
      baton_acceptance_deadline (&due->receiver_week, config->return_after, due->pending->since);
  guint what = baton_acceptance_due (accept_at, return_at, due->pending->reminded_at != 0,
                                     due->pending->escalated_at != 0, due->now);
  BatonStore *store = due->team->store;
  gint64 task = due->task->id;
  if (what & BATON_ACCEPT_RETURN)
    {
      g_info ("accept task=%" G_GINT64_FORMAT " returned to=%s", task, due->giver->name);
      return return_task (due, error);
    }
  if ((what & BATON_ACCEPT_REMIND) &&
      (!queue_due_mail (due, "reminder", due->receiver, &due->receiver_week, FALSE, error) ||
       !baton_store_pending_mark (store, task, FALSE, due->now, error)))
    return FALSE;
  if ((what & BATON_ACCEPT_ESCALATE) &&
      (!queue_due_mail (due, "escalation", due->giver, &due->giver_week, FALSE, error) ||
       !baton_store_pending_mark (store, task, TRUE, due->now, error)))
    return FALSE;
  if (what != 0)
    g_info ("accept task=%" G_GINT64_FORMAT " reminded=%s escalated_to=%s", task,
            due->receiver->name, due->giver->name);
  return TRUE;
}

/* One pending row, in its own transaction. A row whose task moved on (an
 * undo, a member gone from the config) is dropped. */
static gboolean
check_one (BatonTeam *team, const BatonPending *pending, gint64 now, GError **error)
{
  g_autoptr (BatonTask) task = baton_store_task_get (team->store, pending->task, error);
  if (task == NULL && error != NULL && *error != NULL)
    return FALSE;
  const BatonConfig *config = team->config;
  Due due = { .team = team,
              .pending = pending,
              .task = task,
              .receiver = baton_config_member_by_name (config, pending->receiver),
              .giver = baton_config_member_by_name (config, pending->giver),
              .now = now };
  if (task == NULL || g_str_equal (task->state, "done") ||
      g_strcmp0 (task->owner, pending->receiver) != 0 || due.receiver == NULL || due.giver == NULL)
    return baton_store_pending_clear (team->store, pending->task, NULL, error);
  g_autoptr (GArray) receiver_away = NULL;
  g_autoptr (GArray) giver_away = NULL;
  if (!member_week (team, due.receiver, &receiver_away, &due.receiver_week, error) ||
      !member_week (team, due.giver, &giver_away, &due.giver_week, error))
    return FALSE;
  return handle_due (&due, error);
}

gboolean
baton_outbox_queue_pending (BatonTeam *team, GError **error)
{
  const BatonConfig *config = team->config;
  if (config->accept_within.amount == 0 && config->return_after.amount == 0)
    return TRUE;
  /* Reminded and escalated, with no return-after to come: nothing any
   * later run can do for a row (it stays for the digest and the board, and
   * the workflow clears it), so it is not read. Before, every handoff never
   * accepted cost every run a transaction and eight database calls, for
   * ever (tests/shell/pending-cost.t). */
  g_autoptr (GPtrArray) all =
      baton_store_pending_to_check (team->store, config->return_after.amount > 0, error);
  if (all == NULL)
    return FALSE;
  gint64 now = baton_clock_now_unix ();
  for (guint i = 0; i < all->len; i++)
    {
      if (!baton_store_begin (team->store, error))
        return FALSE;
      /* Read again inside the transaction: another run may have done it. */
      const BatonPending *listed = all->pdata[i];
      g_autoptr (GError) local = NULL;
      g_autoptr (BatonPending) pending =
          baton_store_pending_get (team->store, listed->task, &local);
      gboolean ok = local == NULL && (pending == NULL || check_one (team, pending, now, &local));
      if (!ok)
        {
          baton_store_rollback (team->store);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (!baton_store_commit (team->store, error))
        return FALSE;
    }
  return TRUE;
}
