/* SPDX-License-Identifier: MIT */
/*
 * Versions: the liburing version whose API and ABI this library offers
 * (2.15), and aioring's own.
 */
#include <stdbool.h>
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
