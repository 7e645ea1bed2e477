/*
 * fuzz.h - a fuzz target's entry point, shared by the libFuzzer build (make fuzz) and the
 * corpus replay driver (replay.c, run by make test). Each of fuzz_tcp.c, fuzz_repl.c and
 * fuzz_lua.c defines it.
 */
#ifndef TCPSIM_TEST_FUZZ_H
#define TCPSIM_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input (its layout: the comment at the top of each target). Returns 0; a violated
   invariant calls abort(). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
