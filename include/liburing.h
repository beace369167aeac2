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
#include "liburing/sanitize.h"
#include "liburing/io_uring/query.h"

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
 * failure; errno is left alone. The comments that start with a double star
 * are the source of the man pages (scripts/mkman.awk): the first line is
 * "names - summary", then one @line per parameter, then free text, then
 * optional "Return:" and "See also:" lines.
 * ======================================================================== */

/* --- Setup and teardown ------------------------------------------------- */

/**
 * io_uring_queue_init, io_uring_queue_init_params - set up a ring
 * @ring: the ring to set up; the other calls take it
 * @entries: the number of SQ entries wanted; a power of two up to 32768
 *   (rounded up with IORING_SETUP_CLAMP)
 * @flags: IORING_SETUP_* flags
 * @p: the setup parameters: flags, sq_thread_idle, cq_entries and the
 *   rest of io_uring_setup(2)'s struct; on return it holds what the ring
 *   got (sizes, features and ring offsets)
 *
 * Makes a ring, maps its memory and fills @ring for the other calls. On
 * aioring the ring goes to the kernel's io_uring or to the user-space
 * engine, by the calling thread's mode (aioring_set_mode(3),
 * AIORING_BACKEND): in auto mode the kernel is tried first and the engine
 * takes over when io_uring is denied. A ring is released with
 * io_uring_queue_exit(3).
 *
 * Return: 0, or -errno: -EINVAL for bad entries or flags, -ENOMEM, or the
 * kernel's error in kernel mode.
 * See also: io_uring_queue_exit(3), io_uring_queue_init_mem(3), aioring_backend(3)
 */
int io_uring_queue_init(unsigned entries, struct io_uring *ring,
			unsigned flags);
int io_uring_queue_init_params(unsigned entries, struct io_uring *ring,
			       struct io_uring_params *p);

/**
 * io_uring_queue_init_mem - set up a ring in memory the caller provides
 * @ring: the ring to set up
 * @entries: the number of SQ entries wanted
 * @p: the setup parameters, as for io_uring_queue_init_params(3)
 * @buf: the memory for the rings and SQEs, page-aligned
 * @buf_size: the size of @buf in bytes
 *
 * As io_uring_queue_init_params(3) with IORING_SETUP_NO_MMAP: the rings
 * live in @buf, which must stay valid until io_uring_queue_exit(3).
 *
 * Return: the number of bytes of @buf used, or -errno (-ENOMEM if @buf is
 * too small).
 * See also: io_uring_memory_size(3)
 */
int io_uring_queue_init_mem(unsigned entries, struct io_uring *ring,
			    struct io_uring_params *p,
			    void *buf, size_t buf_size);

/**
 * io_uring_queue_mmap - map a ring made with io_uring_setup
 * @fd: the ring file descriptor from io_uring_setup(3)
 * @ring: the ring to fill in
 * @p: the parameters io_uring_setup(3) filled in
 *
 * Maps the rings of @fd and fills @ring, for programs that make the ring
 * with the raw system call.
 *
 * Return: 0 or -errno.
 * See also: io_uring_setup(3), io_uring_queue_init(3)
 */
int io_uring_queue_mmap(int fd, struct io_uring_params *p,
			struct io_uring *ring);

/**
 * io_uring_ring_dontfork - keep the ring memory out of child processes
 *
 * Marks the ring's memory MADV_DONTFORK, so that a fork(2)ed child does not
 * share it.
 *
 * Return: 0 or -errno.
 */
int io_uring_ring_dontfork(struct io_uring *ring);

/**
 * io_uring_queue_exit - tear down a ring
 *
 * Unmaps the ring and closes its file descriptor (and its registered
 * index). Requests still in flight are cancelled by the backend; their
 * completions are lost with the ring.
 *
 * See also: io_uring_queue_init(3)
 */
void io_uring_queue_exit(struct io_uring *ring);

/**
 * io_uring_enable_rings - start a ring made disabled
 *
 * Enables a ring set up with IORING_SETUP_R_DISABLED, typically after
 * io_uring_register_restrictions(3).
 *
 * Return: 0 or -errno (-EBADFD if the ring is not disabled).
 * See also: io_uring_register_restrictions(3)
 */
int io_uring_enable_rings(struct io_uring *ring);

/**
 * io_uring_close_ring_fd - close the ring file descriptor, keep the ring
 *
 * Closes the ring's file descriptor once the ring is registered with
 * io_uring_register_ring_fd(3); the ring lives on through its registered
 * index.
 *
 * Return: 1 on success, or -errno (-EINVAL if the ring is not registered).
 * See also: io_uring_register_ring_fd(3)
 */
int io_uring_close_ring_fd(struct io_uring *ring);

/**
 * io_uring_resize_rings - change the sizes of a ring's SQ and CQ
 * @p: the new sq_entries and cq_entries (with IORING_SETUP_CQSIZE),
 *   filled in on return as for setup
 *
 * Resizes the rings of a ring set up with IORING_SETUP_DEFER_TASKRUN,
 * keeping the entries in flight.
 *
 * Return: 0 or -errno.
 */
int io_uring_resize_rings(struct io_uring *ring, struct io_uring_params *p);

/**
 * io_uring_set_iowait - say whether waits on this ring count as iowait
 * @enable_iowait: false to wait with IORING_ENTER_NO_IOWAIT
 *
 * Return: 0, or -EOPNOTSUPP if the backend lacks IORING_FEAT_NO_IOWAIT.
 */
int io_uring_set_iowait(struct io_uring *ring, bool enable_iowait);

/**
 * io_uring_mlock_size, io_uring_mlock_size_params - memory a ring would lock
 * @entries: the number of SQ entries
 * @flags: IORING_SETUP_* flags
 * @p: the setup parameters
 *
 * What a ring of this shape counts against RLIMIT_MEMLOCK on kernels that
 * account ring memory as locked (before 5.12); 0 on newer ones.
 *
 * Return: a size in bytes, or -errno.
 * See also: io_uring_memory_size(3)
 */
ssize_t io_uring_mlock_size(unsigned entries, unsigned flags);
ssize_t io_uring_mlock_size_params(unsigned entries,
				   struct io_uring_params *p);

/**
 * io_uring_memory_size, io_uring_memory_size_params - memory a ring needs
 * @entries: the number of SQ entries
 * @flags: IORING_SETUP_* flags
 * @p: the setup parameters
 *
 * The bytes of ring memory a ring of this shape uses: what
 * io_uring_queue_init_mem(3) needs in its buffer.
 *
 * Return: a size in bytes, or -errno.
 */
ssize_t io_uring_memory_size(unsigned entries, unsigned flags);
ssize_t io_uring_memory_size_params(unsigned entries,
				    struct io_uring_params *p);

/* --- Probing and versions ------------------------------------------------ */

/**
 * io_uring_get_probe_ring, io_uring_get_probe - which opcodes are supported
 *
 * Asks the ring's backend (io_uring_get_probe makes a small ring of the
 * thread's mode for this) which IORING_OP_* opcodes it supports. Test one
 * with io_uring_opcode_supported(3).
 *
 * Return: a probe allocated with malloc(3), to release with
 * io_uring_free_probe(3); NULL on failure.
 * See also: io_uring_opcode_supported(3), io_uring_register_probe(3)
 */
struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring);
struct io_uring_probe *io_uring_get_probe(void);

/**
 * io_uring_free_probe - release a probe
 * @probe: from io_uring_get_probe(3) or io_uring_get_probe_ring(3)
 */
void io_uring_free_probe(struct io_uring_probe *probe);

/**
 * io_uring_major_version, io_uring_minor_version - the loaded library's liburing version
 *
 * The liburing API version of the library loaded at run time (2 and 15 on
 * aioring 0.1), where IO_URING_VERSION_MAJOR and IO_URING_VERSION_MINOR
 * give the version of the headers a program was built with.
 *
 * Return: the major or the minor version.
 * See also: io_uring_check_version(3)
 */
int io_uring_major_version(void);
int io_uring_minor_version(void);

/**
 * io_uring_check_version - whether the loaded library is older than a version
 * @major: the major version needed
 * @minor: the minor version needed
 *
 * Kept in liburing's sense, which reads backwards: it answers whether the
 * requirement is NOT met.
 *
 * Return: true when the library is older than @major.@minor, false when
 * it is that version or newer.
 */
bool io_uring_check_version(int major, int minor);

/* --- Submission and completion ----------------------------------------- */

/**
 * io_uring_submit - submit the SQEs prepared so far
 *
 * Hands the SQEs gotten with io_uring_get_sqe(3) since the last submit to
 * the backend, with one io_uring_enter(2) (none at all with SQPOLL when
 * the poller is awake).
 *
 * Return: the number of SQEs submitted, or -errno.
 * See also: io_uring_submit_and_wait(3), io_uring_wait_cqe(3)
 */
int io_uring_submit(struct io_uring *ring);

/**
 * io_uring_submit_and_wait - submit, then wait for completions
 * @wait_nr: the number of CQEs to wait for
 *
 * Return: the number of SQEs submitted, or -errno.
 * See also: io_uring_submit(3), io_uring_submit_and_wait_timeout(3)
 */
int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr);

/**
 * io_uring_submit_and_wait_timeout - submit, then wait with a timeout
 * @cqe_ptr: set to the first CQE on success
 * @wait_nr: the number of CQEs to wait for
 * @ts: the relative timeout, or NULL to wait without one
 * @sigmask: the signal mask to wait with, or NULL
 *
 * Return: the number of SQEs submitted (at least 0) once @wait_nr CQEs are
 * there, -ETIME on timeout, or -errno.
 * See also: io_uring_submit_and_wait_min_timeout(3), io_uring_wait_cqes(3)
 */
int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask);

/**
 * io_uring_submit_and_wait_min_timeout - submit, wait, return early after a minimum wait
 * @cqe_ptr: set to the first CQE on success
 * @wait_nr: the number of CQEs to wait for
 * @ts: the overall timeout, or NULL
 * @min_wait: microseconds after which the wait ends if any CQE arrived
 * @sigmask: the signal mask to wait with, or NULL
 *
 * Needs IORING_FEAT_MIN_TIMEOUT.
 *
 * Return: as io_uring_submit_and_wait_timeout(3).
 */
