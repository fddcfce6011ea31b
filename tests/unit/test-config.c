/* SPDX-License-Identifier: MIT */
/* Config validation: every problem reported, each at its own line. */
#include "baton/config.h"
#include "baton/error.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *
write_file (const char *text)
{
  char *path = NULL;
  int fd = g_file_open_tmp ("baton-config-XXXXXX.conf", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static const char valid[] = "[baton]\n"
                            "team-address = Team@Example.com\n"
                            "timezone = Europe/Paris\n"
                            "database = state/baton.db\n"
                            "\n"
                            "[member alice]\n"
                            "email = alice@example.com\n"
                            "aliases = a.martin@example.org, am@example.net\n"
                            "\n"
                            "[member Bob]\n"
                            "email = bob@example.com\n"
                            "timezone = America/Los_Angeles\n"
                            "digest-at = 7:05\n";

static void
test_valid (void)
{
  g_autofree char *path = write_file (valid);
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonConfig) config = baton_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->team_address, ==, "team@example.com");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *db = g_build_filename (dir, "state/baton.db", NULL);
  g_assert_cmpstr (config->database, ==, db);
  g_assert_cmpuint (config->members->len, ==, 2);
  const BatonMember *alice = baton_config_member_by_address (config, "AM@example.net");
  g_assert_nonnull (alice);
  g_assert_cmpstr (alice->name, ==, "alice");
  g_assert_cmpstr (alice->timezone, ==, "Europe/Paris");
  g_assert_cmpint (alice->digest_minutes, ==, 8 * 60 + 30);
  const BatonMember *bob = baton_config_member_lookup (config, "@BOB");
  g_assert_nonnull (bob);
  g_assert_cmpint (bob->digest_minutes, ==, 7 * 60 + 5);
  g_assert_true (baton_config_member_lookup (config, "bob@example.com") == bob);
  g_assert_null (baton_config_member_lookup (config, "carol"));
  g_assert_null (config->imap);
  g_assert_null (config->smtp);
  g_unlink (path);
}

