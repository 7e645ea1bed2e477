/*
 * lsim_net.c - `net`, the wire between A and B as a scenario sees it (wire.h): the links'
 * delay, jitter, loss, duplication, reordering and bandwidth; rules that drop, delay or
 * duplicate matching segments; crafted segments; the segments in flight, by id; and a host
 * whose TCP is switched off (net:script). Every call that takes a table refuses unknown keys.
 *
 * Entry point: lsim_open_net. Every net call that changes something is a runner step.
 */
#include <math.h>
#include <string.h>

#include "lsim_internal.h"

static const char *
lsim_host_name(int i)
{
    return i == 0 ? "A" : i == 1 ? "B" : "any";
}

/* A number field 'key' of the options table (argument 2) into '*v' (left as is when absent); checked >= lo, <= hi. */
static bool
lsim_field_num(lua_State *L, const char *key, double lo, double hi, double *v)
{
    int t = lua_getfield(L, 2, key);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return false;
    }
    int isnum = 0;
    double x = (double)lua_tonumberx(L, -1, &isnum);
    lua_pop(L, 1);
    if (!isnum || !(x >= lo && x <= hi)) {
        lua_pushfstring(L, "field '%s' must be a number in [%f, %f]", key, lo, hi);
        luaL_argerror(L, 2, lua_tostring(L, -1));
    }
    *v = x;
    return true;
}

/* The host of field 'key' of the options table: -1 when absent. */
static int
lsim_field_host(lua_State *L, const char *key)
{
    lua_getfield(L, 2, key);
    int i = lsim_opt_host_index(L, lua_gettop(L));
    lua_pop(L, 1);
    return i;
}

/* net:set{delay=, jitter=, loss=, dup=, reorder=, bandwidth=, from=}: both directions unless
   'from' names the sending host. */
static int
lsim_net_set(lua_State *L)
{
    static const char *const allowed[] = {"delay", "jitter", "loss", "dup", "reorder", "bandwidth", "from", NULL};
    luaL_checktype(L, 2, LUA_TTABLE);
    lsim_check_opts(L, 2, allowed);
    struct world *w = lsim_world_check(L);
    int from = lsim_field_host(L, "from");
    for (int i = 0; i < 2; i++) {
        if (from >= 0 && from != i)
            continue;
        struct wire_link s = w->wire.link[i], *k = &s;
        double v;
        if (lsim_field_num(L, "delay", 0, 1e6, &v))
            k->delay = clk_from_sec(v);
        if (lsim_field_num(L, "jitter", 0, 1e6, &v))
            k->jitter = clk_from_sec(v);
        if (lsim_field_num(L, "loss", 0, 1, &v))
            k->loss = v;
        if (lsim_field_num(L, "dup", 0, 1, &v))
            k->dup = v;
        if (lsim_field_num(L, "reorder", 0, 1, &v))
            k->reorder = v;
        if (lsim_field_num(L, "bandwidth", 0, 1e15, &v))
            k->bandwidth = (uint64_t)v;
        wire_link_set(w, i, k);
    }
    return lsim_action(L, 0);
}

/* net:link(from): the settings of the direction 'from' sends on. */
static int
lsim_net_link(lua_State *L)
{
    struct world *w = lsim_world_check(L);
    const struct wire_link *k = &w->wire.link[lsim_check_host(L, 2)->index];
    lua_createtable(L, 0, 6);
    lsim_set_num(L, "delay", clk_to_sec(k->delay));
    lsim_set_num(L, "jitter", clk_to_sec(k->jitter));
    lsim_set_num(L, "loss", k->loss);
    lsim_set_num(L, "dup", k->dup);
    lsim_set_num(L, "reorder", k->reorder);
    lsim_set_int(L, "bandwidth", (lua_Integer)k->bandwidth);
    return 1;
}