int io_uring_submit_and_wait_min_timeout(struct io_uring *ring,
					 struct io_uring_cqe **cqe_ptr,
					 unsigned wait_nr,
					 struct __kernel_timespec *ts,
					 unsigned min_wait,
					 sigset_t *sigmask);

/**
 * io_uring_submit_and_wait_reg - submit and wait with a registered wait argument
 * @cqe_ptr: set to the first CQE on success
 * @wait_nr: the number of CQEs to wait for
 * @reg_index: the entry of the registered wait region that holds the
 *   timeout and signal mask
 *
 * See also: io_uring_register_region(3)
 */
int io_uring_submit_and_wait_reg(struct io_uring *ring,
				 struct io_uring_cqe **cqe_ptr,
				 unsigned wait_nr, int reg_index);

/**
 * io_uring_get_events, io_uring_submit_and_get_events - flush completion work
 *
 * Runs pending completion work (task work, overflow flushing) so that the
 * CQ ring is up to date, without waiting; the second also submits.
 *
 * Return: the number of SQEs submitted (0 for io_uring_get_events), or
 * -errno.
 */
int io_uring_get_events(struct io_uring *ring);
int io_uring_submit_and_get_events(struct io_uring *ring);

/**
 * io_uring_peek_batch_cqe - take up to count ready CQEs
 * @cqes: an array of at least @count pointers
 * @count: the most CQEs to take
 *
 * Stores pointers to the CQEs ready now, without waiting. Mark them
 * consumed with io_uring_cq_advance(3).
 *
 * Return: the number of CQE pointers stored.
 */
unsigned io_uring_peek_batch_cqe(struct io_uring *ring,
				 struct io_uring_cqe **cqes, unsigned count);

/**
 * io_uring_wait_cqes - wait for CQEs with a timeout and signal mask
 * @cqe_ptr: set to the first CQE on success
 * @wait_nr: the number of CQEs to wait for
 * @ts: the relative timeout, or NULL
 * @sigmask: the signal mask to wait with, or NULL
 *
 * Return: 0, -ETIME on timeout, or -errno.
 * See also: io_uring_wait_cqe(3), io_uring_wait_cqe_timeout(3)
 */
int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask);

/**
 * io_uring_wait_cqes_min_timeout - wait for CQEs, return early after a minimum wait
 * @cqe_ptr: set to the first CQE on success
 * @wait_nr: the number of CQEs to wait for
 * @ts: the overall timeout, or NULL
 * @min_ts_usec: microseconds after which the wait ends if any CQE arrived
 * @sigmask: the signal mask to wait with, or NULL
 *
 * Return: 0, -ETIME on timeout, or -errno.
 */
int io_uring_wait_cqes_min_timeout(struct io_uring *ring,
				   struct io_uring_cqe **cqe_ptr,
				   unsigned wait_nr,
				   struct __kernel_timespec *ts,
				   unsigned int min_ts_usec,
				   sigset_t *sigmask);

/**
 * io_uring_wait_cqe_timeout - wait for one CQE with a timeout
 * @cqe_ptr: set to the CQE on success
 * @ts: the relative timeout, or NULL to wait without one
 *
 * Return: 0, -ETIME on timeout, or -errno.
 * See also: io_uring_wait_cqe(3)
 */
int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts);

/**
 * __io_uring_get_cqe - the slow path of the inline wait helpers
 * @cqe_ptr: set to the first CQE on success
 * @submit: the number of SQEs to submit first
 * @wait_nr: the number of CQEs to wait for
 * @sigmask: the signal mask to wait with, or NULL
 *
 * Called by io_uring_wait_cqe_nr(3) and its siblings when no CQE is ready;
 * not meant to be called directly.
 *
 * Return: 0 or -errno.
 */
int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask);

/**
 * __io_uring_sqring_wait - the slow path of io_uring_sqring_wait
 *
 * Waits in the kernel (IORING_ENTER_SQ_WAIT) for the SQPOLL thread to free
 * SQ entries; not meant to be called directly.
 *
 * Return: 0 or -errno.
 * See also: io_uring_sqring_wait(3)
 */
int __io_uring_sqring_wait(struct io_uring *ring);

/* --- Registered buffers and files --------------------------------------- */

/**
 * io_uring_register_buffers, io_uring_register_buffers_tags - register fixed buffers
 * @iovecs: the buffers
 * @nr_iovecs: the number of buffers
 * @tags: one tag per buffer; a non-zero tag posts a CQE with that user_data
 *   when the buffer is unregistered or replaced and no longer in use
 * @nr: the number of buffers
 *
 * Pins the buffers once, so that IORING_OP_READ_FIXED and
 * IORING_OP_WRITE_FIXED (io_uring_prep_read_fixed(3)) address them by index
 * without mapping them for each request.
 *
 * Return: 0 or -errno (-EBUSY if buffers are registered already).
 * See also: io_uring_unregister_buffers(3), io_uring_prep_read_fixed(3)
 */
int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
			      unsigned nr_iovecs);
int io_uring_register_buffers_tags(struct io_uring *ring,
				   const struct iovec *iovecs,
				   const __u64 *tags, unsigned nr);

/**
 * io_uring_register_buffers_sparse - register an empty buffer table
 * @nr: the number of slots
 *
 * Fill the slots later with io_uring_register_buffers_update_tag(3).
 */
int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr);

/**
 * io_uring_register_buffers_update_tag - replace registered buffers
 * @off: the first slot to replace
 * @iovecs: the new buffers
 * @tags: their tags, or NULL
 * @nr: the number of slots
 *
 * Return: the number of slots updated, or -errno.
 */
int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
					 const struct iovec *iovecs,
					 const __u64 *tags, unsigned nr);

/**
 * io_uring_unregister_buffers - drop the registered buffers
 */
int io_uring_unregister_buffers(struct io_uring *ring);

/**
 * io_uring_clone_buffers, io_uring_clone_buffers_offset - share registered buffers between rings
 * @dst: the ring that gets the buffers
 * @src: the ring whose buffers are shared
 * @dst_off: the first slot in @dst
 * @src_off: the first slot in @src
 * @nr: the number of buffers (0 for all)
 * @flags: IORING_REGISTER_DST_REPLACE to replace what @dst has there
 */
int io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src);
int io_uring_clone_buffers_offset(struct io_uring *dst, struct io_uring *src,
				  unsigned int dst_off, unsigned int src_off,
				  unsigned int nr, unsigned int flags);

/**
 * __io_uring_clone_buffers, __io_uring_clone_buffers_offset - clone buffers with raw flags
 * @dst: the ring that gets the buffers
 * @src: the ring whose buffers are shared
 * @dst_off: the first slot in @dst
 * @src_off: the first slot in @src
 * @nr: the number of buffers
 * @flags: IORING_REGISTER_SRC_REGISTERED and other clone flags, passed
 *   through as given
 *
 * See also: io_uring_clone_buffers(3)
 */
int __io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src,
			     unsigned int flags);
int __io_uring_clone_buffers_offset(struct io_uring *dst,
				    struct io_uring *src,
				    unsigned int dst_off, unsigned int src_off,
				    unsigned int nr, unsigned int flags);

/**
 * io_uring_register_files, io_uring_register_files_tags - register fixed files
 * @files: the file descriptors; -1 leaves a slot empty
 * @nr_files: the number of descriptors
 * @tags: one tag per file, posted as a CQE's user_data when the slot is
 *   released
 * @nr: the number of descriptors
 *
 * Requests then name a file by its slot with IOSQE_FIXED_FILE, which
 * saves the descriptor lookup and reference of each request.
 *
 * Return: 0 or -errno.
 * See also: io_uring_unregister_files(3), io_uring_register_files_update(3)
 */
int io_uring_register_files(struct io_uring *ring, const int *files,
			    unsigned nr_files);
int io_uring_register_files_tags(struct io_uring *ring, const int *files,
				 const __u64 *tags, unsigned nr);

/**
 * io_uring_register_files_sparse - register an empty file table
 * @nr: the number of slots
 *
 * Slots are filled by the *_direct prep helpers or
 * io_uring_register_files_update(3).
 */
int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr);

/**
 * io_uring_register_files_update, io_uring_register_files_update_tag - replace registered files
 * @off: the first slot to replace
 * @files: the new descriptors; -1 empties a slot
 * @nr_files: the number of slots
 * @tags: their tags, or NULL
 *
 * Return: the number of slots updated, or -errno.
 */
int io_uring_register_files_update(struct io_uring *ring, unsigned off,
				   const int *files, unsigned nr_files);
int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off,
				       const int *files, const __u64 *tags,
				       unsigned nr_files);

/**
 * io_uring_unregister_files - drop the registered files
 */
int io_uring_unregister_files(struct io_uring *ring);

/**
 * io_uring_register_file_alloc_range - where direct descriptors are allocated
 * @off: the first slot
 * @len: the number of slots
 *
 * Limits the slots that IORING_FILE_INDEX_ALLOC picks from.
 */
int io_uring_register_file_alloc_range(struct io_uring *ring,
				       unsigned off, unsigned len);

/* --- Provided-buffer rings ---------------------------------------------- */

/**
 * io_uring_register_buf_ring - register a provided-buffer ring
 * @reg: the ring's address, entries and group id
 * @flags: IOU_PBUF_RING_* flags
 *
 * See also: io_uring_setup_buf_ring(3), io_uring_buf_ring_add(3)
 */
int io_uring_register_buf_ring(struct io_uring *ring,
			       struct io_uring_buf_reg *reg,
			       unsigned int flags);

/**
 * io_uring_unregister_buf_ring - unregister a provided-buffer ring
 * @bgid: the buffer group id
 */
int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid);

/**
 * io_uring_setup_buf_ring - allocate, map and register a provided-buffer ring
 * @nentries: the number of buffers, a power of two
 * @bgid: the buffer group id requests name with IOSQE_BUFFER_SELECT
 * @flags: IOU_PBUF_RING_* flags
 * @err: set to -errno on failure
 *
 * Return: the ring, initialised and empty, or NULL with *@err set.
 * See also: io_uring_free_buf_ring(3), io_uring_buf_ring_add(3)
 */
struct io_uring_buf_ring *io_uring_setup_buf_ring(struct io_uring *ring,
						  unsigned int nentries,
						  int bgid, unsigned int flags,
						  int *err);

