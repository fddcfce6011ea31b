/* SPDX-License-Identifier: MIT */
/* `baton ingest`: mail in, from wherever it waits.
 *
 * Everything goes through one batch (spool.h): up to BATON_BATCH_MESSAGES
 * messages or BATON_BATCH_SECONDS per transaction, a savepoint per message,
 * so a bad message still rolls back alone while a Maildir of thousands costs
 * a handful of commits instead of one each. A batch goes on past a message
 * that is not mail and stops at a temporary failure, with what came before
 * committed: the exit code is the worst class seen, 75 when anything must be
 * retried (the Message-ID check makes the retry safe), else 65 when
 * something was not mail.
 *
 * --queue is the procmail fast path: the mail is made durable in the spool
 * without opening the database, and stored by the next --drain, poll or run. */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/error.h"
#include "baton/mbox.h"
#include "baton/outbox.h"
#include "baton/spool.h"
#include "baton/workflow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>
#include <unistd.h>

/* new/ then cur/, each in name order (delivery order for most MDAs),
 * listed and parsed on the second thread from now on, so the database opens
 * meanwhile. The Maildir is only read: Message-ID dedup makes a rerun
 * harmless. */
static BatonReadahead *
read_maildir (const char *maildir, GError **error)
{
  if (!g_file_test (maildir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT,
                   "%s is not a Maildir (no such directory)", maildir);
      return NULL;
    }
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);
  const char *const dirs[] = { new_dir, cur_dir, NULL };
  return baton_readahead_new_listing (dirs, FALSE, error);
}

/* Read in pieces (mbox.h), never mapped: an mbox of a 70 MB and a 44 MB mail
 * peaked at 302 MB of memory when the file was mapped and split in memory. */
static gboolean
ingest_mbox (BatonSpoolBatch *batch, const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, BATON_ERROR, BATON_ERROR_NO_INPUT, "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  g_autoptr (BatonMboxReader) reader = baton_mbox_reader_new (fd, (guint64) st.st_size);
  BatonMboxMessage message;
  GError *failure = NULL;
  for (guint i = 1; baton_mbox_reader_next (reader, &message, &failure); i++)
    {
      g_autofree char *source = g_strdup_printf ("mbox:%s#%u", path, i);
      gboolean more;
      if (message.bytes != NULL)
        {
          gsize length = 0;
          const char *data = g_bytes_get_data (message.bytes, &length);
          more = baton_spool_batch_add (batch, data, length, source, NULL);
          g_bytes_unref (message.bytes);
        }
      else
        more = baton_spool_batch_add_fd (batch, message.fd, source);
      if (!more)
        break;
    }
  close (fd);
  if (failure != NULL)
    {
      g_prefix_error (&failure, "%s: ", path);
      g_propagate_error (error, failure);
      return FALSE;
    }
  return TRUE;
}

static void
ingest_arguments (BatonSpoolBatch *batch, int argc, char **argv)
{
  if (argc < 2)
    baton_spool_batch_add_stream (batch, STDIN_FILENO, "stdin");
  /* Runs of file names go to the batch together, to be parsed ahead on
   * the second thread; a "-" between them is read where it stands. */
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    {
      gboolean is_stdin = g_str_equal (argv[i], "-");
      if (!is_stdin)
        {
          g_ptr_array_add (paths, g_strdup (argv[i]));
          g_ptr_array_add (sources, g_strdup_printf ("file:%s", argv[i]));
        }
      if ((is_stdin || i == argc - 1) && paths->len > 0)
        {
          gboolean more = baton_spool_batch_add_files (batch, paths, sources, NULL);
          g_ptr_array_set_size (paths, 0);
          g_ptr_array_set_size (sources, 0);
          if (!more)
            return;
        }
      if (is_stdin && !baton_spool_batch_add_stream (batch, STDIN_FILENO, "stdin"))
        return;
    }
}

/* Messages per transaction: BATON_INGEST_BATCH overrides the default, for
 * tuning and for tests that need a commit between two messages. */
static guint
batch_size (void)
{
  const char *value = g_getenv ("BATON_INGEST_BATCH");
  return value ? (guint) strtoul (value, NULL, 10) : 0;
}

static gboolean
queue_stdin (const BatonCli *cli, GError **error)
{
  g_autoptr (BatonConfig) config = baton_config_load (cli->config_path, error);
  if (config == NULL)
    return FALSE;
  return baton_spool_accept (config->spool_dir, STDIN_FILENO, error);
}

