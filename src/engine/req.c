/* SPDX-License-Identifier: MIT */
/*
 * A request from issue to completion: running it (inline first, or in a
 * worker), punting it, completing it, and advancing or failing its link
 * chain. Runs on the submitter and on workers alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "engine/apoll.h"
#include "engine/fdinfo.h"
#include "engine/req.h"
#include "engine/rsrc.h"


struct eng_req *eng_req_alloc(struct eng_ctx *ctx)
{
	struct eng_req *req = ctx->req_cache;

	if (!req) {
		/* Acquire pairs with the release in req_free_remote(). */
		req = atomic_exchange_explicit(&ctx->req_returned, NULL,
					       memory_order_acquire);
		if (!req)
			return malloc(sizeof(*req));
	}
	ctx->req_cache = req->next;
	return req;
}

/* Any thread: hands the request back to the submitter's cache. */
static void req_free_remote(struct eng_ctx *ctx, struct eng_req *req)
{
	struct eng_req *head = atomic_load_explicit(&ctx->req_returned,
						    memory_order_relaxed);

	do {
		req->next = head;
	} while (!atomic_compare_exchange_weak_explicit(&ctx->req_returned,
			&head, req, memory_order_release, memory_order_relaxed));
}

static void req_free(struct eng_req *req, bool in_worker)
{
	struct eng_ctx *ctx = req->ctx;

	if (in_worker) {
		req_free_remote(ctx, req);
		return;
	}
	req->next = ctx->req_cache;
	ctx->req_cache = req;
}

static bool req_failed(const struct eng_req *req)
{
	return (req->res < 0 && !(req->flags & ENG_REQ_F_RES_OK)) ||
	       (req->flags & ENG_REQ_F_FAIL);
}

/* One CQE: into the submitter's batch, or posted from any other thread. */
static void req_cqe(struct eng_ctx *ctx, uint64_t user_data, int32_t res,
		    uint32_t cflags, bool in_worker)
{
	if (in_worker) {
		eng_post_cqe(ctx, user_data, res, cflags, true);
		return;
	}
	if (ctx->nr_batch == ENG_CQE_BATCH)
		eng_post_batch(ctx);
	ctx->batch[ctx->nr_batch++] = (struct io_uring_cqe){
		.user_data = user_data, .res = res, .flags = cflags,
	};
}

/* Posts the CQE (unless CQE_SKIP_SUCCESS hides a success) and frees. */
static void req_post(struct eng_req *req, bool in_worker)
{
	struct eng_ctx *ctx = req->ctx;

	if (req->def && req->def->cleanup)
		req->def->cleanup(req);
	if (req->own_fd)
		close(req->fd);
	if ((req->flags & ENG_REQ_F_PREP_FAULT) && !in_worker)
		ctx->submit_stop = true;	/* seen by submit_sqe() */
	/* SEND_ZC (net_zc.c): the result says a notification follows. */
	if (req->flags & ENG_REQ_F_NOTIF)
		req->cflags |= IORING_CQE_F_MORE;
	if (req->flags & ENG_REQ_F_QUIET)
		; /* see req_fail_links() */
	else if (!(req->sqe_flags & IOSQE_CQE_SKIP_SUCCESS) || req_failed(req))
		req_cqe(ctx, req->user_data, req->res, req->cflags, in_worker);
	if (req->flags & ENG_REQ_F_NOTIF)
		req_cqe(ctx, req->user_data, (int32_t)req->net.sr.notif_res,
			IORING_CQE_F_NOTIF, in_worker);
	/* After the CQE: a tag CQE it may release comes behind it. */
	if (req->file_node)
		eng_rsrc_put(ctx, req->file_node, !in_worker);
	if (req->buf_node)
		eng_rsrc_put(ctx, req->buf_node, !in_worker);
	req_free(req, in_worker);
	eng_count_completed(ctx, in_worker);
	eng_drain_flush(ctx, in_worker);
}

/* The rest of a broken chain: -ECANCELED, or the error it failed with. */
/*
 * As the kernel: when the request that broke the chain had
 * IOSQE_CQE_SKIP_SUCCESS, its own failure is posted but the rest of the
 * chain goes quietly (@quiet).
 */
static void req_fail_links(struct eng_req *req, bool in_worker, bool quiet)
{
	struct eng_req *next;

	for (; req; req = next) {
		next = req->link;
		if (!(req->flags & ENG_REQ_F_FAIL))
			eng_req_set_res(req, -ECANCELED, 0);
		req->flags |= ENG_REQ_F_FAIL | (quiet ? ENG_REQ_F_QUIET : 0);
		req_post(req, in_worker);
	}
}

/* Completes @req; returns the next link to run, if the chain goes on. */
struct eng_req *eng_req_done(struct eng_req *req, bool in_worker)
{
	struct eng_req *next = req->link, *lt = req->ltimeout;
	bool broken = req_failed(req) && !(req->sqe_flags & IOSQE_IO_HARDLINK);
	bool quiet = req->sqe_flags & IOSQE_CQE_SKIP_SUCCESS;

	req_post(req, in_worker);
	if (lt)			/* its LINK_TIMEOUT: CQE right behind it */
		eng_ltimeout_done(lt, in_worker);
	if (next && broken) {
		req_fail_links(next, in_worker, quiet);
		return NULL;
	}
	return next;
}

#define ENG_FDI_ASKED 0x80u

unsigned eng_req_fdinfo(struct eng_req *req)
{
	if (!req->fdi)
		req->fdi = (uint8_t)(eng_fdinfo(req->ctx, req->fd) | ENG_FDI_ASKED);
	return req->fdi & ~ENG_FDI_ASKED;
}

