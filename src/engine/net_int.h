/* SPDX-License-Identifier: MIT */
/* The socket ops' entry points (for opdef.c) and shared helpers. */
#ifndef AIORING_ENGINE_NET_INT_H
#define AIORING_ENGINE_NET_INT_H

#include "engine/req.h"

/* net.c */
int eng_net_nb_call(int fd, int (*fn)(int fd, void *arg), void *arg);
int eng_net_copy_addr(struct sockaddr_storage *dst, uint64_t uaddr, int ulen);
int eng_socket_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_socket_issue(struct eng_req *req, unsigned issue_flags);
int eng_connect_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_connect_issue(struct eng_req *req, unsigned issue_flags);
int eng_bind_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_bind_issue(struct eng_req *req, unsigned issue_flags);
int eng_listen_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_listen_issue(struct eng_req *req, unsigned issue_flags);
int eng_shutdown_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_shutdown_issue(struct eng_req *req, unsigned issue_flags);

/* net_msg.c */
int eng_send_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_sendmsg_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_recv_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_recvmsg_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_send_issue(struct eng_req *req, unsigned issue_flags);
int eng_recv_issue(struct eng_req *req, unsigned issue_flags);
int eng_recvmsg_issue(struct eng_req *req, unsigned issue_flags);
void eng_sr_cleanup(struct eng_req *req);
uint32_t eng_sr_nonempty(struct eng_req *req);
int eng_sr_send_prep(struct eng_req *req, const struct io_uring_sqe *sqe,
		     unsigned allowed);
int eng_sr_sendmsg_prep(struct eng_req *req, const struct io_uring_sqe *sqe,
			unsigned allowed);
int eng_sr_issue(struct eng_req *req, bool send);

/* net_zc.c */
int eng_send_zc_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_send_zc_issue(struct eng_req *req, unsigned issue_flags);

/* net_kbuf.c: RECV and RECVMSG with IOSQE_BUFFER_SELECT */
int eng_recvmsg_kbuf_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_recv_kbuf_issue(struct eng_req *req);
int eng_read_mshot_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_read_mshot_issue(struct eng_req *req, unsigned issue_flags);

/* net_bundle.c: IORING_RECVSEND_BUNDLE; SEND from provided buffers */
ssize_t eng_recv_bundle(struct eng_req *req, uint32_t *cflags, bool *legacy);
bool eng_bundle_drained(struct eng_req *req);
int eng_send_kbuf_issue(struct eng_req *req);

/* net_accept.c */
int eng_accept_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_accept_issue(struct eng_req *req, unsigned issue_flags);
/* Moves @fd into direct slot @slot (1-based; IORING_FILE_INDEX_ALLOC + 1
 * picks one); closes @fd. Returns the CQE result. */
int eng_net_install_direct(struct eng_req *req, int fd, uint32_t slot);

/*
 * The flags of a sendmsg(2)/recvmsg(2) for @sr. Those refuse
 * MSG_CMSG_COMPAT (a kernel-internal bit) before they look at the fd;
 * io_uring passes it on, where it only changes how control data is read,
 * which a 64-bit ring has not. Never block: the engine waits itself.
 */
#define ENG_MSG_CMSG_COMPAT	0x80000000u
#define SR_SYSCALL_FLAGS(sr) \
	((int)((sr)->msg_flags & ~ENG_MSG_CMSG_COMPAT) | MSG_DONTWAIT)

#endif
