/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register odds and ends: personalities, restrictions, io-wq CPU
 * affinity, the wait clock, registered ring fds, and the waits that go
 * with them: io_uring_get_events() and min-timeout waits.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "testlib.h"

static int nop_result(struct io_uring *ring, unsigned sqe_flags,
		      unsigned personality)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	struct io_uring_cqe *cqe;
	int res;

	io_uring_prep_nop(sqe);
	sqe->flags = (uint8_t)sqe_flags;
	sqe->personality = (uint16_t)personality;
	sqe->user_data = 42;
	CHECK_EQ(io_uring_submit(ring), 1);
	cqe = t_wait(ring, 2000);
	CHECK_EQ(cqe->user_data, 42);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void case_personality(void)
{
	struct io_uring ring;
	int id, id2;

	t_ring(&ring, 4, NULL);
	id = io_uring_register_personality(&ring);
	CHECK_EQ(id, 1);
	id2 = io_uring_register_personality(&ring);
	CHECK_EQ(id2, 2);
	CHECK_EQ(nop_result(&ring, 0, (unsigned)id), 0);
	CHECK_EQ(nop_result(&ring, 0, 77), -EINVAL);
	CHECK_EQ(io_uring_unregister_personality(&ring, id), 0);
	CHECK_EQ(io_uring_unregister_personality(&ring, id), -EINVAL);
	CHECK_EQ(nop_result(&ring, 0, (unsigned)id), -EINVAL);
	CHECK_EQ(io_uring_unregister_personality(&ring, 77), -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_PERSONALITY,
				   &ring, 0), -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_PERSONALITY,
				   NULL, 1), -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_UNREGISTER_PERSONALITY,
				   &ring, (unsigned)id2), -EINVAL);
	/* ids go round: a freed one is not handed out again at once */
	CHECK_EQ(io_uring_register_personality(&ring), 3);
	io_uring_queue_exit(&ring);
}

static void disabled_ring(struct io_uring *ring)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_R_DISABLED;
	t_ring(ring, 4, &p);
}

static int restrict_raw(struct io_uring *ring, struct io_uring_restriction *r,
			unsigned nr)
{
	return io_uring_register(ring->ring_fd, IORING_REGISTER_RESTRICTIONS,
				 r, nr);
}

static void case_restrictions_register_op(void)
{
	struct io_uring ring, plain;
	struct io_uring_restriction r[1] = { {
		.opcode = IORING_RESTRICTION_REGISTER_OP,
		.register_op = IORING_REGISTER_PROBE,
	} };
	unsigned vals[2] = { 0, 0 };

	t_ring(&plain, 4, NULL);
	CHECK_EQ(restrict_raw(&plain, r, 1), -EBADFD);
	io_uring_queue_exit(&plain);
	disabled_ring(&ring);
	CHECK_EQ(restrict_raw(&ring, r, 1), 0);
	CHECK_EQ(restrict_raw(&ring, r, 1), -EBUSY);
	/* nothing is enforced before the ring is enabled */
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring, vals), 0);
	CHECK_EQ(io_uring_enable_rings(&ring), 0);
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring, vals), -EACCES);
	/* no SQE opcode was allowed */
	CHECK_EQ(nop_result(&ring, 0, 0), -EACCES);
	io_uring_queue_exit(&ring);
}

