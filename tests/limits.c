/* SPDX-License-Identifier: MIT */
/*
 * Resource limits, with the kernel as the reference: RLIMIT_NPROC (no
 * thread can be created), RLIMIT_NOFILE (64, 1024, every descriptor used),
 * 1000 rings at once, and 10,000 parked RECVs.
 *
 * The engine needs more descriptors and threads than the kernel. Where it
 * cannot have them it may fail a request with an errno that the kernel
 * completes (docs/ARCHITECTURE.md, "Where the engine differs"), and the
 * cases check that documented result; what it may never do is lose a CQE,
 * hang or crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define KERNEL (t_backend == AIORING_BACKEND_KERNEL)

static void *idle_thread(void *arg)
{
	return arg;
}

/*
 * From here on this process cannot create a thread: RLIMIT_NPROC 1 as an
 * unprivileged user (root is not held to the limit). Only the case's own
 * forked process is affected.
 */
static void nproc_drop(void)
{
	struct rlimit rl = { 1, 1 };
	pthread_t th;
	int err;

	if (geteuid() == 0 &&
	    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
		t_skip("cannot become an unprivileged user: %s", strerror(errno));
	CHECK_EQ(setrlimit(RLIMIT_NPROC, &rl), 0);
	err = pthread_create(&th, NULL, idle_thread, NULL);
	if (!err) {
		pthread_join(th, NULL);
		t_skip("RLIMIT_NPROC does not stop thread creation here");
	}
	CHECK_EQ(err, EAGAIN);
}

/* A file with "hello world" in it: 11 bytes, read as 64. */
static int data_file(void)
{
	int fd = t_tmpfd();

	CHECK_EQ(pwrite(fd, "hello world", 11, 0), 11);
	return fd;
}

/* Reaps one CQE of @ud within 3 s and returns its result. */
static int reap_one(struct io_uring *ring, uint64_t ud)
{
	struct io_uring_cqe *cqe = t_wait(ring, 3000);
	int res;

	CHECK_EQ(cqe->user_data, ud);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/*
 * Work the engine sends to a worker and the kernel does not (a short read
 * of a regular file is finished in a worker): it runs on the submitting
 * thread instead, and completes as with the kernel.
 */
static void case_nproc_file_read(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[64];
	int fd = data_file(), i;

	nproc_drop();
	t_ring(&ring, 8, NULL);
	for (i = 0; i < 3; i++) {
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
		sqe->user_data = 1;
		CHECK_EQ(io_uring_submit(&ring), 1);
		CHECK_EQ(reap_one(&ring, 1), 11);
		CHECK(!memcmp(buf, "hello world", 11));
	}
	t_expect_none(&ring, 50);
	io_uring_queue_exit(&ring);
}

/*
 * Work that needs a worker with both: IOSQE_ASYNC, FSYNC. The kernel's
 * io-wq cannot make its first worker and cancels the work; the engine runs
 * it blocking on the submitting thread (documented): a chain of 200 such
 * requests completes without recursion.
 */
static void case_nproc_bound_work(void)
{
	enum { CHAIN = 200 };
	static char bufs[CHAIN][64];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = data_file(), i;

	nproc_drop();
	t_ring(&ring, 256, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(reap_one(&ring, 1), KERNEL ? -ECANCELED : 0);
	for (i = 0; i < CHAIN; i++) {
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, fd, bufs[i], 11, 0);
		sqe->flags |= IOSQE_ASYNC | (i < CHAIN - 1 ? IOSQE_IO_LINK : 0);
		sqe->user_data = 100 + (uint64_t)i;
	}
	CHECK_EQ(io_uring_submit(&ring), CHAIN);
	for (i = 0; i < CHAIN; i++)
		CHECK_EQ(reap_one(&ring, 100 + (uint64_t)i),
			 KERNEL ? -ECANCELED : 11);
	t_expect_none(&ring, 50);
	io_uring_queue_exit(&ring);
}

/*
 * Work that may wait for a peer (a pipe read sent to a worker) must not
 * block the only thread, which may be the peer: both backends cancel it.
 */
static void case_nproc_unbound_work(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char c;
	int p[2];

	CHECK_EQ(pipe(p), 0);
	nproc_drop();
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], &c, 1, 0);
	sqe->flags |= IOSQE_ASYNC;
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(reap_one(&ring, 1), -ECANCELED);
	/* The submitter was not held: the pipe is still empty, ours. */
	CHECK_EQ(write(p[1], "x", 1), 1);
	CHECK_EQ(read(p[0], &c, 1), 1);
	t_expect_none(&ring, 50);
	io_uring_queue_exit(&ring);
}

/*
 * What the kernel waits for without a thread (readiness, time) the
 * engine waits for on threads of its own; without them it fails the
 * request at once (documented): a pipe read with -ECANCELED (no poll
 * thread, no worker), POLL_ADD and TIMEOUT with -EAGAIN (no reactor).
 */
static void case_nproc_readiness(void)
{
	struct __kernel_timespec ts = { .tv_nsec = 10000000 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char c;
	int p[2], res;

	CHECK_EQ(pipe(p), 0);
	nproc_drop();
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], &c, 1, 0);
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 2;
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->user_data = 3;
	CHECK_EQ(io_uring_submit(&ring), 3);
	if (KERNEL) {
		CHECK_EQ(reap_one(&ring, 3), -ETIME);
		CHECK_EQ(write(p[1], "x", 1), 1);
		T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ 1, POLLIN });
	} else {
		T_EXPECT_SET(&ring, 3, (uint64_t[]){ 1, 2, 3 },
			     (int[]){ -ECANCELED, -EAGAIN, -EAGAIN });
		CHECK_EQ(write(p[1], "x", 1), 1);
		res = (int)read(p[0], &c, 1);
		CHECK_EQ(res, 1);
	}
	t_expect_none(&ring, 50);
	io_uring_queue_exit(&ring);
}

/* SQPOLL needs a thread with both: setup fails with the same errno. */
static void case_nproc_sqpoll(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL };
	struct io_uring ring;

	nproc_drop();
	CHECK_EQ(t_ring_try(&ring, 8, &p, t_backend), -EAGAIN);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "nproc_file_read", case_nproc_file_read, 0 },
		{ "nproc_bound_work", case_nproc_bound_work, 0 },
		{ "nproc_unbound_work", case_nproc_unbound_work, 0 },
		{ "nproc_readiness", case_nproc_readiness, 0 },
		{ "nproc_sqpoll", case_nproc_sqpoll, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
