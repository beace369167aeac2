/* SPDX-License-Identifier: MIT */
/*
 * IORING_SETUP_SQPOLL: a thread of the ring consumes the SQ, so that the
 * application submits by publishing sq.tail, without a call.
 *
 * While busy, and for sq_thread_idle ms after the last SQE, the thread
 * polls the SQ tail. The kernel's thread spins for that whole window; ours
 * spins briefly and then naps in short, growing sleeps (capped at
 * SQ_NAP_MAX_NS), so an idle-but-not-yet-asleep ring costs a few thousand
 * cheap wakeups a second, not a CPU. After the window the thread sets
 * IORING_SQ_NEED_WAKEUP and sleeps on a futex until io_uring_enter(
 * IORING_ENTER_SQ_WAKEUP) or teardown wakes it.
 *
 * The NEED_WAKEUP hand-off is a store-buffering pair: the thread sets the
 * flag and then re-reads sq.tail; the application stores sq.tail and then
 * reads the flag (src/lib/queue.c, sq_ring_needs_enter()). Each side has a
 * full fence between its store and its load, so at least one sees the
 * other: either the thread finds the new SQEs, or the application sees the
 * flag and wakes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "engine/req.h"
#include "engine/ringctl.h"

#define SQ_IDLE_DEFAULT_MS	1000	/* the kernel's default: HZ */
#define SQ_SPIN_NS		20000	/* busy-poll before napping */
#define SQ_NAP_MIN_NS		10000
#define SQ_NAP_MAX_NS		200000
#define SQ_STACK_SIZE		(256 * 1024)

struct eng_sqpoll {
	struct eng_ctx *ctx;
	pthread_t thread;
	bool started;
	int64_t idle_ns;
	int cpu;			/* IORING_SETUP_SQ_AFF, or -1 */
	atomic_uint wake_seq;		/* futex: SQ_WAKEUP and teardown */
	atomic_uint space_seq;		/* futex: SQ entries were consumed */
	atomic_uint space_waiters;	/* threads in SQ_WAIT */
	atomic_bool stop;
};

static long futex(atomic_uint *uaddr, int op, unsigned val)
{
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val, NULL,
		       NULL, 0);
}

static int64_t sq_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The kernel refuses a CPU that is not online or not ours to use. */
static int sq_cpu_check(unsigned cpu)
{
	cpu_set_t set;

	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;	/* cannot tell: let the pin be best effort */
	return CPU_ISSET(cpu, &set) ? 0 : -EINVAL;
}

/*
 * IORING_SETUP_ATTACH_WQ: checked as the kernel does (-ENXIO for a closed
 * fd, -EINVAL for anything but a ring, or for a ring without an SQ thread
 * to share when SQPOLL is asked). The engine does not share: each ring
 * keeps its own workers and SQ thread, which only costs threads. A kernel
 * ring cannot lend its io-wq to the engine: -EINVAL.
 */
static int sq_attach_check(const struct io_uring_params *p)
{
	struct eng_ctx *other;
	bool polled;

	if (!(p->flags & IORING_SETUP_ATTACH_WQ))
		return 0;
	if (fcntl((int)p->wq_fd, F_GETFD) < 0)
		return -ENXIO;
	other = eng_ctx_get((int)p->wq_fd);	/* held: it may be closing */
	if (!other)
		return -EINVAL;
	polled = other->sqpoll != NULL;
	eng_ctx_put(other);
	return (p->flags & IORING_SETUP_SQPOLL) && !polled ? -EINVAL : 0;
}

