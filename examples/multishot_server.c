/* SPDX-License-Identifier: MIT */
/*
 * multishot_server: a TCP server built from two multishot requests and a
 * provided-buffer ring, the shape of a modern io_uring server.
 *
 * - One multishot ACCEPT stays armed for the whole run: each connection is
 *   one CQE (IORING_CQE_F_MORE while it stays armed).
 * - Each connection gets one multishot RECV with IOSQE_BUFFER_SELECT: the
 *   backend picks a buffer from the ring for each receive and says which
 *   in the CQE's flags; the program hands it back when done with it.
 *
 * A client thread opens CLIENTS connections to 127.0.0.1, sends MSGS
 * messages on each and closes them; the server counts what it received
 * and stops when every connection has ended.
 */
#include <aioring.h>
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENTS		8
#define MSGS		50
#define MSG_LEN		100
#define NBUFS		64		/* a power of two */
#define BUF_LEN		4096
#define BGID		7

enum { UD_ACCEPT = 1, UD_RECV = 2 };
#define UD(kind, fd)	(((__u64)(kind) << 32) | (unsigned)(fd))

struct server {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	char *bufs;
	int listen_fd, port;
	unsigned long bytes;
	int closed;
};

static void arm_recv(struct server *s, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, UD(UD_RECV, fd));
}

static void arm_accept(struct server *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

	io_uring_prep_multishot_accept(sqe, s->listen_fd, NULL, NULL, 0);
	io_uring_sqe_set_data64(sqe, UD(UD_ACCEPT, s->listen_fd));
}

/* Hands buffer @bid back to the ring, for the next receive. */
static void recycle(struct server *s, unsigned bid)
{
	io_uring_buf_ring_add(s->br, s->bufs + (size_t)bid * BUF_LEN, BUF_LEN,
			      (unsigned short)bid, io_uring_buf_ring_mask(NBUFS), 0);
	io_uring_buf_ring_advance(s->br, 1);
}

static int on_recv(struct server *s, struct io_uring_cqe *cqe)
{
	int fd = (int)(cqe->user_data & 0xffffffff);

	if (cqe->res > 0) {
		s->bytes += (unsigned long)cqe->res;
		recycle(s, cqe->flags >> IORING_CQE_BUFFER_SHIFT);
		/* Out of buffers or stopped for another reason: re-arm. */
		if (!(cqe->flags & IORING_CQE_F_MORE))
			arm_recv(s, fd);
		return 0;
	}
	if (cqe->res == -ENOBUFS) {
		arm_recv(s, fd);
		return 0;
	}
	if (cqe->res < 0) {
		fprintf(stderr, "multishot_server: recv: %s\n", strerror(-cqe->res));
		return -1;
	}
	close(fd);		/* 0: the client closed the connection */
	s->closed++;
	return 0;
}

static int serve(struct server *s)
{
	struct io_uring_cqe *cqe;
	int ret = 0;

	arm_accept(s);
	while (s->closed < CLIENTS && !ret) {
		io_uring_submit_and_wait(&s->ring, 1);
		while (!ret && io_uring_peek_cqe(&s->ring, &cqe) == 0) {
			if (cqe->user_data >> 32 == UD_RECV) {
				ret = on_recv(s, cqe);
			} else if (cqe->res >= 0) {
				arm_recv(s, cqe->res);	/* a new connection */
				if (!(cqe->flags & IORING_CQE_F_MORE))
					arm_accept(s);
			} else {
				fprintf(stderr, "multishot_server: accept: %s\n",
					strerror(-cqe->res));
				ret = -1;
			}
			io_uring_cqe_seen(&s->ring, cqe);
		}
	}
	return ret;
}

static void *clients(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char msg[MSG_LEN];
	int fds[CLIENTS], i, m;

	sa.sin_port = htons((unsigned short)*(int *)arg);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(msg, 'x', sizeof(msg));
	for (i = 0; i < CLIENTS; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)))
			exit(2);
	}
	for (m = 0; m < MSGS; m++)
		for (i = 0; i < CLIENTS; i++)
			if (send(fds[i], msg, sizeof(msg), 0) != sizeof(msg))
				exit(2);
	for (i = 0; i < CLIENTS; i++)
		close(fds[i]);
	return NULL;
}

static int listen_local(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, CLIENTS) || getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

int main(void)
{
	struct server s = { 0 };
	pthread_t t;
	int err, i;

	s.listen_fd = listen_local(&s.port);
	if (s.listen_fd < 0 || io_uring_queue_init(64, &s.ring, 0) < 0) {
		perror("multishot_server: setup");
		return 1;
	}
	s.br = io_uring_setup_buf_ring(&s.ring, NBUFS, BGID, 0, &err);
	s.bufs = malloc((size_t)NBUFS * BUF_LEN);
	if (!s.br || !s.bufs) {
		fprintf(stderr, "multishot_server: buffer ring: %s\n", strerror(-err));
		return 1;
	}
	for (i = 0; i < NBUFS; i++)
		recycle(&s, (unsigned)i);
	if (pthread_create(&t, NULL, clients, &s.port))
		return 1;
	if (serve(&s))
		return 1;
	pthread_join(t, NULL);
	if (s.bytes != (unsigned long)CLIENTS * MSGS * MSG_LEN) {
		fprintf(stderr, "multishot_server: got %lu bytes\n", s.bytes);
		return 1;
	}
	printf("multishot_server: %d connections, %lu bytes through one multishot "
	       "accept and multishot receives on the %s backend\n", CLIENTS,
	       s.bytes, aioring_backend_name(aioring_backend(&s.ring)));
	io_uring_free_buf_ring(&s.ring, s.br, NBUFS, BGID);
	io_uring_queue_exit(&s.ring);
	close(s.listen_fd);
	free(s.bufs);
	return 0;
}
