/* SPDX-License-Identifier: MIT */
/*
 * Ring control: the SQ polling thread (sqpoll.c), who may use a ring and
 * how (restrict.c: setup flags, SINGLE_ISSUER, R_DISABLED, restrictions,
 * personalities, the wait clock), registered ring fds (ringfd.c) and
 * messages between rings (msg_ring.c).
 */
#ifndef AIORING_ENGINE_RINGCTL_H
#define AIORING_ENGINE_RINGCTL_H

#include "engine/ctx.h"

struct eng_req;

/* --- sqpoll.c ----------------------------------------------------------- */

/* Setup: validates the SQPOLL parameters of @p and makes ctx->sqpoll (the
 * thread starts with eng_sqpoll_start()). 0 or -errno. */
int eng_sqpoll_create(struct eng_ctx *ctx, const struct io_uring_params *p);
int eng_sqpoll_start(struct eng_ctx *ctx);
/* Teardown: stops and joins the thread, frees ctx->sqpoll. In a forked
 * child there is no thread: only the memory goes. */
void eng_sqpoll_destroy(struct eng_ctx *ctx);
/* io_uring_enter on an SQPOLL ring: SQ_WAKEUP and SQ_WAIT. */
void eng_sqpoll_enter(struct eng_ctx *ctx, unsigned flags);

/* --- restrict.c --------------------------------------------------------- */

/* Setup: the flag combinations the kernel refuses, and IORING_SETUP_
 * ATTACH_WQ's descriptor. 0 or -EINVAL / -ENXIO. */
int eng_setup_flags_check(const struct io_uring_params *p);
/* Setup: the ring's initial state for SINGLE_ISSUER and R_DISABLED. */
void eng_setup_flags_apply(struct eng_ctx *ctx);
/* io_uring_enter's gate: -EBADFD (disabled), -EEXIST (not the issuer). */
int eng_enter_check(struct eng_ctx *ctx, unsigned to_submit, unsigned flags);
/* io_uring_register's gate, under submit_lock: -EEXIST, -EACCES. */
int eng_register_check(struct eng_ctx *ctx, unsigned opcode);
/* The register opcodes of restrict.c, under submit_lock; -EINVAL for
 * the ones it does not handle. */
int eng_restrict_register(struct eng_ctx *ctx, unsigned opcode, void *arg,
			  unsigned nr);
/* submit, on a restricted ring: an SQE the restrictions allow (0) or not
 * (-EACCES). Under submit_lock. */
int eng_restrict_sqe(struct eng_ctx *ctx, const struct io_uring_sqe *sqe);
/* personality.c, under submit_lock: IORING_(UN)REGISTER_PERSONALITY; an
 * SQE's personality, whose credentials @req takes (0), or -EINVAL. */
struct eng_req;
int eng_personality_register(struct eng_ctx *ctx, unsigned opcode, void *arg,
			     unsigned nr);
int eng_personality_apply(struct eng_ctx *ctx, struct eng_req *req,
			  unsigned id);
void eng_personality_free(struct eng_ctx *ctx);
/* Teardown. */
void eng_restrict_free(struct eng_ctx *ctx);

static inline bool eng_disabled(struct eng_ctx *ctx)
{
	/* Acquire pairs with the release in ENABLE_RINGS: a ring seen enabled
	 * has its submitter and restrictions in place. */
	return atomic_load_explicit(&ctx->disabled, memory_order_acquire);
}

/* --- ringfd.c ----------------------------------------------------------- */

/* IORING_REGISTER_RING_FDS (@add) and IORING_UNREGISTER_RING_FDS. */
int eng_ringfd_register(void *arg, unsigned nr, bool add);

/* --- msg_ring.c --------------------------------------------------------- */

int eng_msg_ring_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_msg_ring_issue(struct eng_req *req, unsigned issue_flags);

#endif
