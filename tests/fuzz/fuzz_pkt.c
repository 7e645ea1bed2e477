/*
 * fuzz_pkt.c - the packetdrill script fuzzer: one input is a script's text, parsed
 * (pkt_parse) and, when it parses, run against a fresh world (pkt_run).
 *
 * Whatever the text says, neither may crash, leak, trip a sanitizer or hang; a parse error must
 * come with its message, a verdict other than a pass with its reason. The run is bounded by
 * FZ_STEPS clock events (a script may ask for an idle connection's keep-alive forever).
 * Commands in backticks run nothing: sysctl lines set settings, the rest is ignored (the
 * defaults.sh include is read only when a file of that name is there, relative to the
 * current folder, as for any script).
 */
#include <stdlib.h>
#include <string.h>

#include "tcpsim/pkt.h"
#include "fuzz.h"

#define FZ_STEPS 20000

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkt_script *s = NULL;
    char err[512];
    if (pkt_parse((const char *)data, size, "fuzz.pkt", &s, err, sizeof err) != 0) {
        if (s || strncmp(err, "fuzz.pkt", 8) != 0)
            abort(); /* an error without its file and line */
        return 0;
    }
    struct pkt_run_opts o = PKT_RUN_OPTS_DEFAULT;
    o.max_steps = FZ_STEPS;
    struct pkt_result r;
    pkt_run(s, &o, &r);
    if (r.verdict != PKT_PASS && strncmp(r.msg, "fuzz.pkt", 8) != 0)
        abort(); /* a verdict without its file */
    pkt_script_free(s);
    return 0;
}
