/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_TIMEOUT, IORING_OP_TIMEOUT_REMOVE (and its updates) and
 * IORING_OP_LINK_TIMEOUT, on the reactor's timers.
 *
 * A TIMEOUT with `off` > 0 also completes (res 0) once that many CQEs were
 * posted after it was issued. The count is the kernel's: CQEs posted
 * (cq.c counts them under cq_lock) minus those of expired timeouts; cq.c
 * calls eng_timeout_flush() only while such timeouts exist.
 *
 * A LINK_TIMEOUT is taken off its chain when the request before it (its
 * head) starts, and armed when the head goes async (a worker, the parking
 * poll thread, the reactor). Three parties meet on it: the head's
 * completion, the timer, and whoever arms it. Two references (the head's
 * side and the timer's side) decide who posts its CQE: the last to let go.
 * The timer finds its head by identity (pointer and back-pointer, so a
 * freed and reused request never matches) wherever cancellation can.
 */
#include <errno.h>
#include <stddef.h>
#include "engine/req.h"
#include "util/ucopy.h"

#define NSEC_PER_SEC	1000000000LL
#define TIMEOUT_FLAGS	(IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK | \
			 IORING_TIMEOUT_ETIME_SUCCESS | IORING_TIMEOUT_MULTISHOT)

static struct eng_req *timeout_req(struct eng_rx_timer *rx)
{
	return (struct eng_req *)((char *)rx -
				  offsetof(struct eng_req, timeout.rx));
}

static clockid_t timeout_clock(uint32_t flags)
{
	switch (flags & IORING_TIMEOUT_CLOCK_MASK) {
	case IORING_TIMEOUT_BOOTTIME:
		return CLOCK_BOOTTIME;
	case IORING_TIMEOUT_REALTIME:
		return CLOCK_REALTIME;
	default:
		return CLOCK_MONOTONIC;
	}
}

/* A user timespec: -EFAULT, -EINVAL if negative, else 0 and @ns. */
static int timeout_get_ts(uint64_t uaddr, int64_t *ns)
{
	struct __kernel_timespec ts;

	if (ucopy(&ts, (const void *)(uintptr_t)uaddr, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0)
		return -EINVAL;
	*ns = ts.tv_sec > INT64_MAX / NSEC_PER_SEC - 1 ? INT64_MAX / 2 :
	      ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

static int timeout_prep_common(struct eng_req *req,
			       const struct io_uring_sqe *sqe, bool link)
{
	struct eng_timeout *t = &req->timeout;
	uint32_t flags = sqe->timeout_flags;

	if (sqe->buf_index || sqe->len != 1 || sqe->splice_fd_in)
		return -EINVAL;
	if (sqe->off && link)
		return -EINVAL;
	if (flags & ~TIMEOUT_FLAGS)
		return -EINVAL;
	if (__builtin_popcount(flags & IORING_TIMEOUT_CLOCK_MASK) > 1)
		return -EINVAL;
	/* multishot timeouts repeat a relative interval */
	if ((flags & IORING_TIMEOUT_MULTISHOT) && (flags & IORING_TIMEOUT_ABS))
		return -EINVAL;
	t->flags = flags;
	t->off = sqe->off;
	t->head = NULL;
	t->on_timer = false;
	t->counting = false;
	t->late = false;
	t->armed.pprev = NULL;
	return timeout_get_ts(sqe->addr, &t->ts);
}

int eng_timeout_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	return timeout_prep_common(req, sqe, false);
}

/* A LINK_TIMEOUT directly follows a request of the chain being built. */
int eng_link_timeout_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_ctx *ctx = req->ctx;
	int ret = timeout_prep_common(req, sqe, true);

	if (ret)
		return ret;
	if (!ctx->link_head || ctx->link_tail->opcode == IORING_OP_LINK_TIMEOUT)
		return -EINVAL;
	return 0;
}

static void timeout_set_timer(struct eng_timeout *t,
			      bool (*cb)(struct eng_rx_timer *, unsigned))
{
	clockid_t clock = timeout_clock(t->flags);

	t->rx.clock = clock;
	t->rx.cb = cb;
	t->rx.deadline = (t->flags & IORING_TIMEOUT_ABS) ? t->ts :
			 eng_clock_ns(clock) + t->ts;
	t->rx.interval = 0;
	t->rx.repeats = 0;
	if (t->flags & IORING_TIMEOUT_MULTISHOT) {
		t->rx.interval = t->ts > 0 ? t->ts : 1;
		t->rx.repeats = t->off;		/* 0: for ever */
	}
}