/**
 * io_uring_free_buf_ring - unregister and free a provided-buffer ring
 * @br: the ring from io_uring_setup_buf_ring(3)
 * @nentries: its number of buffers
 * @bgid: its buffer group id
 */
int io_uring_free_buf_ring(struct io_uring *ring,
			   struct io_uring_buf_ring *br,
			   unsigned int nentries, int bgid);

/**
 * io_uring_buf_ring_head - the consumption point of a provided-buffer ring
 * @buf_group: the buffer group id
 * @head: set to the head index the backend has consumed up to
 */
int io_uring_buf_ring_head(struct io_uring *ring, int buf_group,
			   uint16_t *head);

/* --- Other registration ------------------------------------------------- */

/**
 * io_uring_register_eventfd, io_uring_register_eventfd_async - signal an eventfd on completions
 * @fd: an eventfd(2)
 *
 * Every posted CQE signals @fd (the _async form: only completions that
 * were not inline). Stop with io_uring_unregister_eventfd(3).
 */
int io_uring_register_eventfd(struct io_uring *ring, int fd);
int io_uring_register_eventfd_async(struct io_uring *ring, int fd);

/**
 * io_uring_unregister_eventfd - stop signalling the eventfd
 */
int io_uring_unregister_eventfd(struct io_uring *ring);

/**
 * io_uring_register_probe - fill a probe of the supported opcodes
 * @p: a zeroed probe with room for @nr ops
 * @nr: the number of ops @p has room for
 *
 * See also: io_uring_get_probe_ring(3)
 */
int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned nr);

/**
 * io_uring_register_personality - register the caller's credentials
 *
 * Return: the personality id to put in sqe->personality, or -errno.
 */
int io_uring_register_personality(struct io_uring *ring);

/**
 * io_uring_unregister_personality - drop a personality
 * @id: from io_uring_register_personality(3)
 */
int io_uring_unregister_personality(struct io_uring *ring, int id);

/**
 * io_uring_register_restrictions - restrict what a disabled ring may do
 * @res: the restrictions: allowed register opcodes, SQE opcodes and flags
 * @nr_res: the number of restrictions
 *
 * Only on a ring set up with IORING_SETUP_R_DISABLED, before
 * io_uring_enable_rings(3).
 */
int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res);

/**
 * io_uring_register_iowq_aff, io_uring_unregister_iowq_aff - CPU affinity of the async workers
 * @cpusz: the size of @mask in bytes
 * @mask: the CPUs the workers may run on
 */
int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz,
			       const cpu_set_t *mask);
int io_uring_unregister_iowq_aff(struct io_uring *ring);

/**
 * io_uring_register_iowq_max_workers - limit the async workers
 * @values: two limits, bounded and unbounded workers; 0 reads a limit.
 *   The old limits come back in the array.
 */
int io_uring_register_iowq_max_workers(struct io_uring *ring,
				       unsigned int *values);

/**
 * io_uring_register_ring_fd, io_uring_unregister_ring_fd - register the ring with itself
 *
 * Later io_uring_enter(2) calls then name the ring by its registered
 * index, which skips the descriptor lookup.
 *
 * Return: 1 (the number registered) or -errno.
 * See also: io_uring_close_ring_fd(3)
 */
int io_uring_register_ring_fd(struct io_uring *ring);
int io_uring_unregister_ring_fd(struct io_uring *ring);

/**
 * io_uring_register_sync_cancel - cancel requests and wait for them
 * @reg: what to cancel (user_data, fd or opcode, with IORING_ASYNC_CANCEL_*
 *   flags) and how long to wait
 *
 * Return: 0 when a request was cancelled, -ENOENT when none matched,
 * -ETIME on timeout, or -errno.
 */
int io_uring_register_sync_cancel(struct io_uring *ring,
				  struct io_uring_sync_cancel_reg *reg);

/**
 * io_uring_register_sync_msg - send a MSG_RING without a source ring
 * @sqe: an SQE prepared with io_uring_prep_msg_ring(3)
 *
 * Runs the IORING_OP_MSG_RING request at once and returns its result.
 */
int io_uring_register_sync_msg(struct io_uring_sqe *sqe);

/**
 * io_uring_register_napi, io_uring_unregister_napi - busy-poll network receives
 * @napi: the busy-poll timeout and mode; filled with the old values on
 *   unregister
 */
int io_uring_register_napi(struct io_uring *ring, struct io_uring_napi *napi);
int io_uring_unregister_napi(struct io_uring *ring,
			     struct io_uring_napi *napi);

/**
 * io_uring_register_clock - the clock of the ring's waits
 * @arg: the clock id, CLOCK_MONOTONIC or CLOCK_BOOTTIME
 */
int io_uring_register_clock(struct io_uring *ring,
			    struct io_uring_clock_register *arg);

/**
 * io_uring_register_region - register a memory region with the ring
 * @reg: the region, for example the wait arguments of
 *   io_uring_submit_and_wait_reg(3)
 */
int io_uring_register_region(struct io_uring *ring,
			     struct io_uring_mem_region_reg *reg);

/**
 * io_uring_register_wait_reg - register wait arguments (obsolete)
 * @reg: the wait arguments
 * @nr: their number
 *
 * Kept for source compatibility: the kernel dropped the interface this was
 * written for. Wait arguments now live in a memory region, see
 * io_uring_register_region(3).
 *
 * Return: -EINVAL.
 */
int io_uring_register_wait_reg(struct io_uring *ring,
			       struct io_uring_reg_wait *reg, int nr);

/**
 * io_uring_register_ifq - register a zero-copy receive queue
 * @reg: the interface queue, its area and refill ring
 */
int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg);

/**
 * io_uring_register_zcrx_ctrl - control a zero-copy receive queue
 * @ctrl: the queue id and the ZCRX_CTRL_* operation
 */
int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl);

/**
 * io_uring_register_query - ask what the backend supports
 * @query: the first of a chain of struct io_uring_query_hdr, each with its
 *   result struct (see <liburing/io_uring/query.h>)
 *
 * A query needs no ring: @ring may be NULL, and the call then goes to ring
 * fd -1. Each header's result says whether its query was answered.
 */
int io_uring_register_query(struct io_uring *ring,
			    struct io_uring_query_hdr *query);

/* The filter's layout is in <liburing/io_uring/bpf_filter.h>; here it is
 * only passed through. */
struct io_uring_bpf;

/**
 * io_uring_register_bpf_filter, io_uring_register_bpf_filter_task - filter SQEs with classic BPF
 * @bpf: the filter (see <liburing/io_uring/bpf_filter.h>)
 *
 * Installs a filter that the kernel runs on each SQE before issuing it, on
 * one ring or (the _task form) on every ring of the calling task. The
 * user-space engine has no BPF and returns -EINVAL.
 */
int io_uring_register_bpf_filter(struct io_uring *ring,
				 struct io_uring_bpf *bpf);
int io_uring_register_bpf_filter_task(struct io_uring_bpf *bpf);

/* --- The raw system calls ------------------------------------------------ */

/**
 * io_uring_setup - the io_uring_setup system call
 * @entries: the number of SQ entries
 * @p: the setup parameters, filled in on return
 *
 * A thin wrapper that returns -errno instead of setting errno. On aioring
 * it picks the backend as io_uring_queue_init(3) does, and the descriptor
 * it returns may be an engine ring.
 *
 * Return: a ring file descriptor, or -errno.
 * See also: io_uring_queue_mmap(3)
 */
int io_uring_setup(unsigned int entries, struct io_uring_params *p);

/**
 * io_uring_enter, io_uring_enter2 - the io_uring_enter system call
 * @fd: the ring file descriptor, or its registered index with
 *   IORING_ENTER_REGISTERED_RING
 * @to_submit: the number of SQEs to submit
 * @min_complete: the number of CQEs to wait for (with
 *   IORING_ENTER_GETEVENTS)
 * @flags: IORING_ENTER_* flags
 * @sig: the signal mask to wait with, or NULL
 * @arg: a sigset_t *, or with IORING_ENTER_EXT_ARG a struct
 *   io_uring_getevents_arg *
 * @sz: the size of what @arg points to
 *
 * Thin wrappers that return -errno instead of setting errno; on aioring
 * they reach the user-space engine when @fd is one of its rings.
 *
 * Return: the number of SQEs submitted, or -errno.
 */
int io_uring_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags, sigset_t *sig);
int io_uring_enter2(unsigned int fd, unsigned int to_submit,
		    unsigned int min_complete, unsigned int flags,
		    void *arg, size_t sz);

/**
 * io_uring_register - the io_uring_register system call
 * @fd: the ring file descriptor (or index, with
 *   IORING_REGISTER_USE_REGISTERED_RING), or -1 for calls that need no ring
 * @opcode: IORING_REGISTER_* or IORING_UNREGISTER_*
 * @arg: the opcode's argument
 * @nr_args: the number of entries in @arg
 *
 * A thin wrapper that returns -errno instead of setting errno.
 */
int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
		      unsigned int nr_args);

/* ========================================================================
 * 4. SQE helpers
 * ======================================================================== */

/**
 * io_uring_sqe_set_data, io_uring_sqe_set_data64 - attach user data to an SQE
 * @data: a pointer, or a 64-bit value, that comes back in the CQE's user_data
 *
 * The CQE of the request carries this value unchanged; read it with
 * io_uring_cqe_get_data(3) or io_uring_cqe_get_data64(3).
 * See also: io_uring_cqe_get_data(3)
 */
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

/**
 * io_uring_sqe_set_flags - set the IOSQE_* flags of an SQE
 * @flags: IOSQE_FIXED_FILE, IOSQE_IO_DRAIN, IOSQE_IO_LINK, IOSQE_IO_HARDLINK,
 *   IOSQE_ASYNC, IOSQE_BUFFER_SELECT, IOSQE_CQE_SKIP_SUCCESS
 *
 * Replaces the flags the prep helper may have set.
 */
IOURINGINLINE void io_uring_sqe_set_flags(struct io_uring_sqe *sqe,
					  unsigned flags)
{
	sqe->flags = (__u8) flags;
}

/**
 * io_uring_sqe_set_buf_group - choose the provided-buffer group of an SQE
 * @bgid: the buffer group id, for a request with IOSQE_BUFFER_SELECT
 * See also: io_uring_setup_buf_ring(3)
 */
