/* SPDX-License-Identifier: MIT */
/*
 * The engine's private view of a ring: the memory shared with the
 * application, the submission and completion state, and the request.
 * Everything in src/engine/ includes this; nothing outside does.
 */
#ifndef AIORING_ENGINE_CTX_H
#define AIORING_ENGINE_CTX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "liburing/io_uring.h"
#include "engine/engine.h"

#define ENG_MAX_ENTRIES		32768u	/* as the kernel's IORING_MAX_ENTRIES */
#define ENG_MAX_CQ_ENTRIES	(2 * ENG_MAX_ENTRIES)
#define ENG_CACHELINE		64

/*
 * The ring memory the application maps, laid out like the kernel's: one
 * region holds both rings, then the SQ index array (FEAT_SINGLE_MMAP). The
 * application writes sq.tail and cq.head; the engine writes the rest. The
 * two sides each get their own cache line so that the submitter and the
 * completer do not bounce one line between them.
 */
struct eng_rings {
	struct {
		uint32_t head, tail;
	} sq __attribute__((aligned(ENG_CACHELINE)));
	struct {
		uint32_t head, tail;
	} cq __attribute__((aligned(ENG_CACHELINE)));
	uint32_t sq_ring_mask, cq_ring_mask;
	uint32_t sq_ring_entries, cq_ring_entries;
	uint32_t sq_dropped;
	uint32_t sq_flags;
	uint32_t cq_flags;
	uint32_t cq_overflow;
	struct io_uring_cqe cqes[] __attribute__((aligned(ENG_CACHELINE)));
};

struct eng_req;
struct eng_rsrc;
struct eng_kbuf_group;
struct eng_wq;
struct eng_defer;
struct eng_apoll;
struct eng_reactor;
struct eng_armed;
struct eng_sqpoll;
struct eng_restrictions;
struct eng_cred;
struct eng_personality;

/* A thread asleep in eng_wait(), woken through its own eventfd. */
struct eng_waiter {
	struct eng_waiter *next;
	int efd;
	unsigned want;			/* wake when this many CQEs are ready */
	uint32_t timeouts;		/* or when cq_timeouts moves off this */
	/* Set by the waker that unlinked it, before its eventfd write: the
	 * sleeper that sees it need not take cq_lock to unlink itself. */
	_Atomic bool woken;
};

/*
 * A CQE on its way to the CQ, kept in the storage of what it reports on (a
 * request, a resource node), never in memory of its own: a CQE that finds
 * the CQ full waits on the overflow list in that storage, so overflow
 * cannot fail for want of memory (FEAT_NODROP). Once the CQE is in the
 * ring, @release gives the storage back (NULL: nothing to give back);
 * @submitter says whether it runs on the submitter, under submit_lock.
 */
struct eng_cqe_slot {
	struct eng_cqe_slot *next;
	void (*release)(struct eng_cqe_slot *slot, bool submitter);
	struct io_uring_cqe cqe;
};

/* Inline completions are gathered here and posted in one batch. */
#define ENG_CQE_BATCH 32

struct eng_ctx {
	/* --- submission side: the submitter, under submit_lock --- */
	pthread_mutex_t submit_lock;
	struct eng_rings *rings;
	struct io_uring_sqe *sqes;
	uint32_t *sq_array;		/* NULL with IORING_SETUP_NO_SQARRAY */
	uint32_t sq_entries, sq_mask;
	uint32_t cq_entries, cq_mask;
	uint32_t setup_flags;
	uint8_t sqe_shift, cqe_shift;	/* SQE128, CQE32: slots are doubled */
	uint32_t cached_sq_head;	/* our private copy of sq.head */
	struct eng_req *req_cache;	/* free requests */
	_Atomic(struct eng_req *) req_returned; /* freed by other threads */
	unsigned nr_batch;
	unsigned nr_batch_done;		/* requests completed into the batch */
	unsigned nr_punted;		/* this batch: the pool needs a kick */
	struct eng_req *link_head, *link_tail;	/* the chain being built */
	unsigned link_nr;
	uint32_t nr_submitted;		/* requests, for IOSQE_IO_DRAIN */
	bool drain_active;		/* drain.c: new requests queue behind */
	bool drain_next;		/* submit.c: drain the next request */
	/* timeout.c: the completion count when this submission began, or
	 * -1 outside a submission */
	int64_t submit_seq;
	unsigned nr_late_timeouts;	/* ...and those that start after it */
	const struct eng_cred *sub_cred;	/* its credentials, once read */
	bool drain_disabled;		/* CQE_SKIP_SUCCESS was used */
	bool submit_stop;		/* an SQE failed as at prep */
	struct eng_cqe_slot *batch[ENG_CQE_BATCH];

	/* --- completion side: any thread, under cq_lock --- */
	pthread_mutex_t cq_lock;
	struct eng_waiter *waiters;	/* threads asleep in eng_wait() */
	uint32_t cached_cq_tail;
	/* CQEs waiting for room (the engine never drops one: no -EBADR) */
	struct eng_cqe_slot *ovf_head, **ovf_tail;

	/* --- wakeups: see cq.c for the protocol --- */
	int ring_fd;			/* the application's: pipe read end */
	int drain_fd;			/* our dup of ring_fd, to drain it */
	int sig_fd;			/* pipe write end */
	atomic_int signalled;
	atomic_int evfd;		/* registered eventfd, or -1 */
	bool evfd_async;

	/* --- IOSQE_IO_DRAIN (drain.c) --- */
	atomic_uint nr_completed;	/* by other threads: see req.h */
	atomic_uint nr_completed_sub;	/* by the submitter */
	atomic_bool defer_pending;
	pthread_mutex_t defer_lock;
	struct eng_defer *defer_head, **defer_tail;

