/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register() and its liburing wrappers: resources (buffers,
 * files), notifications, the io-wq, registered ring fds, provided buffer
 * rings, and the rest of liburing 2.15's register family.
 *
 * Each wrapper builds the kernel's argument and calls front_register(),
 * which, once the ring's own fd is registered (IORING_FEAT_REG_REG_RING),
 * names the ring by its registered index as liburing does. Return values
 * follow liburing wrapper by wrapper: some flatten success to 0, some pass
 * the kernel's count or id through.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include "liburing.h"
#include "lib/export.h"
#include "lib/route.h"

int front_register(struct io_uring *ring, unsigned opcode, const void *arg,
		   unsigned nr_args)
{
	if (ring->int_flags & INT_FLAG_REG_REG_RING)
		return route_register(ring->enter_ring_fd,
				      opcode | IORING_REGISTER_USE_REGISTERED_RING,
				      arg, nr_args);
	return route_register(ring->ring_fd, opcode, arg, nr_args);
}

/* For the calls that liburing reports as 0 on success. */
static int reg_zero(struct io_uring *ring, unsigned opcode, const void *arg,
		    unsigned nr_args)
{
	int ret = front_register(ring, opcode, arg, nr_args);

	return ret < 0 ? ret : 0;
}

static __u64 uptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* --- buffers ------------------------------------------------------------- */

AIORING_EXPORT int io_uring_register_buffers(struct io_uring *ring,
					     const struct iovec *iovecs,
					     unsigned nr_iovecs)
{
	return reg_zero(ring, IORING_REGISTER_BUFFERS, iovecs, nr_iovecs);
}

AIORING_EXPORT int io_uring_register_buffers_tags(struct io_uring *ring,
						  const struct iovec *iovecs,
						  const __u64 *tags,
						  unsigned nr)
{
	struct io_uring_rsrc_register reg = {
		.nr = nr,
		.data = uptr(iovecs),
		.tags = uptr(tags),
	};

	return front_register(ring, IORING_REGISTER_BUFFERS2, &reg,
			      sizeof(reg));
}

AIORING_EXPORT int io_uring_register_buffers_sparse(struct io_uring *ring,
						    unsigned nr)
{
	struct io_uring_rsrc_register reg = {
		.flags = IORING_RSRC_REGISTER_SPARSE,
		.nr = nr,
	};

	return front_register(ring, IORING_REGISTER_BUFFERS2, &reg,
			      sizeof(reg));
}

AIORING_EXPORT int io_uring_register_buffers_update_tag(struct io_uring *ring,
							unsigned off,
							const struct iovec *iovecs,
							const __u64 *tags,
							unsigned nr)
{
	struct io_uring_rsrc_update2 up = {
		.offset = off,
		.data = uptr(iovecs),
		.tags = uptr(tags),
		.nr = nr,
	};

	return front_register(ring, IORING_REGISTER_BUFFERS_UPDATE, &up,
			      sizeof(up));
}

AIORING_EXPORT int io_uring_unregister_buffers(struct io_uring *ring)
{
	return reg_zero(ring, IORING_UNREGISTER_BUFFERS, NULL, 0);
}

/* --- files --------------------------------------------------------------- */

/*
 * A table of @nr files is charged to RLIMIT_NOFILE: on EMFILE, raise the
 * soft limit by @nr (within the hard limit) and try once more, as liburing
 * does.
 */
static void raise_nofile(unsigned nr)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= nr)
		return;
	rl.rlim_cur += nr;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static int reg_files(struct io_uring *ring, unsigned opcode, const void *arg,
		     unsigned nr_args, unsigned nr_files)
{
	int ret = front_register(ring, opcode, arg, nr_args);

	if (ret == -EMFILE) {
		raise_nofile(nr_files);
		ret = front_register(ring, opcode, arg, nr_args);
	}
	return ret;
}

AIORING_EXPORT int io_uring_register_files(struct io_uring *ring,
					   const int *files, unsigned nr_files)
{
	int ret = reg_files(ring, IORING_REGISTER_FILES, files, nr_files,
			    nr_files);

	return ret < 0 ? ret : 0;
}

AIORING_EXPORT int io_uring_register_files_tags(struct io_uring *ring,
						const int *files,
						const __u64 *tags, unsigned nr)
{
	struct io_uring_rsrc_register reg = {
		.nr = nr,
		.data = uptr(files),
		.tags = uptr(tags),
	};

	return reg_files(ring, IORING_REGISTER_FILES2, &reg, sizeof(reg), nr);
}

