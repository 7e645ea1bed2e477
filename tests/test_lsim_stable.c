/*
 * test_lsim_stable.c - what makes a script's run repeatable (sim/lsim_stable.c): a value Lua
 * would name by its address gets a stable name ("table: #1") in tostring, print, eval and
 * string.format, and "%p" is refused. Each script runs in two runners alive at once: two Lua
 * states with their own heap addresses and string hash seeds, as two processes have; both
 * must say the same, and that must be the expected text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lsim_fx.h"

/* The 'say' texts of a finished run, one per line, malloc'd. */
static char *
said(const struct lsim *l)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    const struct trace_log *log = lsim_log(l);
    for (size_t i = 0; i < log->len; i++)
        if (log->ev[i].kind == TRACE_SAY)
            fprintf(f, "%s\n", log->ev[i].text);
    fclose(f);
    return text;
}

/* Run 'code' in two runners alive at once; both must end and say 'want'. */
static void
says_twice(const char *code, const char *want)
{
    struct lsim *a = lfx_new(code), *b = lfx_new(code);
    assert_non_null(a);
    assert_non_null(b);
    if (lfx_finish(a) != LSIM_DONE || lfx_finish(b) != LSIM_DONE)
        fail_msg("the script failed: %s / %s", lsim_message(a), lsim_message(b));
    char *x = said(a), *y = said(b);
    assert_string_equal(x, y);
    assert_string_equal(x, want);
    free(x);
    free(y);
    lsim_free(a);
    lsim_free(b);
}

/* Named in the order the run first names them; the same object keeps its number. */
static void
test_tostring_table_function_thread_named_by_first_use(void **state)
{
    (void)state;
    says_twice("local t, u, f = {}, {}, function() end\n"
               "say(tostring(u)) say(tostring(t)) say(tostring(u))\n"
               "say(tostring(f) .. ' ' .. tostring(coroutine.running()) .. ' ' .. tostring(print))\n"
               "say(tostring(net) .. ' ' .. tostring(sim) .. ' ' .. tostring(A.sysctl))\n"
               "say(tostring(setmetatable({}, { __name = 'thing' })) .. ' ' .. tostring(setmetatable({}, { __name = 5 })))\n"
               "say(tostring(setmetatable({}, { __tostring = function() return 'mine' end })))\n"
               "say(tostring(nil) .. ' ' .. tostring(true) .. ' ' .. tostring(1.5) .. ' ' .. tostring('s'))\n"
               "local c = A:connect(B, 80, { port = 40000 })\n"
               "say(tostring(c) .. ' | ' .. tostring(A))\n",
               "table: #1\n"
               "table: #2\n"
               "table: #1\n"
               "function: #3 thread: #4 function: #5\n"
               "tcpsim.net: #6 tcpsim.sim: #7 tcpsim.sysctl: #8\n"
               "thing: #9 table: #10\n"
               "mine\n"
               "nil true 1.5 s\n"
               "socket A1 SYN_SENT 10.0.0.1:40000 -> 10.0.0.2:80 | host A (10.0.0.1)\n");
}

/* print goes through the same names; a collected object's number is not given again. */
static void
test_print_table_says_stable_name(void **state)
{
    (void)state;
    says_twice("print({}, {}, nil, 1)\n"
               "collectgarbage()\n"
               "local t = {}\n"
               "print(t, print, t)\n",
               "table: #1\ttable: #2\tnil\t1\n"
               "table: #3\tfunction: #4\ttable: #3\n");
}

/* "%s" of a value that is not a string or number gets the stable name; the rest of format is
   Lua's: "%%", widths, precision, flags, %q, and its own errors under its own name. */
static void
test_format_s_of_table_gives_stable_name(void **state)
{
    (void)state;
    says_twice("local t = {}\n"
               "say(string.format('%s|%-10s|%12s|%.3s', t, t, {}, t))\n"
               "say(string.format('%%s %d%% %5.1f %-3d| %s %s %s', 7, 2.25, 4, nil, true, 'x'))\n"
               "say(string.format('%s', setmetatable({}, { __tostring = function() return 'T' end })))\n"
               "say(('%s:%x'):format(t, 255))\n"
               "say(select(2, pcall(string.format, '%d', {})))\n"
               "say(select(2, pcall(string.format, '%s %s', 1)))\n"
               "say(select(2, pcall(string.format, 'x%', 1)))\n",
               "table: #1|table: #1 |   table: #2|tab\n"
               "%s 7%   2.2 4  | nil true x\n"
               "T\n"
               "table: #1:ff\n"
               "bad argument #2 to 'string.format' (number expected, got table)\n"
               "bad argument #3 to 'string.format' (no value)\n"
               "invalid conversion '%' to 'format'\n");
}

/* "%p" prints an address: refused, with the reason, whatever its flags or argument. */
static void
test_format_p_refused_with_reason(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(lfx_run("local s = string.format('%d %s', 1, 'x')\nstring.format('%s %p', s, {})\n", msg,
                             sizeof msg),
                     LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: bad argument #1 to 'format' (%p would print an address, which differs "
                             "from run to run)");
    assert_int_equal(lfx_run("expect(not pcall(string.format, '%-20p', 'str'))\n"
                             "expect(not pcall(string.format, '%%%p', 1))\n"
                             "expect(string.format('%%p') == '%p', 'an escaped %% is not a conversion')\n",
                             NULL, 0),
                     LSIM_DONE);
}

/* The REPL's "= expr" (lsim_eval) names its results the same way. */
static void
test_eval_table_result_stable_name(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("t = {}\nprint(t)\n");
    char *out = NULL;
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(lsim_eval(l, "t, {}, t", &out), 0);
    assert_string_equal(out, "table: #1\ttable: #2\ttable: #1");
    free(out);
    lsim_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tostring_table_function_thread_named_by_first_use),
        cmocka_unit_test(test_print_table_says_stable_name),
        cmocka_unit_test(test_format_s_of_table_gives_stable_name),
        cmocka_unit_test(test_format_p_refused_with_reason),
        cmocka_unit_test(test_eval_table_result_stable_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
