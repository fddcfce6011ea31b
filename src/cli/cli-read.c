/* SPDX-License-Identifier: MIT */
/* Read commands: tasks, show, log, members. The --json shapes are a public
 * interface (docs/DESIGN.md §9): fields may be added, never renamed. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/clock.h"
#include "baton/error.h"
#include "baton/text.h"
#include "baton/workflow.h"

#include "baton/json.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

static void
print_json (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  g_autofree char *text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

/* Task id → its BatonPending (owned), for the tasks that wait for their
 * receiver to accept them; NULL on error. */
static GHashTable *
pending_by_task (BatonStore *store, GError **error)
{
  g_autoptr (GPtrArray) all = baton_store_pending_all (store, error);
  if (all == NULL)
    return NULL;
  GHashTable *map = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                           (GDestroyNotify) baton_pending_free);
  g_ptr_array_set_free_func (all, NULL);
  for (guint i = 0; i < all->len; i++)
    {
      BatonPending *pending = all->pdata[i];
      g_hash_table_replace (map, &pending->task, pending);
    }
  return map;
}

static void
task_to_json (JsonBuilder *builder, const BatonTask *task, const BatonPending *pending)
{
  json_builder_begin_object (builder);
  baton_json_add_int (builder, "id", task->id);
  baton_json_add_string (builder, "title", task->title);
  baton_json_add_string (builder, "state", task->state);
  baton_json_add_string (builder, "owner", task->owner);
  baton_json_add_string (builder, "created_by", task->created_by);
  baton_json_add_time (builder, "created_at", task->created_at);
  baton_json_add_time (builder, "updated_at", task->updated_at);
  baton_json_add_string (builder, "blocked_reason", task->blocked_reason);
  /* Added fields (§9 keeps the others as they were). */
  baton_json_add_bool (builder, "pending", pending != NULL);
  if (pending != NULL)
    baton_json_add_time (builder, "pending_since", pending->since);
  else
    baton_json_add_string (builder, "pending_since", NULL);
  json_builder_end_object (builder);
}

static void
event_to_json (JsonBuilder *builder, const BatonEvent *event)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "task");
  if (event->task > 0)
    json_builder_add_int_value (builder, event->task);
  else
    json_builder_add_null_value (builder);
  baton_json_add_string (builder, "kind", event->kind);
  baton_json_add_string (builder, "who", event->who);
  baton_json_add_time (builder, "at", event->at);
  baton_json_add_string (builder, "note", event->note);
  baton_json_add_string (builder, "from", event->from_member);
  baton_json_add_string (builder, "to", event->to_member);
  json_builder_end_object (builder);
}

/* Titles, notes and reasons came from mail: printed one line each, with
 * no control character left to drive the terminal (--json prints them
 * exact: escaping is JSON's job there). */
static void
print_task_line (const BatonTask *task, const BatonPending *pending)
{
  g_autofree char *title = baton_text_line (task->title);
  g_autofree char *reason = baton_text_line (task->blocked_reason);
  g_autofree char *giver = pending ? baton_text_line (pending->giver) : NULL;
  printf ("#%-4" G_GINT64_FORMAT " %-8s %-8s %s%s%s%s%s%s%s\n", task->id,
          task->owner ? task->owner : "-", task->state, title, reason ? " (blocked: " : "",
          reason ? reason : "", reason ? ")" : "", giver ? " [pending: not accepted, from " : "",
          giver ? giver : "", giver ? "]" : "");
}

/* One event per line; with MULTI_LINE (show), a note's further lines follow
 * it, each sanitized and indented under it. */
static void
print_event_line (const BatonEvent *event, gboolean multi_line)
{
  g_autofree char *at = baton_clock_format_iso (event->at);
  g_autofree char *task =
      event->task > 0 ? g_strdup_printf ("#%" G_GINT64_FORMAT, event->task) : g_strdup ("-");
  g_autofree char *who = baton_text_line (event->who);
  g_autofree char *from = baton_text_line (event->from_member ? event->from_member : "");
  g_autofree char *to = baton_text_line (event->to_member);
  g_autofree char *move = to ? g_strdup_printf (" %s -> %s", from, to) : g_strdup ("");
  g_autofree char *note =
      multi_line ? baton_text_lines (event->note) : baton_text_line (event->note);
  g_auto (GStrv) lines = g_strsplit (note ? note : "", "\n", -1);
  printf ("%s %-5s %-9s %-8s%s%s%s\n", at, task, event->kind, who, move, note ? ": " : "",
          lines[0] ? lines[0] : "");
  for (guint i = 1; lines[0] && lines[i]; i++)
    printf ("%*s%s\n", 24, "", lines[i]);
}

gboolean
baton_cli_tasks (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean json = FALSE, all = FALSE;
  GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print a JSON array", NULL },
                             { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "include done tasks", NULL },
                             { NULL } };
  if (!baton_cli_parse_options ("tasks", "", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  g_autoptr (GPtrArray) tasks = baton_store_tasks_list (team->store, all || json, error);
  if (tasks == NULL)
    return FALSE;
  g_autoptr (GHashTable) pending = pending_by_task (team->store, error);
  if (pending == NULL)
    return FALSE;
  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      json_builder_begin_array (builder);
      for (guint t = 0; t < tasks->len; t++)
        {
          const BatonTask *task = tasks->pdata[t];
          task_to_json (builder, task, g_hash_table_lookup (pending, &task->id));
        }
      json_builder_end_array (builder);
      print_json (builder);
      return TRUE;
    }
  for (guint i = 0; i < tasks->len; i++)
    {
      const BatonTask *task = tasks->pdata[i];
      print_task_line (task, g_hash_table_lookup (pending, &task->id));
    }
  return TRUE;
}

