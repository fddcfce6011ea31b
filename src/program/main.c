/* SPDX-License-Identifier: MIT */
/* baton — option parsing, the command table, and the one place where an
 * error becomes an exit code (sysexits.h: 75 means "keep the mail and try
 * again later" to procmail and every MTA, so only temporary failures may
 * use it, and every temporary failure must). */
#define G_LOG_DOMAIN "baton"
#include "baton/cli.h"
#include "baton/config.h"
#include "baton/error.h"
#include "baton/text.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#ifndef BATON_VERSION
#define BATON_VERSION "0.1"
#endif

typedef struct {
  const char *name;
  BatonCliFunc run;
  const char *summary;
} Command;

static const Command commands[] = {
  { "init", baton_cli_init, "create the database; write a commented sample config" },
  { "check", baton_cli_check, "validate config and templates; every error as file:line" },
  { "ingest", baton_cli_ingest, "process messages from files, stdin, a Maildir or an mbox" },
  { "explain", baton_cli_explain, "what baton understands of a message, and why" },
  { "send", baton_cli_send, "deliver the outbox over SMTP (or to the outbox Maildir)" },
  { "digest", baton_cli_digest, "queue the digests due at each member's local time" },
  { "poll", baton_cli_poll, "fetch new mail over IMAP and process it (--idle stays)" },
  { "run", baton_cli_run, "the daemon: IDLE + digests + outbox, until SIGTERM" },
  { "tasks", baton_cli_tasks, "the task board (--all includes done, --json)" },
  { "show", baton_cli_show, "one task and its history" },
  { "log", baton_cli_log, "the event log (--task N, --json)" },
  { "undo", baton_cli_undo, "revert what one mail did (MESSAGE-ID), as new events" },
  { "reopen", baton_cli_reopen, "put a done task back to work (N --as NAME)" },
  { "release", baton_cli_release, "apply held mail once its sender is a member" },
  { "members", baton_cli_members, "the team as configured" },
  { "board", baton_cli_board, "write the board as a static web site (--out DIR)" },
  { "demo", baton_cli_demo, "the whole flow on built-in sample mail, no servers" },
};

static const char help_text[] =
    "usage: baton [-c FILE] [-v|-q] COMMAND [ARGS...]\n"
    "\n"
    "baton runs a team's asynchronous work over plain email: members mail the\n"
    "team address, baton turns each mail into tasks, handoffs and updates, keeps\n"
    "the state in SQLite and mails notices and digests timed to each member's\n"
    "morning.\n"
    "\n"
    "COMMANDS\n"
    "%s"
    "\n"
    "  Each command takes --help for its own options.\n"
    "\n"
    "OPTIONS\n"
    "  -c, --config FILE   configuration file (default: $BATON_CONFIG, ./baton.conf,\n"
    "                      then /etc/baton/baton.conf)\n"
    "  -v, --verbose       one key=value line per message and per mail sent\n"
    "  -q, --quiet         only errors (for cron)\n"
    "  -h, --help          this text\n"
    "      --version       print the version\n"
    "\n"
    "COMMAND LANGUAGE (one per line, in the newly written text of a mail)\n"
    "  task: TITLE          new open task (todo: too); @name in the title assigns it\n"
    "  take N               the task becomes yours (also from someone else: a handoff)\n"
    "  done N [: note]      the task is done\n"
    "  drop N [: note]      give your task back to the pool\n"
    "  handoff N to WHO [: note]   pass the baton (pass N to WHO works too)\n"
    "  note N: text         a comment on the task\n"
    "  block N: reason      the task waits on something; unblock N ends that\n"
    "  anything else        your update, shown in your teammates' digests\n"
    "  N may be left out in a reply to baton's mail about a task, in a mail whose\n"
    "  subject carries [#N], or when sent to team+take-N@, team+done-N@, team+drop-N@.\n"
    "\n"
    "EXIT STATUS (sysexits.h)\n"
    "  0 success; 64 usage; 65 input is not a mail message; 66 no such input;\n"
    "  69 service refused; 70 internal error; 73 cannot create a file;\n"
    "  74 database damaged; 75 temporary failure: database busy or full, server\n"
    "  down (the mail stays with procmail or the MTA, which retries); 76 protocol\n"
    "  error; 77 credentials refused; 78 configuration error.\n"
    "\n"
    "ENVIRONMENT\n"
    "  BATON_CONFIG   configuration file when -c is not given\n"
    "  BATON_NOW      fixes the clock, e.g. BATON_NOW=2026-03-09T16:31:00Z (tests,\n"
    "                 previews of a digest)\n"
    "  BATON_SYSLOG   1: log to syslog (facility mail) instead of stderr\n"
    "\n"
    "See baton(1) and baton.conf(5).\n";

