/* SPDX-License-Identifier: MIT */
/*
 * A map from file descriptor numbers to pointers, read without a lock on
 * every ring call, written under one at setup and close.
 */
#ifndef AIORING_UTIL_FDMAP_H
#define AIORING_UTIL_FDMAP_H

#include <pthread.h>
#include <stdatomic.h>

struct fdmap {
	pthread_mutex_t lock;
	_Atomic(void **) table;
	atomic_int size;
	void **raw;			/* the newest allocation: see fdmap.c */
};

#define FDMAP_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

static inline void *fdmap_get(struct fdmap *map, int fd)
{
	void **t;

	/* Acquire on the size pairs with fdmap_set()'s release: a reader
	 * that sees the larger size also sees the larger table. */
	if (fd < 0 || fd >= atomic_load_explicit(&map->size, memory_order_acquire))
		return NULL;
	t = atomic_load_explicit(&map->table, memory_order_acquire);
	return __atomic_load_n(&t[fd], __ATOMIC_ACQUIRE);
}

/* 0 or -ENOMEM. */
int fdmap_set(struct fdmap *map, int fd, void *ptr);

#endif
