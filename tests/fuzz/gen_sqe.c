/* SPDX-License-Identifier: MIT */
/*
 * The SQE phase: random SQE streams against the environment (env.c).
 *
 * Each opcode has a hint of what its fields mean (a buffer, an iovec array,
 * a path, a sockaddr, a timespec, a value...), so that most SQEs get deep
 * enough to matter; then every field may still get a bad pointer
 * (unmapped, PROT_NONE, read-only, misaligned, partly mapped, kernel-half),
 * a random value, a random flag, a reserved field set, a link or a drain.
 *
 * Safety: pointers are only ever the environment's memory or invalid ones,
 * paths are relative names inside the temp directory (a symlink can only
 * point at one of them), lengths that would fill the disk are capped, and
 * MADVISE never gets the hwpoison advices.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"

/* What a field holds. */
enum {
	K_ZERO, K_DATA, K_IOV, K_IOVREG, K_PATH, K_SADDR, K_SLEN, K_MSG, K_TS,
	K_HOW, K_EPEV, K_FUTEX, K_WAITV, K_XNAME, K_UD, K_VAL, K_FDS, K_POS,
	K_BYTES, K_NIOV, K_HOWSZ, K_FD, K_REGBUF, K_SMALL, K_CAP,
};

struct opgen {
	uint8_t fd, addr, off, len, addr3;
	uint32_t fl[6];		/* op flag values to choose from */
};

