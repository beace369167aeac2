/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_MSG_RING between engine rings, and its synchronous form
 * (IORING_REGISTER_SEND_MSG_RING on fd -1).
 *
 * IORING_MSG_DATA posts a CQE on the target ring (user_data = sqe->off,
 * res = sqe->len, flags = sqe->file_index with IORING_MSG_RING_FLAGS_PASS);
 * IORING_MSG_SEND_FD installs one of the source's fixed files in the
 * target's fixed table and, unless IORING_MSG_RING_CQE_SKIP, tells the
 * target with a CQE. The target may be the ring itself (MSG_DATA only, as
 * in the kernel) or a ring driven by other threads: the CQE is posted
 * under the target's cq_lock like any completion from another thread.
 *
 * Only engine rings can be targets. A descriptor that is not an engine
 * ring fails with -EBADFD, which is what the kernel says for a descriptor
 * that is not an io_uring: a kernel ring is no target for an engine ring
 * (and a kernel ring's MSG_RING cannot reach an engine ring either).
 * The target is held (eng_ctx_get) while the message is delivered, so a
 * concurrent teardown waits for it, or finds the fd gone (-EBADF).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "engine/req.h"
#include "engine/ringctl.h"
#include "engine/rsrc.h"

/* The kernel's IORING_MSG_RING_MASK: the flags a message may carry. */
#define MSG_RING_FLAGS	(IORING_MSG_RING_CQE_SKIP | IORING_MSG_RING_FLAGS_PASS)

/* The shared part of the kernel's prep, for the SQE and the sync form. */
static int msg_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (sqe->buf_index || sqe->personality)
		return -EINVAL;
	req->msg.user_data = sqe->off;
	req->msg.len = sqe->len;
	req->msg.cmd = (uint32_t)sqe->addr;
	req->msg.src_fd = (uint32_t)sqe->addr3;
	req->msg.dst_fd = sqe->file_index;
	req->msg.flags = sqe->msg_ring_flags;
	/* cmd is 64 bits in the SQE: a high bit set is an unknown command */
	if (sqe->addr >> 32)
		req->msg.cmd = ~0u;
	return req->msg.flags & ~MSG_RING_FLAGS ? -EINVAL : 0;
}

int eng_msg_ring_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	return msg_prep(req, sqe);
}

/* The engine ring behind @fd, held until eng_ctx_put(): 0, -EBADF (no
 * such fd, or an O_PATH one, which the kernel's fget() does not take),
 * -EBADFD (not an engine ring). */
static int msg_target(int fd, struct eng_ctx **out)
{
	struct eng_ctx *target = eng_ctx_get(fd);
	int fl;

	if (target) {
		*out = target;
		return 0;
	}
	fl = fcntl(fd, F_GETFL);
	return fl < 0 || (fl & O_PATH) ? -EBADF : -EBADFD;
}

/* The target's CQE has no request behind it in the target ring: it gets
 * a slot of its own, or the sender -ENOMEM, as the kernel's allocation of
 * a target request would fail. */
static int msg_post(struct eng_ctx *target, uint64_t user_data, int32_t res,
		    uint32_t flags)
{
	struct eng_cqe_slot *slot = eng_cqe_slot_new(user_data, res, flags);

	if (!slot)
		return -ENOMEM;
	eng_post_slot(target, slot, true);
	return 0;
}

static int msg_data(struct eng_ctx *target, const struct eng_req *req)
{
	uint32_t flags = 0;

	if (req->msg.src_fd || (req->msg.flags & ~IORING_MSG_RING_FLAGS_PASS))
		return -EINVAL;
	if (req->msg.flags & IORING_MSG_RING_FLAGS_PASS)
		flags = req->msg.dst_fd;
	else if (req->msg.dst_fd)
		return -EINVAL;
	if (eng_disabled(target))
		return -EBADFD;
	return msg_post(target, req->msg.user_data, (int32_t)req->msg.len, flags);
}

/* sqe->file_index names the target slot 1-based, or asks for any free
 * one; 0 is out of range, which the install reports as the kernel does. */
static unsigned msg_slot(uint32_t dst_fd)
{
	if (dst_fd == IORING_FILE_INDEX_ALLOC)
		return IORING_FILE_INDEX_ALLOC;
	return dst_fd ? dst_fd - 1 : IORING_FILE_INDEX_ALLOC - 1;
}

static int msg_send_fd(struct eng_ctx *target, struct eng_req *req)
{
	struct eng_ctx *ctx = req->ctx;
	struct eng_cqe_slot *slot = NULL;
	struct eng_rsrc *node;
	int fd, ret;

	if (req->msg.len || target == ctx)
		return -EINVAL;
	if (eng_disabled(target))
		return -EBADFD;
	ret = eng_file_get_fixed(ctx, req->msg.src_fd, &fd, &node);
	if (ret)
		return ret;
	/* The target's table takes a reference of its own. */
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	ret = fd < 0 ? -errno : 0;
	eng_file_put_fixed(ctx, node);
	if (ret)
		return ret;
	if (!(req->msg.flags & IORING_MSG_RING_CQE_SKIP)) {
		slot = eng_cqe_slot_new(req->msg.user_data, 0, 0);
		if (!slot) {
			close(fd);
			return -ENOMEM;
		}
	}
	ret = eng_file_install_fixed(target, fd, msg_slot(req->msg.dst_fd));
	if (slot && ret >= 0) {
		slot->cqe.res = ret;
		eng_post_slot(target, slot, true);
	} else {
		free(slot);
	}
	return ret;
}

int eng_msg_ring_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_ctx *target;
	int ret = msg_target(req->fd, &target);

	if (!ret) {
		switch (req->msg.cmd) {
		case IORING_MSG_DATA:
			ret = msg_data(target, req);
			break;
		case IORING_MSG_SEND_FD:
			ret = msg_send_fd(target, req);
			break;
		default:
			ret = -EINVAL;
		}
		eng_ctx_put(target);
	}
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

/* The kernel's io_uring_sync_msg_ring(): MSG_DATA only, no SQE flags. */
int eng_msg_ring_sync(const struct io_uring_sqe *sqe)
{
	struct eng_req req = { 0 };
	struct eng_ctx *target;
	int ret;

	if (!sqe)
		return -EFAULT;
	if (sqe->flags || sqe->opcode != IORING_OP_MSG_RING)
		return -EINVAL;
	ret = msg_prep(&req, sqe);
	if (ret)
		return ret;
	if (req.msg.cmd != IORING_MSG_DATA)
		return -EINVAL;
	ret = msg_target(sqe->fd, &target);
	if (ret)
		return ret;
	ret = msg_data(target, &req);
	eng_ctx_put(target);
	return ret;
}
