/* SPDX-License-Identifier: MIT */
/* Polling the team mailbox over IMAP, with the guarantees of mbsync/fdm:
 * no mail lost, none applied twice.
 *
 * Each message is applied in its own transaction that also advances the
 * stored position (UIDVALIDITY, last UID) and records where the message is
 * to be moved; so a poller killed at any moment resumes exactly after the
 * last committed message. Only after that commit is the message flagged
 * \Seen and moved (processed-folder; failed-folder for mail that is not
 * mail). A changed UIDVALIDITY rescans the folder; Message-ID dedup keeps
 * that from applying anything twice.
 */
#pragma once
#include "baton/imap.h"
#include "baton/workflow.h"

#include <glib.h>

typedef struct {
  guint fetched;
  /* What became of each processed mail: the workflow's outcomes. */
  guint applied;
  guint partly;
  guint refused; /* outcome "failed": no line of it could be applied */
  guint quarantined;
  guint ignored;
  guint duplicate;
  guint not_mail; /* not a message at all: moved to the failed folder */
  guint moved;
  /* Set on a first pass without --from-start: the mail that was already
   * in the mailbox and was left alone. */
  gboolean first_pass;
  guint left_alone;
} BatonPollStats;

typedef struct {
  BatonImapSettings imap; /* strings owned by this struct */
  char *mailbox_key;      /* "user@host/MAILBOX", the stored position's name */
  char *processed_folder; /* or NULL: leave processed mail where it is */
  char *failed_folder;    /* or NULL */
} BatonPollSettings;

/* The count of each outcome in @stats, "applied=2 partly=1 …", leaving
 * out the zeros; "nothing" when all are. The caller frees it. */
char *baton_poll_stats_describe (const BatonPollStats *stats);

/* Settings from the [imap] section, reading the password. Errors:
 * BATON_ERROR_CONFIG (no [imap], bad url), or the secret's. */
BatonPollSettings *baton_poll_settings_new (const BatonConfig *config, GError **error);
void baton_poll_settings_free (BatonPollSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonPollSettings, baton_poll_settings_free)

/* One pass over the selected mailbox of @session. On the very first pass
 * (no stored position) only the position is recorded, unless @from_start:
 * old mail in a mailbox is not a list of fresh commands; @stats then says
 * how much was left alone. A position stored under the key of an older
 * baton ("user@host:port/MAILBOX") with the same UIDVALIDITY is the same
 * mailbox reached another way (143 → 993) and is carried on. Stops at the
 * first temporary failure (the rest is fetched on the next pass). */
gboolean baton_poll_once (BatonTeam *team, BatonImapSession *session,
                          const BatonPollSettings *settings, gboolean from_start,
                          BatonPollStats *stats, GError **error);
