/* SPDX-License-Identifier: MIT */
/*
 * Posting completions: any thread may post, under cq_lock. A CQE goes into
 * the CQ ring if it has room and nothing older is waiting, otherwise onto
 * the overflow list (IORING_FEAT_NODROP), which is flushed in order as the
 * application frees room. A CQE travels in a slot that belongs to what it
 * reports on (struct eng_cqe_slot): the overflow list links those slots,
 * so keeping a CQE never allocates and never fails. Extra CQEs of a
 * request that goes on (multishot) are posted only where they fit, as the
 * kernel's io_req_post_cqe(): otherwise the request ends in its own slot.
 *
 * Three kinds of wakeup follow a post:
 *  - threads asleep in eng_wait() are woken one by one through their own
 *    eventfd, once enough CQEs are ready for them;
 *  - the ring fd (a pipe's read end) is made readable for poll/epoll users.
 *    It is written only on the 0 -> 1 transition of ctx->signalled, and
 *    drained only when the CQ is seen empty, so a steady stream of
 *    completions costs no system call. The price is documented spurious
 *    readiness: after the application reaps CQEs without calling into the
 *    library, the fd stays readable until its next call;
 *  - a registered eventfd (io_uring_register_eventfd).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "engine/ctx.h"
#include "engine/cancel.h"
#include "util/fault.h"

/* The CQEs the application has not consumed yet. */
static unsigned cq_used(struct eng_ctx *ctx)
{
	/* Acquire pairs with the application's release of cq.head: it has
	 * finished reading a slot before we may write it again. */
	uint32_t head = __atomic_load_n(&ctx->rings->cq.head, __ATOMIC_ACQUIRE);

	return ctx->cached_cq_tail - head;
}

unsigned eng_cq_ready(struct eng_ctx *ctx)
{
	uint32_t tail = __atomic_load_n(&ctx->rings->cq.tail, __ATOMIC_ACQUIRE);
	uint32_t head = __atomic_load_n(&ctx->rings->cq.head, __ATOMIC_ACQUIRE);

	return tail - head;
}

static void cq_set_overflow_flag(struct eng_ctx *ctx, bool on)
{
	/* The application reads sq_flags without our lock: atomic RMW keeps
	 * the other bits intact. */
	if (on)
		__atomic_fetch_or(&ctx->rings->sq_flags, IORING_SQ_CQ_OVERFLOW,
				  __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&ctx->rings->sq_flags, ~IORING_SQ_CQ_OVERFLOW,
				   __ATOMIC_RELAXED);
}

static void cq_write(struct eng_ctx *ctx, const struct io_uring_cqe *src)
{
	struct io_uring_cqe *cqe;

	cqe = &ctx->rings->cqes[(ctx->cached_cq_tail & ctx->cq_mask) <<
				ctx->cqe_shift];
	*cqe = *src;
	/* CQE32: no engine op fills the second half (big_cqe): zeroes, as
	 * the kernel posts for ops without extra data. */
	if (ctx->cqe_shift)
		cqe[1] = (struct io_uring_cqe){ 0 };
	ctx->cached_cq_tail++;
}

/* Under cq_lock: the ring has room for one more CQE, and nothing older
 * waits for room before it. */
static bool cq_has_room(struct eng_ctx *ctx)
{
	return !ctx->ovf_head && cq_used(ctx) < ctx->cq_entries;
}

/* Under cq_lock. Count-based timeouts count CQEs. Relaxed load + store,
 * not an RMW: cq_lock orders the writers; readers only need a recent
 * value. */
static void cq_count(struct eng_ctx *ctx, unsigned n)
{
	atomic_store_explicit(&ctx->cq_posted, atomic_load_explicit(
		&ctx->cq_posted, memory_order_relaxed) + n, memory_order_relaxed);
}

/* Under cq_lock: the CQE goes into the ring (true: the slot may be
 * released), or the slot itself onto the overflow list (false). */
static bool cq_fill(struct eng_ctx *ctx, struct eng_cqe_slot *slot)
{
	cq_count(ctx, 1);
	if (cq_has_room(ctx)) {
		cq_write(ctx, &slot->cqe);
		return true;
	}
	slot->next = NULL;
	*ctx->ovf_tail = slot;
	ctx->ovf_tail = &slot->next;
	cq_set_overflow_flag(ctx, true);
	return false;
}

