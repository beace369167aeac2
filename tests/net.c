/* SPDX-License-Identifier: MIT */
/*
 * The socket ops at work: SOCKET, BIND, LISTEN, CONNECT, ACCEPT (plain and
 * multishot), SEND, RECV, SENDMSG, RECVMSG and SHUTDOWN, partial
 * transfers, MSG_WAITALL, POLL_FIRST, links through parked requests,
 * cancellation and teardown with requests parked. The SQE checks and the
 * errors are in net_checks.c. Only loopback addresses are used.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "netutil.h"

static void case_socket(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct res r;
	int type = 0;
	socklen_t len = sizeof(type);

	t_ring(&ring, 8, NULL);
	CHECK(ring.features & IORING_FEAT_FAST_POLL);
	io_uring_prep_socket(sqe_ud(&ring, 1), AF_INET, SOCK_STREAM, 0, 0);
	r = run1(&ring, 1);
	CHECK(r.res >= 0);
	CHECK_EQ(getsockopt(r.res, SOL_SOCKET, SO_TYPE, &type, &len), 0);
	CHECK_EQ(type, SOCK_STREAM);
	CHECK_EQ(fcntl(r.res, F_GETFD), 0);
	close(r.res);
	io_uring_prep_socket(sqe_ud(&ring, 2), AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0);
	r = run1(&ring, 2);
	CHECK(r.res >= 0);
	CHECK_EQ(fcntl(r.res, F_GETFD), FD_CLOEXEC);
	close(r.res);
	/* type flags other than CLOEXEC and NONBLOCK */
	io_uring_prep_socket(sqe_ud(&ring, 3), AF_INET, SOCK_STREAM | 0x40000000, 0, 0);
	CHECK_EQ(run1(&ring, 3).res, -EINVAL);
	sqe = sqe_ud(&ring, 4);
	io_uring_prep_socket(sqe, AF_INET, SOCK_STREAM, 0, 0);
	sqe->addr = 1;
	CHECK_EQ(run1(&ring, 4).res, -EINVAL);
	io_uring_prep_socket(sqe_ud(&ring, 5), 4242, SOCK_STREAM, 0, 0);
	CHECK_EQ(run1(&ring, 5).res, -EAFNOSUPPORT);
	/* direct with CLOEXEC is refused at prep; without a table, -ENXIO */
	io_uring_prep_socket_direct(sqe_ud(&ring, 6), AF_INET,
				    SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0);
	CHECK_EQ(run1(&ring, 6).res, -EINVAL);
	io_uring_prep_socket_direct(sqe_ud(&ring, 7), AF_INET, SOCK_STREAM, 0, 0, 0);
	CHECK_EQ(run1(&ring, 7).res, -ENXIO);
	io_uring_queue_exit(&ring);
}

