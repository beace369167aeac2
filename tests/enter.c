/* SPDX-License-Identifier: MIT */
/*
 * io_uring_enter: SQE consumption order and the per-SQE -EINVAL cases, the
 * SQ array, kdropped, GETEVENTS with min_complete, EXT_ARG timeouts and the
 * signal mask.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

static void nop(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	sqe->user_data = user_data;
}

static void expect_cqe(struct io_uring *ring, uint64_t user_data, int res)
{
	struct io_uring_cqe *cqe = t_wait(ring, 5000);

	CHECK_EQ(cqe->user_data, user_data);
	CHECK_EQ(cqe->res, res);
	CHECK_EQ(cqe->flags, 0);
	io_uring_cqe_seen(ring, cqe);
}

static void expect_no_cqe(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;

	CHECK_EQ(io_uring_peek_cqe(ring, &cqe), -EAGAIN);
}

static void case_order(void)
{
	struct io_uring ring;
	unsigned i, lap;

	t_ring(&ring, 32, NULL);
	/* Several laps, so head and tail run past the ring size. */
	for (lap = 0; lap < 5; lap++) {
		for (i = 0; i < 32; i++)
			nop(&ring, lap * 100 + i);
		t_submit(&ring, 32);
		for (i = 0; i < 32; i++)
			expect_cqe(&ring, lap * 100 + i, 0);
	}
	/* Free-running: the heads and tails are not masked. */
	CHECK_EQ(*ring.sq.khead, 160);
	CHECK_EQ(*ring.cq.ktail, 160);
	CHECK_EQ(*ring.cq.khead, 160);
	io_uring_queue_exit(&ring);
}

/* A failing SQE gets its CQE, and ends the submission: enter counts it,
 * and the SQEs behind it wait for the next enter (kernel behaviour). */
static void check_fail_stops(struct io_uring *ring, int res)
{
	CHECK_EQ(io_uring_submit(ring), 2);
	expect_cqe(ring, 1, 0);
	expect_cqe(ring, 2, res);
	expect_no_cqe(ring);
	CHECK_EQ(io_uring_submit(ring), 1);
	expect_cqe(ring, 3, 0);
}

static struct io_uring_sqe *three_with_middle(struct io_uring *ring)
{
	struct io_uring_sqe *mid;

	nop(ring, 1);
	nop(ring, 2);
	mid = ring->sq.sqes + ((ring->sq.sqe_tail - 1) & ring->sq.ring_mask);
	nop(ring, 3);
	return mid;
}

static void case_bad_sqes(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 8, NULL);
	sqe = three_with_middle(&ring);
	sqe->opcode = 0xff;
	check_fail_stops(&ring, -EINVAL);
	sqe = three_with_middle(&ring);
	sqe->opcode = IORING_OP_LAST;
	check_fail_stops(&ring, -EINVAL);
	sqe = three_with_middle(&ring);
	sqe->flags = 0x80;		/* no such SQE flag */
	check_fail_stops(&ring, -EINVAL);
	sqe = three_with_middle(&ring);
	sqe->ioprio = 1;		/* NOP takes no priority */
	check_fail_stops(&ring, -EINVAL);
	sqe = three_with_middle(&ring);
	sqe->personality = 1;		/* none registered */
	check_fail_stops(&ring, -EINVAL);
	io_uring_queue_exit(&ring);
}

/* NOP flags: INJECT_RESULT puts sqe->len in the CQE; an unknown flag fails
 * the SQE in prep, which also ends the submission. */
static void case_nop_flags(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	t_prep_nop_inject(sqe, -42);
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	t_prep_nop_inject(sqe, 12345);
	sqe->user_data = 2;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->len = 99;			/* ignored without INJECT_RESULT */
	sqe->user_data = 3;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->nop_flags = 1u << 31;	/* unknown NOP flag */
	sqe->user_data = 4;
	nop(&ring, 5);
	CHECK_EQ(io_uring_submit(&ring), 4);
	expect_cqe(&ring, 1, -42);
	expect_cqe(&ring, 2, 12345);
	expect_cqe(&ring, 3, 0);
	expect_cqe(&ring, 4, -EINVAL);
	expect_no_cqe(&ring);
	CHECK_EQ(io_uring_submit(&ring), 1);
	expect_cqe(&ring, 5, 0);
	io_uring_queue_exit(&ring);
}

