/* SPDX-License-Identifier: MIT */
/* OPENAT, OPENAT2, CLOSE and PIPE: results, field checks and errors. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "fsutil.h"

static int op_open(struct io_uring *ring, int dfd, const char *path, int flags,
		   mode_t mode)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_openat(sqe, dfd, path, flags, mode);
	return fs_run(ring, sqe);
}

static int op_close(struct io_uring *ring, int fd)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_close(sqe, fd);
	return fs_run(ring, sqe);
}

static void case_open_read(void)
{
	struct io_uring ring;
	char p[PATH_MAX], buf[8] = { 0 };
	const char *dir = fs_tmpdir();
	int fd, dfd;

	t_ring(&ring, 8, NULL);
	fd = open(fs_path(p, dir, "f"), O_CREAT | O_WRONLY, 0600);
	CHECK_EQ(write(fd, "hello", 5), 5);
	close(fd);
	fd = op_open(&ring, AT_FDCWD, p, O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_EQ(read(fd, buf, sizeof(buf)), 5);
	CHECK(!memcmp(buf, "hello", 5));
	/* the open's own O_NONBLOCK try must not show */
	CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	CHECK_EQ(op_close(&ring, fd), 0);
	CHECK_EQ(fcntl(fd, F_GETFD), -1);
	/* relative to a dirfd, with O_CLOEXEC and O_NONBLOCK kept */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = op_open(&ring, dfd, "f", O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
	/* unknown flag bits are ignored, as by openat(2) */
	fd = op_open(&ring, dfd, "f", O_RDONLY | (1 << 30), 0777);
	CHECK(fd >= 0);
	close(fd);
	/* O_PATH */
	fd = op_open(&ring, dfd, "f", O_PATH, 0);
	CHECK(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_PATH, O_PATH);
	close(fd);
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void case_open_create(void)
{
	struct io_uring ring;
	char p[PATH_MAX];
	const char *dir = fs_tmpdir();
	struct stat st;
	int fd;

	umask(022);
	t_ring(&ring, 8, NULL);
	fd = op_open(&ring, AT_FDCWD, fs_path(p, dir, "new"),
		     O_CREAT | O_EXCL | O_WRONLY, 0640);
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
	CHECK_EQ(write(fd, "abc", 3), 3);
	close(fd);
	CHECK_EQ(op_open(&ring, AT_FDCWD, p, O_CREAT | O_EXCL | O_WRONLY, 0640),
		 -EEXIST);
	fd = op_open(&ring, AT_FDCWD, p, O_TRUNC | O_WRONLY, 0);
	CHECK(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	close(fd);
	/* an unnamed file */
	fd = op_open(&ring, AT_FDCWD, dir, O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_open_errors(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char p[PATH_MAX], *longp = malloc(PATH_MAX + 16);
	const char *dir = fs_tmpdir();
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(op_open(&ring, AT_FDCWD, fs_path(p, dir, "nope"), O_RDONLY, 0),
		 -ENOENT);
	CHECK_EQ(op_open(&ring, 555, "rel", O_RDONLY, 0), -EBADF);
	CHECK_EQ(op_open(&ring, fd, "rel", O_RDONLY, 0), -ENOTDIR);
	/* an absolute path ignores even a bad dirfd */
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, 555, dir, O_RDONLY, 0);
	fd = fs_run(&ring, sqe);
	CHECK(fd >= 0);
	close(fd);
	/* getname() failures come from prep and stop the submission */
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, "", O_RDONLY, 0);
	CHECK_PREP_ERR(&ring, sqe, -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, NULL, O_RDONLY, 0);
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, (const char *)8, O_RDONLY, 0);
	CHECK_PREP_ERR(&ring, sqe, -EFAULT);
	memset(longp, 'a', PATH_MAX + 15);
	longp[PATH_MAX + 15] = 0;
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, longp, O_RDONLY, 0);
	CHECK_PREP_ERR(&ring, sqe, -ENAMETOOLONG);
	/* fields openat does not take */
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, dir, O_RDONLY, 0);
	sqe->buf_index = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, dir, O_RDONLY, 0);
	sqe->ioprio = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	/* direct descriptors: no file table registered */
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, dir, O_RDONLY | O_CLOEXEC, 0, 0);
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, dir, O_RDONLY, 0, 0);
	CHECK_ISSUE_ERR(&ring, sqe, -ENXIO);
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, dir, O_RDONLY, 0,
				    IORING_FILE_INDEX_ALLOC);
	CHECK_ISSUE_ERR(&ring, sqe, -ENFILE);
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, fs_path(p, dir, "nope"),
				    O_RDONLY, 0, 0);
	CHECK_ISSUE_ERR(&ring, sqe, -ENOENT);
	free(longp);
	io_uring_queue_exit(&ring);
}