static gboolean
parse_task_number (const char *text, gint64 *number, GError **error)
{
  if (text && *text == '#')
    text++;
  guint64 value = 0;
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &value, NULL))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE, "'%s' is not a task number",
                   text ? text : "");
      return FALSE;
    }
  *number = (gint64) value;
  return TRUE;
}

gboolean
baton_cli_show (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
                             { NULL } };
  gint64 number = 0;
  if (!baton_cli_parse_options ("show", "N", entries, &argc, &argv, error) ||
      !parse_task_number (argc == 2 ? argv[1] : NULL, &number, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  g_autoptr (BatonTask) task = baton_store_task_get (team->store, number, error);
  if (task == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT,
                     "there is no task #%" G_GINT64_FORMAT, number);
      return FALSE;
    }
  g_autoptr (GPtrArray) events = baton_store_events_list (team->store, number, 0, error);
  if (events == NULL)
    return FALSE;
  if (json)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (BatonPending) pending = baton_store_pending_get (team->store, task->id, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      task_to_json (builder, task, pending);
      g_autoptr (JsonNode) node = json_builder_get_root (builder);
      JsonObject *object = json_node_get_object (node);
      g_autoptr (JsonBuilder) history = json_builder_new ();
      json_builder_begin_array (history);
      for (guint i = 0; i < events->len; i++)
        event_to_json (history, events->pdata[i]);
      json_builder_end_array (history);
      json_object_set_member (object, "events", json_builder_get_root (history));
      g_autoptr (JsonGenerator) generator = json_generator_new ();
      json_generator_set_root (generator, node);
      json_generator_set_pretty (generator, TRUE);
      g_autofree char *text = json_generator_to_data (generator, NULL);
      printf ("%s\n", text);
      return TRUE;
    }
  g_autofree char *title = baton_text_line (task->title);
  g_autofree char *reason = baton_text_line (task->blocked_reason);
  g_autofree char *creator = baton_text_line (task->created_by);
  printf ("#%" G_GINT64_FORMAT " %s\nstate:   %s%s%s%s\nowner:   %s\ncreated: by %s\n\n", task->id,
          title, task->state, reason ? " (" : "", reason ? reason : "", reason ? ")" : "",
          task->owner ? task->owner : "nobody", creator);
  for (guint i = 0; i < events->len; i++)
    print_event_line (events->pdata[i], TRUE);
  return TRUE;
}

/* FALSE with BATON_ERROR_NO_INPUT when there is no task @number (or with
 * the store's error when it cannot be read). */
static gboolean
task_exists (BatonStore *store, gint64 number, GError **error)
{
  g_autoptr (BatonTask) task = baton_store_task_get (store, number, error);
  if (task != NULL)
    return TRUE;
  if (error == NULL || *error == NULL)
    g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT, "there is no task #%" G_GINT64_FORMAT,
                 number);
  return FALSE;
}

gboolean
baton_cli_log (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean json = FALSE;
  gint task = 0;
  GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print a JSON array", NULL },
                             { "task", 't', 0, G_OPTION_ARG_INT, &task, "only events about task N",
                               "N" },
                             { NULL } };
  if (!baton_cli_parse_options ("log", "", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  /* As `show N` does: an empty log of a task that never was would read
   * as "nothing happened to it". */
  if (task != 0 && !task_exists (team->store, task, error))
    return FALSE;
  g_autoptr (GPtrArray) events = baton_store_events_list (team->store, task, G_MININT64, error);
  if (events == NULL)
    return FALSE;
  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      json_builder_begin_array (builder);
      for (guint i = 0; i < events->len; i++)
        event_to_json (builder, events->pdata[i]);
      json_builder_end_array (builder);
      print_json (builder);
      return TRUE;
    }
  for (guint i = 0; i < events->len; i++)
    print_event_line (events->pdata[i], FALSE);
  return TRUE;
}

gboolean
baton_cli_members (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = { { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print a JSON array", NULL },
                             { NULL } };
  if (!baton_cli_parse_options ("members", "", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (BatonConfig) config = baton_config_load (cli->config_path, error);
  if (config == NULL)
    return FALSE;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; i < config->members->len; i++)
    {
      const BatonMember *member = config->members->pdata[i];
      g_autofree char *at =
          g_strdup_printf ("%02d:%02d", member->digest_minutes / 60, member->digest_minutes % 60);
      if (!json)
        {
          printf ("%-10s %-28s %-22s %s  %s\n", member->name, member->email, member->timezone, at,
                  member->display_name);
          continue;
        }
      json_builder_begin_object (builder);
      baton_json_add_string (builder, "name", member->name);
      baton_json_add_string (builder, "email", member->email);
      baton_json_add_string (builder, "display_name", member->display_name);
      baton_json_add_string (builder, "timezone", member->timezone);
      baton_json_add_string (builder, "digest_at", at);
      json_builder_set_member_name (builder, "aliases");
      json_builder_begin_array (builder);
      for (guint a = 0; member->aliases[a]; a++)
        json_builder_add_string_value (builder, member->aliases[a]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (json)
    print_json (builder);
  return TRUE;
}
