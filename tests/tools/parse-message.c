/* SPDX-License-Identifier: MIT */
/* parse-message: what baton_message_parse() makes of a mail file, as JSON.
 *
 *   parse-message [--body] FILE          one JSON object on one line
 *   parse-message [--body] --mbox FILE   one JSON object per message (JSON Lines)
 *
 * The summary is stable (no pointers, no timings) so tests can compare it.
 * --body adds body_text itself. A message baton refuses prints the error
 * on stderr (and, with --mbox, an {"index":…,"error":…} line) and the exit
 * status is the error's sysexits code: 65 for input that is not mail. With
 * --mbox the status is 65 when any one message was refused.
 */
#include "baton/error.h"
#include "baton/mbox.h"
#include "baton/message.h"

#include <gmime/gmime.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sysexits.h>

static gboolean opt_body;
static gboolean opt_mbox;

static void
add_string_or_null (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_node (JsonNode *node)
{
  g_autofree char *json = json_to_string (node, FALSE);
  printf ("%s\n", json);
}

static void
print_summary (const BatonMessage *message, int index)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  if (index >= 0)
    {
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, index);
    }
  add_string_or_null (builder, "message_id", message->message_id);
  add_string_or_null (builder, "from", message->from_address);
  add_string_or_null (builder, "from_name", message->from_name);
  add_string_or_null (builder, "subject", message->subject);
  json_builder_set_member_name (builder, "date");
  json_builder_add_int_value (builder, message->date);
  json_builder_set_member_name (builder, "body_text_length");
  json_builder_add_int_value (builder, (gint64) strlen (message->body_text));
  json_builder_set_member_name (builder, "body_was_html");
  json_builder_add_boolean_value (builder, message->body_was_html);
  json_builder_set_member_name (builder, "references");
  json_builder_add_int_value (builder, g_strv_length (message->references));
  json_builder_set_member_name (builder, "recipients");
  json_builder_add_int_value (builder, g_strv_length (message->recipients));
  add_string_or_null (builder, "auto_reason", message->auto_reason);
  if (opt_body)
    add_string_or_null (builder, "body_text", message->body_text);
  json_builder_end_object (builder);
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  print_node (root);
}

static void
print_refusal (const GError *error, int index)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, index);
  add_string_or_null (builder, "error", error->message);
  json_builder_end_object (builder);
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  print_node (root);
}

/* Parses one message and prints it; returns its exit status. */
static int
parse_one (const char *path, const char *data, gsize length, int index)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonMessage) message = baton_message_parse (data, length, &error);
  if (message == NULL)
    {
      if (index >= 0)
        {
          print_refusal (error, index);
          fprintf (stderr, "%s: message %d: %s\n", path, index, error->message);
        }
      else
        fprintf (stderr, "%s: %s\n", path, error->message);
      return baton_error_exit_code (error);
    }
  print_summary (message, index);
  return EX_OK;
}

static int
run (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  if (!g_file_get_contents (path, &data, &length, &error))
    {
      fprintf (stderr, "parse-message: %s\n", error->message);
      return baton_error_exit_code (error);
    }
  if (!opt_mbox)
    return parse_one (path, data, length, -1);
  g_autoptr (GPtrArray) messages = baton_mbox_split (data, length);
  int status = EX_OK;
  for (guint i = 0; i < messages->len; i++)
    {
      gsize size = 0;
      const char *bytes = g_bytes_get_data (messages->pdata[i], &size);
      int one = parse_one (path, bytes, size, (int) i);
      if (status == EX_OK)
        status = one;
    }
  return status;
}

int
main (int argc, char **argv)
{
  const GOptionEntry entries[] = {
    { "body", 0, 0, G_OPTION_ARG_NONE, &opt_body, "Include body_text in the output", NULL },
    { "mbox", 0, 0, G_OPTION_ARG_NONE, &opt_mbox, "Split FILE as an mbox first", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("FILE");
  g_option_context_add_main_entries (context, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      fprintf (stderr, "usage: parse-message [--body] [--mbox] FILE%s%s\n", error ? ": " : "",
               error ? error->message : "");
      return EX_USAGE;
    }
  int status = run (argv[1]);
  /* GMime keeps charset and iconv caches for the life of the process;
   * releasing them here lets LeakSanitizer report only real leaks. */
  g_mime_shutdown ();
  return status;
}
