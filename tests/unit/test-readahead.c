/* SPDX-License-Identifier: MIT */
/* The readahead worker (readahead.h): files come back in the order given,
 * each parsed or with the reason it was not, whatever the consumer's pace
 * and whichever thread parsed them (a consumer that would wait parses
 * further ahead itself); files given back are freed by the thread that
 * parsed them; a consumer that stops early
 * leaves nothing open or leaked (ASan checks
 * the latter in `make SANITIZE=1 check`). */
#include "baton/readahead.h"

#include "baton/ancestry.h"

#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef struct {
  char *dir;
  GPtrArray *paths, *sources;
} Files;

/* COUNT files in a new directory: mail numbered by its Message-ID, except
 * every seventh, which has no header and so is not mail. */
static Files *
files_new (guint count)
{
  Files *files = g_new0 (Files, 1);
  files->dir = g_dir_make_tmp ("baton-readahead-XXXXXX", NULL);
  g_assert_nonnull (files->dir);
  files->paths = g_ptr_array_new_with_free_func (g_free);
  files->sources = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < count; i++)
    {
      char *path = g_strdup_printf ("%s/%05u", files->dir, i);
      g_autofree char *text =
          i % 7 == 6
              ? g_strdup ("\x01\x02 no header here\n")
              : g_strdup_printf ("From: a@example.com\nMessage-ID: <m%u@test>\n\nnote %u\n", i, i);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      g_ptr_array_add (files->paths, path);
      g_ptr_array_add (files->sources, g_strdup_printf ("file:%u", i));
    }
  return files;
}

static void
files_free (Files *files)
{
  for (guint i = 0; i < files->paths->len; i++)
    g_unlink (files->paths->pdata[i]);
  g_rmdir (files->dir);
  g_free (files->dir);
  g_ptr_array_unref (files->paths);
  g_ptr_array_unref (files->sources);
  g_free (files);
}