/* The completion count: CQEs posted, less those of expired timeouts.
 * Relaxed: callers hold armed_lock (and cq_lock where the exact value
 * matters); a count that is a little stale is caught by the next flush,
 * which every post triggers. */
uint32_t eng_timeout_seq(struct eng_ctx *ctx)
{
	return atomic_load_explicit(&ctx->cq_posted, memory_order_relaxed) -
	       atomic_load_explicit(&ctx->cq_timeouts, memory_order_relaxed);
}

/*
 * Where a count-based TIMEOUT starts counting, as in the kernel, where
 * nothing is posted while a submission runs: its inline completions are
 * posted when it ends, and io-wq's by task work, which the submitting
 * task runs only after that. So a TIMEOUT taken from its SQE counts every
 * CQE of its own submission, whether its request came before it or
 * completed in a worker meanwhile: it counts from where the submission
 * began. One that runs later in the submission, as a link or released by
 * a drain, would in the kernel start from task work after the submission's
 * CQEs are posted: it starts counting then (eng_timeout_submit_end()).
 * Anywhere else it counts from now.
 */
static bool timeout_start(struct eng_ctx *ctx, struct eng_timeout *t,
			  unsigned issue_flags)
{
	uint32_t base = eng_timeout_seq(ctx);

	if ((issue_flags & ENG_ISSUE_SUBMITTER) && ctx->submit_seq >= 0) {
		if (!(issue_flags & ENG_ISSUE_SQE)) {
			t->late = true;
			ctx->nr_late_timeouts++;
			return false;
		}
		base = (uint32_t)ctx->submit_seq;
	}
	t->target = base + t->off;
	t->counting = true;
	return true;
}

void eng_timeout_submit_end(struct eng_ctx *ctx)
{
	struct eng_armed *a;
	uint32_t seq;

	ctx->nr_late_timeouts = 0;
	pthread_mutex_lock(&ctx->armed_lock);
	pthread_mutex_lock(&ctx->cq_lock);
	seq = eng_timeout_seq(ctx);
	for (a = ctx->armed; a; a = a->next) {
		struct eng_timeout *t = &a->req->timeout;

		if (a->req->opcode != IORING_OP_TIMEOUT || !t->late)
			continue;
		t->late = false;
		t->target = seq + t->off;
		t->counting = true;
		/* relaxed: cq_lock orders it against the posters */
		atomic_fetch_add_explicit(&ctx->nr_seq_timeouts, 1,
					  memory_order_relaxed);
	}
	pthread_mutex_unlock(&ctx->cq_lock);
	pthread_mutex_unlock(&ctx->armed_lock);
	eng_timeout_flush(ctx);
}

/* Under armed_lock: the timeout stops waiting for a count. */
static void timeout_stop_counting(struct eng_ctx *ctx, struct eng_timeout *t)
{
	t->late = false;
	if (!t->counting)
		return;
	t->counting = false;
	/* Relaxed: a hint for cq.c; a stale non-zero costs one flush. */
	atomic_fetch_sub_explicit(&ctx->nr_seq_timeouts, 1, memory_order_relaxed);
}

/* The timer of a TIMEOUT, on the reactor thread (or at teardown). */
static bool timeout_cb(struct eng_rx_timer *rx, unsigned flags)
{
	struct eng_req *req = timeout_req(rx);
	struct eng_ctx *ctx = req->ctx;

	if (flags & ENG_RX_MORE) {
		/* Under the reactor lock: post and nothing else. Relaxed
		 * counter: see eng_timeout_seq(). A CQ that nobody reaps ends
		 * the multishot, as in the kernel: the final CQE follows. */
		atomic_fetch_add_explicit(&ctx->cq_timeouts, 1, memory_order_relaxed);
		if (eng_post_aux(ctx, req->user_data, -ETIME,
				 IORING_CQE_F_MORE, true))
			return true;
		/* The final call counts this expiry. */
		atomic_fetch_sub_explicit(&ctx->cq_timeouts, 1, memory_order_relaxed);
		return false;
	}
	pthread_mutex_lock(&ctx->armed_lock);
	eng_armed_del(ctx, &req->timeout.armed);
	timeout_stop_counting(ctx, &req->timeout);
	pthread_mutex_unlock(&ctx->armed_lock);
	if (flags & ENG_RX_CANCEL) {
		eng_req_set_res(req, -ECANCELED, 0);
	} else {
		/* relaxed counter: see eng_timeout_seq() */
		atomic_fetch_add_explicit(&ctx->cq_timeouts, 1, memory_order_relaxed);
		eng_req_set_res(req, -ETIME, 0);
		if (req->timeout.flags & IORING_TIMEOUT_ETIME_SUCCESS)
			req->flags |= ENG_REQ_F_RES_OK;
	}
	eng_req_complete_async(req);
	return false;
}

