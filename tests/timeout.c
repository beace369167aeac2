/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_TIMEOUT (relative, absolute, clocks, completion counts,
 * ETIME_SUCCESS, multishot), IORING_OP_TIMEOUT_REMOVE and its updates, and
 * IORING_OP_LINK_TIMEOUT racing the request it guards. Every result is the
 * kernel's, and every case runs on both backends.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"

#define MS 1000000LL

static struct __kernel_timespec ts_ms(long ms)
{
	return (struct __kernel_timespec){ .tv_sec = ms / 1000,
					   .tv_nsec = (ms % 1000) * MS };
}

static struct io_uring_sqe *timeout(struct io_uring *ring,
				    struct __kernel_timespec *ts, unsigned off,
				    unsigned flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_timeout(sqe, ts, off, flags);
	sqe->user_data = ud;
	return sqe;
}

static struct io_uring_sqe *nop(struct io_uring *ring, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	sqe->user_data = ud;
	return sqe;
}

static void case_relative(void)
{
	struct __kernel_timespec ts = ts_ms(20);
	struct io_uring ring;
	uint64_t start = t_now_ns();

	t_ring(&ring, 8, NULL);
	timeout(&ring, &ts, 0, 0, 1);
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, -ETIME, 0);
	CHECK(t_now_ns() - start >= 19 * MS);
	io_uring_queue_exit(&ring);
}

static void case_clocks_abs(void)
{
	static const struct { clockid_t id; unsigned flag; } clocks[] = {
		{ CLOCK_MONOTONIC, 0 },
		{ CLOCK_BOOTTIME, IORING_TIMEOUT_BOOTTIME },
		{ CLOCK_REALTIME, IORING_TIMEOUT_REALTIME },
	};
	struct io_uring ring;
	unsigned i;

	t_ring(&ring, 8, NULL);
	for (i = 0; i < 3; i++) {
		struct __kernel_timespec ts, rel = ts_ms(10);
		struct timespec now;

		clock_gettime(clocks[i].id, &now);
		ts.tv_sec = now.tv_sec;
		ts.tv_nsec = now.tv_nsec + 10 * MS;
		if (ts.tv_nsec >= 1000 * MS) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000 * MS;
		}
		timeout(&ring, &ts, 0, IORING_TIMEOUT_ABS | clocks[i].flag, 1);
		timeout(&ring, &rel, 0, clocks[i].flag, 2);
		t_submit(&ring, 2);
		T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ -ETIME, -ETIME });
	}
	io_uring_queue_exit(&ring);
}

/* off = n: completes with 0 after n other completions. */
static void case_count(void)
{
	struct __kernel_timespec ts = ts_ms(1000), shrt = ts_ms(10);
	struct io_uring ring;

	t_ring(&ring, 8, NULL);
	timeout(&ring, &ts, 1, 0, 1);
	nop(&ring, 2);
	t_submit(&ring, 2);
	T_EXPECT(&ring, 2, 0, 0);
	T_EXPECT(&ring, 1, 0, 0);
	/* a NOP submitted before it, in the same batch, counts too */
	nop(&ring, 3);
	timeout(&ring, &ts, 1, 0, 4);
	t_submit(&ring, 2);
	T_EXPECT(&ring, 3, 0, 0);
	T_EXPECT(&ring, 4, 0, 0);
	/* an expired timeout does not count for another */
	timeout(&ring, &shrt, 1, 0, 5);
	timeout(&ring, &ts, 1, 0, 6);
	t_submit(&ring, 2);
	T_EXPECT(&ring, 5, -ETIME, 0);
	t_expect_none(&ring, 10);
	nop(&ring, 7);
	t_submit(&ring, 1);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 6, 7 }, (int[]){ 0, 0 });
	/* two completions needed, one arrives */
	timeout(&ring, &shrt, 2, 0, 8);
	nop(&ring, 9);
	t_submit(&ring, 2);
	T_EXPECT(&ring, 9, 0, 0);
	T_EXPECT(&ring, 8, -ETIME, 0);
	io_uring_queue_exit(&ring);
}

