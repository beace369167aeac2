/* SPDX-License-Identifier: MIT */
/*
 * What is supported: the liburing version whose API and ABI this library
 * offers (2.15), aioring's own version, and the opcode probes of a ring.
 */
#include <stdbool.h>
#include <stdlib.h>
#include "aioring.h"
#include "liburing.h"
#include "liburing/io_uring_version.h"
#include "lib/export.h"

/* The loaded library's version; the macros are the headers' version. */
#define FRONT_MAJOR IO_URING_VERSION_MAJOR
#define FRONT_MINOR IO_URING_VERSION_MINOR

AIORING_EXPORT int io_uring_major_version(void)
{
	return FRONT_MAJOR;
}

AIORING_EXPORT int io_uring_minor_version(void)
{
	return FRONT_MINOR;
}

/*
 * liburing's sense, kept for compatibility: true when the library is OLDER
 * than major.minor, i.e. when the caller's requirement is not met.
 */
AIORING_EXPORT bool io_uring_check_version(int major, int minor)
{
	return major > FRONT_MAJOR ||
	       (major == FRONT_MAJOR && minor > FRONT_MINOR);
}

AIORING_EXPORT const char *aioring_version(void)
{
	return AIORING_VERSION;
}

/* Room for every opcode a __u8 can name. */
#define PROBE_OPS 256

AIORING_EXPORT struct io_uring_probe *
io_uring_get_probe_ring(struct io_uring *ring)
{
	struct io_uring_probe *probe;

	probe = calloc(1, sizeof(*probe) +
			  PROBE_OPS * sizeof(struct io_uring_probe_op));
	if (!probe)
		return NULL;
	if (io_uring_register_probe(ring, probe, PROBE_OPS) >= 0)
		return probe;
	free(probe);
	return NULL;
}

/* What a ring of this thread's mode would support. */
AIORING_EXPORT struct io_uring_probe *io_uring_get_probe(void)
{
	struct io_uring_probe *probe;
	struct io_uring ring;

	if (io_uring_queue_init(2, &ring, 0) < 0)
		return NULL;
	probe = io_uring_get_probe_ring(&ring);
	io_uring_queue_exit(&ring);
	return probe;
}

AIORING_EXPORT void io_uring_free_probe(struct io_uring_probe *probe)
{
	free(probe);
}
