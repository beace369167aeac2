/* SPDX-License-Identifier: MIT */
/*
 * io_uring_get_probe and IORING_REGISTER_PROBE: the engine lists exactly
 * the opcodes it implements; the kernel lists at least those.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "testlib.h"

static const int implemented[] = {
	IORING_OP_NOP, IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_FSYNC,
	IORING_OP_READ_FIXED, IORING_OP_WRITE_FIXED, IORING_OP_READ,
	IORING_OP_WRITE,
	IORING_OP_SOCKET, IORING_OP_CONNECT, IORING_OP_ACCEPT, IORING_OP_BIND,
	IORING_OP_LISTEN, IORING_OP_SHUTDOWN, IORING_OP_SEND, IORING_OP_RECV,
	IORING_OP_SENDMSG, IORING_OP_RECVMSG, IORING_OP_SEND_ZC,
	IORING_OP_SENDMSG_ZC, IORING_OP_READ_MULTISHOT,
	IORING_OP_FILES_UPDATE, IORING_OP_PROVIDE_BUFFERS,
	IORING_OP_REMOVE_BUFFERS, IORING_OP_FIXED_FD_INSTALL,
	/* file-system ops */
	IORING_OP_SYNC_FILE_RANGE, IORING_OP_FALLOCATE, IORING_OP_FTRUNCATE,
	IORING_OP_OPENAT, IORING_OP_OPENAT2, IORING_OP_CLOSE, IORING_OP_PIPE,
	IORING_OP_STATX, IORING_OP_RENAMEAT, IORING_OP_UNLINKAT,
	IORING_OP_MKDIRAT, IORING_OP_SYMLINKAT, IORING_OP_LINKAT,
	IORING_OP_FADVISE, IORING_OP_MADVISE, IORING_OP_SPLICE, IORING_OP_TEE,
	IORING_OP_GETXATTR, IORING_OP_FGETXATTR, IORING_OP_SETXATTR,
	IORING_OP_FSETXATTR,
	/* the reactor's ops */
	IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE, IORING_OP_TIMEOUT,
	IORING_OP_TIMEOUT_REMOVE, IORING_OP_LINK_TIMEOUT, IORING_OP_ASYNC_CANCEL,
	IORING_OP_MSG_RING,
	/* waits and misc */
	IORING_OP_EPOLL_CTL, IORING_OP_EPOLL_WAIT, IORING_OP_FUTEX_WAKE,
	IORING_OP_FUTEX_WAIT, IORING_OP_FUTEX_WAITV, IORING_OP_WAITID,
};

static bool is_implemented(int op)
{
	unsigned i;

	for (i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
		if (implemented[i] == op)
			return true;
	return false;
}

/* Every implemented opcode is supported; on the engine nothing else is. */
static void check_probe(struct io_uring_probe *p)
{
	int op;

	CHECK(p);
	CHECK(p->ops_len > 0);
	CHECK_EQ(p->last_op, p->ops_len - 1);
	for (op = 0; op < 256; op++) {
		bool sup = io_uring_opcode_supported(p, op);

		if (is_implemented(op))
			CHECK_MSG(sup, "opcode %d not in the probe", op);
		else if (t_backend == AIORING_BACKEND_USER)
			CHECK_MSG(!sup, "the engine lists opcode %d", op);
		if (op < p->ops_len)
			CHECK_EQ(p->ops[op].op, op);
	}
}

static void case_probe_ring(void)
{
	struct io_uring ring;
	struct io_uring_probe *p;

	t_ring(&ring, 4, NULL);
	p = io_uring_get_probe_ring(&ring);
	check_probe(p);
	io_uring_free_probe(p);
	io_uring_queue_exit(&ring);
}

/* io_uring_get_probe makes its own ring: on the thread's mode's backend. */
static void case_probe_no_ring(void)
{
	struct io_uring_probe *p = io_uring_get_probe();

	check_probe(p);
	io_uring_free_probe(p);
}

static void case_register_probe(void)
{
	size_t sz = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *p = calloc(1, sz);
	struct io_uring ring;

	CHECK(p);
	t_ring(&ring, 4, NULL);
	/* A short array gets the first entries only. */
	CHECK_EQ(io_uring_register_probe(&ring, p, 4), 0);
	CHECK_EQ(p->ops_len, 4);
	CHECK(p->ops[IORING_OP_NOP].flags & IO_URING_OP_SUPPORTED);
	CHECK(p->ops[IORING_OP_FSYNC].flags & IO_URING_OP_SUPPORTED);
	CHECK_EQ(p->ops[4].flags, 0);
	/* The probe must come in zeroed. */
	memset(p, 0, sz);
	p->resv = 1;
	CHECK_EQ(io_uring_register_probe(&ring, p, 4), -EINVAL);
	memset(p, 0, sz);
	p->ops[2].resv2 = 1;
	CHECK_EQ(io_uring_register_probe(&ring, p, 4), -EINVAL);
	memset(p, 0, sz);
	CHECK_EQ(io_uring_register_probe(&ring, p, 256), 0);
	check_probe(p);
	free(p);
	io_uring_queue_exit(&ring);
}

/* An unknown register opcode is -EINVAL on both. */
static void case_bad_register(void)
{
	struct io_uring ring;

	t_ring(&ring, 4, NULL);
	CHECK_EQ(io_uring_register(ring.ring_fd, 250, NULL, 0), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* Engine only (the kernel runs far more opcodes for real): an opcode the
 * probe does not list completes with -EINVAL. */
static void case_probe_matches_submit(void)
{
	struct io_uring ring;
	struct io_uring_probe *p;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	int op;

	t_ring(&ring, 4, NULL);
	p = io_uring_get_probe_ring(&ring);
	CHECK(p);
	for (op = 0; op < IORING_OP_LAST; op++) {
		if (io_uring_opcode_supported(p, op))
			continue;
		sqe = t_sqe(&ring);
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = (__u8)op;
		sqe->fd = -1;
		sqe->user_data = (uint64_t)op;
		CHECK_EQ(io_uring_submit(&ring), 1);
		cqe = t_wait(&ring, 5000);
		CHECK_EQ(cqe->user_data, (uint64_t)op);
		CHECK_MSG(cqe->res == -EINVAL, "unlisted opcode %d: res %d", op, cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_free_probe(p);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "probe_ring", case_probe_ring, 0 },
		{ "probe_no_ring", case_probe_no_ring, 0 },
		{ "register_probe", case_register_probe, 0 },
		{ "bad_register", case_bad_register, 0 },
		{ "probe_matches_submit", case_probe_matches_submit, T_USER_ONLY },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
