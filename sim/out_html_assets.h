/*
 * out_html_assets.h - the web page's own files (sim/html/page.css, page.html, and the script
 * in three parts: model.js, views.js, page.js), embedded in the program at build time: the
 * Makefile turns them into byte arrays (build/gen/html_assets.inc, by sim/html/embed.sh) that
 * out_html_assets.c includes.
 */
#ifndef TCPSIM_OUT_HTML_ASSETS_H
#define TCPSIM_OUT_HTML_ASSETS_H

#include <stddef.h>

struct out_html_asset {
    const unsigned char *data; /* the file's bytes, not NUL-terminated */
    size_t len;
};

extern const struct out_html_asset out_html_css, out_html_body;
/* The script's parts, in the order they run. */
extern const struct out_html_asset out_html_js[];
extern const size_t out_html_njs;

#endif
