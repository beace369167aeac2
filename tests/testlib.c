/* SPDX-License-Identifier: MIT */
/* testlib.c - the harness behind testlib.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"

int t_backend;
const char *t_case_name = "?";

static int kernel_state = -1;		/* -1 unknown, 0 denied, 1 works */
static char kernel_why[160];

const char *t_backend_str(int backend)
{
	if (backend == AIORING_BACKEND_KERNEL)
		return "kernel";
	if (backend == AIORING_BACKEND_USER)
		return "user";
	return "once";
}

/* --- checks ------------------------------------------------------------ */

static void fail_prefix(const char *file, int line)
{
	fprintf(stderr, "FAIL [%s/%s] %s:%d: ", t_case_name,
		t_backend_str(t_backend), file, line);
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fail_prefix(file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(T_EXIT_FAIL);
}

/* A value that looks like -errno is shown with its name too. */
static void print_val(long long v)
{
	fprintf(stderr, "%lld", v);
	if (v < 0 && v > -4096)
		fprintf(stderr, " (-%s)", strerrorname_np((int)-v) ?: "?");
}

void t_fail_eq(const char *file, int line, const char *ea, const char *eb,
	       long long a, long long b)
{
	fail_prefix(file, line);
	fprintf(stderr, "%s == %s: ", ea, eb);
	print_val(a);
	fprintf(stderr, " != ");
	print_val(b);
	fputc('\n', stderr);
	exit(T_EXIT_FAIL);
}

void t_skip(const char *fmt, ...)
{
	va_list ap;

	printf("skip [%s/%s]: ", t_case_name, t_backend_str(t_backend));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(T_EXIT_SKIP);
}

/* --- rings --------------------------------------------------------------- */

static int backend_mode(int backend)
{
	return backend == AIORING_BACKEND_KERNEL ? AIORING_MODE_KERNEL :
						   AIORING_MODE_USER;
}

int t_ring_try(struct io_uring *ring, unsigned entries,
	       struct io_uring_params *p, int backend)
{
	struct io_uring_params dflt;
	int old, ret, got;

	if (!p) {
		memset(&dflt, 0, sizeof(dflt));
		p = &dflt;
	}
	old = aioring_set_mode(backend_mode(backend));
	ret = io_uring_queue_init_params(entries, ring, p);
	aioring_set_mode(old);
	if (ret < 0)
		return ret;
	got = aioring_backend(ring);
	CHECK_MSG(got == backend, "ring made for %s runs on %s",
		  t_backend_str(backend), t_backend_str(got));
	return ret;
}

void t_ring(struct io_uring *ring, unsigned entries, struct io_uring_params *p)
{
	int ret = t_ring_try(ring, entries, p, t_backend);

	CHECK_MSG(ret == 0, "io_uring_queue_init_params(%u) on %s: %s",
		  entries, t_backend_str(t_backend), strerror(-ret));
}

struct io_uring_sqe *t_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	CHECK_MSG(sqe, "io_uring_get_sqe: SQ ring full");
	return sqe;
}

struct io_uring_cqe *t_wait(struct io_uring *ring, int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L,
	};
	struct io_uring_cqe *cqe = NULL;
	int ret;

	do {
		ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	} while (ret == -EINTR);
	CHECK_MSG(ret == 0, "waiting %d ms for a CQE: %s", ms, strerror(-ret));
	return cqe;
}

void t_submit(struct io_uring *ring, int n)
{
	CHECK_EQ(io_uring_submit(ring), n);
}

void t_expect_at(const char *file, int line, struct io_uring *ring,
		 uint64_t ud, int res, unsigned flags)
{
	struct io_uring_cqe *cqe = t_wait(ring, 2000);
	struct io_uring_cqe got = *cqe;

	io_uring_cqe_seen(ring, cqe);
	if (got.user_data != ud)
		t_fail_eq(file, line, "cqe->user_data", "ud",
			  (long long)got.user_data, (long long)ud);
	if (got.res != res)
		t_fail_eq(file, line, "cqe->res", "res", got.res, res);
	if (got.flags != flags)
		t_fail_eq(file, line, "cqe->flags", "flags", got.flags, flags);
}

void t_expect_set_at(const char *file, int line, struct io_uring *ring,
		     unsigned n, const uint64_t *ud, const int *res)
{
	struct t_rec rec;
	unsigned i;

	t_rec_init(&rec);
	t_rec_reap(&rec, ring, n, 2000);
	for (i = 0; i < n; i++) {
		const struct t_cqe *c = t_rec_find(&rec, ud[i]);

		if (!c)
			t_fail(file, line, "no CQE for %llu",
			       (unsigned long long)ud[i]);
		if (c->res != res[i])
			t_fail_eq(file, line, "res", "expected", c->res, res[i]);
	}
	t_rec_free(&rec);
}

void t_expect_none(struct io_uring *ring, int ms)
{
	struct io_uring_cqe *cqe;

	if (ms > 0)
		usleep((unsigned)ms * 1000);
	CHECK_EQ(io_uring_peek_cqe(ring, &cqe), -EAGAIN);
}

