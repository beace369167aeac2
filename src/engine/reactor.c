/* SPDX-License-Identifier: MIT */
/*
 * The reactor (see reactor.h): one thread per ring, started on first
 * need, waiting in epoll_wait for the polled fds, one timerfd per clock
 * and a wake eventfd.
 *
 * epoll hands back events by value, and an entry may be disarmed and freed
 * by another thread between epoll_wait returning and us looking at it. So
 * the event data is never a pointer: it is a slot index plus a generation,
 * checked under the lock against the slot table before the entry is used.
 *
 * The thread takes one entry at a time (claim under the lock, then call
 * the callback unlocked), so a callback that disarms another entry never
 * finds it claimed-but-not-yet-called behind its own back on this thread.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "engine/ctx.h"
#include "engine/cred.h"
#include "engine/cancel.h"
#include "engine/reactor.h"

#define NSEC_PER_SEC	1000000000LL
#define RX_NR_CLOCKS	3
#define RX_TAG_WAKE	(~0ull)
#define RX_TAG_CLOCK	(~0ull - 1)	/* minus the clock's index */
#define RX_STACK_SIZE	(256 * 1024)

enum { RX_IDLE, RX_ARMED, RX_FIRED, RX_DISARMED };

struct rx_slot {
	struct eng_rx_poll *p;		/* NULL: free */
	uint32_t gen;
	uint32_t next_free;
};

struct rx_clock {
	clockid_t id;
	int tfd;			/* -1 until first used */
	struct eng_rx_timer **heap;	/* min-heap on deadline */
	unsigned nr, cap;
	int64_t programmed;		/* the timerfd's deadline, or INT64_MAX */
};

struct eng_reactor {
	struct eng_ctx *ctx;
	pthread_mutex_t lock;
	int epfd, wake_fd;
	pthread_t thread;
	bool exiting;
	struct rx_slot *slots;
	uint32_t nr_slots, free_slot;	/* free list head; nr_slots: none */
	struct rx_clock clk[RX_NR_CLOCKS];
};

static pthread_mutex_t rx_create_lock = PTHREAD_MUTEX_INITIALIZER;
__thread bool eng_rx_locked;

int64_t eng_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* --- timer heap, under the lock ------------------------------------------ */

