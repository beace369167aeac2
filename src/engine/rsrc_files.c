/* SPDX-License-Identifier: MIT */
/*
 * The fixed file table: io_uring_register_files and friends, the
 * allocation range, IORING_OP_FILES_UPDATE, IORING_OP_FIXED_FD_INSTALL,
 * IOSQE_FIXED_FILE, and the direct-descriptor calls of rsrc.h.
 *
 * Each slot holds our own dup of the application's file, numbered out of
 * its way: the application may close its descriptor once it is registered.
 * Everything here runs under ctx->rsrc_lock (see rsrc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include "engine/req.h"
#include "engine/rsrc.h"
#include "util/ucopy.h"

#define ENG_MAX_FIXED_FILES	(1u << 20)
#define ENG_FILES_SKIP		((int)IORING_REGISTER_FILES_SKIP)

/* Our reference to @fd's file in a new node (refs 1), or -EBADF. */
static int file_node_make(int fd, uint64_t tag, struct eng_rsrc **out)
{
	struct eng_rsrc *node;
	int nfd;

	/* A ring cannot hold a ring: the kernel's rule against cycles. */
	if (eng_lookup(fd) || eng_lookup_dup(fd))
		return -EBADF;
	nfd = eng_fd_private(fd, true);
	if (nfd < 0)
		return nfd == -EMFILE ? -EMFILE : -EBADF;
	node = calloc(1, sizeof(*node));
	if (!node) {
		close(nfd);
		return -ENOMEM;
	}
	atomic_init(&node->refs, 1);
	node->is_file = true;
	node->fd = nfd;
	node->tag = tag;
	*out = node;
	return 0;
}

/* Under rsrc_lock: empties slot @i; the allocator looks there next, as the
 * kernel's bitmap does. */
static void slot_clear(struct eng_ctx *ctx, unsigned i)
{
	struct eng_rsrc *old = ctx->files[i];

	if (!old)
		return;
	ctx->files[i] = NULL;
	ctx->file_alloc_hint = i;
	eng_rsrc_put(ctx, old, false);
}

static void slot_set(struct eng_ctx *ctx, unsigned i, struct eng_rsrc *node)
{
	slot_clear(ctx, i);
	ctx->files[i] = node;
	ctx->file_alloc_hint = i + 1;
}

/* Under rsrc_lock: a free slot of the allocation range, from the hint on
 * and then from the start, as the kernel searches; -ENFILE if none. */
static int slot_alloc(struct eng_ctx *ctx)
{
	unsigned end = ctx->file_alloc_end, i;

	if (!ctx->files)
		return -ENFILE;
	for (;;) {
		for (i = ctx->file_alloc_hint; i < end; i++)
			if (!ctx->files[i])
				return (int)i;
		if (ctx->file_alloc_hint == ctx->file_alloc_start)
			return -ENFILE;
		end = ctx->file_alloc_hint;
		ctx->file_alloc_hint = ctx->file_alloc_start;
	}
}

static void table_free_locked(struct eng_ctx *ctx)
{
	unsigned i;

	for (i = 0; i < ctx->nr_files; i++)
		slot_clear(ctx, i);
	free(ctx->files);
	ctx->files = NULL;
	ctx->nr_files = 0;
	ctx->file_alloc_start = ctx->file_alloc_end = ctx->file_alloc_hint = 0;
}

static int files_check_nr(unsigned nr)
{
	struct rlimit rl;

	if (!nr)
		return -EINVAL;
	if (nr > ENG_MAX_FIXED_FILES)
		return -EMFILE;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    nr > rl.rlim_cur)
		return -EMFILE;
	return 0;
}

/* Entry @i of the application's arrays (NULL fds: sparse). */
static int files_read_one(const int *fds, const uint64_t *tags, unsigned i,
			  int *fd, uint64_t *tag)
{
	*tag = 0;
	*fd = -1;
	if (tags && ucopy(tag, &tags[i], sizeof(*tag)))
		return -EFAULT;
	if (fds && ucopy(fd, &fds[i], sizeof(*fd)))
		return -EFAULT;
	return 0;
}

