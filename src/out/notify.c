/* SPDX-License-Identifier: MIT */
/* Notices (handoff, taken) and the reply to a sender, queued inside the
 * transaction of the mail that caused them. */
#define G_LOG_DOMAIN "baton-outbox"
#include "outbox-private.h"

#include "baton/clock.h"
#include "baton/schedule.h"
#include "baton/text.h"

/* Titles and notes are cut in notices: a notice's size must not be the
 * size of what a stranger could type into one line. */
#define TITLE_CHARS 200
#define NOTE_CHARS 1000

static void
add_task (JsonBuilder *builder, const BatonTask *task)
{
  json_builder_set_member_name (builder, "task");
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "id", task->id);
  outbox_json_text (builder, "title", task->title, TITLE_CHARS);
  baton_json_add_string (builder, "state", task->state);
  baton_json_add_string (builder, "owner", task->owner);
  json_builder_end_object (builder);
}

/* The last BATON_NOTICE_HISTORY events, and how many came before them:
 * rendering a task's whole history into every notice made a 500-line
 * mail cost 10.7 MB of notices. */
static void
add_history (JsonBuilder *builder, GPtrArray *events, gint64 total, const char *tzid)
{
  baton_json_add_bool (builder, "history", total > 1);
  baton_json_add_int (builder, "earlier", total - (gint64) events->len);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      const BatonEvent *event = events->pdata[i];
      g_autofree char *when = baton_schedule_format_local (tzid, event->at, "%a %d %b %H:%M");
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "when", when);
      outbox_json_text (builder, "who", event->who, 0);
      baton_json_add_string (builder, "kind", event->kind);
      outbox_json_text (builder, "note", event->note, NOTE_CHARS);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static JsonNode *
notice_data (BatonTeam *team, const BatonNotice *notice, const BatonTask *task,
             const BatonMember *to, GPtrArray *events, gint64 total)
{
  const BatonConfig *config = team->config;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *done_address = outbox_plus_address (config, "done", task->id);
  g_autofree char *take_address = outbox_plus_address (config, "take", task->id);
  json_builder_begin_object (builder);
  add_task (builder, task);
  outbox_json_member (builder, "from", baton_config_member_by_name (config, notice->from_member),
                      notice->from_member);
  outbox_json_member (builder, "to", to, NULL);
  outbox_json_text (builder, "note", notice->note, NOTE_CHARS);
  baton_json_add_string (builder, "team_address", config->team_address);
  baton_json_add_string (builder, "done_address", done_address);
  baton_json_add_string (builder, "take_address", take_address);
  add_history (builder, events, total, to->timezone);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* With handoff-delivery = morning a notice waits until the receiver is at
 * work: at once within their working hours, else the start of their next
 * working period (never a weekend, holiday or away day). 0 means now; -1
 * with @error when the receiver's away periods cannot be read. */
static gint64
notice_not_before (BatonTeam *team, const BatonMember *to, GError **error)
{
  if (!team->config->handoff_at_morning)
    return 0;
  g_autoptr (GArray) away = baton_store_away_get (team->store, to->name, error);
  if (away == NULL)
    return -1;
  BatonWorktime week;
  baton_config_member_week (to, away, &week);
  gint64 now = baton_clock_now_unix ();
  gint64 at = baton_worktime_deliver_at (&week, now);
  return at > now ? at : 0;
}

static gboolean
queue_notice (BatonTeam *team, const BatonNotice *notice, const BatonMember *to, GError **error)
{
  g_autoptr (BatonTask) task = baton_store_task_get (team->store, notice->task, error);
  if (task == NULL)
    return error == NULL || *error == NULL;
  /* Read here, where a database error still stops the mail's transaction
   * (75, retried whole) instead of sending a notice without its history. */
  gint64 total = 0;
  g_autoptr (GPtrArray) events =
      baton_store_events_last (team->store, task->id, BATON_NOTICE_HISTORY, &total, error);
  if (events == NULL)
    return FALSE;
  gboolean handoff = g_str_equal (notice->kind, "handoff");
  gboolean taken = g_str_equal (notice->kind, "taken");
  /* Closed or blocked by someone else: what was done, and the line that
   * takes it back. */
  gboolean closed = g_str_equal (notice->kind, "done");
  g_autoptr (JsonNode) data = notice_data (team, notice, task, to, events, total);
  if (!handoff && !taken)
    {
      JsonObject *object = json_node_get_object (data);
      json_object_set_string_member (object, "action", closed ? "closed" : "blocked");
      json_object_set_string_member (object, "fix", closed ? "reopen" : "unblock");
    }
  g_autofree char *text = outbox_render (team,
                                         handoff ? "handoff.txt"
                                         : taken ? "taken.txt"
                                                 : "changed.txt",
                                         data, FALSE, error);
  if (text == NULL)
    return FALSE;
  g_autofree char *title = baton_text_line_max (task->title, TITLE_CHARS);
  g_autofree char *subject = g_strdup_printf ("[#%" G_GINT64_FORMAT "] %s (%s %s)", task->id, title,
                                              handoff  ? "handed to you by"
                                              : taken  ? "taken by"
                                              : closed ? "closed by"
                                                       : "blocked by",
                                              notice->from_member);
  g_autofree char *thread = outbox_task_thread_id (team->config, task->id);
  const char *references[] = { thread, NULL };
  gint64 not_before = notice_not_before (team, to, error);
  if (not_before < 0)
    return FALSE;
  OutgoingMail mail = { handoff || taken ? notice->kind : "changed",
                        task->id,
                        to->display_name,
                        to->email,
                        subject,
                        text,
                        NULL,
                        thread,
                        references,
                        not_before };
  return outbox_queue_mail (team, &mail, error);
}

/* One entry of a combined notice. */
static gboolean
add_listed_task (BatonTeam *team, JsonBuilder *builder, const BatonNotice *notice, GError **error)
{
  g_autoptr (BatonTask) task = baton_store_task_get (team->store, notice->task, error);
  if (task == NULL)
    return error == NULL || *error == NULL;
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "id", task->id);
  outbox_json_text (builder, "title", task->title, TITLE_CHARS);
  baton_json_add_bool (builder, "handoff", g_str_equal (notice->kind, "handoff"));
  outbox_json_text (builder, "note", notice->note, NOTE_CHARS);
  json_builder_end_object (builder);
  return TRUE;
}

