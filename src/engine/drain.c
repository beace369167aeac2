/* SPDX-License-Identifier: MIT */
/*
 * IOSQE_IO_DRAIN, as the kernel's (6.18): a drained request starts only
 * when every request submitted before it has completed. From then on,
 * every new request queues behind it too (drain_active), until one finds
 * nothing queued and nothing before it in flight. A queued request starts
 * when every request submitted before it has completed, except that
 * requests queued one after another without a drained one among them
 * start together: each waits for what the first of them waits for.
 * Requests are counted, not CQEs: each waits on the defer list with the
 * number of requests submitted before it (or before the first of its run).
 *
 * As in the kernel, a ring that has seen IOSQE_CQE_SKIP_SUCCESS refuses
 * IOSQE_IO_DRAIN with -EOPNOTSUPP.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include "engine/req.h"
#include "util/fault.h"

struct eng_defer {
	struct eng_defer *next;		/* first: see drain_last() */
	struct eng_req *req;
	uint32_t seq;			/* requests that must complete first */
	bool drain;			/* IOSQE_IO_DRAIN */
};

/* Under defer_lock: the last queued entry, or NULL. */
static struct eng_defer *drain_last(struct eng_ctx *ctx)
{
	if (!ctx->defer_head)
		return NULL;
	return (struct eng_defer *)((char *)ctx->defer_tail -
				    offsetof(struct eng_defer, next));
}

/* Under defer_lock: the entries whose turn has come, in order. */
static struct eng_defer *drain_take_ready(struct eng_ctx *ctx)
{
	uint32_t done = eng_nr_completed(ctx);
	struct eng_defer *ready = NULL, **tail = &ready, *de;

	while ((de = ctx->defer_head) && (int32_t)(done - de->seq) >= 0) {
		ctx->defer_head = de->next;
		*tail = de;
		tail = &de->next;
	}
	*tail = NULL;
	if (!ctx->defer_head)
		ctx->defer_tail = &ctx->defer_head;
	return ready;
}

static void drain_run(struct eng_defer *de, bool in_worker)
{
	struct eng_defer *next;

	for (; de; de = next) {
		next = de->next;
		eng_req_run(de->req, in_worker);
		free(de);
	}
}

/*
 * After a completion: starts whatever was waiting for it. What it starts
 * may complete at once and free the next: the outermost call on a thread
 * loops, the nested ones return, so a cascade costs no stack.
 */
void __eng_drain_flush(struct eng_ctx *ctx, bool in_worker)
{
	static __thread bool flushing;
	struct eng_defer *ready;

	if (flushing ||
	    !atomic_load_explicit(&ctx->defer_pending, memory_order_acquire))
		return;
	flushing = true;
	for (;;) {
		pthread_mutex_lock(&ctx->defer_lock);
		ready = drain_take_ready(ctx);
		atomic_store_explicit(&ctx->defer_pending, ctx->defer_head != NULL,
				      memory_order_release);
		pthread_mutex_unlock(&ctx->defer_lock);
		if (!ready)
			break;
		drain_run(ready, in_worker);
	}
	flushing = false;
}

/*
 * On the submitter, for a request (or chain head) about to run, with
 * @seq requests submitted before it. Returns true if it was deferred
 * instead.
 */
bool __eng_drain_defer(struct eng_ctx *ctx, struct eng_req *req, uint32_t seq)
{
	struct eng_defer *de = fault_malloc(sizeof(*de)), *last;
	bool drain = req->sqe_flags & IOSQE_IO_DRAIN;
	/* It may start on another thread: with our credentials. */
	int ret = de ? eng_req_bind_cred(req) : -ENOMEM;

	if (ret) {
		/* As the kernel's io_drain_req(): -ENOMEM for the request. */
		free(de);
		eng_req_set_res(req, ret, 0);
		req->flags |= ENG_REQ_F_FAIL;
		return false;
	}
	ctx->drain_active = true;
	de->req = req;
	de->drain = drain;
	de->next = NULL;
	pthread_mutex_lock(&ctx->defer_lock);
	last = drain_last(ctx);
	/* One of a run of non-drained requests waits with the first. */
	de->seq = !drain && last && !last->drain ? last->seq : seq;
	*ctx->defer_tail = de;
	ctx->defer_tail = &de->next;
	atomic_store_explicit(&ctx->defer_pending, true, memory_order_release);
	pthread_mutex_unlock(&ctx->defer_lock);
	/* Everything before it may be done already. */
	eng_drain_flush(ctx, false);
	/* It found nothing queued and nothing in flight: as the kernel,
	 * the ring leaves drain mode. */
	if (!drain) {
		pthread_mutex_lock(&ctx->defer_lock);
		if (!ctx->defer_head)
			ctx->drain_active = false;
		pthread_mutex_unlock(&ctx->defer_lock);
	}
	return true;
}

/* Teardown: what never got its turn completes as cancelled. */
void eng_drain_cancel_all(struct eng_ctx *ctx)
{
	struct eng_defer *de;

	pthread_mutex_lock(&ctx->defer_lock);
	de = ctx->defer_head;
	ctx->defer_head = NULL;
	ctx->defer_tail = &ctx->defer_head;
	atomic_store(&ctx->defer_pending, false);
	pthread_mutex_unlock(&ctx->defer_lock);
	for (struct eng_defer *d = de; d; d = d->next) {
		eng_req_set_res(d->req, -ECANCELED, 0);
		d->req->flags |= ENG_REQ_F_FAIL;
	}
	drain_run(de, true);
}
