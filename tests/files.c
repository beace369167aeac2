/* SPDX-License-Identifier: MIT */
/*
 * Registered (fixed) files: register, sparse tables, updates (register
 * calls and IORING_OP_FILES_UPDATE, with IORING_FILE_INDEX_ALLOC), tags,
 * the allocation range, IOSQE_FIXED_FILE reads and writes, FIXED_FD_INSTALL,
 * and the table's own reference to each file.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

/* Submits what is queued and reaps one CQE: its res (flags in *flags). */
static int one(struct io_uring *ring, uint64_t *ud)
{
	struct io_uring_cqe *cqe;
	int res;

	CHECK_EQ(io_uring_submit(ring), 1);
	cqe = t_wait(ring, 5000);
	res = cqe->res;
	if (ud)
		*ud = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int fixed_rw(struct io_uring *ring, bool write, int idx, void *buf,
		    unsigned len, uint64_t off)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	if (write)
		io_uring_prep_write(sqe, idx, buf, len, off);
	else
		io_uring_prep_read(sqe, idx, buf, len, off);
	sqe->flags |= IOSQE_FIXED_FILE;
	return one(ring, NULL);
}

/* No CQE shows up within @ms. */
static void no_cqe(struct io_uring *ring, int ms)
{
	struct __kernel_timespec ts = { 0, ms * 1000000L };
	struct io_uring_cqe *cqe;

	CHECK_EQ(io_uring_wait_cqe_timeout(ring, &cqe, &ts), -ETIME);
}

static void case_basic(void)
{
	struct io_uring ring;
	int p[2], fds[3];
	char buf[16] = { 0 };

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = -1;
	CHECK_EQ(io_uring_register_files(&ring, fds, 3), 0);
	/* The table holds its own references: the fds may go. */
	close(p[0]);
	close(p[1]);
	CHECK_EQ(fixed_rw(&ring, true, 1, "hello", 5, 0), 5);
	CHECK_EQ(fixed_rw(&ring, false, 0, buf, sizeof(buf), 0), 5);
	CHECK(!memcmp(buf, "hello", 5));
	CHECK_EQ(fixed_rw(&ring, false, 2, buf, 1, 0), -EBADF);	/* empty */
	CHECK_EQ(fixed_rw(&ring, false, 3, buf, 1, 0), -EBADF);	/* past the end */
	CHECK_EQ(fixed_rw(&ring, false, -1, buf, 1, 0), -EBADF);
	CHECK_EQ(io_uring_register_files(&ring, fds, 1), -EBUSY);
	CHECK_EQ(io_uring_unregister_files(&ring), 0);
	CHECK_EQ(io_uring_unregister_files(&ring), -ENXIO);
	CHECK_EQ(fixed_rw(&ring, false, 0, buf, 1, 0), -EBADF);
	io_uring_queue_exit(&ring);
}

static void case_register_errors(void)
{
	struct io_uring_rsrc_register rr;
	struct io_uring ring;
	int fd = t_tmpfd(), bad = 1000, fds[2];
	__u64 tags[2] = { 0, 5 };

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files(&ring, &fd, 0), -EINVAL);
	CHECK_EQ(io_uring_register_files(&ring, &bad, 1), -EBADF);
	/* A ring may not hold a ring. */
	CHECK_EQ(io_uring_register_files(&ring, &ring.ring_fd, 1), -EBADF);
	fds[0] = fd;
	fds[1] = -1;
	CHECK_EQ(io_uring_register_files_tags(&ring, fds, tags, 2), -EINVAL);
	memset(&rr, 0, sizeof(rr));
	rr.nr = 2;
	rr.flags = IORING_RSRC_REGISTER_SPARSE;
	rr.data = (uintptr_t)fds;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES2, &rr,
				   sizeof(rr)), -EINVAL);
	rr.data = 0;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES2, &rr,
				   sizeof(rr) - 1), -EINVAL);
	rr.resv2 = 1;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES2, &rr,
				   sizeof(rr)), -EINVAL);
	rr.resv2 = 0;
	rr.flags = 2;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES2, &rr,
				   sizeof(rr)), -EINVAL);
	/* Nothing above left a table behind. */
	CHECK_EQ(io_uring_unregister_files(&ring), -ENXIO);
	/* A NULL array is not a sparse table (FILES2 makes those). */
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES, NULL, 4),
		 -EFAULT);
	CHECK_EQ(io_uring_unregister_files(&ring), -ENXIO);
	/* FILES2 without data is sparse, even without the flag. */
	rr.flags = 0;
	rr.nr = 4;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES2, &rr,
				   sizeof(rr)), 0);
	CHECK_EQ(io_uring_unregister_files(&ring), 0);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_UNREGISTER_FILES, &fd, 0),
		 -EINVAL);
	io_uring_queue_exit(&ring);
	close(fd);
}