bool eng_timeout_disarm(struct eng_req *req)
{
	return eng_rx_timer_disarm(req->ctx, &req->timeout.rx);
}

void eng_timeout_cancelled(struct eng_req *req)
{
	timeout_cb(&req->timeout.rx, ENG_RX_CANCEL);
}

int eng_timeout_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_ctx *ctx = req->ctx;
	struct eng_timeout *t = &req->timeout;
	int ret;

	if (req->ltimeout)
		eng_ltimeout_arm(req);
	timeout_set_timer(t, timeout_cb);
	pthread_mutex_lock(&ctx->armed_lock);
	if (t->off && !(t->flags & IORING_TIMEOUT_MULTISHOT)) {
		/* Read under cq_lock: a CQE posted after this is counted,
		 * and its poster then sees nr_seq_timeouts and flushes. */
		pthread_mutex_lock(&ctx->cq_lock);
		/* relaxed: cq_lock orders it against the posters */
		if (timeout_start(ctx, t, issue_flags))
			atomic_fetch_add_explicit(&ctx->nr_seq_timeouts, 1,
						  memory_order_relaxed);
		pthread_mutex_unlock(&ctx->cq_lock);
	}
	eng_armed_add(ctx, &t->armed, req);
	ret = eng_rx_timer_arm(ctx, &t->rx);
	if (ret) {
		eng_armed_del(ctx, &t->armed);
		timeout_stop_counting(ctx, t);
	}
	pthread_mutex_unlock(&ctx->armed_lock);
	if (!ret)
		return ENG_ISSUE_ASYNC;
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

/*
 * Under armed_lock: the kernel's io_flush_timeouts() arithmetic, counted
 * from the last flush in 32 bits. It has one quirk that programs can see:
 * a TIMEOUT completed by its count with IOSQE_CQE_SKIP_SUCCESS counts as
 * a timeout but posts no CQE, so the count steps back, and at the next
 * flush "events got" wraps around: every count-based TIMEOUT then
 * completes. The engine does the same. (A target behind the last flush,
 * which only the engine's submission snapshot can make, is reached.)
 */
static bool timeout_reached(struct eng_ctx *ctx, const struct eng_timeout *t,
			    uint32_t seq)
{
	uint32_t last = ctx->cq_last_tm_flush;
	uint32_t needed = (int32_t)(t->target - last) < 0 ? 0 : t->target - last;

	return seq - last >= needed;
}

/*
 * After CQEs were posted: completes (res 0) the TIMEOUTs whose count is
 * reached. The completions it posts call back in here: a nested call
 * returns and the outer one looks again. A thread inside a multishot
 * callback holds the reactor lock, which a disarm needs: the reactor
 * flushes for it once the lock is dropped.
 */
void eng_timeout_flush(struct eng_ctx *ctx)
{
	static __thread bool flushing;
	struct eng_armed *a, *done;
	bool again;
	uint32_t seq;

	if (flushing || eng_rx_locked)
		return;
	flushing = true;
	do {
		done = NULL;
		pthread_mutex_lock(&ctx->armed_lock);
		seq = eng_timeout_seq(ctx);
		for (a = ctx->armed; a; ) {
			struct eng_req *req = a->req;
			struct eng_armed *next = a->next;

			if (req->opcode == IORING_OP_TIMEOUT &&
			    req->timeout.counting &&
			    timeout_reached(ctx, &req->timeout, seq) &&
			    eng_timeout_disarm(req)) {
				eng_armed_del(ctx, a);
				timeout_stop_counting(ctx, &req->timeout);
				/* relaxed counter: see eng_timeout_seq() */
				atomic_fetch_add_explicit(&ctx->cq_timeouts, 1,
							  memory_order_relaxed);
				a->next = done;
				done = a;
			}
			a = next;
		}
		ctx->cq_last_tm_flush = seq;
		pthread_mutex_unlock(&ctx->armed_lock);
		again = done != NULL;
		for (a = done; a; a = done) {
			done = a->next;
			eng_req_set_res(a->req, 0, 0);
			eng_req_complete_async(a->req);
		}
	} while (again);
	flushing = false;
}

