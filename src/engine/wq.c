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
	struct eng_wq *wq = calloc(1, sizeof(*wq));
	int i;

	if (!wq)
		return NULL;
	wq->cancel_efd = eventfd(0, EFD_CLOEXEC);
	if (wq->cancel_efd < 0) {
		free(wq);
		return NULL;
	}
	wq->ctx = ctx;
	pthread_mutex_init(&wq->lock, NULL);
	for (i = 0; i < WQ_NR_ACCTS; i++)
		wq->acct[i].tail = &wq->acct[i].head;
	wq->acct[WQ_BOUND].max_workers = wq_default_bound(ctx->sq_entries);
	wq->acct[WQ_UNBOUND].max_workers = wq_nproc_limit();
	return wq;
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

static bool wq_spin(struct eng_wq *wq, struct wq_acct *acct)
{
	struct timespec start, now;
	unsigned i = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (atomic_load_explicit(&acct->nr_queued, memory_order_relaxed) ||
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
static void wq_sleep(struct eng_wq *wq, struct wq_acct *acct)
{
	unsigned seq;

	if (acct->head || atomic_load(&wq->exiting))
		return;
	acct->nr_sleeping++;
	seq = atomic_load(&acct->futex);
	pthread_mutex_unlock(&wq->lock);
	wq_futex(&acct->futex, FUTEX_WAIT, seq);
	pthread_mutex_lock(&wq->lock);
	acct->nr_sleeping--;
}

static void *wq_worker(void *arg)
{
	struct eng_worker *w = arg;
	struct eng_wq *wq = w->wq;
	struct wq_acct *acct = &wq->acct[w->acct];
	struct eng_req *req;

	eng_wq_self = w;
	pthread_mutex_lock(&wq->lock);
	for (;;) {
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
		bool busy = wq_spin(wq, acct);
		pthread_mutex_lock(&wq->lock);
		if (!busy)
			wq_sleep(wq, acct);
		acct->nr_idle--;
	}
	acct->nr_workers--;
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

/*
 * Under wq->lock. Workers take no signals: those are the application's.
 * None is made once the pool is being taken down: eng_wq_destroy() has
 * taken the list of workers to join (under this lock, after `exiting`),
 * and a worker made now would outlive the pool.
 */
static int wq_spawn(struct eng_wq *wq, int acct_idx)
{
	struct eng_worker *w;
	sigset_t all, old;
	pthread_attr_t attr;
	int ret;

	if (atomic_load(&wq->exiting))
		return -ECANCELED;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0) {
		free(w);
		return -errno;
	}
	w->wq = wq;
	w->acct = acct_idx;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WQ_STACK_SIZE);
	if (wq->aff)
		pthread_attr_setaffinity_np(&attr, sizeof(*wq->aff), wq->aff);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&w->thread, &attr, wq_worker, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret) {
		close(w->efd);
		free(w);
		return -ret;
	}
	w->next = wq->workers;
	wq->workers = w;
	wq->acct[acct_idx].nr_workers++;
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
	struct wq_acct *acct = &wq->acct[wq_acct_of(req)];

	req->next = NULL;
	pthread_mutex_lock(&wq->lock);
	/* Its link timeout went off before it got here, so the timer's
	 * search missed it (both look under this lock): cancel it now. */
	if (req->ltimeout && eng_ltimeout_fired(req)) {
		pthread_mutex_unlock(&wq->lock);
		eng_req_run_blocking(req, true);
		return;
	}
	*acct->tail = req;
	acct->tail = &req->next;
	atomic_fetch_add_explicit(&acct->nr_queued, 1, memory_order_relaxed);
	pthread_mutex_unlock(&wq->lock);
}

/* Under wq->lock: queued work of an account that has no worker. */
static struct eng_req *wq_pop_orphan(struct eng_wq *wq, bool *bound)
{
	struct eng_req *req;
	int i;

	for (i = 0; i < WQ_NR_ACCTS; i++) {
		if (wq->acct[i].nr_workers)
			continue;
		req = eng_wq_pop(&wq->acct[i]);
		if (req) {
			*bound = i == WQ_BOUND;
			return req;
		}
	}
	return NULL;
}

