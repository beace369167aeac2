/* SPDX-License-Identifier: MIT */
/*
 * What one ring of 4096 entries costs the process, on each backend: the
 * growth of VmSize and VmRSS and the threads it adds, read from
 * /proc/self/status around io_uring_queue_init and one NOP round trip.
 * And the threads a backend adds while a RECV waits on each of 10k idle
 * sockets (a server's idle connections): the kernel polls them without a
 * thread; the engine does it its way once it has socket ops.
 * It runs before any workload, while the heap is still small, so malloc
 * reusing freed memory does not hide the engine's allocations. The kernel's
 * own allocations outside the ring mappings are not visible here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include "bench.h"

#define COST_ENTRIES	4096
#define IDLE_SOCKETS	10000	/* 5000 connected pairs */
#define IDLE_SETTLE_US	100000	/* for workers to appear, if any do */

struct proc_status {
	long vm_kib, rss_kib;
	int threads;
};

/* 0, or -errno when /proc/self/status cannot be read (out of fds...). */
static int read_status(struct proc_status *s)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmSize: %ld", &s->vm_kib);
		sscanf(line, "VmRSS: %ld", &s->rss_kib);
		sscanf(line, "Threads: %d", &s->threads);
	}
	fclose(f);
	return 0;
}

static void measure(int mode, struct bench_ring_cost *out)
{
	struct proc_status a, b;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int old, ret;

	read_status(&a);
	old = aioring_set_mode(mode);
	ret = io_uring_queue_init(COST_ENTRIES, &ring, 0);
	aioring_set_mode(old);
	if (ret < 0) {
		out->err = ret;
		return;
	}
	/* One round trip, so whatever the backend makes lazily is made. */
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	if (io_uring_submit_and_wait(&ring, 1) == 1 && !io_uring_peek_cqe(&ring, &cqe))
		io_uring_cqe_seen(&ring, cqe);
	read_status(&b);
	io_uring_queue_exit(&ring);
	out->err = 0;
	out->vm_kib = b.vm_kib - a.vm_kib;
	out->rss_kib = b.rss_kib - a.rss_kib;
	out->threads = b.threads - a.threads;
}

/* --- threads under 10k idle sockets ------------------------------------ */

/* Arms a RECV on each of @n sockets, @batch SQEs per submit. */
static int arm_recvs(struct io_uring *ring, const int *fds, int n, char *buf)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe) {
			ret = io_uring_submit(ring);
			if (ret < 0)
				return ret;
			sqe = io_uring_get_sqe(ring);
			if (!sqe)
				return -EBUSY;
		}
		io_uring_prep_recv(sqe, fds[i], buf, 1, 0);
	}
	ret = io_uring_submit(ring);
	return ret < 0 ? ret : 0;
}

static int idle_run(int mode, int *fds, struct bench_ring_cost *out)
{
	struct proc_status a, b;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	static char buf[1];
	int old, ret;

	old = aioring_set_mode(mode);
	ret = io_uring_queue_init(1024, &ring, 0);
	aioring_set_mode(old);
	if (ret < 0)
		return ret;
	/* Threads of rings closed before (io-wq, engine workers) may still
	 * be on their way out: let them go before counting. */
	usleep(IDLE_SETTLE_US);
	ret = read_status(&a);
	if (!ret)
		ret = arm_recvs(&ring, fds, IDLE_SOCKETS, buf);
	usleep(IDLE_SETTLE_US);
	/* An idle RECV has no CQE: one here is a RECV that failed. */
	if (!ret && io_uring_peek_cqe(&ring, &cqe) == 0)
		ret = cqe->res < 0 ? cqe->res : -EPROTO;
	if (!ret)
		ret = read_status(&b);
	/* Closing the ring cancels the RECVs (one CQE each, never seen). */
	io_uring_queue_exit(&ring);
	out->idle_threads = b.threads - a.threads;
	return ret;
}

static void measure_idle(int mode, struct bench_ring_cost *out)
{
	static const unsigned char ops[] = { IORING_OP_RECV };
	enum bench_status st;
	struct rlimit rl;
	int *fds, i, n = 0;

	out->idle_err = 0;
	if (bench_ring_check_ops(mode, ops, 1, &st)) {
		out->idle_err = st == BR_NOT_YET ? -EOPNOTSUPP : -ENODEV;
		return;
	}
	/* 10k sockets need the hard limit of open files, which may be low. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	fds = calloc(IDLE_SOCKETS, sizeof(*fds));
	if (!fds) {
		out->idle_err = -ENOMEM;
		return;
	}
	for (n = 0; n < IDLE_SOCKETS; n += 2)
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds + n))
			break;
	out->idle_err = n < IDLE_SOCKETS ? -errno : idle_run(mode, fds, out);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

void bench_measure_costs(struct bench_run *run)
{
	measure(AIORING_MODE_KERNEL, &run->cost[0]);
	measure(AIORING_MODE_USER, &run->cost[1]);
	/* The engine first: the kernel's io-wq threads of a closed ring go
	 * away in their own time and would count as the engine's. */
	measure_idle(AIORING_MODE_USER, &run->cost[1]);
	measure_idle(AIORING_MODE_KERNEL, &run->cost[0]);
}
