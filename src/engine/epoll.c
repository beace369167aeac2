/* SPDX-License-Identifier: MIT */
/*
 * EPOLL_CTL and EPOLL_WAIT. EPOLL_CTL runs inline: epoll_ctl(2) does not
 * block. EPOLL_WAIT takes what is ready without waiting; when nothing is,
 * it returns -EAGAIN and, an epoll descriptor being pollable, the request
 * is parked on the ring's poll thread (opdef `pollin`, apoll.c) and issued
 * again when the epoll set has events, as the kernel arms its poll: no
 * worker waits on it.
 */
#include <errno.h>
#include <sys/epoll.h>
#include "engine/waitops.h"
#include "util/ucopy.h"

int eng_epoll_ctl_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct epoll_event ev;

	if (sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	req->waitop.op = sqe->len;
	req->waitop.fd = (int32_t)sqe->off;
	/* Copied now (SUBMIT_STABLE); every op but DEL carries an event. */
	if (req->waitop.op != EPOLL_CTL_DEL) {
		if (ucopy(&ev, (const void *)(uintptr_t)sqe->addr, sizeof(ev)))
			return -EFAULT;
		req->waitop.events = ev.events;
		req->waitop.data = ev.data.u64;
	}
	return 0;
}

int eng_epoll_ctl_issue(struct eng_req *req, unsigned issue_flags)
{
	struct epoll_event ev = {
		.events = req->waitop.events,
		.data.u64 = req->waitop.data,
	};
	int ret;

	(void)issue_flags;
	ret = epoll_ctl(req->fd, (int)req->waitop.op, req->waitop.fd, &ev);
	eng_req_set_res(req, ret ? -errno : 0, 0);
	return ENG_ISSUE_DONE;
}

int eng_epoll_wait_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (sqe->off || sqe->rw_flags || sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	req->waitop.addr = sqe->addr;
	req->waitop.len = (int32_t)sqe->len;
	return 0;
}

int eng_epoll_wait_issue(struct eng_req *req, unsigned issue_flags)
{
	int ret;

	(void)issue_flags;
	/* Never blocks, even in a worker: -EAGAIN parks it (apoll.c). */
	ret = epoll_wait(req->fd, (struct epoll_event *)(uintptr_t)req->waitop.addr,
			 req->waitop.len, 0);
	if (ret == 0)
		return -EAGAIN;
	eng_req_set_res(req, ret < 0 ? -errno : ret, 0);
	return ENG_ISSUE_DONE;
}
