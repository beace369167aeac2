/* SPDX-License-Identifier: MIT */
/*
 * The per-request state of the socket ops (net.c, net_msg.c,
 * net_accept.c). Included by req.h for its union; needs nothing of it.
 */
#ifndef AIORING_ENGINE_NET_H
#define AIORING_ENGINE_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "engine/kbuf.h"

#define ENG_NET_FAST_IOV 4

/* SEND, RECV, SENDMSG, RECVMSG: the message is copied at prep, as the
 * kernel's prep copies it, so nothing is read from the application's
 * msghdr after submission. */
struct eng_sr {
	struct msghdr msg;		/* name/iov/control as the syscall takes */
	struct sockaddr_storage addr;	/* msg.msg_name points here (send) */
	struct iovec fast_iov[ENG_NET_FAST_IOV];
	struct iovec *iov_alloc;
	void *umsg;			/* RECVMSG: the app's msghdr, for results */
	void *uname;			/* RECVMSG: the app's name buffer */
	unsigned msg_flags;
	uint16_t flags;			/* IORING_RECVSEND_* */
	bool poll_first;
	bool nowait;			/* MSG_DONTWAIT: never park */
	size_t total;			/* bytes asked for */
	size_t done;			/* moved so far (MSG_WAITALL retries) */
	/* IOSQE_BUFFER_SELECT (net_kbuf.c): held only across one
	 * nonblocking call, never while the request is parked */
	struct eng_kbuf_sel sel;
	uint32_t buf_len;		/* most bytes per buffer; 0: all */
	uint32_t mshot_left;		/* IORING_RECV_MSHOT_LIM: bytes left */
	bool multishot, limited;
	bool recvmsg_out;		/* RECVMSG: struct io_uring_recvmsg_out */
	bool read_mode;			/* READ_MULTISHOT: preadv2, not recvmsg */
	int8_t inq;			/* reports SOCK_NONEMPTY: -1 not known yet */
	uint32_t namelen, controllen;	/* RECVMSG multishot: reserved */
	uint32_t notif_res;		/* SEND_ZC: the notification's res */
};

struct eng_accept {
	void *addr, *addrlen;		/* the app's: the syscall fills them */
	int flags;			/* SOCK_CLOEXEC | SOCK_NONBLOCK */
	uint16_t iou_flags;		/* IORING_ACCEPT_* */
	uint32_t file_slot;		/* direct descriptor slot + 1 */
	bool poll_first;
};

struct eng_connect {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool in_progress;		/* EINPROGRESS seen: the result is SO_ERROR */
};

struct eng_sockop {			/* SOCKET, BIND, LISTEN, SHUTDOWN */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int domain, type, protocol;	/* SOCKET */
	int arg;			/* LISTEN backlog, SHUTDOWN how */
	uint32_t file_slot;		/* SOCKET: direct descriptor slot + 1 */
};

union eng_net {
	struct eng_sr sr;
	struct eng_accept accept;
	struct eng_connect connect;
	struct eng_sockop sock;
};

#endif
