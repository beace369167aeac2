/* SPDX-License-Identifier: MIT */
/*
 * FADVISE and MADVISE. As in the kernel, advice that only sets a file's
 * read-ahead mode (NORMAL, RANDOM, SEQUENTIAL) runs inline; advice that
 * starts or drops I/O, and every MADVISE, runs in a worker.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "engine/fsops.h"

int eng_fadvise_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	eng_fsop_init(req);
	if (sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	f->off = sqe->off;
	/* io_uring_prep_fadvise64() puts a 64-bit length in addr */
	f->len = sqe->addr ? sqe->addr : sqe->len;
	f->flags = sqe->fadvise_advice;
	return 0;
}

static bool fadvise_inline(uint32_t advice)
{
	return advice == POSIX_FADV_NORMAL || advice == POSIX_FADV_RANDOM ||
	       advice == POSIX_FADV_SEQUENTIAL;
}

int eng_fadvise_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;
	long ret;

	if ((issue_flags & ENG_ISSUE_NONBLOCK) && !fadvise_inline(f->flags))
		return -EAGAIN;
	/* the raw call: posix_fadvise() hides the errno convention */
	ret = syscall(SYS_fadvise64, req->fd, (off_t)f->off, (off_t)f->len,
		      (int)f->flags);
	eng_req_set_res(req, ret < 0 ? -errno : 0, 0);
	return ENG_ISSUE_DONE;
}

int eng_madvise_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	eng_fsop_init(req);
	if (sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	f->off = sqe->addr;
	/* io_uring_prep_madvise64() puts a 64-bit length in off */
	f->len = sqe->off ? sqe->off : sqe->len;
	f->flags = sqe->fadvise_advice;
	return 0;
}

int eng_madvise_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return eng_fsop_done_soft(req, madvise((void *)(uintptr_t)f->off,
			(size_t)f->len, (int)f->flags) ? -errno : 0);
}
