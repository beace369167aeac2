/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_ASYNC_CANCEL and IORING_REGISTER_SYNC_CANCEL: finding a
 * request wherever it waits and completing it with -ECANCELED, exactly
 * once, as the kernel's io_try_cancel() does:
 *  - in the worker pool: queued (taken off the queue), or waiting on its
 *    file (woken); one running and not waiting cannot be stopped: it is
 *    flagged so that it gives up if it comes to wait, and reported
 *    -EALREADY;
 *  - parked on the poll thread (apoll.c);
 *  - armed on the reactor: polls and TIMEOUTs (not for CANCEL_FD, as the
 *    kernel). A LINK_TIMEOUT is never cancelled this way, as the kernel.
 * Requests held back by IOSQE_IO_DRAIN are not found (-ENOENT), as in the
 * kernel: they have not been issued.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "engine/apoll.h"
#include "engine/req.h"
#include "engine/rsrc.h"
#include "util/ucopy.h"

#define CANCEL_FLAGS	(IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD | \
			 IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_FD_FIXED | \
			 IORING_ASYNC_CANCEL_USERDATA | IORING_ASYNC_CANCEL_OP)

/* --- the armed list (under ctx->armed_lock) ------------------------------ */

void eng_armed_add(struct eng_ctx *ctx, struct eng_armed *a,
		   struct eng_req *req)
{
	a->req = req;
	a->next = ctx->armed;
	if (a->next)
		a->next->pprev = &a->next;
	a->pprev = &ctx->armed;
	ctx->armed = a;
}

void eng_armed_del(struct eng_ctx *ctx, struct eng_armed *a)
{
	if (!a->pprev)
		return;			/* taken off already */
	*a->pprev = a->next;
	if (a->next)
		a->next->pprev = a->pprev;
	a->pprev = NULL;
}

/* --- matching -------------------------------------------------------------- */

/* The file behind @fd, by identity: same inode and same access mode (a
 * pipe's two ends share an inode). The kernel compares struct files; two
 * separate opens of one file in the same mode match here. */
int eng_cancel_fill_fd(struct eng_cancel_cd *cd, int fd)
{
	struct stat st;
	int fl;

	if (fd < 0 || fstat(fd, &st) || (fl = fcntl(fd, F_GETFL)) < 0)
		return -EBADF;
	cd->dev = st.st_dev;
	cd->ino = st.st_ino;
	cd->accmode = fl & O_ACCMODE;
	return 0;
}

static bool cancel_file_is(struct eng_req *req, const struct eng_cancel_cd *cd)
{
	struct eng_cancel_cd mine;

	if (!req->def || !req->def->needs_file)
		return false;
	if (eng_cancel_fill_fd(&mine, req->fd))
		return false;
	return mine.dev == cd->dev && mine.ino == cd->ino &&
	       mine.accmode == cd->accmode;
}

/* The kernel's io_cancel_req_match(). Called under the lock of whatever
 * holds @req, so @req is alive. */
bool eng_cancel_match(struct eng_req *req, void *arg)
{
	const struct eng_cancel_cd *cd = arg;
	bool match_ud = (cd->flags & IORING_ASYNC_CANCEL_USERDATA) ||
			!(cd->flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP));

	if (req == cd->self)
		return false;
	if (cd->req)	/* by identity: a reused request has another lt */
		return req == cd->req && req->ltimeout == cd->lt;
	if (req->opcode == IORING_OP_LINK_TIMEOUT)
		return false;
	if (cd->flags & IORING_ASYNC_CANCEL_ANY)
		return true;
	if ((cd->flags & IORING_ASYNC_CANCEL_FD) && !cancel_file_is(req, cd))
		return false;
	if ((cd->flags & IORING_ASYNC_CANCEL_OP) && req->opcode != cd->opcode)
		return false;
	return !match_ud || req->user_data == cd->data;
}

/* --- cancelling ------------------------------------------------------------- */

