/* SPDX-License-Identifier: MIT */
/* Subcommands. Each parses its own options, does its work and returns
 * FALSE with @error set on failure; main.c alone turns errors into exit
 * codes and prints them. stdout carries only what the user asked for. */
#pragma once
#include <glib.h>

typedef struct {
  char *config_path;     /* resolved: -c, $BATON_CONFIG, ./baton.conf or /etc/baton/baton.conf */
  gboolean config_given; /* -c or $BATON_CONFIG named it */
  int verbosity;         /* 0 with -q, 1 by default, 2 with -v */
} BatonCli;

typedef gboolean (*BatonCliFunc) (const BatonCli *cli, int argc, char **argv, GError **error);

gboolean baton_cli_init (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_check (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_ingest (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_explain (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_tasks (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_show (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_log (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_members (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_send (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_digest (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_poll (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_run (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_board (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_demo (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_undo (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_reopen (const BatonCli *cli, int argc, char **argv, GError **error);
gboolean baton_cli_release (const BatonCli *cli, int argc, char **argv, GError **error);

/* Parses a subcommand's options with GOptionContext; FALSE with a
 * BATON_ERROR_USAGE error on bad options. */
gboolean baton_cli_parse_options (const char *command, const char *parameters,
                                  GOptionEntry *entries, int *argc, char ***argv, GError **error);
