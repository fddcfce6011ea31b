/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "baton"
#include "baton/json.h"

#include "baton/clock.h"

void
baton_json_add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
baton_json_add_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
baton_json_add_bool (JsonBuilder *builder, const char *name, gboolean value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

void
baton_json_add_time (JsonBuilder *builder, const char *name, gint64 unix_time)
{
  g_autofree char *iso = baton_clock_format_iso (unix_time);
  baton_json_add_string (builder, name, iso);
}