AIORING_EXPORT int io_uring_register_files_sparse(struct io_uring *ring,
						  unsigned nr)
{
	struct io_uring_rsrc_register reg = {
		.flags = IORING_RSRC_REGISTER_SPARSE,
		.nr = nr,
	};

	return reg_files(ring, IORING_REGISTER_FILES2, &reg, sizeof(reg), nr);
}

AIORING_EXPORT int io_uring_register_files_update_tag(struct io_uring *ring,
						      unsigned off,
						      const int *files,
						      const __u64 *tags,
						      unsigned nr_files)
{
	struct io_uring_rsrc_update2 up = {
		.offset = off,
		.data = uptr(files),
		.tags = uptr(tags),
		.nr = nr_files,
	};

	return front_register(ring, IORING_REGISTER_FILES_UPDATE2, &up,
			      sizeof(up));
}

/* Returns the number of slots updated. */
AIORING_EXPORT int io_uring_register_files_update(struct io_uring *ring,
						  unsigned off,
						  const int *files,
						  unsigned nr_files)
{
	struct io_uring_files_update up = {
		.offset = off,
		.fds = uptr(files),
	};

	return front_register(ring, IORING_REGISTER_FILES_UPDATE, &up,
			      nr_files);
}

AIORING_EXPORT int io_uring_unregister_files(struct io_uring *ring)
{
	return reg_zero(ring, IORING_UNREGISTER_FILES, NULL, 0);
}

AIORING_EXPORT int io_uring_register_file_alloc_range(struct io_uring *ring,
						      unsigned off,
						      unsigned len)
{
	struct io_uring_file_index_range range = {
		.off = off,
		.len = len,
	};

	return front_register(ring, IORING_REGISTER_FILE_ALLOC_RANGE, &range,
			      0);
}

/* --- notification, identity, restrictions --------------------------------- */

AIORING_EXPORT int io_uring_register_eventfd(struct io_uring *ring, int fd)
{
	return reg_zero(ring, IORING_REGISTER_EVENTFD, &fd, 1);
}

AIORING_EXPORT int io_uring_register_eventfd_async(struct io_uring *ring,
						   int fd)
{
	return reg_zero(ring, IORING_REGISTER_EVENTFD_ASYNC, &fd, 1);
}

AIORING_EXPORT int io_uring_unregister_eventfd(struct io_uring *ring)
{
	return reg_zero(ring, IORING_UNREGISTER_EVENTFD, NULL, 0);
}

AIORING_EXPORT int io_uring_register_probe(struct io_uring *ring,
					   struct io_uring_probe *p,
					   unsigned nr)
{
	return reg_zero(ring, IORING_REGISTER_PROBE, p, nr);
}

/* Returns the new personality id. */
AIORING_EXPORT int io_uring_register_personality(struct io_uring *ring)
{
	return front_register(ring, IORING_REGISTER_PERSONALITY, NULL, 0);
}

AIORING_EXPORT int io_uring_unregister_personality(struct io_uring *ring,
						   int id)
{
	return front_register(ring, IORING_UNREGISTER_PERSONALITY, NULL,
			      (unsigned)id);
}

AIORING_EXPORT int io_uring_register_restrictions(struct io_uring *ring,
						  struct io_uring_restriction *res,
						  unsigned int nr_res)
{
	return reg_zero(ring, IORING_REGISTER_RESTRICTIONS, res, nr_res);
}

