/* SPDX-License-Identifier: MIT */
#ifndef AIORING_UTIL_UPIN_H
#define AIORING_UTIL_UPIN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Would the kernel's long-term pin for writing (what io_uring does to
 * registered buffers and buffer rings) take [addr, addr + len)? The pages
 * must be mapped and writable, a shared file mapping must not need dirty
 * tracking (tmpfs, memfd, /dev/zero and hugetlbfs don't; ext4 does), and
 * every page must fault in (a page past the end of its file does not).
 * The pages are faulted in for writing, as the pin would.
 *
 * One registration may check many buffers: @ctx keeps what it read of
 * /proc/self/maps for that call. Start it zeroed, end it with upin_done().
 */
struct upin_ctx {
	char *maps;
	size_t len;
	bool loaded;
};

/* 0 or -EFAULT; -ENOMEM if the check itself ran out of memory. */
int upin_check(struct upin_ctx *ctx, const void *addr, size_t len);
void upin_done(struct upin_ctx *ctx);

#endif
