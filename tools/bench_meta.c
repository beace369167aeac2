/* SPDX-License-Identifier: MIT */
/*
 * Two `aioring bench` workloads of small ops that only exist on the engine
 * once their issues land (the probe says when):
 *
 * - "timers": IORING_OP_TIMEOUT of 1 ms each, 4096 in flight, so a 25 ms
 *   stretch runs through about 100k timeouts; each completes with -ETIME.
 * - "metadata": each slot cycles openat -> close (of the fd openat gave)
 *   -> statx of one file; every CQE is an op. The peer is the same three
 *   calls as plain syscalls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bench.h"

static void ring_teardown(void *state)
{
	struct bench_ring *r = state;

	bench_ring_exit(r);
	free(r->priv);
	free(r);
}

/* A bench_ring with @priv_size bytes of family state. */
static struct bench_ring *ring_new(const struct bench_engine *e, unsigned qd,
				   size_t priv_size, char *err, size_t len)
{
	struct bench_ring *r = calloc(1, sizeof(*r));

	if (!r || !(r->priv = calloc(1, priv_size))) {
		free(r);
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	if (bench_ring_init(r, e->mode, qd, qd, err, len)) {
		free(r->priv);
		free(r);
		return NULL;
	}
	return r;
}

/* --- timers --------------------------------------------------------------- */

static struct __kernel_timespec timer_ts = { .tv_sec = 0, .tv_nsec = 1000000 };

static void tm_prep(struct bench_ring *r, struct io_uring_sqe *sqe,
		    unsigned slot)
{
	io_uring_prep_timeout(sqe, &timer_ts, 0, 0);
}

static int tm_done(struct bench_ring *r, unsigned slot, int res)
{
	return res == -ETIME ? 0 : res < 0 ? res : -EIO;
}

static const char *tm_check(const struct bench_engine *e,
			    const struct bench_case *c, enum bench_status *st)
{
	static const unsigned char ops[] = { IORING_OP_TIMEOUT };

	return bench_ring_check_ops(e->mode, ops, 1, st);
}

static void *tm_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct bench_ring *r = ring_new(e, c->qd, 1, err, len);

	if (r) {
		r->prep = tm_prep;
		r->done = tm_done;
	}
	return r;
}

static const struct bench_engine tm_kernel = {
	"kernel", AIORING_MODE_KERNEL, tm_check, tm_setup, bench_ring_run,
	ring_teardown,
};

static const struct bench_engine tm_user = {
	"user", AIORING_MODE_USER, tm_check, tm_setup, bench_ring_run,
	ring_teardown,
};

static const struct bench_engine *const tm_engines[] = {
	&tm_kernel, &tm_user, NULL,
};

const struct bench_family bench_fam_timers = { "timers", tm_engines };

/* --- metadata ------------------------------------------------------------- */

enum { MD_OPEN, MD_CLOSE, MD_STATX };

struct md_slot {
	int step;
	int fd;			/* the fd openat gave, for the close */
	struct statx stx;
};

struct md_priv {
	const char *path;
	struct md_slot *slots;
};

static void md_prep(struct bench_ring *r, struct io_uring_sqe *sqe,
		    unsigned slot)
{
	struct md_priv *p = r->priv;
	struct md_slot *s = &p->slots[slot];

	switch (s->step) {
	case MD_OPEN:
		io_uring_prep_openat(sqe, AT_FDCWD, p->path, O_RDONLY | O_CLOEXEC, 0);
		break;
	case MD_CLOSE:
		io_uring_prep_close(sqe, s->fd);
		break;
	default:
		io_uring_prep_statx(sqe, AT_FDCWD, p->path, 0, STATX_BASIC_STATS,
				    &s->stx);
		break;
	}
}

static int md_done(struct bench_ring *r, unsigned slot, int res)
{
	struct md_slot *s = &((struct md_priv *)r->priv)->slots[slot];

	if (res < 0)
		return res;
	if (s->step == MD_OPEN)
		s->fd = res;
	s->step = (s->step + 1) % 3;
	return 0;
}

static const char *md_check(const struct bench_engine *e,
			    const struct bench_case *c, enum bench_status *st)
{
	static const unsigned char ops[] = {
		IORING_OP_OPENAT, IORING_OP_CLOSE, IORING_OP_STATX,
	};

	return bench_ring_check_ops(e->mode, ops, 3, st);
}

static void *md_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct bench_ring *r = ring_new(e, c->qd, sizeof(struct md_priv), err, len);
	struct md_priv *p;

	if (!r)
		return NULL;
	p = r->priv;
	p->path = c->path;
	p->slots = calloc(c->qd, sizeof(*p->slots));
	if (!p->slots) {
		ring_teardown(r);
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	r->prep = md_prep;
	r->done = md_done;
	return r;
}

static void md_teardown(void *state)
{
	struct bench_ring *r = state;
	struct md_priv *p = r->priv;
	unsigned i;

	/* A run may end between an open and its close. */
	for (i = 0; i < r->qd; i++)
		if (p->slots[i].step == MD_CLOSE)
			close(p->slots[i].fd);
	free(p->slots);
	ring_teardown(r);
}

static const struct bench_engine md_kernel = {
	"kernel", AIORING_MODE_KERNEL, md_check, md_setup, bench_ring_run,
	md_teardown,
};

static const struct bench_engine md_user = {
	"user", AIORING_MODE_USER, md_check, md_setup, bench_ring_run,
	md_teardown,
};

static void *sy_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	return (void *)c->path;
}

static int sy_run(void *state, const struct bench_case *c, uint64_t deadline,
		  struct bench_stats *out)
{
	const char *path = state;
	uint64_t start = bench_now_ns(), now = start;
	struct statx stx;

	while (now < deadline) {
		uint64_t t = now;
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		now = bench_now_ns();
		bench_hist_add(&out->hist, now - t, 1);
		close(fd);
		t = now;
		now = bench_now_ns();
		bench_hist_add(&out->hist, now - t, 1);
		if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx))
			return -errno;
		t = now;
		now = bench_now_ns();
		bench_hist_add(&out->hist, now - t, 1);
		out->ops += 3;
	}
	out->ns += now - start;
	return 0;
}

static void sy_teardown(void *state)
{
}

static const struct bench_engine md_sync = {
	"syscalls", 0, NULL, sy_setup, sy_run, sy_teardown,
};

static const struct bench_engine *const md_engines[] = {
	&md_kernel, &md_user, &md_sync, NULL,
};

const struct bench_family bench_fam_meta = { "metadata", md_engines };
