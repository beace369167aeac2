/* SPDX-License-Identifier: MIT */
/*
 * The seam between the liburing-compatible front and the two backends.
 * Every ring operation of the front goes through one of these; each routes
 * by ring fd to the kernel (raw system calls) or to the user-space engine.
 * Results are values or -errno.
 */
#ifndef AIORING_LIB_ROUTE_H
#define AIORING_LIB_ROUTE_H

#include <stddef.h>
#include <sys/types.h>
#include "liburing/io_uring.h"

int route_setup(unsigned entries, struct io_uring_params *p);
int route_enter(int fd, unsigned to_submit, unsigned min_complete,
		unsigned flags, const void *arg, size_t argsz);
int route_register(int fd, unsigned opcode, const void *arg, unsigned nr_args);

/* mmap() of a ring region (IORING_OFF_*); MAP_FAILED-free: a pointer or
 * an error pointer to test with route_is_err()/route_err(). */
void *route_mmap(int fd, size_t len, __u64 offset);
int route_munmap(void *addr, size_t len);
/* The front saw the CQ empty and is not entering: an engine ring may drop
 * its ring fd's readiness now (the kernel's ring fd is exact already). */
void route_cq_empty(int fd);
/* Closes a ring fd; an engine ring is torn down with its last descriptor. */
int route_close(int fd);

static inline int route_is_err(const void *p)
{
	return (unsigned long)p >= (unsigned long)-4095;
}
static inline int route_err(const void *p)
{
	return (int)(long)p;
}

#endif
