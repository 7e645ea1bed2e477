/*
 * test_lsim_stable.c - what makes a script's run repeatable (sim/lsim_stable.c): a value Lua
 * would name by its address gets a stable name ("table: #1") in tostring, print, eval and
 * string.format, and "%p" is refused; pairs and next visit keys in one fixed order. Each
 * script runs in two runners alive at once: two Lua states with their own heap addresses and
 * string hash seeds, as two processes have; both must say the same, and that must be the
 * expected text.
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
        if (trace_log_kind(log, i) == TRACE_SAY)
            fprintf(f, "%s\n", trace_log_get(log, i).text);
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

/* Run 'code' (chunk "@t.lua") under options 'o': it must fail with a message that begins
   with 'want' (a limit's message goes on with the limit). */
static void
fails_under(const struct lsim_opts *o, const char *code, const char *want)
{
    struct lsim *l = lsim_new(o);
    assert_non_null(l);
    assert_int_equal(lsim_load_string(l, code, "@t.lua"), 0);
    assert_int_equal(lfx_finish(l), LSIM_FAILED);
    if (strncmp(lsim_message(l), want, strlen(want)) != 0)
        fail_msg("failed with \"%s\", not \"%s...\"", lsim_message(l), want);
    lsim_free(l);
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

/* The REPL's "= expr" (lsim_eval) names its results the same way: tables show their contents,
   and what has no text of its own inside them is named by number. */
static void
test_eval_table_result_stable_name(void **state)
{
    (void)state;
    struct lsim *l = lfx_new("t = {}\nprint(t)\n");
    char *out = NULL;
    assert_int_equal(lfx_finish(l), LSIM_DONE);
    assert_int_equal(lsim_eval(l, "tostring(t), tostring({}), tostring(t)", &out), 0);
    assert_string_equal(out, "table: #1\ttable: #2\ttable: #1");
    free(out);
    assert_int_equal(lsim_eval(l, "t, {t = t, co = coroutine.create(function() end)}", &out), 0);
    assert_string_equal(out, "{}\t{ co = thread: #3, t = {} }");
    free(out);
    lsim_free(l);
}

/* 26 string keys, made in a scrambled order: visited in byte order, whatever the hash seed. */
static void
test_pairs_string_keys_visited_in_byte_order(void **state)
{
    (void)state;
    says_twice("local t = {}\n"
               "for i = 0, 25 do t[string.char(97 + (i * 7) % 26) .. i] = i end\n"
               "t.B, t.Ab, t.A, t[''] = 1, 2, 3, 4\n"
               "local ks = {}\n"
               "for k, v in pairs(t) do ks[#ks + 1] = k .. '=' .. v end\n"
               "say(table.concat(ks, ' '))\n"
               "local u = { alpha = 1, beta = 2, gamma = 3, delta = 4, epsilon = 5, zeta = 6, eta = 7,\n"
               "  theta = 8, iota = 9, kappa = 10 }\n"
               "ks = {} for k in pairs(u) do ks[#ks + 1] = k end say(table.concat(ks, ' '))\n",
               "=4 A=3 Ab=2 B=1 a0=0 b15=15 c4=4 d19=19 e8=8 f23=23 g12=12 h1=1 i16=16 j5=5 k20=20 l9=9 "
               "m24=24 n13=13 o2=2 p17=17 q6=6 r21=21 s10=10 t25=25 u14=14 v3=3 w18=18 x7=7 y22=22 "
               "z11=11\n"
               "alpha beta delta epsilon eta gamma iota kappa theta zeta\n");
}

/* Numbers ascending (integers and floats by value), strings, false, true, then objects by
   their numbers. Objects not named yet are named as they are visited (in address order,
   which depends on the allocator, so only the numbering is checked here). */
static void
test_pairs_mixed_keys_in_class_order(void **state)
{
    (void)state;
    says_twice("local a, b, c, co = {}, {}, {}, coroutine.running()\n"
               "say(tostring(c) .. ' ' .. tostring(print) .. ' ' .. tostring(a) .. ' ' .. tostring(co) .. ' ' .. tostring(b))\n"
               "local t = { [3] = 1, [1.5] = 1, [-2] = 1, [2^70] = 1, [-1/0] = 1, [1/0] = 1,\n"
               "  [math.maxinteger] = 1, [math.mininteger] = 1, [2^63] = 1, [-2^63 - 2^11] = 1,\n"
               "  x = 1, [''] = 1, ['10'] = 1, [true] = 1, [false] = 1, [a] = 1, [b] = 1, [c] = 1,\n"
               "  [print] = 1, [co] = 1 }\n"
               "for i = 1, 5 do t[i * 2] = 1 end\n"
               "local ks = {}\n"
               "for k in pairs(t) do ks[#ks + 1] = math.type(k) == 'integer' and string.format('%d', k) or tostring(k) end\n"
               "say(table.concat(ks, ' '))\n"
               "local u = {}\n"
               "for i = 1, 10 do u[{}] = i; u[function() end] = i end\n"
               "ks = {}\n"
               "for k in pairs(u) do ks[#ks + 1] = tostring(k):match('#(%d+)') end\n"
               "say(table.concat(ks, ' '))\n"
               "-- integers near 2^63 against the float 2^63: all the same as doubles, not as keys\n"
               "local big = { [2^63] = 'f', [math.maxinteger] = 'max', [math.maxinteger - 1] = 'max-1', [2^62] = '2^62' }\n"
               "ks = {} for _, v in pairs(big) do ks[#ks + 1] = v end\n"
               "say(table.concat(ks, ' ') .. ' / ' .. big[next(big, math.maxinteger)])\n",
               "table: #1 function: #2 table: #3 thread: #4 table: #5\n"
               "-inf -9.2233720368548e+18 -9223372036854775808 -2 1.5 2 3 4 6 8 10 "
               "9223372036854775807 9.2233720368548e+18 1.1805916207174e+21 inf  10 x false true "
               "table: #1 function: #2 table: #3 thread: #4 table: #5\n"
               "6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25\n"
               "2^62 max-1 max f / f\n");
}

/* next(t, k) gives the key after k in the same order as pairs; an unknown key is refused as
   Lua refuses it; a key cleared during the traversal still leads on. */
static void
test_next_traversal_same_order_as_pairs(void **state)
{
    (void)state;
    says_twice("local t = { [2] = 'two', [0.5] = 'half', z = 'z', a = 'a', [true] = 'T', [{}] = 'obj' }\n"
               "for i = 1, 20 do t['k' .. i] = i end\n"
               "local via_pairs, via_next = {}, {}\n"
               "for k, v in pairs(t) do via_pairs[#via_pairs + 1] = tostring(k) .. '=' .. tostring(v) end\n"
               "local k, v = next(t)\n"
               "while k ~= nil do via_next[#via_next + 1] = tostring(k) .. '=' .. tostring(v); k, v = next(t, k) end\n"
               "expect(table.concat(via_pairs, ' ') == table.concat(via_next, ' '), table.concat(via_next, ' '))\n"
               "say(table.concat(via_next, ' ', 1, 6))\n"
               "say(select(2, pcall(next, t, 'nosuch')))\n"
               "say(tostring(next({})) .. ' ' .. tostring(next({ 5 }, 1)) .. ' ' .. select(2, next({ 5 })))\n"
               "local r = { a = 1, b = 2, c = 3 }\n"
               "local out, key = {}, next(r)\n"
               "while key do out[#out + 1] = key; r[key] = nil; key = next(r, key) end\n"
               "say(table.concat(out, ' ') .. ' then ' .. tostring(next(r)))\n",
               "0.5=half 2=two a=a k1=1 k10=10 k11=11\n"
               "invalid key to 'next'\n"
               "nil nil 5\n"
               "a b c then nil\n");
}

/* Assigning existing fields and clearing them during a traversal is allowed: a key cleared
   before its turn is skipped, one added is not visited; __pairs is honoured, and may yield. */
static void
test_pairs_modified_during_traversal_skips_removed(void **state)
{
    (void)state;
    says_twice("local t = { a = 1, b = 2, c = 3, d = 4, e = 5 }\n"
               "local seen = {}\n"
               "for k, v in pairs(t) do\n"
               "  seen[#seen + 1] = k .. v\n"
               "  t[k] = v * 10; t.c = nil; t.z = 26; t[k .. k] = 0\n"
               "end\n"
               "say(table.concat(seen, ' ') .. ' / ' .. t.a .. ' ' .. tostring(t.c))\n"
               "local P = setmetatable({}, { __pairs = function(self)\n"
               "  coroutine.yield('inside __pairs')\n"
               "  return function(_, i) if i < 3 then return i + 1, 'p' end end, self, 0\n"
               "end })\n"
               "local co = coroutine.wrap(function()\n"
               "  local r = {}\n"
               "  for k, v in pairs(P) do r[#r + 1] = k .. v end\n"
               "  return table.concat(r, ' ')\n"
               "end)\n"
               "say(co()) say(co())\n"
               "say(select(2, pcall(pairs, 1)))\n",
               "a1 b2 d4 e5 / 10 nil\n"
               "inside __pairs\n"
               "1p 2p 3p\n"
               "bad argument #1 to 'pairs' (table expected, got number)\n");
}

/* Sorting and scanning keys is C work the count hook never sees: it is charged to the
   instruction limit, and a table too big for the memory left fails cleanly. */
static void
test_pairs_big_table_charged_to_limits(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.max_instructions = 10000000;
    const char *build = "local t = {}\nfor i = 1, 10000 do t['k' .. i] = i end\n";
    char code[512];
    snprintf(code, sizeof code, "%sfor i = 1, 200 do pairs(t) end\n", build);
    fails_under(&o, code, "t.lua:3: instruction limit (10000000) exceeded");
    snprintf(code, sizeof code, "%sfor i = 1, 100 do next(t, 'k5') end\n", build);
    fails_under(&o, code, "t.lua:3: instruction limit (10000000) exceeded");
    o = (struct lsim_opts)LSIM_OPTS_DEFAULT;
    o.max_memory = 8u << 20; /* the table takes 3 MB, pairs would add 6 */
    fails_under(&o,
                "local t = {}\nfor i = 1, 100000 do t[i + 0.5] = true end\n"
                "for k in pairs(t) do end\n",
                "t.lua:3: memory limit");
}

/* A reference in Lua for the sort tests: a top-down merge sort, stable, written for clarity
   (any correct stable sort gives the same result as any other for a strict order). */
#define LSIM_REF_SORT                                                                               \
    "local function ref_sort(t, lt)\n"                                                              \
    "  lt = lt or function(a, b) return a < b end\n"                                              \
    "  local function rec(lo, hi)\n"                                                                \
    "    if hi - lo < 1 then return end\n"                                                          \
    "    local mid = (lo + hi) // 2\n"                                                              \
    "    rec(lo, mid) rec(mid + 1, hi)\n"                                                           \
    "    local left, right, k = table.move(t, lo, mid, 1, {}), table.move(t, mid + 1, hi, 1, {}), lo\n" \
    "    local i, j = 1, 1\n"                                                                       \
    "    while i <= #left and j <= #right do\n"                                                     \
    "      if lt(right[j], left[i]) then t[k] = right[j]; j = j + 1 else t[k] = left[i]; i = i + 1 end\n" \
    "      k = k + 1\n"                                                                             \
    "    end\n"                                                                                     \
    "    table.move(left, i, #left, k, t) table.move(right, j, #right, k + #left - i + 1, t)\n"    \
    "  end\n"                                                                                       \
    "  rec(1, #t)\n"                                                                                \
    "  return t\n"                                                                                  \
    "end\n"

/* table.sort gives what the reference gives: numbers, strings, mixed integers and floats,
   with and without a comparator, reversed, sorted, many duplicates, sizes 0 to 5000. */
static void
test_sort_any_input_equals_reference(void **state)
{
    (void)state;
    says_twice(LSIM_REF_SORT
               "local inputs = {\n"
               "  rnd = function(i) return math.random(1, 1000) end,\n"
               "  dup = function(i) return math.random(1, 3) end,\n"
               "  asc = function(i) return i end, desc = function(i) return -i end,\n"
               "  mixed = function(i) return i % 3 == 0 and i / 4 or (i * 7919) % 101 end,\n"
               "  str = function(i) return tostring(math.random(1, 500)) .. 'x' end }\n"
               "local comps = { ['<'] = false, gt = function(a, b) return a > b end,\n"
               "  mod = function(a, b) return a % 7 < b % 7 end }\n"
               "local cases, moved = 0, 0\n"
               "for _, n in ipairs({ 0, 1, 2, 3, 101, 5000 }) do\n"
               "  for iname, gen in pairs(inputs) do\n"
               "    for cname, comp in pairs(comps) do\n"
               "      if not (iname == 'str' and cname == 'mod') then\n"
               "        local t = {}\n"
               "        for i = 1, n do t[i] = gen(i) end\n"
               "        local want = ref_sort(table.move(t, 1, n, 1, {}), comp or nil)\n"
               "        table.sort(t, comp or nil)\n"
               "        for i = 1, n do expect(t[i] == want[i], iname .. ' ' .. cname .. ' ' .. n .. ' at ' .. i) end\n"
               "        expect(#t == n and t[n + 1] == nil)\n"
               "        for i = 2, n do if t[i] ~= t[i - 1] then moved = moved + 1 break end end\n"
               "        cases = cases + 1\n"
               "      end\n"
               "    end\n"
               "  end\n"
               "end\n"
               "say(cases .. ' cases')\n"
               "local t = { 5, 2.5, -1, 2, 10, 2.0 }\n"
               "table.sort(t) say(table.concat(t, ' '))\n"
               "t = { 'b', 'a', 'B', '', 'ab' } table.sort(t, function(a, b) return a > b end)\n"
               "say(table.concat(t, ','))\n"
               "local seen = 0 table.sort({ 1 }, function() seen = seen + 1 end) table.sort({}, 5)\n"
               "say('size 0 and 1: ' .. seen .. ' calls, the comparator not even checked')\n",
               "102 cases\n"
               "-1 2 2.0 2.5 5 10\n"
               "b,ab,a,B,\n"
               "size 0 and 1: 0 calls, the comparator not even checked\n");
}

/* Records with equal keys keep the order they had (what made traces differ: 2,000 records,
   ten to a key, keys descending, was sorted differently on every run by Lua's sort). */
static void
test_sort_equal_keys_keep_original_order(void **state)
{
    (void)state;
    says_twice("local r = {}\n"
               "for i, k in ipairs({ 3, 1, 3, 1, 2, 3, 2, 1 }) do r[i] = { k = k, id = i } end\n"
               "table.sort(r, function(a, b) return a.k < b.k end)\n"
               "local out = {} for i, x in ipairs(r) do out[i] = x.k .. ':' .. x.id end\n"
               "say(table.concat(out, ' '))\n"
               "local ev = {}\n"
               "for i = 1, 2000 do ev[i] = { t = (2000 - i) // 10, id = i } end\n"
               "table.sort(ev, function(a, b) return a.t < b.t end)\n"
               "for i = 2, #ev do\n"
               "  expect(ev[i - 1].t < ev[i].t or ev[i - 1].t == ev[i].t and ev[i - 1].id < ev[i].id, i)\n"
               "end\n"
               "say(ev[1].t .. ':' .. ev[1].id .. ' ' .. ev[2].t .. ':' .. ev[2].id .. ' ' .. ev[2000].t .. ':' .. ev[2000].id)\n"
               "local mt = { __lt = function(a, b) return a.k < b.k end }\n"
               "local o = {} for i = 1, 300 do o[i] = setmetatable({ k = i % 4, id = i }, mt) end\n"
               "table.sort(o)\n"
               "for i = 2, #o do expect(o[i - 1].k < o[i].k or o[i - 1].id < o[i].id, 'by __lt, stable') end\n"
               "say(o[1].k .. ':' .. o[1].id .. ' ' .. o[300].k .. ':' .. o[300].id)\n",
               "1:2 1:4 1:8 2:5 2:7 3:1 3:3 3:6\n"
               "0:1991 0:1992 199:10\n"
               "0:4 3:299\n");
}

/* The comparator is called the same number of times on every run, and as often as a
   bottom-up merge sort (runs of 1, 2, 4, ..., in-order runs copied after one comparison)
   written in Lua calls it; for a sorted list, n - 1 times. */
static void
test_sort_comparator_calls_same_each_run_as_merge_sort(void **state)
{
    (void)state;
    says_twice("local function merge_sort_calls(t, lt)\n"
               "  local n, calls, src, dst = #t, 0, table.move(t, 1, #t, 1, {}), {}\n"
               "  local function less(a, b) calls = calls + 1 return lt(a, b) end\n"
               "  local w = 1\n"
               "  while w < n do\n"
               "    for lo = 1, n, 2 * w do\n"
               "      local mid, hi = lo + w, math.min(lo + 2 * w, n + 1)\n"
               "      if mid >= hi or not less(src[mid], src[mid - 1]) then table.move(src, lo, hi - 1, lo, dst)\n"
               "      else\n"
               "        local i, j, k = lo, mid, lo\n"
               "        while i < mid and j < hi do\n"
               "          if less(src[j], src[i]) then dst[k] = src[j]; j = j + 1 else dst[k] = src[i]; i = i + 1 end\n"
               "          k = k + 1\n"
               "        end\n"
               "        table.move(src, i, mid - 1, k, dst) table.move(src, j, hi - 1, k + mid - i, dst)\n"
               "      end\n"
               "    end\n"
               "    src, dst, w = dst, src, w * 2\n"
               "  end\n"
               "  return calls\n"
               "end\n"
               "local function count(t)\n"
               "  local lt = function(a, b) return a.t < b.t end\n"
               "  local want, calls = merge_sort_calls(t, lt), 0\n"
               "  table.sort(t, function(a, b) calls = calls + 1 return lt(a, b) end)\n"
               "  expect(calls == want, calls .. ' calls, the merge sort makes ' .. want)\n"
               "  return calls\n"
               "end\n"
               "local function records(n, key) local r = {} for i = 1, n do r[i] = { t = key(i) } end return r end\n"
               "say(count(records(2000, function(i) return (2000 - i) // 10 end)) .. ' '\n"
               "  .. count(records(2000, function(i) return (i * 7919) % 50 end)) .. ' '\n"
               "  .. count(records(5000, function(i) return math.random(1, 100) end)) .. ' '\n"
               "  .. count(records(101, function(i) return i end)) .. ' '\n"
               "  .. count(records(8, function(i) return -i end)))\n",
               "11813 21222 59865 100 19\n");
}

/* Errors are Lua's: argument checks (messages as stock Lua's), a comparator's own error with
   its file:line, values '<' cannot compare, a yield inside the comparator; a failed sort
   leaves the list as it was. */
static void
test_sort_bad_arguments_and_comparator_errors_raised(void **state)
{
    (void)state;
    char msg[512];
    assert_int_equal(lfx_run("local t = { 3, 1, 2 }\ntable.sort(nil)\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:2: bad argument #1 to 'sort' (table expected, got nil)");
    assert_int_equal(lfx_run("local t = { 3, 1, 2 }\n"
                             "table.sort(t, function(a, b)\n"
                             "  if a == 2 or b == 2 then error('no twos') end\n"
                             "  return a < b\n"
                             "end)\n",
                             msg, sizeof msg),
                     LSIM_FAILED);
    assert_string_equal(msg, "t.lua:3: no twos");
    assert_int_equal(lfx_run("table.sort({ 1, 'x' })\n", msg, sizeof msg), LSIM_FAILED);
    assert_string_equal(msg, "t.lua:1: attempt to compare string with number");
    says_twice("local function err(...) return select(2, pcall(table.sort, ...)) end\n"
               "say(err(nil)) say(err('abc')) say(err({ 2, 1 }, 5))\n"
               "say(err({ {}, {} })) say(err({ 1, nil, 3 }))\n"
               "say(err(setmetatable({}, { __len = function() return math.maxinteger end })))\n"
               "local t = { 3, 2, 1 }\n"
               "say(err(t, function(a, b) if a == 1 then error({ code = 7 }) end return a < b end).code)\n"
               "say(table.concat(t, ' '))\n"
               "local co = coroutine.wrap(function()\n"
               "  table.sort({ 3, 2, 1 }, function(a, b) coroutine.yield() return a < b end)\n"
               "end)\n"
               "say(select(2, pcall(co)))\n",
               "bad argument #1 to 'table.sort' (table expected, got nil)\n"
               "bad argument #1 to 'table.sort' (table expected, got string)\n"
               "bad argument #2 to 'table.sort' (function expected, got number)\n"
               "attempt to compare two table values\n"
               "attempt to compare nil with number\n"
               "bad argument #1 to 'table.sort' (array too big)\n"
               "7\n"
               "3 2 1\n"
               "attempt to yield across a C-call boundary\n");
}

/* The list is read and written through lua_geti/lua_seti, so a proxy's __index, __newindex
   and __len are honoured as Lua's sort honours them; each element is read and written once. */
static void
test_sort_proxy_list_uses_metamethods(void **state)
{
    (void)state;
    says_twice("local back, reads, writes = { 5, 3, 9, 1, 7 }, 0, 0\n"
               "local p = setmetatable({}, {\n"
               "  __index = function(_, i) reads = reads + 1 return back[i] end,\n"
               "  __newindex = function(_, i, v) writes = writes + 1 back[i] = v end,\n"
               "  __len = function() return #back end })\n"
               "table.sort(p)\n"
               "say(table.concat(back, ' ') .. ' / ' .. reads .. ' reads ' .. writes .. ' writes / ' .. tostring(rawget(p, 1)))\n",
               "1 3 5 7 9 / 5 reads 5 writes / nil\n");
}

/* Sorting is C work the count hook never sees: charged to the instruction limit, so a sort
   in a loop stops; a list too big for the memory left fails cleanly. */
static void
test_sort_in_endless_loop_stopped_by_limits(void **state)
{
    (void)state;
    struct lsim_opts o = LSIM_OPTS_DEFAULT;
    o.max_instructions = 10000000;
    fails_under(&o,
                "local t = {}\nfor i = 1, 10000 do t[i] = (i * 7919) % 10007 end\n"
                "local sorts = 0\n"
                "while true do\n"
                "  table.sort(t)\n"
                "  sorts = sorts + 1 -- uncharged, 100 sorts would pass: fail then, not hang\n"
                "  assert(sorts < 100, 'table.sort is not charged')\n"
                "end\n",
                "t.lua:5: instruction limit (10000000) exceeded");
    o = (struct lsim_opts)LSIM_OPTS_DEFAULT;
    o.max_memory = 8u << 20; /* the list takes 4 MB, sorting it would add 8 */
    fails_under(&o, "local t = {}\nfor i = 1, 250000 do t[i] = -i end\ntable.sort(t)\n", "t.lua:3: memory limit");
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
        cmocka_unit_test(test_pairs_string_keys_visited_in_byte_order),
        cmocka_unit_test(test_pairs_mixed_keys_in_class_order),
        cmocka_unit_test(test_next_traversal_same_order_as_pairs),
        cmocka_unit_test(test_pairs_modified_during_traversal_skips_removed),
        cmocka_unit_test(test_pairs_big_table_charged_to_limits),
        cmocka_unit_test(test_sort_any_input_equals_reference),
        cmocka_unit_test(test_sort_equal_keys_keep_original_order),
        cmocka_unit_test(test_sort_comparator_calls_same_each_run_as_merge_sort),
        cmocka_unit_test(test_sort_bad_arguments_and_comparator_errors_raised),
        cmocka_unit_test(test_sort_proxy_list_uses_metamethods),
        cmocka_unit_test(test_sort_in_endless_loop_stopped_by_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
