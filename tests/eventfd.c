/* SPDX-License-Identifier: MIT */
/*
 * Registered eventfds: signalled on completions, not while
 * IORING_CQ_EVENTFD_DISABLED is set, only for async completions with
 * eventfd_async; and the kernel's register/unregister errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "testlib.h"

/* The eventfd's count (resetting it), or 0 if it was not signalled. */
static uint64_t ev_take(int ev)
{
	eventfd_t v = 0;

	if (eventfd_read(ev, &v)) {
		CHECK_EQ(errno, EAGAIN);
		return 0;
	}
	return v;
}

static int new_eventfd(void)
{
	int ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	CHECK(ev >= 0);
	return ev;
}

/* Submits @n NOPs, reaps their CQEs. */
static void nops(struct io_uring *ring, unsigned n)
{
	struct io_uring_cqe *cqe;
	unsigned i;

	for (i = 0; i < n; i++)
		io_uring_prep_nop(t_sqe(ring));
	t_submit(ring, (int)n);
	for (i = 0; i < n; i++) {
		cqe = t_wait(ring, 5000);
		CHECK_EQ(cqe->res, 0);
		io_uring_cqe_seen(ring, cqe);
	}
}

static void case_signal(void)
{
	struct io_uring ring;
	uint64_t v;
	int ev = new_eventfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_eventfd(&ring, ev), 0);
	CHECK_EQ(ev_take(ev), 0);
	nops(&ring, 1);
	CHECK_EQ(ev_take(ev), 1);
	/* A batch may be signalled once (the kernel does) or per CQE. */
	nops(&ring, 5);
	v = ev_take(ev);
	CHECK_MSG(v >= 1 && v <= 5, "5 CQEs signalled %llu times",
		  (unsigned long long)v);
	CHECK_EQ(io_uring_unregister_eventfd(&ring), 0);
	nops(&ring, 2);
	CHECK_EQ(ev_take(ev), 0);
	io_uring_queue_exit(&ring);
	close(ev);
}

static void case_toggle(void)
{
	struct io_uring ring;
	int ev = new_eventfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_eventfd(&ring, ev), 0);
	CHECK_EQ(io_uring_cq_eventfd_enabled(&ring), true);
	CHECK_EQ(io_uring_cq_eventfd_toggle(&ring, false), 0);
	CHECK(*ring.cq.kflags & IORING_CQ_EVENTFD_DISABLED);
	nops(&ring, 3);
	CHECK_EQ(ev_take(ev), 0);
	CHECK_EQ(io_uring_cq_eventfd_toggle(&ring, true), 0);
	nops(&ring, 1);
	CHECK_EQ(ev_take(ev), 1);
	io_uring_queue_exit(&ring);
	close(ev);
}

/* eventfd_async: inline completions (a NOP) are not signalled, completions
 * from the worker pool (an FSYNC, always blocking) are. */
static void case_async(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int ev = new_eventfd(), fd = t_tmpfd();

	CHECK_EQ(write(fd, "data", 4), 4);
	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_eventfd_async(&ring, ev), 0);
	nops(&ring, 4);
	CHECK_EQ(ev_take(ev), 0);
	io_uring_prep_fsync(t_sqe(&ring), fd, 0);
	t_submit(&ring, 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 0);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(ev_take(ev), 1);
	io_uring_queue_exit(&ring);
	close(ev);
	close(fd);
}

static void case_errors(void)
{
	struct io_uring ring;
	int ev = new_eventfd(), ev2 = new_eventfd(), fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_unregister_eventfd(&ring), -ENXIO);
	CHECK_EQ(io_uring_register_eventfd(&ring, -1), -EBADF);
	CHECK_EQ(io_uring_register_eventfd(&ring, fd), -EINVAL);
	CHECK_EQ(io_uring_register_eventfd(&ring, ev), 0);
	CHECK_EQ(io_uring_register_eventfd(&ring, ev2), -EBUSY);
	CHECK_EQ(io_uring_register_eventfd_async(&ring, ev2), -EBUSY);
	CHECK_EQ(io_uring_unregister_eventfd(&ring), 0);
	CHECK_EQ(io_uring_unregister_eventfd(&ring), -ENXIO);
	/* Registration holds its own reference: closing ours is fine. */
	CHECK_EQ(io_uring_register_eventfd(&ring, ev2), 0);
	close(ev2);
	nops(&ring, 1);
	io_uring_queue_exit(&ring);
	close(ev);
	close(fd);
}

static void *late_write(void *arg)
{
	usleep(100000);
	CHECK_EQ(write(*(int *)arg, "z", 1), 1);
	return NULL;
}

/* A background completion wakes a thread sleeping on the eventfd. */
static void case_wakeup(void)
{
	struct pollfd pfd = { .events = POLLIN };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	pthread_t th;
	char c;
	int p[2];

	pfd.fd = new_eventfd();
	CHECK_EQ(pipe(p), 0);
	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_eventfd(&ring, pfd.fd), 0);
	io_uring_prep_read(t_sqe(&ring), p[0], &c, 1, 0);
	t_submit(&ring, 1);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	CHECK_EQ(pthread_create(&th, NULL, late_write, &p[1]), 0);
	CHECK_EQ(poll(&pfd, 1, 5000), 1);
	pthread_join(th, NULL);
	CHECK_EQ(ev_take(pfd.fd), 1);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), 0);
	CHECK_EQ(cqe->res, 1);
	CHECK_EQ(c, 'z');
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	close(pfd.fd);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "signal", case_signal, 0 },
		{ "toggle", case_toggle, 0 },
		{ "async", case_async, 0 },
		{ "errors", case_errors, 0 },
		{ "wakeup", case_wakeup, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
