/* Mail files parsed by a worker thread ahead of the consumer (readahead.h).
 *
 * Files travel in groups of FILES_PER_HANDOFF: each handoff between the
 * threads can cost a futex wake, and one per file was 20,000 system calls
 * for a 5,000-mail Maildir. Three queues: `parsed` carries groups to the
 * consumer in order; `credits` holds the tokens that let the worker parse
 * ahead (a group costs one token, plus one per BYTES_PER_CREDIT of mail in
 * it, and the consumer gives a group's tokens back when it takes it, so at
 * most BATON_READAHEAD_FILES files and about 32 MB of mail wait at once);
 * `returned` brings back the files the consumer is done with, for the
 * worker to free between groups: glibc's malloc locks the allocating
 * thread's arena when another thread frees its memory, and the two threads
 * would contend on every message. */
#define G_LOG_DOMAIN "baton-readahead"
#include "baton/readahead.h"

#include "baton/error.h"
#include "baton/mailbuild.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_PER_HANDOFF 8
#define BYTES_PER_CREDIT (2 * 1024 * 1024)

/* Pushed after the last group: g_async_queue cannot carry NULL. */
static GPtrArray end_of_files;

struct BatonReadahead {
  char **dirs;                              /* to list on the worker first, or NULL */
  gboolean as_spool;                        /* the listed files are the spool's own */
  GPtrArray *paths, *sources, *spool_files; /* char*, owned; filled by the worker when listing */
  GAsyncQueue *parsed;                      /* GPtrArray* of BatonParsedFile*, then &end_of_files */
  GAsyncQueue *credits;                     /* GINT_TO_POINTER (1) tokens */
  GAsyncQueue *returned; /* GPtrArray* of BatonParsedFile* the consumer is done with */
  gint stopping;         /* atomic: the consumer wants no more */
  guint credits_total;   /* tokens in circulation */
  GThread *worker;
  /* The consumer's side, used by its thread only. */
  GPtrArray *group; /* the group being handed out, or NULL */
  guint next_in_group;
  GPtrArray *done; /* files given back, not yet returned */
  gboolean ended;  /* the consumer saw &end_of_files */
};

void
baton_parsed_file_free (BatonParsedFile *file)
{
  if (file == NULL)
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
  file->message = baton_message_parse_fd (file->fd, file->length, &file->error);
}

static BatonParsedFile *
open_and_parse (const char *path, const char *source, const char *spool_file)
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
baton_parsed_file_open (const char *path, const char *source, const char *spool_file)
{
  BatonParsedFile *file = open_and_parse (path, source, spool_file);
  baton_message_find_visible_text (file->message);
  return file;
}

BatonParsedFile *
baton_parsed_file_from_fd (int fd, const char *source)
{
  BatonParsedFile *file = g_new0 (BatonParsedFile, 1);
  file->source = g_strdup (source);
  file->fd = fd;
  parse_open_file (file);
  baton_message_find_visible_text (file->message);
  return file;
}

static GPtrArray *
new_group (void)
{
  return g_ptr_array_new_full (FILES_PER_HANDOFF, (GDestroyNotify) baton_parsed_file_free);
}

/* Frees the files the consumer gave back. */
static void
free_returned (BatonReadahead *readahead)
{
  GPtrArray *group;
  while ((group = g_async_queue_try_pop (readahead->returned)) != NULL)
    g_ptr_array_unref (group);
}

/* Tokens a parsed group holds until the consumer takes it: one, and one
 * more per BYTES_PER_CREDIT, so a run of large mail waits fewer at once;
 * never more than exist, or the worker would wait for itself. */
static guint
group_cost (const BatonReadahead *readahead, GPtrArray *group)
{
  guint64 bytes = 0;
  for (guint i = 0; i < group->len; i++)
    bytes += ((BatonParsedFile *) group->pdata[i])->length;
  return MIN (1 + bytes / BYTES_PER_CREDIT, readahead->credits_total);
}

/* Takes COUNT tokens, waiting for the consumer to give them back; FALSE
 * once the consumer has stopped. */
static gboolean
take_credits (BatonReadahead *readahead, guint count)
{
  for (guint i = 0; i < count; i++)
    {
      g_async_queue_pop (readahead->credits);
      if (g_atomic_int_get (&readahead->stopping))
        return FALSE;
    }
  return TRUE;
}

/* Finding the visible text (a tenth of the parsing) goes to whichever
 * thread has time for it. Groups waiting for the consumer mean the worker
 * is ahead, so it does this group's; otherwise the consumer does it when it
 * takes each file. Any fixed split leaves one thread waiting: on the
 * 5,000-mail bench, with this step on the consumer the worker waited
 * 0.04 s for credits, with it on the worker the consumer waited 0.13 s for
 * files; shared, each waits 0.01-0.03 s. */
