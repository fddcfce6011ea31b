/* Small json-glib builder helpers shared by the --json read commands and
 * the template data of the outbox. */
#pragma once
#include <json-glib/json-glib.h>

/* Member NAME: VALUE as a string, or null when VALUE is NULL. */
void baton_json_add_string (JsonBuilder *builder, const char *name, const char *value);
void baton_json_add_int (JsonBuilder *builder, const char *name, gint64 value);
void baton_json_add_bool (JsonBuilder *builder, const char *name, gboolean value);
/* Member NAME: the ISO 8601 UTC text of UNIX_TIME. */
void baton_json_add_time (JsonBuilder *builder, const char *name, gint64 unix_time);
