/* SPDX-License-Identifier: MIT */
/* The network module: IMAP (imap.h, libetpan) and SMTP (smtp.h, libcurl)
 * built as a shared object of their own, baton-net.so, that the baton
 * program loads the first time it connects anywhere.
 *
 * Why: libcurl, libetpan, GnuTLS and what they pull in are 30 of the 50
 * libraries baton links, and loading them was 9 of the 13 ms every start
 * took: half of a procmail delivery, for commands (ingest, digest, tasks)
 * that never touch the network. imap.h and smtp.h stay the interface: in
 * the program their functions forward to the module (src/program/net-forward.c);
 * the unit tests link the real ones directly.
 *
 * The module is looked for next to the program (the build tree, a test
 * copy), then in BATON_LIBDIR, where `make install` puts it. A module that
 * cannot be found or does not match the program is a BATON_ERROR_SOFTWARE
 * that names both paths.
 */
#pragma once
#include "baton/imap.h"
#include "baton/smtp.h"

#define BATON_NET_MODULE_FILE "baton-net.so"
/* Bumped whenever BatonNetModule changes: a module of another version is
 * refused rather than called through the wrong table. */
#define BATON_NET_MODULE_VERSION 4

typedef struct {
  guint version;
  BatonSmtpSender *(*smtp_sender_new) (const BatonSmtpSettings *settings, GError **error);
  gboolean (*smtp_send) (BatonSmtpSender *sender, const char *envelope_from,
                         const char *const *recipients, const char *mime_bytes, gsize len,
                         GError **error);
  void (*smtp_sender_free) (BatonSmtpSender *sender);
  BatonImapSession *(*imap_connect) (const BatonImapSettings *settings, GError **error);
  void (*imap_session_free) (BatonImapSession *session);
  gboolean (*imap_has_capability) (BatonImapSession *session, const char *capability);
  guint (*imap_commands_sent) (BatonImapSession *session);
  gboolean (*imap_select) (BatonImapSession *session, const char *mailbox, guint32 *uidvalidity,
                           guint32 *uidnext, GError **error);
  gboolean (*imap_fetch_range) (BatonImapSession *session, guint32 uid_first, guint32 uid_last,
                                BatonImapMessageFunc func, gpointer user_data, GError **error);
  GArray *(*imap_list_uids_above) (BatonImapSession *session, guint32 uid, GError **error);
  gboolean (*imap_move) (BatonImapSession *session, const guint32 *uids, gsize n_uids,
                         const char *folder, GError **error);
  gboolean (*imap_idle_wait) (BatonImapSession *session, guint timeout_seconds, gboolean *new_mail,
                              GError **error);
  void (*imap_idle_interrupt) (BatonImapSession *session);
  void (*imap_cancel) (BatonImapSession *session);
  void (*net_stop) (void); /* the module's baton_net_stop() (net.h) */
  gboolean (*smtp_probe) (BatonSmtpSender *sender, GError **error);
} BatonNetModule;

/* The table baton-net.so exports (src/net/netmodule.c): the only symbol the
 * program looks up in it. */
extern const BatonNetModule baton_net_module;
