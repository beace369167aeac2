/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_POLL_ADD and IORING_OP_POLL_REMOVE.
 *
 * A poll is first answered with poll(2) and a zero timeout: a ready file
 * completes on the spot with its mask, as the kernel's vfs_poll() check
 * does. Otherwise the request takes its own reference to the file (a
 * dup), and that dup is armed on the reactor: several polls on one file
 * are several dups, each its own epoll registration, so they never
 * collide. A multishot poll is edge-triggered (the kernel's default; this
 * kernel refuses IORING_POLL_ADD_LEVEL) and posts a CQE with
 * IORING_CQE_F_MORE per edge until it is removed or cancelled.
 *
 * The mask reported is the kernel's: the events asked for, plus POLLERR,
 * POLLHUP and POLLRDHUP, which are always reported.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include "engine/req.h"
#include "engine/rsrc.h"

#define POLL_ALWAYS	(POLLERR | POLLHUP | POLLNVAL | POLLRDHUP)

static struct eng_req *poll_req(struct eng_rx_poll *rx)
{
	return (struct eng_req *)((char *)rx - offsetof(struct eng_req, poll.rx));
}

static uint32_t poll_mask(const struct eng_req *req, uint32_t revents)
{
	return revents & (req->poll.events | POLL_ALWAYS);
}

/* The kernel keeps the 16 POLL* bits (poll32_events is little-endian on
 * the machines we run on). */
static uint32_t poll_parse_events(const struct io_uring_sqe *sqe)
{
	return sqe->poll32_events & 0xffff;
}

int eng_poll_add_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	uint32_t flags = sqe->len;

	if (sqe->buf_index || sqe->off || sqe->addr)
		return -EINVAL;
	/* IORING_POLL_ADD_LEVEL included: this kernel refuses it too. */
	if (flags & ~IORING_POLL_ADD_MULTI)
		return -EINVAL;
	if ((flags & IORING_POLL_ADD_MULTI) &&
	    (req->sqe_flags & IOSQE_CQE_SKIP_SUCCESS))
		return -EINVAL;
	req->poll.events = poll_parse_events(sqe);
	req->poll.multishot = flags & IORING_POLL_ADD_MULTI;
	req->poll.armed.pprev = NULL;
	return 0;
}

/* On the reactor thread. */
static bool poll_cb(struct eng_rx_poll *rx, uint32_t revents, unsigned flags)
{
	struct eng_req *req = poll_req(rx);
	struct eng_ctx *ctx = req->ctx;
	uint32_t mask = poll_mask(req, revents);

	if (flags & ENG_RX_MORE) {
		/* Under the reactor lock: post and nothing else. A full CQ
		 * ends the multishot, as in the kernel: this mask goes into
		 * the final CQE instead. */
		return !mask || eng_post_aux(ctx, req->user_data, (int32_t)mask,
					     IORING_CQE_F_MORE, true);
	}
	pthread_mutex_lock(&ctx->armed_lock);
	eng_armed_del(ctx, &req->poll.armed);
	pthread_mutex_unlock(&ctx->armed_lock);
	if (flags & ENG_RX_CANCEL)
		eng_req_set_res(req, -ECANCELED, 0);
	else
		eng_req_set_res(req, (int32_t)mask, 0);
	eng_req_complete_async(req);
	return false;
}

bool eng_poll_disarm(struct eng_req *req)
{
	return eng_rx_poll_disarm(req->ctx, &req->poll.rx);
}

void eng_poll_cancelled(struct eng_req *req)
{
	poll_cb(&req->poll.rx, 0, ENG_RX_CANCEL);
}

/* Hands @req to the reactor; @mask is what poll(2) saw (a file epoll
 * cannot watch, a regular file, is always ready: that is its answer). */
/* Our own descriptor for the file: epoll keys registrations by file and
 * fd number, so two polls on one registered file need two numbers. */
static int poll_own_fd(struct eng_req *req)
{
	int fd;

	if (!req->file_node || req->own_fd)
		return eng_req_own_file(req);
	fd = eng_fd_private(req->fd, true);
	if (fd < 0)
		return fd;
	req->fd = fd;		/* the slot's reference stays with the node */
	req->own_fd = true;
	return 0;
}

