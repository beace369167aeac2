/* SPDX-License-Identifier: MIT */
/*
 * CQ overflow (FEAT_NODROP): CQEs that do not fit wait on a list, flagged
 * by IORING_SQ_CQ_OVERFLOW; they are flushed in order as space frees, and
 * none is dropped (koverflow stays 0).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

static void submit_nops(struct io_uring *ring, unsigned n, unsigned *next_ud)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = t_sqe(ring);

		/* The injected result ties each CQE to its SQE. */
		t_prep_nop_inject(sqe, (int)*next_ud * 3);
		sqe->user_data = (*next_ud)++;
	}
	t_submit(ring, (int)n);
}

/* Reaps with peek, which flushes the overflow list as the ring empties;
 * checks the user_data sequence. */
static void reap_in_order(struct io_uring *ring, unsigned first, unsigned n)
{
	struct io_uring_cqe *cqe;
	unsigned i;

	for (i = 0; i < n; i++) {
		CHECK_MSG(!io_uring_peek_cqe(ring, &cqe), "CQE %u of %u missing",
			  i + 1, n);
		CHECK_EQ(cqe->user_data, first + i);
		CHECK_EQ(cqe->res, (int)(first + i) * 3);
		io_uring_cqe_seen(ring, cqe);
	}
	CHECK_EQ(io_uring_peek_cqe(ring, &cqe), -EAGAIN);
}

static void case_nodrop_order(void)
{
	struct io_uring_params p;
	struct io_uring ring;
	unsigned ud = 1;

	memset(&p, 0, sizeof(p));
	t_ring(&ring, 4, &p);
	CHECK(p.features & IORING_FEAT_NODROP);
	submit_nops(&ring, 4, &ud);
	submit_nops(&ring, 4, &ud);
	CHECK_EQ(io_uring_cq_ready(&ring), 8);
	CHECK(!io_uring_cq_has_overflow(&ring));
	/* Submitting goes on while the CQ is full (no -EBUSY). */
	submit_nops(&ring, 4, &ud);
	submit_nops(&ring, 4, &ud);
	submit_nops(&ring, 4, &ud);
	CHECK_EQ(io_uring_cq_ready(&ring), 8);
	CHECK(io_uring_cq_has_overflow(&ring));
	CHECK(*ring.sq.kflags & IORING_SQ_CQ_OVERFLOW);
	CHECK_EQ(*ring.cq.koverflow, 0);
	reap_in_order(&ring, 1, 20);
	CHECK(!io_uring_cq_has_overflow(&ring));
	CHECK_EQ(*ring.cq.koverflow, 0);
	io_uring_queue_exit(&ring);
}

/* GETEVENTS moves as many overflowed CQEs as fit, in order, and clears the
 * flag once the list is empty. */
static void case_flush_steps(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned ud = 1, i;

	t_ring(&ring, 4, NULL);
	for (i = 0; i < 5; i++)
		submit_nops(&ring, 4, &ud);
	CHECK(io_uring_cq_has_overflow(&ring));
	/* A full CQ: nothing can move. */
	CHECK_EQ(io_uring_get_events(&ring), 0);
	CHECK_EQ(io_uring_cq_ready(&ring), 8);
	/* Free 3 slots: exactly 3 move over. */
	for (i = 1; i <= 3; i++) {
		CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), 0);
		CHECK_EQ(cqe->user_data, i);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK_EQ(io_uring_get_events(&ring), 0);
	CHECK_EQ(io_uring_cq_ready(&ring), 8);
	CHECK(io_uring_cq_has_overflow(&ring));
	/* Free all 8: the last 9 minus 8 leaves one on the list. */
	io_uring_cq_advance(&ring, 8);
	CHECK_EQ(io_uring_get_events(&ring), 0);
	CHECK_EQ(io_uring_cq_ready(&ring), 8);
	CHECK(io_uring_cq_has_overflow(&ring));
	io_uring_cq_advance(&ring, 8);
	CHECK_EQ(io_uring_get_events(&ring), 0);
	CHECK_EQ(io_uring_cq_ready(&ring), 1);
	CHECK(!io_uring_cq_has_overflow(&ring));
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), 0);
	CHECK_EQ(cqe->user_data, 20);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(*ring.cq.koverflow, 0);
	io_uring_queue_exit(&ring);
}

