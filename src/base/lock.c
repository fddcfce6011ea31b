/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "baton-lock"
#include "baton/lock.h"

#include "baton/error.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

int
baton_lock_take (const char *database, const char *job, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s.%s-lock", database, job);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, BATON_ERROR, BATON_ERROR_CANT_CREATE, "cannot open lock %s: %s", path,
                   g_strerror (errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      g_set_error (error, BATON_ERROR, BATON_ERROR_TEMPORARY,
                   "another baton is running %s on this database (lock %s held)", job, path);
      return -1;
    }
  return fd;
}
