/* SPDX-License-Identifier: MIT */
/* The parsed form of a Mustache template, shared by mustache-parse.c (which
 * builds it) and mustache-render.c (which walks it). Not installed: nothing
 * outside these two files may depend on the tree's shape. */
#pragma once
#include "baton/mustache.h"

typedef enum {
  BATON_MUSTACHE_NODE_TEXT,     /* literal text */
  BATON_MUSTACHE_NODE_VALUE,    /* {{x}}, {{{x}}}, {{&x}} */
  BATON_MUSTACHE_NODE_SECTION,  /* {{#x}}…{{/x}} */
  BATON_MUSTACHE_NODE_INVERTED, /* {{^x}}…{{/x}} */
  BATON_MUSTACHE_NODE_PARTIAL,  /* {{>x}} */
} BatonMustacheNodeKind;

typedef struct {
  BatonMustacheNodeKind kind;
  char *text;          /* owned: TEXT its bytes, otherwise the tag's name */
  gsize len;           /* bytes in text */
  char **path;         /* owned: the name split at '.', NULL for "." */
  gboolean escape;     /* VALUE: {{x}}, which HTML mode escapes */
  char *indent;        /* owned: PARTIAL standalone indentation, or NULL */
  guint line;          /* 1-based line of the tag, for render errors */
  GPtrArray *children; /* owned, of nodes: SECTION and INVERTED bodies */
} BatonMustacheNode;

struct BatonTemplate {
  char *name;      /* owned */
  GPtrArray *root; /* owned, of BatonMustacheNode */
};

/* A copy of SOURCE with INDENT before every line that has content, for a
 * standalone partial: the spec indents the partial's own lines, not the
 * lines of what its tags insert, so this happens before parsing. */
char *baton_mustache_indent_source (const char *source, const char *indent);
