/* SPDX-License-Identifier: MIT */
/*
 * `aioring bench` workload "nop": NOPs in batches of qd, each batch submitted
 * and waited for in one io_uring_submit_and_wait. It measures the cost of
 * the ring machinery itself.
 *
 * Engines: aioring on the kernel backend and on the engine, and real
 * liburing. Real liburing shares every symbol name with aioring, so it runs
 * as a separate binary (bench/liburing_nop, built against the system's
 * liburing), started once per round; it times its own loop, with the same
 * histogram, and prints one JSON line that is read back here.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

/* --- aioring, both backends --------------------------------------------- */

static void nop_prep(struct bench_ring *r, struct io_uring_sqe *sqe,
		     unsigned slot)
{
	io_uring_prep_nop(sqe);
}

static int nop_done(struct bench_ring *r, unsigned slot, int res)
{
	return res < 0 ? res : 0;
}

static const char *nop_check(const struct bench_engine *e,
			     const struct bench_case *c, enum bench_status *st)
{
	static const unsigned char ops[] = { IORING_OP_NOP };

	return bench_ring_check_ops(e->mode, ops, 1, st);
}

static void *nop_setup(const struct bench_engine *e, const struct bench_case *c,
		       char *err, size_t len)
{
	struct bench_ring *r = calloc(1, sizeof(*r));

	if (!r) {
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	r->batch = true;
	r->prep = nop_prep;
	r->done = nop_done;
	if (bench_ring_init(r, e->mode, c->qd, c->qd < 8 ? 8 : c->qd, err, len)) {
		free(r);
		return NULL;
	}
	return r;
}

static void ring_teardown(void *state)
{
	bench_ring_exit(state);
	free(state);
}

static const struct bench_engine nop_kernel = {
	"kernel", AIORING_MODE_KERNEL, nop_check, nop_setup, bench_ring_run,
	ring_teardown,
};

static const struct bench_engine nop_user = {
	"user", AIORING_MODE_USER, nop_check, nop_setup, bench_ring_run,
	ring_teardown,
};

/* --- N rings on N threads (cost growth) -------------------------------- */

/*
 * Each thread makes its own ring (the backend mode is per thread) and runs
 * the NOP loop when told to; run() waits for all of them. Total ops over
 * the wall time of the slice is the figure: how the backend scales with
 * rings on their own threads.
 */
struct mt_state {
	const struct bench_engine *e;
	const struct bench_case *c;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned n, ready, done;
	uint64_t gen, deadline;		/* gen counts the slices started */
	bool stop;
	int err;
	pthread_t *tids;
	struct bench_stats *st;		/* one per thread */
};

/* Runs one slice (if the thread has a ring) and reports it done. */
static void mt_slice(struct mt_state *s, struct bench_ring *r, unsigned i)
{
	int ret = r ? bench_ring_run(r, s->c, s->deadline, &s->st[i]) : 0;

	pthread_mutex_lock(&s->lock);
	if (ret && !s->err)
		s->err = ret;
	s->done++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void *mt_thread(void *arg)
{
	struct mt_state *s = arg;
	struct bench_ring *r;
	uint64_t seen = 0;
	unsigned i;
	char err[160];

	r = nop_setup(s->e, s->c, err, sizeof(err));
	pthread_mutex_lock(&s->lock);
	i = s->ready++;
	if (!r && !s->err)
		s->err = -ENOMEM;
	pthread_cond_broadcast(&s->cond);
	for (;;) {
		while (!s->stop && s->gen == seen)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->stop)
			break;
		seen = s->gen;
		pthread_mutex_unlock(&s->lock);
		mt_slice(s, r, i);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	if (r)
		ring_teardown(r);
	return NULL;
}

static void mt_teardown(void *state)
{
	struct mt_state *s = state;
	unsigned i;

	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->n; i++)
		pthread_join(s->tids[i], NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s->tids);
	free(s->st);
	free(s);
}

static void *mt_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct mt_state *s = calloc(1, sizeof(*s));

	if (!s || !(s->tids = calloc(c->threads, sizeof(*s->tids))) ||
	    !(s->st = calloc(c->threads, sizeof(*s->st)))) {
		if (s)
			free(s->tids);
		free(s);
		bench_errf(err, len, "out of memory");
		return NULL;
	}
	s->e = e;
	s->c = c;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	for (s->n = 0; s->n < c->threads; s->n++)
		if (pthread_create(&s->tids[s->n], NULL, mt_thread, s))
			break;
	pthread_mutex_lock(&s->lock);
	while (s->ready < s->n)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	if (s->n < c->threads || s->err) {
		bench_errf(err, len, "%u of %u rings made", s->n, c->threads);
		mt_teardown(s);
		return NULL;
	}
	return s;
}

static int mt_run(void *state, const struct bench_case *c, uint64_t deadline,
		  struct bench_stats *out)
{
	struct mt_state *s = state;
	uint64_t start = bench_now_ns();
	unsigned i;