/* Several tasks for one receiver from one mail: one notice listing the
 * first BATON_NOTICE_TASKS of them and how many more there are (a mail
 * with 10,000 `task: … @bob` lines used to queue 10,000 notices). */
static gboolean
queue_combined (BatonTeam *team, GPtrArray *notices, const BatonMember *to, GError **error)
{
  const BatonNotice *first = notices->pdata[0];
  guint handoffs = 0;
  for (guint i = 0; i < notices->len; i++)
    handoffs += g_str_equal (((BatonNotice *) notices->pdata[i])->kind, "handoff");
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  outbox_json_member (builder, "from",
                      baton_config_member_by_name (team->config, first->from_member),
                      first->from_member);
  outbox_json_member (builder, "to", to, NULL);
  baton_json_add_int (builder, "count", notices->len);
  baton_json_add_int (builder, "handed", handoffs);
  baton_json_add_int (builder, "taken", notices->len - handoffs);
  baton_json_add_int (builder, "more", notices->len - MIN (notices->len, BATON_NOTICE_TASKS));
  baton_json_add_string (builder, "team_address", team->config->team_address);
  json_builder_set_member_name (builder, "tasks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < notices->len && i < BATON_NOTICE_TASKS; i++)
    if (!add_listed_task (team, builder, notices->pdata[i], error))
      return FALSE;
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  g_autoptr (JsonNode) data = json_builder_get_root (builder);
  g_autofree char *text = outbox_render (team, "notices.txt", data, FALSE, error);
  if (text == NULL)
    return FALSE;
  g_autofree char *subject =
      handoffs == notices->len
          ? g_strdup_printf ("%u tasks handed to you by %s", handoffs, first->from_member)
      : handoffs == 0
          ? g_strdup_printf ("%u of your tasks taken by %s", notices->len, first->from_member)
          : g_strdup_printf ("%u tasks handed to you and %u taken by %s", handoffs,
                             notices->len - handoffs, first->from_member);
  gint64 not_before = notice_not_before (team, to, error);
  if (not_before < 0)
    return FALSE;
  OutgoingMail mail = { handoffs > 0 ? "handoff" : "taken",
                        0,
                        to->display_name,
                        to->email,
                        subject,
                        text,
                        NULL,
                        NULL,
                        NULL,
                        not_before };
  return outbox_queue_mail (team, &mail, error);
}

GPtrArray *
baton_outbox_group_notices (GPtrArray *notices)
{
  g_autoptr (GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < notices->len; i++)
    {
      const BatonNotice *notice = notices->pdata[i];
      g_hash_table_insert (
          last, g_strdup_printf ("%s %" G_GINT64_FORMAT, notice->to_member, notice->task),
          GUINT_TO_POINTER (i));
    }
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GHashTable) by_receiver = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < notices->len; i++)
    {
      BatonNotice *notice = notices->pdata[i];
      g_autofree char *key =
          g_strdup_printf ("%s %" G_GINT64_FORMAT, notice->to_member, notice->task);
      if (GPOINTER_TO_UINT (g_hash_table_lookup (last, key)) != i)
        continue;
      GPtrArray *group = g_hash_table_lookup (by_receiver, notice->to_member);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_ptr_array_add (groups, group);
          g_hash_table_insert (by_receiver, notice->to_member, group);
        }
      g_ptr_array_add (group, notice);
    }
  return groups;
}

