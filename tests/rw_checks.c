/* SPDX-License-Identifier: MIT */
/*
 * READ/WRITE/READV/WRITEV answer as the kernel's, in its order, where the
 * system calls the engine makes would not (found by tests/fuzz):
 * - an offset on a stream: a socket refuses one other than 0 (-ESPIPE),
 *   a pipe, an eventfd or /dev/zero ignores it;
 * - the buffer is checked at prep: one outside the user range is -EFAULT
 *   whatever the fd, and it ends the submission;
 * - a bad iovec array is -EFAULT before the fd is looked at;
 * - rw_flags: RWF_HIPRI (no IOPOLL) is -EINVAL, unknown bits -EOPNOTSUPP,
 *   APPEND with NOAPPEND -EINVAL; a file without write_iter (an eventfd)
 *   takes the flags the system call would refuse;
 * - a negative position is -EINVAL, a bad fd still -EBADF first;
 * - the ring's own fd cannot be read or written (-EINVAL);
 * - READ_FIXED on a bad fd is -EBADF before its buffer is looked up;
 * - a write too big for a pty nobody reads cannot block the teardown;
 * - RWF_NOWAIT where the system call says -EOPNOTSUPP and the kernel's
 *   io_uring -EAGAIN (an eventfd's write, a buffered write to a file
 *   system without async buffered writes: compared with the kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define KERNEL_PTR ((void *)0xffff888000000000ull)
#ifndef RWF_HIPRI
#define RWF_HIPRI	0x1
#define RWF_APPEND	0x10
#endif
#define RWF_NOAPPEND_	0x20

static char buf[4096];

/* One SQE: its CQE's res (a CQE of user_data 99 is left alone). */
static int one(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int res;

	sqe->user_data = 7;
	CHECK_EQ(io_uring_submit(ring), 1);
	for (;;) {
		cqe = t_wait(ring, 5000);
		if (cqe->user_data != 99)
			break;
		io_uring_cqe_seen(ring, cqe);
	}
	CHECK_EQ(cqe->user_data, 7);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int rd(struct io_uring *ring, int fd, void *p, unsigned len, __u64 off,
	      int flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_read(sqe, fd, p, len, off);
	sqe->rw_flags = flags;
	return one(ring, sqe);
}

static int wr(struct io_uring *ring, int fd, const void *p, unsigned len,
	      __u64 off, int flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_write(sqe, fd, p, len, off);
	sqe->rw_flags = flags;
	return one(ring, sqe);
}

static void case_stream_offsets(void)
{
	struct io_uring ring;
	int sv[2], p[2], efd, zero;

	t_ring(&ring, 8, NULL);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], "hello", 5) == 5);
	CHECK_EQ(rd(&ring, sv[0], buf, 5, 5, 0), -ESPIPE);
	CHECK_EQ(wr(&ring, sv[0], "x", 1, 1, 0), -ESPIPE);
	CHECK_EQ(rd(&ring, sv[0], buf, 5, 0, 0), 5);	/* 0 is no offset */
	CHECK_EQ(wr(&ring, sv[0], "x", 1, -1, 0), 1);
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	CHECK_EQ(rd(&ring, p[0], buf, 3, 100, 0), 3);	/* ignored */
	efd = eventfd(5, 0);
	CHECK(efd >= 0);
	CHECK_EQ(rd(&ring, efd, buf, 8, 4096, 0), 8);
	zero = open("/dev/zero", O_RDONLY);
	CHECK(zero >= 0);
	CHECK_EQ(rd(&ring, zero, buf, 16, 12345, 0), 16);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	close(efd);
	close(zero);
	io_uring_queue_exit(&ring);
}

/* A kernel-half buffer fails at prep: -EFAULT whatever the fd, and the
 * submission ends there. */
