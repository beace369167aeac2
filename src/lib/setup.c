/* SPDX-License-Identifier: MIT */
/*
 * Ring setup and teardown: io_uring_queue_init*(), io_uring_queue_mmap(),
 * io_uring_queue_exit() and the calls that reshape or size a ring.
 *
 * struct io_uring is liburing's ABI: applications built against any
 * liburing 2.x read it from their own inline helpers, so every field is set
 * exactly as liburing sets it, from the offsets that setup returns. Ring
 * memory is mapped, unmapped and closed through the router only: an engine
 * ring's fd cannot be mmap()ed and its memory goes with its fd.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "aioring.h"
#include "liburing.h"
#include "lib/export.h"
#include "lib/route.h"

#define KERN_MAX_ENTRIES	32768
#define KERN_MAX_CQ_ENTRIES	(2 * KERN_MAX_ENTRIES)
#define HUGE_PAGE_SIZE		(2UL << 20)

/* SMP_CACHE_BYTES of the kernel's ring layout. */
#if defined(__s390x__)
#define KCACHE_LINE		256
#elif defined(__powerpc64__)
#define KCACHE_LINE		128
#else
#define KCACHE_LINE		64
#endif
/*
 * The kernel's ring header (struct io_rings) is at most three cache lines:
 * SQ and CQ head/tail on lines of their own, then masks and flags. Only
 * used to size memory, so an upper bound is what is wanted.
 */
#define KRING_HDR		(3 * KCACHE_LINE)

