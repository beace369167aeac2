/* SPDX-License-Identifier: MIT */
/*
 * FUTEX_WAKE, FUTEX_WAIT and FUTEX_WAITV, with the futex2 flags
 * (FUTEX2_SIZE_U32, FUTEX2_PRIVATE...) as the kernel's io_uring takes them.
 *
 * WAKE runs inline (futex_wake(2), whose checks are io_uring's). A wait
 * runs in a worker of the unbound account, in futex_waitv(2) over the
 * user's futexes plus the worker's cancel word and the pool's exit word
 * (eng_wq_wait_futexv), so a cancel or the ring's teardown always ends
 * it. futex_waitv has no bitset: FUTEX_WAIT takes only the match-any mask,
 * and FUTEX_WAITV at most FUTEX_WAITV_MAX - 2 futexes (ARCHITECTURE.md).
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "engine/waitops.h"
#include "util/ucopy.h"

#ifndef SYS_futex_wake
#define SYS_futex_wake 454	/* one number on every architecture */
#endif

/* The futex2 flags (linux/futex.h names them only from 6.7 on). */
#define F2_SIZE_MASK	0x03u
#define F2_SIZE_U32	0x02u
#define F2_NUMA		0x04u
#define F2_MPOL		0x08u
#define F2_PRIVATE	0x80u
#define F2_VALID	(F2_SIZE_MASK | F2_NUMA | F2_MPOL | F2_PRIVATE)
#define F2_MASK_ANY	0xffffffffu
/* room for the worker's cancel word and the pool's exit word */
#define ENG_WAITV_MAX	(FUTEX_WAITV_MAX - 2)

/* The kernel's futex2 flag checks: only 32-bit futexes exist. */
static bool f2_flags_ok(uint32_t flags)
{
	return !(flags & ~F2_VALID) && (flags & F2_SIZE_MASK) == F2_SIZE_U32;
}

/* FUTEX_WAIT and FUTEX_WAKE share the kernel's prep. */
static int futex_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	uint32_t flags = (uint32_t)sqe->fd;

	if (sqe->len || sqe->futex_flags || sqe->buf_index || sqe->file_index)
		return -EINVAL;
	if (!f2_flags_ok(flags) || sqe->off > UINT32_MAX ||
	    sqe->addr3 > UINT32_MAX)
		return -EINVAL;
	req->waitop.addr = sqe->addr;
	req->waitop.val = sqe->off;
	req->waitop.data = sqe->addr3;		/* the bitset */
	req->waitop.flags = flags;
	return 0;
}

int eng_futex_wake_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	return futex_prep(req, sqe);
}

int eng_futex_wake_issue(struct eng_req *req, unsigned issue_flags)
{
	long ret;

	(void)issue_flags;
	ret = syscall(SYS_futex_wake, (void *)(uintptr_t)req->waitop.addr,
		      (unsigned long)req->waitop.data, (int)req->waitop.val,
		      req->waitop.flags);
	eng_req_set_res(req, ret < 0 ? -errno : (int32_t)ret, 0);
	return ENG_ISSUE_DONE;
}

int eng_futex_wait_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	int ret = futex_prep(req, sqe);

	if (ret)
		return ret;
	/* futex_waitv(2) cannot wait on a bitset */
	if (req->waitop.data != F2_MASK_ANY)
		return -EINVAL;
	req->flags |= ENG_REQ_F_POLLABLE;	/* an unbound worker */
	return 0;
}

/* The kernel's checks before it waits: alignment, fault, value. */
static int futex_check(uint64_t addr, uint64_t val)
{
	uint32_t cur;

	if (addr % sizeof(cur))
		return -EINVAL;
	if (ucopy(&cur, (const void *)(uintptr_t)addr, sizeof(cur)))
		return -EFAULT;
	return cur == val ? 0 : -EAGAIN;
}

int eng_futex_wait_issue(struct eng_req *req, unsigned issue_flags)
{
	struct futex_waitv v[3];
	int ret;

	if (issue_flags & ENG_ISSUE_NONBLOCK) {
		ret = futex_check(req->waitop.addr, req->waitop.val);
		if (!ret)
			return -EAGAIN;		/* it waits: a worker */
		eng_req_set_res(req, ret, 0);
		return ENG_ISSUE_DONE;
	}
	v[0] = (struct futex_waitv){
		.uaddr = req->waitop.addr, .val = req->waitop.val,
		.flags = req->waitop.flags,
	};
	ret = eng_wq_wait_futexv(req->ctx->wq, v, 1);
	eng_req_set_res(req, ret > 0 ? 0 : ret, 0);
	return ENG_ISSUE_DONE;
}

static int waitv_parse(struct futex_waitv *v, uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		if (!f2_flags_ok(v[i].flags) || v[i].__reserved ||
		    v[i].val > UINT32_MAX)
			return -EINVAL;
	return 0;
}

int eng_futex_waitv_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	uint32_t nr = sqe->len;
	struct futex_waitv *v;
	int ret;

	req->waitop.addr = 0;		/* for cleanup, whatever fails */
	if (sqe->fd || sqe->buf_index || sqe->file_index || sqe->off ||
	    sqe->futex_flags || sqe->addr3)
		return -EINVAL;
	if (!nr || nr > FUTEX_WAITV_MAX)
		return -EINVAL;
	/* two slots more: eng_wq_wait_futexv() */
	v = calloc(nr + 2, sizeof(*v));
	if (!v)
		return -ENOMEM;
	req->waitop.addr = (uintptr_t)v;
	req->waitop.len = (int32_t)nr;
	/* copied (-EFAULT) before the engine's own, lower limit */
	ret = ucopy(v, (const void *)(uintptr_t)sqe->addr, nr * sizeof(*v));
	if (!ret && nr > ENG_WAITV_MAX)
		ret = -EINVAL;
	if (!ret)
		ret = waitv_parse(v, nr);
	req->flags |= ENG_REQ_F_POLLABLE;	/* an unbound worker */
	return ret;
}

int eng_futex_waitv_issue(struct eng_req *req, unsigned issue_flags)
{
	struct futex_waitv *v = (struct futex_waitv *)(uintptr_t)req->waitop.addr;

	/* futex_waitv(2) does the kernel's checks, atomically */
	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	eng_req_set_res(req, eng_wq_wait_futexv(req->ctx->wq, v,
			(unsigned)req->waitop.len), 0);
	return ENG_ISSUE_DONE;
}

void eng_futex_waitv_cleanup(struct eng_req *req)
{
	free((void *)(uintptr_t)req->waitop.addr);
	req->waitop.addr = 0;
}
