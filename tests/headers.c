/* SPDX-License-Identifier: MIT */
/*
 * The public headers on their own: every prep helper fills the SQE fields
 * the io_uring ABI says it must, and the ring helpers walk ring memory the
 * way liburing's do. Applications compile these helpers into themselves,
 * so a mistake here breaks programs without any library call failing.
 *
 * The rings below are plain memory laid out like the kernel's, so the test
 * needs no kernel, no backend and no library function: it uses only what
 * the headers define inline. Silent on success; the first failed check
 * prints its file:line and exits 1.
 */
#include <liburing.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			exit(1);					\
		}							\
	} while (0)

#define PTR(p)	((__u64) (uintptr_t) (p))

/* ------------------------------------------------------------------------
 * A ring in plain memory
 * ------------------------------------------------------------------------ */

#define NR_ENTRIES	8

struct fake_ring {
	struct io_uring ring;
	unsigned sq_head, sq_tail, sq_flags, sq_dropped;
	unsigned cq_head, cq_tail, cq_flags, cq_overflow;
	unsigned sq_mask, sq_entries, cq_mask, cq_entries;
	struct io_uring_sqe *sqes;	/* room for 128-byte SQEs */
	struct io_uring_cqe *cqes;	/* room for 32-byte CQEs */
};

static void fake_init(struct fake_ring *f, unsigned setup_flags,
		      unsigned features)
{
	struct io_uring *r = &f->ring;

	memset(f, 0, sizeof(*f));
	f->sqes = calloc(2 * NR_ENTRIES, sizeof(*f->sqes));
	f->cqes = calloc(2 * NR_ENTRIES, sizeof(*f->cqes));
	CHECK(f->sqes && f->cqes);
	/* Stale bytes everywhere, as in a slot that was used before. */
	memset(f->sqes, 0xa5, 2 * NR_ENTRIES * sizeof(*f->sqes));

	f->sq_mask = f->cq_mask = NR_ENTRIES - 1;
	f->sq_entries = f->cq_entries = NR_ENTRIES;

	r->flags = setup_flags;
	r->features = features;
	r->ring_fd = r->enter_ring_fd = -1;
	r->sq.khead = &f->sq_head;
	r->sq.ktail = &f->sq_tail;
	r->sq.kring_mask = &f->sq_mask;
	r->sq.kring_entries = &f->sq_entries;
	r->sq.kflags = &f->sq_flags;
	r->sq.kdropped = &f->sq_dropped;
	r->sq.array = NULL;		/* as with IORING_SETUP_NO_SQARRAY */
	r->sq.sqes = f->sqes;
	r->sq.ring_mask = NR_ENTRIES - 1;
	r->sq.ring_entries = NR_ENTRIES;
	r->cq.khead = &f->cq_head;
	r->cq.ktail = &f->cq_tail;
	r->cq.kring_mask = &f->cq_mask;
	r->cq.kring_entries = &f->cq_entries;
	r->cq.kflags = &f->cq_flags;
	r->cq.koverflow = &f->cq_overflow;
	r->cq.cqes = f->cqes;
	r->cq.ring_mask = NR_ENTRIES - 1;
	r->cq.ring_entries = NR_ENTRIES;
}

static void fake_free(struct fake_ring *f)
{
	free(f->sqes);
	free(f->cqes);
}

/* The SQE a prep helper is tried on: dirty memory, handed out by get_sqe. */
static struct fake_ring scratch;

static struct io_uring_sqe *sqe_get(void)
{
	struct io_uring_sqe *sqe;

	fake_free(&scratch);
	fake_init(&scratch, 0, 0);
	sqe = io_uring_get_sqe(&scratch.ring);
	CHECK(sqe == &scratch.sqes[0]);
	return sqe;
}

/* The five fields io_uring_prep_rw() sets. */
static void check_rw(const struct io_uring_sqe *sqe, int op, int fd,
		     __u64 addr, unsigned len, __u64 off)
{
	CHECK(sqe->opcode == op);
	CHECK(sqe->fd == fd);
	CHECK(sqe->addr == addr);
	CHECK(sqe->len == len);
	CHECK(sqe->off == off);
}

/* ------------------------------------------------------------------------
 * Layouts
 * ------------------------------------------------------------------------ */

static void test_layout(void)
{
	CHECK(sizeof(struct io_uring_sqe) == 64);
	CHECK(sizeof(struct io_uring_cqe) == 16);
	CHECK(offsetof(struct io_uring_sqe, user_data) == 32);
	CHECK(offsetof(struct io_uring_sqe, personality) == 42);
	CHECK(offsetof(struct io_uring_sqe, addr3) == 48);
	CHECK(sizeof(struct io_uring_params) == 120);
	CHECK(sizeof(struct io_uring_buf_ring) == 16);
	CHECK(offsetof(struct io_uring_buf_ring, tail) == 14);

	if (sizeof(void *) == 8) {
		CHECK(sizeof(struct io_uring_sq) == 104);
		CHECK(sizeof(struct io_uring_cq) == 88);
		CHECK(sizeof(struct io_uring) == 216);
		CHECK(offsetof(struct io_uring_sq, sqes) == 56);
		CHECK(offsetof(struct io_uring_sq, sqe_head) == 64);
		CHECK(offsetof(struct io_uring_sq, ring_mask) == 88);
		CHECK(offsetof(struct io_uring_sq, sqes_sz) == 96);
		CHECK(offsetof(struct io_uring_cq, cqes) == 48);
		CHECK(offsetof(struct io_uring_cq, ring_mask) == 72);
		CHECK(offsetof(struct io_uring, cq) == 104);
		CHECK(offsetof(struct io_uring, flags) == 192);
		CHECK(offsetof(struct io_uring, ring_fd) == 196);
		CHECK(offsetof(struct io_uring, enter_ring_fd) == 204);
		CHECK(offsetof(struct io_uring, int_flags) == 208);
		CHECK(offsetof(struct io_uring, pad2) == 212);
	}

	CHECK(IORING_OP_LAST == 65);
	CHECK(IORING_REGISTER_LAST == 38);
	CHECK(IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR == 15);
	CHECK(!IO_URING_CHECK_VERSION(2, 15));
	CHECK(!IO_URING_CHECK_VERSION(2, 0));
	CHECK(IO_URING_CHECK_VERSION(2, 16));
	CHECK(IO_URING_CHECK_VERSION(3, 0));
}

/* ------------------------------------------------------------------------
 * SQE helpers and the prep helpers, one opcode family at a time
 * ------------------------------------------------------------------------ */