/* --- LINK_TIMEOUT ------------------------------------------------------- */

/* Never issued as a chain member: its head takes it off the chain first
 * (eng_ltimeout_attach), or a broken chain fails it before it runs. */
int eng_link_timeout_issue(struct eng_req *req, unsigned issue_flags)
{
	eng_req_set_res(req, -ECANCELED, 0);
	return ENG_ISSUE_DONE;
}

/* One side lets go; the last one posts the CQE. */
static void lt_put(struct eng_req *lt, bool in_worker)
{
	struct eng_timeout *t = &lt->timeout;

	/* acq_rel: the other side's lt_res store is seen by the last. */
	if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	eng_req_set_res(lt, t->lt_res, 0);
	eng_req_done(lt, in_worker);
}

/* The head starts: the timeout leaves the chain and guards the head. */
void eng_ltimeout_attach(struct eng_req *req)
{
	struct eng_req *lt = req->link;
	struct eng_timeout *t = &lt->timeout;

	req->link = lt->link;
	lt->link = NULL;
	req->ltimeout = lt;
	t->head = req;
	t->lt_res = -ECANCELED;
	/* Plain inits: nobody else sees the timeout before it is armed. */
	atomic_init(&t->refs, 1);	/* the head's side */
	atomic_init(&t->fired, false);
	atomic_init(&t->head_done, false);
}

/* Re-arms the timer of @lt for one more look; 0 if it did. */
static int lt_retry(struct eng_req *lt)
{
	struct eng_timeout *t = &lt->timeout;
	struct eng_ctx *ctx = lt->ctx;
	int ret;

	t->rx.deadline = eng_clock_ns(t->rx.clock) + 1000000;
	pthread_mutex_lock(&ctx->armed_lock);
	eng_armed_add(ctx, &t->armed, lt);
	ret = eng_rx_timer_arm(ctx, &t->rx);
	if (ret)
		eng_armed_del(ctx, &t->armed);
	pthread_mutex_unlock(&ctx->armed_lock);
	return ret;
}

/* On the reactor thread (or at teardown): the timer went off. */
static bool lt_cb(struct eng_rx_timer *rx, unsigned flags)
{
	struct eng_req *lt = timeout_req(rx);
	struct eng_timeout *t = &lt->timeout;
	struct eng_ctx *ctx = lt->ctx;
	struct eng_cancel_cd cd = { .req = t->head, .lt = lt };
	int ret;

	pthread_mutex_lock(&ctx->armed_lock);
	eng_armed_del(ctx, &t->armed);
	pthread_mutex_unlock(&ctx->armed_lock);
	if (flags & ENG_RX_CANCEL) {
		/* teardown: the head is cancelled where it is */
		t->lt_res = -ECANCELED;
		lt_put(lt, true);
		return false;
	}
	/* seq_cst: pairs with the publishers' check (eng_ltimeout_fired()
	 * under the lock our search takes): one of the two sees the head. */
	atomic_store(&t->fired, true);
	ret = eng_cancel(ctx, &cd);
	/* Not found and not done: it is on its way to a worker or to the
	 * poll thread. Look again in a millisecond; its completion, if it
	 * comes first, takes the timer back and reports -ETIME for us. */
	/* seq_cst load: pairs with the head's store below. */
	if (ret == -ENOENT && !atomic_load(&t->head_done) && !lt_retry(lt))
		return false;
	t->lt_res = ret ? ret : -ETIME;
	lt_put(lt, true);
	return false;
}

/* The head goes async: the timer starts. Before the head is published,
 * so that the head's completion always finds the timer armed. */
void eng_ltimeout_arm(struct eng_req *req)
{
	struct eng_req *lt = req->ltimeout;
	struct eng_timeout *t = &lt->timeout;
	struct eng_ctx *ctx = req->ctx;

	if (t->on_timer)
		return;
	timeout_set_timer(t, lt_cb);
	t->rx.interval = 0;		/* a link timeout fires once */
	pthread_mutex_lock(&ctx->armed_lock);
	/* Relaxed: under armed_lock, before the timer can fire. */
	atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
	eng_armed_add(ctx, &t->armed, lt);
	if (eng_rx_timer_arm(ctx, &t->rx)) {
		/* no reactor (teardown): the head runs unguarded */
		eng_armed_del(ctx, &t->armed);
		atomic_fetch_sub_explicit(&t->refs, 1, memory_order_relaxed);
	} else {
		t->on_timer = true;
	}
	pthread_mutex_unlock(&ctx->armed_lock);
}

