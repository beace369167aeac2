/* SPDX-License-Identifier: MIT */
#ifndef AIORING_UTIL_USTR_H
#define AIORING_UTIL_USTR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Copies the NUL-terminated string at @src into @dst (@max bytes), the way
 * the kernel's strncpy_from_user() does: a bad pointer gives -EFAULT, never
 * a crash. Returns the length without the NUL; @max if no NUL came within
 * @max bytes (dst is then not terminated).
 */
ssize_t ustrncpy(char *dst, const void *src, size_t max);

/*
 * A path name as the kernel's getname() takes it: -EFAULT, -ENAMETOOLONG
 * (PATH_MAX bytes with no NUL), -ENOENT for "" unless @allow_empty.
 * On success *out is a malloc'ed copy.
 */
int ustrdup_path(const void *src, bool allow_empty, char **out);

/* Writes @len bytes to the application's @dst as copy_to_user(): 0 or
 * -EFAULT. */
int uput(void *dst, const void *src, size_t len);

#endif