static void case_restrictions_sqe(void)
{
	struct io_uring ring;
	struct io_uring_restriction r[3] = {
		{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_NOP },
		{ .opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED,
		  .sqe_flags = IOSQE_ASYNC },
		{ .opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED,
		  .sqe_flags = IOSQE_IO_LINK },
	};
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned vals[2] = { 0, 0 };

	disabled_ring(&ring);
	CHECK_EQ(restrict_raw(&ring, r, 1), 0);	/* NOP only */
	CHECK_EQ(io_uring_enable_rings(&ring), 0);
	CHECK_EQ(nop_result(&ring, 0, 0), 0);
	CHECK_EQ(nop_result(&ring, IOSQE_ASYNC, 0), -EACCES);
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring, vals), -EACCES);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, 0, NULL, 0, 0);
	sqe->user_data = 9;
	CHECK_EQ(io_uring_submit(&ring), 1);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->res, -EACCES);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);

	disabled_ring(&ring);
	CHECK_EQ(restrict_raw(&ring, r, 3), 0);
	CHECK_EQ(io_uring_enable_rings(&ring), 0);
	CHECK_EQ(nop_result(&ring, 0, 0), -EACCES);	/* LINK required */
	CHECK_EQ(nop_result(&ring, IOSQE_IO_LINK, 0), 0);
	CHECK_EQ(nop_result(&ring, IOSQE_IO_LINK | IOSQE_ASYNC, 0), 0);
	CHECK_EQ(nop_result(&ring, IOSQE_IO_LINK | IOSQE_IO_DRAIN, 0), -EACCES);
	io_uring_queue_exit(&ring);
}

static void case_restrictions_bad(void)
{
	struct io_uring ring;
	struct io_uring_restriction r[2] = {
		{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_NOP },
		{ .opcode = 9 },
	};

	disabled_ring(&ring);
	CHECK_EQ(restrict_raw(&ring, r, 2), -EINVAL);
	r[1].opcode = IORING_RESTRICTION_SQE_OP;
	r[1].sqe_op = 200;
	CHECK_EQ(restrict_raw(&ring, r, 2), -EINVAL);
	r[1].opcode = IORING_RESTRICTION_REGISTER_OP;
	r[1].register_op = 200;
	CHECK_EQ(restrict_raw(&ring, r, 2), -EINVAL);
	CHECK_EQ(restrict_raw(&ring, NULL, 2), -EINVAL);
	CHECK_EQ(restrict_raw(&ring, r, 100000), -EINVAL);
	/* a failed registration leaves none: an empty set is accepted, and
	 * then nothing at all is allowed */
	CHECK_EQ(restrict_raw(&ring, r, 0), 0);
	CHECK_EQ(io_uring_enable_rings(&ring), 0);
	CHECK_EQ(nop_result(&ring, 0, 0), -EACCES);
	io_uring_queue_exit(&ring);
}

static void case_iowq_aff(void)
{
	struct io_uring ring;
	cpu_set_t set;

	t_ring(&ring, 4, NULL);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK_EQ(io_uring_register_iowq_aff(&ring, sizeof(set), &set), 0);
	CHECK_EQ(io_uring_register_iowq_aff(&ring, 0, &set), -EINVAL);
	CHECK_EQ(io_uring_register_iowq_aff(&ring, sizeof(set), NULL), -EINVAL);
	CHECK_EQ(io_uring_register_iowq_aff(&ring, 1, &set), 0);
	CHECK_EQ(io_uring_unregister_iowq_aff(&ring), 0);
	CHECK_EQ(io_uring_unregister_iowq_aff(&ring), 0);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_UNREGISTER_IOWQ_AFF,
				   &set, 0), -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_UNREGISTER_IOWQ_AFF,
				   NULL, 1), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* Pinned workers still do the work. */
