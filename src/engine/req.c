/* SPDX-License-Identifier: MIT */
/*
 * A request from issue to completion: running it (inline first, or in a
 * worker), punting it, completing it, and advancing or failing its link
 * chain. Runs on the submitter and on workers alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include "engine/apoll.h"
#include "engine/fdinfo.h"
#include "engine/req.h"
#include "engine/rsrc.h"
#include "util/fault.h"


struct eng_req *eng_req_alloc(struct eng_ctx *ctx)
{
	struct eng_req *req = ctx->req_cache;

	if (!req) {
		/* Acquire pairs with the release in req_free_remote(). */
		req = atomic_exchange_explicit(&ctx->req_returned, NULL,
					       memory_order_acquire);
		if (!req)
			return fault_malloc(sizeof(*req));
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

/* cq.c is done with the request's last CQE: the request goes. */
static void req_slot_release(struct eng_cqe_slot *slot, bool submitter)
{
	req_free((struct eng_req *)((char *)slot -
				    offsetof(struct eng_req, post.last)),
		 !submitter);
}

static bool req_failed(const struct eng_req *req)
{
	return (req->res < 0 && !(req->flags & ENG_REQ_F_RES_OK)) ||
	       (req->flags & ENG_REQ_F_FAIL);
}

/* One of the request's CQEs, in its own @slot: into the submitter's
 * batch, or posted from any other thread. @last: the request is freed
 * once this CQE is in the CQ. */
static void req_cqe(struct eng_req *req, struct eng_cqe_slot *slot,
		    int32_t res, uint32_t cflags, bool last, bool in_worker)
{
	*slot = (struct eng_cqe_slot){
		.release = last ? req_slot_release : NULL,
		.cqe = { .user_data = req->user_data, .res = res,
			 .flags = cflags },
	};
	if (in_worker)
		eng_post_slot(req->ctx, slot, true);
	else
		eng_batch_add(req->ctx, slot);
}

/* Posts the CQE(s) (unless CQE_SKIP_SUCCESS hides a success) and frees
 * the request, at once or once its last CQE is in the CQ. */
static void req_post(struct eng_req *req, bool in_worker)
{
	struct eng_ctx *ctx = req->ctx;
	struct eng_rsrc *file_node = req->file_node, *buf_node = req->buf_node;
	bool notif = req->flags & ENG_REQ_F_NOTIF, cqe;
	int32_t notif_res = 0;

	if (req->def && req->def->cleanup)
		req->def->cleanup(req);
	if (req->own_fd)
		close(req->fd);
	eng_cred_put(req->cred);
	if ((req->flags & ENG_REQ_F_PREP_FAULT) && !in_worker)
		ctx->submit_stop = true;	/* seen by submit_sqe() */
	/* SEND_ZC (net_zc.c): the result says a notification follows. */
	if (notif) {
		if (req->flags & ENG_REQ_F_NOTIF_MORE)
			req->cflags |= IORING_CQE_F_MORE;
		notif_res = (int32_t)req->net.sr.notif_res;
	}
	/* QUIET: see req_fail_links() */
	cqe = !(req->flags & ENG_REQ_F_QUIET) &&
	      (!(req->sqe_flags & IOSQE_CQE_SKIP_SUCCESS) || req_failed(req));
	/* From here on the op's state is the CQEs' storage, and @req may be
	 * gone as soon as its last CQE is posted. */
	if (cqe)
		req_cqe(req, notif ? &req->post.first : &req->post.last,
			req->res, req->cflags, !notif, in_worker);
	if (notif)
		req_cqe(req, &req->post.last, notif_res, IORING_CQE_F_NOTIF,
			true, in_worker);
	else if (!cqe)
		req_free(req, in_worker);
	/* After the CQE: a tag CQE it may release comes behind it. */
	if (file_node)
		eng_rsrc_put(ctx, file_node, !in_worker);
	if (buf_node)
		eng_rsrc_put(ctx, buf_node, !in_worker);
	eng_count_completed(ctx, in_worker);
	if (in_worker)
		eng_drain_flush(ctx, true);
}

