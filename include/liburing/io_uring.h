/* SPDX-License-Identifier: MIT */
/*
 * io_uring.h - the io_uring user ABI (Linux 6.18, plus the few later
 * additions that liburing 2.15 already names), written for aioring.
 *
 * Names, values and layouts are the kernel's: SQEs and CQEs cross this
 * boundary byte for byte, whichever backend runs the ring. The guard is the
 * one the kernel's <linux/io_uring.h> uses (as liburing's copy does), so that
 * a program including both gets one definition of each struct instead of a
 * redefinition error. Whichever comes first wins, so <liburing.h> must come
 * before a system <linux/io_uring.h> that is older than this one (as with
 * liburing itself).
 */
#ifndef LINUX_IO_URING_H
#define LINUX_IO_URING_H

#include <stddef.h>		/* offsetof, for the layout checks */
#include <linux/types.h>
#include <linux/time_types.h>

/*
 * rw_flags is a __kernel_rwf_t. <linux/fs.h> defines it (and the RWF_*
 * values that go into it, which programs written against liburing expect to
 * get from here). Without kernel headers, it is an int, as in the kernel.
 */
#if defined(__has_include)
# if __has_include(<linux/fs.h>)
#  include <linux/fs.h>
#  define IO_URING_HAVE_KERNEL_RWF_T_ 1
# endif
#else
# include <linux/fs.h>
# define IO_URING_HAVE_KERNEL_RWF_T_ 1
#endif
#ifndef IO_URING_HAVE_KERNEL_RWF_T_
typedef int __kernel_rwf_t;
#endif
#undef IO_URING_HAVE_KERNEL_RWF_T_

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The unions below use anonymous members and zero-length arrays, as the
 * kernel's header does. __extension__ keeps -pedantic builds of programs
 * that include us quiet about both; the ABI needs them as they are.
 */

/* ------------------------------------------------------------------------
 * Submission queue entry
 * ------------------------------------------------------------------------ */

struct io_uring_sqe {
	__u8	opcode;		/* IORING_OP_* */
	__u8	flags;		/* IOSQE_* */
	__u16	ioprio;		/* I/O priority, or per-op flags (accept, recv) */
	__s32	fd;
	__extension__ union {
		__u64	off;	/* file offset */
		__u64	addr2;
		__extension__ struct {
			__u32	cmd_op;
			__u32	__pad1;
		};
	};
	__extension__ union {
		__u64	addr;	/* buffer, iovec array, or op argument */
		__u64	splice_off_in;
		__extension__ struct {
			__u32	level;
			__u32	optname;
		};
	};
	__u32	len;		/* byte count, iovec count, or op argument */
	/* The per-op flags word: which member is live depends on opcode. */
	__extension__ union {
		__kernel_rwf_t	rw_flags;
		__u32		fsync_flags;
		__u16		poll_events;	/* the pre-5.9 16-bit form */
		__u32		poll32_events;	/* halfword-swapped on big endian */
		__u32		sync_range_flags;
		__u32		msg_flags;
		__u32		timeout_flags;
		__u32		accept_flags;
		__u32		cancel_flags;
		__u32		open_flags;
		__u32		statx_flags;
		__u32		fadvise_advice;
		__u32		splice_flags;
		__u32		rename_flags;
		__u32		unlink_flags;
		__u32		hardlink_flags;
		__u32		xattr_flags;
		__u32		msg_ring_flags;
		__u32		uring_cmd_flags;
		__u32		waitid_flags;
		__u32		futex_flags;
		__u32		install_fd_flags;
		__u32		nop_flags;
		__u32		pipe_flags;
	};
	__u64	user_data;	/* echoed back in the CQE */
	/*
	 * Packed so that a 16-bit union does not get padded out on ABIs that
	 * round unions up; the offset of personality must stay 42.
	 */
	__extension__ union {
		__u16	buf_index;	/* registered buffer index (fixed ops) */
		__u16	buf_group;	/* provided-buffer group */
	} __attribute__((packed));
	__u16	personality;	/* registered credentials, 0 for the caller's */
	__extension__ union {
		__s32	splice_fd_in;
		__u32	file_index;	/* direct descriptor slot + 1 */
		__u32	zcrx_ifq_idx;
		__u32	optlen;
		__extension__ struct {
			__u16	addr_len;
			__u16	__pad3[1];
		};
	};
	__extension__ union {
		__extension__ struct {
			__u64	addr3;
			__u64	__pad2[1];
		};
		__extension__ struct {
			__u64	attr_ptr;	/* struct io_uring_attr_pi * etc. */
			__u64	attr_type_mask;	/* IORING_RW_ATTR_FLAG_* */
		};
		__u64	optval;
		/*
		 * The command payload of IORING_OP_URING_CMD: 16 bytes here,
		 * 80 on a ring set up with IORING_SETUP_SQE128.
		 */
		__u8	cmd[0];
	};
};

/* The direct-descriptor slot: let the kernel pick a free one. */
#define IORING_FILE_INDEX_ALLOC		(~0U)

enum io_uring_sqe_flags_bit {
	IOSQE_FIXED_FILE_BIT,
	IOSQE_IO_DRAIN_BIT,
	IOSQE_IO_LINK_BIT,
	IOSQE_IO_HARDLINK_BIT,
	IOSQE_ASYNC_BIT,
	IOSQE_BUFFER_SELECT_BIT,
	IOSQE_CQE_SKIP_SUCCESS_BIT,
};

/*
 * sqe->flags:
 *  FIXED_FILE		fd is an index into the registered files
 *  IO_DRAIN		start only after everything submitted before it
 *  IO_LINK		the next SQE waits for this one; a failure cancels it
 *  IO_HARDLINK		the next SQE waits for this one, whatever the result
 *  ASYNC		skip the non-blocking attempt, go to a worker
 *  BUFFER_SELECT	take a buffer from group buf_group
 *  CQE_SKIP_SUCCESS	post no CQE if the request succeeds
 */
