/* SPDX-License-Identifier: MIT */
/*
 * tcp_proxy: relays TCP connections to another port, on one io_uring ring.
 *
 *   tcp_proxy -t TARGET_PORT [-p PORT] [-n CONNS] [-s SECONDS]
 *
 * Listens on 127.0.0.1:PORT (0, the default, picks a free port) and prints
 * "port N" once ready. For each client it accepts (ACCEPT), it opens a
 * socket (SOCKET) and connects it (CONNECT) to 127.0.0.1:TARGET_PORT, then
 * copies both ways: RECV into the direction's buffer, SEND of what came
 * (again for the rest of a short send), RECV again. End of file on one
 * side becomes SHUTDOWN(SHUT_WR) on the other; once both ways are done,
 * both sockets are closed (CLOSE).
 *
 * It stops by itself: after CONNS clients (default 1) have come and gone,
 * or after SECONDS (default 10) without a completion. Exit status 0 after
 * CONNS clients, 1 on an error or the idle timeout.
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

#define BUFSZ		16384
#define MAX_PAIRS	4096

enum { OP_ACCEPT = 1, OP_SOCKET, OP_CONNECT, OP_RECV, OP_SEND, OP_SHUTDOWN,
       OP_CLOSE };

/* One direction: bytes from fd[dir] to fd[!dir]. */
struct way {
	char buf[BUFSZ];
	unsigned len, sent;
	bool done;			/* end of file passed on */
};

struct pair {
	int fd[2];			/* 0: the client, 1: the target */
	struct way way[2];
	int inflight;			/* requests, to know when to free */
	bool used, closing;
};

static struct io_uring ring;
static struct pair *pairs;
static struct sockaddr_in target;
static int listen_fd;
static unsigned nr_done, nr_wanted = 1;

static uint64_t ud(int op, unsigned idx, int dir)
{
	return (uint64_t)op << 48 | (uint64_t)dir << 40 | idx;
}

static struct io_uring_sqe *get_sqe(struct pair *p, int op, unsigned idx, int dir)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe) {
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
	}
	if (p)
		p->inflight++;
	io_uring_sqe_set_data64(sqe, ud(op, idx, dir));
	return sqe;
}

static void arm_accept(void)
{
	io_uring_prep_accept(get_sqe(NULL, OP_ACCEPT, 0, 0), listen_fd, NULL,
			     NULL, SOCK_CLOEXEC);
}

static void way_recv(struct pair *p, unsigned idx, int dir)
{
	struct way *w = &p->way[dir];

	w->len = w->sent = 0;
	io_uring_prep_recv(get_sqe(p, OP_RECV, idx, dir), p->fd[dir], w->buf,
			   BUFSZ, 0);
}

static void way_send(struct pair *p, unsigned idx, int dir)
{
	struct way *w = &p->way[dir];

	io_uring_prep_send(get_sqe(p, OP_SEND, idx, dir), p->fd[!dir],
			   w->buf + w->sent, w->len - w->sent, 0);
}

/* A way is over (end of file, or an error): pass it on, and close the
 * pair once both ways are over. */
static void way_end(struct pair *p, unsigned idx, int dir)
{
	p->way[dir].done = true;
	if (!p->way[!dir].done) {
		io_uring_prep_shutdown(get_sqe(p, OP_SHUTDOWN, idx, dir),
				       p->fd[!dir], SHUT_WR);
		return;
	}
	io_uring_prep_close(get_sqe(p, OP_CLOSE, idx, 0), p->fd[0]);
	io_uring_prep_close(get_sqe(p, OP_CLOSE, idx, 1), p->fd[1]);
	p->closing = true;
}

