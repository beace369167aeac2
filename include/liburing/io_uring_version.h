/* SPDX-License-Identifier: MIT */
/*
 * io_uring_version.h - the liburing version whose API these headers offer.
 *
 * A separate header, as in liburing, so a build system can read the version
 * without pulling in the whole API. io_uring_major_version() and
 * io_uring_minor_version() report the library actually loaded, which is
 * what matters when a binary runs against a different liburing.so.2.
 */
#ifndef LIBURING_VERSION_H
#define LIBURING_VERSION_H

#define IO_URING_VERSION_MAJOR 2
#define IO_URING_VERSION_MINOR 15

#endif
