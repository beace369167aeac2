/* SPDX-License-Identifier: MIT */
/*
 * Provided buffers: legacy groups (IORING_OP_PROVIDE_BUFFERS, a FIFO of
 * buffers per group id) and ring-mapped groups (IORING_REGISTER_PBUF_RING,
 * a ring in the application's memory that it fills and we consume), and
 * the selection API of kbuf.h. Everything runs under ctx->rsrc_lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include "engine/req.h"
#include "util/ucopy.h"
#include "util/upin.h"
#include "util/ustr.h"

#define KBUF_MAX_BIDS		(1u << 16)
#define KBUF_MAX_RW		0x7ffff000u	/* the kernel's MAX_RW_COUNT */

struct eng_kbuf_item {
	struct eng_kbuf_item *next;
	uint64_t addr;
	uint32_t len;
	uint16_t bid;
};

struct eng_kbuf_group {
	struct eng_kbuf_group *next;
	uint16_t bgid;
	bool ring;
	/* legacy */
	struct eng_kbuf_item *head, **tail;
	unsigned nbufs;
	/* ring */
	struct io_uring_buf_ring *br;
	uint32_t mask;
	uint16_t head_idx;		/* our consumption point */
	bool inc;			/* IOU_PBUF_RING_INC */
	/* IOU_PBUF_RING_MMAP: our memory. Once mapped by the application it
	 * is the application's to munmap, as its mapping of the kernel's
	 * would be; before that, ours to free. */
	void *region;
	size_t region_sz;
	bool mapped;
};

void eng_kbuf_lock(struct eng_ctx *ctx)
{
	pthread_mutex_lock(&ctx->rsrc_lock);
}

void eng_kbuf_unlock(struct eng_ctx *ctx)
{
	pthread_mutex_unlock(&ctx->rsrc_lock);
}

static struct eng_kbuf_group *group_find(struct eng_ctx *ctx, uint16_t bgid)
{
	struct eng_kbuf_group *g;

	for (g = ctx->kbuf_groups; g; g = g->next)
		if (g->bgid == bgid)
			return g;
	return NULL;
}

static struct eng_kbuf_group *group_new(struct eng_ctx *ctx, uint16_t bgid)
{
	struct eng_kbuf_group *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->bgid = bgid;
	g->tail = &g->head;
	g->next = ctx->kbuf_groups;
	ctx->kbuf_groups = g;
	return g;
}

static void group_free(struct eng_ctx *ctx, struct eng_kbuf_group *g)
{
	struct eng_kbuf_group **pg;
	struct eng_kbuf_item *it;

	for (pg = &ctx->kbuf_groups; *pg; pg = &(*pg)->next) {
		if (*pg == g) {
			*pg = g->next;
			break;
		}
	}
	while ((it = g->head)) {
		g->head = it->next;
		free(it);
	}
	if (g->region && !g->mapped)
		munmap(g->region, g->region_sz);
	free(g);
}

void eng_kbuf_free_all(struct eng_ctx *ctx)
{
	while (ctx->kbuf_groups)
		group_free(ctx, ctx->kbuf_groups);
}

/* --- selection ------------------------------------------------------------ */

static int select_legacy(struct eng_kbuf_group *g, struct eng_kbuf_sel *sel)
{
	struct eng_kbuf_item *it = g->head;

	if (!it)
		return -ENOBUFS;
	g->head = it->next;
	if (!g->head)
		g->tail = &g->head;
	g->nbufs--;
	sel->item = it;
	sel->addr = (void *)(uintptr_t)it->addr;
	sel->len = it->len;
	sel->bid = it->bid;
	return 0;
}

static struct io_uring_buf *ring_entry(struct eng_kbuf_group *g)
{
	return &g->br->bufs[g->head_idx & g->mask];
}

