/* SPDX-License-Identifier: MIT */
/*
 * Registered resources and bad pointers. Buffers and buffer rings over
 * every kind of memory: the kernel
 * pins the pages for writing (FOLL_WRITE | FOLL_LONGTERM), so read-only,
 * PROT_NONE, unmapped and past-EOF pages, and shared mappings of files that
 * need dirty tracking (ext4...), fail with -EFAULT; anonymous, private and
 * shmem (tmpfs, memfd, /dev/zero) memory is taken. And the pointers inside
 * the register arguments (iovec bases, fd, iovec and tag arrays, buffer
 * ring addresses) at every pointer kind of badptr.h. The engine must
 * agree with the kernel.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include "badptr.h"

enum mem_kind {
	MEM_ANON, MEM_ANON_SHARED, MEM_RDONLY, MEM_PROTNONE, MEM_HALF_NONE,
	MEM_HALF_UNMAPPED, MEM_FILE_SHARED, MEM_FILE_PRIVATE, MEM_FILE_RDONLY,
	MEM_FILE_PAST_EOF, MEM_FILE_PRIVATE_EOF, MEM_SHM_SHARED, MEM_MEMFD,
	MEM_ZERO_SHARED, MEM_ZERO_PRIVATE, MEM_N
};

static const char *const mem_name[MEM_N] = {
	"anon", "anon shared", "read-only", "PROT_NONE", "rw then PROT_NONE",
	"rw then unmapped", "file shared", "file private", "file read-only",
	"file shared past EOF", "file private past EOF", "tmpfs shared",
	"memfd", "/dev/zero shared", "/dev/zero private",
};

/* One of each per backend (bp_backend): both run at once. */
static char file_paths[2][256];	/* on the test directory's file system */
static char shm_paths[2][256];	/* on /dev/shm (tmpfs) */
#define file_path file_paths[bp_backend]
#define shm_path shm_paths[bp_backend]

