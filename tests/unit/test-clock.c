/* SPDX-License-Identifier: MIT */
#include "baton/clock.h"
#include "baton/error.h"

#include <sysexits.h>

static void
test_fixed_clock (void)
{
  g_setenv ("BATON_NOW", "2026-03-09T16:31:00Z", TRUE);
  g_assert_cmpint (baton_clock_now_unix (), ==, 1773073860);
  g_autofree char *iso = baton_clock_format_iso (baton_clock_now_unix ());
  g_assert_cmpstr (iso, ==, "2026-03-09T16:31:00Z");
  g_setenv ("BATON_NOW", "2026-03-09T17:31:00+01:00", TRUE);
  g_assert_cmpint (baton_clock_now_unix (), ==, 1773073860);
  g_unsetenv ("BATON_NOW");
  g_assert_cmpint (baton_clock_now_unix (), >, 1773073860);
}

static void
test_exit_codes (void)
{
  g_autoptr (GError) busy = g_error_new (BATON_ERROR, BATON_ERROR_TEMPORARY, "locked");
  g_autoptr (GError) conf = g_error_new (BATON_ERROR, BATON_ERROR_CONFIG, "bad");
  g_autoptr (GError) nospc = g_error_new (G_FILE_ERROR, G_FILE_ERROR_NOSPC, "full");
  g_assert_true (baton_error_is_temporary (busy));
  g_assert_false (baton_error_is_temporary (conf));
  g_assert_cmpint (baton_error_exit_code (busy), ==, EX_TEMPFAIL);
  g_assert_cmpint (baton_error_exit_code (nospc), ==, EX_TEMPFAIL);
  g_assert_cmpint (baton_error_exit_code (conf), ==, EX_CONFIG);
  g_assert_cmpint (baton_error_exit_code (NULL), ==, EX_OK);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clock/fixed", test_fixed_clock);
  g_test_add_func ("/error/exit-codes", test_exit_codes);
  return g_test_run ();
}
