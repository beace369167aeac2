/* SPDX-License-Identifier: MIT */
/*
 * Submitting and reaping: liburing 2.15's io_uring_submit*() and
 * io_uring_wait*() family on top of route_enter().
 *
 * The application fills SQEs and reads CQEs through the inline helpers of
 * liburing.h; this file decides when a system call (or an engine call) is
 * needed at all, and makes it. Memory-order choices are explained where they
 * are made; the other side of each pair is the kernel, or src/engine/.
 */
#define LIBURING_INTERNAL 1
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "liburing.h"
#include "lib/export.h"
#include "lib/route.h"

_Static_assert(INT_FLAG_REG_RING == IORING_ENTER_REGISTERED_RING,
	       "int_flags bit must be the enter flag it stands for");
_Static_assert(INT_FLAG_NO_IOWAIT == IORING_ENTER_NO_IOWAIT,
	       "int_flags bit must be the enter flag it stands for");

/*
 * Whether waits on this ring count as iowait. The choice travels in
 * int_flags into every enter (see ring_enter()); only kernels that know
 * IORING_ENTER_NO_IOWAIT get it.
 */
AIORING_EXPORT int io_uring_set_iowait(struct io_uring *ring,
				       bool enable_iowait)
{
	if (!(ring->features & IORING_FEAT_NO_IOWAIT))
		return -EOPNOTSUPP;
	if (enable_iowait)
		ring->int_flags &= (__u8)~INT_FLAG_NO_IOWAIT;
	else
		ring->int_flags |= INT_FLAG_NO_IOWAIT;
	return 0;
}

/* One wait: what to submit, how many CQEs to wait for, and how. */
struct get_data {
	unsigned submit;
	unsigned wait_nr;
	unsigned get_flags;	/* extra enter flags when waiting */
	bool timed;		/* a timeout bounds the wait: enter only once */
	size_t sz;
	const void *arg;	/* sigmask, getevents_arg or reg-wait offset */
};

static int ring_enter(struct io_uring *ring, unsigned submit, unsigned wait_nr,
		      unsigned flags, const void *arg, size_t sz)
{
	flags |= ring->int_flags & INT_FLAGS_ENTER;
	return route_enter(ring->enter_ring_fd, submit, wait_nr, flags, arg, sz);
}

static unsigned sq_kflags(const struct io_uring *ring)
{
	/* Relaxed: the SQ flags are hints that the enter which follows
	 * re-evaluates; a stale value costs at most one extra enter. */
	return __atomic_load_n(ring->sq.kflags, __ATOMIC_RELAXED);
}

unsigned front_flush_sq(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned tail = sq->sqe_tail;

	if (sq->sqe_head != tail) {
		sq->sqe_head = tail;
		/* Release: the SQEs written by io_uring_prep_*() must be
		 * visible before the tail that hands them over. Without
		 * SQPOLL the enter that follows would order them anyway, but
		 * an SQPOLL thread, or an engine consumer on another thread,
		 * reads the tail with acquire and nothing else. */
		__atomic_store_n(sq->ktail, tail, __ATOMIC_RELEASE);
	}
	/* Relaxed: khead only tells how many SQEs are still unconsumed; no
	 * data published by the consumer is read on the strength of it. */
	return tail - __atomic_load_n(sq->khead, __ATOMIC_RELAXED);
}

/* Does submitting @submit SQEs need an enter? Sets SQ_WAKEUP if so. */
static bool sq_ring_needs_enter(struct io_uring *ring, unsigned submit,
				unsigned *flags)
{
	if (!submit)
		return false;
	if (!(ring->flags & IORING_SETUP_SQPOLL))
		return true;
	/* Full fence: the SQPOLL thread sets NEED_WAKEUP and then re-reads
	 * the tail; we stored the tail and now read NEED_WAKEUP. Without a
	 * store-load barrier on both sides each could miss the other and
	 * the new SQEs would sit until something else woke the thread. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (sq_kflags(ring) & IORING_SQ_NEED_WAKEUP) {
		*flags |= IORING_ENTER_SQ_WAKEUP;
		return true;
	}
	return false;
}

/* CQEs are parked in the overflow list, or task work must run to post them. */
static bool cq_ring_needs_flush(struct io_uring *ring)
{
	return sq_kflags(ring) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN);
}