IOURINGINLINE void io_uring_sqe_set_buf_group(struct io_uring_sqe *sqe,
					      int bgid)
{
	sqe->buf_group = (__u16) bgid;
}

/**
 * __io_uring_set_target_fixed_file - make a request install its file as a direct descriptor
 * @file_index: the slot of the registered file table
 *
 * The kernel reads sqe->file_index as slot + 1, because 0 must keep meaning
 * "no slot"; this helper adds the one.
 */
IOURINGINLINE void __io_uring_set_target_fixed_file(struct io_uring_sqe *sqe,
						    unsigned int file_index)
{
	sqe->file_index = file_index + 1;
}

/**
 * __io_uring_set_target_slot - make a request install into a slot, or any free slot
 * @file_index: the slot, or IORING_FILE_INDEX_ALLOC for any free one
 *
 * IORING_FILE_INDEX_ALLOC must still read as ALLOC after the +1 of
 * __io_uring_set_target_fixed_file(3), so it is passed as ALLOC - 1.
 */
IOURINGINLINE void __io_uring_set_target_slot(struct io_uring_sqe *sqe,
					      unsigned int file_index)
{
	if (file_index == IORING_FILE_INDEX_ALLOC)
		file_index--;
	__io_uring_set_target_fixed_file(sqe, file_index);
}

/**
 * io_uring_initialize_sqe - clear the SQE fields no prep helper sets
 * Slots are reused, and the kernel rejects non-zero reserved fields, so every
 * SQE is cleared when io_uring_get_sqe(3) hands it out: the prep helpers then
 * set only what their opcode uses.
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

/**
 * io_uring_sqe_shift_from_flags, io_uring_sqe_shift - log2 of the SQE size in 64-byte units
 * @flags: the ring's IORING_SETUP_* flags
 *
 * Return: 1 on an IORING_SETUP_SQE128 ring, whose SQE slots go in pairs,
 * else 0.
 */
IOURINGINLINE unsigned io_uring_sqe_shift_from_flags(unsigned flags)
{
	return !!(flags & IORING_SETUP_SQE128);
}

IOURINGINLINE unsigned io_uring_sqe_shift(const struct io_uring *ring)
{
	return io_uring_sqe_shift_from_flags(ring->flags);
}

/**
 * io_uring_load_sq_head - read the SQ head the backend has consumed up to
 * With SQPOLL the kernel thread moves the head while the program runs, and
 * the load is an acquire, so that a slot is not reused before the kernel's
 * reads of it are done. Otherwise the head only moves inside the program's
 * own io_uring_enter(2) calls and a plain load is enough.
 * Return: the SQ head index.
 */
IOURINGINLINE unsigned io_uring_load_sq_head(const struct io_uring *ring)
{
	if (ring->flags & IORING_SETUP_SQPOLL)
		return io_uring_smp_load_acquire(ring->sq.khead);
	return *ring->sq.khead;
}

/**
 * _io_uring_get_sqe, io_uring_get_sqe - get the next free SQE
 * Hands out the next SQE of the ring, cleared, for a prep helper to fill.
 * Nothing is submitted until io_uring_submit(3).
 * Return: the SQE, or NULL if the SQ ring is full (submit first).
 * See also: io_uring_submit(3), io_uring_get_sqe128(3)
 */
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

#ifndef LIBURING_INTERNAL
IOURINGINLINE struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
{
	return _io_uring_get_sqe(ring);
}
#else
/* The library itself exports a real io_uring_get_sqe() for binaries that
 * were built against an older liburing.h that called it. */
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring);
#endif

/* ========================================================================
 * 5. Prep helpers
 *
 * Each fills an SQE obtained from io_uring_get_sqe(): io_uring_prep_rw()
 * sets the five fields every opcode uses, get_sqe cleared the rest.
 * ======================================================================== */

/**
 * io_uring_prep_rw - fill the fields every opcode uses
 * @op: the IORING_OP_* opcode
 * @fd: the file descriptor, or registered file index
 * @addr: the buffer or argument address
 * @len: the length or count
 * @offset: the file offset or second argument
 *
 * The base of every other prep helper.
 */
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

/**
 * io_uring_prep_nop, io_uring_prep_nop128 - prepare a request that does nothing
 * IORING_OP_NOP completes at once with res 0: a way to measure overhead, to
 * wake a waiter, or to fill a link. The 128-byte form needs an SQE from
 * io_uring_get_sqe128(3).
 * Return: the CQE's res is 0.
 */
IOURINGINLINE void io_uring_prep_nop(struct io_uring_sqe *sqe)
{
	io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
}

IOURINGINLINE void io_uring_prep_nop128(struct io_uring_sqe *sqe)
{
	io_uring_prep_rw(IORING_OP_NOP128, sqe, -1, NULL, 0, 0);
}

/* --- Reads and writes ----------------------------------------------------- */

/**
 * io_uring_prep_read, io_uring_prep_write - read or write at an offset
 * @fd: the file, or a registered file index with IOSQE_FIXED_FILE
 * @buf: the buffer the data goes to, or comes from
 * @nbytes: the number of bytes
 * @offset: the file offset, or -1 for the file's current position
 *
 * As pread(2) and pwrite(2).
 * Return: the CQE's res is the number of bytes transferred, or -errno.
 * See also: io_uring_prep_readv(3), io_uring_prep_read_fixed(3)
 */
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

/**
 * io_uring_prep_readv, io_uring_prep_readv2, io_uring_prep_writev, io_uring_prep_writev2 - vectored read or write at an offset
 * @fd: the file, or a registered file index with IOSQE_FIXED_FILE
 * @iovecs: the buffers; they must stay valid until the request is submitted
 * @nr_vecs: the number of buffers
 * @offset: the file offset, or -1 for the file's current position
 * @flags: RWF_* flags, as for preadv2(2)
 *
 * As preadv2(2) and pwritev2(2).
 * Return: the CQE's res is the number of bytes transferred, or -errno.
 */
IOURINGINLINE void io_uring_prep_readv(struct io_uring_sqe *sqe, int fd,
				       const struct iovec *iovecs,
				       unsigned nr_vecs, __u64 offset)
{
	io_uring_prep_rw(IORING_OP_READV, sqe, fd, iovecs, nr_vecs, offset);
}

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

/**
 * io_uring_prep_read_fixed, io_uring_prep_write_fixed - read or write a registered buffer
 * @fd: the file, or a registered file index with IOSQE_FIXED_FILE
 * @buf: where in the registered buffer the data goes, or comes from
 * @nbytes: the number of bytes
 * @offset: the file offset
 * @buf_index: the registered buffer @buf lies inside
 *
 * The buffer is mapped once at io_uring_register_buffers(3), not for every
 * request.
 * Return: the CQE's res is the number of bytes transferred, or -errno
 * (-EFAULT if @buf is outside the buffer).
 * See also: io_uring_register_buffers(3)
 */
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

/**
 * io_uring_prep_readv_fixed, io_uring_prep_writev_fixed - vectored I/O inside a registered buffer
 * @fd: the file, or a registered file index with IOSQE_FIXED_FILE
 * @iovecs: the buffers, all inside registered buffer @buf_index
 * @nr_vecs: the number of buffers
 * @offset: the file offset
 * @flags: RWF_* flags
 * @buf_index: the registered buffer
 * Return: the CQE's res is the number of bytes transferred, or -errno.
 */
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

/**
 * io_uring_prep_read_multishot - read into provided buffers until the end
 * @fd: the file (a pipe or other non-seekable file)
 * @nbytes: bytes per read, or 0 for the buffer's size
 * @offset: the file offset
 * @buf_group: the provided-buffer group
 *
 * One CQE per provided buffer filled, with IORING_CQE_F_MORE while the
 * request stays armed.
 * See also: io_uring_setup_buf_ring(3)
 */
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

/**
 * io_uring_prep_fsync - flush a file to storage
 * @fd: the file
 * @fsync_flags: 0, or IORING_FSYNC_DATASYNC for fdatasync(2)
 * Return: the CQE's res is 0 or -errno.
 */
IOURINGINLINE void io_uring_prep_fsync(struct io_uring_sqe *sqe, int fd,
				       unsigned fsync_flags)
{
	io_uring_prep_rw(IORING_OP_FSYNC, sqe, fd, NULL, 0, 0);
	sqe->fsync_flags = fsync_flags;
}

/**
 * io_uring_prep_sync_file_range - flush a range of a file
 * @fd: the file
 * @len: the length of the range
 * @offset: the start of the range
 * @flags: SYNC_FILE_RANGE_* flags, as for sync_file_range(2)
 */
IOURINGINLINE void io_uring_prep_sync_file_range(struct io_uring_sqe *sqe,
						 int fd, unsigned len,
						 __u64 offset, int flags)
{
	io_uring_prep_rw(IORING_OP_SYNC_FILE_RANGE, sqe, fd, NULL, len, offset);
	sqe->sync_range_flags = (__u32) flags;
}

/**
 * io_uring_prep_fallocate - allocate or punch space in a file
 * @fd: the file
 * @mode: the fallocate(2) mode
 * @offset: the start of the range
 * @len: the length of the range (64-bit: it travels in addr)
 */
IOURINGINLINE void io_uring_prep_fallocate(struct io_uring_sqe *sqe, int fd,
					   int mode, __u64 offset, __u64 len)
{
	io_uring_prep_rw(IORING_OP_FALLOCATE, sqe, fd, NULL, (unsigned) mode,
			 offset);
	sqe->addr = len;
}

/**
 * io_uring_prep_ftruncate - set the length of a file
 * @fd: the file
 * @len: the new length
 *
 * As ftruncate(2).
 */
IOURINGINLINE void io_uring_prep_ftruncate(struct io_uring_sqe *sqe, int fd,
					   int64_t len)
{
	io_uring_prep_rw(IORING_OP_FTRUNCATE, sqe, fd, NULL, 0, (__u64) len);
}

/**
 * io_uring_prep_fadvise, io_uring_prep_fadvise64 - declare an access pattern of a file
 * @fd: the file
 * @offset: the start of the range
 * @len: the length of the range (64-bit in the second form)
 * @advice: POSIX_FADV_* as for posix_fadvise(3)
 */
IOURINGINLINE void io_uring_prep_fadvise(struct io_uring_sqe *sqe, int fd,
					 __u64 offset, __u32 len, int advice)
{
	io_uring_prep_rw(IORING_OP_FADVISE, sqe, fd, NULL, len, offset);
	sqe->fadvise_advice = (__u32) advice;
}

