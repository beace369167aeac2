/* SPDX-License-Identifier: MIT */
/*
 * Prep and issue checks of NOP, FSYNC, the send/receive ops and SEND_ZC
 * that the engine made differently from the kernel (found by tests/fuzz):
 * - NOP's IORING_NOP_FILE looks its file up at issue, by fd or, with
 *   IORING_NOP_FIXED_FILE, in the fixed table; a missing one is -EBADF,
 *   before IORING_NOP_FIXED_BUFFER's -EFAULT;
 * - FSYNC refuses a negative offset at prep (-EINVAL, whatever the fd);
 * - SEND, RECV, SENDMSG, RECVMSG refuse a length beyond INT_MAX at prep;
 * - SEND_ZC's result has F_MORE when it fails on its own (prep or issue,
 *   IOSQE_ASYNC too), and none when its chain failed it; the
 *   notification follows either way;
 * - SEND and RECV import their buffer at prep (-EFAULT before the fd);
 *   SENDMSG copies the address before it looks at the iovec count; a
 *   MSG_CMSG_COMPAT bit does not make a receive -EINVAL;
 * - SPLICE checks the files' modes (-EBADF) before a pipe's offsets;
 * - SEND_ZC with IORING_SEND_ZC_REPORT_USAGE: the notification says
 *   "copied" when nothing went zero-copy, a failed send too;
 * - MSG_RING to an O_PATH descriptor is -EBADF (the kernel's fget());
 * - SPLICE to or from an io_uring fd is -EINVAL (-ESPIPE first for an
 *   offset on a pipe at the other end);
 * - FUTEX_WAITV copies its array (-EFAULT) before the engine's lower limit;
 * - SEND with a destination of length 0: the protocol's answer (UDP:
 *   -EINVAL), not the socket's "no destination";
 * - READ_FIXED on an O_PATH fd: -EBADF before the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

static char buf[64];

static int one(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int res;

	sqe->user_data = 7;
	CHECK_EQ(io_uring_submit(ring), 1);
	cqe = t_wait(ring, 5000);
	CHECK_EQ(cqe->user_data, 7);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int nop(struct io_uring *ring, int fd, unsigned flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	sqe->fd = fd;
	sqe->nop_flags = flags;
	sqe->buf_index = 5;
	return one(ring, sqe);
}

static void case_nop_files(void)
{
	struct io_uring ring;
	int fds[2] = { -1, -1 };

	t_ring(&ring, 8, NULL);
	CHECK(pipe(fds) == 0);
	CHECK_EQ(io_uring_register_files(&ring, (int[]){ fds[0], -1 }, 2), 0);
	CHECK_EQ(nop(&ring, 0, IORING_NOP_FILE | IORING_NOP_FIXED_FILE), 0);
	CHECK_EQ(nop(&ring, 1, IORING_NOP_FILE | IORING_NOP_FIXED_FILE), -EBADF);
	CHECK_EQ(nop(&ring, 9, IORING_NOP_FILE | IORING_NOP_FIXED_FILE), -EBADF);
	CHECK_EQ(nop(&ring, fds[1], IORING_NOP_FILE), 0);
	CHECK_EQ(nop(&ring, -100, IORING_NOP_FILE | IORING_NOP_FIXED_BUFFER), -EBADF);
	CHECK_EQ(nop(&ring, fds[1], IORING_NOP_FILE | IORING_NOP_FIXED_BUFFER), -EFAULT);
	CHECK_EQ(nop(&ring, 5, IORING_NOP_FIXED_FILE), 0);	/* no FILE: unused */
	close(fds[0]);
	close(fds[1]);
	io_uring_queue_exit(&ring);
}

static void case_fsync_offset(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->off = (__u64)-1;
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, 12345, 0);
	sqe->off = (__u64)-2;
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->off = (1ull << 62);
	CHECK_EQ(one(&ring, sqe), 0);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_net_len(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct msghdr msg = { 0 };
	int sv[2];

	t_ring(&ring, 8, NULL);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], "data", 4) == 4);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, sv[0], buf, 0x80000000u, 0);
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, 12345, buf, 0xffffffffu, 0);
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_sendmsg(sqe, 12345, &msg, 0);
	sqe->len = 0x80000000u;
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_recvmsg(sqe, 12345, &msg, 0);
	sqe->len = 0x90000000u;
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, sv[0], buf, INT_MAX, 0);
	CHECK_EQ(one(&ring, sqe), 4);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

/* The result of @ud and then its notification. */
static void expect_zc(struct io_uring *ring, uint64_t ud, int res, unsigned flags)
{
	T_EXPECT(ring, ud, res, flags);
	T_EXPECT(ring, ud, 0, IORING_CQE_F_NOTIF);
}

