/*
 * lsim_grade.c - grading: goals files and settings fixed from outside (tcpsim test --goals,
 * --set, --settings).
 *
 * Settings fixed from outside are parsed from "[A.|B.]NAME=VALUE" (--set) or a file of such
 * lines (--settings); they win over the script's own sysctl writes and are re-applied when
 * sim:config changes the preset (lsim_apply_fixed). A goal `changed = {...}` grades exactly
 * these.
 *
 * goals{} records goals as the script calls it, checking each one then (a mistake is an error
 * at the goal's line); lsim_goals_eval checks them against the run's trace and settings. A
 * goals file runs in a runner of its own that shares the student's world and log (lsim_goals).
 *
 * Entry points: lsim_fix_setting, lsim_fix_settings_file (before lsim_load), lsim_apply_fixed,
 * lsim_is_fixed; lsim_goals_fn (goals{}, registered by lsim_open_sim); lsim_goals_check,
 * lsim_goals -> lsim_goals_eval, lsim_goals_free; lsim_scenario_goals, lsim_goals_count.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lsim_internal.h"

/* ---- settings fixed from outside ---------------------------------------------------------- */

/* Parse "NAME=VALUE", "A.NAME=VALUE" or "B.NAME=VALUE" (spaces around '=' allowed) into the
   host (-1: both), the setting and the value; 0, or -1 with the reason in 'err'. Values are
   numbers (seconds for durations), or true/false. */
