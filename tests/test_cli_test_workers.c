/*
 * test_cli_test_workers.c - the batch runner `tcpsim test` (sim/cli_test.c) and its pool of
 * worker processes: a worker that dies in the middle of a scenario (a signal, the wall-clock
 * alarm) costs that scenario only, reported with the reason, and a fresh worker runs the rest;
 * the alarm is armed anew for every scenario; nothing of one scenario (globals, sockets,
 * virtual time, the Lua state after a limit) reaches the next one run by the same worker; and
 * the output is byte-identical for any -j.
 *
 * Each run forks a process that calls cli_test() with its stdout sent to a file, so a limit
 * set there (RLIMIT_CPU, to kill a worker with SIGXCPU) stays out of the test program.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Endless, and each turn of the loop takes milliseconds of string work but a few VM
   instructions, so no limit of the runner stops it before the wall clock or the CPU does. */
#define SPIN_LUA "scenario { title = \"spins\" }\n" \
                 "local s = ('x'):rep(4 << 20)\n" \
                 "while true do s = s:upper():lower() end\n"
#define OK_LUA "scenario { title = \"fine\" }\nexpect(1 + 1 == 2)\n"

/* A folder of scenarios, removed by wk_dir_free. */
#define WK_MAX_FILES 40

struct wk_dir {
    char path[64];
    char files[WK_MAX_FILES][32];
    size_t n;
};

static void
wk_dir_new(struct wk_dir *d)
{
    snprintf(d->path, sizeof d->path, "/tmp/tcpsim-workers-XXXXXX");
    assert_non_null(mkdtemp(d->path));
    d->n = 0;
}

/* Write scenario 'name' with text 'code' into 'd'. */
static void
wk_dir_add(struct wk_dir *d, const char *name, const char *code)
{
    char full[128];
    assert_true(d->n < WK_MAX_FILES);
    snprintf(d->files[d->n++], sizeof d->files[0], "%s", name);
    snprintf(full, sizeof full, "%s/%s", d->path, name);
    FILE *f = fopen(full, "w");
    assert_non_null(f);
    fputs(code, f);
    fclose(f);
}

static void
wk_dir_free(struct wk_dir *d)
{
    char full[128];
    for (size_t i = 0; i < d->n; i++) {
        snprintf(full, sizeof full, "%s/%s", d->path, d->files[i]);
        unlink(full);
    }
    rmdir(d->path);
}

/* A new folder with 1-spin.lua (endless) and 2-ok.lua (passes). */
static void
wk_dir_spin_then_ok(struct wk_dir *d)
{
    wk_dir_new(d);
    wk_dir_add(d, "1-spin.lua", SPIN_LUA);
    wk_dir_add(d, "2-ok.lua", OK_LUA);
}

/*
 * Run `tcpsim test ARGS...` ('args' ends with NULL) in a child process whose CPU time is
 * limited to 'cpu_s' seconds per process when 'cpu_s' > 0 (the workers inherit the limit; each
 * starts from zero). Returns what it printed on stdout (malloc'd) and its exit status in
 * '*rc'.
 */
static char *
wk_run(int *rc, unsigned cpu_s, const char *const *args)
{
    char out[] = "/tmp/tcpsim-workers-out-XXXXXX";
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *argv[32];
        int argc = 0;
        while (args[argc] && argc < 31) {
            argv[argc] = strdup(args[argc]);
            argc++;
        }
        argv[argc] = NULL;
        if (cpu_s > 0) {
            struct rlimit lim = {.rlim_cur = cpu_s, .rlim_max = cpu_s + 60};
            setrlimit(RLIMIT_CPU, &lim);
        }
        dup2(fd, STDOUT_FILENO);
        int code = cli_test(argc, argv);
        fflush(stdout);
        _exit(code);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    *rc = WEXITSTATUS(status);
    off_t len = lseek(fd, 0, SEEK_END);
    assert_true(len >= 0);
    char *text = calloc((size_t)len + 1, 1);
    assert_non_null(text);
    assert_int_equal(pread(fd, text, (size_t)len, 0), len);
    close(fd);
    unlink(out);
    return text;
}

