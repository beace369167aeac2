/* SPDX-License-Identifier: MIT */
/*
 * The submission side of io_uring_enter(): SQEs are consumed in order,
 * each prepared (validated and copied: FEAT_SUBMIT_STABLE) and issued on
 * the spot without blocking. Whatever completes is gathered into one batch
 * of CQEs; whatever would block is punted to the worker pool, which is
 * woken once for the whole batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "engine/req.h"

/* The SQE flags the engine honours so far; the others give -EINVAL. */
#define ENG_SQE_FLAGS 0u

/* Our private descriptors stay out of the way of the application's
 * lowest-free-number expectations. */
#define ENG_PRIVATE_FD_MIN 100

static struct eng_req *req_alloc(struct eng_ctx *ctx)
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

static void req_free_local(struct eng_ctx *ctx, struct eng_req *req)
{
	req->next = ctx->req_cache;
	ctx->req_cache = req;
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

void eng_req_complete(struct eng_req *req, bool from_worker)
{
	struct eng_ctx *ctx = req->ctx;

	if (req->def && req->def->cleanup)
		req->def->cleanup(req);
	if (req->own_fd)
		close(req->fd);
	if (from_worker) {
		eng_post_cqe(ctx, req->user_data, req->res, req->cflags, true);
		req_free_remote(ctx, req);
		atomic_fetch_sub_explicit(&ctx->inflight, 1, memory_order_release);
		return;
	}
	if (ctx->nr_batch == ENG_CQE_BATCH)
		eng_post_batch(ctx);
	ctx->batch[ctx->nr_batch++] = (struct io_uring_cqe){
		.user_data = req->user_data, .res = req->res, .flags = req->cflags,
	};
	req_free_local(ctx, req);
}

int eng_req_own_file(struct eng_req *req)
{
	int fd;

	if (!req->def->needs_file || req->own_fd)
		return 0;
	fd = fcntl(req->fd, F_DUPFD_CLOEXEC, ENG_PRIVATE_FD_MIN);
	if (fd < 0 && errno == EINVAL)
		fd = fcntl(req->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	req->fd = fd;
	req->own_fd = true;
	return 0;
}

static void req_punt(struct eng_ctx *ctx, struct eng_req *req)
{
	int ret = eng_req_own_file(req);

	if (ret) {
		eng_req_set_res(req, ret, 0);
		eng_req_complete(req, false);
		return;
	}
	atomic_fetch_add_explicit(&ctx->inflight, 1, memory_order_relaxed);
	eng_wq_enqueue(ctx->wq, req);
	ctx->nr_punted++;
}

/* As the kernel's io_init_req(): the checks every op shares, then prep. */
static int req_init(struct eng_ctx *ctx, struct eng_req *req,
		    const struct io_uring_sqe *sqe)
{
	req->ctx = ctx;
	req->def = NULL;
	req->user_data = sqe->user_data;
	req->opcode = sqe->opcode;
	req->sqe_flags = sqe->flags;
	req->fd = sqe->fd;
	req->own_fd = false;
	req->res = 0;
	req->cflags = 0;

	req->def = eng_opdef(sqe->opcode);
	if (!req->def)
		return -EINVAL;
	if (sqe->flags & ~ENG_SQE_FLAGS)
		return -EINVAL;
	if (sqe->personality)
		return -EINVAL;		/* no personalities registered */
	return req->def->prep(req, sqe);
}

/* Returns false if submission must stop after this SQE. */
static bool submit_sqe(struct eng_ctx *ctx, const struct io_uring_sqe *sqe)
{
	struct eng_req *req = req_alloc(ctx);
	int ret;

	if (!req) {
		eng_post_cqe(ctx, sqe->user_data, -ENOMEM, 0, false);
		return false;
	}
	ret = req_init(ctx, req, sqe);
	if (ret) {
		const struct eng_opdef *def = req->def;

		/* prep may have taken resources: cleanup gives them back */
		req->def = def && def->cleanup ? def : NULL;
		eng_req_set_res(req, ret, 0);
		eng_req_complete(req, false);
		return ctx->setup_flags & IORING_SETUP_SUBMIT_ALL;
	}
	ret = req->def->issue(req, ENG_ISSUE_NONBLOCK);
	if (ret == -EAGAIN)
		req_punt(ctx, req);
	else
		eng_req_complete(req, false);
	return true;
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
	return &ctx->sqes[idx];
}

/* Under submit_lock. Returns the number of SQEs submitted. */
int eng_submit(struct eng_ctx *ctx, unsigned to_submit)
{
	/* Acquire pairs with the application's release of sq.tail: the SQE
	 * contents it wrote are visible before we read them. */
	uint32_t tail = __atomic_load_n(&ctx->rings->sq.tail, __ATOMIC_ACQUIRE);
	unsigned avail = tail - ctx->cached_sq_head, submitted = 0;
	const struct io_uring_sqe *sqe;

	if (avail > ctx->sq_entries)
		avail = ctx->sq_entries;	/* a corrupt tail: be bounded */
	if (to_submit > avail)
		to_submit = avail;
	while (submitted < to_submit) {
		sqe = sq_next(ctx);
		if (!sqe)
			break;
		submitted++;
		if (!submit_sqe(ctx, sqe))
			break;
	}
	/* Release: we are done reading those SQEs before the application may
	 * reuse their slots. */
	__atomic_store_n(&ctx->rings->sq.head, ctx->cached_sq_head,
			 __ATOMIC_RELEASE);
	eng_post_batch(ctx);
	if (ctx->nr_punted) {
		ctx->nr_punted = 0;
		eng_wq_kick(ctx->wq);
	}
	return (int)submitted;
}