static void heap_set(struct rx_clock *c, unsigned i, struct eng_rx_timer *t)
{
	c->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct rx_clock *c, unsigned i)
{
	struct eng_rx_timer *t = c->heap[i];

	while (i && c->heap[(i - 1) / 2]->deadline > t->deadline) {
		heap_set(c, i, c->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(c, i, t);
}

static void heap_down(struct rx_clock *c, unsigned i)
{
	struct eng_rx_timer *t = c->heap[i];

	for (;;) {
		unsigned l = 2 * i + 1, m = l;

		if (l >= c->nr)
			break;
		if (l + 1 < c->nr && c->heap[l + 1]->deadline < c->heap[l]->deadline)
			m = l + 1;
		if (c->heap[m]->deadline >= t->deadline)
			break;
		heap_set(c, i, c->heap[m]);
		i = m;
	}
	heap_set(c, i, t);
}

static int heap_push(struct rx_clock *c, struct eng_rx_timer *t)
{
	if (c->nr == c->cap) {
		unsigned cap = c->cap ? 2 * c->cap : 16;
		void *v = realloc(c->heap, cap * sizeof(*c->heap));

		if (!v)
			return -ENOMEM;
		c->heap = v;
		c->cap = cap;
	}
	heap_set(c, c->nr++, t);
	heap_up(c, c->nr - 1);
	return 0;
}

static void heap_remove(struct rx_clock *c, struct eng_rx_timer *t)
{
	unsigned i = t->heap_idx;
	struct eng_rx_timer *last = c->heap[--c->nr];

	if (i == c->nr)
		return;
	heap_set(c, i, last);
	heap_up(c, i);
	heap_down(c, last->heap_idx);
}

/* Points the clock's timerfd at its earliest deadline. */
static void clock_program(struct rx_clock *c)
{
	int64_t when = c->nr ? c->heap[0]->deadline : INT64_MAX;
	struct itimerspec its = { 0 };

	if (when == c->programmed || c->tfd < 0)
		return;
	c->programmed = when;
	if (when != INT64_MAX) {
		/* 0 would disarm the timerfd: a past deadline is 1 ns. */
		if (when <= 0)
			when = 1;
		its.it_value.tv_sec = when / NSEC_PER_SEC;
		its.it_value.tv_nsec = when % NSEC_PER_SEC;
	}
	timerfd_settime(c->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static struct rx_clock *rx_clock_of(struct eng_reactor *r, clockid_t id)
{
	for (int i = 0; i < RX_NR_CLOCKS; i++)
		if (r->clk[i].id == id)
			return &r->clk[i];
	return NULL;
}

/* Under the lock: the clock's timerfd, made on first use. */
static int clock_open(struct eng_reactor *r, struct rx_clock *c)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (c->tfd >= 0)
		return 0;
	fd = timerfd_create(c->id, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	ev.data.u64 = RX_TAG_CLOCK - (uint64_t)(c - r->clk);
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		close(fd);
		return err;
	}
	c->tfd = fd;
	return 0;
}

static void rx_slot_put(struct eng_reactor *r, uint32_t idx)
{
	r->slots[idx].p = NULL;
	r->slots[idx].next_free = r->free_slot;
	r->free_slot = idx;
}

/*
 * Under the lock: a multishot callback (it only posts a CQE). False: it
 * could not, and the entry must end now.
 */
static bool rx_call_locked(struct eng_rx_poll *p, struct eng_rx_timer *t,
			   uint32_t ev)
{
	bool more;

	eng_rx_locked = true;
	more = p ? p->cb(p, ev, ENG_RX_FIRE | ENG_RX_MORE)
		 : t->cb(t, ENG_RX_FIRE | ENG_RX_MORE);
	eng_rx_locked = false;
	return more;
}

/* After a multishot callback, unlocked: a CQE may complete count-based
 * timeouts, whose disarm needs the lock that callback ran under. */
static void rx_after_locked(struct eng_reactor *r)
{
	/* Relaxed: only a hint; the flush re-reads under armed_lock. */
	if (atomic_load_explicit(&r->ctx->nr_seq_timeouts, memory_order_relaxed))
		eng_timeout_flush(r->ctx);
}

/* --- the thread ------------------------------------------------------------ */

static void rx_poll_event(struct eng_reactor *r, uint64_t data, uint32_t ev)
{
	uint32_t idx = (uint32_t)data, gen = (uint32_t)(data >> 32);
	struct eng_rx_poll *p;

	pthread_mutex_lock(&r->lock);
	if (idx >= r->nr_slots || r->slots[idx].gen != gen ||
	    !(p = r->slots[idx].p) || p->state != RX_ARMED) {
		pthread_mutex_unlock(&r->lock);
		return;			/* disarmed since: stale event */
	}
	if (p->multishot && rx_call_locked(p, NULL, ev)) {
		pthread_mutex_unlock(&r->lock);
		rx_after_locked(r);
		return;
	}
	p->state = RX_FIRED;
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, p->fd, NULL);
	rx_slot_put(r, idx);
	pthread_mutex_unlock(&r->lock);
	p->cb(p, ev, ENG_RX_FIRE);
}

/* Fires the clock's due timers, one at a time. */
static void rx_clock_expire(struct eng_reactor *r, struct rx_clock *c)
{
	struct eng_rx_timer *t;
	uint64_t ticks;
	int tfd;

	/* A fired timerfd is disarmed until programmed again. tfd is set
	 * under the lock, just after its epoll registration. */
	pthread_mutex_lock(&r->lock);
	c->programmed = INT64_MAX;
	tfd = c->tfd;
	pthread_mutex_unlock(&r->lock);
	(void)!read(tfd, &ticks, sizeof(ticks));
	for (;;) {
		pthread_mutex_lock(&r->lock);
		t = c->nr ? c->heap[0] : NULL;
		if (!t || t->deadline > eng_clock_ns(c->id)) {
			clock_program(c);
			pthread_mutex_unlock(&r->lock);
			return;
		}
		heap_remove(c, t);
		if (t->interval && t->repeats != 1 && rx_call_locked(NULL, t, 0)) {
			if (t->repeats)
				t->repeats--;
			t->deadline = eng_clock_ns(c->id) + t->interval;
			/* The heap has room: @t was in it a moment ago. */
			heap_push(c, t);
			pthread_mutex_unlock(&r->lock);
			rx_after_locked(r);
			continue;
		}
		t->state = RX_FIRED;
		pthread_mutex_unlock(&r->lock);
		t->cb(t, ENG_RX_FIRE);
	}
}

static void *rx_thread(void *arg)
{
	struct eng_reactor *r = arg;
	struct epoll_event evs[64];
	uint64_t val;
	int n, i;

	for (;;) {
		n = epoll_wait(r->epfd, evs, 64, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;

			if (d == RX_TAG_WAKE)
				(void)!read(r->wake_fd, &val, sizeof(val));
			else if (d > RX_TAG_CLOCK - RX_NR_CLOCKS)
				rx_clock_expire(r, &r->clk[RX_TAG_CLOCK - d]);
			else
				rx_poll_event(r, d, evs[i].events);
		}
		pthread_mutex_lock(&r->lock);
		bool exiting = r->exiting;
		pthread_mutex_unlock(&r->lock);
		if (exiting)
			break;
	}
	return NULL;
}

/* --- creation and teardown -------------------------------------------------- */

static void rx_destroy(struct eng_reactor *r)
{
	for (int i = 0; i < RX_NR_CLOCKS; i++) {
		if (r->clk[i].tfd >= 0)
			close(r->clk[i].tfd);
		free(r->clk[i].heap);
	}
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->wake_fd >= 0)
		close(r->wake_fd);
	free(r->slots);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The reactor and its thread; NULL with *err set (-EAGAIN: no thread
 * can be created, RLIMIT_NPROC; -EMFILE: no descriptor left). */
static struct eng_reactor *rx_create(struct eng_ctx *ctx, int *err)
{
	static const clockid_t ids[RX_NR_CLOCKS] = {
		CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME,
	};
	struct eng_reactor *r = calloc(1, sizeof(*r));
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = RX_TAG_WAKE };
	pthread_attr_t attr;
	int ret;

	*err = -ENOMEM;
	if (!r)
		return NULL;
	r->ctx = ctx;
	pthread_mutex_init(&r->lock, NULL);
	for (int i = 0; i < RX_NR_CLOCKS; i++) {
		r->clk[i].id = ids[i];
		r->clk[i].tfd = -1;
		r->clk[i].programmed = INT64_MAX;
	}
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->epfd < 0 || r->wake_fd < 0 ||
	    epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->wake_fd, &ev)) {
		*err = -errno;		/* -EMFILE: RLIMIT_NOFILE */
		rx_destroy(r);
		return NULL;
	}
	/* The thread takes no signals: those are the application's. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, RX_STACK_SIZE);
	ret = eng_thread_create(&r->thread, &attr, rx_thread, r, NULL);
	pthread_attr_destroy(&attr);
	if (ret) {
		*err = -ret;
		rx_destroy(r);
		return NULL;
	}
	return r;
}

/*
 * The ring's reactor, started on first need; NULL if it cannot be, with
 * *err: -ECANCELED once the ring is torn down, or why it could not be
 * made (tried again at the next arm).
 */
