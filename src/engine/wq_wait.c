/* SPDX-License-Identifier: MIT */
/*
 * A worker's request can always be reached: waits on a file or a futex
 * that cancellation and teardown interrupt, and the cancellation of
 * queued and running work (see wq_int.h for the worker's state).
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include "engine/wq_int.h"

/* Under wq->lock: the worker's state says its request is cancelled. */
static bool wq_wait_begin(struct eng_wq *wq, struct eng_worker *w)
{
	bool cancelled;

	pthread_mutex_lock(&wq->lock);
	cancelled = w->cancelled;
	w->waiting = !cancelled;
	pthread_mutex_unlock(&wq->lock);
	return cancelled;
}

static bool wq_wait_end(struct eng_wq *wq, struct eng_worker *w)
{
	bool cancelled;

	pthread_mutex_lock(&wq->lock);
	w->waiting = false;
	cancelled = w->cancelled;
	pthread_mutex_unlock(&wq->lock);
	return cancelled;
}

int eng_wq_wait_fd(struct eng_wq *wq, int fd, short events)
{
	struct eng_worker *w = eng_wq_self && eng_wq_self->wq == wq ? eng_wq_self : NULL;
	struct pollfd pfd[3] = {
		{ .fd = fd, .events = events },
		{ .fd = wq->cancel_efd, .events = POLLIN },
		{ .fd = w ? w->efd : -1, .events = POLLIN },
	};
	int ret;

	if (w && wq_wait_begin(wq, w))
		return -ECANCELED;
	for (;;) {
		ret = poll(pfd, 3, -1);
		if (ret < 0 && errno == EINTR)
			continue;
		ret = ret < 0 ? -errno : 0;
		break;
	}
	/* A cancel that saw us waiting counted us as cancelled: honour it
	 * even if the file became ready at the same time. */
	if (w && wq_wait_end(wq, w))
		return -ECANCELED;
	if (ret)
		return ret;
	if (pfd[1].revents)
		return -ECANCELED;
	if (pfd[0].revents & POLLNVAL)
		return -EBADF;
	return 0;
}

static void wq_waitv_slot(struct futex_waitv *v, atomic_uint *word,
			  unsigned val)
{
	*v = (struct futex_waitv){
		.uaddr = (uintptr_t)word, .val = val,
		.flags = FUTEX_32 | FUTEX_PRIVATE_FLAG,
	};
}

int eng_wq_wait_futexv(struct eng_wq *wq, struct futex_waitv *v, unsigned nr)
{
	struct eng_worker *w = eng_wq_self && eng_wq_self->wq == wq ? eng_wq_self : NULL;
	unsigned n = nr;
	long ret;

	if (w) {
		/* Snapshot before wq_wait_begin(): a cancel after it finds us
		 * waiting and bumps the word under the same lock. Relaxed:
		 * that lock orders the two. */
		wq_waitv_slot(&v[n++], &w->cwake, atomic_load_explicit(
				&w->cwake, memory_order_relaxed));
		if (wq_wait_begin(wq, w))
			return -ECANCELED;
	}
	wq_waitv_slot(&v[n++], &wq->exit_word, 0);
	do {
		ret = syscall(SYS_futex_waitv, v, n, 0, NULL, 0);
	} while (ret < 0 && errno == EINTR);
	ret = ret < 0 ? -errno : ret;
	/* Cancelled or exiting wins over a wake at the same time, as in
	 * eng_wq_wait_fd(); a wake of our own words is one of those. */
	if ((w && wq_wait_end(wq, w)) ||
	    atomic_load_explicit(&wq->exit_word, memory_order_relaxed) ||
	    ret >= (long)nr)
		return -ECANCELED;
	return (int)ret;
}

void eng_wq_release(struct eng_wq *wq, struct eng_req *req)
{
	struct eng_worker *w = eng_wq_self;
	eventfd_t val;

	if (!w || w->wq != wq || w->cur != req)
		return;
	pthread_mutex_lock(&wq->lock);
	w->cur = NULL;
	if (w->cancelled) {
		w->cancelled = false;
		eventfd_read(w->efd, &val);	/* a wakeup nobody used */
	}
	pthread_mutex_unlock(&wq->lock);
}

/* Under wq->lock: queued requests @match accepts, taken off the queues. */
static struct eng_req *wq_take_queued(struct eng_wq *wq,
				      bool (*match)(struct eng_req *, void *),
				      void *arg, bool all, int *nr)
{
	struct eng_req *list = NULL, **pr, *req;
	struct wq_group *g;
	int i;

	wq_for_each_acct(wq, g, i) {
		struct wq_acct *acct = &g->acct[i];

		if (!all && *nr)
			break;
		for (pr = &acct->head; (req = *pr) && (all || !*nr);) {
			if (!match(req, arg)) {
				pr = &req->next;
				continue;
			}
			*pr = req->next;
			if (acct->tail == &req->next)
				acct->tail = pr;
			atomic_fetch_sub_explicit(&acct->nr_queued, 1,
						  memory_order_relaxed);
			req->next = list;
			list = req;
			(*nr)++;
		}
	}
	return list;
}

int eng_wq_cancel(struct eng_wq *wq, bool (*match)(struct eng_req *, void *),
		  void *arg, bool all, bool *running)
{
	struct eng_req *list, *next;
	struct eng_worker *w;
	int nr = 0;

	pthread_mutex_lock(&wq->lock);
	list = wq_take_queued(wq, match, arg, all, &nr);
	for (w = wq->workers; w && (all || !nr); w = w->next) {
		if (!w->cur || !match(w->cur, arg))
			continue;
		if (w->waiting && !w->cancelled) {
			eventfd_write(w->efd, 1);
			/* relaxed: the kernel compares it; wq->lock orders it
			 * after the waiter's snapshot (eng_wq_wait_futexv) */
			atomic_fetch_add_explicit(&w->cwake, 1,
						  memory_order_relaxed);
			wq_futex(&w->cwake, FUTEX_WAKE, 1);
			nr++;
		} else {
			/* running (or woken already): it finishes as it can;
			 * a sync cancel waits for it */
			*running = true;
		}
		w->cancelled = true;
	}
	pthread_mutex_unlock(&wq->lock);
	for (; list; list = next) {
		next = list->next;
		eng_req_run_blocking(list, true);
	}
	return nr;
}
