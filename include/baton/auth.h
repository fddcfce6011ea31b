/* SPDX-License-Identifier: MIT */
/* Is the From address vouched for by a trusted Authentication-Results
 * header (RFC 8601)? The From header alone is easy to forge; a receiving
 * server that checked DKIM or SPF and says so is not. Pure: header values
 * in, a verdict out.
 *
 * baton_auth_parse() reads one header field value by RFC 8601's grammar
 * (authserv-id [version]; resinfo; …, quoted strings, comments, "none");
 * baton_auth_vouches() decides which fields to believe (see auth.c). */
#pragma once
#include <glib.h>

#define BATON_AUTH_ERROR (baton_auth_error_quark ())
GQuark baton_auth_error_quark (void);

typedef enum {
  BATON_AUTH_ERROR_SYNTAX, /* the value does not follow RFC 8601 */
} BatonAuthErrorCode;

typedef struct {
  char *ptype;    /* "smtp", "header", "body", "policy", lowercase */
  char *property; /* "mailfrom", "d", "i", lowercase */
  char *value;    /* quotes and comments removed, quoted-pairs resolved */
} BatonAuthProperty;

typedef struct {
  char *method;          /* "dkim", "spf", lowercase, without a /version */
  char *result;          /* "pass", "fail", lowercase */
  char *reason;          /* reason=… or NULL */
  GPtrArray *properties; /* BatonAuthProperty*, owned */
} BatonAuthResult;

typedef struct {
  char *authserv_id;  /* as written (without quotes) */
  guint version;      /* 1 when none was written */
  GPtrArray *results; /* BatonAuthResult*, owned; empty for "none" */
} BatonAuthResults;

/* Parses one Authentication-Results field @value (folded lines allowed).
 * NULL with BATON_AUTH_ERROR_SYNTAX, naming the offset, when it does not
 * follow RFC 8601. Linear in the length of @value. Free with
 * baton_auth_results_free(). */
BatonAuthResults *baton_auth_parse (const char *value, GError **error);
void baton_auth_results_free (BatonAuthResults *results);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonAuthResults, baton_auth_results_free)

/* The value of @ptype.@property (case-insensitive) in @result, or NULL; lives
 * as long as @result. */
const char *baton_auth_result_property (const BatonAuthResult *result, const char *ptype,
                                        const char *property);

/* TRUE when the Authentication-Results fields our own server added (see
 * auth.c for which those are) report dkim=pass with header.d (or, without
 * it, header.i) aligned with @from_address's domain, or spf=pass with
 * smtp.mailfrom aligned with it. @results are the field values in the
 * order they stand in the message, topmost first. Aligned: the same domain
 * or a parent or subdomain of it, case-insensitive. On FALSE, *why (if not
 * NULL) says what was missing; caller frees. */
gboolean baton_auth_vouches (char *const *results, const char *authserv_id,
                             const char *from_address, char **why);
