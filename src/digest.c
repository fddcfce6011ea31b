/* Digests that follow the sun: each member's, at their own digest-at in
 * their own time zone, holding what the team did since their last one.
 *
 * Due-ness is decided from the stored time of the member's last digest
 * (or their join time), never from "is it 08:30 now", so a cron that runs
 * every 5 minutes, every hour, or missed a night entirely still sends
 * exactly one digest per local morning. */
#define G_LOG_DOMAIN "baton-outbox"
#include "outbox-private.h"

#include "baton/clock.h"
#include "baton/schedule.h"

#define DIGEST_HELD_LISTED 20

typedef struct {
  BatonTeam *team;
  const BatonMember *member;
  GHashTable *by_id; /* task id → BatonTask, borrowed from TASKS */
  GPtrArray *tasks;
  gboolean has_anything;
} DigestContext;

static char *
local_time (const BatonConfig *config, const char *who, gint64 at)
{
  const BatonMember *author = baton_config_member_by_name (config, who);
  const char *tzid = author ? author->timezone : config->timezone;
  g_autofree char *when = baton_schedule_format_local (tzid, at, "%a %H:%M");
  g_autofree char *city = g_strdup (strrchr (tzid, '/') ? strrchr (tzid, '/') + 1 : tzid);
  g_strdelimit (city, "_", ' ');
  return g_strdup_printf ("%s %s", when, city);
}

static void
add_event (DigestContext *context, JsonBuilder *builder, const BatonEvent *event)
{
  g_autofree char *when = local_time (context->team->config, event->who, event->at);
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "task", event->task);
  const BatonTask *task = g_hash_table_lookup (context->by_id, &event->task);
  /* Titles, notes and names came from mail: one line each, no control
   * character, or a stranger's text could draw a section of its own. */
  outbox_json_text (builder, "title", task ? task->title : NULL, 0);
  outbox_json_text (builder, "who", event->who, 0);
  outbox_json_text (builder, "from", event->who, 0);
  outbox_json_text (builder, "owner", event->to_member, 0);
  gboolean passed = event->to_member && g_strcmp0 (event->to_member, event->who) != 0;
  outbox_json_text (builder, "passed_to", passed ? event->to_member : NULL, 0);
  /* a creation's note is its title, already shown */
  outbox_json_text (builder, "note", g_str_equal (event->kind, "created") ? NULL : event->note, 0);
  baton_json_add_string (builder, "local_time", when);
  /* Updates and notes are shown line by line; a note also says which task
   * it is about (it used to render as a heading with no text at all). */
  gboolean is_note = g_str_equal (event->kind, "note");
  if (is_note)
    {
      g_autofree char *about =
          g_strdup_printf ("#%" G_GINT64_FORMAT " %s", event->task, task ? task->title : "");
      outbox_json_text (builder, "about", about, 0);
    }
  if (event->note && (is_note || g_str_equal (event->kind, "update")))
    outbox_json_lines (builder, "lines", event->note);
  json_builder_end_object (builder);
}

typedef gboolean (*EventFilter) (const BatonEvent *event, const BatonMember *member,
                                 const BatonTask *task);

/* Only while the task is still theirs: a task handed over and taken back
 * before the digest is not "handed to you" any more (the taken notice said
 * so already). Done tasks are listed under DONE. */
static gboolean
is_handoff_to_member (const BatonEvent *e, const BatonMember *m, const BatonTask *task)
{
  return (g_str_equal (e->kind, "handoff") || g_str_equal (e->kind, "created")) && e->to_member &&
         g_str_equal (e->to_member, m->name) && !g_str_equal (e->who, m->name) && task &&
         g_strcmp0 (task->owner, m->name) == 0 && !g_str_equal (task->state, "done");
}

/* The mirror of a handoff: someone else moved a task the member held.
 * The taken notice says so at once; the digest says it again, and is the
 * only place it is said when the notice was past the hourly limit. Only
 * while the task is not theirs again. */
static gboolean
is_taken_from_member (const BatonEvent *e, const BatonMember *m, const BatonTask *task)
{
  return g_str_equal (e->kind, "handoff") && e->from_member &&
         g_str_equal (e->from_member, m->name) && !g_str_equal (e->who, m->name) && task &&
         g_strcmp0 (task->owner, m->name) != 0;
}

static gboolean
is_done (const BatonEvent *e, const BatonMember *m, const BatonTask *task)
{
  (void) task;
  (void) m;
  return g_str_equal (e->kind, "done");
}

