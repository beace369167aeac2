/* SPDX-License-Identifier: MIT */
/*
 * `aioring bench` workload "echo": 64 loopback TCP connections; on each,
 * the client end sends 64 bytes, the server end echoes what it reads, the
 * client reads the 64 bytes back: one op. Both ends of every connection are
 * served by the one engine under test on one thread, so the figure is what
 * that engine costs for a round trip of socket I/O, with no hand-off
 * between threads to blur it.
 *
 * Engines: aioring on either backend (SEND/RECV, when the probe has them)
 * and a plain epoll loop on non-blocking sockets.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

#define MSG	64

struct conn {
	int cli, srv;
	uint64_t t;		/* when the ping was sent */
	unsigned got;		/* bytes of the pong read so far */
	bool busy;		/* a round trip is under way */
	char cbuf[MSG], sbuf[MSG];
	unsigned slen;		/* bytes the server has to echo */
};

struct echo {
	unsigned n, busy;
	struct conn *c;
};

static int echo_connect(struct echo *e, unsigned n, char *err, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int one = 1, lfd;
	unsigned i;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e->c = calloc(n, sizeof(*e->c));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!e->c || lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, (int)n) || getsockname(lfd, (struct sockaddr *)&a, &alen))
		goto fail;
	for (e->n = 0; e->n < n; e->n++) {
		struct conn *c = &e->c[e->n];

		c->cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c->cli < 0)
			goto fail;
		if (connect(c->cli, (struct sockaddr *)&a, sizeof(a)) ||
		    (c->srv = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			close(c->cli);
			goto fail;
		}
		/* Ping-pong of small messages: Nagle would hold them back. */
		setsockopt(c->cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(c->srv, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		memset(c->cbuf, 'p', MSG);
	}
	close(lfd);
	return 0;
fail:
	bench_errf(err, len, "loopback connections: %s", strerror(errno));
	for (i = 0; i < e->n; i++) {
		close(e->c[i].cli);
		close(e->c[i].srv);
	}
	if (lfd >= 0)
		close(lfd);
	free(e->c);
	return -1;
}

static void echo_close(struct echo *e)
{
	unsigned i;

	for (i = 0; i < e->n; i++) {
		close(e->c[i].cli);
		close(e->c[i].srv);
	}
	free(e->c);
}

/* --- epoll ------------------------------------------------------------------ */

struct ep_state {
	struct echo e;
	int ep;
};

/* epoll data: connection index * 2, +1 for the server end. */
static void *ep_setup(const struct bench_engine *eng, const struct bench_case *c,
		      char *err, size_t len)
{
	struct ep_state *s = calloc(1, sizeof(*s));
	unsigned i;

	if (!s || echo_connect(&s->e, c->qd, err, len)) {
		free(s);
		return NULL;
	}
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < s->e.n && s->ep >= 0; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i * 2 };
		struct conn *cn = &s->e.c[i];

		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, cn->cli, &ev))
			break;
		ev.data.u64++;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, cn->srv, &ev))
			break;
	}
	if (i < s->e.n) {
		bench_errf(err, len, "epoll: %s", strerror(errno));
		if (s->ep >= 0)
			close(s->ep);
		echo_close(&s->e);
		free(s);
		return NULL;
	}
	return s;
}

static int ep_ping(struct echo *e, struct conn *c, uint64_t now)
{
	c->t = now;
	c->got = 0;
	if (send(c->cli, c->cbuf, MSG, MSG_DONTWAIT) != MSG)
		return -EIO;	/* 64 bytes always fit an idle socket */
	c->busy = true;
	e->busy++;
	return 0;
}

/* The readable end @ix of a connection: echo, or take in the pong. */
static int ep_event(struct echo *e, uint64_t ix, uint64_t now, bool more,
		    struct bench_stats *out)
{
	struct conn *c = &e->c[ix / 2];
	ssize_t n;

	if (ix & 1) {
		n = recv(c->srv, c->sbuf, MSG, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		return send(c->srv, c->sbuf, (size_t)n, MSG_DONTWAIT) == n ? 0 : -EIO;
	}
	n = recv(c->cli, c->cbuf, MSG - c->got, MSG_DONTWAIT);
	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : -EIO;
	c->got += (unsigned)n;
	if (c->got < MSG)
		return 0;
	bench_hist_add(&out->hist, now - c->t, 1);
	out->ops++;
	c->busy = false;
	e->busy--;
	return more ? ep_ping(e, c, now) : 0;
}

static int ep_run(void *state, const struct bench_case *bc, uint64_t deadline,
		  struct bench_stats *out)
{
	struct ep_state *s = state;
	struct epoll_event evs[128];
	uint64_t start = bench_now_ns(), now = start;
	unsigned i;
	int ret = 0;

	for (i = 0; i < s->e.n && !ret; i++)
		ret = ep_ping(&s->e, &s->e.c[i], now);
	while (s->e.busy) {
		int n = epoll_wait(s->ep, evs, 128, 1000);

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;	/* a lost message: a bug */
		now = bench_now_ns();
		for (i = 0; i < (unsigned)(n > 0 ? n : 0); i++) {
			int r = ep_event(&s->e, evs[i].data.u64, now,
					 now < deadline && !ret, out);
			if (r && !ret)
				ret = r;
		}
	}
	out->ns += now - start;
	return ret;
}

static void ep_teardown(void *state)
{
	struct ep_state *s = state;

	close(s->ep);
	echo_close(&s->e);
	free(s);
}

static const struct bench_engine echo_epoll = {
	"epoll", 0, NULL, ep_setup, ep_run, ep_teardown,
};

/* --- aioring, both backends ----------------------------------------------- */

/* user_data: connection index << 2 | kind. */
enum { K_CSEND, K_CRECV, K_SRECV, K_SSEND };

struct er_state {
	struct echo e;
	struct io_uring ring;
	int err;
};

static void er_prep(struct er_state *s, unsigned ci, unsigned kind)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
	struct conn *c = &s->e.c[ci];

