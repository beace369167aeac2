/* SPDX-License-Identifier: MIT */
/*
 * A request's life, as in the kernel: prep copies and validates the SQE,
 * issue runs it (first with ENG_ISSUE_NONBLOCK on the submitter; -EAGAIN
 * means "would block" and punts it to a worker, which issues it again
 * without the flag), and completion posts its CQE and frees it.
 */
#ifndef AIORING_ENGINE_REQ_H
#define AIORING_ENGINE_REQ_H

#include "engine/ctx.h"
#include "engine/cred.h"
#include "engine/kbuf.h"
#include "engine/net.h"
#include "engine/cancel.h"

#define ENG_ISSUE_NONBLOCK	1u	/* on the submitter: must not block */
#define ENG_ISSUE_SUBMITTER	2u	/* on the submitter, under submit_lock */
#define ENG_ISSUE_SQE		4u	/* ...as it takes the request's SQE */
#define ENG_ISSUE_DONE		0	/* issue() set req->res: complete */
/* issue() handed the request on (the reactor): it completes later,
 * maybe already has; the caller must not touch it again. */
#define ENG_ISSUE_ASYNC		1

#define ENG_FAST_IOV		8

struct eng_rw {
	uint64_t addr;
	uint32_t len;
	int rw_flags;
	int64_t pos;			/* -1: the file position */
	size_t done;			/* bytes moved before a punt */
	size_t total;			/* bytes asked for; -1: not summed yet */
	struct iovec *iov;		/* the remaining iovecs */
	int nr_iov;
	struct iovec *iov_alloc;	/* heap copy of a long iovec array */
	struct iovec fast_iov[ENG_FAST_IOV];
	struct eng_kbuf_sel sel;	/* IOSQE_BUFFER_SELECT */
	bool fixed;			/* READ/WRITE_FIXED: buffer buf_index */
	bool checked;			/* the kernel's issue checks done (rw_check.c) */
	uint16_t buf_index;
};

#define ENG_REQ_F_FAIL		1u	/* failed: breaks a LINK chain */

/* The file-system ops (fsops.h): small fields inline, paths and larger
 * state on the heap, freed by the op's cleanup. */
struct eng_fsop {
	void *ext;			/* op state allocated at prep */
	char *path, *path2;		/* copied at prep (SUBMIT_STABLE) */
	uint64_t off, len, off2;
	int32_t dfd, dfd2;		/* dirfds; splice: fd_in */
	uint32_t flags, mode, file_index;
	uint8_t own;			/* FSOP_OWN_*: dfd/dfd2 are our dups */
};
#define ENG_REQ_F_PREP_FAULT	2u	/* failed as the kernel's prep would */
#define ENG_REQ_F_POLLABLE	8u	/* its file is not regular: it may wait */
#define ENG_REQ_F_RES_OK	4u	/* res < 0 does not fail the chain */
#define ENG_REQ_F_QUIET		16u	/* cancelled behind a CQE_SKIP failure: no CQE */
/* -EAGAIN needs a worker, not readiness (a file without NOWAIT support) */
#define ENG_REQ_F_NO_APOLL	(1u << 15)
/* SEND_ZC: a notification CQE follows the result (net_zc.c) */
#define ENG_REQ_F_NOTIF		(1u << 14)
/* ... and the result says so (F_MORE): it was issued (net_zc.c) */
#define ENG_REQ_F_NOTIF_MORE	(1u << 13)

