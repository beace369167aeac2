/* SPDX-License-Identifier: MIT */
/*
 * A coverage-guided, engine-only harness for clang's libFuzzer:
 *
 *   make fuzz-libfuzzer FUZZ_SECONDS=600
 *
 * The input's bytes drive the SQE phase's generator (gen_sqe.c), so the
 * coverage of the engine steers the choices of opcode, fields and bad
 * pointers. Each input runs on the engine only, in this process, over a
 * fresh environment (env.c). The properties: no crash (ASan, UBSan), no
 * hang (libFuzzer's -timeout), and exactly one final CQE per submitted
 * request once everything still in flight was cancelled (one with
 * CQE_SKIP_SUCCESS may have none), and no CQE for a request never
 * submitted.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"

#define WINDOW_MS	30
#define CANCEL_UD	0xcafe

static char base_dir[256];
static bool open_at_start[4096];

/* Every descriptor an input made (the environment's, and what OPENAT,
 * SOCKET, ACCEPT, PIPE... opened) is closed after it. */
static void close_new_fds(bool snapshot)
{
	int fd;

	for (fd = 3; fd < 4096; fd++) {
		bool open = fcntl(fd, F_GETFD) >= 0;

		if (snapshot)
			open_at_start[fd] = open;
		else if (open && !open_at_start[fd])
			close(fd);
	}
}

/* Random descriptor numbers below the environment's would name this
 * process's own files (libFuzzer's, the sanitizers'): never. */
static void sanitize(struct fz_sqe_in *s)
{
	unsigned i;

	for (i = 0; i < s->nsqe; i++) {
		struct io_uring_sqe *q = &s->sqe[i];

		if (!(q->flags & IOSQE_FIXED_FILE) && q->fd >= 0 && q->fd < FZ_FD_BASE)
			q->fd = FZ_FD_CLOSED;
		if ((q->opcode == IORING_OP_SPLICE || q->opcode == IORING_OP_TEE) &&
		    q->splice_fd_in >= 0 && q->splice_fd_in < FZ_FD_BASE)
			q->splice_fd_in = FZ_FD_CLOSED;
		if (q->opcode == IORING_OP_CLOSE && q->fd >= FZ_FD_END)
			q->fd = FZ_FD_CLOSED;
		/* a WAITID may not reap the sanitizer's helpers */
		if (q->opcode == IORING_OP_WAITID)
			q->opcode = IORING_OP_NOP;
	}
}

static int finals(const struct fz_result *r, uint64_t ud)
{
	int i, n = 0;

	for (i = 0; i < r->ncqe; i++)
		n += r->cqe[i].user_data == ud && !(r->cqe[i].flags & IORING_CQE_F_MORE);
	return n;
}

static void check(const struct fz_input *in, const struct fz_result *r,
		  unsigned nsub)
{
	unsigned i;

	for (i = 0; i < nsub && i < in->sqe.nsqe; i++) {
		const struct io_uring_sqe *q = &in->sqe.sqe[i];
		int n = finals(r, q->user_data);

		if (n == 1 || (n == 0 && (q->flags & IOSQE_CQE_SKIP_SUCCESS)))
			continue;
		fz_print_input(stderr, in);
		fz_print_result(stderr, "engine", r);
		fprintf(stderr, "request %u (ud 0x%llx): %d final CQEs\n", i,
			(unsigned long long)q->user_data, n);
		abort();
	}
}

static void run(const struct fz_input *in, struct fz_result *res)
{
	const struct fz_sqe_in *s = &in->sqe;
	struct io_uring_params p = { .flags = s->ring_flags | IORING_SETUP_CQSIZE,
				     .cq_entries = 256 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	unsigned b, i = 0, nsub = 0;
	uint64_t uds[FZ_MAX_SQE + 1];

	if (io_uring_queue_init_params(32, &ring, &p))
		return;
	if (fz_env_register(&ring, s->env))
		goto out;
	for (b = 0; b < s->nbatch; b++) {
		unsigned k;
		int ret;

		for (k = 0; k < s->batch[b]; k++, i++) {
			sqe = io_uring_get_sqe(&ring);
			memcpy(sqe, &s->sqe[i], sizeof(*sqe));
			if (sqe->fd == FZ_FD_RING)
				sqe->fd = ring.ring_fd;
		}
		ret = io_uring_submit(&ring);
		if (ret > 0)
			nsub += (unsigned)ret;
	}
	for (i = 0; i < nsub && i < s->nsqe; i++)
		uds[i] = s->sqe[i].user_data;
	fz_reap(&ring, res, WINDOW_MS, uds, i, true);
	/* everything still in flight: cancelled, then every request has
	 * its final CQE */
	sqe = io_uring_get_sqe(&ring);
	if (sqe) {
		io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY |
				       IORING_ASYNC_CANCEL_ALL);
		sqe->user_data = CANCEL_UD;
		io_uring_submit(&ring);
		uds[i] = CANCEL_UD;
		fz_reap(&ring, res, 3000, uds, i + 1, false);
		check(in, res, nsub);
	}
out:
	io_uring_queue_exit(&ring);
}

/* The engine keeps some descriptors for the life of a thread (a waiter's
 * eventfd): made here, before the snapshot, so they are never closed. */
static void warm_up(void)
{
	struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	struct io_uring ring;
	struct io_uring_cqe *cqe;

	if (io_uring_queue_init(8, &ring, 0))
		abort();
	io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
	io_uring_queue_exit(&ring);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	aioring_set_mode(AIORING_MODE_USER);
	if (!getcwd(base_dir, sizeof(base_dir)))
		abort();
	warm_up();
	close_new_fds(true);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct fz_result res;
	struct fz_input in = { .phase = FZ_SQE };
	struct fz_env env;
	struct fz_rng r;

	fz_rng_seed(&r, 1);
	r.data = data;
	r.len = len;
	fz_gen(&r, FZ_SQE, &in);
	sanitize(&in.sqe);
	if (fz_env_create(&env))
		abort();
	memset(&res, 0, sizeof(res));
	run(&in, &res);
	if (chdir(base_dir))
		abort();
	fz_env_destroy(&env);
	close_new_fds(false);
	return 0;
}
