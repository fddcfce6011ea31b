/* SPDX-License-Identifier: MIT */
/* libFuzzer target: raw bytes as an incoming mail, through everything baton
 * does with one before the database: GMime parsing, header extraction, the
 * text part, HTML to text, format=flowed, the newly written text, and the
 * command parser. The same bytes also go straight to the command parser,
 * which reaches its corners faster than through a whole mail.
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/commands.h"
#include "baton/message.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonMessage) message = baton_message_parse ((const char *) data, size, &error);
  if (message != NULL)
    {
      g_assert (message->visible_text != NULL && g_utf8_validate (message->visible_text, -1, NULL));
      g_ptr_array_unref (baton_commands_parse (message->visible_text));
    }
  else
    g_assert (error != NULL);
  /* The command parser takes UTF-8 text: give it the bytes made valid. */
  g_autofree char *text = g_utf8_make_valid ((const char *) data, (gssize) size);
  g_ptr_array_unref (baton_commands_parse (text));
  return 0;
}
