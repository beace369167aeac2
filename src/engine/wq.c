/* SPDX-License-Identifier: MIT */
/*
 * The worker pool, after the kernel's io-wq: requests that would block are
 * punted here. Two accounts, as in io-wq: "bound" work (regular files and
 * block devices: at most min(SQ entries, 4 x CPUs) workers by default) and
 * "unbound" work (anything else, which may wait on a peer indefinitely).
 * io_uring_register_iowq_max_workers() changes both bounds.
 *
 * Workers are created on demand. An idle worker spins briefly before it
 * sleeps on a futex, because a futex hand-off across CPUs costs far more
 * than the next request usually takes to arrive; the submitter wakes
 * workers once per submit batch, not once per request.
 *
 * Workers are grouped by credentials (wq_int.h, cred.h): a request runs
 * on a worker of its own group, which has exactly the credentials the
 * kernel would run it with. The bounds hold per group.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "engine/fdinfo.h"
#include "engine/req.h"
#include "engine/wq_int.h"
#include "util/fault.h"

#define WQ_SPIN_NS	20000		/* idle spin before sleeping */
#define WQ_STACK_SIZE	(256 * 1024)

__thread struct eng_worker *eng_wq_self;

static unsigned wq_default_bound(unsigned sq_entries)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned bound = 4 * (unsigned)(cpus > 0 ? cpus : 1);

	return sq_entries < bound ? sq_entries : bound;
}

/* The kernel's default and ceiling for both accounts: RLIMIT_NPROC. */
static unsigned wq_nproc_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NPROC, &rl) || rl.rlim_cur > UINT_MAX)
		return UINT_MAX;
	return (unsigned)rl.rlim_cur;
}

struct eng_wq *eng_wq_create(struct eng_ctx *ctx)
{
	struct eng_wq *wq = fault_calloc(1, sizeof(*wq));

	if (!wq)
		return NULL;
	wq->cancel_efd = eventfd(0, EFD_CLOEXEC);
	if (wq->cancel_efd < 0) {
		free(wq);
		return NULL;
	}
	wq->ctx = ctx;
	pthread_mutex_init(&wq->lock, NULL);
	wq->max_workers[WQ_BOUND] = wq_default_bound(ctx->sq_entries);
	wq->max_workers[WQ_UNBOUND] = wq_nproc_limit();
	return wq;
}

/* Under wq->lock: the group of @cred, made if need be (NULL: no memory). */
static struct wq_group *wq_group(struct eng_wq *wq, const struct eng_cred *cred)
{
	struct wq_group *g;
	int i;

	for (g = wq->groups; g; g = g->next)
		if (g->cred == cred)
			return g;
	g = fault_calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	for (i = 0; i < WQ_NR_ACCTS; i++)
		g->acct[i].tail = &g->acct[i].head;
	g->cred = eng_cred_get(cred);
	g->next = wq->groups;
	wq->groups = g;
	return g;
}

static unsigned wq_group_workers(const struct wq_group *g)
{
	return g->acct[WQ_BOUND].nr_workers + g->acct[WQ_UNBOUND].nr_workers;
}

/* Under wq->lock. */
struct eng_req *eng_wq_pop(struct wq_acct *acct)
{
	struct eng_req *req = acct->head;

	if (req) {
		acct->head = req->next;
		if (!acct->head)
			acct->tail = &acct->head;
		atomic_fetch_sub_explicit(&acct->nr_queued, 1, memory_order_relaxed);
	}
	return req;
}

/*
 * Bound work blocks in its system call. If its file's hint was stale
 * (fdinfo.h) and the file is a pipe or socket, it is unbound work after
 * all: it then waits where cancel and teardown can reach it.
 */
static bool wq_still_bound(struct eng_req *req)
{
	if ((req->flags & ENG_REQ_F_POLLABLE) || !req->def->needs_file ||
	    (eng_req_fdinfo_recheck(req) & ENG_FDI_REG))
		return !(req->flags & ENG_REQ_F_POLLABLE);
	req->flags |= ENG_REQ_F_POLLABLE;
	return false;
}

static void wq_run(struct eng_wq *wq, struct eng_req *req)
{
	bool exiting = atomic_load(&wq->exiting);

	if (!exiting)
		wq_still_bound(req);
	eng_req_run_blocking(req, exiting);
}

