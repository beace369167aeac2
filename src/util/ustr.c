/* SPDX-License-Identifier: MIT */
/*
 * Strings and writes that the application pointed us at. Strings are read
 * a page at a time with ucopy(): a page is mapped whole or not at all, so a
 * string that ends before an unmapped page is read without a fault, and a
 * bad one yields -EFAULT. Writes go through process_vm_writev() on our own
 * pid so the kernel checks the target; where a sandbox denies that call the
 * write is direct, the pointer trusted as any library argument is.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "util/ucopy.h"
#include "util/ustr.h"

static size_t page_size(void)
{
	static atomic_size_t page;
	size_t p = atomic_load_explicit(&page, memory_order_relaxed);

	if (!p) {
		long v = sysconf(_SC_PAGESIZE);

		p = v > 0 ? (size_t)v : 4096;
		/* Relaxed: every thread computes the same value. */
		atomic_store_explicit(&page, p, memory_order_relaxed);
	}
	return p;
}

ssize_t ustrncpy(char *dst, const void *src, size_t max)
{
	uintptr_t at = (uintptr_t)src;
	size_t done = 0, page = page_size();

	/* On the caller's live stack, all of [src, src + max) is mapped: read
	 * no further than the NUL, which is where the string's object ends
	 * (what lies beyond belongs to other frames). */
	if (max && ucopy_on_stack(src, max)) {
		done = strnlen(src, max);
		memcpy(dst, src, done < max ? done + 1 : done);
		return (ssize_t)done;
	}
	while (done < max) {
		size_t chunk = page - (at & (page - 1));
		char *nul;

		if (chunk > max - done)
			chunk = max - done;
		if (ucopy(dst + done, (const void *)at, chunk))
			return -EFAULT;
		nul = memchr(dst + done, 0, chunk);
		if (nul)
			return (ssize_t)(nul - dst);
		done += chunk;
		at += chunk;
	}
	return (ssize_t)max;
}

int ustrdup_path(const void *src, bool allow_empty, char **out)
{
	char buf[PATH_MAX];
	ssize_t len = ustrncpy(buf, src, sizeof(buf));

	*out = NULL;
	if (len < 0)
		return (int)len;
	if (len == (ssize_t)sizeof(buf))
		return -ENAMETOOLONG;
	if (!len && !allow_empty)
		return -ENOENT;
	*out = malloc((size_t)len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, (size_t)len + 1);
	return 0;
}

static atomic_int uput_denied;

int uput(void *dst, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len }, remote = { dst, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!dst)
		return -EFAULT;
	if (ucopy_on_stack(dst, len)) {
		memcpy(dst, src, len);
		return 0;
	}
	if (!atomic_load_explicit(&uput_denied, memory_order_relaxed)) {
		n = process_vm_writev(ucopy_self(), &local, 1, &remote, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || errno == EFAULT)
			return -EFAULT;
		/* Relaxed: a hint; a race only costs one more failed call. */
		atomic_store_explicit(&uput_denied, 1, memory_order_relaxed);
	}
	memcpy(dst, src, len);
	return 0;
}