static void test_sqe_helpers(void)
{
	struct io_uring_sqe *sqe = sqe_get();
	struct io_uring_cqe cqe;
	int x;

	/* get_sqe cleared what prep_rw does not set. */
	CHECK(sqe->flags == 0 && sqe->ioprio == 0 && sqe->rw_flags == 0);
	CHECK(sqe->buf_index == 0 && sqe->personality == 0);
	CHECK(sqe->file_index == 0 && sqe->addr3 == 0 && sqe->__pad2[0] == 0);

	io_uring_sqe_set_data(sqe, &x);
	CHECK(sqe->user_data == PTR(&x));
	cqe.user_data = sqe->user_data;
	CHECK(io_uring_cqe_get_data(&cqe) == &x);
	io_uring_sqe_set_data64(sqe, 0x1122334455667788ULL);
	cqe.user_data = sqe->user_data;
	CHECK(io_uring_cqe_get_data64(&cqe) == 0x1122334455667788ULL);

	io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK | IOSQE_ASYNC);
	CHECK(sqe->flags == (IOSQE_IO_LINK | IOSQE_ASYNC));
	io_uring_sqe_set_buf_group(sqe, 7);
	CHECK(sqe->buf_group == 7);
	__io_uring_set_target_fixed_file(sqe, 4);
	CHECK(sqe->file_index == 5);

	sqe = sqe_get();
	io_uring_prep_rw(IORING_OP_READ, sqe, 3, &x, 10, 20);
	check_rw(sqe, IORING_OP_READ, 3, PTR(&x), 10, 20);
}

static void test_prep_rw(void)
{
	char buf[16];
	struct iovec iov[2];
	struct io_uring_sqe *sqe;

	sqe = sqe_get();
	io_uring_prep_nop(sqe);
	check_rw(sqe, IORING_OP_NOP, -1, 0, 0, 0);
	sqe = sqe_get();
	io_uring_prep_nop128(sqe);
	check_rw(sqe, IORING_OP_NOP128, -1, 0, 0, 0);

	sqe = sqe_get();
	io_uring_prep_read(sqe, 5, buf, sizeof(buf), 4096);
	check_rw(sqe, IORING_OP_READ, 5, PTR(buf), sizeof(buf), 4096);
	CHECK(sqe->rw_flags == 0 && sqe->flags == 0);
	sqe = sqe_get();
	io_uring_prep_write(sqe, 5, buf, 3, (__u64) -1);
	check_rw(sqe, IORING_OP_WRITE, 5, PTR(buf), 3, (__u64) -1);

	sqe = sqe_get();
	io_uring_prep_readv(sqe, 6, iov, 2, 8);
	check_rw(sqe, IORING_OP_READV, 6, PTR(iov), 2, 8);
	sqe = sqe_get();
	io_uring_prep_readv2(sqe, 6, iov, 2, 8, 0x8);
	check_rw(sqe, IORING_OP_READV, 6, PTR(iov), 2, 8);
	CHECK(sqe->rw_flags == 0x8);
	sqe = sqe_get();
	io_uring_prep_writev(sqe, 6, iov, 1, 0);
	check_rw(sqe, IORING_OP_WRITEV, 6, PTR(iov), 1, 0);
	sqe = sqe_get();
	io_uring_prep_writev2(sqe, 6, iov, 1, 0, 0x10);
	check_rw(sqe, IORING_OP_WRITEV, 6, PTR(iov), 1, 0);
	CHECK(sqe->rw_flags == 0x10);

	sqe = sqe_get();
	io_uring_prep_read_fixed(sqe, 7, buf, 4, 12, 3);
	check_rw(sqe, IORING_OP_READ_FIXED, 7, PTR(buf), 4, 12);
	CHECK(sqe->buf_index == 3);
	sqe = sqe_get();
	io_uring_prep_write_fixed(sqe, 7, buf, 4, 12, 2);
	check_rw(sqe, IORING_OP_WRITE_FIXED, 7, PTR(buf), 4, 12);
	CHECK(sqe->buf_index == 2);
	sqe = sqe_get();
	io_uring_prep_readv_fixed(sqe, 7, iov, 2, 0, 0x2, 1);
	check_rw(sqe, IORING_OP_READV_FIXED, 7, PTR(iov), 2, 0);
	CHECK(sqe->rw_flags == 0x2 && sqe->buf_index == 1);
	sqe = sqe_get();
	io_uring_prep_writev_fixed(sqe, 7, iov, 2, 64, 0, 9);
	check_rw(sqe, IORING_OP_WRITEV_FIXED, 7, PTR(iov), 2, 64);
	CHECK(sqe->rw_flags == 0 && sqe->buf_index == 9);

	sqe = sqe_get();
	io_uring_prep_read_multishot(sqe, 8, 100, 0, 4);
	check_rw(sqe, IORING_OP_READ_MULTISHOT, 8, 0, 100, 0);
	CHECK(sqe->buf_group == 4 && sqe->flags == IOSQE_BUFFER_SELECT);
}