static struct eng_reactor *rx_get(struct eng_ctx *ctx, int *err)
{
	/* Acquire pairs with the release below: a reactor seen is a
	 * reactor fully made. */
	struct eng_reactor *r = atomic_load_explicit(&ctx->reactor,
						     memory_order_acquire);

	if (r)
		return r;
	pthread_mutex_lock(&rx_create_lock);
	r = atomic_load_explicit(&ctx->reactor, memory_order_relaxed);
	*err = -ECANCELED;
	if (!r && !ctx->reactor_dead) {
		r = rx_create(ctx, err);
		atomic_store_explicit(&ctx->reactor, r, memory_order_release);
	}
	pthread_mutex_unlock(&rx_create_lock);
	return r;
}

static void rx_wake(struct eng_reactor *r)
{
	eventfd_write(r->wake_fd, 1);
}

/* --- the API ------------------------------------------------------------------ */

/* Under the lock: a slot for @p, growing the table as needed. */
static int rx_slot_get(struct eng_reactor *r, struct eng_rx_poll *p)
{
	uint32_t idx = r->free_slot;

	if (idx == r->nr_slots) {
		uint32_t nr = r->nr_slots ? 2 * r->nr_slots : 64;
		struct rx_slot *v = realloc(r->slots, nr * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (uint32_t i = r->nr_slots; i < nr; i++)
			v[i] = (struct rx_slot){ .next_free = i + 1 };
		r->slots = v;
		r->nr_slots = nr;
		/* the free list ends at nr_slots, as it did before */
	}
	r->free_slot = r->slots[idx].next_free;
	r->slots[idx].p = p;
	r->slots[idx].gen++;
	p->slot = idx;
	return 0;
}

int eng_rx_poll_arm(struct eng_ctx *ctx, struct eng_rx_poll *p)
{
	struct epoll_event ev;
	int ret;
	struct eng_reactor *r = rx_get(ctx, &ret);

	if (!r)
		return ret;
	pthread_mutex_lock(&r->lock);
	ret = r->exiting ? -ECANCELED : rx_slot_get(r, p);
	if (!ret) {
		ev.events = p->events | (p->multishot ? 0 : EPOLLONESHOT);
		ev.data.u64 = (uint64_t)r->slots[p->slot].gen << 32 | p->slot;
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, p->fd, &ev)) {
			ret = -errno;
			rx_slot_put(r, p->slot);
		} else {
			p->state = RX_ARMED;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

bool eng_rx_poll_disarm(struct eng_ctx *ctx, struct eng_rx_poll *p)
{
	/* Acquire: pairs with rx_get()'s release (an armed entry implies
	 * the reactor was published before). */
	struct eng_reactor *r = atomic_load_explicit(&ctx->reactor,
						     memory_order_acquire);
	bool won = false;

	if (!r)
		return false;
	pthread_mutex_lock(&r->lock);
	if (p->state == RX_ARMED) {
		p->state = RX_DISARMED;
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, p->fd, NULL);
		rx_slot_put(r, p->slot);
		won = true;
	}
	pthread_mutex_unlock(&r->lock);
	return won;
}

int eng_rx_timer_arm(struct eng_ctx *ctx, struct eng_rx_timer *t)
{
	struct rx_clock *c;
	int ret;
	struct eng_reactor *r = rx_get(ctx, &ret);

	if (!r)
		return ret;
	c = rx_clock_of(r, t->clock);
	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&r->lock);
	ret = r->exiting ? -ECANCELED : clock_open(r, c);
	if (!ret)
		ret = heap_push(c, t);
	if (!ret) {
		t->state = RX_ARMED;
		/* Only an earlier head needs the timerfd moved: a later
		 * one is found when the current head expires. */
		if (t->deadline < c->programmed)
			clock_program(c);
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

bool eng_rx_timer_disarm(struct eng_ctx *ctx, struct eng_rx_timer *t)
{
	/* Acquire: as in eng_rx_poll_disarm(). */
	struct eng_reactor *r = atomic_load_explicit(&ctx->reactor,
						     memory_order_acquire);
	bool won = false;

	if (!r)
		return false;
	pthread_mutex_lock(&r->lock);
	if (t->state == RX_ARMED) {
		t->state = RX_DISARMED;
		heap_remove(rx_clock_of(r, t->clock), t);
		won = true;
	}
	pthread_mutex_unlock(&r->lock);
	return won;
}

/*
 * Takes one armed entry off the reactor and cancels it, until none is
 * left. One at a time, without the lock across the callback: it may
 * complete a request whose chain tries (and fails) to arm another.
 */
static void rx_cancel_all(struct eng_reactor *r)
{
	uint32_t i = 0;

	for (;;) {
		struct eng_rx_poll *p = NULL;
		struct eng_rx_timer *t = NULL;

		pthread_mutex_lock(&r->lock);
		for (; i < r->nr_slots && !p; i++) {
			p = r->slots[i].p;
			if (p) {
				p->state = RX_DISARMED;
				epoll_ctl(r->epfd, EPOLL_CTL_DEL, p->fd, NULL);
				rx_slot_put(r, i);
			}
		}
		for (int k = 0; k < RX_NR_CLOCKS && !p && !t; k++) {
			if (r->clk[k].nr) {
				t = r->clk[k].heap[0];
				heap_remove(&r->clk[k], t);
				t->state = RX_DISARMED;
			}
		}
		pthread_mutex_unlock(&r->lock);
		if (p)
			p->cb(p, 0, ENG_RX_CANCEL);
		else if (t)
			t->cb(t, ENG_RX_CANCEL);
		else
			return;
	}
}

void eng_rx_shutdown(struct eng_ctx *ctx)
{
	struct eng_reactor *r;

	/* From here on no reactor is started for this ring. */
	pthread_mutex_lock(&rx_create_lock);
	ctx->reactor_dead = true;
	r = atomic_load_explicit(&ctx->reactor, memory_order_acquire);
	pthread_mutex_unlock(&rx_create_lock);
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->exiting = true;
	pthread_mutex_unlock(&r->lock);
	rx_wake(r);
	pthread_join(r->thread, NULL);
	/* The thread is gone: nothing fires any more. Arming fails, so the
	 * callbacks cannot add entries behind our back. */
	rx_cancel_all(r);
}

void eng_rx_free(struct eng_ctx *ctx)
{
	/* seq_cst exchange: teardown, after every other thread is gone. */
	struct eng_reactor *r = atomic_exchange(&ctx->reactor, NULL);

	if (r)
		rx_destroy(r);
}