static void cq_release(struct eng_cqe_slot *slot, bool submitter)
{
	if (slot->release)
		slot->release(slot, submitter);
}

/* Under cq_lock: moves overflowed CQEs into the ring as room allows;
 * returns the moved slots, to be released after the lock. */
static struct eng_cqe_slot *cq_flush_locked(struct eng_ctx *ctx)
{
	struct eng_cqe_slot *slot, *moved = NULL, **tail = &moved;

	while ((slot = ctx->ovf_head) && cq_used(ctx) < ctx->cq_entries) {
		cq_write(ctx, &slot->cqe);
		ctx->ovf_head = slot->next;
		*tail = slot;
		tail = &slot->next;
	}
	*tail = NULL;
	if (!ctx->ovf_head) {
		ctx->ovf_tail = &ctx->ovf_head;
		cq_set_overflow_flag(ctx, false);
	}
	return moved;
}

/* Under cq_lock: wakes the sleepers that now have what they wait for. */
static void cq_wake_waiters(struct eng_ctx *ctx)
{
	struct eng_waiter **pw = &ctx->waiters, *w;
	unsigned ready = eng_cq_ready(ctx);

	uint32_t timeouts = atomic_load_explicit(&ctx->cq_timeouts,
						  memory_order_relaxed);

	/* As the kernel's io_should_wake(): a TIMEOUT that fired since the
	 * wait began ends it too, whatever its count (a CQE was just posted:
	 * there is one to reap). */
	while ((w = *pw)) {
		if (ready >= w->want || ctx->ovf_head ||
		    (timeouts != w->timeouts && ready)) {
			int efd = w->efd;	/* @w may be gone after */

			*pw = w->next;
			w->next = NULL;
			/* Release: our unlink is done before the sleeper
			 * can see the flag and leave (wait_sleep()). */
			atomic_store_explicit(&w->woken, true,
					      memory_order_release);
			eventfd_write(efd, 1);
		} else {
			pw = &w->next;
		}
	}
}

/* Under cq_lock: publishes the filled CQEs and wakes whoever needs it. */
static void cq_commit(struct eng_ctx *ctx, bool from_worker)
{
	int evfd;

	/* Release: the CQE contents are visible before the new tail. */
	__atomic_store_n(&ctx->rings->cq.tail, ctx->cached_cq_tail,
			 __ATOMIC_RELEASE);
	/* The registered eventfd first, then the waiters, as the kernel
	 * does: a woken waiter finds the eventfd already signalled. Under
	 * the lock, so an unregister cannot close it under us. */
	evfd = atomic_load_explicit(&ctx->evfd, memory_order_relaxed);
	if (evfd >= 0 && (!ctx->evfd_async || from_worker) &&
	    !(__atomic_load_n(&ctx->rings->cq_flags, __ATOMIC_RELAXED) &
	      IORING_CQ_EVENTFD_DISABLED))
		eventfd_write(evfd, 1);
	/* The ring fd too: a waiter that polls it next finds it ready. */
	eng_signal(ctx);
	if (ctx->waiters)
		cq_wake_waiters(ctx);
}

/* TIMEOUTs waiting for a number of completions: one relaxed load on the
 * hot path when there are none. */
static inline void cq_timeouts_check(struct eng_ctx *ctx)
{
	if (atomic_load_explicit(&ctx->nr_seq_timeouts, memory_order_relaxed))
		eng_timeout_flush(ctx);
}

void eng_post_slot(struct eng_ctx *ctx, struct eng_cqe_slot *slot,
		   bool from_worker)
{
	bool posted;

	pthread_mutex_lock(&ctx->cq_lock);
	posted = cq_fill(ctx, slot);
	cq_commit(ctx, from_worker);
	pthread_mutex_unlock(&ctx->cq_lock);
	if (posted)
		cq_release(slot, !from_worker);
	cq_timeouts_check(ctx);
}

void eng_batch_add(struct eng_ctx *ctx, struct eng_cqe_slot *slot)
{
	if (ctx->nr_batch == ENG_CQE_BATCH)
		eng_post_batch(ctx);
	ctx->batch[ctx->nr_batch++] = slot;
}