/* A rule from the table (argument 2): from, flags, exact, seq, len, count, nth, by. */
static int
lsim_net_rule(lua_State *L, enum wire_action action)
{
    static const char *const allowed[] = {"from", "flags", "exact", "seq", "len", "count", "nth", NULL};
    static const char *const allowed_by[] = {"from", "flags", "exact", "seq", "len", "count", "nth", "by", NULL};
    luaL_checktype(L, 2, LUA_TTABLE);
    lsim_check_opts(L, 2, action == WIRE_DELAY ? allowed_by : allowed);
    struct world *w = lsim_world_check(L);
    struct wire_rule r;
    memset(&r, 0, sizeof r);
    r.action = action;
    r.from = lsim_field_host(L, "from");
    if (lua_getfield(L, 2, "flags") != LUA_TNIL) {
        const char *f = lua_tostring(L, -1);
        if (!f || tcp_flags_parse(f, &r.flags) != 0)
            luaL_argerror(L, 2, "field 'flags' must be flags like \"SYN,ACK\"");
    }
    lua_pop(L, 1);
    lua_getfield(L, 2, "exact");
    r.flags_exact = lua_toboolean(L, -1) ? 1 : 0;
    lua_pop(L, 1);
    double v = 0;
    if (lsim_field_num(L, "seq", 0, 4294967295.0, &v)) {
        r.has_seq = true;
        r.seq = (uint32_t)v;
    }
    r.len = lsim_field_num(L, "len", 0, 1e9, &v) ? (int64_t)v : -1;
    r.count = lsim_field_num(L, "count", -1, HUGE_VAL, &v) ? (v > 1e9 || v < 0 ? -1 : (int)v) : 1;
    r.nth = lsim_field_num(L, "nth", 1, 1e9, &v) ? (int)v : 1;
    if (action == WIRE_DELAY) {
        if (!lsim_field_num(L, "by", 0, 1e6, &v))
            luaL_argerror(L, 2, "field 'by' (seconds) is required");
        r.by = clk_from_sec(v);
    }
    int id = wire_rule_add(w, &r);
    if (id < 0)
        return lsim_action(L, lsim_fail(L, TCP_ENOBUFS));
    lua_pushinteger(L, id);
    return lsim_action(L, 1);
}

static int
lsim_net_drop(lua_State *L)
{
    return lsim_net_rule(L, WIRE_DROP);
}

static int
lsim_net_delay(lua_State *L)
{
    return lsim_net_rule(L, WIRE_DELAY);
}

static int
lsim_net_dup(lua_State *L)
{
    return lsim_net_rule(L, WIRE_DUPLICATE);
}

/* "203.0.113.7" into '*addr'; -1 unless it is exactly four numbers of 0-255 with dots. */
static int
lsim_parse_addr(const char *text, uint32_t *addr)
{
    uint32_t a = 0;
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            v = v * 10u + (unsigned)(*p++ - '0');
            digits++;
        }
        if (v > 255 || digits > 3 || (i < 3 && *p++ != '.'))
            return -1;
        a = a << 8 | v;
    }
    if (*p != '\0')
        return -1;
    *addr = a;
    return 0;
}

/* net:inject{from=, src=, sport=, dport=, seq=, ack=, flags=, win=, data=, mss=, options=,
   raw_options=}: a crafted segment from host 'from' to the other, its source address 'src'
   when given (a spoofed one, whose answers reach nobody); returns its id. 'options' in
   tcpdump's notation ("<mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>"); 'raw_options' the
   octets themselves, read as Linux reads what arrives (tcp_opt_parse: a malformed option
   ends the list). */
