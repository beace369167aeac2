/* SPDX-License-Identifier: MIT */
/*
 * SEND, RECV, SENDMSG and RECVMSG. Prep copies the message (address,
 * iovecs) as the kernel's prep does; issue always passes MSG_DONTWAIT, and
 * "would block" parks the request on the ring's poll thread (apoll.c),
 * never on a worker. MSG_WAITALL on a stream socket retries from there
 * until the whole length moved, an error, or end of file, as the kernel
 * does; without it a short transfer completes with its count.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include "engine/net_int.h"
#include "engine/rw_check.h"
#include "util/ucopy.h"

#define SR_UIO_MAXIOV	1024
#define SENDMSG_FLAGS	(IORING_RECVSEND_POLL_FIRST | IORING_SEND_VECTORIZED)
#define RECVMSG_FLAGS	(IORING_RECVSEND_POLL_FIRST | IORING_RECV_MULTISHOT)

static void sr_init(struct eng_sr *sr)
{
	memset(&sr->msg, 0, sizeof(sr->msg));
	sr->iov_alloc = NULL;
	sr->umsg = NULL;
	sr->uname = NULL;
	sr->done = 0;
	sr->total = 0;
}

/* Copies an iovec array from the application; sums its length. */
static int sr_import_iov(struct eng_sr *sr, const void *uiov, size_t nr)
{
	struct iovec *iov = sr->fast_iov;
	size_t i;

	if (nr > ENG_NET_FAST_IOV) {
		iov = malloc(nr * sizeof(*iov));
		if (!iov)
			return -ENOMEM;
		sr->iov_alloc = iov;
	}
	if (nr && ucopy(iov, uiov, nr * sizeof(*iov)))
		return -EFAULT;
	sr->msg.msg_iov = iov;
	sr->msg.msg_iovlen = nr;
	for (i = 0; i < nr; i++)
		sr->total += iov[i].iov_len;
	return 0;
}

static void sr_single(struct eng_sr *sr, uint64_t addr, uint32_t len)
{
	sr->fast_iov[0].iov_base = (void *)(uintptr_t)addr;
	sr->fast_iov[0].iov_len = len;
	sr->msg.msg_iov = sr->fast_iov;
	sr->msg.msg_iovlen = 1;
	sr->total = len;
}

/* The checks SEND, SENDMSG, RECV and RECVMSG share (kernel order). */
static int sr_prep_common(struct eng_req *req, const struct io_uring_sqe *sqe,
			  unsigned allowed)
{
	struct eng_sr *sr = &req->net.sr;

	sr_init(sr);
	sr->flags = sqe->ioprio;
	if (sr->flags & ~allowed)
		return -EINVAL;
	sr->msg_flags = sqe->msg_flags;
	sr->nowait = sr->msg_flags & MSG_DONTWAIT;
	sr->poll_first = sr->flags & IORING_RECVSEND_POLL_FIRST;
	sr->multishot = sr->flags & IORING_RECV_MULTISHOT;
	sr->limited = false;
	sr->recvmsg_out = false;
	sr->read_mode = false;
	sr->inq = -1;
	sr->buf_len = 0;
	sr->sel.held = false;
	return 0;
}

/* The application's msghdr, as the kernel's copy_msghdr_from_user(): a
 * send's address is copied (-EFAULT) before the iovecs are looked at. */
static int sr_copy_msghdr(struct eng_sr *sr, uint64_t uaddr, struct msghdr *um,
			  bool send)
{
	int ret;

	if (ucopy(um, (const void *)(uintptr_t)uaddr, sizeof(*um)))
		return -EFAULT;
	if (!um->msg_name)
		um->msg_namelen = 0;
	if ((int)um->msg_namelen < 0)
		return -EINVAL;
	if (um->msg_namelen > sizeof(struct sockaddr_storage))
		um->msg_namelen = sizeof(struct sockaddr_storage);
	if (!um->msg_namelen)
		um->msg_name = NULL;
	if (send && um->msg_name) {
		ret = eng_net_copy_addr(&sr->addr, (uintptr_t)um->msg_name,
					(int)um->msg_namelen);
		if (ret)
			return ret;
	}
	if (um->msg_iovlen > SR_UIO_MAXIOV)
		return -EMSGSIZE;
	sr->msg.msg_control = um->msg_control;
	sr->msg.msg_controllen = um->msg_controllen;
	return sr_import_iov(sr, um->msg_iov, um->msg_iovlen);
}