static size_t page_size(void)
{
	long sz = sysconf(_SC_PAGESIZE);

	return sz > 0 ? (size_t)sz : 4096;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static unsigned roundup_pow2(unsigned v)
{
	unsigned r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

static size_t sqe_size(unsigned flags)
{
	return (flags & IORING_SETUP_SQE128) ? 128 : 64;
}

static size_t cqe_size(unsigned flags)
{
	return (flags & IORING_SETUP_CQE32) ? 32 : 16;
}

/*
 * Where the kernel's rings_size() puts the SQ array: after the CQEs (the
 * whole ring doubled for CQE32), cache-line aligned. Offsets are from the
 * start of the ring memory, where the CQEs start at @cqes_off.
 */
static size_t kernel_sq_array_off(unsigned flags, size_t cqes_off,
				  unsigned cq_entries)
{
	size_t off = cqes_off + (size_t)cq_entries * 16;

	if (flags & IORING_SETUP_CQE32)
		off *= 2;
	return align_up(off, KCACHE_LINE);
}

/* The kernel's ring memory, at most: header, CQEs, the SQ array. */
static size_t kring_bytes(unsigned flags, unsigned sq, unsigned cq)
{
	size_t rings = kernel_sq_array_off(flags, KRING_HDR, cq);

	if (!(flags & IORING_SETUP_NO_SQARRAY))
		rings += (size_t)sq * sizeof(unsigned);
	return rings;
}

/* The SQ and CQ sizes the kernel will choose, by its rules. */
static int ring_entries(unsigned entries, const struct io_uring_params *p,
			unsigned *sq, unsigned *cq)
{
	unsigned cqe = p->cq_entries;

	if (!entries)
		return -EINVAL;
	if (entries > KERN_MAX_ENTRIES) {
		if (!(p->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		entries = KERN_MAX_ENTRIES;
	}
	*sq = roundup_pow2(entries);
	if (!(p->flags & IORING_SETUP_CQSIZE)) {
		*cq = 2 * *sq;
		return 0;
	}
	if (!cqe)
		return -EINVAL;
	if (cqe > KERN_MAX_CQ_ENTRIES) {
		if (!(p->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		cqe = KERN_MAX_CQ_ENTRIES;
	}
	*cq = roundup_pow2(cqe);
	return *cq < *sq ? -EINVAL : 0;
}

/* --- mapping the rings ------------------------------------------------- */

static void setup_ring_pointers(const struct io_uring_params *p, unsigned flags,
				struct io_uring_sq *sq, struct io_uring_cq *cq)
{
	char *s = sq->ring_ptr, *c = cq->ring_ptr;

	sq->khead = (unsigned *)(s + p->sq_off.head);
	sq->ktail = (unsigned *)(s + p->sq_off.tail);
	sq->kring_mask = (unsigned *)(s + p->sq_off.ring_mask);
	sq->kring_entries = (unsigned *)(s + p->sq_off.ring_entries);
	sq->kflags = (unsigned *)(s + p->sq_off.flags);
	sq->kdropped = (unsigned *)(s + p->sq_off.dropped);
	if (!(flags & IORING_SETUP_NO_SQARRAY))
		sq->array = (unsigned *)(s + p->sq_off.array);

	cq->khead = (unsigned *)(c + p->cq_off.head);
	cq->ktail = (unsigned *)(c + p->cq_off.tail);
	cq->kring_mask = (unsigned *)(c + p->cq_off.ring_mask);
	cq->kring_entries = (unsigned *)(c + p->cq_off.ring_entries);
	cq->koverflow = (unsigned *)(c + p->cq_off.overflow);
	cq->cqes = (struct io_uring_cqe *)(c + p->cq_off.cqes);
	/* Kernels before 5.8 have no CQ flags; offset 0 says so. */
	if (p->cq_off.flags)
		cq->kflags = (unsigned *)(c + p->cq_off.flags);

	/* Set once by setup and constant until a resize. */
	sq->ring_mask = *sq->kring_mask;
	sq->ring_entries = *sq->kring_entries;
	cq->ring_mask = *cq->kring_mask;
	cq->ring_entries = *cq->kring_entries;
}

static void unmap_rings(struct io_uring_sq *sq, struct io_uring_cq *cq)
{
	if (sq->ring_ptr && sq->ring_sz)
		route_munmap(sq->ring_ptr, sq->ring_sz);
	if (cq->ring_ptr && cq->ring_sz && cq->ring_ptr != sq->ring_ptr)
		route_munmap(cq->ring_ptr, cq->ring_sz);
}

static void unmap_all(struct io_uring_sq *sq, struct io_uring_cq *cq)
{
	if (sq->sqes && sq->sqes_sz)
		route_munmap(sq->sqes, sq->sqes_sz);
	unmap_rings(sq, cq);
}

static void *map_region(int fd, size_t len, __u64 off, int *err)
{
	void *p = route_mmap(fd, len, off);

	if (!route_is_err(p))
		return p;
	*err = route_err(p);
	return NULL;
}

/*
 * Maps the SQ ring, the CQ ring (the same mapping with FEAT_SINGLE_MMAP)
 * and the SQEs of ring @fd. @flags and @features are the ring's, which a
 * resize does not report back in @p.
 */
static int map_rings(int fd, const struct io_uring_params *p, unsigned flags,
		     unsigned features, struct io_uring_sq *sq,
		     struct io_uring_cq *cq)
{
	int err = 0;

	sq->ring_sz = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	cq->ring_sz = p->cq_off.cqes + p->cq_entries * cqe_size(flags);
	if (features & IORING_FEAT_SINGLE_MMAP) {
		if (cq->ring_sz > sq->ring_sz)
			sq->ring_sz = cq->ring_sz;
		cq->ring_sz = sq->ring_sz;
	}
	sq->ring_ptr = map_region(fd, sq->ring_sz, IORING_OFF_SQ_RING, &err);
	if (!sq->ring_ptr)
		return err;
	if (features & IORING_FEAT_SINGLE_MMAP)
		cq->ring_ptr = sq->ring_ptr;
	else
		cq->ring_ptr = map_region(fd, cq->ring_sz, IORING_OFF_CQ_RING,
					  &err);
	sq->sqes_sz = (unsigned)(sqe_size(flags) * p->sq_entries);
	if (cq->ring_ptr)
		sq->sqes = map_region(fd, sq->sqes_sz, IORING_OFF_SQES, &err);
	if (!cq->ring_ptr || !sq->sqes) {
		unmap_all(sq, cq);
		return err;
	}
	setup_ring_pointers(p, flags, sq, cq);
	return 0;
}

/*
 * Since liburing 2.5 SQ slot i always holds SQE i: the index array is
 * written once here rather than on every submit.
 */
static void init_sq_array(struct io_uring *ring)
{
	unsigned i;

	if (ring->flags & IORING_SETUP_NO_SQARRAY)
		return;
	for (i = 0; i < ring->sq.ring_entries; i++)
		ring->sq.array[i] = i;
}

/* The fields that say how to drive a freshly mapped ring. */
static void init_ring_fields(struct io_uring *ring,
			     const struct io_uring_params *p, int fd)
{
	ring->flags = p->flags;
	ring->features = p->features;
	ring->enter_ring_fd = fd;
	if (p->flags & IORING_SETUP_REGISTERED_FD_ONLY) {
		/* Setup returned a registered index, not a descriptor. */
		ring->ring_fd = -1;
		ring->int_flags |= INT_FLAG_REG_RING | INT_FLAG_REG_REG_RING;
	} else {
		ring->ring_fd = fd;
	}
	/* IOPOLL completions are only found by entering, unless an SQPOLL
	 * thread does the polling. */
	if ((p->flags & (IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL)) ==
	    IORING_SETUP_IOPOLL)
		ring->int_flags |= INT_FLAG_CQ_ENTER;
	init_sq_array(ring);
}

AIORING_EXPORT int io_uring_queue_mmap(int fd, struct io_uring_params *p,
				       struct io_uring *ring)
{
	int ret;

	memset(ring, 0, sizeof(*ring));
	ret = map_rings(fd, p, p->flags, p->features, &ring->sq, &ring->cq);
	if (ret)
		return ret;
	init_ring_fields(ring, p, fd);
	return 0;
}

/* --- IORING_SETUP_NO_MMAP: the ring lives in memory we provide ---------- */

/* Bytes for SQEs (page-aligned, first) and the kernel's ring memory. */
static ssize_t nommap_size(unsigned entries, const struct io_uring_params *p,
			   size_t *sqes_mem)
{
	size_t pg = page_size(), rings;
	unsigned sq, cq;
	int ret = ring_entries(entries, p, &sq, &cq);

	if (ret)
		return ret;
	*sqes_mem = align_up(sq * sqe_size(p->flags), pg);
	rings = kring_bytes(p->flags, sq, cq);
	return (ssize_t)align_up(*sqes_mem + rings, pg);
}

/*
 * Before Linux 6.13 the kernel wants NO_MMAP memory of more than a page to
 * be one folio, i.e. a huge page; later kernels take any pages. So try a
 * huge page where one suffices, else plain pages. MAP_SHARED keeps the
 * pages the kernel pinned the very pages we see, even across fork().
 */
static void *nommap_alloc(size_t *len)
{
	void *p = MAP_FAILED;

	if (*len > page_size() && *len <= HUGE_PAGE_SIZE) {
		p = mmap(NULL, HUGE_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p != MAP_FAILED)
			*len = HUGE_PAGE_SIZE;
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, *len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p;
}

/* Lays the ring out in @buf (or in memory of ours) and tells the kernel
 * where; returns the bytes used or -errno. */
static int nommap_setup(unsigned entries, struct io_uring_params *p,
			struct io_uring *ring, void *buf, size_t buf_size)
{
	size_t sqes_mem, len;
	ssize_t need = nommap_size(entries, p, &sqes_mem);
	char *mem = buf;

	if (need < 0)
		return (int)need;
	len = (size_t)need;
	if (buf) {
		if (len > buf_size)
			return -ENOMEM;
		ring->int_flags |= INT_FLAG_APP_MEM;
	} else {
		mem = nommap_alloc(&len);
		if (mem == MAP_FAILED)
			return -errno;
		/* One mapping holds it all: sqes_sz undoes it, ring_sz 0. */
		ring->sq.sqes_sz = (unsigned)len;
	}
	ring->sq.sqes = (struct io_uring_sqe *)mem;
	ring->sq.ring_ptr = mem + sqes_mem;
	ring->cq.ring_ptr = ring->sq.ring_ptr;
	p->sq_off.user_addr = (__u64)(uintptr_t)ring->sq.sqes;
	p->cq_off.user_addr = (__u64)(uintptr_t)ring->sq.ring_ptr;
	return (int)need;
}

static void nommap_free(struct io_uring *ring)
{
	if (!(ring->int_flags & INT_FLAG_APP_MEM) && ring->sq.sqes_sz)
		munmap(ring->sq.sqes, ring->sq.sqes_sz);
}

/* Returns the bytes of @buf used (NO_MMAP), 0, or -errno. */
static int queue_init(unsigned entries, struct io_uring *ring,
		      struct io_uring_params *p, void *buf, size_t buf_size)
{
	int fd, ret = 0;

	memset(ring, 0, sizeof(*ring));
	/* A ring with no fd can only be mapped from memory we provide. */
	if ((p->flags & IORING_SETUP_REGISTERED_FD_ONLY) &&
	    !(p->flags & IORING_SETUP_NO_MMAP))
		return -EINVAL;
	if (p->flags & IORING_SETUP_NO_MMAP) {
		ret = nommap_setup(entries, p, ring, buf, buf_size);
		if (ret < 0)
			return ret;
	}
	fd = route_setup(entries, p);
	if (fd < 0) {
		if (p->flags & IORING_SETUP_NO_MMAP)
			nommap_free(ring);
		return fd;
	}
	if (p->flags & IORING_SETUP_NO_MMAP) {
		setup_ring_pointers(p, p->flags, &ring->sq, &ring->cq);
	} else {
		int err = map_rings(fd, p, p->flags, p->features, &ring->sq,
				    &ring->cq);

		if (err) {
			route_close(fd);
			return err;
		}
	}
	init_ring_fields(ring, p, fd);
	return ret;
}

AIORING_EXPORT int io_uring_queue_init_mem(unsigned entries,
					   struct io_uring *ring,
					   struct io_uring_params *p,
					   void *buf, size_t buf_size)
{
	/* The memory is what NO_MMAP rings live in. */
	p->flags |= IORING_SETUP_NO_MMAP;
	return queue_init(entries, ring, p, buf, buf_size);
}

AIORING_EXPORT int io_uring_queue_init_params(unsigned entries,
					      struct io_uring *ring,
					      struct io_uring_params *p)
{
	int ret = queue_init(entries, ring, p, NULL, 0);

	return ret >= 0 ? 0 : ret;
}

AIORING_EXPORT int io_uring_queue_init(unsigned entries, struct io_uring *ring,
				       unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_queue_init_params(entries, ring, &p);
}

/* --- teardown ------------------------------------------------------------ */

AIORING_EXPORT void io_uring_queue_exit(struct io_uring *ring)
{
	if (!(ring->int_flags & INT_FLAG_APP_MEM))
		unmap_all(&ring->sq, &ring->cq);
	/* Frees the registered slot now rather than with the ring. */
	if (ring->int_flags & INT_FLAG_REG_RING)
		io_uring_unregister_ring_fd(ring);
	/* -1 after io_uring_close_ring_fd() or for REGISTERED_FD_ONLY. */
	if (ring->ring_fd != -1)
		route_close(ring->ring_fd);
}

static int dontfork(void *addr, size_t len)
{
	if (!addr || !len)
		return 0;
	return madvise(addr, len, MADV_DONTFORK) ? -errno : 0;
}

AIORING_EXPORT int io_uring_ring_dontfork(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	struct io_uring_cq *cq = &ring->cq;
	int ret;

	if (!sq->ring_ptr || !sq->sqes || !cq->ring_ptr)
		return -EINVAL;
	ret = dontfork(sq->sqes, sq->sqes_sz);
	if (!ret)
		ret = dontfork(sq->ring_ptr, sq->ring_sz);
	if (!ret && cq->ring_ptr != sq->ring_ptr)
		ret = dontfork(cq->ring_ptr, cq->ring_sz);
	return ret;
}

/* --- resizing ------------------------------------------------------------ */

/*
 * A resize does not report sq_off.array (the kernel fills it only at
 * setup), yet the new SQ array must be filled. Its place follows from the
 * kernel's layout; that the current ring obeys the same rule is checked
 * first, so a kernel that lays rings out differently gets -EOPNOTSUPP
 * before anything changes.
 */
static int resize_layout_ok(const struct io_uring *ring)
{
	size_t cqes_off, array_off;

	if (ring->flags & IORING_SETUP_NO_SQARRAY)
		return 1;
	cqes_off = (size_t)((char *)ring->cq.cqes - (char *)ring->cq.ring_ptr);
	array_off = (size_t)((char *)ring->sq.array - (char *)ring->sq.ring_ptr);
	return array_off == kernel_sq_array_off(ring->flags, cqes_off,
						ring->cq.ring_entries);
}

/* Maps the resized ring of @p into @sq and @cq. */
static int map_resized(struct io_uring *ring, struct io_uring_params *p,
		       struct io_uring_sq *sq, struct io_uring_cq *cq)
{
	if (!(ring->flags & IORING_SETUP_NO_SQARRAY) && !p->sq_off.array)
		p->sq_off.array = (__u32)kernel_sq_array_off(ring->flags,
							     p->cq_off.cqes,
							     p->cq_entries);
	memset(sq, 0, sizeof(*sq));
	memset(cq, 0, sizeof(*cq));
	return map_rings(ring->ring_fd, p, ring->flags, ring->features, sq, cq);
}

/*
 * The kernel moves the SQEs between its head and tail and the CQEs between
 * its head and tail into the new rings, so SQEs gotten but not yet
 * published are published first, or they would be left behind. The new
 * regions are mapped before the old ones go, so a failed mapping leaves the
 * old pointers in place.
 */
AIORING_EXPORT int io_uring_resize_rings(struct io_uring *ring,
					 struct io_uring_params *p)
{
	struct io_uring_sq sq;
	struct io_uring_cq cq;
	int ret;

	if (ring->flags & IORING_SETUP_NO_MMAP)
		return -EINVAL;
	if (ring->ring_fd < 0)
		return -EBADF;
	/* Only DEFER_TASKRUN rings resize; let the backend refuse others. */
	if ((ring->flags & IORING_SETUP_DEFER_TASKRUN) &&
	    !resize_layout_ok(ring))
		return -EOPNOTSUPP;
	memset(&p->sq_off, 0, sizeof(p->sq_off));
	memset(&p->cq_off, 0, sizeof(p->cq_off));
	front_flush_sq(ring);
	ret = front_register(ring, IORING_REGISTER_RESIZE_RINGS, p, 1);
	if (ret < 0)
		return ret;
	ret = map_resized(ring, p, &sq, &cq);
	if (ret)
		return ret;
	sq.sqe_head = ring->sq.sqe_head;
	sq.sqe_tail = ring->sq.sqe_tail;
	unmap_all(&ring->sq, &ring->cq);
	ring->sq = sq;
	ring->cq = cq;
	init_sq_array(ring);
	return 0;
}

/* --- sizes --------------------------------------------------------------- */

/* Kernel memory is charged in power-of-two page runs: SQEs and rings. */
static size_t mlock_bytes(const struct io_uring_params *p, unsigned sq,
			  unsigned cq)
{
	size_t pg = page_size(), rings, sqes, pages;

	rings = kring_bytes(p->flags, sq, cq);
	sqes = (size_t)sq * sqe_size(p->flags);
	pages = roundup_pow2((unsigned)((rings + pg - 1) / pg));
	pages += roundup_pow2((unsigned)((sqes + pg - 1) / pg));
	return pages * pg;
}

/*
 * Kernels with native workers (5.12+) charge ring memory to the memory
 * cgroup, not RLIMIT_MEMLOCK; the engine's memory is ordinary memory. A
 * throwaway ring says which case this is.
 */
static bool needs_memlock(void)
{
	struct io_uring_params lp;
	struct io_uring ring;
	bool needs = true;

	memset(&lp, 0, sizeof(lp));
	if (io_uring_queue_init_params(1, &ring, &lp))
		return true;
	if (lp.features & IORING_FEAT_NATIVE_WORKERS ||
	    aioring_backend(&ring) == AIORING_BACKEND_USER)
		needs = false;
	io_uring_queue_exit(&ring);
	return needs;
}

AIORING_EXPORT ssize_t io_uring_mlock_size_params(unsigned entries,
						  struct io_uring_params *p)
{
	unsigned sq, cq;
	int ret;

	if (!needs_memlock())
		return 0;
	ret = ring_entries(entries, p, &sq, &cq);
	if (ret)
		return ret;
	return (ssize_t)mlock_bytes(p, sq, cq);
}

AIORING_EXPORT ssize_t io_uring_mlock_size(unsigned entries, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_mlock_size_params(entries, &p);
}

/* The memory io_uring_queue_init_mem() needs for such a ring. */
AIORING_EXPORT ssize_t io_uring_memory_size_params(unsigned entries,
						   struct io_uring_params *p)
{
	size_t sqes_mem;

	return nommap_size(entries, p, &sqes_mem);
}

AIORING_EXPORT ssize_t io_uring_memory_size(unsigned entries, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_memory_size_params(entries, &p);
}
