/* SPDX-License-Identifier: MIT */
/*
 * Registered buffers, the second generation: BUFFERS2 (tags, sparse
 * tables), BUFFERS_UPDATE, the tag CQEs, and a buffer replaced or
 * unregistered while a READ_FIXED still uses it (fixed.c has the basics).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define SZ 4096

static int rw_fixed(struct io_uring *ring, bool write, int fd, void *addr,
		    unsigned len, int idx)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	struct io_uring_cqe *cqe;
	int res;

	if (write)
		io_uring_prep_write_fixed(sqe, fd, addr, len, 0, idx);
	else
		io_uring_prep_read_fixed(sqe, fd, addr, len, 0, idx);
	CHECK_EQ(io_uring_submit(ring), 1);
	cqe = t_wait(ring, 5000);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void expect_tag(struct io_uring *ring, uint64_t tag)
{
	struct io_uring_cqe *cqe = t_wait(ring, 2000);

	CHECK_EQ(cqe->user_data, tag);
	CHECK_EQ(cqe->res, 0);
	CHECK_EQ(cqe->flags, 0);
	io_uring_cqe_seen(ring, cqe);
}

static void case_sparse_update(void)
{
	struct io_uring ring;
	char *mem = aligned_alloc(SZ, 2 * SZ);
	struct iovec iov[2] = { { mem, SZ }, { mem + SZ, SZ } };
	__u64 tags[2] = { 11, 0 };
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_buffers_update_tag(&ring, 0, iov, tags, 1),
		 -ENXIO);
	CHECK_EQ(io_uring_register_buffers_sparse(&ring, 4), 0);
	CHECK_EQ(rw_fixed(&ring, true, fd, mem, 8, 0), -EFAULT);
	CHECK_EQ(io_uring_register_buffers_update_tag(&ring, 2, iov, tags, 2), 2);
	memcpy(mem, "tagged!!", 8);
	CHECK_EQ(rw_fixed(&ring, true, fd, mem, 8, 2), 8);
	CHECK_EQ(rw_fixed(&ring, false, fd, mem + SZ, 8, 3), 8);
	CHECK(!memcmp(mem + SZ, "tagged!!", 8));
	CHECK_EQ(io_uring_register_buffers_update_tag(&ring, 3, iov, tags, 2),
		 -EINVAL);
	t_expect_none(&ring, 10);
	/* Replacing slot 2 (tag 11) lets it go. */
	CHECK_EQ(io_uring_register_buffers_update_tag(&ring, 2, &iov[1], &tags[1],
						      1), 1);
	expect_tag(&ring, 11);
	/* A tag needs a buffer. */
	iov[0].iov_base = NULL;
	iov[0].iov_len = 0;
	CHECK_EQ(io_uring_register_buffers_update_tag(&ring, 0, iov, tags, 1),
		 -EINVAL);
	/* An empty iovec empties a slot. */
	CHECK_EQ(io_uring_register_buffers_update_tag(&ring, 2, iov, &tags[1], 1), 1);
	CHECK_EQ(rw_fixed(&ring, true, fd, mem + SZ, 8, 2), -EFAULT);
	CHECK_EQ(io_uring_unregister_buffers(&ring), 0);
	t_expect_none(&ring, 10);
	io_uring_queue_exit(&ring);
	close(fd);
	free(mem);
}

static void case_tags_register(void)
{
	struct io_uring_rsrc_register rr;
	struct io_uring ring;
	char *mem = aligned_alloc(SZ, 2 * SZ);
	struct iovec iov[2] = { { mem, SZ }, { mem + SZ, SZ } };
	__u64 tags[2] = { 21, 22 };
	unsigned i, seen = 0;

	t_ring(&ring, 8, NULL);
	memset(&rr, 0, sizeof(rr));
	rr.nr = 2;
	rr.flags = IORING_RSRC_REGISTER_SPARSE;
	rr.data = (uintptr_t)iov;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS2, &rr,
				   sizeof(rr)), -EINVAL);
	rr.flags = 0;
	rr.nr = 0;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS2, &rr,
				   sizeof(rr)), -EINVAL);
	rr.nr = 2;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS2, &rr,
				   16), -EINVAL);
	CHECK_EQ(io_uring_register_buffers_tags(&ring, iov, tags, 2), 0);
	CHECK_EQ(io_uring_register_buffers_tags(&ring, iov, tags, 2), -EBUSY);
	t_expect_none(&ring, 10);
	/* Unregistering lets both go: one tag CQE each. */
	CHECK_EQ(io_uring_unregister_buffers(&ring), 0);
	for (i = 0; i < 2; i++) {
		struct io_uring_cqe *cqe = t_wait(&ring, 2000);

		CHECK(cqe->user_data == 21 || cqe->user_data == 22);
		seen |= 1u << (cqe->user_data - 21);
		CHECK_EQ(cqe->res, 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	CHECK_EQ(seen, 3);
	t_expect_none(&ring, 10);
	io_uring_queue_exit(&ring);
	free(mem);
}

/* A READ_FIXED waiting on a pipe keeps its buffer: unregistering does not
 * wait for it, its data still lands there, and the tag follows it. */
static void case_inflight(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char *mem = aligned_alloc(SZ, SZ);
	struct iovec iov = { mem, SZ };
	__u64 tag = 77;
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	CHECK_EQ(io_uring_register_buffers_tags(&ring, &iov, &tag, 1), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, p[0], mem, 16, 0, 0);
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	t_expect_none(&ring, 10);
	CHECK_EQ(io_uring_unregister_buffers(&ring), 0);
	t_expect_none(&ring, 10);
	CHECK_EQ(write(p[1], "late", 4), 4);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 1);
	CHECK_EQ(cqe->res, 4);
	io_uring_cqe_seen(&ring, cqe);
	CHECK(!memcmp(mem, "late", 4));
	expect_tag(&ring, 77);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
	free(mem);
}

/* NULL iovec arrays: BUFFERS refuses one, BUFFERS2 makes a sparse table. */
static void case_null_array(void)
{
	struct io_uring ring;
	char *mem = aligned_alloc(SZ, SZ);
	struct iovec iov = { mem, SZ };
	struct io_uring_rsrc_register rr = { .nr = 2 };
	struct io_uring_rsrc_update2 up = { .nr = 1 };
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS, NULL, 2),
		 -EFAULT);
	/* BUFFERS2 without data is sparse, even without the flag. */
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS2, &rr,
				   sizeof(rr)), 0);
	/* An update without data reads nothing. */
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS_UPDATE,
				   &up, sizeof(up)), -EFAULT);
	CHECK_EQ(rw_fixed(&ring, true, fd, mem, 4, 1), -EFAULT);
	CHECK_EQ(io_uring_register_buffers_update_tag(&ring, 1, &iov, NULL, 1), 1);
	CHECK_EQ(rw_fixed(&ring, true, fd, mem, 4, 1), 4);
	io_uring_queue_exit(&ring);
	close(fd);
	free(mem);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "sparse_update", case_sparse_update, 0 },
		{ "tags_register", case_tags_register, 0 },
		{ "inflight", case_inflight, 0 },
		{ "null_array", case_null_array, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
