/* SPDX-License-Identifier: MIT */
/*
 * Provided buffers: PROVIDE_BUFFERS / REMOVE_BUFFERS groups, ring-mapped
 * groups (plain and incremental), IOSQE_BUFFER_SELECT reads from a pipe
 * and a file, the CQE's buffer id, -ENOBUFS, and the kernel's errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define BGID 7

static int one(struct io_uring *ring, uint32_t *flags)
{
	struct io_uring_cqe *cqe;
	int res;

	CHECK_EQ(io_uring_submit(ring), 1);
	cqe = t_wait(ring, 5000);
	res = cqe->res;
	if (flags)
		*flags = cqe->flags;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int provide(struct io_uring *ring, void *addr, int len, int nr,
		   int bgid, int bid)
{
	io_uring_prep_provide_buffers(t_sqe(ring), addr, len, nr, bgid, bid);
	return one(ring, NULL);
}

static int remove_bufs(struct io_uring *ring, int nr, int bgid)
{
	io_uring_prep_remove_buffers(t_sqe(ring), nr, bgid);
	return one(ring, NULL);
}

/* A READ that selects from @bgid; at most @len bytes (0: the buffer's). */
static int sel_read(struct io_uring *ring, int fd, unsigned len, uint64_t off,
		    int bgid, uint32_t *flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_read(sqe, fd, NULL, len, off);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = (__u16)bgid;
	return one(ring, flags);
}

static uint32_t bflags(unsigned bid)
{
	return IORING_CQE_F_BUFFER | (bid << IORING_CQE_BUFFER_SHIFT);
}

static void case_provide_pipe(void)
{
	struct io_uring ring;
	char mem[4][8];
	uint32_t flags;
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	memset(mem, 0, sizeof(mem));
	CHECK_EQ(provide(&ring, mem, 8, 4, BGID, 10), 0);
	/* First in, first out: bid 10 first. */
	CHECK_EQ(write(p[1], "abc", 3), 3);
	CHECK_EQ(sel_read(&ring, p[0], 8, 0, BGID, &flags), 3);
	CHECK_EQ(flags, bflags(10));
	CHECK(!memcmp(mem[0], "abc", 3));
	/* A length below the buffer's caps the read. */
	CHECK_EQ(write(p[1], "defghijk", 8), 8);
	CHECK_EQ(sel_read(&ring, p[0], 2, 0, BGID, &flags), 2);
	CHECK_EQ(flags, bflags(11));
	CHECK(!memcmp(mem[1], "de", 2));
	/* 0 means the buffer's length. */
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, BGID, &flags), 6);
	CHECK_EQ(flags, bflags(12));
	CHECK(!memcmp(mem[2], "fghijk", 6));
	CHECK_EQ(remove_bufs(&ring, 5, BGID), 1);
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, BGID, &flags), -ENOBUFS);
	CHECK_EQ(flags, 0);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

/* A read that waits for data holds no buffer until data comes. */
static void case_pipe_wait(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { 0, 20000000 };
	char mem[2][8];
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	CHECK_EQ(provide(&ring, mem, 8, 2, BGID, 0), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], NULL, 8, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	CHECK_EQ(write(p[1], "zz", 2), 2);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->res, 2);
	CHECK_EQ(cqe->flags, bflags(0));
	io_uring_cqe_seen(&ring, cqe);
	CHECK(!memcmp(mem[0], "zz", 2));
	CHECK_EQ(remove_bufs(&ring, 8, BGID), 1);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