#define F(...) { __VA_ARGS__ }
static const struct opgen opg[IORING_OP_LAST] = {
	[IORING_OP_NOP] = { K_FD, K_ZERO, K_ZERO, K_SMALL, K_ZERO,
			    F(IORING_NOP_INJECT_RESULT, IORING_NOP_FILE,
			      IORING_NOP_FIXED_FILE, IORING_NOP_FIXED_BUFFER,
			      IORING_NOP_TW, IORING_NOP_CQE32) },
	[IORING_OP_READV] = { K_FD, K_IOV, K_POS, K_NIOV, K_ZERO, F(8, 16, 1, 2, 128) },
	[IORING_OP_WRITEV] = { K_FD, K_IOV, K_POS, K_NIOV, K_ZERO, F(8, 16, 2, 4, 64) },
	[IORING_OP_FSYNC] = { K_FD, K_ZERO, K_POS, K_BYTES, K_ZERO, F(1, 2) },
	[IORING_OP_READ_FIXED] = { K_FD, K_REGBUF, K_POS, K_BYTES, K_ZERO, F(8) },
	[IORING_OP_WRITE_FIXED] = { K_FD, K_REGBUF, K_POS, K_BYTES, K_ZERO, F(8) },
	[IORING_OP_POLL_ADD] = { K_FD, K_ZERO, K_ZERO, K_SMALL, K_ZERO,
				 F(1, 4, 2, 0x2000, 1u << 30, 1u << 31) },
	[IORING_OP_POLL_REMOVE] = { K_ZERO, K_UD, K_UD, K_SMALL, K_ZERO, F(1) },
	[IORING_OP_SYNC_FILE_RANGE] = { K_FD, K_ZERO, K_POS, K_BYTES, K_ZERO, F(1, 2, 4) },
	[IORING_OP_SENDMSG] = { K_FD, K_MSG, K_ZERO, K_SMALL, K_ZERO,
				F(0x40, 0x100, 0x4000, 1, 0x8000) },
	[IORING_OP_RECVMSG] = { K_FD, K_MSG, K_ZERO, K_SMALL, K_ZERO,
				F(0x40, 0x100, 0x20, 1, 2) },
	[IORING_OP_TIMEOUT] = { K_ZERO, K_TS, K_SMALL, K_SMALL, K_ZERO,
				F(1, 4, 8, 32, 64, 2) },
	[IORING_OP_TIMEOUT_REMOVE] = { K_ZERO, K_UD, K_TS, K_ZERO, K_ZERO, F(2, 16, 1) },
	[IORING_OP_ACCEPT] = { K_FD, K_DATA, K_SLEN, K_ZERO, K_ZERO,
			       F(SOCK_NONBLOCK, SOCK_CLOEXEC) },
	[IORING_OP_ASYNC_CANCEL] = { K_FD, K_UD, K_ZERO, K_ZERO, K_ZERO,
				     F(1, 2, 4, 8, 16, 32) },
	[IORING_OP_LINK_TIMEOUT] = { K_ZERO, K_TS, K_ZERO, K_SMALL, K_ZERO, F(1, 4, 8) },
	[IORING_OP_CONNECT] = { K_FD, K_SADDR, K_SMALL, K_ZERO, K_ZERO, F(0) },
	[IORING_OP_FALLOCATE] = { K_FD, K_CAP, K_POS, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_OPENAT] = { K_FD, K_PATH, K_ZERO, K_SMALL, K_ZERO,
			       F(O_RDWR, O_CREAT | O_WRONLY, O_DIRECTORY, O_PATH,
				 O_TMPFILE | O_RDWR, O_NONBLOCK) },
	[IORING_OP_CLOSE] = { K_FD, K_ZERO, K_ZERO, K_ZERO, K_ZERO, F(0) },
	[IORING_OP_FILES_UPDATE] = { K_ZERO, K_FDS, K_SMALL, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_STATX] = { K_FD, K_PATH, K_DATA, K_SMALL, K_ZERO,
			      F(AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, 0x2000, 0x4000) },
	[IORING_OP_READ] = { K_FD, K_DATA, K_POS, K_BYTES, K_ZERO, F(8, 16, 1, 2, 128) },
	[IORING_OP_WRITE] = { K_FD, K_DATA, K_POS, K_BYTES, K_ZERO, F(8, 16, 2, 4, 64) },
	[IORING_OP_FADVISE] = { K_FD, K_ZERO, K_POS, K_BYTES, K_ZERO, F(0, 1, 2, 3, 4, 5) },
	[IORING_OP_MADVISE] = { K_ZERO, K_DATA, K_ZERO, K_BYTES, K_ZERO,
				F(MADV_NORMAL, MADV_RANDOM, MADV_WILLNEED,
				  MADV_DONTNEED, MADV_COLD, 1000) },
	[IORING_OP_SEND] = { K_FD, K_DATA, K_SADDR, K_BYTES, K_ZERO,
			     F(0x40, 0x4000, 1, 0x8000, 0x100) },
	[IORING_OP_RECV] = { K_FD, K_DATA, K_ZERO, K_BYTES, K_ZERO,
			     F(0x40, 0x100, 0x20, 1, 2) },
	[IORING_OP_OPENAT2] = { K_FD, K_PATH, K_HOW, K_HOWSZ, K_ZERO, F(0) },
	[IORING_OP_EPOLL_CTL] = { K_FD, K_EPEV, K_FD, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_SPLICE] = { K_FD, K_POS, K_POS, K_BYTES, K_ZERO,
			       F(SPLICE_F_FD_IN_FIXED, 1, 2, 4) },
	[IORING_OP_PROVIDE_BUFFERS] = { K_SMALL, K_DATA, K_SMALL, K_BYTES, K_ZERO, F(0) },
	[IORING_OP_REMOVE_BUFFERS] = { K_SMALL, K_ZERO, K_ZERO, K_ZERO, K_ZERO, F(0) },
	[IORING_OP_TEE] = { K_FD, K_ZERO, K_ZERO, K_BYTES, K_ZERO,
			    F(SPLICE_F_FD_IN_FIXED, 1, 2) },
	[IORING_OP_SHUTDOWN] = { K_FD, K_ZERO, K_ZERO, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_RENAMEAT] = { K_FD, K_PATH, K_PATH, K_FD, K_ZERO, F(1, 2, 4) },
	[IORING_OP_UNLINKAT] = { K_FD, K_PATH, K_ZERO, K_ZERO, K_ZERO, F(0x200) },
	[IORING_OP_MKDIRAT] = { K_FD, K_PATH, K_ZERO, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_SYMLINKAT] = { K_FD, K_PATH, K_PATH, K_ZERO, K_ZERO, F(0) },
	[IORING_OP_LINKAT] = { K_FD, K_PATH, K_PATH, K_FD, K_ZERO, F(0x400, 0x1000) },
	[IORING_OP_MSG_RING] = { K_FD, K_SMALL, K_UD, K_SMALL, K_FD, F(1, 2) },
	[IORING_OP_FSETXATTR] = { K_FD, K_XNAME, K_DATA, K_SMALL, K_ZERO, F(1, 2) },
	[IORING_OP_SETXATTR] = { K_ZERO, K_XNAME, K_DATA, K_SMALL, K_PATH, F(1, 2) },
	[IORING_OP_FGETXATTR] = { K_FD, K_XNAME, K_DATA, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_GETXATTR] = { K_ZERO, K_XNAME, K_DATA, K_SMALL, K_PATH, F(0) },
	[IORING_OP_SOCKET] = { K_SMALL, K_ZERO, K_SMALL, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_URING_CMD] = { K_FD, K_DATA, K_SMALL, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_SEND_ZC] = { K_FD, K_DATA, K_SADDR, K_BYTES, K_ZERO, F(0x40, 0x4000) },
	[IORING_OP_SENDMSG_ZC] = { K_FD, K_MSG, K_ZERO, K_SMALL, K_ZERO, F(0x40, 0x4000) },
	[IORING_OP_READ_MULTISHOT] = { K_FD, K_ZERO, K_POS, K_BYTES, K_ZERO, F(0) },
	[IORING_OP_WAITID] = { K_SMALL, K_ZERO, K_DATA, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_FUTEX_WAIT] = { K_SMALL, K_FUTEX, K_SMALL, K_SMALL, K_SMALL, F(0) },
	[IORING_OP_FUTEX_WAKE] = { K_SMALL, K_FUTEX, K_SMALL, K_SMALL, K_SMALL, F(0) },
	[IORING_OP_FUTEX_WAITV] = { K_ZERO, K_WAITV, K_ZERO, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_FIXED_FD_INSTALL] = { K_FD, K_ZERO, K_ZERO, K_ZERO, K_ZERO, F(1) },
	[IORING_OP_FTRUNCATE] = { K_FD, K_ZERO, K_CAP, K_ZERO, K_ZERO, F(0) },
	[IORING_OP_BIND] = { K_FD, K_SADDR, K_SMALL, K_ZERO, K_ZERO, F(0) },
	[IORING_OP_LISTEN] = { K_FD, K_ZERO, K_ZERO, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_EPOLL_WAIT] = { K_FD, K_DATA, K_ZERO, K_SMALL, K_ZERO, F(0) },
	[IORING_OP_READV_FIXED] = { K_FD, K_IOVREG, K_POS, K_NIOV, K_ZERO, F(8) },
	[IORING_OP_WRITEV_FIXED] = { K_FD, K_IOVREG, K_POS, K_NIOV, K_ZERO, F(8) },
	[IORING_OP_PIPE] = { K_ZERO, K_DATA, K_ZERO, K_ZERO, K_ZERO,
			     F(O_NONBLOCK, O_CLOEXEC) },
};