static int select_ring(struct eng_kbuf_group *g, struct eng_kbuf_sel *sel)
{
	/* Acquire pairs with the application's release of the tail
	 * (io_uring_buf_ring_advance): the entries are written before. */
	uint16_t tail = __atomic_load_n(&g->br->tail, __ATOMIC_ACQUIRE);
	struct io_uring_buf *buf;

	if (tail == g->head_idx)
		return -ENOBUFS;
	buf = ring_entry(g);
	/* The application's memory: read each field once. */
	sel->addr = (void *)(uintptr_t)__atomic_load_n(&buf->addr, __ATOMIC_RELAXED);
	sel->len = __atomic_load_n(&buf->len, __ATOMIC_RELAXED);
	sel->bid = __atomic_load_n(&buf->bid, __ATOMIC_RELAXED);
	sel->ring = true;
	return 0;
}

/* Consumes @len bytes of the ring's head entry, as the kernel does:
 * a plain ring takes the entry whole; an incremental one moves the entry's
 * start and keeps it at the head while bytes are left. Sets sel->more. */
static void ring_commit(struct eng_kbuf_group *g, struct eng_kbuf_sel *sel,
			uint32_t len)
{
	struct io_uring_buf *buf;
	uint32_t buf_len, this_len;

	sel->committed = true;
	sel->more = false;
	if (!g->inc) {
		g->head_idx++;
		return;
	}
	while (len) {
		buf = ring_entry(g);
		buf_len = __atomic_load_n(&buf->len, __ATOMIC_RELAXED);
		this_len = len < buf_len ? len : buf_len;
		buf_len -= this_len;
		/* An entry of length 0 would never be consumed: stop. */
		if (buf_len || !this_len) {
			__atomic_store_n(&buf->addr, buf->addr + this_len,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&buf->len, buf_len, __ATOMIC_RELAXED);
			sel->more = true;
			return;
		}
		__atomic_store_n(&buf->len, 0, __ATOMIC_RELAXED);
		g->head_idx++;
		len -= this_len;
	}
}

int eng_kbuf_select(struct eng_ctx *ctx, struct eng_kbuf_sel *sel,
		    uint16_t bgid, uint32_t *len, bool commit_now)
{
	struct eng_kbuf_group *g = group_find(ctx, bgid);
	int ret;

	memset(sel, 0, sizeof(*sel));
	if (!g)
		return -ENOBUFS;
	ret = g->ring ? select_ring(g, sel) : select_legacy(g, sel);
	if (ret)
		return ret;
	if (!*len || *len > sel->len)
		*len = sel->len;
	sel->len = *len;
	sel->bgid = bgid;
	sel->held = true;
	if (commit_now && sel->ring)
		ring_commit(g, sel, *len);
	return 0;
}

void eng_kbuf_recycle(struct eng_ctx *ctx, struct eng_kbuf_sel *sel)
{
	struct eng_kbuf_group *g;
	struct eng_kbuf_item *it = sel->item;

	if (!sel->held)
		return;
	sel->held = false;
	sel->item = NULL;
	if (!it)
		return;		/* ring: uncommitted stays, committed is gone */
	g = group_find(ctx, sel->bgid);
	if (!g || g->ring) {
		free(it);
		return;
	}
	/* Back to the front, to be chosen first again. */
	it->next = g->head;
	g->head = it;
	if (g->tail == &g->head)
		g->tail = &it->next;
	g->nbufs++;
}

void eng_kbuf_commit(struct eng_ctx *ctx, struct eng_kbuf_sel *sel)
{
	struct eng_kbuf_group *g;

	if (!sel->held || !sel->ring || sel->committed)
		return;
	g = group_find(ctx, sel->bgid);
	if (g && g->ring)
		ring_commit(g, sel, sel->len);
}

uint32_t eng_kbuf_complete(struct eng_ctx *ctx, struct eng_kbuf_sel *sel,
			   int res)
{
	struct eng_kbuf_group *g;
	uint32_t cflags;

	if (!sel->held)
		return 0;
	cflags = IORING_CQE_F_BUFFER |
		 ((uint32_t)sel->bid << IORING_CQE_BUFFER_SHIFT);
	if (sel->ring && !sel->committed) {
		g = group_find(ctx, sel->bgid);
		/* An error takes the whole entry. */
		if (g && g->ring)
			ring_commit(g, sel, res >= 0 ? (uint32_t)res : sel->len);
	}
	if (sel->more)
		cflags |= IORING_CQE_F_BUF_MORE;
	free(sel->item);
	sel->item = NULL;
	sel->held = false;
	return cflags;
}

