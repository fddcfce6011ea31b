/* SPDX-License-Identifier: MIT */
/* libFuzzer target: building outgoing mail from text strangers wrote. The
 * input, split at NUL bytes, gives the sender's and recipient's display
 * names, the subject, the text and HTML bodies, the X-Loop marker, the
 * threading ids and a recipient address; baton_mail_build() makes a
 * notice of them. The bytes must carry no header but the builder's own,
 * each once (nothing fuzzed may add one), no bare CR or NUL, no line over
 * 78 characters save a header holding a message id; and they must parse
 * back (GMime, through baton_message_parse) to the same sender, recipient,
 * subject and X-Loop, cleaned as mailbuild.h promises.
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/mailbuild.h"
#include "baton/message.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char *const allowed[] = {
  "Date",
  "From",
  "To",
  "Reply-To",
  "Subject",
  "Message-ID",
  "In-Reply-To",
  "References",
  "MIME-Version",
  "Auto-Submitted",
  "X-Loop",
  "Content-Type",
  "Content-Transfer-Encoding",
};

/* What mailbuild.h promises for header text: control characters and
 * blanks one space per run, valid UTF-8, trimmed. */
static char *
cleaned (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 ||
                         c == 0x2029 || c == ' ';
      if (!control)
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (out->len > 0 && out->str[out->len - 1] != ' ')
        g_string_append_c (out, ' ');
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/* Header names of MAIL each once and all in the allowed set; line rules. */
static void
check_lines (const char *mail, gsize length)
{
  g_assert (memchr (mail, '\0', length) == NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean in_header = TRUE;
  for (const char *line = mail; line < mail + length;)
    {
      const char *nl = memchr (line, '\n', (gsize) (mail + length - line));
      const char *end = nl ? nl : mail + length;
      g_assert (memchr (line, '\r', (gsize) (end - line)) == NULL);
      if (end - line > 78)
        g_assert (in_header && memchr (line, '<', (gsize) (end - line)) != NULL);
      if (in_header && end == line)
        in_header = FALSE;
      else if (in_header && *line != ' ' && *line != '\t')
        {
          const char *colon = memchr (line, ':', (gsize) (end - line));
          g_assert (colon != NULL);
          g_autofree char *name = g_strndup (line, (gsize) (colon - line));
          gboolean known = FALSE;
          for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
            if (g_str_equal (name, allowed[i]))
              {
                known = TRUE;
                g_assert (!g_hash_table_contains (seen, allowed[i]));
                g_hash_table_add (seen, (gpointer) allowed[i]);
              }
          if (!known)
            g_error ("header injected: %s", name);
        }
      line = nl ? nl + 1 : end;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Up to 9 NUL-separated fields; missing ones are NULL. */
  const char *field[9] = { NULL };
  g_autofree char *copy = g_malloc (size + 1);
  memcpy (copy, data, size);
  copy[size] = '\0';
  const char *p = copy;
  for (guint i = 0; i < G_N_ELEMENTS (field) && p <= copy + size; i++)
    {
      field[i] = p;
      p += strlen (p) + 1;
    }
  const char *to_address =
      field[8] && baton_mail_address_valid (field[8]) ? field[8] : "alice@example.com";
  BatonMailbox to = { field[1], to_address };
  const char *refs[] = { field[7], NULL };
  BatonMailSpec spec = {
    .from = { field[0], "team@example.com" },
    .to = &to,
    .n_to = 1,
    .subject = field[2],
    .text_body = field[3] ? field[3] : "",
    .html_body = field[4] && *field[4] ? field[4] : NULL,
    .x_loop = field[5],
    .in_reply_to = field[6],
    .references = field[7] ? refs : NULL,
    .date_unix = 1773075900,
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  gsize length = 0;
  g_autofree char *mail = baton_mail_build (&spec, &id, &length, &error);
  g_assert_no_error (error);
  g_assert (mail != NULL && id != NULL && strlen (mail) == length);
  check_lines (mail, length);

  g_autoptr (BatonMessage) back = baton_message_parse (mail, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->from_address, ==, "team@example.com");
  g_assert_cmpstr (back->message_id, ==, id);
  g_autofree char *to_lower = g_ascii_strdown (to_address, -1);
  g_assert_cmpstr (back->recipients[0], ==, to_lower);
  g_autofree char *subject = cleaned (field[2] ? field[2] : "");
  g_assert_cmpstr (back->subject, ==, subject);
  g_autofree char *loop = cleaned (field[5] ? field[5] : "team@example.com");
  g_assert_cmpstr (back->x_loop[0], ==, loop);
  g_assert (g_utf8_validate (back->visible_text, -1, NULL));
  return 0;
}