static void test_prep_file(void)
{
	struct io_uring_sqe *sqe;
	struct open_how how;
	int fds[2];
	int x;

	sqe = sqe_get();
	io_uring_prep_fsync(sqe, 3, IORING_FSYNC_DATASYNC);
	check_rw(sqe, IORING_OP_FSYNC, 3, 0, 0, 0);
	CHECK(sqe->fsync_flags == IORING_FSYNC_DATASYNC);
	sqe = sqe_get();
	io_uring_prep_sync_file_range(sqe, 3, 4096, 8192, 2);
	check_rw(sqe, IORING_OP_SYNC_FILE_RANGE, 3, 0, 4096, 8192);
	CHECK(sqe->sync_range_flags == 2);
	sqe = sqe_get();
	io_uring_prep_fallocate(sqe, 3, 1, 100, 1ULL << 40);
	check_rw(sqe, IORING_OP_FALLOCATE, 3, 1ULL << 40, 1, 100);
	sqe = sqe_get();
	io_uring_prep_ftruncate(sqe, 3, 12345);
	check_rw(sqe, IORING_OP_FTRUNCATE, 3, 0, 0, 12345);

	sqe = sqe_get();
	io_uring_prep_fadvise(sqe, 3, 10, 20, 4);
	check_rw(sqe, IORING_OP_FADVISE, 3, 0, 20, 10);
	CHECK(sqe->fadvise_advice == 4);
	sqe = sqe_get();
	io_uring_prep_fadvise64(sqe, 3, 10, (off_t) 1 << 33, 4);
	check_rw(sqe, IORING_OP_FADVISE, 3, 1ULL << 33, 0, 10);
	CHECK(sqe->fadvise_advice == 4);
	sqe = sqe_get();
	io_uring_prep_madvise(sqe, &x, 4096, 3);
	check_rw(sqe, IORING_OP_MADVISE, -1, PTR(&x), 4096, 0);
	CHECK(sqe->fadvise_advice == 3);
	sqe = sqe_get();
	io_uring_prep_madvise64(sqe, &x, (off_t) 1 << 33, 3);
	check_rw(sqe, IORING_OP_MADVISE, -1, PTR(&x), 0, 1ULL << 33);
	CHECK(sqe->fadvise_advice == 3);

	sqe = sqe_get();
	io_uring_prep_splice(sqe, 10, -1, 11, 500, 64, SPLICE_F_FD_IN_FIXED);
	check_rw(sqe, IORING_OP_SPLICE, 11, (__u64) -1, 64, 500);
	CHECK(sqe->splice_off_in == (__u64) -1);
	CHECK(sqe->splice_fd_in == 10);
	CHECK(sqe->splice_flags == SPLICE_F_FD_IN_FIXED);
	sqe = sqe_get();
	io_uring_prep_tee(sqe, 10, 11, 64, 0);
	check_rw(sqe, IORING_OP_TEE, 11, 0, 64, 0);
	CHECK(sqe->splice_fd_in == 10 && sqe->splice_flags == 0);

	sqe = sqe_get();
	io_uring_prep_statx(sqe, AT_FDCWD, "p", AT_EMPTY_PATH, 0x7ff,
			    (struct statx *) (void *) &x);
	check_rw(sqe, IORING_OP_STATX, AT_FDCWD, sqe->addr, 0x7ff, PTR(&x));
	CHECK(sqe->statx_flags == AT_EMPTY_PATH);

	sqe = sqe_get();
	io_uring_prep_openat(sqe, 9, "p", O_RDONLY | O_CLOEXEC, 0644);
	CHECK(sqe->opcode == IORING_OP_OPENAT && sqe->fd == 9);
	CHECK(sqe->len == 0644 && sqe->open_flags == (O_RDONLY | O_CLOEXEC));
	CHECK(sqe->file_index == 0);
	sqe = sqe_get();
	io_uring_prep_openat_direct(sqe, 9, "p", 0, 0, 6);
	CHECK(sqe->opcode == IORING_OP_OPENAT && sqe->file_index == 7);
	sqe = sqe_get();
	io_uring_prep_openat_direct(sqe, 9, "p", 0, 0, IORING_FILE_INDEX_ALLOC);
	CHECK(sqe->file_index == IORING_FILE_INDEX_ALLOC);
	sqe = sqe_get();
	io_uring_prep_open(sqe, "p", O_WRONLY, 0600);
	CHECK(sqe->opcode == IORING_OP_OPENAT && sqe->fd == AT_FDCWD);
	CHECK(sqe->len == 0600 && sqe->open_flags == O_WRONLY);
	sqe = sqe_get();
	io_uring_prep_open_direct(sqe, "p", O_WRONLY, 0600, 0);
	CHECK(sqe->fd == AT_FDCWD && sqe->file_index == 1);

	memset(&how, 0, sizeof(how));
	sqe = sqe_get();
	io_uring_prep_openat2(sqe, 9, "p", &how);
	check_rw(sqe, IORING_OP_OPENAT2, 9, sqe->addr, sizeof(how), PTR(&how));
	CHECK(sizeof(how) == 24);
	sqe = sqe_get();
	io_uring_prep_openat2_direct(sqe, 9, "p", &how, 2);
	CHECK(sqe->opcode == IORING_OP_OPENAT2 && sqe->file_index == 3);

	sqe = sqe_get();
	io_uring_prep_close(sqe, 12);
	check_rw(sqe, IORING_OP_CLOSE, 12, 0, 0, 0);
	CHECK(sqe->file_index == 0);
	sqe = sqe_get();
	io_uring_prep_close_direct(sqe, 5);
	check_rw(sqe, IORING_OP_CLOSE, 0, 0, 0, 0);
	CHECK(sqe->file_index == 6);

	sqe = sqe_get();
	io_uring_prep_files_update(sqe, fds, 2, 3);
	check_rw(sqe, IORING_OP_FILES_UPDATE, -1, PTR(fds), 2, 3);
	sqe = sqe_get();
	io_uring_prep_fixed_fd_install(sqe, 4, IORING_FIXED_FD_NO_CLOEXEC);
	check_rw(sqe, IORING_OP_FIXED_FD_INSTALL, 4, 0, 0, 0);
	CHECK(sqe->flags == IOSQE_FIXED_FILE);
	CHECK(sqe->install_fd_flags == IORING_FIXED_FD_NO_CLOEXEC);

	sqe = sqe_get();
	io_uring_prep_pipe(sqe, fds, O_CLOEXEC);
	check_rw(sqe, IORING_OP_PIPE, 0, PTR(fds), 0, 0);
	CHECK(sqe->pipe_flags == O_CLOEXEC && sqe->file_index == 0);
	sqe = sqe_get();
	io_uring_prep_pipe_direct(sqe, fds, 0, IORING_FILE_INDEX_ALLOC);
	CHECK(sqe->opcode == IORING_OP_PIPE);
	CHECK(sqe->file_index == IORING_FILE_INDEX_ALLOC);
}

static void test_prep_path(void)
{
	static const char a[] = "a", b[] = "b";
	struct io_uring_sqe *sqe;
	char value[8];

	sqe = sqe_get();
	io_uring_prep_unlinkat(sqe, 4, a, AT_REMOVEDIR);
	check_rw(sqe, IORING_OP_UNLINKAT, 4, PTR(a), 0, 0);
	CHECK(sqe->unlink_flags == AT_REMOVEDIR);
	sqe = sqe_get();
	io_uring_prep_unlink(sqe, a, 0);
	check_rw(sqe, IORING_OP_UNLINKAT, AT_FDCWD, PTR(a), 0, 0);

	sqe = sqe_get();
	io_uring_prep_renameat(sqe, 4, a, 5, b, 1);
	check_rw(sqe, IORING_OP_RENAMEAT, 4, PTR(a), 5, PTR(b));
	CHECK(sqe->rename_flags == 1);
	sqe = sqe_get();
	io_uring_prep_rename(sqe, a, b);
	check_rw(sqe, IORING_OP_RENAMEAT, AT_FDCWD, PTR(a),
		 (unsigned) AT_FDCWD, PTR(b));
	CHECK(sqe->rename_flags == 0);

	sqe = sqe_get();
	io_uring_prep_mkdirat(sqe, 4, a, 0755);
	check_rw(sqe, IORING_OP_MKDIRAT, 4, PTR(a), 0755, 0);
	sqe = sqe_get();
	io_uring_prep_mkdir(sqe, a, 0700);
	check_rw(sqe, IORING_OP_MKDIRAT, AT_FDCWD, PTR(a), 0700, 0);

	sqe = sqe_get();
	io_uring_prep_symlinkat(sqe, a, 4, b);
	check_rw(sqe, IORING_OP_SYMLINKAT, 4, PTR(a), 0, PTR(b));
	sqe = sqe_get();
	io_uring_prep_symlink(sqe, a, b);
	check_rw(sqe, IORING_OP_SYMLINKAT, AT_FDCWD, PTR(a), 0, PTR(b));

	sqe = sqe_get();
	io_uring_prep_linkat(sqe, 4, a, 5, b, AT_SYMLINK_FOLLOW);
	check_rw(sqe, IORING_OP_LINKAT, 4, PTR(a), 5, PTR(b));
	CHECK(sqe->hardlink_flags == AT_SYMLINK_FOLLOW);
	sqe = sqe_get();
	io_uring_prep_link(sqe, a, b, 0);
	check_rw(sqe, IORING_OP_LINKAT, AT_FDCWD, PTR(a), (unsigned) AT_FDCWD,
		 PTR(b));

	sqe = sqe_get();
	io_uring_prep_getxattr(sqe, a, value, b, sizeof(value));
	check_rw(sqe, IORING_OP_GETXATTR, 0, PTR(a), sizeof(value), PTR(value));
	CHECK(sqe->addr3 == PTR(b) && sqe->xattr_flags == 0);
	sqe = sqe_get();
	io_uring_prep_setxattr(sqe, a, value, b, 1, 3);
	check_rw(sqe, IORING_OP_SETXATTR, 0, PTR(a), 3, PTR(value));
	CHECK(sqe->addr3 == PTR(b) && sqe->xattr_flags == 1);
	sqe = sqe_get();
	io_uring_prep_fgetxattr(sqe, 6, a, value, sizeof(value));
	check_rw(sqe, IORING_OP_FGETXATTR, 6, PTR(a), sizeof(value), PTR(value));
	CHECK(sqe->addr3 == 0 && sqe->xattr_flags == 0);
	sqe = sqe_get();
	io_uring_prep_fsetxattr(sqe, 6, a, value, 2, 3);
	check_rw(sqe, IORING_OP_FSETXATTR, 6, PTR(a), 3, PTR(value));
	CHECK(sqe->xattr_flags == 2);
}