bool eng_post_aux(struct eng_ctx *ctx, uint64_t user_data, int32_t res,
		  uint32_t flags, bool from_worker)
{
	bool posted;

	/* On the submitter, what it completed before goes first. */
	if (!from_worker)
		eng_post_batch(ctx);
	pthread_mutex_lock(&ctx->cq_lock);
	posted = cq_has_room(ctx);
	if (posted) {
		cq_count(ctx, 1);
		cq_write(ctx, &(struct io_uring_cqe){ .user_data = user_data,
						      .res = res, .flags = flags });
		cq_commit(ctx, from_worker);
	}
	pthread_mutex_unlock(&ctx->cq_lock);
	if (posted)
		cq_timeouts_check(ctx);
	return posted;
}

static void cq_slot_free(struct eng_cqe_slot *slot, bool submitter)
{
	free(slot);
}

struct eng_cqe_slot *eng_cqe_slot_new(uint64_t user_data, int32_t res,
				      uint32_t flags)
{
	struct eng_cqe_slot *slot = fault_malloc(sizeof(*slot));

	if (slot)
		*slot = (struct eng_cqe_slot){
			.release = cq_slot_free,
			.cqe = { .user_data = user_data, .res = res,
				 .flags = flags },
		};
	return slot;
}

/* Posts the submitter's batch of inline completions in one go. */
void eng_post_batch(struct eng_ctx *ctx)
{
	unsigned i, n = ctx->nr_batch;

	if (!n)
		return;
	pthread_mutex_lock(&ctx->cq_lock);
	if (!ctx->ovf_head && ctx->cq_entries - cq_used(ctx) >= n) {
		/* The common case: room for the whole batch, one check. */
		for (i = 0; i < n; i++)
			cq_write(ctx, &ctx->batch[i]->cqe);
		cq_count(ctx, n);
	} else {
		/* The ones that overflow now belong to the list. */
		for (i = 0; i < n; i++)
			if (!cq_fill(ctx, ctx->batch[i]))
				ctx->batch[i] = NULL;
	}
	cq_commit(ctx, false);
	pthread_mutex_unlock(&ctx->cq_lock);
	for (i = 0; i < n; i++)
		if (ctx->batch[i])
			cq_release(ctx->batch[i], true);
	ctx->nr_batch = 0;
	cq_timeouts_check(ctx);
}

bool eng_flush_overflow(struct eng_ctx *ctx)
{
	struct eng_cqe_slot *moved, *next;

	if (!eng_has_overflow(ctx))
		return false;
	pthread_mutex_lock(&ctx->cq_lock);
	moved = cq_flush_locked(ctx);
	if (moved)
		cq_commit(ctx, false);
	pthread_mutex_unlock(&ctx->cq_lock);
	if (!moved)
		return false;
	for (; moved; moved = next) {
		next = moved->next;
		cq_release(moved, false);
	}
	return true;
}

void eng_cq_free(struct eng_ctx *ctx)
{
	struct eng_cqe_slot *slot, *next;

	for (slot = ctx->ovf_head; slot; slot = next) {
		next = slot->next;
		cq_release(slot, false);
	}
	ctx->ovf_head = NULL;
	ctx->ovf_tail = &ctx->ovf_head;
}

/* Makes the ring fd readable; one write per idle -> busy transition. */
void eng_signal(struct eng_ctx *ctx)
{
	static const char byte = 1;

	/* Full fence: our tail store must be visible before we look at
	 * `signalled`, mirroring the fence in eng_drain() (Dekker). */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&ctx->signalled, memory_order_relaxed))
		return;
	if (!atomic_exchange(&ctx->signalled, 1))
		(void)!write(ctx->sig_fd, &byte, 1);
}

/* Empties the ring fd; the caller saw the CQ empty. */
void eng_drain(struct eng_ctx *ctx)
{
	char buf[64];

	atomic_store(&ctx->signalled, 0);
	while (read(ctx->drain_fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf))
		;
	/* A post that raced with us saw signalled == 1 and skipped the
	 * write: look again, and give the fd back its readiness. */
	atomic_thread_fence(memory_order_seq_cst);
	if (eng_cq_ready(ctx) || eng_has_overflow(ctx))
		eng_signal(ctx);
}

void eng_drain_if_idle(struct eng_ctx *ctx)
{
	if (atomic_load_explicit(&ctx->signalled, memory_order_relaxed) &&
	    !eng_cq_ready(ctx) && !eng_has_overflow(ctx))
		eng_drain(ctx);
}

void eng_cq_idle(struct eng_ctx *ctx)
{
	eng_drain_if_idle(ctx);
}
