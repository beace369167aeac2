/* SPDX-License-Identifier: MIT */
/*
 * READ, WRITE, READV, WRITEV, READ_FIXED and WRITE_FIXED.
 *
 * On the submitter a request is tried with RWF_NOWAIT; "would block" punts
 * it to a worker, which finishes the rest blocking, as the kernel does. A
 * regular file that moved only part of the request on the nonblocking try
 * finishes in the worker too, so the CQE carries the whole count; anything
 * else returns short counts as they come.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include "engine/req.h"
#include "util/ucopy.h"

#define ENG_UIO_MAXIOV 1024
#define ENG_RWF_USER_NOWAIT 0x8	/* RWF_NOWAIT */

/* ioprio classes as the kernel's ioprio_check_cap() accepts them. */
static int rw_check_ioprio(uint16_t ioprio)
{
	unsigned class = ioprio >> 13, level = ioprio & 0x7;

	switch (class) {
	case 0:				/* NONE */
		return level ? -EINVAL : 0;
	case 1: case 2: case 3:		/* RT, BE, IDLE */
		return 0;
	default:
		return -EINVAL;
	}
}

static int rw_prep_common(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_rw *rw = &req->rw;

	rw->iov_alloc = NULL;
	rw->fixed = false;
	if (sqe->attr_type_mask)	/* PI attributes need a block device */
		return -EINVAL;
	rw->addr = sqe->addr;
	rw->len = sqe->len;
	rw->rw_flags = sqe->rw_flags;
	rw->pos = (int64_t)sqe->off;
	rw->done = 0;
	return rw_check_ioprio(sqe->ioprio);
}

int eng_rw_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_rw *rw = &req->rw;
	int ret = rw_prep_common(req, sqe);

	rw->fast_iov[0].iov_base = (void *)(uintptr_t)rw->addr;
	rw->fast_iov[0].iov_len = rw->len;
	rw->iov = rw->fast_iov;
	rw->nr_iov = 1;
	rw->total = rw->len;
	return ret;
}

/*
 * The iovec array stays in the application's memory for the inline try:
 * the kernel reads it there and answers -EFAULT for a bad pointer, where a
 * copy here would crash. Only a punt copies it (see rw_stabilise()).
 */
int eng_rwv_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_rw *rw = &req->rw;
	int ret = rw_prep_common(req, sqe);

	if (ret)
		return ret;
	if (rw->len > ENG_UIO_MAXIOV)
		return -EINVAL;
	rw->iov = (struct iovec *)(uintptr_t)rw->addr;
	rw->nr_iov = (int)rw->len;
	rw->total = (size_t)-1;		/* summed once readable */
	return 0;
}

int eng_rw_fixed_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	int ret = eng_rw_prep(req, sqe);

	if (ret)
		return ret;
	ret = eng_buffer_get(req->ctx, sqe->buf_index, req->rw.addr, req->rw.len);
	if (ret)
		return ret;
	req->rw.fixed = true;
	return 0;
}

void eng_rw_cleanup(struct eng_req *req)
{
	free(req->rw.iov_alloc);
	req->rw.iov_alloc = NULL;
	if (req->rw.fixed) {
		eng_buffer_put(req->ctx);
		req->rw.fixed = false;
	}
}

/* The bytes the request asks for, once its iovecs are known readable. */
static void rw_count_total(struct eng_rw *rw)
{
	int i;

	if (rw->total != (size_t)-1)
		return;
	rw->total = 0;
	for (i = 0; i < rw->nr_iov; i++)
		rw->total += rw->iov[i].iov_len;
}

/*
 * Copies an application iovec array so the request survives the submit
 * call (FEAT_SUBMIT_STABLE). The copy checks the pointer as the kernel
 * would, for IOSQE_ASYNC requests that never had an inline try.
 */
static int rw_stabilise(struct eng_rw *rw)
{
	struct iovec *dst = rw->fast_iov;
	int ret;

	if (rw->iov == rw->fast_iov || rw->iov == rw->iov_alloc)
		return 0;
	if (rw->nr_iov > ENG_FAST_IOV) {
		dst = malloc(sizeof(*dst) * (size_t)rw->nr_iov);
		if (!dst)
			return -ENOMEM;
		rw->iov_alloc = dst;
	}
	ret = ucopy(dst, rw->iov, sizeof(*dst) * (size_t)rw->nr_iov);
	if (ret)
		return ret;
	rw->iov = dst;
	rw_count_total(rw);
	return 0;
}

int eng_rw_prep_async(struct eng_req *req)
{
	return rw_stabilise(&req->rw);
}

/* Skips @n bytes of the (stable) iovecs after a partial transfer. */
static void rw_advance(struct eng_rw *rw, size_t n)
{
	rw->done += n;
	while (n && rw->nr_iov) {
		size_t step = n < rw->iov->iov_len ? n : rw->iov->iov_len;

		rw->iov->iov_base = (char *)rw->iov->iov_base + step;
		rw->iov->iov_len -= step;
		n -= step;
		if (!rw->iov->iov_len) {
			rw->iov++;
			rw->nr_iov--;
		}
	}
	while (rw->nr_iov && !rw->iov->iov_len) {
		rw->iov++;
		rw->nr_iov--;
	}
}