/* The kernel refuses a length beyond INT_MAX at prep for the plain
 * send and receive ops (not the zero-copy ones), whatever the fd. */
#define SR_LEN_OK(sqe) ((sqe)->len <= INT_MAX)

/* That refusal, with the op's state ready for its cleanup. */
static int sr_len_bad(struct eng_req *req)
{
	sr_init(&req->net.sr);
	return -EINVAL;
}

int eng_send_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	int ret = SR_LEN_OK(sqe) ? eng_sr_send_prep(req, sqe,
				   SENDMSG_FLAGS | IORING_RECVSEND_BUNDLE) : sr_len_bad(req);

	if (ret || !(req->sqe_flags & IOSQE_BUFFER_SELECT))
		return ret;
	/* The data comes from the group (IORING_SEND_VECTORIZED then
	 * changes nothing, as with the kernel); len caps it. */
	req->net.sr.buf_len = sqe->len;
	return 0;
}

int eng_sendmsg_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (!SR_LEN_OK(sqe))
		return sr_len_bad(req);
	return eng_sr_sendmsg_prep(req, sqe, SENDMSG_FLAGS);
}

int eng_sr_send_prep(struct eng_req *req, const struct io_uring_sqe *sqe,
		     unsigned allowed)
{
	struct eng_sr *sr = &req->net.sr;
	int ret = sr_prep_common(req, sqe, allowed);

	sr->msg_flags |= MSG_NOSIGNAL;
	if (ret)
		return ret;
	if (sqe->__pad3[0])
		return -EINVAL;
	if (sqe->addr2) {
		ret = eng_net_copy_addr(&sr->addr, sqe->addr2, sqe->addr_len);
		if (ret)
			return ret;
		sr->msg.msg_name = &sr->addr;
		/* A name of length 0: the kernel passes it on and the
		 * protocol refuses it (UDP: -EINVAL); sendmsg(2) would
		 * drop it. One byte gets the protocol's answer. */
		sr->msg.msg_namelen = sqe->addr_len ? sqe->addr_len : 1;
	}
	if (!(sr->flags & IORING_SEND_VECTORIZED)) {
		sr_single(sr, sqe->addr, sqe->len);
		/* imported at prep, as the kernel's (a registered or a
		 * provided buffer is looked up later) */
		if (sr->flags & IORING_RECVSEND_FIXED_BUF ||
		    (req->sqe_flags & IOSQE_BUFFER_SELECT))
			return 0;
		return eng_rw_ubuf_check(sqe->addr, sqe->len);
	}
	if (sqe->len > SR_UIO_MAXIOV)
		return -EINVAL;
	return sr_import_iov(sr, (const void *)(uintptr_t)sqe->addr, sqe->len);
}

int eng_sr_sendmsg_prep(struct eng_req *req, const struct io_uring_sqe *sqe,
			unsigned allowed)
{
	struct eng_sr *sr = &req->net.sr;
	struct msghdr um;
	int ret = sr_prep_common(req, sqe, allowed);

	sr->msg_flags |= MSG_NOSIGNAL;
	if (ret)
		return ret;
	if (sqe->addr2 || sqe->file_index)
		return -EINVAL;
	ret = sr_copy_msghdr(sr, sqe->addr, &um, true);
	if (ret || !um.msg_name)
		return ret;
	sr->msg.msg_name = &sr->addr;
	sr->msg.msg_namelen = um.msg_namelen;
	return 0;
}

