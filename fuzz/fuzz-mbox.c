/* SPDX-License-Identifier: MIT */
/* libFuzzer target: mbox splitting, both ways. The input is split in
 * memory (baton_mbox_split) and read back from a file in pieces
 * (baton_mbox_reader_next, as `ingest --mbox` does); the two must hand out
 * exactly the same messages, none empty, none longer than the input.
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#define _GNU_SOURCE
#include "baton/mbox.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GBytes *
read_all (int fd)
{
  GByteArray *bytes = g_byte_array_new ();
  char buffer[4096];
  ssize_t n;
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (bytes, (const guint8 *) buffer, (guint) n);
  g_assert_cmpint (n, ==, 0);
  return g_byte_array_free_to_bytes (bytes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) split = baton_mbox_split ((const char *) data, size);
  for (guint i = 0; i < split->len; i++)
    {
      gsize length = g_bytes_get_size (split->pdata[i]);
      g_assert (length > 0 && length <= size);
    }

  int fd = memfd_create ("fuzz-mbox", MFD_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, size), ==, (ssize_t) size);
  g_autoptr (BatonMboxReader) reader = baton_mbox_reader_new (fd, size);
  BatonMboxMessage message;
  g_autoptr (GError) error = NULL;
  guint count = 0;
  while (baton_mbox_reader_next (reader, &message, &error))
    {
      g_autoptr (GBytes) bytes = message.bytes;
      if (bytes == NULL)
        {
          bytes = read_all (message.fd);
          close (message.fd);
        }
      g_assert_cmpuint (count, <, split->len);
      g_assert (g_bytes_equal (bytes, split->pdata[count]));
      count++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, split->len);
  close (fd);
  return 0;
}
