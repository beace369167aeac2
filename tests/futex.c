/* SPDX-License-Identifier: MIT */
/*
 * FUTEX_WAKE, FUTEX_WAIT, FUTEX_WAITV: wakes between the ring and plain
 * futex(2), the kernel's prep and issue errors, cancellation and
 * teardown of a waiting request.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "testlib.h"

#define F2_U32		0x02u
#define F2_PRIVATE	0x80u
#define F2		(F2_U32 | F2_PRIVATE)
#define ANY		FUTEX_BITSET_MATCH_ANY

static uint32_t words[4] __attribute__((aligned(8)));

static int reap_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe = t_wait(ring, 2000);
	int res = cqe->res;

	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int run_one(struct io_uring *ring)
{
	t_submit(ring, 1);
	return reap_one(ring);
}

static struct io_uring_sqe *wake(struct io_uring *ring, uint32_t *w,
				 uint64_t nr, uint64_t mask, uint32_t flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_futex_wake(sqe, w, nr, mask, flags, 0);
	return sqe;
}

static struct io_uring_sqe *fwait(struct io_uring *ring, uint32_t *w,
				 uint64_t val, uint32_t flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_futex_wait(sqe, w, val, ANY, flags, 0);
	sqe->user_data = ud;
	return sqe;
}

static void case_wake_errors(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	t_ring(&ring, 8, NULL);
	wake(&ring, &words[0], 1, ANY, F2);
	CHECK_EQ(run_one(&ring), 0);		/* nobody waits */
	wake(&ring, &words[0], 0, ANY, F2);
	CHECK_EQ(run_one(&ring), 0);
	wake(&ring, &words[0], 1, ANY, 0);	/* FUTEX2_SIZE_U8 */
	CHECK_EQ(run_one(&ring), -EINVAL);
	wake(&ring, &words[0], 1, ANY, 3);	/* FUTEX2_SIZE_U64 */
	CHECK_EQ(run_one(&ring), -EINVAL);
	wake(&ring, &words[0], 1, ANY, F2 | 0x10);
	CHECK_EQ(run_one(&ring), -EINVAL);
	wake(&ring, &words[0], 1ull << 32, ANY, F2);
	CHECK_EQ(run_one(&ring), -EINVAL);
	wake(&ring, &words[0], 1, 1ull << 32, F2);
	CHECK_EQ(run_one(&ring), -EINVAL);
	wake(&ring, &words[0], 1, 0, F2);	/* an empty bitset */
	CHECK_EQ(run_one(&ring), -EINVAL);
	wake(&ring, (uint32_t *)((char *)&words[0] + 1), 1, ANY, F2);
	CHECK_EQ(run_one(&ring), -EINVAL);	/* misaligned */
	wake(&ring, (uint32_t *)8, 1, ANY, F2_U32);
	CHECK_EQ(run_one(&ring), -EFAULT);	/* shared: looked up */
	sqe = wake(&ring, &words[0], 1, ANY, F2);
	sqe->len = 1;
	CHECK_EQ(run_one(&ring), -EINVAL);
	sqe = wake(&ring, &words[0], 1, ANY, F2);
	sqe->futex_flags = 1;
	CHECK_EQ(run_one(&ring), -EINVAL);
	sqe = wake(&ring, &words[0], 1, ANY, F2);
	sqe->buf_index = 1;
	CHECK_EQ(run_one(&ring), -EINVAL);
	io_uring_queue_exit(&ring);
}

static void case_wait_errors(void)
{
	struct io_uring ring;

	words[0] = 5;
	t_ring(&ring, 8, NULL);
	fwait(&ring, &words[0], 4, F2, 1);
	CHECK_EQ(run_one(&ring), -EAGAIN);	/* the value differs */
	fwait(&ring, &words[0], 5, 0, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	fwait(&ring, &words[0], 1ull << 32, F2, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	fwait(&ring, (uint32_t *)((char *)&words[0] + 2), 5, F2, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	fwait(&ring, (uint32_t *)8, 5, F2, 1);
	CHECK_EQ(run_one(&ring), -EFAULT);
	io_uring_queue_exit(&ring);
}

/* Two waits, woken by a FUTEX_WAKE on the ring; the CQEs say so. */
static void case_wait_wake(void)
{
	struct io_uring ring;
	struct t_rec rec;

	words[0] = 0;
	t_ring(&ring, 8, NULL);
	fwait(&ring, &words[0], 0, F2, 1);
	fwait(&ring, &words[0], 0, F2, 2);
	CHECK_EQ(io_uring_submit(&ring), 2);
	t_expect_none(&ring, 30);
	io_uring_sqe_set_data64(wake(&ring, &words[0], INT_MAX, ANY, F2), 3);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 3, 2000);
	CHECK_EQ(t_rec_find(&rec, 1)->res, 0);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 0);
	CHECK_EQ(t_rec_find(&rec, 3)->res, 2);
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

/* A ring's wait is a waiter to plain futex(2), private and shared. */
static void wait_syscall_wake(uint32_t flags, int op)
{
	struct io_uring ring;

	words[1] = 7;
	t_ring(&ring, 8, NULL);
	fwait(&ring, &words[1], 7, flags, 1);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 30);
	CHECK_EQ(syscall(SYS_futex, &words[1], op, 1, NULL, NULL, 0), 1);
	CHECK_EQ(reap_one(&ring), 0);
	io_uring_queue_exit(&ring);
}

static void case_wait_private(void)
{
	wait_syscall_wake(F2, FUTEX_WAKE_PRIVATE);
}

static void case_wait_shared(void)
{
	wait_syscall_wake(F2_U32, FUTEX_WAKE);
}

static void case_wait_cancel(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct t_rec rec;

	words[0] = 0;
	t_ring(&ring, 8, NULL);
	fwait(&ring, &words[0], 0, F2, 1);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 30);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 1, 0);
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 2000);
	CHECK_EQ(t_rec_find(&rec, 1)->res, -ECANCELED);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 1);	/* the kernel counts futexes */
	t_rec_free(&rec);
	/* nobody waits any more */
	CHECK_EQ(syscall(SYS_futex, &words[0], FUTEX_WAKE_PRIVATE, 1, NULL,
			 NULL, 0), 0);
	io_uring_queue_exit(&ring);
}

