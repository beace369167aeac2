/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_MSG_RING: data messages (with FLAGS_PASS), to the ring itself,
 * between rings on different threads, fixed files sent between rings, the
 * synchronous form, and the kernel's errors.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

/* Submits what is queued on @ring and returns the CQE of @user_data,
 * which must be the next one. */
static int result_of(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_cqe *cqe;
	int res;

	CHECK(io_uring_submit(ring) >= 1);
	cqe = t_wait(ring, 2000);
	CHECK_EQ(cqe->user_data, user_data);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void expect_cqe(struct io_uring *ring, uint64_t user_data, int res,
		       unsigned flags)
{
	struct io_uring_cqe *cqe = t_wait(ring, 2000);

	CHECK_EQ(cqe->user_data, user_data);
	CHECK_EQ(cqe->res, res);
	CHECK_EQ(cqe->flags, flags);
	io_uring_cqe_seen(ring, cqe);
}

static struct io_uring_sqe *msg(struct io_uring *ring, int fd, unsigned len,
				uint64_t data, unsigned flags, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_msg_ring(sqe, fd, len, data, flags);
	sqe->user_data = ud;
	return sqe;
}

static void case_data(void)
{
	struct io_uring a, b;
	struct io_uring_sqe *sqe;

	t_ring(&a, 4, NULL);
	t_ring(&b, 4, NULL);
	msg(&a, b.ring_fd, 0x55, 0x66, 0, 1);
	CHECK_EQ(result_of(&a, 1), 0);
	expect_cqe(&b, 0x66, 0x55, 0);
	/* FLAGS_PASS: sqe->file_index becomes the CQE's flags */
	sqe = t_sqe(&a);
	io_uring_prep_msg_ring_cqe_flags(sqe, b.ring_fd, 7, 0x77, 0, 0x1234);
	sqe->user_data = 2;
	CHECK_EQ(result_of(&a, 2), 0);
	expect_cqe(&b, 0x77, 7, 0x1234);
	t_expect_none(&a, 0);
	t_expect_none(&b, 0);
	io_uring_queue_exit(&a);
	io_uring_queue_exit(&b);
}

/* To itself: the message's CQE comes before the sender's. */
static void case_self(void)
{
	struct io_uring a;

	t_ring(&a, 4, NULL);
	msg(&a, a.ring_fd, 0x55, 0x66, 0, 8);
	CHECK_EQ(io_uring_submit_and_wait(&a, 2), 1);
	expect_cqe(&a, 0x66, 0x55, 0);
	expect_cqe(&a, 8, 0, 0);
	io_uring_queue_exit(&a);
}

static void case_errors(void)
{
	struct io_uring a, b, off;
	struct io_uring_params p;
	struct io_uring_sqe *sqe;
	int pfd[2];

	t_ring(&a, 8, NULL);
	t_ring(&b, 8, NULL);
	CHECK_EQ(pipe(pfd), 0);
	msg(&a, pfd[0], 1, 2, 0, 1);
	CHECK_EQ(result_of(&a, 1), -EBADFD);	/* not a ring */
	msg(&a, 999, 1, 2, 0, 2);
	CHECK_EQ(result_of(&a, 2), -EBADF);
	sqe = msg(&a, b.ring_fd, 1, 2, 0, 3);
	sqe->addr = 9;				/* no such command */
	CHECK_EQ(result_of(&a, 3), -EINVAL);
	sqe = msg(&a, b.ring_fd, 1, 2, 0, 4);
	sqe->msg_ring_flags = 0x80;
	CHECK_EQ(result_of(&a, 4), -EINVAL);
	/* CQE_SKIP is for SEND_FD: a data message must have its CQE */
	msg(&a, b.ring_fd, 1, 2, IORING_MSG_RING_CQE_SKIP, 5);
	CHECK_EQ(result_of(&a, 5), -EINVAL);
	sqe = msg(&a, b.ring_fd, 1, 2, 0, 6);
	sqe->file_index = 3;			/* flags without FLAGS_PASS */
	CHECK_EQ(result_of(&a, 6), -EINVAL);
	sqe = msg(&a, b.ring_fd, 1, 2, 0, 7);
	sqe->addr3 = 1;				/* a source fd for data */
	CHECK_EQ(result_of(&a, 7), -EINVAL);
	sqe = msg(&a, b.ring_fd, 1, 2, 0, 8);
	sqe->buf_index = 1;
	CHECK_EQ(result_of(&a, 8), -EINVAL);
	t_expect_none(&b, 0);
	/* a disabled ring takes no messages */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_R_DISABLED;
	t_ring(&off, 4, &p);
	msg(&a, off.ring_fd, 1, 2, 0, 9);
	CHECK_EQ(result_of(&a, 9), -EBADFD);
	CHECK_EQ(io_uring_enable_rings(&off), 0);
	msg(&a, off.ring_fd, 1, 2, 0, 10);
	CHECK_EQ(result_of(&a, 10), 0);
	expect_cqe(&off, 2, 1, 0);
	close(pfd[0]);
	close(pfd[1]);
	io_uring_queue_exit(&off);
	io_uring_queue_exit(&a);
	io_uring_queue_exit(&b);
}

#define NR_MSGS 2000

struct reader {
	struct io_uring ring;
	int bad;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_sec = 5 };
	unsigned i;

	for (i = 0; i < NR_MSGS; i++) {
		if (io_uring_wait_cqe_timeout(&r->ring, &cqe, &ts) ||
		    cqe->user_data != i || cqe->res != (int)(i ^ 0x5a)) {
			r->bad = 1;
			break;
		}
		io_uring_cqe_seen(&r->ring, cqe);
	}
	return NULL;
}