IOURINGINLINE void io_uring_prep_fadvise64(struct io_uring_sqe *sqe, int fd,
					   __u64 offset, off_t len, int advice)
{
	io_uring_prep_rw(IORING_OP_FADVISE, sqe, fd, NULL, 0, offset);
	sqe->addr = (__u64) len;
	sqe->fadvise_advice = (__u32) advice;
}

/**
 * io_uring_prep_madvise, io_uring_prep_madvise64 - advise about memory use
 * @addr: the start of the range
 * @length: the length of the range (64-bit in the second form)
 * @advice: MADV_* as for madvise(2)
 */
IOURINGINLINE void io_uring_prep_madvise(struct io_uring_sqe *sqe, void *addr,
					 __u32 length, int advice)
{
	io_uring_prep_rw(IORING_OP_MADVISE, sqe, -1, addr, length, 0);
	sqe->fadvise_advice = (__u32) advice;
}

IOURINGINLINE void io_uring_prep_madvise64(struct io_uring_sqe *sqe,
					   void *addr, off_t length,
					   int advice)
{
	io_uring_prep_rw(IORING_OP_MADVISE, sqe, -1, NULL, 0, (__u64) length);
	sqe->addr = (__u64) (uintptr_t) addr;
	sqe->fadvise_advice = (__u32) advice;
}

/**
 * io_uring_prep_splice - move data between a pipe and a file
 * @fd_in: the source
 * @off_in: the source offset, or -1 for none
 * @fd_out: the destination
 * @off_out: the destination offset, or -1 for none
 * @nbytes: the number of bytes
 * @splice_flags: SPLICE_F_* flags, and SPLICE_F_FD_IN_FIXED for a registered
 *   @fd_in
 *
 * One of the two must be a pipe, as for splice(2).
 */
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

/**
 * io_uring_prep_tee - duplicate pipe data
 * @fd_in: the source pipe
 * @fd_out: the destination pipe
 * @nbytes: the number of bytes
 * @splice_flags: SPLICE_F_* flags
 *
 * As tee(2).
 */
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

/**
 * io_uring_prep_statx - get a file's status
 * @dfd: the directory @path is relative to, or AT_FDCWD
 * @path: the path
 * @flags: AT_* flags
 * @mask: STATX_* fields wanted
 * @statxbuf: where the result goes
 *
 * As statx(2).
 */
IOURINGINLINE void io_uring_prep_statx(struct io_uring_sqe *sqe, int dfd,
				       const char *path, int flags,
				       unsigned mask, struct statx *statxbuf)
{
	io_uring_prep_rw(IORING_OP_STATX, sqe, dfd, path, mask,
			 (__u64) (uintptr_t) statxbuf);
	sqe->statx_flags = (__u32) flags;
}

/* --- Opening and closing -------------------------------------------------- */

/**
 * io_uring_prep_openat, io_uring_prep_openat_direct, io_uring_prep_open, io_uring_prep_open_direct - open a file
 * @dfd: the directory @path is relative to, or AT_FDCWD
 * @path: the path
 * @flags: O_* flags
 * @mode: the mode of a created file
 * @file_index: the slot, or IORING_FILE_INDEX_ALLOC for any free one
 *
 * As openat(2). The _direct forms put the file in the registered file table,
 * not the process's.
 * Return: the CQE's res is the new descriptor; for the _direct forms 0, or
 * the slot with IORING_FILE_INDEX_ALLOC; or -errno.
 */
IOURINGINLINE void io_uring_prep_openat(struct io_uring_sqe *sqe, int dfd,
					const char *path, int flags,
					mode_t mode)
{
	io_uring_prep_rw(IORING_OP_OPENAT, sqe, dfd, path, mode, 0);
	sqe->open_flags = (__u32) flags;
}

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

/**
 * io_uring_prep_openat2, io_uring_prep_openat2_direct - open a file with struct open_how
 * @dfd: the directory @path is relative to, or AT_FDCWD
 * @path: the path
 * @how: the flags, mode and resolve flags; copied at submit
 * @file_index: the slot, or IORING_FILE_INDEX_ALLOC
 *
 * As openat2(2).
 */
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

/**
 * io_uring_prep_close, io_uring_prep_close_direct - close a descriptor or a registered slot
 * @fd: the descriptor
 * @file_index: the registered slot
 */
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

/**
 * io_uring_prep_files_update - replace registered files from a request
 * @fds: the new descriptors
 * @nr_fds: their number
 * @offset: the first slot, or IORING_FILE_INDEX_ALLOC to let the backend pick
 * Return: the CQE's res is the number of slots updated, or -errno.
 */
IOURINGINLINE void io_uring_prep_files_update(struct io_uring_sqe *sqe,
					      int *fds, unsigned nr_fds,
					      int offset)
{
	io_uring_prep_rw(IORING_OP_FILES_UPDATE, sqe, -1, fds, nr_fds,
			 (__u64) offset);
}

/**
 * io_uring_prep_fixed_fd_install - turn a registered slot into a normal descriptor
 * @fd: the registered slot
 * @flags: 0 for close-on-exec, or IORING_FIXED_FD_NO_CLOEXEC
 * Return: the CQE's res is the new descriptor, or -errno.
 */
IOURINGINLINE void io_uring_prep_fixed_fd_install(struct io_uring_sqe *sqe,
						  int fd, unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_FIXED_FD_INSTALL, sqe, fd, NULL, 0, 0);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->install_fd_flags = flags;
}

/**
 * io_uring_prep_pipe, io_uring_prep_pipe_direct - make a pipe
 * @fds: receives the two descriptors (or slots)
 * @pipe_flags: O_* flags, as for pipe2(2)
 * @file_index: the first slot, or IORING_FILE_INDEX_ALLOC
 */
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

/**
 * io_uring_prep_unlinkat, io_uring_prep_unlink - remove a file or directory
 * @dfd: the directory @path is relative to, or AT_FDCWD
 * @path: the path
 * @flags: 0, or AT_REMOVEDIR
 */
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

/**
 * io_uring_prep_renameat, io_uring_prep_rename - rename a file
 * @olddfd: the directory of @oldpath
 * @oldpath: the old path
 * @newdfd: the directory of @newpath
 * @newpath: the new path
 * @flags: RENAME_* flags, as for renameat2(2)
 */
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

/**
 * io_uring_prep_mkdirat, io_uring_prep_mkdir - make a directory
 * @dfd: the directory @path is relative to, or AT_FDCWD
 * @path: the path
 * @mode: the mode
 */
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

/**
 * io_uring_prep_symlinkat, io_uring_prep_symlink - make a symbolic link
 * @target: what the link points to
 * @newdirfd: the directory of @linkpath
 * @linkpath: the link's path
 */
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

/**
 * io_uring_prep_linkat, io_uring_prep_link - make a hard link
 * @olddfd: the directory of @oldpath
 * @oldpath: the existing file
 * @newdfd: the directory of @newpath
 * @newpath: the new name
 * @flags: AT_SYMLINK_FOLLOW or 0
 */
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

/**
 * io_uring_prep_getxattr, io_uring_prep_setxattr - read or write an extended attribute by path
 * @name: the attribute's name
 * @value: the value's buffer
 * @path: the file
 * @flags: XATTR_CREATE or XATTR_REPLACE, or 0
 * @len: the size of @value
 * Return: the CQE's res is the value's size (get) or 0 (set), or -errno.
 */
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

/**
 * io_uring_prep_fgetxattr, io_uring_prep_fsetxattr - read or write an extended attribute of an open file
 * @fd: the file
 * @name: the attribute's name
 * @value: the value's buffer
 * @flags: XATTR_CREATE or XATTR_REPLACE, or 0
 * @len: the size of @value
 */
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

/**
 * __io_uring_prep_poll_mask - the poll mask as the kernel reads it
 * @poll_mask: POLL* events
 *
 * The kernel reads poll32_events as two 16-bit halves in little-endian
 * order, so on a big-endian machine the halves are swapped.
 * Return: the mask to store in sqe->poll32_events.
 */
IOURINGINLINE unsigned __io_uring_prep_poll_mask(unsigned poll_mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	poll_mask = (poll_mask << 16) | (poll_mask >> 16);
#endif
	return poll_mask;
}

/**
 * io_uring_prep_poll_add, io_uring_prep_poll_multishot - wait for a file to be ready
 * @fd: the file
 * @poll_mask: POLL* events to wait for
 *
 * One CQE with the events that happened; the multishot form stays armed and
 * posts one per event, with IORING_CQE_F_MORE.
 * See also: io_uring_prep_poll_remove(3)
 */
IOURINGINLINE void io_uring_prep_poll_add(struct io_uring_sqe *sqe, int fd,
					  unsigned poll_mask)
{
	io_uring_prep_rw(IORING_OP_POLL_ADD, sqe, fd, NULL, 0, 0);
	sqe->poll32_events = __io_uring_prep_poll_mask(poll_mask);
}

IOURINGINLINE void io_uring_prep_poll_multishot(struct io_uring_sqe *sqe,
						int fd, unsigned poll_mask)
{
	io_uring_prep_poll_add(sqe, fd, poll_mask);
	sqe->len = IORING_POLL_ADD_MULTI;
}

/**
 * io_uring_prep_poll_remove - cancel a poll request
 * @user_data: the user_data of the poll request
 */
IOURINGINLINE void io_uring_prep_poll_remove(struct io_uring_sqe *sqe,
					     __u64 user_data)
{
	io_uring_prep_rw(IORING_OP_POLL_REMOVE, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
}

/**
 * io_uring_prep_poll_update - change a poll request
 * @old_user_data: the user_data of the poll request
 * @new_user_data: its new user_data
 * @poll_mask: its new events
 * @flags: IORING_POLL_UPDATE_EVENTS and IORING_POLL_UPDATE_USER_DATA say
 *   which to change, IORING_POLL_ADD_MULTI makes it multishot
 */
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

/**
 * io_uring_prep_epoll_ctl - change an epoll set
 * @epfd: the epoll descriptor
 * @fd: the descriptor to add, change or remove
 * @op: EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL
 * @ev: the events
 *
 * As epoll_ctl(2).
 */
IOURINGINLINE void io_uring_prep_epoll_ctl(struct io_uring_sqe *sqe, int epfd,
					   int fd, int op,
					   const struct epoll_event *ev)
{
	io_uring_prep_rw(IORING_OP_EPOLL_CTL, sqe, epfd, ev, (unsigned) op,
			 (__u64) (__u32) fd);
}

/**
 * io_uring_prep_epoll_wait - wait for epoll events
 * @fd: the epoll descriptor
 * @events: where the events go
 * @maxevents: room in @events
 * @flags: 0
 */
IOURINGINLINE void io_uring_prep_epoll_wait(struct io_uring_sqe *sqe, int fd,
					    struct epoll_event *events,
					    int maxevents, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_EPOLL_WAIT, sqe, fd, events,
			 (unsigned) maxevents, 0);
	sqe->rw_flags = (__kernel_rwf_t) flags;
}

