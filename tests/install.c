/* SPDX-License-Identifier: MIT */
/*
 * `make install` as a user meets it: tests/install.sh does the work (an
 * install into a fresh prefix, programs built through pkg-config, man page
 * lint, make uninstall); this finds the source tree and the build
 * directory and runs it. The script's exit code is the test's.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char self[PATH_MAX], build[PATH_MAX], src[PATH_MAX], script[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return 1;
	self[n] = 0;
	/* BUILD/tests/install: the build directory is two levels up. */
	snprintf(build, sizeof(build), "%s", dirname(dirname(self)));
	/* The tests run from the source tree (tests/run.sh cds there). */
	if (!getcwd(src, sizeof(src)))
		return 1;
	snprintf(script, sizeof(script), "%s/tests/install.sh", src);
	if (access(script, R_OK)) {
		printf("skip: run from the source tree (no %s)\n", script);
		return 77;
	}
	execl("/bin/sh", "sh", script, src, build, (char *)NULL);
	perror("install: /bin/sh");
	return 1;
}