/* A sandbox that denies openat2(2) (the engine then uses openat(2)). */
static bool openat2_denied(void)
{
	return syscall(SYS_openat2, AT_FDCWD, "", &(struct open_how){ 0 },
		       sizeof(struct open_how)) < 0 &&
	       (errno == ENOSYS || errno == EPERM);
}

static int op_open2(struct io_uring *ring, const char *path,
		    struct open_how *how, unsigned len)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_openat2(sqe, AT_FDCWD, path, how);
	sqe->len = len;
	return fs_run(ring, sqe);
}

static void case_openat2(void)
{
	struct io_uring ring;
	char p[PATH_MAX], *big = calloc(1, 8192), sub[PATH_MAX];
	struct open_how *how = (struct open_how *)big;
	const char *dir = fs_tmpdir();
	int fd;

	if (t_backend == AIORING_BACKEND_USER && openat2_denied())
		t_skip("openat2(2) is not allowed here: the engine has no resolve");
	t_ring(&ring, 8, NULL);
	close(open(fs_path(p, dir, "f"), O_CREAT | O_WRONLY, 0600));
	how->flags = O_RDONLY;
	fd = op_open2(&ring, p, how, sizeof(*how));
	CHECK(fd >= 0);
	close(fd);
	/* a longer struct is fine if the rest is zero */
	fd = op_open2(&ring, p, how, 8192);
	CHECK(fd >= 0);
	close(fd);
	big[5000] = 1;
	CHECK_EQ(op_open2(&ring, p, how, 8192), -E2BIG);
	big[5000] = 0;
	CHECK_EQ(op_open2(&ring, p, how, 23), -EINVAL);
	CHECK_EQ(op_open2(&ring, p, NULL, sizeof(*how)), -EFAULT);
	/* openat2(2)'s own checks, at issue */
	how->flags = O_RDONLY | (1ull << 40);
	CHECK_EQ(op_open2(&ring, p, how, sizeof(*how)), -EINVAL);
	how->flags = O_RDONLY;
	how->mode = 0644;
	CHECK_EQ(op_open2(&ring, p, how, sizeof(*how)), -EINVAL);
	how->mode = 0;
	how->resolve = 0x1000;
	CHECK_EQ(op_open2(&ring, p, how, sizeof(*how)), -EINVAL);
	how->resolve = RESOLVE_CACHED;
	how->flags = O_RDONLY | O_CREAT;
	CHECK_EQ(op_open2(&ring, fs_path(sub, dir, "g"), how, sizeof(*how)),
		 -EAGAIN);
	/* RESOLVE_CACHED on a path just looked up */
	how->flags = O_RDONLY;
	CHECK_EQ(access(p, F_OK), 0);
	fd = op_open2(&ring, p, how, sizeof(*how));
	CHECK(fd >= 0);
	close(fd);
	/* RESOLVE_BENEATH refuses to climb out */
	how->resolve = RESOLVE_BENEATH;
	{
		struct io_uring_sqe *sqe = t_sqe(&ring);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);

		io_uring_prep_openat2(sqe, dfd, "../", how);
		CHECK_EQ(fs_run(&ring, sqe), -EXDEV);
		close(dfd);
	}
	free(big);
	io_uring_queue_exit(&ring);
}

/* A FIFO opens at once, as with the kernel's nonblocking try, and its
 * descriptor does not keep the O_NONBLOCK of that try. */