/* The target is waited on by another thread while messages arrive. */
static void case_threads(void)
{
	struct io_uring a;
	struct io_uring_params p;
	struct reader r = { .bad = 0 };
	pthread_t th;
	unsigned i, done = 0;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 4096;
	t_ring(&r.ring, 8, &p);
	t_ring(&a, 8, NULL);
	CHECK_EQ(pthread_create(&th, NULL, reader_main, &r), 0);
	for (i = 0; i < NR_MSGS; i++) {
		msg(&a, r.ring.ring_fd, i ^ 0x5a, i, 0, i);
		CHECK_EQ(io_uring_submit(&a), 1);
		done += io_uring_cq_ready(&a);
		io_uring_cq_advance(&a, io_uring_cq_ready(&a));
	}
	while (done < NR_MSGS) {
		struct io_uring_cqe *cqe = t_wait(&a, 2000);

		CHECK_EQ(cqe->res, 0);
		io_uring_cqe_seen(&a, cqe);
		done++;
	}
	pthread_join(th, NULL);
	CHECK_EQ(r.bad, 0);
	io_uring_queue_exit(&a);
	io_uring_queue_exit(&r.ring);
}

/* A fixed file of one ring goes into the fixed table of another. */
static void case_send_fd(void)
{
	struct io_uring a, b, c;
	struct io_uring_sqe *sqe;
	char buf[8] = { 0 };
	int pfd[2];

	t_ring(&a, 8, NULL);
	t_ring(&b, 8, NULL);
	t_ring(&c, 8, NULL);
	CHECK_EQ(pipe(pfd), 0);
	/* the source has no fixed files yet */
	sqe = t_sqe(&a);
	io_uring_prep_msg_ring_fd(sqe, b.ring_fd, 0, 2, 0x99, 0);
	sqe->user_data = 1;
	CHECK_EQ(result_of(&a, 1), -EBADF);
	CHECK_EQ(io_uring_register_files(&a, &pfd[1], 1), 0);
	/* the target has no table */
	sqe = t_sqe(&a);
	io_uring_prep_msg_ring_fd(sqe, c.ring_fd, 0, 0, 0x99, 0);
	sqe->user_data = 2;
	CHECK_EQ(result_of(&a, 2), -ENXIO);
	CHECK_EQ(io_uring_register_files_sparse(&b, 4), 0);
	sqe = t_sqe(&a);
	io_uring_prep_msg_ring_fd(sqe, b.ring_fd, 0, 2, 0x99, 0);
	sqe->user_data = 3;
	CHECK_EQ(result_of(&a, 3), 0);
	expect_cqe(&b, 0x99, 0, 0);
	/* the file works from the target's slot 2 */
	sqe = t_sqe(&b);
	io_uring_prep_write(sqe, 2, "fixed", 5, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	sqe->user_data = 4;
	CHECK_EQ(result_of(&b, 4), 5);
	CHECK_EQ(read(pfd[0], buf, sizeof(buf)), 5);
	CHECK(!memcmp(buf, "fixed", 5));
	/* any free slot, and no CQE on the target */
	sqe = t_sqe(&a);
	io_uring_prep_msg_ring_fd_alloc(sqe, b.ring_fd, 0, 0x98,
					IORING_MSG_RING_CQE_SKIP);
	sqe->user_data = 5;
	/* the allocation hint is past the slot last installed: slot 3 */
	CHECK_EQ(result_of(&a, 5), 3);
	t_expect_none(&b, 0);
	/* not to itself, and no length */
	sqe = t_sqe(&a);
	io_uring_prep_msg_ring_fd(sqe, a.ring_fd, 0, 1, 0x97, 0);
	sqe->user_data = 6;
	CHECK_EQ(result_of(&a, 6), -EINVAL);
	sqe = t_sqe(&a);
	io_uring_prep_msg_ring_fd(sqe, b.ring_fd, 0, 1, 0x97, 0);
	sqe->len = 1;
	sqe->user_data = 7;
	CHECK_EQ(result_of(&a, 7), -EINVAL);
	close(pfd[0]);
	close(pfd[1]);
	io_uring_queue_exit(&a);
	io_uring_queue_exit(&b);
	io_uring_queue_exit(&c);
}

struct sender {
	struct io_uring a;		/* made first: never the target's fd */
	int target_fd;
	atomic_int stop;
	int bad, sent;
};

static void *sender_main(void *arg)
{
	struct sender *snd = arg;
	struct io_uring_cqe *cqe;

	while (!atomic_load(&snd->stop)) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&snd->a);

		io_uring_prep_msg_ring(sqe, snd->target_fd, 1, 2, 0);
		if (io_uring_submit_and_wait(&snd->a, 1) != 1 ||
		    io_uring_peek_cqe(&snd->a, &cqe)) {
			snd->bad = -2;
			break;
		}
		if (cqe->res && cqe->res != -EBADF && cqe->res != -EBADFD)
			snd->bad = cqe->res;
		snd->sent++;
		io_uring_cqe_seen(&snd->a, cqe);
	}
	return NULL;
}

