/* SPDX-License-Identifier: MIT */
/*
 * IORING_SETUP_SQPOLL: submission without a system call, NEED_WAKEUP after
 * the idle time and the wakeup, enter's result, SQ_WAIT, SQ_AFF and
 * ATTACH_WQ checks, non-fixed files, an idle thread that sleeps, teardown.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "testlib.h"

static void sq_ring(struct io_uring *ring, unsigned entries, unsigned idle_ms,
		    unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | flags;
	p.sq_thread_idle = idle_ms;
	t_ring(ring, entries, &p);
	CHECK(ring->features & IORING_FEAT_SQPOLL_NONFIXED);
}

static void nop(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	sqe->user_data = user_data;
}

/* Waits for a CQE by looking at the CQ only: no enter. */
static struct io_uring_cqe *peek_wait(struct io_uring *ring, int ms)
{
	struct io_uring_cqe *cqe = NULL;
	uint64_t end = t_now_ns() + (uint64_t)ms * 1000000;

	while (io_uring_peek_cqe(ring, &cqe)) {
		CHECK_MSG(t_now_ns() < end, "no CQE within %d ms", ms);
		usleep(1000);
	}
	return cqe;
}

/*
 * io_uring_submit() on an SQPOLL ring returns what it found not yet taken
 * by the thread (as liburing's does): anything from 0 to what was queued,
 * on either backend. The CQEs are the real check.
 */
static void submit_upto(struct io_uring *ring, int n)
{
	int ret = io_uring_submit(ring);

	CHECK_MSG(ret >= 0 && ret <= n, "io_uring_submit: %d, queued %d", ret, n);
}

static unsigned sq_flags(struct io_uring *ring)
{
	return __atomic_load_n(ring->sq.kflags, __ATOMIC_ACQUIRE);
}

static void wait_need_wakeup(struct io_uring *ring, int ms)
{
	uint64_t end = t_now_ns() + (uint64_t)ms * 1000000;

	while (!(sq_flags(ring) & IORING_SQ_NEED_WAKEUP)) {
		CHECK_MSG(t_now_ns() < end, "no NEED_WAKEUP within %d ms", ms);
		usleep(2000);
	}
}

static void case_submit_without_enter(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned i;

	sq_ring(&ring, 8, 1000, 0);
	for (i = 0; i < 3; i++)
		nop(&ring, 10 + i);
	/* The thread is busy right after setup: no wakeup is needed, so
	 * io_uring_submit() publishes the tail and makes no call. */
	submit_upto(&ring, 3);
	for (i = 0; i < 3; i++) {
		cqe = peek_wait(&ring, 2000);
		CHECK_EQ(cqe->user_data, 10 + i);
		CHECK_EQ(cqe->res, 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK_EQ(*ring.sq.khead, 3);
	io_uring_queue_exit(&ring);
}

static void case_need_wakeup(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;

	sq_ring(&ring, 8, 100, 0);
	nop(&ring, 1);
	submit_upto(&ring, 1);
	cqe = peek_wait(&ring, 2000);
	io_uring_cqe_seen(&ring, cqe);
	/* 100 ms after its last SQE the thread goes to sleep (and not again
	 * before the check below, unless this test stalls that long). */
	wait_need_wakeup(&ring, 2000);
	nop(&ring, 2);
	submit_upto(&ring, 1);	/* enters with SQ_WAKEUP */
	cqe = peek_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 2);
	CHECK_EQ(cqe->res, 0);
	io_uring_cqe_seen(&ring, cqe);
	CHECK(!(sq_flags(&ring) & IORING_SQ_NEED_WAKEUP));
	/* and a plain wait works on top */
	nop(&ring, 3);
	CHECK(io_uring_submit_and_wait(&ring, 1) >= 0);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 3);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

/* With SQPOLL, enter ignores to_submit and reports it back. */
static void case_enter_result(void)
{
	struct io_uring ring;

	sq_ring(&ring, 8, 100, 0);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 5, 0, 0, NULL), 5);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 5, 0, IORING_ENTER_GETEVENTS,
				NULL), 5);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 0, 0, IORING_ENTER_SQ_WAIT,
				NULL), 0);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 0, 0, IORING_ENTER_SQ_WAKEUP,
				NULL), 0);
	CHECK_EQ(io_uring_cq_ready(&ring), 0);
	io_uring_queue_exit(&ring);
}