/* The environment's descriptors, and a few that are not. */
static int32_t pick_fd(struct fz_rng *r)
{
	switch (fz_below(r, 12)) {
	case 0: return -1;
	case 1: return FZ_FD_RING;
	case 2: return fz_chance(r, 50) ? AT_FDCWD : (int32_t)fz_next(r);
	default: return FZ_FD_BASE + (int32_t)fz_below(r, FZ_FD_END - FZ_FD_BASE);
	}
}

/* A bad pointer of some kind near @good. */
static uint64_t bad_ptr(struct fz_rng *r, uint64_t good)
{
	switch (fz_below(r, 8)) {
	case 0: return 0;
	case 1: return FZ_HOLE + 8 * fz_below(r, 64);
	case 2: return FZ_NONE + 8 * fz_below(r, 8);
	case 3: return FZ_RO;
	case 4: return good + 1 + fz_below(r, 7);
	case 5: return FZ_KERNEL_PTR;
	case 6: return FZ_PARTIAL + FZ_PAGE - 8 * (1 + fz_below(r, 4));
	default: return FZ_NONCANON;
	}
}

static uint64_t pick_struct(struct fz_rng *r, const unsigned *v, unsigned n)
{
	return FZ_STRUCTS + v[fz_below(r, n)];
}
#define PICK(r, ...) ({ static const unsigned _v[] = { __VA_ARGS__ }; \
	pick_struct(r, _v, sizeof(_v) / sizeof(_v[0])); })

static uint64_t pick_small(struct fz_rng *r)
{
	static const uint64_t v[] = { 0, 1, 2, 3, 4, 8, 16, 28, 64, 110, 128,
				      0x644, 0xffff, 0x7fffffff, 0xffffffff };

	return fz_chance(r, 85) ? v[fz_below(r, 15)] : fz_next(r);
}