static void
print_help (FILE *out)
{
  g_autoptr (GString) list = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (list, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, help_text, list->str);
}

static int verbosity = 1;
static gboolean use_syslog;

/* Diagnostics go to stderr, or to syslog(LOG_MAIL) with BATON_SYSLOG=1. */
static void
log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  (void) data;
  int threshold = (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))    ? 0
                  : (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE)) ? 1
                                                                          : 2;
  if (threshold > verbosity && !(level & G_LOG_LEVEL_DEBUG && g_getenv ("G_MESSAGES_DEBUG")))
    return;
  /* Log lines carry Message-IDs, subjects and reasons from mail. */
  g_autofree char *safe = baton_text_line (message);
  if (use_syslog)
    syslog (threshold == 0 ? LOG_WARNING : LOG_INFO, "%s", safe);
  else
    fprintf (stderr, "%s: %s\n", domain ? domain : "baton", safe);
}

/* Diagnostics go to stderr, always: under systemd that is the journal,
 * under cron it is the mail to the owner, and `baton run > log 2>&1` must
 * write something. syslog(LOG_MAIL) only when asked, with BATON_SYSLOG=1,
 * for the setups that want baton beside the MTA's own log. */
static gboolean
syslog_requested (void)
{
  const char *value = g_getenv ("BATON_SYSLOG");
  return value != NULL && *value != '\0' && !g_str_equal (value, "0");
}

static int
report (const char *command, GError *error)
{
  int code = baton_error_exit_code (error);
  g_autofree char *text = g_strdup_printf ("baton %s: %s", command, error->message);
  if (use_syslog)
    syslog (code == EX_TEMPFAIL ? LOG_WARNING : LOG_ERR, "%s", text);
  else
    fprintf (stderr, "%s\n", text);
  return code;
}

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

/* Global options stop at the first non-option: the command's own options
 * are its business (GOptionContext in each command). */
static int
parse_globals (int argc, char **argv, BatonCli *cli, int *first)
{
  const char *config = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++)
    {
      const char *arg = argv[i];
      if ((g_str_equal (arg, "-c") || g_str_equal (arg, "--config")) && i + 1 < argc)
        config = argv[++i];
      else if (g_str_has_prefix (arg, "--config="))
        config = arg + strlen ("--config=");
      else if (g_str_equal (arg, "-v") || g_str_equal (arg, "--verbose"))
        cli->verbosity = 2;
      else if (g_str_equal (arg, "-q") || g_str_equal (arg, "--quiet"))
        cli->verbosity = 0;
      else if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
        return print_help (stdout), EX_OK;
      else if (g_str_equal (arg, "--version"))
        return printf ("baton %s\n", BATON_VERSION), EX_OK;
      else
        {
          fprintf (stderr, "baton: unknown option %s (see baton --help)\n", arg);
          return EX_USAGE;
        }
    }
  cli->config_given = config != NULL || g_getenv ("BATON_CONFIG") != NULL;
  cli->config_path = baton_config_default_path (config);
  *first = i;
  return -1;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  BatonCli cli = { NULL, FALSE, 1 };
  int first = 0;
  int early = parse_globals (argc, argv, &cli, &first);
  if (early >= 0)
    return early;
  g_autofree char *config_path = cli.config_path;
  verbosity = cli.verbosity;
  g_log_set_default_handler (log_handler, NULL);
  if (first >= argc)
    {
      print_help (stderr);
      return EX_USAGE;
    }
  const Command *command = find_command (argv[first]);
  if (command == NULL)
    {
      fprintf (stderr, "baton: unknown command '%s' (see baton --help)\n", argv[first]);
      return EX_USAGE;
    }
  use_syslog = syslog_requested ();
  if (use_syslog)
    openlog ("baton", LOG_PID, LOG_MAIL);
  g_autoptr (GError) error = NULL;
  if (!command->run (&cli, argc - first, argv + first, &error))
    return report (command->name, error);
  return EX_OK;
}