#define IOSQE_FIXED_FILE	(1U << IOSQE_FIXED_FILE_BIT)
#define IOSQE_IO_DRAIN		(1U << IOSQE_IO_DRAIN_BIT)
#define IOSQE_IO_LINK		(1U << IOSQE_IO_LINK_BIT)
#define IOSQE_IO_HARDLINK	(1U << IOSQE_IO_HARDLINK_BIT)
#define IOSQE_ASYNC		(1U << IOSQE_ASYNC_BIT)
#define IOSQE_BUFFER_SELECT	(1U << IOSQE_BUFFER_SELECT_BIT)
#define IOSQE_CQE_SKIP_SUCCESS	(1U << IOSQE_CQE_SKIP_SUCCESS_BIT)

/* io_uring_setup() flags: io_uring_params.flags */
#define IORING_SETUP_IOPOLL		(1U << 0)	/* busy-poll for completions */
#define IORING_SETUP_SQPOLL		(1U << 1)	/* a kernel thread submits */
#define IORING_SETUP_SQ_AFF		(1U << 2)	/* sq_thread_cpu is valid */
#define IORING_SETUP_CQSIZE		(1U << 3)	/* cq_entries is valid */
#define IORING_SETUP_CLAMP		(1U << 4)	/* clamp entries to the max */
#define IORING_SETUP_ATTACH_WQ		(1U << 5)	/* share wq_fd's workers */
#define IORING_SETUP_R_DISABLED		(1U << 6)	/* start disabled */
#define IORING_SETUP_SUBMIT_ALL		(1U << 7)	/* do not stop at an error */
#define IORING_SETUP_COOP_TASKRUN	(1U << 8)	/* no IPI for task work */
#define IORING_SETUP_TASKRUN_FLAG	(1U << 9)	/* IORING_SQ_TASKRUN hints */
#define IORING_SETUP_SQE128		(1U << 10)	/* 128-byte SQEs */
#define IORING_SETUP_CQE32		(1U << 11)	/* 32-byte CQEs */
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)	/* one task submits */
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)	/* task work on enter only */
#define IORING_SETUP_NO_MMAP		(1U << 14)	/* rings in user memory */
#define IORING_SETUP_REGISTERED_FD_ONLY	(1U << 15)	/* return a registered index */
#define IORING_SETUP_NO_SQARRAY		(1U << 16)	/* no SQ index array */
#define IORING_SETUP_HYBRID_IOPOLL	(1U << 17)	/* sleep, then poll */
#define IORING_SETUP_CQE_MIXED		(1U << 18)	/* 16 and 32-byte CQEs */
#define IORING_SETUP_SQE_MIXED		(1U << 19)	/* 64 and 128-byte SQEs */
#define IORING_SETUP_SQ_REWIND		(1U << 20)	/* SQ restarts at 0 */

enum io_uring_op {
	IORING_OP_NOP,
	IORING_OP_READV,
	IORING_OP_WRITEV,
	IORING_OP_FSYNC,
	IORING_OP_READ_FIXED,
	IORING_OP_WRITE_FIXED,
	IORING_OP_POLL_ADD,
	IORING_OP_POLL_REMOVE,
	IORING_OP_SYNC_FILE_RANGE,
	IORING_OP_SENDMSG,
	IORING_OP_RECVMSG,
	IORING_OP_TIMEOUT,
	IORING_OP_TIMEOUT_REMOVE,
	IORING_OP_ACCEPT,
	IORING_OP_ASYNC_CANCEL,
	IORING_OP_LINK_TIMEOUT,
	IORING_OP_CONNECT,
	IORING_OP_FALLOCATE,
	IORING_OP_OPENAT,
	IORING_OP_CLOSE,
	IORING_OP_FILES_UPDATE,
	IORING_OP_STATX,
	IORING_OP_READ,
	IORING_OP_WRITE,
	IORING_OP_FADVISE,
	IORING_OP_MADVISE,
	IORING_OP_SEND,
	IORING_OP_RECV,
	IORING_OP_OPENAT2,
	IORING_OP_EPOLL_CTL,
	IORING_OP_SPLICE,
	IORING_OP_PROVIDE_BUFFERS,
	IORING_OP_REMOVE_BUFFERS,
	IORING_OP_TEE,
	IORING_OP_SHUTDOWN,
	IORING_OP_RENAMEAT,
	IORING_OP_UNLINKAT,
	IORING_OP_MKDIRAT,
	IORING_OP_SYMLINKAT,
	IORING_OP_LINKAT,
	IORING_OP_MSG_RING,
	IORING_OP_FSETXATTR,
	IORING_OP_SETXATTR,
	IORING_OP_FGETXATTR,
	IORING_OP_GETXATTR,
	IORING_OP_SOCKET,
	IORING_OP_URING_CMD,
	IORING_OP_SEND_ZC,
	IORING_OP_SENDMSG_ZC,
	IORING_OP_READ_MULTISHOT,
	IORING_OP_WAITID,
	IORING_OP_FUTEX_WAIT,
	IORING_OP_FUTEX_WAKE,
	IORING_OP_FUTEX_WAITV,
	IORING_OP_FIXED_FD_INSTALL,
	IORING_OP_FTRUNCATE,
	IORING_OP_BIND,
	IORING_OP_LISTEN,
	IORING_OP_RECV_ZC,
	IORING_OP_EPOLL_WAIT,
	IORING_OP_READV_FIXED,
	IORING_OP_WRITEV_FIXED,
	IORING_OP_PIPE,
	IORING_OP_NOP128,
	IORING_OP_URING_CMD128,

	/* Not an opcode: one past the last, and it moves as opcodes are added. */
	IORING_OP_LAST,
};

/* sqe->uring_cmd_flags (the top 8 bits are reserved for the kernel) */
#define IORING_URING_CMD_FIXED		(1U << 0)	/* buf_index is valid */
#define IORING_URING_CMD_MASK		IORING_URING_CMD_FIXED

