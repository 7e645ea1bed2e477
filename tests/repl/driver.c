/*
 * driver.c - `repl_driver ARGS` is `tcpsim repl ARGS`, for the REPL's transcript and terminal
 * tests while sim/main.c does not yet dispatch the repl command.
 */
#include "tcpsim/repl.h"

int
main(int argc, char **argv)
{
    return repl_main(argc - 1, argv + 1);
}
