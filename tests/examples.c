/* SPDX-License-Identifier: MIT */
/*
 * The small examples (examples/hello.c and the five that show one feature
 * each) run on each backend and say so: each must exit 0 and print which
 * backend it ran on. What each checks of its own results is in the
 * example itself (it exits non-zero on a wrong CQE).
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

static void run_example(const char *name)
{
	char self[4096], bin[4200], out[4096], want[64];
	const char *be = t_backend_str(t_backend);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int pfd[2];
	size_t got = 0;
	pid_t pid;

	CHECK(n > 0);
	self[n] = 0;
	snprintf(bin, sizeof(bin), "%s/../examples/%s", dirname(self), name);
	if (access(bin, X_OK))
		t_skip("%s not built", bin);
	CHECK(pipe(pfd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		setenv("AIORING_BACKEND", be, 1);
		execl(bin, name, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (got < sizeof(out) - 1 &&
	       (n = read(pfd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(pfd[0]);
	CHECK_EQ(t_waitpid(pid, 20000), 0);
	snprintf(want, sizeof(want), "%s backend", be);
	CHECK_MSG(strstr(out, want), "%s: no '%s' in: %s", name, want, out);
}

static void case_hello(void) { run_example("hello"); }
static void case_fixed_files_bufs(void) { run_example("fixed_files_bufs"); }
static void case_sqpoll(void) { run_example("sqpoll"); }
static void case_link_timeout(void) { run_example("link_timeout"); }
static void case_msg_ring(void) { run_example("msg_ring"); }
static void case_multishot_server(void) { run_example("multishot_server"); }

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "hello", case_hello, 0 },
		{ "fixed_files_bufs", case_fixed_files_bufs, 0 },
		{ "sqpoll", case_sqpoll, 0 },
		{ "link_timeout", case_link_timeout, 0 },
		{ "msg_ring", case_msg_ring, 0 },
		{ "multishot_server", case_multishot_server, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