static void *map_fd(int fd, size_t len, int prot, int flags, size_t file_len)
{
	void *p;

	/* /dev/zero has no length to set */
	if (fd < 0 || (file_len && ftruncate(fd, (off_t)file_len)))
		return NULL;
	p = mmap(NULL, len, prot, flags, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Two pages of @kind, made in the child after its ring (so no ring can
 * land in a hole made here). */
static void *mem_make(int kind)
{
	size_t pg = (size_t)bp_page, len = 2 * pg;
	int anon = MAP_PRIVATE | MAP_ANONYMOUS, rw = PROT_READ | PROT_WRITE;
	char *p;

	switch (kind) {
	case MEM_ANON:
		return mmap(NULL, len, rw, anon, -1, 0);
	case MEM_ANON_SHARED:
		return mmap(NULL, len, rw, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	case MEM_RDONLY:
		return mmap(NULL, len, PROT_READ, anon, -1, 0);
	case MEM_PROTNONE:
		return mmap(NULL, len, PROT_NONE, anon, -1, 0);
	case MEM_HALF_NONE:
	case MEM_HALF_UNMAPPED:
		p = mmap(NULL, len, rw, anon, -1, 0);
		if (p == MAP_FAILED)
			return p;
		if (kind == MEM_HALF_NONE)
			mprotect(p + pg, pg, PROT_NONE);
		else
			munmap(p + pg, pg);
		return p;
	case MEM_FILE_SHARED:
		return map_fd(open(file_path, O_RDWR), len, rw, MAP_SHARED, len);
	case MEM_FILE_PRIVATE:
		return map_fd(open(file_path, O_RDWR), len, rw, MAP_PRIVATE, len);
	case MEM_FILE_RDONLY:
		return map_fd(open(file_path, O_RDWR), len, PROT_READ,
			      MAP_SHARED, len);
	case MEM_FILE_PAST_EOF:
		return map_fd(open(shm_path, O_RDWR), len, rw, MAP_SHARED, pg);
	case MEM_FILE_PRIVATE_EOF:
		return map_fd(open(file_path, O_RDWR), len, rw, MAP_PRIVATE, pg);
	case MEM_SHM_SHARED:
		return map_fd(open(shm_path, O_RDWR), len, rw, MAP_SHARED, len);
	case MEM_MEMFD:
		return map_fd(memfd_create("badptr", MFD_CLOEXEC), len, rw,
			      MAP_SHARED, len);
	case MEM_ZERO_SHARED:
		return map_fd(open("/dev/zero", O_RDWR), len, rw, MAP_SHARED, 0);
	default:
		return map_fd(open("/dev/zero", O_RDWR), len, rw, MAP_PRIVATE, 0);
	}
}

struct buf_call {
	int mem;
	size_t off, len;	/* the buffer inside the two pages */
	bool ring;		/* IORING_REGISTER_PBUF_RING instead */
};

static struct buf_call buf_calls[256];

static void buf_child(int i, void *ctx)
{
	const struct buf_call *c = &buf_calls[i];
	struct io_uring_buf_reg reg;
	struct io_uring ring;
	struct iovec iov;
	char *mem;
	int ret;

	if (io_uring_queue_init(4, &ring, 0))
		return;
	mem = mem_make(c->mem);
	if (!mem || mem == MAP_FAILED)
		return;
	if (c->ring) {
		memset(&reg, 0, sizeof(reg));
		reg.ring_addr = (uintptr_t)mem + c->off;
		reg.ring_entries = (unsigned)(c->len / sizeof(struct io_uring_buf));
		reg.bgid = 3;
		ret = io_uring_register(ring.ring_fd, IORING_REGISTER_PBUF_RING,
					&reg, 1);
	} else {
		iov.iov_base = mem + c->off;
		iov.iov_len = c->len;
		ret = io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS,
					&iov, 1);
	}
	bp_returned(ret);
	io_uring_queue_exit(&ring);
	bp_torn_down();
}

static void buf_what(int i, void *ctx, char *buf, size_t len)
{
	const struct buf_call *c = &buf_calls[i];

	snprintf(buf, len, "%s %s at %zu len %zu",
		 c->ring ? "PBUF_RING" : "BUFFERS", mem_name[c->mem], c->off,
		 c->len);
}

static void files_init(void)
{
	int fd, b;

	for (b = 0; b < 2; b++) {
		fd = t_tmpfile(file_paths[b], sizeof(file_paths[b]));
		close(fd);
		snprintf(shm_paths[b], sizeof(shm_paths[b]),
			 "/dev/shm/aioring-badptr.%d.%d", (int)getpid(), b);
		fd = open(shm_paths[b], O_RDWR | O_CREAT | O_TRUNC, 0600);
		CHECK(fd >= 0);
		close(fd);
	}
}

static void files_done(void)
{
	unlink(shm_paths[0]);
	unlink(shm_paths[1]);
}

static void case_backing(void)
{
	size_t pg;
	int n = 0, m;

	bp_init();
	files_init();
	pg = (size_t)bp_page;
	for (m = 0; m < MEM_N; m++) {
		buf_calls[n++] = (struct buf_call){ m, 0, 2 * pg, false };
		buf_calls[n++] = (struct buf_call){ m, 0, pg, false };
		buf_calls[n++] = (struct buf_call){ m, pg - 8, 16, false };
		buf_calls[n++] = (struct buf_call){ m, 0, 2 * pg, true };
		buf_calls[n++] = (struct buf_call){ m, 0, pg, true };
	}
	m = (int)bp_diff(n, buf_child, NULL, BP_CALL_MS, buf_what, NULL);
	files_done();
	CHECK_EQ(m, 0);
}

/* --- pointers inside the arguments ---------------------------------------- */

enum { F_DATA, F_TAGS };

struct inner_call {
	unsigned op;
	int field;	/* which pointer is of @kind */
	int kind;
};

static struct inner_call inner[256];

/* Sparse files and buffers to update. */
static bool ring_tables(struct io_uring *ring)
{
	return !io_uring_register_files_sparse(ring, 4) &&
	       !io_uring_register_buffers_sparse(ring, 4);
}

static bool op_updates(unsigned op)
{
	return op == IORING_REGISTER_FILES_UPDATE ||
	       op == IORING_REGISTER_FILES_UPDATE2 ||
	       op == IORING_REGISTER_BUFFERS_UPDATE;
}

static bool op_files(unsigned op)
{
	return op == IORING_REGISTER_FILES2 ||
	       op == IORING_REGISTER_FILES_UPDATE ||
	       op == IORING_REGISTER_FILES_UPDATE2;
}

static long inner_call(const struct inner_call *c, int ring_fd)
{
	static uint64_t tags[2] = { 5, 6 };
	char *mem = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov[2] = { { mem + 4096, 4096 }, { mem + 8192, 16 } };
	struct io_uring_rsrc_register rr = { .nr = 2 };
	struct io_uring_rsrc_update2 up = { .nr = 2 };
	struct io_uring_files_update fu = { 0 };
	struct io_uring_buf_reg br = { .ring_entries = 8, .bgid = 4 };
	int fds[2], p[2];
	void *data, *tp;

	if (mem == MAP_FAILED || pipe(p))
		return BP_BROKEN;
	fds[0] = p[0];
	fds[1] = p[1];
	data = op_files(c->op) ? (void *)fds : (void *)iov;
	if (c->field == F_DATA)
		data = bp_place(c->kind, data, op_files(c->op) ? sizeof(fds) :
							       sizeof(iov));
	tp = c->field == F_TAGS ? bp_place(c->kind, tags, sizeof(tags)) : tags;
	switch (c->op) {
	case IORING_REGISTER_BUFFERS:
		iov[0].iov_base = bp_ptr(c->kind);
		iov[0].iov_len = 16;
		return io_uring_register(ring_fd, c->op, iov, 1);
	case IORING_REGISTER_PBUF_RING:
		br.ring_addr = (uintptr_t)bp_ptr(c->kind);
		return io_uring_register(ring_fd, c->op, &br, 1);
	case IORING_REGISTER_FILES_UPDATE:
		fu.fds = (uintptr_t)data;
		return io_uring_register(ring_fd, c->op, &fu, 2);
	case IORING_REGISTER_FILES2:
	case IORING_REGISTER_BUFFERS2:
		rr.data = (uintptr_t)data;
		rr.tags = (uintptr_t)tp;
		return io_uring_register(ring_fd, c->op, &rr, sizeof(rr));
	default:
		up.data = (uintptr_t)data;
		up.tags = (uintptr_t)tp;
		return io_uring_register(ring_fd, c->op, &up, sizeof(up));
	}
}

static void inner_child(int i, void *ctx)
{
	const struct inner_call *c = &inner[i];
	struct io_uring ring;
	long ret;

	if (io_uring_queue_init(4, &ring, 0))
		return;
	if (op_updates(c->op) && !ring_tables(&ring))
		return;
	ret = inner_call(c, ring.ring_fd);
	if (ret == BP_BROKEN)
		return;
	bp_returned(ret);
	io_uring_queue_exit(&ring);
	bp_torn_down();
}

static void inner_what(int i, void *ctx, char *buf, size_t len)
{
	const struct inner_call *c = &inner[i];
	const char *field = c->op == IORING_REGISTER_BUFFERS ? "iov_base" :
			    c->op == IORING_REGISTER_PBUF_RING ? "ring_addr" :
			    c->field == F_TAGS ? "tags" : "data";

	snprintf(buf, len, "register %u with %s at %s", c->op, field,
		 bp_kind_name[c->kind]);
}

static void case_inner(void)
{
	static const unsigned ops[] = {
		IORING_REGISTER_BUFFERS, IORING_REGISTER_PBUF_RING,
		IORING_REGISTER_FILES_UPDATE, IORING_REGISTER_FILES2,
		IORING_REGISTER_BUFFERS2, IORING_REGISTER_FILES_UPDATE2,
		IORING_REGISTER_BUFFERS_UPDATE,
	};
	unsigned o;
	int n = 0, k, f;

	bp_init();
	for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
		for (f = F_DATA; f <= F_TAGS; f++)
			for (k = 0; k < BP_NKINDS; k++) {
				/* one pointer only in these */
				if (f == F_TAGS && o < 3)
					continue;
				inner[n++] = (struct inner_call){ ops[o], f, k };
			}
	CHECK_EQ(bp_diff(n, inner_child, NULL, BP_CALL_MS, inner_what, NULL),
		 0);
}

/* --- the same on each backend, and in the jail --------------------------- */

static int register_mem(struct io_uring *ring, int kind, bool buf_ring)
{
	/* two pages of entries, as the iovec */
	struct io_uring_buf_reg reg = { .ring_entries = 512, .bgid = 9 };
	char *mem = mem_make(kind);
	struct iovec iov = { mem, 2 * (size_t)bp_page };
	int ret;

	CHECK_MSG(mem && mem != MAP_FAILED, "%s", mem_name[kind]);
	reg.ring_addr = (uintptr_t)mem;
	ret = buf_ring ?
	      io_uring_register(ring->ring_fd, IORING_REGISTER_PBUF_RING, &reg, 1) :
	      io_uring_register(ring->ring_fd, IORING_REGISTER_BUFFERS, &iov, 1);
	if (!ret && buf_ring)
		io_uring_unregister_buf_ring(ring, 9);
	else if (!ret)
		io_uring_unregister_buffers(ring);
	return ret;
}

/* What the kernel's pin refuses, the engine refuses too. */
static void case_pin(void)
{
	static const int refused[] = { MEM_RDONLY, MEM_PROTNONE, MEM_HALF_NONE,
				       MEM_HALF_UNMAPPED, MEM_FILE_RDONLY,
				       MEM_FILE_PAST_EOF };
	static const int taken[] = { MEM_ANON, MEM_ANON_SHARED, MEM_FILE_PRIVATE,
				     MEM_SHM_SHARED, MEM_MEMFD, MEM_ZERO_SHARED };
	struct io_uring ring;
	struct statfs sf;
	unsigned i, r;

	bp_init();
	files_init();
	t_ring(&ring, 4, NULL);
	for (r = 0; r < 2; r++) {
		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			CHECK_MSG(register_mem(&ring, refused[i], r) == -EFAULT,
				  "%s", mem_name[refused[i]]);
		for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
			CHECK_MSG(register_mem(&ring, taken[i], r) == 0, "%s",
				  mem_name[taken[i]]);
		/* A shared file mapping needs dirty tracking unless it is
		 * in memory. */
		CHECK_EQ(statfs(file_path, &sf), 0);
		CHECK_EQ(register_mem(&ring, MEM_FILE_SHARED, r),
			 sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC ?
			 0 : -EFAULT);
	}
	io_uring_queue_exit(&ring);
	files_done();
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "backing", case_backing, T_DIFF },
		{ "inner", case_inner, T_DIFF },
		{ "pin", case_pin, 0 },
		{ NULL, NULL, 0 },
	};

	return bp_main(argc, argv, cases);
}