/* At most BATON_NOTICES_PER_HOUR notices to one member in an hour; past
 * that nothing is lost (every event is in the log and in their next
 * digest), but their mailbox is not flooded. */
static gboolean
within_hourly_budget (BatonTeam *team, const BatonMember *to, gboolean *within, GError **error)
{
  gint64 since = baton_clock_now_unix () - 3600, total = 0;
  static const char *const kinds[] = { "handoff", "taken", "changed" };
  if (!baton_store_outbox_count_kinds (team->store, to->email, kinds, G_N_ELEMENTS (kinds), since,
                                       &total, error))
    return FALSE;
  *within = total < BATON_NOTICES_PER_HOUR;
  if (!*within)
    g_info ("notice to=%s held back: %" G_GINT64_FORMAT " notices in the last hour; "
            "the next digest carries it",
            to->email, total);
  return TRUE;
}

/* Notices that a task was closed or blocked under its holder go one by
 * one (the hourly budget still bounds them); the combined notice is for
 * handoffs and takes. */
static gboolean
is_change (const BatonNotice *notice)
{
  return !g_str_equal (notice->kind, "handoff") && !g_str_equal (notice->kind, "taken");
}

static gboolean
queue_notices (BatonTeam *team, GPtrArray *all, GError **error)
{
  g_autoptr (GPtrArray) notices = g_ptr_array_new ();
  for (guint i = 0; i < all->len; i++)
    {
      const BatonNotice *notice = all->pdata[i];
      const BatonMember *to = baton_config_member_by_name (team->config, notice->to_member);
      gboolean within = FALSE;
      if (!is_change (notice))
        g_ptr_array_add (notices, all->pdata[i]);
      else if (to != NULL && (!within_hourly_budget (team, to, &within, error) ||
                              (within && !queue_notice (team, notice, to, error))))
        return FALSE;
    }
  g_autoptr (GPtrArray) groups = baton_outbox_group_notices (notices);
  for (guint i = 0; i < groups->len; i++)
    {
      GPtrArray *group = groups->pdata[i];
      const BatonNotice *first = group->pdata[0];
      const BatonMember *to = baton_config_member_by_name (team->config, first->to_member);
      gboolean within = FALSE;
      if (to == NULL)
        continue; /* a member since removed from the config: nobody to tell */
      if (!within_hourly_budget (team, to, &within, error))
        return FALSE;
      if (within && !(group->len == 1 ? queue_notice (team, first, to, error)
                                      : queue_combined (team, group, to, error)))
        return FALSE;
    }
  return TRUE;
}

