/* SPDX-License-Identifier: MIT */
/*
 * echo_server: a TCP echo server on one io_uring ring.
 *
 *   echo_server [-p PORT] [-n CONNS] [-t SECONDS]
 *
 * Listens on 127.0.0.1:PORT (0, the default, picks a free port) and prints
 * "port N" once it is ready. Connections come from one multishot ACCEPT;
 * each connection has one multishot RECV that takes its buffers from a
 * provided-buffer ring, and echoes what it receives with SEND, one send in
 * flight per connection so that the bytes go back in order. A buffer goes
 * back to the ring once its bytes are sent. A multishot request that ends
 * (-ENOBUFS when every buffer is waiting to be sent) is simply armed again.
 *
 * It stops by itself: after CONNS connections (default 1) have come and
 * gone, or after SECONDS (default 10) without any completion. Exit status:
 * 0 after CONNS connections, 1 on an error or the idle timeout.
 * AIORING_BACKEND=kernel|user picks the backend.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "liburing.h"

#define NBUFS		1024		/* power of two */
#define BUFSZ		4096
#define BGID		1
#define MAX_FD		65536

enum { OP_ACCEPT = 1, OP_RECV, OP_SEND };

struct conn {
	int head, tail;			/* queue of bids to send; -1: empty */
	unsigned sent;			/* bytes of the head buffer sent */
	bool sending, recv_armed, eof, open, wait_buf;
};

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static char *bufs;
static unsigned buf_len[NBUFS];
static int next_bid[NBUFS];		/* the send queues, linked by bid */
static struct conn *conns;
static int listen_fd;
static unsigned nr_closed, nr_wanted = 1;
static bool accept_armed;
static int *waiting;			/* conns waiting for a buffer */
static unsigned nr_waiting, nr_given_back;

static uint64_t ud(int op, int fd)
{
	return (uint64_t)op << 32 | (uint32_t)fd;
}

static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe) {
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
	}
	return sqe;	/* non-NULL: the CQ is reaped between submits */
}

static void arm_accept(void)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_multishot_accept(sqe, listen_fd, NULL, NULL, SOCK_CLOEXEC);
	sqe->user_data = ud(OP_ACCEPT, listen_fd);
	accept_armed = true;
}

static void arm_recv(int fd)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe->user_data = ud(OP_RECV, fd);
	conns[fd].recv_armed = true;
}

static void give_back(int bid)
{
	io_uring_buf_ring_add(br, bufs + (size_t)bid * BUFSZ, BUFSZ,
			      (unsigned short)bid, io_uring_buf_ring_mask(NBUFS), 0);
	io_uring_buf_ring_advance(br, 1);
	nr_given_back++;
}

/* Sends the rest of the head buffer, if nothing is in flight. */
static void send_next(int fd)
{
	struct conn *c = &conns[fd];
	struct io_uring_sqe *sqe;
	int bid = c->head;

	if (c->sending || bid < 0)
		return;
	sqe = get_sqe();
	io_uring_prep_send(sqe, fd, bufs + (size_t)bid * BUFSZ + c->sent,
			   buf_len[bid] - c->sent, 0);
	sqe->user_data = ud(OP_SEND, fd);
	c->sending = true;
}

static void conn_close(int fd)
{
	struct conn *c = &conns[fd];

	while (c->head >= 0) {
		int bid = c->head;

		c->head = next_bid[bid];
		give_back(bid);
	}
	c->open = false;
	close(fd);
	nr_closed++;
}

/* Closes once the peer is done, nothing is in flight and all is sent. */
static void conn_maybe_close(int fd)
{
	struct conn *c = &conns[fd];

	if (c->open && c->eof && !c->recv_armed && !c->sending && c->head < 0)
		conn_close(fd);
}

