/* SPDX-License-Identifier: MIT */
/*
 * io_uring_queue_exit with work in flight: it returns promptly, leaves no
 * descriptor or thread behind, and the requests let go of their files.
 * (Leaks of memory show in the sanitizer build.)
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

static void *idle_thread(void *arg)
{
	return arg;
}

/*
 * Thread counts are compared before and after a ring. A sanitizer runtime
 * starts a helper thread of its own with the process's first extra
 * thread: make that happen before the "before" count.
 */
static void settle_runtime_threads(void)
{
	pthread_t th;

	CHECK_EQ(pthread_create(&th, NULL, idle_thread, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	CHECK(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Kernel io-wq workers and engine workers are threads of this process;
 * the kernel's leave a moment after the ring does. */
static void wait_threads(int want)
{
	uint64_t end = t_now_ns() + 3000000000ull;
	int n;

	while ((n = count_dir("/proc/self/task")) != want && t_now_ns() < end)
		usleep(10000);
	CHECK_MSG(n == want, "%d threads, %d before the ring", n, want);
}

static void case_inflight_reads(void)
{
	enum { N = 16 };
	static char bufs[N][8];
	struct io_uring ring;
	int p[N][2], i, fds, threads;
	uint64_t t0;

	for (i = 0; i < N; i++)
		CHECK_EQ(pipe(p[i]), 0);
	fds = count_dir("/proc/self/fd");
	settle_runtime_threads();
	threads = count_dir("/proc/self/task");
	t_ring(&ring, N, NULL);
	for (i = 0; i < N; i++)
		io_uring_prep_read(t_sqe(&ring), p[i][0], bufs[i], 8, 0);
	t_submit(&ring, N);
	usleep(50000);
	t0 = t_now_ns();
	io_uring_queue_exit(&ring);
	CHECK_MSG(t_now_ns() - t0 < 2000000000ull, "queue_exit took %llu ms",
		  (unsigned long long)(t_now_ns() - t0) / 1000000);
	CHECK_EQ(count_dir("/proc/self/fd"), fds);
	wait_threads(threads);
}

/* A pipe's write end polls POLLERR once no reader is left (a zero-length
 * write cannot tell: it returns 0 before it looks for readers). */
static bool pipe_has_reader(int wfd)
{
	struct pollfd pfd = { .fd = wfd, .events = POLLOUT };

	CHECK_EQ(poll(&pfd, 1, 0), 1);
	return !(pfd.revents & POLLERR);
}

/* The requests' own references to their pipes are dropped: once we close
 * our read ends too, the pipe has no reader. */
static void case_file_refs_released(void)
{
	struct io_uring ring;
	char buf[4];
	int p[2];
	uint64_t end;
	bool reader;

	CHECK_EQ(pipe(p), 0);
	/* The check itself: a pipe whose only read end is closed. */
	{
		int q[2];

		CHECK_EQ(pipe(q), 0);
		CHECK(pipe_has_reader(q[1]));
		close(q[0]);
		CHECK(!pipe_has_reader(q[1]));
		close(q[1]);
	}
	t_ring(&ring, 4, NULL);
	io_uring_prep_read(t_sqe(&ring), p[0], buf, 4, 0);
	t_submit(&ring, 1);
	usleep(50000);
	close(p[0]);
	/* The request still holds the read end: the pipe has a reader. */
	CHECK_MSG(pipe_has_reader(p[1]), "the request let go of its pipe");
	io_uring_queue_exit(&ring);
	end = t_now_ns() + 3000000000ull;
	while ((reader = pipe_has_reader(p[1])) && t_now_ns() < end)
		usleep(10000);
	CHECK_MSG(!reader, "pipe still has a reader after queue_exit");
	close(p[1]);
}

/* Exit with CQEs unreaped and with CQEs on the overflow list. */
static void case_unreaped(void)
{
	struct io_uring ring;
	int fds = count_dir("/proc/self/fd"), i;

	t_ring(&ring, 4, NULL);
	for (i = 0; i < 5; i++) {
		io_uring_prep_nop(t_sqe(&ring));
		io_uring_prep_nop(t_sqe(&ring));
		io_uring_prep_nop(t_sqe(&ring));
		t_submit(&ring, 3);
	}
	CHECK(io_uring_cq_has_overflow(&ring));
	io_uring_queue_exit(&ring);
	CHECK_EQ(count_dir("/proc/self/fd"), fds);
}

/* Exit while writes to a file are running; the file stays usable. */
static void case_inflight_writes(void)
{
	enum { N = 8, LEN = 1 << 20 };
	static char buf[LEN];
	struct io_uring ring;
	int fd = t_tmpfd(), i, threads;

	settle_runtime_threads();
	threads = count_dir("/proc/self/task");
	memset(buf, 'w', sizeof(buf));
	t_ring(&ring, N, NULL);
	for (i = 0; i < N; i++)
		io_uring_prep_write(t_sqe(&ring), fd, buf, LEN, (__u64)i * LEN);
	t_submit(&ring, N);
	io_uring_queue_exit(&ring);
	CHECK_EQ(pwrite(fd, "end", 3, 0), 3);
	wait_threads(threads);
}

/* Many rings made and torn down, some with work in flight. */
static void case_churn(void)
{
	struct io_uring ring;
	int fds, threads, i, p[2];
	char c;

	CHECK_EQ(pipe(p), 0);
	fds = count_dir("/proc/self/fd");
	settle_runtime_threads();
	threads = count_dir("/proc/self/task");
	for (i = 0; i < 200; i++) {
		t_ring(&ring, 8, NULL);
		io_uring_prep_nop(t_sqe(&ring));
		if (i % 4 == 0)
			io_uring_prep_read(t_sqe(&ring), p[0], &c, 1, 0);
		io_uring_submit(&ring);
		io_uring_queue_exit(&ring);
	}
	CHECK_EQ(count_dir("/proc/self/fd"), fds);
	wait_threads(threads);
}

/*
 * Exit while a worker runs a request whose linked successor then goes to
 * a worker in its turn: the pool, being taken down, must not start a
 * worker that outlives it; the successor completes (cancelled) and every
 * descriptor and thread comes back.
 */
static void case_linked_punt_at_exit(void)
{
	enum { ROUNDS = 60, LEN = 2 << 20 };
	static char buf[LEN];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd = t_tmpfd(), fds, threads, i, p[2];
	char c;

	CHECK_EQ(pipe(p), 0);
	fds = count_dir("/proc/self/fd");
	settle_runtime_threads();
	threads = count_dir("/proc/self/task");
	for (i = 0; i < ROUNDS; i++) {
		t_ring(&ring, 8, NULL);
		sqe = t_sqe(&ring);
		io_uring_prep_write(sqe, fd, buf, LEN, 0);
		sqe->flags |= IOSQE_ASYNC | IOSQE_IO_LINK;
		sqe = t_sqe(&ring);
		if (i % 2)	/* bound, then unbound work behind it */
			io_uring_prep_fsync(sqe, fd, 0);
		else
			io_uring_prep_read(sqe, p[0], &c, 1, 0);
		sqe->flags |= IOSQE_ASYNC;
		CHECK_EQ(io_uring_submit(&ring), 2);
		usleep((unsigned)(i % 5) * 300);
		io_uring_queue_exit(&ring);
	}
	CHECK_EQ(count_dir("/proc/self/fd"), fds);
	wait_threads(threads);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "inflight_reads", case_inflight_reads, 0 },
		{ "file_refs_released", case_file_refs_released, 0 },
		{ "unreaped", case_unreaped, 0 },
		{ "inflight_writes", case_inflight_writes, 0 },
		{ "churn", case_churn, 0 },
		{ "linked_punt_at_exit", case_linked_punt_at_exit, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
