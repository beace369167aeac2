/* SPDX-License-Identifier: MIT */
/*
 * aioring.h - what aioring adds to the liburing API.
 *
 * Every ring runs on one of two backends: the kernel's io_uring, or aioring's
 * user-space engine behind the same rings. These calls say which one a ring
 * runs on and why, and let a program (or the AIORING_BACKEND environment
 * variable) choose.
 */
#ifndef AIORING_H
#define AIORING_H

#include <stdbool.h>
#include "liburing.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Backends: the answer of aioring_backend(). */
#define AIORING_BACKEND_KERNEL	1	/* kernel io_uring */
#define AIORING_BACKEND_USER	2	/* aioring's user-space engine */

/* Modes: how a new ring picks its backend. */
#define AIORING_MODE_AUTO	0	/* kernel first; the engine if it is denied */
#define AIORING_MODE_KERNEL	1	/* kernel only: its errors are returned */
#define AIORING_MODE_USER	2	/* the engine only */

/* The backend a ring runs on: AIORING_BACKEND_*, or -EBADF. */
int aioring_backend(const struct io_uring *ring);
/* The same, for a ring file descriptor (as from io_uring_setup()). */
int aioring_backend_fd(int ring_fd);
/* "kernel" or "user" ("none" for anything else). */
const char *aioring_backend_name(int backend);
/* Why the ring runs where it runs, in words; never NULL. */
const char *aioring_backend_reason(const struct io_uring *ring);
const char *aioring_backend_reason_fd(int ring_fd);

/*
 * The mode for rings that the calling thread creates from now on. It takes
 * precedence over AIORING_BACKEND=auto|kernel|user. Pass -1 to go back to
 * the environment. Returns the previous thread override (-1 for none), or
 * -EINVAL.
 */
int aioring_set_mode(int mode);
/* The mode a new ring of this thread would use: AIORING_MODE_*. */
int aioring_mode(void);

/* What the auto mode sees of the kernel, for diagnostics. */
struct aioring_kernel_probe {
	int setup_errno;	/* 0 if io_uring_setup works, else its errno */
	int sigsys;		/* 1 if io_uring_setup was trapped with SIGSYS */
	int io_uring_disabled;	/* the sysctl, or -1 if it cannot be read */
	int seccomp_mode;	/* 0 none, 1 strict, 2 filter; -1 unknown */
	char release[65];	/* uname -r */
};
/* Probes the kernel without ever killing the process; 0 or -errno. */
int aioring_probe_kernel(struct aioring_kernel_probe *out);

/* The library's version, e.g. "0.1.0". */
const char *aioring_version(void);

#ifdef __cplusplus
}
#endif

#endif