static gboolean
is_created (const BatonEvent *e, const BatonMember *m, const BatonTask *task)
{
  (void) task;
  return g_str_equal (e->kind, "created") && !g_str_equal (e->who, m->name);
}

static gboolean
is_teammate_update (const BatonEvent *e, const BatonMember *m, const BatonTask *task)
{
  (void) task;
  return (g_str_equal (e->kind, "update") || g_str_equal (e->kind, "note")) &&
         !g_str_equal (e->who, m->name);
}

static void
add_event_section (DigestContext *context, JsonBuilder *builder, GPtrArray *events,
                   const char *name, EventFilter filter)
{
  g_autofree char *flag = g_strdup_printf ("has_%s", name);
  guint count = 0;
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    if (filter (events->pdata[i], context->member,
                g_hash_table_lookup (context->by_id, &((BatonEvent *) events->pdata[i])->task)))
      {
        add_event (context, builder, events->pdata[i]);
        count++;
      }
  json_builder_end_array (builder);
  baton_json_add_bool (builder, flag, count > 0);
  context->has_anything |= count > 0;
}

static void
add_task_section (DigestContext *context, JsonBuilder *builder, const char *name, const char *state)
{
  g_autofree char *flag = g_strdup_printf ("has_%s", name);
  guint count = 0;
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < context->tasks->len; i++)
    {
      const BatonTask *task = context->tasks->pdata[i];
      if (!g_str_equal (task->state, state) || (g_str_equal (state, "open") && task->owner))
        continue;
      g_autofree char *take = outbox_plus_address (context->team->config, "take", task->id);
      json_builder_begin_object (builder);
      baton_json_add_int (builder, "id", task->id);
      outbox_json_text (builder, "title", task->title, 0);
      outbox_json_text (builder, "owner", task->owner ? task->owner : "nobody", 0);
      outbox_json_text (builder, "reason", task->blocked_reason, 0);
      baton_json_add_string (builder, "take_address", take);
      json_builder_end_object (builder);
      count++;
    }
  json_builder_end_array (builder);
  baton_json_add_bool (builder, flag, count > 0);
}

/* Mail from outsiders never acts, but the team should know it came: a
 * new colleague not yet in the config, or an address nobody added.
 * @held (BatonHeldMessage*) is read by the caller, which fails the digest
 * when it cannot be: a digest sent without it would be recorded as sent
 * and that mail never reported. */