static void case_etime_success(void)
{
	struct __kernel_timespec ts = ts_ms(10);
	struct io_uring ring;

	t_ring(&ring, 8, NULL);
	timeout(&ring, &ts, 0, IORING_TIMEOUT_ETIME_SUCCESS, 1)->flags =
		IOSQE_IO_LINK;
	nop(&ring, 2);
	t_submit(&ring, 2);
	T_EXPECT(&ring, 1, -ETIME, 0);
	T_EXPECT(&ring, 2, 0, 0);
	timeout(&ring, &ts, 0, 0, 3)->flags = IOSQE_IO_LINK;
	nop(&ring, 4);
	t_submit(&ring, 2);
	T_EXPECT(&ring, 3, -ETIME, 0);
	T_EXPECT(&ring, 4, -ECANCELED, 0);
	/* a success for CQE_SKIP_SUCCESS too: no CQE */
	timeout(&ring, &ts, 0, IORING_TIMEOUT_ETIME_SUCCESS, 5)->flags =
		IOSQE_CQE_SKIP_SUCCESS;
	t_submit(&ring, 1);
	t_expect_none(&ring, 40);
	io_uring_queue_exit(&ring);
}

static void case_multishot(void)
{
	struct __kernel_timespec ts = ts_ms(10);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int i;

	t_ring(&ring, 8, NULL);
	timeout(&ring, &ts, 3, IORING_TIMEOUT_MULTISHOT, 1);
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, -ETIME, IORING_CQE_F_MORE);
	T_EXPECT(&ring, 1, -ETIME, IORING_CQE_F_MORE);
	T_EXPECT(&ring, 1, -ETIME, 0);
	t_expect_none(&ring, 20);
	/* for ever, until removed */
	timeout(&ring, &ts, 0, IORING_TIMEOUT_MULTISHOT, 2);
	t_submit(&ring, 1);
	for (i = 0; i < 3; i++)
		T_EXPECT(&ring, 2, -ETIME, IORING_CQE_F_MORE);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_remove(sqe, 2, 0);
	sqe->user_data = 3;
	t_submit(&ring, 1);
	for (;;) {
		struct io_uring_cqe *cqe = t_wait(&ring, 2000);

		if (cqe->user_data == 2 && (cqe->flags & IORING_CQE_F_MORE)) {
			io_uring_cqe_seen(&ring, cqe);
			continue;	/* one more expiry raced the removal */
		}
		CHECK(cqe->user_data == 2 || cqe->user_data == 3);
		CHECK_EQ(cqe->res, cqe->user_data == 2 ? -ECANCELED : 0);
		io_uring_cqe_seen(&ring, cqe);
		if (cqe->user_data == 2)
			break;
	}
	io_uring_queue_exit(&ring);
}

static void case_prep_errors(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SUBMIT_ALL };
	struct __kernel_timespec ts = ts_ms(10), neg = { .tv_sec = -1 };
	struct io_uring ring;

	t_ring(&ring, 16, &p);
	timeout(&ring, &ts, 0, 0, 1)->ioprio = 1;
	timeout(&ring, &ts, 0, 0, 2)->buf_index = 1;
	timeout(&ring, &ts, 0, 0x100, 3);
	timeout(&ring, NULL, 0, 0, 4);
	timeout(&ring, &ts, 0, IORING_TIMEOUT_BOOTTIME |
			       IORING_TIMEOUT_REALTIME, 5);
	timeout(&ring, &ts, 0, IORING_TIMEOUT_MULTISHOT | IORING_TIMEOUT_ABS, 6);
	timeout(&ring, &ts, 0, 0, 7)->len = 2;
	timeout(&ring, &neg, 0, 0, 8);
	timeout(&ring, &ts, 0, 1u << 7, 9);	/* IMMEDIATE_ARG: refused */
	CHECK_EQ(io_uring_submit(&ring), 9);
	T_EXPECT_SET(&ring, 9, (uint64_t[]){ 1, 2, 3, 4, 5, 6, 7, 8, 9 },
		   (int[]){ -EINVAL, -EINVAL, -EINVAL, -EFAULT, -EINVAL,
			    -EINVAL, -EINVAL, -EINVAL, -EINVAL });
	io_uring_queue_exit(&ring);
}

static struct io_uring_sqe *tremove(struct io_uring *ring, uint64_t target,
				    unsigned flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_timeout_remove(sqe, target, flags);
	sqe->user_data = ud;
	return sqe;
}

