/* SPDX-License-Identifier: MIT */
/*
 * A program of the distribution's world: compiled against Debian's own
 * <liburing.h> (2.3) and linked with -luring, never with aioring's headers.
 * Run as is, it uses Debian's liburing on the kernel; run with
 * LD_LIBRARY_PATH at aioring's build, it gets aioring's liburing.so.2 and
 * must work unchanged, on whichever backend that picks (the engine inside
 * `aioring jail`).
 *
 * It does a real job through the 2.3 API and its inline helpers: writes a
 * temp file, reads it back with readv, checks the bytes, runs a NOP batch.
 * The last line says which library and backend served it:
 *   dropin: ok backend=user|kernel|debian-liburing
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define LEN (64 * 1024)
#define NOPS 16

static int fail(const char *what, int err)
{
	fprintf(stderr, "dropin: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int tmpfile_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/aioring-dropin.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* Submits what is queued and waits for one CQE; returns its res. */
static int run_one(struct io_uring *ring, unsigned long long want_ud)
{
	struct io_uring_cqe *cqe;
	int ret = io_uring_submit_and_wait(ring, 1);

	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return ret;
	ret = cqe->user_data == want_ud ? cqe->res : -EBADMSG;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

static int file_job(struct io_uring *ring, int fd)
{
	static char out[LEN], in1[1000], in2[LEN - 1000];
	struct iovec iov[2] = { { in1, sizeof(in1) }, { in2, sizeof(in2) } };
	struct io_uring_sqe *sqe;
	int i, ret;

	for (i = 0; i < LEN; i++)
		out[i] = (char)(i * 7 + (i >> 9));
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_write(sqe, fd, out, LEN, 0);
	io_uring_sqe_set_data64(sqe, 1);
	ret = run_one(ring, 1);
	if (ret != LEN)
		return fail("write", ret < 0 ? ret : EIO);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_readv(sqe, fd, iov, 2, 0);
	io_uring_sqe_set_data64(sqe, 2);
	ret = run_one(ring, 2);
	if (ret != LEN)
		return fail("readv", ret < 0 ? ret : EIO);
	if (memcmp(in1, out, sizeof(in1)) || memcmp(in2, out + sizeof(in1), sizeof(in2)))
		return fail("readv data", EBADMSG);
	return 0;
}

/* A NOP batch, reaped with the library's io_uring_peek_batch_cqe and the
 * inline io_uring_cq_advance. */
static int nop_job(struct io_uring *ring)
{
	struct io_uring_cqe *cqes[NOPS];
	unsigned seen = 0, i, n, mask = 0;

	for (i = 0; i < NOPS; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 100 + i);
	}
	if (io_uring_submit_and_wait(ring, NOPS) != NOPS)
		return fail("nop submit", EIO);
	while (seen < NOPS) {
		n = io_uring_peek_batch_cqe(ring, cqes, NOPS);
		if (!n)
			return fail("nop reap", EAGAIN);
		for (i = 0; i < n; i++) {
			unsigned long long ud = cqes[i]->user_data;

			if (ud < 100 || ud >= 100 + NOPS || cqes[i]->res)
				return fail("nop cqe", EBADMSG);
			mask |= 1u << (ud - 100);
		}
		io_uring_cq_advance(ring, n);
		seen += n;
	}
	return mask == (1u << NOPS) - 1 ? 0 : fail("nop set", EBADMSG);
}

/* aioring_backend_fd exists only when aioring's liburing.so.2 is loaded. */
static const char *backend_name(int ring_fd)
{
	int (*backend_fd)(int) = (int (*)(int))dlsym(RTLD_DEFAULT, "aioring_backend_fd");

	if (!backend_fd)
		return "debian-liburing";
	switch (backend_fd(ring_fd)) {
	case 1:
		return "kernel";
	case 2:
		return "user";
	default:
		return "unknown";
	}
}

int main(void)
{
	struct io_uring ring;
	int fd, ret;

	ret = io_uring_queue_init(16, &ring, 0);
	if (ret)
		return fail("io_uring_queue_init", ret);
	fd = tmpfile_fd();
	if (fd < 0)
		return fail("mkstemp", errno);
	if (file_job(&ring, fd) || nop_job(&ring))
		return 1;
	printf("dropin: ok backend=%s\n", backend_name(ring.ring_fd));
	close(fd);
	io_uring_queue_exit(&ring);
	return 0;
}
