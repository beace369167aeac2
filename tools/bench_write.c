/* SPDX-License-Identifier: MIT */
/*
 * `aioring bench` workload "write-fsync": fsync_every 4 KiB writes at random
 * offsets of a file on the disk, then an fdatasync, as one linked chain
 * (IOSQE_IO_LINK) submitted at once and waited for; repeat. Every CQE, the
 * fsync's included, counts as an op. The peer is the same in plain
 * syscalls: N pwrites then fdatasync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

struct wr_file {
	int fd;
	char *buf;
	uint64_t size, rng;
};

static int wr_open(struct wr_file *f, const struct bench_case *c, char *err,
		   size_t len)
{
	f->fd = open(c->path, O_WRONLY | O_CLOEXEC);
	if (f->fd < 0)
		return bench_errf(err, len, "open %s: %s", c->path, strerror(errno));
	f->buf = malloc(BENCH_BLOCK);
	if (!f->buf) {
		close(f->fd);
		return bench_errf(err, len, "out of memory");
	}
	memset(f->buf, 'w', BENCH_BLOCK);
	f->size = c->file_size;
	f->rng = 0x2545f4914f6cdd1dull;
	return 0;
}

static void wr_close(struct wr_file *f)
{
	close(f->fd);
	free(f->buf);
}

/* --- aioring, both backends --------------------------------------------- */

struct wr_ring {
	struct bench_ring r;	/* first: the loop's state is ours */
	struct wr_file f;
	unsigned every;
};

/* Slots 0..every-1 are the writes, slot `every` the fsync: the loop hands
 * out the slots of a batch in order, so the chain ends with the fsync. */
static void wr_prep(struct bench_ring *r, struct io_uring_sqe *sqe,
		    unsigned slot)
{
	struct wr_ring *s = (struct wr_ring *)r;

	if (slot == s->every) {
		io_uring_prep_fsync(sqe, s->f.fd, IORING_FSYNC_DATASYNC);
		return;
	}
	io_uring_prep_write(sqe, s->f.fd, s->f.buf, BENCH_BLOCK,
			    bench_rand_off(&s->f.rng, s->f.size));
	sqe->flags |= IOSQE_IO_LINK;
}

static int wr_done(struct bench_ring *r, unsigned slot, int res)
{
	struct wr_ring *s = (struct wr_ring *)r;

	if (res < 0)
		return res;
	return res == (slot == s->every ? 0 : (int)BENCH_BLOCK) ? 0 : -EIO;
}

static const char *wr_check(const struct bench_engine *e,
			    const struct bench_case *c, enum bench_status *st)
{
	static const unsigned char ops[] = { IORING_OP_WRITE, IORING_OP_FSYNC };

	return bench_ring_check_ops(e->mode, ops, 2, st);
}

static void *wr_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct wr_ring *s = calloc(1, sizeof(*s));
	unsigned n = c->fsync_every + 1;

	if (!s) {
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	if (wr_open(&s->f, c, err, len)) {
		free(s);
		return NULL;
	}
	s->every = c->fsync_every;
	s->r.batch = true;
	s->r.prep = wr_prep;
	s->r.done = wr_done;
	if (bench_ring_init(&s->r, e->mode, n, n < 8 ? 8 : n, err, len)) {
		wr_close(&s->f);
		free(s);
		return NULL;
	}
	return s;
}

static void wr_teardown(void *state)
{
	struct wr_ring *s = state;

	bench_ring_exit(&s->r);
	wr_close(&s->f);
	free(s);
}

static const struct bench_engine wr_kernel = {
	"kernel", AIORING_MODE_KERNEL, wr_check, wr_setup, bench_ring_run,
	wr_teardown,
};

static const struct bench_engine wr_user = {
	"user", AIORING_MODE_USER, wr_check, wr_setup, bench_ring_run,
	wr_teardown,
};

/* --- plain syscalls ----------------------------------------------------- */

static void *sy_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct wr_file *f = calloc(1, sizeof(*f));

	if (!f) {
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	if (wr_open(f, c, err, len)) {
		free(f);
		return NULL;
	}
	return f;
}

/* Latency is per op as for the rings: each write and the fsync end at the
 * end of their chain, so all of them get the chain's time. */
static int sy_run(void *state, const struct bench_case *c, uint64_t deadline,
		  struct bench_stats *out)
{
	struct wr_file *f = state;
	uint64_t start = bench_now_ns(), now = start;
	unsigned i;

	while (now < deadline) {
		uint64_t t = now;

		for (i = 0; i < c->fsync_every; i++)
			if (pwrite(f->fd, f->buf, BENCH_BLOCK,
				   (off_t)bench_rand_off(&f->rng, f->size)) !=
			    (ssize_t)BENCH_BLOCK)
				return -EIO;
		if (fdatasync(f->fd))
			return -errno;
		now = bench_now_ns();
		bench_hist_add(&out->hist, now - t, c->fsync_every + 1);
		out->ops += c->fsync_every + 1;
	}
	out->ns += now - start;
	return 0;
}

static void sy_teardown(void *state)
{
	wr_close(state);
	free(state);
}

static const struct bench_engine wr_sync = {
	"syscalls", 0, NULL, sy_setup, sy_run, sy_teardown,
};

static const struct bench_engine *const wr_engines[] = {
	&wr_kernel, &wr_user, &wr_sync, NULL,
};

const struct bench_family bench_fam_write = { "write-fsync", wr_engines };