void t_prep_nop_inject(struct io_uring_sqe *sqe, int res)
{
	io_uring_prep_nop(sqe);
	sqe->nop_flags = IORING_NOP_INJECT_RESULT;
	sqe->len = (unsigned)res;
}

/* --- CQE recordings ------------------------------------------------------ */

void t_rec_init(struct t_rec *r)
{
	memset(r, 0, sizeof(*r));
}

void t_rec_free(struct t_rec *r)
{
	free(r->v);
	t_rec_init(r);
}

void t_rec_add(struct t_rec *r, uint64_t user_data, int32_t res, uint32_t flags)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		CHECK(r->v);
	}
	r->v[r->n++] = (struct t_cqe){ user_data, res, flags };
}

void t_rec_reap(struct t_rec *r, struct io_uring *ring, unsigned n, int ms)
{
	uint64_t end = t_now_ns() + (uint64_t)ms * 1000000u;

	while (n) {
		int64_t left = (int64_t)(end - t_now_ns()) / 1000000;
		struct io_uring_cqe *cqe;

		CHECK_MSG(left > 0, "%u CQEs still missing after %d ms", n, ms);
		cqe = t_wait(ring, (int)left);
		t_rec_add(r, cqe->user_data, cqe->res, cqe->flags);
		io_uring_cqe_seen(ring, cqe);
		n--;
	}
}

static int cqe_cmp(const void *pa, const void *pb)
{
	const struct t_cqe *a = pa, *b = pb;

	if (a->user_data != b->user_data)
		return a->user_data < b->user_data ? -1 : 1;
	if (a->res != b->res)
		return a->res < b->res ? -1 : 1;
	if (a->flags != b->flags)
		return a->flags < b->flags ? -1 : 1;
	return 0;
}

void t_rec_sort(struct t_rec *r)
{
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), cqe_cmp);
}

const struct t_cqe *t_rec_find(const struct t_rec *r, uint64_t user_data)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].user_data == user_data)
			return &r->v[i];
	return NULL;
}

static void print_cqe(const char *tag, const struct t_cqe *c)
{
	fprintf(stderr, "  %s user_data=%#llx res=%d", tag,
		(unsigned long long)c->user_data, c->res);
	if (c->res < 0 && c->res > -4096)
		fprintf(stderr, " (-%s)", strerrorname_np(-c->res) ?: "?");
	fprintf(stderr, " flags=%#x\n", c->flags);
}

/* A merge of two sorted multisets: what only one side has is a difference. */
unsigned t_rec_diff(struct t_rec *a, const char *na, struct t_rec *b,
		    const char *nb)
{
	unsigned i = 0, j = 0, diffs = 0;

	t_rec_sort(a);
	t_rec_sort(b);
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : cqe_cmp(&a->v[i], &b->v[j]);

		if (!c) {
			i++, j++;
			continue;
		}
		if (!diffs++)
			fprintf(stderr, "CQE differences (%s: %u CQEs, %s: %u CQEs):\n",
				na, a->n, nb, b->n);
		if (c < 0)
			print_cqe(na, &a->v[i++]);
		else
			print_cqe(nb, &b->v[j++]);
	}
	return diffs;
}

/* --- temp files ----------------------------------------------------------- */

#define T_MAX_TMP 32
static char tmp_paths[T_MAX_TMP][256];
static pid_t tmp_owner[T_MAX_TMP];
static int tmp_count;

const char *t_tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

/* Only the process that made a file removes it: forked children inherit
 * the list and the atexit handler, and must leave their parent's alone. */
static void tmp_cleanup(void)
{
	int i;

	for (i = 0; i < tmp_count; i++)
		if (tmp_owner[i] == getpid())
			unlink(tmp_paths[i]);
}

int t_tmpfile(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "%s/aioring-test.XXXXXX", t_tmpdir());
	fd = mkstemp(path);
	CHECK_MSG(fd >= 0, "mkstemp(%s): %s", path, strerror(errno));
	if (tmp_count < T_MAX_TMP) {
		if (!tmp_count)
			atexit(tmp_cleanup);
		snprintf(tmp_paths[tmp_count], sizeof(tmp_paths[0]), "%s", path);
		tmp_owner[tmp_count++] = getpid();
	}
	return fd;
}

int t_tmpfd(void)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/aioring-test.XXXXXX", t_tmpdir());
	fd = mkstemp(path);
	CHECK_MSG(fd >= 0, "mkstemp(%s): %s", path, strerror(errno));
	unlink(path);
	return fd;
}

/* --- processes and time ------------------------------------------------- */

uint64_t t_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int t_waitpid(int pid, int ms)
{
	uint64_t end = t_now_ns() + (uint64_t)ms * 1000000u;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -ECHILD;
		if (t_now_ns() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return T_TIMEOUT;
		}
		usleep(1000);
	}
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

int t_fork_run(void (*fn)(void *), void *arg, int ms)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	CHECK_MSG(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		fn(arg);
		exit(T_EXIT_PASS);
	}
	return t_waitpid(pid, ms);
}

