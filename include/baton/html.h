/* TEMPORARY stand-in until branch `visible` merges; not committed. */
#pragma once
#include <glib.h>
char *baton_html_to_text (const char *html);
