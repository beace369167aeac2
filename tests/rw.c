/* SPDX-License-Identifier: MIT */
/*
 * READ, WRITE, READV, WRITEV: data, offsets (-1 = the file position),
 * short reads, errors, pipes, and a punted request keeping its own file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

/* Submits what is queued, expecting @n submitted, and returns the res of
 * the CQE of @user_data (one CQE). */
static int run1(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_cqe *cqe;
	int res;

	t_submit(ring, 1);
	cqe = t_wait(ring, 10000);
	CHECK_EQ(cqe->user_data, user_data);
	CHECK_EQ(cqe->flags, 0);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static int do_read(struct io_uring *ring, int fd, void *buf, unsigned len, __u64 off)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_read(sqe, fd, buf, len, off);
	sqe->user_data = 0x1111;
	return run1(ring, 0x1111);
}

static int do_write(struct io_uring *ring, int fd, const void *buf, unsigned len,
		    __u64 off)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_write(sqe, fd, buf, len, off);
	sqe->user_data = 0x2222;
	return run1(ring, 0x2222);
}

static void fill(char *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 31 + i * 7 + (i >> 8));
}

static void case_write_read(void)
{
	static char out[8192], in[8192], zero[1000];
	struct io_uring ring;
	int fd = t_tmpfd();
	struct stat st;

	t_ring(&ring, 8, NULL);
	fill(out, sizeof(out), 1);
	CHECK_EQ(do_write(&ring, fd, out, sizeof(out), 0), 8192);
	CHECK_EQ(do_write(&ring, fd, out + 100, 500, 10000), 500);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 10500);
	CHECK_EQ(do_read(&ring, fd, in, sizeof(in), 0), 8192);
	CHECK(!memcmp(in, out, sizeof(out)));
	/* The hole reads as zeros, then the second write. */
	memset(in, 0xff, sizeof(in));
	CHECK_EQ(do_read(&ring, fd, in, 2308, 8192), 2308);
	CHECK(!memcmp(in, zero, 1000) && !memcmp(in + 1000, zero, 808));
	CHECK(!memcmp(in + 1808, out + 100, 500));
	/* Explicit offsets leave the file position alone. */
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
	io_uring_queue_exit(&ring);
}

static void case_vectored(void)
{
	static char a[100], b[1], c[4000], in[4101], r1[50], r2[4051];
	struct iovec wv[3] = { { a, sizeof(a) }, { b, 1 }, { c, sizeof(c) } };
	struct iovec rv[2] = { { r1, sizeof(r1) }, { r2, sizeof(r2) } };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd = t_tmpfd();

	fill(a, sizeof(a), 2);
	b[0] = 'B';
	fill(c, sizeof(c), 3);
	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_writev(sqe, fd, wv, 3, 7);
	sqe->user_data = 1;
	CHECK_EQ(run1(&ring, 1), 4101);
	CHECK_EQ(pread(fd, in, sizeof(in), 7), 4101);
	CHECK(!memcmp(in, a, 100) && in[100] == 'B' && !memcmp(in + 101, c, 4000));
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, rv, 2, 7);
	sqe->user_data = 2;
	CHECK_EQ(run1(&ring, 2), 4101);
	CHECK(!memcmp(r1, in, 50) && !memcmp(r2, in + 50, 4051));
	/* An empty vector transfers nothing. */
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, rv, 0, 0);
	sqe->user_data = 3;
	CHECK_EQ(run1(&ring, 3), 0);
	io_uring_queue_exit(&ring);
}

/* Offset -1 reads and writes at the file position and moves it
 * (FEAT_RW_CUR_POS). */
static void case_cur_pos(void)
{
	struct io_uring ring;
	char buf[64];
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	CHECK_EQ(do_write(&ring, fd, "hello world", 11, -1), 11);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);
	CHECK_EQ(do_write(&ring, fd, "HELLO", 5, -1), 5);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 16);
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(do_read(&ring, fd, buf, 4, -1), 4);
	CHECK(!memcmp(buf, "llo ", 4));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
	CHECK_EQ(do_read(&ring, fd, buf, 40, -1), 10);
	CHECK(!memcmp(buf, "worldHELLO", 10));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 16);
	CHECK_EQ(do_read(&ring, fd, buf, 40, 3), 13);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 16);
	CHECK_EQ(do_read(&ring, fd, buf, 40, -1), 0);
	io_uring_queue_exit(&ring);
}

