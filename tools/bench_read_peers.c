/* SPDX-License-Identifier: MIT */
/*
 * The randread workload on the peers a program would otherwise use: glibc
 * POSIX AIO (aio_read + aio_suspend; glibc runs it on its own threads),
 * libaio (io_submit + io_getevents; only asynchronous with O_DIRECT, so it
 * runs the direct case only) and the libuv thread pool (uv_fs_read, with
 * libuv's default pool of 4 threads). Each keeps qd reads in flight, as
 * the ring engines do, and lets the last ones finish before returning.
 */
#include <aio.h>
#include <errno.h>
#ifdef BENCH_HAVE_LIBAIO
#include <libaio.h>
#endif
#include <stdlib.h>
#include <string.h>
#ifdef BENCH_HAVE_LIBUV
#include <uv.h>
#endif
#include "bench.h"

static void *oom(char *err, size_t len)
{
	bench_errf(err, len, "out of memory");
	return NULL;
}

/* --- glibc POSIX AIO ---------------------------------------------------- */

struct pa_state {
	struct rd_file f;
	unsigned qd;
	struct aiocb *cbs;
	const struct aiocb **list;	/* NULL where idle: aio_suspend skips */
	uint64_t *t;
};

static void *pa_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct pa_state *s = calloc(1, sizeof(*s));

	if (!s)
		return oom(err, len);
	s->qd = c->qd;
	s->cbs = calloc(c->qd, sizeof(*s->cbs));
	s->list = calloc(c->qd, sizeof(*s->list));
	s->t = calloc(c->qd, sizeof(*s->t));
	if (!s->cbs || !s->list || !s->t)
		oom(err, len);
	else if (!bench_rd_open(&s->f, c, c->qd, err, len))
		return s;
	free(s->cbs);
	free(s->list);
	free(s->t);
	free(s);
	return NULL;
}

static int pa_submit(struct pa_state *s, unsigned i, uint64_t now)
{
	struct aiocb *cb = &s->cbs[i];

	memset(cb, 0, sizeof(*cb));
	cb->aio_fildes = s->f.fd;
	cb->aio_buf = s->f.bufs + (size_t)i * BENCH_BLOCK;
	cb->aio_nbytes = BENCH_BLOCK;
	cb->aio_offset = (off_t)bench_rand_off(&s->f.rng, s->f.size);
	s->t[i] = now;
	if (aio_read(cb))
		return -errno;
	s->list[i] = cb;
	return 0;
}

/* Reaps the finished ones; refills them while there is time. */
static int pa_reap(struct pa_state *s, uint64_t now, bool refill,
		   struct bench_stats *out, unsigned *busy)
{
	unsigned i;
	int ret = 0;

	for (i = 0; i < s->qd; i++) {
		ssize_t n;
		int e;

		if (!s->list[i] || (e = aio_error(&s->cbs[i])) == EINPROGRESS)
			continue;
		n = aio_return(&s->cbs[i]);
		s->list[i] = NULL;
		(*busy)--;
		if (n != (ssize_t)BENCH_BLOCK && !ret)
			ret = e ? -e : -EIO;
		bench_hist_add(&out->hist, now - s->t[i], 1);
		out->ops++;
		if (refill && !ret && !(ret = pa_submit(s, i, now)))
			(*busy)++;
	}
	return ret;
}

static int pa_run(void *state, const struct bench_case *c, uint64_t deadline,
		  struct bench_stats *out)
{
	struct pa_state *s = state;
	uint64_t start = bench_now_ns(), now = start;
	unsigned i, busy = 0;
	int ret = 0;

	for (i = 0; i < s->qd && !ret; i++)
		if (!(ret = pa_submit(s, i, now)))
			busy++;
	while (busy) {
		int r;

		if (aio_suspend(s->list, (int)s->qd, NULL) && errno != EINTR &&
		    errno != EAGAIN)
			return -errno;
		now = bench_now_ns();
		r = pa_reap(s, now, now < deadline && !ret, out, &busy);
		if (r && !ret)
			ret = r;
	}
	out->ns += now - start;
	return ret;
}