static void case_file_reads(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct iovec iov[2] = { { NULL, 3 }, { NULL, 3 } };
	char mem[3][16];
	uint32_t flags;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(pwrite(fd, "0123456789", 10, 0), 10);
	CHECK_EQ(provide(&ring, mem, 16, 3, 1, 0), 0);
	CHECK_EQ(sel_read(&ring, fd, 4, 2, 1, &flags), 4);
	CHECK_EQ(flags, bflags(0));
	CHECK(!memcmp(mem[0], "2345", 4));
	/* READV: one iovec, whose length is the most to read. */
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, iov, 1, 5);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = 1;
	CHECK_EQ(one(&ring, &flags), 3);
	CHECK_EQ(flags, bflags(1));
	CHECK(!memcmp(mem[1], "567", 3));
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, iov, 2, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = 1;
	CHECK_EQ(one(&ring, &flags), -EINVAL);
	/* At the end of the file: 0 bytes, and the buffer is used up. */
	CHECK_EQ(sel_read(&ring, fd, 0, 10, 1, &flags), 0);
	CHECK_EQ(flags, bflags(2));
	CHECK_EQ(sel_read(&ring, fd, 0, 0, 1, &flags), -ENOBUFS);
	io_uring_queue_exit(&ring);
	close(fd);
}

/* A read that fails after choosing its buffer still reports it. */
static void case_error_recycles(void)
{
	struct io_uring ring;
	char mem[2][8];
	uint32_t flags;
	int dfd = open(t_tmpdir(), O_RDONLY | O_DIRECTORY), fd = t_tmpfd();

	CHECK(dfd >= 0);
	t_ring(&ring, 8, NULL);
	CHECK_EQ(pwrite(fd, "q", 1, 0), 1);
	CHECK_EQ(provide(&ring, mem, 8, 2, BGID, 4), 0);
	CHECK_EQ(sel_read(&ring, dfd, 8, 0, BGID, &flags), -EISDIR);
	CHECK_EQ(flags, bflags(4));
	CHECK_EQ(sel_read(&ring, fd, 8, 0, BGID, &flags), 1);
	CHECK_EQ(flags, bflags(5));
	io_uring_queue_exit(&ring);
	close(fd);
	close(dfd);
}

static void case_errors(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char mem[8];
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(sel_read(&ring, fd, 8, 0, 99, NULL), -ENOBUFS);
	CHECK_EQ(provide(&ring, mem, 8, 0, 1, 0), -E2BIG);
	CHECK_EQ(provide(&ring, mem, 8, 65537, 1, 0), -E2BIG);
	CHECK_EQ(provide(&ring, mem, 0, 1, 1, 0), -EINVAL);
	CHECK_EQ(provide(&ring, mem, 8, 1, 1, 65536), -E2BIG);
	CHECK_EQ(provide(&ring, mem, 8, 2, 1, 65535), -EINVAL);
	CHECK_EQ(provide(&ring, (void *)(uintptr_t)0xffff800000000000ull, 8, 1, 1, 0),
		 -EFAULT);
	CHECK_EQ(provide(&ring, (void *)(uintptr_t)0xfffffffffffffff0ull, 8, 4, 1, 0),
		 -EOVERFLOW);
	CHECK_EQ(remove_bufs(&ring, 0, 1), -EINVAL);
	CHECK_EQ(remove_bufs(&ring, 1, 1), -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_remove_buffers(sqe, 1, 1);
	sqe->addr = 1;
	CHECK_EQ(one(&ring, NULL), -EINVAL);
	/* BUFFER_SELECT where the op takes none. */
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, fd, mem, 1, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	CHECK_EQ(one(&ring, NULL), -EOPNOTSUPP);
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	CHECK_EQ(one(&ring, NULL), -EOPNOTSUPP);
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, fd, mem, 1, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	CHECK_EQ(one(&ring, NULL), -EOPNOTSUPP);
	io_uring_queue_exit(&ring);
	close(fd);
}

static void case_ring(void)
{
	struct io_uring_buf_reg reg;
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	char *mem = calloc(2, 16), mem2[8];
	uint32_t flags;
	uint16_t head;
	int p[2], err;

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	br = io_uring_setup_buf_ring(&ring, 8, 3, 0, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	io_uring_buf_ring_add(br, mem, 16, 0, io_uring_buf_ring_mask(8), 0);
	io_uring_buf_ring_add(br, mem + 16, 16, 1, io_uring_buf_ring_mask(8), 1);
	io_uring_buf_ring_advance(br, 2);
	CHECK_EQ(io_uring_buf_ring_head(&ring, 3, &head), 0);
	CHECK_EQ(head, 0);
	CHECK_EQ(write(p[1], "hello", 5), 5);
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 3, &flags), 5);
	CHECK_EQ(flags, bflags(0));
	CHECK(!memcmp(mem, "hello", 5));
	CHECK_EQ(io_uring_buf_ring_head(&ring, 3, &head), 0);
	CHECK_EQ(head, 1);
	CHECK_EQ(write(p[1], "world", 5), 5);
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 3, &flags), 5);
	CHECK_EQ(flags, bflags(1));
	CHECK(!memcmp(mem + 16, "world", 5));
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 3, &flags), -ENOBUFS);
	/* A ring group takes no PROVIDE_BUFFERS, and no second ring. */
	CHECK_EQ(provide(&ring, mem2, 8, 1, 3, 0), -EINVAL);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t)br;
	reg.ring_entries = 8;
	reg.bgid = 3;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EEXIST);
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 8, 3), 0);
	CHECK_EQ(io_uring_unregister_buf_ring(&ring, 3), -ENOENT);
	CHECK_EQ(io_uring_buf_ring_head(&ring, 3, &head), -ENOENT);
	close(p[0]);
	close(p[1]);
	free(mem);
	io_uring_queue_exit(&ring);
}