int eng_req_own_file(struct eng_req *req)
{
	int fd;

	/* A fixed file's node is a reference of its own already. */
	if (!req->def->needs_file || req->own_fd || req->file_node)
		return 0;
	eng_req_fdinfo(req);	/* asked by the application's fd number */
	fd = eng_fd_private(req->fd, true);
	if (fd < 0)
		return fd;
	req->fd = fd;
	req->own_fd = true;
	/* Our dups recycle their numbers: what was known of it is void. */
	eng_fdinfo_forget(req->ctx, fd);
	return 0;
}

/*
 * Hands @req to a worker, with its own file reference and stable copies of
 * whatever it reads from the application. Returns the next request to run
 * if it could not be punted (it completed with the error instead).
 */
static struct eng_req *req_punt(struct eng_req *req, bool in_worker)
{
	struct eng_ctx *ctx = req->ctx;
	int ret = eng_req_own_file(req);

	if (!ret && req->def->prep_async)
		ret = req->def->prep_async(req);
	if (ret) {
		eng_req_set_res(req, ret, 0);
		return eng_req_done(req, in_worker);
	}
	if (req->ltimeout)
		eng_ltimeout_arm(req);	/* before anyone else can see it */
	atomic_fetch_add_explicit(&ctx->inflight, 1, memory_order_relaxed);
	eng_wq_enqueue(ctx->wq, req);
	if (in_worker)
		eng_wq_kick(ctx->wq);
	else
		ctx->nr_punted++;	/* one kick per submit batch */
	return NULL;
}

/*
 * Runs @req without blocking, then each link behind it as the one before
 * completes; whatever would block goes to a worker, and its chain with it.
 * A loop, not recursion: chains can be long.
 */
void eng_req_run(struct eng_req *req, bool in_worker)
{
	int ret;

	while (req) {
		if (req->flags & ENG_REQ_F_FAIL) {
			/* Failed before it ran (at submission, or by a
			 * drain): as the kernel, its whole chain fails,
			 * even behind a HARDLINK. */
			req->sqe_flags &= (uint8_t)~IOSQE_IO_HARDLINK;
			req = eng_req_done(req, in_worker);
			continue;
		}
		/* IOSQE_FIXED_FILE is resolved at issue, as the kernel's
		 * io_assign_file(): a FILES_UPDATE earlier in the chain counts. */
		if ((req->sqe_flags & IOSQE_FIXED_FILE) && req->def->needs_file &&
		    !req->file_node) {
			ret = eng_req_assign_fixed(req);
			if (ret) {
				eng_req_set_res(req, ret, 0);
				req = eng_req_done(req, in_worker);
				continue;
			}
		}
		/* A LINK_TIMEOUT behind it guards it, off the chain. */
		if (req->link && req->link->opcode == IORING_OP_LINK_TIMEOUT &&
		    !req->ltimeout)
			eng_ltimeout_attach(req);
		/* IOSQE_ASYNC: straight to a worker, no inline try. */
		if (req->sqe_flags & IOSQE_ASYNC) {
			req = req_punt(req, in_worker);
			continue;
		}
		ret = req->def->issue(req, ENG_ISSUE_NONBLOCK);
		if (ret == -EAGAIN && eng_apoll_pollable(req)) {
			if (req->ltimeout)
				eng_ltimeout_arm(req);
			/* parked: no worker waits; if it cannot be, one does */
			req = eng_apoll_arm(req) ? req_punt(req, in_worker) : NULL;
		} else if (ret == ENG_ISSUE_ASYNC)
			req = NULL;	/* the reactor has it (poll.c, timeout.c) */
		else if (ret == -EAGAIN)
			req = req_punt(req, in_worker);
		else
			req = eng_req_done(req, in_worker);
	}
}

/* A worker's turn: issue blocking, complete, go on down the chain. */
void eng_req_run_blocking(struct eng_req *req, bool cancelled)
{
	struct eng_ctx *ctx = req->ctx;
	int ret = cancelled ? -ECANCELED : req->def->issue(req, 0);

	eng_wq_release(ctx->wq, req);	/* a cancel can no longer wake it */
	if (ret == ENG_ISSUE_ASYNC) {	/* the reactor has it now */
		atomic_fetch_sub_explicit(&ctx->inflight, 1, memory_order_release);
		return;
	}
	/* As io-wq: a pollable op (IOSQE_ASYNC) is parked, not waited on. */
	if (ret == -EAGAIN && eng_apoll_pollable(req)) {
		ret = eng_apoll_arm(req);
		if (!ret) {
			atomic_fetch_sub_explicit(&ctx->inflight, 1,
						  memory_order_release);
			return;
		}
	}
	if (ret != ENG_ISSUE_DONE)
		eng_req_set_res(req, ret, 0);
	req = eng_req_done(req, true);
	atomic_fetch_sub_explicit(&ctx->inflight, 1, memory_order_release);
	if (cancelled)
		req_fail_links(req, true, false);
	else
		eng_req_run(req, true);
}

/*
 * Completes a request whose result arrived later on another thread (the
 * reactor, a timer), and runs its chain on there. @req->res is set.
 */
void eng_req_complete_async(struct eng_req *req)
{
	eng_req_run(eng_req_done(req, true), true);
}

void eng_req_free_all(struct eng_ctx *ctx)
{
	struct eng_req *req;

	while ((req = ctx->req_cache)) {
		ctx->req_cache = req->next;
		free(req);
	}
	req = atomic_exchange(&ctx->req_returned, NULL);
	while (req) {
		struct eng_req *next = req->next;

		free(req);
		req = next;
	}
}
