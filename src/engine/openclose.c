/* SPDX-License-Identifier: MIT */
/*
 * OPENAT, OPENAT2, CLOSE and PIPE.
 *
 * Both opens become a struct open_how at prep, as the kernel's do, and run
 * through openat2(2). On the submitter an open is tried as the kernel tries
 * it: RESOLVE_CACHED (the lookup must be satisfied from the dentry cache)
 * and O_NONBLOCK (the open itself must not wait, e.g. for a FIFO's peer),
 * the latter cleared again afterwards if the application did not ask for
 * it. Anything else, and any open that creates or truncates, goes to a
 * worker. Where openat2(2) is not allowed (an old sandbox), every open goes
 * to a worker and uses openat(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "engine/fsops.h"
#include "engine/rsrc.h"
#include "util/ucopy.h"
#include "util/ustr.h"

#ifndef RESOLVE_CACHED
#define RESOLVE_CACHED		0x20
#endif
#define OPEN_HOW_SIZE_VER0	24
#define O_NOTIFICATION_PIPE_	O_EXCL		/* linux/watch_queue.h */
/* The kernel's VALID_OPEN_FLAGS and O_PATH_FLAGS, spelled in user terms. */
#define OPEN_VALID (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | \
		    O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | O_ASYNC | \
		    O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | \
		    O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE)
#define OPEN_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)
#define OPEN_TMPFILE_BIT (O_TMPFILE & ~O_DIRECTORY)
/* Opens that may write the disk: never tried on the submitter. */
#define OPEN_FORCE_ASYNC (O_CREAT | O_TRUNC | OPEN_TMPFILE_BIT)
/* The status flags F_SETFL can set that an open may have asked for. */
#define OPEN_SETFL (O_APPEND | O_DIRECT | O_NOATIME)

struct fs_open_how {
	uint64_t flags, mode, resolve;
};

/* The how lives in the request's generic fields. */
#define how_flags	off
#define how_mode	len
#define how_resolve	off2

enum { OPENAT2_UNKNOWN, OPENAT2_OK, OPENAT2_DENIED };
static atomic_int openat2_state;

/* openat2(2) exists since Linux 5.6; seccomp profiles may deny it. An
 * empty path makes the probe harmless: a kernel that has it says ENOENT. */
bool eng_openat2_ok(void)
{
	int st = atomic_load_explicit(&openat2_state, memory_order_relaxed);
	struct fs_open_how how = { 0 };

	if (st == OPENAT2_UNKNOWN) {
		long r = syscall(SYS_openat2, AT_FDCWD, "", &how, sizeof(how));

		if (r >= 0)
			close((int)r);
		st = r < 0 && (errno == ENOSYS || errno == EPERM) ?
		     OPENAT2_DENIED : OPENAT2_OK;
		/* Relaxed: every thread finds the same answer. */
		atomic_store_explicit(&openat2_state, st, memory_order_relaxed);
	}
	return st == OPENAT2_OK;
}

/* The kernel's __io_openat_prep(), after the how is known. */
static int open_prep_common(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	if (sqe->buf_index)
		return -EINVAL;
	if (req->sqe_flags & IOSQE_FIXED_FILE)
		return -EBADF;
	if (!(f->how_flags & O_PATH))
		f->how_flags |= O_LARGEFILE;
	f->dfd = sqe->fd;
	f->file_index = sqe->file_index;
	if (f->file_index && (f->how_flags & O_CLOEXEC)) {
		/* getname() comes first in the kernel: its error wins */
		int ret = ustrdup_path((const void *)(uintptr_t)sqe->addr,
				       false, &f->path);
		return ret ? ret : -EINVAL;
	}
	return ustrdup_path((const void *)(uintptr_t)sqe->addr, false, &f->path);
}

/* openat(2)'s flags and mode as openat2(2) wants them (build_open_how). */
int eng_openat_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	uint64_t flags = (uint32_t)sqe->open_flags & OPEN_VALID;
	uint64_t mode = sqe->len & 07777;

	eng_fsop_init(req);
	if (flags & O_PATH)
		flags &= OPEN_PATH_FLAGS;
	if (!(flags & (O_CREAT | OPEN_TMPFILE_BIT)))
		mode = 0;
	f->how_flags = flags;
	f->how_mode = mode;
	f->how_resolve = 0;
	return open_prep_common(req, sqe);
}