int eng_sqpoll_create(struct eng_ctx *ctx, const struct io_uring_params *p)
{
	struct eng_sqpoll *sq;
	int ret = sq_attach_check(p);

	if (ret)
		return ret;
	if (!(p->flags & IORING_SETUP_SQPOLL))
		return (p->flags & IORING_SETUP_SQ_AFF) ? -EINVAL : 0;
	if (p->flags & IORING_SETUP_SQ_AFF) {
		ret = sq_cpu_check(p->sq_thread_cpu);
		if (ret)
			return ret;
	}
	sq = calloc(1, sizeof(*sq));
	if (!sq)
		return -ENOMEM;
	sq->ctx = ctx;
	sq->idle_ns = (int64_t)(p->sq_thread_idle ? p->sq_thread_idle :
				SQ_IDLE_DEFAULT_MS) * 1000000;
	sq->cpu = (p->flags & IORING_SETUP_SQ_AFF) ? (int)p->sq_thread_cpu : -1;
	ctx->sqpoll = sq;
	return 0;
}

/* SQEs published and not consumed yet. Relaxed: a hint, re-read with
 * acquire by eng_submit() before any SQE is touched. */
static bool sq_pending(struct eng_ctx *ctx)
{
	return __atomic_load_n(&ctx->rings->sq.tail, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&ctx->rings->sq.head, __ATOMIC_RELAXED);
}

/* Wakes SQ_WAIT callers after SQ entries were consumed. */
static void sq_space_wake(struct eng_sqpoll *sq)
{
	/* Full fence: our sq.head store (in eng_submit) before the load of
	 * space_waiters; the waiter increments space_waiters (seq_cst) and
	 * then reads sq.head. One of us sees the other. */
	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(&sq->space_waiters, memory_order_relaxed))
		return;
	atomic_fetch_add(&sq->space_seq, 1);
	futex(&sq->space_seq, FUTEX_WAKE, INT_MAX);
}

static unsigned sq_submit(struct eng_sqpoll *sq)
{
	struct eng_ctx *ctx = sq->ctx;
	int n;

	if (!sq_pending(ctx))
		return 0;
	pthread_mutex_lock(&ctx->submit_lock);
	n = eng_submit(ctx, ctx->sq_entries);
	pthread_mutex_unlock(&ctx->submit_lock);
	if (n > 0)
		sq_space_wake(sq);
	return n > 0 ? (unsigned)n : 0;
}

/* Inside the idle window: spin a little, then nap a little longer each
 * time. @since_busy: the time since the last SQE. */
static void sq_pause(int64_t *nap, int64_t since_busy)
{
	struct timespec ts;

	if (since_busy < SQ_SPIN_NS) {
		__builtin_ia32_pause();
		return;
	}
	*nap = *nap ? *nap * 2 : SQ_NAP_MIN_NS;
	if (*nap > SQ_NAP_MAX_NS)
		*nap = SQ_NAP_MAX_NS;
	ts.tv_sec = 0;
	ts.tv_nsec = *nap;
	nanosleep(&ts, NULL);
}

/* After the idle window: NEED_WAKEUP, then sleep until woken. */
static void sq_sleep(struct eng_sqpoll *sq)
{
	struct eng_ctx *ctx = sq->ctx;
	/* Read before the flag goes up: a wakeup after this point changes
	 * the value, and FUTEX_WAIT then returns at once. */
	unsigned seq = atomic_load_explicit(&sq->wake_seq, memory_order_acquire);

	__atomic_fetch_or(&ctx->rings->sq_flags, IORING_SQ_NEED_WAKEUP,
			  __ATOMIC_SEQ_CST);
	/* Full fence: the flag store before the tail load (see the top). */
	atomic_thread_fence(memory_order_seq_cst);
	if (!sq_pending(ctx) && !atomic_load(&sq->stop))
		futex(&sq->wake_seq, FUTEX_WAIT, seq);
	/* Relaxed RMW: the flag is a hint; the other bits stay intact. */
	__atomic_fetch_and(&ctx->rings->sq_flags, ~IORING_SQ_NEED_WAKEUP,
			   __ATOMIC_RELAXED);
}