	/* --- requests in flight, workers and resources --- */
	atomic_uint inflight;
	_Atomic(struct eng_fdinfo_table *) fdinfo;	/* fdinfo.c, lazy */
	pthread_mutex_t fdinfo_lock;
	struct eng_wq *wq;
	pthread_mutex_t rsrc_lock;	/* table slots, provided buffers */
	struct eng_rsrc **bufs;		/* registered buffers: see rsrc.h */
	unsigned nr_bufs;
	struct eng_rsrc **files;	/* fixed files: rsrc_lock */
	unsigned nr_files;
	unsigned file_alloc_start, file_alloc_end, file_alloc_hint;
	struct eng_kbuf_group *kbuf_groups;	/* kbuf.c: rsrc_lock */
	struct eng_apoll *apoll;	/* parked requests (apoll.c), lazy */

	/* --- the reactor and what is armed on it (reactor.c, cancel.c) --- */
	_Atomic(struct eng_reactor *) reactor;	/* started on first need */
	bool reactor_dead;		/* torn down: none is started again */
	pthread_mutex_t armed_lock;
	struct eng_armed *armed;	/* polls and timeouts, cancellable */
	atomic_uint nr_seq_timeouts;	/* TIMEOUTs waiting for a count */
	atomic_uint cq_posted;		/* CQEs posted; written under cq_lock */
	atomic_uint cq_timeouts;	/* of which expired timeouts */
	uint32_t cq_last_tm_flush;	/* timeout.c, under armed_lock */

	/* --- SQPOLL, issuer, restrictions (sqpoll.c, restrict.c) --- */
	struct eng_sqpoll *sqpoll;	/* the SQ thread, or NULL */
	atomic_uintptr_t submitter;	/* SINGLE_ISSUER: its pthread_t; 0 */
	atomic_bool disabled;		/* R_DISABLED, until ENABLE_RINGS */
	bool restricted;		/* restrictions enforced: submit_lock */
	struct eng_restrictions *restrictions;	/* submit_lock */
	struct eng_personality *pers;	/* sorted by id: submit_lock */
	unsigned nr_pers, cap_pers, next_personality;
	int clockid;			/* wait timeouts (REGISTER_CLOCK) */
	atomic_uint users;		/* eng_ctx_get() holds: MSG_RING */

	/* --- identity and lifetime --- */
	dev_t dev;
	ino_t ino;
	unsigned fork_gen;
	pid_t owner;
	void *ring_mem, *sqe_mem;
	size_t ring_sz, sqe_sz;
	struct eng_ctx *next;		/* all rings of the process */
	char reason[160];
};

/* ctx.c */
extern atomic_uint eng_fork_gen;
/* The engine ring behind @fd (its own or a dup), or NULL; it cannot be
 * torn down until eng_ctx_put(). For MSG_RING targets. */
struct eng_ctx *eng_ctx_get(int fd);
void eng_ctx_put(struct eng_ctx *ctx);
static inline bool eng_forked(const struct eng_ctx *ctx)
{
	return ctx->fork_gen != atomic_load_explicit(&eng_fork_gen,
						     memory_order_relaxed);
}

/* ctx.c: the engine's own reference to a file, a descriptor numbered out
 * of the application's way; the new fd or -errno. */
int eng_fd_private(int fd, bool cloexec);

/* cq.c: posting completions and the ring fd's readiness */
/* Posts @slot's CQE: into the CQ, or onto the overflow list if the CQ is
 * full; cannot fail. @from_worker: not on the submitter. */
void eng_post_slot(struct eng_ctx *ctx, struct eng_cqe_slot *slot,
		   bool from_worker);
/* Adds @slot to the submitter's batch (under submit_lock). */
void eng_batch_add(struct eng_ctx *ctx, struct eng_cqe_slot *slot);
/* An extra CQE of a request that goes on (multishot F_MORE): posted only
 * if it fits into the CQ behind everything before it. False: nothing was
 * posted, and as in the kernel the request must end with a final CQE of
 * its own slot (the multishot stops while nobody reaps the CQ). */
bool eng_post_aux(struct eng_ctx *ctx, uint64_t user_data, int32_t res,
		  uint32_t flags, bool from_worker);
/* A slot of its own for a CQE that has no storage behind it (MSG_RING's
 * CQE in its target ring), freed once posted; NULL: out of memory, which
 * the caller reports before anything happened, as the kernel does when it
 * cannot allocate the target's request. */
struct eng_cqe_slot *eng_cqe_slot_new(uint64_t user_data, int32_t res,
				      uint32_t flags);
void eng_post_batch(struct eng_ctx *ctx);
bool eng_flush_overflow(struct eng_ctx *ctx);
/* Teardown: releases what still waits on the overflow list. */
void eng_cq_free(struct eng_ctx *ctx);
unsigned eng_cq_ready(struct eng_ctx *ctx);
/* The overflow list is non-empty; read without cq_lock. */
static inline bool eng_has_overflow(struct eng_ctx *ctx)
{
	return __atomic_load_n(&ctx->rings->sq_flags, __ATOMIC_RELAXED) &
	       IORING_SQ_CQ_OVERFLOW;
}
void eng_signal(struct eng_ctx *ctx);
void eng_drain(struct eng_ctx *ctx);
void eng_drain_if_idle(struct eng_ctx *ctx);

/* wait.c */
int eng_wait(struct eng_ctx *ctx, unsigned min_complete, unsigned flags,
	     const void *arg, size_t argsz);

/* submit.c */
int eng_submit(struct eng_ctx *ctx, unsigned to_submit);

/* register.c */
int eng_probe_fill(struct io_uring_probe *p, unsigned nr_ops);

#endif