static void case_short_read(void)
{
	static char data[100], buf[4096];
	struct io_uring ring;
	int fd = t_tmpfd();

	fill(data, sizeof(data), 4);
	CHECK_EQ(pwrite(fd, data, sizeof(data), 0), 100);
	t_ring(&ring, 8, NULL);
	CHECK_EQ(do_read(&ring, fd, buf, sizeof(buf), 50), 50);
	CHECK(!memcmp(buf, data + 50, 50));
	CHECK_EQ(do_read(&ring, fd, buf, sizeof(buf), 100), 0);
	CHECK_EQ(do_read(&ring, fd, buf, sizeof(buf), 1ull << 62), 0);
	CHECK_EQ(do_read(&ring, fd, buf, 0, 0), 0);
	io_uring_queue_exit(&ring);
}

/* Errors found when the request runs: each gets its CQE, and the
 * submission goes on past them. */
static void case_errors(void)
{
	static char buf[64];
	struct io_uring ring;
	struct t_rec rec;
	int dir, ro, wo, closed, fd = t_tmpfd();
	struct {
		int op, fd, res;
		void *buf;
		__u64 off;
	} t[] = {
		{ IORING_OP_READ, -1, -EBADF, buf, 0 },
		{ IORING_OP_READ, 0, -EBADF, buf, 0 },	/* closed: set below */
		{ IORING_OP_WRITE, 0, -EBADF, buf, 0 },	/* directory */
		{ IORING_OP_READ, 0, -EISDIR, buf, 0 },	/* directory */
		{ IORING_OP_WRITE, 0, -EBADF, buf, 0 },	/* read-only */
		{ IORING_OP_READ, 0, -EBADF, buf, 0 },	/* write-only */
		{ IORING_OP_READ, 0, -EFAULT, (void *)8, 0 },
		{ IORING_OP_WRITE, 0, -EFAULT, (void *)8, 0 },
		{ IORING_OP_READ, 0, -EINVAL, buf, (__u64)-2 },
	};
	unsigned i, n = sizeof(t) / sizeof(t[0]);

	t_ring(&ring, 16, NULL);
	dir = open(t_tmpdir(), O_RDONLY | O_DIRECTORY);
	ro = open("/dev/zero", O_RDONLY);
	wo = open("/dev/null", O_WRONLY);
	closed = dup(0);
	CHECK(dir >= 0 && ro >= 0 && wo >= 0 && closed >= 0);
	close(closed);
	t[1].fd = closed;
	t[2].fd = t[3].fd = dir;
	t[4].fd = ro;
	t[5].fd = wo;
	t[6].fd = t[7].fd = t[8].fd = fd;
	CHECK_EQ(pwrite(fd, "0123456789", 10, 0), 10);
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_rw(t[i].op, sqe, t[i].fd, t[i].buf, 16, t[i].off);
		sqe->user_data = i;
	}
	CHECK_EQ(io_uring_submit(&ring), (int)n);
	t_rec_init(&rec);
	t_rec_reap(&rec, &ring, n, 10000);
	for (i = 0; i < n; i++) {
		const struct t_cqe *c = t_rec_find(&rec, i);

		CHECK_MSG(c && c->res == t[i].res, "request %u: res %d, want %d", i,
			  c ? c->res : 1, t[i].res);
	}
	t_rec_free(&rec);
	io_uring_queue_exit(&ring);
}

/* Errors found in prep fail the SQE and end the submission. */
static void case_prep_errors(void)
{
	static char buf[16];
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, &iov, 1025, 0);	/* > UIO_MAXIOV */
	sqe->user_data = 1;
	io_uring_prep_nop(t_sqe(&ring));
	CHECK_EQ(io_uring_submit(&ring), 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->user_data, 1);
	CHECK_EQ(cqe->res, -EINVAL);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(io_uring_submit(&ring), 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 0);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

/* A bad iovec array pointer: the kernel answers -EFAULT in prep. */
static void case_bad_iovec_ptr(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd = t_tmpfd();

	t_ring(&ring, 8, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, (const struct iovec *)8, 1, 0);
	sqe->user_data = 1;
	io_uring_prep_nop(t_sqe(&ring));
	CHECK_EQ(io_uring_submit(&ring), 1);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, -EFAULT);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