/* As the kernel's io_recvmsg_prep(), up to the message itself. */
static int sr_recv_prep_common(struct eng_req *req,
			       const struct io_uring_sqe *sqe)
{
	struct eng_sr *sr = &req->net.sr;
	int ret;

	sr_init(sr);	/* before any refusal: eng_sr_cleanup() runs then */
	/* file_index is optlen here: checked below */
	if (sqe->addr2)
		return -EINVAL;
	/* Bundles: RECV only (see net_bundle.c). */
	ret = sr_prep_common(req, sqe, RECVMSG_FLAGS |
			     (req->opcode == IORING_OP_RECV ?
			      IORING_RECVSEND_BUNDLE : 0));
	if (ret)
		return ret;
	if (!sr->multishot)
		return sqe->optlen ? -EINVAL : 0;
	if (!(req->sqe_flags & IOSQE_BUFFER_SELECT) ||
	    (sr->msg_flags & MSG_WAITALL))
		return -EINVAL;
	if (req->opcode == IORING_OP_RECVMSG)
		return sqe->optlen ? -EINVAL : 0;
	sr->mshot_left = sqe->optlen;
	sr->limited = sqe->optlen != 0;
	return 0;
}

int eng_recv_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	int ret = SR_LEN_OK(sqe) ? sr_recv_prep_common(req, sqe) : sr_len_bad(req);

	if (ret)
		return ret;
	sr_single(&req->net.sr, sqe->addr, sqe->len);
	req->net.sr.buf_len = sqe->len;
	if (req->sqe_flags & IOSQE_BUFFER_SELECT)
		return 0;
	return eng_rw_ubuf_check(sqe->addr, sqe->len);	/* as SEND's */
}

int eng_recvmsg_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_sr *sr = &req->net.sr;
	struct msghdr um;
	int ret = SR_LEN_OK(sqe) ? sr_recv_prep_common(req, sqe) : sr_len_bad(req);

	if (ret)
		return ret;
	if (req->sqe_flags & IOSQE_BUFFER_SELECT)
		return eng_recvmsg_kbuf_prep(req, sqe);
	ret = sr_copy_msghdr(sr, sqe->addr, &um, false);
	if (ret)
		return ret;
	/* The kernel writes the name, the control data and the lengths
	 * back to the application's msghdr: so do we, from issue. */
	sr->umsg = (void *)(uintptr_t)sqe->addr;
	sr->msg.msg_name = um.msg_name;
	sr->msg.msg_namelen = um.msg_name ? um.msg_namelen : 0;
	return 0;
}

void eng_sr_cleanup(struct eng_req *req)
{
	free(req->net.sr.iov_alloc);
	req->net.sr.iov_alloc = NULL;
}

/* Skips @n bytes of the (copied) iovecs after a partial transfer. */
static void sr_advance(struct eng_sr *sr, size_t n)
{
	struct iovec *iov = sr->msg.msg_iov;

	sr->done += n;
	while (n && sr->msg.msg_iovlen) {
		size_t step = n < iov->iov_len ? n : iov->iov_len;

		iov->iov_base = (char *)iov->iov_base + step;
		iov->iov_len -= step;
		n -= step;
		if (!iov->iov_len) {
			iov++;
			sr->msg.msg_iovlen--;
		}
	}
	sr->msg.msg_iov = iov;
}

/* MSG_WAITALL retries only on a stream, as the kernel's io_net_retry(). */
static bool sr_retry(struct eng_req *req, ssize_t ret)
{
	struct eng_sr *sr = &req->net.sr;
	socklen_t len = sizeof(int);
	int type = 0;

	if (ret <= 0 || !(sr->msg_flags & MSG_WAITALL) ||
	    sr->done + (size_t)ret >= sr->total)
		return false;
	if (getsockopt(req->fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return false;
	return type == SOCK_STREAM || type == SOCK_SEQPACKET;
}

/* The kernel reports what is left to read (msg_inq) for TCP and for
 * AF_UNIX streams; the others never set SOCK_NONEMPTY. */
static bool sr_reports_inq(int fd)
{
	socklen_t len = sizeof(int);
	int type = 0, domain = 0, proto = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM)
		return false;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len))
		return false;
	if (domain == AF_UNIX)
		return true;
	len = sizeof(int);
	return !getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) &&
	       proto == IPPROTO_TCP;
}

