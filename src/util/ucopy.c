/* SPDX-License-Identifier: MIT */
/*
 * process_vm_readv() on our own pid has the kernel do the copy and check
 * the source. Where a sandbox denies that call, the copy is done directly:
 * the pointer is then trusted as any library call's argument is.
 *
 * A system call per copy is what the engine otherwise avoids (a wait with
 * a timeout reads two structs), so memory that cannot be bad is copied
 * directly: the calling thread's own live stack, from its current frame
 * up to the stack's top, which is where liburing's callers usually keep
 * these structs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
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

pid_t ucopy_self(void)
{
	pthread_once(&ucopy_once, ucopy_init);
	return ucopy_pid;
}

/* This thread's stack [lo, hi); hi 1: not known. A forked child's thread
 * has the same stack, so the values stay true across fork. */
static __thread uintptr_t stack_lo, stack_hi;

static void stack_bounds(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	stack_hi = 1;
	if (pthread_getattr_np(pthread_self(), &attr))
		return;
	if (!pthread_attr_getstack(&attr, &addr, &size)) {
		stack_lo = (uintptr_t)addr;
		stack_hi = (uintptr_t)addr + size;
	}
	pthread_attr_destroy(&attr);
}

/* Between our frame and the top of the stack it runs on, everything is
 * mapped: the frames of our callers. Not on a signal's alternate stack
 * (our frame is then outside the thread's stack). */
bool ucopy_on_stack(const void *p, size_t len)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t at = (uintptr_t)p, end;

	if (!stack_hi)
		stack_bounds();
	return sp >= stack_lo && sp < stack_hi && at >= sp &&
	       !__builtin_add_overflow(at, len, &end) && end <= stack_hi;
}

int ucopy(void *dst, const void *src, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)src, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!src)
		return -EFAULT;
	if (ucopy_on_stack(src, len)) {
		memcpy(dst, src, len);
		return 0;
	}
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