static void case_sqring_wait(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned i, round;

	sq_ring(&ring, 4, 20, 0);
	for (round = 0; round < 3; round++) {
		/* the thread asleep, or not: both must work */
		if (round == 1)
			wait_need_wakeup(&ring, 2000);
		for (i = 0; i < 4; i++)
			nop(&ring, round * 10 + i);
		CHECK_EQ(io_uring_sq_space_left(&ring), 0);
		submit_upto(&ring, 4);
		CHECK_EQ(io_uring_sqring_wait(&ring), 0);
		CHECK(io_uring_sq_space_left(&ring) > 0);
		for (i = 0; i < 4; i++) {
			cqe = t_wait(&ring, 2000);
			CHECK_EQ(cqe->user_data, round * 10 + i);
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
}

/* FEAT_SQPOLL_NONFIXED: plain descriptors work with SQPOLL. */
static void case_nonfixed_read(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	char buf[16] = { 0 };
	int fd = t_tmpfd();

	CHECK_EQ(pwrite(fd, "sqpoll-data", 11, 0), 11);
	sq_ring(&ring, 4, 100, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	sqe->user_data = 7;
	submit_upto(&ring, 1);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 7);
	CHECK_EQ(cqe->res, 11);
	CHECK(!memcmp(buf, "sqpoll-data", 11));
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	close(fd);
}

static int64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
}

/* Asleep means asleep: no CPU burnt while NEED_WAKEUP is up. */
static void case_idle_sleeps(void)
{
	struct io_uring ring;
	int64_t before;

	sq_ring(&ring, 4, 10, 0);
	wait_need_wakeup(&ring, 2000);
	before = cpu_ns();
	usleep(200000);
	CHECK_MSG(cpu_ns() - before < 40000000, "%lld ms of CPU in 200 ms idle",
		  (long long)(cpu_ns() - before) / 1000000);
	io_uring_queue_exit(&ring);
}

static void case_teardown(void)
{
	struct io_uring ring;
	unsigned i, round;
	uint64_t start;

	for (round = 0; round < 4; round++) {
		sq_ring(&ring, 8, round & 1 ? 5 : 1000, 0);
		if (round & 1)
			wait_need_wakeup(&ring, 2000);
		/* exit with SQEs published and maybe not consumed */
		for (i = 0; i < round * 2; i++)
			nop(&ring, i);
		io_uring_submit(&ring);
		start = t_now_ns();
		io_uring_queue_exit(&ring);
		CHECK_MSG(t_now_ns() - start < 1000000000ull, "exit took %llu ms",
			  (unsigned long long)(t_now_ns() - start) / 1000000);
	}
}

static int try_params(unsigned flags, unsigned cpu, int wq_fd)
{
	struct io_uring ring;
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.sq_thread_cpu = cpu;
	p.wq_fd = (unsigned)wq_fd;
	ret = t_ring_try(&ring, 4, &p, t_backend);
	if (!ret)
		io_uring_queue_exit(&ring);
	return ret;
}

static void case_params(void)
{
	struct io_uring plain, polled;
	int pfd[2];

	CHECK_EQ(try_params(IORING_SETUP_SQ_AFF, 0, 0), -EINVAL);
	CHECK_EQ(try_params(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF, 0, 0), 0);
	CHECK_EQ(try_params(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF, 4096, 0),
		 -EINVAL);
	CHECK_EQ(pipe(pfd), 0);
	CHECK_EQ(try_params(IORING_SETUP_ATTACH_WQ, 0, pfd[0]), -EINVAL);
	CHECK_EQ(try_params(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ, 0,
			    pfd[0]), -EINVAL);
	close(pfd[0]);
	close(pfd[1]);
	CHECK_EQ(try_params(IORING_SETUP_ATTACH_WQ, 0, 999), -ENXIO);
	t_ring(&plain, 4, NULL);
	sq_ring(&polled, 4, 100, 0);
	CHECK_EQ(try_params(IORING_SETUP_ATTACH_WQ, 0, plain.ring_fd), 0);
	/* an SQ thread to share is needed for SQPOLL */
	CHECK_EQ(try_params(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ, 0,
			    plain.ring_fd), -EINVAL);
	CHECK_EQ(try_params(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ, 0,
			    polled.ring_fd), 0);
	/* task-work hints make no sense with a submitting thread */
	CHECK_EQ(try_params(IORING_SETUP_SQPOLL | IORING_SETUP_COOP_TASKRUN,
			    0, 0), -EINVAL);
	CHECK_EQ(try_params(IORING_SETUP_SQPOLL | IORING_SETUP_SINGLE_ISSUER,
			    0, 0), 0);
	io_uring_queue_exit(&plain);
	io_uring_queue_exit(&polled);
}

/* Many SQEs in a stream: every one gets its CQE, in order. */
static void case_stream(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned sent = 0, got = 0;

	sq_ring(&ring, 16, 50, 0);
	while (got < 2000) {
		while (sent < 2000 && sent - got < 16 &&
		       io_uring_sq_space_left(&ring)) {
			nop(&ring, sent++);
			/* what the thread has not taken yet: 0 if it
			 * already has */
			CHECK(io_uring_submit(&ring) >= 0);
		}
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->user_data, got);
		got++;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "submit_without_enter", case_submit_without_enter, 0 },
		{ "need_wakeup", case_need_wakeup, 0 },
		{ "enter_result", case_enter_result, 0 },
		{ "sqring_wait", case_sqring_wait, 0 },
		{ "nonfixed_read", case_nonfixed_read, 0 },
		{ "idle_sleeps", case_idle_sleeps, 0 },
		{ "teardown", case_teardown, 0 },
		{ "params", case_params, 0 },
		{ "stream", case_stream, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