/*
 * No worker exists for an account and none can be made (RLIMIT_NPROC,
 * max_workers 0, teardown): its work is not left queued. Bound work
 * (regular files, block devices) is finite, and runs here, blocking, on
 * the thread that queued it (the submitter, a worker, the poll thread...).
 * Unbound work may wait for a peer for ever, maybe for this very thread:
 * it completes with -ECANCELED, as the kernel's io-wq cancels the work it
 * cannot create a first worker for. What runs here may queue more: the
 * outer call for the pool on this thread takes it, so a long chain costs
 * no stack.
 */
static void wq_run_orphans(struct eng_wq *wq)
{
	static __thread struct eng_wq *running;
	struct eng_wq *outer = running;
	struct eng_worker *self = eng_wq_self;
	struct eng_req *req;
	bool bound = false;

	if (running == wq)
		return;
	running = wq;
	/* On a worker, the request is not its `cur`: waits and cancels
	 * must not mix it up with the worker's own. */
	eng_wq_self = NULL;
	for (;;) {
		pthread_mutex_lock(&wq->lock);
		req = wq_pop_orphan(wq, &bound);
		pthread_mutex_unlock(&wq->lock);
		if (!req)
			break;
		bound = bound && wq_still_bound(req);
		eng_req_run_blocking(req, !bound || atomic_load(&wq->exiting));
	}
	eng_wq_self = self;
	running = outer;
}

/* Once per submit batch: wake sleepers, or add workers up to the bound. */
void eng_wq_kick(struct eng_wq *wq)
{
	bool orphans = false;
	int i;

	pthread_mutex_lock(&wq->lock);
	for (i = 0; i < WQ_NR_ACCTS; i++) {
		struct wq_acct *acct = &wq->acct[i];
		unsigned queued = atomic_load(&acct->nr_queued);

		if (!queued)
			continue;
		if (acct->nr_sleeping) {
			atomic_fetch_add(&acct->futex, 1);
			wq_futex(&acct->futex, FUTEX_WAKE,
			      queued < acct->nr_sleeping ? queued : acct->nr_sleeping);
		}
		while (queued > acct->nr_idle &&
		       acct->nr_workers < acct->max_workers) {
			if (wq_spawn(wq, i))
				break;
			queued--;
		}
		orphans |= !acct->nr_workers;
	}
	pthread_mutex_unlock(&wq->lock);
	if (orphans)
		wq_run_orphans(wq);
}

int eng_wq_max_workers(struct eng_wq *wq, unsigned values[2])
{
	unsigned old[2], limit = wq_nproc_limit();
	int i;

	pthread_mutex_lock(&wq->lock);
	for (i = 0; i < WQ_NR_ACCTS; i++) {
		old[i] = wq->acct[i].max_workers;
		if (values[i])
			wq->acct[i].max_workers = values[i] < limit ? values[i] : limit;
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
	struct eng_req *req;
	int i;

	if (!wq)
		return;
	atomic_store(&wq->exiting, true);
	eventfd_write(wq->cancel_efd, 1);
	/* relaxed: futex_waitv compares it in the kernel */
	atomic_store_explicit(&wq->exit_word, 1, memory_order_relaxed);
	wq_futex(&wq->exit_word, FUTEX_WAKE, INT_MAX);
	pthread_mutex_lock(&wq->lock);
	for (i = 0; i < WQ_NR_ACCTS; i++) {
		atomic_fetch_add(&wq->acct[i].futex, 1);
		wq_futex(&wq->acct[i].futex, FUTEX_WAKE, INT_MAX);
	}
	pthread_mutex_unlock(&wq->lock);
	/* Off the list under the lock: a cancel may be walking it. */
	pthread_mutex_lock(&wq->lock);
	list = wq->workers;
	wq->workers = NULL;
	pthread_mutex_unlock(&wq->lock);
	while ((w = list)) {
		list = w->next;
		pthread_join(w->thread, NULL);
		close(w->efd);
		free(w);
	}
	for (i = 0; i < WQ_NR_ACCTS; i++)
		while ((req = eng_wq_pop(&wq->acct[i])))
			wq_run(wq, req);
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
