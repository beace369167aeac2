/* SPDX-License-Identifier: MIT */
/*
 * Resource limits at scale, with the kernel as the reference: 1000 rings
 * at once, and 10,000 parked RECVs under the RLIMIT_NOFILE the kernel
 * needs. RLIMIT_NOFILE is raised as needed, up to the hard limit (a case
 * skips, saying so, if that is not enough). The engine may need more
 * descriptors and threads than the kernel and then fail a request with
 * -EMFILE (documented), but never lose a CQE, hang or crash.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "limits.h"

/*
 * 1000 rings at once, each with a NOP and a READ parked on one shared
 * pipe (the engine: four descriptors a ring, and a poll thread and three
 * descriptors more for the parked READ; the kernel: one descriptor).
 * 1000 bytes go in: each READ gets exactly one. Every descriptor and
 * thread comes back when the rings go.
 */
static void case_rings_1000(void)
{
	enum { N = 1000 };
	static struct io_uring rings[N];
	static char buf[N];
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	char bytes[N];
	int i, p[2], fds, threads, got = 0;
	pthread_t th;

	set_nofile(8 * N);	/* the engine: seven a ring */
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(pthread_create(&th, NULL, idle_thread, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);	/* a sanitizer's helper thread */
	t_ring(&rings[0], 4, NULL);		/* and our wait's eventfd */
	warm_wait(&rings[0]);
	io_uring_queue_exit(&rings[0]);
	fds = count_dir("/proc/self/fd");
	threads = count_dir("/proc/self/task");
	for (i = 0; i < N; i++) {
		t_ring(&rings[i], 4, NULL);
		io_uring_prep_nop(t_sqe(&rings[i]));
		sqe = t_sqe(&rings[i]);
		io_uring_prep_read(sqe, p[0], &buf[i], 1, 0);
		sqe->user_data = 1;
		CHECK_EQ(io_uring_submit(&rings[i]), 2);
	}
	memset(bytes, 'r', sizeof(bytes));
	CHECK_EQ(write(p[1], bytes, N), N);
	for (i = 0; i < N; i++) {
		for (int k = 0; k < 2; k++) {
			cqe = t_wait(&rings[i], 5000);
			CHECK_EQ(cqe->res, cqe->user_data ? 1 : 0);
			got += cqe->user_data ? 1 : 0;
			io_uring_cqe_seen(&rings[i], cqe);
		}
		CHECK_EQ(buf[i], 'r');
		t_expect_none(&rings[i], 0);
	}
	CHECK_EQ(got, N);
	for (i = 0; i < N; i++)
		io_uring_queue_exit(&rings[i]);
	close(p[0]);
	close(p[1]);
	CHECK_EQ(count_dir("/proc/self/fd"), fds - 2);
	if (!KERNEL)	/* the kernel's io-wq stays with the task a while */
		wait_threads(threads);
}

/* The peers of case_recv_10000: connects @n times, waits for "go", sends
 * each connection its index, then waits to be told to go. */
static void recv_peers(struct sockaddr_in *sa, unsigned n, int go_fd)
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
	(void)!read(go_fd, &c, 1);
	_exit(0);
}

/*
 * 10,000 RECVs parked on 10,000 TCP connections that the application
 * keeps open, under the RLIMIT_NOFILE the kernel needs for that (10,000
 * and a few). The engine's own references to the sockets do not fit:
 * those it cannot make complete -EMFILE at once (documented), the others
 * park. Every index sent arrives exactly once: in its RECV's buffer or,
 * after -EMFILE, read by the application. (tests/idle_sockets parks
 * 10,000 RECVs with the descriptors the engine needs.)
 */
static void case_recv_10000(void)
{
	enum { N = 10000 };
	struct io_uring_params par = { .flags = IORING_SETUP_CQSIZE,
				       .cq_entries = 2 * N };
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	static unsigned bufs[N];
	static int fds[N];
	static unsigned char seen[N];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int l, go[2], pid, status, i, parked = 0, emfile = 0;
	unsigned v;

	set_nofile(N + 64);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(l, 4096), 0);
	CHECK_EQ(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	CHECK_EQ(pipe(go), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		recv_peers(&sa, N, go[0]);
	}
	close(go[0]);
	t_ring(&ring, 256, &par);
	warm_wait(&ring);
	/* Accept order is connect order: connection i gets index i. */
	for (i = 0; i < N; i++) {
		fds[i] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		CHECK_MSG(fds[i] >= 0, "accept %d: %s", i, strerror(errno));
	}
	for (i = 0; i < N; i++) {
		sqe = io_uring_get_sqe(&ring);
		if (!sqe) {
			CHECK(io_uring_submit(&ring) > 0);
			sqe = t_sqe(&ring);
		}
		io_uring_prep_recv(sqe, fds[i], &bufs[i], sizeof(bufs[i]), MSG_WAITALL);
		sqe->user_data = (uint64_t)i;
	}
	CHECK(io_uring_submit(&ring) >= 0);
	CHECK_EQ(write(go[1], "g", 1), 1);
	for (i = 0; i < N; i++) {
		cqe = t_wait(&ring, 10000);
		CHECK(cqe->user_data < N);
		CHECK(!seen[cqe->user_data]);
		seen[cqe->user_data] = 1;
		if (cqe->res == -EMFILE) {
			emfile++;
			CHECK_EQ(recv(fds[cqe->user_data], &v, sizeof(v), MSG_WAITALL),
				 (ssize_t)sizeof(v));
		} else {
			CHECK_EQ(cqe->res, (int)sizeof(unsigned));
			v = bufs[cqe->user_data];
			parked++;
		}
		CHECK_EQ(v, cqe->user_data);
		io_uring_cqe_seen(&ring, cqe);
	}
	t_expect_none(&ring, 50);
	if (KERNEL)
		CHECK_EQ(emfile, 0);
	else
		CHECK_MSG(emfile > 0 && parked > 0, "%d parked, %d -EMFILE", parked, emfile);
	close(go[1]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	io_uring_queue_exit(&ring);
	for (i = 0; i < N; i++)
		close(fds[i]);
	close(l);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "rings_1000", case_rings_1000, 0 },
		{ "recv_10000", case_recv_10000, 0 },
		{ NULL, NULL, 0 },
	};

	setenv("AIORING_TEST_CASE_TIMEOUT", "120", 0);
	return t_main(argc, argv, cases);
}
