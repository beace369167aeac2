/* SPDX-License-Identifier: MIT */
/*
 * IORING_RECVSEND_BUNDLE: one RECV (single shot or multishot) filling
 * several consecutive buffers of a buffer ring, one SEND draining several,
 * one CQE each carrying the first buffer id, the ring head after, legacy
 * groups, and the kernel's errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define BGID 5

static int one(struct io_uring *ring, uint32_t *flags)
{
	struct io_uring_cqe *cqe;
	int res;

	CHECK_EQ(io_uring_submit(ring), 1);
	cqe = t_wait(ring, 5000);
	res = cqe->res;
	if (flags)
		*flags = cqe->flags;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static uint32_t bflags(unsigned bid)
{
	return IORING_CQE_F_BUFFER | (bid << IORING_CQE_BUFFER_SHIFT);
}

/* A ring of @nr buffers of @len bytes each, laid out back to back. */
static struct io_uring_buf_ring *ring_bufs(struct io_uring *ring, char *mem,
					   unsigned nr, unsigned len)
{
	struct io_uring_buf_ring *br;
	unsigned i;
	int err;

	br = io_uring_setup_buf_ring(ring, 8, BGID, 0, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	for (i = 0; i < nr; i++)
		io_uring_buf_ring_add(br, mem + i * len, len, (unsigned short)i,
				      io_uring_buf_ring_mask(8), (int)i);
	io_uring_buf_ring_advance(br, (int)nr);
	return br;
}

static uint16_t head_of(struct io_uring *ring)
{
	uint16_t head;

	CHECK_EQ(io_uring_buf_ring_head(ring, BGID, &head), 0);
	return head;
}

static int bundle(struct io_uring *ring, bool send, int fd, uint8_t sqe_flags,
		  uint32_t *flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	if (send)
		io_uring_prep_send(sqe, fd, NULL, 0, 0);
	else
		io_uring_prep_recv(sqe, fd, NULL, 0, 0);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
	sqe->flags |= sqe_flags;
	sqe->buf_group = BGID;
	return one(ring, flags);
}

/* One bundle RECV result: bytes, first buffer id, SOCK_NONEMPTY, head. */
struct step {
	int res;
	unsigned bid;
	bool nonempty;
	unsigned head;
};

struct recv_case {
	int n;			/* bytes queued */
	unsigned len;		/* the RECV's len */
	struct step steps[3];	/* until res 0 */
};

/* This kernel's results with 8 buffers of 16 bytes: an unsized receive
 * takes one buffer, then once more what is queued in whole buffers. */
static const struct recv_case recv_cases[] = {
	{ 10, 0, { { 10, 0, false, 1 } } },
	{ 17, 0, { { 16, 0, true, 1 }, { 1, 1, false, 2 } } },
	{ 18, 0, { { 18, 0, false, 2 } } },
	{ 40, 0, { { 32, 0, true, 2 }, { 8, 2, false, 3 } } },
	{ 48, 0, { { 48, 0, false, 3 } } },
	{ 100, 0, { { 96, 0, true, 6 }, { 4, 6, false, 7 } } },
	{ 200, 0, { { 128, 0, true, 8 }, { -ENOBUFS, 0, false, 8 } } },
	{ 40, 20, { { 16, 0, true, 1 }, { 16, 1, true, 2 }, { 8, 2, false, 3 } } },
	{ 40, 33, { { 32, 0, true, 2 }, { 8, 2, false, 3 } } },
};

static void recv_one(const struct recv_case *rc)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	struct io_uring_sqe *sqe;
	char *mem = calloc(8, 16), data[200];
	const struct step *st;
	uint32_t flags;
	int sv[2], i;

	t_ring(&ring, 8, NULL);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	br = ring_bufs(&ring, mem, 8, 16);
	for (i = 0; i < rc->n; i++)
		data[i] = (char)('a' + i % 26);
	CHECK_EQ(write(sv[1], data, (size_t)rc->n), rc->n);
	for (i = 0; i < 3 && rc->steps[i].res; i++) {
		st = &rc->steps[i];
		sqe = t_sqe(&ring);
		io_uring_prep_recv(sqe, sv[0], NULL, rc->len, MSG_DONTWAIT);
		sqe->ioprio |= IORING_RECVSEND_BUNDLE;
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = BGID;
		CHECK_MSG(one(&ring, &flags) == st->res, "n %d len %u step %d",
			  rc->n, rc->len, i);
		if (st->res < 0) {
			CHECK_EQ(flags, 0);
		} else {
			CHECK_EQ(flags, bflags(st->bid) |
				 (st->nonempty ? IORING_CQE_F_SOCK_NONEMPTY : 0));
		}
		CHECK_EQ(head_of(&ring), st->head);
	}
	CHECK(!memcmp(mem, data, (size_t)(rc->n < 128 ? rc->n : 128)));
	/* Nothing left: a nonblocking bundle says so and takes nothing. */
	if (rc->n < 128) {
		sqe = t_sqe(&ring);
		io_uring_prep_recv(sqe, sv[0], NULL, 0, MSG_DONTWAIT);
		sqe->ioprio |= IORING_RECVSEND_BUNDLE;
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = BGID;
		CHECK_EQ(one(&ring, &flags), -EAGAIN);
		CHECK_EQ(flags, 0);
	}
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 8, BGID), 0);
	close(sv[0]);
	close(sv[1]);
	free(mem);
	io_uring_queue_exit(&ring);
}

