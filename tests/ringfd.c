/* SPDX-License-Identifier: MIT */
/*
 * The ring fd: poll and epoll report it readable while CQEs are pending,
 * a dup of it is the same ring, and closing it (io_uring_queue_exit) leaves
 * no descriptor behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "testlib.h"

static int poll_in(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret = poll(&pfd, 1, ms);

	CHECK_MSG(ret >= 0, "poll: %s", strerror(errno));
	return ret ? pfd.revents : 0;
}

static void submit_nop(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	sqe->user_data = user_data;
	t_submit(ring, 1);
}

/* Reaps everything, then lets the library see the empty CQ (the engine
 * may keep a stale readiness until its next call; see ARCHITECTURE.md). */
static void reap_all(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;

	while (!io_uring_peek_cqe(ring, &cqe))
		io_uring_cqe_seen(ring, cqe);
	CHECK_EQ(io_uring_get_events(ring), 0);
}

static void case_poll(void)
{
	struct io_uring ring;
	int i;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(poll_in(ring.ring_fd, 0), 0);
	for (i = 0; i < 3; i++) {
		submit_nop(&ring, i);
		CHECK_EQ(poll_in(ring.ring_fd, 2000), POLLIN);
		/* Still readable while the CQE is not reaped. */
		CHECK_EQ(poll_in(ring.ring_fd, 0), POLLIN);
		reap_all(&ring);
		CHECK_EQ(poll_in(ring.ring_fd, 0), 0);
	}
	io_uring_queue_exit(&ring);
}

struct late_write {
	int fd;
	unsigned delay_ms;
};

static void *late_writer(void *arg)
{
	struct late_write *w = arg;

	usleep(w->delay_ms * 1000);
	CHECK_EQ(write(w->fd, "abc", 3), 3);
	return NULL;
}

/* A completion from the background wakes a poller that is already asleep. */
static void case_poll_wakeup(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct late_write w = { .delay_ms = 100 };
	struct io_uring_sqe *sqe;
	pthread_t th;
	char buf[8];
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
	t_submit(&ring, 1);
	CHECK_EQ(poll_in(ring.ring_fd, 0), 0);
	w.fd = p[1];
	CHECK_EQ(pthread_create(&th, NULL, late_writer, &w), 0);
	CHECK_EQ(poll_in(ring.ring_fd, 5000), POLLIN);
	pthread_join(th, NULL);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), 0);
	CHECK_EQ(cqe->res, 3);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

static void case_epoll(void)
{
	struct io_uring ring;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	int ep, i;

	t_ring(&ring, 8, NULL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, ring.ring_fd, &ev), 0);
	CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	for (i = 0; i < 3; i++) {
		submit_nop(&ring, i);
		memset(&ev, 0, sizeof(ev));
		CHECK_EQ(epoll_wait(ep, &ev, 1, 2000), 1);
		CHECK_EQ(ev.data.u64, 42);
		CHECK(ev.events & EPOLLIN);
		reap_all(&ring);
		CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 0);
	}
	close(ep);
	io_uring_queue_exit(&ring);
}

/* A dup names the same ring: same backend, same readiness, and the ring
 * outlives the dup being closed. */
static void case_dup(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int fd;

	t_ring(&ring, 8, NULL);
	fd = dup(ring.ring_fd);
	CHECK(fd >= 0);
	CHECK_EQ(aioring_backend_fd(fd), t_backend);
	CHECK_EQ(poll_in(fd, 0), 0);
	submit_nop(&ring, 1);
	CHECK_EQ(poll_in(fd, 2000), POLLIN);
	reap_all(&ring);
	CHECK_EQ(poll_in(fd, 0), 0);
	CHECK_EQ(close(fd), 0);
	submit_nop(&ring, 2);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 2);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	CHECK(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* io_uring_queue_exit closes every descriptor the ring made. */
static void case_close(void)
{
	struct io_uring ring;
	int before, fd, i;

	before = count_fds();
	for (i = 0; i < 50; i++) {
		t_ring(&ring, 8, NULL);
		fd = ring.ring_fd;
		CHECK(count_fds() > before);
		submit_nop(&ring, i);
		io_uring_queue_exit(&ring);
		CHECK_EQ(fcntl(fd, F_GETFD), -1);
		CHECK_EQ(errno, EBADF);
		CHECK_EQ(aioring_backend_fd(fd), -EBADF);
	}
	CHECK_EQ(count_fds(), before);
}

/* Readiness across a reaped and refilled CQ, in one ring fd, many times. */
static void case_readiness_cycles(void)
{
	struct io_uring ring;
	int i, j;

	t_ring(&ring, 16, NULL);
	for (i = 0; i < 200; i++) {
		for (j = 0; j <= i % 5; j++)
			submit_nop(&ring, j);
		CHECK_EQ(poll_in(ring.ring_fd, 2000), POLLIN);
		CHECK_EQ(io_uring_cq_ready(&ring), (unsigned)(i % 5) + 1);
		reap_all(&ring);
	}
	CHECK_EQ(poll_in(ring.ring_fd, 0), 0);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "poll", case_poll, 0 },
		{ "poll_wakeup", case_poll_wakeup, 0 },
		{ "epoll", case_epoll, 0 },
		{ "dup", case_dup, 0 },
		{ "close", case_close, 0 },
		{ "readiness_cycles", case_readiness_cycles, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