static void
find_visible_text_if_ahead (BatonReadahead *readahead, GPtrArray *group)
{
  if (g_async_queue_length (readahead->parsed) < 2)
    return;
  for (guint i = 0; i < group->len; i++)
    baton_message_find_visible_text (((BatonParsedFile *) group->pdata[i])->message);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names of the files in DIR_PATH that do not start with a dot, in byte
 * order (delivery order for Maildir and spool names); none when DIR_PATH
 * cannot be read. */
static GPtrArray *
list_files (const char *dir_path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* Fills the arrays from the directories: "spool:NAME" for the spool's own
 * files (each also its spool file), "file:PATH" for anything else. */
static void
list_directories (BatonReadahead *readahead)
{
  for (char **dir = readahead->dirs; *dir != NULL; dir++)
    {
      g_autoptr (GPtrArray) names = list_files (*dir);
      for (guint i = 0; i < names->len; i++)
        {
          char *path = g_build_filename (*dir, names->pdata[i], NULL);
          g_ptr_array_add (readahead->paths, path);
          g_ptr_array_add (readahead->sources,
                           readahead->as_spool
                               ? g_strconcat ("spool:", (char *) names->pdata[i], NULL)
                               : g_strconcat ("file:", path, NULL));
          if (readahead->as_spool)
            g_ptr_array_add (readahead->spool_files, g_strdup (path));
        }
    }
}

static gpointer
parse_files (gpointer data)
{
  BatonReadahead *readahead = data;
  if (readahead->dirs != NULL)
    list_directories (readahead);
  for (guint i = 0; i < readahead->paths->len;)
    {
      if (!take_credits (readahead, 1))
        break;
      free_returned (readahead); /* including those given back while it waited */
      GPtrArray *group = new_group ();
      for (; i < readahead->paths->len && group->len < FILES_PER_HANDOFF; i++)
        g_ptr_array_add (
            group,
            open_and_parse (readahead->paths->pdata[i], readahead->sources->pdata[i],
                            readahead->spool_files ? readahead->spool_files->pdata[i] : NULL));
      find_visible_text_if_ahead (readahead, group);
      if (!take_credits (readahead, group_cost (readahead, group) - 1))
        {
          g_ptr_array_unref (group);
          break;
        }
      g_async_queue_push (readahead->parsed, group);
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

/* Each file waiting holds a descriptor: under a low limit on open files,
 * fewer wait, leaving room for the database and whatever else is open. */
static guint
files_ahead (void)
{
  struct rlimit limit;
  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return BATON_READAHEAD_FILES;
  guint64 spare = limit.rlim_cur > 64 ? (limit.rlim_cur - 64) / 2 : 0;
  guint files = MIN (BATON_READAHEAD_FILES, spare) / FILES_PER_HANDOFF * FILES_PER_HANDOFF;
  return MAX (files, FILES_PER_HANDOFF);
}

static BatonReadahead *
start (BatonReadahead *readahead)
{
  readahead->parsed = g_async_queue_new ();
  readahead->credits = g_async_queue_new ();
  readahead->returned = g_async_queue_new ();
  readahead->credits_total = files_ahead () / FILES_PER_HANDOFF;
  for (guint i = 0; i < readahead->credits_total; i++)
    g_async_queue_push (readahead->credits, GINT_TO_POINTER (1));
  baton_mail_gmime_init (); /* once, before two threads could race to it */
  readahead->worker = g_thread_new ("baton-parse", parse_files, readahead);
  return readahead;
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
  return start (readahead);
}

BatonReadahead *
baton_readahead_new_listing (const char *const *dirs, gboolean as_spool)
{
  BatonReadahead *readahead = g_new0 (BatonReadahead, 1);
  readahead->dirs = g_strdupv ((char **) dirs);
  readahead->as_spool = as_spool;
  readahead->paths = g_ptr_array_new_with_free_func (g_free);
  readahead->sources = g_ptr_array_new_with_free_func (g_free);
  if (as_spool)
    readahead->spool_files = g_ptr_array_new_with_free_func (g_free);
  return start (readahead);
}

/* The next group from the worker; FALSE after the last. */
static gboolean
take_group (BatonReadahead *readahead)
{
  g_clear_pointer (&readahead->group, g_ptr_array_unref);
  GPtrArray *group = g_async_queue_pop (readahead->parsed);
  if (group == &end_of_files)
    {
      readahead->ended = TRUE;
      return FALSE;
    }
  for (guint i = group_cost (readahead, group); i > 0; i--)
    g_async_queue_push (readahead->credits, GINT_TO_POINTER (1));
  /* The consumer owns each file it takes: the group only carries them. */
  g_ptr_array_set_free_func (group, NULL);
  readahead->group = group;
  readahead->next_in_group = 0;
  return TRUE;
}

BatonParsedFile *
baton_readahead_next (BatonReadahead *readahead)
{
  while (!readahead->ended &&
         (readahead->group == NULL || readahead->next_in_group == readahead->group->len))
    take_group (readahead);
  if (readahead->ended)
    return NULL;
  BatonParsedFile *file = readahead->group->pdata[readahead->next_in_group++];
  baton_message_find_visible_text (file->message); /* unless the worker did */
  return file;
}

void
baton_readahead_done (BatonReadahead *readahead, BatonParsedFile *file)
{
  if (file == NULL)
    return;
  if (readahead->done == NULL)
    readahead->done = new_group ();
  g_ptr_array_add (readahead->done, file);
  if (readahead->done->len == FILES_PER_HANDOFF)
    g_async_queue_push (readahead->returned, g_steal_pointer (&readahead->done));
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
  g_clear_pointer (&readahead->done, g_ptr_array_unref);
  g_clear_pointer (&readahead->group, g_ptr_array_unref);
  g_async_queue_unref (readahead->parsed);
  g_async_queue_unref (readahead->credits);
  g_async_queue_unref (readahead->returned);
  g_ptr_array_unref (readahead->paths);
  g_ptr_array_unref (readahead->sources);
  g_clear_pointer (&readahead->spool_files, g_ptr_array_unref);
  g_strfreev (readahead->dirs);
  g_free (readahead);
}