static void case_pipe(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	char buf[32];
	int p[2];

	CHECK_EQ(pipe(p), 0);
	t_ring(&ring, 8, NULL);
	io_uring_prep_read(t_sqe(&ring), p[0], buf, sizeof(buf), 0);
	t_submit(&ring, 1);
	usleep(50000);
	CHECK_EQ(io_uring_cq_ready(&ring), 0);
	CHECK_EQ(write(p[1], "pipe data", 9), 9);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 9);
	CHECK(!memcmp(buf, "pipe data", 9));
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(do_write(&ring, p[1], "back", 4, 0), 4);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 4);
	CHECK_EQ(do_read(&ring, p[1], buf, 4, 0), -EBADF);
	CHECK_EQ(do_write(&ring, p[0], buf, 4, 0), -EBADF);
	close(p[1]);
	CHECK_EQ(do_read(&ring, p[0], buf, 4, 0), 0);	/* EOF */
	io_uring_queue_exit(&ring);
}

/*
 * A request waiting on a pipe owns the pipe: closing the fd and reusing
 * the number for another file must not redirect the read.
 */
static void case_fd_reuse_read(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	char buf[32] = { 0 }, check[8];
	int p[2], nfd;

	CHECK_EQ(pipe(p), 0);
	t_ring(&ring, 8, NULL);
	io_uring_prep_read(t_sqe(&ring), p[0], buf, sizeof(buf), 0);
	t_submit(&ring, 1);
	usleep(50000);
	CHECK_EQ(close(p[0]), 0);
	nfd = t_tmpfd();
	CHECK_MSG(nfd == p[0], "fd %d not reused (got %d)", p[0], nfd);
	CHECK_EQ(pwrite(nfd, "FILEDATA", 8, 0), 8);
	CHECK_EQ(write(p[1], "PIPEDATA", 8), 8);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 8);
	CHECK(!memcmp(buf, "PIPEDATA", 8));
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(lseek(nfd, 0, SEEK_CUR), 0);
	CHECK_EQ(pread(nfd, check, 8, 0), 8);
	CHECK(!memcmp(check, "FILEDATA", 8));
	io_uring_queue_exit(&ring);
}

/* The same for a write blocked on a full pipe. */
static void case_fd_reuse_write(void)
{
	static char junk[65536], buf[65536];
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct stat st;
	int p[2], nfd, fl;
	size_t got = 0;
	ssize_t r;

	CHECK_EQ(pipe(p), 0);
	fl = fcntl(p[1], F_GETFL);
	CHECK_EQ(fcntl(p[1], F_SETFL, fl | O_NONBLOCK), 0);
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	CHECK_EQ(errno, EAGAIN);
	CHECK_EQ(fcntl(p[1], F_SETFL, fl), 0);
	t_ring(&ring, 8, NULL);
	io_uring_prep_write(t_sqe(&ring), p[1], "MARK", 4, 0);
	t_submit(&ring, 1);
	usleep(50000);
	CHECK_EQ(io_uring_cq_ready(&ring), 0);
	CHECK_EQ(close(p[1]), 0);
	nfd = t_tmpfd();
	CHECK_MSG(nfd == p[1], "fd %d not reused (got %d)", p[1], nfd);
	/* Drain the pipe until the writer (the request) lets go: EOF. */
	while ((r = read(p[0], buf, sizeof(buf))) > 0)
		got += (size_t)r;
	CHECK_EQ(r, 0);
	CHECK_EQ(memcmp(buf + ((got - 4) % sizeof(buf)), "MARK", 4), 0);
	cqe = t_wait(&ring, 5000);
	CHECK_EQ(cqe->res, 4);
	io_uring_cqe_seen(&ring, cqe);
	CHECK_EQ(fstat(nfd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	io_uring_queue_exit(&ring);
}

static void case_large(void)
{
	enum { LEN = 4 << 20 };
	char *out = malloc(LEN), *in = malloc(LEN);
	struct io_uring ring;
	int fd = t_tmpfd();

	CHECK(out && in);
	fill(out, LEN, 5);
	t_ring(&ring, 8, NULL);
	CHECK_EQ(do_write(&ring, fd, out, LEN, 4096), LEN);
	memset(in, 0, LEN);
	CHECK_EQ(do_read(&ring, fd, in, LEN, 4096), LEN);
	CHECK(!memcmp(in, out, LEN));
	io_uring_queue_exit(&ring);
	free(out);
	free(in);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "write_read", case_write_read, 0 },
		{ "vectored", case_vectored, 0 },
		{ "cur_pos", case_cur_pos, 0 },
		{ "short_read", case_short_read, 0 },
		{ "errors", case_errors, 0 },
		{ "prep_errors", case_prep_errors, 0 },
		{ "bad_iovec_ptr", case_bad_iovec_ptr, 0 },
		{ "pipe", case_pipe, 0 },
		{ "fd_reuse_read", case_fd_reuse_read, 0 },
		{ "fd_reuse_write", case_fd_reuse_write, 0 },
		{ "large", case_large, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