static bool wq_spin(struct eng_wq *wq, struct wq_group *g,
		    struct wq_acct *acct)
{
	struct timespec start, now;
	unsigned i = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		/* Relaxed hints: the decision is made again under the lock. */
		if (atomic_load_explicit(&acct->nr_queued, memory_order_relaxed) ||
		    __atomic_load_n(&g->spawn, __ATOMIC_RELAXED) ||
		    atomic_load_explicit(&wq->exiting, memory_order_relaxed))
			return true;
		__builtin_ia32_pause();
		if (++i % 64)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000000000L +
		    (now.tv_nsec - start.tv_nsec) > WQ_SPIN_NS)
			return false;
	}
}

/* Under wq->lock, which it drops while asleep. */
static void wq_sleep(struct eng_wq *wq, struct wq_group *g,
		     struct wq_acct *acct)
{
	unsigned seq;

	if (acct->head || g->spawn || atomic_load(&wq->exiting))
		return;
	acct->nr_sleeping++;
	seq = atomic_load(&acct->futex);
	pthread_mutex_unlock(&wq->lock);
	wq_futex(&acct->futex, FUTEX_WAIT, seq);
	pthread_mutex_lock(&wq->lock);
	acct->nr_sleeping--;
}

static void wq_kick_group(struct eng_wq *wq, struct wq_group *g,
			  const struct eng_cred *self, bool *orphans);

static void *wq_worker(void *arg)
{
	struct eng_worker *w = arg;
	struct eng_wq *wq = w->wq;
	struct wq_group *g = w->group;
	struct wq_acct *acct = &g->acct[w->acct];
	struct eng_req *req;
	bool orphans;

	eng_wq_self = w;
	pthread_mutex_lock(&wq->lock);
	for (;;) {
		/* A thread of other credentials queued work for the group:
		 * we can make its workers. */
		if (g->spawn) {
			__atomic_store_n(&g->spawn, false, __ATOMIC_RELAXED);
			wq_kick_group(wq, g, g->cred, &orphans);
		}
		req = eng_wq_pop(acct);
		if (req) {
			w->cur = req;
			pthread_mutex_unlock(&wq->lock);
			wq_run(wq, req);
			pthread_mutex_lock(&wq->lock);
			continue;
		}
		if (atomic_load(&wq->exiting))
			break;
		acct->nr_idle++;
		pthread_mutex_unlock(&wq->lock);
		bool busy = wq_spin(wq, g, acct);
		pthread_mutex_lock(&wq->lock);
		if (!busy)
			wq_sleep(wq, g, acct);
		acct->nr_idle--;
	}
	acct->nr_workers--;
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

/*
 * Under wq->lock, on a thread with @g's credentials, which the worker
 * inherits. None is made once the pool is being taken down:
 * eng_wq_destroy() has taken the list of workers to join (under this lock,
 * after `exiting`), and a worker made now would outlive the pool.
 */
static int wq_spawn(struct eng_wq *wq, struct wq_group *g, int acct_idx)
{
	struct eng_worker *w;
	pthread_attr_t attr;
	int ret;

	if (atomic_load(&wq->exiting))
		return -ECANCELED;
	w = fault_calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		free(w);
		return -errno;
	}
	w->wq = wq;
	w->group = g;
	w->acct = acct_idx;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WQ_STACK_SIZE);
	if (wq->aff)
		pthread_attr_setaffinity_np(&attr, sizeof(*wq->aff), wq->aff);
	ret = eng_thread_create(&w->thread, &attr, wq_worker, w, g->cred);
	pthread_attr_destroy(&attr);
	if (ret) {
		close(w->efd);
		free(w);
		return -ret;
	}
	w->next = wq->workers;
	wq->workers = w;
	g->acct[acct_idx].nr_workers++;
	return 0;
}

/* Regular files and block devices are bound work; the rest may wait for
 * a peer for ever, and must not starve them. */
static int wq_acct_of(struct eng_req *req)
{
	/* set at prep by ops that may wait indefinitely (futex.c) */
	if (req->flags & ENG_REQ_F_POLLABLE)
		return WQ_UNBOUND;
	if (!req->def->needs_file || (eng_req_fdinfo(req) & ENG_FDI_REG))
		return WQ_BOUND;
	req->flags |= ENG_REQ_F_POLLABLE;
	return WQ_UNBOUND;
}

void eng_wq_enqueue(struct eng_wq *wq, struct eng_req *req)
{
	int idx = wq_acct_of(req);
	struct wq_acct *acct;
	struct wq_group *g;

	req->next = NULL;
	pthread_mutex_lock(&wq->lock);
	g = wq_group(wq, req->cred);
	/* Its link timeout went off before it got here, so the timer's
	 * search missed it (both look under this lock): cancel it now. No
	 * memory for its group: never run it with other credentials. */
	if (!g || (req->ltimeout && eng_ltimeout_fired(req))) {
		pthread_mutex_unlock(&wq->lock);
		eng_req_run_blocking(req, true);
		return;
	}
	acct = &g->acct[idx];
	*acct->tail = req;
	acct->tail = &req->next;
	atomic_fetch_add_explicit(&acct->nr_queued, 1, memory_order_relaxed);
	pthread_mutex_unlock(&wq->lock);
}

