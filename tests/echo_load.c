/* SPDX-License-Identifier: MIT */
/*
 * examples/echo_server under load, on each backend: the server runs as a
 * child process (AIORING_BACKEND=kernel|user), the test is the client, on
 * a ring of the same backend. Every connection sends a message, reads the
 * echo back and checks every byte, then sends the next; every CQE is
 * accounted for (each connection has exactly one request in flight, so a
 * lost CQE stalls and a duplicated one is caught).
 *
 *   echo_small: 8 connections x 50 messages;
 *   echo_load:  1,000 connections x 1,000 messages (AIORING_ECHO_CONNS and
 *               AIORING_ECHO_MSGS scale it, e.g. for a sanitizer build).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define MSG_MAX 256

enum { OP_SEND = 1, OP_RECV };

struct cconn {
	int fd;
	unsigned seq, len, off;
	int op;				/* the request in flight */
	char out[MSG_MAX], in[MSG_MAX];
};

struct server {
	int pid, port;
};

static unsigned env_or(const char *name, unsigned def)
{
	const char *e = getenv(name);

	return e && atoi(e) > 0 ? (unsigned)atoi(e) : def;
}

/* Starts the example; reads "port N" from it. */
static void server_start(struct server *s, unsigned conns)
{
	char self[PATH_MAX], bin[PATH_MAX + 32], line[64], nconns[16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int pfd[2];
	FILE *f;

	CHECK(n > 0);
	self[n] = 0;
	snprintf(bin, sizeof(bin), "%s/../examples/echo_server", dirname(self));
	if (access(bin, X_OK))
		t_skip("%s is not built (make all builds it)", bin);
	snprintf(nconns, sizeof(nconns), "%u", conns);
	CHECK_EQ(pipe(pfd), 0);
	s->pid = fork();
	CHECK(s->pid >= 0);
	if (!s->pid) {
		setenv("AIORING_BACKEND",
		       t_backend == AIORING_BACKEND_KERNEL ? "kernel" : "user", 1);
		dup2(pfd[1], 1);
		execl(bin, bin, "-n", nconns, "-t", "20", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	CHECK(f);
	CHECK_MSG(fgets(line, sizeof(line), f), "the server said nothing");
	CHECK_EQ(sscanf(line, "port %d", &s->port), 1);
	fclose(f);
}

static void fill_msg(struct cconn *c, unsigned idx)
{
	unsigned k;

	c->len = 1 + (idx * 7919u + c->seq * 104729u) % MSG_MAX;
	for (k = 0; k < c->len; k++)
		c->out[k] = (char)(idx * 7 + c->seq * 13 + k);
	c->off = 0;
}

static void queue_op(struct io_uring *ring, struct cconn *c, unsigned idx, int op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		CHECK(io_uring_submit(ring) > 0);
		sqe = t_sqe(ring);
	}
	if (op == OP_SEND)
		io_uring_prep_send(sqe, c->fd, c->out + c->off, c->len - c->off, 0);
	else
		io_uring_prep_recv(sqe, c->fd, c->in + c->off, c->len - c->off, 0);
	sqe->user_data = (uint64_t)idx << 8 | (unsigned)op;
	c->op = op;
}

/* One CQE: checks it is the one expected; returns true when the
 * connection has done all its messages. */
static bool on_cqe(struct io_uring *ring, struct cconn *conns, unsigned nconns,
		   unsigned msgs, const struct io_uring_cqe *cqe)
{
	unsigned idx = (unsigned)(cqe->user_data >> 8);
	int op = (int)(cqe->user_data & 0xff);
	struct cconn *c;

	CHECK_MSG(idx < nconns, "stray CQE %#llx", (unsigned long long)cqe->user_data);
	c = &conns[idx];
	CHECK_MSG(op == c->op, "conn %u: CQE of op %d, expected %d (duplicate?)",
		  idx, op, c->op);
	c->op = 0;
	CHECK_MSG(cqe->res > 0, "conn %u op %d: res %d", idx, op, cqe->res);
	CHECK_EQ(cqe->flags & ~IORING_CQE_F_SOCK_NONEMPTY, 0);
	c->off += (unsigned)cqe->res;
	CHECK(c->off <= c->len);
	if (c->off < c->len) {		/* short: the rest */
		queue_op(ring, c, idx, op);
		return false;
	}
	if (op == OP_SEND) {
		c->off = 0;
		queue_op(ring, c, idx, OP_RECV);
		return false;
	}
	CHECK_MSG(!memcmp(c->in, c->out, c->len), "conn %u msg %u: bytes differ",
		  idx, c->seq);
	if (++c->seq == msgs)
		return true;
	fill_msg(c, idx);
	queue_op(ring, c, idx, OP_SEND);
	return false;
}

static void echo_run(unsigned nconns, unsigned msgs)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE,
				     .cq_entries = 4 * nconns > 1024 ? 4 * nconns : 1024 };
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct cconn *conns = calloc(nconns, sizeof(*conns));
	struct io_uring ring;
	struct server srv;
	unsigned i, done = 0, head, n;
	unsigned long long cqes = 0;
	struct io_uring_cqe *cqe;
	struct rlimit rl;
	int status;

	CHECK(conns);
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 3 * nconns + 64) {
		rl.rlim_cur = 3 * nconns + 64;
		if (rl.rlim_cur > rl.rlim_max || setrlimit(RLIMIT_NOFILE, &rl))
			t_skip("RLIMIT_NOFILE cannot reach %u", 3 * nconns + 64);
	}
	server_start(&srv, nconns);
	sa.sin_port = htons((unsigned short)srv.port);
	t_ring(&ring, 256, &p);
	for (i = 0; i < nconns; i++) {
		conns[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(conns[i].fd >= 0);
		CHECK_MSG(!connect(conns[i].fd, (struct sockaddr *)&sa, sizeof(sa)),
			  "connect %u: %s", i, strerror(errno));
		fill_msg(&conns[i], i);
		queue_op(&ring, &conns[i], i, OP_SEND);
	}
	while (done < nconns) {
		CHECK(io_uring_submit_and_wait(&ring, 1) >= 0);
		n = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			done += on_cqe(&ring, conns, nconns, msgs, cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		cqes += n;
		CHECK_MSG(n || io_uring_sq_ready(&ring), "no progress");
	}
	/* 2 CQEs per message at least (one send, one recv), all checked */
	CHECK(cqes >= 2ull * nconns * msgs);
	CHECK_EQ(io_uring_cq_ready(&ring), 0);
	for (i = 0; i < nconns; i++)
		close(conns[i].fd);
	status = t_waitpid(srv.pid, 20000);
	CHECK_MSG(status == 0, "echo_server exit %d", status);
	io_uring_queue_exit(&ring);
	free(conns);
}

static void case_small(void)
{
	echo_run(8, 50);
}

static void case_load(void)
{
	echo_run(env_or("AIORING_ECHO_CONNS", 1000), env_or("AIORING_ECHO_MSGS", 1000));
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "echo_small", case_small, 0 },
		{ "echo_load", case_load, 0 },
		{ NULL, NULL, 0 }
	};

	signal(SIGPIPE, SIG_IGN);
	setenv("AIORING_TEST_CASE_TIMEOUT", "180", 0);
	return t_main(argc, argv, cases);
}
