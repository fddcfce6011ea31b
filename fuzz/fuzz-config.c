/* SPDX-License-Identifier: MIT */
/* libFuzzer target: bytes as a configuration file. The config API loads
 * from a path (it resolves relative paths against the file's directory and
 * checks the file's mode), so each input is written to one private
 * temporary file (0600) and loaded from there. Checks that every problem is
 * reported as "FILE:LINE: text" with LINE within the file, as baton check
 * promises, and that load and problems agree.
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/config.h"
#include "baton/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *path;

static void
check_problem (const char *problem, guint lines)
{
  gsize prefix = strlen (path);
  if (strncmp (problem, path, prefix) != 0 || problem[prefix] != ':')
    {
      fprintf (stderr, "not FILE:LINE: %s\n", problem);
      abort ();
    }
  char *end = NULL;
  guint64 line = g_ascii_strtoull (problem + prefix + 1, &end, 10);
  if (end == problem + prefix + 1 || line < 1 || line > lines || strncmp (end, ": ", 2) != 0)
    {
      fprintf (stderr, "line out of 1..%u: %s\n", lines, problem);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (path == NULL)
    {
      int fd = g_file_open_tmp ("baton-fuzz-XXXXXX.conf", &path, NULL);
      if (fd < 0)
        abort ();
      close (fd);
    }
  /* Written here, truncated: g_file_set_contents_full without
   * CONSISTENT rewrites in place and left a longer earlier input's tail. */
  int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0 || (size > 0 && write (fd, data, size) != (ssize_t) size) || close (fd) != 0)
    abort ();
  guint lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  GPtrArray *problems = baton_config_problems (path, NULL);
  for (guint i = 0; i < problems->len; i++)
    check_problem (problems->pdata[i], lines);
  GError *error = NULL;
  BatonConfig *config = baton_config_load (path, &error);
  if ((config == NULL) != (problems->len > 0) || (config == NULL) != (error != NULL))
    abort ();
  if (config != NULL)
    {
      for (guint i = 0; i < config->members->len; i++)
        {
          const BatonMember *member = config->members->pdata[i];
          if (baton_config_member_lookup (config, member->name) == NULL)
            abort ();
        }
    }
  else if (error->domain != BATON_ERROR || error->code != BATON_ERROR_CONFIG)
    abort ();
  baton_config_free (config);
  g_clear_error (&error);
  g_ptr_array_unref (problems);
  return 0;
}
