/* Notices (handoff, taken) and the reply to a sender, queued inside the
 * transaction of the mail that caused them. */
#define G_LOG_DOMAIN "baton-outbox"
#include "outbox-private.h"

#include "baton/clock.h"
#include "baton/schedule.h"

static void
add_task (JsonBuilder *builder, const BatonTask *task)
{
  json_builder_set_member_name (builder, "task");
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "id", task->id);
  baton_json_add_string (builder, "title", task->title);
  baton_json_add_string (builder, "state", task->state);
  baton_json_add_string (builder, "owner", task->owner);
  json_builder_end_object (builder);
}

static void
add_history (JsonBuilder *builder, GPtrArray *events, const char *tzid)
{
  baton_json_add_bool (builder, "history", events->len > 1);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      const BatonEvent *event = events->pdata[i];
      g_autofree char *when = baton_schedule_format_local (tzid, event->at, "%a %d %b %H:%M");
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "when", when);
      baton_json_add_string (builder, "who", event->who);
      baton_json_add_string (builder, "kind", event->kind);
      baton_json_add_string (builder, "note", event->note);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static JsonNode *
notice_data (BatonTeam *team, const BatonNotice *notice, const BatonTask *task,
             const BatonMember *to, GPtrArray *events)
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
  baton_json_add_string (builder, "note", notice->note);
  baton_json_add_string (builder, "team_address", config->team_address);
  baton_json_add_string (builder, "done_address", done_address);
  baton_json_add_string (builder, "take_address", take_address);
  add_history (builder, events, to->timezone);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
queue_notice (BatonTeam *team, const BatonNotice *notice, GError **error)
{
  const BatonMember *to = baton_config_member_by_name (team->config, notice->to_member);
  if (to == NULL)
    return TRUE; /* a member since removed from the config: nobody to tell */
  g_autoptr (BatonTask) task = baton_store_task_get (team->store, notice->task, error);
  if (task == NULL)
    return error == NULL || *error == NULL;
  /* Read here, where a database error still stops the mail's transaction
   * (75, retried whole) instead of sending a notice without its history. */
  g_autoptr (GPtrArray) events = baton_store_events_list (team->store, task->id, G_MININT64, error);
  if (events == NULL)
    return FALSE;
  gboolean handoff = g_str_equal (notice->kind, "handoff");
  g_autoptr (JsonNode) data = notice_data (team, notice, task, to, events);
  g_autofree char *text =
      outbox_render (team, handoff ? "handoff.txt" : "taken.txt", data, FALSE, error);
  if (text == NULL)
    return FALSE;
  g_autofree char *subject =
      g_strdup_printf ("[#%" G_GINT64_FORMAT "] %s (%s %s)", task->id, task->title,
                       handoff ? "handed to you by" : "taken by", notice->from_member);
  g_autofree char *thread = outbox_task_thread_id (team->config, task->id);
  const char *references[] = { thread, NULL };
  gint64 not_before = 0;
  if (handoff && team->config->handoff_at_morning)
    not_before =
        baton_schedule_next_local (to->timezone, to->digest_minutes, baton_clock_now_unix () - 1);
  OutgoingMail mail = { notice->kind, task->id, to->display_name, to->email,  subject,
                        text,         NULL,     thread,           references, not_before };
  return outbox_queue_mail (team, &mail, error);
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
  baton_json_add_string (builder, "subject", shown_subject (message));
  baton_json_add_string (builder, "team_address", team->config->team_address);
  baton_json_add_int (builder, "failed_count", failed);
  baton_json_add_int (builder, "line_count", result->lines->len);
  json_builder_set_member_name (builder, "lines");
  json_builder_begin_array (builder);
  for (guint i = 0; i < result->lines->len; i++)
    {
      const BatonLineResult *line = result->lines->pdata[i];
      /* A free-text update spans lines; one line keeps the reply's
       * "line N: ..." layout readable. */
      g_autofree char *source = g_strdup (line->source);
      if (source != NULL)
        g_strdelimit (source, "\r\n", ' ');
      json_builder_begin_object (builder);
      baton_json_add_int (builder, "line", line->line);
      baton_json_add_string (builder, "source", source);
      baton_json_add_bool (builder, "ok", line->ok);
      baton_json_add_string (builder, "outcome", line->outcome);
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
  guint failed = 0;
  for (guint i = 0; i < result->lines->len; i++)
    failed += !((BatonLineResult *) result->lines->pdata[i])->ok;
  if (failed == 0 && !(team->config->acknowledge && result->lines->len > 0))
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
  const char *original = shown_subject (message);
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
  for (guint i = 0; i < result->notices->len; i++)
    if (!queue_notice (team, result->notices->pdata[i], error))
      return FALSE;
  return queue_reply (team, message, result, error);
}

void
baton_outbox_attach (BatonTeam *team)
{
  team->queue_notices = baton_outbox_queue_notices;
}