/* sqe->fsync_flags */
#define IORING_FSYNC_DATASYNC		(1U << 0)

/* sqe->timeout_flags */
#define IORING_TIMEOUT_ABS		(1U << 0)
#define IORING_TIMEOUT_UPDATE		(1U << 1)
#define IORING_TIMEOUT_BOOTTIME		(1U << 2)
#define IORING_TIMEOUT_REALTIME		(1U << 3)
#define IORING_LINK_TIMEOUT_UPDATE	(1U << 4)
#define IORING_TIMEOUT_ETIME_SUCCESS	(1U << 5)
#define IORING_TIMEOUT_MULTISHOT	(1U << 6)
#define IORING_TIMEOUT_IMMEDIATE_ARG	(1U << 7)	/* addr is the value */
#define IORING_TIMEOUT_CLOCK_MASK	\
	(IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME)
#define IORING_TIMEOUT_UPDATE_MASK	\
	(IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE)

/* sqe->splice_flags: splice_fd_in is a registered file index */
#define SPLICE_F_FD_IN_FIXED		(1U << 31)

/* sqe->len of IORING_OP_POLL_ADD / POLL_REMOVE (events go in poll32_events) */
#define IORING_POLL_ADD_MULTI		(1U << 0)
#define IORING_POLL_UPDATE_EVENTS	(1U << 1)
#define IORING_POLL_UPDATE_USER_DATA	(1U << 2)
#define IORING_POLL_ADD_LEVEL		(1U << 3)

/* sqe->cancel_flags */
#define IORING_ASYNC_CANCEL_ALL		(1U << 0)	/* every match, not the first */
#define IORING_ASYNC_CANCEL_FD		(1U << 1)	/* match on fd */
#define IORING_ASYNC_CANCEL_ANY		(1U << 2)	/* match anything */
#define IORING_ASYNC_CANCEL_FD_FIXED	(1U << 3)	/* fd is a registered index */
#define IORING_ASYNC_CANCEL_USERDATA	(1U << 4)	/* match on user_data */
#define IORING_ASYNC_CANCEL_OP		(1U << 5)	/* match on opcode */

/* sqe->ioprio of send/recv and their zero-copy and msg variants */
#define IORING_RECVSEND_POLL_FIRST	(1U << 0)	/* poll before trying */
#define IORING_RECV_MULTISHOT		(1U << 1)
#define IORING_RECVSEND_FIXED_BUF	(1U << 2)	/* use buf_index */
#define IORING_SEND_ZC_REPORT_USAGE	(1U << 3)	/* notif says if it copied */
#define IORING_RECVSEND_BUNDLE		(1U << 4)	/* many buffers per CQE */
#define IORING_SEND_VECTORIZED		(1U << 5)	/* addr is an iovec array */

/* The notification CQE's res with IORING_SEND_ZC_REPORT_USAGE: data was copied. */
#define IORING_NOTIF_USAGE_ZC_COPIED	(1U << 31)

/* sqe->ioprio of IORING_OP_ACCEPT */
#define IORING_ACCEPT_MULTISHOT		(1U << 0)
#define IORING_ACCEPT_DONTWAIT		(1U << 1)
#define IORING_ACCEPT_POLL_FIRST	(1U << 2)

/* sqe->addr of IORING_OP_MSG_RING: what to send */
enum io_uring_msg_ring_flags {
	IORING_MSG_DATA,	/* a CQE with len as res and off as user_data */
	IORING_MSG_SEND_FD,	/* a direct descriptor */
};

/* sqe->msg_ring_flags */
#define IORING_MSG_RING_CQE_SKIP	(1U << 0)	/* no CQE in the target */
#define IORING_MSG_RING_FLAGS_PASS	(1U << 1)	/* file_index: CQE flags */

/* sqe->install_fd_flags of IORING_OP_FIXED_FD_INSTALL */
#define IORING_FIXED_FD_NO_CLOEXEC	(1U << 0)

/* sqe->nop_flags */
#define IORING_NOP_INJECT_RESULT	(1U << 0)	/* the CQE's res is sqe->len */
#define IORING_NOP_FILE			(1U << 1)	/* look up sqe->fd */
#define IORING_NOP_FIXED_FILE		(1U << 2)	/* ... as a registered file */
#define IORING_NOP_FIXED_BUFFER		(1U << 3)	/* look up sqe->buf_index */
#define IORING_NOP_TW			(1U << 4)	/* complete via task work */
#define IORING_NOP_CQE32		(1U << 5)	/* post a 32-byte CQE */

/* ------------------------------------------------------------------------
 * Completion queue entry
 * ------------------------------------------------------------------------ */

struct io_uring_cqe {
	__u64	user_data;	/* sqe->user_data, unchanged */
	__s32	res;		/* the result, or -errno */
	__u32	flags;		/* IORING_CQE_F_* */
	/*
	 * The second 16 bytes of a 32-byte CQE (IORING_SETUP_CQE32, or a
	 * CQE with IORING_CQE_F_32 on a IORING_SETUP_CQE_MIXED ring).
	 */
	__extension__ __u64 big_cqe[];
};

/* cqe->flags */
#define IORING_CQE_F_BUFFER		(1U << 0)	/* buffer id in bits 16+ */
#define IORING_CQE_F_MORE		(1U << 1)	/* more CQEs will follow */
#define IORING_CQE_F_SOCK_NONEMPTY	(1U << 2)	/* more data waiting */
#define IORING_CQE_F_NOTIF		(1U << 3)	/* zero-copy notif */
#define IORING_CQE_F_BUF_MORE		(1U << 4)	/* buffer not used up */
#define IORING_CQE_F_SKIP		(1U << 5)	/* mixed-ring padding */
#define IORING_CQE_F_32			(1U << 15)	/* 32 bytes, mixed ring */

#define IORING_CQE_BUFFER_SHIFT		16