static void case_iowq_aff_work(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	cpu_set_t set;
	char buf[4];
	int pfd[2];

	t_ring(&ring, 4, NULL);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK_EQ(io_uring_register_iowq_aff(&ring, sizeof(set), &set), 0);
	CHECK_EQ(pipe(pfd), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, pfd[0], buf, sizeof(buf), 0);
	sqe->flags |= IOSQE_ASYNC;
	sqe->user_data = 1;
	CHECK_EQ(io_uring_submit(&ring), 1);
	usleep(10000);
	CHECK_EQ(write(pfd[1], "aff", 3), 3);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->res, 3);
	io_uring_cqe_seen(&ring, cqe);
	close(pfd[0]);
	close(pfd[1]);
	io_uring_queue_exit(&ring);
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void case_clock(void)
{
	struct io_uring ring;
	struct io_uring_clock_register reg = { .clockid = CLOCK_BOOTTIME };
	struct __kernel_timespec ts;
	struct io_uring_getevents_arg arg = { .ts = (uint64_t)(uintptr_t)&ts };
	uint64_t start, dl;
	int ret;

	t_ring(&ring, 4, NULL);
	CHECK_EQ(io_uring_register_clock(&ring, &reg), 0);
	reg.clockid = CLOCK_MONOTONIC;
	CHECK_EQ(io_uring_register_clock(&ring, &reg), 0);
	reg.clockid = CLOCK_REALTIME;
	CHECK_EQ(io_uring_register_clock(&ring, &reg), -EINVAL);
	reg.clockid = CLOCK_MONOTONIC;
	reg.__resv[1] = 1;
	CHECK_EQ(io_uring_register_clock(&ring, &reg), -EINVAL);
	reg.__resv[1] = 0;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_CLOCK, &reg, 1),
		 -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_CLOCK, NULL, 0),
		 -EINVAL);
	/* an absolute deadline on CLOCK_BOOTTIME, 20 ms from now */
	reg.clockid = CLOCK_BOOTTIME;
	CHECK_EQ(io_uring_register_clock(&ring, &reg), 0);
	start = t_now_ns();
	dl = clock_ns(CLOCK_BOOTTIME) + 20000000;
	ts.tv_sec = (long long)(dl / 1000000000ull);
	ts.tv_nsec = (long long)(dl % 1000000000ull);
	ret = io_uring_enter2(ring.ring_fd, 0, 1, IORING_ENTER_GETEVENTS |
			      IORING_ENTER_EXT_ARG | IORING_ENTER_ABS_TIMER,
			      &arg, sizeof(arg));
	CHECK_EQ(ret, -ETIME);
	CHECK(t_now_ns() - start >= 15000000);
	CHECK(t_now_ns() - start < 1000000000);
	io_uring_queue_exit(&ring);
}

static void case_get_events(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int ret;

	t_ring(&ring, 4, NULL);
	CHECK_EQ(io_uring_get_events(&ring), 0);
	CHECK_EQ(io_uring_submit_and_get_events(&ring), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	ret = io_uring_submit_and_get_events(&ring);
	CHECK_EQ(ret, 1);
	CHECK_EQ(io_uring_cq_ready(&ring), 1);
	io_uring_cq_advance(&ring, 1);
	io_uring_queue_exit(&ring);
}

/* A helper thread posts one CQE on the ring after a delay, by MSG_RING
 * from a ring of its own. */
struct poster {
	int target_fd, delay_us;
	struct io_uring ring;
	pthread_t th;
};

static void *poster_main(void *arg)
{
	struct poster *p = arg;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&p->ring);
	struct io_uring_cqe *cqe;

	usleep((useconds_t)p->delay_us);
	io_uring_prep_msg_ring(sqe, p->target_fd, 0, 0xabc, 0);
	io_uring_submit_and_wait(&p->ring, 1);
	if (!io_uring_peek_cqe(&p->ring, &cqe))
		io_uring_cqe_seen(&p->ring, cqe);
	return NULL;
}

static void post_later(struct poster *p, struct io_uring *target, int us)
{
	p->target_fd = target->ring_fd;
	p->delay_us = us;
	t_ring(&p->ring, 4, NULL);
	CHECK_EQ(pthread_create(&p->th, NULL, poster_main, p), 0);
}

static void post_done(struct poster *p)
{
	pthread_join(p->th, NULL);
	io_uring_queue_exit(&p->ring);
}

static int min_wait(struct io_uring *ring, unsigned nr, long ts_ms,
		    unsigned min_us, uint64_t *ms)
{
	struct __kernel_timespec ts = { .tv_nsec = ts_ms * 1000000 };
	struct io_uring_cqe *cqe;
	uint64_t start = t_now_ns();
	int ret;

	ret = io_uring_wait_cqes_min_timeout(ring, &cqe, nr, ts_ms ? &ts : NULL,
					     min_us, NULL);
	*ms = (t_now_ns() - start) / 1000000;
	return ret;
}

