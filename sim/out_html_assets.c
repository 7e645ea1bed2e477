/*
 * out_html_assets.c - the web page's CSS, body and JavaScript as the program carries them
 * (see out_html_assets.h). The sources stay readable in sim/html/; the bytes come from
 * build/gen/html_assets.inc, which the Makefile generates from them.
 */
#include "out_html_assets.h"

#include "html_assets.inc"

const struct out_html_asset out_html_css = {html_page_css, sizeof html_page_css};
const struct out_html_asset out_html_body = {html_page_html, sizeof html_page_html};
const struct out_html_asset out_html_js[] = {
    {html_model_js, sizeof html_model_js},
    {html_views_js, sizeof html_views_js},
    {html_page_js, sizeof html_page_js},
};
const size_t out_html_njs = sizeof out_html_js / sizeof out_html_js[0];
