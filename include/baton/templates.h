/* SPDX-License-Identifier: MIT */
/* The mail templates: shipped ones compiled into the binary, each one
 * overridable by a file of the same name in the configured templates
 * directory (so an upgrade never leaves a user with a half-edited set). */
#pragma once
#include "baton/mustache.h"
#include "baton/template-source.h"

#include <glib.h>
#include <json-glib/json-glib.h>

/* Renders template @name with @data; partials come from the same lookup.
 * Caller frees. Errors: BATON_ERROR_CONFIG naming file and line. */
char *baton_templates_render (const char *dir, const char *name, JsonNode *data,
                              BatonMustacheFlags flags, GError **error);

/* Every syntax problem in the shipped templates as overridden by @dir, as
 * "file:line: text"; files in @dir that override nothing are reported too.
 * Never NULL. */
GPtrArray *baton_templates_check (const char *dir);
