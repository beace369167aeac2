/* SPDX-License-Identifier: MIT */
/*
 * IORING_ENTER_GETEVENTS: waiting for min_complete CQEs, with the EXT_ARG
 * timeout and sigmask. A sleeper waits in ppoll() on an eventfd of its own
 * thread, which applies the sigmask atomically with the sleep (the review
 * of the first io_uring asked exactly for that), and which no other waiter
 * can drain under it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "engine/ctx.h"
#include "util/ucopy.h"

#define ENG_KERNEL_SIGSET_SIZE 8	/* _NSIG / 8 */
#define NSEC_PER_SEC 1000000000LL

struct eng_wait_args {
	const void *sigmask;		/* the application's */
	size_t sigmask_sz;
	uint64_t mask;			/* our copy, once read */
	bool has_mask;
	int clock;			/* the ring's (IORING_REGISTER_CLOCK) */
	bool has_deadline;
	int64_t deadline;		/* on @clock, ns */
	uint32_t min_wait_usec;		/* FEAT_MIN_TIMEOUT */
	uint32_t nr_timeouts;		/* cq_timeouts when the wait began */
};

/* As the kernel: a TIMEOUT that fired since the wait began ends it, once
 * a CQE is there to reap. The counter is bumped just before the timeout's
 * CQE is posted (timeout.c): seen without a CQE, the wait goes on until
 * that CQE wakes it. */
static bool wait_timeout_fired(struct eng_ctx *ctx,
			       const struct eng_wait_args *wa)
{
	return atomic_load_explicit(&ctx->cq_timeouts, memory_order_relaxed) !=
	       wa->nr_timeouts && eng_cq_ready(ctx);
}

