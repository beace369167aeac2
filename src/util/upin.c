/* SPDX-License-Identifier: MIT */
/*
 * What the kernel's pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) would take,
 * asked from user space: /proc/self/maps says whether the range is mapped,
 * writable, and (for a shared file mapping) on a file system that needs no
 * dirty tracking; MADV_POPULATE_WRITE then faults every page in for
 * writing, which fails where the pin would (a page past the end of its
 * file). Where /proc or MADV_POPULATE_WRITE (Linux 5.14) is missing, the
 * check does what it still can: mincore() says whether pages are mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "util/upin.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Reads a whole /proc file; NULL if it cannot. */
static char *read_all(const char *path, size_t *len)
{
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		if (n + 1 == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* The device of shmem's internal mount: memfd, /dev/zero and MAP_SHARED
 * anonymous memory live there. */
static dev_t shmem_dev(void)
{
	static atomic_long cached = -1;
	long v = atomic_load_explicit(&cached, memory_order_relaxed);
	struct stat st;
	int fd;

	if (v != -1)
		return (dev_t)v;
	fd = memfd_create("aioring-upin", MFD_CLOEXEC);
	v = fd >= 0 && !fstat(fd, &st) ? (long)st.st_dev : 0;
	if (fd >= 0)
		close(fd);
	/* Relaxed: every thread computes the same value. */
	atomic_store_explicit(&cached, v, memory_order_relaxed);
	return (dev_t)v;
}

/* Pages of these file systems need no dirty tracking. */
static bool fstype_pinnable(const char *type)
{
	static const char *const ok[] = { "tmpfs", "hugetlbfs", "ramfs",
					  "devtmpfs", NULL };
	int i;

	for (i = 0; ok[i]; i++)
		if (!strcmp(type, ok[i]))
			return true;
	return false;
}

/* May a shared writable mapping of a file on @dev be pinned? The file
 * system is looked up in /proc/self/mountinfo; unknown: yes (trusted). */
static bool shared_file_pinnable(unsigned maj, unsigned min)
{
	char type[64], *mi, *line, *sep;
	unsigned ma, mn;
	size_t len;
	bool ok = true;

	if (makedev(maj, min) == shmem_dev())
		return true;
	mi = read_all("/proc/self/mountinfo", &len);
	if (!mi)
		return true;
	/* "36 35 98:0 /root /mnt opts... - fstype source opts" */
	for (line = mi; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (sscanf(line, "%*d %*d %u:%u", &ma, &mn) != 2 ||
		    ma != maj || mn != min)
			continue;
		sep = strstr(line, " - ");
		if (sep && sscanf(sep + 3, "%63s", type) == 1)
			ok = fstype_pinnable(type);
		break;
	}
	free(mi);
	return ok;
}

/* The /proc/self/maps entries over [start, end): -EFAULT for a hole, a
 * page without write permission, or a shared file mapping that needs
 * dirty tracking. 1 if maps cannot be read. */
static int maps_check(struct upin_ctx *ctx, uintptr_t start, uintptr_t end)
{
	unsigned long lo, hi, ino;
	unsigned maj, min;
	char perms[8];
	const char *line;
	uintptr_t at = start;

	if (!ctx->loaded) {
		ctx->loaded = true;
		ctx->maps = read_all("/proc/self/maps", &ctx->len);
	}
	if (!ctx->maps)
		return 1;
	for (line = ctx->maps; line && *line && at < end;
	     line = strchr(line, '\n')) {
		line += *line == '\n';
		if (sscanf(line, "%lx-%lx %7s %*x %x:%x %lu", &lo, &hi, perms,
			   &maj, &min, &ino) != 6 || hi <= at)
			continue;
		if (lo > at || perms[1] != 'w')
			return -EFAULT;
		if (perms[3] == 's' && ino && !shared_file_pinnable(maj, min))
			return -EFAULT;
		at = hi;
	}
	return at < end ? -EFAULT : 0;
}

/* mincore() fails with ENOMEM on an unmapped page. */
static int mincore_check(uintptr_t start, uintptr_t end, size_t page)
{
	unsigned char vec[64];

	while (start < end) {
		size_t len = end - start;

		if (len > sizeof(vec) * page)
			len = sizeof(vec) * page;
		if (mincore((void *)start, len, vec))
			return -EFAULT;
		start += len;
	}
	return 0;
}

/* 1: MADV_POPULATE_WRITE works here; 0: it does not; -1: not asked yet. */
static atomic_int populate_state = -1;

static bool populate_works(size_t page)
{
	int s = atomic_load_explicit(&populate_state, memory_order_relaxed);
	void *p;

	if (s >= 0)
		return s;
	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s = p != MAP_FAILED && !madvise(p, page, MADV_POPULATE_WRITE);
	if (p != MAP_FAILED)
		munmap(p, page);
	/* Relaxed: every thread finds the same answer. */
	atomic_store_explicit(&populate_state, s, memory_order_relaxed);
	return s;
}

int upin_check(struct upin_ctx *ctx, const void *addr, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(page - 1);
	uintptr_t end;
	int ret;

	if (!len)
		return 0;
	if (__builtin_add_overflow((uintptr_t)addr, len, &end) ||
	    __builtin_add_overflow(end, page - 1, &end))
		return -EFAULT;
	end &= ~(uintptr_t)(page - 1);
	ret = maps_check(ctx, start, end);
	if (ret < 0)
		return ret;
	if (populate_works(page))
		return madvise((void *)start, end - start, MADV_POPULATE_WRITE) ?
		       -EFAULT : 0;
	return ret ? mincore_check(start, end, page) : 0;
}

void upin_done(struct upin_ctx *ctx)
{
	free(ctx->maps);
	ctx->maps = NULL;
	ctx->loaded = false;
}
