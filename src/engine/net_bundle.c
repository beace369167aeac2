/* SPDX-License-Identifier: MIT */
/*
 * IORING_RECVSEND_BUNDLE, and SEND from provided buffers.
 *
 * A bundle RECV receives into consecutive entries of a buffer ring with
 * one recvmsg() over an iovec of them, and consumes the entries it
 * touched (a plain ring takes a partly filled entry whole). As the
 * kernel: an unsized receive (len 0) first offers one buffer, and when
 * that filled and more is queued it tries once more, appending, sized to
 * what is queued; past the first buffer only whole buffers are offered.
 * A legacy group gives one buffer, as without a bundle. Multishot posts
 * one such CQE per receive, with F_MORE until one leaves the ring empty.
 *
 * A SEND from provided buffers sends one buffer; a bundle SEND sends as
 * many ring entries as it may take at once (a legacy group: one), and
 * while the group still has buffers it posts that CQE with
 * IORING_CQE_F_MORE and goes on, as the kernel does.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <linux/sockios.h>
#include "engine/net_int.h"

/* The kernel's cap on the buffers one bundle maps at once. */
#define BUNDLE_MAX 256

static size_t iov_total(const struct iovec *iov, int n)
{
	size_t t = 0;

	while (n--)
		t += iov[n].iov_len;
	return t;
}

/* The entries @bytes touched. */
static unsigned bufs_used(const struct iovec *iov, int n, size_t bytes)
{
	unsigned i;

	for (i = 0; i < (unsigned)n && bytes; i++)
		bytes -= bytes < iov[i].iov_len ? bytes : iov[i].iov_len;
	return i;
}

static ssize_t sr_vec(struct eng_req *req, struct iovec *iov, int n, bool send)
{
	struct eng_sr *sr = &req->net.sr;
	struct msghdr msg;
	ssize_t ret;

	memset(&msg, 0, sizeof(msg));
	if (send) {
		msg.msg_name = sr->msg.msg_name;
		msg.msg_namelen = sr->msg.msg_namelen;
	}
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n;
	if (send)
		ret = sendmsg(req->fd, &msg, SR_SYSCALL_FLAGS(sr));
	else
		ret = recvmsg(req->fd, &msg, SR_SYSCALL_FLAGS(sr));
	return ret < 0 ? -errno : ret;
}

/* What is queued behind, where the kernel knows it (msg_inq). */
static int queued(struct eng_req *req)
{
	int inq = 0;

	if (!eng_sr_nonempty(req) || ioctl(req->fd, SIOCINQ, &inq))
		return 0;
	return inq;
}

static uint32_t bundle_cflags(uint16_t bid, bool more)
{
	return IORING_CQE_F_BUFFER | ((uint32_t)bid << IORING_CQE_BUFFER_SHIFT) |
	       (more ? IORING_CQE_F_BUF_MORE : 0);
}

ssize_t eng_recv_bundle(struct eng_req *req, uint32_t *cflags, bool *legacy)
{
	struct eng_sr *sr = &req->net.sr;
	struct eng_ctx *ctx = req->ctx;
	struct iovec iov[BUNDLE_MAX];
	uint32_t max_len = sr->buf_len;
	ssize_t ret = 0, total = 0;
	uint16_t bid = 0, first = 0;
	bool more = false;
	int pass, n;

	eng_kbuf_lock(ctx);
	for (pass = 0; pass < 2; pass++) {
		n = eng_kbuf_peek(ctx, req->buf_group, iov,
				  max_len ? BUNDLE_MAX : 1, max_len, &bid);
		if (!n && !pass) {
			*legacy = true;
			break;
		}
		if (n <= 0) {
			ret = n;
			break;
		}
		ret = sr_vec(req, iov, n, false);
		if (ret <= 0)
			break;
		if (!pass)
			first = bid;
		more = eng_kbuf_consume(ctx, req->buf_group,
					bufs_used(iov, n, (size_t)ret),
					(uint32_t)ret);
		total += ret;
		if (sr->buf_len || (size_t)ret < iov_total(iov, n))
			break;
		max_len = (uint32_t)queued(req);
		if (max_len <= 1)
			break;
	}
	eng_kbuf_unlock(ctx);
	if (!total)
		return ret;
	*cflags = bundle_cflags(first, more);
	return total;
}

/* A multishot bundle RECV that leaves its ring empty ends with that CQE
 * (no F_MORE), as the kernel's does, rather than with -ENOBUFS later. */
bool eng_bundle_drained(struct eng_req *req)
{
	bool empty;

	eng_kbuf_lock(req->ctx);
	empty = eng_kbuf_empty(req->ctx, req->buf_group);
	eng_kbuf_unlock(req->ctx);
	return empty;
}

/* One send from the group: its result and CQE flags; *empty when the
 * group has no buffer left after it. */
static ssize_t send_once(struct eng_req *req, uint32_t *cflags, bool *empty)
{
	struct eng_sr *sr = &req->net.sr;
	struct eng_ctx *ctx = req->ctx;
	struct iovec iov[BUNDLE_MAX];
	bool bundle = sr->flags & IORING_RECVSEND_BUNDLE;
	uint32_t len = sr->buf_len;
	uint16_t bid = 0;
	ssize_t ret;
	int n = 0;

	eng_kbuf_lock(ctx);
	if (bundle)
		n = eng_kbuf_peek(ctx, req->buf_group, iov, BUNDLE_MAX,
				  sr->buf_len, &bid);
	if (!n) {
		n = eng_kbuf_select(ctx, &sr->sel, req->buf_group, &len, false);
		iov[0].iov_base = sr->sel.addr;
		iov[0].iov_len = len;
		if (!n)
			n = 1;
	}
	ret = n < 0 ? n : sr_vec(req, iov, n, true);
	if (ret > 0 && sr->sel.held)
		*cflags = eng_kbuf_complete(ctx, &sr->sel, (int)ret);
	else if (ret > 0)
		*cflags = bundle_cflags(bid, eng_kbuf_consume(ctx, req->buf_group,
				bufs_used(iov, n, (size_t)ret), (uint32_t)ret));
	else if (sr->sel.held)
		eng_kbuf_recycle(ctx, &sr->sel);
	*empty = eng_kbuf_empty(ctx, req->buf_group);
	eng_kbuf_unlock(ctx);
	return ret;
}

int eng_send_kbuf_issue(struct eng_req *req)
{
	struct eng_sr *sr = &req->net.sr;
	uint32_t cflags;
	ssize_t ret;
	bool empty;

	if (sr->poll_first) {
		sr->poll_first = false;
		if (!sr->nowait)
			return -EAGAIN;
	}
	for (;;) {
		cflags = 0;
		ret = send_once(req, &cflags, &empty);
		if (ret == -EAGAIN && !sr->nowait)
			return -EAGAIN;
		if (ret <= 0 || empty || !(sr->flags & IORING_RECVSEND_BUNDLE))
			break;
		/* A full CQ ends the bundle with this result, as a multishot. */
		if (!eng_post_aux(req->ctx, req->user_data, (int32_t)ret,
				  cflags | IORING_CQE_F_MORE, true))
			break;
	}
	if (ret < 0)
		req->flags |= ENG_REQ_F_FAIL;
	eng_req_set_res(req, (int32_t)ret, cflags);
	return ENG_ISSUE_DONE;
}