static bool cq_ring_needs_enter(struct io_uring *ring)
{
	return (ring->int_flags & INT_FLAG_CQ_ENTER) || cq_ring_needs_flush(ring);
}

/*
 * The heart of every wait: peek, and enter while the wait is not satisfied.
 * As in liburing, the result is the number submitted by the first enter
 * (0 for a plain wait) or the first error; *cqe_ptr is the first CQE or NULL.
 */
static int get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		   struct get_data *d)
{
	struct io_uring_cqe *cqe = NULL;
	bool entered = false;
	int err = 0;

	for (;;) {
		unsigned flags = 0, avail;
		bool need_enter = false;
		int ret = __io_uring_peek_cqe(ring, &cqe, &avail);

		if (ret) {
			/* Our own TIMEOUT fired (no EXT_ARG): that is the
			 * answer, even over a count of SQEs submitted. */
			err = err < 0 ? err : ret;
			break;
		}
		if (!cqe && !d->wait_nr && !d->submit) {
			/* Nothing to wait for: enter once at most, and only
			 * if completions are stuck behind an enter. */
			if (entered || !cq_ring_needs_enter(ring)) {
				err = err ? err : -EAGAIN;
				/* An event loop polls the ring fd next: let
				 * it stop saying readable. */
				if (!entered)
					route_cq_empty(ring->ring_fd);
				break;
			}
			need_enter = true;
		}
		if (d->wait_nr > avail || need_enter) {
			flags = IORING_ENTER_GETEVENTS | d->get_flags;
			need_enter = true;
		}
		if (sq_ring_needs_enter(ring, d->submit, &flags))
			need_enter = true;
		if (!need_enter)
			break;
		if (entered && d->timed) {
			/* The timeout has had its one wait. */
			if (!cqe && !err)
				err = -ETIME;
			break;
		}
		/* The wait argument means nothing without GETEVENTS. */
		if (flags & IORING_ENTER_GETEVENTS)
			ret = ring_enter(ring, d->submit, d->wait_nr, flags,
					 d->arg, d->sz);
		else
			ret = ring_enter(ring, d->submit, d->wait_nr, flags,
					 NULL, _NSIG / 8);
		if (ret < 0) {
			err = err ? err : ret;
			break;
		}
		d->submit -= ret;
		if (cqe)
			break;
		if (!entered) {
			entered = true;
			err = ret;
		}
	}
	*cqe_ptr = cqe;
	return err;
}

AIORING_EXPORT int __io_uring_get_cqe(struct io_uring *ring,
				      struct io_uring_cqe **cqe_ptr,
				      unsigned submit, unsigned wait_nr,
				      sigset_t *sigmask)
{
	struct get_data d = {
		.submit = submit,
		.wait_nr = wait_nr,
		.sz = _NSIG / 8,
		.arg = sigmask,
	};

	return get_cqe(ring, cqe_ptr, &d);
}

/* A wait bounded by EXT_ARG (kernel 5.11+, and the engine). */
static int wait_ext_arg(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
			unsigned submit, unsigned wait_nr,
			struct __kernel_timespec *ts, unsigned min_wait_usec,
			sigset_t *sigmask)
{
	struct io_uring_getevents_arg arg = {
		.sigmask = (__u64)(uintptr_t)sigmask,
		.sigmask_sz = _NSIG / 8,
		.min_wait_usec = min_wait_usec,
		.ts = (__u64)(uintptr_t)ts,
	};
	struct get_data d = {
		.submit = submit,
		.wait_nr = wait_nr,
		.get_flags = IORING_ENTER_EXT_ARG,
		.timed = ts != NULL,
		.sz = sizeof(arg),
		.arg = &arg,
	};

	return get_cqe(ring, cqe_ptr, &d);
}

/*
 * Before EXT_ARG the only way to bound a wait was a TIMEOUT request of our
 * own; its CQE carries LIBURING_UDATA_TIMEOUT and is eaten by the peek.
 * Returns what is now in the SQ, or -errno.
 */
static int submit_timeout(struct io_uring *ring, unsigned wait_nr,
			  struct __kernel_timespec *ts)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	int ret;

	if (!sqe) {
		/* The SQ is full: make room by submitting what is there. */
		ret = io_uring_submit(ring);
		if (ret < 0)
			return ret;
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			return -EAGAIN;
	}
	io_uring_prep_timeout(sqe, ts, wait_nr, 0);
	sqe->user_data = LIBURING_UDATA_TIMEOUT;
	return (int)front_flush_sq(ring);
}

