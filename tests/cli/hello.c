/*
 * hello.c - a C program built against an installed tcpsim with nothing but
 * `cc $(pkg-config --cflags tcpsim) hello.c $(pkg-config --libs tcpsim)` (tests/cli/install.sh):
 * the engine's API (a handshake, as in the README) and the Lua runner (a scenario from a
 * string), so both the library and the libraries tcpsim.pc names are needed and found.
 * Prints "A ESTABLISHED, B ESTABLISHED; scenario done" and exits 0.
 */
#include <stdio.h>

#include <tcpsim/lsim.h>
#include <tcpsim/tcpsim.h>

int
main(void)
{
    struct world_config cfg = {.seed = 1, .preset = TCP_PRESET_LINUX};
    struct world *w = world_new(&cfg);
    struct tcp_conn *l, *c, *s;
    if (!w || tcp_open_passive(&w->host[1], 80, NULL, &l) != TCP_OK ||
        tcp_open_active(&w->host[0], w->host[1].addr, 80, NULL, &c) != TCP_OK)
        return 1;
    world_run_until_time(w, CLK_MSEC(10));
    if (tcp_accept(l, &s) != TCP_OK)
        return 1;
    printf("A %s, B %s; ", tcp_state_rfc(c->state), tcp_state_rfc(s->state));
    world_free(w);

    struct lsim *lua = lsim_new(NULL);
    if (!lua || lsim_load_string(lua, "local l = B:listen(80)\nsim:run(1)\n", "=hello") != 0)
        return 1;
    enum lsim_status st;
    do
        st = lsim_resume(lua, LSIM_FOREVER);
    while (st == LSIM_RUNNING || st == LSIM_PAUSED);
    printf("scenario %s\n", lsim_status_name(st));
    lsim_free(lua);
    return st == LSIM_DONE ? 0 : 1;
}
