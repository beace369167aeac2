/* SPDX-License-Identifier: MIT */
/* FALLOCATE, FTRUNCATE, SYNC_FILE_RANGE, FADVISE and MADVISE. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "fsutil.h"

static void case_fallocate(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct stat st;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, fd, 0, 0, 65536);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 65536);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, fd, FALLOC_FL_KEEP_SIZE, 65536, 4096);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 65536);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, fd, 0, 0, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, p[1], 0, 0, 10);
	CHECK_EQ(fs_run(&ring, sqe), -ESPIPE);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, -1, 0, 0, 10);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, fd, 0, 0, 10);
	sqe->rw_flags = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	io_uring_queue_exit(&ring);
}

static void case_ftruncate(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct stat st;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, fd, 12345);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 12345);
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, fd, -1);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, p[1], 0);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, 9999, 0);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, fd, 0);
	sqe->addr3 = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, fd, 0);
	sqe->len = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	io_uring_queue_exit(&ring);
}

static void case_sync_range(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pwrite(fd, "data", 4, 0), 4);
	sqe = t_sqe(&ring);
	io_uring_prep_sync_file_range(sqe, fd, 4, 0, SYNC_FILE_RANGE_WRITE |
				      SYNC_FILE_RANGE_WAIT_AFTER);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_sync_file_range(sqe, fd, 0, 0, 0x80);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_sync_file_range(sqe, p[0], 0, 0, 0);
	CHECK_EQ(fs_run(&ring, sqe), -ESPIPE);
	sqe = t_sqe(&ring);
	io_uring_prep_sync_file_range(sqe, fd, 0, 0, 0);
	sqe->addr = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	io_uring_queue_exit(&ring);
}

static void case_fadvise(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), p[2], adv[] = { POSIX_FADV_NORMAL,
		POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL, POSIX_FADV_WILLNEED,
		POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE }, i;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pwrite(fd, "data", 4, 0), 4);
	for (i = 0; i < 6; i++) {
		sqe = t_sqe(&ring);
		io_uring_prep_fadvise(sqe, fd, 0, 4, adv[i]);
		CHECK_EQ(fs_run(&ring, sqe), 0);
	}
	sqe = t_sqe(&ring);
	io_uring_prep_fadvise64(sqe, fd, 0, 1ull << 40, POSIX_FADV_DONTNEED);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_fadvise(sqe, fd, 0, 4, 99);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_fadvise(sqe, p[0], 0, 4, POSIX_FADV_NORMAL);
	CHECK_EQ(fs_run(&ring, sqe), -ESPIPE);
	sqe = t_sqe(&ring);
	io_uring_prep_fadvise(sqe, -1, 0, 4, POSIX_FADV_WILLNEED);
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_fadvise(sqe, fd, 0, 4, POSIX_FADV_NORMAL);
	sqe->buf_index = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	io_uring_queue_exit(&ring);
}

static void case_madvise(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	t_ring(&ring, 8, NULL);
	CHECK(m != MAP_FAILED);
	m[0] = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_madvise(sqe, m, 8192, MADV_DONTNEED);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(m[0], 0);		/* private anonymous: zero again */
	sqe = t_sqe(&ring);
	io_uring_prep_madvise64(sqe, m, 8192, MADV_WILLNEED);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	/* a 64-bit length in off wins over len */
	m[0] = m[4096] = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_madvise(sqe, m, 4096, MADV_DONTNEED);
	sqe->off = 8192;
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(m[4096], 0);
	m[0] = m[4096] = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_madvise(sqe, m, 4096, MADV_DONTNEED);
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(m[0], 0);
	CHECK_EQ(m[4096], 1);
	sqe = t_sqe(&ring);
	io_uring_prep_madvise(sqe, m + 1, 10, MADV_NORMAL);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_madvise(sqe, m, 8192, 9999);
	CHECK_EQ(fs_run(&ring, sqe), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_madvise(sqe, m, 8192, MADV_NORMAL);
	sqe->splice_fd_in = 1;
	CHECK_PREP_ERR(&ring, sqe, -EINVAL);
	io_uring_queue_exit(&ring);
}

/* Which errors break a chain, as in the kernel: an FALLOCATE or FTRUNCATE
 * error does not, an FADVISE error or a bad descriptor does. */
static void case_chain(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct t_rec rec;
	int fd = t_tmpfd(), p[2];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pipe(p), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, p[1], 0, 0, 10);		/* -ESPIPE */
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 0;
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, p[1], 0);			/* -EINVAL */
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, p[0], 0);			/* -EINVAL */
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 2;
	sqe = t_sqe(&ring);
	io_uring_prep_fadvise(sqe, p[0], 0, 4, POSIX_FADV_NORMAL); /* fails */
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 3;
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, fd, 10);
	sqe->user_data = 4;
	t_submit(&ring, 5);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 5, 10000);
	CHECK_EQ(t_rec_find(&rec, 0)->res, -ESPIPE);
	CHECK_EQ(t_rec_find(&rec, 1)->res, -EINVAL);
	CHECK_EQ(t_rec_find(&rec, 2)->res, -EINVAL);
	CHECK_EQ(t_rec_find(&rec, 3)->res, -ESPIPE);
	CHECK_EQ(t_rec_find(&rec, 4)->res, -ECANCELED);
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

/* The fd-taking ops on a registered file (IOSQE_FIXED_FILE). */
static void case_fixed_file(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct stat st;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files(&ring, &fd, 1), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, 0, 0, 0, 8192);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, 0, 100);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(fs_run(&ring, sqe), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 100);
	sqe = t_sqe(&ring);
	io_uring_prep_fadvise(sqe, 0, 0, 100, POSIX_FADV_NORMAL);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(fs_run(&ring, sqe), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_sync_file_range(sqe, 0, 0, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(fs_run(&ring, sqe), 0);
	/* an empty slot */
	sqe = t_sqe(&ring);
	io_uring_prep_ftruncate(sqe, 1, 100);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(fs_run(&ring, sqe), -EBADF);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "fallocate", case_fallocate, 0 },
		{ "ftruncate", case_ftruncate, 0 },
		{ "sync_range", case_sync_range, 0 },
		{ "fadvise", case_fadvise, 0 },
		{ "madvise", case_madvise, 0 },
		{ "chain", case_chain, 0 },
		{ "fixed_file", case_fixed_file, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