static void case_remove(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SUBMIT_ALL };
	struct __kernel_timespec ts = ts_ms(1000);
	struct io_uring ring;

	t_ring(&ring, 16, &p);
	timeout(&ring, &ts, 0, 0, 1);
	tremove(&ring, 1, 0, 2);
	tremove(&ring, 1, 0, 3);
	tremove(&ring, 9, IORING_TIMEOUT_ABS, 4);
	tremove(&ring, 9, 0, 5)->len = 1;
	t_submit(&ring, 5);
	T_EXPECT_SET(&ring, 5, (uint64_t[]){ 1, 2, 3, 4, 5 },
		   (int[]){ -ECANCELED, 0, -ENOENT, -EINVAL, -EINVAL });
	/* updates take ABS and nothing else; the timespec must be readable */
	timeout(&ring, &ts, 0, 0, 6);
	tremove(&ring, 6, IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_BOOTTIME,
		7)->addr2 = (uintptr_t)&ts;
	tremove(&ring, 6, IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_ETIME_SUCCESS,
		8)->addr2 = (uintptr_t)&ts;
	tremove(&ring, 6, IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_MULTISHOT,
		9)->addr2 = (uintptr_t)&ts;
	tremove(&ring, 6, IORING_TIMEOUT_UPDATE, 10);
	tremove(&ring, 6, 0, 11);
	t_submit(&ring, 6);
	T_EXPECT_SET(&ring, 6, (uint64_t[]){ 6, 7, 8, 9, 10, 11 },
		   (int[]){ -ECANCELED, -EINVAL, -EINVAL, -EINVAL, -EFAULT, 0 });
	io_uring_queue_exit(&ring);
}

static void case_update(void)
{
	struct __kernel_timespec lng = ts_ms(5000), shrt = ts_ms(10);
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	t_ring(&ring, 16, NULL);
	timeout(&ring, &lng, 0, 0, 1);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_update(sqe, &shrt, 1, 0);
	sqe->user_data = 2;
	t_submit(&ring, 2);
	T_EXPECT(&ring, 2, 0, 0);
	T_EXPECT(&ring, 1, -ETIME, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_update(sqe, &shrt, 1, 0);
	sqe->user_data = 3;
	t_submit(&ring, 1);
	T_EXPECT(&ring, 3, -ENOENT, 0);
	/* an updated count timeout no longer counts */
	timeout(&ring, &shrt, 1, 0, 4);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_update(sqe, &lng, 4, 0);
	sqe->user_data = 5;
	nop(&ring, 6);
	t_submit(&ring, 3);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 5, 6 }, (int[]){ 0, 0 });
	t_expect_none(&ring, 30);
	tremove(&ring, 4, 0, 7);
	t_submit(&ring, 1);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 4, 7 }, (int[]){ -ECANCELED, 0 });
	io_uring_queue_exit(&ring);
}

/* --- LINK_TIMEOUT -------------------------------------------------------- */

static struct io_uring_sqe *ltimeout(struct io_uring *ring,
				     struct __kernel_timespec *ts, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_link_timeout(sqe, ts, 0);
	sqe->user_data = ud;
	return sqe;
}

static void case_link_nop(void)
{
	struct __kernel_timespec ts = ts_ms(1000);
	struct io_uring ring;

	t_ring(&ring, 8, NULL);
	nop(&ring, 1)->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &ts, 2)->flags = IOSQE_IO_LINK;
	nop(&ring, 3);
	t_submit(&ring, 3);
	T_EXPECT_SET(&ring, 3, (uint64_t[]){ 1, 2, 3 },
		   (int[]){ 0, -ECANCELED, 0 });
	io_uring_queue_exit(&ring);
}

static void case_link_read_times_out(void)
{
	struct __kernel_timespec ts = ts_ms(10);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[8];
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
	sqe->user_data = 1;
	sqe->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &ts, 2)->flags = IOSQE_IO_LINK;
	nop(&ring, 3);
	t_submit(&ring, 3);
	T_EXPECT_SET(&ring, 3, (uint64_t[]){ 1, 2, 3 },
		   (int[]){ -ECANCELED, -ETIME, -ECANCELED });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

