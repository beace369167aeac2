/* SPDX-License-Identifier: MIT */
/*
 * barrier.h - the memory-order helpers of the liburing API.
 *
 * The rings are shared memory with exactly one writer per index: the
 * application owns sq.tail and cq.head, the kernel (or aioring's engine)
 * owns sq.head and cq.tail. Each side publishes an index with a release
 * store after writing the entries it covers, and reads the other side's
 * index with an acquire load before touching those entries. That pairing is
 * all the ordering the protocol needs; no lock, no full fence on the fast
 * path.
 *
 * The helpers are macros over the GCC/Clang __atomic builtins, which work on
 * plain (non-_Atomic) objects, in C and in C++ alike, and with any integer
 * width (the provided-buffer tail is 16 bits). Other C11 compilers get
 * <stdatomic.h> (and must know __typeof__, as every C11 compiler that
 * builds Linux programs does).
 */
#ifndef LIBURING_BARRIER_H
#define LIBURING_BARRIER_H

#if defined(__GNUC__) || defined(__clang__)

/*
 * Relaxed: the access must be a single untorn load or store that the
 * compiler may neither split, merge nor cache in a register (the other
 * side changes the value behind our back), but it orders nothing else.
 * Used for flag words such as *sq.kflags, where no data hangs off the value.
 */
#define IO_URING_WRITE_ONCE(var, val) \
	__atomic_store_n(&(var), (val), __ATOMIC_RELAXED)
#define IO_URING_READ_ONCE(var) \
	__atomic_load_n(&(var), __ATOMIC_RELAXED)

/*
 * Release: every load and store before it (the SQEs we filled, the CQEs we
 * read) is visible before the new index is. The consumer that reads the
 * index with acquire therefore sees complete entries, and the producer
 * never gets a slot back while we still read it.
 */
#define io_uring_smp_store_release(p, v) \
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

/*
 * Acquire: no load or store after it (reading the CQEs, refilling SQE
 * slots) may be performed before it. Pairs with the other side's release
 * of the same index.
 */
#define io_uring_smp_load_acquire(p) \
	__atomic_load_n((p), __ATOMIC_ACQUIRE)

/*
 * Sequentially consistent fence: orders earlier stores against later loads,
 * which release/acquire does not. Needed where a store must be visible
 * before a load of a different word, e.g. publishing sq.tail and then
 * reading IORING_SQ_NEED_WAKEUP: without the fence the load could be
 * satisfied first and a sleeping SQPOLL thread would never be woken.
 */
#define io_uring_smp_mb() \
	__atomic_thread_fence(__ATOMIC_SEQ_CST)

#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && \
	!defined(__STDC_NO_ATOMICS__)

#include <stdatomic.h>

/*
 * The same orders as above (see there for why each one). C11 atomics only
 * take _Atomic objects; the ring words are plain integers of the same size
 * and alignment, so they are accessed through an _Atomic-qualified pointer.
 */
#define IO_URING_WRITE_ONCE(var, val) \
	atomic_store_explicit((_Atomic __typeof__(var) *)&(var), (val), \
			      memory_order_relaxed)
#define IO_URING_READ_ONCE(var) \
	atomic_load_explicit((_Atomic __typeof__(var) *)&(var), \
			     memory_order_relaxed)
#define io_uring_smp_store_release(p, v) \
	atomic_store_explicit((_Atomic __typeof__(*(p)) *)(p), (v), \
			      memory_order_release)
#define io_uring_smp_load_acquire(p) \
	atomic_load_explicit((_Atomic __typeof__(*(p)) *)(p), \
			     memory_order_acquire)
#define io_uring_smp_mb() \
	atomic_thread_fence(memory_order_seq_cst)

#else
#error "liburing/barrier.h needs GCC/Clang atomic builtins or C11 <stdatomic.h>"
#endif

#endif /* LIBURING_BARRIER_H */
