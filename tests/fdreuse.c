/* SPDX-License-Identifier: MIT */
/*
 * A request is in flight on a file, the application closes the file's
 * descriptor and the number is reused by another file. As with the kernel,
 * the request keeps acting on its own file: submit, cancel and
 * io_uring_queue_exit stay prompt, and nothing ever touches the new file
 * behind the number.
 *
 * Case names are kind/new-file/action:
 *  - kind: the request in flight: recv_sock (a RECV parked on a TCP socket),
 *    read_pipe, write_pipe (a WRITE on a full pipe), poll_pipe (POLL_ADD),
 *    async_pipe (a READ sent to a worker with IOSQE_ASYNC);
 *  - new file: tmpfs, ext4 (skipped where those are not at hand), sock;
 *  - action: submit (a READ on the reused number reads the new file, then
 *    the old file gets its data and the old request completes with it),
 *    cancel (by fd: not found; by user_data: -ECANCELED), exit.
 * And stale/old/new: a READ completes on an old file, the number is reused
 * by a new one and read again: it reads the new file, and one that must
 * wait (a pipe, a socket) waits without holding up the submitter.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "netutil.h"

#define OLD_UD		1
#define NEW_UD		2
#define CANCEL_UD	3
#define PROMPT_NS	1000000000ull	/* a call that returns "at once" */

/* The old file: @fd is what the request names; @peer feeds or drains it. */
struct old_file {
	int fd, peer;
	bool sock;
};

/* --- the new file behind the reused number ---------------------------- */

static const char new_data[] = "NEW-FILE";

static bool on_fs(const char *dir, long magic)
{
	struct statfs sfs;

	return !statfs(dir, &sfs) && sfs.f_type == magic;
}

/* A file on @dir holding new_data, its name already gone. */
static int file_on(const char *dir)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/aioring-fdreuse.XXXXXX", dir);
	fd = mkstemp(path);
	CHECK_MSG(fd >= 0, "mkstemp(%s): %s", path, strerror(errno));
	unlink(path);
	CHECK_EQ(pwrite(fd, new_data, sizeof(new_data), 0), (ssize_t)sizeof(new_data));
	return fd;
}

/* Opens a file of @kind ("tmpfs", "ext4", "sock", "pipe") as number @nr.
 * A socket or pipe gets new_data from its peer (*peer) only if @fill. */
static void new_file_at(const char *kind, int nr, int *peer, bool fill)
{
	int fd, p[2];

	*peer = -1;
	if (!strcmp(kind, "tmpfs")) {
		if (!on_fs("/dev/shm", TMPFS_MAGIC))
			t_skip("no tmpfs at /dev/shm");
		fd = file_on("/dev/shm");
	} else if (!strcmp(kind, "ext4")) {
		if (!on_fs(t_tmpdir(), EXT4_SUPER_MAGIC))
			t_skip("%s is not ext4", t_tmpdir());
		fd = file_on(t_tmpdir());
	} else if (!strcmp(kind, "sock")) {
		tcp_pair(p);
		fd = p[0];
		*peer = p[1];
	} else {
		CHECK_EQ(pipe(p), 0);
		fd = p[0];
		*peer = p[1];
	}
	if (fill && *peer >= 0)
		CHECK_EQ(write(*peer, new_data, sizeof(new_data)),
			 (ssize_t)sizeof(new_data));
	if (fd != nr) {
		CHECK_EQ(dup2(fd, nr), nr);
		close(fd);
	}
}

/* The new file still holds new_data, untouched. */
static void check_new_file(int nr, const char *kind, int peer)
{
	char buf[64];
	ssize_t n;

	if (peer >= 0)
		n = recv(nr, buf, sizeof(buf), MSG_DONTWAIT);
	else
		n = pread(nr, buf, sizeof(buf), 0);
	if (peer >= 0 && n < 0 && errno == ENOTSOCK)
		n = read(nr, buf, sizeof(buf));
	CHECK_MSG(n == (ssize_t)sizeof(new_data) && !memcmp(buf, new_data, sizeof(new_data)),
		  "the %s behind the reused number changed (read %zd)", kind, n);
}

/* --- the request in flight ------------------------------------------------- */

static char old_buf[64];
static char big[1 << 16];

