/* SPDX-License-Identifier: MIT */
/*
 * link_timeout: a deadline for one request.
 *
 * IORING_OP_LINK_TIMEOUT, linked after a request with IOSQE_IO_LINK,
 * cancels that request if it has not completed in time. Here a read from
 * an empty pipe gets 50 ms: it completes with -ECANCELED and the timeout
 * with -ETIME. Then a read from a pipe that has data beats its timeout:
 * the read returns the bytes and the timeout completes with -ECANCELED.
 */
#include <aioring.h>
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { READ_UD = 1, TIMEOUT_UD = 2 };

/* Queues a read of @fd bounded by @ms, waits for both CQEs; returns the
 * read's and the timeout's results in @res. */
static int read_with_deadline(struct io_uring *ring, int fd, char *buf,
			      unsigned len, long ms, int res[2])
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int i, ret;

	sqe = io_uring_get_sqe(ring);
	io_uring_prep_read(sqe, fd, buf, len, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK);
	io_uring_sqe_set_data64(sqe, READ_UD);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_link_timeout(sqe, &ts, 0);
	io_uring_sqe_set_data64(sqe, TIMEOUT_UD);
	io_uring_submit(ring);
	for (i = 0; i < 2; i++) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret < 0)
			return ret;
		res[cqe->user_data == READ_UD ? 0 : 1] = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

int main(void)
{
	struct io_uring ring;
	char buf[64];
	int p[2], res[2];

	if (pipe(p) || io_uring_queue_init(8, &ring, 0) < 0) {
		perror("link_timeout: setup");
		return 1;
	}
	/* Nothing to read: the deadline wins. */
	if (read_with_deadline(&ring, p[0], buf, sizeof(buf), 50, res) ||
	    res[0] != -ECANCELED || res[1] != -ETIME) {
		fprintf(stderr, "link_timeout: empty pipe: read %d, timeout %d\n",
			res[0], res[1]);
		return 1;
	}
	printf("link_timeout: empty pipe: read %s, timeout %s\n",
	       strerror(-res[0]), strerror(-res[1]));

	/* Data waiting: the read wins. */
	if (write(p[1], "ping", 4) != 4 ||
	    read_with_deadline(&ring, p[0], buf, sizeof(buf), 1000, res) ||
	    res[0] != 4 || res[1] != -ECANCELED) {
		fprintf(stderr, "link_timeout: pipe with data: read %d, timeout %d\n",
			res[0], res[1]);
		return 1;
	}
	printf("link_timeout: pipe with data: read %d bytes, timeout %s (%s backend)\n",
	       res[0], strerror(-res[1]), aioring_backend_name(aioring_backend(&ring)));
	io_uring_queue_exit(&ring);
	return 0;
}
