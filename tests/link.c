/* SPDX-License-Identifier: MIT */
/*
 * SQE flags of the request model: IOSQE_IO_LINK and IOSQE_IO_HARDLINK
 * chains (a failed or short member cancels the rest of a LINK chain), a
 * chain broken at submission, IOSQE_CQE_SKIP_SUCCESS, IOSQE_ASYNC and
 * IOSQE_IO_DRAIN.
 * Every case states the kernel's results and runs on both backends.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

static struct io_uring_sqe *nop(struct io_uring *ring, uint64_t ud, int res,
				unsigned flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	t_prep_nop_inject(sqe, res);
	sqe->user_data = ud;
	sqe->flags = (uint8_t)flags;
	return sqe;
}

/* The next CQE must be exactly this one: chains complete in order. */
static void expect(struct io_uring *ring, uint64_t ud, int res)
{
	struct io_uring_cqe *cqe = t_wait(ring, 5000);

	CHECK_EQ(cqe->user_data, ud);
	CHECK_EQ(cqe->res, res);
	io_uring_cqe_seen(ring, cqe);
}

/*
 * Reaps @n CQEs and checks each result, and that the ones listed come in
 * the listed order (a chain's order); requests outside a chain may
 * complete in any order around it.
 */
static void expect_set(struct io_uring *ring, unsigned n, const uint64_t *ud,
		       const int *res)
{
	struct t_rec rec;
	unsigned i, pos = 0;

	t_rec_init(&rec);
	t_rec_reap(&rec, ring, n, 5000);
	for (i = 0; i < rec.n; i++) {
		unsigned j;

		for (j = 0; j < n && ud[j] != rec.v[i].user_data; j++)
			;
		CHECK_MSG(j < n, "unexpected CQE %llu",
			  (unsigned long long)rec.v[i].user_data);
		CHECK_EQ(rec.v[i].res, res[j]);
		if (ud[j] < 100) {	/* chain members: in order */
			CHECK_EQ(j, pos);
			pos++;
		}
	}
	t_rec_free(&rec);
}

static void case_chain_ok(void)
{
	struct io_uring ring;

	t_ring(&ring, 16, NULL);
	nop(&ring, 1, 0, IOSQE_IO_LINK);
	nop(&ring, 2, 0, IOSQE_IO_LINK);
	nop(&ring, 3, 0, 0);
	CHECK_EQ(io_uring_submit(&ring), 3);
	expect(&ring, 1, 0);
	expect(&ring, 2, 0);
	expect(&ring, 3, 0);
	io_uring_queue_exit(&ring);
}

static void case_chain_fail(void)
{
	struct io_uring ring;

	t_ring(&ring, 16, NULL);
	nop(&ring, 1, 0, IOSQE_IO_LINK);
	nop(&ring, 2, -EIO, IOSQE_IO_LINK);
	nop(&ring, 3, 0, IOSQE_IO_LINK);
	nop(&ring, 4, 0, 0);
	nop(&ring, 100, 0, 0);		/* not in the chain */
	CHECK_EQ(io_uring_submit(&ring), 5);
	expect_set(&ring, 5, (const uint64_t[]){ 1, 2, 3, 4, 100 },
		   (const int[]){ 0, -EIO, -ECANCELED, -ECANCELED, 0 });
	io_uring_queue_exit(&ring);
}

static void case_hardlink(void)
{
	struct io_uring ring;

	t_ring(&ring, 16, NULL);
	nop(&ring, 1, -EIO, IOSQE_IO_HARDLINK);
	nop(&ring, 2, -ENOENT, IOSQE_IO_HARDLINK);
	nop(&ring, 3, 7, 0);
	CHECK_EQ(io_uring_submit(&ring), 3);
	expect(&ring, 1, -EIO);
	expect(&ring, 2, -ENOENT);
	expect(&ring, 3, 7);
	io_uring_queue_exit(&ring);
}

