/* SPDX-License-Identifier: MIT */
/*
 * A ring's birth and death: io_uring_setup() on the engine, the ring fd,
 * the ring memory, and teardown.
 *
 * The ring fd is the read end of a pipe: a real descriptor that poll and
 * epoll watch (cq.c makes it readable), that can be dup'ed and closed, and
 * whose inode identifies the ring behind any dup of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "engine/apoll.h"
#include "engine/req.h"
#include "engine/fdinfo.h"
#include "engine/ringctl.h"
#include "engine/rsrc.h"
#include "util/fdmap.h"
#include "util/ucopy.h"
#include "util/ustr.h"

#define ENG_SETUP_FLAGS (IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | \
			 IORING_SETUP_SUBMIT_ALL | IORING_SETUP_NO_SQARRAY | \
			 IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF | \
			 IORING_SETUP_ATTACH_WQ | IORING_SETUP_R_DISABLED | \
			 IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | \
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | \
			 IORING_SETUP_SQE128 | IORING_SETUP_CQE32)
#define ENG_FEATURES (IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | \
		      IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_RW_CUR_POS | \
		      IORING_FEAT_EXT_ARG | IORING_FEAT_CQE_SKIP | \
		      IORING_FEAT_RSRC_TAGS | IORING_FEAT_SQPOLL_NONFIXED | \
		      IORING_FEAT_MIN_TIMEOUT | \
		      IORING_FEAT_RECVSEND_BUNDLE | /* net_bundle.c */ \
		      IORING_FEAT_FAST_POLL)	/* apoll.c */
#define ENG_PRIVATE_FD_MIN 100

atomic_uint eng_fork_gen;

/* All engine rings of the process, and the fd -> ring table. */
static pthread_mutex_t eng_rings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct eng_ctx *eng_rings_list;
static struct fdmap eng_fds = FDMAP_INIT;

static void eng_atfork_child(void)
{
	/* Every ring the child inherited is now a copy without workers. */
	atomic_fetch_add(&eng_fork_gen, 1);
	pthread_mutex_init(&eng_rings_lock, NULL);
}

static void eng_once_init(void)
{
	pthread_atfork(NULL, NULL, eng_atfork_child);
}

struct eng_ctx *eng_lookup(int fd)
{
	return fdmap_get(&eng_fds, fd);
}

struct eng_ctx *eng_lookup_dup(int fd)
{
	struct eng_ctx *ctx;
	struct stat st;

	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode))
		return NULL;
	pthread_mutex_lock(&eng_rings_lock);
	for (ctx = eng_rings_list; ctx; ctx = ctx->next)
		if (ctx->dev == st.st_dev && ctx->ino == st.st_ino)
			break;
	pthread_mutex_unlock(&eng_rings_lock);
	return ctx;
}

struct eng_ctx *eng_ctx_get(int fd)
{
	struct eng_ctx *ctx;
	struct stat st;
	bool by_inode = false;

	for (;;) {
		pthread_mutex_lock(&eng_rings_lock);
		for (ctx = eng_rings_list; ctx; ctx = ctx->next)
			if (ctx->ring_fd == fd || (by_inode &&
			    ctx->dev == st.st_dev && ctx->ino == st.st_ino))
				break;
		/* Under the lock: eng_close() unpublishes under it, then
		 * waits for the count to drop. */
		if (ctx)
			atomic_fetch_add_explicit(&ctx->users, 1,
						  memory_order_relaxed);
		pthread_mutex_unlock(&eng_rings_lock);
		if (ctx || by_inode || fstat(fd, &st) || !S_ISFIFO(st.st_mode))
			return ctx;
		by_inode = true;	/* maybe a dup: look again by inode */
	}
}

void eng_ctx_put(struct eng_ctx *ctx)
{
	/* Release: our posting is done before teardown may free. */
	atomic_fetch_sub_explicit(&ctx->users, 1, memory_order_release);
}

static uint32_t roundup_pow2(uint32_t v)
{
	return v <= 1 ? 1 : 1u << (32 - __builtin_clz(v - 1));
}

