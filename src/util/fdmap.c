/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "util/fdmap.h"

/*
 * A table that grows is copied, and the old one is never freed: a reader
 * may still be looking at it. The sizes double, so the waste is bounded
 * by the size of the live table. Each allocation keeps the one before it
 * in its first slot, so the old tables stay reachable (leak checkers see
 * them as owned, which they are).
 */
static int fdmap_grow(struct fdmap *map, int fd)
{
	void **t = atomic_load(&map->table), **raw, **nt;
	int size = atomic_load(&map->size), nsize = size ? size : 64;

	while (nsize <= fd)
		nsize *= 2;
	raw = calloc((size_t)nsize + 1, sizeof(*raw));
	if (!raw)
		return -ENOMEM;
	raw[0] = map->raw;
	map->raw = raw;
	nt = raw + 1;
	if (t)
		memcpy(nt, t, sizeof(*nt) * (size_t)size);
	/* Table before size, both release: see fdmap_get(). */
	atomic_store_explicit(&map->table, nt, memory_order_release);
	atomic_store_explicit(&map->size, nsize, memory_order_release);
	return 0;
}

int fdmap_set(struct fdmap *map, int fd, void *ptr)
{
	int ret = 0;

	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&map->lock);
	if (fd >= atomic_load(&map->size))
		ret = fdmap_grow(map, fd);
	if (!ret)
		__atomic_store_n(&atomic_load(&map->table)[fd], ptr,
				 __ATOMIC_RELEASE);
	pthread_mutex_unlock(&map->lock);
	return ret;
}
