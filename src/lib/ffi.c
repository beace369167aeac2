/* SPDX-License-Identifier: MIT */
/*
 * liburing-ffi: every inline helper of liburing.h as a real, exported
 * function, for languages that cannot compile C inline functions (Rust,
 * Zig, Python bindings). The header itself is the source: with
 * IOURINGINLINE defined to nothing special, each helper becomes one
 * external definition here, and src/liburing-ffi.map gives it its version.
 *
 * io_uring_get_sqe() is the library's own (queue.c), as in liburing.so.2:
 * LIBURING_INTERNAL makes the header declare it instead of defining it.
 */
#define IOURINGINLINE __attribute__((visibility("default")))
#define LIBURING_INTERNAL 1
#include "liburing.h"
