/* SPDX-License-Identifier: MIT */
/* Writing the board (include/baton/board.h): every page rendered into a
 * fresh directory beside the target, then swapped in with one
 * renameat2(RENAME_EXCHANGE), so a reader sees the old site or the new one
 * and never a mix. The swap needs no symlink in front of the directory, so
 * a web server's root can be the board directory itself.
 *
 * A marker file says the directory is a board: baton replaces and deletes
 * only directories it wrote, never a web root that holds something else.
 * It also lists each task page's fingerprint, so the next write links a
 * task page whose inputs did not change from the old site without
 * building or rendering it: of a thousand task pages, `run` rewrites the
 * few a mail touched.
 *
 * Nothing is fsync'ed: the site is regenerable from the database, and
 * both `baton board` from cron and `run` (on start) write it anew, so a
 * crash costs at most one stale or truncated board until then, while an
 * fsync per page would cost more than rendering it. */
#define G_LOG_DOMAIN "baton-board"
#define _GNU_SOURCE
#include "baton/board.h"

#include "baton/clock.h"
#include "baton/error.h"
#include "baton/templates.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKER ".baton-board"
#define MARKER_TEXT "baton board: this directory is rewritten whole\n"

static gboolean
write_file (const char *dir, const char *name, const char *text, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  gsize length = strlen (text), done = 0;
  while (fd >= 0 && done < length)
    {
      ssize_t n = write (fd, text + done, length - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      done += (gsize) n;
    }
  int saved = errno;
  if (fd < 0 || done < length || close (fd) != 0)
    {
      if (fd >= 0 && done < length)
        close (fd);
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "cannot write %s: %s", path,
                   g_strerror (fd < 0 || done < length ? saved : errno));
      return FALSE;
    }
  return TRUE;
}

/* Where the site being replaced is, so that a page that comes out the same
 * is hard-linked from it instead of written: `run` rewrites the site after
 * every change, and most task pages do not change. Creating a file costs
 * a new inode (on ext4, after the old site's were just freed, a scan of
 * the recently deleted ones: most of the time of a rewrite); a link does not. */
typedef struct {
  const char *templates;  /* templates directory or NULL */
  const char *fresh;      /* the directory being written */
  const char *old;        /* the site it replaces, or NULL */
  GHashTable *old_prints; /* page name → fingerprint in the old site; owned */
  GString *marker;        /* the new marker's text; owned */
} Site;

/* What every task page depends on besides its own fingerprint: the
 * template and, as it may include any other, every override file. */
static char *
templates_key (const char *dir, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *source = baton_template_source_find (dir, "board-task.html", NULL, error);
  if (source == NULL)
    return NULL;
  g_checksum_update (sum, (const guchar *) source, -1);
  g_autoptr (GDir) listing = dir ? g_dir_open (dir, 0, NULL) : NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while (listing && (name = g_dir_read_name (listing)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autofree char *text = NULL;
      gsize length = 0;
      g_checksum_update (sum, (const guchar *) names->pdata[i], -1);
      if (g_file_get_contents (path, &text, &length, NULL))
        g_checksum_update (sum, (const guchar *) text, (gssize) length);
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* The old site's page fingerprints, if it was written with the same
 * templates (@key); an empty table otherwise. */
static GHashTable *
read_old_prints (const char *old, const char *key)
{
  GHashTable *prints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *path = old ? g_build_filename (old, MARKER, NULL) : NULL;
  g_autofree char *text = NULL;
  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL))
    return prints;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL || lines[1] == NULL || !g_str_has_prefix (lines[1], "key ") ||
      !g_str_equal (lines[1] + 4, key))
    return prints;
  for (guint i = 2; lines[i] != NULL; i++)
    {
      char *space = strchr (lines[i], ' ');
      if (space != NULL)
        g_hash_table_replace (prints, g_strndup (lines[i], (gsize) (space - lines[i])),
                              g_strdup (space + 1));
    }
  return prints;
}

static gboolean
same_as_old (const Site *site, const char *name, const char *text)
{
  if (site->old == NULL)
    return FALSE;
  g_autofree char *path = g_build_filename (site->old, name, NULL);
  g_autofree char *before = NULL;
  gsize length = 0;
  if (!g_file_get_contents (path, &before, &length, NULL) || length != strlen (text) ||
      memcmp (before, text, length) != 0)
    return FALSE;
  g_autofree char *target = g_build_filename (site->fresh, name, NULL);
  return link (path, target) == 0;
}

