/* SPDX-License-Identifier: MIT */
/*
 * The socket ops' SQE checks and errors: bad fd, ENOTSOCK, EBADF on a
 * closed socket, ECONNREFUSED, EPIPE, the flags of ACCEPT and direct
 * descriptors without a table. Only loopback addresses are used.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "netutil.h"

static void case_connect_errors(void)
{
	struct io_uring ring;
	struct sockaddr_in sa;
	struct io_uring_sqe *sqe;
	int l = t_listener(&sa), fd, file;

	close(l);		/* nobody listens there now */
	t_ring(&ring, 8, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	io_uring_prep_connect(sqe_ud(&ring, 1), fd, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 1).res, -ECONNREFUSED);
	close(fd);
	/* a nonblocking socket, same answer */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	io_uring_prep_connect(sqe_ud(&ring, 2), fd, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 2).res, -ECONNREFUSED);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	io_uring_prep_connect(sqe_ud(&ring, 3), 999, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 3).res, -EBADF);
	file = t_tmpfd();
	io_uring_prep_connect(sqe_ud(&ring, 4), file, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 4).res, -ENOTSOCK);
	/* SQE checks: an oversized address, a bad pointer, a stray len */
	io_uring_prep_connect(sqe_ud(&ring, 5), file, (struct sockaddr *)&sa, 129);
	CHECK_EQ(run1(&ring, 5).res, -EINVAL);
	io_uring_prep_connect(sqe_ud(&ring, 6), file, (struct sockaddr *)8, sizeof(sa));
	CHECK_EQ(run1(&ring, 6).res, -EFAULT);
	sqe = sqe_ud(&ring, 7);
	io_uring_prep_connect(sqe, file, (struct sockaddr *)&sa, sizeof(sa));
	sqe->len = 1;
	CHECK_EQ(run1(&ring, 7).res, -EINVAL);
	close(file);
	io_uring_queue_exit(&ring);
}