static void case_recv(void)
{
	size_t i;

	for (i = 0; i < sizeof(recv_cases) / sizeof(recv_cases[0]); i++)
		recv_one(&recv_cases[i]);
}

/* A bundle RECV that waits for data, then fills several buffers. */
static void case_recv_wait(void)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	char *mem = calloc(8, 16), data[64];
	int sv[2];

	t_ring(&ring, 8, NULL);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	br = ring_bufs(&ring, mem, 8, 16);
	memset(data, 'q', sizeof(data));
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, sv[0], NULL, 0, 0);
	sqe->ioprio = IORING_RECVSEND_BUNDLE;
	sqe->flags = IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	CHECK_EQ(io_uring_submit(&ring), 1);
	usleep(20000);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	CHECK_EQ(head_of(&ring), 0);	/* a parked bundle holds nothing */
	CHECK_EQ(write(sv[1], data, 48), 48);
	cqe = t_wait(&ring, 5000);
	/* It wakes with all 48 queued: one buffer, then the rest. */
	CHECK_EQ(cqe->res, 48);
	CHECK_EQ(cqe->flags, bflags(0));
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(head_of(&ring), 3);
	CHECK(!memcmp(mem, data, 48));
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 8, BGID), 0);
	close(sv[0]);
	close(sv[1]);
	free(mem);
	io_uring_queue_exit(&ring);
}

/* Multishot: each burst of data is one bundle CQE with F_MORE; the
 * bundle that empties the ring ends the request. */
static void mshot_expect(struct io_uring *ring, int res, unsigned bid,
			 uint32_t more)
{
	struct io_uring_cqe *cqe = t_wait(ring, 5000);

	CHECK_EQ(cqe->res, res);
	CHECK_EQ(cqe->flags, bflags(bid) | more);
	io_uring_cqe_seen(ring, cqe);
}

static void case_recv_multishot(void)
{
	const uint32_t more = IORING_CQE_F_MORE;
	const uint32_t ne = IORING_CQE_F_SOCK_NONEMPTY;
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char *mem = calloc(8, 16), data[200];
	int sv[2];

	t_ring(&ring, 8, NULL);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	br = ring_bufs(&ring, mem, 8, 16);
	memset(data, 'm', sizeof(data));
	CHECK_EQ(write(sv[1], data, 40), 40);
	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[0], NULL, 0, 0);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	CHECK_EQ(io_uring_submit(&ring), 1);
	mshot_expect(&ring, 32, 0, more | ne);
	mshot_expect(&ring, 8, 2, more);
	CHECK_EQ(head_of(&ring), 3);
	usleep(20000);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	/* 5 buffers left for 100 bytes: the last bundle drains the ring. */
	CHECK_EQ(write(sv[1], data, 100), 100);
	mshot_expect(&ring, 80, 3, ne);
	CHECK_EQ(head_of(&ring), 8);
	usleep(20000);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 8, BGID), 0);
	close(sv[0]);
	close(sv[1]);
	free(mem);
	io_uring_queue_exit(&ring);
}