static struct io_uring_sqe *waitv(struct io_uring *ring,
				  struct futex_waitv *v, unsigned nr,
				  uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_futex_waitv(sqe, v, nr, 0);
	sqe->user_data = ud;
	return sqe;
}

static void waitv_init(struct futex_waitv *v, unsigned nr)
{
	unsigned i;

	for (i = 0; i < nr; i++) {
		words[i] = i;
		v[i] = (struct futex_waitv){
			.uaddr = (uintptr_t)&words[i], .val = i, .flags = F2,
		};
	}
}

static void case_waitv(void)
{
	struct futex_waitv v[3];
	struct io_uring ring;

	waitv_init(v, 3);
	t_ring(&ring, 8, NULL);
	waitv(&ring, v, 3, 1);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 30);
	CHECK_EQ(syscall(SYS_futex, &words[2], FUTEX_WAKE_PRIVATE, 1, NULL,
			 NULL, 0), 1);
	CHECK_EQ(reap_one(&ring), 2);		/* the index woken */
	v[1].val = 9;
	waitv(&ring, v, 3, 1);
	CHECK_EQ(run_one(&ring), -EAGAIN);
	io_uring_queue_exit(&ring);
}

static void case_waitv_errors(void)
{
	struct futex_waitv v[3];
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	waitv_init(v, 3);
	t_ring(&ring, 8, NULL);
	waitv(&ring, v, 0, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	waitv(&ring, v, FUTEX_WAITV_MAX + 1, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	waitv(&ring, (struct futex_waitv *)8, 2, 1);
	CHECK_EQ(run_one(&ring), -EFAULT);
	sqe = waitv(&ring, v, 3, 1);
	sqe->fd = 1;
	CHECK_EQ(run_one(&ring), -EINVAL);
	sqe = waitv(&ring, v, 3, 1);
	sqe->addr3 = 1;
	CHECK_EQ(run_one(&ring), -EINVAL);
	v[1].__reserved = 1;
	waitv(&ring, v, 3, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	v[1].__reserved = 0;
	v[2].flags = F2_PRIVATE;		/* U8 */
	waitv(&ring, v, 3, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	v[2].flags = F2;
	v[0].val = 1ull << 32;
	waitv(&ring, v, 3, 1);
	CHECK_EQ(run_one(&ring), -EINVAL);
	v[0].val = 0;
	v[0].uaddr = 8;
	waitv(&ring, v, 3, 1);
	CHECK_EQ(run_one(&ring), -EFAULT);
	io_uring_queue_exit(&ring);
}

static void case_waitv_cancel(void)
{
	struct futex_waitv v[2];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct t_rec rec;

	waitv_init(v, 2);
	t_ring(&ring, 8, NULL);
	waitv(&ring, v, 2, 1);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 30);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 1, 0);
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 2000);
	CHECK_EQ(t_rec_find(&rec, 1)->res, -ECANCELED);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 1);	/* the kernel counts futexes */
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

/* CANCEL_ALL: each wait ends -ECANCELED; the kernel reports its futex
 * list's pass as one. */
static void case_cancel_all(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct t_rec rec;
	int i;

	words[0] = 0;
	t_ring(&ring, 8, NULL);
	for (i = 0; i < 3; i++)
		fwait(&ring, &words[0], 0, F2, 1);
	CHECK_EQ(io_uring_submit(&ring), 3);
	t_expect_none(&ring, 30);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 1, IORING_ASYNC_CANCEL_ALL);
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 4, 2000);
	t_rec_sort(&rec);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(rec.v[i].user_data, 1);
		CHECK_EQ(rec.v[i].res, -ECANCELED);
	}
	CHECK_EQ(t_rec_find(&rec, 2)->res, 1);
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

/* Waiting requests do not hold up the ring's teardown. */
static void case_teardown(void)
{
	struct futex_waitv v[2];
	struct io_uring ring;

	waitv_init(v, 2);
	t_ring(&ring, 8, NULL);
	fwait(&ring, &words[0], 0, F2, 1);
	fwait(&ring, &words[0], 0, F2_U32, 2);
	waitv(&ring, v, 2, 3);
	CHECK_EQ(io_uring_submit(&ring), 3);
	t_expect_none(&ring, 20);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "wake_errors", case_wake_errors, 0 },
		{ "wait_errors", case_wait_errors, 0 },
		{ "wait_wake", case_wait_wake, 0 },
		{ "wait_private", case_wait_private, 0 },
		{ "wait_shared", case_wait_shared, 0 },
		{ "wait_cancel", case_wait_cancel, 0 },
		{ "waitv", case_waitv, 0 },
		{ "waitv_errors", case_waitv_errors, 0 },
		{ "waitv_cancel", case_waitv_cancel, 0 },
		{ "cancel_all", case_cancel_all, 0 },
		{ "teardown", case_teardown, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