/* A relay passes bytes on at once: no Nagle wait for the peer's ACK. */
static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int on_cqe(struct io_uring_cqe *cqe)
{
	int op = (int)(cqe->user_data >> 48), dir = (int)(cqe->user_data >> 40) & 1;
	unsigned idx = (unsigned)(cqe->user_data & 0xffffffffu);
	struct pair *p = &pairs[idx];
	int res = cqe->res;

	if (op == OP_ACCEPT) {
		arm_accept();
		if (res < 0)
			return res == -EMFILE || res == -ENFILE ? 0 : res;
		for (idx = 0; idx < MAX_PAIRS && pairs[idx].used; idx++)
			;
		if (idx == MAX_PAIRS)
			return -ENOSPC;
		p = &pairs[idx];
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->fd[0] = res;
		nodelay(res);
		io_uring_prep_socket(get_sqe(p, OP_SOCKET, idx, 0), AF_INET,
				     SOCK_STREAM | SOCK_CLOEXEC, 0, 0);
		return 0;
	}
	p->inflight--;
	switch (op) {
	case OP_SOCKET:
		if (res < 0)
			return res;
		p->fd[1] = res;
		nodelay(res);
		io_uring_prep_connect(get_sqe(p, OP_CONNECT, idx, 0), res,
				      (struct sockaddr *)&target, sizeof(target));
		break;
	case OP_CONNECT:
		if (res < 0)
			return res;
		way_recv(p, idx, 0);
		way_recv(p, idx, 1);
		break;
	case OP_RECV:
		if (res <= 0) {
			way_end(p, idx, dir);
			break;
		}
		p->way[dir].len = (unsigned)res;
		way_send(p, idx, dir);
		break;
	case OP_SEND:
		if (res < 0) {		/* the other side is gone */
			way_end(p, idx, dir);
			break;
		}
		p->way[dir].sent += (unsigned)res;
		if (p->way[dir].sent < p->way[dir].len)
			way_send(p, idx, dir);
		else
			way_recv(p, idx, dir);
		break;
	case OP_SHUTDOWN:
		break;
	case OP_CLOSE:
		break;
	default:
		return -EINVAL;
	}
	if (p->closing && !p->inflight) {	/* both closed, nothing left */
		p->used = false;
		nr_done++;
	}
	return 0;
}

static int setup(unsigned short port, unsigned short target_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int ret, one = 1;

	target = sa;
	target.sin_port = htons(target_port);
	ret = io_uring_queue_init(256, &ring, 0);
	if (ret)
		return ret;
	pairs = calloc(MAX_PAIRS, sizeof(*pairs));
	if (!pairs)
		return -ENOMEM;
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -errno;
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(listen_fd, 1024) ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &len))
		return -errno;
	printf("port %u\n", ntohs(sa.sin_port));
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct __kernel_timespec idle = { .tv_sec = 10 };
	unsigned short port = 0, target_port = 0;
	struct io_uring_cqe *cqe;
	int opt, ret;

	while ((opt = getopt(argc, argv, "p:t:n:s:")) != -1) {
		switch (opt) {
		case 'p': port = (unsigned short)atoi(optarg); break;
		case 't': target_port = (unsigned short)atoi(optarg); break;
		case 'n': nr_wanted = (unsigned)atoi(optarg); break;
		case 's': idle.tv_sec = atoi(optarg); break;
		default: target_port = 0; break;
		}
	}
	if (!target_port) {
		fprintf(stderr, "usage: tcp_proxy -t TARGET_PORT [-p PORT] [-n CONNS] [-s SECONDS]\n");
		return 1;
	}
	ret = setup(port, target_port);
	if (ret) {
		fprintf(stderr, "tcp_proxy: setup: %s\n", strerror(-ret));
		return 1;
	}
	arm_accept();
	while (nr_done < nr_wanted) {
		ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &idle, NULL);
		if (ret == -ETIME) {
			fprintf(stderr, "tcp_proxy: idle, giving up\n");
			return 1;
		}
		if (ret < 0) {
			if (ret == -EINTR)
				continue;
			fprintf(stderr, "tcp_proxy: wait: %s\n", strerror(-ret));
			return 1;
		}
		ret = on_cqe(cqe);
		io_uring_cqe_seen(&ring, cqe);
		if (ret) {
			fprintf(stderr, "tcp_proxy: %s\n", strerror(-ret));
			return 1;
		}
	}
	io_uring_queue_exit(&ring);
	return 0;
}
