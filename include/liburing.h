/* SPDX-License-Identifier: MIT */
/*
 * liburing.h - the liburing 2.15 API, as aioring offers it.
 *
 * Source compatible with liburing 2.15, binary compatible with
 * liburing.so.2: a program built against this header, or against liburing's
 * own, runs on aioring's library, whichever backend (kernel io_uring or the
 * user-space engine) a ring ends up on.
 *
 * Two kinds of code live here:
 *  - declarations of the library's exported functions (setup, submission,
 *    waiting, registration), which go through aioring's backend router;
 *  - static inline helpers that the application compiles into itself: they
 *    fill SQEs and walk the rings in shared memory directly. Because they
 *    are compiled into applications, struct io_uring and the ring protocol
 *    they rely on are ABI, frozen at liburing's layout.
 *
 * The header is organised as:
 *   1. includes and fallbacks for old system headers
 *   2. struct io_uring and friends (ABI)
 *   3. exported functions
 *   4. SQE helpers: user data, flags, getting an SQE
 *   5. prep helpers, one (or more) per opcode
 *   6. ring state and CQE helpers
 *   7. multishot recvmsg and provided-buffer ring helpers
 */
#ifndef LIB_URING_H
#define LIB_URING_H

/* ========================================================================
 * 1. Includes
 * ======================================================================== */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/ioctl.h>
#include "liburing/io_uring.h"
#include "liburing/io_uring_version.h"
#include "liburing/barrier.h"

/*
 * struct open_how (openat2) and struct futex_waitv come from kernel headers
 * that older systems lack. open_how must be complete (its size goes into the
 * SQE); futex_waitv is only ever passed by pointer.
 */
#if defined(__has_include)
# if __has_include(<linux/openat2.h>)
#  include <linux/openat2.h>
#  define LIBURING_HAVE_OPEN_HOW_ 1
# endif
# if __has_include(<linux/futex.h>)
#  include <linux/futex.h>
# endif
#else
# include <linux/openat2.h>
# include <linux/futex.h>
# define LIBURING_HAVE_OPEN_HOW_ 1
#endif
#ifndef LIBURING_HAVE_OPEN_HOW_
struct open_how {
	__u64	flags;
	__u64	mode;
	__u64	resolve;
};
#endif
#undef LIBURING_HAVE_OPEN_HOW_

/* Block device discard through IORING_OP_URING_CMD (Linux 6.12). */
#ifndef BLOCK_URING_CMD_DISCARD
#define BLOCK_URING_CMD_DISCARD		_IO(0x12, 0)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Types the helpers take by pointer only; their headers are the caller's. */
struct statx;
struct epoll_event;
struct futex_waitv;

/*
 * Every helper below is IOURINGINLINE. A build that wants them as real
 * functions (a foreign-function-interface library) defines it first.
 */
#ifndef IOURINGINLINE
#define IOURINGINLINE static inline
#endif

#ifndef uring_unlikely
#define uring_unlikely(cond)	__builtin_expect(!!(cond), 0)
#endif
#ifndef uring_likely
#define uring_likely(cond)	__builtin_expect(!!(cond), 1)
#endif

/*
 * user_data of the timeout SQE that io_uring_wait_cqes() queues itself on
 * kernels without IORING_FEAT_EXT_ARG; its CQE is consumed internally.
 */
#define LIBURING_UDATA_TIMEOUT	((__u64) -1)

/*
 * True when this header is OLDER than major.minor, i.e. the check fails:
 *   #if IO_URING_CHECK_VERSION(2, 5)  -> code for before 2.5
 */
#define IO_URING_CHECK_VERSION(major, minor)				\
	((major) > IO_URING_VERSION_MAJOR ||				\
	 ((major) == IO_URING_VERSION_MAJOR &&				\
	  (minor) > IO_URING_VERSION_MINOR))

/* ========================================================================
 * 2. The ring as the application sees it (liburing ABI)
 * ======================================================================== */

/*
 * The k* pointers point into the shared ring memory; the library computes
 * them from io_uring_params.sq_off/cq_off at setup. ring_mask and
 * ring_entries are private copies of values that never change, so the fast
 * path does not chase *kring_mask and *kring_entries (kept for old code).
 */
struct io_uring_sq {
	unsigned *khead;		/* consumer index, written by the kernel */
	unsigned *ktail;		/* producer index, written by us */
	unsigned *kring_mask;		/* deprecated: use ring_mask */
	unsigned *kring_entries;	/* deprecated: use ring_entries */
	unsigned *kflags;		/* IORING_SQ_* */
	unsigned *kdropped;
	/*
	 * The SQ index array, or NULL with IORING_SETUP_NO_SQARRAY. The
	 * library fills it once (entry i -> SQE i); the helpers here never
	 * touch it, so they behave the same with or without it.
	 */
	unsigned *array;
	struct io_uring_sqe *sqes;

	unsigned sqe_head;		/* first SQE not yet handed to the kernel */
	unsigned sqe_tail;		/* next SQE io_uring_get_sqe() returns */

	size_t ring_sz;
	void *ring_ptr;

	unsigned ring_mask;
	unsigned ring_entries;

	unsigned sqes_sz;		/* owned by the library (pad[0] before 2.15) */
	unsigned pad;
};

struct io_uring_cq {
	unsigned *khead;		/* consumer index, written by us */
	unsigned *ktail;		/* producer index, written by the kernel */
	unsigned *kring_mask;		/* deprecated: use ring_mask */
	unsigned *kring_entries;	/* deprecated: use ring_entries */
	unsigned *kflags;		/* IORING_CQ_*, or NULL on old kernels */
	unsigned *koverflow;
	struct io_uring_cqe *cqes;

	size_t ring_sz;
	void *ring_ptr;

	unsigned ring_mask;
	unsigned ring_entries;

	unsigned pad[2];
};

struct io_uring {
	struct io_uring_sq sq;
	struct io_uring_cq cq;
	unsigned flags;			/* IORING_SETUP_* the ring was made with */
	int ring_fd;
	unsigned features;		/* IORING_FEAT_* */
	int enter_ring_fd;		/* ring_fd, or its registered index */
	__u8 int_flags;			/* the library's own state */
	__u8 pad[3];
	unsigned pad2;
};

#if defined(__LP64__) && \
	((defined(__cplusplus) && __cplusplus >= 201103L) || \
	 (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L))
# ifdef __cplusplus
#  define LIBURING_ABI_CHECK_(expr) static_assert(expr, #expr)
# else
#  define LIBURING_ABI_CHECK_(expr) _Static_assert(expr, #expr)
# endif
/* The liburing.so.2 layout on 64-bit Linux; a mismatch breaks binaries. */
LIBURING_ABI_CHECK_(sizeof(struct io_uring_sq) == 104);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, array) == 48);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, sqes) == 56);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, sqe_head) == 64);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, sqe_tail) == 68);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, ring_sz) == 72);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, ring_ptr) == 80);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, ring_mask) == 88);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, ring_entries) == 92);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, sqes_sz) == 96);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_sq, pad) == 100);
LIBURING_ABI_CHECK_(sizeof(struct io_uring_cq) == 88);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_cq, koverflow) == 40);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_cq, cqes) == 48);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_cq, ring_sz) == 56);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_cq, ring_ptr) == 64);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_cq, ring_mask) == 72);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_cq, ring_entries) == 76);
LIBURING_ABI_CHECK_(offsetof(struct io_uring_cq, pad) == 80);
LIBURING_ABI_CHECK_(sizeof(struct io_uring) == 216);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, cq) == 104);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, flags) == 192);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, ring_fd) == 196);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, features) == 200);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, enter_ring_fd) == 204);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, int_flags) == 208);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, pad) == 209);
LIBURING_ABI_CHECK_(offsetof(struct io_uring, pad2) == 212);
# undef LIBURING_ABI_CHECK_
#endif

/* ========================================================================
 * 3. Exported functions
 *
 * Unless said otherwise they return 0 (or a count) on success and -errno on
 * failure; errno is left alone.
 * ======================================================================== */

/* --- Setup and teardown ------------------------------------------------- */

int io_uring_queue_init(unsigned entries, struct io_uring *ring,
			unsigned flags);
int io_uring_queue_init_params(unsigned entries, struct io_uring *ring,
			       struct io_uring_params *p);
/*
 * The rings go in the caller's buf (IORING_SETUP_NO_MMAP). Returns the
 * number of bytes of buf used.
 */
int io_uring_queue_init_mem(unsigned entries, struct io_uring *ring,
			    struct io_uring_params *p,
			    void *buf, size_t buf_size);
/* Map a ring made with io_uring_setup() into *ring. */
int io_uring_queue_mmap(int fd, struct io_uring_params *p,
			struct io_uring *ring);
int io_uring_ring_dontfork(struct io_uring *ring);
void io_uring_queue_exit(struct io_uring *ring);
int io_uring_enable_rings(struct io_uring *ring);
/* Close the ring fd once it is registered; the ring lives on. */
int io_uring_close_ring_fd(struct io_uring *ring);
int io_uring_resize_rings(struct io_uring *ring, struct io_uring_params *p);
/* Whether waits on this ring count as iowait (IORING_ENTER_NO_IOWAIT). */
int io_uring_set_iowait(struct io_uring *ring, bool enable_iowait);

/* Memory a ring would lock (old kernels) or use, in bytes, or -errno. */
ssize_t io_uring_mlock_size(unsigned entries, unsigned flags);
ssize_t io_uring_mlock_size_params(unsigned entries,
				   struct io_uring_params *p);