/* --- Timeouts and cancellation -------------------------------------------- */

/**
 * io_uring_prep_timeout - complete after a time or a number of completions
 * @ts: the timeout
 * @count: complete after this many other CQEs as well (0: time only)
 * @flags: IORING_TIMEOUT_ABS, IORING_TIMEOUT_BOOTTIME,
 *   IORING_TIMEOUT_REALTIME, IORING_TIMEOUT_MULTISHOT, ...
 * Return: the CQE's res is -ETIME when the time ran out, 0 when @count was
 * reached, or -errno.
 * See also: io_uring_prep_timeout_remove(3), io_uring_prep_link_timeout(3)
 */
IOURINGINLINE void io_uring_prep_timeout(struct io_uring_sqe *sqe,
					 struct __kernel_timespec *ts,
					 unsigned count, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT, sqe, -1, ts, 1, count);
	sqe->timeout_flags = flags;
}

/**
 * io_uring_prep_timeout_remove, io_uring_prep_timeout_update - cancel or re-arm a timeout
 * @ts: the new timeout
 * @user_data: the user_data of the timeout request
 * @flags: IORING_TIMEOUT_* flags (IORING_TIMEOUT_UPDATE is set by the update
 *   form)
 */
IOURINGINLINE void io_uring_prep_timeout_remove(struct io_uring_sqe *sqe,
						__u64 user_data, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
	sqe->timeout_flags = flags;
}

IOURINGINLINE void io_uring_prep_timeout_update(struct io_uring_sqe *sqe,
						struct __kernel_timespec *ts,
						__u64 user_data, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0,
			 (__u64) (uintptr_t) ts);
	sqe->addr = user_data;
	sqe->timeout_flags = flags | IORING_TIMEOUT_UPDATE;
}

/**
 * io_uring_prep_link_timeout - bound the request linked before it
 * @ts: the timeout
 * @flags: IORING_TIMEOUT_* flags
 *
 * Must follow a request that has IOSQE_IO_LINK. If the time runs out first,
 * that request is cancelled (its CQE says -ECANCELED) and this one completes
 * with -ETIME; else this one completes with -ECANCELED.
 */
IOURINGINLINE void io_uring_prep_link_timeout(struct io_uring_sqe *sqe,
					      struct __kernel_timespec *ts,
					      unsigned flags)
{
	io_uring_prep_rw(IORING_OP_LINK_TIMEOUT, sqe, -1, ts, 1, 0);
	sqe->timeout_flags = flags;
}

/**
 * io_uring_prep_cancel64, io_uring_prep_cancel - cancel a request by its user data
 * @user_data: the user_data of the request to cancel (a pointer, or a 64-bit
 *   value)
 * @flags: IORING_ASYNC_CANCEL_* flags (ALL, ANY, FD, OP, ...)
 * Return: the CQE's res is 0 (or the number cancelled, with
 * IORING_ASYNC_CANCEL_ALL), -ENOENT if none matched, -EALREADY if it was
 * running.
 */
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

/**
 * io_uring_prep_cancel_fd - cancel the requests on a file
 * @fd: the file, or a registered file index with IORING_ASYNC_CANCEL_FD_FIXED
 * @flags: IORING_ASYNC_CANCEL_* flags
 */
IOURINGINLINE void io_uring_prep_cancel_fd(struct io_uring_sqe *sqe, int fd,
					   unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, fd, NULL, 0, 0);
	sqe->cancel_flags = flags | IORING_ASYNC_CANCEL_FD;
}

/* --- Sockets: setup ------------------------------------------------------- */

/**
 * io_uring_prep_socket, io_uring_prep_socket_direct, io_uring_prep_socket_direct_alloc - make a socket
 * @domain: the address family
 * @type: the socket type
 * @protocol: the protocol
 * @file_index: the slot, or IORING_FILE_INDEX_ALLOC
 * @flags: 0
 *
 * As socket(2); the direct forms put it in the registered file table.
 */
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

/**
 * io_uring_prep_connect - connect a socket
 * @fd: the socket
 * @addr: the address
 * @addrlen: its length
 *
 * As connect(2).
 */
IOURINGINLINE void io_uring_prep_connect(struct io_uring_sqe *sqe, int fd,
					 const struct sockaddr *addr,
					 socklen_t addrlen)
{
	io_uring_prep_rw(IORING_OP_CONNECT, sqe, fd, addr, 0, addrlen);
}

/**
 * io_uring_prep_bind - bind a socket to an address
 * @fd: the socket
 * @addr: the address
 * @addrlen: its length
 */
IOURINGINLINE void io_uring_prep_bind(struct io_uring_sqe *sqe, int fd,
				      struct sockaddr *addr,
				      socklen_t addrlen)
{
	io_uring_prep_rw(IORING_OP_BIND, sqe, fd, addr, 0, addrlen);
}

/**
 * io_uring_prep_listen - listen on a socket
 * @fd: the socket
 * @backlog: the queue length
 */
IOURINGINLINE void io_uring_prep_listen(struct io_uring_sqe *sqe, int fd,
					int backlog)
{
	io_uring_prep_rw(IORING_OP_LISTEN, sqe, fd, NULL, (unsigned) backlog, 0);
}

/**
 * io_uring_prep_accept, io_uring_prep_accept_direct, io_uring_prep_multishot_accept, io_uring_prep_multishot_accept_direct - accept connections
 * @fd: the listening socket
 * @addr: the peer's address, or NULL
 * @addrlen: in: the room at @addr; out: its length
 * @flags: SOCK_* flags, as for accept4(2)
 * @file_index: the slot, or IORING_FILE_INDEX_ALLOC
 *
 * The multishot forms stay armed and post one CQE per connection, with
 * IORING_CQE_F_MORE; the direct forms put the sockets in the registered file
 * table.
 * Return: the CQE's res is the new socket (or slot), or -errno.
 */
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

IOURINGINLINE void
io_uring_prep_multishot_accept_direct(struct io_uring_sqe *sqe, int fd,
				      struct sockaddr *addr,
				      socklen_t *addrlen, int flags)
{
	io_uring_prep_multishot_accept(sqe, fd, addr, addrlen, flags);
	__io_uring_set_target_slot(sqe, IORING_FILE_INDEX_ALLOC);
}

/**
 * io_uring_prep_shutdown - shut down part of a connection
 * @fd: the socket
 * @how: SHUT_RD, SHUT_WR or SHUT_RDWR
 */
IOURINGINLINE void io_uring_prep_shutdown(struct io_uring_sqe *sqe, int fd,
					  int how)
{
	io_uring_prep_rw(IORING_OP_SHUTDOWN, sqe, fd, NULL, (unsigned) how, 0);
}

/* --- Sockets: data -------------------------------------------------------- */

/**
 * io_uring_prep_send - send on a socket
 * @sockfd: the socket
 * @buf: the data, or NULL with IOSQE_BUFFER_SELECT
 * @len: its length
 * @flags: MSG_* flags
 *
 * As send(2).
 * Return: the CQE's res is the number of bytes sent, or -errno.
 */
IOURINGINLINE void io_uring_prep_send(struct io_uring_sqe *sqe, int sockfd,
				      const void *buf, size_t len, int flags)
{
	io_uring_prep_rw(IORING_OP_SEND, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
}

/**
 * io_uring_prep_send_bundle - send from several provided buffers at once
 * @sockfd: the socket
 * @len: the most bytes to send
 * @flags: MSG_* flags
 *
 * Sends from as many provided buffers (IOSQE_BUFFER_SELECT) as fit in @len,
 * with IORING_RECVSEND_BUNDLE.
 */
IOURINGINLINE void io_uring_prep_send_bundle(struct io_uring_sqe *sqe,
					     int sockfd, size_t len, int flags)
{
	io_uring_prep_send(sqe, sockfd, NULL, len, flags);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
}

/**
 * io_uring_prep_send_set_addr - turn a send into a sendto
 * @dest_addr: the destination
 * @addr_len: its length
 */
IOURINGINLINE void io_uring_prep_send_set_addr(struct io_uring_sqe *sqe,
					       const struct sockaddr *dest_addr,
					       __u16 addr_len)
{
	sqe->addr2 = (__u64) (uintptr_t) dest_addr;
	sqe->addr_len = addr_len;
}

/**
 * io_uring_prep_sendto - send to an address
 * @sockfd: the socket
 * @buf: the data
 * @len: its length
 * @flags: MSG_* flags
 * @addr: the destination
 * @addrlen: its length
 *
 * As sendto(2).
 * Return: the CQE's res is the number of bytes sent, or -errno.
 */
IOURINGINLINE void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd,
					const void *buf, size_t len, int flags,
					const struct sockaddr *addr,
					socklen_t addrlen)
{
	io_uring_prep_send(sqe, sockfd, buf, len, flags);
	io_uring_prep_send_set_addr(sqe, addr, (__u16) addrlen);
}

/**
 * io_uring_prep_send_zc, io_uring_prep_send_zc_fixed - send without copying
 * @sockfd: the socket
 * @buf: the data
 * @len: its length
 * @flags: MSG_* flags
 * @zc_flags: IORING_RECVSEND_* and IORING_SEND_ZC_* flags
 * @buf_index: the registered buffer @buf lies in (with
 *   IORING_RECVSEND_FIXED_BUF)
 *
 * Two CQEs: the first with the result (and IORING_CQE_F_MORE), the second
 * with IORING_CQE_F_NOTIF once @buf may be reused.
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

/**
 * io_uring_prep_recv, io_uring_prep_recv_multishot - receive from a socket
 * @sockfd: the socket
 * @buf: the buffer, or NULL with IOSQE_BUFFER_SELECT
 * @len: its length
 * @flags: MSG_* flags
 *
 * The multishot form needs provided buffers and posts one CQE per receive,
 * with IORING_CQE_F_MORE while it stays armed.
 * Return: the CQE's res is the number of bytes received (0 at the end of the
 * stream), or -errno.
 */
