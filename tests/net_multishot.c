/* SPDX-License-Identifier: MIT */
/*
 * Receives into provided buffers: RECV with IOSQE_BUFFER_SELECT (a legacy
 * group and a buffer ring), multishot RECV (IORING_CQE_F_MORE per buffer,
 * a last CQE without it at end of file, on -ENOBUFS and at the byte limit),
 * multishot RECVMSG and its io_uring_recvmsg_out layout, and the SQE checks.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testlib.h"

#define BGID	7
#define NBUFS	8
#define BUFSZ	64

struct bufs {
	struct io_uring_buf_ring *br;
	char mem[NBUFS][BUFSZ];
};

static void setup_ring_bufs(struct io_uring *ring, struct bufs *b, unsigned n)
{
	int ret, i;

	b->br = io_uring_setup_buf_ring(ring, NBUFS, BGID, 0, &ret);
	CHECK_MSG(b->br, "setup_buf_ring: %d", ret);
	for (i = 0; i < (int)n; i++)
		io_uring_buf_ring_add(b->br, b->mem[i], BUFSZ, (unsigned short)i,
				      io_uring_buf_ring_mask(NBUFS), i);
	io_uring_buf_ring_advance(b->br, (int)n);
}

static void sockpair(int sv[2])
{
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static struct io_uring_cqe *wait1(struct io_uring *ring, uint64_t ud)
{
	struct io_uring_cqe *cqe = t_wait(ring, 5000);

	CHECK_EQ(cqe->user_data, ud);
	return cqe;
}

/* Submits, reaps the one CQE (of @ud) and returns its res. */
static int res1(struct io_uring *ring, uint64_t ud)
{
	struct io_uring_cqe *cqe;
	int res;

	t_submit(ring, 1);
	cqe = wait1(ring, ud);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void case_recv_ring_multishot(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	static struct bufs b;
	int sv[2], i, bid;
	char msg[16];

	t_ring(&ring, 8, NULL);
	setup_ring_bufs(&ring, &b, NBUFS);
	sockpair(sv);
	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[1], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	for (i = 0; i < 3; i++) {
		memset(msg, 'a' + i, sizeof(msg));
		CHECK_EQ(write(sv[0], msg, 10 + i), 10 + i);
		cqe = wait1(&ring, 1);
		CHECK_EQ(cqe->res, 10 + i);
		CHECK(cqe->flags & IORING_CQE_F_MORE);
		CHECK(cqe->flags & IORING_CQE_F_BUFFER);
		bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		CHECK_EQ(bid, i);		/* taken in ring order */
		CHECK(!memcmp(b.mem[bid], msg, 10 + i));
		io_uring_cqe_seen(&ring, cqe);
	}
	/* the end of the stream ends it: res 0, no F_MORE, no buffer */
	shutdown(sv[0], SHUT_WR);
	cqe = wait1(&ring, 1);
	CHECK_EQ(cqe->res, 0);
	CHECK_EQ(cqe->flags, 0);
	io_uring_cqe_seen(&ring, cqe);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

/* Two buffers for three messages: the third finds none. */
static void case_recv_enobufs(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	static struct bufs b;
	int sv[2], i;

	t_ring(&ring, 8, NULL);
	setup_ring_bufs(&ring, &b, 2);
	sockpair(sv);
	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[1], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(write(sv[0], "xyz", 3), 3);
		cqe = wait1(&ring, 2);
		CHECK_EQ(cqe->res, 3);
		CHECK(cqe->flags & IORING_CQE_F_MORE);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK_EQ(write(sv[0], "xyz", 3), 3);
	cqe = wait1(&ring, 2);
	CHECK_EQ(cqe->res, -ENOBUFS);
	CHECK_EQ(cqe->flags, 0);
	io_uring_cqe_seen(&ring, cqe);
	/* the data is still there for the next receive */
	char in[8];
	CHECK_EQ(read(sv[1], in, sizeof(in)), 3);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

/* A legacy group (PROVIDE_BUFFERS) and a single-shot RECV; sqe->len caps
 * the bytes taken into the buffer. */
static void case_recv_legacy(void)
{
	static char mem[2][BUFSZ];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int sv[2];

	t_ring(&ring, 8, NULL);
	sockpair(sv);
	sqe = t_sqe(&ring);
	io_uring_prep_provide_buffers(sqe, mem, BUFSZ, 2, 3, 10);
	sqe->user_data = 9;
	CHECK_EQ(res1(&ring, 9), 0);
	CHECK_EQ(write(sv[0], "0123456789", 10), 10);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, sv[1], NULL, 4, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = 3;
	sqe->user_data = 3;
	t_submit(&ring, 1);
	cqe = wait1(&ring, 3);
	CHECK_EQ(cqe->res, 4);
	CHECK(cqe->flags & IORING_CQE_F_BUFFER);
	CHECK_EQ(cqe->flags >> IORING_CQE_BUFFER_SHIFT, 10);
	CHECK(!memcmp(mem[0], "0123", 4));
	io_uring_cqe_seen(&ring, cqe);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

static void case_recvmsg_multishot(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	static struct bufs b;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in bb = a, *from;
	socklen_t len = sizeof(a);
	struct msghdr msg = { .msg_namelen = sizeof(struct sockaddr_in) };
	struct io_uring_recvmsg_out *out;
	int u1 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int u2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int i;

	CHECK_EQ(bind(u1, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_EQ(bind(u2, (struct sockaddr *)&bb, sizeof(bb)), 0);
	CHECK_EQ(getsockname(u1, (struct sockaddr *)&a, &len), 0);
	CHECK_EQ(getsockname(u2, (struct sockaddr *)&bb, &len), 0);
	t_ring(&ring, 8, NULL);
	setup_ring_bufs(&ring, &b, NBUFS);
	sqe = t_sqe(&ring);
	io_uring_prep_recvmsg_multishot(sqe, u2, &msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe->user_data = 4;
	CHECK_EQ(io_uring_submit(&ring), 1);
	for (i = 0; i < 3; i++) {
		char payload[8];

		memset(payload, 'A' + i, sizeof(payload));
		CHECK_EQ(sendto(u1, payload, 5 + i, 0, (struct sockaddr *)&bb,
				sizeof(bb)), 5 + i);
		cqe = wait1(&ring, 4);
		CHECK(cqe->flags & IORING_CQE_F_MORE);
		CHECK(cqe->flags & IORING_CQE_F_BUFFER);
		CHECK_EQ(cqe->res, (int)(sizeof(*out) + sizeof(struct sockaddr_in)) + 5 + i);
		out = io_uring_recvmsg_validate(b.mem[cqe->flags >> IORING_CQE_BUFFER_SHIFT],
						cqe->res, &msg);
		CHECK(out);
		CHECK_EQ(out->payloadlen, 5 + i);
		CHECK_EQ(out->namelen, sizeof(struct sockaddr_in));
		CHECK_EQ(out->controllen, 0);
		CHECK_EQ(out->flags, 0);
		from = io_uring_recvmsg_name(out);
		CHECK_EQ(from->sin_port, a.sin_port);
		CHECK(!memcmp(io_uring_recvmsg_payload(out, &msg), payload, 5 + i));
		io_uring_cqe_seen(&ring, cqe);
	}
	close(u1);
	close(u2);
	io_uring_queue_exit(&ring);
}

/* sqe->len caps each buffer, sqe->optlen the total (IORING_RECV_MSHOT_LIM):
 * the receive that reaches it is the last, even past it; more data is
 * waiting behind each (an AF_UNIX stream reports it, as TCP does). */
static void case_recv_limit(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	static struct bufs b;
	struct t_rec rec;
	char left[32];
	int sv[2], i;

	t_ring(&ring, 8, NULL);
	setup_ring_bufs(&ring, &b, NBUFS);
	sockpair(sv);
	CHECK_EQ(write(sv[0], "0123456789abcdefghij", 20), 20);
	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[1], NULL, 4, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe->optlen = 10;
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 3, 5000);
	for (i = 0; i < 3; i++) {
		uint32_t more = i < 2 ? IORING_CQE_F_MORE : 0;

		CHECK_EQ(rec.v[i].res, 4);
		CHECK_EQ(rec.v[i].flags, IORING_CQE_F_BUFFER | more |
			 IORING_CQE_F_SOCK_NONEMPTY | (uint32_t)i << IORING_CQE_BUFFER_SHIFT);
	}
	t_rec_free(&rec);
	CHECK(!memcmp(b.mem[2], "89ab", 4));
	CHECK_EQ(read(sv[1], left, sizeof(left)), 8);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

static void case_prep_checks(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct msghdr msg = { 0 };
	char buf[8];
	int sv[2];

	t_ring(&ring, 8, NULL);
	sockpair(sv);
	/* multishot needs provided buffers, and refuses MSG_WAITALL */
	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[1], buf, sizeof(buf), 0);
	sqe->user_data = 1;
	CHECK_EQ(res1(&ring, 1), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[1], NULL, 0, MSG_WAITALL);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->user_data = 2;
	CHECK_EQ(res1(&ring, 2), -EINVAL);
	/* a byte limit is for RECV only */
	sqe = t_sqe(&ring);
	io_uring_prep_recvmsg_multishot(sqe, sv[1], &msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->optlen = 10;
	sqe->user_data = 3;
	CHECK_EQ(res1(&ring, 3), -EINVAL);
	/* an empty group: -ENOBUFS once data is there */
	CHECK_EQ(write(sv[0], "x", 1), 1);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, sv[1], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = 99;
	sqe->user_data = 4;
	CHECK_EQ(res1(&ring, 4), -ENOBUFS);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

/* READ_MULTISHOT on a pipe: one CQE per buffer filled; the end of the
 * pipe ends it. */
static void case_read_multishot_pipe(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	static struct bufs b;
	int pfd[2], bid;

	t_ring(&ring, 8, NULL);
	setup_ring_bufs(&ring, &b, NBUFS);
	CHECK_EQ(pipe(pfd), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read_multishot(sqe, pfd[0], 0, 0, BGID);
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	CHECK_EQ(write(pfd[1], "hello", 5), 5);
	cqe = wait1(&ring, 1);
	CHECK_EQ(cqe->res, 5);
	CHECK(cqe->flags & IORING_CQE_F_MORE);
	CHECK(cqe->flags & IORING_CQE_F_BUFFER);
	bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	CHECK(!memcmp(b.mem[bid], "hello", 5));
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(write(pfd[1], "world!", 6), 6);
	cqe = wait1(&ring, 1);
	CHECK_EQ(cqe->res, 6);
	CHECK(cqe->flags & IORING_CQE_F_MORE);
	io_uring_cqe_seen(&ring, cqe);
	close(pfd[1]);
	cqe = wait1(&ring, 1);
	CHECK_EQ(cqe->res, 0);
	CHECK_EQ(cqe->flags, 0);
	io_uring_cqe_seen(&ring, cqe);
	close(pfd[0]);
	/* data queued before the end: one buffer, then the end */
	CHECK_EQ(pipe(pfd), 0);
	CHECK_EQ(write(pfd[1], "abcdefghij", 10), 10);
	close(pfd[1]);
	sqe = t_sqe(&ring);
	io_uring_prep_read_multishot(sqe, pfd[0], 0, 0, BGID);
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	struct t_rec rec;
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 5000);
	CHECK_EQ(rec.v[0].res, 10);
	CHECK(rec.v[0].flags & IORING_CQE_F_MORE);
	CHECK_EQ(rec.v[1].res, 0);
	CHECK_EQ(rec.v[1].flags, 0);
	t_rec_free(&rec);
	close(pfd[0]);
	io_uring_queue_exit(&ring);
}

static void case_read_multishot_checks(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	static struct bufs b;
	int pfd[2], file = t_tmpfd();

	t_ring(&ring, 8, NULL);
	setup_ring_bufs(&ring, &b, NBUFS);
	CHECK_EQ(pipe(pfd), 0);
	/* provided buffers are a must */
	sqe = t_sqe(&ring);
	io_uring_prep_read_multishot(sqe, pfd[0], 0, 0, BGID);
	sqe->flags &= (__u8)~IOSQE_BUFFER_SELECT;
	sqe->user_data = 1;
	CHECK_EQ(res1(&ring, 1), -EINVAL);
	/* a buffer address is not */
	sqe = t_sqe(&ring);
	io_uring_prep_read_multishot(sqe, pfd[0], 0, 0, BGID);
	sqe->addr = 64;
	sqe->user_data = 2;
	CHECK_EQ(res1(&ring, 2), -EINVAL);
	/* nor a length */
	sqe = t_sqe(&ring);
	io_uring_prep_read_multishot(sqe, pfd[0], 4, 0, BGID);
	sqe->user_data = 5;
	CHECK_EQ(res1(&ring, 5), -EINVAL);
	/* a file that cannot be polled */
	CHECK_EQ(write(file, "data", 4), 4);
	sqe = t_sqe(&ring);
	io_uring_prep_read_multishot(sqe, file, 0, 0, BGID);
	sqe->user_data = 3;
	CHECK_EQ(res1(&ring, 3), -EBADFD);
	sqe = t_sqe(&ring);
	io_uring_prep_read_multishot(sqe, 999, 0, 0, BGID);
	sqe->user_data = 4;
	CHECK_EQ(res1(&ring, 4), -EBADF);
	close(file);
	close(pfd[0]);
	close(pfd[1]);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "recv_ring_multishot", case_recv_ring_multishot, 0 },
		{ "recv_enobufs", case_recv_enobufs, 0 },
		{ "recv_legacy", case_recv_legacy, 0 },
		{ "recvmsg_multishot", case_recvmsg_multishot, 0 },
		{ "recv_limit", case_recv_limit, 0 },
		{ "prep_checks", case_prep_checks, 0 },
		{ "read_multishot_pipe", case_read_multishot_pipe, 0 },
		{ "read_multishot_checks", case_read_multishot_checks, 0 },
		{ NULL, NULL, 0 }
	};

	return t_main(argc, argv, cases);
}
