/* SPDX-License-Identifier: MIT */
/*
 * EPOLL_CTL and EPOLL_WAIT: results, the kernel's errors, an EPOLL_WAIT
 * that waits (and is woken, cancelled, or torn down with the ring).
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "testlib.h"

/* Reaps one CQE, returns its result. */
static int reap_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int res;

	cqe = t_wait(ring, 2000);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/* Submits the one SQE prepared and returns its CQE's result. */
static int run_one(struct io_uring *ring)
{
	t_submit(ring, 1);
	return reap_one(ring);
}

static int ctl(struct io_uring *ring, int epfd, int fd, int op,
	       struct epoll_event *ev)
{
	io_uring_prep_epoll_ctl(t_sqe(ring), epfd, fd, op, ev);
	return run_one(ring);
}

/* An epoll set watching the read end of a fresh pipe p (data 42). */
static int setup(struct io_uring *ring, int p[2])
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	CHECK(ep >= 0);
	CHECK(!pipe(p));
	t_ring(ring, 8, NULL);
	CHECK_EQ(ctl(ring, ep, p[0], EPOLL_CTL_ADD, &ev), 0);
	return ep;
}

static void case_ctl_and_wait(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, out[4];
	struct io_uring ring;
	int p[2], ep = setup(&ring, p);

	/* the set really holds it: the syscall agrees */
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), -1);
	CHECK_EQ(errno, EEXIST);
	CHECK_EQ(write(p[1], "x", 1), 1);
	memset(out, 0, sizeof(out));
	io_uring_prep_epoll_wait(t_sqe(&ring), ep, out, 4, 0);
	CHECK_EQ(run_one(&ring), 1);
	CHECK_EQ(out[0].events, EPOLLIN);
	CHECK_EQ(out[0].data.u64, 42);
	ev.events = EPOLLOUT;
	CHECK_EQ(ctl(&ring, ep, p[0], EPOLL_CTL_MOD, &ev), 0);
	CHECK_EQ(ctl(&ring, ep, p[0], EPOLL_CTL_DEL, NULL), 0);
	CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
	io_uring_queue_exit(&ring);
	close(ep);
	close(p[0]);
	close(p[1]);
}

static void case_ctl_errors(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int p[2], ep = setup(&ring, p);

	CHECK_EQ(ctl(&ring, ep, p[0], EPOLL_CTL_ADD, &ev), -EEXIST);
	CHECK_EQ(ctl(&ring, ep, p[1], EPOLL_CTL_DEL, NULL), -ENOENT);
	CHECK_EQ(ctl(&ring, ep, p[1], EPOLL_CTL_MOD, &ev), -ENOENT);
	CHECK_EQ(ctl(&ring, 9999, p[1], EPOLL_CTL_ADD, &ev), -EBADF);
	CHECK_EQ(ctl(&ring, ep, 9999, EPOLL_CTL_ADD, &ev), -EBADF);
	CHECK_EQ(ctl(&ring, p[0], p[1], EPOLL_CTL_ADD, &ev), -EINVAL);
	CHECK_EQ(ctl(&ring, ep, ep, EPOLL_CTL_ADD, &ev), -EINVAL);
	CHECK_EQ(ctl(&ring, ep, p[1], 99, &ev), -EINVAL);
	/* the event is read at prep: a bad pointer faults, except for DEL */
	CHECK_EQ(ctl(&ring, ep, p[1], EPOLL_CTL_ADD,
		     (struct epoll_event *)8), -EFAULT);
	CHECK_EQ(ctl(&ring, ep, p[0], EPOLL_CTL_DEL,
		     (struct epoll_event *)8), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_epoll_ctl(sqe, ep, p[0], EPOLL_CTL_ADD, &ev);
	sqe->buf_index = 1;
	CHECK_EQ(run_one(&ring), -EINVAL);
	io_uring_queue_exit(&ring);
	close(ep);
	close(p[0]);
	close(p[1]);
}

static void case_wait_errors(void)
{
	struct epoll_event out[2];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int p[2], ep = setup(&ring, p);

	CHECK_EQ(write(p[1], "x", 1), 1);
	io_uring_prep_epoll_wait(t_sqe(&ring), 9999, out, 2, 0);
	CHECK_EQ(run_one(&ring), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_epoll_wait(sqe, ep, out, 2, 0);
	sqe->off = 1;
	CHECK_EQ(run_one(&ring), -EINVAL);
	io_uring_prep_epoll_wait(t_sqe(&ring), ep, out, 2, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	io_uring_prep_epoll_wait(t_sqe(&ring), p[0], out, 2, 0);
	CHECK_EQ(run_one(&ring), -EINVAL);
	io_uring_prep_epoll_wait(t_sqe(&ring), ep, out, 0, 0);
	CHECK_EQ(run_one(&ring), -EINVAL);
	io_uring_prep_epoll_wait(t_sqe(&ring), ep, out, -1, 0);
	CHECK_EQ(run_one(&ring), -EINVAL);
	io_uring_queue_exit(&ring);
	close(ep);
	close(p[0]);
	close(p[1]);
}

/* Nothing ready: it waits (no CQE) until the set has an event. */
static void wait_then_ready(unsigned sqe_flags)
{
	struct epoll_event out[2];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int p[2], ep = setup(&ring, p);

	sqe = t_sqe(&ring);
	io_uring_prep_epoll_wait(sqe, ep, out, 2, 0);
	sqe->flags |= sqe_flags;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 30);
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(reap_one(&ring), 1);
	CHECK_EQ(out[0].data.u64, 42);
	io_uring_queue_exit(&ring);
	close(ep);
	close(p[0]);
	close(p[1]);
}

static void case_wait_parks(void)
{
	wait_then_ready(0);
}

static void case_wait_async(void)
{
	wait_then_ready(IOSQE_ASYNC);
}

static void case_wait_cancel(void)
{
	struct epoll_event out[2];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct t_rec rec;
	int p[2], ep = setup(&ring, p);

	sqe = t_sqe(&ring);
	io_uring_prep_epoll_wait(sqe, ep, out, 2, 0);
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 20);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 1, 0);
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 2000);
	CHECK_EQ(t_rec_find(&rec, 1)->res, -ECANCELED);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 0);
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
	close(ep);
	close(p[0]);
	close(p[1]);
}

/* A waiting EPOLL_WAIT does not hold up the ring's teardown. */
static void case_wait_teardown(void)
{
	struct epoll_event out[2];
	struct io_uring ring;
	int p[2], ep = setup(&ring, p);

	io_uring_prep_epoll_wait(t_sqe(&ring), ep, out, 2, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 10);
	io_uring_queue_exit(&ring);
	close(ep);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "ctl_and_wait", case_ctl_and_wait, 0 },
		{ "ctl_errors", case_ctl_errors, 0 },
		{ "wait_errors", case_wait_errors, 0 },
		{ "wait_parks", case_wait_parks, 0 },
		{ "wait_async", case_wait_async, 0 },
		{ "wait_cancel", case_wait_cancel, 0 },
		{ "wait_teardown", case_wait_teardown, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
