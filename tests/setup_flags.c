/* SPDX-License-Identifier: MIT */
/*
 * The setup flags beyond sizing: the task-run flag rules, SINGLE_ISSUER
 * (-EEXIST for other threads), DEFER_TASKRUN, R_DISABLED with
 * IORING_REGISTER_ENABLE_RINGS, and the flags the engine refuses.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

static int try_flags(unsigned flags)
{
	struct io_uring ring;
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	ret = t_ring_try(&ring, 4, &p, t_backend);
	if (!ret)
		io_uring_queue_exit(&ring);
	return ret;
}

static void ring_flags(struct io_uring *ring, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	t_ring(ring, 8, &p);
}

static int nop_result(struct io_uring *ring, uint64_t user_data)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	struct io_uring_cqe *cqe;
	int res;

	io_uring_prep_nop(sqe);
	sqe->user_data = user_data;
	CHECK_EQ(io_uring_submit_and_wait(ring, 1), 1);
	cqe = t_wait(ring, 2000);
	CHECK_EQ(cqe->user_data, user_data);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void case_taskrun_rules(void)
{
	const unsigned si = IORING_SETUP_SINGLE_ISSUER;

	CHECK_EQ(try_flags(IORING_SETUP_DEFER_TASKRUN), -EINVAL);
	CHECK_EQ(try_flags(IORING_SETUP_TASKRUN_FLAG), -EINVAL);
	CHECK_EQ(try_flags(IORING_SETUP_COOP_TASKRUN), 0);
	CHECK_EQ(try_flags(IORING_SETUP_COOP_TASKRUN |
			   IORING_SETUP_TASKRUN_FLAG), 0);
	CHECK_EQ(try_flags(IORING_SETUP_DEFER_TASKRUN | si), 0);
	CHECK_EQ(try_flags(IORING_SETUP_DEFER_TASKRUN | si |
			   IORING_SETUP_TASKRUN_FLAG), 0);
	CHECK_EQ(try_flags(si), 0);
	CHECK_EQ(try_flags(IORING_SETUP_SQPOLL | IORING_SETUP_DEFER_TASKRUN |
			   si), -EINVAL);
	CHECK_EQ(try_flags(IORING_SETUP_SQPOLL | IORING_SETUP_COOP_TASKRUN |
			   IORING_SETUP_TASKRUN_FLAG), -EINVAL);
}

/* What another thread gets on a SINGLE_ISSUER ring. */
struct other {
	struct io_uring *ring;
	int enter0, submit, getevents, reg;
};

