/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include "engine/fdinfo.h"
#include "engine/req.h"

/* An entry: the ENG_FDI_* bits in the low byte, uses left in the high
 * byte; 0 means unknown. */
#define FDI_USES	255u
#define FDI_MAX_FD	(1 << 20)	/* beyond: asked every time */

struct eng_fdinfo_table {
	struct eng_fdinfo_table *retired;	/* kept: readers may use it */
	int size;
	_Atomic uint16_t e[];
};

static unsigned fdinfo_probe(int fd)
{
	struct statfs sfs;
	struct stat st;
	unsigned info = 0;
	int fl;

	if (fstat(fd, &st))
		return 0;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return 0;
	info = ENG_FDI_REG;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_DIRECT))
		info |= ENG_FDI_DIRECT;
	else if (!fstatfs(fd, &sfs) &&
		 (sfs.f_type == TMPFS_MAGIC || sfs.f_type == RAMFS_MAGIC))
		info |= ENG_FDI_MEM;
	return info;
}

static struct eng_fdinfo_table *fdinfo_grow(struct eng_ctx *ctx, int fd)
{
	struct eng_fdinfo_table *t, *old;
	int size = 256;

	pthread_mutex_lock(&ctx->fdinfo_lock);
	old = atomic_load(&ctx->fdinfo);
	if (old && fd < old->size) {
		pthread_mutex_unlock(&ctx->fdinfo_lock);
		return old;
	}
	while (size <= fd)
		size *= 2;
	t = calloc(1, sizeof(*t) + (size_t)size * sizeof(t->e[0]));
	if (t) {
		t->size = size;
		t->retired = old;
		if (old)
			memcpy((void *)t->e, (void *)old->e,
			       (size_t)old->size * sizeof(t->e[0]));
		/* Release: the copied entries are visible with the table. */
		atomic_store_explicit(&ctx->fdinfo, t, memory_order_release);
	}
	pthread_mutex_unlock(&ctx->fdinfo_lock);
	return t;
}

unsigned eng_fdinfo(struct eng_ctx *ctx, int fd)
{
	struct eng_fdinfo_table *t;
	unsigned v, info;

	if (fd < 0 || fd >= FDI_MAX_FD)
		return fd < 0 ? 0 : fdinfo_probe(fd);
	t = atomic_load_explicit(&ctx->fdinfo, memory_order_acquire);
	if (!t || fd >= t->size)
		t = fdinfo_grow(ctx, fd);
	if (!t)
		return fdinfo_probe(fd);
	/* Relaxed: a hint, racing updates are harmless (see fdinfo.h). */
	v = atomic_load_explicit(&t->e[fd], memory_order_relaxed);
	if (v >> 8) {
		atomic_store_explicit(&t->e[fd], (uint16_t)(v - 0x100),
				      memory_order_relaxed);
		return v & 0xff;
	}
	info = fdinfo_probe(fd);
	atomic_store_explicit(&t->e[fd], (uint16_t)(FDI_USES << 8 | info),
			      memory_order_relaxed);
	return info;
}

void eng_fdinfo_forget(struct eng_ctx *ctx, int fd)
{
	struct eng_fdinfo_table *t = atomic_load_explicit(&ctx->fdinfo,
							  memory_order_acquire);

	if (t && fd >= 0 && fd < t->size)
		atomic_store_explicit(&t->e[fd], 0, memory_order_relaxed);
}

void eng_fdinfo_free(struct eng_ctx *ctx)
{
	struct eng_fdinfo_table *t = atomic_load(&ctx->fdinfo), *next;

	for (; t; t = next) {
		next = t->retired;
		free(t);
	}
	atomic_store(&ctx->fdinfo, NULL);
}

/*
 * Before a thread blocks in a system call on a file said to be regular:
 * the number may name a pipe or socket by now, and a blocking read of one
 * cannot be reached by cancellation or teardown. One fstat of the file at
 * hand confirms the hint; if it was stale, the entry is learnt again.
 */
unsigned eng_req_fdinfo_recheck(struct eng_req *req)
{
	unsigned info = eng_req_fdinfo(req);
	struct stat st;

	if (!(info & ENG_FDI_REG) ||
	    (!fstat(req->fd, &st) && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))))
		return info;
	eng_fdinfo_forget(req->ctx, req->fd);
	req->fdi = 0;
	return eng_req_fdinfo(req);
}