static void case_ring_errors(void)
{
	struct io_uring_buf_reg reg;
	struct io_uring ring;
	uint16_t head;
	void *mem = aligned_alloc(4096, 4096);
	char bufs[8];

	t_ring(&ring, 8, NULL);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t)mem;
	reg.ring_entries = 6;
	reg.bgid = 1;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EINVAL);
	reg.ring_entries = 65536;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EINVAL);
	reg.ring_entries = 8;
	reg.flags = 4;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EINVAL);
	reg.flags = 0;
	reg.resv[0] = 1;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EINVAL);
	reg.resv[0] = 0;
	reg.min_left = 1;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EINVAL);
	reg.min_left = 0;
	reg.ring_addr = 0;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EFAULT);
	reg.ring_addr = 4096;		/* never mapped */
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EFAULT);
	reg.ring_addr = (uintptr_t)mem + 8;
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EINVAL);
	reg.ring_addr = (uintptr_t)mem;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_PBUF_RING,
				   &reg, 2), -EINVAL);
	/* A legacy group with buffers in it cannot become a ring. */
	CHECK_EQ(provide(&ring, bufs, 8, 1, 1, 0), 0);
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), -EEXIST);
	CHECK_EQ(io_uring_buf_ring_head(&ring, 1, &head), -EINVAL);
	CHECK_EQ(io_uring_unregister_buf_ring(&ring, 1), -EINVAL);
	/* Emptied, it can. */
	CHECK_EQ(remove_bufs(&ring, 1, 1), 1);
	CHECK_EQ(io_uring_register_buf_ring(&ring, &reg, 0), 0);
	CHECK_EQ(io_uring_unregister_buf_ring(&ring, 1), 0);
	io_uring_queue_exit(&ring);
	free(mem);
}