/* copy_struct_from_user(): a longer struct must have zeroes past ours. */
static int open_how_copy(struct fs_open_how *how, uint64_t uptr, uint32_t len)
{
	const char *src = (const char *)(uintptr_t)uptr;
	char tail[512];
	uint32_t at, n, i;
	int ret;

	if (len < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	ret = ucopy(how, src, sizeof(*how));
	if (ret)
		return ret;
	for (at = sizeof(*how); at < len; at += n) {
		n = len - at < sizeof(tail) ? len - at : sizeof(tail);
		if (ucopy(tail, src + at, n))
			return -EFAULT;
		for (i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	return 0;
}

int eng_openat2_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	struct fs_open_how how;
	int ret;

	eng_fsop_init(req);
	ret = open_how_copy(&how, sqe->addr2, sqe->len);
	if (ret)
		return ret;
	f->how_flags = how.flags;
	f->how_mode = how.mode;
	f->how_resolve = how.resolve;
	return open_prep_common(req, sqe);
}

static int open_call(struct eng_fsop *f, uint64_t flags, uint64_t resolve)
{
	struct fs_open_how how = { flags, f->how_mode, resolve };

	if (eng_openat2_ok())
		return (int)syscall(SYS_openat2, f->dfd, f->path, &how,
				    sizeof(how));
	/* openat(2) cannot say "resolve" or carry flags past 32 bits. */
	if (resolve || (flags >> 32)) {
		errno = resolve ? ENOSYS : EINVAL;
		return -1;
	}
	return openat(f->dfd, f->path, (int)flags, (mode_t)f->how_mode);
}

/* The nonblocking try: false to go to a worker, else *fd is the result. */
static bool open_nonblock(struct eng_fsop *f, int *fd)
{
	bool user_cached = f->how_resolve & RESOLVE_CACHED;
	bool add_nonblock = !(f->how_flags & (O_PATH | O_NONBLOCK));
	uint64_t flags = f->how_flags | (add_nonblock ? O_NONBLOCK : 0);

	if (!eng_openat2_ok() || (f->how_flags & OPEN_FORCE_ASYNC))
		return false;
	*fd = open_call(f, flags, f->how_resolve | RESOLVE_CACHED);
	if (*fd < 0) {
		/* the application's own RESOLVE_CACHED: -EAGAIN is its answer */
		if (errno == EAGAIN && !user_cached)
			return false;
		*fd = -errno;
		return true;
	}
	if (add_nonblock &&
	    fcntl(*fd, F_SETFL, (int)(f->how_flags & OPEN_SETFL)) < 0) {
		close(*fd);
		return false;		/* the blocking open will do */
	}
	return true;
}

/* 0-based slot of a file_index (slot + 1), or IORING_FILE_INDEX_ALLOC. */
static unsigned fsop_slot(uint32_t file_index)
{
	return file_index == IORING_FILE_INDEX_ALLOC ? file_index : file_index - 1;
}

/* A direct open: the file goes into the registered table instead. */
static int open_install(struct eng_req *req, int fd)
{
	if (fd < 0 || !req->fsop.file_index)
		return fd;
	return eng_file_install_fixed(req->ctx, fd, fsop_slot(req->fsop.file_index));
}

int eng_openat_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;
	int fd;

	if (issue_flags & ENG_ISSUE_NONBLOCK) {
		if (!open_nonblock(f, &fd))
			return -EAGAIN;
	} else {
		fd = open_call(f, f->how_flags, f->how_resolve);
		if (fd < 0)
			fd = -errno;
	}
	eng_req_set_res(req, open_install(req, fd), 0);
	return ENG_ISSUE_DONE;
}

int eng_close_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	eng_fsop_init(req);
	if (sqe->off || sqe->addr || sqe->len || sqe->rw_flags || sqe->buf_index)
		return -EINVAL;
	if (req->sqe_flags & IOSQE_FIXED_FILE)
		return -EBADF;
	f->dfd = AT_FDCWD;
	f->file_index = sqe->file_index;
	if (f->file_index && sqe->fd)
		return -EINVAL;
	f->off = (uint32_t)sqe->fd;
	return 0;
}

/*
 * Inline: close(2) only drops a reference; the kernel too closes inline
 * unless the file has a flush method (network file systems), which user
 * space cannot see (see ARCHITECTURE.md).
 */
int eng_close_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;
	int fd = (int)(uint32_t)f->off, ret;

	if (f->file_index)
		ret = eng_file_remove_fixed(req->ctx, f->file_index - 1);
	else if (eng_lookup(fd))
		ret = -EBADF;		/* a ring cannot close itself */
	else
		ret = close(fd) ? -errno : 0;
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

int eng_pipe_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	eng_fsop_init(req);
	if (sqe->fd || sqe->off || sqe->addr3)
		return -EINVAL;
	f->off = sqe->addr;
	f->flags = sqe->pipe_flags;
	if (f->flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE_))
		return -EINVAL;
	f->file_index = sqe->file_index;
	return 0;
}

/*
 * A direct pipe: both ends go into the table, the write end in the slot
 * after the read end's when a slot is given, and the application gets the
 * two slots. Either failure leaves neither end installed.
 */
static int pipe_direct(struct eng_req *req, int fds[2])
{
	struct eng_fsop *f = &req->fsop;
	bool alloc = f->file_index == IORING_FILE_INDEX_ALLOC;
	int slots[2], ret;

	if (f->flags & O_CLOEXEC) {
		close(fds[0]);
		close(fds[1]);
		return -EINVAL;
	}
	ret = eng_file_install_fixed(req->ctx, fds[0], fsop_slot(f->file_index));
	if (ret < 0) {
		close(fds[1]);
		return ret;
	}
	slots[0] = alloc ? ret : (int)f->file_index - 1;
	/* file_index is slot + 1: the next 0-based slot, or ALLOC again */
	ret = eng_file_install_fixed(req->ctx, fds[1], f->file_index);
	if (ret < 0) {
		eng_file_remove_fixed(req->ctx, (unsigned)slots[0]);
		return ret;
	}
	slots[1] = alloc ? ret : (int)f->file_index;
	if (uput((void *)(uintptr_t)f->off, slots, sizeof(slots))) {
		eng_file_remove_fixed(req->ctx, (unsigned)slots[0]);
		eng_file_remove_fixed(req->ctx, (unsigned)slots[1]);
		return -EFAULT;
	}
	return 0;
}

/* Inline: making a pipe never blocks. */
int eng_pipe_issue(struct eng_req *req, unsigned issue_flags)
{
	struct eng_fsop *f = &req->fsop;
	int fds[2], ret = 0;

	if (pipe2(fds, (int)f->flags)) {
		ret = -errno;
	} else if (f->file_index) {
		ret = pipe_direct(req, fds);
	} else if (uput((void *)(uintptr_t)f->off, fds, sizeof(fds))) {
		close(fds[0]);
		close(fds[1]);
		ret = -EFAULT;
	}
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}