static bool armed_disarm(struct eng_req *req)
{
	switch (req->opcode) {
	case IORING_OP_POLL_ADD:
		return eng_poll_disarm(req);
	case IORING_OP_TIMEOUT:
		return eng_timeout_disarm(req);
	default:
		return false;
	}
}

static void armed_cancelled(struct eng_req *req)
{
	if (req->opcode == IORING_OP_POLL_ADD)
		eng_poll_cancelled(req);
	else
		eng_timeout_cancelled(req);
}

/* Polls and timeouts on the reactor: the number cancelled. */
static int cancel_armed(struct eng_ctx *ctx, struct eng_cancel_cd *cd,
			bool all, bool *running)
{
	struct eng_armed *a, *next, *done = NULL;
	bool no_timeouts = cd->flags & IORING_ASYNC_CANCEL_FD;
	int nr = 0;

	pthread_mutex_lock(&ctx->armed_lock);
	for (a = ctx->armed; a && (all || !nr); a = next) {
		next = a->next;
		if (no_timeouts && a->req->opcode == IORING_OP_TIMEOUT)
			continue;
		if (!eng_cancel_match(a->req, cd))
			continue;
		if (!armed_disarm(a->req)) {
			*running = true;	/* firing: it completes anyway */
			continue;
		}
		eng_armed_del(ctx, a);
		a->next = done;
		done = a;
		nr++;
	}
	pthread_mutex_unlock(&ctx->armed_lock);
	for (a = done; a; a = next) {
		next = a->next;
		armed_cancelled(a->req);
	}
	return nr;
}

/* Waitid and futex waits wait in workers here, in lists of their own in
 * the kernel, which searches them after io-wq and poll (waitid first) and
 * counts what it cancels. */
static bool cancel_is_futex(const struct eng_req *req)
{
	return req->opcode == IORING_OP_FUTEX_WAIT ||
	       req->opcode == IORING_OP_FUTEX_WAITV;
}

static bool cancel_match_iowq(struct eng_req *req, void *arg)
{
	return !cancel_is_futex(req) && req->opcode != IORING_OP_WAITID &&
	       eng_cancel_match(req, arg);
}

static bool cancel_match_waitid(struct eng_req *req, void *arg)
{
	return req->opcode == IORING_OP_WAITID && eng_cancel_match(req, arg);
}

static bool cancel_match_futex(struct eng_req *req, void *arg)
{
	return cancel_is_futex(req) && eng_cancel_match(req, arg);
}

/* One of the kernel's counted lists: the number found, and one pass of an
 * ALL cancel counts as one however many it found. */
static int cancel_listed(struct eng_ctx *ctx, struct eng_cancel_cd *cd,
			 bool (*match)(struct eng_req *, void *), bool all,
			 bool *running)
{
	int nr = eng_wq_cancel(ctx->wq, match, cd, all, running);

	return all && nr ? 1 : nr;
}

int eng_cancel(struct eng_ctx *ctx, struct eng_cancel_cd *cd)
{
	bool all = cd->flags & (IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_ANY);
	bool running = false;
	int nr, nf;

	nr = eng_wq_cancel(ctx->wq, cancel_match_iowq, cd, all, &running);
	if (nr && !all)
		return 0;
	nr += eng_apoll_cancel(ctx, eng_cancel_match, cd, all);
	if (nr && !all)
		return 0;
	nf = cancel_listed(ctx, cd, cancel_match_waitid, all, &running);
	if (nf && !all)
		return nf;
	nr += nf;
	nf = cancel_listed(ctx, cd, cancel_match_futex, all, &running);
	if (nf && !all)
		return nf;
	nr += nf;
	nr += cancel_armed(ctx, cd, all, &running);
	if (all)
		return nr;
	return nr ? 0 : running ? -EALREADY : -ENOENT;
}

/* --- IORING_OP_ASYNC_CANCEL ------------------------------------------------- */

