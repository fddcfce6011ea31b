/* SPDX-License-Identifier: MIT */
/* The configuration file (GKeyFile, docs/DESIGN.md §9) and its validation.
 *
 * Relative paths in the file are relative to the file's own directory, and
 * are stored here already resolved. Secrets are never read into the config:
 * only the names of the files or commands that produce them.
 */
#pragma once
#include "baton/acceptance.h"
#include "baton/worktime.h"

#include <glib.h>

typedef struct {
  char *name;         /* short name used in commands ("bob") */
  char *email;        /* primary address, lowercase */
  char **aliases;     /* other addresses, lowercase; NULL-terminated, never NULL */
  char *display_name; /* "Bob Stone", or the short name */
  char *timezone;     /* IANA id, resolved against [baton] timezone */
  int digest_minutes; /* local minutes after midnight, from digest-at */
  guint workdays;     /* workdays, as BatonWorktime.workdays */
  int work_start;     /* hours = START-END, minutes after local midnight */
  int work_end;
  GArray *holidays; /* guint32 Julian days from holidays and holiday-dates, sorted; owned */
} BatonMember;

typedef struct {
  char *url; /* imaps://host[:port]/MAILBOX or imap://… */
  gboolean allow_plaintext;
  char *user;
  char *password_file; /* resolved path or NULL */
  char *password_command;
  char *ca_file;
  char *processed_folder;
  char *failed_folder;
  guint timeout_seconds; /* timeout =, 1..3600; default 60 */
} BatonImapConfig;

typedef struct {
  char *url; /* smtps://host[:port] or smtp://… */
  gboolean allow_plaintext;
  char *user; /* NULL: no AUTH */
  char *password_file;
  char *password_command;
  char *ca_file;
  char *from; /* "Baton <team@example.com>" */
} BatonSmtpConfig;

typedef struct {
  char *path;          /* the file read */
  char *database;      /* resolved */
  char *team_address;  /* lowercase addr-spec */
  char *timezone;      /* default for members */
  char *templates_dir; /* resolved, or NULL: shipped templates only */
  gboolean require_auth;
  char *authserv_id;
  gboolean handoff_at_morning; /* handoff-delivery = morning */
  gboolean acknowledge;
  gboolean digest_when_idle; /* [baton] digest-when-empty = yes */
  int stale_after_days;      /* [baton] stale-after: days without movement, 1..365 */
  BatonWithin accept_within; /* [baton] accept-within: a handoff's receiver's time to accept */
  BatonWithin return_after;  /* [baton] return-after: then back to the giver; 0: never */
  char *outbox_maildir;      /* resolved; used when smtp is NULL */
  char *spool_dir;           /* resolved; baton ingest --queue */
  gboolean keep_raw_always;  /* keep-raw = always: a copy even of mail its source keeps */
  char *board_dir;           /* [board] dir, resolved, or NULL: `run` writes no board */
  GPtrArray *members;        /* BatonMember*, owned */
  BatonImapConfig *imap;     /* NULL when there is no [imap] */
  BatonSmtpConfig *smtp;     /* NULL when there is no [smtp] */
} BatonConfig;

/* Loads and validates @path. On any problem returns NULL and sets a
 * BATON_ERROR_CONFIG error listing every problem as "file:line: text",
 * one per line. */
BatonConfig *baton_config_load (const char *path, GError **error);

/* Every problem in @path, as "file:line: text" strings; an empty array means
 * the file is valid. Never NULL. When @warnings is not NULL, things that
 * work but look wrong (a digest-at outside the member's hours) are added
 * to it as "file:line: warning: text". */
GPtrArray *baton_config_problems (const char *path, GPtrArray *warnings);

void baton_config_free (BatonConfig *config);

/* Fills @week with @member's working time and @away (BatonAway, from the
 * store; may be NULL). @week borrows from both. */
void baton_config_member_week (const BatonMember *member, const GArray *away, BatonWorktime *week);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonConfig, baton_config_free)

/* The member owning @address (primary or alias, case-insensitive) or with
 * short name @name (with or without a leading '@'); NULL if none. The result
 * lives as long as @config. */
const BatonMember *baton_config_member_by_address (const BatonConfig *config, const char *address);
const BatonMember *baton_config_member_by_name (const BatonConfig *config, const char *name);

/* Resolves @who as written in a command: a short name, "@name" or an address. */
const BatonMember *baton_config_member_lookup (const BatonConfig *config, const char *who);

/* Which config file to use: EXPLICIT if given, else $BATON_CONFIG, else
 * ./baton.conf, else /etc/baton/baton.conf. Caller frees. */
char *baton_config_default_path (const char *explicit_path);

/* Reads a secret from @password_file (first line; the file must not be
 * readable by others) or the first line of @password_command's output.
 * @label ("[imap]") names the section in error messages. Caller frees. */
char *baton_config_read_secret (const char *password_file, const char *password_command,
                                const char *label, GError **error);

/* A commented sample configuration for `baton init`; static text. */
const char *baton_config_sample (void);
