/* SPDX-License-Identifier: MIT */
/* One pass of the IMAP poller (see poll.h for the guarantees). */
#define G_LOG_DOMAIN "baton-poll"
#include "baton/poll.h"

#include "baton/config.h"
#include "baton/error.h"

#include <string.h>

void
baton_poll_settings_free (BatonPollSettings *settings)
{
  if (settings == NULL)
    return;
  g_free ((char *) settings->imap.host);
  g_free ((char *) settings->imap.user);
  if (settings->imap.password)
    explicit_bzero ((char *) settings->imap.password, strlen (settings->imap.password));
  g_free ((char *) settings->imap.password);
  g_free ((char *) settings->imap.ca_file);
  g_free ((char *) settings->imap.mailbox);
  g_free (settings->mailbox_key);
  g_free (settings->processed_folder);
  g_free (settings->failed_folder);
  g_free (settings);
}

static gboolean
parse_url (const char *url, BatonImapSettings *imap, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      (g_strcmp0 (scheme, "imaps") != 0 && g_strcmp0 (scheme, "imap") != 0))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "[imap] url = %s is not imaps://HOST[:PORT]/MAILBOX or imap://…", url);
      return FALSE;
    }
  imap->host = g_strdup (g_uri_get_host (uri));
  imap->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 0;
  const char *path = g_uri_get_path (uri);
  while (path && *path == '/')
    path++;
  imap->mailbox = g_strdup (path && *path ? path : "INBOX");
  gboolean secure = g_str_equal (scheme, "imaps");
  imap->tls = secure ? BATON_IMAP_TLS_IMAPS : BATON_IMAP_TLS_STARTTLS;
  return TRUE;
}

BatonPollSettings *
baton_poll_settings_new (const BatonConfig *config, GError **error)
{
  const BatonImapConfig *imap = config->imap;
  if (imap == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "%s has no [imap] section: nothing to poll (see baton.conf(5))", config->path);
      return NULL;
    }
  g_autoptr (BatonPollSettings) settings = g_new0 (BatonPollSettings, 1);
  if (!parse_url (imap->url, &settings->imap, error))
    return NULL;
  /* imap:// with allow-plaintext means what it says: no TLS at all (the
   * imap module still refuses that anywhere but loopback). */
  if (settings->imap.tls == BATON_IMAP_TLS_STARTTLS && imap->allow_plaintext)
    settings->imap.tls = BATON_IMAP_TLS_PLAIN;
  settings->imap.allow_plaintext = imap->allow_plaintext;
  settings->imap.user = g_strdup (imap->user);
  settings->imap.ca_file = g_strdup (imap->ca_file);
  settings->imap.timeout_seconds = imap->timeout_seconds;
  settings->imap.password =
      baton_config_read_secret (imap->password_file, imap->password_command, "[imap]", error);
  if (settings->imap.password == NULL)
    return NULL;
  /* No port and no scheme: the same mailbox reached over 993 instead of
   * 143 is the same mailbox, and its position must carry over. */
  settings->mailbox_key =
      g_strdup_printf ("%s@%s/%s", imap->user, settings->imap.host, settings->imap.mailbox);
  settings->processed_folder = g_strdup (imap->processed_folder);
  settings->failed_folder = g_strdup (imap->failed_folder);
  return g_steal_pointer (&settings);
}

static void
count_outcome (BatonPollStats *stats, const char *outcome)
{
  if (g_str_equal (outcome, "partly"))
    stats->partly++;
  else if (g_str_equal (outcome, "failed"))
    stats->refused++;
  else if (g_str_equal (outcome, "quarantined"))
    stats->quarantined++;
  else if (g_str_equal (outcome, "ignored"))
    stats->ignored++;
  else if (g_str_equal (outcome, "duplicate"))
    stats->duplicate++;
  else
    stats->applied++;
}

char *
baton_poll_stats_describe (const BatonPollStats *stats)
{
  const struct {
    const char *name;
    guint count;
  } counts[] = { { "applied", stats->applied },  { "partly", stats->partly },
                 { "failed", stats->refused },   { "quarantined", stats->quarantined },
                 { "ignored", stats->ignored },  { "duplicate", stats->duplicate },
                 { "not-mail", stats->not_mail } };
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    if (counts[i].count > 0)
      g_string_append_printf (text, "%s%s=%u", text->len ? " " : "", counts[i].name,
                              counts[i].count);
  if (text->len == 0)
    g_string_append (text, "nothing");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct {
  BatonTeam *team;
  const BatonPollSettings *settings;
  guint32 uidvalidity;
  BatonPollStats *stats;
} Pass;

/* Commits the position past UID, and where the message goes, with
 * whatever the caller already did in the open transaction. */
static gboolean
advance (Pass *pass, guint32 uid, const char *folder, GError **error)
{
  BatonStore *store = pass->team->store;
  if (folder != NULL &&
      !baton_store_imap_pending_add (store, pass->settings->mailbox_key, uid, folder, error))
    return FALSE;
  return baton_store_imap_set (store, pass->settings->mailbox_key, pass->uidvalidity, uid, error) &&
         baton_store_commit (store, error);
}

static gboolean
process_message (guint32 uid, const char *bytes, int fd, gsize length, gpointer data,
                 GError **error)
{
  Pass *pass = data;
  BatonStore *store = pass->team->store;
  pass->stats->fetched++;
  g_autofree char *source = g_strdup_printf ("imap:%s;UIDVALIDITY=%u;UID=%u",
                                             pass->settings->mailbox_key, pass->uidvalidity, uid);
  if (!baton_store_begin (store, error))
    return FALSE;
  g_autoptr (GError) failure = NULL;
  /* A large message arrives in a file: parsed from there, as Maildir
   * files are, so it never has to fit in memory. */
  g_autoptr (BatonMessage) message = bytes != NULL ? baton_message_parse (bytes, length, &failure)
                                                   : baton_message_parse_fd (fd, length, &failure);
  if (message != NULL && bytes == NULL)
    baton_message_find_visible_text (message);
  BatonRawMail raw = { bytes, bytes != NULL ? -1 : fd, length };
  g_autoptr (BatonIngestResult) result =
      message ? baton_workflow_apply (pass->team, message, &raw, source, &failure) : NULL;
  if (result != NULL)
    {
      g_info ("poll uid=%u message-id=<%s> member=%s outcome=%s", uid, result->message_id,
              result->member ? result->member : "-", result->outcome);
      count_outcome (pass->stats, result->outcome);
      return advance (pass, uid, pass->settings->processed_folder, error);
    }
  baton_store_rollback (store);
  if (baton_error_is_temporary (failure))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&failure), "UID %u: ", uid);
      return FALSE;
    }
  /* Not mail, or refused for good: never retried, so it must not block the
   * ones after it. It goes to the failed folder for a human to look at. */
  g_warning ("poll uid=%u not processed: %s", uid, failure->message);
  pass->stats->not_mail++;
  return baton_store_begin (store, error) &&
         advance (pass, uid, pass->settings->failed_folder, error);
}