/* A worker killed by a signal in the middle of a scenario: that scenario FAILs with
   "crashed (signal N)", the next ones run in a new worker and pass or fail on their own, and
   -j 1 and -j 2 print the same bytes. */
static void
test_batch_worker_killed_scenario_failed_rest_run(void **state)
{
    (void)state;
    struct wk_dir d;
    wk_dir_spin_then_ok(&d);
    wk_dir_add(&d, "3-fail.lua", "expect(false, 'nope')\n");
    wk_dir_add(&d, "4-ok.lua", "scenario { title = \"after\" }\nsim:run(1)\n");
    char want[512];
    snprintf(want, sizeof want,
             "FAIL 1-spin: crashed (signal %d)\n"
             "PASS 2-ok (fine)\n"
             "FAIL 3-fail: %s/3-fail.lua:1: nope\n"
             "PASS 4-ok (after)\n"
             "2 passed, 2 failed\n",
             SIGXCPU, d.path);
    int rc1 = -1, rc2 = -1;
    char *j1 = wk_run(&rc1, 1, (const char *const[]){"--timeout", "100", "-j", "1", d.path, NULL});
    char *j2 = wk_run(&rc2, 1, (const char *const[]){"--timeout", "100", "-j", "2", d.path, NULL});
    assert_string_equal(j1, want);
    assert_int_equal(rc1, 1);
    assert_string_equal(j2, j1);
    assert_int_equal(rc2, 1);
    assert_null(strstr(j1, "PASS 1-spin"));
    free(j1);
    free(j2);
    wk_dir_free(&d);
}

/* The wall-clock alarm ends the scenario that overran it, in the runner's words; the scenario
   after it, on a new worker, still passes. TAP numbering is kept across the dead worker. */
static void
test_batch_wall_clock_alarm_scenario_failed_rest_run(void **state)
{
    (void)state;
    struct wk_dir d;
    wk_dir_spin_then_ok(&d);
    int rc = -1;
    char *out = wk_run(&rc, 0, (const char *const[]){"--timeout", "1", "--tap", d.path, NULL});
    assert_string_equal(out, "TAP version 13\n"
                             "1..2\n"
                             "not ok 1 - 1-spin: wall-clock limit (1 s) exceeded\n"
                             "ok 2 - 2-ok (fine)\n"
                             "# 1 passed, 1 failed\n");
    assert_int_equal(rc, 1);
    free(out);
    wk_dir_free(&d);
}

/* Seconds of wall-clock time since some fixed point. */
static double
wk_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The alarm is armed for each scenario, not once per worker: scenarios well under a one-second
   limit each, but together well over it, one after the other on one worker (-j 1), all pass.
   How many it takes is measured first, on one of them. */
static void
test_batch_wall_clock_alarm_rearmed_each_scenario_pass(void **state)
{
    (void)state;
    static const char busy[] = "scenario { title = \"busy\" }\n"
                               "local s = ('x'):rep(1 << 20)\n"
                               "for _ = 1, 4 do s = s:upper():lower() end\n";
    struct wk_dir d;
    wk_dir_new(&d);
    wk_dir_add(&d, "00-busy.lua", busy);
    int rc = -1;
    double t0 = wk_now();
    free(wk_run(&rc, 0, (const char *const[]){d.path, NULL}));
    double one = wk_now() - t0;
    assert_int_equal(rc, 0);
    if (one > 0.4) {
        wk_dir_free(&d);
        skip(); /* too slow a machine to stay under one second per scenario with a margin */
    }
    size_t n = one < 0.05 ? WK_MAX_FILES : (size_t)(1.6 / one) + 2;
    n = n > WK_MAX_FILES ? WK_MAX_FILES : n;
    char name[32], want[WK_MAX_FILES * 24 + 32] = "";
    for (size_t i = 1; i < n; i++) {
        snprintf(name, sizeof name, "%02zu-busy.lua", i);
        wk_dir_add(&d, name, busy);
    }
    for (size_t i = 0; i < n; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "PASS %02zu-busy (busy)\n", i);
    snprintf(want + strlen(want), sizeof want - strlen(want), "%zu passed, 0 failed\n", n);
    char *out = wk_run(&rc, 0, (const char *const[]){"--timeout", "1", "-j", "1", d.path, NULL});
    assert_string_equal(out, want);
    assert_int_equal(rc, 0);
    free(out);
    wk_dir_free(&d);
}