/* --- bundles (IORING_RECVSEND_BUNDLE) -------------------------------------- */

int eng_kbuf_peek(struct eng_ctx *ctx, uint16_t bgid, struct iovec *iov,
		  unsigned max, uint32_t max_len, uint16_t *bid)
{
	struct eng_kbuf_group *g = group_find(ctx, bgid);
	struct io_uring_buf *buf;
	uint16_t tail, idx;
	uint32_t len;
	unsigned n;

	/* A bundle names a missing group -ENOENT, as the kernel does. */
	if (!g)
		return -ENOENT;
	if (!g->ring)
		return 0;
	/* Acquire: as in select_ring(), the entries are written before. */
	tail = __atomic_load_n(&g->br->tail, __ATOMIC_ACQUIRE);
	if (tail == g->head_idx)
		return -ENOBUFS;
	for (n = 0, idx = g->head_idx; n < max && idx != tail; n++, idx++) {
		buf = &g->br->bufs[idx & g->mask];
		/* Relaxed: ordered by the tail's acquire above; the
		 * application's memory, so each field is read once. */
		len = __atomic_load_n(&buf->len, __ATOMIC_RELAXED);
		if (max_len && len > max_len) {
			/* Only the first buffer is cut short; past it the
			 * kernel takes whole buffers only. */
			if (n)
				break;
			len = max_len;
		}
		if (!n)
			*bid = __atomic_load_n(&buf->bid, __ATOMIC_RELAXED);
		iov[n].iov_base = (void *)(uintptr_t)
			__atomic_load_n(&buf->addr, __ATOMIC_RELAXED);
		iov[n].iov_len = len;
		if (max_len) {
			max_len -= len;
			if (!max_len) {
				n++;
				break;
			}
		}
	}
	return (int)n;
}

bool eng_kbuf_consume(struct eng_ctx *ctx, uint16_t bgid, unsigned nbufs,
		      uint32_t bytes)
{
	struct eng_kbuf_group *g = group_find(ctx, bgid);
	struct eng_kbuf_sel tmp;

	if (!g || !g->ring)
		return false;
	if (g->inc) {
		ring_commit(g, &tmp, bytes);
		return tmp.more;
	}
	g->head_idx = (uint16_t)(g->head_idx + nbufs);
	return false;
}

bool eng_kbuf_empty(struct eng_ctx *ctx, uint16_t bgid)
{
	struct eng_kbuf_group *g = group_find(ctx, bgid);

	if (!g)
		return true;
	if (!g->ring)
		return !g->head;
	/* Acquire: pairs with the application's tail release. */
	return __atomic_load_n(&g->br->tail, __ATOMIC_ACQUIRE) == g->head_idx;
}

/* --- PROVIDE_BUFFERS / REMOVE_BUFFERS -------------------------------------- */

int eng_provide_buffers_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_kbuf_op *p = &req->kbuf;
	uint64_t size, end;
	uint32_t nbufs = (uint32_t)sqe->fd;

	if (sqe->rw_flags || sqe->splice_fd_in)
		return -EINVAL;
	if (!nbufs || nbufs > KBUF_MAX_BIDS)
		return -E2BIG;
	p->nbufs = nbufs;
	p->addr = sqe->addr;
	p->len = sqe->len;
	if (!p->len)
		return -EINVAL;
	size = (uint64_t)p->len * nbufs;
	if (__builtin_add_overflow(p->addr, size, &end))
		return -EOVERFLOW;
	/* The kernel's access_ok(): the kernel's half is no user memory (the
	 * exact top of user space depends on the paging mode). */
	if (sizeof(void *) == 8 && (end >> 63))
		return -EFAULT;
	p->bgid = sqe->buf_group;
	if (sqe->off > 0xffff)
		return -E2BIG;
	if (sqe->off + nbufs > KBUF_MAX_BIDS)
		return -EINVAL;
	p->bid = (uint16_t)sqe->off;
	return 0;
}

