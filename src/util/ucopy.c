/* SPDX-License-Identifier: MIT */
/*
 * process_vm_readv() on our own pid has the kernel do the copy and check
 * the source. Where a sandbox denies that call, the copy is done directly:
 * the pointer is then trusted as any library call's argument is.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "util/ucopy.h"

static atomic_int ucopy_denied;

int ucopy(void *dst, const void *src, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)src, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!src)
		return -EFAULT;
	if (!atomic_load_explicit(&ucopy_denied, memory_order_relaxed)) {
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || errno == EFAULT)
			return -EFAULT;
		atomic_store(&ucopy_denied, 1);	/* EPERM, ENOSYS: a sandbox */
	}
	memcpy(dst, src, len);
	return 0;
}
