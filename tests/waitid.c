/* SPDX-License-Identifier: MIT */
/*
 * WAITID: a child already exited, one that exits while the request waits
 * (by pid and for any child), WNOHANG, the siginfo written, the kernel's
 * errors, cancellation and teardown of a waiting request.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int reap_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe = t_wait(ring, 2000);
	int res = cqe->res;

	io_uring_cqe_seen(ring, cqe);
	return res;
}

static struct io_uring_sqe *prep(struct io_uring *ring, idtype_t type,
				 id_t id, siginfo_t *si, int options)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_waitid(sqe, type, id, si, options, 0);
	sqe->user_data = 1;
	return sqe;
}

/* A child that exits with @code once a byte arrives on *@gate (or at
 * once if @gate is NULL). */
static pid_t child(int code, int *gate)
{
	int p[2] = { -1, -1 };
	char c;
	pid_t pid;

	if (gate)
		CHECK(!pipe(p));
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		/* EOF on the gate if the test dies: no orphan lingers */
		if (gate)
			close(p[1]);
		if (gate && read(p[0], &c, 1) < 0)
			_exit(99);
		_exit(code);
	}
	if (gate) {
		close(p[0]);
		*gate = p[1];
	}
	return pid;
}

/* Waits (outside the ring) until @pid is a zombie, without reaping it. */
static void until_zombie(pid_t pid)
{
	siginfo_t si;

	CHECK_EQ(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
}

static void check_exit(const siginfo_t *si, pid_t pid, int code)
{
	CHECK_EQ(si->si_signo, SIGCHLD);
	CHECK_EQ(si->si_code, CLD_EXITED);
	CHECK_EQ(si->si_pid, pid);
	CHECK_EQ(si->si_uid, getuid());
	CHECK_EQ(si->si_status, code);
}

static void case_exited(void)
{
	struct io_uring ring;
	siginfo_t si;
	pid_t pid = child(3, NULL);

	until_zombie(pid);
	t_ring(&ring, 8, NULL);
	memset(&si, 0xaa, sizeof(si));
	prep(&ring, P_PID, (id_t)pid, &si, WEXITED);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), 0);
	check_exit(&si, pid, 3);
	CHECK_EQ(si.si_errno, 0);
	/* reaped: there is nothing left */
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), -1);
	io_uring_queue_exit(&ring);
}

/* It waits while the child lives, and completes once it exits. */
static void waits(idtype_t type, bool by_pidfd)
{
	struct io_uring ring;
	siginfo_t si;
	int gate, pidfd = -1;
	pid_t pid = child(5, &gate);
	id_t id = type == P_PID ? (id_t)pid : 0;

	if (by_pidfd) {
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		CHECK(pidfd >= 0);
		id = (id_t)pidfd;
	}
	t_ring(&ring, 8, NULL);
	memset(&si, 0, sizeof(si));
	prep(&ring, type, id, &si, WEXITED);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 30);
	CHECK_EQ(write(gate, "x", 1), 1);
	CHECK_EQ(reap_one(&ring), 0);
	check_exit(&si, pid, 5);
	io_uring_queue_exit(&ring);
	close(gate);
	if (pidfd >= 0)
		close(pidfd);
}

static void case_wait_pid(void)
{
	waits(P_PID, false);
}

static void case_wait_pidfd(void)
{
	waits(P_PIDFD, true);
}

static void case_wait_all(void)
{
	waits(P_ALL, false);
}

static void case_wnohang(void)
{
	struct io_uring ring;
	siginfo_t si;
	int gate;
	pid_t pid = child(0, &gate);

	t_ring(&ring, 8, NULL);
	memset(&si, 0xaa, sizeof(si));
	prep(&ring, P_PID, (id_t)pid, &si, WEXITED | WNOHANG);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), 0);
	CHECK_EQ(si.si_signo, 0);
	CHECK_EQ(si.si_pid, 0);
	CHECK_EQ(si.si_status, 0);
	close(gate);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	io_uring_queue_exit(&ring);
}

static void case_errors(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	siginfo_t si;
	pid_t pid;

	t_ring(&ring, 8, NULL);
	prep(&ring, P_ALL, 0, &si, WEXITED);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -ECHILD);	/* no children */
	prep(&ring, (idtype_t)99, 0, &si, WEXITED);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -EINVAL);
	prep(&ring, P_ALL, 0, &si, 0);		/* no event asked for */
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -EINVAL);
	prep(&ring, P_ALL, 0, &si, WEXITED | 0x100);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -EINVAL);
	prep(&ring, P_PIDFD, 9999, &si, WEXITED);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -EBADF);
	sqe = prep(&ring, P_ALL, 0, &si, WEXITED);
	sqe->addr = 1;
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -EINVAL);
	sqe = prep(&ring, P_ALL, 0, &si, WEXITED);
	sqe->waitid_flags = 1;
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -EINVAL);
	/* a bad siginfo pointer: reaped, and -EFAULT */
	pid = child(1, NULL);
	until_zombie(pid);
	prep(&ring, P_PID, (id_t)pid, (siginfo_t *)8, WEXITED);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), -EFAULT);
	CHECK_EQ(waitpid(pid, NULL, WNOHANG), -1);
	/* no siginfo at all is fine */
	pid = child(1, NULL);
	until_zombie(pid);
	prep(&ring, P_PID, (id_t)pid, NULL, WEXITED);
	t_submit(&ring, 1);
	CHECK_EQ(reap_one(&ring), 0);
	io_uring_queue_exit(&ring);
}

static void case_cancel(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct t_rec rec;
	siginfo_t si;
	int gate;
	pid_t pid = child(0, &gate);

	t_ring(&ring, 8, NULL);
	prep(&ring, P_PID, (id_t)pid, &si, WEXITED);
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 30);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 1, 0);
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 2, 2000);
	CHECK_EQ(t_rec_find(&rec, 1)->res, -ECANCELED);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 1);	/* the kernel counts */
	t_rec_free(&rec);
	close(gate);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);	/* not reaped by the ring */
	io_uring_queue_exit(&ring);
}

/* A waiting WAITID does not hold up the ring's teardown. */
static void case_teardown(void)
{
	struct io_uring ring;
	int gate;
	pid_t pid = child(0, &gate);

	t_ring(&ring, 8, NULL);
	prep(&ring, P_PID, (id_t)pid, NULL, WEXITED);
	prep(&ring, P_ALL, 0, NULL, WEXITED | WSTOPPED);
	CHECK_EQ(io_uring_submit(&ring), 2);
	t_expect_none(&ring, 30);
	io_uring_queue_exit(&ring);
	close(gate);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "exited", case_exited, 0 },
		{ "wait_pid", case_wait_pid, 0 },
		{ "wait_pidfd", case_wait_pidfd, 0 },
		{ "wait_all", case_wait_all, 0 },
		{ "wnohang", case_wnohang, 0 },
		{ "errors", case_errors, 0 },
		{ "cancel", case_cancel, 0 },
		{ "teardown", case_teardown, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