static int files_fill(struct eng_ctx *ctx, const int *fds, const uint64_t *tags)
{
	unsigned i;
	uint64_t tag;
	int fd, ret;

	for (i = 0; i < ctx->nr_files; i++) {
		ret = files_read_one(fds, tags, i, &fd, &tag);
		if (ret)
			return ret;
		if (fd == -1) {
			if (tag)
				return -EINVAL;
			continue;
		}
		ret = file_node_make(fd, tag, &ctx->files[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int eng_files_register(struct eng_ctx *ctx, const int *fds, unsigned nr,
		       const uint64_t *tags)
{
	int ret;

	pthread_mutex_lock(&ctx->rsrc_lock);
	ret = ctx->files ? -EBUSY : files_check_nr(nr);
	if (!ret) {
		ctx->files = calloc(nr, sizeof(*ctx->files));
		ret = ctx->files ? 0 : -ENOMEM;
	}
	if (!ret) {
		ctx->nr_files = nr;
		ret = files_fill(ctx, fds, tags);
		if (ret) {
			/* never visible: no tag CQEs for these */
			for (unsigned i = 0; i < nr; i++)
				if (ctx->files[i])
					ctx->files[i]->tag = 0;
			table_free_locked(ctx);
		}
	}
	if (!ret) {
		ctx->file_alloc_start = ctx->file_alloc_hint = 0;
		ctx->file_alloc_end = nr;
	}
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return ret;
}

int eng_files_register2(struct eng_ctx *ctx, const void *arg, unsigned size)
{
	struct io_uring_rsrc_register rr;
	int ret = eng_rsrc_reg_read(arg, size, &rr);

	if (ret)
		return ret;
	return eng_files_register(ctx, (const int *)(uintptr_t)rr.data, rr.nr,
				  (const uint64_t *)(uintptr_t)rr.tags);
}

int eng_files_unregister(struct eng_ctx *ctx)
{
	int ret = 0;

	pthread_mutex_lock(&ctx->rsrc_lock);
	if (ctx->files)
		table_free_locked(ctx);
	else
		ret = -ENXIO;
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return ret;
}

void eng_files_free(struct eng_ctx *ctx)
{
	eng_files_unregister(ctx);
}

/* Under rsrc_lock. The kernel's update: SKIP leaves a slot alone, -1
 * empties it, anything else replaces it (the old file is let go first).
 * Returns the slots done, or the error of the first. */
static int files_update_locked(struct eng_ctx *ctx, uint32_t offset,
			       const int *fds, const uint64_t *tags, unsigned nr)
{
	struct eng_rsrc *node;
	unsigned done;
	uint64_t tag;
	int fd, err = 0;

	if (!ctx->files)
		return -ENXIO;
	if ((uint64_t)offset + nr > ctx->nr_files)
		return -EINVAL;
	for (done = 0; done < nr; done++) {
		if (!fds) {
			err = -EFAULT;
			break;
		}
		err = files_read_one(fds, tags, done, &fd, &tag);
		if (err)
			break;
		if ((fd == ENG_FILES_SKIP || fd == -1) && tag) {
			err = -EINVAL;
			break;
		}
		if (fd == ENG_FILES_SKIP)
			continue;
		slot_clear(ctx, offset + done);
		if (fd == -1)
			continue;
		err = file_node_make(fd, tag, &node);
		if (err)
			break;
		slot_set(ctx, offset + done, node);
	}
	return done ? (int)done : err;
}

static int files_update_range(struct eng_ctx *ctx, uint32_t offset,
			      const int *fds, const uint64_t *tags, unsigned nr)
{
	uint32_t end;
	int ret;

	if (__builtin_add_overflow(offset, nr, &end))
		return -EOVERFLOW;
	pthread_mutex_lock(&ctx->rsrc_lock);
	ret = files_update_locked(ctx, offset, fds, tags, nr);
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return ret;
}

/* IORING_REGISTER_FILES_UPDATE: struct io_uring_files_update, nr fds. */
int eng_files_update(struct eng_ctx *ctx, const void *arg, unsigned nr)
{
	struct io_uring_files_update up;

	if (!nr)
		return -EINVAL;
	if (!arg || ucopy(&up, arg, sizeof(up)))
		return -EFAULT;
	if (up.resv)
		return -EINVAL;
	return files_update_range(ctx, up.offset,
				  (const int *)(uintptr_t)up.fds, NULL, nr);
}

int eng_files_update2(struct eng_ctx *ctx, const void *arg, unsigned size)
{
	struct io_uring_rsrc_update2 up;
	int ret = eng_rsrc_update_read(arg, size, &up);

	if (ret)
		return ret;
	return files_update_range(ctx, up.offset,
				  (const int *)(uintptr_t)up.data,
				  (const uint64_t *)(uintptr_t)up.tags, up.nr);
}

int eng_files_alloc_range(struct eng_ctx *ctx, const void *arg, unsigned nr)
{
	struct io_uring_file_index_range range;
	uint32_t end;
	int ret = 0;

	if (!arg || nr)
		return -EINVAL;
	if (ucopy(&range, arg, sizeof(range)))
		return -EFAULT;
	if (__builtin_add_overflow(range.off, range.len, &end))
		return -EOVERFLOW;
	pthread_mutex_lock(&ctx->rsrc_lock);
	if (range.resv || end > ctx->nr_files) {
		ret = -EINVAL;
	} else {
		ctx->file_alloc_start = ctx->file_alloc_hint = range.off;
		ctx->file_alloc_end = end;
	}
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return ret;
}

/* --- the direct-descriptor calls (rsrc.h) -------------------------------- */

static int install_locked(struct eng_ctx *ctx, struct eng_rsrc *node,
			  unsigned index)
{
	int slot;

	if (index == IORING_FILE_INDEX_ALLOC) {
		slot = slot_alloc(ctx);
		if (slot < 0)
			return slot;
		slot_set(ctx, (unsigned)slot, node);
		return slot;
	}
	if (!ctx->files)
		return -ENXIO;
	if (index >= ctx->nr_files)
		return -EINVAL;
	slot_set(ctx, index, node);
	return 0;
}

int eng_file_install_fixed(struct eng_ctx *ctx, int fd, unsigned index)
{
	struct eng_rsrc *node;
	int ret = file_node_make(fd, 0, &node);

	close(fd);
	if (ret)
		return ret;
	pthread_mutex_lock(&ctx->rsrc_lock);
	ret = install_locked(ctx, node, index);
	pthread_mutex_unlock(&ctx->rsrc_lock);
	if (ret < 0)
		eng_rsrc_put(ctx, node, false);
	return ret;
}

int eng_file_get_fixed(struct eng_ctx *ctx, unsigned index, int *fd_out,
		       struct eng_rsrc **node_out)
{
	struct eng_rsrc *node = NULL;

	pthread_mutex_lock(&ctx->rsrc_lock);
	if (index < ctx->nr_files)
		node = ctx->files[index];
	/* Relaxed: rsrc_lock orders us against the table's put. */
	if (node)
		atomic_fetch_add_explicit(&node->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&ctx->rsrc_lock);
	if (!node)
		return -EBADF;
	*fd_out = node->fd;
	*node_out = node;
	return 0;
}

void eng_file_put_fixed(struct eng_ctx *ctx, struct eng_rsrc *node)
{
	eng_rsrc_put(ctx, node, false);
}

int eng_file_remove_fixed(struct eng_ctx *ctx, unsigned index)
{
	int ret = 0;

	pthread_mutex_lock(&ctx->rsrc_lock);
	if (!ctx->files)
		ret = -ENXIO;
	else if (index >= ctx->nr_files)
		ret = -EINVAL;
	else if (!ctx->files[index])
		ret = -EBADF;
	else
		slot_clear(ctx, index);
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return ret;
}

int eng_req_assign_fixed(struct eng_req *req)
{
	int ret = eng_file_get_fixed(req->ctx, (unsigned)req->fd, &req->fd,
				     &req->file_node);

	if (ret)
		req->file_node = NULL;
	return ret;
}

/* --- IORING_OP_FILES_UPDATE ----------------------------------------------- */

int eng_files_update_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	if (req->sqe_flags & (IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT))
		return -EINVAL;
	if (sqe->rw_flags || sqe->splice_fd_in)
		return -EINVAL;
	if (!sqe->len)
		return -EINVAL;
	req->files_update.offset = (uint32_t)sqe->off;
	req->files_update.nr = sqe->len;
	req->files_update.arg = sqe->addr;
	return 0;
}

/* Under rsrc_lock: one new file in a free slot, its index written back to
 * the application's array (or the slot given up again). */
static int update_alloc_one(struct eng_ctx *ctx, int *ufd)
{
	struct eng_rsrc *node;
	int fd, slot;

	if (ucopy(&fd, ufd, sizeof(fd)))
		return -EFAULT;
	slot = file_node_make(fd, 0, &node);
	if (slot)
		return slot;
	slot = install_locked(ctx, node, IORING_FILE_INDEX_ALLOC);
	if (slot < 0) {
		eng_rsrc_put(ctx, node, false);
		return slot;
	}
	if (ucopy(ufd, &slot, sizeof(slot))) {
		slot_clear(ctx, (unsigned)slot);
		return -EFAULT;
	}
	return slot;
}

static int update_alloc(struct eng_ctx *ctx, int *ufds, unsigned nr)
{
	unsigned done;
	int ret = 0;

	pthread_mutex_lock(&ctx->rsrc_lock);
	if (!ctx->files)
		ret = -ENXIO;
	for (done = 0; !ret && done < nr; done++) {
		ret = update_alloc_one(ctx, &ufds[done]);
		if (ret >= 0)
			ret = 0;
		else
			break;
	}
	pthread_mutex_unlock(&ctx->rsrc_lock);
	return done ? (int)done : ret;
}

int eng_files_update_issue(struct eng_req *req, unsigned issue_flags)
{
	int *fds = (int *)(uintptr_t)req->files_update.arg;
	int ret;

	if (req->files_update.offset == IORING_FILE_INDEX_ALLOC)
		ret = update_alloc(req->ctx, fds, req->files_update.nr);
	else
		ret = files_update_range(req->ctx, req->files_update.offset,
					 fds, NULL, req->files_update.nr);
	if (ret < 0)
		req->flags |= ENG_REQ_F_FAIL;
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

/* --- IORING_OP_FIXED_FD_INSTALL ------------------------------------------- */

int eng_fixed_fd_install_prep(struct eng_req *req,
			      const struct io_uring_sqe *sqe)
{
	if (sqe->off || sqe->addr || sqe->len || sqe->buf_index ||
	    sqe->splice_fd_in || sqe->addr3)
		return -EINVAL;
	/* Only a fixed file can be installed. */
	if (!(req->sqe_flags & IOSQE_FIXED_FILE))
		return -EBADF;
	if (sqe->install_fd_flags & ~IORING_FIXED_FD_NO_CLOEXEC)
		return -EINVAL;
	/* As the kernel: an fd is installed with the task's own
	 * credentials, never a personality's. */
	if (req->cred)
		return -EPERM;
	req->fd_install.cloexec =
		!(sqe->install_fd_flags & IORING_FIXED_FD_NO_CLOEXEC);
	return 0;
}

/* A normal descriptor of the application's: the lowest free number. */
int eng_fixed_fd_install_issue(struct eng_req *req, unsigned issue_flags)
{
	int fd = fcntl(req->fd, req->fd_install.cloexec ? F_DUPFD_CLOEXEC :
			       F_DUPFD, 0);

	if (fd < 0) {
		fd = -errno;
		req->flags |= ENG_REQ_F_FAIL;
	}
	eng_req_set_res(req, fd, 0);
	return ENG_ISSUE_DONE;
}