static void
add_held_section (DigestContext *context, JsonBuilder *builder, GPtrArray *held)
{
  json_builder_set_member_name (builder, "held");
  json_builder_begin_array (builder);
  /* Strangers decide how many: the digest lists the first few. */
  guint listed = MIN (held->len, DIGEST_HELD_LISTED);
  for (guint i = 0; i < listed; i++)
    {
      const BatonHeldMessage *message = held->pdata[i];
      g_autofree char *when =
          baton_schedule_format_local (context->member->timezone, message->received_at, "%a %H:%M");
      json_builder_begin_object (builder);
      /* A stranger's words, the first thing to sanitize: an encoded-word
       * "=0A" in the subject once drew a fake HANDED TO YOU section. */
      outbox_json_text (builder, "sender", message->sender ? message->sender : "(no sender)", 200);
      outbox_json_text (builder, "subject", message->subject, 200);
      outbox_json_text (builder, "reason", message->reason, 300);
      baton_json_add_string (builder, "local_time", when);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  baton_json_add_int (builder, "held_more", held->len - listed);
  baton_json_add_bool (builder, "has_held", held->len > 0);
  context->has_anything |= held->len > 0;
}

static JsonNode *
digest_data (DigestContext *context, GPtrArray *events, GPtrArray *held, gint64 since,
             const char *subject)
{
  const BatonMember *member = context->member;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *since_text =
      baton_schedule_format_local (member->timezone, since, "%A %d %B %H:%M");
  json_builder_begin_object (builder);
  outbox_json_member (builder, "member", member, NULL);
  baton_json_add_string (builder, "since", since_text);
  baton_json_add_string (builder, "subject", subject);
  baton_json_add_string (builder, "team_address", context->team->config->team_address);
  add_event_section (context, builder, events, "handoffs", is_handoff_to_member);
  add_event_section (context, builder, events, "taken", is_taken_from_member);
  add_event_section (context, builder, events, "done", is_done);
  add_event_section (context, builder, events, "created", is_created);
  add_event_section (context, builder, events, "updates", is_teammate_update);
  add_task_section (context, builder, "blocked", "blocked");
  add_task_section (context, builder, "open", "open");
  add_held_section (context, builder, held);
  baton_json_add_bool (builder, "has_anything", context->has_anything);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
queue_digest (DigestContext *context, gint64 since, gint64 now, gboolean force,
              BatonDigestStats *stats, GError **error)
{
  const BatonMember *member = context->member;
  /* Each digest holds the events of [since, now): times are whole seconds,
   * and a mail applied in the second of a digest but after it belongs to
   * the next one (reading "after since" lost it), as does the first mail,
   * applied in the second the member joined. Half-open windows give every
   * event to exactly one digest.
   * A window never moves backwards: with the clock set back (BATON_NOW
   * earlier than the last digest), `digest --force` used to store the
   * earlier time and the next digest repeated every event since then. */
  gint64 until = MAX (now, since);
  g_autoptr (GPtrArray) events =
      baton_store_events_list (context->team->store, 0, since - 1, error);
  if (events == NULL)
    return FALSE;
  for (guint i = events->len; i > 0; i--)
    if (((BatonEvent *) events->pdata[i - 1])->at >= until)
      g_ptr_array_remove_index (events, i - 1);
  /* [since, until), as for events: a mail held in the second the member
   * joined (or of their last digest, but after it) was in no digest. */
  g_autoptr (GPtrArray) held =
      baton_store_messages_quarantined (context->team->store, since - 1, error);
  if (held == NULL)
    return FALSE;
  for (guint i = held->len; i > 0; i--)
    if (((BatonHeldMessage *) held->pdata[i - 1])->received_at >= until)
      g_ptr_array_remove_index (held, i - 1);
  g_autofree char *day = baton_schedule_format_local (member->timezone, now, "%a %d %b");
  g_autofree char *subject = g_strdup_printf ("baton digest for %s, %s", member->display_name, day);
  g_autoptr (JsonNode) data = digest_data (context, events, held, since, subject);
  if (!context->has_anything && !force && !context->team->config->digest_when_idle)
    {
      stats->skipped++;
      return baton_store_digest_set (context->team->store, member->name, until, error);
    }
  g_autofree char *text = outbox_render (context->team, "digest.txt", data, FALSE, error);
  g_autofree char *html =
      text ? outbox_render (context->team, "digest.html", data, TRUE, error) : NULL;
  if (html == NULL)
    return FALSE;
  OutgoingMail mail = { "digest", 0, member->display_name, member->email, subject, text, html, NULL,
                        NULL,     0 };
  if (!outbox_queue_mail (context->team, &mail, error))
    return FALSE;
  stats->queued++;
  return baton_store_digest_set (context->team->store, member->name, until, error);
}

static gboolean
digest_member (BatonTeam *team, const BatonMember *member, GPtrArray *tasks, GHashTable *by_id,
               gboolean force, BatonDigestStats *stats, GError **error)
{
  gint64 now = baton_clock_now_unix ();
  if (!baton_store_begin (team->store, error))
    return FALSE;
  gint64 since = 0;
  if (!baton_store_digest_last (team->store, member->name, &since, error))
    return baton_store_rollback (team->store), FALSE;
  gboolean ever_sent = since != 0;
  /* Never sent one: the first digest is the first digest-at after joining. */
  if (since == 0 && !baton_store_member_joined (team->store, member->name, &since, error))
    return baton_store_rollback (team->store), FALSE;
  g_autoptr (GArray) away = baton_store_away_get (team->store, member->name, error);
  if (away == NULL)
    return baton_store_rollback (team->store), FALSE;
  BatonWorktime week;
  baton_config_member_week (member, away, &week);
  gint64 due_at = 0;
  if (!force &&
      !baton_schedule_digest_due (&week, member->digest_minutes, since, ever_sent, now, &due_at))
    {
      baton_store_rollback (team->store);
      return TRUE;
    }
  DigestContext context = { team, member, by_id, tasks, FALSE };
  if (!queue_digest (&context, since, now, force, stats, error))
    return baton_store_rollback (team->store), FALSE;
  return baton_store_commit (team->store, error);
}

gboolean
baton_outbox_queue_digests (BatonTeam *team, gboolean force, BatonDigestStats *stats,
                            GError **error)
{
  g_autoptr (GPtrArray) tasks = baton_store_tasks_list (team->store, TRUE, error);
  if (tasks == NULL)
    return FALSE;
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < tasks->len; i++)
    {
      BatonTask *task = tasks->pdata[i];
      g_hash_table_insert (by_id, &task->id, task);
    }
  for (guint i = 0; i < team->config->members->len; i++)
    if (!digest_member (team, team->config->members->pdata[i], tasks, by_id, force, stats, error))
      return FALSE;
  return TRUE;
}