/* The subject as the reply quotes it: a mail without one is "(no subject)",
 * not "". Borrowed from MESSAGE or static. */
static const char *
shown_subject (const BatonMessage *message)
{
  return message->subject != NULL && *message->subject != '\0' ? message->subject : "(no subject)";
}

static JsonNode *
reply_data (BatonTeam *team, const BatonMessage *message, const BatonIngestResult *result,
            guint failed)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  outbox_json_text (builder, "subject", shown_subject (message), TITLE_CHARS);
  baton_json_add_string (builder, "team_address", team->config->team_address);
  baton_json_add_int (builder, "failed_count", failed);
  baton_json_add_int (builder, "line_count", result->lines->len);
  gboolean undoable = FALSE;
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      undoable |= line->ok && line->task > 0 && line->kind != BATON_COMMAND_UNDO;
    }
  baton_json_add_bool (builder, "undo", undoable);
  json_builder_set_member_name (builder, "lines");
  json_builder_begin_array (builder);
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      /* A free-text update spans lines; one line keeps the reply's
       * "line N: ..." layout readable. */
      json_builder_begin_object (builder);
      baton_json_add_int (builder, "line", line->line);
      outbox_json_text (builder, "source", line->source, TITLE_CHARS);
      baton_json_add_bool (builder, "ok", line->ok);
      outbox_json_text (builder, "outcome", line->outcome, NOTE_CHARS);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A reply goes back to the sender when a line failed (or always, with
 * acknowledge = yes), but never more than a few an hour: a client stuck in
 * a loop with us must not turn baton into a mail cannon. */
static gboolean
queue_reply (BatonTeam *team, const BatonMessage *message, const BatonIngestResult *result,
             GError **error)
{
  guint failed = 0, tell = 0;
  for (guint i = 0; i < result->lines->len; i++)
    {
      failed += !((BatonLineResult *) result->lines->pdata[i])->ok;
      tell += ((BatonLineResult *) result->lines->pdata[i])->tell;
    }
  if (failed == 0 && tell == 0 && !(team->config->acknowledge && result->lines->len > 0))
    return TRUE;
  const BatonMember *sender = baton_config_member_by_name (team->config, result->member);
  gint64 recent = 0;
  if (!baton_store_outbox_count (team->store, sender->email, "reply",
                                 baton_clock_now_unix () - 3600, &recent, error))
    return FALSE;
  if (recent >= BATON_REPLIES_PER_HOUR)
    {
      g_info ("reply to=%s suppressed: %" G_GINT64_FORMAT " replies in the last hour",
              sender->email, recent);
      return TRUE;
    }
  g_autoptr (JsonNode) data = reply_data (team, message, result, failed);
  g_autofree char *text = outbox_render (team, "reply.txt", data, FALSE, error);
  if (text == NULL)
    return FALSE;
  /* "RE:" and "re:" are replies too (Outlook writes "RE:"): no "Re: RE:". */
  g_autofree char *original = baton_text_line_max (shown_subject (message), TITLE_CHARS);
  g_autofree char *subject = g_ascii_strncasecmp (original, "re:", 3) == 0
                                 ? g_strdup (original)
                                 : g_strdup_printf ("Re: %s", original);
  g_autoptr (GPtrArray) references = g_ptr_array_new ();
  for (guint i = 0; message->references[i] != NULL; i++)
    g_ptr_array_add (references, message->references[i]);
  if (message->message_id)
    g_ptr_array_add (references, message->message_id);
  g_ptr_array_add (references, NULL);
  OutgoingMail mail = { "reply",
                        result->context_task,
                        sender->display_name,
                        sender->email,
                        subject,
                        text,
                        NULL,
                        message->message_id,
                        (const char *const *) references->pdata,
                        0 };
  return outbox_queue_mail (team, &mail, error);
}

gboolean
baton_outbox_queue_notices (BatonTeam *team, const BatonMessage *message, BatonIngestResult *result,
                            GError **error)
{
  if (!queue_notices (team, result->notices, error))
    return FALSE;
  return queue_reply (team, message, result, error);
}

void
baton_outbox_attach (BatonTeam *team)
{
  team->queue_notices = baton_outbox_queue_notices;
}
