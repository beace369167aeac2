/* SPDX-License-Identifier: MIT */
/*
 * Arm-on-EAGAIN ("fast poll", the kernel's apoll): a request on a pollable
 * file that would block is parked on the ring's poll thread instead of a
 * worker, and re-issued without blocking when its file is ready. Idle
 * sockets therefore cost no threads.
 */
#ifndef AIORING_ENGINE_APOLL_H
#define AIORING_ENGINE_APOLL_H

#include "engine/req.h"

/* issue() of a multishot op that posted its CQE(s) and wants to stay
 * armed: the same as -EAGAIN to the poll thread. */
#define ENG_ISSUE_MSHOT_MORE	(-EAGAIN)

/* True if @req's -EAGAIN means "wait for readiness" (its op polls and its
 * file is not a regular file or block device). */
bool eng_apoll_pollable(struct eng_req *req);
/* Parks @req until its file is ready: 0, or -errno if it could not be
 * parked (the caller still owns it, and may punt it instead). */
int eng_apoll_arm(struct eng_req *req);
/* Cancels the first parked request @match accepts, or all of them with
 * @all; returns how many. Their CQEs (-ECANCELED) are posted before this
 * returns, unless the poll thread was issuing one just then (it posts it
 * when the issue returns, or the issue's own result if it completed). */
int eng_apoll_cancel(struct eng_ctx *ctx,
		     bool (*match)(struct eng_req *req, void *arg), void *arg,
		     bool all);
/* The credentials the poll thread has (it re-issues parked requests),
 * or NULL if it does not exist yet. */
const struct eng_cred *eng_apoll_cred(struct eng_ctx *ctx);
/* Teardown, before the worker pool goes: parked requests complete with
 * -ECANCELED and nothing can be parked any more. */
void eng_apoll_stop(struct eng_ctx *ctx);
/* Frees what eng_apoll_stop() left (after the worker pool is gone). */
void eng_apoll_free(struct eng_ctx *ctx);

#endif