/* More data is queued behind what a receive returned. */
uint32_t eng_sr_nonempty(struct eng_req *req)
{
	struct eng_sr *sr = &req->net.sr;
	int inq = 0;

	if (sr->read_mode)
		return 0;
	if (sr->inq < 0)
		sr->inq = sr_reports_inq(req->fd);
	if (!sr->inq || ioctl(req->fd, SIOCINQ, &inq) || inq <= 0)
		return 0;
	return IORING_CQE_F_SOCK_NONEMPTY;
}

/* The final result, as the kernel's: what moved counts over an error. */
static int sr_finish(struct eng_req *req, ssize_t ret, bool send)
{
	struct eng_sr *sr = &req->net.sr;
	size_t min_ret = (sr->msg_flags & MSG_WAITALL) ? sr->total - sr->done : 0;
	uint32_t cflags = 0;

	if (ret < 0 || (size_t)ret < min_ret)
		req->flags |= ENG_REQ_F_FAIL;
	if (!send && ret > 0)
		cflags = eng_sr_nonempty(req);
	if (ret > 0)
		ret += (ssize_t)sr->done;
	else if (sr->done)
		ret = (ssize_t)sr->done;
	eng_req_set_res(req, (int32_t)ret, cflags);
	return ENG_ISSUE_DONE;
}

static int sr_put_msghdr(struct eng_sr *sr)
{
	struct msghdr *um = sr->umsg;

	if (ucopy(&um->msg_namelen, &sr->msg.msg_namelen, sizeof(um->msg_namelen)) ||
	    ucopy(&um->msg_controllen, &sr->msg.msg_controllen,
		  sizeof(um->msg_controllen)) ||
	    ucopy(&um->msg_flags, &sr->msg.msg_flags, sizeof(um->msg_flags)))
		return -EFAULT;
	return 0;
}

int eng_sr_issue(struct eng_req *req, bool send)
{
	struct eng_sr *sr = &req->net.sr;
	ssize_t ret;

	if (sr->poll_first) {
		sr->poll_first = false;
		if (!sr->nowait)
			return -EAGAIN;
	}
	if (send)
		ret = sendmsg(req->fd, &sr->msg, SR_SYSCALL_FLAGS(sr));
	else
		ret = recvmsg(req->fd, &sr->msg, SR_SYSCALL_FLAGS(sr));
	if (ret < 0) {
		ret = -errno;
		if (ret == -EAGAIN && !sr->nowait)
			return -EAGAIN;
		return sr_finish(req, ret, send);
	}
	if (sr->umsg && sr_put_msghdr(sr))
		return sr_finish(req, -EFAULT, send);
	if (sr_retry(req, ret) && !sr->nowait) {
		sr_advance(sr, (size_t)ret);
		return -EAGAIN;
	}
	return sr_finish(req, ret, send);
}

int eng_send_issue(struct eng_req *req, unsigned issue_flags)
{
	if (req->sqe_flags & IOSQE_BUFFER_SELECT)
		return eng_send_kbuf_issue(req);
	return eng_sr_issue(req, true);
}

int eng_recv_issue(struct eng_req *req, unsigned issue_flags)
{
	if (req->sqe_flags & IOSQE_BUFFER_SELECT)
		return eng_recv_kbuf_issue(req);
	return eng_sr_issue(req, false);
}

int eng_recvmsg_issue(struct eng_req *req, unsigned issue_flags)
{
	if (req->sqe_flags & IOSQE_BUFFER_SELECT)
		return eng_recv_kbuf_issue(req);
	return eng_sr_issue(req, false);
}