static int
open_descriptors (void)
{
  int count = 0;
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  while (dir && g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static void
test_order_and_outcomes (void)
{
  Files *files = files_new (200);
  g_autoptr (BatonReadahead) readahead = baton_readahead_new (files->paths, files->sources, NULL);
  guint seen = 0, by_consumer = 0;
  BatonParsedFile *next;
  while ((next = baton_readahead_next (readahead)) != NULL)
    {
      g_autoptr (BatonParsedFile) file = next;
      by_consumer += file->parsed_by_consumer;
      g_autofree char *source = g_strdup_printf ("file:%u", seen);
      g_assert_cmpstr (file->source, ==, source);
      g_assert_cmpstr (file->path, ==, files->paths->pdata[seen]);
      g_assert_cmpint (file->fd, >=, 0);
      if (seen % 7 == 6)
        {
          g_assert_null (file->message);
          g_assert_nonnull (file->error);
        }
      else
        {
          g_autofree char *id = g_strdup_printf ("m%u@test", seen);
          g_assert_no_error (file->error);
          g_assert_cmpstr (file->message->message_id, ==, id);
          /* found by the worker or by next(), whichever had the time */
          g_autofree char *note = g_strdup_printf ("note %u", seen);
          g_assert_cmpstr (file->message->visible_text, ==, note);
        }
      if (seen % 50 == 0)
        g_usleep (2000); /* a slow consumer: the worker must wait, not run ahead */
      seen++;
      if (seen % 2 == 0) /* half given back, half freed here: both are allowed */
        baton_readahead_done (readahead, g_steal_pointer (&file));
    }
  g_assert_cmpuint (seen, ==, 200);
  g_assert_null (baton_readahead_next (readahead));
  g_test_message ("%u of 200 parsed by the consumer", by_consumer);
  files_free (files);
}

static void
test_missing_file (void)
{
  Files *files = files_new (3);
  g_unlink (files->paths->pdata[1]);
  g_autoptr (BatonReadahead) readahead = baton_readahead_new (files->paths, files->sources, NULL);
  g_autoptr (BatonParsedFile) first = baton_readahead_next (readahead);
  g_autoptr (BatonParsedFile) gone = baton_readahead_next (readahead);
  g_autoptr (BatonParsedFile) last = baton_readahead_next (readahead);
  g_assert_nonnull (first->message);
  g_assert_cmpint (gone->fd, ==, -1);
  g_assert_error (gone->error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (last->message);
  files_free (files);
}

/* The consumer stops after a few files, as a batch does on a temporary
 * failure: the worker ends and every file it opened is closed. */
static void
test_early_stop (void)
{
  Files *files = files_new (300);
  int before = open_descriptors ();
  BatonReadahead *readahead = baton_readahead_new (files->paths, files->sources, NULL);
  for (int i = 0; i < 5; i++)
    baton_parsed_file_free (baton_readahead_next (readahead));
  for (int i = 0; i < 5; i++)
    baton_readahead_done (readahead, baton_readahead_next (readahead));
  baton_readahead_free (readahead);
  g_assert_cmpint (open_descriptors (), ==, before);
  files_free (files);
}

/* Large mail under a low limit on open files: one group then costs more
 * tokens than exist (2.5 MB files, 16 files ahead at most), and the worker
 * must still hand every file over, in order, early stop included. The
 * files are sparse: no disk is used for their bodies of NUL bytes. */
static void
test_large_files_few_descriptors (void)
{
  struct rlimit saved, low;
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  low.rlim_cur = MIN (saved.rlim_max, 100);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);
  Files *files = files_new (20);
  for (guint i = 0; i < files->paths->len; i++)
    {
      g_autofree char *text = g_strdup_printf ("From: a@example.com\nMessage-ID: <big%u@test>\n"
                                               "Content-Type: application/octet-stream\n\n",
                                               i);
      g_assert_true (g_file_set_contents (files->paths->pdata[i], text, -1, NULL));
      g_assert_cmpint (truncate (files->paths->pdata[i], 5 * 512 * 1024), ==, 0);
    }
  for (guint stop_after = 3; stop_after <= files->paths->len; stop_after += 17)
    {
      BatonReadahead *readahead = baton_readahead_new (files->paths, files->sources, NULL);
      for (guint i = 0; i < stop_after; i++)
        {
          BatonParsedFile *file = baton_readahead_next (readahead);
          g_assert_nonnull (file);
          g_assert_cmpstr (file->path, ==, files->paths->pdata[i]);
          g_assert_nonnull (file->message);
          baton_readahead_done (readahead, file);
        }
      if (stop_after == files->paths->len)
        g_assert_null (baton_readahead_next (readahead));
      baton_readahead_free (readahead);
    }
  files_free (files);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
}

static void
test_spool_files_travel (void)
{
  Files *files = files_new (2);
  g_autoptr (BatonReadahead) readahead =
      baton_readahead_new (files->paths, files->sources, files->paths);
  g_autoptr (BatonParsedFile) first = baton_readahead_next (readahead);
  g_assert_cmpstr (first->spool_file, ==, files->paths->pdata[0]);
  files_free (files);
}

/* Mail of several shapes for the fingerprint: plain, quoted, CJK, HTML,
 * too short to fingerprint, no text part, a body longer than the cap. */
static char *
varied_mail (guint i)
{
  g_autoptr (GString) body = g_string_new (NULL);
  switch (i % 7)
    {
      case 0:
        g_string_append_printf (body, "take %u\n\nThe printer jams on every duplex job.\n", i);
        break;
      case 1:
        g_string_append_printf (body,
                                "done %u: fixed\n\nOn Mon, Ann <ann@example.com> wrote:\n"
                                "> the old text of the thread, quoted once\n> and again\n",
                                i);
        break;
      case 2:
        g_string_append (body, "東京の会議は明日です。note: 資料を送ります\n");
        break;
      case 3:
        return g_strdup_printf ("From: a@example.com\nMessage-ID: <v%u@test>\n"
                                "Content-Type: text/html; charset=utf-8\n\n"
                                "<p>block %u: waiting on <b>the vendor</b> reply</p>\n",
                                i, i);
      case 4:
        g_string_append (body, "ok\n");
        break;
      case 5:
        return g_strdup_printf ("From: a@example.com\nMessage-ID: <v%u@test>\n"
                                "Content-Type: application/octet-stream\n\nAAAA\n",
                                i);
      default:
        for (guint w = 0; body->len < 2 * BATON_ANCESTRY_MAX_TEXT; w++)
          g_string_append_printf (body, "word%u%s", w, w % 11 == 10 ? "\n" : " ");
    }
  return g_strdup_printf ("From: a@example.com\nMessage-ID: <v%u@test>\n\n%s", i, body->str);
}

static void
assert_same_fingerprint (const BatonFingerprint *a, const BatonFingerprint *b)
{
  if (a == NULL || b == NULL)
    {
      g_assert_true (a == b);
      return;
    }
  g_assert_cmpuint (a->width, ==, b->width);
  g_assert_cmpuint (a->words, ==, b->words);
  g_assert_cmpmem (a->hashes->data, a->hashes->len * sizeof (guint32), b->hashes->data,
                   b->hashes->len * sizeof (guint32));
}

/* The fingerprint the reading thread finds ahead is the one the storing
 * thread would compute inline from the body (stdin, IMAP), and the one a
 * mail parsed from memory gives: whichever thread computed it. */
static void
test_fingerprint_ahead (void)
{
  Files *files = files_new (160);
  for (guint i = 0; i < files->paths->len; i++)
    {
      g_autofree char *text = varied_mail (i);
      g_assert_true (g_file_set_contents (files->paths->pdata[i], text, -1, NULL));
    }
  g_autoptr (BatonReadahead) readahead = baton_readahead_new (files->paths, files->sources, NULL);
  guint seen = 0, ahead = 0;
  BatonParsedFile *next;
  while ((next = baton_readahead_next (readahead)) != NULL)
    {
      g_autoptr (BatonParsedFile) file = next;
      g_assert_nonnull (file->message);
      g_autofree char *text = varied_mail (seen);
      g_autoptr (BatonMessage) from_memory = baton_message_parse (text, strlen (text), NULL);
      g_autoptr (BatonFingerprint) inline_ = baton_ancestry_fingerprint (from_memory->body_text);
      g_assert_cmpint (inline_ == NULL, ==, seen % 7 == 4 || seen % 7 == 5);
      if (file->message->fingerprinted)
        ahead++;
      baton_message_find_fingerprint (file->message); /* unless the worker did */
      g_assert_true (file->message->fingerprinted);
      assert_same_fingerprint (file->message->fingerprint, inline_);
      /* What the worker does for each file, on its own. */
      g_autoptr (BatonParsedFile) alone =
          baton_parsed_file_open (files->paths->pdata[seen], "file:alone", NULL);
      g_assert_true (alone->message->fingerprinted);
      assert_same_fingerprint (alone->message->fingerprint, inline_);
      seen++;
      baton_readahead_done (readahead, g_steal_pointer (&file));
    }
  g_assert_cmpuint (seen, ==, 160);
  g_test_message ("%u of 160 fingerprinted ahead by the worker", ahead);
  files_free (files);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/readahead/order-and-outcomes", test_order_and_outcomes);
  g_test_add_func ("/readahead/missing-file", test_missing_file);
  g_test_add_func ("/readahead/early-stop", test_early_stop);
  g_test_add_func ("/readahead/spool-files-travel", test_spool_files_travel);
  g_test_add_func ("/readahead/large-files-few-descriptors", test_large_files_few_descriptors);
  g_test_add_func ("/readahead/fingerprint-ahead", test_fingerprint_ahead);
  return g_test_run ();
}