AIORING_EXPORT int io_uring_wait_cqes(struct io_uring *ring,
				      struct io_uring_cqe **cqe_ptr,
				      unsigned wait_nr,
				      struct __kernel_timespec *ts,
				      sigset_t *sigmask)
{
	int to_submit = 0;

	if (ts) {
		if (ring->features & IORING_FEAT_EXT_ARG)
			return wait_ext_arg(ring, cqe_ptr, 0, wait_nr, ts, 0,
					    sigmask);
		to_submit = submit_timeout(ring, wait_nr, ts);
		if (to_submit < 0)
			return to_submit;
	}
	return __io_uring_get_cqe(ring, cqe_ptr, (unsigned)to_submit, wait_nr,
				  sigmask);
}

/*
 * Without EXT_ARG the kernel would take the getevents argument for a
 * sigmask, so refuse here instead.
 */
AIORING_EXPORT int io_uring_wait_cqes_min_timeout(struct io_uring *ring,
						  struct io_uring_cqe **cqe_ptr,
						  unsigned wait_nr,
						  struct __kernel_timespec *ts,
						  unsigned int min_wait_usec,
						  sigset_t *sigmask)
{
	if (!(ring->features & IORING_FEAT_EXT_ARG))
		return -EINVAL;
	return wait_ext_arg(ring, cqe_ptr, 0, wait_nr, ts, min_wait_usec,
			    sigmask);
}

AIORING_EXPORT int io_uring_wait_cqe_timeout(struct io_uring *ring,
					     struct io_uring_cqe **cqe_ptr,
					     struct __kernel_timespec *ts)
{
	return io_uring_wait_cqes(ring, cqe_ptr, 1, ts, NULL);
}

AIORING_EXPORT int io_uring_submit_and_wait_timeout(struct io_uring *ring,
						    struct io_uring_cqe **cqe_ptr,
						    unsigned wait_nr,
						    struct __kernel_timespec *ts,
						    sigset_t *sigmask)
{
	int to_submit;

	if (!ts)
		return __io_uring_get_cqe(ring, cqe_ptr, front_flush_sq(ring),
					  wait_nr, sigmask);
	if (ring->features & IORING_FEAT_EXT_ARG)
		return wait_ext_arg(ring, cqe_ptr, front_flush_sq(ring),
				    wait_nr, ts, 0, sigmask);
	to_submit = submit_timeout(ring, wait_nr, ts);
	if (to_submit < 0)
		return to_submit;
	return __io_uring_get_cqe(ring, cqe_ptr, (unsigned)to_submit, wait_nr,
				  sigmask);
}

AIORING_EXPORT int io_uring_submit_and_wait_min_timeout(struct io_uring *ring,
							struct io_uring_cqe **cqe_ptr,
							unsigned wait_nr,
							struct __kernel_timespec *ts,
							unsigned min_wait,
							sigset_t *sigmask)
{
	if (!(ring->features & IORING_FEAT_MIN_TIMEOUT))
		return -EINVAL;
	return wait_ext_arg(ring, cqe_ptr, front_flush_sq(ring), wait_nr, ts,
			    min_wait, sigmask);
}

/*
 * The wait argument lives in a registered region; what is passed is its
 * offset. Its timeout is unknown here, so the wait counts as timed: one
 * enter, then -ETIME if nothing came.
 */
AIORING_EXPORT int io_uring_submit_and_wait_reg(struct io_uring *ring,
						struct io_uring_cqe **cqe_ptr,
						unsigned wait_nr, int reg_index)
{
	struct get_data d = {
		.wait_nr = wait_nr,
		.get_flags = IORING_ENTER_EXT_ARG | IORING_ENTER_EXT_ARG_REG,
		.timed = true,
		.sz = sizeof(struct io_uring_reg_wait),
	};

	if (!(ring->features & IORING_FEAT_EXT_ARG) || reg_index < 0)
		return -EINVAL;
	d.arg = (const void *)((uintptr_t)reg_index *
			       sizeof(struct io_uring_reg_wait));
	d.submit = front_flush_sq(ring);
	return get_cqe(ring, cqe_ptr, &d);
}