static gboolean
move_pending (BatonTeam *team, BatonImapSession *session, const BatonPollSettings *settings,
              BatonPollStats *stats, GError **error)
{
  g_autoptr (GPtrArray) folders =
      baton_store_imap_pending_folders (team->store, settings->mailbox_key, error);
  if (folders == NULL)
    return FALSE;
  for (guint i = 0; i < folders->len; i++)
    {
      const char *folder = folders->pdata[i];
      g_autoptr (GArray) uids =
          baton_store_imap_pending_uids (team->store, settings->mailbox_key, folder, error);
      if (uids == NULL ||
          !baton_imap_move (session, (guint32 *) uids->data, uids->len, folder, error) ||
          !baton_store_imap_pending_clear (team->store, settings->mailbox_key, folder, error))
        return FALSE;
      stats->moved += uids->len;
    }
  return TRUE;
}

/* Before the key left out the port, a position was stored as
 * "user@host:port/MAILBOX": the same user, host and mailbox with the same
 * UIDVALIDITY is this mailbox, so its position (and the moves still
 * pending) are taken over rather than starting afresh and skipping what
 * arrived in between. */
static gboolean
adopt_old_position (BatonStore *store, const BatonPollSettings *settings, guint32 uidvalidity,
                    guint32 *stored_validity, guint32 *last_uid, GError **error)
{
  g_autofree char *prefix = g_strdup_printf ("%s@%s:", settings->imap.user, settings->imap.host);
  g_autofree char *suffix = g_strdup_printf ("/%s", settings->imap.mailbox);
  g_autofree char *old_key = NULL;
  if (!baton_store_imap_adopt (store, settings->mailbox_key, prefix, suffix, uidvalidity, &old_key,
                               error))
    return FALSE;
  if (old_key == NULL)
    return TRUE;
  g_message ("poll: %s is the mailbox baton read as %s; carrying on from where it was",
             settings->mailbox_key, old_key);
  return baton_store_imap_get (store, settings->mailbox_key, stored_validity, last_uid, error);
}

gboolean
baton_poll_once (BatonTeam *team, BatonImapSession *session, const BatonPollSettings *settings,
                 gboolean from_start, BatonPollStats *stats, GError **error)
{
  guint32 uidvalidity = 0, uidnext = 0, stored_validity = 0, last_uid = 0;
  if (!baton_imap_select (session, NULL, &uidvalidity, &uidnext, error) ||
      !baton_store_imap_get (team->store, settings->mailbox_key, &stored_validity, &last_uid,
                             error))
    return FALSE;
  if (stored_validity == 0 &&
      !adopt_old_position (team->store, settings, uidvalidity, &stored_validity, &last_uid, error))
    return FALSE;
  if (stored_validity == 0 && !from_start)
    {
      g_autoptr (GArray) waiting = baton_imap_list_uids_above (session, 0, error);
      if (waiting == NULL)
        return FALSE;
      stats->first_pass = TRUE;
      stats->left_alone = waiting->len;
      return baton_store_imap_set (team->store, settings->mailbox_key, uidvalidity,
                                   uidnext ? uidnext - 1 : 0, error);
    }
  if (stored_validity != 0 && stored_validity != uidvalidity)
    {
      g_warning ("poll: UIDVALIDITY of %s changed (%u, was %u): rescanning; mail seen before is "
                 "recognised by its Message-ID",
                 settings->mailbox_key, uidvalidity, stored_validity);
      last_uid = 0;
      if (!baton_store_imap_pending_clear (team->store, settings->mailbox_key, NULL, error))
        return FALSE;
    }
  if (from_start)
    last_uid = 0;
  if (!move_pending (team, session, settings, stats, error))
    return FALSE;
  Pass pass = { team, settings, uidvalidity, stats };
  gboolean fetched =
      baton_imap_fetch_range (session, last_uid + 1, 0, process_message, &pass, error);
  /* Whatever was committed is moved even when the fetch stopped early. */
  g_autoptr (GError) move_error = NULL;
  gboolean moved = move_pending (team, session, settings, stats, fetched ? error : &move_error);
  return fetched && moved;
}
