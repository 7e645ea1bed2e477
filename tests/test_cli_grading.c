/*
 * test_cli_grading.c - grading with `tcpsim test`, as an instructor does it: a goals file is
 * checked before any scenario runs (its mistakes are usage errors naming the goal's line), it
 * is recognised by its name (NAME.goals.lua) and never run as a scenario, the tally counts
 * goals, and the student's answer is only settings (--set NAME=VALUE, --settings FILE) that
 * win over the scenario's own; and `tcpsim run --ladder --trace none` ends with the verdict.
 *
 * Each run forks a process that calls cli_test() or cli_run() with stdout and stderr sent
 * to files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* A lab: a scenario whose SYNs are all lost, with 6 SYN retries set by the instructor. */
#define LAB_LUA                                                                                    \
    "scenario { title = 'SYN retries' }\n"                                                         \
    "net:drop { from = A, flags = 'SYN', count = -1 }\n"                                           \
    "A.sysctl.tcp_syn_retries = 6\n"                                                               \
    "local c = A:connect(B, 80)\n"                                                                 \
    "sim:wait_for(function() return c:is('CLOSED') end, 1000)\n"
/* Its goals: connect gives up at 251 s (Linux 6.5's linear timeouts: SYNs at 0, 1, 2, 3, 4, 5,
   7, 11, ..., 131 s, then the RTO's ceiling of 120 s), and
   the answer changed tcp_syn_retries only, to 7. */
#define LAB_GOALS                                                                                  \
    "goals {\n"                                                                                    \
    "  { name = 'gives up at 251 s', check = function(trace)\n"                                    \
    "      for _, e in ipairs(trace) do\n"                                                         \
    "        if e.kind == 'state' and e.rule_id == 'TIMER_SYN_GIVE_UP' then return e.t == 251 end\n" \
    "      end\n"                                                                                  \
    "    end },\n"                                                                                 \
    "  { name = 'seven retries', setting = { tcp_syn_retries = 7 }, host = 'A' },\n"               \
    "  { name = 'only that', changed = { 'tcp_syn_retries' } },\n"                                 \
    "}\n"

struct lab {
    char dir[64];
    char path[8][128];
    size_t n;
};

static const char *
lab_add(struct lab *l, const char *name, const char *text)
{
    assert_true(l->n < 8);
    char *p = l->path[l->n++], dir[64];
    memcpy(dir, l->dir, sizeof dir);
    snprintf(p, sizeof l->path[0], "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static void
lab_new(struct lab *l)
{
    snprintf(l->dir, sizeof l->dir, "/tmp/tcpsim-grading-XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    l->n = 0;
    lab_add(l, "syn.lua", LAB_LUA);
    lab_add(l, "syn.goals.lua", LAB_GOALS);
}

static void
lab_free(struct lab *l)
{
    for (size_t i = 0; i < l->n; i++)
        unlink(l->path[i]);
    rmdir(l->dir);
}

/* The whole of file descriptor 'fd', malloc'd. */
static char *
slurp(int fd)
{
    off_t len = lseek(fd, 0, SEEK_END);
    assert_true(len >= 0);
    char *text = calloc((size_t)len + 1, 1);
    assert_non_null(text);
    assert_int_equal(pread(fd, text, (size_t)len, 0), len);
    return text;
}

/* Run `tcpsim test ARGS...` (run = false) or `tcpsim run ARGS...` ('args' ends with NULL) in
   a child; its stdout and stderr (malloc'd) and its exit status. */
static void
cli(bool run, const char *const *args, char **out, char **err, int *rc)
{
    char po[] = "/tmp/tcpsim-grading-out-XXXXXX", pe[] = "/tmp/tcpsim-grading-err-XXXXXX";
    int fo = mkstemp(po), fe = mkstemp(pe);
    assert_true(fo >= 0 && fe >= 0);
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
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        int code = run ? cli_run(argc, argv) : cli_test(argc, argv);
        fflush(stdout);
        fflush(stderr);
        _exit(code);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    *rc = WEXITSTATUS(status);
    *out = slurp(fo);
    *err = slurp(fe);
    close(fo);
    close(fe);
    unlink(po);
    unlink(pe);
}

/* A goals file with a mistake is refused before any scenario runs: exit 2, the goal's own
   line of the goals file, nothing graded. (It used to grade every scenario with the goals
   "not reached", counting the broken file as one goal per scenario.) */
static void
test_goals_mistake_refused_before_running(void **state)
{
    (void)state;
    struct lab l;
    lab_new(&l);
    const char *bad = lab_add(&l, "bad.goals.lua", "goals {\n  { name = 'fine', state = 'TIME_WAIT' },\n"
                                                   "  { name = 'typo', edge = { 'FIN_WAIT_1', 'CLOSNG' } },\n}\n");
    char *out, *err, want[256];
    int rc;
    cli(false, (const char *const[]){"--goals", bad, l.dir, NULL}, &out, &err, &rc);
    assert_int_equal(rc, 2);
    assert_string_equal(out, "");
    snprintf(want, sizeof want, "tcpsim test: %s:3: goal 'typo': unknown state 'CLOSNG' (did you mean CLOSING?)", bad);
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("'%s' does not start with '%s'", err, want);
    free(out);
    free(err);
    lab_free(&l);
}

/* The goals file lies beside the scenario and is not run as one; given as a scenario, it is
   refused by its name. The tally counts goals: 3 a scenario. */
static void
test_goals_file_by_name_tally_counts_goals(void **state)
{
    (void)state;
    struct lab l;
    lab_new(&l);
    lab_add(&l, "syn2.lua", LAB_LUA);
    char *out, *err;
    int rc;
    cli(false, (const char *const[]){"--goals", l.path[1], l.dir, NULL}, &out, &err, &rc);
    assert_string_equal(out, "PASS syn (SYN retries)\n"
                             "    goal gives up at 251 s: not reached\n"
                             "    goal seven retries: not reached - tcp_syn_retries is 6 on A, not 7\n"
                             "    goal only that: not reached - the settings given from outside are none\n"
                             "PASS syn2 (SYN retries)\n"
                             "    goal gives up at 251 s: not reached\n"
                             "    goal seven retries: not reached - tcp_syn_retries is 6 on A, not 7\n"
                             "    goal only that: not reached - the settings given from outside are none\n"
                             "goals: 0 of 6 reached\n"
                             "2 passed, 0 failed\n");
    assert_int_equal(rc, 1);
    free(out);
    free(err);
    cli(false, (const char *const[]){l.path[1], NULL}, &out, &err, &rc);
    assert_int_equal(rc, 2);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "syn.goals.lua is a goals file (by its name, NAME.goals.lua), not a scenario: "
                                "give it with --goals"));
    free(out);
    free(err);
    cli(true, (const char *const[]){l.path[1], NULL}, &out, &err, &rc);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "syn.goals.lua is a goals file"));
    free(out);
    free(err);
    lab_free(&l);
}