void eng_req_flush_batch(struct eng_ctx *ctx)
{
	unsigned n;

	for (;;) {
		eng_post_batch(ctx);
		n = ctx->nr_batch_done;
		if (!n)
			return;
		ctx->nr_batch_done = 0;
		/* Release: see eng_count_completed(); the submitter is the
		 * only writer of this half. */
		atomic_store_explicit(&ctx->nr_completed_sub,
				      atomic_load_explicit(&ctx->nr_completed_sub,
							   memory_order_relaxed) + n,
				      memory_order_release);
		/* What it starts may complete inline, into a new batch. */
		eng_drain_flush(ctx, false);
	}
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
		req->flags &= ~ENG_REQ_F_NOTIF_MORE;	/* posted with no flags */
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

const struct eng_cred *eng_sub_cred(struct eng_ctx *ctx)
{
	const struct eng_cred *self = eng_thread_cred();

	/* An engine thread (SQPOLL) knows its own; the application's
	 * thread may have changed them since its last submission. */
	if (!ctx->sub_cred)
		ctx->sub_cred = self ? eng_cred_get(self) : eng_cred_current();
	return ctx->sub_cred;
}

void eng_sub_cred_drop(struct eng_ctx *ctx)
{
	eng_cred_put(ctx->sub_cred);
	ctx->sub_cred = NULL;
}

int eng_req_bind_cred(struct eng_req *req)
{
	const struct eng_cred *sub = NULL;

	for (; req; req = req->link) {
		if (req->cred)
			continue;
		if (!sub && !(sub = eng_sub_cred(req->ctx)))
			return errno ? -errno : -ENOMEM;
		req->cred = eng_cred_get(sub);
	}
	return 0;
}

/*
 * May this thread issue @req? The submitter, with the submitter's
 * credentials (those of a personality only if they are its own); any
 * other thread only with the request's exactly. Costs nothing for a
 * request without a personality on its submitter, one compare on the
 * engine's threads.
 */
static bool req_cred_here(struct eng_req *req, bool in_worker)
{
	if (!in_worker)
		return !req->cred || req->cred == eng_sub_cred(req->ctx);
	return req->cred == eng_cred_self();
}

/*
 * No descriptor is left for the request's own file reference (RLIMIT_NOFILE):
 * bound work (a regular file, confirmed) runs here, blocking, on the
 * application's descriptor, as the kernel assigns a file at issue; work
 * that may wait for a peer completes with the errno.
 */
static struct eng_req *req_run_nofile(struct eng_req *req, bool in_worker,
				      int err)
{
	int ret = err;

	if (req_cred_here(req, in_worker) &&
	    (eng_req_fdinfo_recheck(req) & ENG_FDI_REG)) {
		ret = req->def->issue(req, 0);
		if (ret == ENG_ISSUE_ASYNC)
			return NULL;
	}
	if (ret != ENG_ISSUE_DONE)
		eng_req_set_res(req, ret, 0);
	return eng_req_done(req, in_worker);
}

/*
 * Hands @req to a worker, with its own file reference and stable copies of
 * whatever it reads from the application. Returns the next request to run
 * if it could not be punted (it completed with the error instead).
 */
static struct eng_req *req_punt(struct eng_req *req, bool in_worker)
{
	struct eng_ctx *ctx = req->ctx;
	int ret = in_worker ? 0 : eng_req_bind_cred(req);

	if (!ret)
		ret = eng_req_own_file(req);
	if (ret == -EMFILE || ret == -ENFILE)
		return req_run_nofile(req, in_worker, ret);
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
		eng_wq_kick(ctx->wq, eng_cred_self());
	else
		ctx->nr_punted++;	/* one kick per submit batch */
	return NULL;
}

/*
 * A pollable request parks on the poll thread, which re-issues it there:
 * only if that thread has the request's credentials (it inherited its
 * maker's); otherwise a worker of the request's own waits for it.
 */
static bool req_may_park(struct eng_req *req, bool in_worker)
{
	const struct eng_cred *poller;

	if (!eng_apoll_pollable(req))
		return false;
	if (!in_worker && eng_req_bind_cred(req))
		return false;
	poller = eng_apoll_cred(req->ctx);
	return !poller || poller == req->cred;
}

/*
 * Runs @req without blocking, then each link behind it as the one before
 * completes; whatever would block goes to a worker, and its chain with it.
 * A loop, not recursion: chains can be long.
 */
static void req_run(struct eng_req *req, bool in_worker, unsigned first_flags)
{
	struct eng_req *first = req;
	unsigned issue_flags;
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
		/* As the kernel starts a link only after its predecessor's
		 * CQE is posted: a link that another thread may complete
		 * must not overtake the CQE still in our batch. */
		if (req != first && !in_worker)
			eng_post_batch(req->ctx);
		/* IOSQE_ASYNC: straight to a worker, no inline try; so does
		 * one that must run with other credentials than this
		 * thread's. */
		if ((req->sqe_flags & IOSQE_ASYNC) ||
		    !req_cred_here(req, in_worker)) {
			req = req_punt(req, in_worker);
			continue;
		}
		/* Its links may go on on another thread (the reactor's, for
		 * a POLL_ADD or TIMEOUT): they take our credentials now. */
		if (!in_worker && req->link && (ret = eng_req_bind_cred(req))) {
			eng_req_set_res(req, ret, 0);
			req = eng_req_done(req, in_worker);
			continue;
		}
		/* Fault injection: "would block", which must change nothing
		 * but the path the request takes. */
		issue_flags = ENG_ISSUE_NONBLOCK |
			      (in_worker ? 0 : ENG_ISSUE_SUBMITTER) |
			      (req == first ? first_flags : 0);
		ret = fault_hit(FAULT_NOWAIT) ? -EAGAIN :
		      req->def->issue(req, issue_flags);
		if (ret == -EAGAIN && req_may_park(req, in_worker)) {
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

void eng_req_run(struct eng_req *req, bool in_worker)
{
	req_run(req, in_worker, 0);
}

void eng_req_submit(struct eng_req *req)
{
	req_run(req, false, ENG_ISSUE_SQE);
}

/* A pollable request that the poll thread may not run (it has other
 * credentials): its worker waits for the file itself, as cancellable as
 * any wait in a worker. */
static int req_wait_ready(struct eng_req *req)
{
	short events = (short)((req->def->pollin ? POLLIN : 0) |
			       (req->def->pollout ? POLLOUT : 0));
	int ret;

	do {
		ret = eng_wq_wait_fd(req->ctx->wq, req->fd, events);
		if (!ret)
			ret = req->def->issue(req, 0);
	} while (ret == -EAGAIN);
	return ret;
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
	if (ret == -EAGAIN && req_may_park(req, true)) {
		ret = eng_apoll_arm(req);
		if (!ret) {
			atomic_fetch_sub_explicit(&ctx->inflight, 1,
						  memory_order_release);
			return;
		}
	} else if (ret == -EAGAIN && eng_apoll_pollable(req)) {
		ret = req_wait_ready(req);
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
