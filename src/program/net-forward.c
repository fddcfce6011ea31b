/* SPDX-License-Identifier: MIT */
/* The baton program's side of the network module (netmodule.h): imap.h and
 * smtp.h forwarded to baton-net.so, loaded on the first connection. Only
 * the program links this file; the library and its tests link the real
 * transports instead. */
#define G_LOG_DOMAIN "baton-net"
#include "baton/error.h"
#include "baton/net.h"
#include "baton/netmodule.h"

#include <dlfcn.h>

#ifndef BATON_LIBDIR
#define BATON_LIBDIR "/usr/local/lib/baton"
#endif

static const BatonNetModule *loaded;
static char *load_failure; /* why it could not be loaded, for the error */

/* The module's path next to the running program, or NULL. */
static char *
beside_program (void)
{
  /* No error: without /proc the module is looked for in BATON_LIBDIR only,
   * and that failure is the one reported. */
  g_autofree char *program = g_file_read_link ("/proc/self/exe", NULL);
  if (program == NULL)
    return NULL;
  g_autofree char *dir = g_path_get_dirname (program);
  return g_build_filename (dir, BATON_NET_MODULE_FILE, NULL);
}

/* Opens the module at PATH and checks its table; NULL with REASON set
 * (dlerror()'s words, or the version found) when it cannot be used. */
static const BatonNetModule *
open_module (const char *path, char **reason)
{
  void *handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      *reason = g_strdup (dlerror ());
      return NULL;
    }
  const BatonNetModule *module = dlsym (handle, "baton_net_module");
  if (module == NULL || module->version != BATON_NET_MODULE_VERSION)
    {
      *reason = module == NULL ? g_strdup_printf ("%s: no baton_net_module", path)
                               : g_strdup_printf ("%s: version %u, this baton needs %u", path,
                                                  module->version, BATON_NET_MODULE_VERSION);
      dlclose (handle);
      return NULL;
    }
  return module; /* never closed: the process keeps it to the end */
}

static gpointer
load (G_GNUC_UNUSED gpointer unused)
{
  g_autofree char *beside = beside_program ();
  const char *libdir_path = BATON_LIBDIR "/" BATON_NET_MODULE_FILE;
  g_autofree char *why_beside = NULL;
  g_autofree char *why_libdir = NULL;
  const BatonNetModule *module = NULL;
  if (beside != NULL && g_file_test (beside, G_FILE_TEST_EXISTS))
    module = open_module (beside, &why_beside);
  if (module == NULL)
    module = open_module (libdir_path, &why_libdir);
  if (module != NULL)
    baton_net_stop_also (module->net_stop); /* a SIGTERM must reach its sockets */
  if (module == NULL)
    load_failure =
        g_strconcat (why_beside ? why_beside : "", why_beside ? "; " : "", why_libdir, NULL);
  return (gpointer) module;
}

/* The module, loaded on the first call; NULL with ERROR set when it
 * cannot be. */
static const BatonNetModule *
module (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  loaded = g_once (&once, load, NULL);
  if (loaded == NULL)
    g_set_error (
        error, BATON_ERROR, BATON_ERROR_SOFTWARE,
        "cannot load the network module (%s): reinstall baton; `make install` puts " BATON_NET_MODULE_FILE
        " in " BATON_LIBDIR,
        load_failure);
  return loaded;
}

/* Sessions and senders come from the module, so for everything that takes
 * one it is already loaded. */

BatonSmtpSender *
baton_smtp_sender_new (const BatonSmtpSettings *settings, GError **error)
{
  const BatonNetModule *net = module (error);
  return net ? net->smtp_sender_new (settings, error) : NULL;
}

gboolean
baton_smtp_send (BatonSmtpSender *sender, const char *envelope_from, const char *const *recipients,
                 const char *mime_bytes, gsize len, GError **error)
{
  return loaded->smtp_send (sender, envelope_from, recipients, mime_bytes, len, error);
}

void
baton_smtp_sender_free (BatonSmtpSender *sender)
{
  if (sender != NULL)
    loaded->smtp_sender_free (sender);
}

BatonImapSession *
baton_imap_connect (const BatonImapSettings *settings, GError **error)
{
  const BatonNetModule *net = module (error);
  return net ? net->imap_connect (settings, error) : NULL;
}

void
baton_imap_session_free (BatonImapSession *session)
{
  if (session != NULL)
    loaded->imap_session_free (session);
}

gboolean
baton_imap_has_capability (BatonImapSession *session, const char *capability)
{
  return loaded->imap_has_capability (session, capability);
}

guint
baton_imap_commands_sent (BatonImapSession *session)
{
  return loaded->imap_commands_sent (session);
}

gboolean
baton_imap_select (BatonImapSession *session, const char *mailbox, guint32 *uidvalidity,
                   guint32 *uidnext, GError **error)
{
  return loaded->imap_select (session, mailbox, uidvalidity, uidnext, error);
}

gboolean
baton_imap_fetch_range (BatonImapSession *session, guint32 uid_first, guint32 uid_last,
                        BatonImapMessageFunc func, gpointer user_data, GError **error)
{
  return loaded->imap_fetch_range (session, uid_first, uid_last, func, user_data, error);
}

GArray *
baton_imap_list_uids_above (BatonImapSession *session, guint32 uid, GError **error)
{
  return loaded->imap_list_uids_above (session, uid, error);
}

gboolean
baton_imap_move (BatonImapSession *session, const guint32 *uids, gsize n_uids, const char *folder,
                 GError **error)
{
  return loaded->imap_move (session, uids, n_uids, folder, error);
}

gboolean
baton_imap_idle_wait (BatonImapSession *session, guint timeout_seconds, gboolean *new_mail,
                      GError **error)
{
  return loaded->imap_idle_wait (session, timeout_seconds, new_mail, error);
}

void
baton_imap_idle_interrupt (BatonImapSession *session)
{
  if (session != NULL)
    loaded->imap_idle_interrupt (session);
}

void
baton_imap_cancel (BatonImapSession *session)
{
  if (session != NULL)
    loaded->imap_cancel (session);
}

gboolean
baton_smtp_probe (BatonSmtpSender *sender, GError **error)
{
  return loaded->smtp_probe (sender, error);
}