static uint64_t pick_pos(struct fz_rng *r)
{
	static const uint64_t v[] = { 0, 0, 0, 1, 100, 4096, 65535, 65536,
				      1ull << 20, (uint64_t)-1, (uint64_t)-2,
				      1ull << 62 };

	return fz_chance(r, 90) ? v[fz_below(r, 12)] : fz_next(r);
}

static uint64_t pick_bytes(struct fz_rng *r)
{
	static const uint64_t v[] = { 0, 1, 10, 100, 512, 4096, 8192, 65536,
				      1u << 20, 0x7ffff000, 0xffffffff };

	return v[fz_below(r, 11)];
}

/* One field of kind @k. */
static uint64_t field(struct fz_rng *r, unsigned k, unsigned nsqe)
{
	uint64_t good;

	switch (k) {
	case K_ZERO: return fz_chance(r, 95) ? 0 : pick_small(r);
	case K_SMALL: return pick_small(r);
	case K_VAL: return fz_next(r);
	case K_POS: return pick_pos(r);
	case K_BYTES: return pick_bytes(r);
	case K_CAP: return fz_below(r, 1u << 20);	/* disk-bounded */
	case K_NIOV: return fz_chance(r, 90) ? fz_below(r, 5) : pick_small(r);
	case K_HOWSZ: return fz_chance(r, 80) ? 24 : pick_small(r);
	case K_FD: return (uint64_t)(uint32_t)pick_fd(r);
	case K_UD: return fz_chance(r, 80) ? 0x100 + fz_below(r, nsqe + 1) : fz_next(r);
	}
	switch (k) {
	case K_DATA: good = FZ_DATA + (fz_chance(r, 70) ? FZ_PAGE * fz_below(r, 16) :
					fz_below(r, FZ_DATA_LEN)); break;
	case K_REGBUF: good = FZ_REGBUF + (fz_chance(r, 70) ? 0 : fz_below(r, 32768)); break;
	case K_IOV: good = PICK(r, FZ_S_IOV, FZ_S_IOV, FZ_S_IOV + 16, FZ_S_IOV_BAD,
				FZ_S_IOV_KERN, FZ_S_IOV_BIG); break;
	case K_IOVREG: good = PICK(r, FZ_S_IOV_REG, FZ_S_IOV); break;
	case K_PATH: good = PICK(r, FZ_S_PATH_F, FZ_S_PATH_D, FZ_S_PATH_NONE,
				 FZ_S_PATH_DG, FZ_S_PATH_EMPTY, FZ_S_PATH_LNK,
				 FZ_S_PATH_NEW, FZ_S_PATH_LONG); break;
	case K_SADDR: good = PICK(r, FZ_S_SIN, FZ_S_SIN_REFUSED, FZ_S_SIN6, FZ_S_SUN); break;
	case K_SLEN: good = PICK(r, FZ_S_SOCKLEN, FZ_S_SOCKLEN2); break;
	case K_MSG: good = PICK(r, FZ_S_MSG, FZ_S_MSG_NAME, FZ_S_MSG_BADIOV); break;
	case K_TS: good = PICK(r, FZ_S_TS0, FZ_S_TS1MS, FZ_S_TS20MS, FZ_S_TSLONG,
			       FZ_S_TSBAD, FZ_S_TSNEG); break;
	case K_HOW: good = PICK(r, FZ_S_HOW, FZ_S_HOW_CREAT, FZ_S_HOW_BENEATH,
				FZ_S_HOW_BAD); break;
	case K_EPEV: good = FZ_STRUCTS + FZ_S_EPEV; break;
	case K_FUTEX: good = PICK(r, FZ_S_FUTEX, FZ_S_FUTEX + 4); break;
	case K_WAITV: good = FZ_STRUCTS + FZ_S_WAITV; break;
	case K_XNAME: good = PICK(r, FZ_S_XNAME, FZ_S_XNAME_BAD, FZ_S_PATH_EMPTY,
				  FZ_S_PATH_LONG); break;
	case K_FDS: good = PICK(r, FZ_S_FDS); break;
	default: good = 0; break;
	}
	return fz_chance(r, 80) ? good : bad_ptr(r, good);
}

