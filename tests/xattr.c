/* SPDX-License-Identifier: MIT */
/* GETXATTR, FGETXATTR, SETXATTR and FSETXATTR, on user.* attributes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include "fsutil.h"

/* A file in the temp dir; the case is skipped where its file system
 * takes no user attributes (tmpfs without user_xattr, say). */
static int xa_file(char *path)
{
	const char *dir = fs_tmpdir();
	int fd = open(fs_path(path, dir, "f"), O_CREAT | O_RDWR, 0600);

	CHECK(fd >= 0);
	if (fsetxattr(fd, "user.probe", "1", 1, 0) && errno == EOPNOTSUPP)
		t_skip("%s takes no user xattrs", dir);
	return fd;
}

static void case_set_get(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char p[PATH_MAX], v[32];
	int fd = xa_file(p);

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_setxattr(sqe, "user.a", "alpha", p, 0, 5);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_fsetxattr(sqe, fd, "user.b", "beta", 0, 4);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	memset(v, 0, sizeof(v));
	sqe = t_sqe(&ring);
	io_uring_prep_fgetxattr(sqe, fd, "user.a", v, sizeof(v));
	CHECK_EQ(fs_run(&ring, sqe), 5);
	CHECK(!memcmp(v, "alpha", 5));
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.b", v, p, sizeof(v));
	CHECK_EQ(fs_run(&ring, sqe), 4);
	CHECK(!memcmp(v, "beta", 4));
	/* size 0 asks for the size */
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.a", NULL, p, 0);
	CHECK_EQ(fs_run(&ring, sqe), 5);
	/* too small */
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.a", v, p, 2);
	CHECK_EQ(fs_run(&ring, sqe), -ERANGE);
	/* CREATE and REPLACE */
	sqe = t_sqe(&ring);
	io_uring_prep_setxattr(sqe, "user.a", "x", p, XATTR_CREATE, 1);
	CHECK_EQ(fs_run(&ring, sqe), -EEXIST);
	sqe = t_sqe(&ring);
	io_uring_prep_fsetxattr(sqe, fd, "user.c", "x", XATTR_REPLACE, 1);
	CHECK_EQ(fs_run(&ring, sqe), -ENODATA);
	/* an empty value */
	sqe = t_sqe(&ring);
	io_uring_prep_fsetxattr(sqe, fd, "user.e", NULL, 0, 0);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(fgetxattr(fd, "user.e", v, sizeof(v)), 0);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* The value is copied at submit (FEAT_SUBMIT_STABLE). */
static void case_stable(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char p[PATH_MAX], v[16], name[16];
	int fd = xa_file(p);

	t_ring(&ring, 8, NULL);
	strcpy(v, "before");
	strcpy(name, "user.s");
	sqe = t_sqe(&ring);
	io_uring_prep_fsetxattr(sqe, fd, name, v, 0, 6);
	t_submit(&ring, 1);
	strcpy(v, "AFTER!");
	strcpy(name, "user.t");
	cqe = t_wait(&ring, 10000);
	CHECK_EQ(cqe->res, 0);
	io_uring_cqe_seen(&ring, cqe);
	memset(v, 0, sizeof(v));
	CHECK_EQ(fgetxattr(fd, "user.s", v, sizeof(v)), 6);
	CHECK(!memcmp(v, "before", 6));
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_errors(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char p[PATH_MAX], v[16], longname[300];
	int fd = xa_file(p);

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.none", v, p, sizeof(v));
	CHECK_EQ(fs_run(&ring, sqe), -ENODATA);
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.a", v, "/nonexistent-aioring", sizeof(v));
	CHECK_EQ(fs_run(&ring, sqe), -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_fgetxattr(sqe, -1, "user.a", v, sizeof(v));
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_fgetxattr(sqe, fd, "user.probe", (char *)8, sizeof(v));
	CHECK_EQ(fs_run(&ring, sqe), -EFAULT);
	/* prep: names, flags, values, paths */
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "", v, p, sizeof(v));
	CHECK_PREP_ERR(&ring, sqe, -ERANGE);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	memcpy(longname, "user.", 5);
	sqe = t_sqe(&ring);
	io_uring_prep_fgetxattr(sqe, fd, longname, v, sizeof(v));
	CHECK_PREP_ERR(&ring, sqe, -ERANGE);
	longname[255] = 0;		/* 255 is the longest name */
	sqe = t_sqe(&ring);
	io_uring_prep_fgetxattr(sqe, fd, longname, v, sizeof(v));
	CHECK_EQ(fs_run(&ring, sqe), -ENODATA);
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, NULL, v, p, sizeof(v));
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.a", v, NULL, sizeof(v));
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.a", v, "", sizeof(v));
	CHECK_PREP_ERR(&ring, sqe, -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_getxattr(sqe, "user.a", v, p, sizeof(v));
	sqe->xattr_flags = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_setxattr(sqe, "user.a", "v", p, 4, 1);
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_setxattr(sqe, "user.a", NULL, p, 0, 2);
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_fsetxattr(sqe, fd, "user.a", "v", 0, 70000);
	CHECK_PREP_ERR(&ring, sqe, -E2BIG);
	close(fd);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "set_get", case_set_get, 0 },
		{ "stable", case_stable, 0 },
		{ "errors", case_errors, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