/* The target goes away while another thread sends to it through a dup of
 * its fd (the dup stays open, so no descriptor is raced): every message
 * is delivered, or, on the engine where closing the ring's own fd ends
 * the ring, fails cleanly; nothing crashes. */
static void case_close_race(void)
{
	struct sender snd = { .bad = 0 };
	struct io_uring b;
	pthread_t th;
	int round;

	for (round = 0; round < 20; round++) {
		t_ring(&snd.a, 4, NULL);
		t_ring(&b, 4, NULL);
		snd.target_fd = dup(b.ring_fd);
		CHECK(snd.target_fd >= 0);
		atomic_store(&snd.stop, 0);
		CHECK_EQ(pthread_create(&th, NULL, sender_main, &snd), 0);
		usleep(2000);
		io_uring_queue_exit(&b);
		usleep(1000);
		atomic_store(&snd.stop, 1);
		pthread_join(th, NULL);
		close(snd.target_fd);
		io_uring_queue_exit(&snd.a);
		CHECK_EQ(snd.bad, 0);
	}
	CHECK(snd.sent > 0);
}

/* io_uring_register_sync_msg(): a message without a source ring. */
static void case_sync(void)
{
	struct io_uring b;
	struct io_uring_sqe sqe;
	int pfd[2];

	if (t_backend == AIORING_BACKEND_KERNEL && !t_kernel_ok())
		t_skip("no kernel io_uring here");
	t_ring(&b, 4, NULL);
	memset(&sqe, 0, sizeof(sqe));
	io_uring_prep_msg_ring(&sqe, b.ring_fd, 3, 4, 0);
	CHECK_EQ(io_uring_register_sync_msg(&sqe), 0);
	expect_cqe(&b, 4, 3, 0);
	io_uring_prep_msg_ring_cqe_flags(&sqe, b.ring_fd, 5, 6, 0, 9);
	CHECK_EQ(io_uring_register_sync_msg(&sqe), 0);
	expect_cqe(&b, 6, 5, 9);
	sqe.flags = IOSQE_ASYNC;
	CHECK_EQ(io_uring_register_sync_msg(&sqe), -EINVAL);
	sqe.flags = 0;
	sqe.addr = IORING_MSG_SEND_FD;
	CHECK_EQ(io_uring_register_sync_msg(&sqe), -EINVAL);
	CHECK_EQ(pipe(pfd), 0);
	io_uring_prep_msg_ring(&sqe, pfd[0], 3, 4, 0);
	CHECK_EQ(io_uring_register_sync_msg(&sqe), -EBADFD);
	t_expect_none(&b, 0);
	close(pfd[0]);
	close(pfd[1]);
	io_uring_queue_exit(&b);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "data", case_data, 0 },
		{ "self", case_self, 0 },
		{ "errors", case_errors, 0 },
		{ "threads", case_threads, 0 },
		{ "send_fd", case_send_fd, 0 },
		{ "sync", case_sync, 0 },
		{ "close_race", case_close_race, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
