/*
 * cli_html.c - the web page of a run (out_html.c), for `tcpsim run --html FILE` and
 * `tcpsim test --html DIR` (with the names of the pages and their index) and `tcpsim pkt
 * --html FILE`: the file opened and the writer observing the world before the run starts
 * (the page is written as the run goes), the page ended with the verdict. Any command that
 * drives a world can use it: open before the first event, close after the last; or, when the
 * world is made elsewhere (tcpsim pkt's runner), start the page, feed its writer (c->h) from
 * an observer, and end it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tcpsim/out.h"

int
cli_html_start(struct cli_html *c, const char *path)
{
    c->path = path;
    c->h = NULL;
    if (!(c->f = fopen(path, "w"))) {
        fprintf(stderr, "tcpsim: could not write %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!(c->h = out_html_new(c->f)) || (c->events_set && out_html_set_events(c->h, c->events) != 0)) {
        out_html_free(c->h);
        c->h = NULL;
        fprintf(stderr, "tcpsim: %s: out of memory\n", path);
        fclose(c->f);
        c->f = NULL;
        return -1;
    }
    return 0;
}

int
cli_html_end(struct cli_html *c, const struct out_html_meta *m)
{
    if (!c->f)
        return 0;
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

int
cli_html_open(struct cli_html *c, const char *path, struct world *w)
{
    if (cli_html_start(c, path) != 0)
        return -1;
    if (world_observe(w, out_html_observe, c->h) != 0) {
        fprintf(stderr, "tcpsim: %s: too many observers\n", path);
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
    if (c->f)
        world_unobserve(w, out_html_observe, c->h);
    return cli_html_end(c, m);
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

/* Is 'page' among the first 'n' of 'pages', or the index's own name? */
static bool
cli_html_taken(char *const *pages, size_t n, const char *page)
{
    if (strcmp(page, "index.html") == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(pages[i], page) == 0)
            return true;
    return false;
}

/* NAME.html, its name without .lua; when two folders hold the same name (a class's
   submissions), the later one is named after its path, folders joined by '_'
   ("alice_01-handshake.html"), then numbered. Characters other than letters, digits, '.', '-'
   and '_' become '_', so that a name is also a safe link. */
int
cli_html_pages(char *const *paths, size_t n, char **pages)
{
    char name[512], page[600];
    for (size_t i = 0; i < n; i++) {
        const char *p = paths[i];
        while (p[0] == '.' && p[1] == '/')
            p += 2;
        for (int attempt = 0; !pages[i]; attempt++) {
            if (attempt == 0)
                cli_scenario_name(p, name, sizeof name);
            else
                snprintf(name, sizeof name, "%.*s", (int)(strlen(p) - (cli_ends_with(p, ".lua") ? 4 : 0)), p);
            if (attempt > 1)
                snprintf(page, sizeof page, "%s-%d.html", name, attempt);
            else
                snprintf(page, sizeof page, "%s.html", name);
            for (char *c = page; *c; c++)
                if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '-' || *c == '_'))
                    *c = '_';
            if (!cli_html_taken(pages, i, page) && !(pages[i] = strdup(page)))
                return -1;
        }
    }
    return 0;
}

int
cli_html_index(const char *dir, const struct out_html_entry *e, size_t n)
{
    char *path = cli_path_join(dir, "index.html");
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc = f ? out_html_index(f, e, n) : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "tcpsim test: could not write %s\n", path ? path : "index.html");
    free(path);
    return rc;
}
