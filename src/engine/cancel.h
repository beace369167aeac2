/* SPDX-License-Identifier: MIT */
/*
 * Requests that live on the reactor (POLL_ADD, TIMEOUT, LINK_TIMEOUT),
 * the ops that remove them, and cancellation: the op state that req.h's
 * union holds, and the hooks the request life cycle calls.
 */
#ifndef AIORING_ENGINE_CANCEL_H
#define AIORING_ENGINE_CANCEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "engine/reactor.h"

struct eng_req;
struct eng_ctx;
struct io_uring_sqe;

/* An armed request on ctx->armed (under ctx->armed_lock), where
 * cancellation, POLL_REMOVE and TIMEOUT_REMOVE find it. */
struct eng_armed {
	struct eng_armed *next, **pprev;
	struct eng_req *req;
};

struct eng_poll {			/* POLL_ADD */
	struct eng_armed armed;
	struct eng_rx_poll rx;
	uint32_t events;		/* POLL* as asked */
	bool multishot;
};

struct eng_poll_remove {		/* POLL_REMOVE */
	uint64_t old_ud, new_ud;
	uint32_t events;
	bool upd_events, upd_ud;
};

struct eng_timeout {			/* TIMEOUT, LINK_TIMEOUT */
	struct eng_armed armed;
	struct eng_rx_timer rx;
	int64_t ts;			/* ns, as given */
	uint32_t flags;			/* IORING_TIMEOUT_* */
	uint32_t off;			/* completions to wait for; repeats */
	uint32_t target;		/* the completion count it waits for */
	/* LINK_TIMEOUT: the request it guards, and who completes it */
	struct eng_req *head;
	atomic_int refs;		/* the head's side, the timer's side */
	atomic_bool fired;		/* the timer went off: head is cancelled */
	atomic_bool head_done;
	bool on_timer;			/* was armed (under armed_lock) */
	bool counting;			/* TIMEOUT waiting for a count */
	bool late;			/* its count starts after the submission */
	int32_t lt_res;
};

struct eng_timeout_remove {		/* TIMEOUT_REMOVE, and updates */
	uint64_t target_ud;
	uint32_t flags;
	int64_t ts;
};

/* What a cancellation looks for (the kernel's io_cancel_data). */
struct eng_cancel_cd {
	uint64_t data;
	uint32_t flags;			/* IORING_ASYNC_CANCEL_* */
	uint8_t opcode;
	dev_t dev;			/* CANCEL_FD: the file, by identity */
	ino_t ino;
	int accmode;
	struct eng_req *self;		/* never cancels itself */
	struct eng_req *req;		/* by identity (a link timeout's head) */
	struct eng_req *lt;
};

struct eng_cancel_op {			/* ASYNC_CANCEL */
	uint64_t addr;
	int32_t fd;
	uint32_t flags;
	uint8_t opcode;
};

/* cancel.c */
bool eng_cancel_match(struct eng_req *req, void *cd);
/* Finds and cancels: 0, -ENOENT, -EALREADY, or with CANCEL_ALL/ANY the
 * number cancelled. */
int eng_cancel(struct eng_ctx *ctx, struct eng_cancel_cd *cd);
int eng_cancel_fill_fd(struct eng_cancel_cd *cd, int fd);
void eng_armed_add(struct eng_ctx *ctx, struct eng_armed *a,
		   struct eng_req *req);
void eng_armed_del(struct eng_ctx *ctx, struct eng_armed *a);
int eng_sync_cancel(struct eng_ctx *ctx, const void *arg, unsigned nr);
int eng_async_cancel_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_async_cancel_issue(struct eng_req *req, unsigned issue_flags);

/* poll.c */
int eng_poll_add_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_poll_add_issue(struct eng_req *req, unsigned issue_flags);
int eng_poll_remove_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_poll_remove_issue(struct eng_req *req, unsigned issue_flags);
/* Under armed_lock: takes an armed poll off the reactor; false if it
 * fired meanwhile (its callback owns it). */
bool eng_poll_disarm(struct eng_req *req);
/* After a disarm won, armed_lock dropped: completes it -ECANCELED. */
void eng_poll_cancelled(struct eng_req *req);

/* timeout.c */
int eng_timeout_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_timeout_issue(struct eng_req *req, unsigned issue_flags);
int eng_link_timeout_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_link_timeout_issue(struct eng_req *req, unsigned issue_flags);
int eng_timeout_remove_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_timeout_remove_issue(struct eng_req *req, unsigned issue_flags);
bool eng_timeout_disarm(struct eng_req *req);
void eng_timeout_cancelled(struct eng_req *req);
/* After CQEs were posted, if count-based timeouts are pending. */
void eng_timeout_flush(struct eng_ctx *ctx);
/* The completion count that TIMEOUTs count by (the kernel's): CQEs
 * posted, less those of timeouts. */
uint32_t eng_timeout_seq(struct eng_ctx *ctx);
/* At the end of a submission, its CQEs posted: the count-based TIMEOUTs
 * that were links or drained in it start counting (see timeout_base()). */
void eng_timeout_submit_end(struct eng_ctx *ctx);
/* The life-cycle hooks of a request guarded by a LINK_TIMEOUT. */
void eng_ltimeout_attach(struct eng_req *req);
void eng_ltimeout_arm(struct eng_req *req);
bool eng_ltimeout_fired(struct eng_req *req);
void eng_ltimeout_done(struct eng_req *lt, bool in_worker);

#endif