static void test_prep_poll_timeout(void)
{
	struct __kernel_timespec ts = { 1, 2 };
	struct io_uring_sqe *sqe;
	int x;

	CHECK(__io_uring_prep_poll_mask(POLLIN) ==
	      (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ?
	       (unsigned) POLLIN << 16 : (unsigned) POLLIN));

	sqe = sqe_get();
	io_uring_prep_poll_add(sqe, 3, POLLIN | POLLOUT);
	check_rw(sqe, IORING_OP_POLL_ADD, 3, 0, 0, 0);
	CHECK(sqe->poll32_events == __io_uring_prep_poll_mask(POLLIN | POLLOUT));
	sqe = sqe_get();
	io_uring_prep_poll_multishot(sqe, 3, POLLIN);
	check_rw(sqe, IORING_OP_POLL_ADD, 3, 0, IORING_POLL_ADD_MULTI, 0);
	sqe = sqe_get();
	io_uring_prep_poll_remove(sqe, 77);
	check_rw(sqe, IORING_OP_POLL_REMOVE, -1, 77, 0, 0);
	sqe = sqe_get();
	io_uring_prep_poll_update(sqe, 77, 88, POLLIN,
				  IORING_POLL_UPDATE_EVENTS |
				  IORING_POLL_UPDATE_USER_DATA);
	check_rw(sqe, IORING_OP_POLL_REMOVE, -1, 77,
		 IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA, 88);
	CHECK(sqe->poll32_events == __io_uring_prep_poll_mask(POLLIN));

	sqe = sqe_get();
	io_uring_prep_epoll_ctl(sqe, 20, 21, 1, (struct epoll_event *) (void *) &x);
	check_rw(sqe, IORING_OP_EPOLL_CTL, 20, PTR(&x), 1, 21);
	sqe = sqe_get();
	io_uring_prep_epoll_wait(sqe, 20, (struct epoll_event *) (void *) &x, 16, 0);
	check_rw(sqe, IORING_OP_EPOLL_WAIT, 20, PTR(&x), 16, 0);

	sqe = sqe_get();
	io_uring_prep_timeout(sqe, &ts, 5, IORING_TIMEOUT_ABS);
	check_rw(sqe, IORING_OP_TIMEOUT, -1, PTR(&ts), 1, 5);
	CHECK(sqe->timeout_flags == IORING_TIMEOUT_ABS);
	sqe = sqe_get();
	io_uring_prep_timeout_remove(sqe, 99, 0);
	check_rw(sqe, IORING_OP_TIMEOUT_REMOVE, -1, 99, 0, 0);
	CHECK(sqe->timeout_flags == 0);
	sqe = sqe_get();
	io_uring_prep_timeout_update(sqe, &ts, 99, IORING_TIMEOUT_ABS);
	check_rw(sqe, IORING_OP_TIMEOUT_REMOVE, -1, 99, 0, PTR(&ts));
	CHECK(sqe->timeout_flags == (IORING_TIMEOUT_ABS | IORING_TIMEOUT_UPDATE));
	sqe = sqe_get();
	io_uring_prep_link_timeout(sqe, &ts, IORING_TIMEOUT_BOOTTIME);
	check_rw(sqe, IORING_OP_LINK_TIMEOUT, -1, PTR(&ts), 1, 0);
	CHECK(sqe->timeout_flags == IORING_TIMEOUT_BOOTTIME);

	sqe = sqe_get();
	io_uring_prep_cancel64(sqe, 0xdeadbeefcafeULL, IORING_ASYNC_CANCEL_ALL);
	check_rw(sqe, IORING_OP_ASYNC_CANCEL, -1, 0xdeadbeefcafeULL, 0, 0);
	CHECK(sqe->cancel_flags == IORING_ASYNC_CANCEL_ALL);
	sqe = sqe_get();
	io_uring_prep_cancel(sqe, &x, 0);
	check_rw(sqe, IORING_OP_ASYNC_CANCEL, -1, PTR(&x), 0, 0);
	sqe = sqe_get();
	io_uring_prep_cancel_fd(sqe, 8, IORING_ASYNC_CANCEL_ALL);
	check_rw(sqe, IORING_OP_ASYNC_CANCEL, 8, 0, 0, 0);
	CHECK(sqe->cancel_flags ==
	      (IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD));
}

