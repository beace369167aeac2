/* SPDX-License-Identifier: MIT */
/*
 * The aioring tool refuses bad input before doing any work: exit status 2
 * and one message that starts with the subcommand's name. Each refusal of
 * the tool's contract has a case here, and so do the two things a user
 * must see: --help on every subcommand, and a misspelt AIORING_BACKEND
 * being reported (once, by the library, and by `aioring probe`).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"

#define OUT_MAX	65536

struct result {
	int status;
	char out[OUT_MAX], err[OUT_MAX];
};

static char tool[4200];

static void find_tool(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CHECK(n > 0);
	self[n] = 0;
	snprintf(tool, sizeof(tool), "%s/../aioring", dirname(self));
	if (access(tool, X_OK))
		t_skip("%s not built", tool);
}

static void slurp_fd(int fd, char *buf)
{
	ssize_t n, got = 0;

	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + got, OUT_MAX - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = 0;
	close(fd);
}

/* Runs @argv (argv[0] is the program) with AIORING_BACKEND=@env (NULL:
 * unset); stdout and stderr are kept apart. */
static void run(char *const argv[], const char *env, struct result *r)
{
	char op[] = "/tmp/aioring-cli-out.XXXXXX", ep[] = "/tmp/aioring-cli-err.XXXXXX";
	int ofd = mkstemp(op), efd = mkstemp(ep), status;
	pid_t pid;

	CHECK(ofd >= 0 && efd >= 0);
	unlink(op);
	unlink(ep);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		if (env)
			setenv("AIORING_BACKEND", env, 1);
		else
			unsetenv("AIORING_BACKEND");
		execv(argv[0], argv);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	slurp_fd(ofd, r->out);
	slurp_fd(efd, r->err);
}

/* `aioring ARGS...` must exit 2 at once, say @msg on stderr after the
 * subcommand's prefix, and print nothing on stdout. */
static void refused(const char *prefix, const char *msg, ...)
{
	char *argv[16] = { tool };
	struct result *r = malloc(sizeof(*r));
	struct timespec t0, t1;
	va_list ap;
	int n = 1;

	CHECK(r);
	va_start(ap, msg);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(argv, NULL, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_MSG(r->status == 2, "%s %s: exit %d, stderr: %s", argv[1],
		  argv[2] ? argv[2] : "", r->status, r->err);
	CHECK_MSG(!strncmp(r->err, prefix, strlen(prefix)),
		  "stderr lacks the prefix '%s': %s", prefix, r->err);
	CHECK_MSG(strstr(r->err, msg), "stderr lacks '%s': %s", msg, r->err);
	CHECK_MSG(!r->out[0], "stdout: %s", r->out);
	/* Before any work: a bench run takes seconds, a refusal none. */
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	free(r);
}

static void case_bench_numbers(void)
{
	find_tool();
	refused("aioring bench: ", "--rounds takes a number from 1 to 32, not '0'",
		"bench", "--rounds", "0", NULL);
	refused("aioring bench: ", "not 'abc'", "bench", "--rounds", "abc", NULL);
	refused("aioring bench: ", "not '5x'", "bench", "--rounds", "5x", NULL);
	refused("aioring bench: ", "not '-1'", "bench", "--rounds", "-1", NULL);
	refused("aioring bench: ", "not '33'", "bench", "--rounds", "33", NULL);
	refused("aioring bench: ", "--slice takes a number from 1 to 10000",
		"bench", "--slice", "0", NULL);
	refused("aioring bench: ", "--slice needs a value", "bench", "--slice",
		NULL);
}

static void case_bench_names(void)
{
	find_tool();
	refused("aioring bench: ", "unknown engine 'bogus' (engines: kernel,user",
		"bench", "--engine", "bogus", NULL);
	refused("aioring bench: ", "unknown engine 'usr'", "bench", "--engine",
		"kernel,usr", NULL);
	refused("aioring bench: ", "no case matches 'zzz'", "bench", "--only",
		"nop,zzz", NULL);
	refused("aioring bench: ", "unknown option '--bogus'", "bench",
		"--bogus", NULL);
	refused("aioring bench: ", "unexpected argument 'extra'", "bench",
		"extra", NULL);
}

static void case_bench_output_first(void)
{
	find_tool();
	refused("aioring bench: ", "/nonexistent/x.svg: No such file", "bench",
		"--svg", "/nonexistent/x.svg", NULL);
	refused("aioring bench: ", "/nonexistent/x.json", "bench", "--json",
		"/nonexistent/x.json", NULL);
	refused("aioring bench: ", "/nonexistent/x.md", "bench", "--markdown",
		"/nonexistent/x.md", NULL);
}

static void case_other_refusals(void)
{
	find_tool();
	refused("aioring probe: ", "unknown argument '--bad'", "probe", "--bad",
		NULL);
	refused("aioring jail: ", "no command to run", "jail", NULL);
	refused("aioring jail: ", "--errno takes EPERM or ENOSYS", "jail",
		"--errno=EFOO", "--", "true", NULL);
	refused("aioring run: ", "no command to run", "run", NULL);
	refused("aioring run: ", "unknown option '--bad'", "run", "--bad",
		"true", NULL);
	refused("aioring version: ", "unknown argument 'x'", "version", "x",
		NULL);
	refused("aioring: ", "unknown command 'nosuch'", "nosuch", NULL);
}

/* --help answers on stdout with exit 0, for the tool and each subcommand. */
static void case_help_everywhere(void)
{
	static const char *const subs[] = {
		"probe", "jail", "run", "bench", "version", "help",
	};
	struct result *r = malloc(sizeof(*r));
	size_t i;

	CHECK(r);
	find_tool();
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		char *argv[] = { tool, (char *)subs[i], "--help", NULL };
		char want[64];

		run(argv, NULL, r);
		snprintf(want, sizeof(want), "usage: aioring %s", subs[i]);
		CHECK_MSG(r->status == 0 && strstr(r->out, want),
			  "%s --help: exit %d, stdout: %s", subs[i], r->status,
			  r->out);
	}
	free(r);
}

