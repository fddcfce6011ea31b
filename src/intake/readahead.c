/* SPDX-License-Identifier: MIT */
/* Mail files parsed ahead of the consumer (readahead.h).
 *
 * Files travel in groups of FILES_PER_HANDOFF: each handoff between the
 * threads can cost a futex wake, and one per file was 20,000 system calls
 * for a 5,000-mail Maildir. Group G is files 8G to 8G+7; whoever claims a
 * group parses it and puts it in its slot of a ring, and the consumer takes
 * the slots in order. Either thread claims: the worker always, the consumer
 * whenever the group it needs is not ready yet. Parsing is the larger half
 * of the work, so a consumer that would otherwise wait does some of it, and
 * the two threads finish together instead of one idling.
 *
 * A claimed group holds one token until the consumer takes it, plus one per
 * BYTES_PER_CREDIT of mail in it, and nobody claims while all the tokens
 * are held: at most BATON_READAHEAD_FILES files and about 32 MB of mail
 * wait at once. Memory goes back to the thread that allocated it: the
 * consumer frees the files it parsed itself, and gives the worker's back
 * (`returned`) for the worker to free between groups, since glibc's malloc
 * locks the allocating thread's arena when another thread frees its memory
 * and the two threads would contend on every message. */
#define G_LOG_DOMAIN "baton-readahead"
#include "baton/readahead.h"

#include "baton/error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_PER_HANDOFF 8
#define GROUPS_AHEAD (BATON_READAHEAD_FILES / FILES_PER_HANDOFF)
#define BYTES_PER_CREDIT (2 * 1024 * 1024)

typedef struct {
  GPtrArray *files; /* BatonParsedFile*, or NULL while the group is being parsed */
  guint cost;       /* tokens it holds */
} Slot;

