/* SPDX-License-Identifier: MIT */
/*
 * Who may drive a ring, and how: the setup flags that constrain it
 * (SINGLE_ISSUER, DEFER_TASKRUN, R_DISABLED), IORING_REGISTER_ENABLE_RINGS,
 * IORING_REGISTER_RESTRICTIONS and the wait clock (personalities:
 * personality.c). Each check and errno follows the kernel's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "engine/ringctl.h"
#include "util/fault.h"
#include "util/ucopy.h"

#define MAX_RESTRICTIONS	(IORING_RESTRICTION_LAST + \
				 IORING_REGISTER_LAST + IORING_OP_LAST)
#define BITS_WORDS(n)		(((n) + 63) / 64)

struct eng_restrictions {
	uint64_t register_op[BITS_WORDS(IORING_REGISTER_LAST)];
	uint64_t sqe_op[BITS_WORDS(IORING_OP_LAST)];
	uint8_t sqe_flags_allowed;
	uint8_t sqe_flags_required;
};

static void bit_set(uint64_t *map, unsigned bit)
{
	map[bit / 64] |= 1ull << (bit % 64);
}

static bool bit_test(const uint64_t *map, unsigned bit)
{
	return map[bit / 64] & (1ull << (bit % 64));
}

/* --- setup flags --------------------------------------------------------- */

/* The kernel's io_uring_sanitise_params(): combinations it refuses. */
int eng_setup_flags_check(const struct io_uring_params *p)
{
	unsigned f = p->flags;

	/* task-work IPI hints mean nothing when a thread submits */
	if ((f & IORING_SETUP_SQPOLL) &&
	    (f & (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
		  IORING_SETUP_DEFER_TASKRUN)))
		return -EINVAL;
	if ((f & IORING_SETUP_TASKRUN_FLAG) &&
	    !(f & (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_DEFER_TASKRUN)))
		return -EINVAL;
	if ((f & IORING_SETUP_DEFER_TASKRUN) &&
	    !(f & IORING_SETUP_SINGLE_ISSUER))
		return -EINVAL;
	return 0;
}

void eng_setup_flags_apply(struct eng_ctx *ctx)
{
	unsigned f = ctx->setup_flags;

	ctx->clockid = CLOCK_MONOTONIC;
	atomic_init(&ctx->disabled, (f & IORING_SETUP_R_DISABLED) != 0);
	/* A disabled ring gets its issuer when it is enabled. */
	if ((f & IORING_SETUP_SINGLE_ISSUER) && !(f & IORING_SETUP_R_DISABLED))
		atomic_init(&ctx->submitter, (uintptr_t)pthread_self());
}

/* SINGLE_ISSUER: the calling thread is not the ring's issuer. */
static bool not_issuer(struct eng_ctx *ctx)
{
	/* Relaxed: set before the ring can be used (setup), or by
	 * ENABLE_RINGS before its release of `disabled`, which every enter
	 * has acquired; register runs under submit_lock like ENABLE_RINGS. */
	uintptr_t owner = atomic_load_explicit(&ctx->submitter,
					       memory_order_relaxed);

	return owner && owner != (uintptr_t)pthread_self();
}

int eng_enter_check(struct eng_ctx *ctx, unsigned to_submit, unsigned flags)
{
	if (eng_disabled(ctx))
		return -EBADFD;
	/* As the kernel: submitting, and with DEFER_TASKRUN waiting too,
	 * belong to the issuer. An SQPOLL ring's thread is its submitter. */
	if (!(ctx->setup_flags & IORING_SETUP_SINGLE_ISSUER) || !not_issuer(ctx))
		return 0;
	if (to_submit && !(ctx->setup_flags & IORING_SETUP_SQPOLL))
		return -EEXIST;
	if ((flags & IORING_ENTER_GETEVENTS) &&
	    (ctx->setup_flags & IORING_SETUP_DEFER_TASKRUN))
		return -EEXIST;
	return 0;
}

int eng_register_check(struct eng_ctx *ctx, unsigned opcode)
{
	if (not_issuer(ctx))
		return -EEXIST;
	if (ctx->restricted &&
	    !bit_test(ctx->restrictions->register_op, opcode))
		return -EACCES;
	return 0;
}

/* --- ENABLE_RINGS and RESTRICTIONS --------------------------------------- */

