/* SPDX-License-Identifier: MIT */
/* Small json-glib builder helpers shared by the --json read commands and
 * the template data of the outbox. */
#pragma once
#include <json-glib/json-glib.h>

/* Member @name: @value as a string, or null when @value is NULL. */
void baton_json_add_string (JsonBuilder *builder, const char *name, const char *value);
void baton_json_add_int (JsonBuilder *builder, const char *name, gint64 value);
void baton_json_add_bool (JsonBuilder *builder, const char *name, gboolean value);
/* Member @name: the ISO 8601 UTC text of @unix_time. */
void baton_json_add_time (JsonBuilder *builder, const char *name, gint64 unix_time);