/* Links page @name from the old site when its fingerprint is @print
 * there too: the same data, rendered by the same templates. */
static gboolean
link_unchanged (const Site *site, const char *name, const char *print)
{
  const char *before = g_hash_table_lookup (site->old_prints, name);
  if (before == NULL || !g_str_equal (before, print))
    return FALSE;
  g_autofree char *path = g_build_filename (site->old, name, NULL);
  g_autofree char *target = g_build_filename (site->fresh, name, NULL);
  return link (path, target) == 0;
}

static gboolean
render_page (const Site *site, const char *template, JsonNode *data, const char *name,
             GError **error)
{
  g_autofree char *text =
      baton_templates_render (site->templates, template, data, BATON_MUSTACHE_ESCAPE_HTML, error);
  if (text == NULL)
    return FALSE;
  return same_as_old (site, name, text) || write_file (site->fresh, name, text, error);
}

/* Removes @path and, for a directory, what baton put in it (two levels:
 * the site has no deeper folders). */
static void
remove_tree (const char *path, int depth)
{
  g_autoptr (GDir) dir = depth < 3 ? g_dir_open (path, 0, NULL) : NULL;
  const char *name;
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child, depth + 1);
      else
        g_unlink (child);
    }
  if (g_rmdir (path) != 0 && errno != ENOENT)
    g_warning ("cannot remove the old board %s: %s", path, g_strerror (errno));
}

static GHashTable *
events_by_task (GPtrArray *events)
{
  GHashTable *by_task =
      g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < events->len; i++)
    {
      BatonEvent *event = events->pdata[i];
      if (event->task <= 0)
        continue;
      GPtrArray *list = g_hash_table_lookup (by_task, &event->task);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_task, &event->task, list);
        }
      g_ptr_array_add (list, event);
    }
  return by_task;
}

/* Partials of the task template, looked up as baton_templates_render()
 * does: a missing one renders empty, an unreadable override is an error. */
static char *
task_partial (const char *name, gpointer dir, GError **error)
{
  g_autoptr (GError) local = NULL;
  char *text = baton_template_source_find (dir, name, NULL, &local);
  if (text == NULL && dir != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_propagate_error (error, g_steal_pointer (&local));
    }
  return text;
}

/* The task pages, most of a first write, are written by a thread of their
 * own while the board pages are built: they share only the read-only
 * input, and their template is parsed here once, outside the templates
 * module's lock, which would make the two take turns. */
typedef struct {
  const BatonBoardInput *input;
  const Site *site;
  BatonTemplate *template; /* board-task.html; owned */
  GString *prints;         /* "task/N.html FINGERPRINT" lines for the marker; owned */
  gboolean ok;
  GError *error;
} TaskPages;

static gboolean
write_task_page (TaskPages *job, const BatonTask *task, GPtrArray *events, GError **error)
{
  const Site *site = job->site;
  g_autofree char *name = g_strdup_printf ("task/%" G_GINT64_FORMAT ".html", task->id);
  g_autofree char *print = baton_board_task_fingerprint (job->input, task, events);
  g_string_append_printf (job->prints, "%s %s\n", name, print);
  if (link_unchanged (site, name, print))
    return TRUE;
  g_autoptr (JsonNode) data = baton_board_task_data (job->input, task, events);
  g_autofree char *text = baton_mustache_render (job->template, data, BATON_MUSTACHE_ESCAPE_HTML,
                                                 task_partial, (gpointer) site->templates, error);
  return text != NULL &&
         (same_as_old (site, name, text) || write_file (site->fresh, name, text, error));
}

static gpointer
write_task_pages (gpointer data)
{
  TaskPages *job = data;
  const BatonBoardInput *input = job->input;
  g_autoptr (GHashTable) by_task = events_by_task (input->events);
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  for (guint i = 0; job->ok && i < input->tasks->len; i++)
    {
      const BatonTask *task = input->tasks->pdata[i];
      GPtrArray *events = g_hash_table_lookup (by_task, &task->id);
      job->ok = write_task_page (job, task, events ? events : none, &job->error);
    }
  return NULL;
}