static void *sq_thread(void *arg)
{
	struct eng_sqpoll *sq = arg;
	int64_t busy = sq_now(), nap = 0;

	/* Acquire pairs with the release in eng_sqpoll_destroy(). */
	while (!atomic_load_explicit(&sq->stop, memory_order_acquire)) {
		int64_t idle;

		if (sq_submit(sq)) {
			busy = sq_now();
			nap = 0;
			continue;
		}
		idle = sq_now() - busy;
		if (idle < sq->idle_ns) {
			sq_pause(&nap, idle);
			continue;
		}
		sq_sleep(sq);
		busy = sq_now();
		nap = 0;
	}
	return NULL;
}

/* The thread takes no signals (they are the application's) and runs on
 * its CPU if one was asked for. */
int eng_sqpoll_start(struct eng_ctx *ctx)
{
	struct eng_sqpoll *sq = ctx->sqpoll;
	pthread_attr_t attr;
	int ret;

	if (!sq || sq->started)
		return 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SQ_STACK_SIZE);
	if (sq->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(sq->cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	ret = eng_thread_create(&sq->thread, &attr, sq_thread, sq, NULL);
	pthread_attr_destroy(&attr);
	if (ret)
		return -ret;
	sq->started = true;
	return 0;
}

void eng_sqpoll_destroy(struct eng_ctx *ctx)
{
	struct eng_sqpoll *sq = ctx->sqpoll;

	if (!sq)
		return;
	if (sq->started && !eng_forked(ctx)) {
		atomic_store_explicit(&sq->stop, true, memory_order_release);
		atomic_fetch_add(&sq->wake_seq, 1);
		futex(&sq->wake_seq, FUTEX_WAKE, INT_MAX);
		atomic_fetch_add(&sq->space_seq, 1);
		futex(&sq->space_seq, FUTEX_WAKE, INT_MAX);
		pthread_join(sq->thread, NULL);
	}
	ctx->sqpoll = NULL;
	free(sq);
}

static void sq_wake(struct eng_sqpoll *sq)
{
	/* Release: orders nothing of ours, but the bump must be a new value
	 * for a thread between its seq load and FUTEX_WAIT. */
	atomic_fetch_add_explicit(&sq->wake_seq, 1, memory_order_release);
	futex(&sq->wake_seq, FUTEX_WAKE, 1);
}

/* Acquire on both: the head is the SQ thread's release in eng_submit(),
 * the tail the application's; only the distance is used. */
static bool sq_full(struct eng_ctx *ctx)
{
	uint32_t tail = __atomic_load_n(&ctx->rings->sq.tail, __ATOMIC_ACQUIRE);
	uint32_t head = __atomic_load_n(&ctx->rings->sq.head, __ATOMIC_ACQUIRE);

	return tail - head >= ctx->sq_entries;
}

/* IORING_ENTER_SQ_WAIT: until the SQ has a free entry, or a signal. */
static void sq_wait_space(struct eng_sqpoll *sq)
{
	struct eng_ctx *ctx = sq->ctx;

	/* seq_cst RMW: a full barrier before we read sq.head (the other
	 * half of the pair in sq_space_wake()). */
	atomic_fetch_add(&sq->space_waiters, 1);
	for (;;) {
		unsigned seq = atomic_load(&sq->space_seq);

		if (!sq_full(ctx) || atomic_load(&sq->stop))
			break;
		/* A full SQ behind an asleep thread would never drain: the
		 * kernel waits all the same, we give it a nudge. */
		if (__atomic_load_n(&ctx->rings->sq_flags, __ATOMIC_RELAXED) &
		    IORING_SQ_NEED_WAKEUP)
			sq_wake(sq);
		if (futex(&sq->space_seq, FUTEX_WAIT, seq) && errno == EINTR)
			break;
	}
	atomic_fetch_sub(&sq->space_waiters, 1);
}

void eng_sqpoll_enter(struct eng_ctx *ctx, unsigned flags)
{
	struct eng_sqpoll *sq = ctx->sqpoll;

	if (flags & IORING_ENTER_SQ_WAKEUP)
		sq_wake(sq);
	if (flags & IORING_ENTER_SQ_WAIT)
		sq_wait_space(sq);
}