void t_rng_seed(struct t_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t t_rng_next(struct t_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint32_t t_rng_below(struct t_rng *r, uint32_t n)
{
	return n ? (uint32_t)((t_rng_next(r) >> 32) % n) : 0;
}

/* --- the runner ------------------------------------------------------------ */

bool t_kernel_ok(void)
{
	struct io_uring ring;
	int old, ret;

	if (kernel_state >= 0)
		return kernel_state;
	old = aioring_set_mode(AIORING_MODE_KERNEL);
	ret = io_uring_queue_init(2, &ring, 0);
	aioring_set_mode(old);
	kernel_state = ret == 0;
	if (ret == 0)
		io_uring_queue_exit(&ring);
	else
		snprintf(kernel_why, sizeof(kernel_why),
			 "kernel io_uring unavailable: %s", strerror(-ret));
	return kernel_state;
}

static int case_timeout_ms(void)
{
	const char *e = getenv("AIORING_TEST_CASE_TIMEOUT");

	return e && atoi(e) > 0 ? atoi(e) * 1000 : 20000;
}

static void case_child(void *arg)
{
	const struct t_case *c = arg;

	if (t_backend)
		aioring_set_mode(backend_mode(t_backend));
	c->fn();
}

static bool selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

static bool backend_wanted(int backend)
{
	const char *e = getenv("AIORING_TEST_BACKEND");

	return !e || !*e || !strcmp(e, "both") ||
	       !strcmp(e, t_backend_str(backend));
}

static bool case_applies(const struct t_case *c, int backend)
{
	if (backend == AIORING_BACKEND_USER && (c->flags & T_KERNEL_ONLY))
		return false;
	return !(backend == AIORING_BACKEND_KERNEL && (c->flags & T_USER_ONLY));
}

/* Why the case cannot run on @backend, or NULL if it can. */
static const char *case_skip_reason(const struct t_case *c, int backend)
{
	if (c->flags & T_ONCE)
		return NULL;
	if (c->flags & T_DIFF) {
		if (!backend_wanted(AIORING_BACKEND_KERNEL) ||
		    !backend_wanted(AIORING_BACKEND_USER))
			return "a differential case needs both backends";
	} else if (!backend_wanted(backend)) {
		return "backend not selected by AIORING_TEST_BACKEND";
	}
	if ((backend == AIORING_BACKEND_KERNEL || (c->flags & T_DIFF)) &&
	    !t_kernel_ok())
		return kernel_why;
	return NULL;
}

/* Runs one case on one backend; returns its exit code. */
static int run_one(const struct t_case *c, int backend)
{
	const char *why;
	uint64_t t0;
	int ret;

	if (!case_applies(c, backend))
		return -1;
	why = case_skip_reason(c, backend);
	if (why) {
		printf("skip [%s/%s]: %s\n", c->name, t_backend_str(backend), why);
		return T_EXIT_SKIP;
	}
	t_backend = backend;
	t_case_name = c->name;
	t0 = t_now_ns();
	ret = t_fork_run(case_child, (void *)c, case_timeout_ms());
	if (ret == T_TIMEOUT)
		fprintf(stderr, "FAIL [%s/%s] timed out after %d ms\n", c->name,
			t_backend_str(backend), case_timeout_ms());
	else if (ret < 0)
		fprintf(stderr, "FAIL [%s/%s] killed by signal %d (%s)\n", c->name,
			t_backend_str(backend), -ret, strsignal(-ret));
	else if (ret != T_EXIT_PASS && ret != T_EXIT_SKIP)
		fprintf(stderr, "FAIL [%s/%s] exit %d\n", c->name,
			t_backend_str(backend), ret);
	else if (getenv("AIORING_TEST_VERBOSE"))
		printf("%s [%s/%s] %.1f ms\n", ret ? "skip" : "pass", c->name,
		       t_backend_str(backend), (t_now_ns() - t0) / 1e6);
	t_backend = 0;
	t_case_name = "?";
	return ret < 0 ? T_EXIT_FAIL : ret;
}

int t_main(int argc, char **argv, const struct t_case *cases)
{
	static const int backends[] = { AIORING_BACKEND_KERNEL, AIORING_BACKEND_USER };
	unsigned passed = 0, failed = 0, skipped = 0;
	const struct t_case *c;
	unsigned b;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (c = cases; c->name; c++) {
		if (!selected(argc, argv, c->name))
			continue;
		for (b = 0; b < 2; b++) {
			int ret;

			bool once = c->flags & (T_DIFF | T_ONCE);

			if (once && b)
				break;
			ret = run_one(c, once ? 0 : backends[b]);
			if (ret == -1)
				continue;
			if (ret == T_EXIT_PASS)
				passed++;
			else if (ret == T_EXIT_SKIP)
				skipped++;
			else
				failed++;
		}
	}
	if (failed)
		return T_EXIT_FAIL;
	if (!passed) {
		printf("skip: no case ran (%u skipped)\n", skipped);
		return T_EXIT_SKIP;
	}
	return T_EXIT_PASS;
}