/* TX timestamps via SOCKET_URING_OP_TX_TIMESTAMP */
#define IORING_TIMESTAMP_HW_SHIFT	16
#define IORING_CQE_F_TSTAMP_HW		((__u32)1 << IORING_TIMESTAMP_HW_SHIFT)
#define IORING_TIMESTAMP_TYPE_SHIFT	(IORING_TIMESTAMP_HW_SHIFT + 1)

/* Timestamps in the big CQE: unsigned, unlike __kernel_timespec. */
struct io_timespec {
	__u64	tv_sec;
	__u64	tv_nsec;
};

/* ------------------------------------------------------------------------
 * Setup: io_uring_setup(2) and the ring mappings
 * ------------------------------------------------------------------------ */

/* mmap(2) offsets of the ring fd */
#define IORING_OFF_SQ_RING		0ULL
#define IORING_OFF_CQ_RING		0x8000000ULL
#define IORING_OFF_SQES			0x10000000ULL
#define IORING_OFF_PBUF_RING		0x80000000ULL
#define IORING_OFF_PBUF_SHIFT		16	/* the buffer group id goes here */
#define IORING_OFF_MMAP_MASK		0xf8000000ULL

/* Where the SQ ring's fields sit in its mapping (byte offsets). */
struct io_sqring_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	flags;
	__u32	dropped;
	__u32	array;
	__u32	resv1;
	__u64	user_addr;	/* IORING_SETUP_NO_MMAP: the caller's memory */
};

/* sq ring flags (*sq.kflags), written by the kernel */
#define IORING_SQ_NEED_WAKEUP		(1U << 0)	/* the SQPOLL thread sleeps */
#define IORING_SQ_CQ_OVERFLOW		(1U << 1)	/* CQEs overflowed */
#define IORING_SQ_TASKRUN		(1U << 2)	/* task work is pending */

/* Where the CQ ring's fields sit in its mapping (byte offsets). */
struct io_cqring_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	overflow;
	__u32	cqes;
	__u32	flags;
	__u32	resv1;
	__u64	user_addr;
};

/* cq ring flags (*cq.kflags), written by the application */
#define IORING_CQ_EVENTFD_DISABLED	(1U << 0)

/* io_uring_enter(2) flags */
#define IORING_ENTER_GETEVENTS		(1U << 0)
#define IORING_ENTER_SQ_WAKEUP		(1U << 1)
#define IORING_ENTER_SQ_WAIT		(1U << 2)
#define IORING_ENTER_EXT_ARG		(1U << 3)	/* getevents_arg */
#define IORING_ENTER_REGISTERED_RING	(1U << 4)	/* fd is registered */
#define IORING_ENTER_ABS_TIMER		(1U << 5)	/* absolute timeout */
#define IORING_ENTER_EXT_ARG_REG	(1U << 6)	/* reg_wait index */
#define IORING_ENTER_NO_IOWAIT		(1U << 7)	/* not as iowait */

/* io_uring_setup(2) argument and result */
struct io_uring_params {
	__u32	sq_entries;
	__u32	cq_entries;
	__u32	flags;		/* IORING_SETUP_* */
	__u32	sq_thread_cpu;
	__u32	sq_thread_idle;	/* milliseconds */
	__u32	features;	/* out: IORING_FEAT_* */
	__u32	wq_fd;
	__u32	resv[3];
	struct io_sqring_offsets sq_off;
	struct io_cqring_offsets cq_off;
};

/* io_uring_params.features */
#define IORING_FEAT_SINGLE_MMAP		(1U << 0)
#define IORING_FEAT_NODROP		(1U << 1)
#define IORING_FEAT_SUBMIT_STABLE	(1U << 2)
#define IORING_FEAT_RW_CUR_POS		(1U << 3)
#define IORING_FEAT_CUR_PERSONALITY	(1U << 4)
#define IORING_FEAT_FAST_POLL		(1U << 5)
#define IORING_FEAT_POLL_32BITS		(1U << 6)
#define IORING_FEAT_SQPOLL_NONFIXED	(1U << 7)
#define IORING_FEAT_EXT_ARG		(1U << 8)
#define IORING_FEAT_NATIVE_WORKERS	(1U << 9)
#define IORING_FEAT_RSRC_TAGS		(1U << 10)
#define IORING_FEAT_CQE_SKIP		(1U << 11)
#define IORING_FEAT_LINKED_FILE		(1U << 12)
#define IORING_FEAT_REG_REG_RING	(1U << 13)
#define IORING_FEAT_RECVSEND_BUNDLE	(1U << 14)
#define IORING_FEAT_MIN_TIMEOUT		(1U << 15)
#define IORING_FEAT_RW_ATTR		(1U << 16)
#define IORING_FEAT_NO_IOWAIT		(1U << 17)

/* ------------------------------------------------------------------------
 * io_uring_register(2)
 * ------------------------------------------------------------------------ */

enum io_uring_register_op {
	IORING_REGISTER_BUFFERS			= 0,
	IORING_UNREGISTER_BUFFERS		= 1,
	IORING_REGISTER_FILES			= 2,
	IORING_UNREGISTER_FILES			= 3,
	IORING_REGISTER_EVENTFD			= 4,
	IORING_UNREGISTER_EVENTFD		= 5,
	IORING_REGISTER_FILES_UPDATE		= 6,
	IORING_REGISTER_EVENTFD_ASYNC		= 7,
	IORING_REGISTER_PROBE			= 8,
	IORING_REGISTER_PERSONALITY		= 9,
	IORING_UNREGISTER_PERSONALITY		= 10,
	IORING_REGISTER_RESTRICTIONS		= 11,
	IORING_REGISTER_ENABLE_RINGS		= 12,

	/* extended file and buffer registration, with tags */
	IORING_REGISTER_FILES2			= 13,
	IORING_REGISTER_FILES_UPDATE2		= 14,
	IORING_REGISTER_BUFFERS2		= 15,
	IORING_REGISTER_BUFFERS_UPDATE		= 16,