/* FEAT_MIN_TIMEOUT: the kernel's semantics, timed loosely. */
static void case_min_timeout(void)
{
	struct io_uring ring;
	struct poster p;
	uint64_t ms;

	t_ring(&ring, 8, NULL);
	CHECK(ring.features & IORING_FEAT_MIN_TIMEOUT);
	/* nothing comes: the full timeout */
	CHECK_EQ(min_wait(&ring, 1, 50, 10000, &ms), -ETIME);
	CHECK(ms >= 45 && ms < 500);
	/* a minimum longer than the timeout wins */
	CHECK_EQ(min_wait(&ring, 1, 10, 50000, &ms), -ETIME);
	CHECK(ms >= 45 && ms < 500);
	/* one CQE before the minimum: returned when the minimum is up */
	post_later(&p, &ring, 5000);
	CHECK_EQ(min_wait(&ring, 4, 300, 60000, &ms), 0);
	post_done(&p);
	CHECK(ms >= 55 && ms < 280);
	CHECK_EQ(io_uring_cq_ready(&ring), 1);
	io_uring_cq_advance(&ring, 1);
	/* one CQE after the minimum: returned at once, short of 4 */
	post_later(&p, &ring, 80000);
	CHECK_EQ(min_wait(&ring, 4, 1000, 20000, &ms), 0);
	post_done(&p);
	CHECK(ms >= 20 && ms < 900);	/* the poster's 80 ms, give or take */
	CHECK_EQ(io_uring_cq_ready(&ring), 1);
	io_uring_cq_advance(&ring, 1);
	io_uring_queue_exit(&ring);
}

/* Without an overall timeout the minimum is the timeout. */
static void case_min_timeout_alone(void)
{
	struct io_uring ring;
	struct __kernel_timespec *none = NULL;
	struct io_uring_cqe *cqe;
	uint64_t start;

	t_ring(&ring, 8, NULL);
	start = t_now_ns();
	CHECK_EQ(io_uring_submit_and_wait_min_timeout(&ring, &cqe, 1, none,
						      20000, NULL), -ETIME);
	CHECK(t_now_ns() - start >= 15000000);
	CHECK(t_now_ns() - start < 500000000);
	io_uring_queue_exit(&ring);
}

static int ringfds(struct io_uring *ring, unsigned op, unsigned off, int fd,
		   unsigned nr, unsigned *off_out)
{
	struct io_uring_rsrc_update up[20];
	unsigned i;
	int ret;

	memset(up, 0, sizeof(up));
	for (i = 0; i < 20; i++) {
		up[i].offset = off;
		up[i].data = (uint64_t)fd;
	}
	ret = io_uring_register(ring->ring_fd, op, up, nr);
	if (off_out)
		*off_out = up[0].offset;
	return ret;
}

static int enter_idx(int idx)
{
	return io_uring_enter((unsigned)idx, 0, 0, IORING_ENTER_REGISTERED_RING,
			      NULL);
}