static void case_send(void)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	char mem[16] = "aaaabbbbbbcc", got[32];
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	uint32_t flags;
	int sv[2], err;

	t_ring(&ring, 8, NULL);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	br = io_uring_setup_buf_ring(&ring, 8, BGID, 0, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	io_uring_buf_ring_add(br, mem, 4, 0, io_uring_buf_ring_mask(8), 0);
	io_uring_buf_ring_add(br, mem + 4, 6, 1, io_uring_buf_ring_mask(8), 1);
	io_uring_buf_ring_add(br, mem + 10, 2, 2, io_uring_buf_ring_mask(8), 2);
	io_uring_buf_ring_advance(br, 3);
	CHECK_EQ(bundle(&ring, true, sv[0], IOSQE_BUFFER_SELECT, &flags), 12);
	CHECK_EQ(flags, bflags(0));
	CHECK_EQ(head_of(&ring), 3);
	CHECK_EQ(read(sv[1], got, sizeof(got)), 12);
	CHECK(!memcmp(got, "aaaabbbbbbcc", 12));
	CHECK_EQ(bundle(&ring, true, sv[0], IOSQE_BUFFER_SELECT, &flags),
		 -ENOBUFS);
	/* Without a bundle: one buffer. */
	io_uring_buf_ring_add(br, mem, 4, 3, io_uring_buf_ring_mask(8), 0);
	io_uring_buf_ring_add(br, mem + 4, 6, 4, io_uring_buf_ring_mask(8), 1);
	io_uring_buf_ring_advance(br, 2);
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, sv[0], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	CHECK_EQ(one(&ring, &flags), 4);
	CHECK_EQ(flags, bflags(3));
	CHECK_EQ(head_of(&ring), 4);
	CHECK_EQ(read(sv[1], got, sizeof(got)), 4);
	/* A sized bundle: len 8 over buffers of 6 and 4. */
	io_uring_buf_ring_add(br, mem, 4, 5, io_uring_buf_ring_mask(8), 0);
	io_uring_buf_ring_advance(br, 1);
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, sv[0], NULL, 8, 0);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	/* 6 fit, the next 4 would not: sent alone, with F_MORE as the group
	 * has more; then the rest. */
	CHECK_EQ(one(&ring, &flags), 6);
	CHECK_EQ(flags, bflags(4) | IORING_CQE_F_MORE);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 4);
	CHECK_EQ(cqe->flags, bflags(5));
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(head_of(&ring), 6);
	CHECK_EQ(read(sv[1], got, sizeof(got)), 10);
	CHECK(!memcmp(got, "bbbbbbaaaa", 10));
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 8, BGID), 0);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

static void case_errors(void)
{
	struct io_uring ring;
	char mem[64], got[64];
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct msghdr msg;
	uint32_t flags;
	int sv[2], i;

	t_ring(&ring, 8, NULL);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_EQ(write(sv[1], "xyz", 3), 3);
	/* Without a buffer group the flag changes nothing: len 0 moves 0. */
	CHECK_EQ(bundle(&ring, false, sv[0], 0, &flags), 0);
	CHECK_EQ(bundle(&ring, true, sv[0], 0, &flags), 0);
	/* RECVMSG and SENDMSG take no bundle. */
	memset(&msg, 0, sizeof(msg));
	sqe = t_sqe(&ring);
	io_uring_prep_recvmsg(sqe, sv[0], &msg, 0);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	CHECK_EQ(one(&ring, NULL), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_sendmsg(sqe, sv[0], &msg, 0);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
	CHECK_EQ(one(&ring, NULL), -EINVAL);
	/* No group at all: a bundle says -ENOENT. */
	CHECK_EQ(bundle(&ring, true, sv[0], IOSQE_BUFFER_SELECT, &flags),
		 -ENOENT);
	CHECK_EQ(bundle(&ring, false, sv[0], IOSQE_BUFFER_SELECT, &flags),
		 -ENOENT);
	/* A legacy group: a bundle RECV takes one buffer. */
	io_uring_prep_provide_buffers(t_sqe(&ring), mem, 16, 4, BGID, 0);
	CHECK_EQ(one(&ring, NULL), 0);
	CHECK_EQ(bundle(&ring, false, sv[0], IOSQE_BUFFER_SELECT, &flags), 3);
	CHECK_EQ(flags, bflags(0));
	/* A bundle SEND sends one buffer at a time, with F_MORE while the
	 * group has more, then a last CQE. */
	memset(mem, 's', sizeof(mem));
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, sv[0], NULL, 0, 0);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	CHECK_EQ(io_uring_submit(&ring), 1);
	for (i = 1; i <= 3; i++) {
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->res, 16);
		CHECK_EQ(cqe->flags, bflags((unsigned)i) |
			 (i < 3 ? IORING_CQE_F_MORE : 0));
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	CHECK_EQ(read(sv[1], got, sizeof(got)), 48);
	/* With provided buffers IORING_SEND_VECTORIZED changes nothing:
	 * the group is empty now. */
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, sv[0], NULL, 0, 0);
	sqe->ioprio |= IORING_SEND_VECTORIZED;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	CHECK_EQ(one(&ring, NULL), -ENOBUFS);
	close(sv[0]);
	close(sv[1]);
	io_uring_queue_exit(&ring);
}

static void case_feature(void)
{
	struct io_uring_params p;
	struct io_uring ring;

	memset(&p, 0, sizeof(p));
	t_ring(&ring, 4, &p);
	CHECK(p.features & IORING_FEAT_RECVSEND_BUNDLE);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "recv", case_recv, 0 },
		{ "recv_wait", case_recv_wait, 0 },
		{ "recv_multishot", case_recv_multishot, 0 },
		{ "send", case_send, 0 },
		{ "errors", case_errors, 0 },
		{ "feature", case_feature, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
