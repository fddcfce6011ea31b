/* SPDX-License-Identifier: MIT */
/* Advisory locks beside the database (flock), so two runs of the same job
 * (two pollers of one mailbox, a cron `send` and the daemon's) never
 * overlap. The kernel drops a lock when its holder dies, even by SIGKILL. */
#pragma once
#include <glib.h>

/* Takes the lock file "@database.@job-lock" without waiting. Returns its fd (close it
 * to release), or -1 with @error: BATON_ERROR_TEMPORARY when another process
 * holds it, BATON_ERROR_CANT_CREATE when the file cannot be opened. */
int baton_lock_take (const char *database, const char *job, GError **error);
