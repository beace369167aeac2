/* SPDX-License-Identifier: MIT */
/*
 * The switch behind fault.h, compiled in only with -DAIORING_FAULT (the
 * library that the stress tests link; never a shipped one).
 */
#ifdef AIORING_FAULT
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "util/fault.h"

static const char *const fault_names[FAULT_NR_SITES] = {
	[FAULT_ALLOC] = "alloc",
	[FAULT_THREAD] = "thread",
	[FAULT_NOWAIT] = "nowait",
	[FAULT_IO] = "io",
	[FAULT_WAIT] = "wait",
};

static uint32_t fault_ppm[FAULT_NR_SITES];
static uint64_t fault_seed = 1;
static atomic_ulong fault_hits[FAULT_NR_SITES];
static atomic_uint fault_threads;
static pthread_once_t fault_once = PTHREAD_ONCE_INIT;

static void fault_parse(void)
{
	const char *env = getenv("AIORING_FAULT");
	char buf[256], *tok, *save = NULL;

	if (!env)
		return;
	snprintf(buf, sizeof(buf), "%s", env);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		unsigned long v;
		int i;

		if (!eq)
			continue;
		*eq = '\0';
		v = strtoul(eq + 1, NULL, 0);
		if (!strcmp(tok, "seed")) {
			fault_seed = v ? v : 1;
			continue;
		}
		for (i = 0; i < FAULT_NR_SITES; i++)
			if (!strcmp(tok, fault_names[i]))
				fault_ppm[i] = v > 1000000 ? 1000000 : (uint32_t)v;
	}
}

/* xorshift64*, one state per thread: no lock, no shared cache line. */
static __thread uint64_t fault_state;

static uint64_t fault_next(void)
{
	uint64_t x = fault_state;

	if (!x) {
		/* Seeded by creation order: reproducible while the order is. */
		x = fault_seed * 0x9e3779b97f4a7c15ull +
		    atomic_fetch_add_explicit(&fault_threads, 1,
					      memory_order_relaxed) + 1;
		x |= 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	fault_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

bool fault_hit(enum fault_site site)
{
	pthread_once(&fault_once, fault_parse);
	if (!fault_ppm[site] || (fault_next() >> 32) % 1000000 >= fault_ppm[site])
		return false;
	atomic_fetch_add_explicit(&fault_hits[site], 1, memory_order_relaxed);
	return true;
}

unsigned long fault_count(enum fault_site site)
{
	return atomic_load_explicit(&fault_hits[site], memory_order_relaxed);
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int fault_unused;
#endif