/* Background completions (pipe reads) overflow too, and none is lost. */
static void case_background(void)
{
	enum { N = 24 };
	struct io_uring ring;
	static char bufs[N][8];
	struct t_rec rec;
	int pipes[N][2];
	unsigned i;

	t_ring(&ring, 4, NULL);
	for (i = 0; i < N; i++) {
		struct io_uring_sqe *sqe;

		CHECK_EQ(pipe(pipes[i]), 0);
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, pipes[i][0], bufs[i], sizeof(bufs[i]), 0);
		sqe->user_data = 100 + i;
		if (i % 4 == 3)
			t_submit(&ring, 4);
	}
	for (i = 0; i < N; i++)
		CHECK_EQ(write(pipes[i][1], "hello", 1 + i % 5), (ssize_t)(1 + i % 5));
	/* Let them all complete into a CQ of 8 before reaping any. */
	usleep(200000);
	CHECK_EQ(io_uring_cq_ready(&ring), 8);
	CHECK(io_uring_cq_has_overflow(&ring));
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, N, 5000);
	for (i = 0; i < N; i++) {
		const struct t_cqe *c = t_rec_find(&rec, 100 + i);

		CHECK_MSG(c, "no CQE for read %u", i);
		CHECK_EQ(c->res, (int)(1 + i % 5));
		CHECK(!memcmp(bufs[i], "hello", 1 + i % 5));
	}
	CHECK_EQ(*ring.cq.koverflow, 0);
	CHECK(!io_uring_cq_has_overflow(&ring));
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

/* A CQ as small as the SQ (CQSIZE): one batch fills it, the next waits. */
static void case_cqsize_equal(void)
{
	struct io_uring_params p;
	struct io_uring ring;
	unsigned ud = 1;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 4;
	t_ring(&ring, 4, &p);
	submit_nops(&ring, 4, &ud);
	CHECK(!io_uring_cq_has_overflow(&ring));
	submit_nops(&ring, 1, &ud);
	CHECK(io_uring_cq_has_overflow(&ring));
	reap_in_order(&ring, 1, 5);
	io_uring_queue_exit(&ring);
}

/* One pattern of batches and partial reaps; returns the CQE sequence. */
static void overflow_pattern(int backend, struct t_rec *seq)
{
	static const unsigned batch[] = { 4, 4, 3, 4, 1, 4, 4, 2, 4, 4, 4 };
	static const unsigned reap[] = { 0, 1, 0, 5, 0, 2, 0, 9, 0, 1, 3 };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned ud = 1, i, j, total = 0;

	CHECK_EQ(t_ring_try(&ring, 4, NULL, backend), 0);
	for (i = 0; i < sizeof(batch) / sizeof(batch[0]); i++) {
		submit_nops(&ring, batch[i], &ud);
		total += batch[i];
		for (j = 0; j < reap[i] && !io_uring_peek_cqe(&ring, &cqe); j++) {
			t_rec_add(seq, cqe->user_data, cqe->res, cqe->flags);
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	t_rec_add(seq, 0, (int)io_uring_cq_ready(&ring), io_uring_cq_has_overflow(&ring));
	t_rec_reap(seq, &ring, total - (seq->n - 1), 5000);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	io_uring_queue_exit(&ring);
}

/* The exact sequence, not just the set, must match the kernel's. */
static void case_diff_sequence(void)
{
	struct t_rec k, u;
	unsigned i;

	t_rec_init(&k);
	t_rec_init(&u);
	overflow_pattern(AIORING_BACKEND_KERNEL, &k);
	overflow_pattern(AIORING_BACKEND_USER, &u);
	CHECK_EQ(k.n, u.n);
	for (i = 0; i < k.n; i++)
		CHECK_MSG(k.v[i].user_data == u.v[i].user_data &&
			  k.v[i].res == u.v[i].res && k.v[i].flags == u.v[i].flags,
			  "CQE #%u: kernel {%llu, %d, %#x} user {%llu, %d, %#x}", i,
			  (unsigned long long)k.v[i].user_data, k.v[i].res, k.v[i].flags,
			  (unsigned long long)u.v[i].user_data, u.v[i].res, u.v[i].flags);
	t_rec_free(&k);
	t_rec_free(&u);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "nodrop_order", case_nodrop_order, 0 },
		{ "flush_steps", case_flush_steps, 0 },
		{ "background", case_background, 0 },
		{ "cqsize_equal", case_cqsize_equal, 0 },
		{ "diff_sequence", case_diff_sequence, T_DIFF },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
