/* SPDX-License-Identifier: MIT */
/*
 * Registered buffers: io_uring_register_buffers, READ_FIXED and
 * WRITE_FIXED inside them, and -EFAULT for anything outside them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define BUF_SZ 4096

struct fixture {
	struct io_uring ring;
	char *mem;		/* two registered buffers, back to back */
	struct iovec iov[2];
	int fd;
};

static void setup(struct fixture *f, bool reg)
{
	f->mem = aligned_alloc(4096, 3 * BUF_SZ);
	CHECK(f->mem);
	memset(f->mem, 0, 3 * BUF_SZ);
	/* A gap page between the buffers, so "just past buffer 0" is not
	 * inside buffer 1. */
	f->iov[0] = (struct iovec){ f->mem, BUF_SZ };
	f->iov[1] = (struct iovec){ f->mem + 2 * BUF_SZ, BUF_SZ };
	f->fd = t_tmpfd();
	t_ring(&f->ring, 8, NULL);
	if (reg)
		CHECK_EQ(io_uring_register_buffers(&f->ring, f->iov, 2), 0);
}

static void teardown(struct fixture *f)
{
	io_uring_queue_exit(&f->ring);
	close(f->fd);
	free(f->mem);
}

static int run_fixed(struct fixture *f, bool write, void *addr, unsigned len,
		     __u64 off, int idx)
{
	struct io_uring_sqe *sqe = t_sqe(&f->ring);
	struct io_uring_cqe *cqe;
	int res;

	if (write)
		io_uring_prep_write_fixed(sqe, f->fd, addr, len, off, idx);
	else
		io_uring_prep_read_fixed(sqe, f->fd, addr, len, off, idx);
	sqe->user_data = 9;
	t_submit(&f->ring, 1);
	cqe = t_wait(&f->ring, 5000);
	CHECK_EQ(cqe->user_data, 9);
	res = cqe->res;
	io_uring_cqe_seen(&f->ring, cqe);
	return res;
}

static void case_round_trip(void)
{
	struct fixture f;
	char *b0, *b1;
	unsigned i;

	setup(&f, true);
	b0 = f.iov[0].iov_base;
	b1 = f.iov[1].iov_base;
	for (i = 0; i < BUF_SZ; i++)
		b0[i] = (char)(i * 13 + 1);
	CHECK_EQ(run_fixed(&f, true, b0, BUF_SZ, 0, 0), BUF_SZ);
	CHECK_EQ(run_fixed(&f, false, b1, BUF_SZ, 0, 1), BUF_SZ);
	CHECK(!memcmp(b0, b1, BUF_SZ));
	/* A sub-range inside a buffer, at an offset in the file. */
	memset(b1, 0, BUF_SZ);
	CHECK_EQ(run_fixed(&f, true, b0 + 100, 200, 5000, 0), 200);
	CHECK_EQ(run_fixed(&f, false, b1 + 3000, 300, 4900, 1), 300);
	CHECK(!memcmp(b1 + 3100, b0 + 100, 200));
	/* The last byte of a buffer is inside it. */
	CHECK_EQ(run_fixed(&f, false, b1 + BUF_SZ - 1, 1, 0, 1), 1);
	CHECK_EQ(b1[BUF_SZ - 1], b0[0]);
	/* Short read at the end of the file. */
	CHECK_EQ(run_fixed(&f, false, b1, BUF_SZ, 5100, 1), 100);
	teardown(&f);
}

static void case_bad_ranges(void)
{
	struct fixture f;
	char *b0, *b1;

	setup(&f, true);
	b0 = f.iov[0].iov_base;
	b1 = f.iov[1].iov_base;
	CHECK_EQ(run_fixed(&f, false, b0, 100, 0, 2), -EFAULT);
	CHECK_EQ(run_fixed(&f, true, b0, 100, 0, 0xffff), -EFAULT);
	CHECK_EQ(run_fixed(&f, false, b0 + BUF_SZ - 50, 100, 0, 0), -EFAULT);
	CHECK_EQ(run_fixed(&f, false, b0 - 1, 10, 0, 0), -EFAULT);
	/* Buffer 1's address with index 0 is outside buffer 0. */
	CHECK_EQ(run_fixed(&f, false, b1, 10, 0, 0), -EFAULT);
	CHECK_EQ(run_fixed(&f, true, b0 + BUF_SZ, 1, 0, 0), -EFAULT);
	/* An empty range is inside a buffer even at its very end. */
	CHECK_EQ(run_fixed(&f, false, b0 + BUF_SZ, 0, 0, 0), 0);
	CHECK_EQ(run_fixed(&f, false, b0 + BUF_SZ + 1, 0, 0, 0), -EFAULT);
	/* The good request still works after the bad ones. */
	CHECK_EQ(run_fixed(&f, true, b1, 10, 0, 1), 10);
	teardown(&f);
}

static void case_no_buffers(void)
{
	struct fixture f;

	setup(&f, false);
	CHECK_EQ(run_fixed(&f, false, f.mem, 100, 0, 0), -EFAULT);
	CHECK_EQ(io_uring_unregister_buffers(&f.ring), -ENXIO);
	CHECK_EQ(io_uring_register_buffers(&f.ring, f.iov, 2), 0);
	CHECK_EQ(run_fixed(&f, true, f.mem, 100, 0, 0), 100);
	CHECK_EQ(io_uring_unregister_buffers(&f.ring), 0);
	CHECK_EQ(run_fixed(&f, false, f.mem, 100, 0, 0), -EFAULT);
	CHECK_EQ(io_uring_unregister_buffers(&f.ring), -ENXIO);
	teardown(&f);
}

static void case_register_errors(void)
{
	struct iovec null_base = { NULL, BUF_SZ };
	struct iovec zero_len;
	struct fixture f;

	setup(&f, false);
	zero_len = (struct iovec){ f.mem, 0 };
	CHECK_EQ(io_uring_register_buffers(&f.ring, f.iov, 0), -EINVAL);
	CHECK_EQ(io_uring_register_buffers(&f.ring, &null_base, 1), -EFAULT);
	CHECK_EQ(io_uring_register_buffers(&f.ring, &zero_len, 1), -EFAULT);
	CHECK_EQ(io_uring_register_buffers(&f.ring, f.iov, 2), 0);
	CHECK_EQ(io_uring_register_buffers(&f.ring, f.iov, 1), -EBUSY);
	teardown(&f);
}

/* The buffers are the registered memory, not a copy made at registration:
 * data written into them afterwards is what WRITE_FIXED sends. */
static void case_live_memory(void)
{
	struct fixture f;
	char got[16];

	setup(&f, true);
	memcpy(f.iov[0].iov_base, "after-register", 14);
	CHECK_EQ(run_fixed(&f, true, f.iov[0].iov_base, 14, 0, 0), 14);
	CHECK_EQ(pread(f.fd, got, 14, 0), 14);
	CHECK(!memcmp(got, "after-register", 14));
	teardown(&f);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "round_trip", case_round_trip, 0 },
		{ "bad_ranges", case_bad_ranges, 0 },
		{ "no_buffers", case_no_buffers, 0 },
		{ "register_errors", case_register_errors, 0 },
		{ "live_memory", case_live_memory, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
