/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_ASYNC_CANCEL (by user_data, fd, opcode; ALL, ANY) and
 * io_uring_register_sync_cancel: requests are found wherever they wait
 * (parked on a pipe, waiting in a worker, armed polls and timeouts), and
 * the results are the kernel's. Every case runs on both backends.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

struct ctx {
	struct io_uring ring;
	int p[2];
	char buf[8];
};

static void setup(struct ctx *c, unsigned flags)
{
	struct io_uring_params p = { .flags = flags };

	CHECK(!pipe(c->p));
	t_ring(&c->ring, 32, &p);
}

static void teardown(struct ctx *c)
{
	io_uring_queue_exit(&c->ring);
	close(c->p[0]);
	close(c->p[1]);
}

static struct io_uring_sqe *sqe_ud(struct ctx *c, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(&c->ring);

	sqe->user_data = ud;
	return sqe;
}

static struct io_uring_sqe *read_(struct ctx *c, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(&c->ring);

	io_uring_prep_read(sqe, c->p[0], c->buf, sizeof(c->buf), 0);
	sqe->user_data = ud;
	return sqe;
}

static void poll_(struct ctx *c, uint64_t ud)
{
	io_uring_prep_poll_add(sqe_ud(c, ud), c->p[0], POLLIN);
}

static struct __kernel_timespec one_sec = { .tv_sec = 1 };

static void timeout_(struct ctx *c, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(&c->ring);

	io_uring_prep_timeout(sqe, &one_sec, 0, 0);
	sqe->user_data = ud;
}

static struct io_uring_sqe *cancel_(struct ctx *c, uint64_t target,
				    unsigned flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(&c->ring);

	io_uring_prep_cancel64(sqe, target, (int)flags);
	sqe->user_data = ud;
	return sqe;
}

static void expect_set(struct ctx *c, unsigned n, const uint64_t *ud,
		       const int *res)
{
	struct t_rec rec;
	unsigned i;

	t_rec_init(&rec);
	t_rec_reap(&rec, &c->ring, n, 2000);
	for (i = 0; i < n; i++) {
		const struct t_cqe *e = t_rec_find(&rec, ud[i]);

		CHECK_MSG(e, "no CQE for %llu", (unsigned long long)ud[i]);
		CHECK_EQ(e->res, res[i]);
	}
	t_rec_free(&rec);
}

static void case_by_user_data(void)
{
	struct ctx c;

	setup(&c, 0);
	read_(&c, 1);
	poll_(&c, 2);
	timeout_(&c, 3);
	cancel_(&c, 1, 0, 11);
	cancel_(&c, 2, 0, 12);
	cancel_(&c, 3, 0, 13);
	cancel_(&c, 99, 0, 14);
	CHECK_EQ(io_uring_submit(&c.ring), 7);
	expect_set(&c, 7, (uint64_t[]){ 1, 2, 3, 11, 12, 13, 14 },
		   (int[]){ -ECANCELED, -ECANCELED, -ECANCELED, 0, 0, 0,
			    -ENOENT });
	teardown(&c);
}

static void case_all_and_any(void)
{
	struct ctx c;

	setup(&c, 0);
	read_(&c, 1);
	read_(&c, 1);
	poll_(&c, 1);
	timeout_(&c, 1);
	cancel_(&c, 1, IORING_ASYNC_CANCEL_ALL, 2);
	CHECK_EQ(io_uring_submit(&c.ring), 5);
	expect_set(&c, 5, (uint64_t[]){ 1, 1, 1, 1, 2 },
		   (int[]){ -ECANCELED, -ECANCELED, -ECANCELED, -ECANCELED, 4 });
	read_(&c, 3);
	poll_(&c, 4);
	timeout_(&c, 5);
	cancel_(&c, 0, IORING_ASYNC_CANCEL_ANY, 6);
	CHECK_EQ(io_uring_submit(&c.ring), 4);
	expect_set(&c, 4, (uint64_t[]){ 3, 4, 5, 6 },
		   (int[]){ -ECANCELED, -ECANCELED, -ECANCELED, 3 });
	/* nothing left: ALL and ANY say 0, a user_data -ENOENT */
	cancel_(&c, 0, IORING_ASYNC_CANCEL_ANY, 7);
	cancel_(&c, 1, IORING_ASYNC_CANCEL_ALL, 8);
	cancel_(&c, 1, 0, 9);
	CHECK_EQ(io_uring_submit(&c.ring), 3);
	expect_set(&c, 3, (uint64_t[]){ 7, 8, 9 }, (int[]){ 0, 0, -ENOENT });
	teardown(&c);
}