static void case_zc_more(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 8, NULL);
	/* alone: F_MORE, at issue and with IOSQE_ASYNC */
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, 12345, buf, 8, 0, 0);
	sqe->flags |= IOSQE_ASYNC;
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	expect_zc(&ring, 1, -EBADF, IORING_CQE_F_MORE);
	/* a link of a chain that failed at submission: no flags */
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->nop_flags = 1u << 30;	/* unknown: fails at prep */
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 2;
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, 12345, buf, 8, 0, 0);
	sqe->user_data = 3;
	CHECK_EQ(io_uring_submit(&ring), 2);
	T_EXPECT(&ring, 2, -EINVAL, 0);
	expect_zc(&ring, 3, -ECANCELED, 0);
	io_uring_queue_exit(&ring);
}

static void case_net_prep(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct msghdr msg = { .msg_name = (void *)0x10000, .msg_namelen = 16,
			      .msg_iovlen = 5000 };
	int sv[2];

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, 12345, (void *)0xffff888000000000ull, 8, 0);
	CHECK_EQ(one(&ring, sqe), -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, 12345, (void *)0x8000000000000000ull, 8, 0);
	CHECK_EQ(one(&ring, sqe), -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_sendmsg(sqe, 12345, &msg, 0);	/* name unmapped */
	CHECK_EQ(one(&ring, sqe), -EFAULT);
	msg.msg_name = &sin;
	sqe = t_sqe(&ring);
	io_uring_prep_sendmsg(sqe, 12345, &msg, 0);
	CHECK_EQ(one(&ring, sqe), -EMSGSIZE);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], "data", 4) == 4);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, sv[0], buf, sizeof(buf), (int)0x80000000u);
	CHECK_EQ(one(&ring, sqe), 4);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, 12345, buf, sizeof(buf), (int)0x80000000u);
	CHECK_EQ(one(&ring, sqe), -EBADF);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

static void case_splice_modes(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2], fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK(pipe(p) == 0);
	/* into a pipe's read end, with offsets on pipes: the mode first */
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, 100, p[0], 100, 16, 0);
	CHECK_EQ(one(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, p[1], 5, fd, -1, 16, 0);
	CHECK_EQ(one(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, fd, 0, p[1], 7, 16, 0);
	CHECK_EQ(one(&ring, sqe), -ESPIPE);
	close(p[0]);
	close(p[1]);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_zc_usage_failed(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, 12345, buf, 8, 0, IORING_SEND_ZC_REPORT_USAGE);
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	T_EXPECT(&ring, 1, -EBADF, IORING_CQE_F_MORE);
	T_EXPECT(&ring, 1, (int)IORING_NOTIF_USAGE_ZC_COPIED, IORING_CQE_F_NOTIF);
	io_uring_queue_exit(&ring);
}

static void case_msg_ring_opath(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = open(".", O_PATH);

	CHECK(fd >= 0);
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_msg_ring(sqe, fd, 0, 0, 0);
	CHECK_EQ(one(&ring, sqe), -EBADF);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_splice_ring_fd(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "abc", 3) == 3);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, p[0], -1, ring.ring_fd, -1, 3, 0);
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_splice(sqe, p[0], 5, ring.ring_fd, -1, 3, 0);
	CHECK_EQ(one(&ring, sqe), -ESPIPE);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

static void case_misc_order(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				   .sin_port = htons(9) };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int u = socket(AF_INET, SOCK_DGRAM, 0), op = open(".", O_PATH);

	CHECK(u >= 0 && op >= 0);
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_futex_waitv(sqe, NULL, 128, 0);
	CHECK_EQ(one(&ring, sqe), -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_futex_waitv(sqe, NULL, 129, 0);
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_sendto(sqe, u, buf, 4, 0, (struct sockaddr *)&sin, 0);
	CHECK_EQ(one(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, op, buf, 16, 0, 3);
	CHECK_EQ(one(&ring, sqe), -EBADF);
	close(u);
	close(op);
	io_uring_queue_exit(&ring);
}

static const struct t_case cases[] = {
	{ "nop_files", case_nop_files, 0 },
	{ "fsync_offset", case_fsync_offset, 0 },
	{ "net_len", case_net_len, 0 },
	{ "zc_more", case_zc_more, 0 },
	{ "net_prep", case_net_prep, 0 },
	{ "splice_modes", case_splice_modes, 0 },
	{ "zc_usage_failed", case_zc_usage_failed, 0 },
	{ "msg_ring_opath", case_msg_ring_opath, 0 },
	{ "splice_ring_fd", case_splice_ring_fd, 0 },
	{ "misc_order", case_misc_order, 0 },
	{ NULL, NULL, 0 },
};

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);	/* a listening socket written to */
	return t_main(argc, argv, cases);
}