static void case_sparse_update(void)
{
	struct io_uring ring;
	int fd = t_tmpfd(), bad = 1000, fds[2], skip = IORING_REGISTER_FILES_SKIP;
	char buf[8];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files_update(&ring, 0, &fd, 1), -ENXIO);
	CHECK_EQ(pwrite(fd, "abcdefgh", 8, 0), 8);
	CHECK_EQ(io_uring_register_files_sparse(&ring, 8), 0);
	CHECK_EQ(fixed_rw(&ring, false, 3, buf, 4, 0), -EBADF);
	CHECK_EQ(io_uring_register_files_update(&ring, 3, &fd, 1), 1);
	CHECK_EQ(fixed_rw(&ring, false, 3, buf, 4, 2), 4);
	CHECK(!memcmp(buf, "cdef", 4));
	/* SKIP leaves the slot as it is. */
	CHECK_EQ(io_uring_register_files_update(&ring, 3, &skip, 1), 1);
	CHECK_EQ(fixed_rw(&ring, false, 3, buf, 1, 0), 1);
	fds[0] = -1;
	CHECK_EQ(io_uring_register_files_update(&ring, 3, fds, 1), 1);
	CHECK_EQ(fixed_rw(&ring, false, 3, buf, 1, 0), -EBADF);
	CHECK_EQ(io_uring_register_files_update(&ring, 7, &fd, 2), -EINVAL);
	CHECK_EQ(io_uring_register_files_update(&ring, 0, &bad, 1), -EBADF);
	fds[0] = fd;
	fds[1] = bad;
	CHECK_EQ(io_uring_register_files_update(&ring, 0, fds, 2), 1);
	CHECK_EQ(fixed_rw(&ring, false, 0, buf, 1, 0), 1);
	CHECK_EQ(io_uring_register_files_update(&ring, 0, fds, 0), -EINVAL);
	io_uring_queue_exit(&ring);
	close(fd);
}

/* Reaps @n CQEs; returns how many carried @tag (res 0, flags 0). */
static unsigned reap_tags(struct io_uring *ring, unsigned n, uint64_t tag)
{
	struct t_rec rec;
	unsigned i, found = 0;

	t_rec_init(&rec);
	t_rec_reap(&rec, ring, n, 2000);
	for (i = 0; i < rec.n; i++) {
		if (rec.v[i].user_data != tag)
			continue;
		CHECK_EQ(rec.v[i].res, 0);
		CHECK_EQ(rec.v[i].flags, 0);
		found++;
	}
	t_rec_free(&rec);
	return found;
}