/* A short read is a failure for LINK: what follows is cancelled. */
static void case_short_read_breaks(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[4096];
	int fd = t_tmpfd();

	CHECK_EQ(pwrite(fd, "0123456789", 10, 0), 10);
	t_ring(&ring, 16, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	sqe->user_data = 1;
	sqe->flags = IOSQE_IO_LINK;
	nop(&ring, 2, 0, 0);
	CHECK_EQ(io_uring_submit(&ring), 2);
	expect(&ring, 1, 10);
	expect(&ring, 2, -ECANCELED);
	CHECK(!memcmp(buf, "0123456789", 10));
	io_uring_queue_exit(&ring);
	close(fd);
}

/* write -> read -> fsync through one chain: each sees the one before. */
static void case_write_read_chain(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char out[512], in[512];
	int fd = t_tmpfd();

	memset(out, 'x', sizeof(out));
	memset(in, 0, sizeof(in));
	t_ring(&ring, 16, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, fd, out, sizeof(out), 0);
	sqe->user_data = 1;
	sqe->flags = IOSQE_IO_LINK;
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, in, sizeof(in), 0);
	sqe->user_data = 2;
	sqe->flags = IOSQE_IO_LINK;
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->user_data = 3;
	CHECK_EQ(io_uring_submit(&ring), 3);
	expect(&ring, 1, 512);
	expect(&ring, 2, 512);
	expect(&ring, 3, 0);
	CHECK(!memcmp(in, out, sizeof(in)));
	io_uring_queue_exit(&ring);
	close(fd);
}

/* A bad SQE inside a chain: the chain is still assembled, then failed
 * whole (the head -ECANCELED, the bad one its error), and submission goes
 * on after it. */
static void case_broken_at_submit(void)
{
	struct io_uring ring;
	struct io_uring_sqe *bad;

	t_ring(&ring, 16, NULL);
	nop(&ring, 1, 0, IOSQE_IO_LINK);
	bad = nop(&ring, 2, 0, IOSQE_IO_LINK);
	bad->opcode = 0xfe;
	nop(&ring, 3, 0, 0);
	nop(&ring, 100, 0, 0);
	CHECK_EQ(io_uring_submit(&ring), 4);
	expect_set(&ring, 4, (const uint64_t[]){ 1, 2, 3, 100 },
		   (const int[]){ -ECANCELED, -EINVAL, -ECANCELED, 0 });
	t_expect_none(&ring, 0);
	io_uring_queue_exit(&ring);
}

/* The last SQE of a submission still has IOSQE_IO_LINK: the chain runs
 * as it is. */
static void case_open_chain(void)
{
	struct io_uring ring;

	t_ring(&ring, 16, NULL);
	nop(&ring, 1, 0, IOSQE_IO_LINK);
	nop(&ring, 2, 0, IOSQE_IO_LINK);
	CHECK_EQ(io_uring_submit(&ring), 2);
	expect(&ring, 1, 0);
	expect(&ring, 2, 0);
	io_uring_queue_exit(&ring);
}

static void case_skip_success(void)
{
	struct io_uring ring;

	t_ring(&ring, 16, NULL);
	CHECK(ring.features & IORING_FEAT_CQE_SKIP);
	nop(&ring, 1, 0, IOSQE_CQE_SKIP_SUCCESS);
	nop(&ring, 2, -EIO, IOSQE_CQE_SKIP_SUCCESS);	/* failures still post */
	nop(&ring, 3, 0, 0);
	CHECK_EQ(io_uring_submit(&ring), 3);
	expect(&ring, 2, -EIO);
	expect(&ring, 3, 0);
	t_expect_none(&ring, 0);
	/* In a chain: skipped successes, then a cancelled member posts. */
	nop(&ring, 4, 0, IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_LINK);
	nop(&ring, 5, -EIO, IOSQE_IO_LINK);
	nop(&ring, 6, 0, IOSQE_CQE_SKIP_SUCCESS);
	CHECK_EQ(io_uring_submit(&ring), 3);
	expect(&ring, 5, -EIO);
	expect(&ring, 6, -ECANCELED);
	t_expect_none(&ring, 0);
	io_uring_queue_exit(&ring);
}

