/* SPDX-License-Identifier: MIT */
/* Helpers shared by the socket op tests (loopback only). */
#ifndef AIORING_TESTS_NETUTIL_H
#define AIORING_TESTS_NETUTIL_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testlib.h"

struct res {
	int res;
	unsigned flags;
};

/* Submits the one queued SQE and reaps its CQE (of @ud). */
static inline struct res run1(struct io_uring *ring, uint64_t ud)
{
	struct io_uring_cqe *cqe;
	struct res r;

	t_submit(ring, 1);
	cqe = t_wait(ring, 5000);
	CHECK_EQ(cqe->user_data, ud);
	r.res = cqe->res;
	r.flags = cqe->flags;
	io_uring_cqe_seen(ring, cqe);
	return r;
}

static inline struct io_uring_sqe *sqe_ud(struct io_uring *ring, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	sqe->user_data = ud;
	return sqe;
}

static inline struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return sa;
}

/* A listening TCP socket on 127.0.0.1; its address in *sa. */
static inline int t_listener(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	*sa = loopback(0);
	CHECK_EQ(bind(fd, (struct sockaddr *)sa, sizeof(*sa)), 0);
	CHECK_EQ(listen(fd, 128), 0);
	CHECK_EQ(getsockname(fd, (struct sockaddr *)sa, &len), 0);
	return fd;
}

/* A connected TCP pair over loopback, made with plain system calls. */
static inline void tcp_pair(int fds[2])
{
	struct sockaddr_in sa;
	int l = t_listener(&sa);

	fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fds[0] >= 0);
	CHECK_EQ(connect(fds[0], (struct sockaddr *)&sa, sizeof(sa)), 0);
	fds[1] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	CHECK(fds[1] >= 0);
	close(l);
}

static inline void fill(char *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 131 + i * 7 + (i >> 9));
}

#endif
