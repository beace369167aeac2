/* SPDX-License-Identifier: MIT */
/*
 * Randomness, and the setup and register phases: generation and execution.
 *
 * setup: io_uring_setup() with random params (flags, entries, cq_entries,
 * sq_thread_*, wq_fd, resv, features) at a random kind of pointer; if it
 * works, the rings are mapped and a NOP goes round.
 * register: a ring, then up to four io_uring_register() calls with a random
 * opcode, argument pointer and count over random memory, then a NOP.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"

const char *const fz_phase_names[FZ_NPHASE] = { "setup", "register", "sqe" };

void fz_rng_seed(struct fz_rng *r, uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t fz_next(struct fz_rng *r)
{
	uint64_t v = 0;
	unsigned i;

	if (r->data) {		/* libFuzzer: its bytes drive the choices */
		for (i = 0; i < 8 && r->pos < r->len; i++)
			v |= (uint64_t)r->data[r->pos++] << (8 * i);
		return v;
	}
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint32_t fz_below(struct fz_rng *r, uint32_t n)
{
	if (r->data) {		/* one byte per small choice */
		uint32_t v = r->pos < r->len ? r->data[r->pos++] : 0;

		if (n > 256 && r->pos < r->len)
			v |= (uint32_t)r->data[r->pos++] << 8;
		if (n > 65536)
			v = (uint32_t)fz_next(r);
		return n ? v % n : 0;
	}
	return n ? (uint32_t)((fz_next(r) >> 32) % n) : 0;
}

bool fz_chance(struct fz_rng *r, unsigned pct)
{
	return fz_below(r, 100) < pct;
}

uint64_t fz_input_seed(uint64_t seed, uint64_t index, int phase)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ull + index * 0xbf58476d1ce4e5b9ull +
		     (uint64_t)phase * 0x94d049bb133111ebull + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fz_ret(struct fz_result *res, const char *what, int64_t v)
{
	if (res->nret < FZ_MAX_RETS) {
		res->ret_what[res->nret] = what;
		res->ret[res->nret++] = v;
	}
}

/* --- setup ---------------------------------------------------------------- */

static const uint32_t setup_flags[] = {
	IORING_SETUP_IOPOLL, IORING_SETUP_SQPOLL, IORING_SETUP_SQ_AFF,
	IORING_SETUP_CQSIZE, IORING_SETUP_CLAMP, IORING_SETUP_ATTACH_WQ,
	IORING_SETUP_R_DISABLED, IORING_SETUP_SUBMIT_ALL,
	IORING_SETUP_COOP_TASKRUN, IORING_SETUP_TASKRUN_FLAG,
	IORING_SETUP_SQE128, IORING_SETUP_CQE32, IORING_SETUP_SINGLE_ISSUER,
	IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_NO_MMAP,
	IORING_SETUP_REGISTERED_FD_ONLY, IORING_SETUP_NO_SQARRAY,
	IORING_SETUP_HYBRID_IOPOLL, IORING_SETUP_CQE_MIXED,
	IORING_SETUP_SQE_MIXED,
};
#define NSETUP_FLAGS (sizeof(setup_flags) / sizeof(setup_flags[0]))

static uint32_t pick_u32(struct fz_rng *r, const uint32_t *v, unsigned n)
{
	return fz_chance(r, 85) ? v[fz_below(r, n)] : (uint32_t)fz_next(r);
}

/* A pointer to @len bytes: mostly a valid one at @good. */
static uint64_t pick_ptr(struct fz_rng *r, uint64_t good, size_t len)
{
	switch (fz_below(r, 14)) {
	case 0: return 0;
	case 1: return FZ_HOLE + fz_below(r, 64);
	case 2: return FZ_NONE;
	case 3: return FZ_RO;
	case 4: return good + 1 + fz_below(r, 7);
	case 5: return FZ_KERNEL_PTR;
	case 6: return FZ_PARTIAL + FZ_PAGE - (len > 16 ? len / 2 : 8);
	case 7: return FZ_NONCANON;
	default: return good;
	}
}

