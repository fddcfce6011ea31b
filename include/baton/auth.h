/* Is the From address vouched for by a trusted Authentication-Results
 * header (RFC 8601)? The From header alone is easy to forge; a receiving
 * server that checked DKIM or SPF and says so is not. Pure. */
#pragma once
#include <glib.h>

/* TRUE when one of @results (header values) was added by @authserv_id and
 * reports dkim=pass with header.d (or header.i) aligned with @from_address's
 * domain, or spf=pass with smtp.mailfrom aligned with it. Aligned: the same
 * domain or a subdomain of it, case-insensitive. On FALSE, *why (if not
 * NULL) says what was missing; caller frees. */
gboolean baton_auth_vouches (char *const *results, const char *authserv_id,
                             const char *from_address, char **why);
