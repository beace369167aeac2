/* SPDX-License-Identifier: MIT */
/*
 * Arm-on-EAGAIN, after the kernel's apoll. A request whose nonblocking
 * issue says "would block" on a socket or pipe is parked here: it takes
 * its own reference to its file (a private dup: closing or reusing the
 * application's fd number cannot redirect it), and that dup is added to
 * the ring's epoll set with EPOLLONESHOT. The ring's poll thread waits in
 * epoll_wait and, when a file is ready, issues the request again without
 * blocking: done, it completes there (and runs the rest of its chain);
 * -EAGAIN again (a spurious wakeup, or a multishot op that posted its
 * CQEs), it is re-armed. No thread ever waits on one file.
 *
 * Every parked request sits on one list, under ap->lock, so cancellation
 * and teardown find it. A canceller takes a parked request out of epoll
 * and completes it (-ECANCELED) on its own thread, so its CQE comes before
 * the canceller's, as with the kernel; one the poll thread is issuing just
 * then is marked and completed by that thread when the issue returns. An
 * entry that epoll_wait may still have returned is freed by the poll thread
 * only at its next turn (the zombie list), never under its feet.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "engine/apoll.h"
#include "engine/fdinfo.h"

#define APOLL_EVENTS	64

struct apoll_ent {
	struct apoll_ent *prev, *next;	/* ap->armed, under ap->lock */
	struct apoll_ent *znext;	/* cancelled: ap->zombies, or a batch */
	struct eng_req *req;
	int pfd;			/* in epoll: the request's own dup */
	bool own_pfd;			/* made for epoll (a fixed file's) */
	uint32_t events;
	bool running;			/* the poll thread is issuing it */
	bool cancel;			/* cancel it once the issue returns */
	bool gone;			/* taken out: the entry is a zombie */
};

struct eng_apoll {
	pthread_mutex_t lock;
	struct apoll_ent armed;		/* list head */
	struct apoll_ent *zombies;	/* freed by the poll thread */
	int epfd, wake_efd;
	bool exiting;
	bool has_thread;
	pthread_t thread;
	struct eng_ctx *ctx;
	const struct eng_cred *cred;	/* the thread's: its maker's */
};

/* Stands in for the poll state of a ring torn down before it had any. */
static struct eng_apoll apoll_dead = { .exiting = true };
static pthread_mutex_t apoll_create_lock = PTHREAD_MUTEX_INITIALIZER;

/* The per-ring fd hint (fdinfo.h) instead of an fstat per park: a stale
 * "pollable" for a regular file is refused by epoll (EPERM) and the
 * request goes to a worker; a stale "regular" only costs a worker. */
bool eng_apoll_pollable(struct eng_req *req)
{
	if ((!req->def->pollin && !req->def->pollout) ||
	    (req->flags & ENG_REQ_F_NO_APOLL) || !req->def->needs_file)
		return false;
	return !(eng_req_fdinfo(req) & ENG_FDI_REG);
}

static void apoll_unlink(struct apoll_ent *ent)
{
	ent->prev->next = ent->next;
	ent->next->prev = ent->prev;
}

/* Out of epoll, its descriptor closed, freed. */
static void apoll_ent_free(struct eng_apoll *ap, struct apoll_ent *ent)
{
	epoll_ctl(ap->epfd, EPOLL_CTL_DEL, ent->pfd, NULL);
	if (ent->own_pfd)
		close(ent->pfd);
	free(ent);
}

static void apoll_cancelled(struct eng_req *req)
{
	eng_req_set_res(req, -ECANCELED, 0);
	req->flags |= ENG_REQ_F_FAIL;
	eng_req_complete_async(req);
}

/* A parked file is ready: issue again, then complete or re-arm. */
static void apoll_fire(struct eng_apoll *ap, struct apoll_ent *ent)
{
	struct eng_req *req = ent->req;
	struct epoll_event ev;
	int ret;

	pthread_mutex_lock(&ap->lock);
	if (ent->gone) {		/* cancelled: a zombie now */
		pthread_mutex_unlock(&ap->lock);
		return;
	}
	ent->running = true;
	pthread_mutex_unlock(&ap->lock);
	ret = req->def->issue(req, ENG_ISSUE_NONBLOCK);
	pthread_mutex_lock(&ap->lock);
	ent->running = false;
	if (ret == -EAGAIN && !ent->cancel) {
		ev.events = ent->events | EPOLLONESHOT;
		ev.data.ptr = ent;
		if (epoll_ctl(ap->epfd, EPOLL_CTL_MOD, ent->pfd, &ev) == 0) {
			pthread_mutex_unlock(&ap->lock);
			return;
		}
		ret = -errno;
	}
	apoll_unlink(ent);
	pthread_mutex_unlock(&ap->lock);
	apoll_ent_free(ap, ent);	/* only this turn could name it */
	if (ret == -EAGAIN) {
		apoll_cancelled(req);
		return;
	}
	if (ret != ENG_ISSUE_DONE)
		eng_req_set_res(req, ret, 0);
	eng_req_complete_async(req);
}

