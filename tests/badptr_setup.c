/* SPDX-License-Identifier: MIT */
/*
 * io_uring_setup with bad params pointers (every pointer kind of
 * badptr.h: the kernel reads the params, then writes them back), bad
 * fields, and every pair and triple of setup flags. The engine must give
 * the kernel's answer, never a signal. The flags the engine refuses
 * (docs/ARCHITECTURE.md: IOPOLL, HYBRID_IOPOLL, CQE_MIXED, SQE_MIXED,
 * NO_MMAP, REGISTERED_FD_ONLY) give -EINVAL where the kernel takes them.
 */
#include <fcntl.h>
#include "badptr.h"

#define REFUSED (IORING_SETUP_IOPOLL | IORING_SETUP_HYBRID_IOPOLL | \
		 IORING_SETUP_CQE_MIXED | IORING_SETUP_SQE_MIXED | \
		 IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY)

/* What wq_fd is. */
enum { WQ_RING, WQ_NONE, WQ_BAD, WQ_PIPE, WQ_SQPOLL_RING, WQ_N };
static const char *const wq_name[WQ_N] = {
	"a ring", "-1", "999", "a pipe", "an SQPOLL ring",
};

struct setup_call {
	int kind;		/* where the params are */
	unsigned flags;
	unsigned entries;
	int wq;
	int field;		/* a field made bad, or -1 */
	bool alt;		/* the other field values (case_flag_combos) */
};

static struct setup_call calls[BP_MAX_CALLS];
static int ncalls;

/* Fields that can be wrong, by byte offset into the params. */
static const struct {
	const char *name;
	size_t off;
	uint32_t val;
} bad_fields[] = {
	{ "resv[0]", offsetof(struct io_uring_params, resv[0]), 1 },
	{ "resv[2]", offsetof(struct io_uring_params, resv[2]), 1 },
	{ "sq_thread_cpu", offsetof(struct io_uring_params, sq_thread_cpu), 4096 },
	{ "sq_thread_idle", offsetof(struct io_uring_params, sq_thread_idle), ~0u },
	{ "features", offsetof(struct io_uring_params, features), ~0u },
	{ "sq_off.resv1", offsetof(struct io_uring_params, sq_off.resv1), 1 },
	{ "cq_off.resv1", offsetof(struct io_uring_params, cq_off.resv1), 1 },
	{ "cq_entries", offsetof(struct io_uring_params, cq_entries), 0 },
	{ "cq_entries", offsetof(struct io_uring_params, cq_entries), 2 },
	{ "cq_entries", offsetof(struct io_uring_params, cq_entries), ~0u },
};

/* An engine ring goes with io_uring_queue_exit(), not with close(). The
 * params may be anywhere (misaligned): liburing's calls take a copy. */
static void ring_close(int fd, const void *params)
{
	struct io_uring_params p;
	struct io_uring ring;

	if (fd < 0)
		return;
	memcpy(&p, params, sizeof(p));
	memset(&ring, 0, sizeof(ring));
	if (!io_uring_queue_mmap(fd, &p, &ring))
		io_uring_queue_exit(&ring);
	else
		close(fd);
}

static struct io_uring_params wq_params;

static int wq_fd(int wq)
{
	int fds[2];

	memset(&wq_params, 0, sizeof(wq_params));
	switch (wq) {
	case WQ_RING:
		return io_uring_setup(2, &wq_params);
	case WQ_SQPOLL_RING:
		wq_params.flags = IORING_SETUP_SQPOLL;
		return io_uring_setup(2, &wq_params);
	case WQ_NONE:
		return -1;
	case WQ_BAD:
		return 999;
	default:
		return pipe(fds) ? -1 : fds[0];
	}
}

static void setup_child(int i, void *ctx)
{
	const struct setup_call *c = &calls[i];
	struct io_uring_params p;
	void *arg;
	int fd, wq;

	memset(&p, 0, sizeof(p));
	p.flags = c->flags;
	p.cq_entries = c->alt ? 1 : 16;
	p.sq_thread_idle = c->alt ? 0 : 10;
	p.sq_thread_cpu = c->alt ? 1 : 0;
	wq = wq_fd(c->wq);
	p.wq_fd = (unsigned)wq;
	if (c->field >= 0)
		memcpy((char *)&p + bad_fields[c->field].off,
		       &bad_fields[c->field].val, sizeof(uint32_t));
	arg = bp_place(c->kind, &p, sizeof(p));
	fd = io_uring_setup(c->entries, arg);
	bp_returned(fd < 0 ? fd : 0);
	ring_close(fd, arg);
	if (c->wq == WQ_RING || c->wq == WQ_SQPOLL_RING)
		ring_close(wq, &wq_params);
	bp_torn_down();
}

static void setup_what(int i, void *ctx, char *buf, size_t len)
{
	const struct setup_call *c = &calls[i];

	snprintf(buf, len, "setup %u params at %s flags %#x wq_fd %s%s%s%s",
		 c->entries, bp_kind_name[c->kind], c->flags, wq_name[c->wq],
		 c->field >= 0 ? " bad " : "",
		 c->field >= 0 ? bad_fields[c->field].name : "",
		 c->alt ? " (cq_entries 1, sq_thread_cpu 1, idle 0)" : "");
}

