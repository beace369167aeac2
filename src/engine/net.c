/* SPDX-License-Identifier: MIT */
/*
 * SOCKET, CONNECT, BIND, LISTEN and SHUTDOWN, and the helpers the other
 * socket ops share. Each prep validates the SQE as the kernel's does and
 * copies the socket address it names, so nothing is read from the
 * application's memory after submission.
 *
 * A blocking socket has no per-call "don't wait" for connect(2) and
 * accept(2) (send and recv take MSG_DONTWAIT). The engine sets O_NONBLOCK
 * on the open file for the one call and restores it, under a lock shared
 * by the engine's threads; see docs/ARCHITECTURE.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "engine/net_int.h"
#include "util/ucopy.h"

static pthread_mutex_t net_nb_lock = PTHREAD_MUTEX_INITIALIZER;

int eng_net_nb_call(int fd, int (*fn)(int fd, void *arg), void *arg)
{
	int fl, ret, err;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	if (fl & O_NONBLOCK)
		return fn(fd, arg);
	pthread_mutex_lock(&net_nb_lock);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		err = -errno;
		pthread_mutex_unlock(&net_nb_lock);
		return err;
	}
	ret = fn(fd, arg);
	fcntl(fd, F_SETFL, fl);
	pthread_mutex_unlock(&net_nb_lock);
	return ret;
}

/* As the kernel's move_addr_to_kernel(). */
int eng_net_copy_addr(struct sockaddr_storage *dst, uint64_t uaddr, int ulen)
{
	if (ulen < 0 || (size_t)ulen > sizeof(*dst))
		return -EINVAL;
	if (!ulen)
		return 0;
	return ucopy(dst, (const void *)(uintptr_t)uaddr, (size_t)ulen);
}

/* --- SOCKET ------------------------------------------------------------- */

int eng_socket_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_sockop *s = &req->net.sock;
	int flags;

	if (sqe->addr || sqe->rw_flags || sqe->buf_index)
		return -EINVAL;
	s->domain = sqe->fd;
	s->type = (int)sqe->off;
	s->protocol = (int)sqe->len;
	s->file_slot = sqe->file_index;
	flags = s->type & ~0xf;		/* SOCK_TYPE_MASK */
	if (s->file_slot && (flags & SOCK_CLOEXEC))
		return -EINVAL;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	return 0;
}

int eng_socket_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_sockop *s = &req->net.sock;
	int fd;

	fd = socket(s->domain, s->type, s->protocol);
	if (fd < 0) {
		eng_req_set_res(req, -errno, 0);
		return ENG_ISSUE_DONE;
	}
	if (s->file_slot) {
		eng_req_set_res(req, eng_net_install_direct(req, fd, s->file_slot), 0);
		return ENG_ISSUE_DONE;
	}
	eng_req_set_res(req, fd, 0);
	return ENG_ISSUE_DONE;
}

/* --- CONNECT ------------------------------------------------------------ */

int eng_connect_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_connect *c = &req->net.connect;

	if (sqe->len || sqe->buf_index || sqe->rw_flags || sqe->splice_fd_in)
		return -EINVAL;
	c->addrlen = (socklen_t)(int)sqe->addr2;
	c->in_progress = false;
	return eng_net_copy_addr(&c->addr, sqe->addr, (int)sqe->addr2);
}

static int connect_call(int fd, void *arg)
{
	struct eng_connect *c = arg;

	return connect(fd, (struct sockaddr *)&c->addr, c->addrlen) ? -errno : 0;
}

int eng_connect_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_connect *c = &req->net.connect;
	socklen_t len = sizeof(int);
	int ret, err = 0;

	if (c->in_progress) {
		/* Ready: the outcome is the socket's pending error. */
		ret = getsockopt(req->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		eng_req_set_res(req, ret ? -errno : -err, 0);
		return ENG_ISSUE_DONE;
	}
	ret = eng_net_nb_call(req->fd, connect_call, c);
	if (ret == -EINPROGRESS) {
		c->in_progress = true;
		return -EAGAIN;
	}
	if (ret == -EAGAIN)
		return -EAGAIN;
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

/* --- BIND, LISTEN, SHUTDOWN --------------------------------------------- */

int eng_bind_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_sockop *s = &req->net.sock;

	if (sqe->len || sqe->buf_index || sqe->rw_flags || sqe->splice_fd_in)
		return -EINVAL;
	s->addrlen = (socklen_t)(int)sqe->addr2;
	return eng_net_copy_addr(&s->addr, sqe->addr, (int)sqe->addr2);
}

int eng_bind_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_sockop *s = &req->net.sock;
	int ret = bind(req->fd, (struct sockaddr *)&s->addr, s->addrlen);

	eng_req_set_res(req, ret ? -errno : 0, 0);
	return ENG_ISSUE_DONE;
}

int eng_listen_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (sqe->addr || sqe->buf_index || sqe->rw_flags || sqe->splice_fd_in ||
	    sqe->addr2)
		return -EINVAL;
	req->net.sock.arg = (int)sqe->len;
	return 0;
}

int eng_listen_issue(struct eng_req *req, unsigned issue_flags)
{
	int ret = listen(req->fd, req->net.sock.arg);

	eng_req_set_res(req, ret ? -errno : 0, 0);
	return ENG_ISSUE_DONE;
}

int eng_shutdown_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (sqe->off || sqe->addr || sqe->rw_flags || sqe->buf_index ||
	    sqe->splice_fd_in)
		return -EINVAL;
	req->net.sock.arg = (int)sqe->len;
	return 0;
}

int eng_shutdown_issue(struct eng_req *req, unsigned issue_flags)
{
	int ret = shutdown(req->fd, req->net.sock.arg);

	eng_req_set_res(req, ret ? -errno : 0, 0);
	return ENG_ISSUE_DONE;
}