static uint32_t pick_opflags(struct fz_rng *r, const struct opgen *g)
{
	uint32_t v = 0;
	unsigned i, n = 0;

	while (n < 6 && g->fl[n])
		n++;
	if (fz_chance(r, 5))
		return (uint32_t)fz_next(r);
	if (!n || fz_chance(r, 40))
		return 0;
	for (i = 0; i < 1 + fz_below(r, 2); i++)
		v |= g->fl[fz_below(r, n)];
	return v;
}

static uint8_t pick_sqe_flags(struct fz_rng *r, unsigned env, bool last)
{
	uint8_t f = 0;

	if (fz_chance(r, 55))
		return 0;
	if (!last && fz_chance(r, 20))
		f |= IOSQE_IO_LINK;
	if (!last && fz_chance(r, 5))
		f |= IOSQE_IO_HARDLINK;
	if (fz_chance(r, 6))
		f |= IOSQE_IO_DRAIN;
	if (fz_chance(r, 25))
		f |= IOSQE_ASYNC;
	if (fz_chance(r, 6))
		f |= IOSQE_CQE_SKIP_SUCCESS;
	if ((env & FZ_ENV_FILES) && fz_chance(r, 30))
		f |= IOSQE_FIXED_FILE;
	if ((env & FZ_ENV_PBUF) && fz_chance(r, 30))
		f |= IOSQE_BUFFER_SELECT;
	if (fz_chance(r, 2))
		f |= 1u << 7;
	return f;
}

static uint8_t pick_opcode(struct fz_rng *r)
{
	unsigned op;

	if (fz_chance(r, 3))
		return (uint8_t)fz_below(r, 256);
	do {
		op = fz_below(r, IORING_OP_LAST);
	} while (op == IORING_OP_URING_CMD128 || op == IORING_OP_NOP128 ||
		 (op == IORING_OP_URING_CMD && fz_chance(r, 70)));
	return (uint8_t)op;
}

static void gen_one(struct fz_rng *r, struct fz_sqe_in *s, unsigned i)
{
	struct io_uring_sqe *sqe = &s->sqe[i];
	const struct opgen *g;
	static const struct opgen none = { K_FD, K_DATA, K_POS, K_BYTES, K_ZERO, F(0) };
	unsigned n = s->nsqe;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = pick_opcode(r);
	g = sqe->opcode < IORING_OP_LAST ? &opg[sqe->opcode] : &none;
	sqe->flags = pick_sqe_flags(r, s->env, i + 1 == n);
	sqe->fd = (int32_t)field(r, g->fd, n);
	if ((sqe->flags & IOSQE_FIXED_FILE) && sqe->fd >= FZ_FD_BASE &&
	    sqe->fd < FZ_FD_END)
		sqe->fd -= FZ_FD_BASE;	/* the same file, by its slot */
	sqe->addr = field(r, g->addr, n);
	sqe->off = field(r, g->off, n);
	sqe->len = (uint32_t)field(r, g->len, n);
	sqe->rw_flags = (int)pick_opflags(r, g);
	sqe->user_data = 0x100 + i;
	if (sqe->opcode == IORING_OP_MADVISE && sqe->fadvise_advice >= 100 &&
	    sqe->fadvise_advice <= 101)
		sqe->fadvise_advice = 1000;	/* never hwpoison */
	if (sqe->opcode == IORING_OP_FALLOCATE || sqe->opcode == IORING_OP_SPLICE ||
	    sqe->opcode == IORING_OP_TEE)
		sqe->len &= (1u << 20) - 1;	/* disk-bounded */
	if (sqe->opcode == IORING_OP_SPLICE || sqe->opcode == IORING_OP_TEE)
		sqe->splice_fd_in = pick_fd(r);
	else if (fz_chance(r, 10))
		sqe->file_index = fz_chance(r, 50) ? fz_below(r, 4) : (uint32_t)fz_next(r);
	if (g->addr3 != K_ZERO || fz_chance(r, 3))
		sqe->addr3 = field(r, g->addr3 ? g->addr3 : K_VAL, n);
	if (fz_chance(r, 8))
		sqe->ioprio = fz_chance(r, 70) ? (uint16_t)(1u << fz_below(r, 5)) :
						 (uint16_t)fz_next(r);
	if (fz_chance(r, 8) || (sqe->flags & IOSQE_BUFFER_SELECT))
		sqe->buf_index = (uint16_t)(fz_chance(r, 80) ? fz_below(r, 3) : fz_next(r));
	if (fz_chance(r, 2))
		sqe->personality = (uint16_t)fz_next(r);
	if (fz_chance(r, 2))
		sqe->__pad2[0] = fz_next(r);
}

