/* SPDX-License-Identifier: MIT */
/* Mustache templates for the mail baton sends (digests, handoffs, replies).
 *
 * A template is parsed once into a tree and rendered from the tree as often
 * as needed, against a json-glib JsonNode built by the caller. The renderer
 * follows the required modules of the Mustache spec (comments, delimiters,
 * interpolation, inverted sections, partials, sections); lambdas, dynamic
 * names and inheritance are not supported.
 *
 * Choices the spec leaves open:
 * - Falsey values are false, null, 0, 0.0, "" and the empty array, as in
 *   JavaScript; an object, even an empty one, is truthy.
 * - {{x}} of an object or array inserts nothing; numbers print as integers
 *   or as the shortest decimal that reads back as the same double.
 * - HTML escaping is off unless BATON_MUSTACHE_ESCAPE_HTML is given, because
 *   most of baton's mail is text/plain where "&amp;" would be a visible bug.
 *
 * Both functions are pure (no I/O of their own); a parsed template is
 * immutable, so one may be rendered from several threads at once.
 */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct BatonTemplate BatonTemplate;

typedef enum {
  BATON_MUSTACHE_PLAIN = 0,            /* insert values as they are */
  BATON_MUSTACHE_ESCAPE_HTML = 1 << 0, /* {{x}} escapes & " < >; {{{x}}}, {{&x}} never do */
} BatonMustacheFlags;

/* Partials included inside partials deeper than this make the render fail
 * (BATON_ERROR_CONFIG) instead of exhausting the stack: a partial that
 * includes itself unconditionally is a template bug, not a crash. */
#define BATON_MUSTACHE_MAX_PARTIAL_DEPTH 64

/* Sections nested deeper than this are a syntax error. */
#define BATON_MUSTACHE_MAX_SECTION_DEPTH 100

/* Gives the source text of the partial called @name; the renderer frees the
 * returned string. Returning NULL without setting @error means "no such
 * partial", which renders as the empty string (as the spec asks); returning
 * NULL with @error set aborts the render with that error. Called at most once
 * per name (and indentation) in one render. */
typedef char *(*BatonMustachePartialFunc) (const char *name, gpointer user_data, GError **error);

/* Parses @source (NUL-terminated UTF-8). @name (may be NULL) names the template
 * in error messages, which read "NAME:LINE: what is wrong", LINE 1-based.
 * Returns a template the caller frees with baton_mustache_free(), or NULL
 * with @error set to BATON_ERROR_CONFIG: unclosed tag, section closed with
 * the wrong name or never closed, bad set-delimiter tag, empty tag name or
 * one with a space in it, sections nested too deep, invalid UTF-8. */
BatonTemplate *baton_mustache_parse (const char *source, const char *name, GError **error);

/* The @name given to baton_mustache_parse() ("template" if it was NULL);
 * lives as long as @tmpl. */
const char *baton_mustache_get_name (const BatonTemplate *tmpl);

/* Renders @tmpl with @data (borrowed; NULL renders like an empty object)
 * as the root of the context stack. @partials (may be NULL: every partial is
 * then empty) is asked for the source of each {{>name}}; partials are parsed
 * and cached for this render only. Returns the text, which the caller frees,
 * or NULL with @error set: BATON_ERROR_CONFIG for a partial with a syntax
 * error or partials nested beyond BATON_MUSTACHE_MAX_PARTIAL_DEPTH, or
 * whatever @partials reported. Messages begin "NAME:LINE: " of the tag. */
char *baton_mustache_render (const BatonTemplate *tmpl, JsonNode *data, BatonMustacheFlags flags,
                             BatonMustachePartialFunc partials, gpointer user_data, GError **error);

/* Frees @tmpl; NULL is allowed. */
void baton_mustache_free (BatonTemplate *tmpl);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BatonTemplate, baton_mustache_free)