	/* io-wq worker affinity and limits */
	IORING_REGISTER_IOWQ_AFF		= 17,
	IORING_UNREGISTER_IOWQ_AFF		= 18,
	IORING_REGISTER_IOWQ_MAX_WORKERS	= 19,

	/* registered ring descriptors */
	IORING_REGISTER_RING_FDS		= 20,
	IORING_UNREGISTER_RING_FDS		= 21,

	/* provided-buffer rings */
	IORING_REGISTER_PBUF_RING		= 22,
	IORING_UNREGISTER_PBUF_RING		= 23,

	IORING_REGISTER_SYNC_CANCEL		= 24,
	IORING_REGISTER_FILE_ALLOC_RANGE	= 25,
	IORING_REGISTER_PBUF_STATUS		= 26,

	IORING_REGISTER_NAPI			= 27,
	IORING_UNREGISTER_NAPI			= 28,

	IORING_REGISTER_CLOCK			= 29,
	IORING_REGISTER_CLONE_BUFFERS		= 30,
	/* ring fd -1: run one IORING_OP_MSG_RING SQE synchronously */
	IORING_REGISTER_SEND_MSG_RING		= 31,
	IORING_REGISTER_ZCRX_IFQ		= 32,
	IORING_REGISTER_RESIZE_RINGS		= 33,
	IORING_REGISTER_MEM_REGION		= 34,
	/* ring fd may be -1: ask what the kernel supports */
	IORING_REGISTER_QUERY			= 35,
	IORING_REGISTER_ZCRX_CTRL		= 36,
	IORING_REGISTER_BPF_FILTER		= 37,

	/* Not an opcode: one past the last. */
	IORING_REGISTER_LAST,
};

/*
 * OR-ed into the opcode: the fd argument is a registered ring index. The
 * kernel lists it in the enum above; a macro has the same value and type
 * (unsigned) without the non-int enumerator that -pedantic rejects.
 */
#define IORING_REGISTER_USE_REGISTERED_RING	(1U << 31)

/* IORING_REGISTER_IOWQ_MAX_WORKERS: index into the two-element array */
enum io_wq_type {
	IO_WQ_BOUND,
	IO_WQ_UNBOUND,
};

/* IORING_REGISTER_FILES_UPDATE (the original, untagged form) */
struct io_uring_files_update {
	__u32	offset;
	__u32	resv;
	__u64	fds;		/* __s32 * */
};

/* IORING_REGISTER_MEM_REGION */
enum {
	/* the memory comes from the caller (user_addr) */
	IORING_MEM_REGION_TYPE_USER		= 1,
};

struct io_uring_region_desc {
	__u64	user_addr;
	__u64	size;
	__u32	flags;		/* IORING_MEM_REGION_TYPE_* */
	__u32	id;
	__u64	mmap_offset;	/* out, when the kernel allocates */
	__u64	__resv[4];
};

enum {
	/* the region also carries struct io_uring_reg_wait entries */
	IORING_MEM_REGION_REG_WAIT_ARG		= 1,
};

struct io_uring_mem_region_reg {
	__u64	region_uptr;	/* struct io_uring_region_desc * */
	__u64	flags;		/* IORING_MEM_REGION_REG_* */
	__u64	__resv[2];
};

/* io_uring_rsrc_register.flags: reserve nr empty slots */
#define IORING_RSRC_REGISTER_SPARSE	(1U << 0)

/* IORING_REGISTER_FILES2 / IORING_REGISTER_BUFFERS2 */
struct io_uring_rsrc_register {
	__u32	nr;
	__u32	flags;
	__u64	resv2;
	__u64	data;		/* __s32 * or struct iovec * */
	__u64	tags;		/* __u64 *, posted in a CQE when a slot is freed */
};

/* IORING_REGISTER_FILES_UPDATE / IORING_REGISTER_BUFFERS_UPDATE (untagged) */
struct io_uring_rsrc_update {
	__u32	offset;
	__u32	resv;
	__u64	data;
};

/* IORING_REGISTER_FILES_UPDATE2 / IORING_REGISTER_BUFFERS_UPDATE */
struct io_uring_rsrc_update2 {
	__u32	offset;
	__u32	resv;
	__u64	data;
	__u64	tags;
	__u32	nr;
	__u32	resv2;
};

/* In a files update: leave this slot as it is. */
#define IORING_REGISTER_FILES_SKIP	(-2)

/* io_uring_probe_op.flags */
#define IO_URING_OP_SUPPORTED		(1U << 0)

struct io_uring_probe_op {
	__u8	op;
	__u8	resv;
	__u16	flags;		/* IO_URING_OP_* */
	__u32	resv2;
};

/* IORING_REGISTER_PROBE */
struct io_uring_probe {
	__u8	last_op;	/* the last opcode the kernel knows */
	__u8	ops_len;	/* how many ops[] were filled in */
	__u16	resv;
	__u32	resv2[3];
	__extension__ struct io_uring_probe_op ops[];
};

/* IORING_REGISTER_RESTRICTIONS */
struct io_uring_restriction {
	__u16	opcode;		/* IORING_RESTRICTION_* */
	__extension__ union {
		__u8	register_op;	/* IORING_REGISTER_* allowed */
		__u8	sqe_op;		/* IORING_OP_* allowed */
		__u8	sqe_flags;	/* IOSQE_* allowed or required */
	};
	__u8	resv;
	__u32	resv2[3];
};

enum io_uring_register_restriction_op {
	IORING_RESTRICTION_REGISTER_OP		= 0,
	IORING_RESTRICTION_SQE_OP		= 1,
	IORING_RESTRICTION_SQE_FLAGS_ALLOWED	= 2,
	IORING_RESTRICTION_SQE_FLAGS_REQUIRED	= 3,

	IORING_RESTRICTION_LAST
};

/* IORING_REGISTER_CLOCK: the clock of the wait timeouts */
struct io_uring_clock_register {
	__u32	clockid;
	__u32	__resv[3];
};

