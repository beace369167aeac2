/* SPDX-License-Identifier: MIT */
/*
 * badptr.h - the shared harness of the bad-pointer tests (badptr_*.c).
 *
 * Pointer kinds: the pointers an application can get wrong, each set up
 * once per case (forked children inherit them). A call is run in a forked
 * child of its own, on a fresh ring, so a side effect of one call (a
 * registered eventfd, a ring fd slot) never leaks into the next; the child
 * writes its result to a shared page, tears its ring down and reports
 * that too, so "accepted, then hangs or crashes at teardown" is caught.
 * bp_diff() runs the calls on both backends (at once: one child per
 * backend, each running its calls in turn) and compares.
 * BP_DUMP=1 prints every call's two results.
 */
#ifndef AIORING_TESTS_BADPTR_H
#define AIORING_TESTS_BADPTR_H

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

enum bp_kind {
	BP_VALID,	/* a zeroed, writable page */
	BP_NULL,
	BP_UNMAPPED,
	BP_PROTNONE,
	BP_KERNEL,	/* the kernel's half of the address space */
	BP_MISALIGNED,	/* valid memory, one byte off */
	BP_TAIL4,	/* 4 readable bytes, then a PROT_NONE page */
	BP_TAIL16,	/* 16 readable bytes, then a PROT_NONE page */
	BP_RDONLY,	/* a zeroed, read-only page */
	BP_NKINDS
};

static const char *const bp_kind_name[BP_NKINDS] = {
	"valid", "null", "unmapped", "protnone", "kernel", "misaligned",
	"tail4", "tail16", "rdonly",
};

/* Results that are no return value. */
#define BP_BLOCKED	(-100000L)	/* still waiting when the timer ran out */
#define BP_SIGNAL	(-200000L)	/* + signal number: killed */
#define BP_BROKEN	(-300000L)	/* the child could not set up */
#define BP_TEARDOWN	(-400000L)	/* + signal: the call returned, teardown
					 * crashed or hung */

/* One call's outcome, written by the child that runs it. */
struct bp_shared {
	long res;
	int returned;		/* the call came back */
	int torn_down;		/* and its ring was torn down */
};

#define BP_MAX_CALLS 4096
/* A call's time limit, its ring's setup and teardown included: only a
 * call that hangs takes it, so it can be generous to a loaded machine
 * and to sanitizers. */
#define BP_CALL_MS 10000

static char *bp_ptrs[BP_NKINDS];
static struct bp_shared *bp_arr[2];	/* per backend, BP_MAX_CALLS each */
static struct bp_shared *bp_sh;		/* the child's: its backend's */
static long bp_page;
static int bp_cur;		/* the call the child is running */
static int bp_backend;		/* the child's: 0 kernel, 1 engine; the
				 * two run at once, so they must not share
				 * files */

