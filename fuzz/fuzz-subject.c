/* SPDX-License-Identifier: MIT */
/* libFuzzer target: how a mail names its task outside the body. The
 * first line of the input is a raw Subject (decoded as baton decodes it,
 * then searched for "[#12]"), the second a raw To: header whose addresses
 * are tried as plus-addresses ("team+take-12@…") of the team address on
 * the third line (or team@example.com). Checks what the callers rely on:
 * decoded subjects are valid UTF-8, with no line break unless an
 * encoded-word decoded to one, a task number is
 * never negative and comes from a "[#" in the subject, and a recognised
 * plus-address is the team's own local part, '+', then a known tag
 * (a handoff's with a task number and a member-like name).
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/commands.h"
#include "baton/message.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_plus_address (const char *recipient, const char *team)
{
  BatonCommandKind kind = BATON_COMMAND_INVALID;
  gint64 task = -1;
  if (!baton_commands_from_plus_address (recipient, team, &kind, &task))
    return;
  const char *at = strrchr (team, '@');
  gsize local = (gsize) (at - team);
  g_assert (g_ascii_strncasecmp (recipient, team, local) == 0 && recipient[local] == '+');
  g_assert (g_ascii_strcasecmp (strrchr (recipient, '@') + 1, at + 1) == 0);
  if (kind == BATON_COMMAND_TASK)
    g_assert_cmpint (task, ==, 0);
  else
    {
      g_assert (kind == BATON_COMMAND_TAKE || kind == BATON_COMMAND_DONE ||
                kind == BATON_COMMAND_DROP || kind == BATON_COMMAND_ACCEPT);
      g_assert_cmpint (task, >, 0);
    }
}

/* team+handoff-N-NAME@: a task number and a name of member-name bytes. */
static void
check_plus_handoff (const char *recipient, const char *team)
{
  gint64 task = -1;
  g_autofree char *who = NULL;
  if (!baton_commands_handoff_from_plus_address (recipient, team, &task, &who))
    {
      g_assert_cmpint (task, ==, -1);
      g_assert_null (who);
      return;
    }
  g_assert_cmpint (task, >, 0);
  g_assert (*who != '\0');
  for (const char *p = who; *p; p++)
    g_assert (g_ascii_islower (*p) || g_ascii_isdigit (*p) || strchr ("-_.", *p) != NULL);
  g_assert (g_ascii_strncasecmp (strchr (recipient, '+') + 1, "handoff-", 8) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size); /* ends at a NUL, like a header */
  g_auto (GStrv) lines = g_strsplit (text, "\n", 3);
  const char *subject = lines[0] ? lines[0] : "";
  const char *to = lines[0] && lines[1] ? lines[1] : "";
  const char *team =
      lines[0] && lines[1] && lines[2] && strchr (lines[2], '@') ? lines[2] : "team@example.com";

  g_autofree char *decoded = baton_message_decode_header (subject);
  g_assert (g_utf8_validate (decoded, -1, NULL));
  if (strstr (subject, "=?") == NULL) /* only an encoded-word may hold a line break */
    g_assert (strchr (decoded, '\n') == NULL && strchr (decoded, '\r') == NULL);
  gint64 task = baton_commands_task_from_subject (decoded);
  g_assert_cmpint (task, >=, 0);
  if (task > 0)
    g_assert (strstr (decoded, "[#") != NULL);
  (void) baton_commands_task_from_subject (subject); /* raw bytes too: no crash */

  g_auto (GStrv) recipients = baton_message_parse_addresses (to);
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      check_plus_address (recipients[i], team);
      check_plus_handoff (recipients[i], team);
    }
  check_plus_address (to, team);
  check_plus_handoff (to, team);
  return 0;
}