static void old_open(const char *kind, struct old_file *of)
{
	int p[2];

	of->sock = !strcmp(kind, "recv_sock");
	if (of->sock) {
		tcp_pair(p);
	} else {
		CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
		CHECK_EQ(fcntl(p[0], F_SETFL, 0), 0);
		CHECK_EQ(fcntl(p[1], F_SETFL, 0), 0);
	}
	of->fd = p[0];
	of->peer = p[1];
	if (!strcmp(kind, "write_pipe")) {
		/* The request writes: it names the write end, of a full pipe. */
		of->fd = p[1];
		of->peer = p[0];
		CHECK_EQ(fcntl(of->fd, F_SETFL, O_NONBLOCK), 0);
		while (write(of->fd, big, sizeof(big)) > 0)
			;
		CHECK_EQ(fcntl(of->fd, F_SETFL, 0), 0);
	}
}

static void old_submit(struct io_uring *ring, const char *kind, int fd)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	if (!strcmp(kind, "recv_sock"))
		io_uring_prep_recv(sqe, fd, old_buf, sizeof(old_buf), 0);
	else if (!strcmp(kind, "write_pipe"))
		io_uring_prep_write(sqe, fd, "OLD", 3, 0);
	else if (!strcmp(kind, "poll_pipe"))
		io_uring_prep_poll_add(sqe, fd, POLLIN);
	else
		io_uring_prep_read(sqe, fd, old_buf, sizeof(old_buf), 0);
	if (!strcmp(kind, "async_pipe"))
		sqe->flags |= IOSQE_ASYNC;
	sqe->user_data = OLD_UD;
	CHECK_EQ(io_uring_submit(ring), 1);
}

/* Gives the old file what its request waits for; returns the result the
 * request must complete with. */
static int old_feed(const char *kind, struct old_file *of)
{
	static char sink[sizeof(big)];

	if (!strcmp(kind, "write_pipe")) {
		while (read(of->peer, sink, sizeof(sink)) == sizeof(sink))
			;
		return 3;
	}
	CHECK_EQ(write(of->peer, "OLD!", 4), 4);
	return !strcmp(kind, "poll_pipe") ? POLLIN : 4;
}

/* The old file has no reference left but the peer's: a pipe's other end
 * polls POLLERR (write end) or POLLHUP (read end), a socket's POLLRDHUP. */
static void old_released(struct old_file *of)
{
	uint64_t end = t_now_ns() + 3000000000ull;
	struct pollfd pfd = { .fd = of->peer, .events = POLLRDHUP };

	for (;;) {
		CHECK(poll(&pfd, 1, 0) >= 0);
		if (pfd.revents & (POLLERR | POLLHUP | POLLRDHUP))
			return;
		CHECK_MSG(t_now_ns() < end, "the old file is still held (revents %#x)",
			  pfd.revents);
		usleep(10000);
	}
}

/* --- the cases ------------------------------------------------------------- */

static void submit_prompt(struct io_uring *ring, int n)
{
	uint64_t t0 = t_now_ns();

	CHECK_EQ(io_uring_submit(ring), n);
	CHECK_MSG(t_now_ns() - t0 < PROMPT_NS, "submit took %llu ms",
		  (unsigned long long)(t_now_ns() - t0) / 1000000);
}

static void act_submit(struct io_uring *ring, const char *kind,
		       struct old_file *of, int nr)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	char buf[64] = "";
	int res;

	io_uring_prep_read(sqe, nr, buf, sizeof(buf), 0);
	sqe->user_data = NEW_UD;
	submit_prompt(ring, 1);
	T_EXPECT(ring, NEW_UD, (int)sizeof(new_data), 0);
	CHECK(!memcmp(buf, new_data, sizeof(new_data)));
	res = old_feed(kind, of);
	T_EXPECT(ring, OLD_UD, res, 0);
	if (strcmp(kind, "write_pipe") && strcmp(kind, "poll_pipe"))
		CHECK(!memcmp(old_buf, "OLD!", 4));
}

static void act_cancel(struct io_uring *ring, int nr)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_cancel_fd(sqe, nr, 0);
	sqe->user_data = CANCEL_UD;
	submit_prompt(ring, 1);
	T_EXPECT(ring, CANCEL_UD, -ENOENT, 0);
	sqe = t_sqe(ring);
	io_uring_prep_cancel64(sqe, OLD_UD, 0);
	sqe->user_data = CANCEL_UD;
	submit_prompt(ring, 1);
	T_EXPECT_SET(ring, 2, (uint64_t[]){ OLD_UD, CANCEL_UD },
		     (int[]){ -ECANCELED, 0 });
}