/* The SQ array says which SQE comes next: it permutes the slots. */
static void case_sq_array(void)
{
	static const unsigned perm[4] = { 3, 1, 0, 2 };
	struct io_uring ring;
	unsigned i, tail;

	t_ring(&ring, 4, NULL);
	for (i = 0; i < 4; i++) {
		io_uring_prep_nop(&ring.sq.sqes[i]);
		ring.sq.sqes[i].user_data = 10 + i;
		ring.sq.array[i] = perm[i];
	}
	tail = *ring.sq.ktail;
	io_uring_smp_store_release(ring.sq.ktail, tail + 4);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 4, 0, 0, NULL), 4);
	for (i = 0; i < 4; i++)
		expect_cqe(&ring, 10 + perm[i], 0);
	CHECK_EQ(*ring.sq.khead, tail + 4);
	io_uring_queue_exit(&ring);
}

/* An out-of-range SQ index is dropped: counted in kdropped, consumed, no
 * CQE, and the submission stops there (kernel behaviour). */
static void case_dropped(void)
{
	struct io_uring ring;
	unsigned i;

	t_ring(&ring, 4, NULL);
	for (i = 0; i < 3; i++) {
		io_uring_prep_nop(&ring.sq.sqes[i]);
		ring.sq.sqes[i].user_data = 20 + i;
	}
	ring.sq.array[1] = 4 + 7;
	io_uring_smp_store_release(ring.sq.ktail, 3);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 3, 0, 0, NULL), 1);
	CHECK_EQ(*ring.sq.kdropped, 1);
	CHECK_EQ(*ring.sq.khead, 2);
	expect_cqe(&ring, 20, 0);
	expect_no_cqe(&ring);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 1, 0, 0, NULL), 1);
	expect_cqe(&ring, 22, 0);
	CHECK_EQ(*ring.sq.khead, 3);
	CHECK_EQ(*ring.sq.kdropped, 1);
	/* liburing keeps the identity array: give the slot back. */
	ring.sq.array[1] = 1;
	ring.sq.sqe_head = ring.sq.sqe_tail = 3;
	nop(&ring, 30);
	nop(&ring, 31);
	t_submit(&ring, 2);
	expect_cqe(&ring, 30, 0);
	expect_cqe(&ring, 31, 0);
	CHECK_EQ(*ring.sq.kdropped, 1);
	io_uring_queue_exit(&ring);
}

/* enter with to_submit beyond what the SQ holds submits what is there. */
static void case_submit_more_than_queued(void)
{
	struct io_uring ring;

	t_ring(&ring, 4, NULL);
	nop(&ring, 1);
	io_uring_smp_store_release(ring.sq.ktail, ring.sq.sqe_tail);
	ring.sq.sqe_head = ring.sq.sqe_tail;
	CHECK_EQ(io_uring_enter(ring.ring_fd, 100, 0, 0, NULL), 1);
	expect_cqe(&ring, 1, 0);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 100, 0, 0, NULL), 0);
	io_uring_queue_exit(&ring);
}

struct writer {
	int fds[2][2];
	unsigned delay_ms[2];
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	unsigned i;

	for (i = 0; i < 2; i++) {
		usleep(w->delay_ms[i] * 1000);
		CHECK_EQ(write(w->fds[i][1], "x", 1), 1);
	}
	return NULL;
}

/* GETEVENTS waits for min_complete CQEs, not for the first one. */
static void case_min_complete(void)
{
	static char buf[3][4];
	struct writer w = { .delay_ms = { 50, 150 } };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int spare[2], i;
	pthread_t th;
	uint64_t t0;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(w.fds[0]), 0);
	CHECK_EQ(pipe(w.fds[1]), 0);
	CHECK_EQ(pipe(spare), 0);
	for (i = 0; i < 3; i++) {
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_read(sqe, i < 2 ? w.fds[i][0] : spare[0], buf[i], 4, 0);
		sqe->user_data = i;
	}
	t_submit(&ring, 3);
	t0 = t_now_ns();
	CHECK_EQ(pthread_create(&th, NULL, writer_thread, &w), 0);
	CHECK_EQ(io_uring_wait_cqe_nr(&ring, &cqe, 2), 0);
	CHECK_MSG(t_now_ns() - t0 >= 140000000u, "woke after %llu ms with %u ready",
		  (unsigned long long)(t_now_ns() - t0) / 1000000, io_uring_cq_ready(&ring));
	CHECK_EQ(io_uring_cq_ready(&ring), 2);
	pthread_join(th, NULL);
	expect_cqe(&ring, 0, 1);
	expect_cqe(&ring, 1, 1);
	close(spare[1]);	/* EOF ends the last read */
	expect_cqe(&ring, 2, 0);
	io_uring_queue_exit(&ring);
}

