/* SPDX-License-Identifier: MIT */
/* Configuration: GKeyFile reads the file; this module validates it and
 * reports every problem at once with its line, the way `fdm -n` does, since
 * a sysadmin fixing a config wants the whole list, not one error per run.
 * GKeyFile keeps no line numbers, so a small scan of the text maps each
 * group and key to the line it stands on. */
#define G_LOG_DOMAIN "baton-config"
#include "baton/config.h"

#include "baton/calendar.h"
#include "baton/error.h"
#include "baton/schedule.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  const char *path;
  GKeyFile *keys;
  GHashTable *lines; /* "group" or "group\x1fkey" → line number */
  GPtrArray *problems;
  GPtrArray *warnings; /* "file:line: warning: text"; NULL: not wanted */
} Loader;

static const char *const baton_keys[] = { "database",
                                          "team-address",
                                          "timezone",
                                          "templates",
                                          "require-auth",
                                          "authserv-id",
                                          "handoff-delivery",
                                          "acknowledge",
                                          "digest-when-empty",
                                          "spool",
                                          "keep-raw",
                                          "stale-after",
                                          "workdays",
                                          "hours",
                                          "holidays",
                                          "holiday-dates",
                                          "accept-within",
                                          "return-after",
                                          NULL };
static const char *const member_keys[] = { "email",         "aliases",  "name",  "timezone",
                                           "digest-at",     "workdays", "hours", "holidays",
                                           "holiday-dates", NULL };
static const char *const imap_keys[] = {
  "url",     "allow-plaintext",  "user",          "password-file", "password-command",
  "ca-file", "processed-folder", "failed-folder", "timeout",       NULL,
};
static const char *const smtp_keys[] = {
  "url", "allow-plaintext", "user", "password-file", "password-command", "ca-file", "from", NULL
};
static const char *const outbox_keys[] = { "maildir", NULL };
static const char *const board_keys[] = { "dir", NULL };

static void
index_lines (Loader *loader, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      guint number = i + 1;
      if (line[0] == '[' && strchr (line, ']') != NULL)
        {
          g_free (group);
          group = g_strndup (line + 1, strchr (line, ']') - line - 1);
          g_hash_table_insert (loader->lines, g_strdup (group), GUINT_TO_POINTER (number));
        }
      else if (group != NULL && line[0] != '#' && line[0] != ';' && strchr (line, '=') != NULL)
        {
          g_autofree char *key = g_strstrip (g_strndup (line, strchr (line, '=') - line));
          g_hash_table_insert (loader->lines, g_strdup_printf ("%s\x1f%s", group, key),
                               GUINT_TO_POINTER (number));
        }
    }
}

static guint
line_of (Loader *loader, const char *group, const char *key)
{
  g_autofree char *id = key ? g_strdup_printf ("%s\x1f%s", group, key) : g_strdup (group);
  guint line = GPOINTER_TO_UINT (g_hash_table_lookup (loader->lines, id));
  if (line == 0 && key != NULL)
    return line_of (loader, group, NULL);
  return line == 0 ? 1 : line;
}

G_GNUC_PRINTF (4, 5)
static void
problem (Loader *loader, const char *group, const char *key, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *text = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (loader->problems,
                   g_strdup_printf ("%s:%u: %s", loader->path, line_of (loader, group, key), text));
}

