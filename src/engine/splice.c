/* SPDX-License-Identifier: MIT */
/*
 * SPLICE and TEE. They run in a worker, as the kernel's do. The worker
 * moves data with SPLICE_F_NONBLOCK and, when a pipe (or socket) is not
 * ready, waits for it together with the pool's cancel eventfd, so that a
 * splice from a pipe nobody writes cannot hold up the ring's teardown. An
 * application that asked for SPLICE_F_NONBLOCK gets -EAGAIN instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <unistd.h>
#include "engine/engine.h"
#include "engine/fsops.h"
#include "engine/rsrc.h"

#ifndef SPLICE_F_FD_IN_FIXED
#define SPLICE_F_FD_IN_FIXED	(1u << 31)
#endif
#define SPLICE_VALID	(SPLICE_F_FD_IN_FIXED | SPLICE_F_MOVE | \
			 SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)
#define SPLICE_NO_OFF	((uint64_t)-1)
#define SPLICE_IS_TEE	1u		/* in fsop.mode */

static int splice_prep_common(struct eng_req *req,
			      const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	f->flags = sqe->splice_flags;
	if (f->flags & ~SPLICE_VALID)
		return -EINVAL;
	f->dfd2 = sqe->splice_fd_in;
	f->len = sqe->len;
	return 0;
}

int eng_splice_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	eng_fsop_init(req);
	f->off2 = sqe->splice_off_in;
	f->off = sqe->off;
	return splice_prep_common(req, sqe);
}

int eng_tee_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	eng_fsop_init(req);
	if (sqe->splice_off_in || sqe->off)
		return -EINVAL;
	req->fsop.mode = SPLICE_IS_TEE;
	return splice_prep_common(req, sqe);
}

/* The input descriptor becomes our own, like the output (req->fd). */
int eng_splice_prep_async(struct eng_req *req)
{
	struct eng_fsop *f = &req->fsop;
	bool owned;
	int ret;

	if ((f->flags & SPLICE_F_FD_IN_FIXED) || (f->own & FSOP_OWN_DFD2))
		return 0;
	/* a bad fd becomes -1: splice() then says -EBADF, as the kernel */
	ret = eng_fsop_own_dirfd(&f->dfd2, NULL, &owned);
	if (owned)
		f->own |= FSOP_OWN_DFD2;
	return ret;
}

static ssize_t splice_once(struct eng_req *req, unsigned flags)
{
	struct eng_fsop *f = &req->fsop;
	/* copies: a retry after -EAGAIN (nothing moved) starts from the
	 * SQE's offsets again */
	loff_t off_in = (loff_t)f->off2, off_out = (loff_t)f->off;

	if (f->mode == SPLICE_IS_TEE)
		return tee(f->dfd2, req->fd, (size_t)f->len, flags);
	return splice(f->dfd2, f->off2 == SPLICE_NO_OFF ? NULL : &off_in,
		      req->fd, f->off == SPLICE_NO_OFF ? NULL : &off_out,
		      (size_t)f->len, flags);
}

/* Polling a regular file reports ready at once: only a pipe or a socket
 * that is not ready makes us wait. */
static int splice_wait(struct eng_req *req)
{
	struct eng_wq *wq = req->ctx->wq;
	int ret = eng_wq_wait_fd(wq, req->fsop.dfd2, POLLIN);

	return ret ? ret : eng_wq_wait_fd(wq, req->fd, POLLOUT);
}

static bool splice_pipe_off(int fd, uint64_t off)
{
	struct stat st;

	return off != SPLICE_NO_OFF && !fstat(fd, &st) && S_ISFIFO(st.st_mode);
}

/*
 * The kernel's io_splice() checks the files' modes (-EBADF) before the
 * offsets on a pipe (-ESPIPE), splice(2) the other way round; and an
 * io_uring fd cannot be spliced (-EINVAL), where an engine ring's fd is a
 * pipe. Asked on the error path only.
 */
static int splice_error(struct eng_req *req, int err)
{
	int in = fcntl(req->fsop.dfd2, F_GETFL), out = fcntl(req->fd, F_GETFL);
	/* the request holds dups of both: found by inode */
	bool ring_in = eng_lookup_dup(req->fsop.dfd2);
	bool ring_out = eng_lookup_dup(req->fd);

	/* an io_uring fd is open for reading and writing */
	if (in < 0 || out < 0 || (in & O_PATH) || (out & O_PATH) ||
	    (!ring_in && (in & O_ACCMODE) == O_WRONLY) ||
	    (!ring_out && (out & O_ACCMODE) == O_RDONLY))
		return -EBADF;
	/* the other side a pipe with an offset: -ESPIPE first */
	if ((ring_in && splice_pipe_off(req->fd, req->fsop.off)) ||
	    (ring_out && splice_pipe_off(req->fsop.dfd2, req->fsop.off2)))
		return -ESPIPE;
	if (ring_in || ring_out)
		return -EINVAL;
	return -err;
}

static ssize_t splice_blocking(struct eng_req *req)
{
	unsigned user = req->fsop.flags & ~SPLICE_F_FD_IN_FIXED;
	ssize_t n;
	int ret;

	for (;;) {
		n = splice_once(req, user | SPLICE_F_NONBLOCK);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return splice_error(req, errno);
		if (user & SPLICE_F_NONBLOCK)
			return -EAGAIN;
		ret = splice_wait(req);
		if (ret)
			return ret;
	}
}

/* SPLICE_F_FD_IN_FIXED: the input is a registered file, held for the
 * call. */
static ssize_t splice_fixed_in(struct eng_req *req)
{
	struct eng_fsop *f = &req->fsop;
	struct eng_rsrc *node;
	int slot = f->dfd2, ret;
	ssize_t n = 0;

	ret = eng_file_get_fixed(req->ctx, (unsigned)slot, &f->dfd2, &node);
	if (ret)
		return ret;
	if (f->len)
		n = splice_blocking(req);
	eng_file_put_fixed(req->ctx, node);
	f->dfd2 = slot;
	return n;
}

int eng_splice_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;
	ssize_t ret = 0;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	if (f->flags & SPLICE_F_FD_IN_FIXED)
		ret = splice_fixed_in(req);
	else if (f->dfd2 < 0)
		ret = -EBADF;		/* even for len 0, as the kernel */
	else if (f->len)
		ret = splice_blocking(req);
	/* A short splice breaks an IOSQE_IO_LINK chain, as in the kernel. */
	if (ret != (ssize_t)f->len)
		req->flags |= ENG_REQ_F_FAIL;
	eng_req_set_res(req, (int32_t)ret, 0);
	return ENG_ISSUE_DONE;
}
