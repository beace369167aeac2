/* SPDX-License-Identifier: MIT */
/*
 * Cancellation under load: requests of every kind (pipe reads, reads in a
 * worker, timeouts, polls, multishot polls, NOPs, reads guarded by link
 * timeouts) are submitted and cancelled at once, while a thread feeds the
 * pipes so that completions race the cancels. Every request must get
 * exactly one final CQE, with a result the kernel allows, and nothing
 * after. Then teardown with all of that in flight: no hang, no leak (the
 * suite runs under ASan/LSan in CI).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

#define RUN_NS		(900 * 1000000ull)	/* per backend */
#define BATCH		16
#define MAX_UD		(1u << 20)
#define CANCEL_BIT	(1ull << 40)
#define LT_BIT		(1ull << 41)

enum { K_NOP, K_READ, K_TIMEOUT, K_POLL, K_MPOLL, K_WREAD, K_LREAD, K_NR };

struct race {
	struct io_uring ring;
	int a[2], b[2], c[2];		/* fed, never fed, fed (nonblocking) */
	atomic_bool stop;
	uint8_t *kind;			/* per id */
	uint8_t *finals;		/* final CQEs seen, per id */
	uint8_t *cfinals;		/* the cancels' CQEs */
	int32_t *cres;			/* what the cancel said */
	int32_t *res;
	unsigned next_id, outstanding;
	char buf[8];
	struct __kernel_timespec ts[3], lts;
};

static void *feeder(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		(void)!write(r->a[1], "x", 1);
		(void)!write(r->c[1], "y", 1);
		usleep(200);
	}
	return NULL;
}

static void submit_one(struct race *r, struct t_rng *rng)
{
	unsigned id = r->next_id++, kind = t_rng_below(rng, K_NR);
	struct io_uring_sqe *sqe = t_sqe(&r->ring);

	r->kind[id] = (uint8_t)kind;
	switch (kind) {
	case K_NOP:
		io_uring_prep_nop(sqe);
		break;
	case K_READ:
	case K_LREAD:
		io_uring_prep_read(sqe, r->a[0], r->buf, sizeof(r->buf), 0);
		break;
	case K_WREAD:
		io_uring_prep_read(sqe, r->c[0], r->buf, sizeof(r->buf), 0);
		sqe->flags = IOSQE_ASYNC;
		break;
	case K_TIMEOUT:
		io_uring_prep_timeout(sqe, &r->ts[t_rng_below(rng, 3)], 0, 0);
		break;
	case K_POLL:
		io_uring_prep_poll_add(sqe, r->a[0], POLLIN);
		break;
	case K_MPOLL:
		io_uring_prep_poll_multishot(sqe, r->b[0], POLLIN);
		break;
	}
	sqe->user_data = id;
	r->outstanding++;
	if (kind == K_LREAD) {
		sqe->flags = IOSQE_IO_LINK;
		sqe = t_sqe(&r->ring);
		io_uring_prep_link_timeout(sqe, &r->lts, 0);
		sqe->user_data = id | LT_BIT;
		r->outstanding++;
	}
	/* most are cancelled, some at once, some not at all */
	if (kind == K_MPOLL || t_rng_below(rng, 4)) {
		sqe = t_sqe(&r->ring);
		io_uring_prep_cancel64(sqe, id, 0);
		sqe->user_data = id | CANCEL_BIT;
		r->outstanding++;
	} else {
		r->cfinals[id] = 1;	/* no cancel: nothing to expect */
		r->cres[id] = -ENOENT;
	}
}

static bool res_ok(unsigned kind, int res)
{
	switch (kind) {
	case K_NOP:
		return res == 0;
	/* A cancel that finds a read running in the kernel's io-wq signals
	 * it: -EINTR, or -EAGAIN for a nonblocking file. */
	case K_READ: case K_LREAD:
		return res > 0 || res == -ECANCELED || res == -EINTR;
	case K_WREAD:
		return res > 0 || res == -ECANCELED || res == -EINTR ||
		       res == -EAGAIN;
	case K_TIMEOUT:
		return res == -ETIME || res == -ECANCELED;
	case K_POLL:
		return res == POLLIN || res == -ECANCELED;
	default:
		return res == -ECANCELED;
	}
}