static char *
get_string (Loader *loader, const char *group, const char *key, const char *fallback)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *value = g_key_file_get_string (loader->keys, group, key, &error);
  /* Not set is the fallback; set but unreadable (a bad escape such as
   * "\q") must not silently read as not set. */
  if (error != NULL && !g_error_matches (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
      !g_error_matches (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    problem (loader, group, key, "%s cannot be read (%s); write a backslash as \\\\", key,
             error->message);
  if (value == NULL)
    return g_strdup (fallback);
  g_strstrip (value);
  if (*value == '\0')
    return g_strdup (fallback);
  return g_steal_pointer (&value);
}

static gboolean
get_bool (Loader *loader, const char *group, const char *key, gboolean fallback)
{
  g_autofree char *value = get_string (loader, group, key, NULL);
  if (value == NULL)
    return fallback;
  const char *yes[] = { "yes", "true", "on", "1", NULL };
  const char *no[] = { "no", "false", "off", "0", NULL };
  g_autofree char *lower = g_ascii_strdown (value, -1);
  if (g_strv_contains (yes, lower))
    return TRUE;
  if (g_strv_contains (no, lower))
    return FALSE;
  problem (loader, group, key, "%s must be yes or no, not '%s'", key, value);
  return fallback;
}

/* Resolves a path relative to the config file's directory. */
static char *
get_path (Loader *loader, const char *group, const char *key, const char *fallback)
{
  g_autofree char *value = get_string (loader, group, key, fallback);
  if (value == NULL || g_path_is_absolute (value))
    return g_steal_pointer (&value);
  g_autofree char *dir = g_path_get_dirname (loader->path);
  return g_build_filename (dir, value, NULL);
}

static gboolean
is_plain_address (const char *address)
{
  static GRegex *pattern;
  /* No error: a constant pattern compiles or the tests fail. */
  if (g_once_init_enter (&pattern))
    g_once_init_leave (&pattern, g_regex_new ("^[^@\\s<>()\",;]+@[A-Za-z0-9.-]+$", 0, 0, NULL));
  return address != NULL && g_regex_match (pattern, address, 0, NULL);
}

static char *
get_address (Loader *loader, const char *group, const char *key, gboolean required)
{
  g_autofree char *value = get_string (loader, group, key, NULL);
  if (value == NULL)
    {
      if (required)
        problem (loader, group, NULL, "[%s] needs %s = an email address", group, key);
      return NULL;
    }
  if (!is_plain_address (value))
    {
      problem (loader, group, key, "%s = '%s' is not a plain address such as bob@example.com", key,
               value);
      return NULL;
    }
  return g_ascii_strdown (value, -1);
}

static void
check_known_keys (Loader *loader, const char *group, const char *const *known)
{
  /* No error: it fails only for a group that is not there, which has no
   * unknown keys to report. */
  g_auto (GStrv) keys = g_key_file_get_keys (loader->keys, group, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (g_strv_contains (known, keys[i]))
        continue;
      if (g_str_equal (keys[i], "password"))
        problem (loader, group, keys[i],
                 "passwords do not belong in the config file: "
                 "use password-file or password-command");
      else
        problem (loader, group, keys[i], "unknown key '%s' in [%s]", keys[i], group);
    }
}

/* The zone people usually mean by an abbreviation that is no IANA zone
 * (the ones that are, like EST and CET, are fixed offsets without summer
 * time, which is seldom what is meant either, but they are valid). */
static const char *
timezone_hint (const char *tz)
{
  static const char *const hints[][2] = {
    { "PST", "America/Los_Angeles" }, { "PDT", "America/Los_Angeles" },
    { "PT", "America/Los_Angeles" },  { "MDT", "America/Denver" },
    { "MT", "America/Denver" },       { "CST", "America/Chicago" },
    { "CDT", "America/Chicago" },     { "CT", "America/Chicago" },
    { "EDT", "America/New_York" },    { "ET", "America/New_York" },
    { "AKST", "America/Anchorage" },  { "BST", "Europe/London" },
    { "CEST", "Europe/Paris" },       { "IST", "Asia/Kolkata" },
    { "JST", "Asia/Tokyo" },          { "KST", "Asia/Seoul" },
    { "AEST", "Australia/Sydney" },   { "AEDT", "Australia/Sydney" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (hints); i++)
    if (g_ascii_strcasecmp (tz, hints[i][0]) == 0)
      return hints[i][1];
  return NULL;
}

static char *
get_timezone (Loader *loader, const char *group, const char *fallback)
{
  g_autofree char *tz = get_string (loader, group, "timezone", fallback);
  if (!baton_schedule_timezone_valid (tz) && timezone_hint (tz) != NULL)
    {
      problem (loader, group, "timezone",
               "timezone '%s' is not an IANA zone: write the place, such as %s", tz,
               timezone_hint (tz));
      return g_strdup ("UTC");
    }
  if (!baton_schedule_timezone_valid (tz))
    {
      problem (loader, group, "timezone",
               "timezone '%s' is not a known IANA zone such as Europe/Paris", tz);
      return g_strdup ("UTC");
    }
  return g_steal_pointer (&tz);
}

/* Days without movement after which a held task is listed as stale in
 * the digests. Calendar days until baton knows working days. */
static int
get_stale_after (Loader *loader)
{
  g_autofree char *value = get_string (loader, "baton", "stale-after", "3");
  char *end = NULL;
  gint64 days = g_ascii_strtoll (value, &end, 10);
  if (end == value || *end != '\0' || days < 1 || days > 365)
    {
      problem (loader, "baton", "stale-after",
               "stale-after must be a number of days from 1 to 365, not '%s'", value);
      return 3;
    }
  return (int) days;
}

/* accept-within and return-after: working days or hours of the receiver. */
static BatonWithin
get_within (Loader *loader, const char *key, const char *fallback)
{
  g_autofree char *value = get_string (loader, "baton", key, fallback);
  BatonWithin within = { 0, FALSE };
  g_autoptr (GError) local = NULL;
  if (!baton_acceptance_parse (value, &within, &local))
    {
      problem (loader, "baton", key, "%s: %s", key, local->message);
      baton_acceptance_parse (fallback, &within, NULL);
    }
  return within;
}

static void
load_baton_section (Loader *loader, BatonConfig *config)
{
  if (!g_key_file_has_group (loader->keys, "baton"))
    {
      problem (loader, "baton", NULL, "missing [baton] section with team-address = …");
      config->timezone = g_strdup ("UTC");
      return;
    }
  check_known_keys (loader, "baton", baton_keys);
  config->database = get_path (loader, "baton", "database", "baton.db");
  config->team_address = get_address (loader, "baton", "team-address", TRUE);
  config->timezone = get_timezone (loader, "baton", "UTC");
  config->templates_dir = get_path (loader, "baton", "templates", NULL);
  config->require_auth = get_bool (loader, "baton", "require-auth", FALSE);
  config->authserv_id = get_string (loader, "baton", "authserv-id", NULL);
  if (config->require_auth && config->authserv_id == NULL)
    problem (loader, "baton", "require-auth",
             "require-auth = true needs authserv-id = the host whose "
             "Authentication-Results header you trust");
  g_autofree char *delivery = get_string (loader, "baton", "handoff-delivery", "now");
  if (g_str_equal (delivery, "morning"))
    config->handoff_at_morning = TRUE;
  else if (!g_str_equal (delivery, "now"))
    problem (loader, "baton", "handoff-delivery",
             "handoff-delivery must be now or morning, not '%s'", delivery);
  config->acknowledge = get_bool (loader, "baton", "acknowledge", FALSE);
  config->digest_when_idle = get_bool (loader, "baton", "digest-when-empty", FALSE);
  config->stale_after_days = get_stale_after (loader);
  config->accept_within = get_within (loader, "accept-within", "1d");
  config->return_after = get_within (loader, "return-after", "0");
  config->spool_dir = get_path (loader, "baton", "spool", "spool");
  g_autofree char *keep_raw = get_string (loader, "baton", "keep-raw", "auto");
  if (g_str_equal (keep_raw, "always"))
    config->keep_raw_always = TRUE;
  else if (!g_str_equal (keep_raw, "auto"))
    problem (loader, "baton", "keep-raw", "keep-raw must be auto or always, not '%s'", keep_raw);
}

static void
member_free (BatonMember *member)
{
  if (member == NULL)
    return;
  g_free (member->name);
  g_free (member->email);
  g_strfreev (member->aliases);
  g_free (member->display_name);
  g_free (member->timezone);
  if (member->holidays != NULL)
    g_array_unref (member->holidays);
  g_free (member);
}

static gboolean
is_valid_short_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static char **
get_aliases (Loader *loader, const char *group)
{
  g_autofree char *value = get_string (loader, group, "aliases", "");
  g_auto (GStrv) parts = g_strsplit (value, ",", -1);
  GPtrArray *aliases = g_ptr_array_new ();
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      if (!is_plain_address (parts[i]))
        problem (loader, group, "aliases", "alias '%s' is not a plain address", parts[i]);
      else
        g_ptr_array_add (aliases, g_ascii_strdown (parts[i], -1));
    }
  g_ptr_array_add (aliases, NULL);
  return (char **) g_ptr_array_free (aliases, FALSE);
}

/* A key of [member NAME], else the team default from [baton]; *@where
 * says which group the value came from, for the problem's line. */
static char *
get_member_string (Loader *loader, const char *group, const char *key, const char *fallback,
                   const char **where)
{
  char *value = get_string (loader, group, key, NULL);
  *where = group;
  if (value == NULL)
    {
      value = get_string (loader, "baton", key, NULL);
      *where = "baton";
    }
  return value != NULL ? value : g_strdup (fallback);
}

static void
add_holiday_dates (Loader *loader, const char *group, GArray *days)
{
  const char *where = NULL;
  g_autofree char *value = get_member_string (loader, group, "holiday-dates", "", &where);
  g_auto (GStrv) dates = g_strsplit (value, ",", -1);
  for (guint i = 0; dates[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      guint32 day = 0;
      if (*g_strstrip (dates[i]) == '\0')
        continue;
      if (baton_date_parse (dates[i], &day, &error))
        g_array_append_val (days, day);
      else
        problem (loader, where, "holiday-dates", "holiday-dates: %s", error->message);
    }
}

/* holidays = FILE.ics, relative to the config file's directory. */
static void
add_holiday_file (Loader *loader, const char *group, GArray *days)
{
  const char *where = group;
  g_autofree char *file = get_path (loader, group, "holidays", NULL);
  if (file == NULL)
    {
      where = "baton";
      file = get_path (loader, "baton", "holidays", NULL);
    }
  if (file == NULL)
    return;
  g_autoptr (GError) error = NULL;
  if (!baton_calendar_read_days (file, days, &error))
    problem (loader, where, "holidays", "holidays: %s", error->message);
}

static int
compare_julian (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

static void
load_worktime (Loader *loader, const char *group, BatonMember *member)
{
  const char *where = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *workdays = get_member_string (loader, group, "workdays", "Mon-Fri", &where);
  member->workdays = BATON_WORKTIME_MON_FRI;
  if (!baton_worktime_parse_workdays (workdays, &member->workdays, &error))
    problem (loader, where, "workdays", "%s", error->message);
  g_clear_error (&error);
  g_autofree char *hours = get_member_string (loader, group, "hours", "08:00-18:00", &where);
  member->work_start = 8 * 60;
  member->work_end = 18 * 60;
  if (!baton_worktime_parse_hours (hours, &member->work_start, &member->work_end, &error))
    problem (loader, where, "hours", "%s", error->message);
  member->holidays = g_array_new (FALSE, FALSE, sizeof (guint32));
  add_holiday_dates (loader, group, member->holidays);
  add_holiday_file (loader, group, member->holidays);
  g_array_sort (member->holidays, compare_julian);
}

/* A digest-at outside the hours still works (configurations written
 * before hours existed stay valid), but is most likely a mistake. */
static void
warn_digest_outside_hours (Loader *loader, const BatonMember *member, GPtrArray *warnings)
{
  if (warnings == NULL ||
      (member->digest_minutes >= member->work_start && member->digest_minutes < member->work_end))
    return;
  g_autofree char *group = g_strdup_printf ("member %s", member->name);
  g_ptr_array_add (warnings,
                   g_strdup_printf ("%s:%u: warning: digest-at %02d:%02d is outside %s's working "
                                    "hours %02d:%02d-%02d:%02d",
                                    loader->path, line_of (loader, group, "digest-at"),
                                    member->digest_minutes / 60, member->digest_minutes % 60,
                                    member->name, member->work_start / 60, member->work_start % 60,
                                    member->work_end / 60, member->work_end % 60));
}

static BatonMember *
load_member (Loader *loader, const BatonConfig *config, const char *group)
{
  const char *name = group + strlen ("member ");
  BatonMember *member = g_new0 (BatonMember, 1);
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  member->name = g_ascii_strdown (trimmed, -1);
  if (!is_valid_short_name (member->name))
    problem (loader, group, NULL,
             "member name '%s' must be one word of letters, digits, '-', '_' "
             "or '.', as used in commands (handoff 12 to bob)",
             name);
  check_known_keys (loader, group, member_keys);
  member->email = get_address (loader, group, "email", TRUE);
  member->aliases = get_aliases (loader, group);
  member->display_name = get_string (loader, group, "name", member->name);
  member->timezone = get_timezone (loader, group, config->timezone);
  g_autofree char *at = get_string (loader, group, "digest-at", "08:30");
  g_autoptr (GError) error = NULL;
  if (!baton_schedule_parse_time_of_day (at, &member->digest_minutes, &error))
    problem (loader, group, "digest-at", "%s", error->message);
  load_worktime (loader, group, member);
  warn_digest_outside_hours (loader, member, loader->warnings);
  return member;
}

/* @groups: each member's section name as written ("member Bob"), in the
 * order of config->members, so that a problem is reported on its line. */
static void
check_member_clashes (Loader *loader, BatonConfig *config, GPtrArray *groups)
{
  g_autoptr (GHashTable) owners = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < config->members->len; i++)
    {
      BatonMember *member = config->members->pdata[i];
      const char *group = groups->pdata[i];
      if (member->email == NULL)
        continue;
      for (int a = -1; a < 0 || member->aliases[a] != NULL; a++)
        {
          const char *address = a < 0 ? member->email : member->aliases[a];
          const char *owner = g_hash_table_lookup (owners, address);
          if (owner != NULL && !g_str_equal (owner, member->name))
            problem (loader, group, a < 0 ? "email" : "aliases",
                     "address %s belongs to both %s and %s", address, owner, member->name);
          g_hash_table_insert (owners, (char *) address, member->name);
        }
      if (config->team_address && g_str_equal (member->email, config->team_address))
        problem (loader, group, "email", "a member cannot use the team address %s",
                 config->team_address);
    }
}

static gboolean
url_has_scheme (const char *url, const char *secure, const char *plain)
{
  return url != NULL && (g_str_has_prefix (url, secure) || g_str_has_prefix (url, plain));
}

/* A password in the URL would sit in a file meant to be readable, and in
 * every log line that names the server. The URL is not repeated in the
 * message: it holds the password. */
static void
check_url_secret (Loader *loader, const char *group, const char *url)
{
  const char *authority = url ? strstr (url, "://") : NULL;
  if (authority == NULL)
    return;
  authority += 3;
  gsize length = strcspn (authority, "/?#");
  const char *at = g_strrstr_len (authority, length, "@");
  if (at != NULL && memchr (authority, ':', at - authority) != NULL)
    problem (loader, group, "url",
             "url carries a password (user:password@host): remove it from the URL and the "
             "file, and put it in password-file or password-command");
}

/* Secrets only the owner can read: 0600 or 0400. A group that can read
 * the file can read the team mailbox. */
static gboolean
secret_mode_ok (mode_t mode)
{
  return (mode & 077) == 0;
}

static void
check_password_file (Loader *loader, const char *group, const char *file)
{
  struct stat st;
  if (file != NULL && stat (file, &st) == 0 && !secret_mode_ok (st.st_mode))
    problem (loader, group, "password-file",
             "password-file %s can be read or written by others (mode %04o): chmod 600 %s", file,
             (unsigned) (st.st_mode & 07777), file);
}

static void
check_secret_source (Loader *loader, const char *group, const char *file, const char *command,
                     const char *user)
{
  check_password_file (loader, group, file);
  if (file != NULL && command != NULL)
    problem (loader, group, "password-command",
             "[%s] has both password-file and password-command: keep one", group);
  if (user != NULL && file == NULL && command == NULL)
    problem (loader, group, "user", "[%s] user = %s needs password-file or password-command", group,
             user);
}

static void
load_imap_section (Loader *loader, BatonConfig *config)
{
  if (!g_key_file_has_group (loader->keys, "imap"))
    return;
  check_known_keys (loader, "imap", imap_keys);
  BatonImapConfig *imap = config->imap = g_new0 (BatonImapConfig, 1);
  imap->url = get_string (loader, "imap", "url", NULL);
  check_url_secret (loader, "imap", imap->url);
  if (!url_has_scheme (imap->url, "imaps://", "imap://"))
    problem (loader, "imap", "url",
             "url must start with imaps:// (TLS) or imap:// (STARTTLS), "
             "e.g. imaps://imap.example.com/INBOX");
  imap->allow_plaintext = get_bool (loader, "imap", "allow-plaintext", FALSE);
  imap->user = get_string (loader, "imap", "user", NULL);
  if (imap->user == NULL)
    problem (loader, "imap", NULL, "[imap] needs user = the login of the team mailbox");
  imap->password_file = get_path (loader, "imap", "password-file", NULL);
  imap->password_command = get_string (loader, "imap", "password-command", NULL);
  check_secret_source (loader, "imap", imap->password_file, imap->password_command, imap->user);
  imap->ca_file = get_path (loader, "imap", "ca-file", NULL);
  imap->processed_folder = get_string (loader, "imap", "processed-folder", NULL);
  imap->failed_folder = get_string (loader, "imap", "failed-folder", NULL);
  /* Seconds any one network wait may take: a stalled server must end as a
   * temporary failure, not hang the poller. */
  g_autofree char *timeout = get_string (loader, "imap", "timeout", NULL);
  guint64 seconds = 60;
  if (timeout != NULL && !g_ascii_string_to_unsigned (timeout, 10, 1, 3600, &seconds, NULL))
    {
      problem (loader, "imap", "timeout",
               "timeout must be a number of seconds from 1 to 3600, not '%s'", timeout);
      seconds = 60;
    }
  imap->timeout_seconds = (guint) seconds;
}

static void
load_smtp_section (Loader *loader, BatonConfig *config)
{
  if (!g_key_file_has_group (loader->keys, "smtp"))
    return;
  check_known_keys (loader, "smtp", smtp_keys);
  BatonSmtpConfig *smtp = config->smtp = g_new0 (BatonSmtpConfig, 1);
  smtp->url = get_string (loader, "smtp", "url", NULL);
  check_url_secret (loader, "smtp", smtp->url);
  if (!url_has_scheme (smtp->url, "smtps://", "smtp://"))
    problem (loader, "smtp", "url",
             "url must start with smtps:// (TLS) or smtp:// (STARTTLS), "
             "e.g. smtps://smtp.example.com:465");
  smtp->allow_plaintext = get_bool (loader, "smtp", "allow-plaintext", FALSE);
  smtp->user = get_string (loader, "smtp", "user", NULL);
  smtp->password_file = get_path (loader, "smtp", "password-file", NULL);
  smtp->password_command = get_string (loader, "smtp", "password-command", NULL);
  check_secret_source (loader, "smtp", smtp->password_file, smtp->password_command, smtp->user);
  smtp->ca_file = get_path (loader, "smtp", "ca-file", NULL);
  smtp->from = get_string (loader, "smtp", "from", NULL);
}

static void
load_groups (Loader *loader, BatonConfig *config)
{
  load_baton_section (loader, config);
  config->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
  g_auto (GStrv) groups = g_key_file_get_groups (loader->keys, NULL);
  g_autoptr (GPtrArray) member_groups = g_ptr_array_new ();
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const char *group = groups[i];
      if (g_str_has_prefix (group, "member "))
        {
          g_ptr_array_add (config->members, load_member (loader, config, group));
          g_ptr_array_add (member_groups, (char *) group);
        }
      else if (!g_strv_contains (
                   (const char *const[]){ "baton", "imap", "smtp", "outbox", "board", NULL },
                   group))
        problem (loader, group, NULL, "unknown section [%s]; members are written [member NAME]",
                 group);
    }
  if (config->members->len == 0)
    problem (loader, "baton", NULL,
             "no [member NAME] section: nobody could act on the team's mail");
  check_member_clashes (loader, config, member_groups);
  load_imap_section (loader, config);
  load_smtp_section (loader, config);
  if (g_key_file_has_group (loader->keys, "outbox"))
    check_known_keys (loader, "outbox", outbox_keys);
  config->outbox_maildir = get_path (loader, "outbox", "maildir", "outbox");
  if (g_key_file_has_group (loader->keys, "board"))
    check_known_keys (loader, "board", board_keys);
  config->board_dir = get_path (loader, "board", "dir", NULL);
}

/* A config that names a password source must not be writable by anyone
 * but its owner: whoever can edit it can point url= at their own server
 * and collect the password, or make password-command run anything. */
static void
check_file_mode (Loader *loader, const BatonConfig *config)
{
  struct stat st;
  gboolean has_secret =
      (config->imap && (config->imap->password_command || config->imap->password_file)) ||
      (config->smtp && (config->smtp->password_command || config->smtp->password_file));
  if (has_secret && stat (loader->path, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
    problem (loader, config->imap ? "imap" : "smtp", NULL,
             "%s can be written by others (mode %04o) yet names a password source: "
             "chmod go-w %s",
             loader->path, (unsigned) (st.st_mode & 07777), loader->path);
}

static BatonConfig *
load (const char *path, GPtrArray *problems, GPtrArray *warnings)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      g_ptr_array_add (problems, g_strdup_printf ("%s:1: %s (write one with `baton init`, or "
                                                  "name it with -c FILE)",
                                                  path, error->message));
      return NULL;
    }
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  if (!g_key_file_load_from_data (keys, text, -1, G_KEY_FILE_NONE, &error))
    {
      g_ptr_array_add (problems, g_strdup_printf ("%s:1: %s", path, error->message));
      return NULL;
    }
  Loader loader = { path, keys, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
                    problems, warnings };
  index_lines (&loader, text);
  BatonConfig *config = g_new0 (BatonConfig, 1);
  config->path = g_strdup (path);
  load_groups (&loader, config);
  check_file_mode (&loader, config);
  g_hash_table_unref (loader.lines);
  return config;
}

GPtrArray *
baton_config_problems (const char *path, GPtrArray *warnings)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  /* Only the problems are wanted; the config is loaded to find them. */
  baton_config_free (load (path, problems, warnings));
  return problems;
}

BatonConfig *
baton_config_load (const char *path, GError **error)
{
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (BatonConfig) config = load (path, problems, NULL);
  if (problems->len > 0)
    {
      g_ptr_array_add (problems, NULL);
      g_autofree char *all = g_strjoinv ("\n", (char **) problems->pdata);
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%s", all);
      return NULL;
    }
  return g_steal_pointer (&config);
}

static void
section_free (gpointer section, gboolean is_imap)
{
  if (section == NULL)
    return;
  if (is_imap)
    {
      BatonImapConfig *imap = section;
      g_free (imap->url), g_free (imap->user), g_free (imap->password_file);
      g_free (imap->password_command), g_free (imap->ca_file);
      g_free (imap->processed_folder), g_free (imap->failed_folder);
    }
  else
    {
      BatonSmtpConfig *smtp = section;
      g_free (smtp->url), g_free (smtp->user), g_free (smtp->password_file);
      g_free (smtp->password_command), g_free (smtp->ca_file), g_free (smtp->from);
    }
  g_free (section);
}

void
baton_config_free (BatonConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_free (config->database);
  g_free (config->team_address);
  g_free (config->timezone);
  g_free (config->templates_dir);
  g_free (config->authserv_id);
  g_free (config->outbox_maildir);
  g_free (config->spool_dir);
  g_free (config->board_dir);
  if (config->members)
    g_ptr_array_unref (config->members);
  section_free (config->imap, TRUE);
  section_free (config->smtp, FALSE);
  g_free (config);
}

void
baton_config_member_week (const BatonMember *member, const GArray *away, BatonWorktime *week)
{
  *week = (BatonWorktime){ member->timezone, member->workdays, member->work_start,
                           member->work_end, member->holidays, away };
}

const BatonMember *
baton_config_member_by_address (const BatonConfig *config, const char *address)
{
  if (address == NULL)
    return NULL;
  for (guint i = 0; i < config->members->len; i++)
    {
      const BatonMember *member = config->members->pdata[i];
      if (member->email && g_ascii_strcasecmp (member->email, address) == 0)
        return member;
      for (guint a = 0; member->aliases[a] != NULL; a++)
        if (g_ascii_strcasecmp (member->aliases[a], address) == 0)
          return member;
    }
  return NULL;
}

const BatonMember *
baton_config_member_by_name (const BatonConfig *config, const char *name)
{
  if (name == NULL)
    return NULL;
  if (*name == '@')
    name++;
  for (guint i = 0; i < config->members->len; i++)
    {
      const BatonMember *member = config->members->pdata[i];
      if (g_ascii_strcasecmp (member->name, name) == 0)
        return member;
    }
  return NULL;
}

const BatonMember *
baton_config_member_lookup (const BatonConfig *config, const char *who)
{
  if (who != NULL && strchr (who, '@') != NULL && *who != '@')
    return baton_config_member_by_address (config, who);
  return baton_config_member_by_name (config, who);
}

char *
baton_config_default_path (const char *explicit_path)
{
  if (explicit_path != NULL)
    return g_strdup (explicit_path);
  const char *from_env = g_getenv ("BATON_CONFIG");
  if (from_env != NULL && *from_env != '\0')
    return g_strdup (from_env);
  if (g_file_test ("baton.conf", G_FILE_TEST_EXISTS))
    return g_strdup ("baton.conf");
  return g_strdup ("/etc/baton/baton.conf");
}

/* First line of TEXT without its line end; NULL when TEXT is empty. */
static char *
first_line (const char *text)
{
  gsize length = strcspn (text, "\r\n");
  return length == 0 ? NULL : g_strndup (text, length);
}

static char *
secret_from_file (const char *path, const char *label, GError **error)
{
  struct stat st;
  if (stat (path, &st) == 0 && !secret_mode_ok (st.st_mode))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
                   "%s password-file %s can be read or written by others (mode %04o): "
                   "chmod 600 %s",
                   label, path, (unsigned) (st.st_mode & 07777), path);
      return NULL;
    }
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%s password-file: %s", label,
                   local->message);
      return NULL;
    }
  char *secret = first_line (text);
  if (secret == NULL)
    g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%s password-file %s is empty", label,
                 path);
  return secret;
}

static char *
secret_from_command (const char *command, const char *label, GError **error)
{
  g_autofree char *out = NULL;
  int status = 0;
  g_autoptr (GError) local = NULL;
  const char *argv[] = { "/bin/sh", "-c", command, NULL };
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, &out,
                     NULL, &status, &local) ||
      !g_spawn_check_wait_status (status, &local))
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY, "%s password-command failed: %s",
                   label, local->message);
      return NULL;
    }
  char *secret = first_line (out);
  if (secret == NULL)
    g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG, "%s password-command printed nothing",
                 label);
  return secret;
}

char *
baton_config_read_secret (const char *password_file, const char *password_command,
                          const char *label, GError **error)
{
  if (password_file != NULL)
    return secret_from_file (password_file, label, error);
  if (password_command != NULL)
    return secret_from_command (password_command, label, error);
  g_set_error (error, BATON_ERROR, BATON_ERROR_CONFIG,
               "%s has no password-file or password-command", label);
  return NULL;
}