static void case_by_fd_and_op(void)
{
	struct ctx c;
	int other[2];

	CHECK(!pipe(other));
	setup(&c, 0);
	read_(&c, 1);
	poll_(&c, 2);
	timeout_(&c, 3);
	io_uring_prep_cancel_fd(sqe_ud(&c, 4), other[0], 0);
	io_uring_prep_cancel_fd(sqe_ud(&c, 5), c.p[0], IORING_ASYNC_CANCEL_ALL);
	cancel_(&c, 0, IORING_ASYNC_CANCEL_OP, 6)->len = IORING_OP_TIMEOUT;
	CHECK_EQ(io_uring_submit(&c.ring), 6);
	expect_set(&c, 6, (uint64_t[]){ 1, 2, 3, 4, 5, 6 },
		   (int[]){ -ECANCELED, -ECANCELED, -ECANCELED, -ENOENT, 2, 0 });
	/* a dup of the fd names the same file */
	poll_(&c, 7);
	{
		int d = dup(c.p[0]);

		io_uring_prep_cancel_fd(sqe_ud(&c, 8), d, 0);
		CHECK_EQ(io_uring_submit(&c.ring), 2);
		expect_set(&c, 2, (uint64_t[]){ 7, 8 }, (int[]){ -ECANCELED, 0 });
		close(d);
	}
	teardown(&c);
	close(other[0]);
	close(other[1]);
}

static void case_flag_errors(void)
{
	struct ctx c;

	setup(&c, IORING_SETUP_SUBMIT_ALL);
	cancel_(&c, 0, IORING_ASYNC_CANCEL_OP | IORING_ASYNC_CANCEL_ANY, 1);
	cancel_(&c, 0, 0x40, 2);
	cancel_(&c, 0, 0, 3)->off = 1;
	cancel_(&c, 0, 0, 4)->len = 1;		/* ignored without OP */
	cancel_(&c, 0, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY, 5);
	io_uring_prep_cancel_fd(sqe_ud(&c, 6), 999, 0);
	io_uring_prep_cancel_fd(sqe_ud(&c, 7), 3, IORING_ASYNC_CANCEL_FD_FIXED);
	CHECK_EQ(io_uring_submit(&c.ring), 7);
	expect_set(&c, 7, (uint64_t[]){ 1, 2, 3, 4, 5, 6, 7 },
		   (int[]){ -EINVAL, -EINVAL, -EINVAL, -ENOENT, -EINVAL, -EBADF,
			    -EBADF });
	teardown(&c);
}

/* CANCEL_FD_FIXED names a registered file: requests on that file match,
 * whether they use the slot or a plain fd. */
static void case_fd_fixed(void)
{
	struct io_uring_sqe *sqe;
	struct ctx c;

	setup(&c, 0);
	CHECK_EQ(io_uring_register_files(&c.ring, &c.p[0], 1), 0);
	poll_(&c, 1);
	sqe = sqe_ud(&c, 2);
	io_uring_prep_read(sqe, 0, c.buf, sizeof(c.buf), 0);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->user_data = 2;
	io_uring_prep_cancel_fd(sqe_ud(&c, 3), 0,
				IORING_ASYNC_CANCEL_FD_FIXED | IORING_ASYNC_CANCEL_ALL);
	io_uring_prep_cancel_fd(sqe_ud(&c, 4), 1, IORING_ASYNC_CANCEL_FD_FIXED);
	CHECK_EQ(io_uring_submit(&c.ring), 4);
	expect_set(&c, 4, (uint64_t[]){ 1, 2, 3, 4 },
		   (int[]){ -ECANCELED, -ECANCELED, 2, -EBADF });
	teardown(&c);
}

/* A chain's waiting member has not been issued: not found. Its head is,
 * and cancelling it cancels the rest. */
static void case_chain(void)
{
	struct ctx c;

	setup(&c, 0);
	read_(&c, 1)->flags = IOSQE_IO_LINK;
	read_(&c, 2);
	cancel_(&c, 2, 0, 3);
	cancel_(&c, 1, 0, 4);
	CHECK_EQ(io_uring_submit(&c.ring), 4);
	expect_set(&c, 4, (uint64_t[]){ 1, 2, 3, 4 },
		   (int[]){ -ECANCELED, -ECANCELED, -ENOENT, 0 });
	teardown(&c);
}

/* A read waiting in a worker (IOSQE_ASYNC on a nonblocking pipe). */
static void case_worker(void)
{
	struct ctx c;

	setup(&c, 0);
	CHECK(!fcntl(c.p[0], F_SETFL, O_NONBLOCK));
	read_(&c, 1)->flags = IOSQE_ASYNC;
	CHECK_EQ(io_uring_submit(&c.ring), 1);
	usleep(20000);
	cancel_(&c, 1, 0, 2);
	CHECK_EQ(io_uring_submit(&c.ring), 1);
	expect_set(&c, 2, (uint64_t[]){ 1, 2 }, (int[]){ -ECANCELED, 0 });
	/* the same on a blocking pipe */
	CHECK(!fcntl(c.p[0], F_SETFL, 0));
	read_(&c, 3)->flags = IOSQE_ASYNC;
	CHECK_EQ(io_uring_submit(&c.ring), 1);
	usleep(20000);
	cancel_(&c, 3, 0, 4);
	CHECK_EQ(io_uring_submit(&c.ring), 1);
	expect_set(&c, 2, (uint64_t[]){ 3, 4 }, (int[]){ -ECANCELED, 0 });
	teardown(&c);
}