/* Starts a ring made with IORING_SETUP_R_DISABLED (after restrictions). */
AIORING_EXPORT int io_uring_enable_rings(struct io_uring *ring)
{
	return front_register(ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

/* --- io-wq --------------------------------------------------------------- */

AIORING_EXPORT int io_uring_register_iowq_aff(struct io_uring *ring,
					      size_t cpusz,
					      const cpu_set_t *mask)
{
	/* nr_args is an unsigned int: a larger mask cannot be described. */
	if (cpusz >= (1U << 31))
		return -EINVAL;
	return front_register(ring, IORING_REGISTER_IOWQ_AFF, mask,
			      (unsigned)cpusz);
}

AIORING_EXPORT int io_uring_unregister_iowq_aff(struct io_uring *ring)
{
	return front_register(ring, IORING_UNREGISTER_IOWQ_AFF, NULL, 0);
}

/* values[2]: bound and unbound limits in, the old ones out. */
AIORING_EXPORT int io_uring_register_iowq_max_workers(struct io_uring *ring,
						      unsigned int *values)
{
	return front_register(ring, IORING_REGISTER_IOWQ_MAX_WORKERS, values,
			      2);
}

/* --- registered ring fds ------------------------------------------------- */

/*
 * Registers the ring's own fd so enters skip the fd lookup; where the
 * kernel allows it (FEAT_REG_REG_RING) registers use the index too.
 * Returns 1 (one fd registered) or -errno.
 */
AIORING_EXPORT int io_uring_register_ring_fd(struct io_uring *ring)
{
	struct io_uring_rsrc_update up = {
		.offset = -1U,	/* any free slot */
		.data = (__u64)ring->ring_fd,
	};
	int ret;

	if (ring->int_flags & INT_FLAG_REG_RING)
		return -EEXIST;
	ret = front_register(ring, IORING_REGISTER_RING_FDS, &up, 1);
	if (ret != 1)
		return ret;
	ring->enter_ring_fd = (int)up.offset;
	ring->int_flags |= INT_FLAG_REG_RING;
	if (ring->features & IORING_FEAT_REG_REG_RING)
		ring->int_flags |= INT_FLAG_REG_REG_RING;
	return ret;
}

AIORING_EXPORT int io_uring_unregister_ring_fd(struct io_uring *ring)
{
	struct io_uring_rsrc_update up = {
		.offset = (__u32)ring->enter_ring_fd,
	};
	int ret;

	if (!(ring->int_flags & INT_FLAG_REG_RING))
		return -EINVAL;
	ret = front_register(ring, IORING_UNREGISTER_RING_FDS, &up, 1);
	if (ret != 1)
		return ret;
	ring->enter_ring_fd = ring->ring_fd;
	ring->int_flags &= (__u8)~(INT_FLAG_REG_RING | INT_FLAG_REG_REG_RING);
	return ret;
}

/* Leaves the ring usable through its registered index only. */
AIORING_EXPORT int io_uring_close_ring_fd(struct io_uring *ring)
{
	if (!(ring->features & IORING_FEAT_REG_REG_RING))
		return -EOPNOTSUPP;
	if (!(ring->int_flags & INT_FLAG_REG_RING))
		return -EINVAL;
	if (ring->ring_fd == -1)
		return -EBADF;
	route_close(ring->ring_fd);
	ring->ring_fd = -1;
	return 1;
}

/* --- provided buffer rings ----------------------------------------------- */

/* @flags is not used: everything the kernel needs is in @reg. */
AIORING_EXPORT int io_uring_register_buf_ring(struct io_uring *ring,
					      struct io_uring_buf_reg *reg,
					      unsigned int flags)
{
	return front_register(ring, IORING_REGISTER_PBUF_RING, reg, 1);
}

AIORING_EXPORT int io_uring_unregister_buf_ring(struct io_uring *ring,
						int bgid)
{
	struct io_uring_buf_reg reg = {
		.bgid = (__u16)bgid,
	};

	return front_register(ring, IORING_UNREGISTER_PBUF_RING, &reg, 1);
}

AIORING_EXPORT int io_uring_buf_ring_head(struct io_uring *ring, int buf_group,
					  uint16_t *head)
{
	struct io_uring_buf_status status = {
		.buf_group = (__u32)buf_group,
	};
	int ret = front_register(ring, IORING_REGISTER_PBUF_STATUS, &status, 1);

	if (ret)
		return ret;
	*head = (uint16_t)status.head;
	return 0;
}

/* --- cancelation, NAPI, clock -------------------------------------------- */

AIORING_EXPORT int io_uring_register_sync_cancel(struct io_uring *ring,
						 struct io_uring_sync_cancel_reg *reg)
{
	return front_register(ring, IORING_REGISTER_SYNC_CANCEL, reg, 1);
}

AIORING_EXPORT int io_uring_register_napi(struct io_uring *ring,
					  struct io_uring_napi *napi)
{
	return front_register(ring, IORING_REGISTER_NAPI, napi, 1);
}

AIORING_EXPORT int io_uring_unregister_napi(struct io_uring *ring,
					    struct io_uring_napi *napi)
{
	return front_register(ring, IORING_UNREGISTER_NAPI, napi, 1);
}

AIORING_EXPORT int io_uring_register_clock(struct io_uring *ring,
					   struct io_uring_clock_register *arg)
{
	return front_register(ring, IORING_REGISTER_CLOCK, arg, 0);
}

/* --- buffer cloning ------------------------------------------------------ */

/* The source ring is named by its registered index where it has one. */
AIORING_EXPORT int __io_uring_clone_buffers_offset(struct io_uring *dst,
						   struct io_uring *src,
						   unsigned int dst_off,
						   unsigned int src_off,
						   unsigned int nr,
						   unsigned int flags)
{
	struct io_uring_clone_buffers buf = {
		.src_fd = (__u32)src->ring_fd,
		.flags = flags,
		.src_off = src_off,
		.dst_off = dst_off,
		.nr = nr,
	};

	if (src->int_flags & INT_FLAG_REG_REG_RING) {
		buf.src_fd = (__u32)src->enter_ring_fd;
		buf.flags |= IORING_REGISTER_SRC_REGISTERED;
	}
	return front_register(dst, IORING_REGISTER_CLONE_BUFFERS, &buf, 1);
}

AIORING_EXPORT int io_uring_clone_buffers_offset(struct io_uring *dst,
						 struct io_uring *src,
						 unsigned int dst_off,
						 unsigned int src_off,
						 unsigned int nr,
						 unsigned int flags)
{
	return __io_uring_clone_buffers_offset(dst, src, dst_off, src_off, nr,
					       flags);
}

AIORING_EXPORT int __io_uring_clone_buffers(struct io_uring *dst,
					    struct io_uring *src,
					    unsigned int flags)
{
	return __io_uring_clone_buffers_offset(dst, src, 0, 0, 0, flags);
}

AIORING_EXPORT int io_uring_clone_buffers(struct io_uring *dst,
					  struct io_uring *src)
{
	return __io_uring_clone_buffers(dst, src, 0);
}

/* --- regions, zero-copy receive, queries, filters ------------------------ */

AIORING_EXPORT int io_uring_register_region(struct io_uring *ring,
					    struct io_uring_mem_region_reg *reg)
{
	return front_register(ring, IORING_REGISTER_MEM_REGION, reg, 1);
}

/*
 * The CQ wait registration that liburing 2.9 wrapped never reached a
 * released kernel (wait arguments live in a MEM_REGION instead); the
 * symbol stays for the ABI and fails as liburing's does.
 */
AIORING_EXPORT int io_uring_register_wait_reg(struct io_uring *ring,
					      struct io_uring_reg_wait *reg,
					      int nr)
{
	return -EINVAL;
}

AIORING_EXPORT int io_uring_register_ifq(struct io_uring *ring,
					 struct io_uring_zcrx_ifq_reg *reg)
{
	return front_register(ring, IORING_REGISTER_ZCRX_IFQ, reg, 1);
}

AIORING_EXPORT int io_uring_register_zcrx_ctrl(struct io_uring *ring,
					       struct zcrx_ctrl *ctrl)
{
	return front_register(ring, IORING_REGISTER_ZCRX_CTRL, ctrl, 0);
}

/*
 * Posts a MSG_RING SQE without a ring of one's own: a "blind" register
 * with fd -1, which the router hands to the kernel.
 */
AIORING_EXPORT int io_uring_register_sync_msg(struct io_uring_sqe *sqe)
{
	return route_register(-1, IORING_REGISTER_SEND_MSG_RING, sqe, 1);
}

/*
 * A query needs no ring: with @ring NULL it is a blind register on fd -1,
 * which the router hands to the kernel.
 */
AIORING_EXPORT int io_uring_register_query(struct io_uring *ring,
					   struct io_uring_query_hdr *query)
{
	if (!ring)
		return route_register(-1, IORING_REGISTER_QUERY, query, 0);
	return front_register(ring, IORING_REGISTER_QUERY, query, 0);
}

AIORING_EXPORT int io_uring_register_bpf_filter(struct io_uring *ring,
						struct io_uring_bpf *bpf)
{
	return front_register(ring, IORING_REGISTER_BPF_FILTER, bpf, 1);
}

/* The filter applies to the calling task's rings: blind, on fd -1. */
AIORING_EXPORT int io_uring_register_bpf_filter_task(struct io_uring_bpf *bpf)
{
	return route_register(-1, IORING_REGISTER_BPF_FILTER, bpf, 1);
}
