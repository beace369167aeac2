/* SPDX-License-Identifier: MIT */
/* IORING_OP_NOP: completes at once, with an injected result if asked. */
#include <errno.h>
#include <fcntl.h>
#include "engine/req.h"

/* The NOP flags the engine honours; the kernel's others need resources
 * (fixed files, CQE32 rings) the engine does not have yet. */
#define ENG_NOP_FLAGS (IORING_NOP_INJECT_RESULT | IORING_NOP_FILE | \
		       IORING_NOP_FIXED_BUFFER | IORING_NOP_TW)

int eng_nop_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	uint32_t flags = sqe->nop_flags;

	if (flags & ~ENG_NOP_FLAGS)
		return -EINVAL;
	req->nop.result = (flags & IORING_NOP_INJECT_RESULT) ? (int32_t)sqe->len : 0;
	/* As the kernel: a file or buffer named by the NOP must exist. */
	if ((flags & IORING_NOP_FILE) && fcntl(sqe->fd, F_GETFD) < 0)
		req->nop.result = -EBADF;
	if ((flags & IORING_NOP_FIXED_BUFFER) && sqe->buf_index >= req->ctx->nr_bufs)
		req->nop.result = -EFAULT;
	return 0;
}

int eng_nop_issue(struct eng_req *req, unsigned issue_flags)
{
	eng_req_set_res(req, req->nop.result, 0);
	return ENG_ISSUE_DONE;
}