struct eng_req {
	struct eng_req *next;		/* free list / worker queue */
	struct eng_req *link;		/* the next request of its chain */
	uint32_t flags;			/* ENG_REQ_F_* */
	struct eng_ctx *ctx;
	const struct eng_opdef *def;
	uint64_t user_data;
	int fd;				/* the descriptor issue() uses */
	bool own_fd;			/* fd is our dup, closed at the end */
	struct eng_rsrc *file_node;	/* IOSQE_FIXED_FILE: the slot's file */
	struct eng_rsrc *buf_node;	/* a registered buffer in use */
	uint16_t buf_group;		/* IOSQE_BUFFER_SELECT */
	struct eng_req *ltimeout;	/* the LINK_TIMEOUT guarding it */
	/* What it runs with (cred.h): a personality's from submission, the
	 * submitter's once it leaves the submitter (a reference); NULL: the
	 * submitter's, not looked up (it has not left). */
	const struct eng_cred *cred;
	uint8_t opcode, sqe_flags;
	uint8_t fdi;			/* ENG_FDI_* of its file, 0: not asked */
	int32_t res;
	uint32_t cflags;
	union {
		struct eng_rw rw;
		struct {
			uint32_t flags;
		} fsync;
		struct {
			int32_t result;
			uint32_t flags;
			uint16_t buf_index;
		} nop;
		union eng_net net;	/* net.c, net_msg.c, net_accept.c */
		struct eng_fsop fsop;	/* fs ops: see fsops.h */
		struct {
			uint64_t arg;
			uint32_t offset, nr;
		} files_update;		/* rsrc_files.c */
		struct {
			bool cloexec;
		} fd_install;		/* rsrc_files.c */
		struct eng_kbuf_op kbuf;	/* kbuf.c */
		struct eng_poll poll;		/* poll.c */
		struct eng_poll_remove poll_remove;
		struct eng_timeout timeout;	/* timeout.c */
		struct eng_timeout_remove timeout_remove;
		struct eng_cancel_op cancel;	/* cancel.c */
		struct {
			uint64_t addr, val, data;
			uint32_t op, flags, events;
			int32_t fd, len;
		} waitop;		/* epoll.c, futex.c, waitid.c */
		struct {
			uint64_t user_data;
			uint32_t len, cmd, src_fd, dst_fd, flags;
		} msg;				/* msg_ring.c */
		/* After the op's cleanup: the request's own CQEs (SEND_ZC
		 * has two), kept here until they are in the CQ (cq.c). */
		struct {
			struct eng_cqe_slot first, last;
		} post;
	};
};

struct eng_opdef {
	const char *name;
	int (*prep)(struct eng_req *req, const struct io_uring_sqe *sqe);
	int (*issue)(struct eng_req *req, unsigned issue_flags);
	/* optional: make the request independent of the application's
	 * memory before it goes to a worker (FEAT_SUBMIT_STABLE) */
	int (*prep_async)(struct eng_req *req);
	void (*cleanup)(struct eng_req *req);	/* optional */
	bool needs_file;
	bool ioprio;			/* takes sqe->ioprio */
	bool buffer_select;		/* takes IOSQE_BUFFER_SELECT */
	/* -EAGAIN on a socket or pipe waits for this readiness in the
	 * ring's poll thread (apoll.c), not in a worker */
	bool pollin, pollout;
};

/* opdef.c: the op table; NULL for opcodes the engine does not implement */
extern const struct eng_opdef eng_ops[IORING_OP_LAST];

static inline const struct eng_opdef *eng_opdef(unsigned opcode)
{
	if (opcode >= IORING_OP_LAST || !eng_ops[opcode].issue)
		return NULL;
	return &eng_ops[opcode];
}

static inline void eng_req_set_res(struct eng_req *req, int32_t res,
				   uint32_t cflags)
{
	req->res = res;
	req->cflags = cflags;
}

/* req.c */
struct eng_req *eng_req_alloc(struct eng_ctx *ctx);
/* On the submitter, at the end of a submission: posts its CQE batch,
 * counts those requests completed, and runs what a drain held for them. */
void eng_req_flush_batch(struct eng_ctx *ctx);
void eng_req_free_all(struct eng_ctx *ctx);
void eng_req_run(struct eng_req *req, bool in_worker);
/* On the submitter: runs a request (or chain) as it takes its SQE. */
void eng_req_submit(struct eng_req *req);
/* On the submitter: @req and the rest of its chain take the credentials
 * they will run with wherever they go next. 0 or -errno. */
int eng_req_bind_cred(struct eng_req *req);
/* Under submit_lock: the credentials of the submission in progress, read
 * once per submission (NULL: could not be read). */
const struct eng_cred *eng_sub_cred(struct eng_ctx *ctx);
/* At the end of a submission. */
void eng_sub_cred_drop(struct eng_ctx *ctx);
void eng_req_run_blocking(struct eng_req *req, bool cancelled);
struct eng_req *eng_req_done(struct eng_req *req, bool in_worker);
/* From any thread but the submitter: completes @req (res set) and runs
 * the rest of its chain there. */
void eng_req_complete_async(struct eng_req *req);
/* What the engine knows of the request's file (fdinfo.h), asked once and
 * kept with the request: its private dup has a recycled number. */
unsigned eng_req_fdinfo(struct eng_req *req);
/* Gives the punted request its own reference to its file. */
int eng_req_own_file(struct eng_req *req);

/* drain.c */
bool __eng_drain_defer(struct eng_ctx *ctx, struct eng_req *req, uint32_t seq);
/* Counts @nr submitted requests (a chain counts all its members); true
 * if a drain holds @req back. The common case (no drain since the ring
 * was last idle) is inline and cheap. */
