/* SPDX-License-Identifier: MIT */
/*
 * FSYNC, SYNC_FILE_RANGE, FALLOCATE and FTRUNCATE: all run in a worker, as
 * the kernel's do, since each may wait for the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "engine/fsops.h"

int eng_fsync_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (sqe->addr || sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (sqe->fsync_flags & ~IORING_FSYNC_DATASYNC)
		return -EINVAL;
	if ((int64_t)sqe->off < 0)	/* the range's start, checked at prep */
		return -EINVAL;
	req->fsync.flags = sqe->fsync_flags;
	return 0;
}

/*
 * The SQE's off/len name a range; user space can only sync the whole
 * file, which gives the same guarantee for the range and more.
 */
int eng_fsync_issue(struct eng_req *req, unsigned issue_flags)
{
	int ret;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	if (req->fsync.flags & IORING_FSYNC_DATASYNC)
		ret = fdatasync(req->fd);
	else
		ret = fsync(req->fd);
	return eng_fsop_done_soft(req, ret ? -errno : 0);
}

static int fs_done(struct eng_req *req, int ret)
{
	return eng_fsop_done_soft(req, ret < 0 ? -errno : 0);
}

int eng_sync_range_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	eng_fsop_init(req);
	if (sqe->addr || sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	f->off = sqe->off;
	f->len = sqe->len;
	f->flags = sqe->sync_range_flags;
	return 0;
}

int eng_sync_range_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return fs_done(req, sync_file_range(req->fd, (off_t)f->off,
					    (off_t)f->len, f->flags));
}

int eng_fallocate_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	eng_fsop_init(req);
	if (sqe->buf_index || sqe->rw_flags || sqe->splice_fd_in)
		return -EINVAL;
	f->off = sqe->off;
	f->len = sqe->addr;
	f->mode = sqe->len;
	return 0;
}

int eng_fallocate_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return fs_done(req, fallocate(req->fd, (int)f->mode, (off_t)f->off,
				      (off_t)f->len));
}

int eng_ftruncate_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	eng_fsop_init(req);
	if (sqe->rw_flags || sqe->addr || sqe->len || sqe->buf_index ||
	    sqe->splice_fd_in || sqe->addr3)
		return -EINVAL;
	req->fsop.off = sqe->off;
	return 0;
}

int eng_ftruncate_issue(struct eng_req *req, unsigned issue_flags)
{
	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return fs_done(req, ftruncate(req->fd, (off_t)req->fsop.off));
}
