/* SPDX-License-Identifier: MIT */
/* FSYNC: plain and IORING_FSYNC_DATASYNC, its flag and field checks. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

static int run(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int res;

	sqe->user_data = 0xf5;
	t_submit(ring, 1);
	cqe = t_wait(ring, 10000);
	CHECK_EQ(cqe->user_data, 0xf5);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int fsync_op(struct io_uring *ring, int fd, unsigned flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_fsync(sqe, fd, flags);
	return run(ring, sqe);
}

static void case_sync(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(write(fd, "some data", 9), 9);
	CHECK_EQ(fsync_op(&ring, fd, 0), 0);
	CHECK_EQ(write(fd, "more", 4), 4);
	CHECK_EQ(fsync_op(&ring, fd, IORING_FSYNC_DATASYNC), 0);
	/* A range (off, len) is accepted. */
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->off = 4;
	sqe->len = 4;
	CHECK_EQ(run(&ring, sqe), 0);
	/* A directory can be synced too. */
	{
		int dir = open(t_tmpdir(), O_RDONLY | O_DIRECTORY);

		CHECK(dir >= 0);
		CHECK_EQ(fsync_op(&ring, dir, 0), 0);
		close(dir);
	}
	io_uring_queue_exit(&ring);
}

static void case_errors(void)
{
	struct io_uring ring;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(fsync_op(&ring, -1, 0), -EBADF);
	CHECK_EQ(fsync_op(&ring, p[0], 0), -EINVAL);
	CHECK_EQ(fsync_op(&ring, fd, 2), -EINVAL);
	CHECK_EQ(fsync_op(&ring, fd, 1u << 31), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* Fields FSYNC does not use must be zero (the kernel's io_fsync_prep);
 * such an SQE fails in prep and ends the submission. */
static void case_reserved(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd = t_tmpfd(), i;

	t_ring(&ring, 8, NULL);
	for (i = 0; i < 4; i++) {
		sqe = t_sqe(&ring);
		io_uring_prep_fsync(sqe, fd, 0);
		sqe->user_data = (uint64_t)i;
		if (i == 0)
			sqe->addr = 1;
		else if (i == 1)
			sqe->buf_index = 1;
		else if (i == 2)
			sqe->splice_fd_in = 1;
		else
			sqe->ioprio = 1;
		io_uring_prep_nop(t_sqe(&ring));
		CHECK_EQ(io_uring_submit(&ring), 1);
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->user_data, (uint64_t)i);
		CHECK_EQ(cqe->res, -EINVAL);
		io_uring_cqe_seen(&ring, cqe);
		CHECK_EQ(io_uring_submit(&ring), 1);
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->res, 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
}

/* Many syncs in flight at once all complete. */
static void case_batch(void)
{
	struct io_uring ring;
	struct t_rec rec;
	int fd = t_tmpfd(), i;

	t_ring(&ring, 32, NULL);
	for (i = 0; i < 32; i++) {
		struct io_uring_sqe *sqe = t_sqe(&ring);

		CHECK_EQ(pwrite(fd, "x", 1, i * 4096), 1);
		io_uring_prep_fsync(sqe, fd, i & 1 ? IORING_FSYNC_DATASYNC : 0);
		sqe->user_data = (uint64_t)i;
	}
	t_submit(&ring, 32);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 32, 20000);
	for (i = 0; i < 32; i++) {
		const struct t_cqe *c = t_rec_find(&rec, (uint64_t)i);

		CHECK(c);
		CHECK_EQ(c->res, 0);
	}
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "sync", case_sync, 0 },
		{ "errors", case_errors, 0 },
		{ "reserved", case_reserved, 0 },
		{ "batch", case_batch, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
