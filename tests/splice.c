/* SPDX-License-Identifier: MIT */
/* SPLICE and TEE: data, offsets, waiting for a pipe, errors, teardown. */
#include <errno.h>
#include <fcntl.h>
#include "fsutil.h"

static void case_splice_file_pipe(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), out = t_tmpfd(), p[2];
	char buf[16] = { 0 };

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pwrite(fd, "0123456789", 10, 0), 10);
	/* file at offset 2 -> pipe */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, 2, p[1], -1, 5, 0);
	CHECK_EQ(fs_run(&ring, sqe), 5);
	/* pipe -> file at offset 100 */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, p[0], -1, out, 100, 5, 0);
	CHECK_EQ(fs_run(&ring, sqe), 5);
	CHECK_EQ(pread(out, buf, 5, 100), 5);
	CHECK(!memcmp(buf, "23456", 5));
	/* the file position: -1 uses and moves it */
	CHECK_EQ(lseek(fd, 8, SEEK_SET), 8);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, -1, p[1], -1, 100, 0);
	CHECK_EQ(fs_run(&ring, sqe), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 2);
	/* len 0 */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, 0, p[1], -1, 0, 0);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	io_uring_queue_exit(&ring);
}

static void case_splice_errors(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, 999, -1, p[1], -1, 10, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, -1, 999, -1, 10, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	/* bad descriptors count even for len 0 */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, -1, -1, p[1], -1, 0, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, -1, -1, -1, 0, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	/* neither end a pipe */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, -1, fd, -1, 10, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	/* an offset on a pipe */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, 0, p[1], 5, 10, 0);
	CHECK_EQ(fs_run(&ring, sqe), -ESPIPE);
	/* nothing in the pipe, and the application asked not to wait */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, p[0], -1, fd, -1, 10, SPLICE_F_NONBLOCK);
	CHECK_EQ(fs_run(&ring, sqe), -EAGAIN);
	/* no registered files */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, 0, -1, p[1], -1, 10, SPLICE_F_FD_IN_FIXED);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, -1, p[1], -1, 10, 0x10);
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_tee(sqe, p[0], p[1], 10, 0);
	sqe->off = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_tee(sqe, p[0], p[1], 10, 0);
	sqe->splice_off_in = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	io_uring_queue_exit(&ring);
}

/* A splice from an empty pipe waits for data, without blocking the
 * ring; a short one breaks its chain. */
static void case_splice_wait(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int out = t_tmpfd(), p[2];
	char buf[8];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, p[0], -1, out, 0, 8, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 2;
	t_submit(&ring, 2);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 3;
	t_submit(&ring, 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 3);
	io_uring_cqe_seen(&ring, cqe);
	usleep(20000);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	CHECK_EQ(write(p[1], "abc", 3), 3);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 1);
	CHECK_EQ(cqe->res, 3);
	io_uring_cqe_seen(&ring, cqe);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 2);
	CHECK_EQ(cqe->res, -ECANCELED);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(pread(out, buf, 3, 0), 3);
	CHECK(!memcmp(buf, "abc", 3));
	io_uring_queue_exit(&ring);
}

/* A splice nobody will feed does not hold up the ring's teardown. */
static void case_teardown(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int out = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, p[0], -1, out, 0, 8, 0);
	t_submit(&ring, 1);
	usleep(10000);
	io_uring_queue_exit(&ring);
}

static void case_tee(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int a[2], b[2];
	char buf[8];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(a), 0);
	CHECK_EQ(pipe(b), 0);
	CHECK_EQ(write(a[1], "teedata", 7), 7);
	sqe = t_sqe(&ring);
	io_uring_prep_tee(sqe, a[0], b[1], 7, 0);
	CHECK_EQ(fs_run(&ring, sqe), 7);
	CHECK_EQ(read(b[0], buf, 7), 7);
	CHECK(!memcmp(buf, "teedata", 7));
	CHECK_EQ(read(a[0], buf, 7), 7);	/* tee leaves the data */
	sqe = t_sqe(&ring);
	io_uring_prep_tee(sqe, a[0], b[1], 7, SPLICE_F_NONBLOCK);
	CHECK_EQ(fs_run(&ring, sqe), -EAGAIN);
	sqe = t_sqe(&ring);
	io_uring_prep_tee(sqe, a[0], -1, 7, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	io_uring_queue_exit(&ring);
}

/* The input as a registered file. */
static void case_fixed_in(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), p[2];
	char buf[8];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pwrite(fd, "fixed", 5, 0), 5);
	CHECK_EQ(io_uring_register_files(&ring, &fd, 1), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, 0, 0, p[1], -1, 5, SPLICE_F_FD_IN_FIXED);
	CHECK_EQ(fs_run(&ring, sqe), 5);
	CHECK_EQ(read(p[0], buf, 5), 5);
	CHECK(!memcmp(buf, "fixed", 5));
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, 1, 0, p[1], -1, 5, SPLICE_F_FD_IN_FIXED);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "file_pipe", case_splice_file_pipe, 0 },
		{ "errors", case_splice_errors, 0 },
		{ "wait", case_splice_wait, 0 },
		{ "teardown", case_teardown, 0 },
		{ "tee", case_tee, 0 },
		{ "fixed_in", case_fixed_in, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
