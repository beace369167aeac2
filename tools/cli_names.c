/* SPDX-License-Identifier: MIT */
/*
 * Names of io_uring opcodes and features, for people reading `aioring probe`.
 * Kept as tables indexed by value (not built from the header's enum) so
 * that a value newer than this tool prints as a number instead of breaking
 * the build or printing the wrong name.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char *const opcode_names[] = {
	"NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED",
	"POLL_ADD", "POLL_REMOVE", "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG",
	"TIMEOUT", "TIMEOUT_REMOVE", "ACCEPT", "ASYNC_CANCEL", "LINK_TIMEOUT",
	"CONNECT", "FALLOCATE", "OPENAT", "CLOSE", "FILES_UPDATE", "STATX",
	"READ", "WRITE", "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2",
	"EPOLL_CTL", "SPLICE", "PROVIDE_BUFFERS", "REMOVE_BUFFERS", "TEE",
	"SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT",
	"MSG_RING", "FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET",
	"URING_CMD", "SEND_ZC", "SENDMSG_ZC", "READ_MULTISHOT", "WAITID",
	"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_WAITV", "FIXED_FD_INSTALL",
	"FTRUNCATE", "BIND", "LISTEN", "RECV_ZC", "EPOLL_WAIT", "READV_FIXED",
	"WRITEV_FIXED", "PIPE", "NOP128", "URING_CMD128",
};

/* Indexed by bit number: IORING_FEAT_SINGLE_MMAP is bit 0. */
static const char *const feature_names[] = {
	"SINGLE_MMAP", "NODROP", "SUBMIT_STABLE", "RW_CUR_POS",
	"CUR_PERSONALITY", "FAST_POLL", "POLL_32BITS", "SQPOLL_NONFIXED",
	"EXT_ARG", "NATIVE_WORKERS", "RSRC_TAGS", "CQE_SKIP", "LINKED_FILE",
	"REG_REG_RING", "RECVSEND_BUNDLE", "MIN_TIMEOUT", "RW_ATTR",
	"NO_IOWAIT",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *cli_opcode_name(unsigned op)
{
	return op < ARRAY_LEN(opcode_names) ? opcode_names[op] : NULL;
}

const char *cli_feature_name(unsigned bit)
{
	return bit < ARRAY_LEN(feature_names) ? feature_names[bit] : NULL;
}

const char *cli_errno_name(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, len, "E%d", err);
	return buf;
}
