/* SPDX-License-Identifier: MIT */
/* Helpers shared by the resource-limit tests (limits.c, limits_scale.c). */
#ifndef AIORING_TESTS_LIMITS_H
#define AIORING_TESTS_LIMITS_H

#include <dirent.h>
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>
#include "testlib.h"

#define KERNEL (t_backend == AIORING_BACKEND_KERNEL)

static inline void *idle_thread(void *arg)
{
	return arg;
}

/* Reaps one CQE of @ud within 3 s and returns its result. */
static inline int reap_one(struct io_uring *ring, uint64_t ud)
{
	struct io_uring_cqe *cqe = t_wait(ring, 3000);
	int res;

	CHECK_EQ(cqe->user_data, ud);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static inline void set_nofile(unsigned n)
{
	struct rlimit rl;

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max < n)
		t_skip("RLIMIT_NOFILE hard limit %lu < %u needed",
		       (unsigned long)rl.rlim_max, n);
	rl.rlim_cur = n;
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* A NOP, and a wait that sleeps: the library's per-thread wait state
 * (the engine: an eventfd) exists from here on. */
static inline void warm_wait(struct io_uring *ring)
{
	struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	struct io_uring_sqe *sqe = t_sqe(ring);
	struct io_uring_cqe *cqe;

	io_uring_prep_nop(sqe);
	sqe->user_data = 99;
	CHECK_EQ(io_uring_submit(ring), 1);
	CHECK_EQ(reap_one(ring, 99), 0);
	CHECK_EQ(io_uring_wait_cqe_timeout(ring, &cqe, &ts), -ETIME);
}

static inline int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	CHECK(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static inline void wait_threads(int want)
{
	uint64_t end = t_now_ns() + 5000000000ull;
	int n;

	while ((n = count_dir("/proc/self/task")) > want && t_now_ns() < end)
		usleep(10000);
	CHECK_MSG(n <= want, "%d threads, %d before", n, want);
}

#endif