static void
test_every_problem_with_its_line (void)
{
  g_autofree char *path = write_file ("[baton]\n"                       /* 1 */
                                      "team-address = not an address\n" /* 2 */
                                      "handoff-delivery = later\n"      /* 3 */
                                      "tmezone = UTC\n"                 /* 4 */
                                      "\n"                              /* 5 */
                                      "[member alice]\n"                /* 6 */
                                      "email = alice@example.com\n"     /* 7 */
                                      "timezone = Mars/Olympus\n"       /* 8 */
                                      "digest-at = 25:00\n"             /* 9 */
                                      "\n"                              /* 10 */
                                      "[member bob]\n"                  /* 11 */
                                      "email = alice@example.com\n"     /* 12 */
                                      "\n"                              /* 13 */
                                      "[imap]\n"                        /* 14 */
                                      "url = http://example.com\n"      /* 15 */
                                      "user = team\n"                   /* 16 */
                                      "password = secret\n");           /* 17 */
  g_autoptr (GPtrArray) problems = baton_config_problems (path, NULL);
  g_autoptr (GString) all = g_string_new (NULL);
  for (guint i = 0; i < problems->len; i++)
    g_string_append_printf (all, "%s\n", (char *) problems->pdata[i]);
  const char *expected[] = { ":2: team-address = 'not an address'",
                             ":3: handoff-delivery",
                             ":4: unknown key 'tmezone'",
                             ":8: timezone 'Mars/Olympus'",
                             ":9: ",
                             ":12: address alice@example.com belongs to both",
                             ":15: url must start with imaps://",
                             ":16: [imap] user = team needs",
                             ":17: passwords do not belong in the config file",
                             NULL };
  for (guint i = 0; expected[i]; i++)
    if (strstr (all->str, expected[i]) == NULL)
      g_error ("missing %s in:\n%s", expected[i], all->str);
  g_assert_cmpuint (problems->len, ==, 9);
  g_autoptr (GError) error = NULL;
  g_assert_null (baton_config_load (path, &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_unlink (path);
}

/* stale-after: a number of days, 1..365, default 3; anything else is
 * reported at its line. */
static void
test_stale_after (void)
{
  g_autofree char *path = write_file (valid);
  g_autoptr (BatonConfig) config = baton_config_load (path, NULL);
  g_assert_nonnull (config);
  g_assert_cmpint (config->stale_after_days, ==, 3);
  g_unlink (path);
  const char *bad[] = { "0", "366", "3 days", "x", "-2", NULL };
  for (guint i = 0; bad[i]; i++)
    {
      g_autofree char *text = g_strdup_printf ("[baton]\nteam-address = t@example.com\n"
                                               "stale-after = %s\n",
                                               bad[i]);
      g_autofree char *bad_path = write_file (text);
      g_autoptr (GPtrArray) problems = baton_config_problems (bad_path, NULL);
      g_autoptr (GString) all = g_string_new (NULL);
      for (guint j = 0; j < problems->len; j++)
        g_string_append_printf (all, "%s\n", (char *) problems->pdata[j]);
      if (strstr (all->str, ":3: stale-after must be a number of days") == NULL)
        g_error ("stale-after = %s: no problem at line 3 in:\n%s", bad[i], all->str);
      g_unlink (bad_path);
    }
  g_autofree char *seven_text =
      g_strdup_printf ("[baton]\nstale-after = 7\n%s", valid + strlen ("[baton]\n"));
  g_autofree char *seven = write_file (seven_text);
  g_autoptr (BatonConfig) config7 = baton_config_load (seven, NULL);
  g_assert_nonnull (config7);
  g_assert_cmpint (config7->stale_after_days, ==, 7);
  g_unlink (seven);
}

static void
test_missing_file (void)
{
  g_autoptr (GPtrArray) problems = baton_config_problems ("/nonexistent/baton.conf", NULL);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (strstr (problems->pdata[0], "baton init") != NULL);
}

static void
test_secret_file_mode (void)
{
  g_autofree char *path = write_file ("s3cret\nignored\n");
  g_chmod (path, 0644);
  g_autoptr (GError) error = NULL;
  g_assert_null (baton_config_read_secret (path, NULL, "[imap]", &error));
  g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
  g_clear_error (&error);
  g_chmod (path, 0600);
  g_autofree char *secret = baton_config_read_secret (path, NULL, "[imap]", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "s3cret");
  g_autofree char *from_command =
      baton_config_read_secret (NULL, "printf 'pw\\n'", "[smtp]", &error);
  g_assert_cmpstr (from_command, ==, "pw");
  g_unlink (path);
}

/* Issue 15: group-readable or group-writable password files were accepted. */
static void
test_secret_file_group_modes (void)
{
  g_autofree char *path = write_file ("s3cret\n");
  const int refused[] = { 0640, 0660, 0604, 0620, 0644 };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      g_chmod (path, refused[i]);
      g_assert_null (baton_config_read_secret (path, NULL, "[imap]", &error));
      g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
      g_autofree char *advice = g_strdup_printf ("chmod 600 %s", path);
      g_assert_true (strstr (error->message, advice) != NULL);
    }
  const int accepted[] = { 0600, 0400 };
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr (GError) error = NULL;
      g_chmod (path, accepted[i]);
      g_autofree char *secret = baton_config_read_secret (path, NULL, "[imap]", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (secret, ==, "s3cret");
    }
  g_unlink (path);
}

/* A config naming PASSWORD_FILE in [imap], with EXTRA after its url line. */
static char *
imap_config (const char *password_file, const char *url)
{
  g_autofree char *text = g_strdup_printf ("%s\n[imap]\nurl = %s\nuser = team\n"
                                           "password-file = %s\n",
                                           valid, url, password_file);
  return write_file (text);
}

static gboolean
has_problem (GPtrArray *problems, const char *text)
{
  for (guint i = 0; i < problems->len; i++)
    if (strstr (problems->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}

/* baton check reports a loose password file as file:line of its key. */
static void
test_check_reports_password_file_mode (void)
{
  g_autofree char *secret = write_file ("s3cret\n");
  g_autofree char *path = imap_config (secret, "imaps://imap.example.com/INBOX");
  g_chmod (secret, 0640);
  g_autoptr (GPtrArray) problems = baton_config_problems (path, NULL);
  g_autofree char *where = g_strdup_printf ("%s:18: password-file %s", path, secret);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (problems->pdata[0], where));
  g_chmod (secret, 0600);
  g_autoptr (GPtrArray) none = baton_config_problems (path, NULL);
  g_assert_cmpuint (none->len, ==, 0);
  g_unlink (secret);
  g_unlink (path);
}

/* Issue 15: a 0666 config naming a password source was accepted. */
static void
test_writable_config_with_secret (void)
{
  g_autofree char *secret = write_file ("s3cret\n");
  g_chmod (secret, 0600);
  g_autofree char *path = imap_config (secret, "imaps://imap.example.com/INBOX");
  const int refused[] = { 0666, 0664, 0646, 0620 };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_chmod (path, refused[i]);
      g_autoptr (GPtrArray) problems = baton_config_problems (path, NULL);
      g_autofree char *where = g_strdup_printf ("%s:15: ", path);
      g_autofree char *advice = g_strdup_printf ("chmod go-w %s", path);
      g_assert_cmpuint (problems->len, ==, 1);
      g_assert_true (g_str_has_prefix (problems->pdata[0], where));
      g_assert_true (strstr (problems->pdata[0], advice) != NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (BatonConfig) config = baton_config_load (path, &error);
      g_assert_error (error, BATON_ERROR, BATON_ERROR_CONFIG);
    }
  g_chmod (path, 0644);
  g_autoptr (GPtrArray) readable = baton_config_problems (path, NULL);
  g_assert_cmpuint (readable->len, ==, 0);
  g_unlink (secret);
  g_unlink (path);
  /* with no secret named, the mode of the config is its owner's business */
  g_autofree char *plain = write_file (valid);
  g_chmod (plain, 0666);
  g_autoptr (GPtrArray) no_secret = baton_config_problems (plain, NULL);
  g_assert_cmpuint (no_secret->len, ==, 0);
  g_unlink (plain);
}

/* Issue 15: imaps://user:pass@host passed baton check. */
static void
test_url_with_password (void)
{
  g_autofree char *secret = write_file ("s3cret\n");
  g_chmod (secret, 0600);
  g_autofree char *path = imap_config (secret, "imaps://team:hunter2@imap.example.com/INBOX");
  g_autoptr (GPtrArray) problems = baton_config_problems (path, NULL);
  g_autofree char *where = g_strdup_printf ("%s:16: url carries a password", path);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (problems->pdata[0], where));
  g_assert_null (strstr (problems->pdata[0], "hunter2"));
  g_unlink (path);
  /* a user name alone, and an '@' or ':' after the host, are no password */
  g_autofree char *user_only = imap_config (secret, "imaps://team@imap.example.com:993/IN@BOX");
  g_autoptr (GPtrArray) none = baton_config_problems (user_only, NULL);
  g_assert_false (has_problem (none, "password"));
  g_unlink (user_only);
  g_autofree char *smtp_text = g_strdup_printf (
      "%s\n[smtp]\nurl = smtps://a:b@smtp.example.com:465\nfrom = team@example.com\n", valid);
  g_autofree char *smtp = write_file (smtp_text);
  g_autoptr (GPtrArray) smtp_problems = baton_config_problems (smtp, NULL);
  g_assert_true (has_problem (smtp_problems, "url carries a password"));
  g_unlink (smtp);
  g_unlink (secret);
}

/* Working time: defaults, team-wide values, per-member overrides, holidays
 * from dates and from an .ics file relative to the config's directory. */
static void
test_worktime_keys (void)
{
  g_autofree char *path = write_file ("[baton]\n"
                                      "team-address = team@example.com\n"
                                      "workdays = Sun-Thu\n"
                                      "holiday-dates = 2026-12-24, 2026-12-25\n"
                                      "\n"
                                      "[member alice]\n"
                                      "email = alice@example.com\n"
                                      "\n"
                                      "[member bob]\n"
                                      "email = bob@example.com\n"
                                      "workdays = Mon,Tue,Thu\n"
                                      "hours = 09:00-17:30\n"
                                      "holidays = bob-holidays.ics\n");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *ics = g_build_filename (dir, "bob-holidays.ics", NULL);
  g_assert_true (g_file_set_contents (ics,
                                      "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\n"
                                      "DTSTART;VALUE=DATE:20260714\nRRULE:FREQ=YEARLY\n"
                                      "END:VEVENT\nEND:VCALENDAR\n",
                                      -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (BatonConfig) config = baton_config_load (path, &error);
  g_assert_no_error (error);
  const BatonMember *alice = baton_config_member_by_name (config, "alice");
  const BatonMember *bob = baton_config_member_by_name (config, "bob");
  guint sun_thu = 0, mon_tue_thu = 0;
  g_assert_true (baton_worktime_parse_workdays ("Sun-Thu", &sun_thu, NULL));
  g_assert_true (baton_worktime_parse_workdays ("Mon,Tue,Thu", &mon_tue_thu, NULL));
  g_assert_cmpuint (alice->workdays, ==, sun_thu);
  g_assert_cmpint (alice->work_start, ==, 8 * 60);
  g_assert_cmpint (alice->work_end, ==, 18 * 60);
  g_assert_cmpuint (alice->holidays->len, ==, 2);
  g_assert_cmpuint (bob->workdays, ==, mon_tue_thu);
  g_assert_cmpint (bob->work_start, ==, 9 * 60);
  g_assert_cmpint (bob->work_end, ==, 17 * 60 + 30);
  /* holiday-dates and holidays add up, each from the member or else the
   * team: bob has his own file and the team's dates. */
  guint32 bastille = 0, christmas = 0;
  g_assert_true (baton_date_parse ("2026-07-14", &bastille, NULL));
  g_assert_true (baton_date_parse ("2026-12-25", &christmas, NULL));
  BatonWorktime week;
  baton_config_member_week (bob, NULL, &week);
  g_assert_false (baton_worktime_is_working_day (&week, bastille));
  g_assert_false (baton_worktime_is_working_day (&week, christmas));
  g_assert_true (baton_worktime_is_working_day (&week, bastille + 2)); /* Thu 07-16 */
  g_unlink (ics);
  g_unlink (path);
}

static void
test_worktime_problems_with_lines (void)
{
  g_autofree char *path = write_file ("[baton]\n"                                /* 1 */
                                      "team-address = team@example.com\n"        /* 2 */
                                      "hours = 18:00-09:00\n"                    /* 3 */
                                      "\n"                                       /* 4 */
                                      "[member alice]\n"                         /* 5 */
                                      "email = alice@example.com\n"              /* 6 */
                                      "workdays = weekdays\n"                    /* 7 */
                                      "holiday-dates = 2026-12-24, 2026-02-30\n" /* 8 */
                                      "holidays = /nonexistent/holidays.ics\n"   /* 9 */
                                      "\n"                                       /* 10 */
                                      "[member bob]\n"                           /* 11 */
                                      "email = bob@example.com\n"                /* 12 */
                                      "hours = 09:00-17:00\n"                    /* 13 */
                                      "holidays = broken.ics\n"                  /* 14 */
                                      "digest-at = 02:30\n");                    /* 15 */
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *ics = g_build_filename (dir, "broken.ics", NULL);
  g_assert_true (g_file_set_contents (
      ics, "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\noops\nEND:VEVENT\n", -1,
      NULL));
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) problems = baton_config_problems (path, warnings);
  g_autoptr (GString) all = g_string_new (NULL);
  for (guint i = 0; i < problems->len; i++)
    g_string_append_printf (all, "%s\n", (char *) problems->pdata[i]);
  g_autofree char *broken = g_strdup_printf (":14: holidays: %s:4: not an iCalendar line", ics);
  const char *expected[] = { ":3: \"18:00-09:00\" is not a span of working hours",
                             ":7: \"weekdays\" is not a set of working days",
                             ":8: holiday-dates: \"2026-02-30\" is not a date",
                             ":9: holidays: /nonexistent/holidays.ics:1: ",
                             broken,
                             NULL };
  for (guint i = 0; expected[i]; i++)
    if (strstr (all->str, expected[i]) == NULL)
      g_error ("missing %s in:\n%s", expected[i], all->str);
  g_assert_cmpuint (problems->len, ==, 5);
  /* digest-at outside the hours: a warning, at its line, not a problem;
   * alice's 08:30 is within the default 08:00-18:00 (the team's hours did
   * not parse). */
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], ":15: warning: digest-at 02:30 is outside bob's "
                                                "working hours 09:00-17:00"));
  g_unlink (ics);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/valid", test_valid);
  g_test_add_func ("/config/worktime-keys", test_worktime_keys);
  g_test_add_func ("/config/worktime-problems-with-lines", test_worktime_problems_with_lines);
  g_test_add_func ("/config/every-problem-with-its-line", test_every_problem_with_its_line);
  g_test_add_func ("/config/stale-after", test_stale_after);
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/secret-file-mode", test_secret_file_mode);
  g_test_add_func ("/config/secret-file-group-modes", test_secret_file_group_modes);
  g_test_add_func ("/config/check-reports-password-file-mode",
                   test_check_reports_password_file_mode);
  g_test_add_func ("/config/writable-config-with-secret", test_writable_config_with_secret);
  g_test_add_func ("/config/url-with-password", test_url_with_password);
  return g_test_run ();
}
