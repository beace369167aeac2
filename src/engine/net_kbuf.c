/* SPDX-License-Identifier: MIT */
/*
 * RECV and RECVMSG into provided buffers (IOSQE_BUFFER_SELECT), single
 * shot and multishot (IORING_RECV_MULTISHOT).
 *
 * A buffer is selected only for one nonblocking receive, under the
 * provided-buffer lock (kbuf.h): "would block" gives it back and parks the
 * request, so an idle socket holds no buffer, as with the kernel. A
 * multishot receive posts one CQE with IORING_CQE_F_MORE per buffer it
 * fills, up to a burst per wakeup, and stays parked between bursts; its
 * last CQE (end of file, an error, -ENOBUFS, its byte limit, or
 * -ECANCELED) has no F_MORE.
 *
 * READ_MULTISHOT is the same loop over preadv2(RWF_NOWAIT), for a pipe,
 * a socket or any other file that can be polled.
 *
 * Multishot RECVMSG fills each buffer as struct io_uring_recvmsg_out, then
 * the name and the control data in the room the application's msghdr
 * reserves for them, then the payload; the CQE's res counts all of it.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "engine/apoll.h"
#include "engine/net_int.h"
#include "util/ucopy.h"

#define RECV_BURST 32

int eng_recvmsg_kbuf_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_sr *sr = &req->net.sr;
	struct msghdr um;
	struct iovec iov;
	uint64_t hdr;

	if (ucopy(&um, (const void *)(uintptr_t)sqe->addr, sizeof(um)))
		return -EFAULT;
	/* One buffer at most: its length caps what one receive takes. */
	if (um.msg_iovlen > 1)
		return -EINVAL;
	if (um.msg_iovlen == 1) {
		if (ucopy(&iov, um.msg_iov, sizeof(iov)))
			return -EFAULT;
		sr->buf_len = (uint32_t)iov.iov_len;
	}
	sr->umsg = (void *)(uintptr_t)sqe->addr;
	sr->uname = um.msg_name;
	sr->msg.msg_control = um.msg_control;
	sr->msg.msg_controllen = um.msg_controllen;
	sr->namelen = um.msg_name ? um.msg_namelen : 0;
	sr->controllen = (uint32_t)um.msg_controllen;
	if (!sr->multishot)
		return 0;
	hdr = sizeof(struct io_uring_recvmsg_out) + (uint64_t)um.msg_namelen +
	      um.msg_controllen;
	if (hdr > UINT32_MAX)
		return -EOVERFLOW;
	sr->namelen = um.msg_namelen;
	sr->recvmsg_out = true;
	return 0;
}

/* The msghdr of one receive into @len bytes at @buf. */
static int kr_msg(struct eng_sr *sr, struct msghdr *msg, struct iovec *iov,
		  char *buf, uint32_t len)
{
	uint32_t hdr;

	memset(msg, 0, sizeof(*msg));
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	if (!sr->recvmsg_out) {
		if (sr->umsg) {		/* single-shot RECVMSG */
			msg->msg_name = sr->uname;
			msg->msg_namelen = sr->namelen;
			msg->msg_control = sr->msg.msg_control;
			msg->msg_controllen = sr->msg.msg_controllen;
		}
		iov->iov_base = buf;
		iov->iov_len = len;
		return 0;
	}
	hdr = (uint32_t)sizeof(struct io_uring_recvmsg_out) + sr->namelen +
	      sr->controllen;
	if (len < hdr)
		return -EFAULT;
	msg->msg_name = sr->namelen ? buf + sizeof(struct io_uring_recvmsg_out) : NULL;
	msg->msg_namelen = sr->namelen;
	msg->msg_control = sr->controllen ? buf + hdr - sr->controllen : NULL;
	msg->msg_controllen = sr->controllen;
	iov->iov_base = buf + hdr;
	iov->iov_len = len - hdr;
	return 0;
}

/* Multishot RECVMSG: the header in front, the CQE counting it all. */
static ssize_t kr_out(struct eng_sr *sr, const struct msghdr *msg, char *buf,
		      ssize_t ret)
{
	struct io_uring_recvmsg_out out = {
		.namelen = msg->msg_namelen,
		.controllen = (uint32_t)msg->msg_controllen,
		.payloadlen = (uint32_t)ret,
		.flags = (uint32_t)msg->msg_flags,
	};

	memcpy(buf, &out, sizeof(out));
	return ret + (ssize_t)sizeof(out) + sr->namelen + sr->controllen;
}

/* Single-shot RECVMSG reports into the application's msghdr. */
static int kr_put_msghdr(struct eng_sr *sr, const struct msghdr *msg)
{
	struct msghdr *um = sr->umsg;

	if (ucopy(&um->msg_namelen, &msg->msg_namelen, sizeof(um->msg_namelen)) ||
	    ucopy(&um->msg_controllen, &msg->msg_controllen,
		  sizeof(um->msg_controllen)) ||
	    ucopy(&um->msg_flags, &msg->msg_flags, sizeof(um->msg_flags)))
		return -EFAULT;
	return 0;
}