int eng_wq_anchor(struct eng_wq *wq, const struct eng_cred *cred)
{
	struct wq_group *g;
	int ret = 0;

	pthread_mutex_lock(&wq->lock);
	g = wq_group(wq, cred);
	if (!g)
		ret = -ENOMEM;
	else if (!wq_group_workers(g))
		ret = wq_spawn(wq, g, WQ_BOUND);
	pthread_mutex_unlock(&wq->lock);
	return ret;
}

/* Under wq->lock: queued work of an account that has no worker, which
 * this thread (@self) may run. */
static struct eng_req *wq_pop_orphan(struct eng_wq *wq,
				     const struct eng_cred *self, bool *bound,
				     bool *mine)
{
	struct eng_req *req;
	struct wq_group *g;
	int i;

	wq_for_each_acct(wq, g, i) {
		/* Another group's orphans with a worker to ask wait for it. */
		if (g->acct[i].nr_workers ||
		    (g->cred != self && wq_group_workers(g)))
			continue;
		req = eng_wq_pop(&g->acct[i]);
		if (req) {
			*bound = i == WQ_BOUND;
			*mine = g->cred == self;
			return req;
		}
	}
	return NULL;
}

/*
 * No worker exists for an account and none can be made (RLIMIT_NPROC,
 * max_workers 0, teardown): its work is not left queued. Bound work
 * (regular files, block devices) is finite, and runs here, blocking, on
 * the thread that queued it (the submitter, a worker, the poll thread...),
 * if this thread has its credentials. Unbound work may wait for a peer for
 * ever, maybe for this very thread: it completes with -ECANCELED, as the
 * kernel's io-wq cancels the work it cannot create a first worker for; so
 * does work of other credentials whose group has no worker at all. What
 * runs here may queue more: the outer call for the pool on this thread
 * takes it, so a long chain costs no stack.
 */
static void wq_run_orphans(struct eng_wq *wq, const struct eng_cred *self)
{
	static __thread struct eng_wq *running;
	struct eng_wq *outer = running;
	struct eng_worker *me = eng_wq_self;
	bool bound = false, mine = false;
	struct eng_req *req;

	if (running == wq)
		return;
	running = wq;
	/* On a worker, the request is not its `cur`: waits and cancels
	 * must not mix it up with the worker's own. */
	eng_wq_self = NULL;
	for (;;) {
		pthread_mutex_lock(&wq->lock);
		req = wq_pop_orphan(wq, self, &bound, &mine);
		pthread_mutex_unlock(&wq->lock);
		if (!req)
			break;
		bound = bound && mine && wq_still_bound(req);
		eng_req_run_blocking(req, !bound || atomic_load(&wq->exiting));
	}
	eng_wq_self = me;
	running = outer;
}

/* Under wq->lock: a worker of @g makes workers for work that a thread of
 * other credentials queued. One that sleeps is woken for it; a busy one
 * sees the flag when it is done with its request. */
static void wq_ask_spawn(struct wq_group *g)
{
	int i;

	/* Relaxed: read by spinning workers as a hint (wq_spin()). */
	__atomic_store_n(&g->spawn, true, __ATOMIC_RELAXED);
	for (i = 0; i < WQ_NR_ACCTS; i++) {
		if (!g->acct[i].nr_sleeping)
			continue;
		atomic_fetch_add(&g->acct[i].futex, 1);
		wq_futex(&g->acct[i].futex, FUTEX_WAKE, 1);
		return;
	}
}

/* Under wq->lock: wakes @g's sleepers for its queued work, and makes
 * workers up to the bound if this thread (@self) has its credentials;
 * else it asks one of them to. */
static void wq_kick_group(struct eng_wq *wq, struct wq_group *g,
			  const struct eng_cred *self, bool *orphans)
{
	int i;

	for (i = 0; i < WQ_NR_ACCTS; i++) {
		struct wq_acct *acct = &g->acct[i];
		unsigned queued = atomic_load(&acct->nr_queued);

		if (!queued)
			continue;
		if (acct->nr_sleeping) {
			atomic_fetch_add(&acct->futex, 1);
			wq_futex(&acct->futex, FUTEX_WAKE,
			      queued < acct->nr_sleeping ? queued : acct->nr_sleeping);
		}
		if (g->cred != self) {
			if (queued > acct->nr_idle && wq_group_workers(g))
				wq_ask_spawn(g);
		} else {
			while (queued > acct->nr_idle &&
			       acct->nr_workers < wq->max_workers[i]) {
				if (wq_spawn(wq, g, i))
					break;
				queued--;
			}
		}
		*orphans |= !acct->nr_workers;
	}
}