static void case_async(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct iovec iov[2];
	char a[5] = { 0 }, b[5] = { 0 };
	int fd = t_tmpfd();

	CHECK_EQ(pwrite(fd, "helloworld", 10, 0), 10);
	t_ring(&ring, 16, NULL);
	nop(&ring, 1, 3, IOSQE_ASYNC);
	CHECK_EQ(io_uring_submit(&ring), 1);
	expect(&ring, 1, 3);
	iov[0] = (struct iovec){ a, sizeof(a) };
	iov[1] = (struct iovec){ b, sizeof(b) };
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, iov, 2, 0);
	sqe->flags = IOSQE_ASYNC | IOSQE_IO_LINK;
	sqe->user_data = 2;
	nop(&ring, 3, 0, 0);
	CHECK_EQ(io_uring_submit(&ring), 2);
	/* the iovecs may go once submit returns (FEAT_SUBMIT_STABLE) */
	memset(iov, 0, sizeof(iov));
	expect(&ring, 2, 10);
	expect(&ring, 3, 0);
	CHECK(!memcmp(a, "hello", 5) && !memcmp(b, "world", 5));
	/* A bad iovec pointer is an error in the CQE, never a crash. */
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, (struct iovec *)8, 2, 0);
	sqe->flags = IOSQE_ASYNC;
	sqe->user_data = 4;
	CHECK_EQ(io_uring_submit(&ring), 1);
	expect(&ring, 4, -EFAULT);
	io_uring_queue_exit(&ring);
	close(fd);
}

/* A member that has to wait (a pipe with no data yet) holds up the rest
 * of its chain, which goes on once it completes. */
static void case_chain_waits(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char buf[8] = { 0 };
	int p[2];

	CHECK_EQ(pipe(p), 0);
	t_ring(&ring, 16, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, 3, 0);
	sqe->user_data = 1;
	sqe->flags = IOSQE_IO_LINK;
	nop(&ring, 2, 5, IOSQE_IO_LINK);
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, p[1], "xyz", 3, 0);
	sqe->user_data = 3;
	CHECK_EQ(io_uring_submit(&ring), 3);
	usleep(20000);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	CHECK_EQ(write(p[1], "abc", 3), 3);
	expect(&ring, 1, 3);
	expect(&ring, 2, 5);
	expect(&ring, 3, 3);
	CHECK(!memcmp(buf, "abc", 3));
	CHECK_EQ(read(p[0], buf, 3), 3);
	CHECK(!memcmp(buf, "xyz", 3));
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* IOSQE_IO_DRAIN: the drained NOP waits for the read before it, and the
 * NOP after it waits for the drained one. */
static void case_drain(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char buf[4];
	int p[2];

	CHECK_EQ(pipe(p), 0);
	t_ring(&ring, 16, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, 2, 0);
	sqe->user_data = 1;
	nop(&ring, 2, 0, IOSQE_IO_DRAIN);
	nop(&ring, 3, 0, 0);
	CHECK_EQ(io_uring_submit(&ring), 3);
	usleep(20000);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	CHECK_EQ(write(p[1], "ok", 2), 2);
	expect(&ring, 1, 2);
	expect(&ring, 2, 0);
	expect(&ring, 3, 0);
	/* with nothing in flight, a drain runs at once */
	nop(&ring, 4, 0, IOSQE_IO_DRAIN);
	CHECK_EQ(io_uring_submit(&ring), 1);
	expect(&ring, 4, 0);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* The kernel counts CQEs to drain, so a ring that has skipped one refuses
 * IOSQE_IO_DRAIN from then on. */
static void case_drain_after_skip(void)
{
	struct io_uring ring;

	t_ring(&ring, 16, NULL);
	nop(&ring, 1, 0, IOSQE_CQE_SKIP_SUCCESS);
	nop(&ring, 2, 0, IOSQE_IO_DRAIN);
	CHECK_EQ(io_uring_submit(&ring), 2);
	expect(&ring, 2, -EOPNOTSUPP);
	t_expect_none(&ring, 0);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "chain_ok", case_chain_ok, 0 },
		{ "chain_fail", case_chain_fail, 0 },
		{ "hardlink", case_hardlink, 0 },
		{ "short_read_breaks", case_short_read_breaks, 0 },
		{ "write_read_chain", case_write_read_chain, 0 },
		{ "broken_at_submit", case_broken_at_submit, 0 },
		{ "open_chain", case_open_chain, 0 },
		{ "skip_success", case_skip_success, 0 },
		{ "async", case_async, 0 },
		{ "chain_waits", case_chain_waits, 0 },
		{ "drain", case_drain, 0 },
		{ "drain_after_skip", case_drain_after_skip, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
