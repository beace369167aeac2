/* SPDX-License-Identifier: MIT */
/*
 * aioring: the command line tool. main() only dispatches; each subcommand
 * lives in its own file and is one row of the table below, so adding one
 * touches nothing else.
 *
 * `bench` is a separate program, aioring-bench: it links the peers it
 * compares with (libuv, libaio), which this tool must not drag into every
 * install. `aioring bench` runs it from next to this tool (the build tree)
 * or from ../libexec/aioring (an installed tree).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "aioring.h"
#include "cli.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "probe", cmd_probe, "[--json]",
	  "show which backend a ring gets here, and why" },
	{ "jail", cmd_jail, "[--errno=EPERM|ENOSYS | --trap] -- CMD [ARGS...]",
	  "run CMD with io_uring denied by a seccomp filter\n"
	  "(EPERM as Docker, ENOSYS as gVisor/RHEL 9, SIGSYS as Android)" },
	{ "run", cmd_run, "-- CMD [ARGS...]",
	  "run CMD on aioring's drop-in liburing.so.2 instead of the system's" },
	{ "bench", cmd_bench,
	  "[--quick] [--only ID,...] [--engine NAME,...] [--json FILE] ...",
	  "run the workloads on both backends and on the peers (plain syscalls,\n"
	  "POSIX AIO, libaio, libuv, epoll, real liburing); print ops/s, spread,\n"
	  "p50/p99 and ratios to the kernel backend (aioring bench --help)" },
	{ "version", cmd_version, "", "print the version" },
	{ "help", cmd_help, "", "print this help" },
};

#define NR_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: aioring COMMAND [ARGS...]\n\n"
		"io_uring that runs everywhere: the liburing API on kernel io_uring\n"
		"where it is allowed, on a user-space engine where it is denied.\n\n"
		"commands:\n");
	for (i = 0; i < NR_SUBCOMMANDS; i++) {
		const struct subcommand *c = &subcommands[i];
		const char *h = c->help, *nl;

		fprintf(out, "  aioring %s%s%s\n", c->name, *c->args ? " " : "", c->args);
		for (; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(out, "      %.*s\n", (int)(nl - h), h);
		fprintf(out, "      %s\n", h);
	}
	fprintf(out, "\nenvironment:\n"
		"  AIORING_BACKEND=auto|kernel|user   backend of new rings "
		"(default auto)\n\nSee aioring(1) and aioring(7).\n");
}

/* The subcommands without options still answer --help, and refuse the
 * rest rather than ignore it. */
static int no_args(const char *name, int argc, char **argv)
{
	char use[64];

	snprintf(use, sizeof(use), "usage: aioring %s\n", name);
	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("%s", use);
		return CLI_EXIT_OK;
	}
	return cli_usage_error(name, use, "unknown argument '%s'", argv[1]);
}

static int cmd_help(int argc, char **argv)
{
	int ret = no_args("help", argc, argv);

	if (ret >= 0)
		return ret;
	usage(stdout);
	return CLI_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	int ret = no_args("version", argc, argv);

	if (ret >= 0)
		return ret;
	printf("aioring %s\n", aioring_version());
	return CLI_EXIT_OK;
}

int cmd_bench(int argc, char **argv)
{
	static const char *const rel[] = {
		"aioring-bench", "../libexec/aioring/aioring-bench",
	};
	char dir[4096], path[4200];
	size_t i;

	if (!cli_self_dir(dir, sizeof(dir)))
		dir[0] = 0;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, rel[i]);
		if (!access(path, X_OK)) {
			argv[0] = path;
			execv(path, argv);
			fprintf(stderr, "aioring bench: %s: %s\n", path,
				strerror(errno));
			return CLI_EXIT_FAIL;
		}
	}
	fprintf(stderr, "aioring bench: aioring-bench is not installed next to "
		"this tool or in ../libexec/aioring (make bench builds it)\n");
	return CLI_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	for (i = 0; i < NR_SUBCOMMANDS; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "aioring: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
