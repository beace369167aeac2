/* SPDX-License-Identifier: MIT */
/*
 * testlib.h - the tiny harness of aioring's test programs.
 *
 * A test program is a table of cases. t_main() runs each case once per
 * backend (kernel io_uring, the oracle; then the user-space engine), each
 * in a forked child with a timeout, so a crash or a hang fails one case
 * instead of taking the suite down. A case that needs both backends at once
 * (a differential comparison) is marked T_DIFF and runs once.
 *
 * Checks fail fast: the first failed CHECK prints file:line, the values and
 * the case, then ends the case. A program prints nothing when all is well.
 * Exit code: 0 pass, 1 fail, 77 skip (everything skipped, reason printed).
 * AIORING_TEST_VERBOSE=1 prints a line per case run.
 */
#ifndef AIORING_TESTLIB_H
#define AIORING_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "liburing.h"
#include "aioring.h"

/* liburing 2.15 names; the fallbacks only matter for an older header. */
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#endif
#ifndef IORING_NOP_INJECT_RESULT
#define IORING_NOP_INJECT_RESULT (1U << 0)
#endif

#define T_EXIT_PASS	0
#define T_EXIT_FAIL	1
#define T_EXIT_SKIP	77

/* Case flags. */
#define T_DIFF		(1u << 0)	/* runs once, needs both backends */
#define T_USER_ONLY	(1u << 1)	/* engine-only behaviour */
#define T_KERNEL_ONLY	(1u << 2)	/* kernel-only (e.g. a detector check) */
#define T_ONCE		(1u << 3)	/* runs once, picks its backends itself */

struct t_case {
	const char *name;
	void (*fn)(void);
	unsigned flags;
};

/* Runs the cases; returns the exit code. argv may name cases to run.
 * AIORING_TEST_BACKEND=kernel|user limits the backends. */
int t_main(int argc, char **argv, const struct t_case *cases);

/* The backend the running case is on (AIORING_BACKEND_*); 0 in T_DIFF
 * and T_ONCE cases. */
extern int t_backend;
extern const char *t_case_name;
/* True when the kernel backend works here (false in `aioring jail`). */
bool t_kernel_ok(void);
const char *t_backend_str(int backend);

/* --- checks ------------------------------------------------------------ */

__attribute__((noreturn, format(printf, 3, 4)))
void t_fail(const char *file, int line, const char *fmt, ...);
__attribute__((noreturn))
void t_fail_eq(const char *file, int line, const char *ea, const char *eb,
	       long long a, long long b);
/* Ends the case as skipped; the reason is printed. */
__attribute__((noreturn, format(printf, 1, 2)))
void t_skip(const char *fmt, ...);

#define CHECK(cond) do {						\
	if (!(cond))							\
		t_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);		\
} while (0)

#define CHECK_MSG(cond, ...) do {					\
	if (!(cond))							\
		t_fail(__FILE__, __LINE__, __VA_ARGS__);		\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _ta = (long long)(a), _tb = (long long)(b);		\
	if (_ta != _tb)							\
		t_fail_eq(__FILE__, __LINE__, #a, #b, _ta, _tb);	\
} while (0)

/* --- rings --------------------------------------------------------------- */

/* io_uring_queue_init_params on @backend; returns its result. On success
 * it also checks that the ring really runs on @backend. */
int t_ring_try(struct io_uring *ring, unsigned entries,
	       struct io_uring_params *p, int backend);
/* The same on the case's backend; any failure fails the case. */
void t_ring(struct io_uring *ring, unsigned entries, struct io_uring_params *p);
/* A fresh SQE, or the case fails. */
struct io_uring_sqe *t_sqe(struct io_uring *ring);
/* Waits up to @ms for one CQE; fails the case on error or timeout. */
struct io_uring_cqe *t_wait(struct io_uring *ring, int ms);
/* Submits @n SQEs and waits for one CQE: checks the submit count. */
void t_submit(struct io_uring *ring, int n);
/* The next CQE is exactly {@ud, @res, @flags} (waits up to 2 s); a
 * failure names the caller's line. */
#define T_EXPECT(ring, ud, res, flags) \
	t_expect_at(__FILE__, __LINE__, ring, ud, res, flags)
void t_expect_at(const char *file, int line, struct io_uring *ring,
		 uint64_t ud, int res, unsigned flags);
/* Reaps @n CQEs in any order; each @ud[i] must come with @res[i]
 * (variadic: the arrays are usually compound literals, with commas). */
#define T_EXPECT_SET(ring, n, ...) \
	t_expect_set_at(__FILE__, __LINE__, ring, n, __VA_ARGS__)
void t_expect_set_at(const char *file, int line, struct io_uring *ring,
		     unsigned n, const uint64_t *ud, const int *res);
/* Fails the case if a CQE is there after @ms milliseconds (0: now). */
void t_expect_none(struct io_uring *ring, int ms);
/* NOP whose CQE carries @res (IORING_NOP_INJECT_RESULT). */
void t_prep_nop_inject(struct io_uring_sqe *sqe, int res);

/* --- CQE recordings, for differential comparisons ---------------------- */

struct t_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
};

struct t_rec {
	struct t_cqe *v;
	unsigned n, cap;
};

void t_rec_init(struct t_rec *r);
void t_rec_free(struct t_rec *r);
void t_rec_add(struct t_rec *r, uint64_t user_data, int32_t res, uint32_t flags);
/* Reaps exactly @n CQEs (waiting up to @ms in total) into @r. */
void t_rec_reap(struct t_rec *r, struct io_uring *ring, unsigned n, int ms);
void t_rec_sort(struct t_rec *r);
/* The recorded CQE of @user_data, or NULL. */
const struct t_cqe *t_rec_find(const struct t_rec *r, uint64_t user_data);
/* Sorts both, prints every difference (labelled by @na/@nb); returns the
 * number of differences. */
unsigned t_rec_diff(struct t_rec *a, const char *na, struct t_rec *b,
		    const char *nb);

/* --- files, processes, time --------------------------------------------- */

/* A read-write temp file in $TMPDIR, already unlinked. */
int t_tmpfd(void);
/* The same, but the name lives (in @path) until the creating process exits. */
int t_tmpfile(char *path, size_t len);
/* The temp directory ($TMPDIR or /tmp). */
const char *t_tmpdir(void);

#define T_TIMEOUT (-1000)
/* Runs @fn(@arg) in a forked child; returns its exit code, -signal if it
 * died of a signal, or T_TIMEOUT if it ran over @ms (it is then killed). */
int t_fork_run(void (*fn)(void *), void *arg, int ms);
/* Waits for child @pid up to @ms: the same results as t_fork_run. */
int t_waitpid(int pid, int ms);

uint64_t t_now_ns(void);

/* xorshift64*: reproducible from its seed. */
struct t_rng {
	uint64_t s;
};
void t_rng_seed(struct t_rng *r, uint64_t seed);
uint64_t t_rng_next(struct t_rng *r);
/* Uniform in [0, n). */
uint32_t t_rng_below(struct t_rng *r, uint32_t n);

#endif
