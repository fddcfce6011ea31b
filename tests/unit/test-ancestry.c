/* SPDX-License-Identifier: MIT */
/* baton_ancestry_*(): old text recognised by the parent it reproduces,
 * whatever the client did to it. */
#include "baton/ancestry.h"
#include "baton/template-source.h"
#include "baton/templates.h"

#include <string.h>
#include <time.h>

/* A handoff notice as baton renders it. */
static const char *const notice =
    "Alice Martin passed you the baton: task #2, \"Renew the TLS certificate\".\n"
    "\n"
    "  block: waiting on the registrar\n"
    "\n"
    "It is yours now. Reply to this mail with one of these lines:\n"
    "\n"
    "  done             when it is finished (add \": what happened\" if you like)\n"
    "  note: TEXT       to tell the team something about it\n"
    "  block: REASON    if it waits on something\n"
    "  handoff to NAME  to pass it on\n"
    "\n"
    "or send an empty mail to team+done-2@example.com when it is done.\n"
    "\n"
    "-- \n"
    "baton for team@example.com";

/* A member's mail, three paragraphs. */
static const char *const memo =
    "The printer on the second floor jams on every duplex job since Monday.\n"
    "I opened the rear tray and found a torn label stuck to the roller.\n"
    "\n"
    "After cleaning it the test page came out fine, but the toner is low and\n"
    "the spare cartridge in the cupboard is the wrong model for this printer.\n"
    "\n"
    "Somebody should order two of the right ones before the quarterly reports\n"
    "go out next week, otherwise finance will print at the copy shop again.\n"
    "done 1";

static char *
cut_with (const char *reply, const char *parent_text)
{
  g_autoptr (BatonFingerprint) parent = baton_ancestry_fingerprint (parent_text);
  BatonFingerprint *parents[] = { parent };
  g_autoptr (BatonAncestryResult) result = baton_ancestry_cut (reply, parents, 1);
  return g_steal_pointer (&result->text);
}

static void
check (const char *reply, const char *parent_text, const char *expected)
{
  g_autofree char *text = cut_with (reply, parent_text);
  g_assert_cmpstr (text, ==, expected);
}

/* Greedy re-wrap of each paragraph to WIDTH columns, as a client does. */
static char *
rewrap (const char *text, guint width)
{
  GString *out = g_string_new (NULL);
  g_auto (GStrv) paragraphs = g_strsplit (text, "\n\n", -1);
  for (guint p = 0; paragraphs[p] != NULL; p++)
    {
      if (p > 0)
        g_string_append (out, "\n\n");
      g_auto (GStrv) words = g_strsplit_set (paragraphs[p], " \n", -1);
      guint column = 0;
      for (guint i = 0; words[i] != NULL; i++)
        {
          guint length = strlen (words[i]);
          if (length == 0)
            continue;
          if (column > 0 && column + 1 + length > width)
            {
              g_string_append_c (out, '\n');
              column = 0;
            }
          else if (column > 0)
            {
              g_string_append_c (out, ' ');
              column++;
            }
          g_string_append (out, words[i]);
          column += length;
        }
    }
  return g_string_free (out, FALSE);
}

static char *
prefix_lines (const char *text, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "%s%s%s", i ? "\n" : "", prefix, lines[i]);
  return g_string_free (out, FALSE);
}

static void
test_unquoted_paste (void)
{
  g_autofree char *reply = g_strdup_printf ("take\n\n%s", notice);
  check (reply, notice, "take");
  /* With no blank line between the new text and the paste. */
  g_autofree char *tight = g_strdup_printf ("take 2\nthanks, on it\n%s", memo);
  check (tight, memo, "take 2\nthanks, on it");
}

static void
test_rewrapped (void)
{
  const guint widths[] = { 40, 72, 100 };
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *wrapped = rewrap (memo, widths[i]);
      g_autofree char *reply = g_strdup_printf ("take 2\n\n%s", wrapped);
      check (reply, memo, "take 2");
      g_autofree char *wrapped_notice = rewrap (notice, widths[i]);
      g_autofree char *reply2 = g_strdup_printf ("take\n\n%s", wrapped_notice);
      check (reply2, notice, "take");
    }
}