int eng_remove_buffers_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_kbuf_op *p = &req->kbuf;
	uint32_t nbufs = (uint32_t)sqe->fd;

	if (sqe->rw_flags || sqe->addr || sqe->len || sqe->off ||
	    sqe->splice_fd_in)
		return -EINVAL;
	if (!nbufs || nbufs > KBUF_MAX_BIDS)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->nbufs = nbufs;
	p->bgid = sqe->buf_group;
	return 0;
}

/* Adds as many as fit; 0 if any was added, as the kernel reports. */
static int provide_locked(struct eng_kbuf_group *g, const struct eng_kbuf_op *p)
{
	struct eng_kbuf_item *it;
	uint64_t addr = p->addr;
	uint16_t bid = p->bid;
	uint32_t i;
	int ret = -ENOMEM;

	for (i = 0; i < p->nbufs; i++) {
		if (g->nbufs == 0xffff) {
			ret = -EOVERFLOW;
			break;
		}
		it = malloc(sizeof(*it));
		if (!it)
			break;
		it->next = NULL;
		it->addr = addr;
		it->len = p->len < KBUF_MAX_RW ? p->len : KBUF_MAX_RW;
		it->bid = bid++;
		*g->tail = it;
		g->tail = &it->next;
		g->nbufs++;
		addr += p->len;
	}
	return i ? 0 : ret;
}

static int remove_locked(struct eng_kbuf_group *g, uint32_t nbufs)
{
	struct eng_kbuf_item *it;
	uint32_t i;

	for (i = 0; i < nbufs && (it = g->head); i++) {
		g->head = it->next;
		if (!g->head)
			g->tail = &g->head;
		g->nbufs--;
		free(it);
	}
	return (int)i;
}

static int kbuf_manage(struct eng_req *req, bool provide)
{
	struct eng_ctx *ctx = req->ctx;
	struct eng_kbuf_group *g;
	int ret;

	eng_kbuf_lock(ctx);
	g = group_find(ctx, req->kbuf.bgid);
	if (!g && provide)
		g = group_new(ctx, req->kbuf.bgid);
	if (!g)
		ret = provide ? -ENOMEM : -ENOENT;
	else if (g->ring)
		ret = -EINVAL;	/* a ring is filled by the application */
	else
		ret = provide ? provide_locked(g, &req->kbuf) :
				remove_locked(g, req->kbuf.nbufs);
	eng_kbuf_unlock(ctx);
	if (ret < 0)
		req->flags |= ENG_REQ_F_FAIL;
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

int eng_provide_buffers_issue(struct eng_req *req, unsigned issue_flags)
{
	return kbuf_manage(req, true);
}

int eng_remove_buffers_issue(struct eng_req *req, unsigned issue_flags)
{
	return kbuf_manage(req, false);
}

/* --- ring-mapped groups ---------------------------------------------------- */

static bool resv_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return false;
	return true;
}

/* The register argument's own fields, as the kernel checks them before it
 * looks for the group. */
static int pbuf_ring_check(const struct io_uring_buf_reg *reg)
{
	/* min_left is reserved on this kernel generation */
	if (reg->min_left || !resv_zero(reg->resv, sizeof(reg->resv)))
		return -EINVAL;
	if (reg->flags & ~(IOU_PBUF_RING_MMAP | IOU_PBUF_RING_INC))
		return -EINVAL;
	if (!reg->ring_entries || (reg->ring_entries & (reg->ring_entries - 1)))
		return -EINVAL;
	if (reg->ring_entries >= 65536)
		return -EINVAL;
	return 0;
}

/* The application's ring memory, checked after the group as the kernel's
 * region setup does: page aligned, and pinnable for writing (upin.h). */
