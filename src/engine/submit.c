/* SPDX-License-Identifier: MIT */
/*
 * The submission side of io_uring_enter(): SQEs are consumed in order, each
 * prepared (validated and copied: FEAT_SUBMIT_STABLE), linked into its
 * chain, and run on the spot without blocking (req.c). Whatever completes
 * is gathered into one batch of CQEs; whatever would block is punted to the
 * worker pool, which is woken once for the whole batch.
 */
#include <errno.h>
#include "engine/req.h"
#include "engine/ringctl.h"

#define ENG_SQE_FLAGS (IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC | \
		       IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_DRAIN | \
		       IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT)
#define ENG_LINK_FLAGS (IOSQE_IO_LINK | IOSQE_IO_HARDLINK)

/*
 * As the kernel's io_init_drain(): a drained request puts the ring in
 * drain mode (drain.c). One in the middle of a chain drains the chain's
 * head instead, and the request after the chain: chains run in order, so
 * that keeps the drain for every member.
 */
static void submit_init_drain(struct eng_ctx *ctx)
{
	ctx->drain_active = true;
	if (ctx->link_head) {
		ctx->link_head->sqe_flags |= IOSQE_IO_DRAIN;
		ctx->drain_next = true;
	}
}

/* As the kernel's io_init_req(): the checks every op shares, then prep. */
static int req_init(struct eng_ctx *ctx, struct eng_req *req,
		    const struct io_uring_sqe *sqe)
{
	const struct eng_opdef *def;

	req->ctx = ctx;
	req->def = NULL;
	req->link = NULL;
	req->flags = 0;
	req->user_data = sqe->user_data;
	req->opcode = sqe->opcode;
	req->sqe_flags = sqe->flags;
	req->fd = sqe->fd;
	req->own_fd = false;
	req->fdi = 0;
	req->file_node = NULL;	/* IOSQE_FIXED_FILE: resolved at issue */
	req->buf_node = NULL;
	req->ltimeout = NULL;
	req->cred = NULL;	/* the submitter's */
	req->res = 0;
	req->cflags = 0;

	def = eng_opdef(sqe->opcode);
	if (!def)
		return -EINVAL;
	/* The first request after a chain with a drained member in it is
	 * drained too (see submit_init_drain()). */
	if (ctx->drain_next && !ctx->link_head) {
		ctx->drain_next = false;
		ctx->drain_active = true;
		req->sqe_flags |= IOSQE_IO_DRAIN;
	}
	if (sqe->flags & ~ENG_SQE_FLAGS)
		return -EINVAL;
	if (sqe->flags & IOSQE_BUFFER_SELECT) {
		if (!def->buffer_select)
			return -EOPNOTSUPP;
		req->buf_group = sqe->buf_group;
	}
	if (sqe->flags & IOSQE_CQE_SKIP_SUCCESS)
		ctx->drain_disabled = true;
	if (sqe->flags & IOSQE_IO_DRAIN) {
		if (ctx->drain_disabled)
			return -EOPNOTSUPP;
		submit_init_drain(ctx);
	}
	/* restrictions (-EACCES): restrict.c; personalities (-EINVAL, or
	 * the credentials it runs with): personality.c */
	if (ctx->restricted) {
		int ret = eng_restrict_sqe(ctx, sqe);

		if (ret)
			return ret;
	}
	if (sqe->personality) {
		int ret = eng_personality_apply(ctx, req, sqe->personality);

		if (ret)
			return ret;
	}
	if (sqe->ioprio && !def->ioprio)
		return -EINVAL;
	/* Set only now: a request failed before its prep ran must not have
	 * its cleanup run on the op state of an earlier request. */
	req->def = def;
	return def->prep(req, sqe);
}

/*
 * A request that failed its checks. Outside a chain it completes with the
 * error and, without SUBMIT_ALL, ends the submission. Inside a chain, as in
 * the kernel, the chain is still assembled, its head is marked failed
 * (-ECANCELED), and the whole chain is failed once it is complete.
 */
static void submit_fail(struct eng_ctx *ctx, struct eng_req *req, int err)
{
	const struct eng_opdef *def = req->def;

	/* prep may have taken resources: cleanup gives them back */
	req->def = def && def->cleanup ? def : NULL;
	eng_req_set_res(req, err, 0);
	req->flags |= ENG_REQ_F_FAIL;
	/* a failed link's CQE has no flags (SEND_ZC: no F_MORE), its head's
	 * goes the way of any failed request */
	if (ctx->link_head)
		req->flags &= ~ENG_REQ_F_NOTIF_MORE;
	if (ctx->link_head && !(ctx->link_head->flags & ENG_REQ_F_FAIL)) {
		eng_req_set_res(ctx->link_head, -ECANCELED, 0);
		ctx->link_head->flags |= ENG_REQ_F_FAIL;
	}
}

