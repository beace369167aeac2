/* SPDX-License-Identifier: MIT */
/*
 * The user-space io_uring engine as the router sees it: the same four calls
 * as the kernel's io_uring, plus the ring memory and the fd lifetime that the
 * kernel would handle behind mmap() and close().
 */
#ifndef AIORING_ENGINE_H
#define AIORING_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include "liburing/io_uring.h"

struct eng_ctx;

/* Creates an engine ring; returns its fd or -errno. @reason is copied. */
int eng_setup(unsigned entries, struct io_uring_params *p, const char *reason);
/* The engine ring whose own fd is @fd, or NULL; lock-free. */
struct eng_ctx *eng_lookup(int fd);
/* The engine ring behind a dup of its fd, or NULL; costs an fstat(). */
struct eng_ctx *eng_lookup_dup(int fd);
int eng_enter(struct eng_ctx *ctx, unsigned to_submit, unsigned min_complete,
	      unsigned flags, const void *arg, size_t argsz);
int eng_register(struct eng_ctx *ctx, unsigned opcode, const void *arg,
		 unsigned nr_args);
/* The ring region at IORING_OFF_* @offset, or NULL with -errno in *err. */
void *eng_mmap(struct eng_ctx *ctx, size_t len, __u64 offset, int *err);
/* True if @addr is a region that some engine ring owns. */
bool eng_owns(const void *addr);
/* The application found no CQE: the ring fd may stop reporting readable. */
void eng_cq_idle(struct eng_ctx *ctx);
/* Closes @fd; the ring goes when its own fd is closed. */
int eng_close(struct eng_ctx *ctx, int fd);
const char *eng_reason(struct eng_ctx *ctx);
/* The engine ring at registered ring index @index of the calling thread
 * (IORING_REGISTER_RING_FDS), or NULL if the slot is not the engine's.
 * *gone: the slot is the engine's but its ring was torn down (-EBADF). */
struct eng_ctx *eng_ringfd_get(unsigned index, bool *gone);
/* IORING_REGISTER_SEND_MSG_RING (fd -1) to an engine ring: 0 or -errno. */
int eng_msg_ring_sync(const struct io_uring_sqe *sqe);

#endif
