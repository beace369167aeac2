/* SPDX-License-Identifier: MIT */
/*
 * What the engine knows of a descriptor, to pick the cheapest way to run
 * I/O on it: a file that lives in memory never waits for a device and runs
 * inline without the RWF_NOWAIT round trip; an O_DIRECT file always waits
 * for the device and goes straight to a worker; a regular file finishes a
 * short nonblocking transfer in a worker.
 *
 * The answers are cached per ring and fd number. They are hints: a stale
 * one (the application closed the fd and reused its number behind our
 * back) only picks a slower path, never a wrong result, and each entry is
 * looked at again after a bounded number of uses. The one hint that could
 * block a thread for ever if stale, "regular file" on what is now a pipe
 * or socket, is confirmed before anything blocks on it: inline I/O on a
 * file in memory goes by offset, which a stream refuses (-ESPIPE), or
 * checks first (eng_req_fdinfo_recheck); a worker checks before it issues
 * bound work.
 */
#ifndef AIORING_ENGINE_FDINFO_H
#define AIORING_ENGINE_FDINFO_H

#include "engine/ctx.h"

#define ENG_FDI_REG	0x1u	/* regular file or block device */
#define ENG_FDI_MEM	0x2u	/* tmpfs/ramfs: never waits for a device */
#define ENG_FDI_DIRECT	0x4u	/* O_DIRECT: always waits for the device */

unsigned eng_fdinfo(struct eng_ctx *ctx, int fd);
/* The engine made or closed @fd: what was known of the number is void. */
void eng_fdinfo_forget(struct eng_ctx *ctx, int fd);
void eng_fdinfo_free(struct eng_ctx *ctx);
/* @req's hint, confirmed with one fstat if it says "regular" (renewed if
 * that was stale): before a thread blocks on the file. */
struct eng_req;
unsigned eng_req_fdinfo_recheck(struct eng_req *req);

#endif