bool eng_ltimeout_fired(struct eng_req *req)
{
	/* seq_cst: the other half of lt_cb()'s store (see there). */
	return atomic_load(&req->ltimeout->timeout.fired);
}

/* The head completed (its CQE is out): the timeout is cancelled, unless
 * its timer won the race, in which case the timer's side reports it. */
void eng_ltimeout_done(struct eng_req *lt, bool in_worker)
{
	struct eng_timeout *t = &lt->timeout;
	struct eng_ctx *ctx = lt->ctx;
	bool won = false;

	pthread_mutex_lock(&ctx->armed_lock);
	if (t->on_timer && eng_rx_timer_disarm(ctx, &t->rx)) {
		eng_armed_del(ctx, &t->armed);
		won = true;
	}
	pthread_mutex_unlock(&ctx->armed_lock);
	/* seq_cst: the timer, not finding the head, must see it done. */
	atomic_store(&t->head_done, true);
	if (won) {
		/* fired already: we took back a timer that was looking for
		 * us, and the head was cancelled because of it */
		t->lt_res = atomic_load(&t->fired) ? -ETIME : -ECANCELED;
		lt_put(lt, in_worker);	/* the timer's side, ours now */
	}
	lt_put(lt, in_worker);
}

/* --- TIMEOUT_REMOVE ----------------------------------------------------- */

int eng_timeout_remove_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_timeout_remove *tr = &req->timeout_remove;

	if (sqe->buf_index || sqe->len || sqe->splice_fd_in)
		return -EINVAL;
	tr->target_ud = sqe->addr;
	tr->flags = sqe->timeout_flags;
	if (tr->flags & IORING_TIMEOUT_UPDATE_MASK) {
		if (__builtin_popcount(tr->flags & IORING_TIMEOUT_CLOCK_MASK) > 1)
			return -EINVAL;
		/* no clock, no other flag: an update keeps the clock */
		if (tr->flags & ~(IORING_TIMEOUT_UPDATE_MASK | IORING_TIMEOUT_ABS))
			return -EINVAL;
		return timeout_get_ts(sqe->addr2, &tr->ts);
	}
	return tr->flags ? -EINVAL : 0;
}

/* Under armed_lock: the armed TIMEOUT (or LINK_TIMEOUT) named @ud. */
static struct eng_req *timeout_find(struct eng_ctx *ctx, uint64_t ud,
				    uint8_t opcode)
{
	struct eng_armed *a;

	for (a = ctx->armed; a; a = a->next)
		if (a->req->opcode == opcode && a->req->user_data == ud)
			return a->req;
	return NULL;
}

/* Under armed_lock, the timer disarmed: a new deadline, armed again. */
static int timeout_rearm(struct eng_ctx *ctx, struct eng_req *treq,
			 const struct eng_timeout_remove *tr)
{
	struct eng_timeout *t = &treq->timeout;

	t->flags = (t->flags & ~IORING_TIMEOUT_ABS) |
		   (tr->flags & IORING_TIMEOUT_ABS);
	t->ts = tr->ts;
	/* As the kernel: an updated timeout no longer counts completions. */
	timeout_stop_counting(ctx, t);
	timeout_set_timer(t, t->rx.cb);
	if (treq->opcode == IORING_OP_LINK_TIMEOUT)
		t->rx.interval = 0;
	return eng_rx_timer_arm(ctx, &t->rx);
}

int eng_timeout_remove_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_timeout_remove *tr = &req->timeout_remove;
	struct eng_ctx *ctx = req->ctx;
	bool update = tr->flags & IORING_TIMEOUT_UPDATE_MASK;
	uint8_t op = (tr->flags & IORING_LINK_TIMEOUT_UPDATE) ?
		     IORING_OP_LINK_TIMEOUT : IORING_OP_TIMEOUT;
	struct eng_req *treq;
	bool cancel = false;
	int ret = 0;

	pthread_mutex_lock(&ctx->armed_lock);
	treq = timeout_find(ctx, tr->target_ud, op);
	if (!treq)
		ret = -ENOENT;
	else if (!eng_timeout_disarm(treq))
		ret = -EALREADY;	/* firing: its callback completes it */
	else if (!update || timeout_rearm(ctx, treq, tr))
		cancel = true;		/* removed, or could not re-arm */
	pthread_mutex_unlock(&ctx->armed_lock);
	if (cancel)
		treq->timeout.rx.cb(&treq->timeout.rx, ENG_RX_CANCEL);
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}