static void test_prep_net(void)
{
	struct sockaddr_storage ss;
	struct sockaddr *sa = (struct sockaddr *) &ss;
	socklen_t salen = sizeof(ss);
	struct msghdr msg;
	struct io_uring_sqe *sqe;
	char buf[32];
	int val;

	sqe = sqe_get();
	io_uring_prep_socket(sqe, AF_INET, SOCK_STREAM, 6, 0);
	check_rw(sqe, IORING_OP_SOCKET, AF_INET, 0, 6, SOCK_STREAM);
	CHECK(sqe->rw_flags == 0 && sqe->file_index == 0);
	sqe = sqe_get();
	io_uring_prep_socket_direct(sqe, AF_UNIX, SOCK_DGRAM, 0, 3, 0);
	check_rw(sqe, IORING_OP_SOCKET, AF_UNIX, 0, 0, SOCK_DGRAM);
	CHECK(sqe->file_index == 4);
	sqe = sqe_get();
	io_uring_prep_socket_direct_alloc(sqe, AF_UNIX, SOCK_DGRAM, 0, 0);
	CHECK(sqe->file_index == IORING_FILE_INDEX_ALLOC);

	sqe = sqe_get();
	io_uring_prep_connect(sqe, 3, sa, 16);
	check_rw(sqe, IORING_OP_CONNECT, 3, PTR(sa), 0, 16);
	sqe = sqe_get();
	io_uring_prep_bind(sqe, 3, sa, 16);
	check_rw(sqe, IORING_OP_BIND, 3, PTR(sa), 0, 16);
	sqe = sqe_get();
	io_uring_prep_listen(sqe, 3, 128);
	check_rw(sqe, IORING_OP_LISTEN, 3, 0, 128, 0);

	sqe = sqe_get();
	io_uring_prep_accept(sqe, 3, sa, &salen, SOCK_CLOEXEC);
	check_rw(sqe, IORING_OP_ACCEPT, 3, PTR(sa), 0, PTR(&salen));
	CHECK(sqe->accept_flags == SOCK_CLOEXEC && sqe->ioprio == 0);
	sqe = sqe_get();
	io_uring_prep_accept_direct(sqe, 3, NULL, NULL, 0, 10);
	CHECK(sqe->opcode == IORING_OP_ACCEPT && sqe->file_index == 11);
	sqe = sqe_get();
	io_uring_prep_multishot_accept(sqe, 3, NULL, NULL, 0);
	CHECK(sqe->opcode == IORING_OP_ACCEPT);
	CHECK(sqe->ioprio == IORING_ACCEPT_MULTISHOT && sqe->file_index == 0);
	sqe = sqe_get();
	io_uring_prep_multishot_accept_direct(sqe, 3, NULL, NULL, 0);
	CHECK(sqe->ioprio == IORING_ACCEPT_MULTISHOT);
	CHECK(sqe->file_index == IORING_FILE_INDEX_ALLOC);

	sqe = sqe_get();
	io_uring_prep_shutdown(sqe, 3, SHUT_WR);
	check_rw(sqe, IORING_OP_SHUTDOWN, 3, 0, SHUT_WR, 0);

	sqe = sqe_get();
	io_uring_prep_send(sqe, 4, buf, 10, MSG_NOSIGNAL);
	check_rw(sqe, IORING_OP_SEND, 4, PTR(buf), 10, 0);
	CHECK(sqe->msg_flags == MSG_NOSIGNAL);
	sqe = sqe_get();
	io_uring_prep_send_bundle(sqe, 4, 0, 0);
	check_rw(sqe, IORING_OP_SEND, 4, 0, 0, 0);
	CHECK(sqe->ioprio == IORING_RECVSEND_BUNDLE);
	sqe = sqe_get();
	io_uring_prep_sendto(sqe, 4, buf, 10, 0, sa, 16);
	check_rw(sqe, IORING_OP_SEND, 4, PTR(buf), 10, PTR(sa));
	CHECK(sqe->addr2 == PTR(sa) && sqe->addr_len == 16);
	sqe = sqe_get();
	io_uring_prep_send_zc(sqe, 4, buf, 10, 0, IORING_SEND_ZC_REPORT_USAGE);
	check_rw(sqe, IORING_OP_SEND_ZC, 4, PTR(buf), 10, 0);
	CHECK(sqe->ioprio == IORING_SEND_ZC_REPORT_USAGE);
	io_uring_prep_send_set_addr(sqe, sa, 8);
	CHECK(sqe->addr2 == PTR(sa) && sqe->addr_len == 8);
	sqe = sqe_get();
	io_uring_prep_send_zc_fixed(sqe, 4, buf, 10, 0, 0, 5);
	CHECK(sqe->opcode == IORING_OP_SEND_ZC);
	CHECK(sqe->ioprio == IORING_RECVSEND_FIXED_BUF && sqe->buf_index == 5);

	sqe = sqe_get();
	io_uring_prep_recv(sqe, 4, buf, sizeof(buf), MSG_WAITALL);
	check_rw(sqe, IORING_OP_RECV, 4, PTR(buf), sizeof(buf), 0);
	CHECK(sqe->msg_flags == MSG_WAITALL);
	sqe = sqe_get();
	io_uring_prep_recv_multishot(sqe, 4, NULL, 0, 0);
	check_rw(sqe, IORING_OP_RECV, 4, 0, 0, 0);
	CHECK(sqe->ioprio == IORING_RECV_MULTISHOT);

	sqe = sqe_get();
	io_uring_prep_sendmsg(sqe, 4, &msg, MSG_DONTWAIT);
	check_rw(sqe, IORING_OP_SENDMSG, 4, PTR(&msg), 1, 0);
	CHECK(sqe->msg_flags == MSG_DONTWAIT);
	sqe = sqe_get();
	io_uring_prep_sendmsg_zc(sqe, 4, &msg, 0);
	check_rw(sqe, IORING_OP_SENDMSG_ZC, 4, PTR(&msg), 1, 0);
	sqe = sqe_get();
	io_uring_prep_sendmsg_zc_fixed(sqe, 4, &msg, 0, 2);
	check_rw(sqe, IORING_OP_SENDMSG_ZC, 4, PTR(&msg), 1, 0);
	CHECK(sqe->ioprio == IORING_RECVSEND_FIXED_BUF && sqe->buf_index == 2);
	sqe = sqe_get();
	io_uring_prep_recvmsg(sqe, 4, &msg, MSG_PEEK);
	check_rw(sqe, IORING_OP_RECVMSG, 4, PTR(&msg), 1, 0);
	CHECK(sqe->msg_flags == MSG_PEEK && sqe->ioprio == 0);
	sqe = sqe_get();
	io_uring_prep_recvmsg_multishot(sqe, 4, &msg, 0);
	check_rw(sqe, IORING_OP_RECVMSG, 4, PTR(&msg), 1, 0);
	CHECK(sqe->ioprio == IORING_RECV_MULTISHOT);

	sqe = sqe_get();
	io_uring_prep_uring_cmd(sqe, 0x1234, 5);
	check_rw(sqe, IORING_OP_URING_CMD, 5, 0, 0, 0x1234);
	CHECK(sqe->cmd_op == 0x1234 && sqe->__pad1 == 0);
	sqe = sqe_get();
	io_uring_prep_uring_cmd128(sqe, 7, 5);
	CHECK(sqe->opcode == IORING_OP_URING_CMD128 && sqe->cmd_op == 7);
	sqe = sqe_get();
	io_uring_prep_cmd_sock(sqe, SOCKET_URING_OP_SETSOCKOPT, 5, SOL_SOCKET,
			       SO_REUSEADDR, &val, sizeof(val));
	CHECK(sqe->opcode == IORING_OP_URING_CMD && sqe->fd == 5);
	CHECK(sqe->cmd_op == SOCKET_URING_OP_SETSOCKOPT);
	CHECK(sqe->level == SOL_SOCKET && sqe->optname == SO_REUSEADDR);
	CHECK(sqe->optval == PTR(&val) && sqe->optlen == sizeof(val));
	sqe = sqe_get();
	io_uring_prep_cmd_getsockname(sqe, 5, sa, &salen, 1);
	CHECK(sqe->opcode == IORING_OP_URING_CMD);
	CHECK(sqe->cmd_op == SOCKET_URING_OP_GETSOCKNAME);
	CHECK(sqe->addr == PTR(sa) && sqe->addr3 == PTR(&salen));
	CHECK(sqe->optlen == 1);
	sqe = sqe_get();
	io_uring_prep_cmd_discard(sqe, 5, 4096, 8192);
	CHECK(sqe->opcode == IORING_OP_URING_CMD);
	CHECK(sqe->cmd_op == BLOCK_URING_CMD_DISCARD);
	CHECK(sqe->addr == 4096 && sqe->addr3 == 8192);
}