static void case_reuse(void)
{
	char kind[32], newf[16], act[16];
	struct old_file of;
	struct io_uring ring;
	int nr, peer;
	uint64_t t0;

	CHECK_EQ(sscanf(t_case_name, "%31[^/]/%15[^/]/%15s", kind, newf, act), 3);
	t_ring(&ring, 8, NULL);
	old_open(kind, &of);
	nr = of.fd;
	old_submit(&ring, kind, nr);
	/* Parked, armed or in its worker. The engine takes the file at
	 * submit; the kernel's io-wq (async_pipe) takes it in its worker. */
	usleep(20000);
	t_expect_none(&ring, 0);
	CHECK_EQ(close(nr), 0);
	new_file_at(newf, nr, &peer, true);
	if (!strcmp(act, "submit")) {
		act_submit(&ring, kind, &of, nr);
		/* the socket's data went to the new READ: put it back */
		if (peer >= 0)
			CHECK_EQ(write(peer, new_data, sizeof(new_data)),
				 (ssize_t)sizeof(new_data));
	} else if (!strcmp(act, "cancel")) {
		act_cancel(&ring, nr);
	}
	t_expect_none(&ring, 5);
	t0 = t_now_ns();
	io_uring_queue_exit(&ring);
	CHECK_MSG(t_now_ns() - t0 < PROMPT_NS, "queue_exit took %llu ms",
		  (unsigned long long)(t_now_ns() - t0) / 1000000);
	old_released(&of);
	check_new_file(nr, newf, peer);
}

/*
 * The engine remembers what it learnt of a descriptor number (a file in
 * memory, a regular file, a socket) to pick a cheaper path: a READ on an
 * old file teaches it, the number is reused, and a READ on the new file
 * must read the new file, and wait for it without blocking the submitter
 * if it is a pipe or socket.
 */
static void case_stale(void)
{
	char oldk[16], newk[16], buf[64];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int i, nr, peer, oldpeer;
	uint64_t t0;

	CHECK_EQ(sscanf(t_case_name, "stale/%15[^/]/%15s", oldk, newk), 2);
	t_ring(&ring, 8, NULL);
	nr = open("/dev/null", O_RDONLY);	/* a number for both files */
	CHECK(nr >= 0);
	close(nr);
	new_file_at(oldk, nr, &oldpeer, true);
	for (i = 0; i < 3; i++) {	/* learnt, and used */
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, nr, buf, sizeof(buf), 0);
		sqe->user_data = 0;
		t_submit(&ring, 1);
		T_EXPECT(&ring, 0, (int)sizeof(new_data), 0);
		if (oldpeer >= 0)
			CHECK_EQ(write(oldpeer, new_data, sizeof(new_data)),
				 (ssize_t)sizeof(new_data));
	}
	CHECK_EQ(close(nr), 0);
	if (oldpeer >= 0)
		close(oldpeer);
	new_file_at(newk, nr, &peer, false);
	memset(buf, 0, sizeof(buf));
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, nr, buf, sizeof(buf), 0);
	sqe->user_data = NEW_UD;
	submit_prompt(&ring, 1);
	if (peer >= 0) {
		t_expect_none(&ring, 20);
		CHECK_EQ(write(peer, new_data, sizeof(new_data)),
			 (ssize_t)sizeof(new_data));
	}
	T_EXPECT(&ring, NEW_UD, (int)sizeof(new_data), 0);
	CHECK(!memcmp(buf, new_data, sizeof(new_data)));
	/* Once more, left waiting for the exit. */
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, nr, buf, sizeof(buf),
			   peer >= 0 ? 0 : sizeof(new_data));
	sqe->user_data = 0;
	submit_prompt(&ring, 1);
	if (peer < 0)
		T_EXPECT(&ring, 0, 0, 0);
	t0 = t_now_ns();
	io_uring_queue_exit(&ring);
	CHECK_MSG(t_now_ns() - t0 < PROMPT_NS, "queue_exit took %llu ms",
		  (unsigned long long)(t_now_ns() - t0) / 1000000);
}

#define REUSE(kind, nf) \
	{ kind "/" nf "/submit", case_reuse, 0 }, \
	{ kind "/" nf "/cancel", case_reuse, 0 }, \
	{ kind "/" nf "/exit", case_reuse, 0 }
#define KIND(kind) REUSE(kind, "tmpfs"), REUSE(kind, "ext4"), REUSE(kind, "sock")
#define STALE(old) \
	{ "stale/" old "/tmpfs", case_stale, 0 }, \
	{ "stale/" old "/ext4", case_stale, 0 }, \
	{ "stale/" old "/pipe", case_stale, 0 }, \
	{ "stale/" old "/sock", case_stale, 0 }

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		KIND("recv_sock"), KIND("read_pipe"), KIND("write_pipe"),
		KIND("poll_pipe"), KIND("async_pipe"),
		STALE("tmpfs"), STALE("ext4"), STALE("pipe"), STALE("sock"),
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
