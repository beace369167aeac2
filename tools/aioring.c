/* SPDX-License-Identifier: MIT */
/*
 * aioring: the command line tool. main() only dispatches; each subcommand
 * lives in its own file and is one row of the table below, so adding one
 * (bench, say) touches nothing else.
 */
#include <stdio.h>
#include <string.h>
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
	{ "bench", cmd_bench,
	  "[--quick] [--only ID,...] [--json FILE] [--svg FILE] [--markdown FILE]",
	  "run the workloads on both backends and on the peers (plain syscalls,\n"
	  "POSIX AIO, libaio, libuv, epoll, real liburing); print ops/s, p50/p99\n"
	  "and ratios to the kernel backend (--list shows the cases)" },
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
		"(default auto)\n");
}

static int cmd_help(int argc, char **argv)
{
	usage(stdout);
	return CLI_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	printf("aioring %s\n", aioring_version());
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < NR_SUBCOMMANDS; i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "aioring: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
