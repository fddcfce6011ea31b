/* Mail files parsed by a worker thread ahead of the consumer (readahead.h).
 *
 * Two queues: `parsed` carries files to the consumer in order, `credits`
 * holds one token per file the worker may still parse ahead. The worker
 * takes a credit before each file and the consumer gives one back for
 * each file it takes, so at most BATON_READAHEAD_FILES wait at once.
 *
 * A third queue, `returned`, brings the files the consumer is done with
 * back to the worker, which frees them between two files: glibc's malloc
 * locks the allocating thread's arena when another thread frees its
 * memory, and the two threads would contend for it on every message. */
#define G_LOG_DOMAIN "baton-readahead"
#include "baton/readahead.h"

#include "baton/error.h"
#include "baton/mailbuild.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pushed after the last file: g_async_queue cannot carry NULL. */
static BatonParsedFile end_of_files;

struct BatonReadahead {
  GPtrArray *paths, *sources, *spool_files; /* char*, owned */
  GAsyncQueue *parsed;   /* BatonParsedFile*, then &end_of_files */
  GAsyncQueue *credits;  /* GINT_TO_POINTER (1) tokens */
  GAsyncQueue *returned; /* BatonParsedFile* the consumer is done with */
  gint stopping;         /* atomic: the consumer wants no more */
  gboolean ended;        /* the consumer saw &end_of_files */
  GThread *worker;
};

void
baton_parsed_file_free (BatonParsedFile *file)
{
  if (file == NULL || file == &end_of_files)
    return;
  if (file->fd >= 0)
    close (file->fd);
  g_free (file->path);
  g_free (file->source);
  g_free (file->spool_file);
  baton_message_free (file->message);
  g_clear_error (&file->error);
  g_free (file);
}

/* Parses the file open at FILE->fd, if it is a regular file. */
static void
parse_open_file (BatonParsedFile *file)
{
  struct stat info;
  if (fstat (file->fd, &info) != 0)
    {
      g_set_error (&file->error, BATON_ERROR, BATON_ERROR_TEMPORARY, "%s", g_strerror (errno));
      return;
    }
  if (!S_ISREG (info.st_mode))
    {
      g_set_error (&file->error, BATON_ERROR, BATON_ERROR_DATA,
                   "not a regular file, so not a message");
      return;
    }
  file->length = info.st_size;
  file->message = baton_message_parse_fd (file->fd, &file->error);
}

BatonParsedFile *
baton_parsed_file_open (const char *path, const char *source, const char *spool_file)
{
  BatonParsedFile *file = g_new0 (BatonParsedFile, 1);
  file->path = g_strdup (path);
  file->source = g_strdup (source);
  file->spool_file = g_strdup (spool_file);
  file->fd = open (path, O_RDONLY | O_CLOEXEC);
  if (file->fd >= 0)
    parse_open_file (file);
  else
    {
      /* Gone since it was listed, or unreadable: not the mail's fault. */
      int saved = errno;
      g_set_error (&file->error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
    }
  return file;
}

BatonParsedFile *
baton_parsed_file_from_fd (int fd, const char *source)
{
  BatonParsedFile *file = g_new0 (BatonParsedFile, 1);
  file->source = g_strdup (source);
  file->fd = fd;
  parse_open_file (file);
  return file;
}

/* Frees the files the consumer gave back. */
static void
free_returned (BatonReadahead *readahead)
{
  BatonParsedFile *file;
  while ((file = g_async_queue_try_pop (readahead->returned)) != NULL)
    baton_parsed_file_free (file);
}

static gpointer
parse_files (gpointer data)
{
  BatonReadahead *readahead = data;
  for (guint i = 0; i < readahead->paths->len; i++)
    {
      g_async_queue_pop (readahead->credits);
      free_returned (readahead); /* including those given back while it waited */
      if (g_atomic_int_get (&readahead->stopping))
        break;
      g_async_queue_push (readahead->parsed,
                          baton_parsed_file_open (readahead->paths->pdata[i],
                                                  readahead->sources->pdata[i],
                                                  readahead->spool_files
                                                    ? readahead->spool_files->pdata[i]
                                                    : NULL));
    }
  g_async_queue_push (readahead->parsed, &end_of_files);
  return NULL;
}

static GPtrArray *
copy_strings (GPtrArray *strings)
{
  if (strings == NULL)
    return NULL;
  GPtrArray *copy = g_ptr_array_new_full (strings->len, g_free);
  for (guint i = 0; i < strings->len; i++)
    g_ptr_array_add (copy, g_strdup (strings->pdata[i]));
  return copy;
}

BatonReadahead *
baton_readahead_new (GPtrArray *paths, GPtrArray *sources, GPtrArray *spool_files)
{
  g_return_val_if_fail (paths->len == sources->len, NULL);
  g_return_val_if_fail (spool_files == NULL || spool_files->len == paths->len, NULL);
  BatonReadahead *readahead = g_new0 (BatonReadahead, 1);
  readahead->paths = copy_strings (paths);
  readahead->sources = copy_strings (sources);
  readahead->spool_files = copy_strings (spool_files);
  readahead->parsed = g_async_queue_new ();
  readahead->credits = g_async_queue_new ();
  readahead->returned = g_async_queue_new ();
  for (int i = 0; i < BATON_READAHEAD_FILES; i++)
    g_async_queue_push (readahead->credits, GINT_TO_POINTER (1));
  baton_mail_gmime_init (); /* once, before two threads could race to it */
  readahead->worker = g_thread_new ("baton-parse", parse_files, readahead);
  return readahead;
}

BatonParsedFile *
baton_readahead_next (BatonReadahead *readahead)
{
  if (readahead->ended)
    return NULL;
  BatonParsedFile *file = g_async_queue_pop (readahead->parsed);
  if (file == &end_of_files)
    {
      readahead->ended = TRUE;
      return NULL;
    }
  g_async_queue_push (readahead->credits, GINT_TO_POINTER (1));
  return file;
}

void
baton_readahead_done (BatonReadahead *readahead, BatonParsedFile *file)
{
  if (file != NULL)
    g_async_queue_push (readahead->returned, file);
}

void
baton_readahead_free (BatonReadahead *readahead)
{
  if (readahead == NULL)
    return;
  g_atomic_int_set (&readahead->stopping, 1);
  g_async_queue_push (readahead->credits, GINT_TO_POINTER (1)); /* wake a waiting worker */
  while (!readahead->ended)
    baton_parsed_file_free (baton_readahead_next (readahead));
  g_thread_join (readahead->worker);
  free_returned (readahead);
  g_async_queue_unref (readahead->parsed);
  g_async_queue_unref (readahead->credits);
  g_async_queue_unref (readahead->returned);
  g_ptr_array_unref (readahead->paths);
  g_ptr_array_unref (readahead->sources);
  g_clear_pointer (&readahead->spool_files, g_ptr_array_unref);
  g_free (readahead);
}