static int pbuf_ring_check_mem(const struct io_uring_buf_reg *reg)
{
	struct upin_ctx pin = { 0 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = (reg->ring_entries * sizeof(struct io_uring_buf) +
		       page - 1) & ~(page - 1);
	int ret;

	/* Ours to allocate: ring_addr is not looked at, as the kernel. */
	if (reg->flags & IOU_PBUF_RING_MMAP)
		return 0;
	if (reg->ring_addr & (uint64_t)(page - 1))
		return -EINVAL;
	if (!reg->ring_addr)
		return -EFAULT;
	ret = upin_check(&pin, (const void *)(uintptr_t)reg->ring_addr, size);
	upin_done(&pin);
	return ret;
}

static int ring_setup(struct eng_kbuf_group *g, const struct io_uring_buf_reg *reg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	g->ring = true;
	g->mask = reg->ring_entries - 1;
	g->inc = reg->flags & IOU_PBUF_RING_INC;
	if (!(reg->flags & IOU_PBUF_RING_MMAP)) {
		g->br = (struct io_uring_buf_ring *)(uintptr_t)reg->ring_addr;
		return 0;
	}
	g->region_sz = (reg->ring_entries * sizeof(struct io_uring_buf) +
			page - 1) & ~(page - 1);
	g->region = mmap(NULL, g->region_sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->region == MAP_FAILED) {
		g->region = NULL;
		return -ENOMEM;
	}
	g->br = g->region;
	return 0;
}

void *eng_kbuf_mmap(struct eng_ctx *ctx, size_t len, uint64_t offset,
		    int *err)
{
	uint64_t bgid = (offset & ~IORING_OFF_MMAP_MASK) >> IORING_OFF_PBUF_SHIFT;
	struct eng_kbuf_group *g;
	void *p = NULL;

	eng_kbuf_lock(ctx);
	g = bgid <= 0xffff ? group_find(ctx, (uint16_t)bgid) : NULL;
	if (g && g->region && len <= g->region_sz) {
		g->mapped = true;
		p = g->region;
	}
	eng_kbuf_unlock(ctx);
	if (!p)
		*err = -EINVAL;
	return p;
}

int eng_pbuf_ring_register(struct eng_ctx *ctx, void *arg, unsigned nr)
{
	struct io_uring_buf_reg reg;
	struct eng_kbuf_group *g;
	int ret;

	if (!arg || nr != 1)
		return -EINVAL;
	if (ucopy(&reg, arg, sizeof(reg)))
		return -EFAULT;
	ret = pbuf_ring_check(&reg);
	if (ret)
		return ret;
	eng_kbuf_lock(ctx);
	g = group_find(ctx, reg.bgid);
	if (g && (g->ring || g->head))
		ret = -EEXIST;
	else
		ret = pbuf_ring_check_mem(&reg);
	if (!ret) {
		if (g)
			group_free(ctx, g);
		g = group_new(ctx, reg.bgid);
		ret = g ? ring_setup(g, &reg) : -ENOMEM;
		if (ret && g)
			group_free(ctx, g);
	}
	eng_kbuf_unlock(ctx);
	return ret;
}

int eng_pbuf_ring_unregister(struct eng_ctx *ctx, void *arg, unsigned nr)
{
	struct io_uring_buf_reg reg;
	struct eng_kbuf_group *g;
	int ret = 0;

	if (!arg || nr != 1)
		return -EINVAL;
	if (ucopy(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (!resv_zero(reg.resv, sizeof(reg.resv)) || reg.flags)
		return -EINVAL;
	eng_kbuf_lock(ctx);
	g = group_find(ctx, reg.bgid);
	if (!g)
		ret = -ENOENT;
	else if (!g->ring)
		ret = -EINVAL;
	else
		group_free(ctx, g);
	eng_kbuf_unlock(ctx);
	return ret;
}

int eng_pbuf_status(struct eng_ctx *ctx, void *arg, unsigned nr)
{
	struct io_uring_buf_status st;
	struct eng_kbuf_group *g;
	int ret = 0;

	if (!arg || nr != 1)
		return -EINVAL;
	if (ucopy(&st, arg, sizeof(st)))
		return -EFAULT;
	if (!resv_zero(st.resv, sizeof(st.resv)))
		return -EINVAL;
	eng_kbuf_lock(ctx);
	g = group_find(ctx, (uint16_t)st.buf_group);
	if (!g || g->bgid != st.buf_group)
		ret = -ENOENT;
	else if (!g->ring)
		ret = -EINVAL;
	else
		st.head = g->head_idx;
	eng_kbuf_unlock(ctx);
	if (!ret && uput(arg, &st, sizeof(st)))
		ret = -EFAULT;
	return ret;
}