static void case_multishot(void)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_sqe *sqe;
	struct ctx c;

	setup(&c, 0);
	sqe = sqe_ud(&c, 1);
	io_uring_prep_poll_multishot(sqe, c.p[0], POLLIN);
	sqe->user_data = 1;
	sqe = sqe_ud(&c, 2);
	io_uring_prep_timeout(sqe, &ts, 0, IORING_TIMEOUT_MULTISHOT);
	sqe->user_data = 2;
	cancel_(&c, 0, IORING_ASYNC_CANCEL_OP | IORING_ASYNC_CANCEL_ALL, 3)->len =
		IORING_OP_POLL_ADD;
	cancel_(&c, 0, IORING_ASYNC_CANCEL_OP, 4)->len = IORING_OP_TIMEOUT;
	CHECK_EQ(io_uring_submit(&c.ring), 4);
	expect_set(&c, 4, (uint64_t[]){ 1, 2, 3, 4 },
		   (int[]){ -ECANCELED, -ECANCELED, 1, 0 });
	teardown(&c);
}

static int sync_cancel(struct ctx *c, uint64_t ud, unsigned flags)
{
	struct io_uring_sync_cancel_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.addr = ud;
	reg.flags = flags;
	reg.timeout.tv_sec = -1;
	reg.timeout.tv_nsec = -1;
	return io_uring_register_sync_cancel(&c->ring, &reg);
}

static void case_sync(void)
{
	struct io_uring_sync_cancel_reg reg;
	struct io_uring_sqe *sqe;
	struct ctx c;

	setup(&c, 0);
	timeout_(&c, 1);
	timeout_(&c, 2);
	CHECK_EQ(io_uring_submit(&c.ring), 2);
	CHECK_EQ(sync_cancel(&c, 0, IORING_ASYNC_CANCEL_ANY), 2);
	CHECK_EQ(sync_cancel(&c, 0, IORING_ASYNC_CANCEL_ANY), 0);
	CHECK_EQ(sync_cancel(&c, 5, 0), -ENOENT);
	CHECK_EQ(sync_cancel(&c, 5, IORING_ASYNC_CANCEL_ALL), 0);
	expect_set(&c, 2, (uint64_t[]){ 1, 2 }, (int[]){ -ECANCELED, -ECANCELED });
	/* a drained request is not issued yet: not found */
	read_(&c, 3);
	sqe = sqe_ud(&c, 4);
	io_uring_prep_nop(sqe);
	sqe->user_data = 4;
	sqe->flags = IOSQE_IO_DRAIN;
	CHECK_EQ(io_uring_submit(&c.ring), 2);
	CHECK_EQ(sync_cancel(&c, 4, 0), -ENOENT);
	CHECK_EQ(sync_cancel(&c, 3, 0), 0);
	expect_set(&c, 2, (uint64_t[]){ 3, 4 }, (int[]){ -ECANCELED, 0 });
	/* bad arguments */
	memset(&reg, 0, sizeof(reg));
	reg.flags = 0x40;
	CHECK_EQ(io_uring_register_sync_cancel(&c.ring, &reg), -EINVAL);
	reg.flags = 0;
	reg.pad[0] = 1;
	CHECK_EQ(io_uring_register_sync_cancel(&c.ring, &reg), -EINVAL);
	memset(&reg, 0, sizeof(reg));
	reg.flags = IORING_ASYNC_CANCEL_FD;
	reg.fd = 999;
	CHECK_EQ(io_uring_register_sync_cancel(&c.ring, &reg), -EBADF);
	teardown(&c);
}

static void case_probe(void)
{
	struct io_uring ring;
	struct io_uring_probe *probe;

	t_ring(&ring, 8, NULL);
	probe = io_uring_get_probe_ring(&ring);
	CHECK(probe);
	CHECK(io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL));
	io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "by_user_data", case_by_user_data, 0 },
		{ "all_and_any", case_all_and_any, 0 },
		{ "by_fd_and_op", case_by_fd_and_op, 0 },
		{ "flag_errors", case_flag_errors, 0 },
		{ "fd_fixed", case_fd_fixed, 0 },
		{ "chain", case_chain, 0 },
		{ "worker", case_worker, 0 },
		{ "multishot", case_multishot, 0 },
		{ "sync", case_sync, 0 },
		{ "probe", case_probe, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