static ssize_t rw_syscall(struct eng_req *req, bool write, int flags)
{
	struct eng_rw *rw = &req->rw;
	off_t pos = rw->pos == -1 ? -1 : (off_t)(rw->pos + (int64_t)rw->done);
	ssize_t ret;

	for (;;) {
		ret = write ? pwritev2(req->fd, rw->iov, rw->nr_iov, pos, flags)
			    : preadv2(req->fd, rw->iov, rw->nr_iov, pos, flags);
		if (ret >= 0)
			return ret;
		/* A stream (pipe, socket) has no offset: the kernel ignores
		 * it there, while preadv2() refuses one. */
		if (errno == ESPIPE && pos != -1) {
			pos = -1;
			rw->pos = -1;
			continue;
		}
		if (errno == EINTR && !(flags & ENG_RWF_USER_NOWAIT))
			continue;
		return -errno;
	}
}

static bool rw_is_regular(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
}

/* Without NOWAIT support, a file that lives in memory cannot block on a
 * device: it runs inline rather than costing a worker hand-off. */
static bool rw_in_memory(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs))
		return false;
	return sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC;
}

static int rw_finish(struct eng_req *req, ssize_t ret)
{
	struct eng_rw *rw = &req->rw;

	if (ret < 0 && rw->done)
		ret = (ssize_t)rw->done;	/* report what did move */
	else if (ret >= 0)
		ret += (ssize_t)rw->done;
	/* A short transfer breaks an IOSQE_IO_LINK chain, as in the kernel. */
	if (ret >= 0) {
		rw_count_total(rw);
		if ((size_t)ret < rw->total)
			req->flags |= ENG_REQ_F_FAIL;
	}
	if (ret > INT_MAX)
		ret = INT_MAX;
	eng_req_set_res(req, (int32_t)ret, 0);
	return ENG_ISSUE_DONE;
}

/*
 * The kernel reads a READV/WRITEV iovec array at prep, so a bad array
 * fails the SQE at submission (which ends the submission); the engine
 * lets the system call find it, and on -EFAULT tells the submitter
 * whether it was the array (a submission failure) or the data.
 */
static void rw_check_iovec_fault(struct eng_req *req)
{
	struct eng_rw *rw = &req->rw;
	struct iovec probe;
	int i;

	if (rw->iov == rw->fast_iov || rw->iov == rw->iov_alloc)
		return;
	for (i = 0; i < rw->nr_iov; i++) {
		if (ucopy(&probe, &rw->iov[i], sizeof(probe))) {
			req->flags |= ENG_REQ_F_PREP_FAULT;
			return;
		}
	}
}

static int rw_issue_nonblock(struct eng_req *req, bool write)
{
	struct eng_rw *rw = &req->rw;
	bool user_nowait = rw->rw_flags & ENG_RWF_USER_NOWAIT;
	ssize_t ret = rw_syscall(req, write, rw->rw_flags | ENG_RWF_USER_NOWAIT);

	if (ret == -EFAULT)
		rw_check_iovec_fault(req);
	if (ret == -EAGAIN)
		return user_nowait ? rw_finish(req, ret) : -EAGAIN;
	if (ret == -EOPNOTSUPP && !user_nowait) {
		if (!rw_in_memory(req->fd))
			return -EAGAIN;
		return rw_finish(req, rw_syscall(req, write, rw->rw_flags));
	}
	if (ret <= 0 || user_nowait)
		return rw_finish(req, ret);
	/* Did it move everything? The iovecs are known readable by now. */
	ret = rw_stabilise(rw) ?: ret;
	if (ret < 0)
		return rw_finish(req, ret);
	rw_advance(rw, (size_t)ret);
	/* A short nonblocking transfer: only a regular file finishes it,
	 * in a worker; anything else reports the short count. */
	if (!rw->nr_iov || !rw_is_regular(req->fd))
		return rw_finish(req, 0);
	return -EAGAIN;
}

static int rw_issue_blocking(struct eng_req *req, bool write)
{
	ssize_t ret;

	for (;;) {
		ret = rw_syscall(req, write, req->rw.rw_flags);
		if (ret != -EAGAIN)
			break;
		/* A nonblocking file: wait for it without spinning. */
		ret = eng_wq_wait_fd(req->ctx->wq, req->fd, write ? POLLOUT : POLLIN);
		if (ret < 0)
			break;
	}
	return rw_finish(req, ret);
}

static int rw_issue(struct eng_req *req, unsigned issue_flags, bool write)
{
	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return rw_issue_nonblock(req, write);
	return rw_issue_blocking(req, write);
}

int eng_read_issue(struct eng_req *req, unsigned issue_flags)
{
	return rw_issue(req, issue_flags, false);
}

int eng_write_issue(struct eng_req *req, unsigned issue_flags)
{
	return rw_issue(req, issue_flags, true);
}
