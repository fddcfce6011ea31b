/* SPDX-License-Identifier: MIT */
/* Authentication-Results (RFC 8601) checking for require-auth.
 *
 * Which fields are believed. Any sender can write a field of its own that
 * claims dkim=pass, even one carrying our authserv-id. RFC 8601 §5: each
 * receiving MTA prepends its fields, so the ones our border MTA added stand
 * above everything that came with the mail, and a well-configured MTA also
 * removes incoming fields carrying its id. baton does not rely on the
 * removal:
 *
 *  1. Only the topmost run of fields is believed: the fields from the top of
 *     the message down to the first that is not ours (another authserv-id,
 *     or not parseable by RFC 8601's grammar). A field with our id below
 *     one from elsewhere came from outside. If the topmost field is not
 *     ours, nothing is believed: a filter adding its own field after our MTA
 *     must use the same authserv-id.
 *  2. Within that run, each method (dkim, spf) is decided by the topmost
 *     field that reports it at all. Each checker of our MTA writes all its
 *     results for a method into one field (OpenDKIM, Rspamd, Exim's
 *     authresults); a second field for the same method below it came with
 *     the mail, glued to ours. So a real "dkim=fail" is not overruled by a
 *     forged "dkim=pass" under it.
 *
 * The value is parsed by the grammar, not searched with patterns: a
 * "dkim=pass" inside a quoted local-part or after an unknown word is data,
 * not a result. A field that does not parse is not believed at all. */
#define G_LOG_DOMAIN "baton-auth"
#include "baton/auth.h"

#include <string.h>

G_DEFINE_QUARK (baton - auth - error - quark, baton_auth_error)

/* ---- the parser: one pass over the value, no backtracking ---- */

typedef struct {
  const char *start;
  const char *p;
  GError **error;
} Scanner;

