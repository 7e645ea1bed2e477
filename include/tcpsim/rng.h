/*
 * rng.h - the world's one pseudo-random generator (PCG32, O'Neill 2014).
 *
 * Every random choice in a run (initial sequence numbers, loss, jitter, duplication,
 * reordering, Lua's math.random) draws from the one generator the world owns, seeded from the
 * configuration, so the same seed gives the same run.
 */
#ifndef TCPSIM_RNG_H
#define TCPSIM_RNG_H

#include <stdint.h>

struct rng {
    uint64_t state;
    uint64_t inc;
};

void rng_seed(struct rng *r, uint64_t seed);
uint32_t rng_u32(struct rng *r);
uint64_t rng_u64(struct rng *r);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
/* Uniform in [0, n), without modulo bias; n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);

#endif
