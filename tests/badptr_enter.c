/* SPDX-License-Identifier: MIT */
/*
 * io_uring_enter with bad pointers: the sigmask (and its size), the
 * EXT_ARG argument (and its size), its timespec and its sigmask, the
 * registered-wait flag, and registered ring indexes that name nothing.
 * Each call waits for one CQE while a 10 ms TIMEOUT is armed, or finds a
 * CQE already there (the kernel then never reads the sigmask). The engine
 * must give the kernel's answer, never a signal.
 */
#include "badptr.h"

enum ecase {
	E_SIGMASK,	/* arg is the sigmask, of size sz */
	E_EXT,		/* arg is an EXT_ARG of size sz */
	E_EXT_TS,	/* EXT_ARG's ts at kind */
	E_EXT_SIG,	/* EXT_ARG's sigmask at kind, of size sz */
	E_EXT_REG,	/* EXT_ARG | EXT_ARG_REG, arg at kind, size sz */
	E_INDEX,	/* REGISTERED_RING with index sz */
};

static const char *const ecase_name[] = {
	"sigmask", "ext_arg", "ext_arg ts", "ext_arg sigmask", "ext_arg_reg",
	"registered index",
};

struct enter_call {
	int ecase;
	int kind;
	unsigned sz;
	unsigned flags;		/* more enter flags */
	bool ready;		/* a CQE is there before the wait */
	unsigned min;		/* min_complete */
};

static struct enter_call calls[BP_MAX_CALLS];
static int ncalls;

/* The wait's own timeout: well after the 10 ms TIMEOUT, which ends it. */
static const struct __kernel_timespec ts1s = { 1, 0 };

/* Arms a 10 ms TIMEOUT, or posts a NOP's CQE (@ready). */
static bool enter_prepare(struct io_uring *ring, bool ready)
{
	static struct __kernel_timespec ts = { 0, 10000000 };
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return false;
	if (ready) {
		io_uring_prep_nop(sqe);
		return io_uring_submit_and_wait(ring, 1) == 1;
	}
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	return io_uring_submit(ring) == 1;
}

static long enter_call(const struct enter_call *c, struct io_uring *ring)
{
	struct io_uring_getevents_arg ga = { .ts = (uintptr_t)&ts1s };
	unsigned flags = IORING_ENTER_GETEVENTS | c->flags;
	unsigned char zero[128] = { 0 };
	int fd = ring->ring_fd;
	void *arg = NULL;
	size_t sz = c->sz;

	switch (c->ecase) {
	case E_SIGMASK:
		arg = bp_place(c->kind, zero, sizeof(zero));
		break;
	case E_EXT:
	case E_EXT_REG:
		flags |= IORING_ENTER_EXT_ARG;
		if (c->ecase == E_EXT_REG)
			flags |= IORING_ENTER_EXT_ARG_REG;
		arg = bp_place(c->kind, &ga, sizeof(ga));
		break;
	case E_EXT_TS:
		flags |= IORING_ENTER_EXT_ARG;
		ga.ts = (uintptr_t)bp_place(c->kind, &ts1s, sizeof(ts1s));
		arg = &ga;
		sz = sizeof(ga);
		break;
	case E_EXT_SIG:
		flags |= IORING_ENTER_EXT_ARG;
		ga.sigmask = (uintptr_t)bp_place(c->kind, zero, sizeof(zero));
		ga.sigmask_sz = c->sz;
		arg = &ga;
		sz = sizeof(ga);
		break;
	default:
		flags |= IORING_ENTER_REGISTERED_RING;
		fd = (int)c->sz;
		sz = 0;
		break;
	}
	return io_uring_enter2((unsigned)fd, 0, c->min, flags, arg, sz);
}

static void enter_child(int i, void *ctx)
{
	const struct enter_call *c = &calls[i];
	struct io_uring ring;

	if (io_uring_queue_init(4, &ring, 0))
		return;
	if (!enter_prepare(&ring, c->ready))
		return;
	bp_returned(enter_call(c, &ring));
	io_uring_queue_exit(&ring);
	bp_torn_down();
}

static void enter_what(int i, void *ctx, char *buf, size_t len)
{
	const struct enter_call *c = &calls[i];

	snprintf(buf, len, "enter %s at %s size %u flags %#x min %u%s",
		 ecase_name[c->ecase], bp_kind_name[c->kind], c->sz, c->flags,
		 c->min, c->ready ? ", a CQE ready" : "");
}

static void add(int ecase, int kind, unsigned sz, unsigned flags, bool ready,
		unsigned min)
{
	CHECK(ncalls < BP_MAX_CALLS);
	calls[ncalls++] = (struct enter_call){ ecase, kind, sz, flags, ready,
					       min };
}

static void check(void)
{
	CHECK_EQ(bp_diff(ncalls, enter_child, NULL, BP_CALL_MS, enter_what,
			 NULL), 0);
}

static void case_sigmask(void)
{
	static const unsigned sizes[] = { 0, 4, 8, 16, 128 };
	unsigned s, r;
	int k;

	bp_init();
	for (k = 0; k < BP_NKINDS; k++)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (r = 0; r < 3; r++)
				add(E_SIGMASK, k, sizes[s], 0, r == 1, r < 2);
	check();
}