static inline bool eng_drain_defer(struct eng_ctx *ctx, struct eng_req *req,
				   unsigned nr)
{
	uint32_t seq = ctx->nr_submitted;

	ctx->nr_submitted += nr;
	/* As the kernel: one that failed at submission completes at once. */
	if ((!(req->sqe_flags & IOSQE_IO_DRAIN) && !ctx->drain_active) ||
	    (req->flags & ENG_REQ_F_FAIL))
		return false;
	return __eng_drain_defer(ctx, req, seq);
}
void __eng_drain_flush(struct eng_ctx *ctx, bool in_worker);
/* After each completion: the common case (no drain) is one load. */
static inline void eng_drain_flush(struct eng_ctx *ctx, bool in_worker)
{
	if (atomic_load_explicit(&ctx->defer_pending, memory_order_acquire))
		__eng_drain_flush(ctx, in_worker);
}

/*
 * Requests completed, for IOSQE_IO_DRAIN. Other threads add to the atomic
 * half, with release: a request's effects and its CQE happen before a
 * drained request that sees it counted starts. The submitter's own
 * completions count only once its CQE batch is in the CQ
 * (eng_req_flush_batch()): a drained request that a worker starts must
 * not post its CQE ahead of theirs.
 */
static inline void eng_count_completed(struct eng_ctx *ctx, bool in_worker)
{
	if (in_worker)
		atomic_fetch_add_explicit(&ctx->nr_completed, 1,
					  memory_order_release);
	else
		ctx->nr_batch_done++;
}

static inline uint32_t eng_nr_completed(struct eng_ctx *ctx)
{
	return atomic_load_explicit(&ctx->nr_completed, memory_order_acquire) +
	       atomic_load_explicit(&ctx->nr_completed_sub, memory_order_acquire);
}
void eng_drain_cancel_all(struct eng_ctx *ctx);

/* wq.c: the bounded worker pool */
struct eng_wq *eng_wq_create(struct eng_ctx *ctx);
void eng_wq_enqueue(struct eng_wq *wq, struct eng_req *req);
/* Cancels what @match accepts: queued requests complete with -ECANCELED,
 * one waiting on its file is woken to do so; both are counted. A running
 * one is flagged (it gives up if it comes to wait) and sets *running. */
int eng_wq_cancel(struct eng_wq *wq, bool (*match)(struct eng_req *, void *),
		  void *arg, bool all, bool *running);
/* A worker is done issuing @req: it can no longer be interrupted. */
void eng_wq_release(struct eng_wq *wq, struct eng_req *req);
/* Wakes or makes workers for what was queued; @self: the calling
 * thread's credentials (only a thread with a group's can make its). */
void eng_wq_kick(struct eng_wq *wq, const struct eng_cred *self);
/* Makes sure @cred's group has a worker, made by this thread, which must
 * have those credentials: the group's work can then always be run. */
int eng_wq_anchor(struct eng_wq *wq, const struct eng_cred *cred);
void eng_wq_destroy(struct eng_wq *wq);
int eng_wq_max_workers(struct eng_wq *wq, unsigned values[2]);
/* IOWQ_AFF: @len bytes of a cpu_set_t; @mask NULL: unregister */
int eng_wq_set_affinity(struct eng_wq *wq, const void *mask, unsigned len);
/* For blocking issue on a pollable file: waits for @events or for the
 * pool to be torn down (-ECANCELED). */
int eng_wq_wait_fd(struct eng_wq *wq, int fd, short events);
/* For a blocking futex wait (futex.c): futex_waitv(2) over @v[0..nr) and,
 * in the two slots after them, the worker's cancel word and the pool's
 * exit word. The syscall's result (the index of a woken futex), or
 * -ECANCELED on cancellation or teardown. */
struct futex_waitv;
int eng_wq_wait_futexv(struct eng_wq *wq, struct futex_waitv *v, unsigned nr);

/* rw.c, fs.c, nop.c */
int eng_nop_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_nop_issue(struct eng_req *req, unsigned issue_flags);
int eng_rw_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_rwv_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_rw_fixed_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_read_issue(struct eng_req *req, unsigned issue_flags);
int eng_write_issue(struct eng_req *req, unsigned issue_flags);
void eng_rw_cleanup(struct eng_req *req);
int eng_rw_prep_async(struct eng_req *req);
int eng_fsync_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_fsync_issue(struct eng_req *req, unsigned issue_flags);

/* rsrc.c, rsrc_files.c, kbuf.c: see rsrc.h and kbuf.h */

#endif