/* The poll thread, between turns: no returned event names a zombie. */
static void apoll_reap_zombies(struct eng_apoll *ap)
{
	struct apoll_ent *z, *next;

	pthread_mutex_lock(&ap->lock);
	z = ap->zombies;
	ap->zombies = NULL;
	pthread_mutex_unlock(&ap->lock);
	for (; z; z = next) {
		next = z->znext;
		if (z->own_pfd)
			close(z->pfd);
		free(z);
	}
}

static void *apoll_thread(void *arg)
{
	struct eng_apoll *ap = arg;
	struct epoll_event evs[APOLL_EVENTS];
	bool exiting = false;
	int i, n;

	while (!exiting) {
		apoll_reap_zombies(ap);
		n = epoll_wait(ap->epfd, evs, APOLL_EVENTS, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr)
				apoll_fire(ap, evs[i].data.ptr);
			else
				exiting = true;	/* the wake eventfd: teardown */
		}
	}
	return NULL;
}

/* Under apoll_create_lock. The thread has its maker's credentials: only
 * requests with those are parked (req.c). */
static struct eng_apoll *apoll_create(struct eng_ctx *ctx)
{
	struct eng_apoll *ap = calloc(1, sizeof(*ap));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!ap)
		return NULL;
	ap->ctx = ctx;
	ap->armed.next = ap->armed.prev = &ap->armed;
	pthread_mutex_init(&ap->lock, NULL);
	ap->epfd = epoll_create1(EPOLL_CLOEXEC);
	ap->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ap->epfd < 0 || ap->wake_efd < 0 ||
	    epoll_ctl(ap->epfd, EPOLL_CTL_ADD, ap->wake_efd, &ev))
		goto fail;
	ap->cred = eng_thread_cred();
	ap->cred = ap->cred ? eng_cred_get(ap->cred) : eng_cred_current();
	if (!ap->cred)
		goto fail;
	ap->has_thread = !eng_thread_create(&ap->thread, NULL, apoll_thread,
					    ap, ap->cred);
	if (ap->has_thread)
		return ap;
	eng_cred_put(ap->cred);
fail:
	if (ap->epfd >= 0)
		close(ap->epfd);
	if (ap->wake_efd >= 0)
		close(ap->wake_efd);
	pthread_mutex_destroy(&ap->lock);
	free(ap);
	return NULL;
}

/* The ring's poll state, made on first use: most rings never park. */
static struct eng_apoll *apoll_get(struct eng_ctx *ctx)
{
	/* Acquire pairs with the release below: a thread that sees the
	 * pointer sees the initialised state. */
	struct eng_apoll *ap = __atomic_load_n(&ctx->apoll, __ATOMIC_ACQUIRE);