static void reap_one(struct race *r, struct io_uring_cqe *cqe)
{
	uint64_t ud = cqe->user_data;
	unsigned id = (unsigned)(ud & (MAX_UD - 1));

	CHECK(id < r->next_id);
	if (ud & CANCEL_BIT) {
		CHECK_MSG(!r->cfinals[id], "cancel %u: second CQE", id);
		CHECK_MSG(cqe->res == 0 || cqe->res == -ENOENT ||
			  cqe->res == -EALREADY, "cancel %u: %d", id, cqe->res);
		r->cfinals[id] = 1;
		r->cres[id] = cqe->res;
	} else if (ud & LT_BIT) {
		CHECK_MSG(cqe->res == -ETIME || cqe->res == -ECANCELED ||
			  cqe->res == -EALREADY || cqe->res == -ENOENT,
			  "link timeout %u: %d", id, cqe->res);
	} else {
		if (cqe->flags & IORING_CQE_F_MORE)
			return;		/* multishot: not final */
		CHECK_MSG(!r->finals[id], "request %u: second final CQE", id);
		CHECK_MSG(res_ok(r->kind[id], cqe->res), "request %u (kind %u): %d",
			  id, r->kind[id], cqe->res);
		r->finals[id] = 1;
		r->res[id] = cqe->res;
	}
	r->outstanding--;
}

/* A CQE within @ms, or the case fails naming what is still missing. */
static struct io_uring_cqe *race_wait(struct race *r, int ms)
{
	struct __kernel_timespec ts = { .tv_sec = ms / 1000,
					.tv_nsec = (ms % 1000) * 1000000ll };
	struct io_uring_cqe *cqe;
	unsigned id, shown = 0;

	if (!io_uring_wait_cqe_timeout(&r->ring, &cqe, &ts))
		return cqe;
	for (id = 0; id < r->next_id && shown < 16; id++) {
		if (r->finals[id] && r->cfinals[id])
			continue;
		fprintf(stderr, "missing: request %u kind %u final %d cancel %d "
			"(cancel said %d)\n", id, r->kind[id], r->finals[id],
			r->cfinals[id], r->cres[id]);
		shown++;
	}
	t_fail(__FILE__, __LINE__, "%u CQEs missing after %d ms",
	       r->outstanding, ms);
}

static void reap(struct race *r, unsigned min, int ms)
{
	struct io_uring_cqe *cqe;

	while (r->outstanding > min) {
		cqe = race_wait(r, ms);
		reap_one(r, cqe);
		io_uring_cqe_seen(&r->ring, cqe);
	}
	while (!io_uring_peek_cqe(&r->ring, &cqe)) {
		reap_one(r, cqe);
		io_uring_cqe_seen(&r->ring, cqe);
	}
}

static void race_init(struct race *r)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE,
				     .cq_entries = 4096 };

	memset(r, 0, sizeof(*r));
	CHECK(!pipe(r->a) && !pipe(r->b) && !pipe(r->c));
	CHECK(!fcntl(r->c[0], F_SETFL, O_NONBLOCK));
	t_ring(&r->ring, 256, &p);
	r->kind = calloc(MAX_UD, 1);
	r->finals = calloc(MAX_UD, 1);
	r->cfinals = calloc(MAX_UD, 1);
	r->cres = calloc(MAX_UD, sizeof(*r->cres));
	r->res = calloc(MAX_UD, sizeof(*r->res));
	CHECK(r->kind && r->finals && r->cfinals && r->cres && r->res);
	r->ts[0] = (struct __kernel_timespec){ .tv_nsec = 0 };
	r->ts[1] = (struct __kernel_timespec){ .tv_nsec = 200000 };
	r->ts[2] = (struct __kernel_timespec){ .tv_nsec = 20000000 };
	r->lts = (struct __kernel_timespec){ .tv_nsec = 500000 };
}

static void race_free(struct race *r)
{
	free(r->kind);
	free(r->finals);
	free(r->cfinals);
	free(r->cres);
	free(r->res);
	close(r->a[0]); close(r->a[1]);
	close(r->b[0]); close(r->b[1]);
	close(r->c[0]); close(r->c[1]);
}

/* Everything accounted for: one final CQE each, and a cancel that said
 * "cancelled" really cancelled its request. */
