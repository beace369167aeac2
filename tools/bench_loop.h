/* SPDX-License-Identifier: MIT */
/*
 * bench_loop.h - the submit/reap loop of every ring workload of `aioring
 * bench`, header only: bench/liburing_nop.c (built against the system's
 * liburing) runs this very code, so "our kernel backend / real liburing"
 * compares the libraries and nothing else. Include <liburing.h> (either
 * one) first; only its public API is used.
 *
 * Time is read once per submit/reap cycle, not per op: every op submitted
 * in one call shares its submit time and every CQE reaped in one pass
 * shares its completion time, so the clock costs the same to all engines
 * and little to a NOP batch.
 */
#ifndef AIORING_BENCH_LOOP_H
#define AIORING_BENCH_LOOP_H

#include <errno.h>
#include <stdbool.h>
#include "bench_hist.h"

struct bench_stats {
	uint64_t ops;
	uint64_t ns;		/* time spent in run(), summed over rounds */
	struct bench_hist hist;	/* per-op latency, submit to completion */
};

/*
 * Keeps qd ops in flight (or, in batch mode, submits qd and waits for all
 * of them). Slots identify ops: user_data is the slot number. The workload
 * fills prep and done.
 */
struct bench_ring {
	struct io_uring *ring;
	unsigned qd;
	bool batch;
	void (*prep)(struct bench_ring *r, struct io_uring_sqe *sqe,
		     unsigned slot);
	/* The CQE of @slot: 0, or a negative errno that stops the run. */
	int (*done)(struct bench_ring *r, unsigned slot, int res);
	uint64_t *t_submit;
	unsigned *free_slots;
	unsigned nfree, inflight;
	void *priv;		/* the workload's own state */
};

static inline void bench_loop_refill(struct bench_ring *r, uint64_t now)
{
	struct io_uring_sqe *sqe;
	unsigned i;

	/* A batch hands out its slots in order (0 first), whatever order the
	 * last one completed in: a linked chain relies on it. */
	if (r->batch && r->nfree == r->qd)
		for (i = 0; i < r->qd; i++)
			r->free_slots[i] = r->qd - 1 - i;
	while (r->nfree && (sqe = io_uring_get_sqe(r->ring))) {
		unsigned slot = r->free_slots[--r->nfree];

		r->prep(r, sqe, slot);
		sqe->user_data = slot;
		r->t_submit[slot] = now;
		r->inflight++;
	}
}

/* Reaps every CQE there is; returns the first error a done() reported. */
static inline int bench_loop_reap(struct bench_ring *r, uint64_t now,
				  struct bench_stats *out)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	uint64_t lat = 0, same = 0;
	int ret = 0;

	io_uring_for_each_cqe(r->ring, head, cqe) {
		unsigned slot = (unsigned)cqe->user_data;
		int err;

		n++;
		if (slot >= r->qd)
			continue;	/* not ours: a bug, but never a crash */
		/* CQEs of one batch share their latency: adding them as one
		 * run keeps 32 increments of one counter (a store-to-load
		 * chain) out of the measured loop. Same histogram. */
		if (same && now - r->t_submit[slot] != lat) {
			bench_hist_add(&out->hist, lat, same);
			same = 0;
		}
		lat = now - r->t_submit[slot];
		same++;
		err = r->done(r, slot, cqe->res);
		if (err && !ret)
			ret = err;
		r->free_slots[r->nfree++] = slot;
		r->inflight--;
	}
	if (same)
		bench_hist_add(&out->hist, lat, same);
	io_uring_cq_advance(r->ring, n);
	out->ops += n;
	return ret;
}

/* Runs until @deadline, then lets what is in flight finish; 0 or -errno. */
static inline int bench_loop_run(struct bench_ring *r, uint64_t deadline,
				 struct bench_stats *out)
{
	uint64_t start = bench_now_ns(), now = start;
	int ret = 0;

	for (;;) {
		unsigned want;
		int s;

		if (now < deadline && !ret && (!r->batch || !r->inflight))
			bench_loop_refill(r, now);
		if (!r->inflight)
			break;
		want = r->batch ? r->inflight : 1;
		s = io_uring_submit_and_wait(r->ring, want);
		if (s < 0 && s != -EINTR && s != -EAGAIN && s != -EBUSY) {
			ret = s;
			break;	/* the ring is broken: teardown cleans up */
		}
		now = bench_now_ns();
		s = bench_loop_reap(r, now, out);
		if (s && !ret)
			ret = s;
	}
	out->ns += now - start;
	return ret;
}

#endif
