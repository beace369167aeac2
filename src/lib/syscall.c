/* SPDX-License-Identifier: MIT */
/*
 * The raw io_uring system calls as liburing exports them (2.3 and later):
 * results and -errno, errno untouched. Each goes through the router, so a
 * program that drives its rings by hand runs on either backend.
 */
#include <signal.h>
#include "liburing.h"
#include "lib/export.h"
#include "lib/route.h"

AIORING_EXPORT int io_uring_setup(unsigned int entries,
				  struct io_uring_params *p)
{
	return route_setup(entries, p);
}

AIORING_EXPORT int io_uring_enter2(unsigned int fd, unsigned int to_submit,
				   unsigned int min_complete,
				   unsigned int flags, void *arg, size_t sz)
{
	return route_enter((int)fd, to_submit, min_complete, flags, arg, sz);
}

/* The kernel's sigset is _NSIG bits, not glibc's 1024-bit sigset_t. */
AIORING_EXPORT int io_uring_enter(unsigned int fd, unsigned int to_submit,
				  unsigned int min_complete,
				  unsigned int flags, sigset_t *sig)
{
	return route_enter((int)fd, to_submit, min_complete, flags, sig,
			   _NSIG / 8);
}

AIORING_EXPORT int io_uring_register(unsigned int fd, unsigned int opcode,
				     const void *arg, unsigned int nr_args)
{
	return route_register((int)fd, opcode, arg, nr_args);
}