static void test_prep_misc(void)
{
	struct io_uring_sqe *sqe;
	uint32_t futex = 0;
	siginfo_t si;
	char buf[64];

	sqe = sqe_get();
	io_uring_prep_msg_ring(sqe, 9, 42, 0xabcdef, 0);
	check_rw(sqe, IORING_OP_MSG_RING, 9, IORING_MSG_DATA, 42, 0xabcdef);
	CHECK(sqe->msg_ring_flags == 0);
	sqe = sqe_get();
	io_uring_prep_msg_ring_cqe_flags(sqe, 9, 42, 7, IORING_MSG_RING_CQE_SKIP,
					 IORING_CQE_F_MORE);
	check_rw(sqe, IORING_OP_MSG_RING, 9, IORING_MSG_DATA, 42, 7);
	CHECK(sqe->msg_ring_flags ==
	      (IORING_MSG_RING_FLAGS_PASS | IORING_MSG_RING_CQE_SKIP));
	CHECK(sqe->file_index == IORING_CQE_F_MORE);
	sqe = sqe_get();
	io_uring_prep_msg_ring_fd(sqe, 9, 2, 5, 100, 0);
	check_rw(sqe, IORING_OP_MSG_RING, 9, IORING_MSG_SEND_FD, 0, 100);
	CHECK(sqe->addr3 == 2 && sqe->file_index == 6);
	sqe = sqe_get();
	io_uring_prep_msg_ring_fd_alloc(sqe, 9, 2, 100, 0);
	CHECK(sqe->addr == IORING_MSG_SEND_FD);
	CHECK(sqe->file_index == IORING_FILE_INDEX_ALLOC);

	sqe = sqe_get();
	io_uring_prep_waitid(sqe, P_PID, 1234, &si, WEXITED, 0);
	check_rw(sqe, IORING_OP_WAITID, 1234, 0, P_PID, PTR(&si));
	CHECK(sqe->file_index == WEXITED && sqe->waitid_flags == 0);

	sqe = sqe_get();
	io_uring_prep_futex_wake(sqe, &futex, 1, 0xffffffffULL, 2, 0);
	check_rw(sqe, IORING_OP_FUTEX_WAKE, 2, PTR(&futex), 0, 1);
	CHECK(sqe->addr3 == 0xffffffffULL && sqe->futex_flags == 0);
	sqe = sqe_get();
	io_uring_prep_futex_wait(sqe, &futex, 0, 0xffULL, 2, 0);
	check_rw(sqe, IORING_OP_FUTEX_WAIT, 2, PTR(&futex), 0, 0);
	CHECK(sqe->addr3 == 0xff);
	sqe = sqe_get();
	io_uring_prep_futex_waitv(sqe, (struct futex_waitv *) (void *) buf, 3, 0);
	check_rw(sqe, IORING_OP_FUTEX_WAITV, 0, PTR(buf), 3, 0);

	sqe = sqe_get();
	io_uring_prep_provide_buffers(sqe, buf, 16, 4, 7, 100);
	check_rw(sqe, IORING_OP_PROVIDE_BUFFERS, 4, PTR(buf), 16, 100);
	CHECK(sqe->buf_group == 7);
	sqe = sqe_get();
	io_uring_prep_remove_buffers(sqe, 4, 7);
	check_rw(sqe, IORING_OP_REMOVE_BUFFERS, 4, 0, 0, 0);
	CHECK(sqe->buf_group == 7);
}

/* ------------------------------------------------------------------------
 * The submission ring
 * ------------------------------------------------------------------------ */

static void test_sq(void)
{
	struct fake_ring f;
	struct io_uring *ring = &f.ring;
	struct io_uring_sqe *sqe;
	unsigned i;

	fake_init(&f, IORING_SETUP_NO_SQARRAY, 0);
	CHECK(io_uring_sq_space_left(ring) == NR_ENTRIES);
	for (i = 0; i < NR_ENTRIES; i++) {
		sqe = io_uring_get_sqe(ring);
		CHECK(sqe == &f.sqes[i]);
	}
	CHECK(io_uring_get_sqe(ring) == NULL);
	CHECK(io_uring_sq_ready(ring) == NR_ENTRIES);
	CHECK(io_uring_sq_space_left(ring) == 0);
	CHECK(io_uring_get_sqe128(ring) == NULL);	/* no big SQEs here */

	/* The kernel consumed three: their slots come back, in ring order. */
	f.sq_head = 3;
	CHECK(io_uring_load_sq_head(ring) == 3);
	CHECK(io_uring_sq_space_left(ring) == 3);
	CHECK(io_uring_get_sqe(ring) == &f.sqes[0]);
	fake_free(&f);

	/* SQE128: every SQE is two 64-byte slots. */
	fake_init(&f, IORING_SETUP_SQE128, 0);
	CHECK(io_uring_get_sqe(ring) == &f.sqes[0]);
	CHECK(io_uring_get_sqe(ring) == &f.sqes[2]);
	CHECK(io_uring_get_sqe128(ring) == &f.sqes[4]);
	CHECK(ring->sq.sqe_tail == 3);
	fake_free(&f);

	/* SQE_MIXED: a big SQE takes two slots and never wraps. */
	fake_init(&f, IORING_SETUP_SQE_MIXED, 0);
	CHECK(io_uring_get_sqe128(ring) == &f.sqes[0]);
	CHECK(ring->sq.sqe_tail == 2);
	for (i = 2; i < NR_ENTRIES - 1; i++)
		CHECK(io_uring_get_sqe(ring) == &f.sqes[i]);
	CHECK(ring->sq.sqe_tail == NR_ENTRIES - 1);
	CHECK(io_uring_get_sqe128(ring) == NULL);	/* needs 3, has 1 */
	f.sq_head = 4;
	sqe = io_uring_get_sqe128(ring);
	CHECK(sqe == &f.sqes[0]);
	CHECK(ring->sq.sqe_tail == NR_ENTRIES + 2);
	/* The last slot became a NOP that posts no CQE. */
	sqe = &f.sqes[NR_ENTRIES - 1];
	CHECK(sqe->opcode == IORING_OP_NOP);
	CHECK(sqe->flags == IOSQE_CQE_SKIP_SUCCESS);
	fake_free(&f);
}

