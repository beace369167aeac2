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
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "engine/engine.h"
#include "engine/fdinfo.h"
#include "engine/net_int.h"
#include "engine/req.h"
#include "engine/rsrc.h"
#include "engine/rw_check.h"
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
	rw->sel.held = false;
	rw->fixed = false;
	rw->checked = false;
	if (sqe->attr_type_mask)	/* PI attributes need a block device */
		return -EINVAL;
	rw->addr = sqe->addr;
	rw->len = sqe->len;
	rw->rw_flags = sqe->rw_flags;
	rw->pos = (int64_t)sqe->off;
	rw->done = 0;
	return rw_check_ioprio(sqe->ioprio);
}

static int rw_prep_ubuf(struct eng_req *req, const struct io_uring_sqe *sqe)
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

/* The buffer is imported at prep, as the kernel's: one outside the user
 * range fails the SQE (a provided buffer is chosen later). */
int eng_rw_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	int ret = rw_prep_ubuf(req, sqe);

	if (ret || (req->sqe_flags & IOSQE_BUFFER_SELECT))
		return ret;
	return eng_rw_ubuf_check(req->rw.addr, req->rw.len);
}

/* READV with a selected buffer: one iovec, whose length is the most to
 * read (its base is not used), as the kernel reads it at prep. */
static int rwv_select_prep(struct eng_req *req)
{
	struct eng_rw *rw = &req->rw;
	struct iovec iov;

	if (rw->len != 1)
		return -EINVAL;
	if (ucopy(&iov, (const void *)(uintptr_t)rw->addr, sizeof(iov)))
		return -EFAULT;
	if (iov.iov_len > UINT32_MAX)
		return -EINVAL;
	rw->len = (uint32_t)iov.iov_len;
	rw->iov = rw->fast_iov;
	rw->nr_iov = 0;		/* set once a buffer is selected */
	return 0;
}

/*
 * The iovec array stays in the application's memory for the inline try,
 * which reads it there: checking it here would cost a system call. An
 * error from that try checks it then (rw_syscall()), so a bad array still
 * fails as at prep. In a chain, with IOSQE_ASYNC or behind a drain, where
 * the kernel's prep failure would keep other requests from running or
 * the try comes after the submit call, it is checked now.
 */
int eng_rwv_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_rw *rw = &req->rw;
	int ret = rw_prep_common(req, sqe);

	if (ret)
		return ret;
	if (req->sqe_flags & IOSQE_BUFFER_SELECT)
		return rwv_select_prep(req);
	if (rw->len > ENG_UIO_MAXIOV)
		return -EINVAL;
	rw->iov = (struct iovec *)(uintptr_t)rw->addr;
	rw->nr_iov = (int)rw->len;
	rw->total = (size_t)-1;		/* summed once readable */
	/* Relaxed: a hint of a drain in force; a request deferred by one
	 * runs after the submit call, too late to end its submission. */
	if ((req->sqe_flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC |
			       IOSQE_IO_DRAIN)) || req->ctx->link_head ||
	    atomic_load_explicit(&req->ctx->defer_pending, memory_order_relaxed))
		return eng_rw_iovec_check(rw->iov, rw->nr_iov);
	return 0;
}

int eng_rw_fixed_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	int ret = rw_prep_ubuf(req, sqe);

	if (ret)
		return ret;
	/* The buffer is looked up at issue, as the kernel does: a bad index
	 * fails the request, not the submission. */
	req->rw.fixed = true;
	req->rw.buf_index = sqe->buf_index;
	return 0;
}

