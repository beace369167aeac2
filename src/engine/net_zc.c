/* SPDX-License-Identifier: MIT */
/*
 * SEND_ZC and SENDMSG_ZC with the kernel's two-CQE protocol: the result,
 * with IORING_CQE_F_MORE, then the notification (res 0, or with
 * IORING_SEND_ZC_REPORT_USAGE IORING_NOTIF_USAGE_ZC_COPIED, flags
 * IORING_CQE_F_NOTIF) once the application may reuse the buffer.
 *
 * The engine copies the data (a plain send): the buffer is free as soon as
 * the send returns, so the notification follows the result at once. As in
 * the kernel, the notification exists from the point where prep has
 * checked addr3 and CQE_SKIP_SUCCESS: any later failure still gets the
 * notification (req.c posts it), and the result says F_MORE, except in a
 * chain that failed before the request ran (its own prep failure inside
 * a chain too): the kernel posts those links with no flags (submit.c,
 * req.c drop ENG_REQ_F_NOTIF_MORE there).
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "engine/net_int.h"
#include "engine/rsrc.h"

#define ZC_COMMON	(IORING_RECVSEND_POLL_FIRST | IORING_RECVSEND_FIXED_BUF)
#define ZC_VALID	(ZC_COMMON | IORING_SEND_ZC_REPORT_USAGE | \
			 IORING_SEND_VECTORIZED)

/* IORING_RECVSEND_FIXED_BUF: the bytes must lie in registered buffer
 * sqe->buf_index; we hold it until completion. */
static int zc_fixed(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_sr *sr = &req->net.sr;
	int ret;

	if (sr->flags & IORING_SEND_VECTORIZED)
		return -EINVAL;		/* registered + vectored: not here */
	ret = eng_buffer_get(req->ctx, sqe->buf_index, sqe->addr, sqe->len,
			     &req->buf_node);
	if (ret)
		req->buf_node = NULL;
	return ret;
}

int eng_send_zc_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_sr *sr = &req->net.sr;
	int ret;

	sr->iov_alloc = NULL;	/* a prep failure runs eng_sr_cleanup() */
	if (sqe->__pad2[0] || sqe->addr3)
		return -EINVAL;
	if (req->sqe_flags & IOSQE_CQE_SKIP_SUCCESS)
		return -EINVAL;
	/* From here on the notification exists. With REPORT_USAGE it says
	 * "copied" whenever nothing went zero-copy: always, here. */
	req->flags |= ENG_REQ_F_NOTIF | ENG_REQ_F_NOTIF_MORE;
	sr->notif_res = !(sqe->ioprio & ~ZC_VALID) &&
			(sqe->ioprio & IORING_SEND_ZC_REPORT_USAGE) ?
			IORING_NOTIF_USAGE_ZC_COPIED : 0;
	if (req->opcode == IORING_OP_SEND_ZC) {
		ret = eng_sr_send_prep(req, sqe, ZC_VALID);
		if (!ret && (sr->flags & IORING_RECVSEND_FIXED_BUF))
			ret = zc_fixed(req, sqe);
		return ret;
	}
	if (sqe->ioprio & ~ZC_VALID)
		return -EINVAL;
	if (sqe->addr2 || sqe->file_index ||
	    (sqe->ioprio & IORING_RECVSEND_FIXED_BUF))
		return -EINVAL;
	return eng_sr_sendmsg_prep(req, sqe, ZC_VALID);
}

/* Zero copy is for TCP and UDP sockets; elsewhere the kernel refuses. */
static int zc_supported(int fd)
{
	socklen_t len = sizeof(int);
	int proto = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		return -errno;
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ? 0 : -EOPNOTSUPP;
}

int eng_send_zc_issue(struct eng_req *req, unsigned issue_flags)
{
	int ret = zc_supported(req->fd);

	if (ret) {
		eng_req_set_res(req, ret, 0);
		return ENG_ISSUE_DONE;
	}
	return eng_sr_issue(req, true);
}
