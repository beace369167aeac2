/* SPDX-License-Identifier: MIT */
/*
 * sqpoll: a ring whose submission queue is polled by a thread of the
 * backend (IORING_SETUP_SQPOLL), so that submitting takes no system call
 * while that thread is awake.
 *
 * io_uring_submit() only enters the kernel (or the engine) when the poller
 * went to sleep after sq_thread_idle ms without work and set
 * IORING_SQ_NEED_WAKEUP; this counts how often that happened over a few
 * hundred NOPs submitted in bursts.
 */
#include <aioring.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BURSTS	50
#define BURST	8

int main(void)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned wakeups = 0, done = 0;
	int ret, b, i;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 100;		/* ms before the poller sleeps */
	ret = io_uring_queue_init_params(16, &ring, &p);
	if (ret < 0) {
		fprintf(stderr, "sqpoll: io_uring_queue_init_params: %s\n",
			strerror(-ret));
		return 1;
	}
	for (b = 0; b < BURSTS; b++) {
		for (i = 0; i < BURST; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, (__u64)(b * BURST + i));
		}
		/* The same test io_uring_submit() makes before it enters. */
		if (IO_URING_READ_ONCE(*ring.sq.kflags) & IORING_SQ_NEED_WAKEUP)
			wakeups++;
		io_uring_submit(&ring);
		for (i = 0; i < BURST; i++) {
			ret = io_uring_wait_cqe(&ring, &cqe);
			if (ret < 0 || cqe->res != 0) {
				fprintf(stderr, "sqpoll: completion %u: %d\n", done,
					ret < 0 ? ret : cqe->res);
				return 1;
			}
			io_uring_cqe_seen(&ring, cqe);
			done++;
		}
	}
	printf("sqpoll: %u NOPs on the %s backend; the poller needed %u wakeups "
	       "for %d bursts\n", done, aioring_backend_name(aioring_backend(&ring)),
	       wakeups, BURSTS);
	io_uring_queue_exit(&ring);
	return 0;
}