/* Once per submit batch: wake sleepers, or add workers up to the bound.
 * @self: the calling thread's credentials. */
void eng_wq_kick(struct eng_wq *wq, const struct eng_cred *self)
{
	bool orphans = false;
	struct wq_group *g;

	pthread_mutex_lock(&wq->lock);
	for (g = wq->groups; g; g = g->next)
		wq_kick_group(wq, g, self, &orphans);
	pthread_mutex_unlock(&wq->lock);
	if (orphans)
		wq_run_orphans(wq, self);
}

int eng_wq_max_workers(struct eng_wq *wq, unsigned values[2])
{
	unsigned old[2], limit = wq_nproc_limit();
	int i;

	pthread_mutex_lock(&wq->lock);
	for (i = 0; i < WQ_NR_ACCTS; i++) {
		old[i] = wq->max_workers[i];
		if (values[i])
			wq->max_workers[i] = values[i] < limit ? values[i] : limit;
		values[i] = old[i];
	}
	pthread_mutex_unlock(&wq->lock);
	return 0;
}

/* Stops the pool: waiting workers give up with -ECANCELED, queued work
 * is cancelled, and running file I/O finishes first. */
void eng_wq_destroy(struct eng_wq *wq)
{
	struct eng_worker *w, *list;
	struct wq_group *g;
	struct eng_req *req;
	int i;

	if (!wq)
		return;
	atomic_store(&wq->exiting, true);
	eventfd_write(wq->cancel_efd, 1);
	/* relaxed: futex_waitv compares it in the kernel */
	atomic_store_explicit(&wq->exit_word, 1, memory_order_relaxed);
	wq_futex(&wq->exit_word, FUTEX_WAKE, INT_MAX);
	/* Off the list under the lock: a cancel may be walking it. */
	pthread_mutex_lock(&wq->lock);
	wq_for_each_acct(wq, g, i) {
		atomic_fetch_add(&g->acct[i].futex, 1);
		wq_futex(&g->acct[i].futex, FUTEX_WAKE, INT_MAX);
	}
	list = wq->workers;
	wq->workers = NULL;
	pthread_mutex_unlock(&wq->lock);
	while ((w = list)) {
		list = w->next;
		pthread_join(w->thread, NULL);
		close(w->efd);
		free(w);
	}
	while ((g = wq->groups)) {
		for (i = 0; i < WQ_NR_ACCTS; i++)
			while ((req = eng_wq_pop(&g->acct[i])))
				wq_run(wq, req);
		wq->groups = g->next;
		eng_cred_put(g->cred);
		free(g);
	}
	close(wq->cancel_efd);
	pthread_mutex_destroy(&wq->lock);
	free(wq->aff);
	free(wq);
}

/*
 * IORING_REGISTER_IOWQ_AFF (@mask, @len bytes of a cpu_set_t) and, with
 * @mask NULL, IORING_UNREGISTER_IOWQ_AFF: pins the workers there are and
 * the ones to come. As the kernel, a mask longer than the CPU set is cut;
 * pinning is best effort (a mask without a usable CPU leaves a worker
 * where it is), and unregistering gives back the caller's own affinity.
 */
int eng_wq_set_affinity(struct eng_wq *wq, const void *mask, unsigned len)
{
	cpu_set_t *set = NULL, all;
	struct eng_worker *w;

	if (mask) {
		if (!len)
			return -EINVAL;
		set = calloc(1, sizeof(*set));
		if (!set)
			return -ENOMEM;
		memcpy(set, mask, len < sizeof(*set) ? len : sizeof(*set));
	} else if (sched_getaffinity(0, sizeof(all), &all)) {
		CPU_ZERO(&all);
		for (len = 0; len < CPU_SETSIZE; len++)
			CPU_SET(len, &all);
	}
	pthread_mutex_lock(&wq->lock);
	free(wq->aff);
	wq->aff = set;
	for (w = wq->workers; w; w = w->next)
		pthread_setaffinity_np(w->thread, sizeof(all), set ? set : &all);
	pthread_mutex_unlock(&wq->lock);
	return 0;
}