ssize_t io_uring_memory_size(unsigned entries, unsigned flags);
ssize_t io_uring_memory_size_params(unsigned entries,
				    struct io_uring_params *p);

/* --- Probing and versions ------------------------------------------------ */

/* Allocated with malloc(); release with io_uring_free_probe(). */
struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring);
struct io_uring_probe *io_uring_get_probe(void);
void io_uring_free_probe(struct io_uring_probe *probe);

/* The version of the library loaded at run time. */
int io_uring_major_version(void);
int io_uring_minor_version(void);
/* True when the loaded library is older than major.minor. */
bool io_uring_check_version(int major, int minor);

/* --- Submission and completion ----------------------------------------- */

/* Returns the number of SQEs submitted. */
int io_uring_submit(struct io_uring *ring);
int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr);
int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask);
/* Wait for wait_nr CQEs, but return after min_wait usec if any arrived. */
int io_uring_submit_and_wait_min_timeout(struct io_uring *ring,
					 struct io_uring_cqe **cqe_ptr,
					 unsigned wait_nr,
					 struct __kernel_timespec *ts,
					 unsigned min_wait,
					 sigset_t *sigmask);
/* The wait argument is entry reg_index of the registered wait region. */
int io_uring_submit_and_wait_reg(struct io_uring *ring,
				 struct io_uring_cqe **cqe_ptr,
				 unsigned wait_nr, int reg_index);
/* Flush pending completion work without submitting or waiting. */
int io_uring_get_events(struct io_uring *ring);
int io_uring_submit_and_get_events(struct io_uring *ring);

/* Returns how many CQE pointers were stored (at most count). */
unsigned io_uring_peek_batch_cqe(struct io_uring *ring,
				 struct io_uring_cqe **cqes, unsigned count);
int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask);
int io_uring_wait_cqes_min_timeout(struct io_uring *ring,
				   struct io_uring_cqe **cqe_ptr,
				   unsigned wait_nr,
				   struct __kernel_timespec *ts,
				   unsigned int min_ts_usec,
				   sigset_t *sigmask);
int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts);

/* The slow paths of the inline helpers below; not for direct use. */
int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask);
int __io_uring_sqring_wait(struct io_uring *ring);

/* --- Registered buffers and files --------------------------------------- */

int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
			      unsigned nr_iovecs);
int io_uring_register_buffers_tags(struct io_uring *ring,
				   const struct iovec *iovecs,
				   const __u64 *tags, unsigned nr);
int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr);
int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
					 const struct iovec *iovecs,
					 const __u64 *tags, unsigned nr);
int io_uring_unregister_buffers(struct io_uring *ring);

/* Share src's registered buffers with dst. */
int io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src);
int io_uring_clone_buffers_offset(struct io_uring *dst, struct io_uring *src,
				  unsigned int dst_off, unsigned int src_off,
				  unsigned int nr, unsigned int flags);
/* The same with IORING_REGISTER_* clone flags passed through as given. */
int __io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src,
			     unsigned int flags);
int __io_uring_clone_buffers_offset(struct io_uring *dst,
				    struct io_uring *src,
				    unsigned int dst_off, unsigned int src_off,
				    unsigned int nr, unsigned int flags);

int io_uring_register_files(struct io_uring *ring, const int *files,
			    unsigned nr_files);
int io_uring_register_files_tags(struct io_uring *ring, const int *files,
				 const __u64 *tags, unsigned nr);
int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr);
int io_uring_register_files_update(struct io_uring *ring, unsigned off,
				   const int *files, unsigned nr_files);
int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off,
				       const int *files, const __u64 *tags,
				       unsigned nr_files);
int io_uring_unregister_files(struct io_uring *ring);
int io_uring_register_file_alloc_range(struct io_uring *ring,
				       unsigned off, unsigned len);

/* --- Provided-buffer rings ---------------------------------------------- */

int io_uring_register_buf_ring(struct io_uring *ring,
			       struct io_uring_buf_reg *reg,
			       unsigned int flags);
int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid);
/* Allocate, map and register a ring; NULL with *err = -errno on failure. */
struct io_uring_buf_ring *io_uring_setup_buf_ring(struct io_uring *ring,
						  unsigned int nentries,
						  int bgid, unsigned int flags,
						  int *err);
int io_uring_free_buf_ring(struct io_uring *ring,
			   struct io_uring_buf_ring *br,
			   unsigned int nentries, int bgid);
/* The kernel's consumption point in the group's ring. */
int io_uring_buf_ring_head(struct io_uring *ring, int buf_group,
			   uint16_t *head);

/* --- Other registration ------------------------------------------------- */

int io_uring_register_eventfd(struct io_uring *ring, int fd);
int io_uring_register_eventfd_async(struct io_uring *ring, int fd);
int io_uring_unregister_eventfd(struct io_uring *ring);
int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned nr);
/* Returns the personality id to put in sqe->personality. */
int io_uring_register_personality(struct io_uring *ring);
int io_uring_unregister_personality(struct io_uring *ring, int id);
int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res);
int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz,
			       const cpu_set_t *mask);
int io_uring_unregister_iowq_aff(struct io_uring *ring);
/* values[2]: bounded, unbounded; 0 reads the limit; the old ones come back. */
int io_uring_register_iowq_max_workers(struct io_uring *ring,
				       unsigned int *values);
/* Register the ring fd with itself, so io_uring_enter() skips the fd lookup. */
int io_uring_register_ring_fd(struct io_uring *ring);
int io_uring_unregister_ring_fd(struct io_uring *ring);
int io_uring_register_sync_cancel(struct io_uring *ring,
				  struct io_uring_sync_cancel_reg *reg);
/* Run one IORING_OP_MSG_RING SQE synchronously, without a source ring. */
int io_uring_register_sync_msg(struct io_uring_sqe *sqe);
int io_uring_register_napi(struct io_uring *ring, struct io_uring_napi *napi);
int io_uring_unregister_napi(struct io_uring *ring,
			     struct io_uring_napi *napi);
int io_uring_register_clock(struct io_uring *ring,
			    struct io_uring_clock_register *arg);
int io_uring_register_region(struct io_uring *ring,
			     struct io_uring_mem_region_reg *reg);
/*
 * Kept for source compatibility: the kernel dropped the wait-register ABI
 * this was written for (wait arguments now live in a memory region, see
 * io_uring_register_region()).
 */
int io_uring_register_wait_reg(struct io_uring *ring,
			       struct io_uring_reg_wait *reg, int nr);
int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg);
int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl);
/*
 * IORING_REGISTER_QUERY. A query needs no ring: ring may be NULL (the
 * register call then goes to fd -1). The parameter shape is our reading of
 * 2.15 and consistent with the kernel's interface.
 */
int io_uring_register_query(struct io_uring *ring,
			    struct io_uring_query_hdr *query);
/*
 * IORING_REGISTER_BPF_FILTER, on a ring or (the _task form, ring fd -1) on
 * the calling task. The filter's layout belongs to the kernel's
 * <linux/io_uring/bpf_filter.h>; here it is only passed through.
 */
struct io_uring_bpf;
int io_uring_register_bpf_filter(struct io_uring *ring,
				 struct io_uring_bpf *bpf);
int io_uring_register_bpf_filter_task(struct io_uring_bpf *bpf);

/* --- The raw system calls ------------------------------------------------ */

/*
 * Thin wrappers that return -errno instead of setting errno. On aioring
 * they also reach the user-space engine when fd is one of its rings.
 */
int io_uring_setup(unsigned int entries, struct io_uring_params *p);
int io_uring_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags, sigset_t *sig);
/*
 * arg is a sigset_t *, or with IORING_ENTER_EXT_ARG a struct
 * io_uring_getevents_arg * (sz is its size), hence void * here.
 */
int io_uring_enter2(unsigned int fd, unsigned int to_submit,
		    unsigned int min_complete, unsigned int flags,
		    void *arg, size_t sz);
int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
		      unsigned int nr_args);

/* ========================================================================
 * 4. SQE helpers
 * ======================================================================== */

IOURINGINLINE void io_uring_sqe_set_data(struct io_uring_sqe *sqe, void *data)
{
	sqe->user_data = (__u64) (uintptr_t) data;
}

IOURINGINLINE void io_uring_sqe_set_data64(struct io_uring_sqe *sqe,
					   __u64 data)
{
	sqe->user_data = data;
}

/* Tells code that must also build against old liburing that data64 exists. */
#define LIBURING_HAVE_DATA64

IOURINGINLINE void io_uring_sqe_set_flags(struct io_uring_sqe *sqe,
					  unsigned flags)
{
	sqe->flags = (__u8) flags;
}

IOURINGINLINE void io_uring_sqe_set_buf_group(struct io_uring_sqe *sqe,
					      int bgid)
{
	sqe->buf_group = (__u16) bgid;
}

/*
 * Make the request install its file as a direct descriptor. The kernel
 * reads file_index as slot + 1, because 0 must keep meaning "no slot".
 */
IOURINGINLINE void __io_uring_set_target_fixed_file(struct io_uring_sqe *sqe,
						    unsigned int file_index)
{
	sqe->file_index = file_index + 1;
}

/*
 * Slot requests use IORING_FILE_INDEX_ALLOC for "any free slot"; after the
 * +1 above that must still read as ALLOC, so it is passed as ALLOC - 1.
 */
