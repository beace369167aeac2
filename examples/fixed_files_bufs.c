/* SPDX-License-Identifier: MIT */
/*
 * fixed_files_bufs: registered files and registered buffers.
 *
 * Registering a file saves the descriptor lookup of every request (the
 * SQE names a slot, with IOSQE_FIXED_FILE); registering buffers pins them
 * once instead of for every request (READ_FIXED and WRITE_FIXED name a
 * buffer by its index). This writes a pattern to a temporary file from one
 * registered buffer, reads it back into another, and checks it.
 */
#include <aioring.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE	65536
#define FILE_SLOT	0
#define WBUF		0
#define RBUF		1

static int run_one(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret;

	io_uring_submit(ring);
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

int main(void)
{
	char path[] = "/tmp/aioring-fixed.XXXXXX";
	struct iovec iov[2];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int fd, ret, i;

	fd = mkstemp(path);
	if (fd < 0 || io_uring_queue_init(8, &ring, 0) < 0) {
		perror("fixed_files_bufs: setup");
		return 1;
	}
	unlink(path);
	for (i = 0; i < 2; i++) {
		iov[i].iov_base = aligned_alloc(4096, BUF_SIZE);
		iov[i].iov_len = BUF_SIZE;
		if (!iov[i].iov_base)
			return 1;
	}
	for (i = 0; i < BUF_SIZE; i++)
		((unsigned char *)iov[WBUF].iov_base)[i] = (unsigned char)(i * 7);
	memset(iov[RBUF].iov_base, 0, BUF_SIZE);

	/* The file goes in slot 0; requests then name the slot, not fd. */
	ret = io_uring_register_files(&ring, &fd, 1);
	if (!ret)
		ret = io_uring_register_buffers(&ring, iov, 2);
	if (ret) {
		fprintf(stderr, "fixed_files_bufs: register: %s\n", strerror(-ret));
		return 1;
	}

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write_fixed(sqe, FILE_SLOT, iov[WBUF].iov_base, BUF_SIZE,
				  0, WBUF);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	ret = run_one(&ring);
	if (ret != BUF_SIZE) {
		fprintf(stderr, "fixed_files_bufs: write_fixed: %d\n", ret);
		return 1;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_read_fixed(sqe, FILE_SLOT, iov[RBUF].iov_base, BUF_SIZE,
				 0, RBUF);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	ret = run_one(&ring);
	if (ret != BUF_SIZE || memcmp(iov[RBUF].iov_base, iov[WBUF].iov_base, BUF_SIZE)) {
		fprintf(stderr, "fixed_files_bufs: read_fixed: %d or bad data\n", ret);
		return 1;
	}
	printf("fixed_files_bufs: %d bytes through registered file slot %d and "
	       "buffers %d/%d on the %s backend\n", BUF_SIZE, FILE_SLOT, WBUF, RBUF,
	       aioring_backend_name(aioring_backend(&ring)));
	io_uring_unregister_buffers(&ring);
	io_uring_unregister_files(&ring);
	io_uring_queue_exit(&ring);
	close(fd);
	free(iov[0].iov_base);
	free(iov[1].iov_base);
	return 0;
}
