/* SPDX-License-Identifier: MIT */
/* libFuzzer target: bytes as Authentication-Results field values (split at
 * blank lines, topmost first), parsed by RFC 8601's grammar and judged by
 * require-auth's rules. Checks what the parser promises: a result or an
 * error, never both; every result named; linear time (-timeout=1 on 64 KB).
 *
 *   make fuzz FUZZ_SECONDS=60      (see the Makefile) */
#include "baton/auth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_parse (const char *value)
{
  GError *error = NULL;
  BatonAuthResults *results = baton_auth_parse (value, &error);
  if ((results == NULL) == (error == NULL))
    abort ();
  if (results == NULL)
    {
      if (error->domain != BATON_AUTH_ERROR)
        abort ();
      g_error_free (error);
      return;
    }
  if (results->authserv_id == NULL || results->results == NULL)
    abort ();
  for (guint i = 0; i < results->results->len; i++)
    {
      const BatonAuthResult *result = results->results->pdata[i];
      if (result->method == NULL || *result->method == '\0' || result->result == NULL ||
          *result->result == '\0' || result->properties == NULL)
        abort ();
      for (guint p = 0; p < result->properties->len; p++)
        {
          const BatonAuthProperty *property = result->properties->pdata[p];
          if (baton_auth_result_property (result, property->ptype, property->property) == NULL)
            abort ();
        }
    }
  baton_auth_results_free (results);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = g_strndup ((const char *) data, size);
  check_parse (text);
  char **fields = g_strsplit (text, "\n\n", 16);
  for (guint i = 0; fields[i] != NULL; i++)
    check_parse (fields[i]);
  char *why = NULL;
  if (!baton_auth_vouches (fields, "mx.example.com", "alice@example.com", &why) && why == NULL)
    abort ();
  g_free (why);
  g_strfreev (fields);
  g_free (text);
  return 0;
}
