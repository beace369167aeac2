/* SPDX-License-Identifier: MIT */
/*
 * process_vm_readv() on our own pid has the kernel do the copy and check
 * the source. Where a sandbox denies that call, the copy is done directly:
 * the pointer is then trusted as any library call's argument is.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "util/ucopy.h"

static atomic_int ucopy_denied;

/* getpid() is a system call in glibc; the pid only changes across fork. */
static pid_t ucopy_pid;
static pthread_once_t ucopy_once = PTHREAD_ONCE_INIT;

static void ucopy_refresh_pid(void)
{
	ucopy_pid = getpid();
}

static void ucopy_init(void)
{
	ucopy_refresh_pid();
	pthread_atfork(NULL, NULL, ucopy_refresh_pid);
}

int ucopy(void *dst, const void *src, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)src, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!src)
		return -EFAULT;
	if (!atomic_load_explicit(&ucopy_denied, memory_order_relaxed)) {
		pthread_once(&ucopy_once, ucopy_init);
		n = process_vm_readv(ucopy_pid, &local, 1, &remote, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0 || errno == EFAULT)
			return -EFAULT;
		atomic_store(&ucopy_denied, 1);	/* EPERM, ENOSYS: a sandbox */
	}
	memcpy(dst, src, len);
	return 0;
}
