/* SPDX-License-Identifier: MIT */
/*
 * The reactor: one thread per ring that waits for readiness and for time,
 * so that no worker ever blocks on either. It owns an epoll fd holding one
 * timerfd per clock (made on first use), a wake eventfd, and the fds being
 * polled.
 *
 * Ownership rule, for both kinds of entry: after arming, exactly one of
 * "fired" and "disarmed" wins. eng_rx_*_disarm() returns true if it won;
 * then the callback will never run (again) and the caller owns the entry.
 * If it returns false the callback owns the entry: it is running or about
 * to run for the last time, and the caller must not touch the entry.
 */
#ifndef AIORING_ENGINE_REACTOR_H
#define AIORING_ENGINE_REACTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct eng_ctx;
struct eng_reactor;

/* What a callback is told. */
#define ENG_RX_FIRE	1u	/* readiness / expiry */
#define ENG_RX_MORE	2u	/* multishot: the entry stays armed */
#define ENG_RX_CANCEL	4u	/* the ring is going away: never fired */

/*
 * A poll entry. @fd must be a descriptor its owner keeps open for as long
 * as the entry is armed (its own dup: epoll keys registrations by file and
 * fd number, so several entries on dups of one file never collide).
 * Multishot callbacks run under the reactor lock (flags has ENG_RX_MORE):
 * they may post a CQE and nothing else, and return false if they could not
 * (the CQ is full: eng_post_aux()), which ends the entry at once: it is
 * disarmed and called once more, unlocked, as the last. The last callback
 * runs unlocked and may do anything, including arming entries; its return
 * value is ignored.
 */
struct eng_rx_poll {
	int fd;
	uint32_t events;		/* EPOLL*; EPOLLET for edge-triggered */
	bool multishot;
	bool (*cb)(struct eng_rx_poll *p, uint32_t revents, unsigned flags);
	int state;			/* reactor-private */
	uint32_t slot;			/* reactor-private */
};

/*
 * A timer on CLOCK_MONOTONIC, CLOCK_BOOTTIME or CLOCK_REALTIME, each clock
 * served by its own timerfd, so a REALTIME deadline follows clock changes
 * as the kernel's does. A timer with @interval > 0 repeats: each expiry
 * but the last calls @cb with ENG_RX_MORE under the reactor lock (post a
 * CQE, nothing else), then it is re-armed @interval from now.
 */
struct eng_rx_timer {
	int64_t deadline;		/* ns on @clock, absolute */
	clockid_t clock;
	int64_t interval;		/* ns; 0: one shot */
	unsigned repeats;		/* with @interval: expiries left, 0 = for ever */
	bool (*cb)(struct eng_rx_timer *t, unsigned flags);	/* as a poll's */
	int state;			/* reactor-private */
	unsigned heap_idx;		/* reactor-private */
};

/* 0, or -ECANCELED once the ring is being torn down (the caller keeps
 * the entry and completes its request), or -errno. Any thread. */
int eng_rx_poll_arm(struct eng_ctx *ctx, struct eng_rx_poll *p);
bool eng_rx_poll_disarm(struct eng_ctx *ctx, struct eng_rx_poll *p);
int eng_rx_timer_arm(struct eng_ctx *ctx, struct eng_rx_timer *t);
bool eng_rx_timer_disarm(struct eng_ctx *ctx, struct eng_rx_timer *t);

int64_t eng_clock_ns(clockid_t clock);

/* True on the reactor thread while it runs a callback under its lock. */
extern __thread bool eng_rx_locked;

/* Teardown, in eng_close: shutdown stops the thread and calls every armed
 * entry's callback once with ENG_RX_CANCEL; arming fails from then on.
 * free releases what is left, after the worker pool is gone. */
void eng_rx_shutdown(struct eng_ctx *ctx);
void eng_rx_free(struct eng_ctx *ctx);

#endif
