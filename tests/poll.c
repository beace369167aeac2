/* SPDX-License-Identifier: MIT */
/*
 * IORING_OP_POLL_ADD (oneshot and multishot) and IORING_OP_POLL_REMOVE
 * (removal and updates): the masks, the errors of prep and issue, and the
 * request's own reference to its file. Every result is the kernel's, and
 * every case runs on both backends.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include "testlib.h"

static struct io_uring_sqe *poll_add(struct io_uring *ring, int fd,
				     unsigned events, uint64_t ud, unsigned len)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_poll_add(sqe, fd, events);
	sqe->len = len;
	sqe->user_data = ud;
	return sqe;
}

static void case_ready(void)
{
	struct io_uring ring;
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	CHECK_EQ(write(p[1], "x", 1), 1);
	poll_add(&ring, p[0], POLLIN, 1, 0);
	poll_add(&ring, p[1], POLLOUT | POLLIN, 2, 0);
	t_submit(&ring, 2);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ POLLIN, POLLOUT });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

static void case_wait_then_ready(void)
{
	struct io_uring ring;
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	poll_add(&ring, p[0], POLLIN, 1, 0);
	t_submit(&ring, 1);
	t_expect_none(&ring, 20);
	CHECK_EQ(write(p[1], "x", 1), 1);
	T_EXPECT(&ring, 1, POLLIN, 0);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* Two polls on one file, and POLLHUP reported though not asked for. */
static void case_two_polls_hup(void)
{
	struct io_uring ring;
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	poll_add(&ring, p[0], POLLIN, 1, 0);
	poll_add(&ring, p[0], POLLIN, 2, 0);
	t_submit(&ring, 2);
	t_expect_none(&ring, 10);
	close(p[1]);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ POLLHUP, POLLHUP });
	io_uring_queue_exit(&ring);
	close(p[0]);
}

/* The request holds its own reference: closing the fd changes nothing. */
static void case_own_reference(void)
{
	struct io_uring ring;
	int p[2], fd;

	CHECK(!pipe(p));
	fd = dup(p[0]);
	t_ring(&ring, 8, NULL);
	poll_add(&ring, fd, POLLIN, 1, 0);
	t_submit(&ring, 1);
	close(fd);
	t_expect_none(&ring, 10);
	CHECK_EQ(write(p[1], "x", 1), 1);
	T_EXPECT(&ring, 1, POLLIN, 0);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

static void case_bad_fd(void)
{
	struct io_uring ring;

	t_ring(&ring, 8, NULL);
	poll_add(&ring, 999, POLLIN, 1, 0);
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, -EBADF, 0);
	io_uring_queue_exit(&ring);
}

static void case_prep_errors(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SUBMIT_ALL };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int pf[2];

	CHECK(!pipe(pf));
	t_ring(&ring, 8, &p);
	poll_add(&ring, pf[0], POLLIN, 1, IORING_POLL_ADD_LEVEL);
	poll_add(&ring, pf[0], POLLIN, 2, IORING_POLL_ADD_LEVEL |
					IORING_POLL_ADD_MULTI);
	poll_add(&ring, pf[0], POLLIN, 3, 0x10);
	poll_add(&ring, pf[0], POLLIN, 4, 0)->addr = 1;
	poll_add(&ring, pf[0], POLLIN, 5, 0)->off = 1;
	poll_add(&ring, pf[0], POLLIN, 6, 0)->buf_index = 1;
	sqe = poll_add(&ring, pf[0], POLLIN, 7, IORING_POLL_ADD_MULTI);
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	CHECK_EQ(io_uring_submit(&ring), 7);
	T_EXPECT_SET(&ring, 7, (uint64_t[]){ 1, 2, 3, 4, 5, 6, 7 },
		   (int[]){ -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL,
			    -EINVAL, -EINVAL });
	io_uring_queue_exit(&ring);
	close(pf[0]);
	close(pf[1]);
}

static struct io_uring_sqe *poll_remove(struct io_uring *ring,
					uint64_t target, uint64_t ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_poll_remove(sqe, target);
	sqe->user_data = ud;
	return sqe;
}

static void case_multishot(void)
{
	struct io_uring ring;
	char buf[8];
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	poll_add(&ring, p[0], POLLIN, 1, IORING_POLL_ADD_MULTI);
	t_submit(&ring, 1);
	t_expect_none(&ring, 10);
	CHECK_EQ(write(p[1], "x", 1), 1);
	T_EXPECT(&ring, 1, POLLIN, IORING_CQE_F_MORE);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 1);
	t_expect_none(&ring, 10);
	CHECK_EQ(write(p[1], "y", 1), 1);
	T_EXPECT(&ring, 1, POLLIN, IORING_CQE_F_MORE);
	poll_remove(&ring, 1, 2);
	t_submit(&ring, 1);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ -ECANCELED, 0 });
	t_expect_none(&ring, 5);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* Already ready when armed: one CQE for the edge, not one per look. */
static void case_multishot_ready(void)
{
	struct io_uring ring;
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	CHECK_EQ(write(p[1], "x", 1), 1);
	poll_add(&ring, p[0], POLLIN, 1, IORING_POLL_ADD_MULTI);
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, POLLIN, IORING_CQE_F_MORE);
	t_expect_none(&ring, 20);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

