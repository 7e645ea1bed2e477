/*
 * cli_html.c - the web page of a run (out_html.c), for `tcpsim run --html FILE` and
 * `tcpsim test --html DIR`: the file opened and the writer observing the world before the
 * run starts (the page is written as the run goes), the page ended with the verdict. Any
 * command that drives a world can use it: open before the first event, close after the last.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tcpsim/out.h"

int
cli_html_open(struct cli_html *c, const char *path, struct world *w)
{
    c->path = path;
    c->h = NULL;
    if (!(c->f = fopen(path, "w"))) {
        fprintf(stderr, "tcpsim: could not write %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!(c->h = out_html_new(c->f)) || world_observe(w, out_html_observe, c->h) != 0) {
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
cli_html_close(struct cli_html *c, struct world *w, const struct out_html_meta *m)
{
    if (!c->f)
        return 0;
    world_unobserve(w, out_html_observe, c->h);
    int rc = out_html_finish(c->h, m);
    out_html_free(c->h);
    if (fclose(c->f) != 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "tcpsim: could not write %s\n", c->path);
    c->f = NULL;
    c->h = NULL;
    return rc;
}

struct out_html_meta
cli_html_meta(const struct lsim *l, const char *file)
{
    const struct world *w = lsim_world(l);
    return (struct out_html_meta){
        .title = lsim_title(l), .summary = lsim_summary(l), .file = file ? file : "demo", .seed = w->seed,
        .preset = w->preset, .passed = lsim_status(l) == LSIM_DONE, .message = lsim_message(l),
    };
}