/* IORING_REGISTER_RING_FDS and enters by registered index. */
static void case_ring_fds(void)
{
	struct io_uring ring, other;
	struct io_uring_rsrc_update up = { .offset = -1U, .resv = 1 };
	unsigned off;
	int pfd[2];

	t_ring(&ring, 4, NULL);
	t_ring(&other, 4, NULL);
	CHECK_EQ(io_uring_register_ring_fd(&ring), 1);
	CHECK(ring.enter_ring_fd >= 0 && ring.enter_ring_fd < 16);
	CHECK_EQ(io_uring_register_ring_fd(&ring), -EEXIST);
	CHECK_EQ(nop_result(&ring, 0, 0), 0);	/* enters by index */
	CHECK_EQ(io_uring_unregister_ring_fd(&ring), 1);
	CHECK_EQ(nop_result(&ring, 0, 0), 0);	/* and by fd again */
	/* a chosen slot */
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, 5, other.ring_fd, 1,
			 &off), 1);
	CHECK_EQ(off, 5);
	CHECK_EQ(enter_idx(5), 0);
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, 5, ring.ring_fd, 1,
			 NULL), -EBUSY);
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, 16, ring.ring_fd, 1,
			 NULL), -EINVAL);
	CHECK_EQ(pipe(pfd), 0);
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, -1U, pfd[0], 1,
			 NULL), -EOPNOTSUPP);
	close(pfd[0]);
	close(pfd[1]);
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, -1U, 999, 1, NULL),
		 -EBADF);
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, -1U, ring.ring_fd, 0,
			 NULL), -EINVAL);
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, -1U, ring.ring_fd, 17,
			 NULL), -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_RING_FDS, NULL,
				   1), -EFAULT);
	up.data = (uint64_t)ring.ring_fd;
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_RING_FDS, &up,
				   1), -EINVAL);
	CHECK_EQ(enter_idx(16), -EINVAL);
	/* unregistering: an empty slot counts, an out-of-range one fails */
	CHECK_EQ(ringfds(&ring, IORING_UNREGISTER_RING_FDS, 5, 0, 1, NULL), 1);
	CHECK_EQ(ringfds(&ring, IORING_UNREGISTER_RING_FDS, 5, 0, 1, NULL), 1);
	CHECK_EQ(ringfds(&ring, IORING_UNREGISTER_RING_FDS, -1U, 0, 1, NULL),
		 -EINVAL);
	CHECK_EQ(enter_idx(5), -EBADF);
	/* io_uring_queue_exit unregisters a ring registered by the library */
	CHECK_EQ(io_uring_register_ring_fd(&other), 1);
	io_uring_queue_exit(&other);
	io_uring_queue_exit(&ring);
}

/*
 * Where the engine's registered rings differ (see docs/ARCHITECTURE.md):
 * free slots are handed out from the top; a slot holds no reference, so a
 * ring torn down behind it leaves the slot empty (the kernel's keeps the
 * ring alive); and there is no FEAT_REG_REG_RING, so a ring cannot be left
 * reachable by its index alone: io_uring_close_ring_fd() is refused.
 */
static void case_ring_fds_engine(void)
{
	struct io_uring ring, other;
	unsigned off;

	t_ring(&ring, 4, NULL);
	t_ring(&other, 4, NULL);
	CHECK(!(ring.features & IORING_FEAT_REG_REG_RING));
	CHECK_EQ(io_uring_register_ring_fd(&ring), 1);
	CHECK_EQ(ring.enter_ring_fd, 15);
	CHECK_EQ(io_uring_close_ring_fd(&ring), -EOPNOTSUPP);
	CHECK_EQ(ringfds(&ring, IORING_REGISTER_RING_FDS, -1U, other.ring_fd, 1,
			 &off), 1);
	CHECK_EQ(off, 14);
	io_uring_queue_exit(&other);
	CHECK_EQ(enter_idx(14), -EBADF);
	CHECK_EQ(nop_result(&ring, 0, 0), 0);
	io_uring_queue_exit(&ring);
}

/* A probe needs its buffer: -EINVAL without one, as the kernel says. */
static void case_probe_args(void)
{
	struct io_uring ring;

	t_ring(&ring, 4, NULL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_PROBE, NULL, 0),
		 -EINVAL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_PROBE, NULL, 4),
		 -EINVAL);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "personality", case_personality, 0 },
		{ "restrictions_register_op", case_restrictions_register_op, 0 },
		{ "restrictions_sqe", case_restrictions_sqe, 0 },
		{ "restrictions_bad", case_restrictions_bad, 0 },
		{ "iowq_aff", case_iowq_aff, 0 },
		{ "iowq_aff_work", case_iowq_aff_work, 0 },
		{ "clock", case_clock, 0 },
		{ "get_events", case_get_events, 0 },
		{ "min_timeout", case_min_timeout, 0 },
		{ "min_timeout_alone", case_min_timeout_alone, 0 },
		{ "ring_fds", case_ring_fds, 0 },
		{ "probe_args", case_probe_args, 0 },
		{ "ring_fds_engine", case_ring_fds_engine, T_USER_ONLY },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