static long setup_expect(int i, void *ctx, long kres)
{
	const struct setup_call *c = &calls[i];

	/* Refused before anything the kernel checks later (a NO_MMAP ring's
	 * addresses, an ATTACH_WQ descriptor). */
	if ((c->flags & REFUSED) && c->kind == BP_VALID)
		return -EINVAL;
	return BP_SAME;
}

static void add_alt(int kind, unsigned flags, unsigned entries, int wq,
		    int field, bool alt)
{
	CHECK(ncalls < BP_MAX_CALLS);
	calls[ncalls++] = (struct setup_call){ kind, flags, entries, wq, field,
					       alt };
}

static void add(int kind, unsigned flags, unsigned entries, int wq, int field)
{
	add_alt(kind, flags, entries, wq, field, false);
}

static void check(void)
{
	CHECK_EQ(bp_diff(ncalls, setup_child, NULL, BP_CALL_MS, setup_what,
			 setup_expect), 0);
}

/* The params at every pointer kind (read-only: written back, -EFAULT). */
static void case_params_ptr(void)
{
	int k, f;

	bp_init();
	for (k = 0; k < BP_NKINDS; k++) {
		add(k, 0, 4, WQ_NONE, -1);
		add(k, 0, 0, WQ_NONE, -1);
		add(k, IORING_SETUP_SQPOLL, 4, WQ_NONE, -1);
		add(k, 1u << 31, 4, WQ_NONE, -1);
	}
	for (f = 0; f < (int)(sizeof(bad_fields) / sizeof(bad_fields[0])); f++) {
		add(BP_VALID, 0, 4, WQ_NONE, f);
		add(BP_VALID, IORING_SETUP_CQSIZE, 4, WQ_NONE, f);
		add(BP_VALID, IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF, 4,
		    WQ_NONE, f);
	}
	for (k = WQ_RING; k < WQ_N; k++) {
		add(BP_VALID, IORING_SETUP_ATTACH_WQ, 4, k, -1);
		add(BP_VALID, IORING_SETUP_ATTACH_WQ | IORING_SETUP_SQPOLL, 4,
		    k, -1);
	}
	check();
}

/* Every pair and triple of the flag bits up to SQ_REWIND and two unknown
 * ones, with the fields those flags read set to good values, or (@alt) to
 * other ones: a CQ smaller than the SQ, CPU 1, no idle time, 8 entries,
 * an SQPOLL ring to attach to. */
static void flag_combos(bool alt)
{
	unsigned bits[24], nb = 0, a, b, c;

	bp_init();
	for (a = 0; a <= 21; a++)
		bits[nb++] = 1u << a;
	bits[nb++] = 1u << 31;
	for (a = 0; a < nb; a++)
		for (b = a; b < nb; b++)
			for (c = b; c < nb; c++) {
				unsigned f = bits[a] | bits[b] | bits[c];
				/* an SQPOLL ring costs a thread: only where
				 * it is looked at */
				int wq = !(f & IORING_SETUP_ATTACH_WQ) ? WQ_NONE :
					 alt ? WQ_SQPOLL_RING : WQ_RING;

				add_alt(BP_VALID, f, alt ? 8 : 4, wq, -1, alt);
			}
	check();
}

static void case_flag_combos(void)
{
	flag_combos(false);
}

static void case_flag_combos_alt(void)
{
	flag_combos(true);
}

/* --- the same on each backend, and in the jail --------------------------- */

static int setup_at(int kind)
{
	struct io_uring_params p;
	int old, ret;

	memset(&p, 0, sizeof(p));
	old = aioring_set_mode(bp_mode(t_backend));
	ret = io_uring_setup(4, bp_place(kind, &p, sizeof(p)));
	aioring_set_mode(old);
	return ret;
}

/* Params that cannot be read, or written back: -EFAULT, and no ring. */
static void case_params(void)
{
	int next = dup(0), fd;

	bp_init();
	close(next);
	CHECK_EQ(setup_at(BP_UNMAPPED), -EFAULT);
	CHECK_EQ(setup_at(BP_KERNEL), -EFAULT);
	CHECK_EQ(setup_at(BP_TAIL16), -EFAULT);
	CHECK_EQ(setup_at(BP_RDONLY), -EFAULT);
	fd = dup(0);
	CHECK_EQ(fd, next);	/* nothing left open */
	close(fd);
	fd = setup_at(BP_MISALIGNED);
	CHECK(fd >= 0);
	ring_close(fd, bp_ptr(BP_MISALIGNED));
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "params_ptr", case_params_ptr, T_DIFF },
		{ "flag_combos", case_flag_combos, T_DIFF },
		{ "flag_combos_alt", case_flag_combos_alt, T_DIFF },
		{ "params", case_params, 0 },
		{ NULL, NULL, 0 },
	};

	return bp_main(argc, argv, cases);
}
