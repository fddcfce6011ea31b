#define G_LOG_DOMAIN "baton-net"
#include "baton/net.h"

#include <gio/gio.h>
#include <string.h>

gboolean
baton_net_host_is_loopback (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;

  g_autofree char *name = g_strdup (host);
  gsize len = strlen (name);
  if (name[0] == '[' && len > 2 && name[len - 1] == ']')
    {
      name[len - 1] = '\0';
      memmove (name, name + 1, len - 1);
      len -= 2;
    }
  if (len > 1 && name[len - 1] == '.')
    name[--len] = '\0';
  if (g_ascii_strcasecmp (name, "localhost") == 0)
    return TRUE;

  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (name);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

char *
baton_net_sanitize (const char *text, gsize max_len)
{
  if (text == NULL)
    return g_strdup ("");
  gsize len = strnlen (text, max_len);
  char *out = g_strndup (text, len);
  for (gsize i = 0; i < len; i++)
    if (out[i] < 0x20 || out[i] > 0x7e)
      out[i] = '?';
  /* A reply line ends in CRLF, which became "??" above. */
  while (len > 0 && (out[len - 1] == '?' || out[len - 1] == ' ') &&
         (text[len - 1] == '\r' || text[len - 1] == '\n' || text[len - 1] == ' '))
    out[--len] = '\0';
  return out;
}