static void *other_main(void *arg)
{
	struct other *o = arg;
	struct io_uring_sqe *sqe;
	unsigned vals[2] = { 0, 0 };

	o->enter0 = io_uring_enter(o->ring->ring_fd, 0, 0, 0, NULL);
	o->getevents = io_uring_enter(o->ring->ring_fd, 0, 0,
				      IORING_ENTER_GETEVENTS, NULL);
	o->reg = io_uring_register_iowq_max_workers(o->ring, vals);
	sqe = io_uring_get_sqe(o->ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 99;
	o->submit = io_uring_submit(o->ring);
	return NULL;
}

static void from_other(struct io_uring *ring, struct other *o)
{
	pthread_t th;

	memset(o, 0, sizeof(*o));
	o->ring = ring;
	CHECK_EQ(pthread_create(&th, NULL, other_main, o), 0);
	pthread_join(th, NULL);
}

static void case_single_issuer(void)
{
	struct io_uring ring;
	struct other o;

	ring_flags(&ring, IORING_SETUP_SINGLE_ISSUER);
	from_other(&ring, &o);
	CHECK_EQ(o.enter0, 0);
	CHECK_EQ(o.getevents, 0);
	CHECK_EQ(o.reg, -EEXIST);
	CHECK_EQ(o.submit, -EEXIST);
	/* the SQE the other thread queued is still there: ours to submit */
	CHECK_EQ(io_uring_submit_and_wait(&ring, 1), 1);
	CHECK_EQ(t_wait(&ring, 2000)->user_data, 99);
	io_uring_cq_advance(&ring, 1);
	CHECK_EQ(nop_result(&ring, 1), 0);
	io_uring_queue_exit(&ring);
}

/* DEFER_TASKRUN: waiting belongs to the issuer too. The kernel posts the
 * completions when the issuer enters; the engine posts them at once,
 * which an application cannot tell from a quick enter. */
static void case_defer_taskrun(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct other o;
	char buf[8] = { 0 };
	int fd = t_tmpfd();

	ring_flags(&ring, IORING_SETUP_SINGLE_ISSUER |
		   IORING_SETUP_DEFER_TASKRUN);
	from_other(&ring, &o);
	CHECK_EQ(o.enter0, 0);
	CHECK_EQ(o.getevents, -EEXIST);
	CHECK_EQ(o.reg, -EEXIST);
	CHECK_EQ(o.submit, -EEXIST);
	io_uring_cq_advance(&ring, io_uring_cq_ready(&ring));
	CHECK_EQ(pwrite(fd, "defer", 5, 0), 5);
	/* drop the NOP the other thread left, then a read */
	CHECK_EQ(io_uring_submit_and_wait(&ring, 1), 1);
	io_uring_cq_advance(&ring, 1);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	sqe->user_data = 5;
	CHECK_EQ(io_uring_submit_and_wait(&ring, 1), 1);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 5);
	CHECK_EQ(cqe->res, 5);
	io_uring_cqe_seen(&ring, cqe);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void case_r_disabled(void)
{
	struct io_uring ring, plain;

	ring_flags(&ring, IORING_SETUP_R_DISABLED);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 0, 0, 0, NULL), -EBADFD);
	CHECK_EQ(io_uring_enter(ring.ring_fd, 1, 1, IORING_ENTER_GETEVENTS,
				NULL), -EBADFD);
	/* registering works before the ring is enabled */
	CHECK_EQ(io_uring_register_iowq_max_workers(&ring,
						    (unsigned[2]){ 0, 0 }), 0);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_ENABLE_RINGS,
				   NULL, 1), -EINVAL);
	CHECK_EQ(io_uring_enable_rings(&ring), 0);
	CHECK_EQ(io_uring_enable_rings(&ring), -EBADFD);
	CHECK_EQ(nop_result(&ring, 1), 0);
	io_uring_queue_exit(&ring);
	t_ring(&plain, 4, NULL);
	CHECK_EQ(io_uring_enable_rings(&plain), -EBADFD);
	io_uring_queue_exit(&plain);
}

static void *enable_main(void *arg)
{
	return (void *)(intptr_t)io_uring_enable_rings(arg);
}

/* A disabled SINGLE_ISSUER ring gets its issuer when it is enabled. */
static void case_single_issuer_disabled(void)
{
	struct io_uring ring;
	struct other o;
	pthread_t th;
	void *ret;

	ring_flags(&ring, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_R_DISABLED);
	from_other(&ring, &o);
	CHECK_EQ(o.enter0, -EBADFD);
	CHECK_EQ(o.reg, 0);
	CHECK_EQ(o.submit, -EBADFD);
	/* enabled by another thread: that thread is the issuer */
	CHECK_EQ(pthread_create(&th, NULL, enable_main, &ring), 0);
	pthread_join(th, &ret);
	CHECK_EQ((intptr_t)ret, 0);
	CHECK_EQ(io_uring_submit(&ring), -EEXIST);
	io_uring_queue_exit(&ring);
}

/* SQPOLL with R_DISABLED: the thread starts at ENABLE_RINGS. */
static void case_sqpoll_disabled(void)
{
	struct io_uring ring;

	struct io_uring_cqe *cqe;

	ring_flags(&ring, IORING_SETUP_SQPOLL | IORING_SETUP_R_DISABLED);
	CHECK_EQ(io_uring_enable_rings(&ring), 0);
	io_uring_prep_nop(t_sqe(&ring));
	io_uring_sqe_set_data64(ring.sq.sqes, 3);
	/* SQPOLL: the count is what the thread had not taken yet */
	CHECK(io_uring_submit(&ring) >= 0);
	cqe = t_wait(&ring, 2000);
	CHECK_EQ(cqe->user_data, 3);
	CHECK_EQ(cqe->res, 0);
	io_uring_queue_exit(&ring);
}