static int
lsim_net_inject(lua_State *L)
{
    static const char *const allowed[] = {"from", "src", "sport", "dport", "seq", "ack", "flags", "win", "data", "mss",
                                          "options", "raw_options", NULL};
    luaL_checktype(L, 2, LUA_TTABLE);
    lsim_check_opts(L, 2, allowed);
    struct world *w = lsim_world_check(L);
    int from = lsim_field_host(L, "from");
    luaL_argcheck(L, from >= 0, 2, "field 'from' (a host) is required");
    struct tcp_seg s;
    memset(&s, 0, sizeof s);
    s.saddr = w->host[from].addr;
    s.daddr = w->host[1 - from].addr;
    if (lua_getfield(L, 2, "src") != LUA_TNIL) {
        const char *a = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!a || lsim_parse_addr(a, &s.saddr) != 0)
            luaL_argerror(L, 2, "field 'src' must be an IPv4 address like \"203.0.113.7\"");
    }
    lua_pop(L, 1);
    double v = 0;
    if (lsim_field_num(L, "sport", 0, 65535, &v))
        s.sport = (uint16_t)v;
    if (lsim_field_num(L, "dport", 0, 65535, &v))
        s.dport = (uint16_t)v;
    if (lsim_field_num(L, "seq", 0, 4294967295.0, &v))
        s.seq = (uint32_t)v;
    if (lsim_field_num(L, "ack", 0, 4294967295.0, &v))
        s.ack = (uint32_t)v;
    s.wnd = 65535;
    if (lsim_field_num(L, "win", 0, 65535, &v))
        s.wnd = (uint16_t)v;
    if (lsim_field_num(L, "mss", 0, 65535, &v))
        s.mss = (uint16_t)v;
    if (lua_getfield(L, 2, "flags") != LUA_TNIL) {
        const char *f = lua_tostring(L, -1);
        if (!f || tcp_flags_parse(f, &s.flags) != 0)
            luaL_argerror(L, 2, "field 'flags' must be flags like \"SYN,ACK\"");
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "options") != LUA_TNIL) {
        char err[256];
        const char *o = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        uint16_t mss = s.mss;
        luaL_argcheck(L, o, 2, "field 'options' must be a string like \"<mss 1460,nop,wscale 7>\"");
        if (tcp_opt_from_str(o, &s, err, sizeof err) != 0)
            luaL_argerror(L, 2, lua_pushfstring(L, "field 'options': %s", err));
        if (mss && !s.mss)
            s.mss = mss;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "raw_options") != LUA_TNIL) {
        size_t n = 0;
        const char *o = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &n) : NULL;
        luaL_argcheck(L, o && n <= TCP_OPT_SPACE, 2, "field 'raw_options' must be a string of at most 40 octets");
        (void)tcp_opt_parse((const uint8_t *)o, n, &s);
    }
    lua_pop(L, 1);
    size_t len = 0;
    if (lua_getfield(L, 2, "data") != LUA_TNIL) {
        s.data = (const uint8_t *)lua_tolstring(L, -1, &len);
        luaL_argcheck(L, s.data && len <= 65495, 2, "field 'data' must be a string of at most 65495 bytes");
        s.len = (uint32_t)len;
    }
    uint64_t id = wire_inject(w, from, &s); /* the wire copies the payload */
    lua_pop(L, 1);
    if (id == 0)
        return lsim_action(L, lsim_fail(L, TCP_ENOBUFS));
    lua_pushinteger(L, (lua_Integer)id);
    return lsim_action(L, 1);
}

static void
lsim_push_pkt(lua_State *L, const struct world *w, const struct wire_pkt *p)
{
    char flags[32];
    lua_createtable(L, 0, 12);
    lsim_set_int(L, "id", (lua_Integer)p->id);
    lsim_set_str(L, "from", lsim_host_name(p->from));
    lsim_set_str(L, "to", lsim_host_name(wire_pkt_to(p)));
    lsim_set_str(L, "flags", tcp_flags_str(p->seg.flags, flags, sizeof flags));
    lsim_set_int(L, "sport", p->seg.sport);
    lsim_set_int(L, "dport", p->seg.dport);
    lsim_set_int(L, "seq", p->seg.seq);
    lsim_set_int(L, "ack", p->seg.ack);
    lsim_set_int(L, "len", p->seg.len);
    lsim_set_int(L, "win", p->seg.wnd);
    lsim_set_num(L, "arrive", clk_to_sec(p->arrive_at));
    lsim_set_num(L, "age", clk_to_sec(world_now(w) - p->sent_at));
}

