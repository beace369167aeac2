/* SPDX-License-Identifier: MIT */
/*
 * Fault injection for test builds: the engine's allocations, thread
 * creations and own system calls go through these wrappers, which a build
 * with -DAIORING_FAULT can make fail at a chosen rate. Any other build
 * compiles them to the plain call, at no cost.
 *
 * The rates come from the environment, read once per process:
 *
 *   AIORING_FAULT=alloc=P,thread=P,nowait=P,io=P,wait=P,seed=N
 *
 * each P a probability in parts per million (0 by default):
 *   alloc   malloc/calloc/realloc fail with ENOMEM;
 *   thread  pthread_create fails with EAGAIN;
 *   nowait  a nonblocking try says EAGAIN: invisible to the application
 *           (the request takes its slow path and must end the same);
 *   io      a blocking data transfer fails with EIO: visible, as a
 *           device error is, in that request's own CQE;
 *   wait    the engine's own sleeps (epoll_wait, ppoll, futex) return
 *           EINTR early: invisible (the engine must wait again).
 * Each thread draws from its own generator, seeded from `seed` and the
 * thread's creation order, so a single-threaded run is reproducible.
 */
#ifndef AIORING_UTIL_FAULT_H
#define AIORING_UTIL_FAULT_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

enum fault_site {
	FAULT_ALLOC,
	FAULT_THREAD,
	FAULT_NOWAIT,
	FAULT_IO,
	FAULT_WAIT,
	FAULT_NR_SITES
};

#ifdef AIORING_FAULT
/* True if this call at @site is to fail; counts the hits. */
bool fault_hit(enum fault_site site);
/* Hits so far at @site, for the stress test's report. */
unsigned long fault_count(enum fault_site site);
#else
static inline bool fault_hit(enum fault_site site)
{
	(void)site;
	return false;
}
#endif

/* A system call of the engine's own at @site: fails with @err (-1 and
 * errno set, as the libc call would) or runs @call. */
#define FAULT_SYSCALL(site, err, call) \
	(fault_hit(site) ? (errno = (err), -1) : (call))

static inline void *fault_malloc(size_t size)
{
	if (fault_hit(FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(size);
}

static inline void *fault_calloc(size_t n, size_t size)
{
	if (fault_hit(FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return calloc(n, size);
}

static inline void *fault_realloc(void *p, size_t size)
{
	if (fault_hit(FAULT_ALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, size);
}

/* pthread_create's contract: 0 or the error number. */
static inline int fault_thread_create(pthread_t *t, const pthread_attr_t *attr,
				      void *(*fn)(void *), void *arg)
{
	if (fault_hit(FAULT_THREAD))
		return EAGAIN;
	return pthread_create(t, attr, fn, arg);
}

#endif
