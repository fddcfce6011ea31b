/* TEMPORARY stand-in until branch `visible` merges; not committed. */
#pragma once
#include <glib.h>
char *baton_visible_text (const char *body_utf8);
