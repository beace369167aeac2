/* SPDX-License-Identifier: MIT */
/*
 * Inside `aioring jail` (io_uring denied with EPERM, ENOSYS or a SIGSYS
 * trap) the auto mode must land on the engine, and the engine must work.
 *
 * Run normally, this program runs itself under the jail once per mode
 * (the CLI is $O/aioring, found next to $O/tests/) with
 * AIORING_JAIL_EXPECT set; run that way it checks the jailed side.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define EXPECT_ENV "AIORING_JAIL_EXPECT"

/* --- the jailed side ------------------------------------------------- */

static void round_trip(struct io_uring *ring)
{
	char buf[8] = { 0 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd = t_tmpfd();

	sqe = t_sqe(ring);
	io_uring_prep_write(sqe, fd, "jailed", 6, 0);
	sqe->user_data = 1;
	t_submit(ring, 1);
	cqe = t_wait(ring, 5000);
	CHECK_EQ(cqe->res, 6);
	io_uring_cqe_seen(ring, cqe);
	sqe = t_sqe(ring);
	io_uring_prep_read(sqe, fd, buf, 6, 0);
	sqe->user_data = 2;
	t_submit(ring, 1);
	cqe = t_wait(ring, 5000);
	CHECK_EQ(cqe->res, 6);
	CHECK(!memcmp(buf, "jailed", 6));
	io_uring_cqe_seen(ring, cqe);
	close(fd);
}

/* EPERM and ENOSYS come back as such; a trap is turned into -ENOSYS. */
static int expected_errno(const char *mode)
{
	return !strcmp(mode, "EPERM") ? EPERM : ENOSYS;
}

static void inside(const char *mode)
{
	struct aioring_kernel_probe kp;
	struct io_uring ring;
	int ret;

	aioring_set_mode(AIORING_MODE_KERNEL);
	ret = io_uring_queue_init(4, &ring, 0);
	CHECK_EQ(ret, -expected_errno(mode));
	kp.size = sizeof(kp);
	CHECK_EQ(aioring_probe_kernel(&kp), 0);
	CHECK_EQ(kp.setup_errno, expected_errno(mode));
	CHECK_EQ(kp.sigsys, !strcmp(mode, "trap"));
	CHECK_EQ(kp.seccomp_mode, 2);

	aioring_set_mode(AIORING_MODE_AUTO);
	CHECK_EQ(io_uring_queue_init(8, &ring, 0), 0);
	CHECK_EQ(aioring_backend(&ring), AIORING_BACKEND_USER);
	CHECK(strlen(aioring_backend_reason(&ring)) > 0);
	round_trip(&ring);
	io_uring_queue_exit(&ring);
	/* A second ring takes the same way (after a trap, without probing). */
	CHECK_EQ(io_uring_queue_init(8, &ring, 0), 0);
	CHECK_EQ(aioring_backend(&ring), AIORING_BACKEND_USER);
	round_trip(&ring);
	io_uring_queue_exit(&ring);
}

/* --- the outer side ---------------------------------------------------- */

static bool cli_path(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return false;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return false;
	*slash = 0;
	snprintf(out, len, "%s/../aioring", self);
	return access(out, X_OK) == 0;
}

static void run_jailed(const char *opt, const char *mode)
{
	char cli[PATH_MAX + 16], self[PATH_MAX];
	ssize_t n;
	pid_t pid;
	int ret;

	if (!cli_path(cli, sizeof(cli)))
		t_skip("the aioring CLI is not built next to the tests");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0);
	self[n] = 0;
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		setenv(EXPECT_ENV, mode, 1);
		execl(cli, cli, "jail", opt, "--", self, (char *)NULL);
		_exit(127);
	}
	ret = t_waitpid(pid, 30000);
	CHECK_MSG(ret == 0, "jailed run (%s) ended with %d", opt, ret);
}

static void case_eperm(void)
{
	run_jailed("--errno=EPERM", "EPERM");
}

static void case_enosys(void)
{
	run_jailed("--errno=ENOSYS", "ENOSYS");
}

static void case_trap(void)
{
	run_jailed("--trap", "trap");
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "eperm", case_eperm, T_ONCE },
		{ "enosys", case_enosys, T_ONCE },
		{ "trap", case_trap, T_ONCE },
		{ NULL, NULL, 0 },
	};
	const char *mode = getenv(EXPECT_ENV);

	if (mode) {
		t_case_name = mode;
		inside(mode);
		return 0;
	}
	return t_main(argc, argv, cases);
}
