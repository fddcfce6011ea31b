/* SPDX-License-Identifier: MIT */
/* libFuzzer target: bytes as a parent and a reply (the first byte says
 * where the parent ends), through every step of the ancestry cut: the
 * parent's fingerprint, the same bytes as a template's literal text, the
 * stored form read back, and the cut of the reply by all of them. The cut
 * must never grow the text and must report lines that exist.
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/ancestry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  size_t split = 1 + (size - 1) * data[0] / 255;
  g_autofree char *parent_text = g_strndup ((const char *) data + 1, split - 1);
  g_autofree char *reply = g_strndup ((const char *) data + split, size - split);
  g_autoptr (BatonFingerprint) parent = baton_ancestry_fingerprint (parent_text);
  g_autoptr (BatonFingerprint) templates = baton_ancestry_fingerprint_template (NULL, parent_text);
  g_autoptr (BatonFingerprint) stored = NULL;
  if (parent != NULL)
    stored = baton_fingerprint_new (parent->width, parent->words,
                                    (const guint32 *) parent->hashes->data, parent->hashes->len);
  BatonFingerprint *parents[] = { parent, templates, stored };
  g_autoptr (BatonAncestryResult) result = baton_ancestry_cut (reply, parents, 3);
  if (strlen (result->text) > strlen (reply))
    abort ();
  guint lines = 1;
  for (const char *p = reply; *p; p++)
    lines += *p == '\n';
  for (guint i = 0; i < result->cuts->len; i++)
    {
      const BatonAncestryCut *cut = &g_array_index (result->cuts, BatonAncestryCut, i);
      if (cut->first < 1 || cut->first > cut->last || cut->last > lines || cut->parent > 2)
        abort ();
    }
  return 0;
}