static void bp_init(void)
{
	char *v, *t, *p, *r, *u;

	bp_page = sysconf(_SC_PAGESIZE);
	v = mmap(NULL, (size_t)bp_page * 5, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(v != MAP_FAILED);
	t = v + bp_page;		/* tail page, then a PROT_NONE page */
	p = v + 2 * bp_page;
	r = v + 4 * bp_page;
	CHECK_EQ(mprotect(p, (size_t)bp_page, PROT_NONE), 0);
	CHECK_EQ(mprotect(r, (size_t)bp_page, PROT_READ), 0);
	/* Unmapped: a low page that top-down mmap never hands out, so no
	 * ring the children make can land there. */
	u = (char *)0x10000;
	if (!mincore(u, (size_t)bp_page, (unsigned char[1]){ 0 }) ||
	    errno != ENOMEM) {
		u = mmap(NULL, (size_t)bp_page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(u != MAP_FAILED);
		munmap(u, (size_t)bp_page);
	}
	bp_ptrs[BP_VALID] = v;
	bp_ptrs[BP_NULL] = NULL;
	bp_ptrs[BP_UNMAPPED] = u;
	bp_ptrs[BP_PROTNONE] = p + 64;
	bp_ptrs[BP_KERNEL] = (char *)0xffff800000000000ull;
	bp_ptrs[BP_MISALIGNED] = v + 1;
	bp_ptrs[BP_TAIL4] = t + bp_page - 4;
	bp_ptrs[BP_TAIL16] = t + bp_page - 16;
	bp_ptrs[BP_RDONLY] = r;
	for (int i = 0; i < 2; i++) {
		bp_arr[i] = mmap(NULL, sizeof(*bp_sh) * BP_MAX_CALLS,
				 PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		CHECK(bp_arr[i] != MAP_FAILED);
	}
}

static inline void *bp_ptr(int kind)
{
	return bp_ptrs[kind];
}

/* A pointer of @kind holding @data where it can (a tail kind holds only
 * its first 4 or 16 bytes); in the child, before its call. */
static inline void *bp_place(int kind, const void *data, size_t len)
{
	char *p = bp_ptrs[kind];
	size_t room = kind == BP_TAIL4 ? 4 : kind == BP_TAIL16 ? 16 :
		      (size_t)bp_page - 1;

	switch (kind) {
	case BP_VALID:
	case BP_MISALIGNED:
	case BP_TAIL4:
	case BP_TAIL16:
		memcpy(p, data, len < room ? len : room);
		break;
	case BP_RDONLY:
		mprotect(p, (size_t)bp_page, PROT_READ | PROT_WRITE);
		memcpy(p, data, len < room ? len : room);
		mprotect(p, (size_t)bp_page, PROT_READ);
		break;
	default:
		break;
	}
	return p;
}

/* Each call starts with the writable kinds zeroed. */
static inline void bp_reset(void)
{
	memset(bp_ptrs[BP_VALID], 0, (size_t)bp_page);
	memset(bp_ptrs[BP_TAIL4] + 4 - bp_page, 0, (size_t)bp_page);
	mprotect(bp_ptrs[BP_RDONLY], (size_t)bp_page, PROT_READ | PROT_WRITE);
	memset(bp_ptrs[BP_RDONLY], 0, (size_t)bp_page);
	mprotect(bp_ptrs[BP_RDONLY], (size_t)bp_page, PROT_READ);
}

static int bp_mode(int backend)
{
	return backend == AIORING_BACKEND_KERNEL ? AIORING_MODE_KERNEL :
						   AIORING_MODE_USER;
}

/* In the child: the call's result, then "teardown done". */
static void bp_returned(long res)
{
	bp_sh[bp_cur].res = res;
	__atomic_store_n(&bp_sh[bp_cur].returned, 1, __ATOMIC_SEQ_CST);
}

static void bp_torn_down(void)
{
	__atomic_store_n(&bp_sh[bp_cur].torn_down, 1, __ATOMIC_SEQ_CST);
}

/* Runs call @i: @fn makes its ring, calls, reports with bp_returned(),
 * tears the ring down and reports bp_torn_down(). */
typedef void (*bp_fn)(int i, void *ctx);

struct bp_thread_arg {
	bp_fn fn;
	void *ctx;
	int i, backend;
};

static void *bp_thread(void *arg)
{
	struct bp_thread_arg *a = arg;

	/* The mode is per thread. */
	aioring_set_mode(bp_mode(a->backend));
	a->fn(a->i, a->ctx);
	return NULL;
}

/* The child: calls [@from, @n), each in a thread of its own (the kernel's
 * registered ring fds are per thread and go with it), each with @ms on
 * an interval timer whose SIGALRM ends the child if the call blocks. */
static void bp_child(int backend, int from, int n, bp_fn fn, void *ctx, int ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };
	struct itimerval off = { 0 };
	struct bp_thread_arg a = { fn, ctx, 0, backend };
	pthread_t th;

	bp_backend = backend == AIORING_BACKEND_USER;
	bp_sh = bp_arr[bp_backend];
	for (bp_cur = from; bp_cur < n; bp_cur++) {
		a.i = bp_cur;
		bp_reset();
		setitimer(ITIMER_REAL, &it, NULL);
		if (pthread_create(&th, NULL, bp_thread, &a))
			_exit(2);
		pthread_join(th, NULL);
		setitimer(ITIMER_REAL, &off, NULL);
	}
	_exit(0);
}

/* One backend's run: a child at a time, each going on from where the
 * one before it died. */
struct bp_runner {
	int backend, from, n, ms;
	bp_fn fn;
	void *ctx;
	long *res;
	struct bp_shared *sh;
	pid_t pid;		/* 0: the run is over */
};

static void bp_start(struct bp_runner *r)
{
	fflush(stdout);
	fflush(stderr);
	r->pid = fork();
	CHECK(r->pid >= 0);
	if (!r->pid)
		bp_child(r->backend, r->from, r->n, r->fn, r->ctx, r->ms);
}

/* Child @r->pid ended with @status: takes its results; starts the next
 * child after the call that killed it, if any. */
static void bp_reap(struct bp_runner *r, int status)
{
	struct bp_shared *sh = r->sh;
	int i;

	for (i = r->from; i < r->n && sh[i].torn_down; i++)
		r->res[i] = sh[i].res;
	r->pid = 0;
	if (i == r->n)
		return;
	if (!sh[i].returned && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGALRM)
		r->res[i] = BP_BLOCKED;
	else if (!sh[i].returned && WIFSIGNALED(status))
		r->res[i] = BP_SIGNAL - WTERMSIG(status);
	else if (!sh[i].returned)
		r->res[i] = BP_BROKEN;
	else
		r->res[i] = BP_TEARDOWN -
			    (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	r->from = i + 1;
	if (r->from < r->n)
		bp_start(r);
}

/*
 * Runs calls 0..@n-1 on both backends at once (two CPUs), a child per
 * backend, and stores each result (or a BP_* code) in @k and @u. Only
 * this thread forks: a child forked while another thread holds a lock
 * (the allocator's, a sanitizer's) could wait for it forever.
 */
static void bp_run_both(int n, bp_fn fn, void *ctx, int ms, long *k, long *u)
{
	struct bp_runner r[2] = {
		{ AIORING_BACKEND_KERNEL, 0, n, ms, fn, ctx, k, bp_arr[0], 0 },
		{ AIORING_BACKEND_USER, 0, n, ms, fn, ctx, u, bp_arr[1], 0 },
	};
	int status, b;
	pid_t pid;

	CHECK(n <= BP_MAX_CALLS);
	for (b = 0; b < 2; b++) {
		memset(r[b].sh, 0, sizeof(*r[b].sh) * (size_t)n);
		if (n)
			bp_start(&r[b]);
	}
	while (r[0].pid || r[1].pid) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			CHECK(errno == EINTR);
			continue;
		}
		for (b = 0; b < 2; b++)
			if (r[b].pid == pid)
				bp_reap(&r[b], status);
	}
}

static void bp_fmt(char *buf, size_t len, long v)
{
	if (v == BP_BLOCKED)
		snprintf(buf, len, "blocked");
	else if (v == BP_BROKEN)
		snprintf(buf, len, "setup failed");
	else if (v <= BP_TEARDOWN && v > BP_TEARDOWN - 100)
		snprintf(buf, len, "teardown died (signal %ld)", BP_TEARDOWN - v);
	else if (v <= BP_SIGNAL && v > BP_SIGNAL - 100)
		snprintf(buf, len, "killed by signal %ld", BP_SIGNAL - v);
	else if (v < 0 && v > -4096)
		snprintf(buf, len, "%ld (-%s)", v, strerrorname_np((int)-v) ?: "?");
	else
		snprintf(buf, len, "%ld", v);
}

/* "No documented difference": the engine must give the kernel's answer. */
#define BP_SAME		(-500000L)

/*
 * Runs calls 0..@n-1 on both backends and compares. @what(i, buf, len)
 * names call i; @expect(i, kernel_result), if set, returns the engine's
 * documented answer where it differs, else BP_SAME. Prints each
 * difference; returns their number. A call that broke on the kernel
 * side is a broken test.
 */
static unsigned bp_diff(int n, bp_fn fn, void *ctx, int ms,
			void (*what)(int i, void *ctx, char *buf, size_t len),
			long (*expect)(int i, void *ctx, long kres))
{
	long *k = calloc((size_t)n, sizeof(long));
	long *u = calloc((size_t)n, sizeof(long));
	char name[160], ks[64], us[64];
	unsigned bad = 0;
	int i;

	CHECK(k && u);
	bp_run_both(n, fn, ctx, ms, k, u);
	for (i = 0; i < n; i++) {
		long want = expect ? expect(i, ctx, k[i]) : BP_SAME;

		what(i, ctx, name, sizeof(name));
		CHECK_MSG(k[i] > BP_SIGNAL,
			  "%s: the kernel side broke (%ld)", name, k[i]);
		if (want == BP_SAME)
			want = k[i];
		if (getenv("BP_DUMP"))
			printf("%s: kernel %ld engine %ld\n", name, k[i], u[i]);
		if (u[i] == want)
			continue;
		bp_fmt(ks, sizeof(ks), k[i]);
		bp_fmt(us, sizeof(us), u[i]);
		fprintf(stderr, "MISMATCH %s: kernel %s, engine %s%s\n", name,
			ks, us, want != k[i] ? " (a documented difference)" : "");
		bad++;
	}
	free(k);
	free(u);
	return bad;
}

/* t_main() with room for the matrices on a loaded machine under a
 * sanitizer: a case may take up to two minutes unless the environment
 * says otherwise. */
static inline int bp_main(int argc, char **argv, const struct t_case *cases)
{
	setenv("AIORING_TEST_CASE_TIMEOUT", "120", 0);
	return t_main(argc, argv, cases);
}

#endif
