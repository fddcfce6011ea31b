/* SPDX-License-Identifier: MIT */
/* Recognising old text by its parent: the part of a reply that reproduces
 * a message baton knows (a notice or digest it sent, a team mail it
 * ingested), whatever the client did to it: quoted with ">", "> >", "|"
 * or "AB>", or pasted unquoted and unmarked, re-wrapped at any width,
 * with or without an attribution line.
 *
 * Pure: text in, fingerprints and cut text out; no I/O. The store keeps a
 * fingerprint per Message-ID (include/baton/store.h); the workflow looks
 * up the parents a reply names and cuts with them (workflow-ancestry.c).
 *
 * A fingerprint is the sorted set of 32-bit hashes of every run of WIDTH
 * consecutive words of a text (words: letters and digits, casefolded;
 * punctuation, quote marks and line breaks do not count), so re-wrapping
 * and quoting change nothing. At most BATON_ANCESTRY_MAX_HASHES are kept,
 * those of the start of the text: after the first match everything is
 * old anyway.
 */
#pragma once
#include <glib.h>

/* Words per shingle; a parent with fewer words has one shingle of all. */
#define BATON_ANCESTRY_WIDTH 4
/* Cap on a fingerprint's hashes (16 KB stored); text past it is unknown. */
#define BATON_ANCESTRY_MAX_HASHES 4096
/* Only the first 64 KB of a text are fingerprinted. */
#define BATON_ANCESTRY_MAX_TEXT 65536
/* A run of at least this many consecutive words of the parent starts the
 * old text (or the whole parent, when it is shorter): a phrase shared by
 * chance is shorter than that. */
#define BATON_ANCESTRY_ANCHOR_WORDS 10

typedef struct {
  guint width;       /* words per shingle, 1..BATON_ANCESTRY_WIDTH */
  guint words;       /* words in the fingerprinted text (capped text) */
  gboolean per_line; /* template literal text: a line made only of it is old anywhere */
  GArray *hashes;    /* guint32 in text order until SORTED; owned */
  gboolean sorted;   /* hashes sorted and unique (baton_ancestry_cut() sorts them) */
  guint64 *filter;   /* owned: a bit per hash's low 16 bits, made by a cut, or NULL */
} BatonFingerprint;

/* A fingerprint in static storage, HASHES sorted and unique: for
 * baton_fingerprint_new(). */
typedef struct {
  guint width;
  guint words;
  guint n_hashes;
  const guint32 *hashes;
} BatonFingerprintData;

/* The literal text of the shipped mail text templates
 * (baton_template_is_mail_text()), as baton_ancestry_fingerprint_template()
 * makes it from them: computed at build time by
 * tools/fingerprint-templates.c, so no process spends its first mail on it
 * (1.3% of a one-mail `ingest`). */
extern const BatonFingerprintData baton_shipped_template_fingerprint;

/* The fingerprint of TEXT (UTF-8, any line ends; NULL is ""). Returns NULL
 * when TEXT has fewer than 2 words: too little to recognise anything by.
 * Caller frees with baton_fingerprint_free(). */
BatonFingerprint *baton_ancestry_fingerprint (const char *text);

/* The fingerprint of a mustache template's literal text only: shingles
 * never span a {{tag}}, and runs shorter than BATON_ANCESTRY_WIDTH words
 * give nothing. Several templates can be added into one fingerprint:
 * INTO is NULL for a new one, and is returned. Sets per_line. */
BatonFingerprint *baton_ancestry_fingerprint_template (BatonFingerprint *into,
                                                       const char *template_source);

/* A fingerprint from its stored parts (HASHES: N native guint32, sorted or
 * not; the result is sorted); NULL when WIDTH is out of range. Caller
 * frees. */
BatonFingerprint *baton_fingerprint_new (guint width, guint words, const guint32 *hashes, gsize n);
void baton_fingerprint_free (BatonFingerprint *fingerprint);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonFingerprint, baton_fingerprint_free)

typedef struct {
  guint parent; /* index into the PARENTS given to baton_ancestry_cut() */
  guint first;  /* 1-based lines of the input text, inclusive */
  guint last;
} BatonAncestryCut;

typedef struct {
  char *text;   /* the input without the old lines; owned */
  GArray *cuts; /* BatonAncestryCut, in line order; owned */
} BatonAncestryResult;

void baton_ancestry_result_free (BatonAncestryResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonAncestryResult, baton_ancestry_result_free)

/* Whether the fingerprint of a text, TEXT, has a shingle of PARENT (TRUE
 * when their widths differ: they cannot be compared). When TEXT covers all
 * of another text's words in a row (a text with lines only added around
 * it), a cut of that text by PARENT cuts nothing if this is FALSE. Sorts
 * PARENT as baton_ancestry_cut() does. */
gboolean baton_ancestry_shares (BatonFingerprint *parent, const BatonFingerprint *text);

/* Cuts from TEXT (newly written text, "\n" line ends; CRLF is accepted)
 * what reproduces any of the N_PARENTS fingerprints (NULL entries are
 * skipped). For each parent: from the first run of its words (see
 * BATON_ANCESTRY_ANCHOR_WORDS; not one inside a line that starts with the
 * sender's own words: a failed line sent again) to the end is old, with
 * the attribution or header lines ("… wrote:", "From: …", "-----Original
 * Message-----") directly above it. Inside that block, lines with no word of the parent
 * stay new only when more of the parent follows them (an inline reply);
 * lines after the last of the parent are old (where the boundary is
 * uncertain, old). A per_line fingerprint also cuts every line made only
 * of its words, wherever it is. Removed lines in the middle leave one
 * blank line, so paragraphs around them do not run together.
 * Linear in the size of TEXT for each parent. Never NULL; caller frees. */
BatonAncestryResult *baton_ancestry_cut (const char *text, BatonFingerprint *const *parents,
                                         guint n_parents);