/* ------------------------------------------------------------------------
 * The completion ring
 * ------------------------------------------------------------------------ */

static void post(struct fake_ring *f, unsigned slot, __u64 data, int res,
		 unsigned flags)
{
	struct io_uring_cqe *cqe = &f->cqes[slot];

	cqe->user_data = data;
	cqe->res = res;
	cqe->flags = flags;
}

static void test_cq(void)
{
	struct fake_ring f;
	struct io_uring *ring = &f.ring;
	struct io_uring_cqe *cqe;
	unsigned head, n, avail;

	fake_init(&f, 0, IORING_FEAT_EXT_ARG);
	CHECK(__io_uring_peek_cqe(ring, &cqe, &avail) == 0);
	CHECK(cqe == NULL && avail == 0);

	post(&f, 0, 10, 0, 0);
	post(&f, 1, 11, -5, 0);
	post(&f, 2, 12, 7, IORING_CQE_F_MORE);
	f.cq_tail = 3;
	CHECK(io_uring_cq_ready(ring) == 3);
	CHECK(__io_uring_peek_cqe(ring, &cqe, &avail) == 0);
	CHECK(cqe == &f.cqes[0] && avail == 3);
	io_uring_cqe_seen(ring, cqe);
	CHECK(f.cq_head == 1 && io_uring_cq_ready(ring) == 2);

	n = 0;
	io_uring_for_each_cqe(ring, head, cqe) {
		CHECK(head == 1 + n);
		CHECK(cqe == &f.cqes[1 + n]);
		CHECK(cqe->user_data == 11 + n);
		n++;
	}
	CHECK(n == 2);
	CHECK(f.cq_head == 1);		/* for_each consumes nothing */
	io_uring_cq_advance(ring, n);
	CHECK(f.cq_head == 3 && io_uring_cq_ready(ring) == 0);
	io_uring_cqe_seen(ring, NULL);
	CHECK(f.cq_head == 3);

	/* Indexes wrap through the mask. */
	f.cq_head = f.cq_tail = 0xfffffffeU;
	post(&f, 6, 20, 0, 0);
	post(&f, 7, 21, 0, 0);
	post(&f, 0, 22, 0, 0);
	f.cq_tail += 3;
	n = 0;
	io_uring_for_each_cqe(ring, head, cqe)
		CHECK(cqe->user_data == 20 + n++);
	CHECK(n == 3);
	io_uring_cq_advance(ring, n);
	CHECK(f.cq_head == 1 && io_uring_cq_ready(ring) == 0);

	/* The overflow flag lives in the SQ ring's flags. */
	CHECK(!io_uring_cq_has_overflow(ring));
	f.sq_flags = IORING_SQ_CQ_OVERFLOW;
	CHECK(io_uring_cq_has_overflow(ring));

	/* The eventfd switch. */
	CHECK(io_uring_cq_eventfd_enabled(ring));
	CHECK(io_uring_cq_eventfd_toggle(ring, false) == 0);
	CHECK(f.cq_flags == IORING_CQ_EVENTFD_DISABLED);
	CHECK(!io_uring_cq_eventfd_enabled(ring));
	CHECK(io_uring_cq_eventfd_toggle(ring, true) == 0);
	CHECK(f.cq_flags == 0);
	ring->cq.kflags = NULL;
	CHECK(io_uring_cq_eventfd_enabled(ring));
	CHECK(io_uring_cq_eventfd_toggle(ring, true) == 0);
	CHECK(io_uring_cq_eventfd_toggle(ring, false) == -EOPNOTSUPP);
	fake_free(&f);

	/* Without EXT_ARG, the library's own timeout CQE is eaten by peek. */
	fake_init(&f, 0, 0);
	post(&f, 0, LIBURING_UDATA_TIMEOUT, 0, 0);
	post(&f, 1, 30, 1, 0);
	post(&f, 2, LIBURING_UDATA_TIMEOUT, -ETIME, 0);
	f.cq_tail = 3;
	CHECK(__io_uring_peek_cqe(ring, &cqe, NULL) == 0);
	CHECK(cqe == &f.cqes[1] && f.cq_head == 1);
	io_uring_cqe_seen(ring, cqe);
	CHECK(__io_uring_peek_cqe(ring, &cqe, NULL) == -ETIME);
	CHECK(cqe == NULL && f.cq_head == 3);
	fake_free(&f);

	/* CQE32: every CQE is two 16-byte slots but one ring entry. */
	fake_init(&f, IORING_SETUP_CQE32, 0);
	CHECK(io_uring_cqe_shift(ring) == 1);
	post(&f, 0, 40, 0, 0);
	post(&f, 2, 41, 0, 0);
	f.cq_tail = 2;
	n = 0;
	io_uring_for_each_cqe(ring, head, cqe) {
		CHECK(cqe == &f.cqes[2 * n] && io_uring_cqe_nr(cqe) == 1);
		n++;
	}
	CHECK(n == 2);
	CHECK(__io_uring_peek_cqe(ring, &cqe, NULL) == 0 && cqe == &f.cqes[0]);
	io_uring_cqe_seen(ring, cqe);
	CHECK(__io_uring_peek_cqe(ring, &cqe, NULL) == 0 && cqe == &f.cqes[2]);
	fake_free(&f);

	/* CQE_MIXED: a big CQE takes two slots; padding is skipped by peek. */
	fake_init(&f, IORING_SETUP_CQE_MIXED, IORING_FEAT_EXT_ARG);
	CHECK(io_uring_cqe_shift(ring) == 0);
	post(&f, 0, 50, 0, 0);
	post(&f, 1, 51, 0, IORING_CQE_F_32);
	post(&f, 3, 52, 0, 0);
	f.cq_tail = 4;
	n = 0;
	io_uring_for_each_cqe(ring, head, cqe)
		CHECK(cqe->user_data == 50 + n++);
	CHECK(n == 3);
	{
		struct io_uring_cqe_iter it = io_uring_cqe_iter_init(ring);

		n = 0;
		while (io_uring_cqe_iter_next(&it, &cqe))
			CHECK(cqe->user_data == 50 + n++);
		CHECK(n == 3 && it.head == 4);
	}
	CHECK(__io_uring_peek_cqe(ring, &cqe, NULL) == 0 && cqe->user_data == 50);
	io_uring_cqe_seen(ring, cqe);
	CHECK(__io_uring_peek_cqe(ring, &cqe, NULL) == 0 && cqe->user_data == 51);
	io_uring_cqe_seen(ring, cqe);
	CHECK(f.cq_head == 3);
	io_uring_cqe_seen(ring, &f.cqes[3]);
	f.cq_head = 7;
	post(&f, 7, 0, 0, IORING_CQE_F_SKIP);
	post(&f, 0, 53, 0, IORING_CQE_F_32);
	f.cq_tail = 10;
	CHECK(__io_uring_peek_cqe(ring, &cqe, NULL) == 0);
	CHECK(cqe == &f.cqes[0] && f.cq_head == 8);
	io_uring_cqe_seen(ring, cqe);
	CHECK(f.cq_head == 10 && io_uring_cq_ready(ring) == 0);
	fake_free(&f);
}