	pthread_mutex_lock(&s->lock);
	s->deadline = deadline;
	s->done = 0;
	s->gen++;
	pthread_cond_broadcast(&s->cond);
	while (s->done < s->n)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->n; i++) {
		bench_hist_merge(&out->hist, &s->st[i].hist);
		out->ops += s->st[i].ops;
		memset(&s->st[i], 0, sizeof(s->st[i]));
	}
	out->ns += bench_now_ns() - start;
	return s->err;
}

static const struct bench_engine mt_kernel = {
	"kernel", AIORING_MODE_KERNEL, nop_check, mt_setup, mt_run, mt_teardown,
};

static const struct bench_engine mt_user = {
	"user", AIORING_MODE_USER, nop_check, mt_setup, mt_run, mt_teardown,
};

static const struct bench_engine *const mt_engines[] = {
	&mt_kernel, &mt_user, NULL,
};

const struct bench_family bench_fam_nop_rings = { "nop-rings", mt_engines };

/* --- real liburing, in a child ------------------------------------------ */

/* AIORING_BENCH_LIBURING, else bench/liburing_nop next to this binary (the
 * build tree), else ../libexec/aioring/liburing_nop (an installed tree). */
static const char *liburing_path(void)
{
	static const char *const rel[] = {
		"bench/liburing_nop", "../libexec/aioring/liburing_nop",
	};
	static char path[4200];
	const char *env = getenv("AIORING_BENCH_LIBURING");
	char self[4000];
	const char *dir;
	ssize_t n;
	size_t i;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	dir = dirname(self);
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, rel[i]);
		if (!access(path, X_OK))
			return path;
	}
	return NULL;
}

static const char *lu_check(const struct bench_engine *e,
			    const struct bench_case *c, enum bench_status *st)
{
	static const unsigned char ops[] = { IORING_OP_NOP };
	const char *why;

	/* Real liburing has no fallback: no kernel io_uring, no figures. */
	why = bench_ring_check_ops(AIORING_MODE_KERNEL, ops, 1, st);
	if (why) {
		*st = BR_UNAVAILABLE;
		return "no kernel io_uring here";
	}
	if (liburing_path())
		return NULL;
	*st = BR_UNAVAILABLE;
	return "bench/liburing_nop not built (needs liburing-dev)";
}

struct lu_state {
	char path[4096];
	unsigned batch;
};

static void *lu_setup(const struct bench_engine *e, const struct bench_case *c,
		      char *err, size_t len)
{
	struct lu_state *s = calloc(1, sizeof(*s));
	const char *p = liburing_path();

	if (!s || !p) {
		free(s);
		bench_errf(err, len, "no liburing_nop");
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", p);
	s->batch = c->qd;
	return s;
}

/* Runs the child; its stdout (one JSON line) lands in @buf. */
static int lu_spawn(struct lu_state *s, unsigned ms, char *buf, size_t len)
{
	char a_batch[16], a_ms[16];
	size_t got = 0;
	int pfd[2], status;
	pid_t pid;
	ssize_t n;

	snprintf(a_batch, sizeof(a_batch), "%u", s->batch);
	snprintf(a_ms, sizeof(a_ms), "%u", ms);
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execl(s->path, s->path, a_batch, a_ms, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (got < len - 1 &&
	       ((n = read(pfd[0], buf + got, len - 1 - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	buf[got] = 0;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	return 0;
}

/* {"ops":N,"ns":N,"hist":[[i,n],...]}: written by our own child, so a
 * strict little reader is enough; anything else is an error. */
static int lu_parse(const char *buf, struct bench_stats *out)
{
	unsigned long long ops, ns, cnt;
	const char *p;
	unsigned idx;
	int used;

	if (sscanf(buf, " {\"ops\":%llu,\"ns\":%llu,", &ops, &ns) != 2)
		return -EPROTO;
	p = strstr(buf, "\"hist\":[");
	if (!p)
		return -EPROTO;
	p += 8;
	while (sscanf(p, " [%u,%llu]%n", &idx, &cnt, &used) == 2) {
		if (idx < BH_BUCKETS) {
			out->hist.b[idx] += cnt;
			out->hist.count += cnt;
		}
		p += used;
		if (*p == ',')
			p++;
	}
	out->ops += ops;
	out->ns += ns;
	return 0;
}

static int lu_run(void *state, const struct bench_case *c, uint64_t deadline,
		  struct bench_stats *out)
{
	uint64_t now = bench_now_ns();
	unsigned ms = deadline > now ? (unsigned)((deadline - now) / 1000000) : 1;
	static char buf[64 * 1024];
	int ret;

	/* The child warms up for a quarter of its slice, then measures. */
	ms = ms * 4 / 5;
	ret = lu_spawn(state, ms ? ms : 1, buf, sizeof(buf));
	return ret ? ret : lu_parse(buf, out);
}

static const struct bench_engine nop_liburing = {
	"liburing", 0, lu_check, lu_setup, lu_run, free,
};

static const struct bench_engine *const nop_engines[] = {
	&nop_kernel, &nop_user, &nop_liburing, NULL,
};

const struct bench_family bench_fam_nop = { "nop", nop_engines };
