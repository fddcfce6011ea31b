/* baton — command table and option parsing; the only place errors become exit codes. */
#define G_LOG_DOMAIN "baton"
#include "baton/error.h"

#include <stdio.h>
#include <sysexits.h>

int
main (int argc, char **argv)
{
  (void) argv;
  if (argc < 2)
    {
      fprintf (stderr, "usage: baton [-c FILE] COMMAND ...\n");
      return EX_USAGE;
    }
  return EX_USAGE;
}