/* The kernel's entry checks, in the kernel's order. */
static int setup_check(unsigned entries, struct io_uring_params *p)
{
	unsigned i;

	for (i = 0; i < sizeof(p->resv) / sizeof(p->resv[0]); i++)
		if (p->resv[i])
			return -EINVAL;
	if (p->flags & ~ENG_SETUP_FLAGS)
		return -EINVAL;
	if (eng_setup_flags_check(p))	/* restrict.c */
		return -EINVAL;
	if (!entries)
		return -EINVAL;
	if (entries > ENG_MAX_ENTRIES) {
		if (!(p->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		entries = ENG_MAX_ENTRIES;
	}
	p->sq_entries = roundup_pow2(entries);
	if (!(p->flags & IORING_SETUP_CQSIZE)) {
		p->cq_entries = 2 * p->sq_entries;
		return 0;
	}
	if (!p->cq_entries)
		return -EINVAL;
	if (p->cq_entries > ENG_MAX_CQ_ENTRIES) {
		if (!(p->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		p->cq_entries = ENG_MAX_CQ_ENTRIES;
	}
	p->cq_entries = roundup_pow2(p->cq_entries);
	return p->cq_entries < p->sq_entries ? -EINVAL : 0;
}

static size_t rings_array_off(const struct io_uring_params *p)
{
	/* CQE32: each CQE takes two 16-byte slots, as in the kernel. */
	size_t cqe = sizeof(struct io_uring_cqe) *
		     (p->flags & IORING_SETUP_CQE32 ? 2 : 1);
	size_t off = sizeof(struct eng_rings) + p->cq_entries * cqe;

	return (off + ENG_CACHELINE - 1) & ~(size_t)(ENG_CACHELINE - 1);
}

static void setup_offsets(struct io_uring_params *p)
{
	bool array = !(p->flags & IORING_SETUP_NO_SQARRAY);

	memset(&p->sq_off, 0, sizeof(p->sq_off));
	memset(&p->cq_off, 0, sizeof(p->cq_off));
	p->sq_off.head = offsetof(struct eng_rings, sq.head);
	p->sq_off.tail = offsetof(struct eng_rings, sq.tail);
	p->sq_off.ring_mask = offsetof(struct eng_rings, sq_ring_mask);
	p->sq_off.ring_entries = offsetof(struct eng_rings, sq_ring_entries);
	p->sq_off.flags = offsetof(struct eng_rings, sq_flags);
	p->sq_off.dropped = offsetof(struct eng_rings, sq_dropped);
	p->sq_off.array = array ? (uint32_t)rings_array_off(p) : 0;
	p->cq_off.head = offsetof(struct eng_rings, cq.head);
	p->cq_off.tail = offsetof(struct eng_rings, cq.tail);
	p->cq_off.ring_mask = offsetof(struct eng_rings, cq_ring_mask);
	p->cq_off.ring_entries = offsetof(struct eng_rings, cq_ring_entries);
	p->cq_off.overflow = offsetof(struct eng_rings, cq_overflow);
	p->cq_off.cqes = offsetof(struct eng_rings, cqes);
	p->cq_off.flags = offsetof(struct eng_rings, cq_flags);
	p->features = ENG_FEATURES;
}

static int setup_memory(struct eng_ctx *ctx, const struct io_uring_params *p)
{
	bool array = !(p->flags & IORING_SETUP_NO_SQARRAY);

	ctx->ring_sz = rings_array_off(p) + (array ? p->sq_entries * 4u : 0);
	ctx->ring_mem = mmap(NULL, ctx->ring_sz, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ctx->ring_mem == MAP_FAILED)
		return -ENOMEM;
	ctx->sqe_shift = (p->flags & IORING_SETUP_SQE128) ? 1 : 0;
	ctx->cqe_shift = (p->flags & IORING_SETUP_CQE32) ? 1 : 0;
	ctx->sqe_sz = (p->sq_entries * sizeof(struct io_uring_sqe)) <<
		      ctx->sqe_shift;
	ctx->sqe_mem = mmap(NULL, ctx->sqe_sz, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ctx->sqe_mem == MAP_FAILED) {
		munmap(ctx->ring_mem, ctx->ring_sz);
		return -ENOMEM;
	}
	ctx->rings = ctx->ring_mem;
	ctx->sqes = ctx->sqe_mem;
	ctx->sq_array = array ? (uint32_t *)((char *)ctx->ring_mem +
					     rings_array_off(p)) : NULL;
	ctx->sq_entries = p->sq_entries;
	ctx->cq_entries = p->cq_entries;
	ctx->sq_mask = p->sq_entries - 1;
	ctx->cq_mask = p->cq_entries - 1;
	ctx->rings->sq_ring_mask = ctx->sq_mask;
	ctx->rings->cq_ring_mask = ctx->cq_mask;
	ctx->rings->sq_ring_entries = p->sq_entries;
	ctx->rings->cq_ring_entries = p->cq_entries;
	return 0;
}

int eng_fd_private(int fd, bool cloexec)
{
	int cmd = cloexec ? F_DUPFD_CLOEXEC : F_DUPFD;
	int nfd = fcntl(fd, cmd, ENG_PRIVATE_FD_MIN);

	/* RLIMIT_NOFILE below our floor: any number will do. */
	if (nfd < 0 && errno == EINVAL)
		nfd = fcntl(fd, cmd, 0);
	return nfd < 0 ? -errno : nfd;
}

static int setup_fds(struct eng_ctx *ctx)
{
	int pfd[2];
	struct stat st;

	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	ctx->ring_fd = pfd[0];
	ctx->sig_fd = eng_fd_private(pfd[1], true);
	close(pfd[1]);
	ctx->drain_fd = eng_fd_private(pfd[0], true);
	if (ctx->sig_fd < 0 || ctx->drain_fd < 0 || fstat(pfd[0], &st)) {
		int err = ctx->sig_fd < 0 ? ctx->sig_fd :
			  ctx->drain_fd < 0 ? ctx->drain_fd : -errno;

		close(pfd[0]);
		if (ctx->sig_fd >= 0)
			close(ctx->sig_fd);
		if (ctx->drain_fd >= 0)
			close(ctx->drain_fd);
		return err;
	}
	ctx->dev = st.st_dev;
	ctx->ino = st.st_ino;
	return 0;
}

static void ctx_free(struct eng_ctx *ctx)
{
	eng_cq_free(ctx);	/* gives its requests back to the cache */
	eng_req_free_all(ctx);
	if (ctx->ring_mem)
		munmap(ctx->ring_mem, ctx->ring_sz);
	if (ctx->sqe_mem)
		munmap(ctx->sqe_mem, ctx->sqe_sz);
	pthread_mutex_destroy(&ctx->submit_lock);
	pthread_mutex_destroy(&ctx->cq_lock);
	pthread_mutex_destroy(&ctx->rsrc_lock);
	pthread_mutex_destroy(&ctx->defer_lock);
	pthread_mutex_destroy(&ctx->fdinfo_lock);
	eng_fdinfo_free(ctx);
	pthread_mutex_destroy(&ctx->armed_lock);
	free(ctx);
}

static struct eng_ctx *ctx_alloc(const char *reason)
{
	struct eng_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	pthread_mutex_init(&ctx->submit_lock, NULL);
	pthread_mutex_init(&ctx->cq_lock, NULL);
	pthread_mutex_init(&ctx->rsrc_lock, NULL);
	pthread_mutex_init(&ctx->defer_lock, NULL);
	pthread_mutex_init(&ctx->fdinfo_lock, NULL);
	pthread_mutex_init(&ctx->armed_lock, NULL);
	ctx->ovf_tail = &ctx->ovf_head;
	ctx->defer_tail = &ctx->defer_head;
	ctx->ring_fd = ctx->drain_fd = ctx->sig_fd = -1;
	ctx->submit_seq = -1;
	atomic_init(&ctx->evfd, -1);
	ctx->fork_gen = atomic_load(&eng_fork_gen);
	snprintf(ctx->reason, sizeof(ctx->reason), "%s", reason ? reason : "");
	return ctx;
}

static int ctx_publish(struct eng_ctx *ctx)
{
	int ret;

	ret = fdmap_set(&eng_fds, ctx->ring_fd, ctx);
	pthread_mutex_lock(&eng_rings_lock);
	if (!ret) {
		ctx->next = eng_rings_list;
		eng_rings_list = ctx;
	}
	pthread_mutex_unlock(&eng_rings_lock);
	return ret;
}

/* The ring proper, from checked params: its fd or -errno. The params are
 * written back to @up before the ring is published, as the kernel writes
 * them before it installs the fd: a pointer that cannot take them is
 * -EFAULT and leaves no ring. */
static int setup_ring(struct io_uring_params *p, struct io_uring_params *up,
		      const char *reason)
{
	struct eng_ctx *ctx;
	int ret;

	ctx = ctx_alloc(reason);
	if (!ctx)
		return -ENOMEM;
	ctx->setup_flags = p->flags;
	eng_setup_flags_apply(ctx);
	ret = setup_memory(ctx, p);
	if (!ret)
		ret = setup_fds(ctx);
	if (!ret) {
		ctx->wq = eng_wq_create(ctx);
		ret = ctx->wq ? 0 : -ENOMEM;
	}
	if (!ret)	/* sqpoll.c: SQPOLL, SQ_AFF, ATTACH_WQ */
		ret = eng_sqpoll_create(ctx, p);
	if (!ret && !(p->flags & IORING_SETUP_R_DISABLED))
		ret = eng_sqpoll_start(ctx);
	if (!ret) {
		setup_offsets(p);
		ret = uput(up, p, sizeof(*p));
	}
	if (!ret)
		ret = ctx_publish(ctx);
	if (ret) {
		eng_sqpoll_destroy(ctx);
		eng_restrict_free(ctx);
		eng_wq_destroy(ctx->wq);
		if (ctx->ring_fd >= 0) {
			close(ctx->ring_fd);
			close(ctx->drain_fd);
			close(ctx->sig_fd);
		}
		ctx_free(ctx);
		return ret;
	}
	return ctx->ring_fd;
}

int eng_setup(unsigned entries, struct io_uring_params *up, const char *reason)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct io_uring_params p;
	int ret;

	/* As the kernel: the params are read once, whole (-EFAULT). */
	if (ucopy(&p, up, sizeof(p)))
		return -EFAULT;
	pthread_once(&once, eng_once_init);
	ret = setup_check(entries, &p);
	if (ret)
		return ret;
	return setup_ring(&p, up, reason);
}

void *eng_mmap(struct eng_ctx *ctx, size_t len, __u64 offset, int *err)
{
	switch (offset) {
	case IORING_OFF_SQ_RING:
	case IORING_OFF_CQ_RING:
		if (len <= ctx->ring_sz)
			return ctx->ring_mem;
		break;
	case IORING_OFF_SQES:
		if (len <= ctx->sqe_sz)
			return ctx->sqe_mem;
		break;
	default:	/* IOU_PBUF_RING_MMAP buffer rings: kbuf.c */
		if ((offset & IORING_OFF_MMAP_MASK) == IORING_OFF_PBUF_RING)
			return eng_kbuf_mmap(ctx, len, offset, err);
		break;
	}
	*err = -EINVAL;
	return NULL;
}

bool eng_owns(const void *addr)
{
	struct eng_ctx *ctx;
	bool found = false;

	pthread_mutex_lock(&eng_rings_lock);
	for (ctx = eng_rings_list; ctx && !found; ctx = ctx->next)
		found = addr == ctx->ring_mem || addr == ctx->sqe_mem;
	pthread_mutex_unlock(&eng_rings_lock);
	return found;
}

static void ctx_unpublish(struct eng_ctx *ctx)
{
	struct eng_ctx **pc;

	fdmap_set(&eng_fds, ctx->ring_fd, NULL);
	pthread_mutex_lock(&eng_rings_lock);
	for (pc = &eng_rings_list; *pc; pc = &(*pc)->next) {
		if (*pc == ctx) {
			*pc = ctx->next;
			break;
		}
	}
	pthread_mutex_unlock(&eng_rings_lock);
}

/*
 * Closing the ring's own fd tears the ring down: in-flight requests are
 * cancelled or finish, and nothing is left behind. In a forked child the
 * ring is a copy without workers: only the child's copy is released.
 */
int eng_close(struct eng_ctx *ctx, int fd)
{
	int evfd;

	if (fd != ctx->ring_fd)
		return close(fd) ? -errno : 0;
	ctx_unpublish(ctx);
	/* A MSG_RING sender holds the ring only while it posts one CQE: a
	 * short wait, yielding. Acquire pairs with eng_ctx_put(). A forked
	 * child has no such sender. */
	while (!eng_forked(ctx) &&
	       atomic_load_explicit(&ctx->users, memory_order_acquire))
		sched_yield();
	/* No more submissions: the SQ thread goes first (sqpoll.c). */
	eng_sqpoll_destroy(ctx);
	if (!eng_forked(ctx)) {
		eng_apoll_stop(ctx);	/* its chains may still punt */
		/* Polls and timeouts complete -ECANCELED; a link timeout
		 * whose request is still in a worker is finished by it. */
		eng_rx_shutdown(ctx);
		eng_wq_destroy(ctx->wq);
		eng_drain_cancel_all(ctx);
	} else {
		free(ctx->wq);
	}
	eng_apoll_free(ctx);
	eng_rx_free(ctx);
	eng_buffers_free(ctx);
	eng_files_free(ctx);
	eng_kbuf_free_all(ctx);
	eng_restrict_free(ctx);
	evfd = atomic_load(&ctx->evfd);
	if (evfd >= 0)
		close(evfd);
	close(ctx->drain_fd);
	close(ctx->sig_fd);
	close(ctx->ring_fd);
	ctx_free(ctx);
	return 0;
}

const char *eng_reason(struct eng_ctx *ctx)
{
	return ctx->reason;
}