/* ------------------------------------------------------------------------
 * Provided-buffer rings, multishot recvmsg, probes, barriers
 * ------------------------------------------------------------------------ */

static void test_buf_ring(void)
{
	struct fake_ring f;
	struct io_uring_buf_ring *br;
	int mask = io_uring_buf_ring_mask(NR_ENTRIES);
	char bufs[4][8];
	int i;

	CHECK(mask == NR_ENTRIES - 1);
	br = calloc(NR_ENTRIES, sizeof(struct io_uring_buf));
	CHECK(br != NULL);
	br->tail = 0x5555;
	io_uring_buf_ring_init(br);
	CHECK(br->tail == 0);

	for (i = 0; i < 3; i++)
		io_uring_buf_ring_add(br, bufs[i], 8, (unsigned short) (10 + i),
				      mask, i);
	CHECK(br->tail == 0);		/* nothing published yet */
	CHECK(br->bufs[0].addr == PTR(bufs[0]) && br->bufs[0].len == 8);
	CHECK(br->bufs[2].addr == PTR(bufs[2]) && br->bufs[2].bid == 12);
	io_uring_buf_ring_advance(br, 3);
	CHECK(br->tail == 3);

	/* The 16-bit tail wraps, and entry 0 never clobbers it. */
	br->tail = 0xfffe;
	for (i = 0; i < 4; i++)
		io_uring_buf_ring_add(br, bufs[i], 8, (unsigned short) i, mask,
				      i);
	CHECK(br->bufs[6].bid == 0 && br->bufs[7].bid == 1);
	CHECK(br->bufs[0].bid == 2 && br->bufs[1].bid == 3);
	CHECK(br->tail == 0xfffe);
	io_uring_buf_ring_advance(br, 4);
	CHECK(br->tail == 2);

	fake_init(&f, 0, 0);
	f.cq_tail = 5;
	__io_uring_buf_ring_cq_advance(&f.ring, br, 3, 1);
	CHECK(br->tail == 3 && f.cq_head == 3);
	io_uring_buf_ring_cq_advance(&f.ring, br, 2);
	CHECK(br->tail == 5 && f.cq_head == 5);
	fake_free(&f);
	free(br);
}

static void test_recvmsg_out(void)
{
	/* header 16 + name 16 + control 32 + payload 40 */
	union {
		unsigned char bytes[104];
		struct io_uring_recvmsg_out align;
	} u;
	struct io_uring_recvmsg_out *o;
	struct cmsghdr *cmsg;
	struct msghdr msgh;

	memset(&u, 0, sizeof(u));
	memset(&msgh, 0, sizeof(msgh));
	msgh.msg_namelen = 16;
	msgh.msg_controllen = 32;

	CHECK(io_uring_recvmsg_validate(u.bytes, 63, &msgh) == NULL);
	CHECK(io_uring_recvmsg_validate(u.bytes, -1, &msgh) == NULL);
	o = io_uring_recvmsg_validate(u.bytes, sizeof(u.bytes), &msgh);
	CHECK(o == &u.align);
	CHECK(io_uring_recvmsg_name(o) == u.bytes + 16);
	CHECK(io_uring_recvmsg_payload(o, &msgh) == u.bytes + 64);
	CHECK(io_uring_recvmsg_payload_length(o, sizeof(u.bytes), &msgh) == 40);

	/* No control data received: no first header. */
	CHECK(io_uring_recvmsg_cmsg_firsthdr(o, &msgh) == NULL);

	/* One control message that fills the area: no next one. */
	o->controllen = 32;
	cmsg = io_uring_recvmsg_cmsg_firsthdr(o, &msgh);
	CHECK((unsigned char *) cmsg == u.bytes + 32);
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	CHECK(io_uring_recvmsg_cmsg_nexthdr(o, &msgh, cmsg) == NULL);

	/* Two small ones: the second is found, then nothing. */
	cmsg->cmsg_len = sizeof(struct cmsghdr);
	((struct cmsghdr *) (void *) (u.bytes + 32 + sizeof(struct cmsghdr)))
		->cmsg_len = sizeof(struct cmsghdr);
	cmsg = io_uring_recvmsg_cmsg_nexthdr(o, &msgh, cmsg);
	CHECK((unsigned char *) cmsg == u.bytes + 32 + sizeof(struct cmsghdr));
	CHECK(io_uring_recvmsg_cmsg_nexthdr(o, &msgh, cmsg) == NULL);
}

static void test_probe_and_barriers(void)
{
	union {
		struct io_uring_probe p;
		unsigned char bytes[sizeof(struct io_uring_probe) +
				    4 * sizeof(struct io_uring_probe_op)];
	} u;
	unsigned word = 0, got;
	unsigned short half = 0;

	memset(&u, 0, sizeof(u));
	u.p.last_op = 3;
	u.p.ops_len = 4;
	u.p.ops[1].flags = IO_URING_OP_SUPPORTED;
	u.p.ops[3].flags = IO_URING_OP_SUPPORTED;
	CHECK(!io_uring_opcode_supported(&u.p, 0));
	CHECK(io_uring_opcode_supported(&u.p, 1));
	CHECK(io_uring_opcode_supported(&u.p, 3));
	CHECK(!io_uring_opcode_supported(&u.p, 4));
	CHECK(!io_uring_opcode_supported(&u.p, -1));

	io_uring_smp_store_release(&word, 5U);
	got = io_uring_smp_load_acquire(&word);
	CHECK(got == 5);
	IO_URING_WRITE_ONCE(word, 6U);
	CHECK(IO_URING_READ_ONCE(word) == 6);
	io_uring_smp_mb();
	io_uring_smp_store_release(&half, (unsigned short) 0xffff);
	CHECK(io_uring_smp_load_acquire(&half) == 0xffff);
}

int main(void)
{
	test_layout();
	test_sqe_helpers();
	test_prep_rw();
	test_prep_file();
	test_prep_path();
	test_prep_poll_timeout();
	test_prep_net();
	test_prep_misc();
	test_sq();
	test_cq();
	test_buf_ring();
	test_recvmsg_out();
	test_probe_and_barriers();
	fake_free(&scratch);
	return 0;
}
