/* SPDX-License-Identifier: MIT */
/*
 * io_uring_queue_exit, thousands of times, with work in every state: done
 * inline, parked on a pipe or socket, waiting or running in a worker,
 * linked, timing out (TIMEOUT, LINK_TIMEOUT), armed (POLL_ADD), in a
 * futex wait, being cancelled, held by IOSQE_IO_DRAIN, on the overflow
 * list, and on SQPOLL rings; peers feed pipes and sockets while the ring goes away.
 *
 * Every exit must return promptly (within EXIT_MAX_MS), and each batch of
 * rings runs in a forked process that must end with the descriptors and
 * threads it started with. Memory and races are for the sanitizers and
 * valgrind to find.
 *
 * By default a short slice runs (about two seconds per backend);
 * AIORING_TEARDOWN_SECONDS=N runs N seconds per selected backend and
 * prints the figures (`make stress-teardown`). AIORING_TEARDOWN_SEED
 * repeats a run; the seed is printed with any failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/magic.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "testlib.h"

#define RINGS_PER_BATCH	150
#define EXIT_MAX_MS	5000
#define MAX_OPS		32
#define BIG		(64 << 10)

/* Shared with the parent across the batches' forks. */
struct stats {
	uint64_t rings, sqpoll_rings, requests, reaped, exits_ns, exit_max_ns;
	uint64_t batches;
};

/* What a batch works on; made before the counts are taken. */
struct res {
	int pipe[2], sock[2];
	int mem_fd, disk_fd;		/* tmpfs (or any) file, a disk file */
	char buf[MAX_OPS][64];
	char big[BIG];
	struct __kernel_timespec ts_short, ts_long;
	uint32_t futex;
};

static struct stats *stats;
static uint64_t seed0;

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	CHECK(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void *idle_thread(void *arg)
{
	return arg;
}

static void wait_threads(int want)
{
	uint64_t end = t_now_ns() + 5000000000ull;
	int n;

	while ((n = count_dir("/proc/self/task")) != want && t_now_ns() < end)
		usleep(10000);
	CHECK_MSG(n == want, "%d threads, %d before (seed %llu)", n, want,
		  (unsigned long long)seed0);
}

static int mem_file(void)
{
	struct statfs sfs;
	char path[] = "/dev/shm/aioring-stress.XXXXXX";
	int fd = -1;

	if (!statfs("/dev/shm", &sfs) && sfs.f_type == TMPFS_MAGIC)
		fd = mkstemp(path);
	if (fd < 0)
		return t_tmpfd();
	unlink(path);
	return fd;
}

static void res_open(struct res *r)
{
	CHECK_EQ(pipe2(r->pipe, O_NONBLOCK), 0);
	CHECK_EQ(fcntl(r->pipe[0], F_SETFL, 0), 0);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, r->sock), 0);
	r->mem_fd = mem_file();
	r->disk_fd = t_tmpfd();
	memset(r->big, 'b', sizeof(r->big));
	CHECK_EQ(pwrite(r->mem_fd, r->big, 4096, 0), 4096);
	r->ts_short.tv_nsec = 1000000;
	r->ts_long.tv_sec = 10;
}