IOURINGINLINE void __io_uring_set_target_slot(struct io_uring_sqe *sqe,
					      unsigned int file_index)
{
	if (file_index == IORING_FILE_INDEX_ALLOC)
		file_index--;
	__io_uring_set_target_fixed_file(sqe, file_index);
}

/*
 * Clear what io_uring_prep_rw() does not set, so that every prep helper
 * starts from a clean SQE (slots are reused, and the kernel rejects
 * non-zero reserved fields). Done when the SQE is handed out.
 */
IOURINGINLINE void io_uring_initialize_sqe(struct io_uring_sqe *sqe)
{
	sqe->flags = 0;
	sqe->ioprio = 0;
	sqe->rw_flags = 0;
	sqe->buf_index = 0;
	sqe->personality = 0;
	sqe->file_index = 0;
	sqe->addr3 = 0;
	sqe->__pad2[0] = 0;
}

/* log2 of the SQE size in 64-byte units: SQE128 rings index in pairs. */
IOURINGINLINE unsigned io_uring_sqe_shift_from_flags(unsigned flags)
{
	return !!(flags & IORING_SETUP_SQE128);
}

IOURINGINLINE unsigned io_uring_sqe_shift(const struct io_uring *ring)
{
	return io_uring_sqe_shift_from_flags(ring->flags);
}

/*
 * The kernel's SQ head. With SQPOLL the kernel thread moves it while we run,
 * and acquire keeps us from reusing a slot before the kernel's reads of it
 * are done. Otherwise the head only moves inside our own io_uring_enter()
 * calls, so a plain load is enough.
 */
IOURINGINLINE unsigned io_uring_load_sq_head(const struct io_uring *ring)
{
	if (ring->flags & IORING_SETUP_SQPOLL)
		return io_uring_smp_load_acquire(ring->sq.khead);
	return *ring->sq.khead;
}

/* The next free SQE, cleared, or NULL if the SQ ring is full. */
IOURINGINLINE struct io_uring_sqe *_io_uring_get_sqe(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned head = io_uring_load_sq_head(ring);
	unsigned tail = sq->sqe_tail;
	struct io_uring_sqe *sqe;

	if (tail - head >= sq->ring_entries)
		return NULL;

	sqe = &sq->sqes[(tail & sq->ring_mask) << io_uring_sqe_shift(ring)];
	sq->sqe_tail = tail + 1;
	io_uring_initialize_sqe(sqe);
	return sqe;
}

/*
 * Applications get the inline version; the library itself (which defines
 * LIBURING_INTERNAL) exports a real io_uring_get_sqe() for binaries that
 * were built against an older liburing.h that called it.
 */
#ifndef LIBURING_INTERNAL
IOURINGINLINE struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
{
	return _io_uring_get_sqe(ring);
}
#else
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring);
#endif

/* ========================================================================
 * 5. Prep helpers
 *
 * Each fills an SQE obtained from io_uring_get_sqe(): io_uring_prep_rw()
 * sets the five fields every opcode uses, get_sqe cleared the rest.
 * ======================================================================== */

IOURINGINLINE void io_uring_prep_rw(int op, struct io_uring_sqe *sqe, int fd,
				    const void *addr, unsigned len,
				    __u64 offset)
{
	sqe->opcode = (__u8) op;
	sqe->fd = fd;
	sqe->off = offset;
	sqe->addr = (__u64) (uintptr_t) addr;
	sqe->len = len;
}

/* --- No-ops --------------------------------------------------------------- */

IOURINGINLINE void io_uring_prep_nop(struct io_uring_sqe *sqe)
{
	io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
}

/* A 128-byte NOP: needs an SQE from io_uring_get_sqe128(). */
IOURINGINLINE void io_uring_prep_nop128(struct io_uring_sqe *sqe)
{
	io_uring_prep_rw(IORING_OP_NOP128, sqe, -1, NULL, 0, 0);
}

/* --- Reads and writes ----------------------------------------------------- */

IOURINGINLINE void io_uring_prep_read(struct io_uring_sqe *sqe, int fd,
				      void *buf, unsigned nbytes, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_READ, sqe, fd, buf, nbytes, offset);
}

IOURINGINLINE void io_uring_prep_write(struct io_uring_sqe *sqe, int fd,
				       const void *buf, unsigned nbytes,
				       __u64 offset)
{
	io_uring_prep_rw(IORING_OP_WRITE, sqe, fd, buf, nbytes, offset);
}

IOURINGINLINE void io_uring_prep_readv(struct io_uring_sqe *sqe, int fd,
				       const struct iovec *iovecs,
				       unsigned nr_vecs, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_READV, sqe, fd, iovecs, nr_vecs, offset);
}

/* flags: RWF_* as for preadv2(2) */
IOURINGINLINE void io_uring_prep_readv2(struct io_uring_sqe *sqe, int fd,
					const struct iovec *iovecs,
					unsigned nr_vecs, __u64 offset,
					int flags)
{
	io_uring_prep_readv(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = (__kernel_rwf_t) flags;
}

IOURINGINLINE void io_uring_prep_writev(struct io_uring_sqe *sqe, int fd,
					const struct iovec *iovecs,
					unsigned nr_vecs, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_WRITEV, sqe, fd, iovecs, nr_vecs, offset);
}