void eng_rw_cleanup(struct eng_req *req)
{
	free(req->rw.iov_alloc);
	req->rw.iov_alloc = NULL;
	if (req->rw.sel.held) {		/* failed or cancelled before use */
		eng_kbuf_lock(req->ctx);
		eng_kbuf_recycle(req->ctx, &req->rw.sel);
		eng_kbuf_unlock(req->ctx);
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

static int rw_iovec_prep_check(struct eng_req *req);

/* Before a punt: an array that the inline try has not read yet gets the
 * kernel's prep check (a failure ends the submission, as there). */
int eng_rw_prep_async(struct eng_req *req)
{
	struct eng_rw *rw = &req->rw;
	int ret;

	if (!rw->checked) {
		ret = rw_iovec_prep_check(req);
		if (ret)
			return ret;
	}
	return rw_stabilise(rw);
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

/* One buffer and no flags: pread()/pwrite() skip the kernel's iovec
 * import that preadv2() pays for. */
static ssize_t rw_call(int fd, const struct eng_rw *rw, off_t pos, int flags,
		       bool write)
{
	const struct iovec *v = rw->iov;

	if (rw->nr_iov == 1 && !flags && pos != -1)
		return write ? pwrite(fd, v->iov_base, v->iov_len, pos)
			     : pread(fd, v->iov_base, v->iov_len, pos);
	return write ? pwritev2(fd, v, rw->nr_iov, pos, flags)
		     : preadv2(fd, v, rw->nr_iov, pos, flags);
}

/*
 * The kernel's checks, where the system call would answer differently: a
 * bad iovec array first (at prep there, see eng_rwv_prep()), then the
 * file's mode, rw_flags and the position (rw_check.c). May drop a position
 * the file does not have.
 */
static int rw_iovec_prep_check(struct eng_req *req)
{
	struct eng_rw *rw = &req->rw;
	int ret = 0;

	if (rw->iov != rw->fast_iov && rw->iov != rw->iov_alloc) {
		ret = eng_rw_iovec_check(rw->iov, rw->nr_iov);
		if (ret)
			req->flags |= ENG_REQ_F_PREP_FAULT;
	}
	return ret;
}

static int rw_kernel_check(struct eng_req *req, bool write)
{
	req->rw.checked = true;
	return rw_iovec_prep_check(req) ?:
	       eng_rw_issue_check(req->fd, req->rw.rw_flags, &req->rw.pos, write);
}

/*
 * An error from the system call: was it one the kernel finds first?
 * Returns that error, 0 to try again without a position (a file without
 * pread, such as an eventfd or a tty, ignores it in the kernel), or the
 * call's own error.
 */
static ssize_t rw_error(struct eng_req *req, bool write, int err)
{
	struct eng_rw *rw = &req->rw;
	int ret;

	if (rw->done)
		return -err;
	if (!rw->checked) {
		int64_t pos = rw->pos;

		ret = rw_kernel_check(req, write);
		if (ret)
			return ret;
		if (pos != rw->pos)
			return 0;
	}
	if (err == ESPIPE && rw->pos != -1) {
		rw->pos = -1;
		return 0;
	}
	/*
	 * rw_flags passed the kernel's checks above, yet the call refuses
	 * them: a file without read_iter/write_iter (an eventfd's write),
	 * where the kernel's loop_rw_iter() takes them and only RWF_NOWAIT
	 * means something, or a buffered write to a file system without
	 * async buffered writes, where the kernel says -EAGAIN too.
	 */
	if (err == EOPNOTSUPP && rw->rw_flags) {
		/* tmpfs has no FMODE_NOWAIT: the kernel refuses it too
		 * (asked, not hinted: this decides the result) */
		if (rw->rw_flags & ENG_RWF_USER_NOWAIT)
			return eng_rw_nowait_refused(req->fd) ? -EOPNOTSUPP : -EAGAIN;
		rw->rw_flags = 0;
		return 0;
	}
	return -err;
}

/* The system call with the request's rw_flags (which rw_error() may drop)
 * and, if @nowait, RWF_NOWAIT. */
static ssize_t rw_syscall(struct eng_req *req, bool write, bool nowait)
{
	struct eng_rw *rw = &req->rw;
	ssize_t ret;
	int flags;

	for (;;) {
		off_t pos = rw->pos == -1 ? -1 : (off_t)(rw->pos + (int64_t)rw->done);

		flags = rw->rw_flags | (nowait ? ENG_RWF_USER_NOWAIT : 0);
		ret = rw_call(req->fd, rw, pos, flags, write);
		if (ret >= 0)
			return ret;
		/* A pipe or socket at position 0: no position, as the
		 * kernel's (a socket refuses any other, see rw_error()). */
		if (errno == ESPIPE && pos == 0) {
			rw->pos = -1;
			continue;
		}
		if (errno == EINTR && !(flags & ENG_RWF_USER_NOWAIT))
			continue;
		if (errno == EAGAIN)
			return -EAGAIN;
		ret = rw_error(req, write, errno);
		if (ret)
			return ret;
	}
}

static bool rw_is_regular(struct eng_req *req)
{
	return eng_req_fdinfo(req) & ENG_FDI_REG;
}

/*
 * A file in memory: read or written inline, without RWF_NOWAIT (tmpfs
 * refuses it). The hint may be stale (fdinfo.h): a pipe or socket behind
 * the number now would block the submitter. At an offset pread/pwrite
 * refuse a stream (-ESPIPE), which tells; at the file position one fstat
 * checks first. -ESPIPE: not in memory after all, the hint is renewed.
 */
static ssize_t rw_mem_syscall(struct eng_req *req, bool write)
{
	struct eng_rw *rw = &req->rw;
	off_t pos = rw->pos == -1 ? -1 : (off_t)(rw->pos + (int64_t)rw->done);
	ssize_t ret;

	if (pos == -1 && !(eng_req_fdinfo_recheck(req) & ENG_FDI_MEM))
		return -ESPIPE;
	do {
		ret = rw_call(req->fd, rw, pos, rw->rw_flags, write);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0 && errno == ESPIPE)
		eng_req_fdinfo_recheck(req);
	if (ret >= 0 || errno == ESPIPE)
		return ret < 0 ? -errno : ret;
	/* the kernel's checks first; a retry goes the general way */
	ret = rw_error(req, write, errno);
	return ret ? ret : -ESPIPE;
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

static int rw_issue_nonblock(struct eng_req *req, bool write)
{
	struct eng_rw *rw = &req->rw;
	bool user_nowait = rw->rw_flags & ENG_RWF_USER_NOWAIT;
	unsigned info = eng_req_fdinfo(req);
	ssize_t ret;

	/* rw_flags, or a negative position: the kernel's checks come first
	 * (preadv2() takes RWF_HIPRI, and refuses a position before the fd);
	 * after a provided buffer was chosen, which the result reports. */
	if (!rw->checked && (rw->rw_flags || rw->pos < -1)) {
		ret = rw_kernel_check(req, write);
		if (ret)
			return rw_finish(req, ret);
	}
	if (!user_nowait && (info & ENG_FDI_DIRECT)) {
		/* O_DIRECT ignores RWF_NOWAIT and would wait for the device
		 * here, one request after the other: a worker takes it. */
		req->flags |= ENG_REQ_F_NO_APOLL;
		return -EAGAIN;
	}
	if (!user_nowait && (info & ENG_FDI_MEM)) {
		ret = rw_mem_syscall(req, write);
		if (ret != -ESPIPE)
			return rw_finish(req, ret);
	}
	ret = rw_syscall(req, write, true);
	if (ret == -EAGAIN)
		return user_nowait ? rw_finish(req, ret) : -EAGAIN;
	if (ret == -EOPNOTSUPP && !user_nowait) {
		/* No NOWAIT support (and not in memory, see above): poll
		 * would say "ready" for ever, so a worker blocks. */
		req->flags |= ENG_REQ_F_NO_APOLL;
		return -EAGAIN;
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
	if (!rw->nr_iov || !rw_is_regular(req))
		return rw_finish(req, 0);
	return -EAGAIN;
}

struct rw_nb {
	struct eng_req *req;
	bool write;
	ssize_t ret;
};

static int rw_nb_fn(int fd, void *arg)
{
	struct rw_nb *a = arg;

	(void)fd;
	a->ret = rw_syscall(a->req, a->write, false);
	return 0;
}

/*
 * A file without NOWAIT support (a tty) that poll says is ready: the call
 * is made with O_NONBLOCK on the file (net.c's helper, under its lock), so
 * a write bigger than what fits returns what fit instead of blocking the
 * worker, and the ring's teardown, for ever.
 */
static ssize_t rw_nonblock_file(struct eng_req *req, bool write)
{
	struct rw_nb a = { req, write, 0 };
	int ret = eng_net_nb_call(req->fd, rw_nb_fn, &a);

	return ret < 0 ? ret : a.ret;
}

/*
 * In a worker. A regular file blocks in the system call, on the device.
 * Anything else (a pipe, a socket) may wait for a peer for ever: it waits
 * in poll together with the pool's cancel fd, then moves data without
 * blocking, so teardown and cancellation can always reach it.
 */
static int rw_issue_blocking(struct eng_req *req, bool write)
{
	ssize_t ret;

	if (!req->rw.checked && (req->rw.rw_flags || req->rw.pos < -1)) {
		ret = rw_kernel_check(req, write);
		if (ret)
			return rw_finish(req, ret);
	}
	if (!(req->flags & ENG_REQ_F_POLLABLE))
		return rw_finish(req, rw_syscall(req, write, false));
	/* Sent here to finish a short transfer on a file that turned out to
	 * be a stream (a stale hint, see wq.c): a stream reports it short. */
	if (req->rw.done)
		return rw_finish(req, 0);
	for (;;) {
		ret = eng_wq_wait_fd(req->ctx->wq, req->fd, write ? POLLOUT : POLLIN);
		if (ret < 0)
			break;
		ret = rw_syscall(req, write, true);
		if (ret == -EOPNOTSUPP)		/* no NOWAIT: poll said ready */
			ret = rw_nonblock_file(req, write);
		if (ret != -EAGAIN)
			break;
	}
	return rw_finish(req, ret);
}

/* --- IOSQE_BUFFER_SELECT (reads only; see kbuf.h) --- */

/* Points the request at its selected buffer. */
static void rw_use_sel(struct eng_rw *rw, uint32_t len)
{
	rw->fast_iov[0].iov_base = rw->sel.addr;
	rw->fast_iov[0].iov_len = len;
	rw->iov = rw->fast_iov;
	rw->nr_iov = 1;
	rw->total = len;
}

/* Under the kbuf lock: the request is done with its buffer. A failed read
 * used it up too, and says which it was, as the kernel's does. */
static void rw_sel_finish(struct eng_req *req)
{
	req->cflags = eng_kbuf_complete(req->ctx, &req->rw.sel, req->res);
}

static int rw_fail(struct eng_req *req, int err)
{
	eng_req_set_res(req, err, 0);
	return ENG_ISSUE_DONE;
}

static bool rw_is_stream(int fd);

/*
 * The nonblocking try holds the kbuf lock across its system call, so that
 * on a pipe or socket an incremental ring entry is consumed by exactly
 * what was read. Anything else cannot be waited on with poll, and, as with
 * the kernel, consumes what it asked for at selection. Would block: an
 * unconsumed buffer goes back, to be chosen again at the next try; a
 * consumed one (or one partly filled) stays with the request.
 */
static int rw_sel_nonblock(struct eng_req *req)
{
	struct eng_ctx *ctx = req->ctx;
	struct eng_rw *rw = &req->rw;
	uint32_t len = rw->len;
	bool commit = !rw_is_stream(req->fd);
	int ret;

	eng_kbuf_lock(ctx);
	ret = eng_kbuf_select(ctx, &rw->sel, req->buf_group, &len, commit);
	if (ret) {
		eng_kbuf_unlock(ctx);
		return rw_fail(req, ret);
	}
	rw_use_sel(rw, len);
	ret = rw_issue_nonblock(req, false);
	if (ret == -EAGAIN && !rw->done && !rw->sel.committed)
		eng_kbuf_recycle(ctx, &rw->sel);
	else if (ret == -EAGAIN)
		eng_kbuf_commit(ctx, &rw->sel);
	else
		rw_sel_finish(req);
	eng_kbuf_unlock(ctx);
	return ret;
}

/* Pipes and sockets: RWF_NOWAIT works there and poll says when data is in. */
static bool rw_is_stream(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/*
 * A worker may block. On a pipe or socket that already failed a
 * nonblocking try, it waits for data before it chooses a buffer, so that,
 * as with the kernel's poll-driven retry, no buffer is taken while nothing
 * arrives. Anything else, and IOSQE_ASYNC (the kernel's io-wq selects
 * first), takes its buffer (consumed) first and then reads, blocking.
 */
static int rw_sel_blocking(struct eng_req *req)
{
	struct eng_ctx *ctx = req->ctx;
	struct eng_rw *rw = &req->rw;
	uint32_t len = rw->len;
	int ret;

	while (!rw->sel.held && !(req->sqe_flags & IOSQE_ASYNC) &&
	       rw_is_stream(req->fd)) {
		ret = rw_sel_nonblock(req);
		if (ret != -EAGAIN || rw->sel.held)
			return ret;
		ret = eng_wq_wait_fd(ctx->wq, req->fd, POLLIN);
		if (ret < 0)
			return rw_fail(req, ret);
	}
	if (!rw->sel.held) {
		eng_kbuf_lock(ctx);
		ret = eng_kbuf_select(ctx, &rw->sel, req->buf_group, &len, true);
		eng_kbuf_unlock(ctx);
		if (ret)
			return rw_fail(req, ret);
		rw_use_sel(rw, len);
	}
	ret = rw_issue_blocking(req, false);
	eng_kbuf_lock(ctx);
	rw_sel_finish(req);
	eng_kbuf_unlock(ctx);
	return ret;
}

static int rw_issue(struct eng_req *req, unsigned issue_flags, bool write)
{
	bool sel = !write && (req->sqe_flags & IOSQE_BUFFER_SELECT);
	int ret;

	if (req->rw.fixed && !req->buf_node) {
		ret = eng_buffer_get(req->ctx, req->rw.buf_index, req->rw.addr,
				     req->rw.len, &req->buf_node);
		/* the kernel has looked the file up before the buffer (an
		 * O_PATH fd is none to it) */
		if (ret && !req->file_node) {
			int fl = fcntl(req->fd, F_GETFL);

			if (fl < 0 || (fl & O_PATH))
				ret = -EBADF;
		}
		if (ret)
			return rw_fail(req, ret);
	}
	if (!(eng_req_fdinfo(req) & ENG_FDI_REG) && !req->file_node &&
	    eng_lookup(req->fd)) {	/* an engine ring's fd: a pipe */
		req->rw.checked = true;
		ret = rw_iovec_prep_check(req);
		return rw_fail(req, ret ?: eng_rw_ring_check(req->rw.rw_flags, write));
	}

	if (issue_flags & ENG_ISSUE_NONBLOCK) {
		if (sel && !req->rw.sel.held)
			return rw_sel_nonblock(req);
		return rw_issue_nonblock(req, write);
	}
	if (sel)
		return rw_sel_blocking(req);
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
