/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest aioring program that knows where it runs.
 *
 * It sets up a ring as any liburing program does, says which backend the
 * ring got and why (the kernel's io_uring, or aioring's engine where the
 * kernel denies io_uring), and writes its greeting through the ring.
 *
 *   ./hello                              # the kernel, where allowed
 *   aioring jail -- ./hello              # io_uring denied: the engine
 *   AIORING_BACKEND=user ./hello         # the engine, by choice
 */
#include <aioring.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	char msg[512];
	int ret;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret < 0) {
		/* Only in AIORING_BACKEND=kernel mode, or a real error. */
		fprintf(stderr, "hello: io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}
	snprintf(msg, sizeof(msg), "hello from the %s backend (%s)\n",
		 aioring_backend_name(aioring_backend(&ring)),
		 aioring_backend_reason(&ring));

	io_uring_prep_write(io_uring_get_sqe(&ring), STDOUT_FILENO, msg,
			    (unsigned)strlen(msg), (__u64)-1);
	io_uring_submit(&ring);
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret == 0) {
		ret = cqe->res < 0 ? cqe->res : 0;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	if (ret < 0)
		fprintf(stderr, "hello: write: %s\n", strerror(-ret));
	return ret < 0;
}
