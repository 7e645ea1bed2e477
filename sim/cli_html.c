/*
 * cli_html.c - the web page of a run (out_html.c), for `tcpsim run --html FILE` and
 * `tcpsim test --html DIR`: the file opened and the writer observing the world before the
 * scenario starts (the page is written as the run goes), the page ended with the verdict.
 */
#include <stdio.h>

#include "cli.h"
#include "tcpsim/out.h"

int
cli_html_open(struct cli_html *c, const char *path, struct lsim *l)
{
    c->path = path;
    c->h = NULL;
    if (!(c->f = fopen(path, "w"))) {
        perror(path);
        return -1;
    }
    if (!(c->h = out_html_new(c->f)) || world_observe(lsim_world(l), out_html_observe, c->h) != 0) {
        fprintf(stderr, "tcpsim: %s: out of memory\n", path);
        out_html_free(c->h);
        fclose(c->f);
        c->h = NULL;
        c->f = NULL;
        return -1;
    }
    return 0;
}

int
cli_html_close(struct cli_html *c, struct lsim *l, const char *file)
{
    if (!c->f)
        return 0;
    const struct world *w = lsim_world(l);
    enum lsim_status s = lsim_status(l);
    struct out_html_meta m = {
        .title = lsim_title(l), .summary = lsim_summary(l), .file = file ? file : "demo",
        .seed = w->seed, .preset = w->preset, .passed = s == LSIM_DONE, .message = lsim_message(l),
    };
    world_unobserve(lsim_world(l), out_html_observe, c->h);
    int rc = out_html_finish(c->h, &m);
    out_html_free(c->h);
    if (fclose(c->f) != 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "tcpsim: could not write %s\n", c->path);
    c->f = NULL;
    c->h = NULL;
    return rc;
}