static gboolean
fail (Scanner *s, const char *what)
{
  g_set_error (s->error, BATON_AUTH_ERROR, BATON_AUTH_ERROR_SYNTAX,
               "Authentication-Results: %s at offset %" G_GSIZE_FORMAT, what,
               (gsize) (s->p - s->start));
  return FALSE;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Comments nest (RFC 5322 §3.2.2); a quoted-pair may escape a parenthesis. */
static gboolean
skip_comment (Scanner *s)
{
  guint depth = 0;
  do
    {
      char c = *s->p;
      if (c == '\0')
        return fail (s, "unterminated comment");
      if (c == '\\' && s->p[1] != '\0')
        s->p++;
      else if (c == '(')
        depth++;
      else if (c == ')')
        depth--;
      s->p++;
    }
  while (depth > 0);
  return TRUE;
}

/* [CFWS]; TRUE when it skipped at least something, in *skipped. */
static gboolean
skip_cfws (Scanner *s, gboolean *skipped)
{
  const char *before = s->p;
  for (;;)
    {
      if (is_space (*s->p))
        s->p++;
      else if (*s->p == '(')
        {
          if (!skip_comment (s))
            return FALSE;
        }
      else
        break;
    }
  if (skipped != NULL)
    *skipped = s->p != before;
  return TRUE;
}

static gboolean
is_keyword_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* Keyword (RFC 8601 §2.2: ldh-str), lowercased; NULL when none stands here. */
static char *
keyword (Scanner *s)
{
  const char *begin = s->p;
  while (is_keyword_char (*s->p))
    s->p++;
  return s->p == begin ? NULL : g_ascii_strdown (begin, s->p - begin);
}

/* quoted-string: the text between the quotes, quoted-pairs resolved. */
static gboolean
quoted_string (Scanner *s, GString *out)
{
  s->p++; /* the opening quote */
  for (;;)
    {
      char c = *s->p;
      if (c == '\0')
        return fail (s, "unterminated quoted string");
      s->p++;
      if (c == '"')
        return TRUE;
      if (c == '\\' && *s->p != '\0')
        c = *s->p++;
      g_string_append_c (out, c);
    }
}

/* token (RFC 2045): printable, no space, no tspecial; 8-bit bytes allowed
 * for internationalised ids (RFC 8601 §2.2 on RFC 6532). */
static gboolean
is_token_char (char c)
{
  return (guchar) c > 0x20 && c != 0x7f && strchr ("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* value = token / quoted-string */
static char *
value (Scanner *s)
{
  g_autoptr (GString) out = g_string_new (NULL);
  if (*s->p == '"')
    {
      if (!quoted_string (s, out))
        return NULL;
    }
  else
    {
      const char *begin = s->p;
      while (is_token_char (*s->p))
        s->p++;
      if (s->p == begin)
        return fail (s, "a value expected"), NULL;
      g_string_append_len (out, begin, s->p - begin);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]:
 * quoted and bare pieces glued together up to space, comment or ';', so
 * "x; y"@example.org is one value whose domain is example.org. Bare pieces
 * allow '/', '=', '+' (base64 in header.b, as real servers write it). */
static char *
pvalue (Scanner *s)
{
  if (!skip_cfws (s, NULL))
    return NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean any = FALSE;
  for (;;)
    {
      char c = *s->p;
      if (c == '"')
        {
          if (!quoted_string (s, out))
            return NULL;
        }
      else if ((guchar) c > 0x20 && c != 0x7f && c != ';' && c != '(' && c != ')' && c != '\\')
        g_string_append_c (out, *s->p++);
      else
        break;
      any = TRUE;
    }
  if (!any)
    return fail (s, "a property value expected"), NULL;
  if (!skip_cfws (s, NULL))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
property_free (BatonAuthProperty *property)
{
  g_free (property->ptype);
  g_free (property->property);
  g_free (property->value);
  g_free (property);
}

static void
result_free (BatonAuthResult *result)
{
  g_free (result->method);
  g_free (result->result);
  g_free (result->reason);
  g_ptr_array_unref (result->properties);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonAuthResult, result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonAuthProperty, property_free)

static gboolean
expect (Scanner *s, char c, const char *what)
{
  if (!skip_cfws (s, NULL))
    return FALSE;
  if (*s->p != c)
    return fail (s, what);
  s->p++;
  return skip_cfws (s, NULL);
}

/* propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue; PTYPE
 * already read. */
static BatonAuthProperty *
propspec (Scanner *s, char *ptype)
{
  g_autoptr (BatonAuthProperty) property = g_new0 (BatonAuthProperty, 1);
  property->ptype = ptype;
  if (!expect (s, '.', "'.' expected after a property type (ptype.property=value)"))
    return NULL;
  if ((property->property = keyword (s)) == NULL)
    return fail (s, "a property name expected"), NULL;
  if (!expect (s, '=', "'=' expected after a property name"))
    return NULL;
  if ((property->value = pvalue (s)) == NULL)
    return NULL;
  return g_steal_pointer (&property);
}

/* methodspec = [CFWS] method [CFWS] "=" [CFWS] result, with
 * method = Keyword [ [CFWS] "/" [CFWS] method-version ]; METHOD already read. */
static gboolean
methodspec (Scanner *s, BatonAuthResult *result)
{
  if (!skip_cfws (s, NULL))
    return FALSE;
  if (*s->p == '/')
    {
      s->p++;
      if (!skip_cfws (s, NULL))
        return FALSE;
      if (!g_ascii_isdigit (*s->p))
        return fail (s, "a method version expected after '/'");
      while (g_ascii_isdigit (*s->p))
        s->p++;
    }
  if (!expect (s, '=', "'=' expected after a method name"))
    return FALSE;
  if ((result->result = keyword (s)) == NULL)
    return fail (s, "a result expected (pass, fail, none…)");
  return TRUE;
}

/* resinfo after its ';' and METHOD: methodspec [CFWS reasonspec]
 * [CFWS 1*propspec], up to the next ';' or the end. */
static BatonAuthResult *
resinfo (Scanner *s, char *method)
{
  g_autoptr (BatonAuthResult) result = g_new0 (BatonAuthResult, 1);
  result->method = method;
  result->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) property_free);
  if (!methodspec (s, result))
    return NULL;
  for (;;)
    {
      gboolean separated = FALSE;
      if (!skip_cfws (s, &separated))
        return NULL;
      if (*s->p == ';' || *s->p == '\0')
        return g_steal_pointer (&result);
      /* pvalue eats the space after it, so only the first item needs its own. */
      if (!separated && result->properties->len == 0 && result->reason == NULL)
        return fail (s, "space expected after a result"), NULL;
      g_autofree char *word = keyword (s);
      if (word == NULL)
        return fail (s, "a property (ptype.property=value) expected"), NULL;
      /* RFC 8601 puts reason before the properties; read it anywhere, once,
       * so a server that writes it last is not refused. */
      if (g_str_equal (word, "reason") && result->reason == NULL)
        {
          if (!expect (s, '=', "'=' expected after reason") || (result->reason = value (s)) == NULL)
            return NULL;
          continue;
        }
      BatonAuthProperty *property = propspec (s, g_steal_pointer (&word));
      if (property == NULL)
        return NULL;
      g_ptr_array_add (result->properties, property);
    }
}

/* authserv-id [ CFWS authres-version ] */
static gboolean
authserv (Scanner *s, BatonAuthResults *results)
{
  if (!skip_cfws (s, NULL) || (results->authserv_id = value (s)) == NULL)
    return FALSE;
  gboolean separated = FALSE;
  if (!skip_cfws (s, &separated))
    return FALSE;
  results->version = 1;
  if (separated && g_ascii_isdigit (*s->p))
    {
      guint64 version = 0;
      for (; g_ascii_isdigit (*s->p); s->p++)
        version = MIN (version * 10 + (guint64) (*s->p - '0'), G_MAXUINT);
      results->version = (guint) version;
      if (!skip_cfws (s, NULL))
        return FALSE;
    }
  return TRUE;
}

BatonAuthResults *
baton_auth_parse (const char *text, GError **error)
{
  Scanner s = { text, text, error };
  g_autoptr (BatonAuthResults) results = g_new0 (BatonAuthResults, 1);
  results->results = g_ptr_array_new_with_free_func ((GDestroyNotify) result_free);
  if (!authserv (&s, results))
    return NULL;
  /* A bare authserv-id is read as "none", as old versions of the RFC wrote. */
  while (*s.p == ';')
    {
      s.p++;
      if (!skip_cfws (&s, NULL))
        return NULL;
      if (*s.p == '\0') /* a trailing ';', written by some servers */
        break;
      g_autofree char *method = keyword (&s);
      if (method == NULL)
        return fail (&s, "a method name expected after ';'"), NULL;
      const char *after = s.p;
      if (!skip_cfws (&s, NULL))
        return NULL;
      if (g_str_equal (method, "none") && *s.p == '\0' && results->results->len == 0)
        return g_steal_pointer (&results); /* no-result */
      s.p = after;
      BatonAuthResult *result = resinfo (&s, g_steal_pointer (&method));
      if (result == NULL)
        return NULL;
      g_ptr_array_add (results->results, result);
    }
  if (*s.p != '\0')
    return fail (&s, "';' expected between results"), NULL;
  return g_steal_pointer (&results);
}

void
baton_auth_results_free (BatonAuthResults *results)
{
  if (results == NULL)
    return;
  g_free (results->authserv_id);
  if (results->results != NULL)
    g_ptr_array_unref (results->results);
  g_free (results);
}

const char *
baton_auth_result_property (const BatonAuthResult *result, const char *ptype, const char *property)
{
  for (guint i = 0; i < result->properties->len; i++)
    {
      const BatonAuthProperty *p = result->properties->pdata[i];
      if (g_ascii_strcasecmp (p->ptype, ptype) == 0 &&
          g_ascii_strcasecmp (p->property, property) == 0)
        return p->value;
    }
  return NULL;
}

/* ---- the verdict ---- */

static const char *
domain_of (const char *address)
{
  const char *at = address ? strrchr (address, '@') : NULL;
  return at ? at + 1 : address;
}

/* Relaxed alignment (DMARC, RFC 7489 §3.1) without the Public Suffix List:
 * the same domain, a subdomain of the From domain, or a parent of it with
 * at least two labels. The last case cannot be abused by a stranger: it
 * needs a pass for that parent, i.e. its owner's DKIM key or SPF record,
 * and a public suffix ("co.uk") does neither. */
static gboolean
aligned (const char *vouched, const char *from_domain)
{
  if (vouched == NULL || from_domain == NULL)
    return FALSE;
  vouched = domain_of (vouched);
  gsize v = strlen (vouched), f = strlen (from_domain);
  if (v == 0 || f == 0)
    return FALSE;
  if (g_ascii_strcasecmp (vouched, from_domain) == 0)
    return TRUE;
  if (v > f && vouched[v - f - 1] == '.' && g_ascii_strcasecmp (vouched + v - f, from_domain) == 0)
    return TRUE;
  return f > v && from_domain[f - v - 1] == '.' &&
         g_ascii_strcasecmp (from_domain + f - v, vouched) == 0 && strchr (vouched, '.') != NULL;
}

static gboolean
result_vouches (const BatonAuthResult *result, const char *from_domain)
{
  if (!g_str_equal (result->result, "pass"))
    return FALSE;
  if (g_str_equal (result->method, "dkim"))
    {
      const char *d = baton_auth_result_property (result, "header", "d");
      return aligned (d ? d : baton_auth_result_property (result, "header", "i"), from_domain);
    }
  if (g_str_equal (result->method, "spf"))
    return aligned (baton_auth_result_property (result, "smtp", "mailfrom"), from_domain);
  return FALSE;
}

typedef struct {
  const char *name;
  gboolean decided; /* a field above already reported this method */
} Method;

/* Rule 2: the field decides the methods it is the first to report. */
static gboolean
field_vouches (const BatonAuthResults *field, Method *methods, guint n_methods,
               const char *from_domain)
{
  gboolean vouches = FALSE;
  for (guint m = 0; m < n_methods; m++)
    {
      if (methods[m].decided)
        continue;
      for (guint i = 0; i < field->results->len; i++)
        {
          const BatonAuthResult *result = field->results->pdata[i];
          if (!g_str_equal (result->method, methods[m].name))
            continue;
          methods[m].decided = TRUE;
          vouches = vouches || result_vouches (result, from_domain);
        }
    }
  return vouches;
}

/* For the message only: does a field of ours stand anywhere? */
static gboolean
any_ours (char *const *results, const char *authserv_id)
{
  for (guint i = 0; authserv_id != NULL && results != NULL && results[i] != NULL; i++)
    {
      g_autoptr (BatonAuthResults) field = baton_auth_parse (results[i], NULL);
      const char *start = results[i] + strspn (results[i], " \t\r\n");
      if ((field != NULL && g_ascii_strcasecmp (field->authserv_id, authserv_id) == 0) ||
          g_ascii_strncasecmp (start, authserv_id, strlen (authserv_id)) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
baton_auth_vouches (char *const *results, const char *authserv_id, const char *from_address,
                    char **why)
{
  const char *from_domain = domain_of (from_address);
  Method methods[] = { { "dkim", FALSE }, { "spf", FALSE } };
  guint ours = 0;
  for (guint i = 0; results != NULL && results[i] != NULL; i++)
    {
      g_autoptr (BatonAuthResults) field = baton_auth_parse (results[i], NULL);
      if (field == NULL || authserv_id == NULL ||
          g_ascii_strcasecmp (field->authserv_id, authserv_id) != 0)
        break; /* rule 1: the run of our fields ends here */
      ours++;
      if (field_vouches (field, methods, G_N_ELEMENTS (methods), from_domain))
        return TRUE;
    }
  if (why == NULL)
    return FALSE;
  const char *domain = from_domain ? from_domain : "the From domain";
  if (ours > 0)
    *why = g_strdup_printf ("%s reports no dkim or spf pass aligned with %s", authserv_id, domain);
  else if (any_ours (results, authserv_id))
    *why = g_strdup_printf ("the topmost Authentication-Results header is not a valid one from %s "
                            "(ours below another's or a malformed one came with the mail and "
                            "is not believed)",
                            authserv_id ? authserv_id : "the authserv-id");
  else
    *why = g_strdup_printf ("no Authentication-Results header from %s",
                            authserv_id ? authserv_id : "the authserv-id");
  return FALSE;
}