static void case_remove(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	poll_remove(&ring, 9, 1);
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, -ENOENT, 0);
	poll_add(&ring, p[0], POLLIN, 2, 0);
	poll_remove(&ring, 2, 3);
	t_submit(&ring, 2);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 2, 3 }, (int[]){ -ECANCELED, 0 });
	/* a TIMEOUT_REMOVE or a CANCEL_FD on another file does not see it */
	poll_add(&ring, p[0], POLLIN, 4, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_remove(sqe, 4, 0);
	sqe->user_data = 5;
	sqe = t_sqe(&ring);
	io_uring_prep_cancel_fd(sqe, p[1], 0);
	sqe->user_data = 6;
	poll_remove(&ring, 4, 7);
	t_submit(&ring, 4);
	T_EXPECT_SET(&ring, 4, (uint64_t[]){ 4, 5, 6, 7 },
		   (int[]){ -ECANCELED, -ENOENT, -ENOENT, 0 });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

static void case_update(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	poll_add(&ring, p[0], POLLIN, 70, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_update(sqe, 70, 71, POLLIN,
				  IORING_POLL_UPDATE_EVENTS |
				  IORING_POLL_UPDATE_USER_DATA);
	sqe->user_data = 72;
	t_submit(&ring, 2);
	T_EXPECT(&ring, 72, 0, 0);
	t_expect_none(&ring, 10);
	CHECK_EQ(write(p[1], "x", 1), 1);
	T_EXPECT(&ring, 71, POLLIN, 0);
	/* user_data only, then removal under the new name */
	poll_add(&ring, p[1], 0, 80, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_update(sqe, 80, 81, 0, IORING_POLL_UPDATE_USER_DATA);
	sqe->user_data = 82;
	poll_remove(&ring, 81, 83);
	t_submit(&ring, 3);
	T_EXPECT_SET(&ring, 3, (uint64_t[]){ 82, 83, 81 },
		   (int[]){ 0, 0, -ECANCELED });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* An update changes the events only: IORING_POLL_ADD_MULTI in it does not
 * make a oneshot poll multishot. */
static void case_update_multishot(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[8];
	int p[2];

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	poll_add(&ring, p[0], POLLIN, 1, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_update(sqe, 1, 0, POLLIN, IORING_POLL_UPDATE_EVENTS |
						     IORING_POLL_ADD_MULTI);
	sqe->user_data = 2;
	t_submit(&ring, 2);
	T_EXPECT(&ring, 2, 0, 0);
	CHECK_EQ(write(p[1], "x", 1), 1);
	T_EXPECT(&ring, 1, POLLIN, 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 1);
	CHECK_EQ(write(p[1], "y", 1), 1);
	t_expect_none(&ring, 10);
	poll_remove(&ring, 1, 3);
	t_submit(&ring, 1);
	T_EXPECT(&ring, 3, -ENOENT, 0);
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

static void case_remove_prep_errors(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SUBMIT_ALL };
	struct io_uring ring;

	t_ring(&ring, 8, &p);
	poll_remove(&ring, 1, 2)->len = IORING_POLL_ADD_MULTI;
	poll_remove(&ring, 1, 3)->poll32_events = 1;
	poll_remove(&ring, 1, 4)->off = 1;
	poll_remove(&ring, 1, 5)->len = 0x40;
	CHECK_EQ(io_uring_submit(&ring), 4);
	T_EXPECT_SET(&ring, 4, (uint64_t[]){ 2, 3, 4, 5 },
		   (int[]){ -EINVAL, -EINVAL, -EINVAL, -EINVAL });
	io_uring_queue_exit(&ring);
}

/* Two polls on one registered file. */
static void case_fixed_file(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2], i;

	CHECK(!pipe(p));
	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files(&ring, &p[0], 1), 0);
	for (i = 1; i <= 2; i++) {
		sqe = poll_add(&ring, 0, POLLIN, (uint64_t)i, 0);
		sqe->flags = IOSQE_FIXED_FILE;
	}
	t_submit(&ring, 2);
	t_expect_none(&ring, 10);
	CHECK_EQ(write(p[1], "x", 1), 1);
	T_EXPECT_SET(&ring, 2, (uint64_t[]){ 1, 2 }, (int[]){ POLLIN, POLLIN });
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}

/* The probe lists both ops. */
static void case_probe(void)
{
	struct io_uring ring;
	struct io_uring_probe *probe;

	t_ring(&ring, 8, NULL);
	probe = io_uring_get_probe_ring(&ring);
	CHECK(probe);
	CHECK(io_uring_opcode_supported(probe, IORING_OP_POLL_ADD));
	CHECK(io_uring_opcode_supported(probe, IORING_OP_POLL_REMOVE));
	io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "ready", case_ready, 0 },
		{ "wait_then_ready", case_wait_then_ready, 0 },
		{ "two_polls_hup", case_two_polls_hup, 0 },
		{ "own_reference", case_own_reference, 0 },
		{ "bad_fd", case_bad_fd, 0 },
		{ "prep_errors", case_prep_errors, 0 },
		{ "multishot", case_multishot, 0 },
		{ "multishot_ready", case_multishot_ready, 0 },
		{ "remove", case_remove, 0 },
		{ "update", case_update, 0 },
		{ "update_multishot", case_update_multishot, 0 },
		{ "remove_prep_errors", case_remove_prep_errors, 0 },
		{ "fixed_file", case_fixed_file, 0 },
		{ "probe", case_probe, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
