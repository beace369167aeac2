/* SPDX-License-Identifier: MIT */
/*
 * examples/cp_linked on each backend (AIORING_BACKEND=kernel|user): the
 * copy must match the source byte for byte, for an empty file, a file
 * shorter than a block, and a few MiB of odd size.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "fsutil.h"

static char cp_bin[PATH_MAX];

static void find_example(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CHECK(n > 0);
	self[n] = 0;
	snprintf(cp_bin, sizeof(cp_bin), "%s/../examples/cp_linked",
		 dirname(self));
	if (access(cp_bin, X_OK))
		t_skip("%s is not built (make all builds it)", cp_bin);
}

static void make_file(const char *path, size_t size, uint64_t seed)
{
	struct t_rng rng;
	char *buf = malloc(size + 1);
	size_t i;
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	CHECK(fd >= 0 && buf);
	t_rng_seed(&rng, seed);
	for (i = 0; i < size; i++)
		buf[i] = (char)t_rng_next(&rng);
	CHECK_EQ(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);
}

/* @quiet: the child's complaints are expected, keep them off stderr */
static int run_cp(const char *src, const char *dst, bool quiet)
{
	const char *be = t_backend == AIORING_BACKEND_KERNEL ? "kernel" : "user";
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (!pid) {
		setenv("AIORING_BACKEND", be, 1);
		if (quiet)
			freopen("/dev/null", "w", stderr);
		execl(cp_bin, cp_bin, src, dst, (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_same(const char *a, const char *b)
{
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	static char ba[65536], bb[65536];
	ssize_t na, nb;

	CHECK(fa >= 0 && fb >= 0);
	do {
		na = read(fa, ba, sizeof(ba));
		nb = read(fb, bb, sizeof(bb));
		CHECK_EQ(na, nb);
		CHECK(!memcmp(ba, bb, (size_t)na));
	} while (na > 0);
	close(fa);
	close(fb);
}

static void case_copy(void)
{
	static const size_t sizes[] = { 0, 1000, 3 * 1024 * 1024 + 12345 };
	const char *dir = fs_tmpdir();
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned i;

	find_example();
	for (i = 0; i < 3; i++) {
		make_file(fs_path(src, dir, "src"), sizes[i], 7 + i);
		CHECK_EQ(run_cp(src, fs_path(dst, dir, "dst"), false), 0);
		check_same(src, dst);
	}
	/* a missing source fails cleanly */
	CHECK_EQ(run_cp(fs_path(src, dir, "missing"), dst, true), 1);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "copy", case_copy, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
