/* SPDX-License-Identifier: MIT */
#ifndef AIORING_UTIL_UCOPY_H
#define AIORING_UTIL_UCOPY_H

#include <stddef.h>

/*
 * Copies @len bytes that the application pointed us at, the way the
 * kernel's copy_from_user() would: a bad pointer gives -EFAULT instead of
 * a crash. Returns 0 or -EFAULT.
 */
int ucopy(void *dst, const void *src, size_t len);

#endif