static int on_accept(struct io_uring_cqe *cqe)
{
	int one = 1;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		accept_armed = false;
	if (cqe->res < 0) {
		fprintf(stderr, "echo_server: accept: %s\n", strerror(-cqe->res));
		return cqe->res == -ENFILE || cqe->res == -EMFILE ? 0 : -1;
	}
	if (cqe->res >= MAX_FD) {
		close(cqe->res);
		return -1;
	}
	/* An echo answers at once: no Nagle wait for the peer's ACK. */
	setsockopt(cqe->res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conns[cqe->res] = (struct conn){ .head = -1, .tail = -1, .open = true };
	arm_recv(cqe->res);
	return 0;
}

static int on_recv(int fd, struct io_uring_cqe *cqe)
{
	struct conn *c = &conns[fd];
	int bid;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		c->recv_armed = false;
	if (cqe->res == -ENOBUFS) {
		/* Every buffer waits to be sent: receive again once one is
		 * back (sends complete without this receive). */
		if (!c->wait_buf) {
			c->wait_buf = true;
			waiting[nr_waiting++] = fd;
		}
		return 0;
	}
	if (cqe->res <= 0) {
		c->eof = true;		/* end of stream, or the peer reset */
		conn_maybe_close(fd);
		return 0;
	}
	bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	buf_len[bid] = (unsigned)cqe->res;
	next_bid[bid] = -1;
	if (c->tail >= 0)
		next_bid[c->tail] = bid;
	else
		c->head = bid;
	c->tail = bid;
	send_next(fd);
	if (!c->recv_armed && !c->eof)
		arm_recv(fd);
	return 0;
}

static int on_send(int fd, struct io_uring_cqe *cqe)
{
	struct conn *c = &conns[fd];
	int bid = c->head;

	c->sending = false;
	if (cqe->res < 0) {		/* the peer went away: drop the rest */
		c->eof = true;
		while (c->head >= 0) {
			bid = c->head;
			c->head = next_bid[bid];
			give_back(bid);
		}
		c->tail = -1;
		conn_maybe_close(fd);
		return 0;
	}
	c->sent += (unsigned)cqe->res;
	if (c->sent == buf_len[bid]) {
		c->sent = 0;
		c->head = next_bid[bid];
		if (c->head < 0)
			c->tail = -1;
		give_back(bid);
	}
	send_next(fd);
	conn_maybe_close(fd);
	return 0;
}

/* Buffers came back: the receives that ran out go again. */
static void rearm_waiting(void)
{
	while (nr_given_back && nr_waiting) {
		int fd = waiting[--nr_waiting];

		conns[fd].wait_buf = false;
		if (conns[fd].open && !conns[fd].eof)
			arm_recv(fd);
	}
	nr_given_back = 0;
}

static int handle(struct io_uring_cqe *cqe)
{
	int op = (int)(cqe->user_data >> 32), fd = (int)(uint32_t)cqe->user_data;

	switch (op) {
	case OP_ACCEPT:
		return on_accept(cqe);
	case OP_RECV:
		return on_recv(fd, cqe);
	case OP_SEND:
		return on_send(fd, cqe);
	}
	return -1;
}

static int setup(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE,
				     .cq_entries = 4 * NBUFS };
	socklen_t len = sizeof(sa);
	int one = 1, ret, i;

	ret = io_uring_queue_init_params(256, &ring, &p);
	if (ret)
		return ret;
	br = io_uring_setup_buf_ring(&ring, NBUFS, BGID, 0, &ret);
	bufs = malloc((size_t)NBUFS * BUFSZ);
	conns = calloc(MAX_FD, sizeof(*conns));
	waiting = calloc(MAX_FD, sizeof(*waiting));
	if (!br || !bufs || !conns || !waiting)
		return br ? -ENOMEM : ret;
	for (i = 0; i < NBUFS; i++)
		give_back(i);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -errno;
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(listen_fd, 4096) ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len))
		return -errno;
	printf("port %u\n", ntohs(sa.sin_port));
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct __kernel_timespec idle = { .tv_sec = 10 };
	unsigned short port = 0;
	struct io_uring_cqe *cqe;
	unsigned head, n;
	int opt, ret;

	while ((opt = getopt(argc, argv, "p:n:t:")) != -1) {
		switch (opt) {
		case 'p': port = (unsigned short)atoi(optarg); break;
		case 'n': nr_wanted = (unsigned)atoi(optarg); break;
		case 't': idle.tv_sec = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: echo_server [-p PORT] [-n CONNS] [-t SECONDS]\n");
			return 1;
		}
	}
	ret = setup(port);
	if (ret) {
		fprintf(stderr, "echo_server: setup: %s\n", strerror(-ret));
		return 1;
	}
	arm_accept();
	while (nr_closed < nr_wanted) {
		if (!accept_armed)
			arm_accept();
		ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &idle, NULL);
		if (ret == -ETIME) {
			fprintf(stderr, "echo_server: idle for %lld s, giving up\n",
				(long long)idle.tv_sec);
			return 1;
		}
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "echo_server: wait: %s\n", strerror(-ret));
			return 1;
		}
		n = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (handle(cqe))
				return 1;
			n++;
		}
		io_uring_cq_advance(&ring, n);
		rearm_waiting();
	}
	io_uring_queue_exit(&ring);
	return 0;
}
