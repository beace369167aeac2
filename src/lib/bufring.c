/* SPDX-License-Identifier: MIT */
/*
 * Provided buffer rings made and freed in one call:
 * io_uring_setup_buf_ring() and io_uring_free_buf_ring().
 *
 * The ring is anonymous memory of ours, registered with
 * IORING_REGISTER_PBUF_RING; with IOU_PBUF_RING_MMAP the kernel allocates it
 * and it is mapped from the ring fd (through the router, like all ring
 * memory).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "liburing.h"
#include "lib/export.h"
#include "lib/route.h"

static size_t br_size(unsigned int nentries)
{
	return (size_t)nentries * sizeof(struct io_uring_buf);
}

/* The kernel's ring for group @bgid, after registration. */
static struct io_uring_buf_ring *br_map_kernel(struct io_uring *ring,
					       unsigned int nentries, int bgid,
					       int *err)
{
	__u64 off = IORING_OFF_PBUF_RING |
		    ((__u64)(__u16)bgid << IORING_OFF_PBUF_SHIFT);
	void *p;

	if (ring->ring_fd < 0) {
		*err = -EBADF;
		return NULL;
	}
	p = route_mmap(ring->ring_fd, br_size(nentries), off);
	if (route_is_err(p)) {
		*err = route_err(p);
		return NULL;
	}
	return p;
}

static struct io_uring_buf_ring *br_setup(struct io_uring *ring,
					  unsigned int nentries, int bgid,
					  unsigned int flags, int *err)
{
	struct io_uring_buf_reg reg;
	void *br = NULL;
	int ret;

	memset(&reg, 0, sizeof(reg));
	reg.ring_entries = nentries;
	reg.bgid = (__u16)bgid;
	reg.flags = (__u16)flags;
	if (!(flags & IOU_PBUF_RING_MMAP)) {
		br = mmap(NULL, br_size(nentries), PROT_READ | PROT_WRITE,
			  MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
		if (br == MAP_FAILED) {
			*err = -errno;
			return NULL;
		}
		reg.ring_addr = (__u64)(uintptr_t)br;
	}
	ret = io_uring_register_buf_ring(ring, &reg, flags);
	if (ret) {
		if (br)
			munmap(br, br_size(nentries));
		*err = ret;
		return NULL;
	}
	if (br)
		return br;
	br = br_map_kernel(ring, nentries, bgid, err);
	if (!br)
		io_uring_unregister_buf_ring(ring, bgid);
	return br;
}

/* Returns the ring, empty and registered, or NULL with -errno in *err. */
AIORING_EXPORT struct io_uring_buf_ring *
io_uring_setup_buf_ring(struct io_uring *ring, unsigned int nentries, int bgid,
			unsigned int flags, int *err)
{
	struct io_uring_buf_ring *br;

	*err = 0;
	br = br_setup(ring, nentries, bgid, flags, err);
	if (br)
		io_uring_buf_ring_init(br);
	return br;
}

AIORING_EXPORT int io_uring_free_buf_ring(struct io_uring *ring,
					  struct io_uring_buf_ring *br,
					  unsigned int nentries, int bgid)
{
	int ret = io_uring_unregister_buf_ring(ring, bgid);

	if (ret)
		return ret;
	/* Either kind of ring: ours, or the kernel's mapped from the fd. */
	route_munmap(br, br_size(nentries));
	return 0;
}