void fz_gen_setup(struct fz_rng *r, struct fz_input *in)
{
	static const uint32_t entries[] = { 0, 1, 2, 3, 4, 8, 64, 4096, 32768,
					    32769, 65536 };
	static const uint32_t cq[] = { 0, 1, 2, 16, 128, 65536, 131072, 524288,
				       1u << 31 };
	struct fz_setup_in *s = &in->setup;
	struct io_uring_params *p = &s->p;
	unsigned i;

	s->entries = pick_u32(r, entries, sizeof(entries) / 4);
	if (fz_chance(r, 20)) {
		p->flags = (uint32_t)fz_next(r);
	} else if (fz_chance(r, 85)) {
		for (i = 0; i < NSETUP_FLAGS; i++)
			if (fz_chance(r, 12))
				p->flags |= setup_flags[i];
	}
	p->cq_entries = pick_u32(r, cq, sizeof(cq) / 4);
	if (fz_chance(r, 30))
		p->sq_thread_cpu = fz_chance(r, 50) ? fz_below(r, 3) : (uint32_t)fz_next(r);
	if (fz_chance(r, 30))
		p->sq_thread_idle = fz_chance(r, 50) ? fz_below(r, 100) : (uint32_t)fz_next(r);
	if (fz_chance(r, 40)) {
		static const uint32_t wq[] = { FZ_FD_RING, FZ_FD_RING, FZ_FD_PIPE_R,
					       FZ_FD_CLOSED, (uint32_t)-1, 0 };
		p->wq_fd = pick_u32(r, wq, 6);
	}
	if (fz_chance(r, 8))
		p->resv[fz_below(r, 3)] = (uint32_t)fz_next(r);
	if (fz_chance(r, 10))
		p->features = (uint32_t)fz_next(r);
	if (fz_chance(r, 8))
		p->sq_off.user_addr = FZ_DATA;
	if (fz_chance(r, 8))
		p->cq_off.user_addr = FZ_DATA + 8 * FZ_PAGE;
	if (fz_chance(r, 4))
		p->sq_off.resv1 = (uint32_t)fz_next(r);
	s->ptr = pick_ptr(r, FZ_DATA + FZ_PAGE * fz_below(r, 4), sizeof(*p));
}

/* Puts @len bytes at @dst where they can go (a read-only page is written
 * through a temporary RW mapping; a partial one gets the head only). */
static void place(uint64_t dst, const void *src, size_t len)
{
	const char *n = fz_ptr_name(dst);

	if (!strcmp(n, "ro")) {
		mprotect((void *)(uintptr_t)FZ_RO, FZ_PAGE, PROT_READ | PROT_WRITE);
		memcpy((void *)(uintptr_t)dst, src, len);
		mprotect((void *)(uintptr_t)FZ_RO, FZ_PAGE, PROT_READ);
	} else if (!strcmp(n, "partial")) {
		uint64_t end = FZ_PARTIAL + FZ_PAGE;

		if (dst < end)
			memcpy((void *)(uintptr_t)dst, src,
			       dst + len > end ? end - dst : len);
	} else if (!strcmp(n, "ok") || !strcmp(n, "misaligned")) {
		memcpy((void *)(uintptr_t)dst, src, len);
	}
}

/* A NOP round trip on @ring: the submit count, then the CQE's res (or
 * the wait's error). */
static void nop_round(struct io_uring *ring, struct fz_result *res)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 300000000 };
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe) {
		fz_ret(res, "get_sqe", -ENOSPC);
		return;
	}
	io_uring_prep_nop(sqe);
	sqe->user_data = 42;
	fz_ret(res, "nop_submit", io_uring_submit(ring));
	ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	if (ret) {
		fz_ret(res, "nop_wait", ret);
		return;
	}
	fz_ret(res, "nop_res", cqe->res);
	io_uring_cqe_seen(ring, cqe);
}

