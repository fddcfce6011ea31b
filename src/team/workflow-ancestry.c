/* SPDX-License-Identifier: MIT */
/* The parents of a mail: what baton remembers of each mail it sent or
 * ingested (its fingerprint, stored with the mail), looked up by the
 * Message-IDs a reply names, and the cut of the reply's newly written
 * text they make (include/baton/ancestry.h).
 *
 * Why here and not in message.c: the visible text may be found on a
 * reading thread before the database is open; the cut needs the store,
 * so it happens where commands are read, on the thread that stores.
 *
 * Why the templates too: a reply that names no parent (an out-of-office
 * that drops References) can still echo a notice; the literal lines of
 * baton's own templates, as configured, never act wherever they stand. */
#define G_LOG_DOMAIN "baton-workflow"
#include "workflow-private.h"

#include "baton/template-source.h"

#include <string.h>

/* A reply names its parent first (In-Reply-To) and its thread's latest
 * mails last (References): those are looked up, no more. */
#define MAX_PARENTS 8
/* Baton's latest mails to the sender about the task the subject names. */
#define MAX_SENT_ABOUT 4

void
baton_new_text_free (BatonNewText *new_text)
{
  if (new_text == NULL)
    return;
  g_free (new_text->text);
  g_ptr_array_unref (new_text->cuts);
  g_free (new_text);
}

const BatonFingerprint *
workflow_text_fingerprint (const BatonMessage *message, BatonFingerprint **own)
{
  *own = NULL;
  if (message->message_id == NULL)
    return NULL; /* nothing can name it as a parent */
  /* Usually found ahead, on the reading thread (src/readahead.c). */
  if (message->fingerprinted)
    return message->fingerprint;
  return *own = baton_ancestry_fingerprint (message->body_text);
}

/* Whether the configured templates directory replaces a mail text
 * template: then the shipped templates' fingerprint is not theirs. */
static gboolean
mail_templates_replaced (const char *dir)
{
  for (guint i = 0; dir != NULL && baton_embedded_templates[i].name != NULL; i++)
    if (baton_template_is_mail_text (baton_embedded_templates[i].name) &&
        baton_template_source_overridden (dir, baton_embedded_templates[i].name))
      return TRUE;
  return FALSE;
}

/* The literal text of every mail text template in use, once per team:
 * made at build time unless the templates directory replaces one. */
static BatonFingerprint *
template_fingerprint (BatonTeam *team)
{
  if (team->templates != NULL)
    return team->templates;
  const char *dir = team->config->templates_dir;
  if (!mail_templates_replaced (dir))
    {
      const BatonFingerprintData *shipped = &baton_shipped_template_fingerprint;
      team->templates = baton_fingerprint_new (shipped->width, shipped->words, shipped->hashes,
                                               shipped->n_hashes);
      team->templates->per_line = TRUE;
      return team->templates;
    }
  BatonFingerprint *all = NULL;
  for (guint i = 0; baton_embedded_templates[i].name != NULL; i++)
    {
      const char *name = baton_embedded_templates[i].name;
      if (!baton_template_is_mail_text (name))
        continue;
      g_autoptr (GError) local = NULL;
      g_autofree char *source = baton_template_source_find (dir, name, NULL, &local);
      all = baton_ancestry_fingerprint_template (all, source ? source
                                                             : baton_embedded_templates[i].text);
    }
  team->templates = all;
  return all;
}

static void
add_id (GPtrArray *ids, const BatonMessage *message, const char *id)
{
  for (guint j = 0; j < ids->len; j++)
    if (g_str_equal (ids->pdata[j], id))
      return;
  if (message->message_id == NULL || !g_str_equal (id, message->message_id))
    g_ptr_array_add (ids, g_strdup (id));
}

/* Up to MAX_PARENTS distinct ids: In-Reply-To, then References from the
 * newest; then, for a subject naming task N ("Automatic reply: [#4] …",
 * which often comes with no References), the latest mails baton sent the
 * sender about N. NULL on a store error. */
static GPtrArray *
parent_ids (BatonTeam *team, const BatonMessage *message, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  guint n = g_strv_length (message->references);
  for (guint k = 0; k < n && ids->len < MAX_PARENTS; k++)
    add_id (ids, message, message->references[k == 0 ? 0 : n - k]);
  gint64 task = baton_commands_task_from_subject (message->subject);
  const BatonMember *member = baton_config_member_by_address (team->config, message->from_address);
  if (task <= 0 || member == NULL)
    return g_steal_pointer (&ids);
  g_autoptr (GPtrArray) sent =
      baton_store_sent_about (team->store, task, member->email, MAX_SENT_ABOUT, error);
  if (sent == NULL)
    return NULL;
  for (guint i = 0; i < sent->len; i++)
    add_id (ids, message, sent->pdata[i]);
  return g_steal_pointer (&ids);
}

