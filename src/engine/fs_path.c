/* SPDX-License-Identifier: MIT */
/*
 * STATX, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT and LINKAT, and what the
 * path-taking ops share. Each copies its paths at prep, with the kernel's
 * getname() errors, and runs in a worker, as the kernel's do (a lookup
 * may read a disk or ask a server); only a STATX that cannot block is
 * answered inline (see statx_inline()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "engine/fsops.h"
#include "util/ustr.h"

/* Our private descriptors stay clear of the application's low numbers. */

void eng_fsop_init(struct eng_req *req)
{
	req->fsop = (struct eng_fsop){ .dfd = AT_FDCWD, .dfd2 = AT_FDCWD };
}

void eng_fsop_cleanup(struct eng_req *req)
{
	struct eng_fsop *f = &req->fsop;

	free(f->ext);
	free(f->path);
	free(f->path2);
	f->ext = f->path = f->path2 = NULL;
	if (f->own & FSOP_OWN_DFD)
		close(f->dfd);
	if (f->own & FSOP_OWN_DFD2)
		close(f->dfd2);
	f->own = 0;
}

int eng_fsop_own_dirfd(int *dfd, const char *path, bool *owned)
{
	int fd;

	*owned = false;
	/* An absolute path ignores its dirfd, even a bad one. */
	if (*dfd == AT_FDCWD || (path && path[0] == '/'))
		return 0;
	fd = eng_fd_private(*dfd, true);
	if (fd < 0) {
		if (fd != -EBADF)
			return fd;
		*dfd = -1;		/* the lookup still says -EBADF */
		return 0;
	}
	*dfd = fd;
	*owned = true;
	return 0;
}

int eng_fsop_prep_async(struct eng_req *req)
{
	struct eng_fsop *f = &req->fsop;
	bool owned;
	int ret;

	if (!(f->own & FSOP_OWN_DFD)) {
		ret = eng_fsop_own_dirfd(&f->dfd, f->path, &owned);
		if (ret)
			return ret;
		f->own |= owned ? FSOP_OWN_DFD : 0;
	}
	if (!(f->own & FSOP_OWN_DFD2)) {
		ret = eng_fsop_own_dirfd(&f->dfd2, f->path2, &owned);
		if (ret)
			return ret;
		f->own |= owned ? FSOP_OWN_DFD2 : 0;
	}
	return 0;
}

/* What every path op's prep starts with. */
static int path_prep_start(struct eng_req *req)
{
	eng_fsop_init(req);
	/* A registered file cannot name a directory here (the kernel's). */
	return (req->sqe_flags & IOSQE_FIXED_FILE) ? -EBADF : 0;
}

/* Copies the first path (and the second, @two). */
static int path_copy(struct eng_req *req, const struct io_uring_sqe *sqe,
		     bool two, bool empty1)
{
	struct eng_fsop *f = &req->fsop;
	int ret = ustrdup_path((const void *)(uintptr_t)sqe->addr, empty1,
			       &f->path);

	if (ret || !two)
		return ret;
	return ustrdup_path((const void *)(uintptr_t)sqe->addr2, false,
			    &f->path2);
}

static int path_done(struct eng_req *req, int ret)
{
	return eng_fsop_done_soft(req, ret < 0 ? -errno : ret);
}

int eng_statx_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	int ret = path_prep_start(req);

	if (sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (ret)
		return ret;
	f->dfd = sqe->fd;
	f->mode = sqe->len;		/* the mask */
	f->off = sqe->addr2;		/* the user's struct statx */
	f->flags = sqe->statx_flags;
	return path_copy(req, sqe, false, f->flags & AT_EMPTY_PATH);
}

#define STATX_FLAGS (AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | \
		     AT_STATX_SYNC_TYPE)

/* Local file systems, whose getattr reads the in-core inode and so never
 * waits for a device or a server. overlayfs asks the file systems below
 * it: as run by containers, local ones. */
static bool statx_fs_local(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs))
		return false;
	switch ((unsigned long)sfs.f_type) {
	case EXT4_SUPER_MAGIC: case XFS_SUPER_MAGIC: case BTRFS_SUPER_MAGIC:
	case F2FS_SUPER_MAGIC: case TMPFS_MAGIC: case RAMFS_MAGIC:
	case PROC_SUPER_MAGIC: case SYSFS_MAGIC: case OVERLAYFS_SUPER_MAGIC:
		return true;
	default:
		return false;
	}
}