static void race_check(struct race *r)
{
	unsigned id;

	for (id = 0; id < r->next_id; id++) {
		CHECK_MSG(r->finals[id], "request %u: no final CQE", id);
		CHECK_MSG(r->cfinals[id], "cancel %u: no CQE", id);
		/* Not for reads parked on the engine's poll thread: its
		 * cancel can count one that is being re-issued (apoll.c). */
		if (r->kind[id] != K_MPOLL && r->kind[id] != K_READ &&
		    r->kind[id] != K_LREAD && r->cres[id] == 0)
			CHECK_MSG(r->res[id] == -ECANCELED,
				  "request %u (kind %u) cancelled (0) but "
				  "completed %d", id, r->kind[id], r->res[id]);
	}
}

static void case_stress(void)
{
	static struct race r;
	struct io_uring_sqe *sqe;
	struct t_rng rng;
	pthread_t th;
	uint64_t end = t_now_ns() + RUN_NS;
	int i;

	race_init(&r);
	t_rng_seed(&rng, 42);
	CHECK(!pthread_create(&th, NULL, feeder, &r));
	while (t_now_ns() < end && r.next_id < MAX_UD - 4 * BATCH) {
		for (i = 0; i < BATCH; i++)
			submit_one(&r, &rng);
		CHECK(io_uring_submit(&r.ring) > 0);
		reap(&r, 8 * BATCH, 15000);
	}
	/* Whatever still waits for data gets it; the rest is cancelled. */
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	for (i = 0; i < 64; i++) {
		(void)!write(r.a[1], "xxxxxxxx", 8);
		(void)!write(r.c[1], "yyyyyyyy", 8);
	}
	sqe = t_sqe(&r.ring);
	io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
	sqe->user_data = MAX_UD - 1;	/* above every id used */
	CHECK_EQ(io_uring_submit(&r.ring), 1);
	{
		struct io_uring_cqe *cqe;

		for (;;) {
			cqe = t_wait(&r.ring, 15000);
			if (cqe->user_data == MAX_UD - 1) {
				io_uring_cqe_seen(&r.ring, cqe);
				break;
			}
			reap_one(&r, cqe);
			io_uring_cqe_seen(&r.ring, cqe);
		}
	}
	reap(&r, 0, 15000);
	race_check(&r);
	usleep(20000);
	{
		struct io_uring_cqe *cqe;

		CHECK_EQ(io_uring_peek_cqe(&r.ring, &cqe), -EAGAIN);
	}
	io_uring_queue_exit(&r.ring);
	race_free(&r);
}

/* io_uring_queue_exit with everything in flight: polls, multishot polls,
 * timeouts (plain, count, multishot), link timeouts, reads parked and
 * waiting in workers, a drained request. It must not hang or leak. */
static void case_teardown(void)
{
	struct __kernel_timespec ts = { .tv_sec = 5 }, ms = { .tv_nsec = 1000000 };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[4][8];
	int p[2], q[2], i;

	CHECK(!pipe(p) && !pipe(q));
	CHECK(!fcntl(q[0], F_SETFL, O_NONBLOCK));
	t_ring(&ring, 64, NULL);
	for (i = 0; i < 2; i++) {
		io_uring_prep_poll_add(t_sqe(&ring), p[0], POLLIN);
		io_uring_prep_poll_multishot(t_sqe(&ring), p[0], POLLIN);
		io_uring_prep_timeout(t_sqe(&ring), &ts, 0, 0);
		io_uring_prep_timeout(t_sqe(&ring), &ts, 100, 0);
		io_uring_prep_timeout(t_sqe(&ring), &ms, 0,
				      IORING_TIMEOUT_MULTISHOT);
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, p[0], buf[i], 8, 0);
		sqe->flags = IOSQE_IO_LINK;
		io_uring_prep_link_timeout(t_sqe(&ring), &ts, 0);
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, q[0], buf[2 + i], 8, 0);
		sqe->flags = IOSQE_ASYNC | IOSQE_IO_LINK;
		io_uring_prep_link_timeout(t_sqe(&ring), &ts, 0);
	}
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf[0], 8, 0);	/* blocking pipe */
	sqe->flags = IOSQE_ASYNC;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->flags = IOSQE_IO_DRAIN;
	CHECK(io_uring_submit(&ring) > 0);
	usleep(20000);
	io_uring_queue_exit(&ring);
	close(p[0]); close(p[1]);
	close(q[0]); close(q[1]);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "stress", case_stress, 0 },
		{ "teardown", case_teardown, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
