/* SPDX-License-Identifier: MIT */
/*
 * The raw io_uring system calls: the only place that talks to the kernel's
 * io_uring. Each returns a result or -errno, never touching errno, as
 * liburing's own wrappers do.
 */
#ifndef AIORING_KERNEL_SYSCALL_H
#define AIORING_KERNEL_SYSCALL_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "liburing/io_uring.h"

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup	425
#define __NR_io_uring_enter	426
#define __NR_io_uring_register	427
#endif

static inline long ksys_ret(long ret)
{
	return ret < 0 ? -errno : ret;
}

static inline int ksys_io_uring_setup(unsigned entries, struct io_uring_params *p)
{
	return (int)ksys_ret(syscall(__NR_io_uring_setup, entries, p));
}

static inline int ksys_io_uring_enter2(int fd, unsigned to_submit,
				       unsigned min_complete, unsigned flags,
				       const void *arg, size_t argsz)
{
	return (int)ksys_ret(syscall(__NR_io_uring_enter, fd, to_submit,
				     min_complete, flags, arg, argsz));
}

static inline int ksys_io_uring_register(int fd, unsigned opcode,
					 const void *arg, unsigned nr_args)
{
	return (int)ksys_ret(syscall(__NR_io_uring_register, fd, opcode, arg,
				     nr_args));
}

/*
 * io_uring_setup() guarded against a seccomp filter that traps it with
 * SIGSYS (Android's app filter does): the trap is turned into -ENOSYS and
 * *trapped is set, instead of the default action killing the process.
 */
int ksys_io_uring_setup_guarded(unsigned entries, struct io_uring_params *p,
				int *trapped);

#endif
