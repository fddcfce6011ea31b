/* SPDX-License-Identifier: MIT */
/* One outgoing mail into the outbox: render, build, queue, remember. */
#define G_LOG_DOMAIN "baton-outbox"
#include "outbox-private.h"

#include "baton/clock.h"
#include "baton/error.h"
#include "baton/mailbuild.h"
#include "baton/templates.h"
#include "baton/text.h"

#include <string.h>

static const char *
team_domain (const BatonConfig *config)
{
  return strrchr (config->team_address, '@') + 1;
}

char *
outbox_plus_address (const BatonConfig *config, const char *verb, gint64 task)
{
  g_autofree char *local =
      g_strndup (config->team_address, strrchr (config->team_address, '@') - config->team_address);
  if (task > 0)
    return g_strdup_printf ("%s+%s-%" G_GINT64_FORMAT "@%s", local, verb, task,
                            team_domain (config));
  return g_strdup_printf ("%s+%s@%s", local, verb, team_domain (config));
}

char *
outbox_task_thread_id (const BatonConfig *config, gint64 task)
{
  return g_strdup_printf ("baton-task-%" G_GINT64_FORMAT "@%s", task, team_domain (config));
}

/* "Baton <team@example.com>" from [smtp] from, else the team address. */
static void
sender_identity (const BatonConfig *config, char **name, char **address)
{
  const char *from = config->smtp ? config->smtp->from : NULL;
  const char *open = from ? strchr (from, '<') : NULL;
  const char *close = open ? strchr (open, '>') : NULL;
  if (open && close)
    {
      *address = g_strndup (open + 1, close - open - 1);
      *name = g_strstrip (g_strndup (from, open - from));
      g_strdelimit (*name, "\"", ' ');
      g_strstrip (*name);
      return;
    }
  *address = g_strdup (from && strchr (from, '@') ? from : config->team_address);
  *name = g_strdup ("baton");
}

/* A broken override (syntax error, unreadable file) must not stop mail:
 * the render runs inside the transaction of the mail that caused it, so
 * failing here made `baton ingest` exit 78 and the MTA bounce the mail,
 * and digests stop for everyone. The built-in template is used instead,
 * with a warning; `baton check` names the file and line. */
char *
outbox_render (BatonTeam *team, const char *name, JsonNode *data, gboolean html, GError **error)
{
  BatonMustacheFlags flags = html ? BATON_MUSTACHE_ESCAPE_HTML : BATON_MUSTACHE_PLAIN;
  const char *dir = team->config->templates_dir;
  g_autoptr (GError) local = NULL;
  char *text = baton_templates_render (dir, name, data, flags, &local);
  if (text != NULL || dir == NULL)
    {
      if (text == NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      return text;
    }
  g_warning ("%s; using the built-in %s (run baton check)", local->message, name);
  return baton_templates_render (NULL, name, data, flags, error);
}

gboolean
outbox_queue_mail (BatonTeam *team, const OutgoingMail *mail, GError **error)
{
  g_autofree char *from_name = NULL, *from_address = NULL;
  sender_identity (team->config, &from_name, &from_address);
  BatonMailbox to = { mail->to_name, mail->to_address };
  BatonMailSpec spec = {
    .from = { from_name, from_address },
    .to = &to,
    .n_to = 1,
    .reply_to = team->config->team_address,
    .subject = mail->subject,
    .text_body = mail->text,
    .html_body = mail->html,
    .message_id_domain = team_domain (team->config),
    .in_reply_to = mail->in_reply_to,
    .references = mail->references,
    .x_loop = team->config->team_address,
    .date_unix = baton_clock_now_unix (),
    .kind = mail->kind,
  };
  g_autofree char *message_id = NULL;
  gsize length = 0;
  g_autofree char *bytes = baton_mail_build (&spec, &message_id, &length, error);
  if (bytes == NULL)
    return FALSE;
  /* Its text too, so a reply that pastes it is known for what it is. */
  g_autoptr (BatonFingerprint) fingerprint = baton_ancestry_fingerprint (mail->text);
  BatonOutgoing outgoing = {
    .message_id = message_id,
    .kind = (char *) mail->kind,
    .recipient = (char *) mail->to_address,
    .envelope_from = from_address,
    .mime = g_bytes_new_take (g_steal_pointer (&bytes), length),
    .task = mail->task,
    .not_before = mail->not_before,
    .fingerprint = fingerprint,
  };
  gboolean ok =
      baton_store_outbox_add (team->store, &outgoing, baton_clock_now_unix (), error) != 0 &&
      baton_store_thread_add (team->store, message_id, mail->task, error);
  g_bytes_unref (outgoing.mime);
  return ok;
}

void
outbox_json_member (JsonBuilder *builder, const char *name, const BatonMember *member,
                    const char *fallback)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  baton_json_add_string (builder, "name", member ? member->name : fallback);
  /* The config may carry line breaks too (GKeyFile unescapes \r\n). */
  outbox_json_text (builder, "display_name", member ? member->display_name : fallback, 0);
  baton_json_add_string (builder, "email", member ? member->email : NULL);
  json_builder_end_object (builder);
}

void
outbox_json_text (JsonBuilder *builder, const char *name, const char *value, gsize max_chars)
{
  g_autofree char *safe = baton_text_line_max (value, max_chars);
  baton_json_add_string (builder, name, safe);
}

void
outbox_json_lines (JsonBuilder *builder, const char *name, const char *text)
{
  g_autofree char *safe = baton_text_lines (text);
  g_auto (GStrv) lines = g_strsplit (safe ? safe : "", "\n", -1);
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; lines[i]; i++)
    json_builder_add_string_value (builder, lines[i]);
  json_builder_end_array (builder);
}