static void
test_quoted (void)
{
  const char *const prefixes[] = { "> ", ">", "> > ", ">> ", "| ", "AB> ", "  > " };
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *quoted = prefix_lines (memo, prefixes[i]);
      g_autofree char *reply = g_strdup_printf ("take 2\n\n%s", quoted);
      check (reply, memo, "take 2");
    }
  /* Quoted and re-wrapped at once. */
  g_autofree char *wrapped = rewrap (notice, 40);
  g_autofree char *quoted = prefix_lines (wrapped, "> ");
  g_autofree char *reply = g_strdup_printf ("done: renewed\n%s", quoted);
  check (reply, notice, "done: renewed");
}

static void
test_attribution (void)
{
  const char *const attributions[] = {
    "On Mon, 9 Mar 2026 at 18:05, baton <team@example.com> wrote:",
    "-----Original Message-----\nFrom: baton <team@example.com>\nSent: Monday, March 9, 2026 "
    "18:05\nTo: Bob Stone\nSubject: [#2] Renew the TLS certificate",
    "Alice Martin <alice@example.com> schrieb:\n",
    "________________________________\nVon: Alice\nGesendet: Montag\nBetreff: printer",
  };
  for (guint i = 0; i < G_N_ELEMENTS (attributions); i++)
    {
      g_autofree char *reply = g_strdup_printf ("take 2\n\n%s\n\n%s", attributions[i], memo);
      check (reply, memo, "take 2");
      g_autofree char *tight = g_strdup_printf ("take 2\n%s\n%s", attributions[i], memo);
      check (tight, memo, "take 2");
    }
  /* A command ending in ':' directly above the paste is not an
   * attribution. */
  g_autofree char *command = g_strdup_printf ("handoff 3 to bob:\n%s", memo);
  check (command, memo, "handoff 3 to bob:");
}

static void
test_inline_replies (void)
{
  g_auto (GStrv) paragraphs = g_strsplit (memo, "\n\n", -1);
  g_autofree char *reply = g_strdup_printf ("%s\n\ntake 2\n\n%s\nnote 2: ordered two\n\n%s",
                                            paragraphs[0], paragraphs[1], paragraphs[2]);
  check (reply, memo, "take 2\n\nnote 2: ordered two");
  /* Quoted inline replies, the usual form. */
  g_autofree char *q0 = prefix_lines (paragraphs[0], "> ");
  g_autofree char *q1 = prefix_lines (paragraphs[1], "> ");
  g_autofree char *q2 = prefix_lines (paragraphs[2], "> ");
  g_autofree char *quoted = g_strdup_printf ("%s\ntake 2\n%s\n\nI will order them\n%s", q0, q1, q2);
  check (quoted, memo, "take 2\n\nI will order them");
  /* Below the last passage of the parent nothing says the sender wrote it:
   * old. */
  g_autofree char *below = g_strdup_printf ("take 2\n\n%s\n\ndone 3", memo);
  check (below, memo, "take 2");
  /* A line that mixes the parent's words with others is old. */
  g_autofree char *edited =
      g_strdup_printf ("take 2\n\n%s\n\ndone 4 after cleaning it the test page came out fine\n\n%s",
                       paragraphs[0], paragraphs[2]);
  check (edited, memo, "take 2");
}

static void
test_common_phrase_stays (void)
{
  /* Shares "the test page came out fine" and "the printer on the second
   * floor" with the parent: short phrases, not a paste. */
  check ("take 2\nthe printer on the second floor is mine now\ndone 3\n"
         "the test page came out fine",
         memo,
         "take 2\nthe printer on the second floor is mine now\ndone 3\n"
         "the test page came out fine");
  check ("It is yours now, thanks\ndone", notice, "It is yours now, thanks\ndone");
  /* A line that failed, sent again corrected in a reply to baton's
   * report of it: the long note is the parent's, the line is new. */
  const char *report = "baton could not apply 1 of the 1 items it found in your mail "
                       "\"review\".\n\n"
                       "  FAILED  line 1: handof 12 to bob: please review the migration "
                       "guide before friday morning\n          not a command";
  check ("handoff 12 to bob: please review the migration guide before friday morning", report,
         "handoff 12 to bob: please review the migration guide before friday morning");
  check ("handoff 13 to bob: please review the migration guide before friday morning", report,
         "handoff 13 to bob: please review the migration guide before friday morning");
}

