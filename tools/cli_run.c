/* SPDX-License-Identifier: MIT */
/*
 * `aioring run -- CMD [ARGS...]`: runs CMD on aioring's drop-in
 * liburing.so.2 instead of the system's liburing, without a rebuild.
 *
 * The drop-in is installed in a directory of its own ($libdir/aioring), so
 * that it never takes over from the system's liburing for other programs.
 * This puts that directory first on LD_LIBRARY_PATH, and changes nothing
 * else: the environment, the arguments and the exit status are CMD's.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

#ifndef AIORING_URINGDIR
#define AIORING_URINGDIR "/usr/local/lib/aioring"
#endif

static const char run_usage[] =
	"usage: aioring run [--print-libdir] [--] CMD [ARGS...]\n"
	"  runs CMD with aioring's liburing.so.2 in place of the system's\n";

static int has_dropin(const char *dir)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/liburing.so.2", dir);
	return !access(path, R_OK);
}

/*
 * Where the drop-in is, looking from this executable: next to it (the
 * build tree), in ../lib/aioring or ../lib/<multiarch>/aioring (an
 * installed tree, wherever its prefix), else the directory this tool was
 * configured with.
 */
static int find_dropin(char *out, size_t len)
{
	char self[4096], pat[4200];
	glob_t g;
	size_t i;
	int found = 0;

	if (cli_self_dir(self, sizeof(self))) {
		snprintf(out, len, "%s", self);
		if (has_dropin(out))
			return 0;
		snprintf(out, len, "%s/../lib/aioring", self);
		if (has_dropin(out))
			return 0;
		snprintf(pat, sizeof(pat), "%s/../lib/*/aioring", self);
		if (!glob(pat, GLOB_ONLYDIR, NULL, &g)) {
			for (i = 0; i < g.gl_pathc && !found; i++) {
				if (has_dropin(g.gl_pathv[i])) {
					snprintf(out, len, "%s", g.gl_pathv[i]);
					found = 1;
				}
			}
			globfree(&g);
			if (found)
				return 0;
		}
	}
	snprintf(out, len, "%s", AIORING_URINGDIR);
	return has_dropin(out) ? 0 : -1;
}

int cmd_run(int argc, char **argv)
{
	char dir[4200], *path;
	const char *old = getenv("LD_LIBRARY_PATH");
	int i = 1, print = 0;
	size_t n;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("%s", run_usage);
			return CLI_EXIT_OK;
		}
		if (!strcmp(argv[i], "--print-libdir")) {
			print = 1;
			continue;
		}
		return cli_usage_error("run", run_usage, "unknown option '%s'",
				       argv[i]);
	}
	if (!print && i >= argc)
		return cli_usage_error("run", run_usage, "no command to run");
	if (find_dropin(dir, sizeof(dir))) {
		fprintf(stderr, "aioring run: no liburing.so.2 of aioring's next to "
			"this tool or in %s\n", AIORING_URINGDIR);
		return CLI_EXIT_FAIL;
	}
	if (print) {
		printf("%s\n", dir);
		return CLI_EXIT_OK;
	}
	n = strlen(dir) + (old ? strlen(old) : 0) + 2;
	path = malloc(n);
	if (!path) {
		perror("aioring run");
		return CLI_EXIT_FAIL;
	}
	snprintf(path, n, "%s%s%s", dir, old && *old ? ":" : "",
		 old && *old ? old : "");
	if (setenv("LD_LIBRARY_PATH", path, 1)) {
		perror("aioring run");
		return CLI_EXIT_FAIL;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "aioring run: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