/* Empties the pipe and socket of whatever the last ring left in them. */
static void res_drain(struct res *r)
{
	char sink[4096];

	CHECK_EQ(fcntl(r->pipe[0], F_SETFL, O_NONBLOCK), 0);
	while (read(r->pipe[0], sink, sizeof(sink)) > 0)
		;
	CHECK_EQ(fcntl(r->pipe[0], F_SETFL, 0), 0);
	while (recv(r->sock[0], sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

/* One request (or a short chain) of a random kind; returns SQEs used. */
static unsigned add_op(struct io_uring *ring, struct res *r, struct t_rng *rng,
		       unsigned i, uint64_t ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_sqe *next;
	unsigned kind = t_rng_below(rng, 17), n = 1;

	if (!sqe)
		return 0;
	switch (kind) {
	case 0:
		io_uring_prep_nop(sqe);
		break;
	case 1:		/* inline: a file in memory */
		io_uring_prep_read(sqe, r->mem_fd, r->buf[i], 64, 0);
		break;
	case 2:		/* parked on the pipe */
		io_uring_prep_read(sqe, r->pipe[0], r->buf[i], 64, 0);
		break;
	case 3:		/* parked on the socket */
		io_uring_prep_recv(sqe, r->sock[0], r->buf[i], 64, 0);
		break;
	case 4:		/* waiting in a worker */
		io_uring_prep_read(sqe, r->pipe[0], r->buf[i], 64, 0);
		sqe->flags |= IOSQE_ASYNC;
		break;
	case 5:		/* running in a worker */
		io_uring_prep_write(sqe, r->disk_fd, r->big, BIG, 0);
		sqe->flags |= IOSQE_ASYNC;
		break;
	case 6:
		io_uring_prep_fsync(sqe, r->disk_fd, IORING_FSYNC_DATASYNC);
		break;
	case 7:
		io_uring_prep_timeout(sqe, &r->ts_short, 0, 0);
		break;
	case 8:
		io_uring_prep_timeout(sqe, &r->ts_long, 0, 0);
		break;
	case 9:
		io_uring_prep_poll_add(sqe, r->pipe[0], POLLIN);
		if (t_rng_below(rng, 2))
			sqe->len = IORING_POLL_ADD_MULTI;
		break;
	case 10:	/* linked: the successor goes to a worker or parks */
	case 11:	/* linked, guarded by a link timeout */
		next = io_uring_get_sqe(ring);
		if (!next) {
			io_uring_prep_nop(sqe);
			break;
		}
		if (kind == 10) {
			io_uring_prep_write(sqe, r->disk_fd, r->big, BIG, 0);
			sqe->flags |= IOSQE_ASYNC | IOSQE_IO_LINK;
			io_uring_prep_read(next, r->pipe[0], r->buf[i], 64, 0);
			if (t_rng_below(rng, 2))
				next->flags |= IOSQE_ASYNC;
		} else {
			io_uring_prep_read(sqe, r->pipe[0], r->buf[i], 64, 0);
			sqe->flags |= IOSQE_IO_LINK;
			io_uring_prep_link_timeout(next, t_rng_below(rng, 2) ?
						   &r->ts_short : &r->ts_long, 0);
		}
		next->user_data = ud | 1ull << 32;
		n = 2;
		break;
	case 12:	/* cancel something, maybe in flight */
		io_uring_prep_cancel64(sqe, ud - 1 - t_rng_below(rng, 4), 0);
		if (t_rng_below(rng, 4) == 0)
			io_uring_prep_cancel(sqe, NULL, IORING_ASYNC_CANCEL_ANY);
		break;
	case 13:
		io_uring_prep_poll_remove(sqe, ud - 1);
		break;
	case 14:	/* held back by a drain */
		io_uring_prep_nop(sqe);
		sqe->flags |= IOSQE_IO_DRAIN;
		break;
	case 15:	/* a futex wait nobody wakes: a worker's, on the engine */
		io_uring_prep_futex_wait(sqe, &r->futex, 0, FUTEX_BITSET_MATCH_ANY,
					 0x02 | 0x80, 0);	/* FUTEX2 U32, PRIVATE */
		break;
	default:
		io_uring_prep_send(sqe, r->sock[1], "s", 1, 0);
		break;
	}
	sqe->user_data = ud;
	return n;
}

/* Peers write while the ring goes: some parked work completes now. */
static void feed(struct res *r, struct t_rng *rng)
{
	unsigned k = t_rng_below(rng, 4);

	if (k & 1)
		(void)!write(r->pipe[1], "p", 1);
	if (k & 2)
		(void)!send(r->sock[1], "s", 1, MSG_DONTWAIT);
}

static void reap_some(struct io_uring *ring, struct t_rng *rng)
{
	struct io_uring_cqe *cqe;
	unsigned n = t_rng_below(rng, 8);

	while (n-- && !io_uring_peek_cqe(ring, &cqe)) {
		io_uring_cqe_seen(ring, cqe);
		stats->reaped++;
	}
}

static void one_ring(struct res *r, struct t_rng *rng)
{
	struct io_uring_params p = { 0 };
	struct io_uring ring;
	unsigned i, n, entries = 4u << t_rng_below(rng, 4);
	uint64_t t0, dt;
	int ret;

	if (t_rng_below(rng, 8) == 0) {
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1 + t_rng_below(rng, 5);
	}
	ret = io_uring_queue_init_params(entries, &ring, &p);
	CHECK_MSG(!ret, "queue_init: %s", strerror(-ret));
	stats->rings++;
	stats->sqpoll_rings += !!(p.flags & IORING_SETUP_SQPOLL);
	n = 1 + t_rng_below(rng, entries);
	for (i = 0; i < n && i < MAX_OPS;)
		i += add_op(&ring, r, rng, i, stats->requests + i + 1) ?: n;
	stats->requests += i;
	io_uring_submit(&ring);
	if (t_rng_below(rng, 2))
		feed(r, rng);
	if (t_rng_below(rng, 2))
		reap_some(&ring, rng);
	if (t_rng_below(rng, 2))
		usleep(t_rng_below(rng, 2000));
	if (t_rng_below(rng, 4) == 0)
		feed(r, rng);
	t0 = t_now_ns();
	io_uring_queue_exit(&ring);
	dt = t_now_ns() - t0;
	stats->exits_ns += dt;
	if (dt > stats->exit_max_ns)
		stats->exit_max_ns = dt;
	CHECK_MSG(dt < EXIT_MAX_MS * 1000000ull, "queue_exit took %llu ms (seed %llu)",
		  (unsigned long long)dt / 1000000, (unsigned long long)seed0);
	res_drain(r);
}

/* A ring waited on once (a wait that sleeps): the library's per-thread
 * wait state (an eventfd) and the sanitizer's helper thread exist before
 * counting. */
static void settle(void)
{
	struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	pthread_t th;

	CHECK_EQ(pthread_create(&th, NULL, idle_thread, NULL), 0);
	CHECK_EQ(pthread_join(th, NULL), 0);
	t_ring(&ring, 4, NULL);
	CHECK_EQ(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	io_uring_queue_exit(&ring);
}

static void batch(void *arg)
{
	uint64_t seed = *(uint64_t *)arg;
	static struct res r;
	struct t_rng rng;
	int fds, threads, i;

	t_rng_seed(&rng, seed);
	if (t_backend)
		aioring_set_mode(t_backend == AIORING_BACKEND_KERNEL ?
				 AIORING_MODE_KERNEL : AIORING_MODE_USER);
	res_open(&r);
	settle();
	fds = count_dir("/proc/self/fd");
	threads = count_dir("/proc/self/task");
	for (i = 0; i < RINGS_PER_BATCH; i++)
		one_ring(&r, &rng);
	CHECK_MSG(count_dir("/proc/self/fd") == fds, "%d fds, %d before (seed %llu)",
		  count_dir("/proc/self/fd"), fds, (unsigned long long)seed0);
	/* The kernel's io-wq workers belong to the task and stay a while. */
	if (t_backend == AIORING_BACKEND_USER)
		wait_threads(threads);
}

static double env_seconds(void)
{
	const char *e = getenv("AIORING_TEARDOWN_SECONDS");

	return e ? atof(e) : 0;
}

static void case_stress(void)
{
	double secs = env_seconds();
	uint64_t end, seed;
	int ret;

	if (secs <= 0)
		secs = t_backend == AIORING_BACKEND_USER ? 2 : 1;
	end = t_now_ns() + (uint64_t)(secs * 1e9);
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(stats != MAP_FAILED);
	do {
		seed = seed0 + stats->batches;
		ret = t_fork_run(batch, &seed, 60000);
		CHECK_MSG(ret == 0, "batch with seed %llu: %s %d",
			  (unsigned long long)seed, ret == T_TIMEOUT ? "timed out" :
			  ret < 0 ? "signal" : "exit", ret < 0 ? -ret : ret);
		stats->batches++;
	} while (t_now_ns() < end);
	if (env_seconds() > 0 || getenv("AIORING_TEST_VERBOSE"))
		printf("teardown_stress [%s]: %llu rings (%llu SQPOLL) in %llu batches, "
		       "%llu requests, %llu CQEs reaped before exit; queue_exit "
		       "mean %.3f ms, max %.3f ms; seed %llu\n",
		       t_backend_str(t_backend),
		       (unsigned long long)stats->rings,
		       (unsigned long long)stats->sqpoll_rings,
		       (unsigned long long)stats->batches,
		       (unsigned long long)stats->requests,
		       (unsigned long long)stats->reaped,
		       stats->rings ? stats->exits_ns / 1e6 / (double)stats->rings : 0,
		       stats->exit_max_ns / 1e6, (unsigned long long)seed0);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "stress", case_stress, 0 },
		{ NULL, NULL, 0 },
	};
	const char *e = getenv("AIORING_TEARDOWN_SEED");

	seed0 = e ? strtoull(e, NULL, 0) : (uint64_t)t_now_ns();
	return t_main(argc, argv, cases);
}
