/* Authentication-Results (RFC 8601) checking for require-auth. Only the
 * configured authserv-id is believed: any sender can add a header of its own
 * claiming dkim=pass, but only our own border MTA adds one with our id (and
 * a well-configured MTA removes forged ones carrying it). */
#define G_LOG_DOMAIN "baton-auth"
#include "baton/auth.h"

#include <string.h>

static const char *
domain_of (const char *address)
{
  const char *at = address ? strrchr (address, '@') : NULL;
  return at ? at + 1 : address;
}

/* Relaxed alignment (DMARC): the same organisational tail. */
static gboolean
aligned (const char *vouched, const char *from_domain)
{
  if (vouched == NULL || from_domain == NULL)
    return FALSE;
  vouched = domain_of (vouched);
  gsize v = strlen (vouched), f = strlen (from_domain);
  if (g_ascii_strcasecmp (vouched, from_domain) == 0)
    return TRUE;
  if (v > f && vouched[v - f - 1] == '.' && g_ascii_strcasecmp (vouched + v - f, from_domain) == 0)
    return TRUE;
  return f > v && from_domain[f - v - 1] == '.' &&
         g_ascii_strcasecmp (from_domain + f - v, vouched) == 0 && strchr (vouched, '.') != NULL;
}

/* Value of "name=value" among a resinfo's properties, without quotes. */
static char *
property (const char *resinfo, const char *name)
{
  g_autofree char *pattern = g_strdup_printf ("(?:^|\\s)%s\\s*=\\s*\"?([^\\s;\"]+)", name);
  /* No error: @name is one of this file's constant property names, so the
   * pattern always compiles. */
  g_autoptr (GRegex) regex = g_regex_new (pattern, G_REGEX_CASELESS, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  if (!g_regex_match (regex, resinfo, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
}

static gboolean
resinfo_vouches (const char *resinfo, const char *from_domain)
{
  g_autofree char *dkim = property (resinfo, "dkim");
  if (dkim && g_ascii_strcasecmp (dkim, "pass") == 0)
    {
      g_autofree char *d = property (resinfo, "header\\.d");
      g_autofree char *i = property (resinfo, "header\\.i");
      return aligned (d ? d : i, from_domain);
    }
  g_autofree char *spf = property (resinfo, "spf");
  if (spf && g_ascii_strcasecmp (spf, "pass") == 0)
    {
      g_autofree char *mailfrom = property (resinfo, "smtp\\.mailfrom");
      return aligned (mailfrom, from_domain);
    }
  return FALSE;
}

static gboolean
header_vouches (const char *value, const char *authserv_id, const char *from_domain)
{
  g_auto (GStrv) parts = g_strsplit (value, ";", -1);
  g_autofree char *id = g_strstrip (g_strdup (parts[0] ? parts[0] : ""));
  char *space = strpbrk (id, " \t\r\n");
  if (space)
    *space = '\0'; /* an optional version number may follow the id */
  if (g_ascii_strcasecmp (id, authserv_id) != 0)
    return FALSE;
  for (guint i = 1; parts[i] != NULL; i++)
    if (resinfo_vouches (parts[i], from_domain))
      return TRUE;
  return FALSE;
}

gboolean
baton_auth_vouches (char *const *results, const char *authserv_id, const char *from_address,
                    char **why)
{
  const char *from_domain = domain_of (from_address);
  gboolean seen_ours = FALSE;
  for (guint i = 0; results != NULL && results[i] != NULL; i++)
    {
      if (header_vouches (results[i], authserv_id, from_domain))
        return TRUE;
      const char *start = results[i] + strspn (results[i], " \t\r\n");
      seen_ours = seen_ours || g_ascii_strncasecmp (start, authserv_id, strlen (authserv_id)) == 0;
    }
  if (why != NULL)
    *why = seen_ours ? g_strdup_printf ("%s reports no dkim or spf pass aligned with %s",
                                        authserv_id, from_domain ? from_domain : "the From domain")
                     : g_strdup_printf ("no Authentication-Results header from %s", authserv_id);
  return FALSE;
}