static void case_tags(void)
{
	struct io_uring ring;
	int fd = t_tmpfd(), fds[2] = { fd, fd }, skip = IORING_REGISTER_FILES_SKIP;
	__u64 tags[2] = { 0, 42 }, t7 = 7;

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files_tags(&ring, fds, tags, 2), 0);
	no_cqe(&ring, 10);
	/* Replacing the tagged slot lets its file go: tag 42. */
	CHECK_EQ(io_uring_register_files_update_tag(&ring, 1, &fd, &t7, 1), 1);
	CHECK_EQ(reap_tags(&ring, 1, 42), 1);
	/* An untagged slot says nothing when replaced. */
	CHECK_EQ(io_uring_register_files_update(&ring, 0, &fd, 1), 1);
	no_cqe(&ring, 10);
	/* A tag needs a file. */
	CHECK_EQ(io_uring_register_files_update_tag(&ring, 0, &skip, &t7, 1), -EINVAL);
	/* Unregistering lets slot 1 go: tag 7. */
	CHECK_EQ(io_uring_unregister_files(&ring), 0);
	CHECK_EQ(reap_tags(&ring, 1, 7), 1);
	no_cqe(&ring, 10);
	io_uring_queue_exit(&ring);
	close(fd);
}

/* A read in flight keeps its file: unregistering does not wait for it,
 * and the tag comes once the read is done. */
static void case_unregister_inflight(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	__u64 tag = 99;
	uint64_t t0;
	char buf[8];
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	CHECK_EQ(io_uring_register_files_tags(&ring, &p[0], &tag, 1), 0);
	close(p[0]);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, 0, buf, sizeof(buf), 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	no_cqe(&ring, 20);
	t0 = t_now_ns();
	CHECK_EQ(io_uring_unregister_files(&ring), 0);
	CHECK(t_now_ns() - t0 < 1000000000ull);
	no_cqe(&ring, 20);		/* the read still uses the file */
	CHECK_EQ(write(p[1], "xyz", 3), 3);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 1);
	CHECK_EQ(cqe->res, 3);
	io_uring_cqe_seen(&ring, cqe);
	CHECK(!memcmp(buf, "xyz", 3));
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 99);
	CHECK_EQ(cqe->res, 0);
	CHECK_EQ(cqe->flags, 0);
	io_uring_cqe_seen(&ring, cqe);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

static void case_alloc_range(void)
{
	struct io_uring_file_index_range range = { 0 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), fds[4];
	unsigned i;

	t_ring(&ring, 8, NULL);
	for (i = 0; i < 4; i++)
		fds[i] = fd;
	/* No table: nothing to allocate from. */
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, fds, 1, IORING_FILE_INDEX_ALLOC);
	CHECK_EQ(one(&ring, NULL), -ENXIO);
	CHECK_EQ(io_uring_register_files_sparse(&ring, 10), 0);
	CHECK_EQ(io_uring_register_file_alloc_range(&ring, 8, 3), -EINVAL);
	CHECK_EQ(io_uring_register_file_alloc_range(&ring, 0xffffffffu, 3),
		 -EOVERFLOW);
	range.off = 1;
	range.len = 1;
	range.resv = 1;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILE_ALLOC_RANGE,
				   &range, 0), -EINVAL);
	range.resv = 0;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILE_ALLOC_RANGE,
				   &range, 1), -EINVAL);
	CHECK_EQ(io_uring_register_file_alloc_range(&ring, 2, 3), 0);
	/* Four files, three free slots: three go in, their slots written
	 * back in order. */
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, fds, 4, IORING_FILE_INDEX_ALLOC);
	CHECK_EQ(one(&ring, NULL), 3);
	CHECK_EQ(fds[0], 2);
	CHECK_EQ(fds[1], 3);
	CHECK_EQ(fds[2], 4);
	CHECK_EQ(fds[3], fd);
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 1, IORING_FILE_INDEX_ALLOC);
	CHECK_EQ(one(&ring, NULL), -ENFILE);
	/* A freed slot is found again. */
	fds[0] = -1;
	CHECK_EQ(io_uring_register_files_update(&ring, 3, fds, 1), 1);
	fds[0] = fd;
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, fds, 1, IORING_FILE_INDEX_ALLOC);
	CHECK_EQ(one(&ring, NULL), 1);
	CHECK_EQ(fds[0], 3);
	io_uring_queue_exit(&ring);
	close(fd);
}