/*
 * The inline try (the kernel always punts STATX): the path is resolved
 * from the dentry cache only, as the nonblocking open does, to an O_PATH
 * descriptor on a local file system, and that is stat'ed. Anything else,
 * errors included (the worker's statx gives the authoritative one), goes
 * to a worker. False: punt; else *res is the result.
 */
static bool statx_inline(struct eng_fsop *f, int *res)
{
	struct { uint64_t flags, mode, resolve; } how = {
		.flags = O_PATH | O_CLOEXEC |
			 (f->flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0),
		.resolve = 0x20,	/* RESOLVE_CACHED */
	};
	int fd = f->dfd, ret;
	bool opened = false;

	/* Bad flags and FORCE_SYNC: the worker's statx says what it says. */
	if ((f->flags & ~STATX_FLAGS) || (f->mode & STATX__RESERVED) ||
	    (f->flags & AT_STATX_FORCE_SYNC))	/* FORCE, or both: EINVAL */
		return false;
	if (f->path[0]) {	/* else AT_EMPTY_PATH: the dirfd itself */
		if (!eng_openat2_ok())
			return false;
		fd = (int)syscall(SYS_openat2, f->dfd, f->path, &how, sizeof(how));
		if (fd < 0)
			return false;
		opened = true;
	}
	ret = statx_fs_local(fd) ? 0 : -EAGAIN;
	if (!ret)
		ret = (int)syscall(SYS_statx, fd, "", (int)f->flags | AT_EMPTY_PATH,
				   f->mode, (void *)(uintptr_t)f->off) ? -errno : 0;
	if (opened)
		close(fd);
	*res = ret;
	return ret != -EAGAIN;
}

int eng_statx_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;
	int res;

	if (issue_flags & ENG_ISSUE_NONBLOCK) {
		if (!statx_inline(f, &res))
			return -EAGAIN;
		return eng_fsop_done_soft(req, res);
	}
	/* the raw call: the buffer is the application's, NULL included */
	return path_done(req, (int)syscall(SYS_statx, f->dfd, f->path,
					   (int)f->flags, f->mode,
					   (void *)(uintptr_t)f->off));
}

int eng_renameat_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	int ret = path_prep_start(req);

	if (sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (ret)
		return ret;
	f->dfd = sqe->fd;
	f->dfd2 = (int32_t)sqe->len;
	f->flags = sqe->rename_flags;
	return path_copy(req, sqe, true, false);
}

int eng_renameat_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return path_done(req, (int)syscall(SYS_renameat2, f->dfd, f->path,
					   f->dfd2, f->path2, f->flags));
}

int eng_unlinkat_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	int ret = path_prep_start(req);

	if (sqe->off || sqe->len || sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (ret)
		return ret;
	f->dfd = sqe->fd;
	f->flags = sqe->unlink_flags;
	if (f->flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return path_copy(req, sqe, false, false);
}

int eng_unlinkat_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return path_done(req, unlinkat(f->dfd, f->path, (int)f->flags));
}

int eng_mkdirat_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	int ret = path_prep_start(req);

	if (sqe->off || sqe->rw_flags || sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (ret)
		return ret;
	f->dfd = sqe->fd;
	f->mode = sqe->len;
	return path_copy(req, sqe, false, false);
}

int eng_mkdirat_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return path_done(req, mkdirat(f->dfd, f->path, (mode_t)f->mode));
}

/* The target is stored, not looked up: only the new name has a dirfd. */
int eng_symlinkat_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	int ret = path_prep_start(req);

	if (sqe->len || sqe->rw_flags || sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (ret)
		return ret;
	f->dfd2 = sqe->fd;
	return path_copy(req, sqe, true, false);
}

int eng_symlinkat_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return path_done(req, symlinkat(f->path, f->dfd2, f->path2));
}

int eng_linkat_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	int ret = path_prep_start(req);

	if (sqe->buf_index || sqe->splice_fd_in)
		return -EINVAL;
	if (ret)
		return ret;
	f->dfd = sqe->fd;
	f->dfd2 = (int32_t)sqe->len;
	f->flags = sqe->hardlink_flags;
	return path_copy(req, sqe, true, f->flags & AT_EMPTY_PATH);
}

int eng_linkat_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	return path_done(req, linkat(f->dfd, f->path, f->dfd2, f->path2,
				     (int)f->flags));
}
