/* SPDX-License-Identifier: MIT */
/*
 * SEND_ZC and SENDMSG_ZC: the two-CQE protocol (the result with
 * IORING_CQE_F_MORE, then the notification with IORING_CQE_F_NOTIF),
 * IORING_SEND_ZC_REPORT_USAGE, errors, and the SQE checks.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testlib.h"

static void tcp_pair(int fds[2])
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK_EQ(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(l, 4), 0);
	CHECK_EQ(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(fds[0], (struct sockaddr *)&sa, sizeof(sa)), 0);
	fds[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	CHECK(fds[1] >= 0);
	close(l);
}

/* Reaps @n CQEs of one request in order into @rec. */
static void reap(struct io_uring *ring, struct t_rec *rec, unsigned n)
{
	t_rec_init(rec);
	t_rec_reap(rec, ring, n, 5000);
}

static void case_send_zc(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct t_rec rec;
	char out[3000], in[3000];
	int p[2];
	size_t got = 0;

	tcp_pair(p);
	t_ring(&ring, 8, NULL);
	memset(out, 'z', sizeof(out));
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, p[0], out, sizeof(out), 0, 0);
	sqe->user_data = 5;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].user_data, 5);
	CHECK_EQ(rec.v[0].res, sizeof(out));
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].user_data, 5);
	CHECK_EQ(rec.v[1].res, 0);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	while (got < sizeof(in)) {
		ssize_t n = read(p[1], in + got, sizeof(in) - got);

		CHECK(n > 0);
		got += (size_t)n;
	}
	CHECK(!memcmp(in, out, sizeof(out)));
	/* REPORT_USAGE: over loopback the data is copied, and says so */
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, p[0], out, 100, 0, IORING_SEND_ZC_REPORT_USAGE);
	sqe->user_data = 6;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].res, 100);
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ((uint32_t)rec.v[1].res, IORING_NOTIF_USAGE_ZC_COPIED);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	CHECK_EQ(read(p[1], in, sizeof(in)), 100);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

static void case_sendmsg_zc_udp(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct t_rec rec;
	struct sockaddr_in b = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(b);
	char out[50], in[64];
	struct iovec iov = { out, sizeof(out) };
	struct msghdr msg = { .msg_name = &b, .msg_namelen = sizeof(b),
			      .msg_iov = &iov, .msg_iovlen = 1 };
	int u1 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int u2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK_EQ(bind(u2, (struct sockaddr *)&b, sizeof(b)), 0);
	CHECK_EQ(getsockname(u2, (struct sockaddr *)&b, &len), 0);
	memset(out, 'm', sizeof(out));
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_sendmsg_zc(sqe, u1, &msg, 0);
	sqe->user_data = 7;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].res, sizeof(out));
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].res, 0);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	CHECK_EQ(recv(u2, in, sizeof(in), 0), sizeof(out));
	CHECK(!memcmp(in, out, sizeof(out)));
	/* SENDMSG_ZC takes no addr2: refused once the notification exists,
	 * so it still follows */
	sqe = t_sqe(&ring);
	io_uring_prep_sendmsg_zc(sqe, u1, &msg, 0);
	sqe->addr2 = 1;
	sqe->user_data = 8;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].res, -EINVAL);
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].res, 0);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	close(u1);
	close(u2);
	io_uring_queue_exit(&ring);
}

/* Errors at issue still come as result (F_MORE) + notification. */
static void case_errors(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct t_rec rec;
	char buf[8] = "abc";
	int sv[2], p[2];

	t_ring(&ring, 8, NULL);
	/* not a socket that can do zero copy: AF_UNIX */
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, sv[0], buf, 3, 0, 0);
	sqe->user_data = 1;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].res, -EOPNOTSUPP);
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].res, 0);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	close(sv[0]);
	close(sv[1]);
	/* EPIPE on a TCP socket whose peer is gone for writing */
	tcp_pair(p);
	shutdown(p[0], SHUT_WR);
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, p[0], buf, 3, 0, 0);
	sqe->user_data = 2;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].res, -EPIPE);
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	close(p[0]);
	close(p[1]);
	/* a bad descriptor: found at issue, the notification follows */
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, 999, buf, 3, 0, 0);
	sqe->user_data = 3;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].res, -EBADF);
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	/* unknown flags: refused after the notification is made */
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, 0, buf, 3, 0, 1u << 7);
	sqe->user_data = 4;
	t_submit(&ring, 1);
	reap(&ring, &rec, 2);
	CHECK_EQ(rec.v[0].res, -EINVAL);
	CHECK_EQ(rec.v[0].flags, IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].flags, IORING_CQE_F_NOTIF);
	t_rec_free(&rec);
	/* addr3, CQE_SKIP_SUCCESS: refused before it: one CQE */
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, 0, buf, 3, 0, 0);
	sqe->addr3 = 1;
	sqe->user_data = 5;
	t_submit(&ring, 1);
	sqe = t_sqe(&ring);
	io_uring_prep_send_zc(sqe, 0, buf, 3, 0, 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	sqe->user_data = 6;
	t_submit(&ring, 1);
	t_prep_nop_inject(t_sqe(&ring), 0);
	t_submit(&ring, 1);
	reap(&ring, &rec, 3);
	CHECK_EQ(rec.v[0].user_data, 5);
	CHECK_EQ(rec.v[0].res, -EINVAL);
	CHECK_EQ(rec.v[0].flags, 0);
	CHECK_EQ(rec.v[1].user_data, 6);
	CHECK_EQ(rec.v[1].res, -EINVAL);
	CHECK_EQ(rec.v[1].flags, 0);
	CHECK_EQ(rec.v[2].user_data, 0);	/* the NOP: nothing else came */
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "send_zc", case_send_zc, 0 },
		{ "sendmsg_zc_udp", case_sendmsg_zc_udp, 0 },
		{ "errors", case_errors, 0 },
		{ NULL, NULL, 0 }
	};

	return t_main(argc, argv, cases);
}