static void case_link_read_first(void)
{
	struct __kernel_timespec ts = ts_ms(2000);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[8];
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
	sqe->user_data = 1;
	sqe->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &ts, 2);
	t_submit(&ring, 2);
	t_expect_none(&ring, 10);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ 2, -ECANCELED });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* A poll guarded by a link timeout. */
static void case_link_poll_and_async(void)
{
	struct __kernel_timespec ts = ts_ms(10);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, p[0], POLLIN);
	sqe->user_data = 1;
	sqe->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &ts, 2);
	t_submit(&ring, 2);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ -ECANCELED, -ETIME });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

static void case_link_errors(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SUBMIT_ALL };
	struct __kernel_timespec ts = ts_ms(10);
	struct io_uring ring;

	t_ring(&ring, 8, &p);
	ltimeout(&ring, &ts, 1);		/* nothing to guard */
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, -EINVAL, 0);
	nop(&ring, 2)->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &ts, 3)->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &ts, 4);		/* two in a row */
	t_submit(&ring, 3);
	T_EXPECT_SET(&ring, 3, (uint64_t[]){ 2, 3, 4 },
		   (int[]){ -ECANCELED, -ECANCELED, -EINVAL });
	nop(&ring, 5)->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &ts, 6)->off = 1;	/* no count */
	t_submit(&ring, 2);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 5, 6 }, (int[]){ -ECANCELED, -EINVAL });
	io_uring_queue_exit(&ring);
}

static void case_link_update(void)
{
	struct __kernel_timespec lng = ts_ms(5000), shrt = ts_ms(10);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[8];
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
	sqe->user_data = 1;
	sqe->flags = IOSQE_IO_LINK;
	ltimeout(&ring, &lng, 2);
	/* ASYNC_CANCEL and TIMEOUT_REMOVE do not see link timeouts */
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 2, 0);
	sqe->user_data = 3;
	tremove(&ring, 2, 0, 4);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_update(sqe, &shrt, 2, IORING_LINK_TIMEOUT_UPDATE);
	sqe->user_data = 5;
	t_submit(&ring, 5);
	T_EXPECT_SET(&ring, 5, (uint64_t[]){ 1, 2, 3, 4, 5 },
		   (int[]){ -ECANCELED, -ETIME, -ENOENT, -ENOENT, 0 });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* A TIMEOUT that fires ends a wait for more CQEs than there are, as the
 * kernel's io_should_wake(): the wait returns 0 with the one CQE. */
static void case_wakes_waiter(void)
{
	struct __kernel_timespec ts = { .tv_nsec = 10000000 };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	uint64_t start;

	t_ring(&ring, 4, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	start = t_now_ns();
	CHECK_EQ(io_uring_enter(ring.ring_fd, 0, 2, IORING_ENTER_GETEVENTS,
				NULL), 0);
	CHECK(t_now_ns() - start < 2000000000ull);
	CHECK_EQ(io_uring_cq_ready(&ring), 1);
	T_EXPECT(&ring, 1, -ETIME, 0);
	io_uring_queue_exit(&ring);
}

static void case_probe(void)
{
	struct io_uring ring;
	struct io_uring_probe *probe;

	t_ring(&ring, 8, NULL);
	probe = io_uring_get_probe_ring(&ring);
	CHECK(probe);
	CHECK(io_uring_opcode_supported(probe, IORING_OP_TIMEOUT));
	CHECK(io_uring_opcode_supported(probe, IORING_OP_TIMEOUT_REMOVE));
	CHECK(io_uring_opcode_supported(probe, IORING_OP_LINK_TIMEOUT));
	io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "relative", case_relative, 0 },
		{ "clocks_abs", case_clocks_abs, 0 },
		{ "count", case_count, 0 },
		{ "etime_success", case_etime_success, 0 },
		{ "multishot", case_multishot, 0 },
		{ "prep_errors", case_prep_errors, 0 },
		{ "remove", case_remove, 0 },
		{ "update", case_update, 0 },
		{ "link_nop", case_link_nop, 0 },
		{ "link_read_times_out", case_link_read_times_out, 0 },
		{ "link_read_first", case_link_read_first, 0 },
		{ "link_poll", case_link_poll_and_async, 0 },
		{ "link_errors", case_link_errors, 0 },
		{ "link_update", case_link_update, 0 },
		{ "wakes_waiter", case_wakes_waiter, 0 },
		{ "probe", case_probe, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
