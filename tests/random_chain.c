/* SPDX-License-Identifier: MIT */
/*
 * Random SQE streams of the request model, run on both backends and
 * compared: chains (IOSQE_IO_LINK, IOSQE_IO_HARDLINK) of NOPs that succeed
 * or fail, reads that come back short (which break a LINK chain), SQEs
 * that fail their checks in the middle of a chain, IOSQE_IO_DRAIN,
 * IOSQE_ASYNC, IOSQE_CQE_SKIP_SUCCESS, and count-based TIMEOUTs that the
 * chains' completions trigger (their clock never runs out: every result is
 * fixed by the stream, not by timing; see with_timeouts below).
 *
 * Each batch runs on a fresh ring of each backend; the submission split and
 * the CQE multisets must be identical. AIORING_TEST_SEED=n replays a
 * stream; the seed is printed on failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

#define MAX_SQES	24u
#define RUN_NS		1000000000ull	/* per run */

enum kind { K_NOP, K_NOP_FAIL, K_READ_FULL, K_READ_SHORT, K_BAD, K_NR,
	    K_TIMEOUT = K_NR };

struct sqe_spec {
	enum kind kind;
	uint8_t flags;
	unsigned count;			/* K_TIMEOUT: completions to wait for */
};

struct batch {
	unsigned n;
	struct sqe_spec s[MAX_SQES];
};

static uint64_t seed;
/*
 * Half the batches carry count-based TIMEOUTs. A TIMEOUT is taken from its
 * SQE, never a link or drained: one that a drain or a link would start on
 * a worker thread in the middle of a later submission counts from a point
 * that depends on that race in the engine, where the kernel posts a
 * worker's CQE only after the submission (docs/ARCHITECTURE.md). So a
 * batch with TIMEOUTs has no IOSQE_IO_DRAIN, and no link into a TIMEOUT.
 * AIORING_TEST_TIMEOUTS=0 leaves them out.
 */
static unsigned with_timeouts = 1;
static int data_fd;
static char rbuf[MAX_SQES][64];

static uint8_t pick_flags(struct t_rng *r)
{
	static const uint8_t choice[] = {
		0, 0, 0, IOSQE_IO_LINK, IOSQE_IO_LINK, IOSQE_IO_HARDLINK,
		IOSQE_IO_DRAIN, IOSQE_ASYNC, IOSQE_CQE_SKIP_SUCCESS,
		IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS,
		IOSQE_IO_LINK | IOSQE_ASYNC,
	};

	return choice[t_rng_below(r, sizeof(choice))];
}

static void gen_batch(struct t_rng *r, struct batch *b)
{
	unsigned i, timeouts = with_timeouts ? t_rng_below(r, 2) : 0;

	b->n = 1 + t_rng_below(r, MAX_SQES);
	for (i = 0; i < b->n; i++) {
		b->s[i].kind = (enum kind)t_rng_below(r, K_NR + timeouts);
		b->s[i].flags = pick_flags(r);
		b->s[i].count = 1 + t_rng_below(r, 4);
		if (timeouts)
			b->s[i].flags &= (uint8_t)~IOSQE_IO_DRAIN;
		/* see with_timeouts: outside any chain */
		if (b->s[i].kind == K_TIMEOUT) {
			b->s[i].flags &= IOSQE_CQE_SKIP_SUCCESS;
			if (i)
				b->s[i - 1].flags &= (uint8_t)~(IOSQE_IO_LINK |
							       IOSQE_IO_HARDLINK);
		}
	}
}

static void prep(struct io_uring_sqe *sqe, const struct sqe_spec *s,
		 unsigned i)
{
	/* The kernel copies the timespec at prep, which happens at submit:
	 * it must outlive this function. */
	static struct __kernel_timespec forever_ts = { .tv_sec = 3600 };
	struct __kernel_timespec *forever = &forever_ts;

	switch (s->kind) {
	case K_NOP:
		io_uring_prep_nop(sqe);
		break;
	case K_NOP_FAIL:
		t_prep_nop_inject(sqe, -EIO);
		break;
	case K_READ_FULL:
		io_uring_prep_read(sqe, data_fd, rbuf[i], 16, 0);
		break;
	case K_READ_SHORT:	/* the file holds 32 bytes */
		io_uring_prep_read(sqe, data_fd, rbuf[i], 64, 0);
		break;
	case K_BAD:
		io_uring_prep_nop(sqe);
		sqe->opcode = 0xee;
		break;
	case K_TIMEOUT:
		io_uring_prep_timeout(sqe, forever, s->count, 0);
		break;
	default:
		break;
	}
	sqe->flags |= s->flags;
	sqe->user_data = i;
}

struct run {
	unsigned calls[MAX_SQES + 1], ncalls;
	struct t_rec rec;
};

/* Submits until the SQ is empty, then reaps what is there: every CQE of
 * this stream comes without waiting, except those of timeouts whose count
 * is never reached, which teardown cancels unseen. */