static void case_accept_flags(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct sockaddr_in sa;
	struct io_uring_cqe *cqe;
	int l = t_listener(&sa), c, file;

	t_ring(&ring, 8, NULL);
	/* DONTWAIT with nothing pending: -EAGAIN at once */
	sqe = sqe_ud(&ring, 1);
	io_uring_prep_accept(sqe, l, NULL, NULL, 0);
	sqe->ioprio |= IORING_ACCEPT_DONTWAIT;
	CHECK_EQ(run1(&ring, 1).res, -EAGAIN);
	/* POLL_FIRST with a connection already queued still completes */
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	sqe = sqe_ud(&ring, 2);
	io_uring_prep_accept(sqe, l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	sqe->ioprio |= IORING_ACCEPT_POLL_FIRST;
	CHECK_EQ(io_uring_submit(&ring), 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 2);
	CHECK(cqe->res >= 0);
	CHECK(fcntl(cqe->res, F_GETFL) & O_NONBLOCK);
	CHECK_EQ(fcntl(cqe->res, F_GETFD), FD_CLOEXEC);
	close(cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	close(c);
	/* the listener itself was not left nonblocking */
	CHECK(!(fcntl(l, F_GETFL) & O_NONBLOCK));
	/* SQE checks */
	sqe = sqe_ud(&ring, 3);
	io_uring_prep_accept(sqe, l, NULL, NULL, 0);
	sqe->ioprio = 1u << 7;
	CHECK_EQ(run1(&ring, 3).res, -EINVAL);
	io_uring_prep_accept(sqe_ud(&ring, 4), l, NULL, NULL, O_APPEND);
	CHECK_EQ(run1(&ring, 4).res, -EINVAL);
	sqe = sqe_ud(&ring, 5);
	io_uring_prep_accept(sqe, l, NULL, NULL, 0);
	sqe->len = 1;
	CHECK_EQ(run1(&ring, 5).res, -EINVAL);
	io_uring_prep_accept_direct(sqe_ud(&ring, 6), l, NULL, NULL, SOCK_CLOEXEC, 0);
	CHECK_EQ(run1(&ring, 6).res, -EINVAL);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	io_uring_prep_multishot_accept_direct(sqe_ud(&ring, 7), l, NULL, NULL, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	io_uring_prep_accept_direct(sqe_ud(&ring, 8), l, NULL, NULL, 0, 3);
	CHECK_EQ(io_uring_submit(&ring), 1);
	close(c);
	/* errors: bad fd, not a socket, not listening */
	io_uring_prep_accept(sqe_ud(&ring, 9), 999, NULL, NULL, 0);
	file = t_tmpfd();
	io_uring_prep_accept(sqe_ud(&ring, 10), file, NULL, NULL, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	io_uring_prep_accept(sqe_ud(&ring, 11), c, NULL, NULL, 0);
	CHECK_EQ(io_uring_submit(&ring), 3);
	struct t_rec rec;
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 5, 5000);
	/* accepted, then no table to put them in */
	CHECK_EQ(t_rec_find(&rec, 7)->res, -ENFILE);	/* IORING_FILE_INDEX_ALLOC */
	CHECK_EQ(t_rec_find(&rec, 8)->res, -ENXIO);
	CHECK_EQ(t_rec_find(&rec, 9)->res, -EBADF);
	CHECK_EQ(t_rec_find(&rec, 10)->res, -ENOTSOCK);
	CHECK_EQ(t_rec_find(&rec, 11)->res, -EINVAL);
	t_rec_free(&rec);
	close(file);
	close(c);
	close(l);
	io_uring_queue_exit(&ring);
}

static void case_send_errors(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[16] = "abc";
	int sv[2], file, fd;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[1]);
	/* EPIPE, and no SIGPIPE (the kernel adds MSG_NOSIGNAL) */
	io_uring_prep_send(sqe_ud(&ring, 1), sv[0], buf, 3, 0);
	CHECK_EQ(run1(&ring, 1).res, -EPIPE);
	io_uring_prep_recv(sqe_ud(&ring, 2), sv[0], buf, 3, 0);
	CHECK_EQ(run1(&ring, 2).res, 0);
	fd = sv[0];
	close(fd);		/* EBADF on a closed socket */
	io_uring_prep_send(sqe_ud(&ring, 3), fd, buf, 3, 0);
	CHECK_EQ(run1(&ring, 3).res, -EBADF);
	io_uring_prep_recv(sqe_ud(&ring, 4), fd, buf, 3, 0);
	CHECK_EQ(run1(&ring, 4).res, -EBADF);
	file = t_tmpfd();
	io_uring_prep_send(sqe_ud(&ring, 5), file, buf, 3, 0);
	CHECK_EQ(run1(&ring, 5).res, -ENOTSOCK);
	io_uring_prep_recv(sqe_ud(&ring, 6), file, buf, 3, 0);
	CHECK_EQ(run1(&ring, 6).res, -ENOTSOCK);
	/* SQE checks */
	sqe = sqe_ud(&ring, 7);
	io_uring_prep_recv(sqe, file, buf, 3, 0);
	sqe->addr2 = 1;
	CHECK_EQ(run1(&ring, 7).res, -EINVAL);
	sqe = sqe_ud(&ring, 8);
	io_uring_prep_recv(sqe, file, buf, 3, 0);
	sqe->ioprio = 1u << 7;
	CHECK_EQ(run1(&ring, 8).res, -EINVAL);
	sqe = sqe_ud(&ring, 9);
	io_uring_prep_recv_multishot(sqe, file, buf, 3, 0);
	CHECK_EQ(run1(&ring, 9).res, -EINVAL);	/* needs provided buffers */
	sqe = sqe_ud(&ring, 10);
	io_uring_prep_send(sqe, file, buf, 3, 0);
	sqe->__pad3[0] = 1;
	CHECK_EQ(run1(&ring, 10).res, -EINVAL);
	sqe = sqe_ud(&ring, 11);
	io_uring_prep_recv(sqe, file, buf, 3, 0);
	sqe->optlen = 1;
	CHECK_EQ(run1(&ring, 11).res, -EINVAL);
	close(file);
	io_uring_queue_exit(&ring);
}

static void case_shutdown_listen_bind(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct sockaddr_in sa = loopback(0);
	char buf[8];
	int p[2], file;

	tcp_pair(p);
	t_ring(&ring, 8, NULL);
	io_uring_prep_shutdown(sqe_ud(&ring, 1), p[0], SHUT_WR);
	CHECK_EQ(run1(&ring, 1).res, 0);
	CHECK_EQ(read(p[1], buf, sizeof(buf)), 0);
	io_uring_prep_shutdown(sqe_ud(&ring, 2), p[0], 7);
	CHECK_EQ(run1(&ring, 2).res, -EINVAL);
	file = t_tmpfd();
	io_uring_prep_shutdown(sqe_ud(&ring, 3), file, SHUT_RD);
	CHECK_EQ(run1(&ring, 3).res, -ENOTSOCK);
	sqe = sqe_ud(&ring, 4);
	io_uring_prep_shutdown(sqe, p[0], SHUT_RD);
	sqe->addr = 1;
	CHECK_EQ(run1(&ring, 4).res, -EINVAL);
	io_uring_prep_listen(sqe_ud(&ring, 5), file, 1);
	CHECK_EQ(run1(&ring, 5).res, -ENOTSOCK);
	sqe = sqe_ud(&ring, 6);
	io_uring_prep_listen(sqe, p[0], 1);
	sqe->addr2 = 1;
	CHECK_EQ(run1(&ring, 6).res, -EINVAL);
	io_uring_prep_bind(sqe_ud(&ring, 7), p[0], (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 7).res, -EINVAL);		/* already bound */
	io_uring_prep_bind(sqe_ud(&ring, 8), file, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 8).res, -ENOTSOCK);
	io_uring_prep_bind(sqe_ud(&ring, 9), 999, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 9).res, -EBADF);
	io_uring_prep_bind(sqe_ud(&ring, 10), p[0], (struct sockaddr *)&sa, 200);
	CHECK_EQ(run1(&ring, 10).res, -EINVAL);
	close(file);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "connect_errors", case_connect_errors, 0 },
		{ "accept_flags", case_accept_flags, 0 },
		{ "send_errors", case_send_errors, 0 },
		{ "shutdown_listen_bind", case_shutdown_listen_bind, 0 },
		{ NULL, NULL, 0 }
	};

	return t_main(argc, argv, cases);
}