IOURINGINLINE void io_uring_prep_writev2(struct io_uring_sqe *sqe, int fd,
					 const struct iovec *iovecs,
					 unsigned nr_vecs, __u64 offset,
					 int flags)
{
	io_uring_prep_writev(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = (__kernel_rwf_t) flags;
}

/* buf must lie inside registered buffer buf_index. */
IOURINGINLINE void io_uring_prep_read_fixed(struct io_uring_sqe *sqe, int fd,
					    void *buf, unsigned nbytes,
					    __u64 offset, int buf_index)
{
	io_uring_prep_rw(IORING_OP_READ_FIXED, sqe, fd, buf, nbytes, offset);
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_write_fixed(struct io_uring_sqe *sqe, int fd,
					     const void *buf, unsigned nbytes,
					     __u64 offset, int buf_index)
{
	io_uring_prep_rw(IORING_OP_WRITE_FIXED, sqe, fd, buf, nbytes, offset);
	sqe->buf_index = (__u16) buf_index;
}

/* Vectored I/O whose iovecs all lie inside registered buffer buf_index. */
IOURINGINLINE void io_uring_prep_readv_fixed(struct io_uring_sqe *sqe, int fd,
					     const struct iovec *iovecs,
					     unsigned nr_vecs, __u64 offset,
					     int flags, int buf_index)
{
	io_uring_prep_rw(IORING_OP_READV_FIXED, sqe, fd, iovecs, nr_vecs,
			 offset);
	sqe->rw_flags = (__kernel_rwf_t) flags;
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_writev_fixed(struct io_uring_sqe *sqe, int fd,
					      const struct iovec *iovecs,
					      unsigned nr_vecs, __u64 offset,
					      int flags, int buf_index)
{
	io_uring_prep_rw(IORING_OP_WRITEV_FIXED, sqe, fd, iovecs, nr_vecs,
			 offset);
	sqe->rw_flags = (__kernel_rwf_t) flags;
	sqe->buf_index = (__u16) buf_index;
}

/* One CQE per provided buffer filled, until the file has no more data. */
IOURINGINLINE void io_uring_prep_read_multishot(struct io_uring_sqe *sqe,
						int fd, unsigned nbytes,
						__u64 offset, int buf_group)
{
	io_uring_prep_rw(IORING_OP_READ_MULTISHOT, sqe, fd, NULL, nbytes,
			 offset);
	sqe->buf_group = (__u16) buf_group;
	sqe->flags = IOSQE_BUFFER_SELECT;
}

/* --- File operations ------------------------------------------------------ */

IOURINGINLINE void io_uring_prep_fsync(struct io_uring_sqe *sqe, int fd,
				       unsigned fsync_flags)
{
	io_uring_prep_rw(IORING_OP_FSYNC, sqe, fd, NULL, 0, 0);
	sqe->fsync_flags = fsync_flags;
}

IOURINGINLINE void io_uring_prep_sync_file_range(struct io_uring_sqe *sqe,
						 int fd, unsigned len,
						 __u64 offset, int flags)
{
	io_uring_prep_rw(IORING_OP_SYNC_FILE_RANGE, sqe, fd, NULL, len, offset);
	sqe->sync_range_flags = (__u32) flags;
}

/* The length is 64-bit, so it travels in addr. */
IOURINGINLINE void io_uring_prep_fallocate(struct io_uring_sqe *sqe, int fd,
					   int mode, __u64 offset, __u64 len)
{
	io_uring_prep_rw(IORING_OP_FALLOCATE, sqe, fd, NULL, (unsigned) mode,
			 offset);
	sqe->addr = len;
}

/*
 * liburing spells len loff_t, which glibc hides in strict POSIX builds;
 * int64_t is the very same type on glibc and musl, and always declared.
 */
IOURINGINLINE void io_uring_prep_ftruncate(struct io_uring_sqe *sqe, int fd,
					   int64_t len)
{
	io_uring_prep_rw(IORING_OP_FTRUNCATE, sqe, fd, NULL, 0, (__u64) len);
}

IOURINGINLINE void io_uring_prep_fadvise(struct io_uring_sqe *sqe, int fd,
					 __u64 offset, __u32 len, int advice)
{
	io_uring_prep_rw(IORING_OP_FADVISE, sqe, fd, NULL, len, offset);
	sqe->fadvise_advice = (__u32) advice;
}

/* 64-bit length: the kernel takes it from addr when addr is non-zero. */
IOURINGINLINE void io_uring_prep_fadvise64(struct io_uring_sqe *sqe, int fd,
					   __u64 offset, off_t len, int advice)
{
	io_uring_prep_rw(IORING_OP_FADVISE, sqe, fd, NULL, 0, offset);
	sqe->addr = (__u64) len;
	sqe->fadvise_advice = (__u32) advice;
}

IOURINGINLINE void io_uring_prep_madvise(struct io_uring_sqe *sqe, void *addr,
					 __u32 length, int advice)
{
	io_uring_prep_rw(IORING_OP_MADVISE, sqe, -1, addr, length, 0);
	sqe->fadvise_advice = (__u32) advice;
}

/* 64-bit length: it goes in off, and the address moves to addr. */
IOURINGINLINE void io_uring_prep_madvise64(struct io_uring_sqe *sqe,
					   void *addr, off_t length,
					   int advice)
{
	io_uring_prep_rw(IORING_OP_MADVISE, sqe, -1, NULL, 0, (__u64) length);
	sqe->addr = (__u64) (uintptr_t) addr;
	sqe->fadvise_advice = (__u32) advice;
}

/* Either fd_in or fd_out must be a pipe; an offset of -1 means "none". */
IOURINGINLINE void io_uring_prep_splice(struct io_uring_sqe *sqe,
					int fd_in, int64_t off_in,
					int fd_out, int64_t off_out,
					unsigned int nbytes,
					unsigned int splice_flags)
{
	io_uring_prep_rw(IORING_OP_SPLICE, sqe, fd_out, NULL, nbytes,
			 (__u64) off_out);
	sqe->splice_off_in = (__u64) off_in;
	sqe->splice_fd_in = fd_in;
	sqe->splice_flags = splice_flags;
}

IOURINGINLINE void io_uring_prep_tee(struct io_uring_sqe *sqe,
				     int fd_in, int fd_out,
				     unsigned int nbytes,
				     unsigned int splice_flags)
{
	io_uring_prep_rw(IORING_OP_TEE, sqe, fd_out, NULL, nbytes, 0);
	sqe->splice_off_in = 0;
	sqe->splice_fd_in = fd_in;
	sqe->splice_flags = splice_flags;
}

/* The struct statx result pointer travels in off. */
IOURINGINLINE void io_uring_prep_statx(struct io_uring_sqe *sqe, int dfd,
				       const char *path, int flags,
				       unsigned mask, struct statx *statxbuf)
{
	io_uring_prep_rw(IORING_OP_STATX, sqe, dfd, path, mask,
			 (__u64) (uintptr_t) statxbuf);
	sqe->statx_flags = (__u32) flags;
}

/* --- Opening and closing -------------------------------------------------- */

IOURINGINLINE void io_uring_prep_openat(struct io_uring_sqe *sqe, int dfd,
					const char *path, int flags,
					mode_t mode)
{
	io_uring_prep_rw(IORING_OP_OPENAT, sqe, dfd, path, mode, 0);
	sqe->open_flags = (__u32) flags;
}

/* Open into direct descriptor slot file_index (or IORING_FILE_INDEX_ALLOC). */
IOURINGINLINE void io_uring_prep_openat_direct(struct io_uring_sqe *sqe,
					       int dfd, const char *path,
					       int flags, mode_t mode,
					       unsigned file_index)
{
	io_uring_prep_openat(sqe, dfd, path, flags, mode);
	__io_uring_set_target_slot(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_open(struct io_uring_sqe *sqe,
				      const char *path, int flags,
				      mode_t mode)
{
	io_uring_prep_openat(sqe, AT_FDCWD, path, flags, mode);
}

IOURINGINLINE void io_uring_prep_open_direct(struct io_uring_sqe *sqe,
					     const char *path, int flags,
					     mode_t mode, unsigned file_index)
{
	io_uring_prep_openat_direct(sqe, AT_FDCWD, path, flags, mode,
				    file_index);
}

/* The kernel copies *how (its size in len), so it need not outlive submit. */
IOURINGINLINE void io_uring_prep_openat2(struct io_uring_sqe *sqe, int dfd,
					 const char *path,
					 const struct open_how *how)
{
	io_uring_prep_rw(IORING_OP_OPENAT2, sqe, dfd, path,
			 (unsigned) sizeof(*how), (__u64) (uintptr_t) how);
}

IOURINGINLINE void io_uring_prep_openat2_direct(struct io_uring_sqe *sqe,
						int dfd, const char *path,
						const struct open_how *how,
						unsigned file_index)
{
	io_uring_prep_openat2(sqe, dfd, path, how);
	__io_uring_set_target_slot(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_close(struct io_uring_sqe *sqe, int fd)
{
	io_uring_prep_rw(IORING_OP_CLOSE, sqe, fd, NULL, 0, 0);
}

IOURINGINLINE void io_uring_prep_close_direct(struct io_uring_sqe *sqe,
					      unsigned file_index)
{
	io_uring_prep_close(sqe, 0);
	__io_uring_set_target_fixed_file(sqe, file_index);
}

/* Replace registered files from slot offset on; the kernel may pick slots. */
IOURINGINLINE void io_uring_prep_files_update(struct io_uring_sqe *sqe,
					      int *fds, unsigned nr_fds,
					      int offset)
{
	io_uring_prep_rw(IORING_OP_FILES_UPDATE, sqe, -1, fds, nr_fds,
			 (__u64) offset);
}

/* Turn direct descriptor fd into a regular one (close-on-exec by default). */
IOURINGINLINE void io_uring_prep_fixed_fd_install(struct io_uring_sqe *sqe,
						  int fd, unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_FIXED_FD_INSTALL, sqe, fd, NULL, 0, 0);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->install_fd_flags = flags;
}

/* fds[2] receives the pipe, as pipe2(2) with pipe_flags. */
IOURINGINLINE void io_uring_prep_pipe(struct io_uring_sqe *sqe, int *fds,
				      int pipe_flags)
{
	io_uring_prep_rw(IORING_OP_PIPE, sqe, 0, fds, 0, 0);
	sqe->pipe_flags = (__u32) pipe_flags;
}

IOURINGINLINE void io_uring_prep_pipe_direct(struct io_uring_sqe *sqe,
					     int *fds, int pipe_flags,
					     unsigned int file_index)
{
	io_uring_prep_pipe(sqe, fds, pipe_flags);
	__io_uring_set_target_slot(sqe, file_index);
}

/* --- Path operations ------------------------------------------------------ */

IOURINGINLINE void io_uring_prep_unlinkat(struct io_uring_sqe *sqe, int dfd,
					  const char *path, int flags)
{
	io_uring_prep_rw(IORING_OP_UNLINKAT, sqe, dfd, path, 0, 0);
	sqe->unlink_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_unlink(struct io_uring_sqe *sqe,
					const char *path, int flags)
{
	io_uring_prep_unlinkat(sqe, AT_FDCWD, path, flags);
}

/* The second directory fd goes in len, the second path in off. */
IOURINGINLINE void io_uring_prep_renameat(struct io_uring_sqe *sqe,
					  int olddfd, const char *oldpath,
					  int newdfd, const char *newpath,
					  unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_RENAMEAT, sqe, olddfd, oldpath,
			 (unsigned) newdfd, (__u64) (uintptr_t) newpath);
	sqe->rename_flags = flags;
}

IOURINGINLINE void io_uring_prep_rename(struct io_uring_sqe *sqe,
					const char *oldpath,
					const char *newpath)
{
	io_uring_prep_renameat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

IOURINGINLINE void io_uring_prep_mkdirat(struct io_uring_sqe *sqe, int dfd,
					 const char *path, mode_t mode)
{
	io_uring_prep_rw(IORING_OP_MKDIRAT, sqe, dfd, path, mode, 0);
}

IOURINGINLINE void io_uring_prep_mkdir(struct io_uring_sqe *sqe,
				       const char *path, mode_t mode)
{
	io_uring_prep_mkdirat(sqe, AT_FDCWD, path, mode);
}

IOURINGINLINE void io_uring_prep_symlinkat(struct io_uring_sqe *sqe,
					   const char *target, int newdirfd,
					   const char *linkpath)
{
	io_uring_prep_rw(IORING_OP_SYMLINKAT, sqe, newdirfd, target, 0,
			 (__u64) (uintptr_t) linkpath);
}

IOURINGINLINE void io_uring_prep_symlink(struct io_uring_sqe *sqe,
					 const char *target,
					 const char *linkpath)
{
	io_uring_prep_symlinkat(sqe, target, AT_FDCWD, linkpath);
}

IOURINGINLINE void io_uring_prep_linkat(struct io_uring_sqe *sqe, int olddfd,
					const char *oldpath, int newdfd,
					const char *newpath, int flags)
{
	io_uring_prep_rw(IORING_OP_LINKAT, sqe, olddfd, oldpath,
			 (unsigned) newdfd, (__u64) (uintptr_t) newpath);
	sqe->hardlink_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_link(struct io_uring_sqe *sqe,
				      const char *oldpath,
				      const char *newpath, int flags)
{
	io_uring_prep_linkat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, flags);
}

/* --- Extended attributes -------------------------------------------------- */

/* The name goes in addr, the value in off, a path in addr3. */
IOURINGINLINE void io_uring_prep_getxattr(struct io_uring_sqe *sqe,
					  const char *name, char *value,
					  const char *path, unsigned int len)
{
	io_uring_prep_rw(IORING_OP_GETXATTR, sqe, 0, name, len,
			 (__u64) (uintptr_t) value);
	sqe->addr3 = (__u64) (uintptr_t) path;
	sqe->xattr_flags = 0;
}

IOURINGINLINE void io_uring_prep_setxattr(struct io_uring_sqe *sqe,
					  const char *name, const char *value,
					  const char *path, int flags,
					  unsigned int len)
{
	io_uring_prep_rw(IORING_OP_SETXATTR, sqe, 0, name, len,
			 (__u64) (uintptr_t) value);
	sqe->addr3 = (__u64) (uintptr_t) path;
	sqe->xattr_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_fgetxattr(struct io_uring_sqe *sqe, int fd,
					   const char *name, char *value,
					   unsigned int len)
{
	io_uring_prep_rw(IORING_OP_FGETXATTR, sqe, fd, name, len,
			 (__u64) (uintptr_t) value);
	sqe->xattr_flags = 0;
}

IOURINGINLINE void io_uring_prep_fsetxattr(struct io_uring_sqe *sqe, int fd,
					   const char *name, const char *value,
					   int flags, unsigned int len)
{
	io_uring_prep_rw(IORING_OP_FSETXATTR, sqe, fd, name, len,
			 (__u64) (uintptr_t) value);
	sqe->xattr_flags = (__u32) flags;
}

/* --- Polling -------------------------------------------------------------- */

/*
 * poll32_events is read by the kernel as two 16-bit halves in little-endian
 * order (the old 16-bit poll_events overlays the first half), so on a
 * big-endian machine the halves are swapped.
 */
IOURINGINLINE unsigned __io_uring_prep_poll_mask(unsigned poll_mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	poll_mask = (poll_mask << 16) | (poll_mask >> 16);
#endif
	return poll_mask;
}

IOURINGINLINE void io_uring_prep_poll_add(struct io_uring_sqe *sqe, int fd,
					  unsigned poll_mask)
{
	io_uring_prep_rw(IORING_OP_POLL_ADD, sqe, fd, NULL, 0, 0);
	sqe->poll32_events = __io_uring_prep_poll_mask(poll_mask);
}

/* Stays armed: a CQE with IORING_CQE_F_MORE per event. */
IOURINGINLINE void io_uring_prep_poll_multishot(struct io_uring_sqe *sqe,
						int fd, unsigned poll_mask)
{
	io_uring_prep_poll_add(sqe, fd, poll_mask);
	sqe->len = IORING_POLL_ADD_MULTI;
}

IOURINGINLINE void io_uring_prep_poll_remove(struct io_uring_sqe *sqe,
					     __u64 user_data)
{
	io_uring_prep_rw(IORING_OP_POLL_REMOVE, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
}

/* flags: IORING_POLL_UPDATE_EVENTS / _USER_DATA say which to change. */
IOURINGINLINE void io_uring_prep_poll_update(struct io_uring_sqe *sqe,
					     __u64 old_user_data,
					     __u64 new_user_data,
					     unsigned poll_mask, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_POLL_REMOVE, sqe, -1, NULL, flags,
			 new_user_data);
	sqe->addr = old_user_data;
	sqe->poll32_events = __io_uring_prep_poll_mask(poll_mask);
}

IOURINGINLINE void io_uring_prep_epoll_ctl(struct io_uring_sqe *sqe, int epfd,
					   int fd, int op,
					   const struct epoll_event *ev)
{
	io_uring_prep_rw(IORING_OP_EPOLL_CTL, sqe, epfd, ev, (unsigned) op,
			 (__u64) (__u32) fd);
}

IOURINGINLINE void io_uring_prep_epoll_wait(struct io_uring_sqe *sqe, int fd,
					    struct epoll_event *events,
					    int maxevents, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_EPOLL_WAIT, sqe, fd, events,
			 (unsigned) maxevents, 0);
	sqe->rw_flags = (__kernel_rwf_t) flags;
}

/* --- Timeouts and cancellation -------------------------------------------- */

/*
 * Completes after *ts, or once count other CQEs have been posted (0: time
 * only). len is the number of timespecs, always one.
 */
IOURINGINLINE void io_uring_prep_timeout(struct io_uring_sqe *sqe,
					 struct __kernel_timespec *ts,
					 unsigned count, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT, sqe, -1, ts, 1, count);
	sqe->timeout_flags = flags;
}

IOURINGINLINE void io_uring_prep_timeout_remove(struct io_uring_sqe *sqe,
						__u64 user_data, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
	sqe->timeout_flags = flags;
}

/* Re-arm timeout user_data with *ts; the new timespec travels in off. */
IOURINGINLINE void io_uring_prep_timeout_update(struct io_uring_sqe *sqe,
						struct __kernel_timespec *ts,
						__u64 user_data, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0,
			 (__u64) (uintptr_t) ts);
	sqe->addr = user_data;
	sqe->timeout_flags = flags | IORING_TIMEOUT_UPDATE;
}

/* Bounds the request linked before it (IOSQE_IO_LINK). */
IOURINGINLINE void io_uring_prep_link_timeout(struct io_uring_sqe *sqe,
					      struct __kernel_timespec *ts,
					      unsigned flags)
{
	io_uring_prep_rw(IORING_OP_LINK_TIMEOUT, sqe, -1, ts, 1, 0);
	sqe->timeout_flags = flags;
}

IOURINGINLINE void io_uring_prep_cancel64(struct io_uring_sqe *sqe,
					  __u64 user_data, int flags)
{
	io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
	sqe->cancel_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_cancel(struct io_uring_sqe *sqe,
					void *user_data, int flags)
{
	io_uring_prep_cancel64(sqe, (__u64) (uintptr_t) user_data, flags);
}

IOURINGINLINE void io_uring_prep_cancel_fd(struct io_uring_sqe *sqe, int fd,
					   unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, fd, NULL, 0, 0);
	sqe->cancel_flags = flags | IORING_ASYNC_CANCEL_FD;
}

/* --- Sockets: setup ------------------------------------------------------- */

IOURINGINLINE void io_uring_prep_socket(struct io_uring_sqe *sqe, int domain,
					int type, int protocol,
					unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_SOCKET, sqe, domain, NULL,
			 (unsigned) protocol, (__u64) type);
	sqe->rw_flags = (__kernel_rwf_t) flags;
}

IOURINGINLINE void io_uring_prep_socket_direct(struct io_uring_sqe *sqe,
					       int domain, int type,
					       int protocol,
					       unsigned file_index,
					       unsigned int flags)
{
	io_uring_prep_socket(sqe, domain, type, protocol, flags);
	__io_uring_set_target_slot(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_socket_direct_alloc(struct io_uring_sqe *sqe,
						     int domain, int type,
						     int protocol,
						     unsigned int flags)
{
	io_uring_prep_socket_direct(sqe, domain, type, protocol,
				    IORING_FILE_INDEX_ALLOC, flags);
}

/* addrlen is a value here, so it fits in off. */
IOURINGINLINE void io_uring_prep_connect(struct io_uring_sqe *sqe, int fd,
					 const struct sockaddr *addr,
					 socklen_t addrlen)
{
	io_uring_prep_rw(IORING_OP_CONNECT, sqe, fd, addr, 0, addrlen);
}

IOURINGINLINE void io_uring_prep_bind(struct io_uring_sqe *sqe, int fd,
				      struct sockaddr *addr,
				      socklen_t addrlen)
{
	io_uring_prep_rw(IORING_OP_BIND, sqe, fd, addr, 0, addrlen);
}

IOURINGINLINE void io_uring_prep_listen(struct io_uring_sqe *sqe, int fd,
					int backlog)
{
	io_uring_prep_rw(IORING_OP_LISTEN, sqe, fd, NULL, (unsigned) backlog, 0);
}

/* addrlen is in/out, so its address travels in off. */
IOURINGINLINE void io_uring_prep_accept(struct io_uring_sqe *sqe, int fd,
					struct sockaddr *addr,
					socklen_t *addrlen, int flags)
{
	io_uring_prep_rw(IORING_OP_ACCEPT, sqe, fd, addr, 0,
			 (__u64) (uintptr_t) addrlen);
	sqe->accept_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_accept_direct(struct io_uring_sqe *sqe,
					       int fd, struct sockaddr *addr,
					       socklen_t *addrlen, int flags,
					       unsigned int file_index)
{
	io_uring_prep_accept(sqe, fd, addr, addrlen, flags);
	__io_uring_set_target_slot(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_multishot_accept(struct io_uring_sqe *sqe,
						  int fd, struct sockaddr *addr,
						  socklen_t *addrlen,
						  int flags)
{
	io_uring_prep_accept(sqe, fd, addr, addrlen, flags);
	sqe->ioprio |= IORING_ACCEPT_MULTISHOT;
}

/* Every accepted socket goes to a free direct descriptor slot. */
IOURINGINLINE void
io_uring_prep_multishot_accept_direct(struct io_uring_sqe *sqe, int fd,
				      struct sockaddr *addr,
				      socklen_t *addrlen, int flags)
{
	io_uring_prep_multishot_accept(sqe, fd, addr, addrlen, flags);
	__io_uring_set_target_slot(sqe, IORING_FILE_INDEX_ALLOC);
}

IOURINGINLINE void io_uring_prep_shutdown(struct io_uring_sqe *sqe, int fd,
					  int how)
{
	io_uring_prep_rw(IORING_OP_SHUTDOWN, sqe, fd, NULL, (unsigned) how, 0);
}

/* --- Sockets: data -------------------------------------------------------- */

IOURINGINLINE void io_uring_prep_send(struct io_uring_sqe *sqe, int sockfd,
				      const void *buf, size_t len, int flags)
{
	io_uring_prep_rw(IORING_OP_SEND, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
}

/* Sends from as many provided buffers (IOSQE_BUFFER_SELECT) as fit in len. */
IOURINGINLINE void io_uring_prep_send_bundle(struct io_uring_sqe *sqe,
					     int sockfd, size_t len, int flags)
{
	io_uring_prep_send(sqe, sockfd, NULL, len, flags);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
}

/* Turn a send or send_zc into a sendto. */
IOURINGINLINE void io_uring_prep_send_set_addr(struct io_uring_sqe *sqe,
					       const struct sockaddr *dest_addr,
					       __u16 addr_len)
{
	sqe->addr2 = (__u64) (uintptr_t) dest_addr;
	sqe->addr_len = addr_len;
}

IOURINGINLINE void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd,
					const void *buf, size_t len, int flags,
					const struct sockaddr *addr,
					socklen_t addrlen)
{
	io_uring_prep_send(sqe, sockfd, buf, len, flags);
	io_uring_prep_send_set_addr(sqe, addr, (__u16) addrlen);
}

/*
 * Zero-copy send: a second CQE (IORING_CQE_F_NOTIF) says when buf may be
 * reused. zc_flags are IORING_RECVSEND_* / IORING_SEND_ZC_* and go in ioprio.
 */
IOURINGINLINE void io_uring_prep_send_zc(struct io_uring_sqe *sqe, int sockfd,
					 const void *buf, size_t len, int flags,
					 unsigned zc_flags)
{
	io_uring_prep_rw(IORING_OP_SEND_ZC, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
	sqe->ioprio = (__u16) zc_flags;
}

IOURINGINLINE void io_uring_prep_send_zc_fixed(struct io_uring_sqe *sqe,
					       int sockfd, const void *buf,
					       size_t len, int flags,
					       unsigned zc_flags,
					       unsigned buf_index)
{
	io_uring_prep_send_zc(sqe, sockfd, buf, len, flags, zc_flags);
	sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_recv(struct io_uring_sqe *sqe, int sockfd,
				      void *buf, size_t len, int flags)
{
	io_uring_prep_rw(IORING_OP_RECV, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
}

/* Needs provided buffers: one CQE per receive, IORING_CQE_F_MORE while armed. */
IOURINGINLINE void io_uring_prep_recv_multishot(struct io_uring_sqe *sqe,
						int sockfd, void *buf,
						size_t len, int flags)
{
	io_uring_prep_recv(sqe, sockfd, buf, len, flags);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
}

/* len is the iovec count of a msghdr: always one msghdr. */
IOURINGINLINE void io_uring_prep_sendmsg(struct io_uring_sqe *sqe, int fd,
					 const struct msghdr *msg,
					 unsigned flags)
{
	io_uring_prep_rw(IORING_OP_SENDMSG, sqe, fd, msg, 1, 0);
	sqe->msg_flags = flags;
}

IOURINGINLINE void io_uring_prep_sendmsg_zc(struct io_uring_sqe *sqe, int fd,
					    const struct msghdr *msg,
					    unsigned flags)
{
	io_uring_prep_sendmsg(sqe, fd, msg, flags);
	sqe->opcode = IORING_OP_SENDMSG_ZC;
}

IOURINGINLINE void io_uring_prep_sendmsg_zc_fixed(struct io_uring_sqe *sqe,
						  int fd,
						  const struct msghdr *msg,
						  unsigned flags,
						  unsigned buf_index)
{
	io_uring_prep_sendmsg_zc(sqe, fd, msg, flags);
	sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_recvmsg(struct io_uring_sqe *sqe, int fd,
					 struct msghdr *msg, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_RECVMSG, sqe, fd, msg, 1, 0);
	sqe->msg_flags = flags;
}

/*
 * Each completion's buffer holds a struct io_uring_recvmsg_out, then the
 * name, control data and payload: see io_uring_recvmsg_validate().
 */
IOURINGINLINE void io_uring_prep_recvmsg_multishot(struct io_uring_sqe *sqe,
						   int fd, struct msghdr *msg,
						   unsigned flags)
{
	io_uring_prep_recvmsg(sqe, fd, msg, flags);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
}

/* --- Pass-through commands ------------------------------------------------ */

IOURINGINLINE void io_uring_prep_uring_cmd(struct io_uring_sqe *sqe,
					   int cmd_op, int fd)
{
	/* off = 0 also clears __pad1, which shares its word with cmd_op. */
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = (__u32) cmd_op;
}

/* The 128-byte form: needs an SQE from io_uring_get_sqe128(). */
IOURINGINLINE void io_uring_prep_uring_cmd128(struct io_uring_sqe *sqe,
					      int cmd_op, int fd)
{
	io_uring_prep_rw(IORING_OP_URING_CMD128, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = (__u32) cmd_op;
}

/* Socket commands: SOCKET_URING_OP_GETSOCKOPT/SETSOCKOPT and the like. */
IOURINGINLINE void io_uring_prep_cmd_sock(struct io_uring_sqe *sqe,
					  int cmd_op, int fd, int level,
					  int optname, void *optval,
					  int optlen)
{
	io_uring_prep_uring_cmd(sqe, cmd_op, fd);
	sqe->level = (__u32) level;
	sqe->optname = (__u32) optname;
	sqe->optval = (__u64) (uintptr_t) optval;
	sqe->optlen = (__u32) optlen;
}

/* getsockname(2), or getpeername(2) when peer is non-zero. */
IOURINGINLINE void io_uring_prep_cmd_getsockname(struct io_uring_sqe *sqe,
						 int fd,
						 struct sockaddr *sockaddr,
						 socklen_t *sockaddr_len,
						 int peer)
{
	io_uring_prep_uring_cmd(sqe, SOCKET_URING_OP_GETSOCKNAME, fd);
	sqe->addr = (__u64) (uintptr_t) sockaddr;
	sqe->addr3 = (__u64) (uintptr_t) sockaddr_len;
	sqe->optlen = (__u32) peer;
}

/* Discard nbytes at offset of a block device. */
IOURINGINLINE void io_uring_prep_cmd_discard(struct io_uring_sqe *sqe,
					     int fd, uint64_t offset,
					     uint64_t nbytes)
{
	io_uring_prep_uring_cmd(sqe, (int) BLOCK_URING_CMD_DISCARD, fd);
	sqe->addr = offset;
	sqe->addr3 = nbytes;
}

/* --- Rings talking to rings ----------------------------------------------- */

/*
 * Post a CQE on the ring behind fd: res = len, user_data = data. addr is
 * IORING_MSG_DATA (0), which the prep_rw NULL already says.
 */
IOURINGINLINE void io_uring_prep_msg_ring(struct io_uring_sqe *sqe, int fd,
					  unsigned int len, __u64 data,
					  unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_MSG_RING, sqe, fd, NULL, len, data);
	sqe->msg_ring_flags = flags;
}

/* The same, choosing the target CQE's flags too. */
IOURINGINLINE void io_uring_prep_msg_ring_cqe_flags(struct io_uring_sqe *sqe,
						    int fd, unsigned int len,
						    __u64 data,
						    unsigned int flags,
						    unsigned int cqe_flags)
{
	io_uring_prep_msg_ring(sqe, fd, len, data,
			       IORING_MSG_RING_FLAGS_PASS | flags);
	sqe->file_index = cqe_flags;
}

/*
 * Install our direct descriptor source_fd in the target ring's slot
 * target_fd (IORING_FILE_INDEX_ALLOC: any free one); its CQE carries data.
 */
IOURINGINLINE void io_uring_prep_msg_ring_fd(struct io_uring_sqe *sqe, int fd,
					     int source_fd, int target_fd,
					     __u64 data, unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_MSG_RING, sqe, fd,
			 (void *) (uintptr_t) IORING_MSG_SEND_FD, 0, data);
	sqe->addr3 = (__u64) source_fd;
	__io_uring_set_target_slot(sqe, (unsigned) target_fd);
	sqe->msg_ring_flags = flags;
}

IOURINGINLINE void io_uring_prep_msg_ring_fd_alloc(struct io_uring_sqe *sqe,
						   int fd, int source_fd,
						   __u64 data,
						   unsigned int flags)
{
	io_uring_prep_msg_ring_fd(sqe, fd, source_fd,
				  (int) IORING_FILE_INDEX_ALLOC, data, flags);
}

/* --- Processes and futexes ------------------------------------------------ */

/* As waitid(2): the options go in file_index, the siginfo pointer in addr2. */
IOURINGINLINE void io_uring_prep_waitid(struct io_uring_sqe *sqe,
					idtype_t idtype, id_t id,
					siginfo_t *infop, int options,
					unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_WAITID, sqe, (int) id, NULL,
			 (unsigned) idtype, 0);
	sqe->waitid_flags = flags;
	sqe->file_index = (__u32) options;
	sqe->addr2 = (__u64) (uintptr_t) infop;
}

/*
 * futex2 semantics: futex_flags (FUTEX2_*) go in fd, val in off, the bitset
 * mask in addr3; flags are io_uring's own and must be 0 for now.
 */
IOURINGINLINE void io_uring_prep_futex_wake(struct io_uring_sqe *sqe,
					    uint32_t *futex, uint64_t val,
					    uint64_t mask,
					    uint32_t futex_flags,
					    unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_FUTEX_WAKE, sqe, (int) futex_flags, futex, 0,
			 val);
	sqe->futex_flags = flags;
	sqe->addr3 = mask;
}

IOURINGINLINE void io_uring_prep_futex_wait(struct io_uring_sqe *sqe,
					    uint32_t *futex, uint64_t val,
					    uint64_t mask,
					    uint32_t futex_flags,
					    unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_FUTEX_WAIT, sqe, (int) futex_flags, futex, 0,
			 val);
	sqe->futex_flags = flags;
	sqe->addr3 = mask;
}

IOURINGINLINE void io_uring_prep_futex_waitv(struct io_uring_sqe *sqe,
					     struct futex_waitv *futex,
					     uint32_t nr_futex,
					     unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_FUTEX_WAITV, sqe, 0, futex, nr_futex, 0);
	sqe->futex_flags = flags;
}

/* --- Legacy provided buffers ---------------------------------------------- */

/* nr buffers of len bytes from addr, with ids bid, bid + 1, ... */
IOURINGINLINE void io_uring_prep_provide_buffers(struct io_uring_sqe *sqe,
						 void *addr, int len, int nr,
						 int bgid, int bid)
{
	io_uring_prep_rw(IORING_OP_PROVIDE_BUFFERS, sqe, nr, addr,
			 (unsigned) len, (__u64) bid);
	sqe->buf_group = (__u16) bgid;
}

IOURINGINLINE void io_uring_prep_remove_buffers(struct io_uring_sqe *sqe,
						int nr, int bgid)
{
	io_uring_prep_rw(IORING_OP_REMOVE_BUFFERS, sqe, nr, NULL, 0, 0);
	sqe->buf_group = (__u16) bgid;
}

/* ========================================================================
 * 6. Ring state and completions
 * ======================================================================== */

/* SQEs handed out by io_uring_get_sqe() but not yet consumed by the kernel. */
IOURINGINLINE unsigned io_uring_sq_ready(const struct io_uring *ring)
{
	return ring->sq.sqe_tail - io_uring_load_sq_head(ring);
}

IOURINGINLINE unsigned io_uring_sq_space_left(const struct io_uring *ring)
{
	return ring->sq.ring_entries - io_uring_sq_ready(ring);
}

/*
 * Two adjacent SQE slots for a 128-byte opcode. On an IORING_SETUP_SQE128
 * ring every SQE is big; on an IORING_SETUP_SQE_MIXED ring a big SQE may not
 * wrap around the end of the array, so when only the last slot is left
 * before the wrap it is filled with a NOP that posts no CQE. NULL when there
 * is no room, or when the ring has no big SQEs at all.
 */
IOURINGINLINE struct io_uring_sqe *io_uring_get_sqe128(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned head, tail, need;
	struct io_uring_sqe *sqe;

	if (ring->flags & IORING_SETUP_SQE128)
		return _io_uring_get_sqe(ring);
	if (!(ring->flags & IORING_SETUP_SQE_MIXED))
		return NULL;

	head = io_uring_load_sq_head(ring);
	tail = sq->sqe_tail;
	need = (tail & sq->ring_mask) == sq->ring_mask ? 3 : 2;
	if (tail - head + need > sq->ring_entries)
		return NULL;

	if (need == 3) {
		sqe = &sq->sqes[tail & sq->ring_mask];
		io_uring_initialize_sqe(sqe);
		io_uring_prep_nop(sqe);
		sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
		sqe->user_data = 0;
		tail++;
	}
	sqe = &sq->sqes[tail & sq->ring_mask];
	sq->sqe_tail = tail + 2;
	io_uring_initialize_sqe(sqe);
	return sqe;
}

/*
 * With SQPOLL, wait until the kernel thread has made room in the SQ ring.
 * Without it there is nothing to wait for: only io_uring_submit() frees
 * slots.
 */
IOURINGINLINE int io_uring_sqring_wait(struct io_uring *ring)
{
	if (!(ring->flags & IORING_SETUP_SQPOLL))
		return 0;
	if (io_uring_sq_space_left(ring))
		return 0;
	return __io_uring_sqring_wait(ring);
}

/*
 * CQEs posted and not yet consumed. Acquire on the tail so that the CQEs it
 * covers are read after it (pairs with the kernel's release of cq.tail).
 */
IOURINGINLINE unsigned io_uring_cq_ready(const struct io_uring *ring)
{
	return io_uring_smp_load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

/* CQEs are waiting in the kernel's overflow list: flush with get_events. */
IOURINGINLINE bool io_uring_cq_has_overflow(const struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW;
}

IOURINGINLINE bool io_uring_cq_eventfd_enabled(const struct io_uring *ring)
{
	/* Kernels without cq.flags cannot turn the eventfd off. */
	if (!ring->cq.kflags)
		return true;
	return !(*ring->cq.kflags & IORING_CQ_EVENTFD_DISABLED);
}

IOURINGINLINE int io_uring_cq_eventfd_toggle(struct io_uring *ring,
					     bool enabled)
{
	unsigned flags;

	if (enabled == io_uring_cq_eventfd_enabled(ring))
		return 0;
	if (!ring->cq.kflags)
		return -EOPNOTSUPP;

	/* We are the only writer of cq.flags; no data hangs off it. */
	flags = *ring->cq.kflags;
	if (enabled)
		flags &= ~IORING_CQ_EVENTFD_DISABLED;
	else
		flags |= IORING_CQ_EVENTFD_DISABLED;
	IO_URING_WRITE_ONCE(*ring->cq.kflags, flags);
	return 0;
}

/*
 * Hand nr CQE slots back. Release, so that our reads of those CQEs are done
 * before the kernel can see the slots as free and overwrite them.
 */
IOURINGINLINE void io_uring_cq_advance(struct io_uring *ring, unsigned nr)
{
	if (nr) {
		struct io_uring_cq *cq = &ring->cq;

		io_uring_smp_store_release(cq->khead, *cq->khead + nr);
	}
}

/* log2 of the CQE size in 16-byte units: CQE32 rings index in pairs. */
IOURINGINLINE unsigned io_uring_cqe_shift_from_flags(unsigned flags)
{
	return !!(flags & IORING_SETUP_CQE32);
}

IOURINGINLINE unsigned io_uring_cqe_shift(const struct io_uring *ring)
{
	return io_uring_cqe_shift_from_flags(ring->flags);
}

/*
 * Ring slots this CQE occupies: two for a big CQE on an
 * IORING_SETUP_CQE_MIXED ring, else one (a CQE32 ring counts big CQEs as one
 * entry of double size instead).
 */
IOURINGINLINE unsigned io_uring_cqe_nr(const struct io_uring_cqe *cqe)
{
	return (cqe->flags & IORING_CQE_F_32) ? 2 : 1;
}

/* Mark a CQE from peek/wait/for_each consumed. */
IOURINGINLINE void io_uring_cqe_seen(struct io_uring *ring,
				     struct io_uring_cqe *cqe)
{
	if (cqe)
		io_uring_cq_advance(ring, io_uring_cqe_nr(cqe));
}

IOURINGINLINE void *io_uring_cqe_get_data(const struct io_uring_cqe *cqe)
{
	return (void *) (uintptr_t) cqe->user_data;
}

IOURINGINLINE __u64 io_uring_cqe_get_data64(const struct io_uring_cqe *cqe)
{
	return cqe->user_data;
}

/*
 * An iterator over the CQEs present when the walk starts, consuming none of
 * them. The tail is read once, with acquire (see io_uring_cq_ready()).
 */
struct io_uring_cqe_iter {
	struct io_uring_cqe *cqes;
	unsigned mask;
	unsigned shift;
	unsigned head;
	unsigned tail;
};

IOURINGINLINE struct io_uring_cqe_iter
io_uring_cqe_iter_init(const struct io_uring *ring)
{
	struct io_uring_cqe_iter it;

	it.cqes = ring->cq.cqes;
	it.mask = ring->cq.ring_mask;
	it.shift = io_uring_cqe_shift(ring);
	it.head = *ring->cq.khead;
	it.tail = io_uring_smp_load_acquire(ring->cq.ktail);
	return it;
}

/*
 * Every slot-holder is returned, including IORING_CQE_F_SKIP padding on a
 * mixed ring, so that advancing by io_uring_cqe_nr() of each one keeps the
 * head exact.
 */
IOURINGINLINE bool io_uring_cqe_iter_next(struct io_uring_cqe_iter *it,
					  struct io_uring_cqe **cqe)
{
	if (it->head == it->tail)
		return false;
	*cqe = &it->cqes[(it->head & it->mask) << it->shift];
	it->head += io_uring_cqe_nr(*cqe);
	return true;
}

/* The CQE at ring index head, or NULL once head reaches the tail. */
IOURINGINLINE struct io_uring_cqe *
__io_uring_cqe_at_head(const struct io_uring *ring, unsigned head)
{
	if (head == io_uring_smp_load_acquire(ring->cq.ktail))
		return NULL;
	return &ring->cq.cqes[(head & ring->cq.ring_mask) <<
			      io_uring_cqe_shift(ring)];
}

/*
 * for (each CQE ready) { ... }, head being the CQE's ring index. Nothing is
 * consumed: afterwards, io_uring_cq_advance() by the count seen (or
 * io_uring_cqe_seen() on each). The tail is re-read each round, so CQEs
 * posted meanwhile are included. head is a plain unsigned the caller
 * declares; reading it in the condition also keeps -Wunused-but-set-variable
 * quiet in loops that never look at it.
 */
#define io_uring_for_each_cqe(ring, head, cqe)				\
	for ((head) = *(ring)->cq.khead;				\
	     ((cqe) = __io_uring_cqe_at_head((ring), (head))) != NULL;	\
	     (head) += io_uring_cqe_nr(cqe))

/*
 * The first CQE for the application, or NULL, without entering the kernel.
 * Consumes what is not for the application: the internal timeout of
 * io_uring_wait_cqes() on kernels without IORING_FEAT_EXT_ARG (its error,
 * typically -ETIME, is returned), and padding on a CQE_MIXED ring.
 * *nr_available, if given, is the number of slots ready.
 */
IOURINGINLINE int __io_uring_peek_cqe(struct io_uring *ring,
				      struct io_uring_cqe **cqe_ptr,
				      unsigned *nr_available)
{
	unsigned mask = ring->cq.ring_mask;
	unsigned shift = io_uring_cqe_shift(ring);
	struct io_uring_cqe *cqe;
	unsigned available;
	int err = 0;

	for (;;) {
		unsigned tail = io_uring_smp_load_acquire(ring->cq.ktail);
		unsigned head = *ring->cq.khead;

		cqe = NULL;
		available = tail - head;
		if (!available)
			break;

		cqe = &ring->cq.cqes[(head & mask) << shift];
		if ((ring->flags & IORING_SETUP_CQE_MIXED) &&
		    (cqe->flags & IORING_CQE_F_SKIP)) {
			io_uring_cq_advance(ring, io_uring_cqe_nr(cqe));
			continue;
		}
		if (!(ring->features & IORING_FEAT_EXT_ARG) &&
		    cqe->user_data == LIBURING_UDATA_TIMEOUT) {
			err = cqe->res < 0 ? cqe->res : 0;
			io_uring_cq_advance(ring, 1);
			if (!err)
				continue;
			cqe = NULL;
		}
		break;
	}

	*cqe_ptr = cqe;
	if (nr_available)
		*nr_available = available;
	return err;
}

/* Wait for wait_nr CQEs (0: just flush) and return the first. */
IOURINGINLINE int io_uring_wait_cqe_nr(struct io_uring *ring,
				       struct io_uring_cqe **cqe_ptr,
				       unsigned wait_nr)
{
	return __io_uring_get_cqe(ring, cqe_ptr, 0, wait_nr, NULL);
}

/*
 * 0 and a CQE, or -EAGAIN. The library is entered only when the ring looks
 * empty, to flush completions the kernel may be holding (overflow, deferred
 * task work).
 */
IOURINGINLINE int io_uring_peek_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
{
	if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr)
		return 0;
	return io_uring_wait_cqe_nr(ring, cqe_ptr, 0);
}

IOURINGINLINE int io_uring_wait_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
{
	if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr)
		return 0;
	return io_uring_wait_cqe_nr(ring, cqe_ptr, 1);
}

/* Whether op is supported according to a probe from io_uring_get_probe(). */
IOURINGINLINE int io_uring_opcode_supported(const struct io_uring_probe *p,
					    int op)
{
	if (op < 0 || op > p->last_op)
		return 0;
	return (p->ops[op].flags & IO_URING_OP_SUPPORTED) != 0;
}

/* ========================================================================
 * 7. Multishot recvmsg and provided-buffer rings
 * ======================================================================== */

/*
 * A multishot recvmsg buffer is laid out as
 *   struct io_uring_recvmsg_out | name | control | payload
 * where the name and control areas have the sizes msg_namelen and
 * msg_controllen of the msghdr given at prep time (the *_len fields of the
 * header say how much of each was used).
 */

/* The header of buf, or NULL if buf_len cannot even hold the fixed part. */
IOURINGINLINE struct io_uring_recvmsg_out *
io_uring_recvmsg_validate(void *buf, int buf_len, struct msghdr *msgh)
{
	size_t need = sizeof(struct io_uring_recvmsg_out) +
		      (size_t) msgh->msg_namelen + msgh->msg_controllen;

	if (buf_len < 0 || (size_t) buf_len < need)
		return NULL;
	return (struct io_uring_recvmsg_out *) buf;
}

IOURINGINLINE void *io_uring_recvmsg_name(struct io_uring_recvmsg_out *o)
{
	return (void *) (o + 1);
}

IOURINGINLINE struct cmsghdr *
io_uring_recvmsg_cmsg_firsthdr(struct io_uring_recvmsg_out *o,
			       struct msghdr *msgh)
{
	if (o->controllen < sizeof(struct cmsghdr))
		return NULL;
	/* The kernel aligned the area; void * says so to -Wcast-align. */
	return (struct cmsghdr *) (void *)
		((unsigned char *) io_uring_recvmsg_name(o) + msgh->msg_namelen);
}

/* The control messages are padded to size_t alignment, as CMSG_NXTHDR(). */
IOURINGINLINE size_t __io_uring_cmsg_align(size_t len)
{
	return (len + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1);
}

IOURINGINLINE struct cmsghdr *
io_uring_recvmsg_cmsg_nexthdr(struct io_uring_recvmsg_out *o,
			      struct msghdr *msgh, struct cmsghdr *cmsg)
{
	unsigned char *end, *next;

	if (cmsg->cmsg_len < sizeof(struct cmsghdr))
		return NULL;
	end = (unsigned char *) io_uring_recvmsg_cmsg_firsthdr(o, msgh) +
	      o->controllen;
	next = (unsigned char *) cmsg + __io_uring_cmsg_align(cmsg->cmsg_len);
	/* Both the next header and the data it claims must be inside. */
	if (next + sizeof(struct cmsghdr) > end)
		return NULL;
	cmsg = (struct cmsghdr *) (void *) next;
	if (next + __io_uring_cmsg_align(cmsg->cmsg_len) > end)
		return NULL;
	return cmsg;
}

IOURINGINLINE void *io_uring_recvmsg_payload(struct io_uring_recvmsg_out *o,
					     struct msghdr *msgh)
{
	return (unsigned char *) io_uring_recvmsg_name(o) +
	       msgh->msg_namelen + msgh->msg_controllen;
}

/* The payload bytes in a buffer of buf_len (the CQE's res). */
IOURINGINLINE unsigned int
io_uring_recvmsg_payload_length(struct io_uring_recvmsg_out *o, int buf_len,
				struct msghdr *msgh)
{
	unsigned char *payload =
		(unsigned char *) io_uring_recvmsg_payload(o, msgh);
	unsigned char *end = (unsigned char *) o + buf_len;

	return (unsigned int) (end - payload);
}

/*
 * Provided-buffer rings: the application adds buffers at the tail, the
 * kernel takes them from the head. ring_entries is a power of two.
 */
IOURINGINLINE int io_uring_buf_ring_mask(__u32 ring_entries)
{
	return (int) (ring_entries - 1);
}

IOURINGINLINE void io_uring_buf_ring_init(struct io_uring_buf_ring *br)
{
	br->tail = 0;
}

/*
 * Fill the entry buf_offset places past the tail. Nothing is visible to the
 * kernel until io_uring_buf_ring_advance() moves the tail over it.
 */
IOURINGINLINE void io_uring_buf_ring_add(struct io_uring_buf_ring *br,
					 void *addr, unsigned int len,
					 unsigned short bid, int mask,
					 int buf_offset)
{
	struct io_uring_buf *buf =
		&br->bufs[(br->tail + buf_offset) & mask];

	buf->addr = (__u64) (uintptr_t) addr;
	buf->len = len;
	buf->bid = bid;
}

/*
 * Publish count added buffers. Release, so the kernel sees the entries
 * complete once it sees the new tail. The tail is 16 bits and wraps freely.
 */
IOURINGINLINE void io_uring_buf_ring_advance(struct io_uring_buf_ring *br,
					     int count)
{
	unsigned short new_tail = (unsigned short) (br->tail + count);

	io_uring_smp_store_release(&br->tail, new_tail);
}

/*
 * Publish buf_count buffers and consume cq_count CQEs in one go: the usual
 * step after recycling the buffers those CQEs used.
 */
IOURINGINLINE void __io_uring_buf_ring_cq_advance(struct io_uring *ring,
						  struct io_uring_buf_ring *br,
						  int cq_count, int buf_count)
{
	io_uring_buf_ring_advance(br, buf_count);
	io_uring_cq_advance(ring, (unsigned) cq_count);
}

IOURINGINLINE void io_uring_buf_ring_cq_advance(struct io_uring *ring,
						struct io_uring_buf_ring *br,
						int count)
{
	__io_uring_buf_ring_cq_advance(ring, br, count, count);
}

/* Buffers the kernel has not consumed yet, or -errno. */
IOURINGINLINE int io_uring_buf_ring_available(struct io_uring *ring,
					      struct io_uring_buf_ring *br,
					      unsigned short bgid)
{
	uint16_t head;
	int ret;

	ret = io_uring_buf_ring_head(ring, bgid, &head);
	if (ret)
		return ret;
	return (uint16_t) (br->tail - head);
}

#ifdef __cplusplus
}
#endif

#endif /* LIB_URING_H */
