/* SPDX-License-Identifier: MIT */
/*
 * Registered buffers (io_uring_register_buffers, BUFFERS2, BUFFERS_UPDATE)
 * for READ_FIXED and WRITE_FIXED, and the reference-counted nodes that both
 * resource tables share (see rsrc.h), and io_uring_register's switch for
 * the resource opcodes.
 *
 * The kernel pins the pages; the engine checks that it could (upin.h) and
 * faults them in, but holds no pin: unmapping them stays the
 * application's business.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine/req.h"
#include "engine/rsrc.h"
#include "util/ucopy.h"
#include "util/upin.h"

#define ENG_MAX_REG_BUFFERS	(1u << 14)
#define ENG_MAX_BUF_LEN		(1ul << 30)

static void rsrc_tag_release(struct eng_cqe_slot *slot, bool submitter)
{
	free((char *)slot - offsetof(struct eng_rsrc, tag_cqe));
}

void eng_rsrc_put(struct eng_ctx *ctx, struct eng_rsrc *node, bool submitter)
{
	/* acq_rel: every user's accesses happen before the last one frees. */
	if (atomic_fetch_sub_explicit(&node->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (node->is_file)
		close(node->fd);
	if (!node->tag) {
		free(node);
		return;
	}
	if (submitter)
		eng_post_batch(ctx);
	/* The node keeps its own tag CQE until it is in the ring. */
	node->tag_cqe = (struct eng_cqe_slot){
		.release = rsrc_tag_release,
		.cqe = { .user_data = node->tag },
	};
	eng_post_slot(ctx, &node->tag_cqe, !submitter);
}

/* The kernel's io_buffer_validate(): a NULL base with no length is an
 * empty (sparse) slot. */
static int buf_validate(const struct iovec *iov)
{
	uintptr_t end;

	if (!iov->iov_base)
		return iov->iov_len ? -EFAULT : 0;
	if (!iov->iov_len || iov->iov_len > ENG_MAX_BUF_LEN)
		return -EFAULT;
	/* The kernel adds a page less one byte: the pages it accounts. */
	if (__builtin_add_overflow((uintptr_t)iov->iov_base, iov->iov_len +
				   (size_t)sysconf(_SC_PAGESIZE) - 1, &end))
		return -EOVERFLOW;
	return 0;
}

/* iovec_from_user(): a length that does not fit ssize_t is -EINVAL. */
static int buf_read_iov(const struct iovec *uiov, unsigned i,
			struct iovec *iov)
{
	if (ucopy(iov, &uiov[i], sizeof(*iov)))
		return -EFAULT;
	return (ssize_t)iov->iov_len < 0 ? -EINVAL : 0;
}

/*
 * Reads entry @i of the application's iovec and tag arrays (either may be
 * NULL: sparse, untagged) and makes its node; *out is NULL for an empty
 * slot. The kernel reads the tag after validating the iovec when it
 * registers, before when it updates (@tag_first): so do we.
 */
static int buf_node_make(struct upin_ctx *pin, const struct iovec *uiov,
			 const uint64_t *utags, unsigned i, bool tag_first,
			 struct eng_rsrc **out)
{
	struct iovec iov = { NULL, 0 };
	uint64_t tag = 0;
	struct eng_rsrc *node;
	int ret;

	*out = NULL;
	if (uiov && (ret = buf_read_iov(uiov, i, &iov)))
		return ret;
	if (tag_first && utags && ucopy(&tag, &utags[i], sizeof(tag)))
		return -EFAULT;
	ret = buf_validate(&iov);
	if (ret)
		return ret;
	if (!tag_first && utags && ucopy(&tag, &utags[i], sizeof(tag)))
		return -EFAULT;
	/* As the kernel's pin: mapped, writable, pinnable (upin.h). */
	ret = upin_check(pin, iov.iov_base, iov.iov_len);
	if (ret)
		return ret;
	if (!iov.iov_base)
		return tag ? -EINVAL : 0;
	node = calloc(1, sizeof(*node));
	if (!node)
		return -ENOMEM;
	atomic_init(&node->refs, 1);
	node->tag = tag;
	node->buf.addr = iov.iov_base;
	node->buf.len = iov.iov_len;
	*out = node;
	return 0;
}

static void buf_table_drop(struct eng_ctx *ctx, struct eng_rsrc **tab,
			   unsigned nr)
{
	unsigned i;

	for (i = 0; i < nr; i++)
		if (tab[i])
			eng_rsrc_put(ctx, tab[i], true);
	free(tab);
}

static int buffers_register(struct eng_ctx *ctx, const struct iovec *iov,
			    unsigned nr, const uint64_t *tags, bool sparse)
{
	struct upin_ctx pin = { 0 };
	struct eng_rsrc **tab;
	unsigned i;
	int ret;

	if (ctx->bufs)
		return -EBUSY;
	if (!nr || nr > ENG_MAX_REG_BUFFERS)
		return -EINVAL;
	if (!iov && !sparse)
		return -EFAULT;
	tab = calloc(nr, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		ret = buf_node_make(&pin, iov, tags, i, false, &tab[i]);
		if (ret) {
			upin_done(&pin);
			/* nothing was visible: no tag CQEs for these */
			while (i--)
				if (tab[i])
					tab[i]->tag = 0;
			buf_table_drop(ctx, tab, nr);
			return ret;
		}
	}
	upin_done(&pin);
	pthread_mutex_lock(&ctx->rsrc_lock);
	ctx->bufs = tab;
	ctx->nr_bufs = nr;
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return 0;
}

int eng_buffers_register(struct eng_ctx *ctx, const struct iovec *iov,
			 unsigned nr)
{
	return buffers_register(ctx, iov, nr, NULL, false);
}

/* struct io_uring_rsrc_register, shared with the file table. */
int eng_rsrc_reg_read(const void *arg, unsigned size,
		      struct io_uring_rsrc_register *rr)
{
	if (size != sizeof(*rr))
		return -EINVAL;
	if (!arg || ucopy(rr, arg, sizeof(*rr)))
		return -EFAULT;
	if (!rr->nr || rr->resv2)
		return -EINVAL;
	if (rr->flags & ~IORING_RSRC_REGISTER_SPARSE)
		return -EINVAL;
	if ((rr->flags & IORING_RSRC_REGISTER_SPARSE) && rr->data)
		return -EINVAL;
	return 0;
}

int eng_buffers_register2(struct eng_ctx *ctx, const void *arg, unsigned size)
{
	struct io_uring_rsrc_register rr;
	int ret = eng_rsrc_reg_read(arg, size, &rr);

	if (ret)
		return ret;
	/* Here a NULL array is a sparse table, with or without the flag. */
	return buffers_register(ctx, (const struct iovec *)(uintptr_t)rr.data,
				rr.nr, (const uint64_t *)(uintptr_t)rr.tags, true);
}

/* struct io_uring_rsrc_update2, shared with the file table. */
int eng_rsrc_update_read(const void *arg, unsigned size,
			 struct io_uring_rsrc_update2 *up)
{
	uint32_t end;

	if (size != sizeof(*up))
		return -EINVAL;
	if (!arg || ucopy(up, arg, sizeof(*up)))
		return -EFAULT;
	if (!up->nr || up->resv || up->resv2)
		return -EINVAL;
	if (__builtin_add_overflow(up->offset, up->nr, &end))
		return -EOVERFLOW;
	return 0;
}

/* Returns the number of slots replaced, or the error of the first one. */
int eng_buffers_update(struct eng_ctx *ctx, const void *arg, unsigned size)
{
	struct upin_ctx pin = { 0 };
	struct io_uring_rsrc_update2 up;
	struct eng_rsrc *node;
	unsigned done;
	int ret = eng_rsrc_update_read(arg, size, &up);

	if (ret)
		return ret;
	if (!ctx->bufs)
		return -ENXIO;
	if (up.offset + up.nr > ctx->nr_bufs)
		return -EINVAL;
	for (done = 0; done < up.nr; done++) {
		if (!up.data) {
			ret = -EFAULT;
			break;
		}
		ret = buf_node_make(&pin, (const struct iovec *)(uintptr_t)up.data,
				    (const uint64_t *)(uintptr_t)up.tags,
				    done, true, &node);
		if (ret)
			break;
		pthread_mutex_lock(&ctx->rsrc_lock);
		if (ctx->bufs[up.offset + done])
			eng_rsrc_put(ctx, ctx->bufs[up.offset + done], true);
		ctx->bufs[up.offset + done] = node;
		pthread_mutex_unlock(&ctx->rsrc_lock);
	}
	upin_done(&pin);
	return done ? (int)done : ret;
}

/* Requests in flight keep their own references: nothing to wait for. */
int eng_buffers_unregister(struct eng_ctx *ctx)
{
	if (!ctx->bufs)
		return -ENXIO;
	eng_buffers_free(ctx);
	return 0;
}

void eng_buffers_free(struct eng_ctx *ctx)
{
	struct eng_rsrc **tab;
	unsigned nr;

	pthread_mutex_lock(&ctx->rsrc_lock);
	tab = ctx->bufs;
	nr = ctx->nr_bufs;
	ctx->bufs = NULL;
	ctx->nr_bufs = 0;
	pthread_mutex_unlock(&ctx->rsrc_lock);
	if (tab)
		buf_table_drop(ctx, tab, nr);
}

/* On the submitter: checks [addr, addr + len) lies in buffer @index. */
static int buffer_get_locked(struct eng_ctx *ctx, unsigned index,
			     uint64_t addr, uint32_t len,
			     struct eng_rsrc **node_out)
{
	struct eng_rsrc *node;
	uint64_t end, start;

	if (index >= ctx->nr_bufs || !(node = ctx->bufs[index]))
		return -EFAULT;
	start = (uintptr_t)node->buf.addr;
	if (__builtin_add_overflow(addr, (uint64_t)len, &end))
		return -EFAULT;
	if (addr < start || end > start + node->buf.len)
		return -EFAULT;
	/* Relaxed: rsrc_lock orders us against the table's put. */
	atomic_fetch_add_explicit(&node->refs, 1, memory_order_relaxed);
	*node_out = node;
	return 0;
}

int eng_buffer_get(struct eng_ctx *ctx, unsigned index, uint64_t addr,
		   uint32_t len, struct eng_rsrc **node_out)
{
	int ret;

	pthread_mutex_lock(&ctx->rsrc_lock);
	ret = buffer_get_locked(ctx, index, addr, len, node_out);
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return ret;
}

int eng_rsrc_register(struct eng_ctx *ctx, unsigned opcode, void *arg,
		      unsigned nr)
{
	switch (opcode) {
	case IORING_REGISTER_BUFFERS:
		/* The kernel's first check, before "busy" and nr. */
		return arg ? eng_buffers_register(ctx, arg, nr) : -EFAULT;
	case IORING_UNREGISTER_BUFFERS:
		return arg || nr ? -EINVAL : eng_buffers_unregister(ctx);
	case IORING_REGISTER_BUFFERS2:
		return eng_buffers_register2(ctx, arg, nr);
	case IORING_REGISTER_BUFFERS_UPDATE:
		return eng_buffers_update(ctx, arg, nr);
	case IORING_REGISTER_FILES:
		/* Only FILES2 makes a sparse table from a NULL array; as for
		 * BUFFERS, the kernel checks this first. */
		return arg ? eng_files_register(ctx, arg, nr, NULL) : -EFAULT;
	case IORING_UNREGISTER_FILES:
		return arg || nr ? -EINVAL : eng_files_unregister(ctx);
	case IORING_REGISTER_FILES2:
		return eng_files_register2(ctx, arg, nr);
	case IORING_REGISTER_FILES_UPDATE:
		return eng_files_update(ctx, arg, nr);
	case IORING_REGISTER_FILES_UPDATE2:
		return eng_files_update2(ctx, arg, nr);
	case IORING_REGISTER_FILE_ALLOC_RANGE:
		return eng_files_alloc_range(ctx, arg, nr);
	case IORING_REGISTER_PBUF_RING:
		return eng_pbuf_ring_register(ctx, arg, nr);
	case IORING_UNREGISTER_PBUF_RING:
		return eng_pbuf_ring_unregister(ctx, arg, nr);
	case IORING_REGISTER_PBUF_STATUS:
		return eng_pbuf_status(ctx, arg, nr);
	default:
		return -EINVAL;
	}
}