static gboolean
drain (BatonTeam *team, GError **error)
{
  guint processed = 0;
  gboolean ok = baton_spool_drain (team, &processed, error);
  g_debug ("drain processed=%u", processed);
  return ok;
}

/* A mail on standard input comes from procmail or an MTA pipe. */
static gboolean
reads_stdin (gboolean queue, gboolean drain_spool, const char *maildir, const char *mbox, int argc,
             char **argv)
{
  if (queue)
    return TRUE;
  if (drain_spool || ((maildir != NULL || mbox != NULL) && argc < 2))
    return FALSE;
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "-"))
      return TRUE;
  return argc < 2;
}

static gboolean
ingest (const BatonCli *cli, int argc, char **argv, gboolean *from_stdin, GError **error)
{
  g_autofree char *maildir = NULL, *mbox = NULL;
  gboolean queue = FALSE, drain_spool = FALSE;
  GOptionEntry entries[] = {
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &maildir, "process every message in a Maildir",
      "DIR" },
    { "mbox", 0, 0, G_OPTION_ARG_FILENAME, &mbox, "process every message in an mbox file", "FILE" },
    { "queue", 0, 0, G_OPTION_ARG_NONE, &queue,
      "accept standard input into the spool and return at once", NULL },
    { "drain", 0, 0, G_OPTION_ARG_NONE, &drain_spool, "process every message in the spool", NULL },
    { NULL }
  };
  if (!baton_cli_parse_options ("ingest", "[FILE...|-]", entries, &argc, &argv, error))
    return FALSE;
  if ((queue || drain_spool) && (argc > 1 || maildir || mbox || (queue && drain_spool)))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_USAGE,
                   "--queue reads standard input and --drain the spool: give either alone, "
                   "without files, --maildir or --mbox");
      return FALSE;
    }
  *from_stdin = reads_stdin (queue, drain_spool, maildir, mbox, argc, argv);
  if (queue)
    return queue_stdin (cli, error);
  g_autoptr (BatonReadahead) maildir_files = NULL;
  if (maildir != NULL && (maildir_files = read_maildir (maildir, error)) == NULL)
    return FALSE;
  g_autoptr (BatonTeam) team = baton_team_open (cli->config_path, error);
  if (team == NULL)
    return FALSE;
  baton_outbox_attach (team);
  if (drain_spool)
    return drain (team, error);
  g_autoptr (BatonSpoolBatch) batch = baton_spool_batch_new (team, batch_size ());
  gboolean ok = TRUE;
  if (maildir_files != NULL)
    baton_spool_batch_add_parsed (batch, maildir_files);
  else if (mbox != NULL)
    ok = ingest_mbox (batch, mbox, error);
  if (ok && ((maildir == NULL && mbox == NULL) || argc > 1))
    ingest_arguments (batch, argc, argv);
  if (!ok)
    return FALSE;
  return baton_spool_batch_finish (batch, NULL, error);
}

/* For an MTA, 75 is the only exit that keeps the mail: on 78, 74 or 73 a
 * Postfix pipe bounces it while the admin fixes a config, a database or a
 * permission. So a mail read from standard input fails with 75 for every
 * reason that is not the mail's own (EX_DATAERR: not mail). A wrong command line
 * keeps its 64: it is the same for every mail, and the first delivery
 * test shows it. Files, --maildir, --mbox and --drain are not deliveries:
 * their mail stays where it is, and their exit codes say what is wrong. */
static void
keep_with_sender (GError **error)
{
  GError *failure = *error;
  int code = baton_error_exit_code (failure);
  if (code == EX_DATAERR || code == EX_USAGE || code == EX_TEMPFAIL)
    return;
  *error = g_error_new (BATON_ERROR, BATON_ERROR_TEMPORARY,
                        "%s (exit 75, not %d: the mail stays with the MTA, which retries it once "
                        "this is fixed)",
                        failure->message, code);
  g_error_free (failure);
}

gboolean
baton_cli_ingest (const BatonCli *cli, int argc, char **argv, GError **error)
{
  gboolean from_stdin = FALSE;
  g_autoptr (GError) failure = NULL;
  if (ingest (cli, argc, argv, &from_stdin, &failure))
    return TRUE;
  if (from_stdin)
    keep_with_sender (&failure);
  g_propagate_error (error, g_steal_pointer (&failure));
  return FALSE;
}