/* net:inflight(): the segments on the wire, in the order they were sent. */
static int
lsim_net_inflight(lua_State *L)
{
    struct world *w = lsim_world_check(L);
    size_t n;
    struct wire_pkt *const *v = wire_inflight(w, &n);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lsim_push_pkt(L, w, v[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static uint64_t
lsim_check_id(lua_State *L, int arg)
{
    lua_Integer id = luaL_checkinteger(L, arg);
    luaL_argcheck(L, id > 0, arg, "segment ids start at 1");
    return (uint64_t)id;
}

static int
lsim_net_drop_id(lua_State *L)
{
    if (wire_drop_id(lsim_world_check(L), lsim_check_id(L, 2), "dropped by the script") != 0)
        return lsim_action(L, lsim_fail(L, TCP_EINVAL));
    lua_pushboolean(L, 1);
    return lsim_action(L, 1);
}

static int
lsim_net_delay_id(lua_State *L)
{
    uint64_t id = lsim_check_id(L, 2);
    lua_Number by = luaL_checknumber(L, 3);
    luaL_argcheck(L, by >= 0 && by <= 1e6, 3, "seconds out of range");
    if (wire_delay_id(lsim_world_check(L), id, clk_from_sec(by)) != 0)
        return lsim_action(L, lsim_fail(L, TCP_EINVAL));
    lua_pushboolean(L, 1);
    return lsim_action(L, 1);
}

static int
lsim_net_dup_id(lua_State *L)
{
    uint64_t copy = wire_dup_id(lsim_world_check(L), lsim_check_id(L, 2));
    if (copy == 0)
        return lsim_action(L, lsim_fail(L, TCP_EINVAL));
    lua_pushinteger(L, (lua_Integer)copy);
    return lsim_action(L, 1);
}

/* net:rules(): the rules, oldest first. */
static int
lsim_net_rules(lua_State *L)
{
    static const char *const actions[] = {[WIRE_DROP] = "drop", [WIRE_DELAY] = "delay", [WIRE_DUPLICATE] = "dup"};
    struct world *w = lsim_world_check(L);
    char flags[32];
    lua_newtable(L);
    int n = 0;
    for (const struct wire_rule *r = w->wire.rules; r; r = r->next) {
        lua_createtable(L, 0, 10);
        lsim_set_int(L, "id", r->id);
        lsim_set_str(L, "action", actions[r->action]);
        lsim_set_str(L, "from", lsim_host_name(r->from));
        lsim_set_str(L, "flags", tcp_flags_str(r->flags, flags, sizeof flags));
        if (r->has_seq) {
            lsim_set_int(L, "seq", r->seq);
        }
        if (r->len >= 0) {
            lsim_set_int(L, "len", r->len);
        }
        lsim_set_int(L, "count", r->count);
        lsim_set_int(L, "nth", r->nth);
        lsim_set_int(L, "seen", r->seen);
        lsim_set_num(L, "by", clk_to_sec(r->by));
        lua_rawseti(L, -2, ++n);
    }
    return 1;
}

static int
lsim_net_unrule(lua_State *L)
{
    lua_Integer id = luaL_checkinteger(L, 2);
    if (id < 1 || id > 0x7fffffff || wire_rule_remove(lsim_world_check(L), (int)id) != 0)
        return lsim_action(L, lsim_fail(L, TCP_EINVAL));
    lua_pushboolean(L, 1);
    return lsim_action(L, 1);
}

/* net:script(host [, on]): switch the host's own TCP off (on = true, the default) or back
   on. Segments addressed to a scripted host are traced as they arrive and go no further; it
   sends only what the scenario injects (net:inject), as packetdrill's remote end does. */
static int
lsim_net_script(lua_State *L)
{
    struct tcp_host *h = lsim_check_host(L, 2);
    bool on = lua_isnone(L, 3) || lua_toboolean(L, 3);
    if (on && !h->scripted && h->conns)
        return luaL_error(L, "net:script(%s): %s has open sockets, whose timers would still send: script it "
                             "before it opens any",
                          h->name, h->name);
    h->scripted = on;
    return lsim_action(L, 0);
}

void
lsim_open_net(lua_State *L)
{
    static const luaL_Reg m[] = {
        {"set", lsim_net_set},           {"link", lsim_net_link},
        {"drop", lsim_net_drop},         {"delay", lsim_net_delay},
        {"dup", lsim_net_dup},           {"inject", lsim_net_inject},
        {"inflight", lsim_net_inflight}, {"drop_id", lsim_net_drop_id},
        {"delay_id", lsim_net_delay_id}, {"dup_id", lsim_net_dup_id},
        {"rules", lsim_net_rules},       {"unrule", lsim_net_unrule},
        {"script", lsim_net_script},
        {NULL, NULL},
    };
    luaL_newlib(L, m);
    luaL_newmetatable(L, LSIM_NET_MT);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "net");
}