static void case_fifo(void)
{
	struct io_uring ring;
	char p[PATH_MAX];
	const char *dir = fs_tmpdir();
	int fd;

	/* Without openat2(2) the engine opens in a worker, which waits for
	 * the FIFO's peer (see ARCHITECTURE.md). */
	if (openat2_denied())
		t_skip("openat2(2) is not allowed here");
	t_ring(&ring, 8, NULL);
	CHECK_EQ(mkfifo(fs_path(p, dir, "fifo"), 0600), 0);
	CHECK_EQ(access(p, F_OK), 0);
	/* the write side without a reader: the nonblocking open's -ENXIO */
	CHECK_EQ(op_open(&ring, AT_FDCWD, p, O_WRONLY, 0), -ENXIO);
	fd = op_open(&ring, AT_FDCWD, p, O_RDONLY, 0);
	CHECK(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	io_uring_queue_exit(&ring);
}

/*
 * The engine's promise: a worker's open goes to the directory the dirfd
 * named at submit, even if the number is closed and reused right after.
 * (The kernel looks the dirfd up when the open runs.)
 */
static void case_dirfd_stable(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char a[PATH_MAX], b[PATH_MAX], p[PATH_MAX];
	const char *dir = fs_tmpdir();
	int dfd, dfd2;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(mkdir(fs_path(a, dir, "a"), 0700), 0);
	CHECK_EQ(mkdir(fs_path(b, dir, "b"), 0700), 0);
	dfd = open(a, O_RDONLY | O_DIRECTORY);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, dfd, "made", O_CREAT | O_WRONLY, 0600);
	t_submit(&ring, 1);
	close(dfd);
	dfd2 = open(b, O_RDONLY | O_DIRECTORY);
	CHECK_EQ(dfd2, dfd);
	cqe = t_wait(&ring, 10000);
	CHECK(cqe->res >= 0);
	close(cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(access(fs_path(p, a, "made"), F_OK), 0);
	CHECK_EQ(access(fs_path(p, b, "made"), F_OK), -1);
	close(dfd2);
	io_uring_queue_exit(&ring);
}

/* The path is copied at submit (FEAT_SUBMIT_STABLE): the application may
 * reuse its buffer before a worker runs the open. */
static void case_path_stable(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char p[PATH_MAX], q[PATH_MAX];
	const char *dir = fs_tmpdir();

	t_ring(&ring, 8, NULL);
	fs_path(p, dir, "first");
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, p, O_CREAT | O_WRONLY, 0600);
	t_submit(&ring, 1);
	fs_path(p, dir, "other");
	cqe = t_wait(&ring, 10000);
	CHECK(cqe->res >= 0);
	close(cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(access(fs_path(q, dir, "first"), F_OK), 0);
	CHECK_EQ(access(fs_path(q, dir, "other"), F_OK), -1);
	io_uring_queue_exit(&ring);
}

/* A registered file cannot stand for a dirfd: -EBADF at prep. */
static void case_fixed_flag(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files(&ring, &fd, 1), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, 0, "x", O_RDONLY, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_PREP_ERR(&ring, sqe, -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_close(sqe, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_PREP_ERR(&ring, sqe, -EBADF);
	io_uring_queue_exit(&ring);
}

static void case_close(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(op_close(&ring, 9999), -EBADF);
	CHECK_EQ(op_close(&ring, -1), -EBADF);
	/* a ring does not close its own descriptor */
	CHECK_EQ(op_close(&ring, ring.ring_fd), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_close(sqe, fd);
	sqe->off = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_close(sqe, fd);
	sqe->file_index = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_close_direct(sqe, 0);
	CHECK_ISSUE_ERR(&ring, sqe, -ENXIO);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	/* a pipe end and a socket-free close, then the ring still works */
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(op_close(&ring, p[1]), 0);
	CHECK_EQ(op_close(&ring, p[1]), -EBADF);
	CHECK_EQ(op_close(&ring, p[0]), 0);
	CHECK_EQ(op_close(&ring, fd), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	io_uring_queue_exit(&ring);
}

static void case_pipe(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fds[2] = { -1, -1 }, n;
	char c = 0;
	void *ro;

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe(sqe, fds, 0);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK(fds[0] >= 0 && fds[1] >= 0);
	CHECK_EQ(write(fds[1], "z", 1), 1);
	CHECK_EQ(read(fds[0], &c, 1), 1);
	CHECK_EQ(c, 'z');
	CHECK_EQ(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
	close(fds[0]);
	close(fds[1]);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe(sqe, fds, O_CLOEXEC | O_NONBLOCK);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(fds[1], F_GETFL) & O_NONBLOCK);
	close(fds[0]);
	close(fds[1]);
	/* errors */
	sqe = t_sqe(&ring);
	io_uring_prep_pipe(sqe, fds, O_APPEND);
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe(sqe, fds, 0);
	sqe->fd = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe(sqe, fds, 0);
	sqe->off = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe_direct(sqe, fds, 0, 0);
	CHECK_ISSUE_ERR(&ring, sqe, -ENXIO);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe_direct(sqe, fds, 0, IORING_FILE_INDEX_ALLOC);
	CHECK_ISSUE_ERR(&ring, sqe, -ENFILE);
	/* a bad target: -EFAULT at issue, and no descriptor leaks */
	n = fs_nr_fds();
	sqe = t_sqe(&ring);
	io_uring_prep_pipe(sqe, NULL, 0);
	CHECK_ISSUE_ERR(&ring, sqe, -EFAULT);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe(sqe, ro, 0);
	CHECK_ISSUE_ERR(&ring, sqe, -EFAULT);
	CHECK_EQ(fs_nr_fds(), n);
	io_uring_queue_exit(&ring);
}

/* Direct descriptors, with a registered (sparse) file table. */
static void case_direct(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fds[2] = { -5, -5 };
	char buf[4];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files_sparse(&ring, 8), 0);
	CHECK_EQ(io_uring_register_file_alloc_range(&ring, 4, 4), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe_direct(sqe, fds, 0, 2);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(fds[0], 2);
	CHECK_EQ(fds[1], 3);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe_direct(sqe, fds, 0, IORING_FILE_INDEX_ALLOC);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(fds[0], 4);
	CHECK_EQ(fds[1], 5);
	sqe = t_sqe(&ring);
	io_uring_prep_pipe_direct(sqe, fds, O_CLOEXEC, IORING_FILE_INDEX_ALLOC);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	/* the write end would fall off the table */
	sqe = t_sqe(&ring);
	io_uring_prep_pipe_direct(sqe, fds, 0, 7);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	/* -EFAULT takes the installed ends out again */
	sqe = t_sqe(&ring);
	io_uring_prep_pipe_direct(sqe, NULL, 0, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EFAULT);
	sqe = t_sqe(&ring);
	io_uring_prep_close_direct(sqe, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	/* opens into a slot and into the allocation range */
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, "/", O_RDONLY, 0, 1);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, "/", O_RDONLY, 0,
				    IORING_FILE_INDEX_ALLOC);
	CHECK_EQ(fs_run(&ring, sqe), 6);
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, "/", O_RDONLY, 0, 100);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_close_direct(sqe, 1);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_close_direct(sqe, 1);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_close_direct(sqe, 100);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	/* the pipe in slots 2 and 3 works through fixed-file I/O */
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, 3, "ok", 2, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(fs_run(&ring, sqe), 2);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, 2, buf, sizeof(buf), 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(fs_run(&ring, sqe), 2);
	CHECK(!memcmp(buf, "ok", 2));
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "open_read", case_open_read, 0 },
		{ "open_create", case_open_create, 0 },
		{ "open_errors", case_open_errors, 0 },
		{ "openat2", case_openat2, 0 },
		{ "fifo", case_fifo, 0 },
		{ "dirfd_stable", case_dirfd_stable, T_USER_ONLY },
		{ "path_stable", case_path_stable, 0 },
		{ "fixed_flag", case_fixed_flag, 0 },
		{ "close", case_close, 0 },
		{ "pipe", case_pipe, 0 },
		{ "direct", case_direct, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
