/* SPDX-License-Identifier: MIT */
/* The kernel's checks of the read/write ops, where the system calls differ
 * (rw_check.c). */
#ifndef AIORING_ENGINE_RW_CHECK_H
#define AIORING_ENGINE_RW_CHECK_H

#include <stdbool.h>
#include <stdint.h>

struct iovec;

/*
 * The kernel's access_ok(): [addr, addr + len) lies in the user half. On
 * x86-64 with 4-level page tables user addresses end below 2^47 - 4096;
 * with 5-level ones the kernel allows more, and an address in between
 * then fails later, with the same -EFAULT, when it is copied.
 */
#define ENG_USER_PTR_MAX 0x00007fffffffefffull

static inline bool eng_access_ok(uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len;

	return end >= addr && end <= ENG_USER_PTR_MAX;
}

/* READ/WRITE at prep: the buffer is a user range (import_ubuf()). */
int eng_rw_ubuf_check(uint64_t addr, uint64_t len);
/* READV/WRITEV at prep: the iovec array (import_iovec()): 0 or -errno. */
int eng_rw_iovec_check(const struct iovec *uiov, int nr);
/* At issue, before the system call: mode, rw_flags, position. May set
 * *pos to -1 where the file has none (pipes, sockets at 0). */
int eng_rw_issue_check(int fd, int flags, int64_t *pos, bool write);

/* A file on tmpfs or ramfs (asked now, not a cached hint). */
bool eng_rw_in_memory(int fd);
/* RWF_NOWAIT refused by the kernel for @fd (tmpfs, ramfs, directories). */
bool eng_rw_nowait_refused(int fd);
/* The kernel's answer to a read or write on an io_uring fd (an engine
 * ring's fd is a pipe, which would take them). */
int eng_rw_ring_check(int flags, bool write);

#endif