static void pa_teardown(void *state)
{
	struct pa_state *s = state;

	bench_rd_close(&s->f);
	free(s->cbs);
	free(s->list);
	free(s->t);
	free(s);
}

const struct bench_engine bench_rd_posix_aio = {
	"posix-aio", 0, NULL, pa_setup, pa_run, pa_teardown,
};

/* --- libaio ------------------------------------------------------------- */

#ifdef BENCH_HAVE_LIBAIO

struct la_state {
	struct rd_file f;
	unsigned qd;
	io_context_t ctx;
	struct iocb *cbs;
	struct io_event *ev;
	uint64_t *t;
};

static const char *la_check(const struct bench_engine *e,
			    const struct bench_case *c, enum bench_status *st)
{
	*st = BR_NA;
	return c->direct ? NULL : "libaio blocks in io_submit without O_DIRECT";
}

static void *la_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct la_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return oom(err, len);
	s->qd = c->qd;
	s->cbs = calloc(c->qd, sizeof(*s->cbs));
	s->ev = calloc(c->qd, sizeof(*s->ev));
	s->t = calloc(c->qd, sizeof(*s->t));
	if (!s->cbs || !s->ev || !s->t)
		goto fail_mem;
	if (bench_rd_open(&s->f, c, c->qd, err, len))
		goto fail;
	ret = io_setup((int)c->qd, &s->ctx);
	if (ret < 0) {
		bench_errf(err, len, "io_setup: %s", strerror(-ret));
		bench_rd_close(&s->f);
		goto fail;
	}
	return s;
fail_mem:
	oom(err, len);
fail:
	free(s->cbs);
	free(s->ev);
	free(s->t);
	free(s);
	return NULL;
}

static int la_submit(struct la_state *s, unsigned i, uint64_t now)
{
	struct iocb *cb = &s->cbs[i];
	int ret;

	io_prep_pread(cb, s->f.fd, s->f.bufs + (size_t)i * BENCH_BLOCK,
		      BENCH_BLOCK, (long long)bench_rand_off(&s->f.rng, s->f.size));
	cb->data = (void *)(uintptr_t)i;
	s->t[i] = now;
	ret = io_submit(s->ctx, 1, &cb);
	return ret == 1 ? 0 : ret < 0 ? ret : -EAGAIN;
}

static int la_run(void *state, const struct bench_case *c, uint64_t deadline,
		  struct bench_stats *out)
{
	struct la_state *s = state;
	uint64_t start = bench_now_ns(), now = start;
	unsigned i, busy = 0;
	int ret = 0;

	for (i = 0; i < s->qd && !ret; i++)
		if (!(ret = la_submit(s, i, now)))
			busy++;
	while (busy) {
		int n = io_getevents(s->ctx, 1, (long)s->qd, s->ev, NULL);

		if (n < 0 && n != -EINTR)
			return n;
		now = bench_now_ns();
		for (i = 0; i < (unsigned)(n > 0 ? n : 0); i++) {
			unsigned slot = (unsigned)(uintptr_t)s->ev[i].data;

			busy--;
			if (s->ev[i].res != BENCH_BLOCK && !ret)
				ret = -EIO;
			bench_hist_add(&out->hist, now - s->t[slot], 1);
			out->ops++;
			if (now < deadline && !ret && !(ret = la_submit(s, slot, now)))
				busy++;
		}
	}
	out->ns += now - start;
	return ret;
}

static void la_teardown(void *state)
{
	struct la_state *s = state;

	io_destroy(s->ctx);
	bench_rd_close(&s->f);
	free(s->cbs);
	free(s->ev);
	free(s->t);
	free(s);
}