static void case_timeout(void)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 200000000 };
	struct io_uring ring;
	struct io_uring_cqe *cqe = NULL;
	struct io_uring_sqe *sqe;
	uint64_t t0, ms;
	char c;
	int p[2];

	t_ring(&ring, 8, NULL);
	t0 = t_now_ns();
	CHECK_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	ms = (t_now_ns() - t0) / 1000000;
	CHECK_MSG(ms >= 190 && ms < 2000, "a 200 ms timeout took %llu ms",
		  (unsigned long long)ms);
	/* submit_and_wait_timeout: submits, then times out waiting. */
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], &c, 1, 0);
	sqe->user_data = 5;
	/* liburing reports the submission (1) rather than -ETIME once it has
	 * submitted something; no CQE comes back. */
	t0 = t_now_ns();
	cqe = (void *)&ring;
	CHECK_EQ(io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL), 1);
	CHECK(!cqe);
	CHECK(t_now_ns() - t0 >= 190000000u);
	/* With nothing left to submit, the timeout shows. */
	CHECK_EQ(io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL), -ETIME);
	CHECK_EQ(*ring.sq.khead, 1);
	/* ...and returns the submit count once a CQE is there. */
	nop(&ring, 6);
	CHECK_EQ(io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL), 1);
	CHECK(cqe);
	CHECK_EQ(cqe->user_data, 6);
	io_uring_cqe_seen(&ring, cqe);
	/* A CQE that is already there is returned at once. */
	CHECK_EQ(write(p[1], "y", 1), 1);
	expect_cqe(&ring, 5, 1);
	nop(&ring, 7);
	t_submit(&ring, 1);
	usleep(10000);
	t0 = t_now_ns();
	CHECK_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), 0);
	CHECK(t_now_ns() - t0 < 100000000u);
	CHECK_EQ(cqe->user_data, 7);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

static volatile sig_atomic_t sig_count;

static void on_usr1(int sig)
{
	(void)sig;
	sig_count++;
}

struct kicker {
	pthread_t target;
	unsigned delay_ms;
};

static void *kick_thread(void *arg)
{
	struct kicker *k = arg;

	usleep(k->delay_ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/* A signal cuts a wait short with -EINTR, unless the wait's sigmask blocks
 * it: then the wait times out and the handler runs afterwards. */
static void case_sigmask(void)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 400000000 };
	struct sigaction sa;
	struct kicker k = { .target = pthread_self(), .delay_ms = 100 };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	sigset_t blocked;
	pthread_t th;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	t_ring(&ring, 8, NULL);

	CHECK_EQ(pthread_create(&th, NULL, kick_thread, &k), 0);
	ret = io_uring_wait_cqes(&ring, &cqe, 1, &ts, NULL);
	pthread_join(th, NULL);
	CHECK_EQ(ret, -EINTR);
	CHECK_EQ(sig_count, 1);

	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR1);
	CHECK_EQ(pthread_create(&th, NULL, kick_thread, &k), 0);
	ret = io_uring_wait_cqes(&ring, &cqe, 1, &ts, &blocked);
	pthread_join(th, NULL);
	CHECK_EQ(ret, -ETIME);
	CHECK_EQ(sig_count, 2);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "order", case_order, 0 },
		{ "bad_sqes", case_bad_sqes, 0 },
		{ "nop_flags", case_nop_flags, 0 },
		{ "sq_array", case_sq_array, 0 },
		{ "dropped", case_dropped, 0 },
		{ "submit_more_than_queued", case_submit_more_than_queued, 0 },
		{ "min_complete", case_min_complete, 0 },
		{ "timeout", case_timeout, 0 },
		{ "sigmask", case_sigmask, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
