/* SPDX-License-Identifier: MIT */
/* Shared by the outbox's files: notify.c (notices and replies), digest.c
 * and outbox.c (delivery). */
#pragma once
#include "baton/outbox.h"

#include "baton/json.h"

#include <json-glib/json-glib.h>

typedef struct {
  const char *kind;    /* handoff, taken, changed, reply, digest */
  gint64 task;         /* 0: about no single task */
  const char *to_name; /* display name or NULL */
  const char *to_address;
  const char *subject;
  const char *text;
  const char *html;              /* or NULL */
  const char *in_reply_to;       /* or NULL */
  const char *const *references; /* or NULL */
  gint64 not_before;             /* 0: now */
} OutgoingMail;

/* Builds MAIL as MIME and queues it in TEAM's outbox, remembering its
 * Message-ID with its task so that a reply to it carries context. */
gboolean outbox_queue_mail (BatonTeam *team, const OutgoingMail *mail, GError **error);

/* Renders template NAME with DATA (text, or HTML-escaped when HTML). */
char *outbox_render (BatonTeam *team, const char *name, JsonNode *data, gboolean html,
                     GError **error);

/* "team+VERB-N@domain" for the team address; caller frees. */
char *outbox_plus_address (const BatonConfig *config, const char *verb, gint64 task);

/* The thread every mail about task N references, so a mail client shows
 * them together; caller frees. */
char *outbox_task_thread_id (const BatonConfig *config, gint64 task);

/* Member NAME: an object with the member's name, display_name and email
 * (FALLBACK as names when MEMBER is NULL). */
void outbox_json_member (JsonBuilder *builder, const char *name, const BatonMember *member,
                         const char *fallback);

/* NAME = VALUE for a template, VALUE having come from mail: one line, no
 * control character (baton_text_line_max(), at most MAX_CHARS characters
 * when MAX_CHARS > 0). The plain-text parts have no escaping to fall back
 * on, so every mail-borne string goes in through here. */
void outbox_json_text (JsonBuilder *builder, const char *name, const char *value, gsize max_chars);

/* NAME = an array of TEXT's lines, each sanitized as above. */
void outbox_json_lines (JsonBuilder *builder, const char *name, const char *text);
