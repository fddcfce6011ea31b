/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the bytes are everything an IMAP server says to baton,
 * from its greeting on, and baton's own IMAP code answers them as it does
 * a real server: login, SELECT, UID SEARCH, UID FETCH of sizes and of
 * bodies (whole, and in pieces into a temporary file), the position
 * checks, UID SEARCH for new mail, MOVE. libetpan parses every response on
 * the way, as in a real poll; the stream driver (baton_imap_connect_script)
 * reads from memory, so a run is fast and the end of the input is the
 * server closing the connection.
 *
 * Seeds: real Dovecot conversations from the test rig (fuzz/imap-seeds/).
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/imap.h"

#include <stdint.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  guint32 last_uid;
  guint messages;
} Seen;

/* Checks what the fetch hands out: ascending UIDs, readable bytes. */
static gboolean
on_message (guint32 uid, const char *bytes, int fd, gsize len, gpointer user_data, GError **error)
{
  Seen *seen = user_data;
  (void) error;
  g_assert (uid > seen->last_uid);
  seen->last_uid = uid;
  seen->messages++;
  if (bytes != NULL)
    {
      volatile char sum = 0;
      for (gsize i = 0; i < len; i++)
        sum ^= bytes[i];
      (void) sum;
    }
  else
    {
      char buf[512];
      g_assert (fd >= 0);
      g_assert (pread (fd, buf, MIN (len, sizeof buf), 0) == (ssize_t) MIN (len, sizeof buf));
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  BatonImapSettings settings = {
    .host = "fuzz.example", .user = "team@example.com", .password = "pw", .mailbox = "INBOX"
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonImapSession) s =
      baton_imap_connect_script (&settings, (const char *) data, size, &error);
  if (s == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  guint32 uidvalidity = 0, uidnext = 0;
  if (!baton_imap_select (s, NULL, &uidvalidity, &uidnext, &error))
    return 0;
  Seen seen = { 0, 0 };
  if (!baton_imap_fetch_range (s, 1, 0, on_message, &seen, &error))
    {
      g_assert (error != NULL);
      g_clear_error (&error);
    }
  g_autoptr (GArray) above = baton_imap_list_uids_above (s, seen.last_uid, &error);
  if (above == NULL)
    {
      g_clear_error (&error);
      return 0;
    }
  for (guint i = 0; i < above->len; i++)
    g_assert (g_array_index (above, guint32, i) > seen.last_uid);
  guint32 uids[] = { 1, 2, 3 };
  if (!baton_imap_move (s, uids, G_N_ELEMENTS (uids), "Processed", &error))
    g_clear_error (&error);
  return 0;
}
