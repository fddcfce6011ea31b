/* SPDX-License-Identifier: MIT */
/* Where a template's text comes from: the shipped ones compiled into the
 * binary, each one overridable by a file of the same name in the
 * configured templates directory. Below both the rendering (out/) and the
 * ancestry check (team/), which must know baton's own words to never act
 * on them. */
#pragma once
#include <glib.h>

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
char *baton_template_source_find (const char *dir, const char *name, char **origin, GError **error);

/* The shipped text of template @name, NULL when baton ships none. */
const char *baton_template_source_shipped (const char *name);

/* Whether @dir (may be NULL) has its own @name, which replaces the shipped
 * one. */
gboolean baton_template_source_overridden (const char *dir, const char *name);

/* Whether @name is the text of a mail (notice, reply, digest): its literal
 * lines are baton's own words, never a member's. Not the HTML ones
 * (markup, not what a client quotes), nor the board's style sheet, script,
 * SVG and feed, which no mail carries. */
gboolean baton_template_is_mail_text (const char *name);