int eng_async_cancel_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_cancel_op *c = &req->cancel;

	if (sqe->off || sqe->splice_fd_in)
		return -EINVAL;
	c->addr = sqe->addr;
	c->flags = sqe->cancel_flags;
	if (c->flags & ~CANCEL_FLAGS)
		return -EINVAL;
	if (c->flags & IORING_ASYNC_CANCEL_FD) {
		if (c->flags & IORING_ASYNC_CANCEL_ANY)
			return -EINVAL;
		c->fd = sqe->fd;
	}
	if (c->flags & IORING_ASYNC_CANCEL_OP) {
		if (c->flags & IORING_ASYNC_CANCEL_ANY)
			return -EINVAL;
		c->opcode = (uint8_t)sqe->len;
	}
	return 0;
}

/* CANCEL_FD's file: a descriptor, or a registered file's slot. */
static int cancel_fd(struct eng_ctx *ctx, struct eng_cancel_cd *cd, int fd,
		     bool fixed)
{
	struct eng_rsrc *node;
	int ret, dfd;

	if (!fixed)
		return eng_cancel_fill_fd(cd, fd);
	if (fd < 0 || eng_file_get_fixed(ctx, (unsigned)fd, &dfd, &node))
		return -EBADF;
	ret = eng_cancel_fill_fd(cd, dfd);
	eng_file_put_fixed(ctx, node);
	return ret;
}

int eng_async_cancel_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_cancel_cd cd = {
		.data = req->cancel.addr, .flags = req->cancel.flags,
		.opcode = req->cancel.opcode, .self = req,
	};
	int ret = 0;

	if (cd.flags & IORING_ASYNC_CANCEL_FD)
		ret = cancel_fd(req->ctx, &cd, req->cancel.fd,
				(cd.flags & IORING_ASYNC_CANCEL_FD_FIXED) ||
				(req->sqe_flags & IOSQE_FIXED_FILE));
	if (!ret)
		ret = eng_cancel(req->ctx, &cd);
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

/* --- IORING_REGISTER_SYNC_CANCEL -------------------------------------------- */

static int sync_cancel_check(const struct io_uring_sync_cancel_reg *sc)
{
	unsigned i;

	if (sc->flags & ~CANCEL_FLAGS)
		return -EINVAL;
	for (i = 0; i < sizeof(sc->pad); i++)
		if (sc->pad[i])
			return -EINVAL;
	for (i = 0; i < sizeof(sc->pad2) / sizeof(sc->pad2[0]); i++)
		if (sc->pad2[i])
			return -EINVAL;
	return 0;
}

/*
 * Without submit_lock (register.c calls us before taking it): a request
 * that is running cannot be stopped, and we wait for it to finish, as the
 * kernel does, napping a millisecond at a time until the deadline.
 */
int eng_sync_cancel(struct eng_ctx *ctx, const void *arg, unsigned nr)
{
	struct io_uring_sync_cancel_reg sc;
	struct eng_cancel_cd cd = { 0 };
	struct timespec nap = { 0, 1000000 };
	int64_t deadline = INT64_MAX;
	int ret;

	if (!arg || nr != 1)
		return -EINVAL;
	if (ucopy(&sc, arg, sizeof(sc)))
		return -EFAULT;
	ret = sync_cancel_check(&sc);
	if (ret)
		return ret;
	cd.data = sc.addr;
	cd.flags = sc.flags;
	cd.opcode = sc.opcode;
	if ((cd.flags & IORING_ASYNC_CANCEL_FD) &&
	    cancel_fd(ctx, &cd, sc.fd, cd.flags & IORING_ASYNC_CANCEL_FD_FIXED))
		return -EBADF;
	ret = eng_cancel(ctx, &cd);
	if (ret != -EALREADY)
		return ret;
	if (sc.timeout.tv_sec != -1 || sc.timeout.tv_nsec != -1)
		deadline = eng_clock_ns(CLOCK_MONOTONIC) +
			   sc.timeout.tv_sec * 1000000000LL + sc.timeout.tv_nsec;
	do {
		if (eng_clock_ns(CLOCK_MONOTONIC) >= deadline)
			return -ETIME;
		nanosleep(&nap, NULL);
		ret = eng_cancel(ctx, &cd);
	} while (ret == -EALREADY);
	return ret == -ENOENT || ret > 0 ? 0 : ret;
}
