/* SPDX-License-Identifier: MIT */
/* The mail templates: shipped ones compiled into the binary, each one
 * overridable by a file of the same name in the configured templates
 * directory (so an upgrade never leaves a user with a half-edited set). */
#pragma once
#include "baton/mustache.h"

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
  const char *name;
  const char *text;
} BatonEmbeddedTemplate;

/* NULL-name-terminated table generated from templates/ at build time. */
extern const BatonEmbeddedTemplate baton_embedded_templates[];

/* Source of template @name: @dir/@name when @dir (may be NULL) has it, else the
 * shipped one. NULL with @error (BATON_ERROR_CONFIG) when neither exists or
 * the file cannot be read. *@origin (if not NULL) gets the path or
 * "(built-in) @name" for messages; caller frees both. */
char *baton_templates_source (const char *dir, const char *name, char **origin, GError **error);

/* Renders template @name with @data; partials come from the same lookup.
 * Caller frees. Errors: BATON_ERROR_CONFIG naming file and line. */
char *baton_templates_render (const char *dir, const char *name, JsonNode *data,
                              BatonMustacheFlags flags, GError **error);

/* Every syntax problem in the shipped templates as overridden by @dir, as
 * "file:line: text"; files in @dir that override nothing are reported too.
 * Never NULL. */
GPtrArray *baton_templates_check (const char *dir);
