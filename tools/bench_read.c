/* SPDX-License-Identifier: MIT */
/*
 * `aioring bench` workload "randread": 4 KiB reads at random 4 KiB-aligned
 * offsets of one file, qd of them in flight. The file is prepared by
 * cli_bench.c: on a disk file system and kept in the page cache (cached),
 * in /dev/shm (tmpfs), or read with O_DIRECT from the disk (direct, the
 * engine's punted path).
 *
 * Engines here: aioring on both backends, and a plain pread loop (which is
 * synchronous: one read at a time whatever qd says). POSIX AIO, libaio and
 * libuv are in bench_read_peers.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

int bench_rd_open(struct rd_file *f, const struct bench_case *c, unsigned nbuf,
		  char *err, size_t len)
{
	f->fd = open(c->path, O_RDONLY | O_CLOEXEC | (c->direct ? O_DIRECT : 0));
	if (f->fd < 0)
		return bench_errf(err, len, "open %s: %s", c->path, strerror(errno));
	/* O_DIRECT wants aligned buffers; page alignment suits every device. */
	if (posix_memalign((void **)&f->bufs, 4096, (size_t)nbuf * BENCH_BLOCK)) {
		close(f->fd);
		return bench_errf(err, len, "out of memory");
	}
	memset(f->bufs, 0, (size_t)nbuf * BENCH_BLOCK);
	f->size = c->file_size;
	f->rng = 0x9e3779b97f4a7c15ull;	/* same offsets for every engine */
	return 0;
}

void bench_rd_close(struct rd_file *f)
{
	free(f->bufs);
	close(f->fd);
}

/* --- aioring, both backends --------------------------------------------- */

struct rd_ring {
	struct bench_ring r;	/* first: the loop's state is ours */
	struct rd_file f;
};

static void rd_prep(struct bench_ring *r, struct io_uring_sqe *sqe,
		    unsigned slot)
{
	struct rd_ring *s = (struct rd_ring *)r;

	io_uring_prep_read(sqe, s->f.fd, s->f.bufs + (size_t)slot * BENCH_BLOCK,
			   BENCH_BLOCK, bench_rand_off(&s->f.rng, s->f.size));
}

static int rd_done(struct bench_ring *r, unsigned slot, int res)
{
	if (res < 0)
		return res;
	return res == (int)BENCH_BLOCK ? 0 : -EIO;	/* short: a bug */
}

static const char *rd_check(const struct bench_engine *e,
			    const struct bench_case *c, enum bench_status *st)
{
	static const unsigned char ops[] = { IORING_OP_READ };

	return bench_ring_check_ops(e->mode, ops, 1, st);
}

static void *rd_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct rd_ring *s = calloc(1, sizeof(*s));

	if (!s) {
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	if (bench_rd_open(&s->f, c, c->qd, err, len)) {
		free(s);
		return NULL;
	}
	s->r.prep = rd_prep;
	s->r.done = rd_done;
	if (bench_ring_init(&s->r, e->mode, c->qd, c->qd < 8 ? 8 : c->qd,
			    err, len)) {
		bench_rd_close(&s->f);
		free(s);
		return NULL;
	}
	return s;
}

static void rd_teardown(void *state)
{
	struct rd_ring *s = state;

	bench_ring_exit(&s->r);
	bench_rd_close(&s->f);
	free(s);
}

static const struct bench_engine rd_kernel = {
	"kernel", AIORING_MODE_KERNEL, rd_check, rd_setup, bench_ring_run,
	rd_teardown,
};

static const struct bench_engine rd_user = {
	"user", AIORING_MODE_USER, rd_check, rd_setup, bench_ring_run,
	rd_teardown,
};

/* --- pread loop ----------------------------------------------------------- */

static void *pr_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct rd_file *f = calloc(1, sizeof(*f));

	if (!f) {
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	if (bench_rd_open(f, c, 1, err, len)) {
		free(f);
		return NULL;
	}
	return f;
}

static int pr_run(void *state, const struct bench_case *c, uint64_t deadline,
		  struct bench_stats *out)
{
	struct rd_file *f = state;
	uint64_t start = bench_now_ns(), now = start;

	while (now < deadline) {
		uint64_t t = now;
		ssize_t n = pread(f->fd, f->bufs, BENCH_BLOCK,
				  (off_t)bench_rand_off(&f->rng, f->size));

		if (n != (ssize_t)BENCH_BLOCK)
			return n < 0 ? -errno : -EIO;
		now = bench_now_ns();
		bench_hist_add(&out->hist, now - t, 1);
		out->ops++;
	}
	out->ns += now - start;
	return 0;
}

static void pr_teardown(void *state)
{
	bench_rd_close(state);
	free(state);
}

static const struct bench_engine rd_pread = {
	"pread", 0, NULL, pr_setup, pr_run, pr_teardown,
};

extern const struct bench_engine bench_rd_posix_aio, bench_rd_libaio,
	bench_rd_libuv;

static const struct bench_engine *const rd_engines[] = {
	&rd_kernel, &rd_user, &rd_pread, &bench_rd_posix_aio, &bench_rd_libaio,
	&bench_rd_libuv, NULL,
};

const struct bench_family bench_fam_read = { "randread", rd_engines };
