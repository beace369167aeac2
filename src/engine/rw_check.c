/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own checks of READ, WRITE, READV and WRITEV, in its order,
 * where preadv2()/pwritev2() would answer differently or not at all.
 *
 * The kernel imports the buffer (or the iovec array) at prep, so a buffer
 * outside the user address range fails the SQE at submission with -EFAULT,
 * whatever its file. At issue it checks the file's mode (-EBADF), the
 * rw_flags (-EOPNOTSUPP, -EINVAL), RWF_HIPRI on a ring without IOPOLL
 * (-EINVAL), the position (-EINVAL if negative), and only then calls the
 * file, where a socket refuses a position other than 0 (-ESPIPE) and a
 * pipe ignores it. preadv2() checks in another order (a negative position
 * before the fd, the fd before the iovecs) and takes RWF_HIPRI, so the
 * engine checks first on the paths where they differ: an error from the
 * system call, rw_flags set, or a negative position. The common case pays
 * nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include "engine/rw_check.h"
#include "util/ucopy.h"

/* linux/fs.h of an older libc may lack the newer flags. */
#ifndef RWF_ATOMIC
#define RWF_ATOMIC	0x00000040
#endif
#ifndef RWF_DONTCACHE
#define RWF_DONTCACHE	0x00000080
#endif
#define ENG_RWF_SUPPORTED (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | \
			   RWF_APPEND | RWF_NOAPPEND | RWF_ATOMIC | RWF_DONTCACHE)
#define ENG_MAX_RW_COUNT 0x7ffff000ull	/* INT_MAX & PAGE_MASK */
#define ENG_UIO_MAXIOV	1024

int eng_rw_ubuf_check(uint64_t addr, uint64_t len)
{
	if (len > ENG_MAX_RW_COUNT)
		len = ENG_MAX_RW_COUNT;
	return eng_access_ok(addr, len) ? 0 : -EFAULT;
}

/*
 * As the kernel's import_iovec(): the whole array is copied first (a
 * negative length is -EINVAL), then each range must be a user range
 * (-EFAULT).
 */
int eng_rw_iovec_check(const struct iovec *uiov, int nr)
{
	struct iovec v[16];
	int i, j, n;

	if (nr < 0 || nr > ENG_UIO_MAXIOV)
		return -EINVAL;
	for (i = 0; i < nr; i += n) {
		n = nr - i < 16 ? nr - i : 16;
		if (ucopy(v, uiov + i, sizeof(v[0]) * (size_t)n))
			return -EFAULT;
		for (j = 0; j < n; j++)
			if ((ssize_t)v[j].iov_len < 0)
				return -EINVAL;
	}
	for (i = 0; i < nr; i += n) {
		n = nr - i < 16 ? nr - i : 16;
		ucopy(v, uiov + i, sizeof(v[0]) * (size_t)n);
		for (j = 0; j < n; j++)
			if (!eng_access_ok((uintptr_t)v[j].iov_base, v[j].iov_len))
				return -EFAULT;
	}
	return 0;
}

/* File systems whose files take RWF_DONTCACHE (FOP_DONTCACHE). */
static bool rw_dontcache_ok(int fd, const struct stat *st)
{
	struct statfs sfs;

	if (!S_ISREG(st->st_mode) || fstatfs(fd, &sfs))
		return false;
	return sfs.f_type == EXT4_SUPER_MAGIC || sfs.f_type == XFS_SUPER_MAGIC ||
	       sfs.f_type == BTRFS_SUPER_MAGIC;
}

bool eng_rw_in_memory(int fd)
{
	struct statfs sfs;

	return !fstatfs(fd, &sfs) &&
	       (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC);
}

/* RWF_NOWAIT refused by the kernel too (no FMODE_NOWAIT): tmpfs and
 * ramfs files, directories. */
bool eng_rw_nowait_refused(int fd)
{
	struct stat st;

	return eng_rw_in_memory(fd) || (!fstat(fd, &st) && S_ISDIR(st.st_mode));
}

/* Files without FMODE_NOWAIT: character devices other than the memory
 * devices (/dev/null, /dev/zero: major 1) and the ones in between. */
static bool rw_nowait_ok(const struct stat *st)
{
	return !S_ISCHR(st->st_mode) || major(st->st_rdev) == 1;
}

/* As the kernel's kiocb_set_rw_flags(), then io_uring's RWF_HIPRI check
 * (the engine has no IOPOLL ring). */
static int rw_check_flags(int fd, int flags, int fl, const struct stat *st,
			  bool write)
{
	if (!flags)
		return 0;
	if (flags & ~ENG_RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if ((flags & RWF_APPEND) && (flags & RWF_NOAPPEND))
		return -EINVAL;
	if ((flags & RWF_NOWAIT) && !rw_nowait_ok(st))
		return -EOPNOTSUPP;
	if ((flags & RWF_ATOMIC) && (!write || !(fl & O_DIRECT)))
		return -EOPNOTSUPP;
	if ((flags & RWF_DONTCACHE) && !rw_dontcache_ok(fd, st))
		return -EOPNOTSUPP;
	if (flags & RWF_HIPRI)
		return -EINVAL;
	return 0;
}

int eng_rw_ring_check(int flags, bool write)
{
	/* io_uring's file: no FMODE_NOWAIT, no read or write method */
	struct stat st = { .st_mode = S_IFCHR };

	return rw_check_flags(-1, flags, O_RDWR, &st, write) ?: -EINVAL;
}

int eng_rw_issue_check(int fd, int flags, int64_t *pos, bool write)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL), ret;

	if (fl < 0 || (fl & O_PATH))
		return -EBADF;
	if ((fl & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	if (fstat(fd, &st))
		return -errno;
	ret = rw_check_flags(fd, flags, fl, &st, write);
	if (ret)
		return ret;
	if (*pos < -1)
		return -EINVAL;
	/* A pipe does not look at its position. */
	if (S_ISFIFO(st.st_mode)) {
		*pos = -1;
		return 0;
	}
	if (S_ISSOCK(st.st_mode)) {
		if (*pos > 0)
			return -ESPIPE;	/* sock_read_iter(), sock_write_iter() */
		*pos = -1;
	}
	return 0;
}
