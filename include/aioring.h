/* SPDX-License-Identifier: MIT */
/*
 * aioring.h - what aioring adds to the liburing API.
 *
 * Every ring runs on one of two backends: the kernel's io_uring, or aioring's
 * user-space engine behind the same rings. These calls say which one a ring
 * runs on and why, and let a program (or the AIORING_BACKEND environment
 * variable) choose.
 *
 * The comments that start with a double star are the man pages' source
 * (scripts/mkman.awk): keep their first line, parameters and sections.
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

/**
 * aioring_backend, aioring_backend_fd - the backend a ring runs on
 * @ring: a ring set up by io_uring_queue_init(3) or a sibling
 * @ring_fd: a ring file descriptor, as io_uring_setup(3) returns it, or a
 *   duplicate of one
 *
 * Says whether the ring runs on the kernel's io_uring or on aioring's
 * user-space engine. A ring keeps its backend for its whole life: the
 * choice is made once, when the ring is set up (see aioring(7)).
 *
 * Return: AIORING_BACKEND_KERNEL or AIORING_BACKEND_USER, or -EBADF if the
 * argument is not an io_uring ring.
 * See also: aioring_backend_reason(3), aioring_set_mode(3)
 */
int aioring_backend(const struct io_uring *ring);
int aioring_backend_fd(int ring_fd);

/**
 * aioring_backend_name - the name of a backend
 * @backend: AIORING_BACKEND_KERNEL or AIORING_BACKEND_USER
 *
 * Return: "kernel" or "user"; "none" for any other value. The string is
 * static.
 * See also: aioring_backend(3)
 */
const char *aioring_backend_name(int backend);

/**
 * aioring_backend_reason, aioring_backend_reason_fd - why a ring runs where it runs
 * @ring: a ring set up by io_uring_queue_init(3) or a sibling
 * @ring_fd: a ring file descriptor
 *
 * Explains the backend choice in words, for logs and diagnostics: for
 * example "auto: io_uring_setup failed with EPERM (a seccomp filter or
 * kernel.io_uring_disabled), so the engine runs it".
 *
 * Return: a string that lives as long as the ring; never NULL ("not an
 * io_uring ring" for anything else).
 * See also: aioring_backend(3)
 */
const char *aioring_backend_reason(const struct io_uring *ring);
const char *aioring_backend_reason_fd(int ring_fd);

/**
 * aioring_set_mode - choose the backend of the calling thread's new rings
 * @mode: AIORING_MODE_AUTO, AIORING_MODE_KERNEL or AIORING_MODE_USER; -1
 *   to go back to the environment
 *
 * Sets the mode for rings that the calling thread sets up from now on. It
 * takes precedence over the AIORING_BACKEND environment variable. In auto
 * mode a ring tries the kernel first and goes to the engine if
 * io_uring_setup fails with EPERM or ENOSYS or is trapped with SIGSYS; in
 * kernel mode the kernel's error is returned instead; in user mode the
 * engine always runs the ring. Rings that exist keep their backend.
 *
 * Return: the previous thread override (-1 for none), or -EINVAL for an
 * unknown mode.
 * See also: aioring_mode(3), aioring_backend(3)
 */
int aioring_set_mode(int mode);

/**
 * aioring_mode - the mode a new ring of this thread would use
 *
 * The thread's override from aioring_set_mode(3) if there is one, else
 * AIORING_BACKEND from the environment (auto, kernel or user), else auto.
 * A misspelt AIORING_BACKEND counts as auto, with a one-line warning on
 * standard error, once per process.
 *
 * Return: AIORING_MODE_AUTO, AIORING_MODE_KERNEL or AIORING_MODE_USER.
 * See also: aioring_set_mode(3)
 */
int aioring_mode(void);

/* What the auto mode sees of the kernel, for diagnostics. The caller sets
 * size to sizeof(struct aioring_kernel_probe); fields added later go at
 * the end, and the library sets size to what it filled. */
struct aioring_kernel_probe {
	unsigned size;		/* in: sizeof the caller's struct; out: filled */
	int setup_errno;	/* 0 if io_uring_setup works, else its errno */
	int sigsys;		/* 1 if io_uring_setup was trapped with SIGSYS */
	int io_uring_disabled;	/* the sysctl, or -1 if it cannot be read */
	int seccomp_mode;	/* 0 none, 1 strict, 2 filter; -1 unknown */
	char release[65];	/* uname -r */
};

/**
 * aioring_probe_kernel - what the kernel answers about io_uring here
 * @out: filled in; the caller sets out->size to
 *   sizeof(struct aioring_kernel_probe) first
 *
 * Tries io_uring_setup once, without ever letting a seccomp trap kill the
 * process, and reads what explains the answer: the kernel release,
 * kernel.io_uring_disabled and the process's seccomp mode. This is what
 * `aioring probe` shows. The struct can grow: a library older than the
 * header fills only the fields it knows and says so in out->size; a newer
 * library fills no more than the caller's size.
 *
 * Return: 0, or -EINVAL if @out is NULL or out->size is smaller than the
 * first version of the struct.
 * See also: aioring_backend(3), aioring(1)
 */
int aioring_probe_kernel(struct aioring_kernel_probe *out);

/**
 * aioring_version - the library's version
 *
 * Return: the version of the loaded aioring library, such as "0.1.0"; the
 * string is static. io_uring_major_version(3) gives the liburing API
 * version it implements.
 */
const char *aioring_version(void);

#ifdef __cplusplus
}
#endif

#endif
