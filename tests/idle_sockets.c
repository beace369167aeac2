/* SPDX-License-Identifier: MIT */
/*
 * 10,000 idle loopback connections, each with a RECV waiting on it, cost
 * no threads: the thread count of the process (/proc/self/task) is the
 * same with 16 and with all of them armed. Then every peer sends its
 * index and every RECV must complete with exactly that, once.
 *
 * The client ends live in a child process and the server ends are closed
 * by the application once their RECV is submitted (the request keeps its
 * own reference, with the kernel as with the engine), so the test needs
 * about one descriptor per connection per process. RLIMIT_NOFILE is raised
 * to what that needs; the test skips, saying so, if it cannot be.
 * AIORING_IDLE_CONNS changes the count (default 10000).
 */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

#define FIRST_BATCH 16

static unsigned nr_conns(void)
{
	const char *e = getenv("AIORING_IDLE_CONNS");

	return e && atoi(e) > FIRST_BATCH ? (unsigned)atoi(e) : 10000;
}

static int nr_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	CHECK(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void raise_nofile(unsigned need)
{
	struct rlimit rl;

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max < need)
		t_skip("RLIMIT_NOFILE hard limit %lu < %u needed",
		       (unsigned long)rl.rlim_max, need);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		t_skip("cannot raise RLIMIT_NOFILE to %u: %s", need,
		       strerror(errno));
}

/* The peer: connects @n times, waits for "go", sends each its index. */
static void client(struct sockaddr_in *sa, unsigned n, int go_fd)
{
	int *fds = malloc(n * sizeof(int));
	unsigned i;
	char c;

	if (!fds)
		_exit(2);
	for (i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)sa, sizeof(*sa)))
			_exit(3);
	}
	if (read(go_fd, &c, 1) != 1)
		_exit(4);
	for (i = 0; i < n; i++)
		if (write(fds[i], &i, sizeof(i)) != sizeof(i))
			_exit(5);
	/* Stay until the parent has read everything. */
	(void)!read(go_fd, &c, 1);
	_exit(0);
}

static void case_idle(void)
{
	unsigned n = nr_conns(), i, *bufs, seen = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE,
				     .cq_entries = 2 * n };
	struct io_uring ring;
	unsigned char *done;
	int l, go[2], pid, base = 0, status;

	raise_nofile(n + 64);
	bufs = calloc(n, sizeof(*bufs));
	done = calloc(n, 1);
	CHECK(bufs && done);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(l, 4096), 0);
	CHECK_EQ(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	CHECK_EQ(pipe(go), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		client(&sa, n, go[0]);
	}
	close(go[0]);
	t_ring(&ring, 256, &p);
	for (i = 0; i < n; i++) {
		/* Accept order is connect order: connection i gets index i. */
		int fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		struct io_uring_sqe *sqe;

		CHECK_MSG(fd >= 0, "accept %u: %s", i, strerror(errno));
		sqe = io_uring_get_sqe(&ring);
		if (!sqe) {
			CHECK(io_uring_submit(&ring) > 0);
			sqe = t_sqe(&ring);
		}
		io_uring_prep_recv(sqe, fd, &bufs[i], sizeof(bufs[i]), MSG_WAITALL);
		sqe->user_data = i;
		CHECK(io_uring_submit(&ring) == 1);
		close(fd);	/* the request keeps the socket */
		if (i + 1 == FIRST_BATCH)
			base = nr_threads();
	}
	CHECK_EQ(io_uring_cq_ready(&ring), 0);
	CHECK_MSG(nr_threads() == base, "%d threads with %d recvs armed, %d with %u",
		  base, FIRST_BATCH, nr_threads(), n);
	CHECK_EQ(write(go[1], "g", 1), 1);
	while (seen < n) {
		struct io_uring_cqe *cqe = t_wait(&ring, 10000);

		CHECK(cqe->user_data < n);
		CHECK_EQ(cqe->res, sizeof(unsigned));
		CHECK(!done[cqe->user_data]);
		done[cqe->user_data] = 1;
		CHECK_EQ(bufs[cqe->user_data], cqe->user_data);
		io_uring_cqe_seen(&ring, cqe);
		seen++;
	}
	CHECK(nr_threads() <= base);
	close(go[1]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	io_uring_queue_exit(&ring);
	close(l);
	free(bufs);
	free(done);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "idle_10k", case_idle, 0 },
		{ NULL, NULL, 0 }
	};

	setenv("AIORING_TEST_CASE_TIMEOUT", "120", 0);
	return t_main(argc, argv, cases);
}