/* The student's answer is one setting, on the command line or in a file: it wins over the
   scenario's own A.sysctl.tcp_syn_retries = 6, and every goal is reached. A second setting
   misses the "only that" goal; a misspelt one is a usage error. */
static void
test_set_overrides_scenario_goals_reached(void **state)
{
    (void)state;
    struct lab l;
    lab_new(&l);
    const char *answer = lab_add(&l, "answer.conf", "# my answer\nA.tcp_syn_retries = 7  # one more\n");
    static const char want[] = "PASS syn (SYN retries)\n"
                               "    goal gives up at 251 s: reached\n"
                               "    goal seven retries: reached\n"
                               "    goal only that: reached\n"
                               "goals: 3 of 3 reached\n"
                               "1 passed, 0 failed\n";
    char *out, *err;
    int rc;
    cli(false, (const char *const[]){"--goals", l.path[1], "--set", "tcp_syn_retries=7", l.path[0], NULL}, &out, &err,
        &rc);
    assert_string_equal(out, want);
    assert_int_equal(rc, 0);
    free(out);
    free(err);
    cli(false, (const char *const[]){"--goals", l.path[1], "--settings", answer, l.path[0], NULL}, &out, &err, &rc);
    assert_string_equal(out, want);
    assert_int_equal(rc, 0);
    free(out);
    free(err);
    cli(false,
        (const char *const[]){"--goals", l.path[1], "--set", "tcp_syn_retries=7", "--set", "msl=10", l.path[0], NULL},
        &out, &err, &rc);
    assert_non_null(strstr(out, "goal only that: not reached - the settings given from outside are msl, tcp_syn_retries\n"
                                "goals: 2 of 3 reached\n"));
    assert_int_equal(rc, 1);
    free(out);
    free(err);
    cli(false, (const char *const[]){"--set", "tcp_syn_retrys=7", l.path[0], NULL}, &out, &err, &rc);
    assert_int_equal(rc, 2);
    assert_string_equal(out, "");
    assert_string_equal(err, "tcpsim test: unknown setting 'tcp_syn_retrys' (did you mean tcp_syn_retries?) "
                             "(docs/settings.md lists them)\n");
    free(out);
    free(err);
    cli(true, (const char *const[]){l.path[0], "--set", "A.tcp_syn_retries=7", NULL}, &out, &err, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "# A.sysctl.tcp_syn_retries = 6 is ignored: tcp_syn_retries is fixed to 7 from "
                                "outside (--set)\n"));
    assert_non_null(strstr(out, "251.000000  A1 SYN-SENT -> CLOSED"));
    free(out);
    free(err);
    lab_free(&l);
}

/* `tcpsim run --ladder --trace none`: the ladder, then the verdict as the last line (it came
   first, above a ladder that scrolled it away). */
static void
test_run_ladder_verdict_last(void **state)
{
    (void)state;
    char *out, *err;
    int rc;
    cli(true, (const char *const[]){"scripts/01-handshake.lua", "--ladder", "--trace", "none", NULL}, &out, &err, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "SYN 100"));
    const char *last = strstr(out, "-- passed: Three-way handshake (seed 1, preset linux)\n");
    assert_non_null(last);
    assert_string_equal(last, "-- passed: Three-way handshake (seed 1, preset linux)\n");
    assert_true(last > out);
    free(out);
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goals_mistake_refused_before_running),
        cmocka_unit_test(test_goals_file_by_name_tally_counts_goals),
        cmocka_unit_test(test_set_overrides_scenario_goals_reached),
        cmocka_unit_test(test_run_ladder_verdict_last),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
