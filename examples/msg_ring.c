/* SPDX-License-Identifier: MIT */
/*
 * msg_ring: two threads, each with its own ring, talking through
 * IORING_OP_MSG_RING.
 *
 * A MSG_RING request posts a CQE on another ring: its res and user_data are
 * the sender's choice. Each thread waits only on its own ring, so this is
 * how a thread-per-core server hands work to another core without a lock
 * or an eventfd. Here the main thread sends a number, the other thread
 * answers with the number plus one, ROUNDS times.
 */
#include <aioring.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ROUNDS		1000
#define MSG_UD		0x6d7367	/* "msg": the user_data of messages */

struct peer {
	struct io_uring ring;
	int other_fd;		/* the ring fd of the other thread */
	int err;
};

/* Sends @value to the ring behind @fd; the sender's own CQE is skipped. */
static void send_msg(struct io_uring *ring, int fd, int value)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_prep_msg_ring(sqe, fd, (unsigned)value, MSG_UD, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	io_uring_submit(ring);
}

/* Waits for the next message on @ring; returns its value, or -errno. */
static int recv_msg(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	int ret;

	for (;;) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret < 0)
			return ret;
		ret = cqe->res;
		if (cqe->user_data == MSG_UD) {
			io_uring_cqe_seen(ring, cqe);
			return ret;
		}
		/* A failed send of ours (success is skipped). */
		io_uring_cqe_seen(ring, cqe);
		if (ret < 0)
			return ret;
	}
}

static void *echo_thread(void *arg)
{
	struct peer *me = arg;
	int i, v;

	for (i = 0; i < ROUNDS; i++) {
		v = recv_msg(&me->ring);
		if (v < 0) {
			me->err = v;
			break;
		}
		send_msg(&me->ring, me->other_fd, v + 1);
	}
	return NULL;
}

int main(void)
{
	struct peer a = { 0 }, b = { 0 };
	pthread_t t;
	int i, v = 0;

	if (io_uring_queue_init(8, &a.ring, 0) < 0 ||
	    io_uring_queue_init(8, &b.ring, 0) < 0) {
		fprintf(stderr, "msg_ring: io_uring_queue_init failed\n");
		return 1;
	}
	a.other_fd = b.ring.ring_fd;
	b.other_fd = a.ring.ring_fd;
	if (pthread_create(&t, NULL, echo_thread, &b))
		return 1;
	for (i = 0; i < ROUNDS; i++) {
		send_msg(&a.ring, a.other_fd, v);
		v = recv_msg(&a.ring);
		if (v != 2 * i + 1) {
			fprintf(stderr, "msg_ring: round %d: got %d\n", i, v);
			return 1;
		}
		v++;
	}
	pthread_join(t, NULL);
	if (b.err) {
		fprintf(stderr, "msg_ring: the other thread: %s\n", strerror(-b.err));
		return 1;
	}
	printf("msg_ring: %d round trips between two threads' rings on the %s "
	       "backend, last value %d\n", ROUNDS,
	       aioring_backend_name(aioring_backend(&a.ring)), v);
	io_uring_queue_exit(&a.ring);
	io_uring_queue_exit(&b.ring);
	return 0;
}
