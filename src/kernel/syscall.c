/* SPDX-License-Identifier: MIT */
/*
 * Probing io_uring_setup() under a seccomp filter that traps it: Android's
 * app filter answers with SIGSYS, whose default action kills the process.
 * For the probe a handler stands in, turns the trap into -ENOSYS, and the
 * previous disposition comes back. The caller serialises probes.
 */
#include <signal.h>
#include <string.h>
#include <ucontext.h>
#include "kernel/syscall.h"

static volatile sig_atomic_t ksys_trapped;

static void ksys_sigsys(int sig, siginfo_t *info, void *uc)
{
	ucontext_t *ctx = uc;

	(void)sig;
	(void)info;
	ksys_trapped = 1;
#if defined(__x86_64__)
	ctx->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	ctx->uc_mcontext.regs[0] = (unsigned long)-ENOSYS;
#else
	(void)ctx;
#endif
}

int ksys_io_uring_setup_guarded(unsigned entries, struct io_uring_params *p,
				int *trapped)
{
	struct sigaction sa, old;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = ksys_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	ksys_trapped = 0;
	if (sigaction(SIGSYS, &sa, &old))
		return ksys_io_uring_setup(entries, p);
	ret = ksys_io_uring_setup(entries, p);
	sigaction(SIGSYS, &old, NULL);
	*trapped = ksys_trapped;
	if (*trapped)
		ret = -ENOSYS;
	return ret;
}
