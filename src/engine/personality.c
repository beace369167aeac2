/* SPDX-License-Identifier: MIT */
/*
 * IORING_REGISTER_PERSONALITY: the credentials of the registering thread,
 * under an id that an SQE names in sqe->personality; the request then runs
 * with them on every path, inline included (cred.h says how). The ids are
 * kept sorted, few as they are, and looked up by binary search.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine/req.h"
#include "engine/ringctl.h"
#include "util/fault.h"

#define PERSONALITY_MAX		65535	/* ids are u16, 0 is "none" */

struct eng_personality {
	uint16_t id;
	const struct eng_cred *cred;	/* a reference */
};

/* Under submit_lock: the index of @id, or where it would go. */
static unsigned pers_find(const struct eng_ctx *ctx, unsigned id)
{
	unsigned lo = 0, hi = ctx->nr_pers;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (ctx->pers[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool pers_taken(const struct eng_ctx *ctx, unsigned id)
{
	unsigned i = pers_find(ctx, id);

	return i < ctx->nr_pers && ctx->pers[i].id == id;
}

/* Ids are handed out in a cycle, as the kernel's are: an id is not reused
 * until the others have been. */
static int pers_next_id(struct eng_ctx *ctx)
{
	unsigned i, id;

	for (i = 0; i < PERSONALITY_MAX; i++) {
		id = (ctx->next_personality + i) % PERSONALITY_MAX + 1;
		if (!pers_taken(ctx, id)) {
			ctx->next_personality = id;
			return (int)id;
		}
	}
	return -EBUSY;
}

static int pers_register(struct eng_ctx *ctx)
{
	const struct eng_cred *cred;
	unsigned i;
	int id;

	if (ctx->nr_pers == ctx->cap_pers) {
		unsigned cap = ctx->cap_pers ? 2 * ctx->cap_pers : 4;
		void *p = fault_realloc(ctx->pers, cap * sizeof(*ctx->pers));

		if (!p)
			return -ENOMEM;
		ctx->pers = p;
		ctx->cap_pers = cap;
	}
	id = pers_next_id(ctx);
	if (id < 0)
		return id;
	cred = eng_cred_current();
	if (!cred)
		return -ENOMEM;
	/* A worker with these credentials, made by this thread that has
	 * them: the personality's requests can always be run. Best effort:
	 * without one they complete -ECANCELED (wq.c), never run with
	 * other credentials. */
	(void)eng_wq_anchor(ctx->wq, cred);
	i = pers_find(ctx, (unsigned)id);
	memmove(&ctx->pers[i + 1], &ctx->pers[i],
		(ctx->nr_pers - i) * sizeof(*ctx->pers));
	ctx->pers[i] = (struct eng_personality){ .id = (uint16_t)id,
						 .cred = cred };
	ctx->nr_pers++;
	return id;
}

static int pers_unregister(struct eng_ctx *ctx, unsigned id)
{
	unsigned i = pers_find(ctx, id);

	if (!id || i == ctx->nr_pers || ctx->pers[i].id != id)
		return -EINVAL;
	eng_cred_put(ctx->pers[i].cred);
	memmove(&ctx->pers[i], &ctx->pers[i + 1],
		(ctx->nr_pers - i - 1) * sizeof(*ctx->pers));
	ctx->nr_pers--;
	return 0;
}

int eng_personality_register(struct eng_ctx *ctx, unsigned opcode, void *arg,
			     unsigned nr)
{
	if (opcode == IORING_REGISTER_PERSONALITY)
		return arg || nr ? -EINVAL : pers_register(ctx);
	return arg ? -EINVAL : pers_unregister(ctx, nr);
}

int eng_personality_apply(struct eng_ctx *ctx, struct eng_req *req, unsigned id)
{
	unsigned i = pers_find(ctx, id);

	if (i == ctx->nr_pers || ctx->pers[i].id != id)
		return -EINVAL;
	req->cred = eng_cred_get(ctx->pers[i].cred);
	return 0;
}

void eng_personality_free(struct eng_ctx *ctx)
{
	unsigned i;

	for (i = 0; i < ctx->nr_pers; i++)
		eng_cred_put(ctx->pers[i].cred);
	free(ctx->pers);
	ctx->pers = NULL;
	ctx->nr_pers = ctx->cap_pers = 0;
}
