/* SPDX-License-Identifier: MIT */
/*
 * Provided buffers (kbuf.c): the legacy groups of IORING_OP_PROVIDE_BUFFERS
 * and the ring-mapped groups of IORING_REGISTER_PBUF_RING, and the
 * selection API of IOSQE_BUFFER_SELECT, for any op that reads into a
 * buffer of a group (READ, READV here; RECV and friends elsewhere).
 *
 * How an op uses a group (all under ctx->rsrc_lock, see eng_kbuf_lock()):
 *
 *   eng_kbuf_lock(ctx);
 *   ret = eng_kbuf_select(ctx, &sel, bgid, &len, commit_now);
 *   ... -ENOBUFS: the group is empty or does not exist ...
 *   ... do the I/O into sel.addr, at most len bytes ...
 *   eng_kbuf_recycle(ctx, &sel)		on "would block";
 *   cflags = eng_kbuf_complete(ctx, &sel, res)	on a result;
 *   eng_kbuf_unlock(ctx);
 *
 * (READ/READV on this kernel consume the buffer and report its id even
 * when the read fails after selecting it; an op whose kernel code gives
 * the buffer back on an error recycles instead.)
 *
 * A nonblocking try holds the lock across its (nonblocking) system call,
 * as the kernel holds its ring lock: nobody else can take the same ring
 * entry before this request has decided how much of it it consumed
 * (IOU_PBUF_RING_INC). Something that may block, or a file poll cannot
 * wait for (a regular file), selects with @commit_now: the buffer is
 * consumed there (its whole selected length, as the kernel's io-wq does),
 * the lock may be dropped for the I/O, and completion is taken later with
 * eng_kbuf_lock() again.
 */
#ifndef AIORING_ENGINE_KBUF_H
#define AIORING_ENGINE_KBUF_H

#include <stdbool.h>
#include <stdint.h>

struct eng_ctx;
struct eng_kbuf_item;

/* A request's selected buffer. */
struct eng_kbuf_sel {
	bool held;			/* a buffer is selected */
	bool ring;			/* from a ring-mapped group */
	bool committed;			/* ring: head already moved */
	bool more;			/* ring INC: the entry has bytes left */
	uint16_t bgid, bid;
	void *addr;
	uint32_t len;
	struct eng_kbuf_item *item;	/* legacy: taken off its group */
};

/* The op state of PROVIDE_BUFFERS / REMOVE_BUFFERS. */
struct eng_kbuf_op {
	uint64_t addr;
	uint32_t len, nbufs;
	uint16_t bgid, bid;
};

void eng_kbuf_lock(struct eng_ctx *ctx);
void eng_kbuf_unlock(struct eng_ctx *ctx);
/* Under the lock. *len: in, the most the op wants (0: any); out, the
 * bytes it may use. Returns 0 or -ENOBUFS. */
int eng_kbuf_select(struct eng_ctx *ctx, struct eng_kbuf_sel *sel,
		    uint16_t bgid, uint32_t *len, bool commit_now);
/* Under the lock: gives the buffer back (legacy: to the head of its group;
 * ring: an uncommitted entry stays at the head). No CQE flags follow. */
void eng_kbuf_recycle(struct eng_ctx *ctx, struct eng_kbuf_sel *sel);
/* Under the lock: consumes the whole selected length now (the op keeps the
 * buffer across a hand-off, e.g. to a worker). */
void eng_kbuf_commit(struct eng_ctx *ctx, struct eng_kbuf_sel *sel);
/* Under the lock: the op used @res bytes (an error: all of them); returns the CQE flags
 * IORING_CQE_F_BUFFER | bid << IORING_CQE_BUFFER_SHIFT, plus
 * IORING_CQE_F_BUF_MORE when an incremental entry has room left. */
uint32_t eng_kbuf_complete(struct eng_ctx *ctx, struct eng_kbuf_sel *sel,
			   int res);

/* Bundles, under the lock. eng_kbuf_peek: up to @max entries of ring
 * group @bgid from its head as @iov, not consumed, at most @max_len bytes
 * (0: any); *bid the first id. Returns the count, 0 for a legacy group
 * (one buffer at a time: eng_kbuf_select), -ENOBUFS, or -ENOENT (no
 * such group). */
struct iovec;
int eng_kbuf_peek(struct eng_ctx *ctx, uint16_t bgid, struct iovec *iov,
		  unsigned max, uint32_t max_len, uint16_t *bid);
/* Consumes @nbufs peeked entries (an incremental ring: @bytes of them);
 * true when an incremental entry has room left (IORING_CQE_F_BUF_MORE). */
bool eng_kbuf_consume(struct eng_ctx *ctx, uint16_t bgid, unsigned nbufs,
		      uint32_t bytes);
/* The group has no buffer to give (or does not exist). */
bool eng_kbuf_empty(struct eng_ctx *ctx, uint16_t bgid);

/* IORING_OP_PROVIDE_BUFFERS and IORING_OP_REMOVE_BUFFERS */
struct eng_req;
struct io_uring_sqe;
int eng_provide_buffers_prep(struct eng_req *req,
			     const struct io_uring_sqe *sqe);
int eng_provide_buffers_issue(struct eng_req *req, unsigned issue_flags);
int eng_remove_buffers_prep(struct eng_req *req,
			    const struct io_uring_sqe *sqe);
int eng_remove_buffers_issue(struct eng_req *req, unsigned issue_flags);

/* io_uring_register opcodes; under submit_lock */
int eng_pbuf_ring_register(struct eng_ctx *ctx, void *arg, unsigned nr);
int eng_pbuf_ring_unregister(struct eng_ctx *ctx, void *arg, unsigned nr);
int eng_pbuf_status(struct eng_ctx *ctx, void *arg, unsigned nr);
/* The ring of an IOU_PBUF_RING_MMAP group, for mmap() of the ring fd at
 * IORING_OFF_PBUF_RING | bgid << IORING_OFF_PBUF_SHIFT; NULL and -EINVAL
 * in *err if there is none (or @len is larger). */
void *eng_kbuf_mmap(struct eng_ctx *ctx, size_t len, uint64_t offset,
		    int *err);
/* Teardown: no request is left. */
void eng_kbuf_free_all(struct eng_ctx *ctx);

#endif
