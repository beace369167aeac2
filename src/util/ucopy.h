/* SPDX-License-Identifier: MIT */
#ifndef AIORING_UTIL_UCOPY_H
#define AIORING_UTIL_UCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Copies @len bytes that the application pointed us at, the way the
 * kernel's copy_from_user() would: a bad pointer gives -EFAULT instead of
 * a crash. Returns 0 or -EFAULT.
 */
int ucopy(void *dst, const void *src, size_t len);

/* True if [p, p + len) is on the calling thread's live stack (above its
 * current frame): memory that cannot fault, copied without a system call. */
bool ucopy_on_stack(const void *p, size_t len);

/* Our pid, without a system call (refreshed across fork). */
pid_t ucopy_self(void);

#endif
