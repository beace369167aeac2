/* SPDX-License-Identifier: MIT */
/*
 * IOSQE_IO_DRAIN ordering: a drained request's CQE comes after the CQEs
 * of everything submitted before it, and the requests submitted after it
 * come after it, whichever thread completes what. (tests/link.c has the
 * basic drain cases.)
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

/* The position of each user_data 1..n in the order of its CQE. */
static void reap_order(struct io_uring *ring, unsigned n, unsigned *pos)
{
	struct io_uring_cqe *cqe;
	unsigned i;

	memset(pos, 0, n * sizeof(*pos));
	for (i = 1; i <= n; i++) {
		cqe = t_wait(ring, 2000);
		CHECK(cqe->user_data >= 1 && cqe->user_data <= n);
		CHECK_MSG(!pos[cqe->user_data - 1], "two CQEs for %llu",
			  (unsigned long long)cqe->user_data);
		pos[cqe->user_data - 1] = i;
		io_uring_cqe_seen(ring, cqe);
	}
}

/* A drained TIMEOUT holds back the NOPs submitted after it until it
 * fires: the kernel's drain mode. */
static void case_timeout_then_nops(void)
{
	struct __kernel_timespec ts = { .tv_nsec = 10000000 };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	unsigned pos[3];

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->flags |= IOSQE_IO_DRAIN;
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 2;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 3;
	CHECK_EQ(io_uring_submit(&ring), 3);
	reap_order(&ring, 3, pos);
	CHECK_EQ(pos[0], 1);
	/* The two NOPs after it, in either order. */
	CHECK(pos[1] > 1 && pos[2] > 1);
	io_uring_queue_exit(&ring);
}

/* The drain mode ends once a request finds nothing in flight: then a
 * NOP completes at once again, even with a TIMEOUT pending. */
static void case_mode_ends(void)
{
	struct __kernel_timespec ts = { .tv_sec = 10 };
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->flags |= IOSQE_IO_DRAIN;
	sqe->user_data = 1;
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, 0, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 2;
	t_submit(&ring, 1);
	T_EXPECT(&ring, 2, 0, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->user_data = 3;
	CHECK_EQ(io_uring_submit(&ring), 1);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 4;
	t_submit(&ring, 1);
	T_EXPECT(&ring, 4, 0, 0);
	io_uring_queue_exit(&ring);
}

/*
 * Requests before a drain that complete on different threads: a read
 * sent to a worker (IOSQE_ASYNC) and NOPs that complete inline. The
 * drained NOP may start on the worker that completes the read; its CQE
 * must still come after the inline NOPs' CQEs, which the submitter posts
 * at the end of its submission. Repeated, since it is a race.
 */
static void case_threads(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[64];
	unsigned pos[6], round, i;
	int fd = t_tmpfd();

	CHECK_EQ(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	t_ring(&ring, 8, NULL);
	for (round = 0; round < 300; round++) {
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
		sqe->flags |= IOSQE_ASYNC;
		sqe->user_data = 1;
		for (i = 2; i <= 4; i++) {
			sqe = t_sqe(&ring);
			io_uring_prep_nop(sqe);
			sqe->user_data = i;
		}
		sqe = t_sqe(&ring);
		io_uring_prep_nop(sqe);
		sqe->flags |= IOSQE_IO_DRAIN;
		sqe->user_data = 5;
		sqe = t_sqe(&ring);
		io_uring_prep_nop(sqe);
		sqe->user_data = 6;
		CHECK_EQ(io_uring_submit(&ring), 6);
		reap_order(&ring, 6, pos);
		for (i = 0; i < 4; i++)
			CHECK_MSG(pos[i] < pos[4], "round %u: CQE of %u after the drain",
				  round, i + 1);
		CHECK_MSG(pos[5] > pos[4], "round %u: the NOP after the drain "
			  "overtook it", round);
	}
	close(fd);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "timeout_then_nops", case_timeout_then_nops, 0 },
		{ "mode_ends", case_mode_ends, 0 },
		{ "threads", case_threads, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