void fz_exec_setup(const struct fz_input *in, struct fz_result *res)
{
	const struct fz_setup_in *s = &in->setup;
	struct io_uring_params p = s->p, out;
	struct io_uring ring;
	int peer = -1, fd, ret;

	if (p.wq_fd == FZ_FD_RING) {	/* a ring of the same backend */
		struct io_uring_params pp = { 0 };

		peer = io_uring_setup(4, &pp);
		p.wq_fd = peer < 0 ? (uint32_t)-1 : (uint32_t)peer;
	}
	place(s->ptr, &p, sizeof(p));
	res->stage = FZ_ST_RUN;
	fd = io_uring_setup(s->entries, (void *)(uintptr_t)s->ptr);
	fz_ret(res, "setup", fd < 0 ? fd : 1);
	if (fd < 0)
		goto out;
	memcpy(&out, (void *)(uintptr_t)s->ptr, sizeof(out));
	fz_ret(res, "sq_entries", out.sq_entries);
	fz_ret(res, "cq_entries", out.cq_entries);
	fz_ret(res, "flags", out.flags);
	fz_ret(res, "features", out.features);
	res->stage = FZ_ST_REAP;
	memset(&ring, 0, sizeof(ring));
	ret = io_uring_queue_mmap(fd, &out, &ring);
	fz_ret(res, "mmap", ret);
	if (ret) {
		close(fd);
		goto out;
	}
	nop_round(&ring, res);
	res->stage = FZ_ST_EXIT;
	io_uring_queue_exit(&ring);
out:
	if (peer >= 0)
		close(peer);
}

/* --- register ------------------------------------------------------------- */

void fz_gen_register(struct fz_rng *r, struct fz_input *in)
{
	static const uint32_t nrs[] = { 0, 1, 2, 3, 8, 16, 64, 1024, 65536,
					0xffffffffu };
	struct fz_reg_in *g = &in->reg;
	unsigned i;

	if (fz_chance(r, 15))
		g->ring_flags = IORING_SETUP_R_DISABLED;
	else if (fz_chance(r, 10))
		g->ring_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	g->content_seed = fz_next(r);
	g->ncall = 1 + fz_below(r, FZ_MAX_CALLS);
	for (i = 0; i < g->ncall; i++) {
		struct fz_reg_call *c = &g->call[i];
		uint64_t good;

		if (fz_chance(r, 85))
			c->opcode = fz_below(r, IORING_REGISTER_LAST + 1);
		else if (fz_chance(r, 50))
			c->opcode = (uint32_t)fz_next(r);
		else	/* by registered index: fd is the ring's slot */
			c->opcode = fz_below(r, IORING_REGISTER_LAST) |
				    IORING_REGISTER_USE_REGISTERED_RING;
		c->nr_args = pick_u32(r, nrs, sizeof(nrs) / 4);
		good = fz_chance(r, 80) ? FZ_SCRATCH + 8 * fz_below(r, 64) :
		       fz_chance(r, 50) ? FZ_STRUCTS + FZ_S_FDS :
					  FZ_STRUCTS + FZ_S_IOV;
		c->arg = pick_ptr(r, good, 64);
	}
}

void fz_exec_register(const struct fz_input *in, struct fz_result *res)
{
	const struct fz_reg_in *g = &in->reg;
	struct io_uring_params p = { .flags = g->ring_flags };
	struct io_uring ring;
	unsigned i;
	int ret;

	ret = io_uring_queue_init_params(8, &ring, &p);
	fz_ret(res, "ring", ret);
	if (ret)
		return;
	fz_env_scratch(g->content_seed);
	res->stage = FZ_ST_RUN;
	for (i = 0; i < g->ncall; i++) {
		const struct fz_reg_call *c = &g->call[i];
		unsigned fd = (unsigned)ring.ring_fd;

		if (c->opcode & IORING_REGISTER_USE_REGISTERED_RING)
			fd = 0;		/* slot 0: may or may not be ours */
		ret = io_uring_register(fd, c->opcode, (void *)(uintptr_t)c->arg,
					c->nr_args);
		fz_ret(res, "register", ret);
	}
	res->stage = FZ_ST_REAP;
	if (!(g->ring_flags & IORING_SETUP_R_DISABLED))
		nop_round(&ring, res);
	res->stage = FZ_ST_EXIT;
	io_uring_queue_exit(&ring);
}

void fz_gen(struct fz_rng *r, int phase, struct fz_input *in)
{
	int64_t seed = (int64_t)in->seed;
	uint64_t index = in->index;

	memset(in, 0, sizeof(*in));
	in->phase = phase;
	in->seed = (uint64_t)seed;
	in->index = index;
	if (phase == FZ_SETUP)
		fz_gen_setup(r, in);
	else if (phase == FZ_REGISTER)
		fz_gen_register(r, in);
	else
		fz_gen_sqe(r, in);
}