const struct bench_engine bench_rd_libaio = {
	"libaio", 0, la_check, la_setup, la_run, la_teardown,
};
#else
/* Left out of this build: shown as unavailable where libaio would run. */
static const char *la_missing(const struct bench_engine *e,
			      const struct bench_case *c, enum bench_status *st)
{
	*st = c->direct ? BR_UNAVAILABLE : BR_NA;
	return "not built in (needs libaio-dev)";
}

const struct bench_engine bench_rd_libaio = {
	"libaio", 0, la_missing, NULL, NULL, NULL,
};
#endif

/* --- libuv thread pool -------------------------------------------------- */

#ifdef BENCH_HAVE_LIBUV

struct uv_slot {
	uv_fs_t req;
	uint64_t t;
	struct uv_state *s;
};

struct uv_state {
	struct rd_file f;
	unsigned qd, busy;
	uv_loop_t loop;
	struct uv_slot *slots;
	/* Of the run in progress, for the callbacks. */
	uint64_t deadline;
	struct bench_stats *out;
	int err;
};

static void *uv_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct uv_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return oom(err, len);
	s->qd = c->qd;
	s->slots = calloc(c->qd, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return oom(err, len);
	}
	if (bench_rd_open(&s->f, c, c->qd, err, len))
		goto fail;
	ret = uv_loop_init(&s->loop);
	if (ret < 0) {
		bench_errf(err, len, "uv_loop_init: %s", uv_strerror(ret));
		bench_rd_close(&s->f);
		goto fail;
	}
	return s;
fail:
	free(s->slots);
	free(s);
	return NULL;
}

static void uvb_read_cb(uv_fs_t *req);

static int uv_submit(struct uv_state *s, unsigned i, uint64_t now)
{
	struct uv_slot *sl = &s->slots[i];
	uv_buf_t buf = uv_buf_init(s->f.bufs + (size_t)i * BENCH_BLOCK,
				   BENCH_BLOCK);
	int ret;

	sl->s = s;
	sl->t = now;
	ret = uv_fs_read(&s->loop, &sl->req, s->f.fd, &buf, 1,
			 (int64_t)bench_rand_off(&s->f.rng, s->f.size),
			 uvb_read_cb);
	if (!ret)
		s->busy++;
	return ret;
}

static void uvb_read_cb(uv_fs_t *req)
{
	struct uv_slot *sl = (struct uv_slot *)req;
	struct uv_state *s = sl->s;
	uint64_t now = bench_now_ns();
	ssize_t res = req->result;

	uv_fs_req_cleanup(req);
	s->busy--;
	if (res != (ssize_t)BENCH_BLOCK && !s->err)
		s->err = res < 0 ? (int)res : -EIO;
	bench_hist_add(&s->out->hist, now - sl->t, 1);
	s->out->ops++;
	if (now < s->deadline && !s->err)
		s->err = uv_submit(s, (unsigned)(sl - s->slots), now);
}

static int uv_run_bench(void *state, const struct bench_case *c,
			uint64_t deadline, struct bench_stats *out)
{
	struct uv_state *s = state;
	uint64_t start = bench_now_ns();
	unsigned i;

	s->deadline = deadline;
	s->out = out;
	s->err = 0;
	for (i = 0; i < s->qd && !s->err; i++)
		s->err = uv_submit(s, i, start);
	while (s->busy)
		uv_run(&s->loop, UV_RUN_ONCE);
	out->ns += bench_now_ns() - start;
	return s->err;
}

static void uv_teardown(void *state)
{
	struct uv_state *s = state;

	uv_loop_close(&s->loop);
	bench_rd_close(&s->f);
	free(s->slots);
	free(s);
}

const struct bench_engine bench_rd_libuv = {
	"libuv", 0, NULL, uv_setup, uv_run_bench, uv_teardown,
};
#else
static const char *uv_missing(const struct bench_engine *e,
			      const struct bench_case *c, enum bench_status *st)
{
	*st = BR_UNAVAILABLE;
	return "not built in (needs libuv1-dev)";
}

const struct bench_engine bench_rd_libuv = {
	"libuv", 0, uv_missing, NULL, NULL, NULL,
};
#endif
