/* SPDX-License-Identifier: MIT */
/*
 * Registered buffers (io_uring_register_buffers) for READ_FIXED and
 * WRITE_FIXED. The kernel pins the pages; the engine checks that they are
 * mapped, and keeps a count of requests using the table so that
 * unregistering waits until none does.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "engine/req.h"

#define ENG_MAX_REG_BUFFERS	(1u << 14)
#define ENG_MAX_BUF_LEN		(1ul << 30)

/* mincore() fails with ENOMEM on an unmapped page: the kernel's pin would
 * fail there with -EFAULT. */
static int buf_check_mapped(const struct iovec *iov)
{
	static long page;
	uintptr_t start, end;
	unsigned char vec[64];

	if (!page)
		page = sysconf(_SC_PAGESIZE);
	start = (uintptr_t)iov->iov_base & ~(uintptr_t)(page - 1);
	end = (uintptr_t)iov->iov_base + iov->iov_len;
	while (start < end) {
		size_t len = (size_t)(end - start);

		if (len > sizeof(vec) * (size_t)page)
			len = sizeof(vec) * (size_t)page;
		if (mincore((void *)start, len, vec))
			return -EFAULT;
		start += len;
	}
	return 0;
}

static int buf_validate(const struct iovec *iov)
{
	uintptr_t end;

	if (!iov->iov_base)
		return iov->iov_len ? -EFAULT : 0;
	if (iov->iov_len > ENG_MAX_BUF_LEN)
		return -EFAULT;
	if (__builtin_add_overflow((uintptr_t)iov->iov_base, iov->iov_len, &end))
		return -EOVERFLOW;
	return buf_check_mapped(iov);
}

int eng_buffers_register(struct eng_ctx *ctx, const struct iovec *iov,
			 unsigned nr)
{
	struct eng_buf *bufs;
	unsigned i;
	int ret;

	if (ctx->bufs)
		return -EBUSY;
	if (!nr || nr > ENG_MAX_REG_BUFFERS)
		return -EINVAL;
	if (!iov)
		return -EFAULT;
	bufs = calloc(nr, sizeof(*bufs));
	if (!bufs)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		ret = buf_validate(&iov[i]);
		if (ret) {
			free(bufs);
			return ret;
		}
		bufs[i].addr = iov[i].iov_base;
		bufs[i].len = iov[i].iov_len;
	}
	pthread_mutex_lock(&ctx->rsrc_lock);
	ctx->bufs = bufs;
	ctx->nr_bufs = nr;
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return 0;
}

/* Under submit_lock, so no new user can come; waits for the old ones. */
int eng_buffers_unregister(struct eng_ctx *ctx)
{
	if (!ctx->bufs)
		return -ENXIO;
	while (atomic_load(&ctx->bufs_users))
		usleep(100);
	eng_buffers_free(ctx);
	return 0;
}

void eng_buffers_free(struct eng_ctx *ctx)
{
	pthread_mutex_lock(&ctx->rsrc_lock);
	free(ctx->bufs);
	ctx->bufs = NULL;
	ctx->nr_bufs = 0;
	pthread_mutex_unlock(&ctx->rsrc_lock);
}

/* On the submitter: checks [addr, addr + len) lies in buffer @index. */
int eng_buffer_get(struct eng_ctx *ctx, unsigned index, uint64_t addr,
		   uint32_t len)
{
	const struct eng_buf *buf;
	uint64_t end;

	if (index >= ctx->nr_bufs)
		return -EFAULT;
	buf = &ctx->bufs[index];
	if (!buf->addr || __builtin_add_overflow(addr, (uint64_t)len, &end))
		return -EFAULT;
	if (addr < (uintptr_t)buf->addr || end > (uintptr_t)buf->addr + buf->len)
		return -EFAULT;
	atomic_fetch_add_explicit(&ctx->bufs_users, 1, memory_order_relaxed);
	return 0;
}

void eng_buffer_put(struct eng_ctx *ctx)
{
	atomic_fetch_sub_explicit(&ctx->bufs_users, 1, memory_order_release);
}