static void case_buffer_at_prep(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, -1, KERNEL_PTR, 16, 0);
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	T_EXPECT(&ring, 1, -EFAULT, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);	/* the NOP is still queued */
	T_EXPECT(&ring, 2, 0, 0);
	CHECK_EQ(wr(&ring, fd, KERNEL_PTR, 16, 0, 0), -EFAULT);
	/* a user address that is not mapped fails when it is copied */
	CHECK_EQ(wr(&ring, fd, (void *)0x10000, 16, 0, 0), -EFAULT);
	CHECK_EQ(wr(&ring, fd, "abc", 3, 0, 0), 3);
	CHECK_EQ(rd(&ring, fd, (void *)0x10000, 3, 0, 0), -EFAULT);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_iovec_before_fd(void)
{
	struct iovec iov[2] = { { buf, 8 }, { KERNEL_PTR, 8 } };
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, -1, (void *)0x10000, 1, 0);	/* unmapped */
	CHECK_EQ(one(&ring, sqe), -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_writev(sqe, 12345, iov, 2, 0);	/* closed fd */
	CHECK_EQ(one(&ring, sqe), -EFAULT);
	iov[1].iov_len = (size_t)-1;			/* negative */
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, -1, iov, 2, 0);
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* Behind a drain a bad iovec array still fails at submission, and ends
 * it, as the kernel's prep does. */
static void case_iovec_behind_drain(void)
{
	struct iovec iov = { KERNEL_PTR, 8 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK(pipe(p) == 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], buf, 8, 0);	/* waits */
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->flags |= IOSQE_IO_DRAIN;
	sqe->user_data = 2;
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, p[0], &iov, 1, 0);
	sqe->user_data = 3;
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 4;
	CHECK_EQ(io_uring_submit(&ring), 3);
	CHECK(write(p[1], "12345678", 8) == 8);
	/* the kernel posts the failure at once, the engine after the
	 * drain (the order is not what this checks) */
	T_EXPECT_SET(&ring, 3, (uint64_t[]){ 1, 2, 3 }, (int[]){ 8, 0, -EFAULT });
	CHECK_EQ(io_uring_submit(&ring), 1);
	T_EXPECT(&ring, 4, 0, 0);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

static void case_rw_flags(void)
{
	struct io_uring ring;
	int fd = t_tmpfd(), p[2], efd;
	uint64_t v = 1;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(wr(&ring, fd, "abcd", 4, 0, 0), 4);
	CHECK_EQ(rd(&ring, fd, buf, 4, 0, RWF_HIPRI), -EINVAL);
	CHECK_EQ(rd(&ring, fd, buf, 4, 0, 0x1000), -EOPNOTSUPP);
	CHECK_EQ(wr(&ring, fd, "x", 1, 0, RWF_APPEND | RWF_NOAPPEND_), -EINVAL);
	CHECK_EQ(rd(&ring, -1, buf, 4, 0, RWF_HIPRI), -EBADF);
	/* HIPRI fails at once on an empty pipe, in a worker too */
	CHECK(pipe(p) == 0);
	CHECK_EQ(rd(&ring, p[0], buf, 4, 0, RWF_HIPRI), -EINVAL);
	{
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_read(sqe, p[0], buf, 4, 0);
		sqe->rw_flags = RWF_HIPRI;
		sqe->flags |= IOSQE_ASYNC;
		CHECK_EQ(one(&ring, sqe), -EINVAL);
	}
	/* eventfd's write is not write_iter: the kernel takes RWF_APPEND */
	efd = eventfd(0, 0);
	CHECK(efd >= 0);
	CHECK_EQ(wr(&ring, efd, &v, 8, 0, RWF_APPEND), 8);
	CHECK_EQ(wr(&ring, efd, &v, 1, 0, RWF_APPEND), -EINVAL);
	close(efd);
	close(p[0]);
	close(p[1]);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_positions(void)
{
	struct io_uring ring;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(rd(&ring, fd, buf, 4, (__u64)-2, 0), -EINVAL);
	CHECK_EQ(rd(&ring, 12345, buf, 4, (__u64)-2, 0), -EBADF);
	CHECK_EQ(wr(&ring, 12345, buf, 4, 1ull << 63, 0), -EBADF);
	/* a pipe ignores its position, but not a negative one */
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	CHECK_EQ(rd(&ring, p[0], buf, 3, (__u64)-2, 0), -EINVAL);
	CHECK_EQ(wr(&ring, p[1], buf, 3, (__u64)-5, RWF_NOWAIT), -EINVAL);
	CHECK_EQ(rd(&ring, p[0], buf, 3, 7, 0), 3);
	close(p[0]);
	close(p[1]);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_ring_fd(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);		/* the ring has a CQE: readable */
	sqe->user_data = 99;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(rd(&ring, ring.ring_fd, buf, 8, 0, 0), -EINVAL);
	CHECK_EQ(wr(&ring, ring.ring_fd, buf, 8, 0, 0), -EINVAL);
	CHECK_EQ(rd(&ring, ring.ring_fd, buf, 8, 0, RWF_NOWAIT), -EOPNOTSUPP);
	io_uring_queue_exit(&ring);
}

static void case_fixed_bad_fd(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, 12345, buf, 16, 0, 3);
	CHECK_EQ(one(&ring, sqe), -EBADF);
	io_uring_queue_exit(&ring);
}