/*
 * io_uring_clone_buffers.flags: src_fd is a registered ring index; replace
 * the buffers dst already has.
 */
enum {
	IORING_REGISTER_SRC_REGISTERED		= (1U << 0),
	IORING_REGISTER_DST_REPLACE		= (1U << 1),
};

/* IORING_REGISTER_CLONE_BUFFERS */
struct io_uring_clone_buffers {
	__u32	src_fd;
	__u32	flags;
	__u32	src_off;
	__u32	dst_off;
	__u32	nr;
	__u32	pad[3];
};

/* ------------------------------------------------------------------------
 * Provided buffers: the ring the application fills for the kernel
 * ------------------------------------------------------------------------ */

struct io_uring_buf {
	__u64	addr;
	__u32	len;
	__u16	bid;
	__u16	resv;
};

/*
 * The ring is an array of io_uring_buf whose first entry's last 16 bits
 * double as the ring's tail, written by the application. Entry 0's resv is
 * therefore never a buffer field; the union says so without wasting a slot.
 */
__extension__ struct io_uring_buf_ring {
	__extension__ union {
		__extension__ struct {
			__u64	resv1;
			__u32	resv2;
			__u16	resv3;
			__u16	tail;
		};
		__extension__ struct io_uring_buf bufs[0];
	};
};

/* io_uring_buf_reg.flags */
enum io_uring_register_pbuf_ring_flags {
	/* the kernel allocates the ring; mmap it at IORING_OFF_PBUF_RING */
	IOU_PBUF_RING_MMAP	= 1,
	/* buffers are consumed a part at a time (IORING_CQE_F_BUF_MORE) */
	IOU_PBUF_RING_INC	= 2,
};

/* IORING_REGISTER_PBUF_RING / IORING_UNREGISTER_PBUF_RING */
struct io_uring_buf_reg {
	__u64	ring_addr;
	__u32	ring_entries;	/* a power of two */
	__u16	bgid;
	__u16	flags;		/* IOU_PBUF_RING_* */
	__u32	min_left;
	__u32	resv[5];
};

/* IORING_REGISTER_PBUF_STATUS */
struct io_uring_buf_status {
	__u32	buf_group;	/* in */
	__u32	head;		/* out: the kernel's consumption point */
	__u32	resv[8];
};

/* ------------------------------------------------------------------------
 * NAPI busy polling
 * ------------------------------------------------------------------------ */

enum io_uring_napi_op {
	IO_URING_NAPI_REGISTER_OP	= 0,	/* register, or unregister */
	IO_URING_NAPI_STATIC_ADD_ID	= 1,	/* add the NAPI id in op_param */
	IO_URING_NAPI_STATIC_DEL_ID	= 2,	/* remove it */
};

enum io_uring_napi_tracking_strategy {
	IO_URING_NAPI_TRACKING_DYNAMIC	= 0,	/* follow the ring's sockets */
	IO_URING_NAPI_TRACKING_STATIC	= 1,	/* only ids added by hand */
	IO_URING_NAPI_TRACKING_INACTIVE	= 255,
};

/* IORING_REGISTER_NAPI / IORING_UNREGISTER_NAPI */
struct io_uring_napi {
	__u32	busy_poll_to;	/* microseconds */
	__u8	prefer_busy_poll;
	__u8	opcode;		/* enum io_uring_napi_op */
	__u8	pad[2];
	__u32	op_param;	/* a NAPI id, or the tracking strategy */
	__u32	resv;
};

/* ------------------------------------------------------------------------
 * Waiting: extended io_uring_enter(2) arguments
 * ------------------------------------------------------------------------ */

/* io_uring_reg_wait.flags: ts is valid */
enum {
	IORING_REG_WAIT_TS		= (1U << 0),
};

/*
 * A wait argument kept in a registered memory region, selected by index
 * with IORING_ENTER_EXT_ARG_REG, so a wait copies nothing from user space.
 */
struct io_uring_reg_wait {
	struct __kernel_timespec ts;
	__u32	min_wait_usec;
	__u32	flags;		/* IORING_REG_WAIT_* */
	__u64	sigmask;
	__u32	sigmask_sz;
	__u32	pad[3];
	__u64	pad2[2];
};

/* IORING_ENTER_EXT_ARG: the argument of io_uring_enter(2) */
struct io_uring_getevents_arg {
	__u64	sigmask;
	__u32	sigmask_sz;
	__u32	min_wait_usec;
	__u64	ts;		/* struct __kernel_timespec * */
};

/* IORING_REGISTER_SYNC_CANCEL: cancel like IORING_OP_ASYNC_CANCEL, and wait */
struct io_uring_sync_cancel_reg {
	__u64			addr;
	__s32			fd;
	__u32			flags;		/* IORING_ASYNC_CANCEL_* */
	struct __kernel_timespec timeout;	/* -1/-1 for none */
	__u8			opcode;
	__u8			pad[7];
	__u64			pad2[3];
};

/* IORING_REGISTER_FILE_ALLOC_RANGE: where IORING_FILE_INDEX_ALLOC looks */
struct io_uring_file_index_range {
	__u32	off;
	__u32	len;
	__u64	resv;
};

/*
 * The head of each buffer a multishot recvmsg fills: then the name, the
 * control data and the payload, as sized by the msghdr given at prep time.
 */
struct io_uring_recvmsg_out {
	__u32	namelen;
	__u32	controllen;
	__u32	payloadlen;
	__u32	flags;
};

/* sqe->attr_type_mask: attr_ptr points to a struct io_uring_attr_pi */
#define IORING_RW_ATTR_FLAG_PI	(1U << 0)

/* Protection information for a read or write */
struct io_uring_attr_pi {
	__u16	flags;
	__u16	app_tag;
	__u32	len;
	__u64	addr;
	__u64	seed;
	__u64	rsvd;
};