static int poll_arm(struct eng_req *req, uint32_t mask)
{
	struct eng_ctx *ctx = req->ctx;
	int ret = poll_own_fd(req);

	if (ret) {
		eng_req_set_res(req, ret, 0);
		return ENG_ISSUE_DONE;
	}
	if (req->ltimeout)
		eng_ltimeout_arm(req);
	req->poll.rx = (struct eng_rx_poll){
		.fd = req->fd,
		.events = req->poll.events | EPOLLRDHUP |
			  (req->poll.multishot ? EPOLLET : 0),
		.multishot = req->poll.multishot,
		.cb = poll_cb,
	};
	pthread_mutex_lock(&ctx->armed_lock);
	/* Its link timeout went off before it was armed: the timer's search
	 * (under armed_lock too) could not find it. */
	if (req->ltimeout && eng_ltimeout_fired(req)) {
		ret = -ECANCELED;
	} else {
		eng_armed_add(ctx, &req->poll.armed, req);
		ret = eng_rx_poll_arm(ctx, &req->poll.rx);
		if (ret)
			eng_armed_del(ctx, &req->poll.armed);
	}
	pthread_mutex_unlock(&ctx->armed_lock);
	if (!ret)
		return ENG_ISSUE_ASYNC;
	eng_req_set_res(req, ret == -EPERM ? (int32_t)mask : ret, 0);
	return ENG_ISSUE_DONE;
}

int eng_poll_add_issue(struct eng_req *req, unsigned issue_flags)
{
	struct pollfd pfd = {
		.fd = req->fd, .events = (short)(req->poll.events | POLLRDHUP),
	};
	uint32_t mask;

	if (poll(&pfd, 1, 0) < 0 || (pfd.revents & POLLNVAL)) {
		eng_req_set_res(req, pfd.revents & POLLNVAL ? -EBADF : -errno, 0);
		return ENG_ISSUE_DONE;
	}
	mask = poll_mask(req, (uint16_t)pfd.revents);
	/* A multishot poll on a ready file: epoll reports the edge at once. */
	if (mask && !req->poll.multishot) {
		eng_req_set_res(req, (int32_t)mask, 0);
		return ENG_ISSUE_DONE;
	}
	return poll_arm(req, mask);
}

int eng_poll_remove_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_poll_remove *pr = &req->poll_remove;
	uint32_t flags = sqe->len;

	if (sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (flags & ~(IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA |
		      IORING_POLL_ADD_MULTI))
		return -EINVAL;
	if (flags == IORING_POLL_ADD_MULTI)	/* meaningless without update */
		return -EINVAL;
	pr->old_ud = sqe->addr;
	pr->upd_events = flags & IORING_POLL_UPDATE_EVENTS;
	pr->upd_ud = flags & IORING_POLL_UPDATE_USER_DATA;
	pr->new_ud = sqe->off;
	if (!pr->upd_ud && pr->new_ud)
		return -EINVAL;
	if (pr->upd_events)
		pr->events = poll_parse_events(sqe);
	else if (sqe->poll32_events)
		return -EINVAL;
	return 0;
}

/* Under armed_lock: the armed poll whose user_data is @ud. */
static struct eng_req *poll_find(struct eng_ctx *ctx, uint64_t ud)
{
	struct eng_armed *a;

	for (a = ctx->armed; a; a = a->next)
		if (a->req->opcode == IORING_OP_POLL_ADD &&
		    a->req->user_data == ud)
			return a->req;
	return NULL;
}

/* The disarmed poll, updated and armed again (or completed). */
static void poll_rearm(struct eng_req *preq, const struct eng_poll_remove *pr)
{
	int ret;

	/* As the kernel: the event bits change, oneshot or multishot not. */
	if (pr->upd_events)
		preq->poll.events = pr->events;
	if (pr->upd_ud)
		preq->user_data = pr->new_ud;
	ret = eng_poll_add_issue(preq, 0);
	if (ret == ENG_ISSUE_ASYNC)
		return;
	if (ret != ENG_ISSUE_DONE)
		eng_req_set_res(preq, ret, 0);
	eng_req_complete_async(preq);
}

int eng_poll_remove_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_poll_remove *pr = &req->poll_remove;
	struct eng_ctx *ctx = req->ctx;
	struct eng_req *preq;
	int ret = 0;

	pthread_mutex_lock(&ctx->armed_lock);
	preq = poll_find(ctx, pr->old_ud);
	if (!preq)
		ret = -ENOENT;
	else if (!eng_poll_disarm(preq))
		ret = -EALREADY;	/* firing: its callback completes it */
	else if (pr->upd_events || pr->upd_ud)
		eng_armed_del(ctx, &preq->poll.armed);	/* re-added by the arm */
	pthread_mutex_unlock(&ctx->armed_lock);
	if (ret) {
		eng_req_set_res(req, ret, 0);
		return ENG_ISSUE_DONE;
	}
	if (pr->upd_events || pr->upd_ud) {
		poll_rearm(preq, pr);
	} else {
		eng_poll_cancelled(preq);
	}
	eng_req_set_res(req, 0, 0);
	return ENG_ISSUE_DONE;
}