/* The whole server and client life on the ring. */
static void case_bind_listen_connect_accept(void)
{
	struct io_uring ring;
	struct sockaddr_in sa = loopback(0), peer;
	socklen_t len = sizeof(sa), plen = sizeof(peer);
	struct io_uring_cqe *cqe;
	int srv, cli, conn, i, got = 0;

	t_ring(&ring, 8, NULL);
	io_uring_prep_socket(sqe_ud(&ring, 1), AF_INET, SOCK_STREAM, 0, 0);
	srv = run1(&ring, 1).res;
	CHECK(srv >= 0);
	io_uring_prep_bind(sqe_ud(&ring, 2), srv, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(run1(&ring, 2).res, 0);
	io_uring_prep_listen(sqe_ud(&ring, 3), srv, 16);
	CHECK_EQ(run1(&ring, 3).res, 0);
	CHECK_EQ(getsockname(srv, (struct sockaddr *)&sa, &len), 0);
	CHECK(sa.sin_port != 0);
	/* the accept waits for the connect */
	io_uring_prep_accept(sqe_ud(&ring, 4), srv, (struct sockaddr *)&peer, &plen, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	io_uring_prep_socket(sqe_ud(&ring, 5), AF_INET, SOCK_STREAM, 0, 0);
	cli = run1(&ring, 5).res;
	CHECK(cli >= 0);
	io_uring_prep_connect(sqe_ud(&ring, 6), cli, (struct sockaddr *)&sa, sizeof(sa));
	CHECK_EQ(io_uring_submit(&ring), 1);
	conn = -1;
	for (i = 0; i < 2; i++) {
		cqe = t_wait(&ring, 5000);
		if (cqe->user_data == 4) {
			conn = cqe->res;
			got |= 1;
		} else {
			CHECK_EQ(cqe->user_data, 6);
			CHECK_EQ(cqe->res, 0);
			got |= 2;
		}
		CHECK_EQ(cqe->flags, 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK_EQ(got, 3);
	CHECK(conn >= 0);
	CHECK_EQ(plen, sizeof(peer));
	CHECK_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	CHECK_EQ(write(cli, "hi", 2), 2);
	char buf[4];
	CHECK_EQ(read(conn, buf, sizeof(buf)), 2);
	close(conn);
	close(cli);
	close(srv);
	io_uring_queue_exit(&ring);
}

static void case_send_recv(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	char out[100], in[100];
	struct res r;
	int p[2];

	tcp_pair(p);
	t_ring(&ring, 8, NULL);
	fill(out, sizeof(out), 1);
	/* a recv that waits, then the send that feeds it */
	io_uring_prep_recv(sqe_ud(&ring, 1), p[1], in, sizeof(in), 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	io_uring_prep_send(sqe_ud(&ring, 2), p[0], out, 60, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	for (int i = 0; i < 2; i++) {
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->res, 60);
		CHECK_EQ(cqe->flags, 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK(!memcmp(in, out, 60));
	/* a short recv of queued data: more is waiting (TCP says so) */
	io_uring_prep_send(sqe_ud(&ring, 3), p[0], out, 100, 0);
	CHECK_EQ(run1(&ring, 3).res, 100);
	io_uring_prep_recv(sqe_ud(&ring, 4), p[1], in, 30, 0);
	r = run1(&ring, 4);
	CHECK_EQ(r.res, 30);
	CHECK_EQ(r.flags, IORING_CQE_F_SOCK_NONEMPTY);
	io_uring_prep_recv(sqe_ud(&ring, 5), p[1], in + 30, 70, 0);
	r = run1(&ring, 5);
	CHECK_EQ(r.res, 70);
	CHECK_EQ(r.flags, 0);
	CHECK(!memcmp(in, out, 100));
	/* MSG_DONTWAIT with nothing there */
	io_uring_prep_recv(sqe_ud(&ring, 6), p[1], in, 10, MSG_DONTWAIT);
	CHECK_EQ(run1(&ring, 6).res, -EAGAIN);
	/* end of file */
	shutdown(p[0], SHUT_WR);
	io_uring_prep_recv(sqe_ud(&ring, 7), p[1], in, 10, 0);
	CHECK_EQ(run1(&ring, 7).res, 0);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

struct feeder {
	int fd;
	const char *buf;
	size_t len, chunk;
};

static void *feed(void *arg)
{
	struct feeder *f = arg;
	size_t off;

	for (off = 0; off < f->len; off += f->chunk) {
		usleep(5000);
		CHECK(write(f->fd, f->buf + off, f->chunk) == (ssize_t)f->chunk);
	}
	return NULL;
}

static void case_waitall(void)
{
	static char out[4000], in[4000];
	struct io_uring ring;
	struct feeder f;
	pthread_t th;
	int p[2];

	tcp_pair(p);
	t_ring(&ring, 8, NULL);
	fill(out, sizeof(out), 2);
	f = (struct feeder){ .fd = p[0], .buf = out, .len = 4000, .chunk = 1000 };
	io_uring_prep_recv(sqe_ud(&ring, 1), p[1], in, sizeof(in), MSG_WAITALL);
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(pthread_create(&th, NULL, feed, &f), 0);
	struct io_uring_cqe *cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 4000);
	io_uring_cqe_seen(&ring, cqe);
	pthread_join(th, NULL);
	CHECK(!memcmp(in, out, sizeof(out)));
	/* WAITALL cut short by end of file: what came, and the link breaks */
	CHECK_EQ(write(p[0], out, 10), 10);
	shutdown(p[0], SHUT_WR);
	struct io_uring_sqe *sqe = sqe_ud(&ring, 2);
	io_uring_prep_recv(sqe, p[1], in, 100, MSG_WAITALL);
	sqe->flags |= IOSQE_IO_LINK;
	t_prep_nop_inject(sqe_ud(&ring, 3), 0);
	CHECK_EQ(io_uring_submit(&ring), 2);
	struct t_rec rec;
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 5000);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 10);
	CHECK_EQ(t_rec_find(&rec, 3)->res, -ECANCELED);
	t_rec_free(&rec);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

/* A send bigger than the socket buffer: without MSG_WAITALL a short
 * count; with it, everything, as the reader drains. */
static void *drain(void *arg)
{
	int fd = *(int *)arg;
	static char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	return (void *)total;
}

static void case_partial_send(void)
{
	enum { BIG = 4 << 20 };
	char *big = malloc(BIG);
	struct io_uring ring;
	pthread_t th;
	void *total;
	int sv[2], r;

	CHECK(big);
	memset(big, 'x', BIG);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	t_ring(&ring, 8, NULL);
	io_uring_prep_send(sqe_ud(&ring, 1), sv[0], big, BIG, 0);
	r = run1(&ring, 1).res;
	CHECK_MSG(r > 0 && r < BIG, "partial send: %d", r);
	CHECK_EQ(pthread_create(&th, NULL, drain, &sv[1]), 0);
	io_uring_prep_send(sqe_ud(&ring, 2), sv[0], big, BIG, MSG_WAITALL);
	CHECK_EQ(run1(&ring, 2).res, BIG);
	shutdown(sv[0], SHUT_WR);
	pthread_join(th, &total);
	CHECK_EQ((size_t)total, (size_t)r + BIG);
	close(sv[0]);
	close(sv[1]);
	free(big);
	io_uring_queue_exit(&ring);
}

/* SEND with a destination, RECVMSG with a name and a short buffer. */
static void case_msg_udp(void)
{
	struct io_uring ring;
	struct sockaddr_in a = loopback(0), b = loopback(0), from;
	socklen_t len = sizeof(a);
	char out[64], in[16], in2[64];
	struct iovec iov[2] = { { in, 8 }, { in + 8, 8 } };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
			      .msg_iov = iov, .msg_iovlen = 2 };
	struct msghdr smsg = { .msg_name = &b, .msg_namelen = sizeof(b) };
	struct iovec siov = { out, 40 };
	struct io_uring_sqe *sqe;
	int u1 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int u2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct res r;

	CHECK_EQ(bind(u1, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(bind(u2, (struct sockaddr *)&b, sizeof(b)), 0);
	CHECK_EQ(getsockname(u1, (struct sockaddr *)&a, &len), 0);
	CHECK_EQ(getsockname(u2, (struct sockaddr *)&b, &len), 0);
	fill(out, sizeof(out), 3);
	t_ring(&ring, 8, NULL);
	/* the recvmsg waits for the datagram */
	io_uring_prep_recvmsg(sqe_ud(&ring, 1), u2, &msg, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	sqe = sqe_ud(&ring, 2);
	io_uring_prep_send(sqe, u1, out, 40, 0);
	io_uring_prep_send_set_addr(sqe, (struct sockaddr *)&b, sizeof(b));
	CHECK_EQ(io_uring_submit(&ring), 1);
	struct t_rec rec;
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 5000);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 40);
	CHECK_EQ(t_rec_find(&rec, 1)->res, 16);
	t_rec_free(&rec);
	CHECK(!memcmp(in, out, 16));
	CHECK(msg.msg_flags & MSG_TRUNC);
	CHECK_EQ(msg.msg_namelen, sizeof(from));
	CHECK_EQ(from.sin_port, a.sin_port);
	/* SENDMSG with a name; plain RECV */
	smsg.msg_iov = &siov;
	smsg.msg_iovlen = 1;
	io_uring_prep_sendmsg(sqe_ud(&ring, 3), u1, &smsg, 0);
	CHECK_EQ(run1(&ring, 3).res, 40);
	io_uring_prep_recv(sqe_ud(&ring, 4), u2, in2, sizeof(in2), 0);
	r = run1(&ring, 4);
	CHECK_EQ(r.res, 40);
	CHECK_EQ(r.flags, 0);
	CHECK(!memcmp(in2, out, 40));
	/* bad msghdr pointers, too many iovecs */
	io_uring_prep_recvmsg(sqe_ud(&ring, 5), u2, (struct msghdr *)8, 0);
	CHECK_EQ(run1(&ring, 5).res, -EFAULT);
	io_uring_prep_sendmsg(sqe_ud(&ring, 6), u1, (struct msghdr *)8, 0);
	CHECK_EQ(run1(&ring, 6).res, -EFAULT);
	smsg.msg_iovlen = 1025;
	io_uring_prep_sendmsg(sqe_ud(&ring, 7), u1, &smsg, 0);
	CHECK_EQ(run1(&ring, 7).res, -EMSGSIZE);
	close(u1);
	close(u2);
	io_uring_queue_exit(&ring);
}

/* POLL_FIRST, a linked chain through the poll path, and a request that
 * keeps its socket after the application closed its descriptor. */
static void case_poll_first_link(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char in[8] = "", in2[8] = "";
	int p[2], dupfd;

	tcp_pair(p);
	t_ring(&ring, 8, NULL);
	CHECK_EQ(write(p[0], "abcd", 4), 4);
	sqe = sqe_ud(&ring, 1);
	io_uring_prep_recv(sqe, p[1], in, 4, 0);
	sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
	CHECK_EQ(run1(&ring, 1).res, 4);
	CHECK(!memcmp(in, "abcd", 4));
	/* recv -> send linked: the send runs once the recv has data */
	sqe = sqe_ud(&ring, 2);
	io_uring_prep_recv(sqe, p[1], in2, 4, MSG_WAITALL);
	sqe->flags |= IOSQE_IO_LINK;
	io_uring_prep_send(sqe_ud(&ring, 3), p[1], "wxyz", 4, 0);
	CHECK_EQ(io_uring_submit(&ring), 2);
	dupfd = p[1];
	usleep(20000);
	CHECK_EQ(write(p[0], "12", 2), 2);
	usleep(20000);
	CHECK_EQ(write(p[0], "34", 2), 2);
	struct t_rec rec;
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 5000);
	t_rec_sort(&rec);
	CHECK_EQ(rec.v[0].user_data, 2);
	CHECK_EQ(rec.v[0].res, 4);
	CHECK_EQ(rec.v[1].user_data, 3);
	CHECK_EQ(rec.v[1].res, 4);
	t_rec_free(&rec);
	CHECK(!memcmp(in2, "1234", 4));
	CHECK_EQ(read(p[0], in, 4), 4);
	CHECK(!memcmp(in, "wxyz", 4));
	/* an armed recv survives the close of the application's fd */
	io_uring_prep_recv(sqe_ud(&ring, 4), dupfd, in, 4, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	usleep(10000);
	close(dupfd);
	CHECK_EQ(write(p[0], "late", 4), 4);
	struct io_uring_cqe *cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 4);
	CHECK_EQ(cqe->res, 4);
	io_uring_cqe_seen(&ring, cqe);
	CHECK(!memcmp(in, "late", 4));
	close(p[0]);
	io_uring_queue_exit(&ring);
}

/* Closing the ring with requests parked: nothing hangs or leaks. */
static void case_teardown_armed(void)
{
	struct io_uring ring;
	struct sockaddr_in sa;
	char in[8];
	int p[2], l = t_listener(&sa), i;

	tcp_pair(p);
	t_ring(&ring, 16, NULL);
	for (i = 0; i < 4; i++)
		io_uring_prep_recv(sqe_ud(&ring, 10 + i), p[1], in, sizeof(in), 0);
	io_uring_prep_accept(sqe_ud(&ring, 20), l, NULL, NULL, 0);
	io_uring_prep_multishot_accept(sqe_ud(&ring, 21), l, NULL, NULL, 0);
	CHECK_EQ(io_uring_submit(&ring), 6);
	usleep(10000);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
	close(l);
}

static void case_multishot_accept(void)
{
	struct io_uring ring;
	struct sockaddr_in sa;
	struct io_uring_cqe *cqe;
	int l = t_listener(&sa), c[5], i;

	t_ring(&ring, 16, NULL);
	io_uring_prep_multishot_accept(sqe_ud(&ring, 1), l, NULL, NULL, SOCK_CLOEXEC);
	CHECK_EQ(io_uring_submit(&ring), 1);
	for (i = 0; i < 5; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK_EQ(connect(c[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->user_data, 1);
		CHECK(cqe->res >= 0);
		CHECK(cqe->flags & IORING_CQE_F_MORE);
		CHECK_EQ(fcntl(cqe->res, F_GETFD), FD_CLOEXEC);
		close(cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
	/* shutting the listener down ends it: a last CQE without F_MORE */
	shutdown(l, SHUT_RDWR);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 1);
	CHECK_EQ(cqe->res, -EINVAL);
	CHECK_EQ(cqe->flags, 0);
	io_uring_cqe_seen(&ring, cqe);
	for (i = 0; i < 5; i++)
		close(c[i]);
	close(l);
	io_uring_queue_exit(&ring);
}

/* ASYNC_CANCEL finds parked requests: the target completes with
 * -ECANCELED (a multishot one without F_MORE) and the cancel with 0. The
 * order of the two CQEs is not part of the contract (the kernel posts the
 * cancel's first, the engine the target's), so they are sorted. */
static void case_cancel_parked(void)
{
	struct io_uring ring;
	struct sockaddr_in sa;
	struct t_rec rec;
	char in[8];
	int p[2], l = t_listener(&sa);

	tcp_pair(p);
	t_ring(&ring, 8, NULL);
	io_uring_prep_recv(sqe_ud(&ring, 1), p[1], in, sizeof(in), 0);
	io_uring_prep_multishot_accept(sqe_ud(&ring, 2), l, NULL, NULL, 0);
	CHECK_EQ(io_uring_submit(&ring), 2);
	io_uring_prep_cancel64(sqe_ud(&ring, 3), 1, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 5000);
	t_rec_sort(&rec);
	CHECK_EQ(rec.v[0].user_data, 1);
	CHECK_EQ(rec.v[0].res, -ECANCELED);
	CHECK_EQ(rec.v[1].user_data, 3);
	CHECK_EQ(rec.v[1].res, 0);
	t_rec_free(&rec);
	io_uring_prep_cancel64(sqe_ud(&ring, 4), 2, 0);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 5000);
	t_rec_sort(&rec);
	CHECK_EQ(rec.v[0].user_data, 2);
	CHECK_EQ(rec.v[0].res, -ECANCELED);
	CHECK_EQ(rec.v[0].flags, 0);
	CHECK_EQ(rec.v[1].user_data, 4);
	CHECK_EQ(rec.v[1].res, 0);
	t_rec_free(&rec);
	/* nothing left to cancel; and the socket is untouched */
	io_uring_prep_cancel64(sqe_ud(&ring, 5), 1, 0);
	CHECK_EQ(run1(&ring, 5).res, -ENOENT);
	CHECK_EQ(write(p[0], "ok", 2), 2);
	CHECK_EQ(read(p[1], in, sizeof(in)), 2);
	close(p[0]);
	close(p[1]);
	close(l);
	io_uring_queue_exit(&ring);
}

/* Direct descriptors: SOCKET and ACCEPT into the fixed table, the ops on
 * fixed files, and two receives parked on one fixed socket at once. */
static void case_direct(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct sockaddr_in sa = loopback(0);
	socklen_t len = sizeof(sa);
	struct t_rec rec;
	char a[4], b[4];
	int c, slot;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files_sparse(&ring, 8), 0);
	io_uring_prep_socket_direct(sqe_ud(&ring, 1), AF_INET, SOCK_STREAM, 0, 2, 0);
	CHECK_EQ(run1(&ring, 1).res, 0);
	sqe = sqe_ud(&ring, 2);
	io_uring_prep_bind(sqe, 2, (struct sockaddr *)&sa, sizeof(sa));
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(run1(&ring, 2).res, 0);
	sqe = sqe_ud(&ring, 3);
	io_uring_prep_listen(sqe, 2, 8);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(run1(&ring, 3).res, 0);
	/* where did it bind? ask a plain socket of the same table entry */
	sqe = sqe_ud(&ring, 4);
	io_uring_prep_fixed_fd_install(sqe, 2, 0);
	c = run1(&ring, 4).res;
	CHECK(c >= 0);
	CHECK_EQ(getsockname(c, (struct sockaddr *)&sa, &len), 0);
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	sqe = sqe_ud(&ring, 5);
	io_uring_prep_accept_direct(sqe, 2, NULL, NULL, 0, IORING_FILE_INDEX_ALLOC);
	sqe->flags |= IOSQE_FIXED_FILE;
	slot = run1(&ring, 5).res;
	CHECK(slot >= 0 && slot < 8 && slot != 2);
	/* two receives parked on one fixed socket */
	sqe = sqe_ud(&ring, 6);
	io_uring_prep_recv(sqe, slot, a, sizeof(a), MSG_WAITALL);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe = sqe_ud(&ring, 7);
	io_uring_prep_recv(sqe, slot, b, sizeof(b), MSG_WAITALL);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(io_uring_submit(&ring), 2);
	usleep(10000);
	CHECK_EQ(write(c, "12345678", 8), 8);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 5000);
	CHECK_EQ(rec.v[0].res, 4);
	CHECK_EQ(rec.v[1].res, 4);
	t_rec_free(&rec);
	CHECK(!memcmp(a, "1234", 4) || !memcmp(a, "5678", 4));
	CHECK(memcmp(a, b, 4));
	close(c);
	io_uring_queue_exit(&ring);
}

/* ACCEPT says when more connections wait (TCP), not for AF_UNIX. */
static void case_accept_nonempty(void)
{
	struct io_uring ring;
	struct sockaddr_in sa;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int l = t_listener(&sa), c[4], ul, i;
	struct res r;

	t_ring(&ring, 8, NULL);
	for (i = 0; i < 2; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK_EQ(connect(c[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	for (i = 0; i < 2; i++) {
		io_uring_prep_accept(sqe_ud(&ring, 1), l, NULL, NULL, SOCK_CLOEXEC);
		r = run1(&ring, 1);
		CHECK(r.res >= 0);
		CHECK_EQ(r.flags, i ? 0 : IORING_CQE_F_SOCK_NONEMPTY);
		close(r.res);
	}
	/* an abstract AF_UNIX name: nothing left in the file system */
	snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "aioring-net-%d", getpid());
	ul = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(bind(ul, (struct sockaddr *)&un, sizeof(un)), 0);
	CHECK_EQ(listen(ul, 4), 0);
	for (i = 2; i < 4; i++) {
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK_EQ(connect(c[i], (struct sockaddr *)&un, sizeof(un)), 0);
	}
	for (i = 0; i < 2; i++) {
		io_uring_prep_accept(sqe_ud(&ring, 2), ul, NULL, NULL, SOCK_CLOEXEC);
		r = run1(&ring, 2);
		CHECK(r.res >= 0);
		CHECK_EQ(r.flags, 0);
		close(r.res);
	}
	for (i = 0; i < 4; i++)
		close(c[i]);
	close(l);
	close(ul);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "socket", case_socket, 0 },
		{ "bind_listen_connect_accept", case_bind_listen_connect_accept, 0 },
		{ "send_recv", case_send_recv, 0 },
		{ "waitall", case_waitall, 0 },
		{ "partial_send", case_partial_send, 0 },
		{ "msg_udp", case_msg_udp, 0 },
		{ "poll_first_link", case_poll_first_link, 0 },
		{ "teardown_armed", case_teardown_armed, 0 },
		{ "multishot_accept", case_multishot_accept, 0 },
		{ "cancel_parked", case_cancel_parked, 0 },
		{ "direct", case_direct, 0 },
		{ "accept_nonempty", case_accept_nonempty, 0 },
		{ NULL, NULL, 0 }
	};

	return t_main(argc, argv, cases);
}