/* sqe->cmd_op of IORING_OP_URING_CMD on a socket */
enum io_uring_socket_op {
	SOCKET_URING_OP_SIOCINQ		= 0,
	SOCKET_URING_OP_SIOCOUTQ,
	SOCKET_URING_OP_GETSOCKOPT,
	SOCKET_URING_OP_SETSOCKOPT,
	SOCKET_URING_OP_TX_TIMESTAMP,
	SOCKET_URING_OP_GETSOCKNAME,
};

/* ------------------------------------------------------------------------
 * Zero-copy receive (IORING_OP_RECV_ZC, IORING_REGISTER_ZCRX_*)
 * ------------------------------------------------------------------------ */

/* A refill queue entry: hands a buffer back to the kernel. */
struct io_uring_zcrx_rqe {
	__u64	off;
	__u32	len;
	__u32	__pad;
};

/* The second half of a 32-byte RECV_ZC completion. */
struct io_uring_zcrx_cqe {
	__u64	off;		/* area id in the top bits, then the offset */
	__u64	__pad;
};

#define IORING_ZCRX_AREA_SHIFT	48
#define IORING_ZCRX_AREA_MASK	(~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1))

struct io_uring_zcrx_offsets {
	__u32	head;
	__u32	tail;
	__u32	rqes;
	__u32	__resv2;
	__u64	__resv[2];
};

enum io_uring_zcrx_area_flags {
	IORING_ZCRX_AREA_DMABUF		= 1,
};

struct io_uring_zcrx_area_reg {
	__u64	addr;
	__u64	len;
	__u64	rq_area_token;
	__u32	flags;		/* IORING_ZCRX_AREA_* */
	__u32	dmabuf_fd;
	__u64	__resv2[2];
};

/* io_uring_zcrx_ifq_reg.flags */
enum zcrx_reg_flags {
	ZCRX_REG_IMPORT		= 1,
	ZCRX_REG_NODEV		= 2,
};

enum zcrx_features {
	ZCRX_FEATURE_RX_PAGE_SIZE	= 1 << 0,
};

/* IORING_REGISTER_ZCRX_IFQ */
struct io_uring_zcrx_ifq_reg {
	__u32	if_idx;
	__u32	if_rxq;
	__u32	rq_entries;
	__u32	flags;		/* ZCRX_REG_* */
	__u64	area_ptr;	/* struct io_uring_zcrx_area_reg * */
	__u64	region_ptr;	/* struct io_uring_region_desc * */
	struct io_uring_zcrx_offsets offsets;	/* out */
	__u32	zcrx_id;	/* out */
	__u32	rx_buf_len;	/* 0 for the default (ZCRX_FEATURE_RX_PAGE_SIZE) */
	__u64	__resv[3];
};

/* IORING_REGISTER_ZCRX_CTRL */
enum zcrx_ctrl_op {
	ZCRX_CTRL_FLUSH_RQ,
	ZCRX_CTRL_EXPORT,

	__ZCRX_CTRL_LAST,
};

struct zcrx_ctrl_flush_rq {
	__u64	__resv[6];
};

struct zcrx_ctrl_export {
	__u32	zcrx_fd;	/* out */
	__u32	__resv1[11];
};

struct zcrx_ctrl {
	__u32	zcrx_id;
	__u32	op;		/* enum zcrx_ctrl_op */
	__u64	__resv[2];
	__extension__ union {
		struct zcrx_ctrl_export		zc_export;
		struct zcrx_ctrl_flush_rq	zc_flush;
	};
};

/* ------------------------------------------------------------------------
 * IORING_REGISTER_QUERY: a chain of queries, each answered in place
 * ------------------------------------------------------------------------ */

enum io_uring_query_op {
	IO_URING_QUERY_OPCODES	= 0,	/* struct io_uring_query_opcode */
	IO_URING_QUERY_ZCRX	= 1,
	IO_URING_QUERY_SCQ	= 2,

	__IO_URING_QUERY_MAX,
};

struct io_uring_query_hdr {
	__u64	next_entry;	/* the next header, or 0 */
	__u64	query_data;	/* the op's result struct */
	__u32	query_op;	/* enum io_uring_query_op */
	__u32	size;		/* of query_data; the kernel fills what fits */
	__s32	result;		/* out: 0 or -errno */
	__u32	__resv[3];
};

struct io_uring_query_opcode {
	__u32	nr_request_opcodes;	/* IORING_OP_* known */
	__u32	nr_register_opcodes;	/* IORING_REGISTER_* known */
	__u64	feature_flags;		/* IORING_FEAT_* */
	__u64	ring_setup_flags;	/* IORING_SETUP_* */
	__u64	enter_flags;		/* IORING_ENTER_* */
	__u64	sqe_flags;		/* IOSQE_* */
	__u32	nr_query_opcodes;
	__u32	__pad;
};

/* ------------------------------------------------------------------------
 * Layout checks: the numbers of the kernel's ABI. They generate no code;
 * a compiler without static assertions just skips them.
 * ------------------------------------------------------------------------ */

#if defined(__cplusplus) && __cplusplus >= 201103L
# define IO_URING_ABI_CHECK_(expr) static_assert(expr, #expr)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
# define IO_URING_ABI_CHECK_(expr) _Static_assert(expr, #expr)
#endif

#ifdef IO_URING_ABI_CHECK_
#define IO_URING_ABI_OFF_(type, member, off) \
	IO_URING_ABI_CHECK_(offsetof(struct type, member) == (off))

