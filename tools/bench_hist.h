/* SPDX-License-Identifier: MIT */
/*
 * bench_hist.h - the latency histogram of `aioring bench`, header only so
 * that bench/liburing_nop.c (a separate binary built against Debian's
 * liburing, without our include path) records latencies exactly as the
 * bench does and can hand its buckets back.
 *
 * Log-linear buckets: 16 per power of two, so any value is kept to within
 * about 6 %, with a fixed array and no allocation in the measured loop.
 */
#ifndef AIORING_BENCH_HIST_H
#define AIORING_BENCH_HIST_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#define BH_SUB_BITS	4
#define BH_SUB		(1u << BH_SUB_BITS)
#define BH_BUCKETS	(64 * BH_SUB)

struct bench_hist {
	uint64_t count;
	uint64_t b[BH_BUCKETS];
};

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline unsigned bench_hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < BH_SUB)
		return (unsigned)v;
	msb = 63 - (unsigned)__builtin_clzll(v);
	shift = msb - BH_SUB_BITS;
	/* Row (msb - SUB_BITS + 1), column = the SUB_BITS bits below the msb. */
	return (shift + 1) * BH_SUB + (unsigned)((v >> shift) & (BH_SUB - 1));
}

/* The middle of bucket @i, the value reported for the samples in it. */
static inline uint64_t bench_hist_value(unsigned i)
{
	unsigned row = i / BH_SUB, col = i % BH_SUB, shift;

	if (row == 0)
		return col;
	shift = row - 1;
	return ((uint64_t)(BH_SUB + col) << shift) + ((1ull << shift) >> 1);
}

/* Adds @n samples of @ns each (a batch completed at once). */
static inline void bench_hist_add(struct bench_hist *h, uint64_t ns, uint64_t n)
{
	h->b[bench_hist_index(ns)] += n;
	h->count += n;
}

static inline void bench_hist_merge(struct bench_hist *dst,
				    const struct bench_hist *src)
{
	unsigned i;

	for (i = 0; i < BH_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
}

/* The @pct percentile (0..100) in ns; 0 for an empty histogram. */
static inline uint64_t bench_hist_pct(const struct bench_hist *h, double pct)
{
	uint64_t want, seen = 0;
	unsigned i;

	if (!h->count)
		return 0;
	want = (uint64_t)((double)h->count * pct / 100.0);
	if (want >= h->count)
		want = h->count - 1;
	for (i = 0; i < BH_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > want)
			return bench_hist_value(i);
	}
	return bench_hist_value(BH_BUCKETS - 1);
}

#endif
