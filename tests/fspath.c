/* SPDX-License-Identifier: MIT */
/* STATX, RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT and LINKAT. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "fsutil.h"

static int op_statx(struct io_uring *ring, int dfd, const char *path,
		    int flags, unsigned mask, struct statx *st)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_statx(sqe, dfd, path, flags, mask, st);
	return fs_run(ring, sqe);
}

static void case_statx(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct statx stx;
	struct stat st;
	char p[PATH_MAX];
	const char *dir = fs_tmpdir();
	int fd, dfd;

	t_ring(&ring, 8, NULL);
	fd = open(fs_path(p, dir, "f"), O_CREAT | O_WRONLY, 0600);
	CHECK_EQ(write(fd, "12345", 5), 5);
	CHECK_EQ(fstat(fd, &st), 0);
	memset(&stx, 0, sizeof(stx));
	CHECK_EQ(op_statx(&ring, AT_FDCWD, p, 0, STATX_BASIC_STATS, &stx), 0);
	CHECK_EQ(stx.stx_size, 5);
	CHECK_EQ(stx.stx_ino, st.st_ino);
	CHECK(stx.stx_mask & STATX_SIZE);
	/* AT_EMPTY_PATH: the fd itself */
	memset(&stx, 0, sizeof(stx));
	CHECK_EQ(op_statx(&ring, fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx), 0);
	CHECK_EQ(stx.stx_size, 5);
	/* relative to a dirfd; a symlink with and without following */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_EQ(symlink("f", fs_path(p, dir, "l")), 0);
	CHECK_EQ(op_statx(&ring, dfd, "l", 0, STATX_TYPE, &stx), 0);
	CHECK(S_ISREG(stx.stx_mode));
	CHECK_EQ(op_statx(&ring, dfd, "l", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx), 0);
	CHECK(S_ISLNK(stx.stx_mode));
	/* the sync types, and both at once */
	CHECK_EQ(op_statx(&ring, dfd, "f", AT_STATX_FORCE_SYNC, STATX_SIZE, &stx), 0);
	CHECK_EQ(stx.stx_size, 5);
	CHECK_EQ(op_statx(&ring, dfd, "f", AT_STATX_DONT_SYNC, STATX_SIZE, &stx), 0);
	CHECK_EQ(op_statx(&ring, dfd, "f", AT_STATX_SYNC_TYPE, STATX_SIZE, &stx),
		 -EINVAL);
	/* errors at issue */
	CHECK_EQ(op_statx(&ring, dfd, "nope", 0, STATX_TYPE, &stx), -ENOENT);
	CHECK_EQ(op_statx(&ring, 555, "f", 0, STATX_TYPE, &stx), -EBADF);
	CHECK_EQ(op_statx(&ring, dfd, "f", 0, STATX_TYPE, NULL), -EFAULT);
	CHECK_EQ(op_statx(&ring, dfd, "f", 0x80000000, STATX_TYPE, &stx), -EINVAL);
	CHECK_EQ(op_statx(&ring, dfd, "f", 0, 0x80000000u, &stx), -EINVAL);
	/* errors at prep */
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, dfd, "", 0, STATX_TYPE, &stx);
	CHECK_PREP_ERR(&ring, sqe, -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, fd, NULL, AT_EMPTY_PATH, STATX_TYPE, &stx);
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, dfd, "f", 0, STATX_TYPE, &stx);
	sqe->buf_index = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, 0, "f", 0, STATX_TYPE, &stx);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_PREP_ERR(&ring, sqe, -EBADF);
	close(dfd);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_mkdir_unlink(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct stat st;
	char p[PATH_MAX];
	const char *dir = fs_tmpdir();
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);

	umask(022);
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_mkdirat(sqe, dfd, "d", 0750);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(stat(fs_path(p, dir, "d"), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0750);
	sqe = t_sqe(&ring);
	io_uring_prep_mkdirat(sqe, dfd, "d", 0750);
	CHECK_EQ(fs_run(&ring, sqe), -EEXIST);
	sqe = t_sqe(&ring);
	io_uring_prep_mkdirat(sqe, dfd, "d", 0750);
	sqe->rw_flags = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	/* a directory is not unlinked without AT_REMOVEDIR */
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, "d", 0);
	CHECK_EQ(fs_run(&ring, sqe), -EISDIR);
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, "d", AT_REMOVEDIR);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(stat(p, &st), -1);
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, "d", AT_REMOVEDIR);
	CHECK_EQ(fs_run(&ring, sqe), -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, "d", 2);
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, NULL, 0);
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, "x", 0);
	sqe->len = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	close(open(fs_path(p, dir, "f"), O_CREAT | O_WRONLY, 0600));
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, AT_FDCWD, p, 0);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(access(p, F_OK), -1);
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, 555, "f", 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void case_rename(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char a[PATH_MAX], b[PATH_MAX];
	const char *dir = fs_tmpdir();
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);

	t_ring(&ring, 8, NULL);
	close(open(fs_path(a, dir, "a"), O_CREAT | O_WRONLY, 0600));
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "a", AT_FDCWD, fs_path(b, dir, "b"), 0);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(access(a, F_OK), -1);
	CHECK_EQ(access(b, F_OK), 0);
	close(open(a, O_CREAT | O_WRONLY, 0600));
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "a", dfd, "b", RENAME_NOREPLACE);
	CHECK_EQ(fs_run(&ring, sqe), -EEXIST);
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "a", dfd, "b", RENAME_EXCHANGE);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "a", dfd, "b", 0x100);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "nope", dfd, "c", 0);
	CHECK_EQ(fs_run(&ring, sqe), -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "a", dfd, NULL, 0);
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "a", dfd, "", 0);
	CHECK_PREP_ERR(&ring, sqe, -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "a", dfd, "c", 0);
	sqe->buf_index = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void case_links(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char p[PATH_MAX], buf[64];
	const char *dir = fs_tmpdir();
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	struct stat st;
	ssize_t n;

	t_ring(&ring, 8, NULL);
	close(open(fs_path(p, dir, "f"), O_CREAT | O_WRONLY, 0600));
	sqe = t_sqe(&ring);
	io_uring_prep_symlinkat(sqe, "target/x", dfd, "sl");
	CHECK_EQ(fs_run(&ring, sqe), 0);
	n = readlink(fs_path(p, dir, "sl"), buf, sizeof(buf));
	CHECK_EQ(n, 8);
	CHECK(!memcmp(buf, "target/x", 8));
	sqe = t_sqe(&ring);
	io_uring_prep_symlinkat(sqe, "t", dfd, "sl");
	CHECK_EQ(fs_run(&ring, sqe), -EEXIST);
	sqe = t_sqe(&ring);
	io_uring_prep_symlinkat(sqe, "", dfd, "sl2");
	CHECK_PREP_ERR(&ring, sqe, -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_symlinkat(sqe, "t", dfd, "sl2");
	sqe->len = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	/* hard links */
	sqe = t_sqe(&ring);
	io_uring_prep_linkat(sqe, dfd, "f", dfd, "h", 0);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(stat(fs_path(p, dir, "f"), &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	sqe = t_sqe(&ring);
	io_uring_prep_linkat(sqe, dfd, "f", dfd, "h", 0);
	CHECK_EQ(fs_run(&ring, sqe), -EEXIST);
	/* AT_SYMLINK_FOLLOW links the target, not the link */
	sqe = t_sqe(&ring);
	io_uring_prep_symlinkat(sqe, "f", dfd, "sf");
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_linkat(sqe, dfd, "sf", dfd, "h2", AT_SYMLINK_FOLLOW);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(lstat(fs_path(p, dir, "h2"), &st), 0);
	CHECK(S_ISREG(st.st_mode));
	sqe = t_sqe(&ring);
	io_uring_prep_linkat(sqe, dfd, "f", dfd, "h3", 0x40000);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_linkat(sqe, dfd, "", dfd, "h3", 0);
	CHECK_PREP_ERR(&ring, sqe, -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_linkat(sqe, dfd, "f", dfd, (const char *)8, 0);
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	close(dfd);
	io_uring_queue_exit(&ring);
}

/*
 * A chain: mkdir, create a file in it, rename it, in order. As in the
 * kernel, a failed path op (UNLINKAT here) does not break the chain, while
 * a failed OPENAT does.
 */
static void case_chain(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct t_rec rec;
	char p[PATH_MAX];
	const char *dir = fs_tmpdir();
	int dfd = open(dir, O_RDONLY | O_DIRECTORY), i;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_mkdirat(sqe, dfd, "d", 0700);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, dfd, "d/f", O_CREAT | O_WRONLY, 0600);
	sqe = t_sqe(&ring);
	io_uring_prep_renameat(sqe, dfd, "d/f", dfd, "d/g", 0);
	sqe = t_sqe(&ring);
	io_uring_prep_unlinkat(sqe, dfd, "d/nope", 0);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, dfd, "d/nope", O_RDONLY, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_mkdirat(sqe, dfd, "never", 0700);
	for (i = 0; i < 6; i++) {
		sqe = &ring.sq.sqes[(ring.sq.sqe_tail - 6 + i) & ring.sq.ring_mask];
		sqe->user_data = (uint64_t)i;
		if (i < 5)
			sqe->flags |= IOSQE_IO_LINK;
	}
	t_submit(&ring, 6);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 6, 10000);
	for (i = 0; i < 6; i++)
		CHECK(t_rec_find(&rec, (uint64_t)i));
	CHECK_EQ(t_rec_find(&rec, 0)->res, 0);
	CHECK(t_rec_find(&rec, 1)->res >= 0);
	close(t_rec_find(&rec, 1)->res);
	CHECK_EQ(t_rec_find(&rec, 2)->res, 0);
	CHECK_EQ(t_rec_find(&rec, 3)->res, -ENOENT);
	CHECK_EQ(t_rec_find(&rec, 4)->res, -ENOENT);
	CHECK_EQ(t_rec_find(&rec, 5)->res, -ECANCELED);
	CHECK_EQ(access(fs_path(p, dir, "d/g"), F_OK), 0);
	CHECK_EQ(access(fs_path(p, dir, "never"), F_OK), -1);
	t_rec_free(&rec);
	close(dfd);
	io_uring_queue_exit(&ring);
}

/* CQE_SKIP_SUCCESS hides a STATX error too (the kernel does not count it
 * as a failure), but not an OPENAT error. */
static void case_skip_soft(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct statx stx;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, AT_FDCWD, "/nonexistent-aioring", 0,
			    STATX_TYPE, &stx);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, "/nonexistent-aioring", O_RDONLY, 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	sqe->user_data = 2;
	t_submit(&ring, 2);
	cqe = t_wait(&ring, 10000);
	CHECK_EQ(cqe->user_data, 2);
	CHECK_EQ(cqe->res, -ENOENT);
	io_uring_cqe_seen(&ring, cqe);
	/* a NOP behind: nothing else shows up before it */
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 3;
	usleep(20000);
	t_submit(&ring, 1);
	cqe = t_wait(&ring, 10000);
	CHECK_EQ(cqe->user_data, 3);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "statx", case_statx, 0 },
		{ "mkdir_unlink", case_mkdir_unlink, 0 },
		{ "rename", case_rename, 0 },
		{ "links", case_links, 0 },
		{ "chain", case_chain, 0 },
		{ "skip_soft", case_skip_soft, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
