/* SPDX-License-Identifier: MIT */
/*
 * ACCEPT: plain, direct, multishot, IORING_ACCEPT_DONTWAIT and
 * IORING_ACCEPT_POLL_FIRST. A multishot accept posts one CQE with
 * IORING_CQE_F_MORE per connection and stays parked on the ring's poll
 * thread between bursts; its last CQE (an error, or -ECANCELED) has no
 * F_MORE.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>
#include "engine/apoll.h"
#include "engine/net_int.h"
#include "engine/rsrc.h"

#define ACCEPT_IOU_FLAGS (IORING_ACCEPT_MULTISHOT | IORING_ACCEPT_DONTWAIT | \
			  IORING_ACCEPT_POLL_FIRST)
/* Connections taken per wakeup before the others get a turn. */
#define ACCEPT_BURST 32

int eng_accept_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_accept *a = &req->net.accept;

	if (sqe->len || sqe->buf_index)
		return -EINVAL;
	a->addr = (void *)(uintptr_t)sqe->addr;
	a->addrlen = (void *)(uintptr_t)sqe->addr2;
	a->flags = (int)sqe->accept_flags;
	a->iou_flags = sqe->ioprio;
	a->file_slot = sqe->file_index;
	if (a->iou_flags & ~ACCEPT_IOU_FLAGS)
		return -EINVAL;
	if (a->file_slot) {
		if (a->flags & SOCK_CLOEXEC)
			return -EINVAL;
		if ((a->iou_flags & IORING_ACCEPT_MULTISHOT) &&
		    a->file_slot != IORING_FILE_INDEX_ALLOC)
			return -EINVAL;
	}
	if (a->flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	a->poll_first = a->iou_flags & IORING_ACCEPT_POLL_FIRST;
	return 0;
}

static int accept_call(int fd, void *arg)
{
	struct eng_accept *a = arg;
	int ret = accept4(fd, a->addr, a->addrlen, a->flags);

	return ret < 0 ? -errno : ret;
}

/* As the kernel, for TCP only: more connections wait behind this one. */
static uint32_t accept_nonempty(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	socklen_t len = sizeof(int);
	int proto = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) ||
	    proto != IPPROTO_TCP)
		return 0;
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) ?
	       IORING_CQE_F_SOCK_NONEMPTY : 0;
}

static int accept_one(struct eng_req *req)
{
	struct eng_accept *a = &req->net.accept;
	int fd = eng_net_nb_call(req->fd, accept_call, a);

	if (fd >= 0 && a->file_slot)
		fd = eng_net_install_direct(req, fd, a->file_slot);
	return fd;
}

int eng_accept_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_accept *a = &req->net.accept;
	bool multishot = a->iou_flags & IORING_ACCEPT_MULTISHOT;
	uint32_t cflags;
	int i, ret;

	if (a->poll_first) {
		a->poll_first = false;
		return -EAGAIN;
	}
	for (i = 0; i < ACCEPT_BURST; i++) {
		ret = accept_one(req);
		if (ret == -EAGAIN &&
		    !(a->iou_flags & IORING_ACCEPT_DONTWAIT))
			return -EAGAIN;
		if (ret < 0 || !multishot) {
			eng_req_set_res(req, ret,
					ret >= 0 ? accept_nonempty(req->fd) : 0);
			return ENG_ISSUE_DONE;
		}
		cflags = accept_nonempty(req->fd);
		/* A full CQ ends the multishot with this result (kernel). */
		if (!eng_post_aux(req->ctx, req->user_data, ret,
				  IORING_CQE_F_MORE | cflags, true)) {
			eng_req_set_res(req, ret, cflags);
			return ENG_ISSUE_DONE;
		}
	}
	return ENG_ISSUE_MSHOT_MORE;	/* a full burst: re-armed, ready */
}

int eng_net_install_direct(struct eng_req *req, int fd, uint32_t slot)
{
	unsigned index = slot == IORING_FILE_INDEX_ALLOC ? IORING_FILE_INDEX_ALLOC
							 : slot - 1;

	/* Takes @fd in every case; 0, the allocated slot, or the error. */
	return eng_file_install_fixed(req->ctx, fd, index);
}
