/* SPDX-License-Identifier: MIT */
/*
 * liburing/io_uring/query.h - IORING_REGISTER_QUERY (Linux 6.18): a chain
 * of questions about what the kernel supports, each answered in place.
 * Where upstream liburing keeps the kernel's <linux/io_uring/query.h>.
 *
 * A query needs no ring: io_uring_register_query(NULL, &hdr) sends it on
 * ring fd -1. Each struct io_uring_query_hdr names one query_op and points
 * at its result struct (query_data, size bytes); the kernel fills what fits
 * of the result, sets the header's result to 0 or -errno, and follows
 * next_entry to the next header.
 *
 * The header and the opcodes answer live in <liburing/io_uring.h> (they
 * were there before this file existed); this file adds the answers of the
 * other queries.
 */
#ifndef LIBURING_IO_URING_QUERY_H
#define LIBURING_IO_URING_QUERY_H

#include "../io_uring.h"

/* IO_URING_QUERY_ZCRX: what zero-copy receive supports. */
struct io_uring_query_zcrx {
	__u64	register_flags;		/* ZCRX_REG_* known */
	__u64	area_flags;		/* IORING_ZCRX_AREA_* known */
	__u32	nr_ctrl_opcodes;	/* ZCRX_CTRL_* known */
	__u32	__resv1;
	__u32	rq_hdr_size;		/* the refill ring's header */
	__u32	rq_hdr_alignment;
	__u64	__resv2;
};

/* IO_URING_QUERY_SCQ: the layout of the SQ and CQ ring headers, for
 * programs that place the rings themselves (IORING_SETUP_NO_MMAP). */
struct io_uring_query_scq {
	__u64	hdr_size;
	__u64	hdr_alignment;
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct io_uring_query_zcrx) == 40, "query_zcrx ABI");
_Static_assert(sizeof(struct io_uring_query_scq) == 16, "query_scq ABI");
#endif

#endif
