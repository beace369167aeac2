/* SPDX-License-Identifier: MIT */
/*
 * What the files of the liburing-compatible front share.
 *
 * The objects are built with -fvisibility=hidden, so nothing leaves the
 * library unless marked AIORING_EXPORT; src/aioring.map then gives each
 * exported name its version node. Everything else declared here is private
 * to the library.
 */
#ifndef AIORING_LIB_EXPORT_H
#define AIORING_LIB_EXPORT_H

#define AIORING_EXPORT __attribute__((visibility("default")))

struct io_uring;

/*
 * Bits of struct io_uring's int_flags. The application's inline helpers
 * never read int_flags, so only this library gives them meaning. Two bits
 * are the enter flags they stand for, so they can be OR'ed straight into an
 * io_uring_enter() flags word.
 */
enum {
	INT_FLAG_REG_REG_RING	= 1,	/* register() may use the registered ring */
	INT_FLAG_APP_MEM	= 2,	/* NO_MMAP ring memory is the caller's */
	INT_FLAG_CQ_ENTER	= 4,	/* reaping needs an enter (IOPOLL) */
	INT_FLAG_REG_RING	= 16,	/* == IORING_ENTER_REGISTERED_RING */
	INT_FLAG_NO_IOWAIT	= 128,	/* == IORING_ENTER_NO_IOWAIT */
};
/* The int_flags bits that travel into every io_uring_enter() as they are. */
#define INT_FLAGS_ENTER (INT_FLAG_REG_RING | INT_FLAG_NO_IOWAIT)

/* io_uring_register() on @ring, through its registered index if it has one
 * (register.c). */
int front_register(struct io_uring *ring, unsigned opcode, const void *arg,
		   unsigned nr_args);
/* Publishes the SQEs gotten so far; returns how many the SQ holds
 * (queue.c). */
unsigned front_flush_sq(struct io_uring *ring);

#endif
