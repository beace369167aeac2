/* SPDX-License-Identifier: MIT */
/*
 * io_uring_setup: entry validation, rounding, CQ sizing, flags, features
 * and the ring offsets, on each backend; then the same matrix on both
 * backends side by side.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

#define MAX_ENTRIES 32768u
#define MAX_CQ_ENTRIES (2 * MAX_ENTRIES)

/* What the engine promises; the kernel has these and more. */
#define BASE_FEATURES (IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | \
		       IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_RW_CUR_POS | \
		       IORING_FEAT_EXT_ARG)

/* Sets up a ring with @flags (and @cq for CQSIZE); returns the result and
 * the params the backend filled in. The ring is torn down again. */
static int try_setup(int backend, unsigned entries, unsigned flags,
		     unsigned cq, struct io_uring_params *out)
{
	struct io_uring ring;
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.cq_entries = cq;
	ret = t_ring_try(&ring, entries, &p, backend);
	if (!ret)
		io_uring_queue_exit(&ring);
	if (out)
		*out = p;
	return ret;
}

static void case_entries_invalid(void)
{
	struct io_uring_params p;

	CHECK_EQ(try_setup(t_backend, 0, 0, 0, NULL), -EINVAL);
	CHECK_EQ(try_setup(t_backend, MAX_ENTRIES + 1, 0, 0, NULL), -EINVAL);
	CHECK_EQ(try_setup(t_backend, ~0u, 0, 0, NULL), -EINVAL);
	/* CLAMP turns "too many" into the maximum instead. */
	CHECK_EQ(try_setup(t_backend, MAX_ENTRIES + 1, IORING_SETUP_CLAMP, 0, &p), 0);
	CHECK_EQ(p.sq_entries, MAX_ENTRIES);
	CHECK_EQ(p.cq_entries, 2 * MAX_ENTRIES);
	/* ...but zero stays invalid. */
	CHECK_EQ(try_setup(t_backend, 0, IORING_SETUP_CLAMP, 0, NULL), -EINVAL);
}

static void case_rounding(void)
{
	static const unsigned in[] = { 1, 2, 3, 5, 8, 100, 1000, 4097, MAX_ENTRIES };
	static const unsigned want[] = { 1, 2, 4, 8, 8, 128, 1024, 8192, MAX_ENTRIES };
	struct io_uring ring;
	unsigned i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		t_ring(&ring, in[i], NULL);
		CHECK_EQ(ring.sq.ring_entries, want[i]);
		CHECK_EQ(*ring.sq.kring_entries, want[i]);
		CHECK_EQ(*ring.sq.kring_mask, want[i] - 1);
		CHECK_EQ(ring.cq.ring_entries, 2 * want[i]);
		CHECK_EQ(*ring.cq.kring_entries, 2 * want[i]);
		CHECK_EQ(*ring.cq.kring_mask, 2 * want[i] - 1);
		io_uring_queue_exit(&ring);
	}
}

static void case_cqsize(void)
{
	struct io_uring_params p;

	CHECK_EQ(try_setup(t_backend, 4, IORING_SETUP_CQSIZE, 5, &p), 0);
	CHECK_EQ(p.sq_entries, 4);
	CHECK_EQ(p.cq_entries, 8);
	CHECK_EQ(try_setup(t_backend, 4, IORING_SETUP_CQSIZE, 4, &p), 0);
	CHECK_EQ(p.cq_entries, 4);
	CHECK_EQ(try_setup(t_backend, 8, IORING_SETUP_CQSIZE, 1000, &p), 0);
	CHECK_EQ(p.cq_entries, 1024);
	/* The CQ may not be smaller than the SQ, nor empty. */
	CHECK_EQ(try_setup(t_backend, 8, IORING_SETUP_CQSIZE, 4, NULL), -EINVAL);
	CHECK_EQ(try_setup(t_backend, 8, IORING_SETUP_CQSIZE, 0, NULL), -EINVAL);
	/* 5 rounds up to 8, which is not smaller than 8. */
	CHECK_EQ(try_setup(t_backend, 8, IORING_SETUP_CQSIZE, 5, &p), 0);
	CHECK_EQ(p.cq_entries, 8);
	CHECK_EQ(try_setup(t_backend, 4, IORING_SETUP_CQSIZE, MAX_CQ_ENTRIES + 1,
			   NULL), -EINVAL);
	CHECK_EQ(try_setup(t_backend, 4, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
			   MAX_CQ_ENTRIES + 1, &p), 0);
	CHECK_EQ(p.cq_entries, MAX_CQ_ENTRIES);
	/* Without CQSIZE the cq_entries passed in are ignored. */
	CHECK_EQ(try_setup(t_backend, 4, 0, 1, &p), 0);
	CHECK_EQ(p.cq_entries, 8);
}

static void case_bad_params(void)
{
	struct io_uring ring;
	struct io_uring_params p;
	unsigned i;

	CHECK_EQ(try_setup(t_backend, 4, 1u << 31, 0, NULL), -EINVAL);
	CHECK_EQ(try_setup(t_backend, 4, 1u << 25, 0, NULL), -EINVAL);
	for (i = 0; i < 3; i++) {
		memset(&p, 0, sizeof(p));
		p.resv[i] = 1;
		CHECK_EQ(t_ring_try(&ring, 4, &p, t_backend), -EINVAL);
	}
}

static void case_features(void)
{
	struct io_uring ring;
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	t_ring(&ring, 4, &p);
	CHECK_MSG((p.features & BASE_FEATURES) == BASE_FEATURES,
		  "features %#x lack %#x", p.features,
		  BASE_FEATURES & ~p.features);
	CHECK_EQ(ring.features, p.features);
	io_uring_queue_exit(&ring);
}

