/* SPDX-License-Identifier: MIT */
/*
 * A CQ that nobody reaps. Multishot requests end with a final CQE (no
 * F_MORE) once their next CQE no longer fits, instead of filling the
 * overflow list without bound; and under an address-space limit no CQE
 * is ever lost: the kernel keeps every one (koverflow stays 0), and the
 * engine keeps each in its request, refusing new SQEs (-EAGAIN, the SQE
 * left in the ring) rather than dropping a CQE.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "testlib.h"

#define T_MSHOT_UD	1
#define T_NOP_UD	100

/* Reaps what is there, within @ms; counts ud @ud's CQEs with and without
 * F_MORE, and checks that nothing of @ud follows its final CQE. */
static void reap_mshot(struct io_uring *ring, uint64_t ud, int ms,
		       unsigned *more, unsigned *final, int *final_res)
{
	uint64_t end = t_now_ns() + (uint64_t)ms * 1000000;
	struct io_uring_cqe *cqe;

	*more = *final = 0;
	while (t_now_ns() < end) {
		if (io_uring_peek_cqe(ring, &cqe)) {
			usleep(1000);
			continue;
		}
		if (cqe->user_data == ud) {
			CHECK_MSG(!*final, "a CQE after the final one: res %d flags %#x",
				  cqe->res, cqe->flags);
			if (cqe->flags & IORING_CQE_F_MORE) {
				(*more)++;
			} else {
				(*final)++;
				*final_res = cqe->res;
			}
		}
		io_uring_cqe_seen(ring, cqe);
	}
}

/* Fills the CQ (8 entries) with NOPs, so that nothing more fits. */
static void fill_cq(struct io_uring *ring)
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		struct io_uring_sqe *sqe = t_sqe(ring);

		io_uring_prep_nop(sqe);
		sqe->user_data = T_NOP_UD + i;
		if (i % 4 == 3)		/* an SQ of 4 */
			CHECK_EQ(io_uring_submit(ring), 4);
	}
	CHECK_EQ(io_uring_cq_ready(ring), 8);
}

/* A 1 ms multishot TIMEOUT, never reaped for 60 ms: the CQ fills with
 * its F_MORE CQEs, and the next expiry ends it (-ETIME, no F_MORE). */
static void case_mshot_timeout(void)
{
	struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	struct io_uring_sqe *sqe;
	unsigned more, final;
	struct io_uring ring;
	int res = 0;

	t_ring(&ring, 4, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, IORING_TIMEOUT_MULTISHOT);
	sqe->user_data = T_MSHOT_UD;
	CHECK_EQ(io_uring_submit(&ring), 1);
	usleep(60000);
	CHECK(io_uring_cq_has_overflow(&ring));
	reap_mshot(&ring, T_MSHOT_UD, 50, &more, &final, &res);
	CHECK_EQ(more, 8);		/* exactly what the CQ holds */
	CHECK_EQ(final, 1);
	CHECK_EQ(res, -ETIME);
	CHECK_EQ(*ring.cq.koverflow, 0);
	io_uring_queue_exit(&ring);
}

/* A multishot POLL on a readable pipe behind a full CQ: its first CQE
 * no longer fits, so it is its last (the mask, no F_MORE). */
static void case_mshot_poll(void)
{
	struct io_uring_sqe *sqe;
	unsigned more, final;
	struct io_uring ring;
	int p[2], res = 0;

	CHECK(!pipe(p));
	t_ring(&ring, 4, NULL);
	fill_cq(&ring);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_multishot(sqe, p[0], POLLIN);
	sqe->user_data = T_MSHOT_UD;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(write(p[1], "x", 1), 1);
	usleep(20000);
	CHECK(io_uring_cq_has_overflow(&ring));
	reap_mshot(&ring, T_MSHOT_UD, 50, &more, &final, &res);
	CHECK_EQ(more, 0);
	CHECK_EQ(final, 1);
	CHECK_EQ(res, POLLIN);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

/* The address space this process uses now, from /proc/self/statm. */
static size_t vm_size(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	CHECK(f);
	CHECK_EQ(fscanf(f, "%lu", &pages), 1);
	fclose(f);
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

#define T_AS_SQES	204800u

/*
 * 204,800 NOPs into a CQ of 8 that is reaped only when a submit is
 * refused, under an address-space limit of 4 MiB above what the process
 * uses. Every accepted SQE gets its CQE, none is dropped.
 */
static void case_rlimit_as(void)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned prepared = 0, sent = 0, got = 0, refused = 0, i;
	uint8_t *seen = calloc(T_AS_SQES, 1);
	struct rlimit rl;

	CHECK(seen);
	t_ring(&ring, 4, NULL);
	rl.rlim_cur = rl.rlim_max = vm_size() + (4u << 20);
	CHECK(!setrlimit(RLIMIT_AS, &rl));
	while (sent < T_AS_SQES) {
		struct io_uring_sqe *sqe = NULL;
		int ret;

		if (prepared < T_AS_SQES)
			sqe = io_uring_get_sqe(&ring);
		/* A refused SQE stays in the SQ: it is sent later. */
		if (sqe) {
			io_uring_prep_nop(sqe);
			sqe->user_data = prepared++;
		}
		ret = io_uring_submit(&ring);
		CHECK_MSG(ret >= 0 || ret == -EAGAIN, "submit: %d", ret);
		if (ret > 0) {
			sent += (unsigned)ret;
			continue;
		}
		/* Refused for want of memory: reap everything, then retry. */
		refused++;
		while (!io_uring_peek_cqe(&ring, &cqe)) {
			CHECK(cqe->user_data < T_AS_SQES && !seen[cqe->user_data]);
			CHECK_EQ(cqe->res, 0);
			seen[cqe->user_data] = 1;
			got++;
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	while (got < sent) {
		CHECK_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
		CHECK(cqe->user_data < T_AS_SQES && !seen[cqe->user_data]);
		seen[cqe->user_data] = 1;
		got++;
		io_uring_cqe_seen(&ring, cqe);
	}
	for (i = 0; i < T_AS_SQES; i++)
		CHECK_MSG(seen[i], "no CQE for SQE %u", i);
	CHECK_EQ(*ring.cq.koverflow, 0);
	CHECK(!io_uring_cq_has_overflow(&ring));
	if (getenv("AIORING_TEST_VERBOSE"))
		printf("rlimit_as [%s]: %u refusals\n", t_backend_str(t_backend),
		       refused);
	io_uring_queue_exit(&ring);
	free(seen);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "mshot_timeout", case_mshot_timeout, 0 },
		{ "mshot_poll", case_mshot_poll, 0 },
		{ "rlimit_as", case_rlimit_as, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