/* The table shows the project's targets only when asked. */
static void case_targets_behind_flag(void)
{
	char *plain[] = { tool, "bench", "--only", "nop-b1", "--engine", "user",
			  "--rounds", "1", "--slice", "5", NULL };
	char *with[] = { tool, "bench", "--only", "nop-b1", "--engine", "user",
			 "--rounds", "1", "--slice", "5", "--targets", NULL };
	struct result *r = malloc(sizeof(*r));

	CHECK(r);
	find_tool();
	run(plain, NULL, r);
	CHECK_MSG(r->status == 0, "exit %d: %s", r->status, r->err);
	CHECK(strstr(r->out, "nop-b1"));
	CHECK(strstr(r->out, "spread"));
	CHECK_MSG(!strstr(r->out, "targets"), "%s", r->out);
	run(with, NULL, r);
	CHECK_MSG(r->status == 0, "exit %d: %s", r->status, r->err);
	CHECK(strstr(r->out, "targets"));
	free(r);
}

/*
 * A misspelt AIORING_BACKEND: `aioring probe` shows it, and the library
 * warns once per process on stderr, however many rings it makes.
 */
static void case_backend_env_typo(void)
{
	char *probe[] = { tool, "probe", NULL };
	char *self_argv[] = { (char *)"/proc/self/exe", "rings_in_child", NULL };
	struct result *r = malloc(sizeof(*r));
	const char *w = "aioring: AIORING_BACKEND=kernal is not auto, kernel or user";
	char *first;

	CHECK(r);
	find_tool();
	run(probe, "kernal", r);
	CHECK_MSG(strstr(r->out, "kernal -> not auto, kernel or user: ignored"),
		  "probe: %s", r->out);
	CHECK_MSG(strstr(r->err, w), "probe stderr: %s", r->err);

	run(self_argv, "kernal", r);
	CHECK_MSG(r->status == 0, "child: exit %d: %s", r->status, r->err);
	first = strstr(r->err, w);
	CHECK_MSG(first, "no warning: %s", r->err);
	CHECK_MSG(!strstr(first + strlen(w), w), "warned twice: %s", r->err);
	free(r);
}

/* Run as `cli rings_in_child` by the case above: three rings in auto mode. */
static int rings_in_child(void)
{
	struct io_uring ring;
	int i;

	for (i = 0; i < 3; i++) {
		if (io_uring_queue_init(4, &ring, 0))
			return 1;
		io_uring_queue_exit(&ring);
	}
	return aioring_mode() == AIORING_MODE_AUTO ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "bench_numbers", case_bench_numbers, T_ONCE },
		{ "bench_names", case_bench_names, T_ONCE },
		{ "bench_output_first", case_bench_output_first, T_ONCE },
		{ "other_refusals", case_other_refusals, T_ONCE },
		{ "help_everywhere", case_help_everywhere, T_ONCE },
		{ "targets_behind_flag", case_targets_behind_flag, T_ONCE },
		{ "backend_env_typo", case_backend_env_typo, T_ONCE },
		{ NULL, NULL, 0 },
	};

	if (argc == 2 && !strcmp(argv[1], "rings_in_child"))
		return rings_in_child();
	return t_main(argc, argv, cases);
}