static int enable_rings(struct eng_ctx *ctx)
{
	int ret;

	if (!eng_disabled(ctx))
		return -EBADFD;
	if ((ctx->setup_flags & IORING_SETUP_SINGLE_ISSUER) &&
	    !atomic_load(&ctx->submitter))
		atomic_store(&ctx->submitter, (uintptr_t)pthread_self());
	ctx->restricted = ctx->restrictions != NULL;
	ret = eng_sqpoll_start(ctx);
	if (ret)
		return ret;
	/* Release: pairs with eng_disabled()'s acquire. */
	atomic_store_explicit(&ctx->disabled, false, memory_order_release);
	return 0;
}

static int restrictions_parse(struct eng_restrictions *r,
			      const struct io_uring_restriction *res,
			      unsigned nr)
{
	unsigned i;

	for (i = 0; i < nr; i++) {
		switch (res[i].opcode) {
		case IORING_RESTRICTION_REGISTER_OP:
			if (res[i].register_op >= IORING_REGISTER_LAST)
				return -EINVAL;
			bit_set(r->register_op, res[i].register_op);
			break;
		case IORING_RESTRICTION_SQE_OP:
			if (res[i].sqe_op >= IORING_OP_LAST)
				return -EINVAL;
			bit_set(r->sqe_op, res[i].sqe_op);
			break;
		case IORING_RESTRICTION_SQE_FLAGS_ALLOWED:
			r->sqe_flags_allowed = res[i].sqe_flags;
			break;
		case IORING_RESTRICTION_SQE_FLAGS_REQUIRED:
			r->sqe_flags_required = res[i].sqe_flags;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* Once, on a ring that is still disabled; enforced from ENABLE_RINGS. */
static int restrictions_register(struct eng_ctx *ctx, const void *arg,
				 unsigned nr)
{
	struct io_uring_restriction *res;
	struct eng_restrictions *r;
	int ret;

	if (!eng_disabled(ctx))
		return -EBADFD;
	if (ctx->restrictions)
		return -EBUSY;
	if (!arg || nr > MAX_RESTRICTIONS)
		return -EINVAL;
	/* Read whole, as the kernel's memdup_user(): -EFAULT before any
	 * entry is looked at. */
	res = fault_malloc(nr * sizeof(*res) + 1);
	r = calloc(1, sizeof(*r));
	ret = res && r ? 0 : -ENOMEM;
	if (!ret && ucopy(res, arg, nr * sizeof(*res)))
		ret = -EFAULT;
	if (!ret)
		ret = restrictions_parse(r, res, nr);
	free(res);
	if (ret) {
		free(r);
		return ret;
	}
	ctx->restrictions = r;
	return 0;
}

int eng_restrict_sqe(struct eng_ctx *ctx, const struct io_uring_sqe *sqe)
{
	const struct eng_restrictions *r = ctx->restrictions;
	uint8_t need = r->sqe_flags_required;

	if (!bit_test(r->sqe_op, sqe->opcode) ||
	    (sqe->flags & need) != need ||
	    (sqe->flags & ~(r->sqe_flags_allowed | need)))
		return -EACCES;
	return 0;
}

/* --- the wait clock ------------------------------------------------------ */

static int clock_register(struct eng_ctx *ctx, const void *arg, unsigned nr)
{
	struct io_uring_clock_register reg;

	if (!arg || nr)
		return -EINVAL;
	if (ucopy(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (reg.__resv[0] || reg.__resv[1] || reg.__resv[2])
		return -EINVAL;
	if (reg.clockid != CLOCK_MONOTONIC && reg.clockid != CLOCK_BOOTTIME)
		return -EINVAL;
	/* Relaxed: a waiter that races with the change uses either clock. */
	__atomic_store_n(&ctx->clockid, (int)reg.clockid, __ATOMIC_RELAXED);
	return 0;
}

int eng_restrict_register(struct eng_ctx *ctx, unsigned opcode, void *arg,
			  unsigned nr)
{
	switch (opcode) {
	case IORING_REGISTER_ENABLE_RINGS:
		return arg || nr ? -EINVAL : enable_rings(ctx);
	case IORING_REGISTER_RESTRICTIONS:
		return restrictions_register(ctx, arg, nr);
	case IORING_REGISTER_PERSONALITY:
	case IORING_UNREGISTER_PERSONALITY:
		return eng_personality_register(ctx, opcode, arg, nr);
	case IORING_REGISTER_CLOCK:
		return clock_register(ctx, arg, nr);
	default:
		return -EINVAL;
	}
}

void eng_restrict_free(struct eng_ctx *ctx)
{
	free(ctx->restrictions);
	ctx->restrictions = NULL;
	eng_personality_free(ctx);
}