static void case_coop_taskrun(void)
{
	struct io_uring ring;

	ring_flags(&ring, IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
	CHECK_EQ(nop_result(&ring, 2), 0);
	CHECK(!(*ring.sq.kflags & IORING_SQ_TASKRUN));
	io_uring_queue_exit(&ring);
}

/* SQE128 and CQE32: twice the slot size, same ring semantics. The second
 * half of a CQE is zeroed for ops without extra data, whatever was in the
 * slot; the second half of an SQE means nothing to a NOP. */
static void case_big_rings(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned lap, i;

	ring_flags(&ring, IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
	for (lap = 0; lap < 3; lap++) {
		/* garbage in every slot the CQEs will use */
		memset(ring.cq.cqes, 0xa5, 2 * sizeof(*cqe) * ring.cq.ring_entries);
		for (i = 0; i < 8; i++) {
			sqe = t_sqe(&ring);
			memset(sqe + 1, 0x5a, sizeof(*sqe));	/* 2nd half */
			io_uring_prep_nop(sqe);
			sqe->user_data = lap * 10 + i;
		}
		CHECK_EQ(io_uring_submit_and_wait(&ring, 8), 8);
		for (i = 0; i < 8; i++) {
			cqe = t_wait(&ring, 2000);
			CHECK_EQ(cqe->user_data, lap * 10 + i);
			CHECK_EQ(cqe->res, 0);
			CHECK_EQ(cqe->flags, 0);
			CHECK_EQ(cqe->big_cqe[0], 0);
			CHECK_EQ(cqe->big_cqe[1], 0);
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
}

/* NOP's IORING_NOP_CQE32 needs a CQE32 ring (-EINVAL on a plain one). */
static void case_nop_cqe32_plain(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	t_ring(&ring, 4, NULL);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->nop_flags = IORING_NOP_CQE32;
	CHECK_EQ(io_uring_submit_and_wait(&ring, 1), 1);
	CHECK_EQ(t_wait(&ring, 2000)->res, -EINVAL);
	io_uring_queue_exit(&ring);
}

/*
 * What the engine does not implement it refuses with the kernel's "no
 * such flag" errno, where the kernel accepts: IOPOLL (no polled block
 * I/O in user space) and rings in application memory (NO_MMAP, and
 * REGISTERED_FD_ONLY which needs it). On a CQE32 ring, NOP's
 * IORING_NOP_CQE32 (extra data in the big CQE) gives -EINVAL.
 */
static void case_engine_refuses(void)
{
	struct io_uring ring;
	struct io_uring_params p;
	struct io_uring_sqe *sqe;
	char mem[1 << 16] __attribute__((aligned(4096)));

	CHECK_EQ(try_flags(IORING_SETUP_IOPOLL), -EINVAL);
	memset(&p, 0, sizeof(p));
	CHECK_EQ(io_uring_queue_init_mem(4, &ring, &p, mem, sizeof(mem)),
		 -EINVAL);
	ring_flags(&ring, IORING_SETUP_CQE32);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->nop_flags = IORING_NOP_CQE32;
	CHECK_EQ(io_uring_submit_and_wait(&ring, 1), 1);
	CHECK_EQ(t_wait(&ring, 2000)->res, -EINVAL);
	io_uring_queue_exit(&ring);
}

static void case_kernel_accepts(void)
{
	CHECK_EQ(try_flags(IORING_SETUP_IOPOLL), 0);
}

static void case_features(void)
{
	struct io_uring ring;

	t_ring(&ring, 4, NULL);
	CHECK(ring.features & IORING_FEAT_SQPOLL_NONFIXED);
	CHECK(ring.features & IORING_FEAT_MIN_TIMEOUT);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "taskrun_rules", case_taskrun_rules, 0 },
		{ "single_issuer", case_single_issuer, 0 },
		{ "defer_taskrun", case_defer_taskrun, 0 },
		{ "r_disabled", case_r_disabled, 0 },
		{ "single_issuer_disabled", case_single_issuer_disabled, 0 },
		{ "sqpoll_disabled", case_sqpoll_disabled, 0 },
		{ "coop_taskrun", case_coop_taskrun, 0 },
		{ "big_rings", case_big_rings, 0 },
		{ "nop_cqe32_plain", case_nop_cqe32_plain, 0 },
		{ "engine_refuses", case_engine_refuses, T_USER_ONLY },
		{ "kernel_accepts", case_kernel_accepts, T_KERNEL_ONLY },
		{ "features", case_features, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
