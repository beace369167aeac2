/* SPDX-License-Identifier: MIT */
/*
 * The rings of `aioring bench`: setup on a chosen backend, the loop of
 * bench_loop.h, and which ops a backend offers. The same code runs the
 * kernel ring and the engine ring, so the only difference measured is the
 * backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aioring.h"
#include "bench.h"
#include "cli.h"

int bench_ring_init(struct bench_ring *r, int mode, unsigned qd,
		    unsigned entries, char *err, size_t len)
{
	int old, ret;
	unsigned i;

	r->qd = qd;
	r->ring = calloc(1, sizeof(*r->ring));
	r->t_submit = calloc(qd, sizeof(*r->t_submit));
	r->free_slots = calloc(qd, sizeof(*r->free_slots));
	if (!r->ring || !r->t_submit || !r->free_slots) {
		bench_errf(err, len, "out of memory");
		goto fail;
	}
	old = aioring_set_mode(mode);
	ret = io_uring_queue_init(entries, r->ring, 0);
	aioring_set_mode(old);
	if (ret < 0) {
		bench_errf(err, len, "io_uring_queue_init: %s", strerror(-ret));
		goto fail;
	}
	for (i = 0; i < qd; i++)
		r->free_slots[i] = qd - 1 - i;
	r->nfree = qd;
	r->inflight = 0;
	return 0;
fail:
	free(r->ring);
	free(r->t_submit);
	free(r->free_slots);
	r->ring = NULL;
	return -1;
}

void bench_ring_exit(struct bench_ring *r)
{
	if (!r->ring)
		return;
	io_uring_queue_exit(r->ring);
	free(r->ring);
	free(r->t_submit);
	free(r->free_slots);
	r->ring = NULL;
}

int bench_ring_run(void *state, const struct bench_case *c, uint64_t deadline,
		   struct bench_stats *out)
{
	return bench_loop_run(state, deadline, out);
}

/* One probe per mode, made once: the ops a backend offers do not change. */
static struct io_uring_probe *probe_of(int mode, int *err)
{
	static struct io_uring_probe *probes[3];
	static int errs[3];
	struct io_uring ring;
	int old, ret;

	if (probes[mode] || errs[mode]) {
		*err = errs[mode];
		return probes[mode];
	}
	old = aioring_set_mode(mode);
	ret = io_uring_queue_init(4, &ring, 0);
	aioring_set_mode(old);
	if (ret < 0) {
		errs[mode] = ret;
	} else {
		probes[mode] = io_uring_get_probe_ring(&ring);
		if (!probes[mode])
			errs[mode] = -EOPNOTSUPP;
		io_uring_queue_exit(&ring);
	}
	*err = errs[mode];
	return probes[mode];
}

const char *bench_ring_check_ops(int mode, const unsigned char *ops,
				 unsigned n, enum bench_status *st)
{
	static char why[160];
	struct io_uring_probe *p;
	int err;
	unsigned i;

	p = probe_of(mode, &err);
	if (!p) {
		*st = BR_UNAVAILABLE;
		snprintf(why, sizeof(why), "no ring: %s", strerror(-err));
		return why;
	}
	for (i = 0; i < n; i++) {
		if (!io_uring_opcode_supported(p, ops[i])) {
			*st = BR_NOT_YET;
			const char *name = cli_opcode_name(ops[i]);

			snprintf(why, sizeof(why), "no IORING_OP_%s",
				 name ? name : "?");
			return why;
		}
	}
	return NULL;
}