static char *
describe_cut (const BatonAncestryCut *cut, const char *id, gboolean sent)
{
  g_autofree char *lines = cut->first == cut->last
                               ? g_strdup_printf ("line %u", cut->first)
                               : g_strdup_printf ("lines %u-%u", cut->first, cut->last);
  if (id == NULL)
    return g_strdup_printf ("%s: baton's own template text", lines);
  /* The id came from a stranger's header: no control characters out. */
  g_autofree char *shown = g_strdup (id);
  for (char *p = shown; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return g_strdup_printf ("%s: the text of <%s>, %s", lines, shown,
                          sent ? "a mail baton sent" : "a team mail baton ingested");
}

/* The fingerprint of the mail's whole text when it also covers the newly
 * written text: that text is the start of the body (what was cut from it
 * is below: the quote, the signature), up to a line's end, and none of
 * it was left out of the fingerprint. A parent that shares no shingle
 * with it cannot cut anything from the new text (baton_ancestry_shares()),
 * and most mail shares none with baton's templates: the new text's words
 * need not be hashed again for them. NULL when it does not cover it. */
static const BatonFingerprint *
covering_fingerprint (const BatonMessage *message)
{
  const BatonFingerprint *whole = message->fingerprinted ? message->fingerprint : NULL;
  if (whole == NULL || message->visible_text == NULL || message->body_text == NULL ||
      whole->hashes->len >= BATON_ANCESTRY_MAX_HASHES)
    return NULL;
  gsize length = strlen (message->visible_text);
  if (length > BATON_ANCESTRY_MAX_TEXT ||
      strncmp (message->body_text, message->visible_text, length) != 0)
    return NULL;
  char next = message->body_text[length];
  return next == '\0' || next == '\n' || next == '\r' ? whole : NULL;
}

BatonNewText *
baton_workflow_new_text (BatonTeam *team, const BatonMessage *message, GError **error)
{
  g_autoptr (GPtrArray) ids = parent_ids (team, message, error);
  if (ids == NULL)
    return NULL;
  const BatonFingerprint *whole = covering_fingerprint (message);
  g_autoptr (GPtrArray) parents =
      g_ptr_array_new_with_free_func ((GDestroyNotify) baton_fingerprint_free);
  g_autoptr (GPtrArray) known_ids = g_ptr_array_new ();
  g_autoptr (GArray) sent = g_array_new (FALSE, FALSE, sizeof (gboolean));
  for (guint i = 0; i < ids->len; i++)
    {
      gboolean was_sent = FALSE;
      g_autoptr (GError) local = NULL;
      BatonFingerprint *parent =
          baton_store_fingerprint_get (team->store, ids->pdata[i], &was_sent, &local);
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (parent == NULL)
        continue;
      if (whole != NULL && !baton_ancestry_shares (parent, whole))
        {
          baton_fingerprint_free (parent);
          continue;
        }
      g_ptr_array_add (parents, parent);
      g_ptr_array_add (known_ids, ids->pdata[i]);
      g_array_append_val (sent, was_sent);
    }
  /* Borrowed: the team keeps it. */
  BatonFingerprint *templates = template_fingerprint (team);
  gboolean with_templates = whole == NULL || baton_ancestry_shares (templates, whole);
  if (with_templates)
    g_ptr_array_add (parents, templates);
  g_autoptr (BatonAncestryResult) cut = baton_ancestry_cut (
      message->visible_text, (BatonFingerprint *const *) parents->pdata, parents->len);
  if (with_templates)
    g_ptr_array_steal_index (parents, parents->len - 1);
  BatonNewText *new_text = g_new0 (BatonNewText, 1);
  new_text->text = g_steal_pointer (&cut->text);
  new_text->cuts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < cut->cuts->len; i++)
    {
      const BatonAncestryCut *one = &g_array_index (cut->cuts, BatonAncestryCut, i);
      gboolean is_template = one->parent >= known_ids->len;
      g_ptr_array_add (new_text->cuts,
                       describe_cut (one, is_template ? NULL : known_ids->pdata[one->parent],
                                     !is_template && g_array_index (sent, gboolean, one->parent)));
    }
  return new_text;
}
