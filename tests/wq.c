/* SPDX-License-Identifier: MIT */
/*
 * The worker pool: io_uring_register_iowq_max_workers reads and sets the
 * bounded/unbounded limits; blocked requests do not hold up others.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "testlib.h"

static unsigned nproc_limit(void)
{
	struct rlimit rl;

	CHECK_EQ(getrlimit(RLIMIT_NPROC, &rl), 0);
	return rl.rlim_cur > 0x7fffffff ? 0x7fffffff : (unsigned)rl.rlim_cur;
}

/* The default unbounded limit: RLIMIT_NPROC, as the kernel's io-wq. */
static unsigned default_unbounded(void)
{
	return nproc_limit();
}

static void get_limits(struct io_uring *ring, unsigned v[2])
{
	v[0] = v[1] = 0;
	CHECK_EQ(io_uring_register_iowq_max_workers(ring, v), 0);
}

/* The kernel makes the task's worker pool with its first submission. */
static void first_submit(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;

	io_uring_prep_nop(t_sqe(ring));
	t_submit(ring, 1);
	cqe = t_wait(ring, 5000);
	io_uring_cqe_seen(ring, cqe);
}

static void case_defaults(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct io_uring ring;
	unsigned v[2], want;

	CHECK(cpus > 0);
	t_ring(&ring, 4, NULL);
	first_submit(&ring);
	get_limits(&ring, v);
	want = 4 < 4 * cpus ? 4 : (unsigned)(4 * cpus);
	CHECK_EQ(v[0], want);
	CHECK_EQ(v[1], default_unbounded());
	io_uring_queue_exit(&ring);
}

static void case_set_get(void)
{
	struct io_uring ring;
	unsigned v[2], before[2];

	t_ring(&ring, 8, NULL);
	first_submit(&ring);
	get_limits(&ring, before);
	/* Setting returns the previous values. */
	v[0] = 2;
	v[1] = 3;
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring, v), 0);
	CHECK_EQ(v[0], before[0]);
	CHECK_EQ(v[1], before[1]);
	get_limits(&ring, v);
	CHECK_EQ(v[0], 2);
	CHECK_EQ(v[1], 3);
	/* Zero leaves a limit as it is. */
	v[0] = 5;
	v[1] = 0;
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring, v), 0);
	CHECK_EQ(v[0], 2);
	CHECK_EQ(v[1], 3);
	get_limits(&ring, v);
	CHECK_EQ(v[0], 5);
	CHECK_EQ(v[1], 3);
	/* nr_args must be 2. */
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_IOWQ_MAX_WORKERS,
				   v, 1), -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_IOWQ_MAX_WORKERS,
				   v, 3), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* A limit above RLIMIT_NPROC is clamped to it. */
static void case_clamp(void)
{
	struct io_uring ring;
	unsigned v[2];

	t_ring(&ring, 8, NULL);
	first_submit(&ring);
	if (nproc_limit() >= 0x7fffffff)
		t_skip("RLIMIT_NPROC is unlimited: nothing to clamp to");
	v[0] = v[1] = nproc_limit() + 1000;
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring, v), 0);
	get_limits(&ring, v);
	CHECK_EQ(v[0], nproc_limit());
	CHECK_EQ(v[1], nproc_limit());
	io_uring_queue_exit(&ring);
}

/* Many reads blocked on pipes: data for the last one completes it at once,
 * however many are still blocked ahead of it. */
static void case_no_head_of_line(void)
{
	enum { N = 16 };
	static char bufs[N][4];
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int p[N][2], i;

	t_ring(&ring, N, NULL);
	for (i = 0; i < N; i++) {
		struct io_uring_sqe *sqe = t_sqe(&ring);

		CHECK_EQ(pipe(p[i]), 0);
		io_uring_prep_read(sqe, p[i][0], bufs[i], 4, 0);
		sqe->user_data = (uint64_t)i;
	}
	t_submit(&ring, N);
	usleep(20000);
	for (i = N - 1; i >= 0; i--) {
		CHECK_EQ(write(p[i][1], "w", 1), 1);
		cqe = t_wait(&ring, 2000);
		CHECK_EQ(cqe->user_data, (uint64_t)i);
		CHECK_EQ(cqe->res, 1);
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
}

/*
 * Engine only: with one unbounded worker, a second blocked pipe read waits
 * for the worker; raising the limit lets it run. (The kernel waits on
 * pipes with poll, not with workers, so it has nothing to compare.)
 */
static void case_limit_enforced(void)
{
	static char a[4], b[4];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned v[2] = { 1, 1 };
	int p1[2], p2[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring, v), 0);
	CHECK_EQ(pipe(p1), 0);
	CHECK_EQ(pipe(p2), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p1[0], a, 4, 0);
	sqe->flags |= IOSQE_ASYNC;	/* a pipe read alone would park, not wait */
	sqe->user_data = 1;
	t_submit(&ring, 1);
	usleep(50000);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p2[0], b, 4, 0);
	sqe->flags |= IOSQE_ASYNC;
	sqe->user_data = 2;
	t_submit(&ring, 1);
	CHECK_EQ(write(p2[1], "2", 1), 1);
	usleep(200000);
	CHECK_EQ(io_uring_cq_ready(&ring), 0);
	/* Finishing the first read frees the worker for the second. */
	CHECK_EQ(write(p1[1], "1", 1), 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 1);
	io_uring_cqe_seen(&ring, cqe);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 2);
	CHECK_EQ(cqe->res, 1);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "defaults", case_defaults, 0 },
		{ "set_get", case_set_get, 0 },
		{ "clamp", case_clamp, 0 },
		{ "no_head_of_line", case_no_head_of_line, 0 },
		{ "limit_enforced", case_limit_enforced, T_USER_ONLY },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
