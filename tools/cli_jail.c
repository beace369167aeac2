/* SPDX-License-Identifier: MIT */
/*
 * `aioring jail`: runs a command where io_uring is denied the way real
 * sandboxes deny it, so the fallback can be tried on any machine without
 * root: EPERM as Docker >= 25 and containerd 2.0, ENOSYS as gVisor and
 * RHEL 9, SIGSYS as Android's app filter.
 *
 * The filter is a seccomp filter from libseccomp; it needs no privilege
 * because libseccomp sets PR_SET_NO_NEW_PRIVS first (SCMP_FLTATR_CTL_NNP
 * is on by default). It outlives exec and is inherited by every child, so
 * the whole process tree of the command is jailed. The tool then execs the
 * command: the exit code is the command's own.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli.h"

static const char *const jail_syscalls[] = {
	"io_uring_setup", "io_uring_enter", "io_uring_register",
};

static const char jail_usage[] =
	"usage: aioring jail [--errno=EPERM|ENOSYS | --trap] -- CMD [ARGS...]\n";

struct jail_opts {
	uint32_t action;	/* SCMP_ACT_* for the three calls */
	int chosen;		/* an action was given explicitly */
	char **cmd;
};

static int jail_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "aioring jail: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", jail_usage);
	return CLI_EXIT_USAGE;
}

static int parse_errno(const char *s, uint32_t *action)
{
	if (!strcasecmp(s, "EPERM"))
		*action = SCMP_ACT_ERRNO(EPERM);
	else if (!strcasecmp(s, "ENOSYS"))
		*action = SCMP_ACT_ERRNO(ENOSYS);
	else
		return -1;
	return 0;
}

/* One option; returns 0, or the exit code of a usage error. */
static int parse_option(const char *arg, struct jail_opts *o)
{
	uint32_t action;

	if (!strncmp(arg, "--errno=", 8)) {
		if (parse_errno(arg + 8, &action))
			return jail_usage_error("--errno takes EPERM or ENOSYS, "
						"not '%s'", arg + 8);
	} else if (!strcmp(arg, "--trap")) {
		action = SCMP_ACT_TRAP;
	} else {
		return jail_usage_error("unknown option '%s'", arg);
	}
	if (o->chosen && o->action != action)
		return jail_usage_error("%s conflicts with an earlier option", arg);
	o->action = action;
	o->chosen = 1;
	return 0;
}

static int parse_jail(int argc, char **argv, struct jail_opts *o)
{
	int i, ret;

	o->action = SCMP_ACT_ERRNO(EPERM);	/* what Docker answers */
	o->chosen = 0;
	o->cmd = NULL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("%s", jail_usage);
			exit(CLI_EXIT_OK);
		}
		if (argv[i][0] != '-')
			break;
		ret = parse_option(argv[i], o);
		if (ret)
			return ret;
	}
	if (i >= argc)
		return jail_usage_error("%s", "no command to run");
	o->cmd = argv + i;
	return 0;
}

/*
 * 32-bit programs on a 64-bit kernel reach io_uring through the compat
 * entry points. Without their architectures in the filter, libseccomp's
 * default bad-arch action would kill such programs outright; with them,
 * the rules cover them like native ones (Docker's profile does the same).
 */
static void add_compat_arches(scmp_filter_ctx ctx)
{
#if defined(__x86_64__)
	seccomp_arch_add(ctx, SCMP_ARCH_X86);
	seccomp_arch_add(ctx, SCMP_ARCH_X32);
#elif defined(__aarch64__)
	seccomp_arch_add(ctx, SCMP_ARCH_ARM);
#else
	(void)ctx;
#endif
}

static int add_rules(scmp_filter_ctx ctx, uint32_t action)
{
	size_t i;
	int nr, ret;

	for (i = 0; i < sizeof(jail_syscalls) / sizeof(jail_syscalls[0]); i++) {
		nr = seccomp_syscall_resolve_name(jail_syscalls[i]);
		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "aioring jail: libseccomp does not know %s\n",
				jail_syscalls[i]);
			return -EINVAL;
		}
		ret = seccomp_rule_add(ctx, action, nr, 0);
		if (ret < 0) {
			fprintf(stderr, "aioring jail: seccomp_rule_add(%s): %s\n",
				jail_syscalls[i], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int load_filter(uint32_t action)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int ret;

	if (!ctx) {
		fprintf(stderr, "aioring jail: seccomp_init failed\n");
		return -ENOMEM;
	}
	add_compat_arches(ctx);
	ret = add_rules(ctx, action);
	if (!ret) {
		ret = seccomp_load(ctx);
		if (ret < 0)
			fprintf(stderr, "aioring jail: seccomp_load: %s\n",
				strerror(-ret));
	}
	seccomp_release(ctx);
	return ret;
}

int cmd_jail(int argc, char **argv)
{
	struct jail_opts o;
	int ret = parse_jail(argc, argv, &o);

	if (ret)
		return ret;
	if (load_filter(o.action) < 0)
		return CLI_EXIT_FAIL;
	execvp(o.cmd[0], o.cmd);
	/* As a shell reports it: 127 for a command not found, else 126. */
	ret = errno;
	fprintf(stderr, "aioring jail: %s: %s\n", o.cmd[0], strerror(ret));
	return ret == ENOENT ? 127 : 126;
}
