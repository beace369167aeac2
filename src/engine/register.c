/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register() on the engine. Like the kernel, registration runs
 * under the submission lock, so the submitter never sees a half-made table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "engine/req.h"
#include "engine/rsrc.h"
#include "engine/ringctl.h"

int eng_probe_fill(struct io_uring_probe *p, unsigned nr_ops)
{
	unsigned i;

	if (nr_ops > IORING_OP_LAST)
		nr_ops = IORING_OP_LAST;
	/* As the kernel: the caller hands in a zeroed probe. */
	for (i = 0; i < sizeof(*p) + nr_ops * sizeof(p->ops[0]); i++)
		if (((const unsigned char *)p)[i])
			return -EINVAL;
	p->last_op = IORING_OP_LAST - 1;
	p->ops_len = (uint8_t)nr_ops;
	for (i = 0; i < nr_ops; i++) {
		p->ops[i].op = (uint8_t)i;
		if (eng_opdef(i))
			p->ops[i].flags = IO_URING_OP_SUPPORTED;
	}
	return 0;
}

/* The kernel takes only an eventfd here; /proc tells us what @fd is. */
static int evfd_check(int fd)
{
	char path[64], link[64];
	ssize_t n;

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;	/* no /proc: take it on trust */
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

static int evfd_register(struct eng_ctx *ctx, const void *arg, unsigned nr,
			 bool async)
{
	int fd, ret;

	if (nr != 1)
		return -EINVAL;
	if (!arg)
		return -EFAULT;
	if (atomic_load(&ctx->evfd) >= 0)
		return -EBUSY;
	ret = evfd_check(*(const int *)arg);
	if (ret)
		return ret;
	/* Our own reference, as the kernel's: the application may close
	 * its descriptor while the registration lives on. */
	fd = eng_fd_private(*(const int *)arg, true);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&ctx->cq_lock);
	ctx->evfd_async = async;
	atomic_store(&ctx->evfd, fd);
	pthread_mutex_unlock(&ctx->cq_lock);
	return 0;
}

static int evfd_unregister(struct eng_ctx *ctx)
{
	int fd;

	/* cq_lock: no poster is between loading the fd and writing it. */
	pthread_mutex_lock(&ctx->cq_lock);
	fd = atomic_exchange(&ctx->evfd, -1);
	pthread_mutex_unlock(&ctx->cq_lock);
	if (fd < 0)
		return -ENXIO;
	close(fd);
	return 0;
}

static int iowq_max_workers(struct eng_ctx *ctx, void *arg, unsigned nr)
{
	if (nr != 2)
		return -EINVAL;
	if (!arg)
		return -EFAULT;
	return eng_wq_max_workers(ctx->wq, arg);
}

static int register_locked(struct eng_ctx *ctx, unsigned opcode, void *arg,
			   unsigned nr)
{
	switch (opcode) {
	case IORING_REGISTER_BUFFERS:
	case IORING_UNREGISTER_BUFFERS:
	case IORING_REGISTER_BUFFERS2:
	case IORING_REGISTER_BUFFERS_UPDATE:
	case IORING_REGISTER_FILES:
	case IORING_UNREGISTER_FILES:
	case IORING_REGISTER_FILES2:
	case IORING_REGISTER_FILES_UPDATE:
	case IORING_REGISTER_FILES_UPDATE2:
	case IORING_REGISTER_FILE_ALLOC_RANGE:
	case IORING_REGISTER_PBUF_RING:
	case IORING_UNREGISTER_PBUF_RING:
	case IORING_REGISTER_PBUF_STATUS:
		return eng_rsrc_register(ctx, opcode, arg, nr);	/* rsrc.c */
	case IORING_REGISTER_EVENTFD:
	case IORING_REGISTER_EVENTFD_ASYNC:
		return evfd_register(ctx, arg, nr,
				     opcode == IORING_REGISTER_EVENTFD_ASYNC);
	case IORING_UNREGISTER_EVENTFD:
		return arg || nr ? -EINVAL : evfd_unregister(ctx);
	case IORING_REGISTER_PROBE:
		/* as the kernel: no probe, or more than 256 ops: -EINVAL */
		return arg && nr <= 256 ? eng_probe_fill(arg, nr) : -EINVAL;
	case IORING_REGISTER_IOWQ_MAX_WORKERS:
		return iowq_max_workers(ctx, arg, nr);
	case IORING_REGISTER_ENABLE_RINGS:
	case IORING_REGISTER_RESTRICTIONS:
	case IORING_REGISTER_PERSONALITY:
	case IORING_UNREGISTER_PERSONALITY:
	case IORING_REGISTER_CLOCK:
		return eng_restrict_register(ctx, opcode, arg, nr); /* restrict.c */
	case IORING_REGISTER_RING_FDS:
	case IORING_UNREGISTER_RING_FDS:		/* ringfd.c */
		return eng_ringfd_register(arg, nr,
					   opcode == IORING_REGISTER_RING_FDS);
	case IORING_REGISTER_IOWQ_AFF:
		/* wq.c */
		return arg ? eng_wq_set_affinity(ctx->wq, arg, nr) : -EINVAL;
	case IORING_UNREGISTER_IOWQ_AFF:
		return arg || nr ? -EINVAL : eng_wq_set_affinity(ctx->wq, NULL, 0);
	default:
		return -EINVAL;
	}
}

int eng_register(struct eng_ctx *ctx, unsigned opcode, const void *arg,
		 unsigned nr_args)
{
	int ret;

	if (eng_forked(ctx))
		return -EBADFD;
	if (opcode >= IORING_REGISTER_LAST)
		return -EINVAL;
	pthread_mutex_lock(&ctx->submit_lock);
	/* SINGLE_ISSUER and restrictions (restrict.c): -EEXIST, -EACCES */
	ret = eng_register_check(ctx, opcode);
	/* It may wait for a running request: not under submit_lock, which
	 * the kernel drops too while it waits. */
	if (!ret && opcode == IORING_REGISTER_SYNC_CANCEL) {
		pthread_mutex_unlock(&ctx->submit_lock);
		return eng_sync_cancel(ctx, arg, nr_args);
	}
	if (!ret)
		ret = register_locked(ctx, opcode, (void *)arg, nr_args);
	pthread_mutex_unlock(&ctx->submit_lock);
	return ret;
}