/* index.html, the feed, the style sheet and script, member/NAME.html. */
static gboolean
write_board_pages (const BatonBoardInput *input, const Site *site, const char *zone, GError **error)
{
  g_autoptr (JsonNode) index = baton_board_index_data (input, NULL, zone, "");
  if (!render_page (site, "board.html", index, "index.html", error))
    return FALSE;
  g_autoptr (JsonNode) feed = baton_board_feed_data (input);
  if (!render_page (site, "board-events.atom", feed, "events.atom", error) ||
      !render_page (site, "board.css", NULL, "board.css", error) ||
      !render_page (site, "board.js", NULL, "board.js", error))
    return FALSE;
  for (guint i = 0; i < input->config->members->len; i++)
    {
      const BatonMember *member = input->config->members->pdata[i];
      g_autoptr (JsonNode) data =
          baton_board_index_data (input, member->name, member->timezone, "../");
      g_autofree char *name = g_strdup_printf ("member/%s.html", member->name);
      if (!render_page (site, "board.html", data, name, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_pages (const BatonBoardInput *input, const Site *site, const char *zone, GError **error)
{
  g_autofree char *members = g_build_filename (site->fresh, "member", NULL);
  g_autofree char *tasks = g_build_filename (site->fresh, "task", NULL);
  if (g_mkdir (members, 0755) != 0 || g_mkdir (tasks, 0755) != 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "cannot create %s: %s", site->fresh,
                   g_strerror (errno));
      return FALSE;
    }
  g_autofree char *origin = NULL;
  g_autofree char *source =
      baton_template_source_find (site->templates, "board-task.html", &origin, error);
  g_autoptr (BatonTemplate) template = source ? baton_mustache_parse (source, origin, error) : NULL;
  if (template == NULL)
    return FALSE;
  TaskPages job = { input, site, template, g_string_new (NULL), TRUE, NULL };
  GThread *thread = g_get_num_processors () > 1
                        ? g_thread_try_new ("board-tasks", write_task_pages, &job, NULL)
                        : NULL;
  gboolean ok = write_board_pages (input, site, zone, error);
  if (thread != NULL)
    g_thread_join (thread);
  else if (ok)
    write_task_pages (&job);
  if (ok && !job.ok)
    {
      g_propagate_error (error, g_steal_pointer (&job.error));
      ok = FALSE;
    }
  g_clear_error (&job.error);
  g_string_append (site->marker, job.prints->str);
  g_string_free (job.prints, TRUE);
  return ok && write_file (site->fresh, MARKER, site->marker->str, error);
}

/* @out_dir may be replaced: it is missing, empty, or a board baton wrote. */
static gboolean
replaceable (const char *out_dir, gboolean *exists, GError **error)
{
  *exists = g_file_test (out_dir, G_FILE_TEST_EXISTS);
  if (!*exists)
    return TRUE;
  g_autofree char *marker = g_build_filename (out_dir, MARKER, NULL);
  g_autoptr (GDir) dir = g_dir_open (out_dir, 0, NULL);
  if (dir != NULL && (g_file_test (marker, G_FILE_TEST_EXISTS) || g_dir_read_name (dir) == NULL))
    return TRUE;
  g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE,
               "%s is not a directory baton wrote a board into and is not empty: baton "
               "replaces the whole directory, so give a new or empty one",
               out_dir);
  return FALSE;
}

static gboolean
swap_in (const char *fresh, const char *out_dir, gboolean exists, GError **error)
{
  if (!exists)
    {
      if (rename (fresh, out_dir) == 0)
        return TRUE;
    }
  else if (renameat2 (AT_FDCWD, fresh, AT_FDCWD, out_dir, RENAME_EXCHANGE) == 0)
    {
      remove_tree (fresh, 0); /* now the old site */
      return TRUE;
    }
  else if (errno == EINVAL || errno == ENOSYS)
    {
      /* A file system without the exchange: a moment with no board at
       * all, never a half-written one. */
      g_autofree char *old = g_strdup_printf ("%s.old", fresh);
      if (rename (out_dir, old) == 0 && rename (fresh, out_dir) == 0)
        {
          remove_tree (old, 0);
          return TRUE;
        }
    }
  g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "cannot put the new board in %s: %s",
               out_dir, g_strerror (errno));
  return FALSE;
}

gboolean
baton_board_write (const BatonBoardInput *input, const char *templates_dir, const char *out_dir,
                   const char *zone, GError **error)
{
  gboolean exists = FALSE;
  if (!replaceable (out_dir, &exists, error))
    return FALSE;
  g_autofree char *parent = g_path_get_dirname (out_dir);
  g_autofree char *base = g_path_get_basename (out_dir);
  g_autofree char *fresh = g_strdup_printf ("%s/.%s.new-XXXXXX", parent, base);
  if (g_mkdtemp_full (fresh, 0755) == NULL)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE,
                   "cannot create a directory beside %s: %s; check that %s exists and is "
                   "writable",
                   out_dir, g_strerror (errno), parent);
      return FALSE;
    }
  /* mkdtemp leaves the mode to the umask's mercy; the web server reads it. */
  chmod (fresh, 0755);
  g_autofree char *key = templates_key (templates_dir, error);
  const char *old = exists ? out_dir : NULL;
  Site site = { templates_dir, fresh, old, key ? read_old_prints (old, key) : NULL,
                g_string_new (MARKER_TEXT) };
  g_string_append_printf (site.marker, "key %s\n", key ? key : "");
  gboolean ok = key != NULL && write_pages (input, &site, zone, error) &&
                swap_in (fresh, out_dir, exists, error);
  if (!ok)
    remove_tree (fresh, 0);
  if (site.old_prints)
    g_hash_table_unref (site.old_prints);
  g_string_free (site.marker, TRUE);
  return ok;
}

