/* SPDX-License-Identifier: MIT */
/*
 * The real-liburing side of `aioring bench`'s NOP workload: built against
 * the system's <liburing.h> and -luring (never aioring's headers: the two
 * libraries share symbol names), started by the bench once per round.
 *
 *   liburing_nop BATCH MS
 *
 * Runs the bench's own NOP loop (tools/bench_loop.h: submit BATCH NOPs and
 * wait for all of them in one io_uring_submit_and_wait, repeat) for MS
 * milliseconds after the ring is set up, and prints one line on stdout:
 *   {"ops":N,"ns":N,"hist":[[bucket,count],...]}
 * with the latencies in the bench's own histogram (tools/bench_hist.h).
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../tools/bench_loop.h"

static void nop_prep(struct bench_ring *r, struct io_uring_sqe *sqe,
		     unsigned slot)
{
	(void)r;
	(void)slot;
	io_uring_prep_nop(sqe);
}

static int nop_done(struct bench_ring *r, unsigned slot, int res)
{
	(void)r;
	(void)slot;
	return res < 0 ? res : 0;
}

/* The bench's own loop (bench_loop.h) in batch mode, as its nop case. */
static int run(struct io_uring *ring, unsigned batch, unsigned long long ms,
	       struct bench_stats *st)
{
	uint64_t t[4096];
	unsigned slots[4096];
	struct bench_ring r = {
		.ring = ring, .qd = batch, .batch = true, .prep = nop_prep,
		.done = nop_done, .t_submit = t, .free_slots = slots,
		.nfree = batch,
	};
	static struct bench_stats scratch;
	int ret;

	/* A fresh process: fault in the ring and the histogram first, as
	 * the bench's warm-up does for the engines that live in it. */
	ret = bench_loop_run(&r, bench_now_ns() + ms * 250000ull, &scratch);
	if (!ret)
		ret = bench_loop_run(&r, bench_now_ns() + ms * 1000000ull, st);

	if (ret < 0)
		fprintf(stderr, "liburing_nop: %s\n", strerror(-ret));
	return ret < 0;
}

int main(int argc, char **argv)
{
	static struct bench_stats st;
	struct io_uring ring;
	unsigned batch, i;
	const char *sep = "";
	int ret;

	if (argc != 3 || (batch = (unsigned)atoi(argv[1])) < 1 || batch > 4096) {
		fprintf(stderr, "usage: liburing_nop BATCH(1..4096) MS\n");
		return 2;
	}
	ret = io_uring_queue_init(batch < 8 ? 8 : batch, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "liburing_nop: io_uring_queue_init: %s\n",
			strerror(-ret));
		return 1;
	}
	if (run(&ring, batch, strtoull(argv[2], NULL, 10), &st))
		return 1;
	io_uring_queue_exit(&ring);
	printf("{\"ops\":%llu,\"ns\":%llu,\"hist\":[",
	       (unsigned long long)st.ops, (unsigned long long)st.ns);
	for (i = 0; i < BH_BUCKETS; i++) {
		if (!st.hist.b[i])
			continue;
		printf("%s[%u,%llu]", sep, i, (unsigned long long)st.hist.b[i]);
		sep = ",";
	}
	printf("]}\n");
	return 0;
}