IO_URING_ABI_CHECK_(sizeof(struct io_uring_sqe) == 64);
IO_URING_ABI_OFF_(io_uring_sqe, opcode, 0);
IO_URING_ABI_OFF_(io_uring_sqe, flags, 1);
IO_URING_ABI_OFF_(io_uring_sqe, ioprio, 2);
IO_URING_ABI_OFF_(io_uring_sqe, fd, 4);
IO_URING_ABI_OFF_(io_uring_sqe, off, 8);
IO_URING_ABI_OFF_(io_uring_sqe, cmd_op, 8);
IO_URING_ABI_OFF_(io_uring_sqe, __pad1, 12);
IO_URING_ABI_OFF_(io_uring_sqe, addr, 16);
IO_URING_ABI_OFF_(io_uring_sqe, level, 16);
IO_URING_ABI_OFF_(io_uring_sqe, optname, 20);
IO_URING_ABI_OFF_(io_uring_sqe, len, 24);
IO_URING_ABI_OFF_(io_uring_sqe, rw_flags, 28);
IO_URING_ABI_OFF_(io_uring_sqe, pipe_flags, 28);
IO_URING_ABI_OFF_(io_uring_sqe, user_data, 32);
IO_URING_ABI_OFF_(io_uring_sqe, buf_index, 40);
IO_URING_ABI_OFF_(io_uring_sqe, personality, 42);
IO_URING_ABI_OFF_(io_uring_sqe, file_index, 44);
IO_URING_ABI_OFF_(io_uring_sqe, addr_len, 44);
IO_URING_ABI_OFF_(io_uring_sqe, __pad3, 46);
IO_URING_ABI_OFF_(io_uring_sqe, addr3, 48);
IO_URING_ABI_OFF_(io_uring_sqe, __pad2, 56);
IO_URING_ABI_OFF_(io_uring_sqe, attr_ptr, 48);
IO_URING_ABI_OFF_(io_uring_sqe, attr_type_mask, 56);
IO_URING_ABI_OFF_(io_uring_sqe, optval, 48);
IO_URING_ABI_OFF_(io_uring_sqe, cmd, 48);

IO_URING_ABI_CHECK_(sizeof(struct io_uring_cqe) == 16);
IO_URING_ABI_OFF_(io_uring_cqe, res, 8);
IO_URING_ABI_OFF_(io_uring_cqe, flags, 12);
IO_URING_ABI_OFF_(io_uring_cqe, big_cqe, 16);

IO_URING_ABI_CHECK_(sizeof(struct io_sqring_offsets) == 40);
IO_URING_ABI_OFF_(io_sqring_offsets, array, 24);
IO_URING_ABI_OFF_(io_sqring_offsets, user_addr, 32);
IO_URING_ABI_CHECK_(sizeof(struct io_cqring_offsets) == 40);
IO_URING_ABI_OFF_(io_cqring_offsets, cqes, 20);
IO_URING_ABI_OFF_(io_cqring_offsets, flags, 24);
IO_URING_ABI_OFF_(io_cqring_offsets, user_addr, 32);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_params) == 120);
IO_URING_ABI_OFF_(io_uring_params, wq_fd, 24);
IO_URING_ABI_OFF_(io_uring_params, sq_off, 40);
IO_URING_ABI_OFF_(io_uring_params, cq_off, 80);

IO_URING_ABI_CHECK_(sizeof(struct io_uring_probe_op) == 8);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_probe) == 16);
IO_URING_ABI_OFF_(io_uring_probe, ops, 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_files_update) == 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_rsrc_register) == 32);
IO_URING_ABI_OFF_(io_uring_rsrc_register, tags, 24);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_rsrc_update) == 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_rsrc_update2) == 32);
IO_URING_ABI_OFF_(io_uring_rsrc_update2, nr, 24);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_restriction) == 16);
IO_URING_ABI_OFF_(io_uring_restriction, sqe_op, 2);
IO_URING_ABI_OFF_(io_uring_restriction, resv2, 4);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_clock_register) == 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_clone_buffers) == 32);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_region_desc) == 64);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_mem_region_reg) == 32);

IO_URING_ABI_CHECK_(sizeof(struct io_uring_buf) == 16);
IO_URING_ABI_OFF_(io_uring_buf, bid, 12);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_buf_ring) == 16);
IO_URING_ABI_OFF_(io_uring_buf_ring, tail, 14);
IO_URING_ABI_OFF_(io_uring_buf_ring, bufs, 0);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_buf_reg) == 40);
IO_URING_ABI_OFF_(io_uring_buf_reg, min_left, 16);
IO_URING_ABI_OFF_(io_uring_buf_reg, resv, 20);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_buf_status) == 40);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_napi) == 16);

IO_URING_ABI_CHECK_(sizeof(struct io_uring_reg_wait) == 64);
IO_URING_ABI_OFF_(io_uring_reg_wait, min_wait_usec, 16);
IO_URING_ABI_OFF_(io_uring_reg_wait, sigmask, 24);
IO_URING_ABI_OFF_(io_uring_reg_wait, sigmask_sz, 32);
IO_URING_ABI_OFF_(io_uring_reg_wait, pad2, 48);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_getevents_arg) == 24);
IO_URING_ABI_OFF_(io_uring_getevents_arg, min_wait_usec, 12);
IO_URING_ABI_OFF_(io_uring_getevents_arg, ts, 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_sync_cancel_reg) == 64);
IO_URING_ABI_OFF_(io_uring_sync_cancel_reg, timeout, 16);
IO_URING_ABI_OFF_(io_uring_sync_cancel_reg, opcode, 32);
IO_URING_ABI_OFF_(io_uring_sync_cancel_reg, pad2, 40);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_file_index_range) == 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_recvmsg_out) == 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_attr_pi) == 32);
IO_URING_ABI_OFF_(io_uring_attr_pi, addr, 8);

IO_URING_ABI_CHECK_(sizeof(struct io_uring_zcrx_rqe) == 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_zcrx_cqe) == 16);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_zcrx_offsets) == 32);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_zcrx_area_reg) == 48);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_zcrx_ifq_reg) == 96);
IO_URING_ABI_CHECK_(sizeof(struct zcrx_ctrl) == 72);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_query_hdr) == 40);
IO_URING_ABI_CHECK_(sizeof(struct io_uring_query_opcode) == 48);

#undef IO_URING_ABI_OFF_
#undef IO_URING_ABI_CHECK_
#endif /* IO_URING_ABI_CHECK_ */

#ifdef __cplusplus
}
#endif

#endif /* LINUX_IO_URING_H */