/* A write bigger than a pty takes, nobody reading: the kernel's io-wq
 * worker waits in it (here even the process's exit waits for it), so only
 * the engine is checked: its teardown must not wait for ever. */
static void case_pty_big_write(void)
{
	static char big[1 << 20];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_nsec = 100000000 };
	int pt = posix_openpt(O_RDWR | O_NOCTTY);
	uint64_t t0;

	if (pt < 0 || grantpt(pt) || unlockpt(pt))
		t_skip("no pty here");
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, pt, big, sizeof(big), 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	if (!io_uring_wait_cqe_timeout(&ring, &cqe, &ts)) {
		CHECK(cqe->res > 0 && cqe->res < (int)sizeof(big));	/* what fit */
		io_uring_cqe_seen(&ring, cqe);
	}
	t0 = t_now_ns();
	io_uring_queue_exit(&ring);
	CHECK(t_now_ns() - t0 < 3000000000ull);
	close(pt);
}

static void case_nowait_eventfd_write(void)
{
	struct io_uring ring;
	uint64_t v = 1;
	int efd = eventfd(0, 0);

	CHECK(efd >= 0);
	t_ring(&ring, 8, NULL);
	CHECK_EQ(wr(&ring, efd, &v, 8, 0, RWF_NOWAIT), -EAGAIN);
	close(efd);
	/* tmpfs: no FMODE_NOWAIT, refused */
	efd = memfd_create("rw_checks", 0);
	CHECK(efd >= 0);
	CHECK_EQ(wr(&ring, efd, "abcd", 4, 4096, RWF_NOWAIT), -EOPNOTSUPP);
	close(efd);
	io_uring_queue_exit(&ring);
}

/* A buffered RWF_NOWAIT write to a file in $TMPDIR: the engine's result
 * is the kernel's, whatever the file system. */
static void case_nowait_file_write(void)
{
	struct io_uring ring;
	int res[2], i, fd;

	if (!t_kernel_ok())
		t_skip("needs the kernel to compare with");
	for (i = 0; i < 2; i++) {
		CHECK_EQ(t_ring_try(&ring, 8, NULL, i ? AIORING_BACKEND_USER :
				    AIORING_BACKEND_KERNEL), 0);
		fd = t_tmpfd();
		res[i] = wr(&ring, fd, "abcd", 4, 4096, RWF_NOWAIT);
		close(fd);
		io_uring_queue_exit(&ring);
	}
	CHECK_EQ(res[1], res[0]);
}

static const struct t_case cases[] = {
	{ "stream_offsets", case_stream_offsets, 0 },
	{ "buffer_at_prep", case_buffer_at_prep, 0 },
	{ "iovec_before_fd", case_iovec_before_fd, 0 },
	{ "iovec_behind_drain", case_iovec_behind_drain, 0 },
	{ "rw_flags", case_rw_flags, 0 },
	{ "positions", case_positions, 0 },
	{ "ring_fd", case_ring_fd, 0 },
	{ "fixed_bad_fd", case_fixed_bad_fd, 0 },
	{ "pty_big_write", case_pty_big_write, T_USER_ONLY },
	{ "nowait_eventfd_write", case_nowait_eventfd_write, 0 },
	{ "nowait_file_write", case_nowait_file_write, T_DIFF },
	{ NULL, NULL, 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