/* IOU_PBUF_RING_INC: an entry is consumed by what each read used. */
static void case_ring_inc(void)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	char *mem = calloc(1, 16);
	uint32_t flags;
	int p[2], err, fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	CHECK_EQ(pwrite(fd, "12345", 5, 0), 5);
	br = io_uring_setup_buf_ring(&ring, 4, 2, IOU_PBUF_RING_INC, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	io_uring_buf_ring_add(br, mem, 16, 5, io_uring_buf_ring_mask(4), 0);
	io_uring_buf_ring_advance(br, 1);
	CHECK_EQ(write(p[1], "abcd", 4), 4);
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 2, &flags), 4);
	CHECK_EQ(flags, bflags(5) | IORING_CQE_F_BUF_MORE);
	CHECK_EQ(write(p[1], "efgh", 4), 4);
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 2, &flags), 4);
	CHECK_EQ(flags, bflags(5) | IORING_CQE_F_BUF_MORE);
	CHECK(!memcmp(mem, "abcdefgh", 8));
	CHECK_EQ(write(p[1], "ijklmnopQ", 9), 9);
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 2, &flags), 8);
	CHECK_EQ(flags, bflags(5));
	CHECK(!memcmp(mem, "abcdefghijklmnop", 16));
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 2, &flags), -ENOBUFS);
	/* A file, which cannot be waited on, takes what it asked for, as
	 * the kernel's does: a short read still uses the whole length. */
	io_uring_buf_ring_add(br, mem, 16, 6, io_uring_buf_ring_mask(4), 0);
	io_uring_buf_ring_advance(br, 1);
	CHECK_EQ(sel_read(&ring, fd, 0, 0, 2, &flags), 5);
	CHECK_EQ(flags, bflags(6));
	CHECK(!memcmp(mem, "12345", 5));
	io_uring_buf_ring_add(br, mem, 16, 7, io_uring_buf_ring_mask(4), 0);
	io_uring_buf_ring_advance(br, 1);
	CHECK_EQ(sel_read(&ring, fd, 4, 1, 2, &flags), 4);
	CHECK_EQ(flags, bflags(7) | IORING_CQE_F_BUF_MORE);
	CHECK(!memcmp(mem, "2345", 4));
	CHECK_EQ(sel_read(&ring, fd, 0, 5, 2, &flags), 0);
	CHECK_EQ(flags, bflags(7));	/* the rest of the entry is used up */
	CHECK(!memcmp(mem + 4, "5f", 2));	/* with nothing read into it */
	CHECK_EQ(sel_read(&ring, fd, 0, 0, 2, &flags), -ENOBUFS);
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 4, 2), 0);
	close(fd);
	close(p[0]);
	close(p[1]);
	free(mem);
	io_uring_queue_exit(&ring);
}

/* IOSQE_ASYNC: the worker's paths, a file and a pipe, on a ring group: a
 * worker takes its buffer before it waits, as io-wq does. */
static void case_ring_async(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring_buf_ring *br;
	struct __kernel_timespec ts = { 0, 20000000 };
	char *mem = calloc(3, 8);
	uint16_t head;
	int p[2], err, fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	CHECK_EQ(pwrite(fd, "filedata", 8, 0), 8);
	br = io_uring_setup_buf_ring(&ring, 4, 4, 0, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	for (int i = 0; i < 3; i++)
		io_uring_buf_ring_add(br, mem + 8 * i, 8, (unsigned short)i,
				      io_uring_buf_ring_mask(4), i);
	io_uring_buf_ring_advance(br, 3);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT | IOSQE_ASYNC;
	sqe->buf_group = 4;
	cqe = NULL;
	CHECK_EQ(io_uring_submit(&ring), 1);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->res, 8);
	CHECK_EQ(cqe->flags, bflags(0));
	io_uring_cqe_seen(&ring, cqe);
	CHECK(!memcmp(mem, "filedata", 8));
	CHECK_EQ(io_uring_buf_ring_head(&ring, 4, &head), 0);
	CHECK_EQ(head, 1);
	/* A pipe with nothing in it. */
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT | IOSQE_ASYNC;
	sqe->buf_group = 4;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	CHECK_EQ(io_uring_buf_ring_head(&ring, 4, &head), 0);
	CHECK_EQ(head, 2);	/* buffer 1 taken while waiting */
	CHECK_EQ(write(p[1], "pp", 2), 2);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->res, 2);
	CHECK_EQ(cqe->flags, bflags(1));
	io_uring_cqe_seen(&ring, cqe);
	CHECK(!memcmp(mem + 8, "pp", 2));
	CHECK_EQ(io_uring_buf_ring_head(&ring, 4, &head), 0);
	CHECK_EQ(head, 2);
	/* Without ASYNC, a read that waits takes its buffer once data is in. */
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = 4;
	CHECK_EQ(io_uring_submit(&ring), 1);
	CHECK_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	CHECK_EQ(io_uring_buf_ring_head(&ring, 4, &head), 0);
	CHECK_EQ(head, 2);
	CHECK_EQ(write(p[1], "qq", 2), 2);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->res, 2);
	CHECK_EQ(cqe->flags, bflags(2));
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(io_uring_buf_ring_head(&ring, 4, &head), 0);
	CHECK_EQ(head, 3);
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 4, 4), 0);
	close(p[0]);
	close(p[1]);
	close(fd);
	free(mem);
	io_uring_queue_exit(&ring);
}

