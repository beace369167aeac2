/* SPDX-License-Identifier: MIT */
/*
 * examples/echo_server and examples/tcp_proxy, each run as a child process
 * on the case's backend (AIORING_BACKEND=kernel|user), driven by plain
 * blocking sockets: every byte must come back, in order, and both
 * programs must stop by themselves with status 0.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "testlib.h"

struct prog {
	int pid, port;
};

/* Starts examples/@name with @args; reads "port N" from it. */
static void prog_start(struct prog *p, const char *name, char *const args[])
{
	char self[PATH_MAX], bin[PATH_MAX + 32], line[64];
	char *argv[16] = { bin };
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int pfd[2], i;
	FILE *f;

	CHECK(n > 0);
	self[n] = 0;
	snprintf(bin, sizeof(bin), "%s/../examples/%s", dirname(self), name);
	if (access(bin, X_OK))
		t_skip("%s is not built (make all builds it)", bin);
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	CHECK_EQ(pipe(pfd), 0);
	p->pid = fork();
	CHECK(p->pid >= 0);
	if (!p->pid) {
		setenv("AIORING_BACKEND",
		       t_backend == AIORING_BACKEND_KERNEL ? "kernel" : "user", 1);
		dup2(pfd[1], 1);
		execv(bin, argv);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	CHECK(f);
	CHECK_MSG(fgets(line, sizeof(line), f), "%s said nothing", name);
	CHECK_EQ(sscanf(line, "port %d", &p->port), 1);
	fclose(f);
}

static int dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((unsigned short)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	CHECK(fd >= 0);
	/* no Nagle wait behind each message's tail */
	CHECK_EQ(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	CHECK_MSG(!connect(fd, (struct sockaddr *)&sa, sizeof(sa)), "connect: %s",
		  strerror(errno));
	return fd;
}

static void read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		CHECK_MSG(n > 0, "read: %zd after %zu of %zu", n, got, len);
		got += (size_t)n;
	}
}

/* @nconns connections, each @msgs messages up to 100 KiB, all checked. */
static void talk(int port, unsigned nconns, unsigned msgs)
{
	static char out[100 << 10], in[100 << 10];
	int fds[16];
	unsigned i, m;
	size_t k, len;

	CHECK(nconns <= 16);
	for (i = 0; i < nconns; i++)
		fds[i] = dial(port);
	for (m = 0; m < msgs; m++) {
		for (i = 0; i < nconns; i++) {
			len = 1 + (m * 7919u + i * 104729u) % sizeof(out);
			for (k = 0; k < len; k++)
				out[k] = (char)(i * 3 + m * 5 + k);
			CHECK_EQ(write(fds[i], out, len), (ssize_t)len);
			read_full(fds[i], in, len);
			CHECK_MSG(!memcmp(in, out, len), "conn %u msg %u differs", i, m);
		}
	}
	/* half-close: the far side sees the end, then closes too */
	for (i = 0; i < nconns; i++) {
		shutdown(fds[i], SHUT_WR);
		CHECK_EQ(read(fds[i], in, 1), 0);
		close(fds[i]);
	}
}

static void case_echo(void)
{
	char *args[] = { "-n", "4", "-t", "10", NULL };
	struct prog echo;

	prog_start(&echo, "echo_server", args);
	talk(echo.port, 4, 20);
	CHECK_EQ(t_waitpid(echo.pid, 10000), 0);
}

static void case_proxy(void)
{
	char *eargs[] = { "-n", "3", "-t", "10", NULL };
	char port[16], *pargs[] = { "-t", port, "-n", "3", "-s", "10", NULL };
	struct prog echo, proxy;

	prog_start(&echo, "echo_server", eargs);
	snprintf(port, sizeof(port), "%d", echo.port);
	prog_start(&proxy, "tcp_proxy", pargs);
	talk(proxy.port, 3, 10);
	CHECK_EQ(t_waitpid(proxy.pid, 10000), 0);
	CHECK_EQ(t_waitpid(echo.pid, 10000), 0);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "echo", case_echo, 0 },
		{ "proxy", case_proxy, 0 },
		{ NULL, NULL, 0 }
	};

	signal(SIGPIPE, SIG_IGN);
	return t_main(argc, argv, cases);
}
