/* SPDX-License-Identifier: MIT */
/*
 * An engine NOP round trip makes no system call at all.
 *
 * A child sets up a ring, warms it up, then installs a seccomp filter on
 * its own thread that traps every system call except a write to the report
 * pipe, exit_group and rt_sigreturn. A SIGSYS handler counts the traps and
 * makes the call return -ENOSYS, so the program runs on. Then 1000 rounds
 * of get_sqe / prep_nop / submit_and_wait / peek / cqe_seen. The parent
 * reads the count: 0 on the engine. The same measurement on the kernel
 * backend must count traps (io_uring_enter), which proves the detector.
 * The rounds may also wait with a timeout (EXT_ARG): the engine reads the
 * wait argument and the timespec, on the caller's stack, without a system
 * call too.
 */
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#include "testlib.h"

#define ROUNDS 1000
#define MAX_SEEN 8

struct report {
	unsigned traps;
	unsigned ok_rounds;
	int seen[MAX_SEEN];	/* the first trapped system call numbers */
};

static volatile unsigned trap_count;
static volatile int trap_seen[MAX_SEEN];

static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t *uc = uctx;

	(void)sig;
	if (trap_count < MAX_SEEN)
		trap_seen[trap_count] = si->si_syscall;
	trap_count++;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = (unsigned long long)-ENOSYS;
#endif
}

static void install_filter(int report_fd)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	CHECK_EQ(sigaction(SIGSYS, &sa, NULL), 0);
	ctx = seccomp_init(SCMP_ACT_TRAP);
	CHECK(ctx);
	CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
				  SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)report_fd)), 0);
	CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0), 0);
	CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0), 0);
	CHECK_EQ(seccomp_load(ctx), 0);
	/* Not released: freeing could itself make system calls. */
}

static bool with_timeout;	/* rounds wait with EXT_ARG and a timespec */

static bool nop_round(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct __kernel_timespec ts = { 1, 0 };
	struct io_uring_cqe *cqe;
	bool ok;

	if (!sqe)
		return false;
	io_uring_prep_nop(sqe);
	sqe->user_data = user_data;
	if (with_timeout) {
		if (io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL) != 1)
			return false;
	} else if (io_uring_submit_and_wait(ring, 1) != 1) {
		return false;
	}
	if (io_uring_peek_cqe(ring, &cqe))
		return false;
	ok = cqe->user_data == user_data && cqe->res == 0;
	io_uring_cqe_seen(ring, cqe);
	return ok;
}

static void measure(void *arg)
{
	int *p = arg;
	struct report rep;
	struct io_uring ring;
	unsigned i;

	memset(&rep, 0, sizeof(rep));
	close(p[0]);
	t_ring(&ring, 8, NULL);
	for (i = 0; i < 16; i++)
		CHECK(nop_round(&ring, i));
	install_filter(p[1]);
	for (i = 0; i < ROUNDS; i++)
		rep.ok_rounds += nop_round(&ring, 1000 + i);
	rep.traps = trap_count;
	for (i = 0; i < MAX_SEEN; i++)
		rep.seen[i] = trap_seen[i];
	/* The raw call, not _exit(): sanitizers hook calls to noreturn
	 * functions with code that makes system calls of its own. */
	syscall(SYS_exit_group, write(p[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 3);
}

static void run_measure(struct report *rep)
{
	int p[2], ret;

#if !defined(__x86_64__) && !defined(__aarch64__)
	t_skip("no SIGSYS register fix-up for this architecture");
#endif
	CHECK_EQ(pipe(p), 0);
	ret = t_fork_run(measure, p, 20000);
	close(p[1]);
	CHECK_MSG(ret == 0, "measuring child: %d", ret);
	CHECK_EQ(read(p[0], rep, sizeof(*rep)), (ssize_t)sizeof(*rep));
	close(p[0]);
}

static void print_seen(const struct report *rep)
{
	unsigned i;

	for (i = 0; i < MAX_SEEN && i < rep->traps; i++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
							      rep->seen[i]);

		fprintf(stderr, "  trapped: %s (%d)\n", name ? name : "?", rep->seen[i]);
		free(name);
	}
}

static void case_engine_nop(void)
{
	struct report rep;

	run_measure(&rep);
	if (rep.traps)
		print_seen(&rep);
	CHECK_MSG(rep.traps == 0, "%u system calls in %d NOP round trips",
		  rep.traps, ROUNDS);
	CHECK_EQ(rep.ok_rounds, ROUNDS);
}

static void case_engine_nop_timeout(void)
{
	with_timeout = true;
	case_engine_nop();
}

static void case_detector(void)
{
	struct report rep;

	run_measure(&rep);
	/* Each failed submit leaves its SQE queued: the SQ fills after a few
	 * rounds, and get_sqe fails from then on without a system call. */
	CHECK_MSG(rep.traps > 0, "no trap on the kernel backend");
	/* Every io_uring_enter failed with -ENOSYS, so no round succeeded. */
	CHECK_EQ(rep.ok_rounds, 0);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "engine_nop", case_engine_nop, T_USER_ONLY },
		{ "engine_nop_timeout", case_engine_nop_timeout, T_USER_ONLY },
		{ "detector", case_detector, T_KERNEL_ONLY },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
