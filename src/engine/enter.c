/* SPDX-License-Identifier: MIT */
/* io_uring_enter() on the engine: submit, then wait, as the kernel does. */
#include <errno.h>
#include "engine/ctx.h"
#include "engine/ringctl.h"

#define ENG_ENTER_FLAGS (IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | \
			 IORING_ENTER_SQ_WAIT | IORING_ENTER_EXT_ARG | \
			 IORING_ENTER_ABS_TIMER | IORING_ENTER_NO_IOWAIT | \
			 IORING_ENTER_EXT_ARG_REG)

int eng_enter(struct eng_ctx *ctx, unsigned to_submit, unsigned min_complete,
	      unsigned flags, const void *arg, size_t argsz)
{
	int ret = 0, ret2;

	if (eng_forked(ctx))
		return -EBADFD;
	/* SQ_WAKEUP and SQ_WAIT mean nothing without SQPOLL: the kernel
	 * ignores them there too. EXT_ARG_REG is taken, and finds no wait
	 * region (wait.c). */
	if (flags & ~ENG_ENTER_FLAGS)
		return -EINVAL;
	ret = eng_enter_check(ctx, to_submit, flags);	/* restrict.c */
	if (ret)
		return ret;
	if (ctx->sqpoll) {
		/* As the kernel: the SQ thread submits; enter reports
		 * to_submit as if it had. */
		eng_sqpoll_enter(ctx, flags);
		ret = (int)to_submit;
	} else if (to_submit) {
		pthread_mutex_lock(&ctx->submit_lock);
		ret = eng_submit(ctx, to_submit);
		pthread_mutex_unlock(&ctx->submit_lock);
		/* As the kernel: a short submission skips the wait. */
		if ((unsigned)ret != to_submit)
			goto out;
	}
	if (flags & IORING_ENTER_GETEVENTS) {
		ret2 = eng_wait(ctx, min_complete, flags, arg, argsz);
		if (!ret)
			ret = ret2;
	}
out:
	eng_drain_if_idle(ctx);
	return ret;
}