static void case_ext_arg(void)
{
	static const unsigned sizes[] = { 0, 16, 24, 32 };
	static const unsigned sig_sizes[] = { 0, 4, 8, 16 };
	unsigned s, r;
	int k;

	bp_init();
	for (k = 0; k < BP_NKINDS; k++) {
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (r = 0; r < 3; r++)
				add(E_EXT, k, sizes[s], 0, r == 1, r < 2);
		for (r = 0; r < 3; r++) {
			add(E_EXT_TS, k, 0, 0, r == 1, r < 2);
			add(E_EXT_TS, k, 0, IORING_ENTER_ABS_TIMER, r == 1, r < 2);
		}
		for (s = 0; s < sizeof(sig_sizes) / sizeof(sig_sizes[0]); s++)
			for (r = 0; r < 3; r++)
				add(E_EXT_SIG, k, sig_sizes[s], 0, r == 1, r < 2);
		add(E_EXT_REG, k, sizeof(struct io_uring_getevents_arg), 0,
		    false, 1);
		add(E_EXT_REG, k, sizeof(struct io_uring_reg_wait), 0, false, 1);
		add(E_EXT_REG, k, sizeof(struct io_uring_reg_wait), 0, true, 1);
	}
	check();
}

/* Indexes that name no registered ring; and flags nobody knows. */
static void case_index(void)
{
	static const unsigned idx[] = { 0, 5, 15, 16, 100, 0x7fffffff,
					0xffffffff };
	unsigned i;

	bp_init();
	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		add(E_INDEX, BP_NULL, idx[i], 0, false, 1);
		add(E_INDEX, BP_NULL, idx[i], IORING_ENTER_EXT_ARG, false, 1);
		add(E_INDEX, BP_NULL, idx[i], 1u << 12, false, 1);
	}
	add(E_SIGMASK, BP_UNMAPPED, 8, 1u << 12, false, 1);
	add(E_SIGMASK, BP_UNMAPPED, 8, 1u << 31, false, 1);
	check();
}

/* --- the same on each backend, and in the jail --------------------------- */

/* One wait on an empty CQ with a TIMEOUT armed (or with a CQE ready);
 * the CQ is empty again after it. */
static int wait_with(struct io_uring *ring, unsigned flags, void *arg,
		     size_t sz, bool ready)
{
	struct __kernel_timespec ts = { 2, 0 };
	struct io_uring_cqe *cqe;
	int ret;

	CHECK(enter_prepare(ring, ready));
	ret = io_uring_enter2((unsigned)ring->ring_fd, 0, 1,
			      IORING_ENTER_GETEVENTS | flags, arg, sz);
	CHECK_EQ(io_uring_wait_cqe_timeout(ring, &cqe, &ts), 0);
	io_uring_cq_advance(ring, io_uring_cq_ready(ring));
	return ret;
}

/* Each pointer the engine used to read directly, and the order of the
 * sigmask checks. */
static void case_faults(void)
{
	struct io_uring_getevents_arg ga = { 0 };
	const unsigned ext = IORING_ENTER_EXT_ARG;
	struct io_uring ring;
	uint64_t mask = 0;

	bp_init();
	t_ring(&ring, 8, NULL);
	CHECK_EQ(wait_with(&ring, ext, bp_ptr(BP_UNMAPPED), sizeof(ga), false),
		 -EFAULT);
	CHECK_EQ(wait_with(&ring, ext, bp_ptr(BP_TAIL16), sizeof(ga), false),
		 -EFAULT);
	ga.ts = (uintptr_t)bp_ptr(BP_PROTNONE);
	CHECK_EQ(wait_with(&ring, ext, &ga, sizeof(ga), true), -EFAULT);
	ga.ts = 0;
	ga.sigmask = (uintptr_t)bp_ptr(BP_KERNEL);
	ga.sigmask_sz = 8;
	CHECK_EQ(wait_with(&ring, ext, &ga, sizeof(ga), false), -EFAULT);
	/* a CQE is there: the sigmask is never read */
	CHECK_EQ(wait_with(&ring, ext, &ga, sizeof(ga), true), 0);
	ga.sigmask_sz = 4;
	CHECK_EQ(wait_with(&ring, ext, &ga, sizeof(ga), true), 0);
	CHECK_EQ(wait_with(&ring, ext, &ga, sizeof(ga), false), -EINVAL);
	CHECK_EQ(wait_with(&ring, 0, bp_ptr(BP_UNMAPPED), 8, false), -EFAULT);
	CHECK_EQ(wait_with(&ring, 0, bp_ptr(BP_UNMAPPED), 8, true), 0);
	CHECK_EQ(wait_with(&ring, 0, &mask, 16, true), 0);
	CHECK_EQ(wait_with(&ring, 0, &mask, 16, false), -EINVAL);
	/* no registered wait region */
	CHECK_EQ(wait_with(&ring, ext | IORING_ENTER_EXT_ARG_REG,
			   bp_ptr(BP_VALID), sizeof(struct io_uring_reg_wait),
			   true), -EFAULT);
	CHECK_EQ(wait_with(&ring, ext | IORING_ENTER_EXT_ARG_REG,
			   bp_ptr(BP_VALID), sizeof(ga), true), -EINVAL);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "sigmask", case_sigmask, T_DIFF },
		{ "ext_arg", case_ext_arg, T_DIFF },
		{ "index", case_index, T_DIFF },
		{ "faults", case_faults, 0 },
		{ NULL, NULL, 0 },
	};

	return bp_main(argc, argv, cases);
}