static void run_batch(int backend, const struct batch *b, struct run *out,
		      unsigned slow)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned i, guard = 0;
	int ret;

	CHECK_EQ(t_ring_try(&ring, MAX_SQES, NULL, backend), 0);
	for (i = 0; i < b->n; i++)
		prep(t_sqe(&ring), &b->s[i], i);
	out->ncalls = 0;
	while (io_uring_sq_ready(&ring) && guard++ <= MAX_SQES) {
		ret = io_uring_submit(&ring);
		CHECK_MSG(ret >= 0, "seed %llu: submit %d", (unsigned long long)seed,
			  ret);
		out->calls[out->ncalls++] = (unsigned)ret;
		/* Work sent to workers settles before the next submission:
		 * whether a TIMEOUT of the next one counts its CQE must not
		 * depend on the race between the two. */
		if (with_timeouts)
			usleep(1000 * slow);
	}
	/* async work (ASYNC, drained reads) settles: give it a moment */
	usleep(2000 * slow);
	t_rec_init(&out->rec);
	for (;;) {
		struct __kernel_timespec ts = { .tv_nsec = 20000000 * slow };

		if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts))
			break;
		t_rec_add(&out->rec, cqe->user_data, cqe->res, cqe->flags);
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
}

static void print_batch(const struct batch *b)
{
	static const char *const names[K_NR + 1] = { "nop", "nop(-EIO)",
		"read16", "read64(short)", "bad", "timeout" };
	unsigned i;

	fprintf(stderr, "seed %llu batch:", (unsigned long long)seed);
	for (i = 0; i < b->n; i++)
		if (b->s[i].kind == K_TIMEOUT)
			fprintf(stderr, " %u:%s/f%#x/c%u", i, names[b->s[i].kind],
				b->s[i].flags, b->s[i].count);
		else
			fprintf(stderr, " %u:%s/f%#x", i, names[b->s[i].kind],
				b->s[i].flags);
	fprintf(stderr, "\n");
}

static bool same_runs(struct run *k, struct run *u)
{
	unsigned i;

	if (k->ncalls != u->ncalls || k->rec.n != u->rec.n)
		return false;
	for (i = 0; i < k->ncalls; i++)
		if (k->calls[i] != u->calls[i])
			return false;
	t_rec_sort(&k->rec);
	t_rec_sort(&u->rec);
	for (i = 0; i < k->rec.n; i++)
		if (k->rec.v[i].user_data != u->rec.v[i].user_data ||
		    k->rec.v[i].res != u->rec.v[i].res ||
		    k->rec.v[i].flags != u->rec.v[i].flags)
			return false;
	return true;
}

/* Runs @b on both backends. What is compared is fixed by the stream, but
 * a CQE must arrive within the settle times: on a loaded machine a worker
 * can miss them, so a difference is run again, slower, before it counts. */
static void run_both(const struct batch *b, struct run *k, struct run *u)
{
	unsigned slow;

	for (slow = 1; slow <= 25; slow *= 5) {
		if (slow > 1) {
			t_rec_free(&k->rec);
			t_rec_free(&u->rec);
		}
		run_batch(AIORING_BACKEND_KERNEL, b, k, slow);
		run_batch(AIORING_BACKEND_USER, b, u, slow);
		if (same_runs(k, u))
			return;
	}
}

static void compare(const struct batch *b, struct run *k, struct run *u)
{
	unsigned i;
	bool same = k->ncalls == u->ncalls;

	for (i = 0; same && i < k->ncalls; i++)
		same = k->calls[i] == u->calls[i];
	if (!same) {
		print_batch(b);
		fprintf(stderr, "enter results: kernel");
		for (i = 0; i < k->ncalls; i++)
			fprintf(stderr, " %u", k->calls[i]);
		fprintf(stderr, ", user");
		for (i = 0; i < u->ncalls; i++)
			fprintf(stderr, " %u", u->calls[i]);
		fprintf(stderr, "\n");
	}
	CHECK_MSG(same, "the submission split differs");
	if (t_rec_diff(&k->rec, "kernel", &u->rec, "user")) {
		print_batch(b);
		t_fail(__FILE__, __LINE__, "the backends differ");
	}
}

static void case_diff(void)
{
	const char *s = getenv("AIORING_TEST_SEED");
	uint64_t end = t_now_ns() + RUN_NS;
	struct run k, u;
	struct batch b;
	struct t_rng r;
	unsigned n = 0;

	seed = s && *s ? strtoull(s, NULL, 0) : t_now_ns() ^ (uint64_t)getpid();
	t_rng_seed(&r, seed);
	s = getenv("AIORING_TEST_TIMEOUTS");
	with_timeouts = !s || *s != '0';
	data_fd = t_tmpfd();
	CHECK_EQ(pwrite(data_fd, "0123456789abcdef0123456789abcdef", 32, 0), 32);
	while (t_now_ns() < end) {
		gen_batch(&r, &b);
		run_both(&b, &k, &u);
		compare(&b, &k, &u);
		t_rec_free(&k.rec);
		t_rec_free(&u.rec);
		n++;
	}
	CHECK(n > 5);
	close(data_fd);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "diff", case_diff, T_DIFF },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