/* Runs a request or a whole chain, unless a drain holds it back. */
static void submit_queue(struct eng_ctx *ctx, struct eng_req *head, unsigned nr)
{
	if (!eng_drain_defer(ctx, head, nr))
		eng_req_submit(head);
}

/* Closes the open chain and queues it. */
static void submit_chain_end(struct eng_ctx *ctx)
{
	struct eng_req *head = ctx->link_head;

	ctx->link_head = NULL;
	submit_queue(ctx, head, ctx->link_nr);
}

/* Adds @req to the open chain, or queues it (and a chain it closes). */
static void submit_link(struct eng_ctx *ctx, struct eng_req *req)
{
	if (ctx->link_head) {
		ctx->link_tail->link = req;
		ctx->link_tail = req;
		ctx->link_nr++;
		if (!(req->sqe_flags & ENG_LINK_FLAGS))
			submit_chain_end(ctx);
		return;
	}
	if (req->sqe_flags & ENG_LINK_FLAGS) {
		ctx->link_head = ctx->link_tail = req;
		ctx->link_nr = 1;
		return;
	}
	submit_queue(ctx, req, 1);
}

/* Returns false if submission must stop after this SQE. */
static bool submit_sqe(struct eng_ctx *ctx, struct eng_req *req,
		       const struct io_uring_sqe *sqe)
{
	bool go_on = true;
	int ret;

	ret = req_init(ctx, req, sqe);
	if (ret) {
		submit_fail(ctx, req, ret);
		/* As the kernel: a failed SQE that links on keeps the chain
		 * (and the submission) going; one that does not, ends it. */
		go_on = req->sqe_flags & ENG_LINK_FLAGS;
	}
	submit_link(ctx, req);
	if (ctx->submit_stop) {
		ctx->submit_stop = false;
		go_on = false;
	}
	return go_on || (ctx->setup_flags & IORING_SETUP_SUBMIT_ALL);
}

/* The next SQE, or NULL for an index out of range (counted as dropped). */
static const struct io_uring_sqe *sq_next(struct eng_ctx *ctx)
{
	uint32_t idx = ctx->cached_sq_head++ & ctx->sq_mask;

	if (ctx->sq_array) {
		idx = __atomic_load_n(&ctx->sq_array[idx], __ATOMIC_RELAXED);
		if (idx >= ctx->sq_entries) {
			__atomic_store_n(&ctx->rings->sq_dropped,
					 ctx->rings->sq_dropped + 1,
					 __ATOMIC_RELAXED);
			return NULL;
		}
	}
	return &ctx->sqes[idx << ctx->sqe_shift];	/* SQE128: 2 slots */
}

/* Under submit_lock. Returns the number of SQEs submitted, or -EAGAIN if
 * there was no memory for the first one. */
int eng_submit(struct eng_ctx *ctx, unsigned to_submit)
{
	/* Acquire pairs with the application's release of sq.tail: the SQE
	 * contents it wrote are visible before we read them. */
	uint32_t tail = __atomic_load_n(&ctx->rings->sq.tail, __ATOMIC_ACQUIRE);
	unsigned avail = tail - ctx->cached_sq_head, submitted = 0;
	const struct io_uring_sqe *sqe;
	struct eng_req *req;
	int ret = 0;

	if (avail > ctx->sq_entries)
		avail = ctx->sq_entries;	/* a corrupt tail: be bounded */
	if (to_submit > avail)
		to_submit = avail;
	ctx->submit_seq = eng_timeout_seq(ctx);
	while (submitted < to_submit) {
		sqe = sq_next(ctx);
		if (!sqe)
			break;
		req = eng_req_alloc(ctx);
		if (!req) {
			/* As the kernel: the SQE stays in the ring for the
			 * next call, and none taken says -EAGAIN. */
			ctx->cached_sq_head--;
			if (!submitted)
				ret = -EAGAIN;
			break;
		}
		submitted++;
		if (!submit_sqe(ctx, req, sqe))
			break;
	}
	/* A chain left open at the end of a submission runs as it is. */
	if (ctx->link_head)
		submit_chain_end(ctx);
	ctx->submit_seq = -1;
	/* Release: we are done reading those SQEs before the application may
	 * reuse their slots. */
	__atomic_store_n(&ctx->rings->sq.head, ctx->cached_sq_head,
			 __ATOMIC_RELEASE);
	eng_req_flush_batch(ctx);
	if (ctx->nr_late_timeouts)
		eng_timeout_submit_end(ctx);
	if (ctx->nr_punted) {
		ctx->nr_punted = 0;
		eng_wq_kick(ctx->wq, ctx->sub_cred);
	}
	eng_sub_cred_drop(ctx);
	return ret ? ret : (int)submitted;
}
