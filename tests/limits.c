/* SPDX-License-Identifier: MIT */
/*
 * Resource limits, with the kernel as the reference: RLIMIT_NPROC (no
 * thread can be created) and RLIMIT_NOFILE (64, 1024, every descriptor
 * used). limits_scale.c: 1000 rings at once, 10,000 parked RECVs.
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
#include "limits.h"

/* At exit: a leak checker needs a thread of its own to look. */
static void nproc_restore(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NPROC, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NPROC, &rl);
	}
}

/*
 * From here on this process cannot create a thread: RLIMIT_NPROC 1 as an
 * unprivileged user (root is not held to the limit). Only the case's own
 * forked process is affected.
 */
static void nproc_drop(void)
{
	struct rlimit rl;
	pthread_t th;
	int err;

	CHECK_EQ(getrlimit(RLIMIT_NPROC, &rl), 0);
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
		t_skip("cannot become an unprivileged user: %s", strerror(errno));
	rl.rlim_cur = 1;
	CHECK_EQ(setrlimit(RLIMIT_NPROC, &rl), 0);
	atexit(nproc_restore);
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

/* --- RLIMIT_NOFILE -------------------------------------------------------- */

/* Uses every descriptor left; returns the lowest one taken, to give
 * them back with close_from(). */
static int use_all_fds(void)
{
	int first = -1, fd;

	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		if (first < 0)
			first = fd;
	CHECK_EQ(errno, EMFILE);
	return first;
}

static void close_from(int first)
{
	struct rlimit rl;
	int fd;

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	for (fd = first; first >= 0 && fd < (int)rl.rlim_cur; fd++)
		close(fd);
}

/*
 * RLIMIT_NOFILE 64, every descriptor in use. The kernel needs none to run
 * a request; the engine needs its own reference to a file that a request
 * waits on, and descriptors for its reactor and poll thread. Those fail
 * with -EMFILE (documented); file I/O that would go to a worker runs on
 * the submitter; every SQE gets its one CQE. With descriptors back, all
 * of it works again.
 */
static void case_nofile_exhausted(void)
{
	struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[8][64];
	int fd = data_file(), p[2], first, i;
	struct t_rec rec;
	const struct t_cqe *c;

	CHECK_EQ(pipe(p), 0);
	set_nofile(64);
	t_ring(&ring, 16, NULL);
	warm_wait(&ring);
	first = use_all_fds();
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->user_data = 2;
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 3;
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf[0], 64, 0);
	sqe->user_data = 4;
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf[1], 64, 0);	/* short: a worker's */
	sqe->user_data = 5;
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf[2], 64, 0);
	sqe->flags |= IOSQE_ASYNC;
	sqe->user_data = 6;
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->user_data = 7;
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, "/dev/null", O_RDONLY, 0);
	sqe->user_data = 8;
	sqe = t_sqe(&ring);
	io_uring_prep_socket(sqe, AF_UNIX, SOCK_STREAM, 0, 0);
	sqe->user_data = 9;
	CHECK_EQ(io_uring_submit(&ring), 9);
	usleep(20000);
	CHECK_EQ(write(p[1], "x", 1), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 9, 3000);
	t_expect_none(&ring, 50);
	for (i = 0; i < 9; i++) {
		static const int kernel[] = { 0, -ETIME, POLLIN, 1, 11, 11, 0,
					      -EMFILE, -EMFILE };
		static const int user[] = { 0, -EMFILE, -EMFILE, -EMFILE, 11,
					    11, 0, -EMFILE, -EMFILE };

		c = t_rec_find(&rec, (uint64_t)i + 1);
		CHECK(c);
		CHECK_MSG(c->res == (KERNEL ? kernel : user)[i],
			  "request %d: %d", i + 1, c->res);
	}
	t_rec_free(&rec);
	if (!KERNEL)	/* the byte is still there: nobody took it */
		CHECK_EQ(read(p[0], buf[3], 1), 1);
	close_from(first);
	/* Descriptors back: a parked read and a timeout work again. */
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf[4], 64, 0);
	sqe->user_data = 10;
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->user_data = 11;
	CHECK_EQ(io_uring_submit(&ring), 2);
	CHECK_EQ(reap_one(&ring, 11), -ETIME);
	CHECK_EQ(write(p[1], "y", 1), 1);
	CHECK_EQ(reap_one(&ring, 10), 1);
	io_uring_queue_exit(&ring);
}

/* Rings until setup fails: -EMFILE with both, after about 60 rings with
 * the kernel (one descriptor each) and 20 with the engine (three). */
static void case_nofile_rings(void)
{
	static struct io_uring rings[64];
	int n = 0, ret, i;

	set_nofile(64);
	while (n < 64 && !(ret = io_uring_queue_init(4, &rings[n], 0)))
		n++;
	CHECK_EQ(ret, -EMFILE);
	CHECK_MSG(n >= (KERNEL ? 50 : 15), "%d rings", n);
	for (i = 0; i < n; i++) {
		io_uring_prep_nop(t_sqe(&rings[i]));
		t_submit(&rings[i], 1);
		io_uring_queue_exit(&rings[i]);
	}
}

/*
 * RLIMIT_NOFILE 1024 and 400 pipes (800 descriptors), a READ parked on
 * each. The kernel parks all of them; the engine runs out of descriptors
 * for its own references after about 200 and fails the rest with -EMFILE
 * at once. Then every pipe gets a byte: each byte is read exactly once,
 * by its READ or (after -EMFILE) by the application.
 */
static void case_nofile_1024(void)
{
	enum { N = 400 };
	static int p[N][2];
	static char buf[N];
	struct io_uring_params par = { .flags = IORING_SETUP_CQSIZE,
				       .cq_entries = 2 * N };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int i, ok = 0, emfile = 0;
	char c;

	set_nofile(1024);
	for (i = 0; i < N; i++)
		CHECK_EQ(pipe2(p[i], O_CLOEXEC), 0);
	t_ring(&ring, N, &par);
	warm_wait(&ring);
	for (i = 0; i < N; i++) {
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, p[i][0], &buf[i], 1, 0);
		sqe->user_data = (uint64_t)i;
	}
	CHECK_EQ(io_uring_submit(&ring), N);
	for (i = 0; i < N; i++)
		CHECK_EQ(write(p[i][1], "z", 1), 1);
	for (i = 0; i < N; i++) {
		cqe = t_wait(&ring, 3000);
		CHECK(cqe->user_data < N);
		if (cqe->res == -EMFILE) {
			emfile++;
			CHECK_EQ(read(p[cqe->user_data][0], &c, 1), 1);
		} else {
			CHECK_EQ(cqe->res, 1);
			CHECK_EQ(buf[cqe->user_data], 'z');
			ok++;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	t_expect_none(&ring, 50);
	CHECK_EQ(ok + emfile, N);
	if (KERNEL)
		CHECK_EQ(emfile, 0);
	else
		CHECK_MSG(emfile > 0 && ok > 100, "%d parked, %d -EMFILE", ok, emfile);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "nproc_file_read", case_nproc_file_read, 0 },
		{ "nproc_bound_work", case_nproc_bound_work, 0 },
		{ "nproc_unbound_work", case_nproc_unbound_work, 0 },
		{ "nproc_readiness", case_nproc_readiness, 0 },
		{ "nproc_sqpoll", case_nproc_sqpoll, 0 },
		{ "nofile_exhausted", case_nofile_exhausted, 0 },
		{ "nofile_rings", case_nofile_rings, 0 },
		{ "nofile_1024", case_nofile_1024, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