/* Many reads at once, inline and in workers: each buffer goes to one. */
static void case_ring_many(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_buf_ring *br;
	struct t_rec rec;
	char *mem = calloc(16, 8);
	unsigned i, seen = 0;
	int err, fd = t_tmpfd();

	t_ring(&ring, 32, NULL);
	CHECK_EQ(pwrite(fd, "abcdefgh", 8, 0), 8);
	br = io_uring_setup_buf_ring(&ring, 16, 9, 0, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	for (i = 0; i < 16; i++)
		io_uring_buf_ring_add(br, mem + 8 * i, 8, (unsigned short)i,
				      io_uring_buf_ring_mask(16), (int)i);
	io_uring_buf_ring_advance(br, 16);
	for (i = 0; i < 17; i++) {
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, fd, NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT | (i & 1 ? IOSQE_ASYNC : 0);
		sqe->buf_group = 9;
		sqe->user_data = i;
	}
	CHECK_EQ(io_uring_submit(&ring), 17);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, 17, 5000);
	for (i = 0; i < rec.n; i++) {
		unsigned bid;

		if (rec.v[i].res == -ENOBUFS) {
			CHECK_EQ(rec.v[i].flags, 0);
			continue;
		}
		CHECK_EQ(rec.v[i].res, 8);
		CHECK(rec.v[i].flags & IORING_CQE_F_BUFFER);
		bid = rec.v[i].flags >> IORING_CQE_BUFFER_SHIFT;
		CHECK(bid < 16);
		CHECK(!(seen & (1u << bid)));
		seen |= 1u << bid;
		CHECK(!memcmp(mem + 8 * bid, "abcdefgh", 8));
	}
	CHECK_EQ(seen, 0xffff);
	t_rec_free(&rec);
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 16, 9), 0);
	close(fd);
	free(mem);
	io_uring_queue_exit(&ring);
}

/* IOU_PBUF_RING_MMAP: the ring's memory comes from the ring fd. */
static void case_ring_mmap(void)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	char mem[8];
	uint32_t flags;
	int p[2], err;

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	br = io_uring_setup_buf_ring(&ring, 8, 5, IOU_PBUF_RING_MMAP, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	io_uring_buf_ring_add(br, mem, 8, 3, io_uring_buf_ring_mask(8), 0);
	io_uring_buf_ring_advance(br, 1);
	CHECK_EQ(write(p[1], "mm", 2), 2);
	CHECK_EQ(sel_read(&ring, p[0], 0, 0, 5, &flags), 2);
	CHECK_EQ(flags, bflags(3));
	CHECK(!memcmp(mem, "mm", 2));
	CHECK_EQ(io_uring_free_buf_ring(&ring, br, 8, 5), 0);
	/* A second one, left registered at teardown. */
	br = io_uring_setup_buf_ring(&ring, 4, 6, IOU_PBUF_RING_MMAP, &err);
	CHECK_MSG(br, "setup_buf_ring: %d", err);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

/* The ring goes away with a read still waiting on a selected group. */
static void case_teardown(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char mem[8];
	int p[2];

	t_ring(&ring, 8, NULL);
	CHECK(!pipe(p));
	CHECK_EQ(provide(&ring, mem, 8, 1, BGID, 0), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, p[0], NULL, 8, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	CHECK_EQ(io_uring_submit(&ring), 1);
	usleep(10000);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "provide_pipe", case_provide_pipe, 0 },
		{ "pipe_wait", case_pipe_wait, 0 },
		{ "file_reads", case_file_reads, 0 },
		{ "error_recycles", case_error_recycles, 0 },
		{ "errors", case_errors, 0 },
		{ "ring", case_ring, 0 },
		{ "ring_errors", case_ring_errors, 0 },
		{ "ring_inc", case_ring_inc, 0 },
		{ "ring_async", case_ring_async, 0 },
		{ "ring_mmap", case_ring_mmap, 0 },
		{ "ring_many", case_ring_many, 0 },
		{ "teardown", case_teardown, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