static void case_update_op(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd(), fds[2] = { -1, -1 };
	char buf[4];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pwrite(fd, "wxyz", 4, 0), 4);
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 1, 0);
	CHECK_EQ(one(&ring, NULL), -ENXIO);
	CHECK_EQ(io_uring_register_files(&ring, fds, 2), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 1, 1);
	CHECK_EQ(one(&ring, NULL), 1);
	CHECK_EQ(fixed_rw(&ring, false, 1, buf, 4, 0), 4);
	CHECK(!memcmp(buf, "wxyz", 4));
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 0, 0);
	CHECK_EQ(one(&ring, NULL), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 1, 2);
	CHECK_EQ(one(&ring, NULL), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 1, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	CHECK_EQ(one(&ring, NULL), -EINVAL);
	/* Linked: the read behind the update sees the new file (fixed
	 * files are looked up at issue). */
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 1, 0);
	sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, 0, buf, 2, 2);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->user_data = 2;
	CHECK_EQ(io_uring_submit(&ring), 2);
	{
		struct t_rec rec;

		t_rec_init(&rec);
		t_rec_reap(&rec, &ring, 2, 2000);
		CHECK_EQ(t_rec_find(&rec, 1)->res, 1);
		CHECK_EQ(t_rec_find(&rec, 2)->res, 2);
		t_rec_free(&rec);
	}
	CHECK(!memcmp(buf, "yz", 2));
	io_uring_queue_exit(&ring);
	close(fd);
}

static void case_fd_install(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2], nfd;
	char buf[4];

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	CHECK_EQ(io_uring_register_files(&ring, &p[0], 1), 0);
	close(p[0]);
	sqe = t_sqe(&ring);
	io_uring_prep_fixed_fd_install(sqe, 0, 0);
	nfd = one(&ring, NULL);
	CHECK(nfd >= 0);
	CHECK(fcntl(nfd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(write(p[1], "ab", 2), 2);
	CHECK_EQ(read(nfd, buf, sizeof(buf)), 2);
	close(nfd);
	sqe = t_sqe(&ring);
	io_uring_prep_fixed_fd_install(sqe, 0, IORING_FIXED_FD_NO_CLOEXEC);
	nfd = one(&ring, NULL);
	CHECK(nfd >= 0);
	CHECK(!(fcntl(nfd, F_GETFD) & FD_CLOEXEC));
	close(nfd);
	sqe = t_sqe(&ring);
	io_uring_prep_fixed_fd_install(sqe, 0, 2);
	CHECK_EQ(one(&ring, NULL), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_fixed_fd_install(sqe, 0, 0);
	sqe->flags &= (__u8)~IOSQE_FIXED_FILE;
	CHECK_EQ(one(&ring, NULL), -EBADF);
	sqe = t_sqe(&ring);
	io_uring_prep_fixed_fd_install(sqe, 1, 0);
	CHECK_EQ(one(&ring, NULL), -EBADF);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

/* Fixed-file writes land in the file; ASYNC ones too. */
static void case_fixed_write(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd();
	char got[8];

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files(&ring, &fd, 1), 0);
	CHECK_EQ(fixed_rw(&ring, true, 0, "1234", 4, 0), 4);
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, 0, "5678", 4, 4);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_ASYNC;
	CHECK_EQ(one(&ring, NULL), 4);
	CHECK_EQ(pread(fd, got, 8, 0), 8);
	CHECK(!memcmp(got, "12345678", 8));
	io_uring_queue_exit(&ring);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "basic", case_basic, 0 },
		{ "register_errors", case_register_errors, 0 },
		{ "sparse_update", case_sparse_update, 0 },
		{ "tags", case_tags, 0 },
		{ "unregister_inflight", case_unregister_inflight, 0 },
		{ "alloc_range", case_alloc_range, 0 },
		{ "update_op", case_update_op, 0 },
		{ "fd_install", case_fd_install, 0 },
		{ "fixed_write", case_fixed_write, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