	if (!sqe) {
		/* Four ops per connection at most: the SQ is sized for it. */
		s->err = -EBUSY;
		return;
	}
	switch (kind) {
	case K_CSEND:
		io_uring_prep_send(sqe, c->cli, c->cbuf, MSG, 0);
		break;
	case K_CRECV:
		io_uring_prep_recv(sqe, c->cli, c->cbuf + c->got, MSG - c->got, 0);
		break;
	case K_SRECV:
		io_uring_prep_recv(sqe, c->srv, c->sbuf, MSG, 0);
		break;
	default:
		io_uring_prep_send(sqe, c->srv, c->sbuf, c->slen, 0);
		break;
	}
	sqe->user_data = (uint64_t)ci << 2 | kind;
}

static void er_ping(struct er_state *s, unsigned ci, uint64_t now)
{
	struct conn *c = &s->e.c[ci];

	c->t = now;
	c->got = 0;
	c->busy = true;
	s->e.busy++;
	er_prep(s, ci, K_CSEND);
	er_prep(s, ci, K_CRECV);
}

static void er_cqe(struct er_state *s, const struct io_uring_cqe *cqe,
		   uint64_t now, bool more, struct bench_stats *out)
{
	unsigned ci = (unsigned)(cqe->user_data >> 2), kind = cqe->user_data & 3;
	struct conn *c = &s->e.c[ci < s->e.n ? ci : 0];

	/* A short send would leave its peer waiting for ever: 64 bytes
	 * always fit a loopback socket, so it is an error here. */
	if (cqe->res <= 0 || (kind == K_CSEND && cqe->res != MSG) ||
	    (kind == K_SSEND && (unsigned)cqe->res != c->slen)) {
		s->err = s->err ? s->err : cqe->res < 0 ? cqe->res : -EIO;
		return;
	}
	switch (kind) {
	case K_SRECV:
		c->slen = (unsigned)cqe->res;
		er_prep(s, ci, K_SSEND);
		break;
	case K_SSEND:
		er_prep(s, ci, K_SRECV);	/* the buffer is free again */
		break;
	case K_CRECV:
		c->got += (unsigned)cqe->res;
		if (c->got < MSG) {
			er_prep(s, ci, K_CRECV);
			break;
		}
		bench_hist_add(&out->hist, now - c->t, 1);
		out->ops++;
		c->busy = false;
		s->e.busy--;
		if (more)
			er_ping(s, ci, now);
		break;
	}
}

static const char *er_check(const struct bench_engine *e,
			    const struct bench_case *c, enum bench_status *st)
{
	static const unsigned char ops[] = { IORING_OP_SEND, IORING_OP_RECV };

	return bench_ring_check_ops(e->mode, ops, 2, st);
}

static void *er_setup(const struct bench_engine *eng, const struct bench_case *c,
		      char *err, size_t len)
{
	struct er_state *s = calloc(1, sizeof(*s));
	unsigned i;
	int old, ret;

	if (!s || echo_connect(&s->e, c->qd, err, len)) {
		free(s);
		return NULL;
	}
	old = aioring_set_mode(eng->mode);
	ret = io_uring_queue_init(4 * c->qd, &s->ring, 0);
	aioring_set_mode(old);
	if (ret < 0) {
		bench_errf(err, len, "io_uring_queue_init: %s", strerror(-ret));
		echo_close(&s->e);
		free(s);
		return NULL;
	}
	/* The server ends listen for the whole life of the state. */
	for (i = 0; i < s->e.n; i++)
		er_prep(s, i, K_SRECV);
	return s;
}

static int er_run(void *state, const struct bench_case *bc, uint64_t deadline,
		  struct bench_stats *out)
{
	struct er_state *s = state;
	uint64_t start = bench_now_ns(), now = start;
	unsigned i;

	for (i = 0; i < s->e.n; i++)
		er_ping(s, i, now);
	while (s->e.busy && !s->err) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		int ret = io_uring_submit_and_wait(&s->ring, 1);

		if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
			return ret;
		now = bench_now_ns();
		io_uring_for_each_cqe(&s->ring, head, cqe) {
			er_cqe(s, cqe, now, now < deadline, out);
			n++;
		}
		io_uring_cq_advance(&s->ring, n);
	}
	out->ns += now - start;
	return s->err;
}

static void er_teardown(void *state)
{
	struct er_state *s = state;

	io_uring_queue_exit(&s->ring);
	echo_close(&s->e);
	free(s);
}

static const struct bench_engine echo_kernel = {
	"kernel", AIORING_MODE_KERNEL, er_check, er_setup, er_run, er_teardown,
};

static const struct bench_engine echo_user = {
	"user", AIORING_MODE_USER, er_check, er_setup, er_run, er_teardown,
};

static const struct bench_engine *const echo_engines[] = {
	&echo_kernel, &echo_user, &echo_epoll, NULL,
};

const struct bench_family bench_fam_echo = { "echo", echo_engines };