void fz_gen_sqe(struct fz_rng *r, struct fz_input *in)
{
	struct fz_sqe_in *s = &in->sqe;
	unsigned i, left;

	s->env = fz_below(r, 8);
	if (fz_chance(r, 10))
		s->ring_flags = IORING_SETUP_SUBMIT_ALL;
	else if (fz_chance(r, 8))
		s->ring_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	s->nsqe = 1 + fz_below(r, FZ_MAX_SQE);
	for (i = 0; i < s->nsqe; i++)
		gen_one(r, s, i);
	for (left = s->nsqe; left; left -= s->batch[s->nbatch++])
		s->batch[s->nbatch] = (uint8_t)(fz_chance(r, 70) ? left :
						1 + fz_below(r, left));
}

static int64_t now_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static bool all_final(const struct fz_result *res, const uint64_t *uds, unsigned n)
{
	unsigned i;
	int j;

	for (i = 0; i < n; i++) {
		bool fin = false;

		for (j = 0; j < res->ncqe && !fin; j++)
			fin = res->cqe[j].user_data == uds[i] &&
			      !(res->cqe[j].flags & IORING_CQE_F_MORE);
		if (!fin)
			return false;
	}
	return true;
}

void fz_reap(struct io_uring *ring, struct fz_result *res, unsigned window_ms,
	     const uint64_t *uds, unsigned n, bool may_skip)
{
	struct timespec t0;
	int64_t t, grace_end = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	res->window_ms = window_ms;
	while ((t = now_ms(&t0)) < window_ms && (grace_end < 0 || t < grace_end)) {
		struct __kernel_timespec ts = { .tv_nsec = 5000000 };
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe_timeout(ring, &cqe, &ts) == 0) {
			if (res->ncqe < FZ_MAX_CQE)
				res->cqe[res->ncqe++] = (struct fz_cqe){
					cqe->user_data, cqe->res, cqe->flags,
					(uint32_t)now_ms(&t0) };
			else
				res->cqe_lost++;
			io_uring_cqe_seen(ring, cqe);
			continue;
		}
		if (grace_end < 0 && !may_skip && all_final(res, uds, n))
			grace_end = now_ms(&t0) + 20;	/* stragglers */
	}
}

void fz_exec_sqe(const struct fz_input *in, struct fz_result *res,
		 unsigned window_ms)
{
	const struct fz_sqe_in *s = &in->sqe;
	struct io_uring_params p = { .flags = s->ring_flags | IORING_SETUP_CQSIZE,
				     .cq_entries = 256 };
	uint64_t uds[FZ_MAX_SQE];
	struct io_uring ring;
	unsigned b, i = 0, nsub = 0;
	bool skip = false;
	int ret;

	ret = io_uring_queue_init_params(32, &ring, &p);
	fz_ret(res, "ring", ret);
	if (ret)
		return;
	ret = fz_env_register(&ring, s->env);
	fz_ret(res, "env", ret);
	if (ret)
		goto out;
	res->stage = FZ_ST_RUN;
	for (b = 0; b < s->nbatch; b++) {
		unsigned k;

		for (k = 0; k < s->batch[b]; k++, i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			memcpy(sqe, &s->sqe[i], sizeof(*sqe));
			if (sqe->fd == FZ_FD_RING)
				sqe->fd = ring.ring_fd;
			if (sqe->opcode == IORING_OP_MSG_RING && sqe->addr3 == FZ_FD_RING)
				sqe->addr3 = (uint64_t)ring.ring_fd;
		}
		ret = io_uring_submit(&ring);
		fz_ret(res, "submit", ret);
		if (ret > 0)
			nsub += (unsigned)ret;
	}
	for (i = 0; i < nsub && i < s->nsqe; i++) {
		uds[i] = s->sqe[i].user_data;
		skip |= s->sqe[i].flags & IOSQE_CQE_SKIP_SUCCESS;
	}
	res->stage = FZ_ST_REAP;
	fz_reap(&ring, res, window_ms, uds, i, skip);
out:
	res->stage = FZ_ST_EXIT;
	io_uring_queue_exit(&ring);
}
