/* SPDX-License-Identifier: MIT */
/*
 * The worker pool's insides, shared by wq.c (the pool: queues, workers,
 * teardown) and wq_wait.c (a worker's interruptible waits, cancellation).
 * Nothing else includes this.
 */
#ifndef AIORING_ENGINE_WQ_INT_H
#define AIORING_ENGINE_WQ_INT_H

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "engine/cred.h"
#include "engine/req.h"

enum { WQ_BOUND, WQ_UNBOUND, WQ_NR_ACCTS };

struct wq_group;

/*
 * A worker's current request can be cancelled (eng_wq_cancel): under
 * wq->lock the canceller sets `cancelled`, and if the worker is waiting on
 * a file (eng_wq_wait_fd) it writes the worker's own eventfd; the worker
 * then finishes the request with -ECANCELED. `cur` is cleared, under the
 * lock, before the request completes, so a canceller never sees a freed
 * request.
 */
struct eng_worker {
	struct eng_worker *next;
	pthread_t thread;
	struct eng_wq *wq;
	struct wq_group *group;		/* its credentials: cred.h */
	int acct;
	int efd;			/* wakes it from eng_wq_wait_fd() */
	struct eng_req *cur;		/* under wq->lock */
	bool waiting, cancelled;	/* under wq->lock */
	atomic_uint cwake;		/* bumped on cancel: eng_wq_wait_futexv() */
};

/* The worker running on this thread, if any. */
extern __thread struct eng_worker *eng_wq_self;

struct wq_acct {
	struct eng_req *head, **tail;
	atomic_uint nr_queued;
	unsigned nr_workers, nr_idle, nr_sleeping;
	atomic_uint futex;		/* bumped to wake sleepers */
};

/*
 * The workers of one set of credentials, and the work that must run with
 * them (cred.h). Only a thread with those credentials can make a worker of
 * the group: the submitter for its own, a worker of the group, or, when
 * another thread queued work, a worker of the group it wakes for that
 * (`spawn`). A group is made with one worker by a thread that has its
 * credentials (eng_wq_anchor()), so one always exists to ask.
 */
struct wq_group {
	struct wq_group *next;
	const struct eng_cred *cred;	/* a reference */
	struct wq_acct acct[WQ_NR_ACCTS];
	bool spawn;			/* queued by a stranger: make workers */
};

struct eng_wq {
	struct eng_ctx *ctx;
	pthread_mutex_t lock;
	struct wq_group *groups;	/* under lock; freed at destroy */
	unsigned max_workers[WQ_NR_ACCTS];	/* per group and account */
	struct eng_worker *workers;
	atomic_bool exiting;
	int cancel_efd;			/* readable once the pool is exiting */
	atomic_uint exit_word;		/* 1 once exiting: eng_wq_wait_futexv() */
	cpu_set_t *aff;			/* IORING_REGISTER_IOWQ_AFF: wq->lock */
};

static inline long wq_futex(atomic_uint *uaddr, int op, unsigned val)
{
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val, NULL,
		       NULL, 0);
}

/* Under wq->lock: the next queued request of @acct, taken off. */
struct eng_req *eng_wq_pop(struct wq_acct *acct);

/* Every account of every group, under wq->lock. */
#define wq_for_each_acct(wq, g, i)					\
	for ((g) = (wq)->groups; (g); (g) = (g)->next)			\
		for ((i) = 0; (i) < WQ_NR_ACCTS; (i)++)

#endif
