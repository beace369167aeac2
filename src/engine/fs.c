/* SPDX-License-Identifier: MIT */
/* FSYNC: always runs in a worker, as it blocks on the device. */
#include <errno.h>
#include <unistd.h>
#include "engine/req.h"

int eng_fsync_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (sqe->addr || sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (sqe->fsync_flags & ~IORING_FSYNC_DATASYNC)
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
	eng_req_set_res(req, ret ? -errno : 0, 0);
	return ENG_ISSUE_DONE;
}
