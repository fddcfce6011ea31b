/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "baton-error"
#include "baton/error.h"

#include <gio/gio.h>
#include <sysexits.h>

G_DEFINE_QUARK (baton - error - quark, baton_error)

gboolean
baton_error_is_temporary (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == BATON_ERROR)
    return error->code == BATON_ERROR_TEMPORARY;
  if (error->domain == G_FILE_ERROR)
    return error->code == G_FILE_ERROR_NOSPC || error->code == G_FILE_ERROR_AGAIN ||
           error->code == G_FILE_ERROR_INTR || error->code == G_FILE_ERROR_NOMEM;
  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_NO_SPACE || error->code == G_IO_ERROR_BUSY ||
           error->code == G_IO_ERROR_TIMED_OUT || error->code == G_IO_ERROR_WOULD_BLOCK;
  return FALSE;
}

static int
exit_code_for_baton (int code)
{
  switch ((BatonErrorCode) code)
    {
      case BATON_ERROR_USAGE:
        return EX_USAGE;
      case BATON_ERROR_DATA:
        return EX_DATAERR;
      case BATON_ERROR_NO_INPUT:
        return EX_NOINPUT;
      case BATON_ERROR_UNAVAILABLE:
        return EX_UNAVAILABLE;
      case BATON_ERROR_SOFTWARE:
        return EX_SOFTWARE;
      case BATON_ERROR_CANT_CREATE:
        return EX_CANTCREAT;
      case BATON_ERROR_IO:
        return EX_IOERR;
      case BATON_ERROR_TEMPORARY:
        return EX_TEMPFAIL;
      case BATON_ERROR_PROTOCOL:
        return EX_PROTOCOL;
      case BATON_ERROR_PERMISSION:
        return EX_NOPERM;
      case BATON_ERROR_CONFIG:
        return EX_CONFIG;
    }
  return EX_SOFTWARE;
}

int
baton_error_exit_code (const GError *error)
{
  if (error == NULL)
    return EX_OK;
  if (baton_error_is_temporary (error))
    return EX_TEMPFAIL;
  if (error->domain == BATON_ERROR)
    return exit_code_for_baton (error->code);
  if (error->domain == G_FILE_ERROR)
    {
      if (error->code == G_FILE_ERROR_NOENT)
        return EX_NOINPUT;
      if (error->code == G_FILE_ERROR_ACCES || error->code == G_FILE_ERROR_PERM)
        return EX_NOPERM;
      return EX_IOERR;
    }
  if (error->domain == G_IO_ERROR)
    return error->code == G_IO_ERROR_NOT_FOUND ? EX_NOINPUT : EX_IOERR;
  if (error->domain == G_KEY_FILE_ERROR)
    return EX_CONFIG;
  if (error->domain == G_OPTION_ERROR)
    return EX_USAGE;
  return EX_SOFTWARE;
}

const char *
baton_error_class_name (const GError *error)
{
  /* In BatonErrorCode's order. */
  static const char *const names[] = {
    "USAGE", "DATA",      "NO_INPUT", "UNAVAILABLE", "SOFTWARE", "CANT_CREATE",
    "IO",    "TEMPORARY", "PROTOCOL", "PERMISSION",  "CONFIG",
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (names) == BATON_ERROR_CONFIG + 1);
  if (error != NULL && error->domain == BATON_ERROR && error->code >= 0 &&
      (gsize) error->code < G_N_ELEMENTS (names))
    return names[error->code];
  return "OTHER";
}