static char *
to_crlf (const char *text)
{
  GString *s = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    {
      if (*p == '\n')
        g_string_append_c (s, '\r');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static void
test_crlf (void)
{
  g_autofree char *paste = g_strdup_printf ("take 2\n\n%s\n", memo);
  g_autofree char *crlf = to_crlf (paste);
  check (crlf, memo, "take 2");
  /* A CRLF parent recognised in an LF reply. */
  g_autofree char *crlf_memo = to_crlf (memo);
  check (paste, crlf_memo, "take 2");
}

static void
test_unicode (void)
{
  const char *parent = "Die Übersetzung für das Handbuch ist fertig, bitte prüft die Kapitel "
                       "über Größen und Maße bis Freitag.\nÉTÉ: les réunions reprennent.";
  check ("take 4\n\n> die übersetzung FÜR das handbuch ist fertig, bitte prüft\n"
         "> die kapitel über größen und maße bis freitag. été: les réunions",
         parent, "take 4");
  const char *japanese = "プリンターの紙詰まりを直しました。トナーを注文してください。";
  g_autofree char *reply = g_strdup_printf ("take 5\n\n%s", japanese);
  check (reply, japanese, "take 5");
  /* Invalid bytes and odd characters neither crash nor match. */
  check ("take 6\n\xff\xfe done\xc3", parent, "take 6\n\xff\xfe done\xc3");
}

static void
test_empty (void)
{
  g_assert_null (baton_ancestry_fingerprint (""));
  g_assert_null (baton_ancestry_fingerprint (NULL));
  g_assert_null (baton_ancestry_fingerprint ("ok"));
  check ("take 2\ndone 3", "", "take 2\ndone 3");
  check ("", memo, "");
  check (NULL, memo, "");
  BatonFingerprint *none[] = { NULL };
  g_autoptr (BatonAncestryResult) result = baton_ancestry_cut ("take 2", none, 1);
  g_assert_cmpstr (result->text, ==, "take 2");
  g_assert_cmpuint (result->cuts->len, ==, 0);
}

static void
test_short_parent (void)
{
  /* A parent that is only a command: pasted on a line of its own it is
   * old (erring towards old); inside a sentence of the reply it is not a
   * paste. */
  check ("take 2\n\ndone 1", "done 1", "take 2");
  check ("take 2\n\nDone #1.", "done 1", "take 2");
  check ("take 2 and done 1 as well", "done 1", "take 2 and done 1 as well");
}

static void
test_cuts_reported (void)
{
  g_autoptr (BatonFingerprint) a = baton_ancestry_fingerprint (memo);
  g_autoptr (BatonFingerprint) b = baton_ancestry_fingerprint (notice);
  BatonFingerprint *parents[] = { a, b };
  g_autofree char *reply = g_strdup_printf ("take 2\n\n%s", notice);
  g_autoptr (BatonAncestryResult) result = baton_ancestry_cut (reply, parents, 2);
  g_assert_cmpstr (result->text, ==, "take 2");
  g_assert_cmpuint (result->cuts->len, ==, 1);
  BatonAncestryCut *cut = &g_array_index (result->cuts, BatonAncestryCut, 0);
  g_assert_cmpuint (cut->parent, ==, 1);
  g_assert_cmpuint (cut->first, ==, 3);
  g_assert_cmpuint (cut->last, ==, 17);
}

/* Regression: the second parent saw the first one's runs (the per-word
 * run lengths were not reset), so the templates claimed a member's text. */
static void
test_parents_apart (void)
{
  g_autoptr (BatonFingerprint) a = baton_ancestry_fingerprint (memo);
  g_autoptr (BatonFingerprint) templates = baton_ancestry_fingerprint_template (
      NULL, "It is yours now. Reply to this mail with one of these lines:\n");
  BatonFingerprint *parents[] = { a, templates };
  g_autofree char *reply = g_strdup_printf ("take 2\n\n%s", memo);
  g_autoptr (BatonAncestryResult) result = baton_ancestry_cut (reply, parents, 2);
  g_assert_cmpstr (result->text, ==, "take 2");
  g_assert_cmpuint (result->cuts->len, ==, 1);
  g_assert_cmpuint (g_array_index (result->cuts, BatonAncestryCut, 0).parent, ==, 0);
}

static void
test_stored_form (void)
{
  g_autoptr (BatonFingerprint) original = baton_ancestry_fingerprint (memo);
  g_autoptr (BatonFingerprint) copy =
      baton_fingerprint_new (original->width, original->words,
                             (const guint32 *) original->hashes->data, original->hashes->len);
  g_assert_true (copy->sorted);
  /* A cut sorts the hashes it is given, in place. */
  BatonFingerprint *one[] = { original };
  baton_ancestry_result_free (baton_ancestry_cut ("", one, 1));
  g_assert_true (original->sorted);
  g_assert_cmpuint (copy->hashes->len, ==, original->hashes->len);
  g_assert_cmpmem (copy->hashes->data, copy->hashes->len * 4, original->hashes->data,
                   original->hashes->len * 4);
  g_assert_null (baton_fingerprint_new (0, 3, NULL, 0));
  g_assert_null (baton_fingerprint_new (BATON_ANCESTRY_WIDTH + 1, 3, NULL, 0));
  /* Bounded, whatever the size of the text. */
  GString *big = g_string_new (NULL);
  for (guint i = 0; big->len < 4 * BATON_ANCESTRY_MAX_TEXT; i++)
    g_string_append_printf (big, "word%u ", i);
  g_autoptr (BatonFingerprint) capped = baton_ancestry_fingerprint (big->str);
  g_assert_cmpuint (capped->hashes->len, <=, BATON_ANCESTRY_MAX_HASHES);
  /* The start of a big parent is still recognised. */
  g_autofree char *reply = g_strdup_printf ("take 9\n\n%s", big->str);
  BatonFingerprint *parents[] = { capped };
  g_autoptr (BatonAncestryResult) result = baton_ancestry_cut (reply, parents, 1);
  g_assert_cmpstr (result->text, ==, "take 9");
  g_string_free (big, TRUE);
}

/* The hashes of a fixed text, as every version of baton has computed them:
 * a database keeps fingerprints written by older versions, so a faster
 * tokenizer must give exactly these (quote marks, punctuation, case,
 * accents and CJK included), in text order. */
static void
test_hashes_pinned (void)
{
  static const guint32 expected[] = { 0xa1fa5a48, 0xacfa79e7, 0xd6cd947e, 0xd757be1a, 0xab800fba,
                                      0x7bb0d776, 0x2a0e8ce1, 0xf05fd270, 0x384f0244 };
  g_autoptr (BatonFingerprint) fingerprint = baton_ancestry_fingerprint (
      "Renew the TLS certificate\nbefore > Friday, please: ça coûte 東京 rien.");
  g_assert_cmpuint (fingerprint->width, ==, BATON_ANCESTRY_WIDTH);
  g_assert_cmpuint (fingerprint->words, ==, 12);
  g_assert_cmpmem (fingerprint->hashes->data, fingerprint->hashes->len * sizeof (guint32), expected,
                   sizeof expected);
  g_autoptr (BatonFingerprint) two = baton_ancestry_fingerprint ("Two words");
  g_assert_cmpuint (two->width, ==, 2);
  g_assert_cmpuint (two->hashes->len, ==, 1);
  g_assert_cmpuint (g_array_index (two->hashes, guint32, 0), ==, 0x40f8aa5f);
}

/* The cap keeps exactly the first BATON_ANCESTRY_MAX_HASHES shingles, and
 * counts across the templates added into one fingerprint. */
static void
test_cap_exact (void)
{
  GString *text = g_string_new (NULL);
  for (guint i = 0; i < BATON_ANCESTRY_MAX_HASHES + 100; i++)
    g_string_append_printf (text, "w%u%s", i, i % 9 == 8 ? "\n" : " ");
  g_autoptr (BatonFingerprint) capped = baton_ancestry_fingerprint (text->str);
  g_assert_cmpuint (capped->hashes->len, ==, BATON_ANCESTRY_MAX_HASHES);
  /* The same as the fingerprint of just enough words for the cap. */
  const char *p = text->str;
  for (guint words = 0; words < BATON_ANCESTRY_MAX_HASHES + BATON_ANCESTRY_WIDTH - 1; p++)
    if (*p == ' ' || *p == '\n')
      words++;
  g_autofree char *prefix = g_strndup (text->str, p - text->str);
  g_autoptr (BatonFingerprint) exact = baton_ancestry_fingerprint (prefix);
  g_assert_cmpmem (capped->hashes->data, capped->hashes->len * sizeof (guint32),
                   exact->hashes->data, exact->hashes->len * sizeof (guint32));
  /* Templates: each adds up to the room left. */
  BatonFingerprint *templates = baton_ancestry_fingerprint_template (NULL, text->str);
  g_assert_cmpuint (templates->hashes->len, ==, BATON_ANCESTRY_MAX_HASHES);
  templates = baton_ancestry_fingerprint_template (templates, "one more line of literal text");
  g_assert_cmpuint (templates->hashes->len, ==, BATON_ANCESTRY_MAX_HASHES);
  baton_fingerprint_free (templates);
  g_autoptr (BatonFingerprint) split =
      baton_ancestry_fingerprint_template (NULL, "alpha beta gamma delta {{x}} eps zeta eta theta");
  g_assert_cmpuint (split->hashes->len, ==, 2);
  g_string_free (text, TRUE);
}

static gint
compare_guint32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

/* Stored hashes in any order, with repeats, come back sorted and unique,
 * short and long (each size takes its own sort). */
static void
test_sorted_unique (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  const guint sizes[] = { 1, 2, 47, 48, 49, 300, BATON_ANCESTRY_MAX_HASHES };
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr (GArray) hashes = g_array_new (FALSE, FALSE, sizeof (guint32));
      for (guint i = 0; i < sizes[s]; i++)
        {
          /* A small range for some: many repeats; top bits set for others. */
          guint32 h =
              s % 2 ? (guint32) g_rand_int_range (rand, 0, 64) : g_rand_int (rand) | 0x80000000u;
          g_array_append_val (hashes, h);
        }
      g_autoptr (BatonFingerprint) fingerprint =
          baton_fingerprint_new (4, sizes[s], (const guint32 *) hashes->data, hashes->len);
      g_array_sort (hashes, compare_guint32);
      guint kept = 0;
      for (guint i = 0; i < hashes->len; i++)
        if (kept == 0 ||
            g_array_index (hashes, guint32, i) != g_array_index (hashes, guint32, kept - 1))
          g_array_index (hashes, guint32, kept++) = g_array_index (hashes, guint32, i);
      g_assert_cmpmem (fingerprint->hashes->data, fingerprint->hashes->len * sizeof (guint32),
                       hashes->data, kept * sizeof (guint32));
    }
}

static char *
template_text (const char *name)
{
  for (guint i = 0; baton_embedded_templates[i].name != NULL; i++)
    if (g_str_equal (baton_embedded_templates[i].name, name))
      return g_strdup (baton_embedded_templates[i].text);
  g_assert_not_reached ();
}

/* Issue 15: an out-of-office echoed the handoff notice's instruction lines
 * unquoted, with no References: "block: REASON" blocked the task. */
static void
test_template_lines (void)
{
  g_autofree char *handoff = template_text ("handoff.txt");
  g_autofree char *taken = template_text ("taken.txt");
  g_autoptr (BatonFingerprint) templates = baton_ancestry_fingerprint_template (NULL, handoff);
  baton_ancestry_fingerprint_template (templates, taken);
  BatonFingerprint *parents[] = { templates };
  struct {
    const char *reply, *expected;
  } cases[] = {
    { "I am out of office until Monday.\n\n  block: REASON    if it waits on something",
      "I am out of office until Monday." },
    { "Away.\nnote: TEXT to tell the team something about it\nhandoff to NAME to pass it on",
      "Away." },
    { "Out of office.\nIt is yours now. Reply to this mail with one of these lines:\n\n"
      "  done  when it is finished\nblock: waiting for parts",
      "Out of office." },
    /* The sender's own commands, even ones the templates mention. */
    { "take\nblock: the vendor has not answered\nhandoff to bob",
      "take\nblock: the vendor has not answered\nhandoff to bob" },
    { "done: it is yours now", "done: it is yours now" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BatonAncestryResult) result = baton_ancestry_cut (cases[i].reply, parents, 1);
      g_assert_cmpstr (result->text, ==, cases[i].expected);
    }
}

/* Every step linear in its input: a 1 MB reply costs about 100 times a
 * 10 KB one (fail only past 400 times, the minimum of several runs). */
/* The thread's own CPU time: on a shared 2-core machine the wall clock
 * counts other people's work too. */
static gint64
cpu_time (void)
{
  struct timespec now;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static gint64
time_cut (const char *reply, BatonFingerprint *const *parents)
{
  gint64 best = G_MAXINT64;
  for (int i = 0; i < 5; i++)
    {
      gint64 start = cpu_time ();
      g_autoptr (BatonAncestryResult) result = baton_ancestry_cut (reply, parents, 2);
      best = MIN (best, cpu_time () - start);
    }
  return MAX (best, 1);
}

static char *
hostile_reply (gsize size)
{
  /* Alternating passages and gaps, attribution-looking lines, blank lines:
   * every branch of the walk, many times. */
  GString *s = g_string_new ("take 2\n");
  while (s->len < size)
    g_string_append (s, "The printer on the second floor jams on every duplex job since Monday.\n"
                        "On Monday someone wrote:\n\nmy own words here\n\n\n"
                        "From: x\n");
  return g_string_free (s, FALSE);
}

static void
test_linear (void)
{
  g_autoptr (BatonFingerprint) a = baton_ancestry_fingerprint (memo);
  g_autoptr (BatonFingerprint) b = baton_ancestry_fingerprint (notice);
  BatonFingerprint *parents[] = { a, b };
  g_autofree char *small = hostile_reply (10 * 1024);
  g_autofree char *large = hostile_reply (1024 * 1024);
  gint64 t_small = time_cut (small, parents);
  gint64 t_large = time_cut (large, parents);
  g_test_message ("10 KB: %" G_GINT64_FORMAT " us, 1 MB: %" G_GINT64_FORMAT " us", t_small,
                  t_large);
  g_assert_cmpint (t_large, <, 400 * t_small + 20000);
}

/* A body's fingerprint covers its start: a parent that shares none of its
 * shingles cuts nothing there, one that shares any is reported, and a
 * shingle shared in the body's quoted tail counts too (the caller then
 * cuts in full). Every such cut equals the cut with all the parents. */
static void
test_shares (void)
{
  const char *parent_text = "Please renew the TLS certificate before Friday, the registrar is slow";
  g_autoptr (BatonFingerprint) parent = baton_ancestry_fingerprint (parent_text);
  g_autoptr (BatonFingerprint) other =
      baton_ancestry_fingerprint ("Lunch is on the third floor today");
  const char *fresh = "take 3\nI will do it tomorrow morning";
  g_autofree char *quoting = g_strdup_printf ("%s\n\n> %s", fresh, parent_text);
  g_autoptr (BatonFingerprint) plain_body = baton_ancestry_fingerprint (fresh);
  g_autoptr (BatonFingerprint) quoting_body = baton_ancestry_fingerprint (quoting);
  g_assert_false (baton_ancestry_shares (parent, plain_body));
  g_assert_false (baton_ancestry_shares (other, quoting_body));
  g_assert_true (baton_ancestry_shares (parent, quoting_body));
  /* Fingerprints of different widths cannot be compared: as if shared. */
  g_autoptr (BatonFingerprint) short_body = baton_ancestry_fingerprint ("take 3");
  g_assert_true (baton_ancestry_shares (parent, short_body));
  /* Nothing shared, nothing cut: the same text as with no parent. */
  BatonFingerprint *both[] = { parent, other };
  g_autoptr (BatonAncestryResult) with = baton_ancestry_cut (fresh, both, 2);
  g_autoptr (BatonAncestryResult) without = baton_ancestry_cut (fresh, NULL, 0);
  g_assert_cmpstr (with->text, ==, without->text);
  g_assert_cmpuint (with->cuts->len, ==, 0);
  g_assert_cmpuint (without->cuts->len, ==, 0);
}

/* With no parent the text is only normalised as any cut keeps it: line
 * ends to LF, blank lines at the ends dropped, blank lines inside kept. */
static void
test_no_parent_kept (void)
{
  g_autoptr (BatonAncestryResult) kept =
      baton_ancestry_cut ("\n  \ntake 3\r\n\n \nnote 3: ok\r\n\n", NULL, 0);
  g_assert_cmpstr (kept->text, ==, "take 3\n\n\nnote 3: ok");
  g_assert_cmpuint (kept->cuts->len, ==, 0);
  BatonFingerprint *none[] = { NULL };
  g_autoptr (BatonAncestryResult) null_parent = baton_ancestry_cut ("a\n\nb", none, 1);
  g_assert_cmpstr (null_parent->text, ==, "a\n\nb");
}

/* The arrays a cut keeps for the next one on its thread never carry a cut
 * over: a long mail, then a short one, then the long one again. */
static void
test_scratch_reused (void)
{
  const char *parent_text = "Please renew the TLS certificate before Friday, the registrar is slow";
  g_autoptr (BatonFingerprint) parent = baton_ancestry_fingerprint (parent_text);
  BatonFingerprint *parents[] = { parent };
  GString *long_reply = g_string_new ("take 3\n\n");
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (long_reply, "line %u of my own\n", i);
  g_string_append_printf (long_reply, "\n%s\n", parent_text);
  g_autoptr (BatonAncestryResult) first = baton_ancestry_cut (long_reply->str, parents, 1);
  g_autofree char *short_reply = g_strdup_printf ("done 3\n\n%s", parent_text);
  g_autoptr (BatonAncestryResult) second = baton_ancestry_cut (short_reply, parents, 1);
  g_assert_cmpstr (second->text, ==, "done 3");
  g_autoptr (BatonAncestryResult) third = baton_ancestry_cut (long_reply->str, parents, 1);
  g_assert_cmpstr (third->text, ==, first->text);
  g_assert_cmpuint (third->cuts->len, ==, 1);
  g_assert_true (g_str_has_suffix (third->text, "line 19999 of my own"));
  g_string_free (long_reply, TRUE);
}

/* The shipped mail templates' fingerprint made at build time is the one
 * their text gives now: the same hashes, words and width. */
static void
test_shipped_templates (void)
{
  BatonFingerprint *computed = NULL;
  guint templates = 0;
  for (guint i = 0; baton_embedded_templates[i].name != NULL; i++)
    if (baton_template_is_mail_text (baton_embedded_templates[i].name))
      {
        computed = baton_ancestry_fingerprint_template (computed, baton_embedded_templates[i].text);
        templates++;
      }
  g_assert_cmpuint (templates, >=, 8);
  g_assert_false (baton_template_is_mail_text ("board.css"));
  g_assert_false (baton_template_is_mail_text ("digest.html"));
  g_autoptr (BatonFingerprint) sorted =
      baton_fingerprint_new (computed->width, computed->words,
                             (const guint32 *) computed->hashes->data, computed->hashes->len);
  baton_fingerprint_free (computed);
  const BatonFingerprintData *shipped = &baton_shipped_template_fingerprint;
  g_assert_cmpuint (shipped->width, ==, sorted->width);
  g_assert_cmpuint (shipped->words, ==, sorted->words);
  g_assert_cmpmem (shipped->hashes, shipped->n_hashes * sizeof (guint32), sorted->hashes->data,
                   sorted->hashes->len * sizeof (guint32));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ancestry/unquoted-paste", test_unquoted_paste);
  g_test_add_func ("/ancestry/rewrapped", test_rewrapped);
  g_test_add_func ("/ancestry/quoted", test_quoted);
  g_test_add_func ("/ancestry/attribution", test_attribution);
  g_test_add_func ("/ancestry/inline-replies", test_inline_replies);
  g_test_add_func ("/ancestry/common-phrase-stays", test_common_phrase_stays);
  g_test_add_func ("/ancestry/crlf", test_crlf);
  g_test_add_func ("/ancestry/unicode", test_unicode);
  g_test_add_func ("/ancestry/empty", test_empty);
  g_test_add_func ("/ancestry/short-parent", test_short_parent);
  g_test_add_func ("/ancestry/cuts-reported", test_cuts_reported);
  g_test_add_func ("/ancestry/parents-apart", test_parents_apart);
  g_test_add_func ("/ancestry/stored-form", test_stored_form);
  g_test_add_func ("/ancestry/hashes-pinned", test_hashes_pinned);
  g_test_add_func ("/ancestry/cap-exact", test_cap_exact);
  g_test_add_func ("/ancestry/sorted-unique", test_sorted_unique);
  g_test_add_func ("/ancestry/template-lines", test_template_lines);
  g_test_add_func ("/ancestry/linear", test_linear);
  g_test_add_func ("/ancestry/shares", test_shares);
  g_test_add_func ("/ancestry/no-parent-kept", test_no_parent_kept);
  g_test_add_func ("/ancestry/scratch-reused", test_scratch_reused);
  g_test_add_func ("/ancestry/shipped-templates", test_shipped_templates);
  return g_test_run ();
}
