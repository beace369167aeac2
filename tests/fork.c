/* SPDX-License-Identifier: MIT */
/*
 * fork() and rings. An engine ring inherited by a child is a private copy
 * without workers: enter and register on it fail cleanly in the child
 * (the engine answers -EBADFD), and the parent's ring is untouched. On
 * the kernel the child shares the ring, so that part is engine-only; the
 * rest holds on both backends.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "testlib.h"

static struct io_uring ring;

static void nop_round_trip(struct io_uring *r, uint64_t user_data)
{
	struct io_uring_sqe *sqe = t_sqe(r);
	struct io_uring_cqe *cqe;

	io_uring_prep_nop(sqe);
	sqe->user_data = user_data;
	t_submit(r, 1);
	cqe = t_wait(r, 5000);
	CHECK_EQ(cqe->user_data, user_data);
	CHECK_EQ(cqe->res, 0);
	io_uring_cqe_seen(r, cqe);
	CHECK_EQ(io_uring_cq_ready(r), 0);
}

static void child_touches(void *arg)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 100000000 };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	unsigned v[2] = { 0, 0 };
	int ret, ev;

	(void)arg;
	sqe = io_uring_get_sqe(&ring);
	CHECK(sqe);
	io_uring_prep_nop(sqe);
	sqe->user_data = 666;
	ret = io_uring_submit(&ring);
	CHECK_MSG(ret < 0, "submit in the child: %d", ret);
	ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
	CHECK_MSG(ret < 0 && ret != -ETIME, "wait in the child: %d", ret);
	ret = io_uring_get_events(&ring);
	CHECK_MSG(ret < 0, "get_events in the child: %d", ret);
	ev = eventfd(0, 0);
	ret = io_uring_register_eventfd(&ring, ev);
	CHECK_MSG(ret < 0, "register in the child: %d", ret);
	ret = io_uring_register_iowq_max_workers(&ring, v);
	CHECK_MSG(ret < 0, "register iowq in the child: %d", ret);
	io_uring_queue_exit(&ring);
}

static void case_child_gets_error(void)
{
	t_ring(&ring, 8, NULL);
	nop_round_trip(&ring, 1);
	CHECK_EQ(t_fork_run(child_touches, NULL, 10000), 0);
	/* The child's SQE never reached the parent's ring. */
	nop_round_trip(&ring, 2);
	nop_round_trip(&ring, 3);
	io_uring_queue_exit(&ring);
}

static void child_exits_ring(void *arg)
{
	(void)arg;
	io_uring_queue_exit(&ring);
}

/* The child's queue_exit releases its own copy only. */
static void case_child_queue_exit(void)
{
	t_ring(&ring, 8, NULL);
	nop_round_trip(&ring, 1);
	CHECK_EQ(t_fork_run(child_exits_ring, NULL, 10000), 0);
	nop_round_trip(&ring, 2);
	io_uring_queue_exit(&ring);
}

static void child_own_ring(void *arg)
{
	struct io_uring mine;
	int i;

	(void)arg;
	t_ring(&mine, 4, NULL);
	for (i = 0; i < 10; i++)
		nop_round_trip(&mine, 100 + (uint64_t)i);
	io_uring_queue_exit(&mine);
}

/* A child makes its own ring next to the inherited one; both work. */
static void case_child_own_ring(void)
{
	t_ring(&ring, 8, NULL);
	nop_round_trip(&ring, 1);
	CHECK_EQ(t_fork_run(child_own_ring, NULL, 10000), 0);
	nop_round_trip(&ring, 2);
	io_uring_queue_exit(&ring);
}

/*
 * The children below inherit a copy of a request that is in flight in the
 * parent. Its only owners are the parent's threads and epoll set, which a
 * child does not have, so a leak checker run at the child's exit would
 * count it: these children end without exit handlers.
 */
static void child_nothing(void *arg)
{
	(void)arg;
	_exit(T_EXIT_PASS);
}

static void child_exits_ring_inflight(void *arg)
{
	(void)arg;
	io_uring_queue_exit(&ring);
	_exit(T_EXIT_PASS);
}

/* A request in flight across a fork completes in the parent. */
static void case_inflight_across_fork(void)
{
	struct io_uring_cqe *cqe;
	char buf[8];
	int p[2];

	CHECK_EQ(pipe(p), 0);
	t_ring(&ring, 8, NULL);
	io_uring_prep_read(t_sqe(&ring), p[0], buf, sizeof(buf), 0);
	t_submit(&ring, 1);
	usleep(20000);
	CHECK_EQ(t_fork_run(child_nothing, NULL, 10000), 0);
	CHECK_EQ(t_fork_run(child_exits_ring_inflight, NULL, 10000), 0);
	CHECK_EQ(write(p[1], "forked", 6), 6);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 6);
	CHECK(!memcmp(buf, "forked", 6));
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "child_gets_error", case_child_gets_error, T_USER_ONLY },
		{ "child_queue_exit", case_child_queue_exit, 0 },
		{ "child_own_ring", case_child_own_ring, 0 },
		{ "inflight_across_fork", case_inflight_across_fork, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
