/* SPDX-License-Identifier: MIT */
/*
 * liburing/sanitize.h - the hooks through which upstream liburing, built
 * with its sanitizer option, tells AddressSanitizer which memory the kernel
 * will read. aioring has no such build option, so they are all empty here:
 * code that calls them compiles and costs nothing. (aioring's own
 * sanitizer builds, SAN=asan, instrument the engine instead, which touches
 * the memory as the kernel would.)
 */
#ifndef LIBURING_SANITIZE_H
#define LIBURING_SANITIZE_H

#ifdef __cplusplus
extern "C" {
#endif

struct io_uring;
struct iovec;

static inline void liburing_sanitize_ring(struct io_uring *ring)
{
	(void)ring;
}

static inline void liburing_sanitize_address(const void *addr)
{
	(void)addr;
}

static inline void liburing_sanitize_region(const void *addr,
					    unsigned int len)
{
	(void)addr;
	(void)len;
}

static inline void liburing_sanitize_iovecs(const struct iovec *iovecs,
					    unsigned nr)
{
	(void)iovecs;
	(void)nr;
}

#ifdef __cplusplus
}
#endif

#endif
