/* SPDX-License-Identifier: MIT */
/*
 * liburing/io_uring/bpf_filter.h - IORING_REGISTER_BPF_FILTER: classic
 * BPF programs that the kernel runs on each SQE of a ring (or of every
 * ring of a task) before it issues it, to deny opcodes or arguments. Where
 * upstream liburing keeps the kernel's <linux/io_uring/bpf_filter.h>.
 *
 * aioring passes struct io_uring_bpf to the kernel unchanged
 * (io_uring_register_bpf_filter(3)); its user-space engine has no BPF and
 * answers -EINVAL, as a kernel without the feature does.
 */
#ifndef LIBURING_IO_URING_BPF_FILTER_H
#define LIBURING_IO_URING_BPF_FILTER_H

#include <linux/types.h>

/* What a filter program sees of one request. */
struct io_uring_bpf_ctx {
	__u64	user_data;
	__u8	opcode;			/* IORING_OP_* */
	__u8	sqe_flags;		/* IOSQE_* */
	__u8	pdu_size;		/* bytes of the union below that are set */
	__u8	pad[5];
	union {
		struct {
			__u32	family;
			__u32	type;
			__u32	protocol;
		} socket;		/* IORING_OP_SOCKET */
		struct {
			__u64	flags;
			__u64	mode;
			__u64	resolve;
		} open;			/* IORING_OP_OPENAT, IORING_OP_OPENAT2 */
	};
};

enum {
	/* Deny every opcode that has no filter of its own. */
	IO_URING_BPF_FILTER_DENY_REST	= 1,
};

/* One filter: a program of filter_len struct sock_filter at filter_ptr. */
struct io_uring_bpf_filter {
	__u32	opcode;			/* the IORING_OP_* it applies to */
	__u32	flags;			/* IO_URING_BPF_FILTER_* */
	__u32	filter_len;
	__u8	pdu_size;
	__u8	resv[3];
	__u64	filter_ptr;		/* struct sock_filter * */
	__u64	resv2[5];
};

enum {
	IO_URING_BPF_CMD_FILTER		= 1,
};

/* The argument of IORING_REGISTER_BPF_FILTER. */
struct io_uring_bpf {
	__u16	cmd_type;		/* IO_URING_BPF_CMD_* */
	__u16	cmd_flags;
	__u32	resv;
	union {
		struct io_uring_bpf_filter	filter;
	};
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct io_uring_bpf_filter) == 64, "bpf_filter ABI");
_Static_assert(sizeof(struct io_uring_bpf) == 72, "bpf ABI");
#endif

#endif