/* Every member's away periods (BatonBoardInput.away); NULL on error. */
static GHashTable *
read_away (const BatonConfig *config, BatonStore *store, GError **error)
{
  g_autoptr (GHashTable) away =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_array_unref);
  for (guint i = 0; i < config->members->len; i++)
    {
      const BatonMember *member = config->members->pdata[i];
      GArray *periods = baton_store_away_get (store, member->name, error);
      if (periods == NULL)
        return NULL;
      g_hash_table_insert (away, member->name, periods);
    }
  return g_steal_pointer (&away);
}

gboolean
baton_board_update (const BatonConfig *config, BatonStore *store, const char *out_dir,
                    const char *zone, gint64 now, GError **error)
{
  g_autoptr (GPtrArray) tasks = baton_store_tasks_list (store, TRUE, error);
  if (tasks == NULL)
    return FALSE;
  g_autoptr (GPtrArray) events = baton_store_events_list (store, 0, G_MININT64, error);
  if (events == NULL)
    return FALSE;
  g_autoptr (GPtrArray) pending = baton_store_pending_all (store, error);
  if (pending == NULL)
    return FALSE;
  g_autoptr (GHashTable) away = read_away (config, store, error);
  if (away == NULL)
    return FALSE;
  g_autoptr (BatonBoardCache) cache = baton_board_cache_new ();
  BatonBoardInput input = { config, tasks, events, now, pending, away, cache };
  if (!baton_board_write (&input, config->templates_dir, out_dir, zone, error))
    {
      g_prefix_error (error, "board: ");
      return FALSE;
    }
  return TRUE;
}

/* The daemon's last write: what the store looked like, and when. */
static gint64 written_stamp[3];
static gint64 written_at;

void
baton_board_refresh (const BatonConfig *config, BatonStore *store)
{
  if (config->board_dir == NULL)
    return;
  g_autoptr (GError) error = NULL;
  gint64 stamp[3];
  gint64 now = baton_clock_now_unix ();
  if (!baton_store_change_stamp (store, stamp, &error))
    {
      g_warning ("board: %s", error->message);
      return;
    }
  if (written_at != 0 && memcmp (stamp, written_stamp, sizeof stamp) == 0 && now - written_at < 300)
    return;
  if (!baton_board_update (config, store, config->board_dir, NULL, now, &error))
    {
      g_warning ("%s", error->message);
      return;
    }
  memcpy (written_stamp, stamp, sizeof stamp);
  written_at = now;
  g_info ("board written to %s", config->board_dir);
}

JsonNode *
baton_board_mail_relay (const BatonConfig *config, BatonStore *store, const char *zone, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events =
      baton_store_events_list (store, 0, now - BATON_BOARD_RECENT_SECONDS - 1, &error);
  g_autoptr (GPtrArray) pending = events ? baton_store_pending_all (store, &error) : NULL;
  g_autoptr (GHashTable) away = pending ? read_away (config, store, &error) : NULL;
  if (away == NULL)
    {
      /* The digest still goes out, without its picture. */
      g_warning ("digest relay: %s", error->message);
      return json_node_new (JSON_NODE_NULL);
    }
  BatonBoardInput input = { config, NULL, events, now, pending, away, NULL };
  return baton_board_mail_relay_data (&input, zone);
}