/* Each k* pointer is computed from the offsets: check the values behind
 * them, and that the regions do not overlap. */
static void check_ring_memory(struct io_uring *ring, const struct io_uring_params *p)
{
	CHECK_EQ(*ring->sq.khead, 0);
	CHECK_EQ(*ring->sq.ktail, 0);
	CHECK_EQ(*ring->sq.kring_entries, p->sq_entries);
	CHECK_EQ(*ring->sq.kring_mask, p->sq_entries - 1);
	CHECK_EQ(*ring->sq.kflags, 0);
	CHECK_EQ(*ring->sq.kdropped, 0);
	CHECK_EQ(*ring->cq.khead, 0);
	CHECK_EQ(*ring->cq.ktail, 0);
	CHECK_EQ(*ring->cq.kring_entries, p->cq_entries);
	CHECK_EQ(*ring->cq.kring_mask, p->cq_entries - 1);
	CHECK_EQ(*ring->cq.koverflow, 0);
	CHECK_EQ(p->cq_off.cqes % sizeof(struct io_uring_cqe), 0);
	CHECK(p->sq_off.head != p->sq_off.tail);
	CHECK(p->cq_off.head != p->cq_off.tail);
	CHECK(p->sq_off.flags != p->cq_off.flags);
}

static void case_offsets(void)
{
	struct io_uring ring;
	struct io_uring_params p;
	unsigned i;

	memset(&p, 0, sizeof(p));
	t_ring(&ring, 16, &p);
	check_ring_memory(&ring, &p);
	CHECK(p.sq_off.array != 0);
	CHECK_EQ(p.sq_off.array % sizeof(unsigned), 0);
	/* The SQ array lies past the CQEs, inside the ring mapping. */
	CHECK(p.sq_off.array >= p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe));
	CHECK(p.sq_off.array + p.sq_entries * sizeof(unsigned) <= ring.sq.ring_sz ||
	      p.sq_off.array + p.sq_entries * sizeof(unsigned) <= ring.cq.ring_sz);
	for (i = 0; i < p.sq_entries; i++)
		CHECK_EQ(ring.sq.array[i], i);
	io_uring_queue_exit(&ring);
}

static void case_no_sqarray(void)
{
	struct io_uring ring;
	struct io_uring_params p;
	struct io_uring_cqe *cqe;
	unsigned i;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_SQARRAY;
	t_ring(&ring, 4, &p);
	check_ring_memory(&ring, &p);
	CHECK_EQ(p.sq_off.array, 0);
	/* Without an array, SQEs are taken by tail order: 3 laps of the SQ. */
	for (i = 0; i < 12; i++) {
		struct io_uring_sqe *sqe = t_sqe(&ring);

		CHECK(sqe == ring.sq.sqes + (i & 3));
		io_uring_prep_nop(sqe);
		sqe->user_data = i + 1;
		t_submit(&ring, 1);
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->user_data, i + 1);
		CHECK_EQ(cqe->res, 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK_EQ(*ring.sq.khead, 12);
	io_uring_queue_exit(&ring);
}

/* io_uring_setup() and io_uring_queue_mmap(), as pre-2.0 programs do. */
static void case_raw_setup(void)
{
	struct io_uring ring;
	struct io_uring_params p;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd, old;

	memset(&p, 0, sizeof(p));
	old = aioring_set_mode(t_backend == AIORING_BACKEND_KERNEL ?
			       AIORING_MODE_KERNEL : AIORING_MODE_USER);
	fd = io_uring_setup(8, &p);
	aioring_set_mode(old);
	CHECK_MSG(fd >= 0, "io_uring_setup: %s", strerror(-fd));
	CHECK_EQ(aioring_backend_fd(fd), t_backend);
	memset(&ring, 0, sizeof(ring));
	CHECK_EQ(io_uring_queue_mmap(fd, &p, &ring), 0);
	CHECK_EQ(ring.ring_fd, fd);
	check_ring_memory(&ring, &p);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 77;
	t_submit(&ring, 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 77);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

/* The same setup requests on both backends must give the same answers. */
static void case_diff_matrix(void)
{
	static const unsigned flags[] = {
		0, IORING_SETUP_CLAMP, IORING_SETUP_CQSIZE,
		IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
	};
	static const unsigned entries[] = { 0, 1, 3, 31, 32, 33, 32768, 32769, 70000 };
	static const unsigned cqs[] = { 0, 1, 7, 64, 65536, 65537 };
	struct io_uring_params pk, pu;
	unsigned f, e, c;

	for (f = 0; f < 4; f++)
		for (e = 0; e < sizeof(entries) / sizeof(entries[0]); e++)
			for (c = 0; c < sizeof(cqs) / sizeof(cqs[0]); c++) {
				int rk = try_setup(AIORING_BACKEND_KERNEL, entries[e],
						   flags[f], cqs[c], &pk);
				int ru = try_setup(AIORING_BACKEND_USER, entries[e],
						   flags[f], cqs[c], &pu);

				CHECK_MSG(rk == ru, "entries %u flags %#x cq %u: kernel %d user %d",
					  entries[e], flags[f], cqs[c], rk, ru);
				if (rk)
					continue;
				CHECK_EQ(pk.sq_entries, pu.sq_entries);
				CHECK_EQ(pk.cq_entries, pu.cq_entries);
			}
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "entries_invalid", case_entries_invalid, 0 },
		{ "rounding", case_rounding, 0 },
		{ "cqsize", case_cqsize, 0 },
		{ "bad_params", case_bad_params, 0 },
		{ "features", case_features, 0 },
		{ "offsets", case_offsets, 0 },
		{ "no_sqarray", case_no_sqarray, 0 },
		{ "raw_setup", case_raw_setup, 0 },
		{ "diff_matrix", case_diff_matrix, T_DIFF },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