/* One worker runs them all (-j 1): a scenario that leaves a global, a listening socket and
   virtual time behind, and one stopped by the memory limit, do not change how the next one
   runs: it prints the same as when run alone. */
static void
test_batch_worker_next_scenario_starts_fresh(void **state)
{
    (void)state;
    struct wk_dir d;
    wk_dir_new(&d);
    wk_dir_add(&d, "1-leave.lua", "scenario { title = \"leaves things\" }\n"
                                  "carried = true\n"
                                  "assert(B:listen(80))\n"
                                  "sim:run(30)\n");
    wk_dir_add(&d, "2-bomb.lua", "local t = {}\n"
                                 "for i = 1, math.huge do t[i] = { i, i, i, i, tostring(i) } end\n");
    wk_dir_add(&d, "3-fresh.lua", "scenario { title = \"fresh\" }\n"
                                  "expect(carried == nil, 'a global of an earlier scenario')\n"
                                  "expect(sim.now == 0, 'virtual time of an earlier scenario: ' .. sim.now)\n"
                                  "local l, err = B:listen(80)\n"
                                  "expect(l ~= nil, 'port 80 held by an earlier scenario: ' .. tostring(err))\n");
    char fresh[96];
    snprintf(fresh, sizeof fresh, "%s/3-fresh.lua", d.path);
    int rc = -1, rc_alone = -1;
    char *all = wk_run(&rc, 0, (const char *const[]){"-j", "1", d.path, NULL});
    char *alone = wk_run(&rc_alone, 0, (const char *const[]){fresh, NULL});
    assert_non_null(strstr(all, "PASS 1-leave (leaves things)\n"));
    assert_non_null(strstr(all, "FAIL 2-bomb: "));
    assert_non_null(strstr(all, "memory limit"));
    assert_non_null(strstr(all, "\nPASS 3-fresh (fresh)\n2 passed, 1 failed\n"));
    assert_null(strstr(all, "earlier scenario"));
    assert_int_equal(rc, 1);
    assert_string_equal(alone, "PASS 3-fresh (fresh)\n1 passed, 0 failed\n");
    assert_int_equal(rc_alone, 0);
    free(all);
    free(alone);
    wk_dir_free(&d);
}

/* The library with goals, TAP and coverage: the same bytes and status with 1, 2 and 3 workers. */
static void
test_batch_library_any_jobs_same_output(void **state)
{
    (void)state;
    int rc1 = -1, rc2 = -1, rc3 = -1;
    char *j1 = wk_run(&rc1, 0,
                      (const char *const[]){"-j1", "--tap", "--coverage", "--goals", "tests/lua/goals.lua", "scripts",
                                            NULL});
    char *j2 = wk_run(&rc2, 0,
                      (const char *const[]){"-j2", "--tap", "--coverage", "--goals", "tests/lua/goals.lua", "scripts",
                                            NULL});
    char *j3 = wk_run(&rc3, 0,
                      (const char *const[]){"-j3", "--tap", "--coverage", "--goals", "tests/lua/goals.lua", "scripts",
                                            NULL});
    assert_non_null(strstr(j1, "TAP version 13\n1.."));
    assert_non_null(strstr(j1, "ok 2 - 01-handshake"));
    assert_non_null(strstr(j1, "# goals: "));
    assert_string_equal(j2, j1);
    assert_string_equal(j3, j1);
    assert_int_equal(rc2, rc1);
    assert_int_equal(rc3, rc1);
    free(j1);
    free(j2);
    free(j3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_worker_killed_scenario_failed_rest_run),
        cmocka_unit_test(test_batch_wall_clock_alarm_scenario_failed_rest_run),
        cmocka_unit_test(test_batch_wall_clock_alarm_rearmed_each_scenario_pass),
        cmocka_unit_test(test_batch_worker_next_scenario_starts_fresh),
        cmocka_unit_test(test_batch_library_any_jobs_same_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