static int submit(struct io_uring *ring, unsigned submitted, unsigned wait_nr,
		  bool getevents)
{
	bool cq_needs_enter = getevents || wait_nr || cq_ring_needs_enter(ring);
	unsigned flags = 0;

	if (!sq_ring_needs_enter(ring, submitted, &flags) && !cq_needs_enter)
		return (int)submitted;
	if (cq_needs_enter)
		flags |= IORING_ENTER_GETEVENTS;
	return ring_enter(ring, submitted, wait_nr, flags, NULL, _NSIG / 8);
}

AIORING_EXPORT int io_uring_submit(struct io_uring *ring)
{
	return submit(ring, front_flush_sq(ring), 0, false);
}

AIORING_EXPORT int io_uring_submit_and_wait(struct io_uring *ring,
					    unsigned wait_nr)
{
	return submit(ring, front_flush_sq(ring), wait_nr, false);
}

AIORING_EXPORT int io_uring_submit_and_get_events(struct io_uring *ring)
{
	return submit(ring, front_flush_sq(ring), 0, true);
}

AIORING_EXPORT int io_uring_get_events(struct io_uring *ring)
{
	return ring_enter(ring, 0, 0, IORING_ENTER_GETEVENTS, NULL, _NSIG / 8);
}

/* Waits for SQ space (SQPOLL). */
AIORING_EXPORT int __io_uring_sqring_wait(struct io_uring *ring)
{
	return ring_enter(ring, 0, 0, IORING_ENTER_SQ_WAIT, NULL, _NSIG / 8);
}

AIORING_EXPORT struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
{
	return _io_uring_get_sqe(ring);
}

/*
 * Fills @cqes with up to @count CQEs from the head, for one
 * io_uring_cq_advance(). In a CQE_MIXED ring a batch must be uniform for
 * that advance to be right: it stops before a 32-byte CQE, and a 32-byte CQE
 * at the head is returned alone (io_uring_cqe_seen() advances it properly).
 * Padding CQEs at the head are consumed here.
 */
static unsigned collect_mixed(struct io_uring *ring, struct io_uring_cqe **cqes,
			      unsigned count, unsigned head, unsigned tail)
{
	unsigned mask = ring->cq.ring_mask, n = 0;

	while (n < count && head != tail) {
		struct io_uring_cqe *cqe = &ring->cq.cqes[head & mask];

		if (cqe->flags & IORING_CQE_F_SKIP) {
			if (n)
				break;
			head += io_uring_cqe_nr(cqe);
			io_uring_cq_advance(ring, io_uring_cqe_nr(cqe));
			continue;
		}
		if (cqe->flags & IORING_CQE_F_32) {
			if (!n)
				cqes[n++] = cqe;
			break;
		}
		cqes[n++] = cqe;
		head++;
	}
	return n;
}

static unsigned collect(struct io_uring *ring, struct io_uring_cqe **cqes,
			unsigned count)
{
	unsigned shift = (ring->flags & IORING_SETUP_CQE32) ? 1 : 0;
	unsigned mask = ring->cq.ring_mask, n;
	/* Acquire: the CQEs below the tail were written before the
	 * producer's release store of it; they are read after this load.
	 * Relaxed for khead: only this thread (the consumer) writes it. */
	unsigned tail = __atomic_load_n(ring->cq.ktail, __ATOMIC_ACQUIRE);
	unsigned head = __atomic_load_n(ring->cq.khead, __ATOMIC_RELAXED);

	if (ring->flags & IORING_SETUP_CQE_MIXED)
		return collect_mixed(ring, cqes, count, head, tail);
	if (count > tail - head)
		count = tail - head;
	for (n = 0; n < count; n++)
		cqes[n] = &ring->cq.cqes[((head + n) & mask) << shift];
	return count;
}

AIORING_EXPORT unsigned io_uring_peek_batch_cqe(struct io_uring *ring,
						struct io_uring_cqe **cqes,
						unsigned count)
{
	unsigned n = collect(ring, cqes, count);

	/* CQEs waiting in the overflow list or behind task work: one
	 * GETEVENTS enter brings them in, then look again. */
	if (n || !count || !cq_ring_needs_flush(ring))
		return n;
	ring_enter(ring, 0, 0, IORING_ENTER_GETEVENTS, NULL, _NSIG / 8);
	return collect(ring, cqes, count);
}
