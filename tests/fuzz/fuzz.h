/*
 * fuzz.h - the segment fuzzer's entry point, shared by the libFuzzer build (make fuzz) and the
 * corpus replay driver (replay.c, run by make test).
 */
#ifndef TCPSIM_TEST_FUZZ_H
#define TCPSIM_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Run one input: byte 0 picks the starting state, byte 1 the ISNs, the rest is a program of
   operations (see fuzz_tcp.c). Returns 0; an invariant violation calls abort(). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
