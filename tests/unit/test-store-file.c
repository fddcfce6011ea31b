/* SPDX-License-Identifier: MIT */
/* The database file: created only by baton_store_create, 0600 with its
 * -wal and -shm, never re-created behind a user's back, and a store that
 * notices its file deleted or replaced under it. */
#include "baton/error.h"
#include "baton/store.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
setup (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  f->dir = g_dir_make_tmp ("baton-store-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->path = g_build_filename (f->dir, "baton.db", NULL);
  umask (022); /* the usual umask, under which SQLite made 0644 files */
}

static void
teardown (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  const char *const suffixes[] = { "", "-wal", "-shm", ".new" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (f->path, suffixes[i], NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static guint
mode_of (const char *path)
{
  struct stat st;
  g_assert_cmpint (stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

/* Issue 15: baton.db, -wal and -shm were 0644 under umask 022. */
static void
test_created_private (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_store_create (f->path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (f->path), ==, 0600);
  g_autoptr (BatonStore) store = baton_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_true (baton_store_begin (store, &error));
  g_assert_cmpint (baton_store_task_add (store, "t", "alice", NULL, 1, &error), ==, 1);
  g_assert_true (baton_store_commit (store, &error));
  /* while the store is open, SQLite's side files exist: same mode */
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  g_assert_cmpuint (mode_of (wal), ==, 0600);
  g_assert_cmpuint (mode_of (shm), ==, 0600);
}

/* An existing database from an older baton loses others' access on init. */
static void
test_create_tightens_existing (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_store_create (f->path, &error));
  g_chmod (f->path, 0644);
  g_assert_true (baton_store_create (f->path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (f->path), ==, 0600);
}

static void
test_missing_not_created (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonStore) store = baton_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT);
  g_assert_nonnull (strstr (error->message, "baton init"));
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
}

/* A truncated database used to be re-created: numbering restarted at #1. */
static void
test_empty_not_recreated (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  g_assert_true (g_file_set_contents (f->path, "", 0, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonStore) store = baton_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT);
  g_assert_nonnull (strstr (error->message, "baton init"));
  struct stat st;
  g_assert_cmpint (stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
}

static void
test_not_a_database (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  g_assert_true (g_file_set_contents (f->path, "this is no database, just text\n", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonStore) store = baton_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, BATON_ERROR, BATON_ERROR_IO);
}

/* A running process whose database is deleted must stop, not write into
 * the unlinked inode. */
static void
test_deleted_under_store (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_store_create (f->path, &error));
  g_autoptr (BatonStore) store = baton_store_open (f->path, &error);
  g_assert_true (baton_store_check_file (store, &error));
  g_assert_cmpint (g_unlink (f->path), ==, 0);
  g_assert_false (baton_store_check_file (store, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "deleted"));
  g_assert_false (baton_error_is_temporary (error));
  g_clear_error (&error);
  g_assert_false (baton_store_begin (store, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_IO);
}

static void
test_replaced_under_store (Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (baton_store_create (f->path, &error));
  g_autoptr (BatonStore) store = baton_store_open (f->path, &error);
  g_autofree char *other = g_strconcat (f->path, ".new", NULL);
  g_assert_true (baton_store_create (other, &error));
  g_assert_cmpint (g_rename (other, f->path), ==, 0);
  g_assert_false (baton_store_begin (store, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "replaced"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-file/created-0600", Fixture, NULL, setup, test_created_private, teardown);
  g_test_add ("/store-file/create-tightens-existing", Fixture, NULL, setup,
              test_create_tightens_existing, teardown);
  g_test_add ("/store-file/missing-not-created", Fixture, NULL, setup, test_missing_not_created,
              teardown);
  g_test_add ("/store-file/empty-not-recreated", Fixture, NULL, setup, test_empty_not_recreated,
              teardown);
  g_test_add ("/store-file/not-a-database", Fixture, NULL, setup, test_not_a_database, teardown);
  g_test_add ("/store-file/deleted-under-store", Fixture, NULL, setup, test_deleted_under_store,
              teardown);
  g_test_add ("/store-file/replaced-under-store", Fixture, NULL, setup, test_replaced_under_store,
              teardown);
  return g_test_run ();
}
