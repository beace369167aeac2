/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_NOP: completes at once, with an injected result if asked. As
 * the kernel's: the flags are checked at prep, a file (IORING_NOP_FILE,
 * by fd or as a fixed file with IORING_NOP_FIXED_FILE) and a registered
 * buffer (IORING_NOP_FIXED_BUFFER) are looked up at issue, and either
 * failing is the result (-EBADF, -EFAULT) and fails the request.
 */
#include <errno.h>
#include <fcntl.h>
#include "engine/req.h"
#include "engine/rsrc.h"

#define ENG_NOP_FLAGS (IORING_NOP_INJECT_RESULT | IORING_NOP_FILE | \
		       IORING_NOP_FIXED_FILE | IORING_NOP_FIXED_BUFFER | \
		       IORING_NOP_TW | IORING_NOP_CQE32)

int eng_nop_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	uint32_t flags = sqe->nop_flags;

	if (flags & ~ENG_NOP_FLAGS)
		return -EINVAL;
	/* a 32-byte CQE: the engine posts none (see ARCHITECTURE.md) */
	if (flags & IORING_NOP_CQE32)
		return -EINVAL;
	req->nop.result = (flags & IORING_NOP_INJECT_RESULT) ? (int32_t)sqe->len : 0;
	req->nop.flags = flags;
	req->nop.buf_index = sqe->buf_index;
	return 0;
}

static int nop_file(struct eng_req *req)
{
	struct eng_rsrc *node;
	int fd;

	if (req->nop.flags & IORING_NOP_FIXED_FILE) {
		if (eng_file_get_fixed(req->ctx, (unsigned)req->fd, &fd, &node))
			return -EBADF;
		eng_file_put_fixed(req->ctx, node);
		return 0;
	}
	return fcntl(req->fd, F_GETFD) < 0 ? -EBADF : 0;
}

int eng_nop_issue(struct eng_req *req, unsigned issue_flags)
{
	int32_t ret = req->nop.result;

	if ((req->nop.flags & IORING_NOP_FILE) && nop_file(req))
		ret = -EBADF;
	else if ((req->nop.flags & IORING_NOP_FIXED_BUFFER) &&
		 req->nop.buf_index >= req->ctx->nr_bufs)
		ret = -EFAULT;
	if (ret < 0 && ret != req->nop.result)
		req->flags |= ENG_REQ_F_FAIL;
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}