static int
lsim_parse_assignment(const char *text, int *host, const struct tcp_setting_info **info, double *v, int three[3],
                      bool *is3, char *err, size_t cap)
{
    char name[96];
    const char *eq = strchr(text, '=');
    if (!eq) {
        snprintf(err, cap, "'%s' is not NAME=VALUE", text);
        return -1;
    }
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    *host = -1;
    if ((p[0] == 'A' || p[0] == 'B') && p[1] == '.') {
        *host = p[0] - 'A';
        p += 2;
    }
    size_t n = (size_t)(eq - p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof name) {
        snprintf(err, cap, "'%s' is not NAME=VALUE", text);
        return -1;
    }
    memcpy(name, p, n);
    name[n] = '\0';
    *info = tcp_setting_find(name);
    if (!*info) {
        const char *names[128];
        size_t k = 0;
        for (size_t i = 0; i < tcp_setting_count && k < 128; i++)
            names[k++] = tcp_setting_table[i].name;
        const char *near = lsim_nearest(name, names, k);
        snprintf(err, cap, "unknown setting '%s'%s%s%s (docs/settings.md lists them)", name,
                 near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        return -1;
    }
    const char *val = eq + 1;
    while (*val == ' ' || *val == '\t')
        val++;
    char *end = NULL;
    *is3 = false;
    if ((*info)->kind == TCP_SET_TRIPLE && strpbrk(val, " \t")) {
        /* "4096 131072 6291456": Linux's three values, as /proc/sys shows them */
        struct tcp_settings probe;
        tcp_settings_preset(&probe, TCP_PRESET_LINUX);
        if (tcp_setting_parse(&probe, *info, val) != TCP_OK) {
            snprintf(err, cap, "%s: '%s' is not \"min default max\" in order, each in [%g, %g]", (*info)->name, val,
                     (*info)->min, (*info)->max);
            return -1;
        }
        memcpy(three, (const char *)&probe + (*info)->offset, 3 * sizeof three[0]);
        *v = three[1];
        *is3 = true;
        return 0;
    }
    if (strncmp(val, "true", 4) == 0 || strncmp(val, "false", 5) == 0) {
        *v = val[0] == 't';
        end = (char *)val + (val[0] == 't' ? 4 : 5);
    } else {
        *v = strtod(val, &end);
    }
    while (end && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (end == val || !end || *end) {
        snprintf(err, cap, "%s: '%s' is not a number", (*info)->name, val);
        return -1;
    }
    struct tcp_settings probe;
    tcp_settings_preset(&probe, TCP_PRESET_LINUX);
    if (tcp_setting_set(&probe, *info, *v) != TCP_OK) {
        snprintf(err, cap, "%s = %g: out of range [%g, %g]%s", (*info)->name, *v, (*info)->min, (*info)->max,
                 (*info)->kind == TCP_SET_TIME ? " seconds" : "");
        return -1;
    }
    return 0;
}

/* Apply the fixed settings to the world's hosts (after a preset changed them all). */
void
lsim_apply_fixed(struct lsim *l)
{
    for (size_t i = 0; i < l->nfixed; i++)
        lsim_override_apply(&l->w->host[l->fixed[i].host].cfg, &l->fixed[i]);
}

bool
lsim_is_fixed(const struct lsim *l, int host, const struct tcp_setting_info *info)
{
    for (size_t i = 0; i < l->nfixed; i++)
        if (l->fixed[i].host == host && l->fixed[i].info == info)
            return true;
    return false;
}

int
lsim_fix_setting(struct lsim *l, const char *text, char *err, size_t cap)
{
    int host;
    const struct tcp_setting_info *info;
    double v;
    int three[3] = {0, 0, 0};
    bool is3;
    if (lsim_parse_assignment(text, &host, &info, &v, three, &is3, err, cap) != 0)
        return -1;
    for (int h = 0; h < WORLD_HOSTS; h++) {
        if (host >= 0 && h != host)
            continue;
        size_t i = 0;
        while (i < l->nfixed && !(l->fixed[i].host == h && l->fixed[i].info == info))
            i++;
        if (i == l->nfixed) {
            struct lsim_override *n = realloc(l->fixed, (l->nfixed + 1) * sizeof *n);
            if (!n) {
                snprintf(err, cap, "not enough memory");
                return -1;
            }
            l->fixed = n;
            l->nfixed++;
        }
        l->fixed[i] = (struct lsim_override){h, info, v, is3, {three[0], three[1], three[2]}};
    }
    lsim_apply_fixed(l);
    return 0;
}

int
lsim_fix_settings_file(struct lsim *l, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512], why[400];
    int rc = 0;
    for (int no = 1; rc == 0 && fgets(line, sizeof line, f); no++) {
        char *p = line;
        p[strcspn(p, "#")] = '\0'; /* a comment to the end of the line */
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '\n' || *p == '\r')
            continue;
        if (lsim_fix_setting(l, p, why, sizeof why) != 0) {
            snprintf(err, cap, "%s:%d: %s", path, no, why);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

/* ---- goals{}: recording a goal, checking one against a run -------------------------------- */

/* The line of the goal called 'name' in goals file 'path': the first line at or after 'from'
   (the goals{} call's) where the name is written as a string ("name" or 'name'), for errors
   that point at the goal itself; 'from' when it cannot be found. */
static int
lsim_goal_line(const char *path, int from, const char *name)
{
    char quoted[2][200], line[4096];
    if (!name || strlen(name) > 190)
        return from;
    snprintf(quoted[0], sizeof quoted[0], "\"%s\"", name);
    snprintf(quoted[1], sizeof quoted[1], "'%s'", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return from;
    int found = from;
    for (int no = 1; fgets(line, sizeof line, f); no++)
        if (no >= from && (strstr(line, quoted[0]) || strstr(line, quoted[1]))) {
            found = no;
            break;
        }
    fclose(f);
    return found;
}

/* Raise "path:line: goal 'name': <why>" for the goal at 'g' (the message 'why' on the top of
   the stack). 'path' and 'line' are the goals{} call's. */
static int
lsim_goal_error(lua_State *L, int g, int index, const char *path, int line)
{
    const char *why = lua_tostring(L, -1);
    lua_getfield(L, g, "name");
    const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (name)
        lua_pushfstring(L, "%s:%d: goal '%s': %s", path, lsim_goal_line(path, line, name), name, why);
    else
        lua_pushfstring(L, "%s:%d: goal %d: %s", path, line, index, why);
    return lua_error(L);
}

/* The rule called 'name' (its identifier, any case), or -1 with the message on the stack. */
static int
lsim_rule_lookup(lua_State *L, const char *name)
{
    const char *names[TCP_RULE_COUNT];
    for (int r = 1; r < TCP_RULE_COUNT; r++) {
        names[r - 1] = tcp_rule_name((enum tcp_rule)r);
        if (strcasecmp(name, names[r - 1]) == 0)
            return r;
    }
    const char *near = lsim_nearest(name, names, TCP_RULE_COUNT - 1);
    lua_pushfstring(L, "unknown rule '%s'%s%s%s (docs/lua-api.md lists the rules)", name, near ? " (did you mean " : "",
                    near ? near : "", near ? "?)" : "");
    return -1;
}

/* A setting named by the string at 'idx', or NULL with the message on the stack. */
static const struct tcp_setting_info *
lsim_setting_lookup(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TSTRING) {
        lua_pushfstring(L, "a setting is named by a string, not a %s", luaL_typename(L, idx));
        return NULL;
    }
    const char *name = lua_tostring(L, idx);
    const struct tcp_setting_info *info = tcp_setting_find(name);
    if (info)
        return info;
    const char *names[128];
    size_t k = 0;
    for (size_t i = 0; i < tcp_setting_count && k < 128; i++)
        names[k++] = tcp_setting_table[i].name;
    const char *near = lsim_nearest(name, names, k);
    lua_pushfstring(L, "unknown setting '%s'%s%s%s (docs/settings.md lists them)", name, near ? " (did you mean " : "",
                    near ? near : "", near ? "?)" : "");
    return NULL;
}

/* Check goal table 'g' (the index-th) as it is recorded: every field known, exactly one kind,
   states, rules, hosts and settings that exist, an edge of the state diagram. NULL when it is
   sound, else the reason (on the stack). */
static const char *
lsim_goal_validate(lua_State *L, struct lsim *l, int g)
{
    static const char *const fields[] = {"name", "check", "state", "edge", "rule", "setting", "changed", "host", NULL};
    static const char *const kinds[] = {"check", "state", "edge", "rule", "setting", "changed"};
    int top = lua_gettop(L);
    /* fields, the first unknown one in byte order */
    const char *bad = NULL;
    lua_pushnil(L);
    while (lua_next(L, g)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
        bool ok = false;
        for (size_t i = 0; fields[i]; i++)
            ok = ok || strcmp(k, fields[i]) == 0;
        if (!ok && (!bad || strcmp(k, bad) < 0))
            bad = k; /* the key stays alive in the table */
    }
    if (bad) {
        const char *near = lsim_nearest(bad, fields, sizeof fields / sizeof *fields - 1);
        return lua_pushfstring(L, "unknown field '%s'%s%s%s (a goal has name, one of check, state, edge, rule, "
                                  "setting, changed, and host)",
                               bad, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    int nkinds = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        nkinds += lua_getfield(L, g, kinds[i]) != LUA_TNIL;
        lua_pop(L, 1);
    }
    if (nkinds != 1)
        return lua_pushstring(L, "needs exactly one of check, state, edge, rule, setting, changed");
    int t = lua_getfield(L, g, "name");
    if (t != LUA_TNIL && t != LUA_TSTRING)
        return lua_pushfstring(L, "field 'name' must be a string, not a %s", luaL_typename(L, -1));
    if (lua_getfield(L, g, "host") != LUA_TNIL && !luaL_testudata(L, -1, LSIM_HOST_MT) &&
        (lua_type(L, -1) != LUA_TSTRING || !world_host(l->w, lua_tostring(L, -1))))
        return lua_pushfstring(L, "unknown host '%s' (A, B, 10.0.0.1 or 10.0.0.2)", luaL_tolstring(L, -1, NULL));
    if ((t = lua_getfield(L, g, "check")) != LUA_TNIL && t != LUA_TFUNCTION)
        return lua_pushfstring(L, "field 'check' must be a function, not a %s", luaL_typename(L, -1));
    if ((t = lua_getfield(L, g, "state")) != LUA_TNIL) {
        if (t != LUA_TSTRING)
            return lua_pushfstring(L, "field 'state' must be a state's name, not a %s", luaL_typename(L, -1));
        if (lsim_state_lookup(L, lua_tostring(L, -1)) < 0)
            return lua_tostring(L, -1);
    }
    if ((t = lua_getfield(L, g, "rule")) != LUA_TNIL) {
        if (t != LUA_TSTRING)
            return lua_pushfstring(L, "field 'rule' must be a rule's name, not a %s", luaL_typename(L, -1));
        if (lsim_rule_lookup(L, lua_tostring(L, -1)) < 0)
            return lua_tostring(L, -1);
    }
    if ((t = lua_getfield(L, g, "edge")) != LUA_TNIL) {
        int e = lua_gettop(L);
        if (t != LUA_TTABLE || lua_rawlen(L, e) != 2 || lua_rawgeti(L, e, 1) != LUA_TSTRING ||
            lua_rawgeti(L, e, 2) != LUA_TSTRING)
            return lua_pushstring(L, "field 'edge' must be two states, { \"FROM\", \"TO\" }");
        int from = lsim_state_lookup(L, lua_tostring(L, e + 1));
        if (from < 0)
            return lua_tostring(L, -1);
        int to = lsim_state_lookup(L, lua_tostring(L, e + 2));
        if (to < 0)
            return lua_tostring(L, -1);
        if (tcp_edge_find((enum tcp_state)from, (enum tcp_state)to) < 0)
            return lua_pushfstring(L, "%s -> %s is no transition of the state diagram (docs/states.md)",
                                   tcp_state_bsd((enum tcp_state)from), tcp_state_bsd((enum tcp_state)to));
    }
    if ((t = lua_getfield(L, g, "setting")) != LUA_TNIL) {
        int st = lua_gettop(L);
        if (t != LUA_TTABLE)
            return lua_pushstring(L, "field 'setting' must be a table, { tcp_syn_retries = 7 }");
        lua_pushnil(L);
        while (lua_next(L, st)) {
            const struct tcp_setting_info *info = lsim_setting_lookup(L, -2);
            if (!info)
                return lua_tostring(L, -1);
            struct tcp_settings probe = l->w->host[0].cfg;
            int isnum = 0;
            double v = lua_isboolean(L, -1) ? lua_toboolean(L, -1) : (double)lua_tonumberx(L, -1, &isnum);
            if ((!isnum && !lua_isboolean(L, -1)) || tcp_setting_set(&probe, info, v) != TCP_OK)
                return lua_pushfstring(L, "setting %s: %s is no value it can take [%f, %f]", info->name,
                                       luaL_tolstring(L, -1, NULL), info->min, info->max);
            lua_pop(L, 1);
        }
    }
    if ((t = lua_getfield(L, g, "changed")) != LUA_TNIL) {
        int ch = lua_gettop(L);
        if (t != LUA_TTABLE)
            return lua_pushstring(L, "field 'changed' must be a list of settings, { \"tcp_syn_retries\" }");
        for (lua_Integer i = 1; lua_rawgeti(L, ch, i) != LUA_TNIL; i++) {
            if (!lsim_setting_lookup(L, -1))
                return lua_tostring(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_settop(L, top);
    return NULL;
}

/* goals{ {name=, check=|state=|edge=|rule=|setting=|changed=, host=}, ... }: check each goal
   as it is recorded (a mistake is an error at the goal's own line, not a goal that is
   silently never reached) and append it to the recorded goals, with where it is written. In
   a goals file they grade another run (lsim_goals); in a scenario they are the scenario's own,
   checked when it ends (lsim_scenario_goals): a goals file run as a scenario by accident
   fails, it does not pass by doing nothing. */
int
lsim_goals_fn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Debug ar;
    char path[1024] = "?";
    int line = 0;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
        snprintf(path, sizeof path, "%s", ar.source[0] == '@' || ar.source[0] == '=' ? ar.source + 1 : ar.short_src);
        line = ar.currentline;
    }
    struct lsim *l = lsim_get(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_GOAL_LINES_KEY);
    int goals = lua_gettop(L) - 1;
    lua_Integer n = (lua_Integer)lua_rawlen(L, goals);
    for (lua_Integer i = 1; lua_rawgeti(L, 1, i) != LUA_TNIL; i++) {
        int g = lua_gettop(L);
        if (!lua_istable(L, g))
            return luaL_error(L, "goal %d is not a table", (int)i);
        if (lsim_goal_validate(L, l, g))
            return lsim_goal_error(L, g, (int)i, path, line);
        lua_settop(L, g);
        lua_getfield(L, g, "name");
        const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        lua_pushfstring(L, "%s:%d", path, name ? lsim_goal_line(path, line, name) : line);
        lua_rawseti(L, goals + 1, n + 1);
        lua_settop(L, g);
        lua_rawseti(L, goals, ++n);
    }
    return 0;
}

int
lsim_scenario_goals(struct lsim *l)
{
    struct lsim_goal *g = NULL;
    size_t n = 0;
    if (lsim_goals_count(l) == 0)
        return 0;
    if (lsim_goals_eval(l->L, l, &g, &n) != 0) {
        free(l->message);
        l->message = strdup("not enough memory to check the scenario's goals");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (g[i].reached)
            continue;
        lua_getfield(l->L, LUA_REGISTRYINDEX, LSIM_GOAL_LINES_KEY);
        lua_rawgeti(l->L, -1, (lua_Integer)i + 1);
        char msg[1400];
        snprintf(msg, sizeof msg, "%s: goal '%s' not reached%s%s", lua_tostring(l->L, -1) ? lua_tostring(l->L, -1) : "?",
                 g[i].name, g[i].detail ? " - " : "", g[i].detail ? g[i].detail : "");
        lua_pop(l->L, 2);
        free(l->message);
        l->message = strdup(msg);
        rc = -1;
    }
    lsim_goals_free(g, n);
    return rc;
}

size_t
lsim_goals_count(struct lsim *l)
{
    lua_getfield(l->L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    size_t n = lua_rawlen(l->L, -1);
    lua_pop(l->L, 1);
    return n;
}

/* Does the log hold a STATE (or, for a rule, a RULE) event matching? */
static bool
lsim_log_has(const struct trace_log *log, int host, int from, int to, const char *rule)
{
    for (size_t i = 0; i < log->len; i++) {
        const struct trace_event *ev = &log->ev[i];
        if (host >= 0 && ev->host != host)
            continue;
        if (rule) {
            if ((ev->kind == TRACE_STATE || ev->kind == TRACE_RULE) &&
                strcasecmp(tcp_rule_name(ev->rule), rule) == 0)
                return true;
            continue;
        }
        if (ev->kind == TRACE_STATE && (int)ev->to_state == to && (from < 0 || (int)ev->from_state == from))
            return true;
    }
    return false;
}

static int
lsim_cmp_name(const void *a, const void *b)
{
    return strcmp((*(const struct tcp_setting_info *const *)a)->name, (*(const struct tcp_setting_info *const *)b)->name);
}

/* setting = { name = value, ... }: reached when every one has that value at the end of the
   run, on 'host' or on both hosts. */
static bool
lsim_goal_settings(lua_State *L, const struct lsim *l, int st, int host, char **detail)
{
    lua_pushnil(L);
    while (lua_next(L, st)) {
        const struct tcp_setting_info *info = tcp_setting_find(lua_tostring(L, -2));
        double want = lua_isboolean(L, -1) ? lua_toboolean(L, -1) : lua_tonumber(L, -1);
        lua_pop(L, 1);
        for (int h = 0; h < WORLD_HOSTS; h++) {
            if (!info || (host >= 0 && h != host))
                continue;
            double have = tcp_setting_get(&l->w->host[h].cfg, info);
            if (info->kind == TCP_SET_BOOL ? (have != 0) != (want != 0) : fabs(have - want) > 1e-9) {
                char buf[192];
                snprintf(buf, sizeof buf, "%s is %g on %s, not %g", info->name, have, l->w->host[h].name, want);
                *detail = strdup(buf);
                lua_pop(L, 1);
                return false;
            }
        }
    }
    return true;
}

/* changed = { "name", ... }: reached when the settings fixed from outside (the student's
   --set and --settings) are exactly these. */
static bool
lsim_goal_changed(lua_State *L, const struct lsim *l, int ch, int host, char **detail)
{
    const struct tcp_setting_info *want[128], *have[128];
    size_t nw = 0, nh = 0;
    for (lua_Integer i = 1; lua_rawgeti(L, ch, i) != LUA_TNIL && nw < 128; i++) {
        const struct tcp_setting_info *info = tcp_setting_find(lua_tostring(L, -1));
        lua_pop(L, 1);
        bool dup = false;
        for (size_t k = 0; k < nw; k++)
            dup = dup || want[k] == info;
        if (info && !dup)
            want[nw++] = info;
    }
    lua_pop(L, 1);
    const struct lsim *st = l->student ? l->student : l;
    for (size_t i = 0; i < st->nfixed && nh < 128; i++) {
        bool dup = false;
        for (size_t k = 0; k < nh; k++)
            dup = dup || have[k] == st->fixed[i].info;
        if (!dup && (host < 0 || st->fixed[i].host == host))
            have[nh++] = st->fixed[i].info;
    }
    qsort(want, nw, sizeof *want, lsim_cmp_name);
    qsort(have, nh, sizeof *have, lsim_cmp_name);
    bool same = nw == nh;
    for (size_t i = 0; same && i < nw; i++)
        same = want[i] == have[i];
    if (!same) {
        char buf[512] = "the settings given from outside are ";
        size_t k = strlen(buf);
        if (nh == 0)
            snprintf(buf + k, sizeof buf - k, "none");
        for (size_t i = 0; i < nh && k < sizeof buf; i++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? ", " : "", have[i]->name);
        *detail = strdup(buf);
    }
    return same;
}

/* Evaluate goal table at index 'g'; *detail gets a malloc'd reason when not reached. */
static bool
lsim_goal_check(lua_State *L, struct lsim *l, int g, int trace, char **detail)
{
    int host = -1;
    bool ok = false;
    *detail = NULL;
    if (lua_getfield(L, g, "host") != LUA_TNIL)
        host = lsim_check_host(L, lua_gettop(L))->index; /* checked when the goal was recorded */
    if (lua_getfield(L, g, "check") == LUA_TFUNCTION) {
        lua_pushcfunction(L, lsim_msgh);
        lua_insert(L, -2);
        lua_pushvalue(L, trace);
        if (lua_pcall(L, 1, 1, lua_gettop(L) - 2) != LUA_OK) {
            const char *m = lua_tostring(L, -1);
            *detail = strdup(m ? m : "error in the goal");
            return false;
        }
        return lua_toboolean(L, -1);
    }
    if (lua_getfield(L, g, "state") == LUA_TSTRING) {
        int s = tcp_state_parse(lua_tostring(L, -1));
        ok = s >= 0 && lsim_log_has(l->log, host, -1, s, NULL);
    } else if (lua_getfield(L, g, "edge") == LUA_TTABLE) {
        lua_rawgeti(L, -1, 1);
        lua_rawgeti(L, -2, 2);
        int from = lua_isstring(L, -2) ? tcp_state_parse(lua_tostring(L, -2)) : -1;
        int to = lua_isstring(L, -1) ? tcp_state_parse(lua_tostring(L, -1)) : -1;
        ok = from >= 0 && to >= 0 && lsim_log_has(l->log, host, from, to, NULL);
    } else if (lua_getfield(L, g, "rule") == LUA_TSTRING) {
        ok = lsim_log_has(l->log, host, -1, -1, lua_tostring(L, -1));
    } else if (lua_getfield(L, g, "setting") == LUA_TTABLE) {
        ok = lsim_goal_settings(L, l, lua_gettop(L), host, detail);
    } else if (lua_getfield(L, g, "changed") == LUA_TTABLE) {
        ok = lsim_goal_changed(L, l, lua_gettop(L), host, detail);
    }
    return ok;
}

int
lsim_goals_eval(lua_State *L, struct lsim *l, struct lsim_goal **out, size_t *n)
{
    int base = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LSIM_GOALS_KEY);
    size_t count = lua_rawlen(L, -1);
    lsim_push_trace(L, l->log, 0, NULL, false);
    int goals = base + 1, trace = base + 2;
    *out = calloc(count ? count : 1, sizeof **out);
    *n = 0;
    if (!*out) {
        lua_settop(L, base);
        return -1;
    }
    for (size_t i = 1; i <= count; i++) {
        lua_rawgeti(L, goals, (lua_Integer)i);
        int g = lua_gettop(L);
        struct lsim_goal *r = &(*out)[(*n)++];
        lua_getfield(L, g, "name");
        const char *name = lua_tostring(L, -1);
        char num[32];
        snprintf(num, sizeof num, "goal %zu", i);
        r->name = strdup(name ? name : num);
        r->reached = lsim_goal_check(L, l, g, trace, &r->detail);
        lua_settop(L, trace);
    }
    lua_settop(L, base);
    return 0;
}

/* ---- grading a run against a goals file --------------------------------------------------- */

/* Run goals file 'goalfile' to its end in runner 'g' (made for it); 0 with the goals recorded,
   or -1 with '*err' set. A file that records no goal is no goals file. */
static int
lsim_goals_load(struct lsim *g, const char *goalfile, char **err)
{
    g->goals_mode = true;
    if (lsim_load(g, goalfile) == 0) {
        enum lsim_status s;
        do
            s = lsim_resume(g, LSIM_FOREVER);
        while (s == LSIM_RUNNING || s == LSIM_PAUSED);
        if (s == LSIM_DONE && lsim_goals_count(g) > 0)
            return 0;
        if (s == LSIM_DONE) {
            char msg[1100];
            snprintf(msg, sizeof msg, "%s: no goals: a goals file lists them with goals { { name = ..., state = ... }, ... }",
                     goalfile);
            *err = lsim_strdup(msg);
            return -1;
        }
    }
    *err = lsim_strdup(*lsim_message(g) ? lsim_message(g) : "the goals could not be checked");
    return -1;
}

int
lsim_goals_check(const char *goalfile, size_t *n, char **err)
{
    *n = 0;
    *err = NULL;
    struct lsim *g = lsim_new(NULL);
    if (!g) {
        *err = lsim_strdup("not enough memory");
        return -1;
    }
    int rc = lsim_goals_load(g, goalfile, err);
    if (rc == 0)
        *n = lsim_goals_count(g);
    lsim_free(g);
    return rc;
}

struct lsim_goals_call {
    struct lsim *g;
    struct lsim_goal **out;
    size_t *n;
    int rc;
};

/* lsim_goals_eval under lua_pcall: reading a goal's fields may run the goals file's own code
   (a metatable's __index), which may fail. */
static int
lsim_goals_protected(lua_State *L)
{
    struct lsim_goals_call *c = lua_touserdata(L, 1);
    c->rc = lsim_goals_eval(L, c->g, c->out, c->n);
    return 0;
}

int
lsim_goals(struct lsim *l, const char *goalfile, struct lsim_goal **out, size_t *n, char **err)
{
    struct lsim_opts o = l->opts;
    o.world = l->w;
    o.log = l->log;
    *out = NULL;
    *n = 0;
    *err = NULL;
    struct lsim *g = lsim_new(&o);
    if (!g) {
        *err = lsim_strdup("not enough memory");
        return -1;
    }
    g->student = l; /* for goals on the settings the student changed */
    int rc = lsim_goals_load(g, goalfile, err);
    if (rc == 0) {
        struct lsim_goals_call c = {g, out, n, -1};
        lua_pushcfunction(g->L, lsim_goals_protected);
        lua_pushlightuserdata(g->L, &c);
        if (lua_pcall(g->L, 1, 0, 0) == LUA_OK) {
            rc = c.rc;
            if (rc != 0)
                *err = lsim_strdup("not enough memory");
        } else {
            const char *m = lua_tostring(g->L, -1);
            *err = lsim_strdup(m ? m : "error in the goals");
            lsim_goals_free(*out, *n); /* the goals checked before the error */
            *out = NULL;
            *n = 0;
            rc = -1;
        }
        lua_settop(g->L, 0);
    }
    lsim_free(g);
    return rc;
}

void
lsim_goals_free(struct lsim_goal *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(g[i].name);
        free(g[i].detail);
    }
    free(g);
}