IOURINGINLINE void io_uring_prep_recv(struct io_uring_sqe *sqe, int sockfd,
				      void *buf, size_t len, int flags)
{
	io_uring_prep_rw(IORING_OP_RECV, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_recv_multishot(struct io_uring_sqe *sqe,
						int sockfd, void *buf,
						size_t len, int flags)
{
	io_uring_prep_recv(sqe, sockfd, buf, len, flags);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
}

/**
 * io_uring_prep_sendmsg, io_uring_prep_sendmsg_zc, io_uring_prep_sendmsg_zc_fixed - send a message
 * @fd: the socket
 * @msg: the message; it must stay valid until the request is submitted
 * @flags: MSG_* flags
 * @buf_index: the registered buffer the data lies in
 *
 * As sendmsg(2); the _zc forms do not copy, as io_uring_prep_send_zc(3).
 */
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

/**
 * io_uring_prep_recvmsg, io_uring_prep_recvmsg_multishot - receive a message
 * @fd: the socket
 * @msg: the message header
 * @flags: MSG_* flags
 *
 * As recvmsg(2). Each completion of the multishot form fills a provided
 * buffer with a struct io_uring_recvmsg_out, the name, the control data and
 * the payload: see io_uring_recvmsg_validate(3).
 */
IOURINGINLINE void io_uring_prep_recvmsg(struct io_uring_sqe *sqe, int fd,
					 struct msghdr *msg, unsigned flags)
{
	io_uring_prep_rw(IORING_OP_RECVMSG, sqe, fd, msg, 1, 0);
	sqe->msg_flags = flags;
}

IOURINGINLINE void io_uring_prep_recvmsg_multishot(struct io_uring_sqe *sqe,
						   int fd, struct msghdr *msg,
						   unsigned flags)
{
	io_uring_prep_recvmsg(sqe, fd, msg, flags);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
}

/* --- Pass-through commands ------------------------------------------------ */

/**
 * io_uring_prep_uring_cmd, io_uring_prep_uring_cmd128 - a command for a file's driver
 * @cmd_op: the driver's command
 * @fd: the file
 *
 * IORING_OP_URING_CMD: the driver defines the rest of the SQE. The 128-byte
 * form needs an SQE from io_uring_get_sqe128(3).
 */
IOURINGINLINE void io_uring_prep_uring_cmd(struct io_uring_sqe *sqe,
					   int cmd_op, int fd)
{
	/* off = 0 also clears __pad1, which shares its word with cmd_op. */
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = (__u32) cmd_op;
}

IOURINGINLINE void io_uring_prep_uring_cmd128(struct io_uring_sqe *sqe,
					      int cmd_op, int fd)
{
	io_uring_prep_rw(IORING_OP_URING_CMD128, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = (__u32) cmd_op;
}

/**
 * io_uring_prep_cmd_sock - a socket command
 * @cmd_op: SOCKET_URING_OP_GETSOCKOPT, SOCKET_URING_OP_SETSOCKOPT, ...
 * @fd: the socket
 * @level: the option level
 * @optname: the option
 * @optval: the option's value
 * @optlen: its length
 */
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

/**
 * io_uring_prep_cmd_getsockname - the address of a socket or of its peer
 * @fd: the socket
 * @sockaddr: where the address goes
 * @sockaddr_len: in: its room; out: its length
 * @peer: 0 for getsockname(2), 1 for getpeername(2)
 */
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

/**
 * io_uring_prep_cmd_discard - discard a range of a block device
 * @fd: the block device
 * @offset: the start of the range
 * @nbytes: its length
 */
IOURINGINLINE void io_uring_prep_cmd_discard(struct io_uring_sqe *sqe,
					     int fd, uint64_t offset,
					     uint64_t nbytes)
{
	io_uring_prep_uring_cmd(sqe, (int) BLOCK_URING_CMD_DISCARD, fd);
	sqe->addr = offset;
	sqe->addr3 = nbytes;
}

/* --- Rings talking to rings ----------------------------------------------- */

/**
 * io_uring_prep_msg_ring, io_uring_prep_msg_ring_cqe_flags - post a CQE on another ring
 * @fd: the target ring
 * @len: the res of the target's CQE
 * @data: the user_data of the target's CQE
 * @flags: IORING_MSG_RING_* flags
 * @cqe_flags: the flags of the target's CQE (with IORING_MSG_RING_FLAGS_PASS)
 *
 * A way for threads to wake each other's rings. The sender gets its own CQE
 * too (unless IORING_MSG_RING_CQE_SKIP).
 */
IOURINGINLINE void io_uring_prep_msg_ring(struct io_uring_sqe *sqe, int fd,
					  unsigned int len, __u64 data,
					  unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_MSG_RING, sqe, fd, NULL, len, data);
	sqe->msg_ring_flags = flags;
}

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

/**
 * io_uring_prep_msg_ring_fd, io_uring_prep_msg_ring_fd_alloc - pass a registered file to another ring
 * @fd: the target ring
 * @source_fd: the sender's registered slot
 * @target_fd: the target's slot, or IORING_FILE_INDEX_ALLOC
 * @data: the user_data of the target's CQE
 * @flags: IORING_MSG_RING_* flags
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

/**
 * io_uring_prep_waitid - wait for a child process
 * @idtype: P_PID, P_PGID or P_ALL
 * @id: the id
 * @infop: where the siginfo goes
 * @options: WEXITED and the other waitid(2) options
 * @flags: 0
 */
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

/**
 * io_uring_prep_futex_wake, io_uring_prep_futex_wait - wake or wait on a futex
 * @futex: the futex word
 * @val: the value to compare (wait) or the number to wake (wake)
 * @mask: the bitset
 * @futex_flags: FUTEX2_* flags
 * @flags: 0
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

/**
 * io_uring_prep_futex_waitv - wait on several futexes
 * @futex: the futexes
 * @nr_futex: their number
 * @flags: 0
 */
IOURINGINLINE void io_uring_prep_futex_waitv(struct io_uring_sqe *sqe,
					     struct futex_waitv *futex,
					     uint32_t nr_futex,
					     unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_FUTEX_WAITV, sqe, 0, futex, nr_futex, 0);
	sqe->futex_flags = flags;
}

/* --- Legacy provided buffers ---------------------------------------------- */

/**
 * io_uring_prep_provide_buffers - hand buffers to a group (legacy)
 * @addr: the first buffer
 * @len: the size of each buffer
 * @nr: the number of buffers
 * @bgid: the group
 * @bid: the id of the first buffer; the others follow
 * See also: io_uring_setup_buf_ring(3)
 */
IOURINGINLINE void io_uring_prep_provide_buffers(struct io_uring_sqe *sqe,
						 void *addr, int len, int nr,
						 int bgid, int bid)
{
	io_uring_prep_rw(IORING_OP_PROVIDE_BUFFERS, sqe, nr, addr,
			 (unsigned) len, (__u64) bid);
	sqe->buf_group = (__u16) bgid;
}

/**
 * io_uring_prep_remove_buffers - take buffers back from a group (legacy)
 * @nr: the number of buffers
 * @bgid: the group
 */
IOURINGINLINE void io_uring_prep_remove_buffers(struct io_uring_sqe *sqe,
						int nr, int bgid)
{
	io_uring_prep_rw(IORING_OP_REMOVE_BUFFERS, sqe, nr, NULL, 0, 0);
	sqe->buf_group = (__u16) bgid;
}

/* ========================================================================
 * 6. Ring state and completions
 * ======================================================================== */

/**
 * io_uring_sq_ready, io_uring_sq_space_left - SQ entries in use and free
 * Return: the number of SQEs handed out but not yet consumed by the
 * backend, or the number still free.
 */
IOURINGINLINE unsigned io_uring_sq_ready(const struct io_uring *ring)
{
	return ring->sq.sqe_tail - io_uring_load_sq_head(ring);
}

IOURINGINLINE unsigned io_uring_sq_space_left(const struct io_uring *ring)
{
	return ring->sq.ring_entries - io_uring_sq_ready(ring);
}

/**
 * io_uring_get_sqe128 - get a 128-byte SQE
 * On an IORING_SETUP_SQE128 ring every SQE is big. On an
 * IORING_SETUP_SQE_MIXED ring a big SQE takes two adjacent slots and may not
 * wrap around the end of the array; a NOP fills the last slot when needed.
 * Return: the SQE, or NULL if the ring has no room.
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

/**
 * io_uring_sqring_wait - wait for room in the SQ ring
 * With SQPOLL, waits until the kernel thread has consumed SQEs. Without it
 * there is nothing to wait for: only io_uring_submit(3) frees slots.
 * Return: the number of free entries, or -errno.
 */
IOURINGINLINE int io_uring_sqring_wait(struct io_uring *ring)
{
	if (!(ring->flags & IORING_SETUP_SQPOLL))
		return 0;
	if (io_uring_sq_space_left(ring))
		return 0;
	return __io_uring_sqring_wait(ring);
}

/**
 * io_uring_cq_ready - CQEs ready to be read
 * Reads the CQ tail with acquire, so that the CQEs it covers are read after
 * it (the pair of the backend's release of the tail).
 * Return: the number of CQEs posted and not yet consumed.
 */
IOURINGINLINE unsigned io_uring_cq_ready(const struct io_uring *ring)
{
	return io_uring_smp_load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

/**
 * io_uring_cq_has_overflow - whether CQEs wait in the overflow list
 * Return: true when completions did not fit in the CQ ring and wait in the
 * backend; io_uring_get_events(3) flushes them.
 */
IOURINGINLINE bool io_uring_cq_has_overflow(const struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW;
}

/**
 * io_uring_cq_eventfd_enabled, io_uring_cq_eventfd_toggle - whether CQEs signal the registered eventfd
 * @enabled: false to stop signalling, true to resume
 * Return: the state (enabled), or 0 or -errno (toggle).
 */
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

/**
 * io_uring_cq_advance - hand CQE slots back
 * @nr: the number of CQEs consumed
 *
 * A release store, so that the reads of those CQEs are done before the
 * backend can see the slots as free and overwrite them.
 */
IOURINGINLINE void io_uring_cq_advance(struct io_uring *ring, unsigned nr)
{
	if (nr) {
		struct io_uring_cq *cq = &ring->cq;

		io_uring_smp_store_release(cq->khead, *cq->khead + nr);
	}
}

/**
 * io_uring_cqe_shift_from_flags, io_uring_cqe_shift - log2 of the CQE size in 16-byte units
 * @flags: the ring's IORING_SETUP_* flags
 * Return: 1 on an IORING_SETUP_CQE32 ring, else 0.
 */
IOURINGINLINE unsigned io_uring_cqe_shift_from_flags(unsigned flags)
{
	return !!(flags & IORING_SETUP_CQE32);
}

IOURINGINLINE unsigned io_uring_cqe_shift(const struct io_uring *ring)
{
	return io_uring_cqe_shift_from_flags(ring->flags);
}

/**
 * io_uring_cqe_nr - ring slots a CQE occupies
 * @cqe: the CQE
 * Return: 2 for a big CQE on an IORING_SETUP_CQE_MIXED ring, else 1.
 */
IOURINGINLINE unsigned io_uring_cqe_nr(const struct io_uring_cqe *cqe)
{
	return (cqe->flags & IORING_CQE_F_32) ? 2 : 1;
}

/**
 * io_uring_cqe_seen - mark a CQE consumed
 * @cqe: a CQE from io_uring_peek_cqe(3), io_uring_wait_cqe(3) or
 *   io_uring_for_each_cqe
 */
IOURINGINLINE void io_uring_cqe_seen(struct io_uring *ring,
				     struct io_uring_cqe *cqe)
{
	if (cqe)
		io_uring_cq_advance(ring, io_uring_cqe_nr(cqe));
}

/**
 * io_uring_cqe_get_data, io_uring_cqe_get_data64 - the user data of a CQE
 * @cqe: the CQE
 * Return: what io_uring_sqe_set_data(3) or io_uring_sqe_set_data64(3) put in
 * the request.
 */
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

/**
 * io_uring_cqe_iter_init, io_uring_cqe_iter_next - walk the ready CQEs
 * @it: the iterator
 * @cqe: set to the next CQE
 *
 * Every slot-holder is returned, IORING_CQE_F_SKIP padding included, so that
 * advancing by io_uring_cqe_nr(3) of each keeps the head exact.
 * Return: an iterator (init), or true while a CQE was found (next).
 */
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

IOURINGINLINE bool io_uring_cqe_iter_next(struct io_uring_cqe_iter *it,
					  struct io_uring_cqe **cqe)
{
	if (it->head == it->tail)
		return false;
	*cqe = &it->cqes[(it->head & it->mask) << it->shift];
	it->head += io_uring_cqe_nr(*cqe);
	return true;
}

/**
 * __io_uring_cqe_at_head - the CQE at a ring index
 * @head: the ring index
 * Return: the CQE, or NULL once @head reaches the tail.
 */
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

/**
 * __io_uring_peek_cqe - the first CQE for the program, without entering
 * @cqe_ptr: set to the CQE, or NULL
 * @nr_available: set to the number of CQEs ready, or NULL
 *
 * Consumes what is not for the program: the internal timeout CQE of
 * io_uring_wait_cqes(3) on kernels without IORING_FEAT_EXT_ARG.
 * Return: 0, or the error of such an internal CQE.
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

/**
 * io_uring_wait_cqe_nr - wait for CQEs
 * @cqe_ptr: set to the first CQE
 * @wait_nr: the number of CQEs to wait for (0 only flushes)
 * Return: 0 or -errno.
 */
IOURINGINLINE int io_uring_wait_cqe_nr(struct io_uring *ring,
				       struct io_uring_cqe **cqe_ptr,
				       unsigned wait_nr)
{
	return __io_uring_get_cqe(ring, cqe_ptr, 0, wait_nr, NULL);
}

/**
 * io_uring_peek_cqe - take a ready CQE without waiting
 * @cqe_ptr: set to the CQE
 *
 * The library is entered only when the ring looks empty, to flush
 * completions the backend may hold (overflow, deferred work).
 * Return: 0 with a CQE, or -EAGAIN if none is ready.
 */
IOURINGINLINE int io_uring_peek_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
{
	if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr)
		return 0;
	return io_uring_wait_cqe_nr(ring, cqe_ptr, 0);
}

/**
 * io_uring_wait_cqe - wait for one CQE
 * @cqe_ptr: set to the CQE
 *
 * Mark it consumed with io_uring_cqe_seen(3) once read.
 * Return: 0 or -errno.
 * See also: io_uring_wait_cqe_timeout(3), io_uring_peek_cqe(3)
 */
IOURINGINLINE int io_uring_wait_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
{
	if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr)
		return 0;
	return io_uring_wait_cqe_nr(ring, cqe_ptr, 1);
}

