/* `baton ingest` and `baton explain`: mail in, from wherever it waits.
 *
 * Each message is its own transaction, so a failure rolls back that message
 * alone. A batch (files, a Maildir, an mbox) goes on past a bad message and
 * exits with the worst class seen: 75 if anything must be retried (the
 * duplicates check makes the retry safe), else 65 if something was not mail. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/error.h"
#include "baton/mbox.h"
#include "baton/outbox.h"
#include "baton/workflow.h"

#include <string.h>
#include <unistd.h>

typedef struct {
  BatonTeam *team;
  guint processed;
  guint refused;
  GError *temporary; /* first temporary failure, owned */
  GError *permanent; /* first other failure, owned */
} Tally;

static void
tally_clear (Tally *tally)
{
  g_clear_error (&tally->temporary);
  g_clear_error (&tally->permanent);
}

static void
log_result (const BatonIngestResult *result, const char *source)
{
  guint failed = 0;
  for (guint i = 0; i < result->lines->len; i++)
    failed += !((BatonLineResult *) result->lines->pdata[i])->ok;
  g_info ("ingest source=%s message-id=<%s> member=%s outcome=%s lines=%u failed=%u%s%s", source,
          result->message_id, result->member ? result->member : "-", result->outcome,
          result->lines->len, failed, result->reason ? " reason=" : "",
          result->reason ? result->reason : "");
}

static void
ingest_one (Tally *tally, const char *data, gsize length, const char *source)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonIngestResult) result = baton_workflow_ingest (tally->team, data, length, source,
                                                                FALSE, &error);
  if (result != NULL)
    {
      tally->processed++;
      log_result (result, source);
      return;
    }
  tally->refused++;
  g_prefix_error (&error, "%s: ", source);
  GError **slot = baton_error_is_temporary (error) ? &tally->temporary : &tally->permanent;
  if (*slot == NULL)
    *slot = g_steal_pointer (&error);
  else
    g_warning ("%s", error->message);
}

static gboolean
read_stdin (GByteArray *into, GError **error)
{
  guint8 buffer[65536];
  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);
      if (n == 0)
        return TRUE;
      if (n < 0)
        {
          g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "reading standard input: %s",
                       g_strerror (errno));
          return FALSE;
        }
      g_byte_array_append (into, buffer, n);
    }
}

static void
ingest_stdin (Tally *tally)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  if (!read_stdin (data, &error))
    {
      tally->refused++;
      tally->temporary = g_steal_pointer (&error);
      return;
    }
  ingest_one (tally, (const char *) data->data, data->len, "stdin");
}

static void
ingest_file (Tally *tally, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, &error);
  g_autofree char *source = g_strdup_printf ("file:%s", path);
  if (file == NULL)
    {
      tally->refused++;
      g_prefix_error (&error, "%s: ", path);
      if (tally->permanent == NULL)
        tally->permanent = g_steal_pointer (&error);
      return;
    }
  ingest_one (tally, g_mapped_file_get_contents (file), g_mapped_file_get_length (file), source);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* new/ then cur/, each in name order (delivery order for most MDAs). The
 * Maildir is only read: Message-ID dedup makes a rerun harmless. */
static gboolean
ingest_maildir (Tally *tally, const char *maildir, GError **error)
{
  if (!g_file_test (maildir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT, "%s is not a Maildir (no such directory)",
                   maildir);
      return FALSE;
    }
  const char *const subdirs[] = { "new", "cur" };
  for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      g_autofree char *dir_path = g_build_filename (maildir, subdirs[s], NULL);
      g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
      if (dir == NULL)
        continue;
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        if (name[0] != '.')
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
          ingest_file (tally, path);
        }
    }
  return TRUE;
}

static gboolean
ingest_mbox (Tally *tally, const char *path, GError **error)
{
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return FALSE;
  g_autoptr (GPtrArray) messages = baton_mbox_split (g_mapped_file_get_contents (file),
                                                     g_mapped_file_get_length (file));
  for (guint i = 0; i < messages->len; i++)
    {
      gsize length = 0;
      const char *data = g_bytes_get_data (messages->pdata[i], &length);
      g_autofree char *source = g_strdup_printf ("mbox:%s#%u", path, i + 1);
      ingest_one (tally, data, length, source);
    }
  return TRUE;
}

static gboolean
finish_tally (Tally *tally, GError **error)
{
  if (tally->processed + tally->refused > 1)
    g_info ("ingest processed=%u refused=%u", tally->processed, tally->refused);
  GError **worst = tally->temporary ? &tally->temporary : &tally->permanent;
  if (*worst == NULL)
    return TRUE;
  if (tally->refused > 1)
    g_prefix_error (worst, "%u of %u messages not processed; first: ", tally->refused,
                    tally->processed + tally->refused);
  g_propagate_error (error, g_steal_pointer (worst));
  return FALSE;
}

gboolean
baton_cli_ingest (const BatonCli *cli, int argc, char **argv, GError **error)
{
  g_autofree char *maildir = NULL, *mbox = NULL;
  GOptionEntry entries[] = {
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &maildir, "process every message in a Maildir", "DIR" },
    { "mbox", 0, 0, G_OPTION_ARG_FILENAME, &mbox, "process every message in an mbox file", "FILE" },
    { NULL }
  };
  if (!baton_cli_parse_options ("ingest", "[FILE...|-]", entries, &argc, &argv, error))
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  baton_outbox_attach (team);
  Tally tally = { team, 0, 0, NULL, NULL };
  gboolean ok = TRUE;
  if (maildir != NULL)
    ok = ingest_maildir (&tally, maildir, error);
  else if (mbox != NULL)
    ok = ingest_mbox (&tally, mbox, error);
  else if (argc < 2)
    ingest_stdin (&tally);
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "-"))
        ingest_stdin (&tally);
      else
        ingest_file (&tally, argv[i]);
    }
  if (!ok)
    {
      tally_clear (&tally);
      return FALSE;
    }
  return finish_tally (&tally, error);
}