struct BatonReadahead {
  char **dirs;                              /* to list on the worker first, or NULL */
  gboolean as_spool;                        /* the listed files are the spool's own */
  GPtrArray *paths, *sources, *spool_files; /* char*, owned; filled by the worker when listing */
  GThread *worker;
  GAsyncQueue *returned; /* GPtrArray* of the worker's files the consumer is done with */
  /* Shared, under `lock`; `changed` is broadcast whenever any of it changes. */
  GMutex lock;
  GCond changed;
  gboolean listed;         /* paths are complete */
  gboolean stopping;       /* the consumer wants no more */
  guint groups;            /* once listed */
  guint next_claim;        /* the next group nobody has claimed */
  guint next_take;         /* the next group the consumer takes */
  gint ready;              /* groups parsed and not yet taken; also read unlocked */
  guint tokens_held;       /* by groups claimed and not yet taken */
  guint tokens_total;      /* in circulation */
  Slot ring[GROUPS_AHEAD]; /* group G in ring[G % GROUPS_AHEAD] */
  /* The consumer's side, used by its thread only. */
  GPtrArray *group; /* the group being handed out, or NULL */
  guint next_in_group;
  GPtrArray *done; /* the worker's files given back, not yet returned */
  gboolean ended;  /* every group was taken */
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

/* What the thread that stores needs from the text besides the parse: the
 * visible text (for commands) and the fingerprint (remembered with the
 * mail, for replies that paste it). */
static void
find_text (BatonMessage *message)
{
  baton_message_find_visible_text (message);
  baton_message_find_fingerprint (message);
}

static BatonParsedFile *
open_and_parse (char *path, char *source, char *spool_file)
{
  BatonParsedFile *file = g_new0 (BatonParsedFile, 1);
  file->path = path;
  file->source = source;
  file->spool_file = spool_file;
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
  BatonParsedFile *file =
      open_and_parse (g_strdup (path), g_strdup (source), g_strdup (spool_file));
  find_text (file->message);
  return file;
}

BatonParsedFile *
baton_parsed_file_from_fd (int fd, const char *source)
{
  BatonParsedFile *file = g_new0 (BatonParsedFile, 1);
  file->source = g_strdup (source);
  file->fd = fd;
  parse_open_file (file);
  find_text (file->message);
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
 * never more than exist, or nobody could claim again. A file counts the
 * larger of its size and the memory its parsed message holds: a parsed
 * message can be bigger than its file (text converted to UTF-8, HTML
 * quotes, address lists), and the budget is one of memory. */
static guint
group_cost (const BatonReadahead *readahead, GPtrArray *group)
{
  guint64 bytes = 0;
  for (guint i = 0; i < group->len; i++)
    {
      const BatonParsedFile *file = group->pdata[i];
      bytes += MAX ((guint64) file->length, (guint64) baton_message_memory (file->message));
    }
  return MIN (1 + bytes / BYTES_PER_CREDIT, readahead->tokens_total);
}

/* Claims the next group for the calling thread, under the lock: its
 * number, or -1 when there is none to claim now (not listed yet, all
 * claimed, all tokens held, or stopping). */
static gint
claim_locked (BatonReadahead *readahead)
{
  if (!readahead->listed || readahead->stopping || readahead->next_claim >= readahead->groups ||
      readahead->tokens_held >= readahead->tokens_total)
    return -1;
  readahead->tokens_held++;
  return readahead->next_claim++;
}

/* Finding the visible text and the fingerprint (together a fifth of the
 * parsing) goes to whichever thread has time for it. Groups ready for the
 * consumer mean the worker is ahead, so it does this group's; otherwise
 * the consumer does them as it needs them (the visible text when it takes
 * each file, the fingerprint only for mail it stores). Any fixed split
 * left one thread waiting (0.04 s or 0.13 s on the 5,000-mail bench,
 * depending on the side). */
static void
find_text_if_ahead (BatonReadahead *readahead, GPtrArray *group)
{
  if (g_atomic_int_get (&readahead->ready) < 2)
    return;
  for (guint i = 0; i < group->len; i++)
    find_text (((BatonParsedFile *) group->pdata[i])->message);
}

/* Parses group NUMBER on the calling thread; BY_CONSUMER marks its files
 * as the consumer's to free. Each file takes its strings from the arrays:
 * a group is parsed once, and copying them was 15,000 allocations for a
 * 5,000-mail Maildir. */
static GPtrArray *
parse_group (BatonReadahead *readahead, guint number, gboolean by_consumer)
{
  GPtrArray *group = new_group ();
  guint end = MIN ((number + 1) * FILES_PER_HANDOFF, readahead->paths->len);
  for (guint i = number * FILES_PER_HANDOFF; i < end; i++)
    {
      BatonParsedFile *file = open_and_parse (
          g_steal_pointer (&readahead->paths->pdata[i]),
          g_steal_pointer (&readahead->sources->pdata[i]),
          readahead->spool_files ? g_steal_pointer (&readahead->spool_files->pdata[i]) : NULL);
      file->parsed_by_consumer = by_consumer;
      g_ptr_array_add (group, file);
    }
  return group;
}

/* Puts GROUP, number NUMBER, in its slot, under the lock. */
static void
publish_locked (BatonReadahead *readahead, guint number, GPtrArray *group)
{
  Slot *slot = &readahead->ring[number % GROUPS_AHEAD];
  guint cost = group_cost (readahead, group);
  slot->files = group;
  slot->cost = cost;
  readahead->tokens_held += cost - 1; /* one was taken by the claim */
  g_atomic_int_inc (&readahead->ready);
  g_cond_broadcast (&readahead->changed);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names of the files in DIR_PATH that do not start with a dot, in byte
 * order (delivery order for Maildir and spool names); none when DIR_PATH
 * cannot be read. No error: baton_readahead_new_listing() checked that each
 * directory is missing or can be listed; one that stops being readable in
 * the moment since lists nothing, and its mail waits for the next run. */
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
  g_mutex_lock (&readahead->lock);
  readahead->listed = TRUE;
  readahead->groups = (readahead->paths->len + FILES_PER_HANDOFF - 1) / FILES_PER_HANDOFF;
  g_cond_broadcast (&readahead->changed);
  while (!readahead->stopping && readahead->next_claim < readahead->groups)
    {
      gint number = claim_locked (readahead);
      if (number < 0)
        {
          g_cond_wait (&readahead->changed, &readahead->lock);
          continue;
        }
      g_mutex_unlock (&readahead->lock);
      free_returned (readahead); /* including those given back while it waited */
      GPtrArray *group = parse_group (readahead, number, FALSE);
      find_text_if_ahead (readahead, group);
      g_mutex_lock (&readahead->lock);
      publish_locked (readahead, number, group);
    }
  g_mutex_unlock (&readahead->lock);
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
  g_mutex_init (&readahead->lock);
  g_cond_init (&readahead->changed);
  readahead->returned = g_async_queue_new ();
  readahead->tokens_total = files_ahead () / FILES_PER_HANDOFF;
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
baton_readahead_new_listing (const char *const *dirs, gboolean as_spool, GError **error)
{
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (GDir) dir = g_dir_open (dirs[i], 0, &local);
      if (dir == NULL && !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                      "cannot list the mail in %s (check that it is a directory "
                                      "baton may read): ",
                                      dirs[i]);
          return NULL;
        }
    }
  BatonReadahead *readahead = g_new0 (BatonReadahead, 1);
  readahead->dirs = g_strdupv ((char **) dirs);
  readahead->as_spool = as_spool;
  readahead->paths = g_ptr_array_new_with_free_func (g_free);
  readahead->sources = g_ptr_array_new_with_free_func (g_free);
  if (as_spool)
    readahead->spool_files = g_ptr_array_new_with_free_func (g_free);
  return start (readahead);
}

/* Takes the next group in order into readahead->group, parsing it or a
 * later one itself while it is not ready; FALSE after the last. */
static gboolean
take_group (BatonReadahead *readahead)
{
  g_clear_pointer (&readahead->group, g_ptr_array_unref);
  g_mutex_lock (&readahead->lock);
  for (;;)
    {
      if (readahead->listed && readahead->next_take >= readahead->groups)
        {
          readahead->ended = TRUE;
          g_mutex_unlock (&readahead->lock);
          return FALSE;
        }
      /* A slot fills only after the listing: claims wait for it. */
      Slot *slot = &readahead->ring[readahead->next_take % GROUPS_AHEAD];
      if (slot->files != NULL)
        {
          readahead->group = g_steal_pointer (&slot->files);
          readahead->tokens_held -= slot->cost;
          readahead->next_take++;
          g_atomic_int_add (&readahead->ready, -1);
          g_cond_broadcast (&readahead->changed);
          break;
        }
      gint number = claim_locked (readahead);
      if (number < 0)
        {
          g_cond_wait (&readahead->changed, &readahead->lock);
          continue;
        }
      /* Nothing to take yet: parse instead of waiting. */
      g_mutex_unlock (&readahead->lock);
      GPtrArray *group = parse_group (readahead, number, TRUE);
      g_mutex_lock (&readahead->lock);
      publish_locked (readahead, number, group);
    }
  g_mutex_unlock (&readahead->lock);
  /* The consumer owns each file it takes: the group only carries them. */
  g_ptr_array_set_free_func (readahead->group, NULL);
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
  if (file->parsed_by_consumer)
    {
      baton_parsed_file_free (file);
      return;
    }
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
  g_mutex_lock (&readahead->lock);
  readahead->stopping = TRUE;
  g_cond_broadcast (&readahead->changed);
  g_mutex_unlock (&readahead->lock);
  g_thread_join (readahead->worker);
  /* Whatever was parsed and not handed out: files never taken, and the
   * rest of the group being handed out. */
  for (guint i = 0; i < GROUPS_AHEAD; i++)
    g_clear_pointer (&readahead->ring[i].files, g_ptr_array_unref);
  if (readahead->group != NULL)
    for (guint i = readahead->next_in_group; i < readahead->group->len; i++)
      baton_parsed_file_free (readahead->group->pdata[i]);
  free_returned (readahead);
  g_clear_pointer (&readahead->done, g_ptr_array_unref);
  g_clear_pointer (&readahead->group, g_ptr_array_unref);
  g_async_queue_unref (readahead->returned);
  g_mutex_clear (&readahead->lock);
  g_cond_clear (&readahead->changed);
  g_ptr_array_unref (readahead->paths);
  g_ptr_array_unref (readahead->sources);
  g_clear_pointer (&readahead->spool_files, g_ptr_array_unref);
  g_strfreev (readahead->dirs);
  g_free (readahead);
}