/**
 * io_uring_opcode_supported - whether a probe lists an opcode
 * @p: a probe from io_uring_get_probe(3)
 * @op: the IORING_OP_* opcode
 * Return: non-zero if supported.
 */
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

/**
 * io_uring_recvmsg_validate - the header of a multishot recvmsg buffer
 * @buf: the provided buffer
 * @buf_len: the CQE's res
 * @msgh: the msghdr the request was prepared with
 * Return: the struct io_uring_recvmsg_out at the start of @buf, or NULL if
 * @buf_len cannot even hold the fixed part.
 */
IOURINGINLINE struct io_uring_recvmsg_out *
io_uring_recvmsg_validate(void *buf, int buf_len, struct msghdr *msgh)
{
	size_t need = sizeof(struct io_uring_recvmsg_out) +
		      (size_t) msgh->msg_namelen + msgh->msg_controllen;

	if (buf_len < 0 || (size_t) buf_len < need)
		return NULL;
	return (struct io_uring_recvmsg_out *) buf;
}

/**
 * io_uring_recvmsg_name - the source address in a multishot recvmsg buffer
 * @o: the header from io_uring_recvmsg_validate(3)
 */
IOURINGINLINE void *io_uring_recvmsg_name(struct io_uring_recvmsg_out *o)
{
	return (void *) (o + 1);
}

/**
 * io_uring_recvmsg_cmsg_firsthdr - the first control message of a multishot recvmsg buffer
 * @o: the header from io_uring_recvmsg_validate(3)
 * @msgh: the msghdr the request was prepared with
 * Return: the first control message, or NULL.
 */
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

/**
 * __io_uring_cmsg_align - the alignment of control messages
 * @len: a length
 * Return: @len rounded up to size_t alignment, as CMSG_NXTHDR does.
 */
IOURINGINLINE size_t __io_uring_cmsg_align(size_t len)
{
	return (len + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1);
}

/**
 * io_uring_recvmsg_cmsg_nexthdr - the next control message of a multishot recvmsg buffer
 * @o: the header from io_uring_recvmsg_validate(3)
 * @msgh: the msghdr the request was prepared with
 * @cmsg: the current control message
 * Return: the next control message, or NULL.
 */
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

/**
 * io_uring_recvmsg_payload - the payload of a multishot recvmsg buffer
 * @o: the header from io_uring_recvmsg_validate(3)
 * @msgh: the msghdr the request was prepared with
 */
IOURINGINLINE void *io_uring_recvmsg_payload(struct io_uring_recvmsg_out *o,
					     struct msghdr *msgh)
{
	return (unsigned char *) io_uring_recvmsg_name(o) +
	       msgh->msg_namelen + msgh->msg_controllen;
}

/**
 * io_uring_recvmsg_payload_length - the payload size of a multishot recvmsg buffer
 * @o: the header from io_uring_recvmsg_validate(3)
 * @buf_len: the CQE's res
 * @msgh: the msghdr the request was prepared with
 */
IOURINGINLINE unsigned int
io_uring_recvmsg_payload_length(struct io_uring_recvmsg_out *o, int buf_len,
				struct msghdr *msgh)
{
	unsigned char *payload =
		(unsigned char *) io_uring_recvmsg_payload(o, msgh);
	unsigned char *end = (unsigned char *) o + buf_len;

	return (unsigned int) (end - payload);
}

/**
 * io_uring_buf_ring_mask - the index mask of a provided-buffer ring
 * @ring_entries: the ring's size, a power of two
 * Return: @ring_entries - 1.
 */
IOURINGINLINE int io_uring_buf_ring_mask(__u32 ring_entries)
{
	return (int) (ring_entries - 1);
}

/**
 * io_uring_buf_ring_init - reset a provided-buffer ring
 * @br: the ring
 */
IOURINGINLINE void io_uring_buf_ring_init(struct io_uring_buf_ring *br)
{
	br->tail = 0;
}

/**
 * io_uring_buf_ring_add - add a buffer to a provided-buffer ring
 * @br: the ring
 * @addr: the buffer
 * @len: its length
 * @bid: its id, which CQEs report in their flags
 * @mask: io_uring_buf_ring_mask(3) of the ring
 * @buf_offset: how many places past the tail (for adding several at once)
 *
 * Nothing is visible to the backend until io_uring_buf_ring_advance(3)
 * moves the tail over it.
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

/**
 * io_uring_buf_ring_advance - publish added buffers
 * @br: the ring
 * @count: the number of buffers added
 *
 * A release store: the backend sees the entries complete once it sees the
 * new tail. The tail is 16 bits and wraps freely.
 */
IOURINGINLINE void io_uring_buf_ring_advance(struct io_uring_buf_ring *br,
					     int count)
{
	unsigned short new_tail = (unsigned short) (br->tail + count);

	io_uring_smp_store_release(&br->tail, new_tail);
}

/**
 * __io_uring_buf_ring_cq_advance, io_uring_buf_ring_cq_advance - publish buffers and consume CQEs together
 * @br: the buffer ring
 * @cq_count: the number of CQEs consumed
 * @buf_count: the number of buffers published
 * @count: both numbers, when they are the same
 *
 * The usual step after recycling the buffers those CQEs used.
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

/**
 * io_uring_buf_ring_available - buffers not yet consumed
 * @br: the ring
 * @bgid: its group id
 * Return: the number of buffers the backend has not taken yet, or -errno.
 */
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