/*
 * One receive into one selected buffer, all under the buffer lock: the
 * result (bytes, 0 at end of file, -EAGAIN, or an error) and, for data,
 * the CQE flags naming the buffer.
 */
static ssize_t kr_once(struct eng_req *req, uint32_t *cflags)
{
	struct eng_sr *sr = &req->net.sr;
	struct eng_ctx *ctx = req->ctx;
	uint32_t len = sr->buf_len;
	struct msghdr msg;
	struct iovec iov;
	ssize_t ret;

	eng_kbuf_lock(ctx);
	ret = eng_kbuf_select(ctx, &sr->sel, req->buf_group, &len, false);
	if (!ret)
		ret = kr_msg(sr, &msg, &iov, sr->sel.addr, len);
	if (!ret) {
		if (sr->read_mode)
			ret = preadv2(req->fd, &iov, 1, -1,
				      (int)sr->msg_flags | RWF_NOWAIT);
		else
			ret = recvmsg(req->fd, &msg, SR_SYSCALL_FLAGS(sr));
		if (ret < 0)
			ret = -errno;
	}
	if (ret > 0 && sr->recvmsg_out)
		ret = kr_out(sr, &msg, sr->sel.addr, ret);
	else if (ret >= 0 && !sr->recvmsg_out && sr->umsg &&
		 kr_put_msghdr(sr, &msg))
		ret = -EFAULT;
	if (ret > 0)
		*cflags = eng_kbuf_complete(ctx, &sr->sel, (int)ret);
	else if (sr->sel.held)
		eng_kbuf_recycle(ctx, &sr->sel);
	eng_kbuf_unlock(ctx);
	return ret;
}

/* The multishot byte limit (IORING_RECV_MSHOT_LIM): is it reached? */
static bool kr_limit_hit(struct eng_sr *sr, ssize_t ret)
{
	if (!sr->limited)
		return false;
	sr->mshot_left -= (uint32_t)ret < sr->mshot_left ? (uint32_t)ret
							  : sr->mshot_left;
	return !sr->mshot_left;
}

int eng_recv_kbuf_issue(struct eng_req *req)
{
	struct eng_sr *sr = &req->net.sr;
	uint32_t cflags;
	bool legacy;
	ssize_t ret;
	int i;

	if (sr->poll_first) {
		sr->poll_first = false;
		if (!sr->nowait)
			return -EAGAIN;
	}
	for (i = 0; i < RECV_BURST; i++) {
		cflags = 0;
		legacy = !(sr->flags & IORING_RECVSEND_BUNDLE);
		ret = legacy ? 0 : eng_recv_bundle(req, &cflags, &legacy);
		if (legacy)	/* a legacy group gives one buffer */
			ret = kr_once(req, &cflags);
		if (ret == -EAGAIN && !sr->nowait)
			return -EAGAIN;
		if (ret > 0)
			cflags |= eng_sr_nonempty(req);
		if (ret <= 0 || !sr->multishot || kr_limit_hit(sr, ret) ||
		    (!legacy && eng_bundle_drained(req))) {
			if (ret < 0)
				req->flags |= ENG_REQ_F_FAIL;
			eng_req_set_res(req, (int32_t)ret, cflags);
			return ENG_ISSUE_DONE;
		}
		/* A full CQ ends the multishot with this result (kernel). */
		if (!eng_post_aux(req->ctx, req->user_data, (int32_t)ret,
				  cflags | IORING_CQE_F_MORE, true)) {
			eng_req_set_res(req, (int32_t)ret, cflags);
			return ENG_ISSUE_DONE;
		}
	}
	return ENG_ISSUE_MSHOT_MORE;	/* a full burst: re-armed, ready */
}

/* READ_MULTISHOT, as the kernel's io_read_mshot_prep(). */
int eng_read_mshot_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_sr *sr = &req->net.sr;
	unsigned class = sqe->ioprio >> 13;

	if (!(req->sqe_flags & IOSQE_BUFFER_SELECT))
		return -EINVAL;
	if (sqe->attr_type_mask || class > 3 || (!class && (sqe->ioprio & 7)))
		return -EINVAL;
	if (sqe->addr || sqe->len)
		return -EINVAL;
	memset(sr, 0, sizeof(*sr));
	sr->msg_flags = sqe->rw_flags;
	sr->multishot = true;
	sr->read_mode = true;
	sr->done = 1;		/* first issue still to check the file */
	return 0;
}

int eng_read_mshot_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_sr *sr = &req->net.sr;
	struct stat st;

	if (sr->done) {
		/* Only a file that can be polled can say "more later". */
		if (fstat(req->fd, &st)) {
			eng_req_set_res(req, -errno, 0);
			return ENG_ISSUE_DONE;
		}
		if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
			eng_req_set_res(req, -EBADFD, 0);
			return ENG_ISSUE_DONE;
		}
		sr->done = 0;
	}
	return eng_recv_kbuf_issue(req);
}
