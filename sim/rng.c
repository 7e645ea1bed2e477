/*
 * rng.c - PCG32 (M. E. O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically
 * Good Algorithms for Random Number Generation", 2014): a 64-bit LCG whose output is permuted
 * by an xorshift and a data-dependent rotation. Small, fast and the same on every machine,
 * which is all a deterministic simulator asks of it.
 */
#include "tcpsim/rng.h"

#define PCG_MULT 6364136223846793005ULL

void
rng_seed(struct rng *r, uint64_t seed)
{
    r->state = 0;
    r->inc = (seed << 1) | 1u; /* the stream: any odd increment */
    (void)rng_u32(r);
    r->state += seed ^ 0x853c49e6748fea9bULL;
    (void)rng_u32(r);
}

uint32_t
rng_u32(struct rng *r)
{
    uint64_t old = r->state;
    r->state = old * PCG_MULT + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

uint64_t
rng_u64(struct rng *r)
{
    uint64_t hi = rng_u32(r);
    return (hi << 32) | rng_u32(r);
}

double
rng_unit(struct rng *r)
{
    /* 53 random bits, the precision of a double */
    return (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint32_t
rng_below(struct rng *r, uint32_t n)
{
    /* Lemire's rejection: discard the few values that would bias the modulo. */
    uint32_t threshold = (uint32_t)(-n) % n;
    for (;;) {
        uint32_t x = rng_u32(r);
        if (x >= threshold)
            return x % n;
    }
}