static int64_t now_ns(int clock)
{
	struct timespec ts;

	/* vDSO: no system call. */
	clock_gettime(clock, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int wait_set_timeout(struct eng_wait_args *wa, uint64_t uts,
			    unsigned flags)
{
	struct __kernel_timespec ts;
	__int128 v;
	int64_t ns;

	if (!uts)
		return 0;
	if (ucopy(&ts, (const void *)(uintptr_t)uts, sizeof(ts)))
		return -EFAULT;
	/* As the kernel: the timespec is not validated; an unnormalised one
	 * is just its sum, a negative one is already over. Clamped so that
	 * adding "now" cannot overflow. */
	v = (__int128)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	ns = v > INT64_MAX / 2 ? INT64_MAX / 2 : v < -(INT64_MAX / 2) ?
	     -(INT64_MAX / 2) : (int64_t)v;
	wa->has_deadline = true;
	wa->deadline = (flags & IORING_ENTER_ABS_TIMER) ? ns :
		       now_ns(wa->clock) + ns;
	return 0;
}

/*
 * Reads the enter argument as the kernel's io_get_ext_arg() does: the
 * EXT_ARG struct and its timespec now (-EINVAL for a wrong size, -EFAULT
 * for a bad pointer); the sigmask is only read once the wait must sleep
 * (wait_sigmask_read()). The engine has no registered wait region
 * (IORING_REGISTER_MEM_REGION), so EXT_ARG_REG finds nothing: -EFAULT,
 * as the kernel says without one.
 */
static int wait_parse(struct eng_ctx *ctx, unsigned flags, const void *arg,
		      size_t argsz, struct eng_wait_args *wa)
{
	struct io_uring_getevents_arg ga;

	*wa = (struct eng_wait_args){ 0 };
	/* Relaxed: REGISTER_CLOCK racing with a wait may go either way. */
	wa->clock = __atomic_load_n(&ctx->clockid, __ATOMIC_RELAXED);
	if (!(flags & IORING_ENTER_EXT_ARG)) {
		wa->sigmask = arg;
		wa->sigmask_sz = argsz;
		return 0;
	}
	if (flags & IORING_ENTER_EXT_ARG_REG)
		return argsz != sizeof(struct io_uring_reg_wait) ? -EINVAL :
								   -EFAULT;
	if (argsz != sizeof(ga))
		return -EINVAL;
	if (ucopy(&ga, arg, sizeof(ga)))
		return -EFAULT;
	wa->min_wait_usec = ga.min_wait_usec;
	wa->sigmask = (const void *)(uintptr_t)ga.sigmask;
	wa->sigmask_sz = ga.sigmask_sz;
	return wait_set_timeout(wa, ga.ts, flags);
}

/* The kernel's set_user_sigmask(), when the wait is about to sleep. */
static int wait_sigmask_read(struct eng_wait_args *wa)
{
	if (!wa->sigmask)
		return 0;
	if (wa->sigmask_sz != ENG_KERNEL_SIGSET_SIZE)
		return -EINVAL;
	if (ucopy(&wa->mask, wa->sigmask, sizeof(wa->mask)))
		return -EFAULT;
	wa->has_mask = true;
	return 0;
}

/* One eventfd per waiting thread, closed when the thread exits. */
static pthread_key_t wait_efd_key;
static pthread_once_t wait_efd_once = PTHREAD_ONCE_INIT;

static void wait_efd_close(void *p)
{
	close((int)(intptr_t)p - 1);
}

static void wait_efd_init(void)
{
	pthread_key_create(&wait_efd_key, wait_efd_close);
}

static int wait_efd(void)
{
	intptr_t v;
	int fd;

	pthread_once(&wait_efd_once, wait_efd_init);
	v = (intptr_t)pthread_getspecific(wait_efd_key);
	if (v)
		return (int)v - 1;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	pthread_setspecific(wait_efd_key, (void *)(intptr_t)(fd + 1));
	return fd;
}

static void waiter_unlink(struct eng_ctx *ctx, struct eng_waiter *me)
{
	struct eng_waiter **pw;

	for (pw = &ctx->waiters; *pw; pw = &(*pw)->next) {
		if (*pw == me) {
			*pw = me->next;
			break;
		}
	}
}

/* Sleeps until woken, *@deadline (NULL: none), or a signal: 0, -ETIME or
 * -EINTR. */
static int wait_sleep(struct eng_ctx *ctx, unsigned want,
		      const struct eng_wait_args *wa, const int64_t *deadline)
{
	struct eng_waiter me = { .want = want, .timeouts = wa->nr_timeouts };
	struct pollfd pfd = { .events = POLLIN };
	struct timespec ts, *tsp = NULL;
	eventfd_t val;
	int ret;

	me.efd = pfd.fd = wait_efd();
	if (me.efd < 0)
		return me.efd;
	if (deadline) {
		int64_t left = *deadline - now_ns(wa->clock);

		if (left <= 0)
			return -ETIME;
		ts.tv_sec = left / NSEC_PER_SEC;
		ts.tv_nsec = left % NSEC_PER_SEC;
		tsp = &ts;
	}
	pthread_mutex_lock(&ctx->cq_lock);
	if (eng_cq_ready(ctx) >= want || ctx->ovf_head ||
	    wait_timeout_fired(ctx, wa)) {
		pthread_mutex_unlock(&ctx->cq_lock);
		return 0;
	}
	me.next = ctx->waiters;
	ctx->waiters = &me;
	pthread_mutex_unlock(&ctx->cq_lock);

	/* Raw ppoll: the sigmask is the kernel's 8-byte set, as given. */
	ret = (int)syscall(SYS_ppoll, &pfd, 1, tsp,
			   wa->has_mask ? &wa->mask : NULL,
			   wa->has_mask ? ENG_KERNEL_SIGSET_SIZE : 0);
	if (ret < 0)
		ret = errno == EINTR ? -EINTR : -errno;
	else
		ret = ret ? 0 : -ETIME;

	/* Our eventfd readable and the flag set: the waker unlinked us and
	 * its one write is done (only it writes, and each sleep resets what
	 * the last left), so it touches nothing of ours any more. Skipping
	 * cq_lock here spares the futex round trip of taking it while the
	 * waker still holds it. Acquire pairs with the release in
	 * cq_wake_waiters(). */
	if (ret != 0 || !atomic_load_explicit(&me.woken, memory_order_acquire)) {
		pthread_mutex_lock(&ctx->cq_lock);
		waiter_unlink(ctx, &me);
		pthread_mutex_unlock(&ctx->cq_lock);
	}
	eventfd_read(me.efd, &val);	/* reset a wakeup we did not use */
	return ret;
}

static const int64_t *wait_deadline(const struct eng_wait_args *wa)
{
	return wa->has_deadline ? &wa->deadline : NULL;
}

/*
 * FEAT_MIN_TIMEOUT, as the kernel: wait up to min_wait_usec for the full
 * @min_complete. Then, if there is no overall timeout (or it is not later
 * than the minimum), the wait is over; else it is over if any CQE came,
 * and otherwise goes on until the overall timeout for a single CQE.
 * Returns 1 to go on waiting for one CQE, or the wait's result.
 */
static int wait_min_phase(struct eng_ctx *ctx, unsigned min_complete,
			  const struct eng_wait_args *wa)
{
	int64_t min_deadline = now_ns(wa->clock) +
			       (int64_t)wa->min_wait_usec * 1000;
	uint32_t start = __atomic_load_n(&ctx->rings->cq.tail, __ATOMIC_RELAXED);
	int ret;

	for (;;) {
		eng_flush_overflow(ctx);
		if (eng_cq_ready(ctx) >= min_complete ||
		    wait_timeout_fired(ctx, wa))
			return 0;
		ret = wait_sleep(ctx, min_complete, wa, &min_deadline);
		if (ret == -ETIME)
			break;
		if (ret)
			return ret;
	}
	if (!wa->has_deadline || min_deadline >= wa->deadline)
		return -ETIME;
	/* Relaxed: only "did the tail move" is asked. */
	if (eng_cq_ready(ctx) ||
	    __atomic_load_n(&ctx->rings->cq.tail, __ATOMIC_RELAXED) != start)
		return 0;
	return 1;
}

int eng_wait(struct eng_ctx *ctx, unsigned min_complete, unsigned flags,
	     const void *arg, size_t argsz)
{
	struct eng_wait_args wa;
	int ret = wait_parse(ctx, flags, arg, argsz, &wa);

	if (ret)
		return ret;
	wa.nr_timeouts = atomic_load_explicit(&ctx->cq_timeouts,
					      memory_order_relaxed);
	if (min_complete > ctx->cq_entries)
		min_complete = ctx->cq_entries;
	/* As the kernel: with enough CQEs there, the sigmask is not read. */
	eng_flush_overflow(ctx);
	if (eng_cq_ready(ctx) >= min_complete)
		return 0;
	ret = wait_sigmask_read(&wa);
	if (ret)
		return ret;
	if (wa.min_wait_usec) {
		ret = wait_min_phase(ctx, min_complete, &wa);
		if (ret <= 0)
			goto out;
		min_complete = 1;
	}
	for (;;) {
		eng_flush_overflow(ctx);
		if (eng_cq_ready(ctx) >= min_complete ||
		    wait_timeout_fired(ctx, &wa))
			return 0;
		ret = wait_sleep(ctx, min_complete, &wa, wait_deadline(&wa));
		if (ret)
			break;
	}
out:
	/* As the kernel: a wait cut short still succeeds if any CQE is
	 * there for the caller to reap. */
	return eng_cq_ready(ctx) ? 0 : ret;
}
