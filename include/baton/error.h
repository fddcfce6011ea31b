/* SPDX-License-Identifier: MIT */
/* baton error classes — one GError domain for everything that reaches a user.
 *
 * Every module reports failures as BATON_ERROR with a code that says what
 * kind of failure it is, not where it happened: the class decides both the
 * exit code (sysexits.h) and whether a retry can help. Modules add context
 * with g_prefix_error(); only main.c turns an error into an exit code.
 */
#pragma once
#include <glib.h>

#define BATON_ERROR (baton_error_quark ())
GQuark baton_error_quark (void);

typedef enum {
  BATON_ERROR_USAGE,       /* bad command line: EX_USAGE (64) */
  BATON_ERROR_DATA,        /* input is not usable mail: EX_DATAERR (65) */
  BATON_ERROR_NO_INPUT,    /* file to read is missing: EX_NOINPUT (66) */
  BATON_ERROR_UNAVAILABLE, /* a needed service refuses for good: EX_UNAVAILABLE (69) */
  BATON_ERROR_SOFTWARE,    /* a bug or an impossible state: EX_SOFTWARE (70) */
  BATON_ERROR_CANT_CREATE, /* cannot create an output file: EX_CANTCREAT (73) */
  BATON_ERROR_IO,          /* permanent I/O error: EX_IOERR (74) */
  BATON_ERROR_TEMPORARY,   /* busy, locked, full, server down: EX_TEMPFAIL (75) */
  BATON_ERROR_PROTOCOL,    /* the peer answered nonsense: EX_PROTOCOL (76) */
  BATON_ERROR_PERMISSION,  /* credentials refused: EX_NOPERM (77) */
  BATON_ERROR_CONFIG,      /* configuration is wrong: EX_CONFIG (78) */
} BatonErrorCode;

/* TRUE when trying the same thing later may succeed (the mail must stay
 * with its sender, the outbox row is retried). NULL is not temporary. */
gboolean baton_error_is_temporary (const GError *error);

/* The sysexits.h code for an error; EX_OK for NULL. Errors of other
 * domains (GLib I/O, GMime) map by their nature, unknown ones to EX_SOFTWARE. */
int baton_error_exit_code (const GError *error);

/* The class of a BATON_ERROR as its enum name without the prefix
 * ("TEMPORARY", "CONFIG"…); "OTHER" for NULL or another domain. For test
 * tools and logs that must name the class, not only the message. */
const char *baton_error_class_name (const GError *error);
