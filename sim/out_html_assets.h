/*
 * out_html_assets.h - the web page's own files (sim/html/page.css, page.html, page.js),
 * embedded in the program at build time: the Makefile turns them into byte arrays
 * (build/gen/html_assets.inc, by sim/html/embed.sh) that out_html_assets.c includes.
 */
#ifndef TCPSIM_OUT_HTML_ASSETS_H
#define TCPSIM_OUT_HTML_ASSETS_H

#include <stddef.h>

struct out_html_asset {
    const unsigned char *data; /* the file's bytes, not NUL-terminated */
    size_t len;
};

extern const struct out_html_asset out_html_css, out_html_body, out_html_js;

#endif