	if (ap)
		return ap;
	pthread_mutex_lock(&apoll_create_lock);
	ap = ctx->apoll;
	if (!ap) {
		ap = apoll_create(ctx);
		__atomic_store_n(&ctx->apoll, ap, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&apoll_create_lock);
	return ap;
}

int eng_apoll_arm(struct eng_req *req)
{
	struct eng_apoll *ap = apoll_get(req->ctx);
	struct epoll_event ev;
	struct apoll_ent *ent;
	int ret;

	if (!ap)
		return -ENOMEM;
	ret = eng_req_own_file(req);
	if (!ret && req->def->prep_async)
		ret = req->def->prep_async(req);
	if (ret)
		return ret;
	ent = calloc(1, sizeof(*ent));
	if (!ent)
		return -ENOMEM;
	ent->req = req;
	/* epoll keys a registration by file and fd number: a fixed file's
	 * descriptor is shared by its users, so epoll gets a dup of it. */
	ent->pfd = req->fd;
	if (!req->own_fd) {
		ent->pfd = eng_fd_private(req->fd, true);
		if (ent->pfd < 0) {
			ret = ent->pfd;
			free(ent);
			return ret;
		}
		ent->own_pfd = true;
	}
	ent->events = (req->def->pollin ? EPOLLIN : 0) |
		      (req->def->pollout ? EPOLLOUT : 0);
	ev.events = ent->events | EPOLLONESHOT;
	ev.data.ptr = ent;
	/* Added under the lock: a canceller cannot have the poll thread
	 * free the entry between our insertion and the ADD. */
	pthread_mutex_lock(&ap->lock);
	ret = ap->exiting ? -ECANCELED : 0;
	if (!ret && epoll_ctl(ap->epfd, EPOLL_CTL_ADD, ent->pfd, &ev))
		ret = -errno;
	if (!ret) {
		ent->prev = ap->armed.prev;
		ent->next = &ap->armed;
		ap->armed.prev->next = ent;
		ap->armed.prev = ent;
	}
	pthread_mutex_unlock(&ap->lock);
	if (ret) {
		if (ent->own_pfd)
			close(ent->pfd);
		free(ent);
	}
	return ret;
}

int eng_apoll_cancel(struct eng_ctx *ctx,
		     bool (*match)(struct eng_req *req, void *arg), void *arg,
		     bool all)
{
	struct eng_apoll *ap = __atomic_load_n(&ctx->apoll, __ATOMIC_ACQUIRE);
	struct apoll_ent *ent, *next, *batch = NULL, *last = NULL;
	int n = 0;

	if (!ap || ap == &apoll_dead)
		return 0;
	pthread_mutex_lock(&ap->lock);
	for (ent = ap->armed.next; ent != &ap->armed && (all || !n); ent = next) {
		next = ent->next;
		if (ent->cancel || !match(ent->req, arg))
			continue;
		n++;
		if (ent->running) {	/* apoll_fire() finishes it */
			ent->cancel = true;
			continue;
		}
		epoll_ctl(ap->epfd, EPOLL_CTL_DEL, ent->pfd, NULL);
		apoll_unlink(ent);
		ent->gone = true;
		ent->znext = batch;
		batch = ent;
	}
	pthread_mutex_unlock(&ap->lock);
	for (ent = batch; ent; ent = ent->znext) {
		apoll_cancelled(ent->req);
		last = ent;
	}
	if (last) {
		pthread_mutex_lock(&ap->lock);
		last->znext = ap->zombies;
		ap->zombies = batch;
		pthread_mutex_unlock(&ap->lock);
	}
	return n;
}

static bool apoll_match_all(struct eng_req *req, void *arg)
{
	return true;
}

void eng_apoll_stop(struct eng_ctx *ctx)
{
	struct eng_apoll *ap;

	pthread_mutex_lock(&apoll_create_lock);
	ap = ctx->apoll;
	if (!ap)
		__atomic_store_n(&ctx->apoll, &apoll_dead, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&apoll_create_lock);
	if (!ap || ap == &apoll_dead)
		return;
	pthread_mutex_lock(&ap->lock);
	ap->exiting = true;		/* nothing parks from now on */
	pthread_mutex_unlock(&ap->lock);
	eventfd_write(ap->wake_efd, 1);
	pthread_join(ap->thread, NULL);
	/* The thread is gone: nothing runs, every entry is ours. */
	eng_apoll_cancel(ctx, apoll_match_all, NULL, true);
	apoll_reap_zombies(ap);
}

void eng_apoll_free(struct eng_ctx *ctx)
{
	struct eng_apoll *ap = ctx->apoll;

	ctx->apoll = NULL;
	if (!ap || ap == &apoll_dead)
		return;
	/* A cancel after eng_apoll_stop() (a link timeout firing on the
	 * reactor, a worker's chain) left its entries for a poll thread
	 * that is gone: every other thread is gone too by now. */
	apoll_reap_zombies(ap);
	close(ap->epfd);
	close(ap->wake_efd);
	eng_cred_put(ap->cred);
	pthread_mutex_destroy(&ap->lock);
	free(ap);
}

const struct eng_cred *eng_apoll_cred(struct eng_ctx *ctx)
{
	/* Acquire: pairs with the release that publishes ctx->apoll. */
	struct eng_apoll *ap = __atomic_load_n(&ctx->apoll, __ATOMIC_ACQUIRE);

	return ap && ap != &apoll_dead ? ap->cred : NULL;
}
