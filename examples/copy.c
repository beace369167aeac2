/* SPDX-License-Identifier: MIT */
/*
 * copy: copies a file through an io_uring ring on each backend and compares.
 *
 *   copy [SIZE_MIB]      (default 256; the files go to $TMPDIR or /tmp)
 *
 * A generated file is copied with READ and WRITE SQEs, 32 blocks of 128 KiB
 * in flight, first on the kernel's io_uring (if this machine allows it), then
 * on aioring's user-space engine, in alternating rounds; each backend keeps
 * its best. Every copy is verified byte for byte. Only the liburing API and
 * aioring.h are used, as any application would.
 * Exit status: 0 if every copy that ran is correct, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "aioring.h"
#include "liburing.h"

#define COPY_DEPTH	32
#define COPY_BLOCK	(128u * 1024)
#define COPY_ROUNDS	3
#define GEN_CHUNK	(1024u * 1024)
#define MIB		(1024.0 * 1024.0)
#define DEFAULT_MIB	256ul
#define MAX_MIB		(1024ul * 1024)	/* 1 TiB: a typo, not a wish */

enum slot_state { SLOT_IDLE, SLOT_READ, SLOT_WRITE };

/* One block in flight: read it whole, then write it whole. */
struct slot {
	enum slot_state state;
	char *buf;
	off_t off;		/* of the block in both files */
	unsigned len;		/* of the block */
	unsigned done;		/* bytes read, or written, so far */
};

struct copy {
	struct io_uring *ring;
	int in, out;
	off_t size, next;	/* file size; next block to start */
	unsigned inflight;
	struct slot slots[COPY_DEPTH];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- the files --- */

/*
 * Temporary files are unlinked as soon as they are open, so that nothing is
 * left behind however the program ends.
 */
static int temp_file(const char *dir, const char *tag)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/aioring-copy-%s.XXXXXX", dir, tag);
	fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "copy: cannot create a file in %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	unlink(path);
	return fd;
}

/* xorshift64: cheap data that differs in every block, so a block written
 * at the wrong offset cannot go unnoticed. */
static void fill(uint64_t *p, size_t words, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull | 1;
	size_t i;

	for (i = 0; i < words; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int generate(int fd, off_t size)
{
	uint64_t *chunk = malloc(GEN_CHUNK);
	off_t off;
	int ret = 0;

	if (!chunk)
		return -ENOMEM;
	for (off = 0; off < size && !ret; off += GEN_CHUNK) {
		fill(chunk, GEN_CHUNK / sizeof(*chunk), (uint64_t)off + 1);
		ret = write_all(fd, (char *)chunk, GEN_CHUNK);
	}
	free(chunk);
	/* Clean pages: writeback of the source must not run during a copy. */
	if (!ret && fsync(fd))
		ret = -errno;
	if (ret)
		fprintf(stderr, "copy: generating the source: %s\n", strerror(-ret));
	return ret;
}

static ssize_t pread_full(int fd, char *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int mismatch(const char *what, off_t off)
{
	fprintf(stderr, "copy: MISMATCH: %s at offset %lld\n", what,
		(long long)off);
	return -EILSEQ;
}

/* Byte for byte, in chunks; also catches a destination of the wrong size. */
static int verify(int a, int b, off_t size)
{
	char *x = malloc(GEN_CHUNK), *y = malloc(GEN_CHUNK);
	off_t off, end;
	int ret = x && y ? 0 : -ENOMEM;

	for (off = 0; off < size && !ret; off += GEN_CHUNK) {
		ssize_t n = pread_full(a, x, GEN_CHUNK, off);
		ssize_t m = pread_full(b, y, GEN_CHUNK, off);

		if (n < 0 || m < 0)
			ret = n < 0 ? (int)n : (int)m;
		else if (n != m || memcmp(x, y, (size_t)n))
			ret = mismatch("the 1 MiB chunk", off);
	}
	end = lseek(b, 0, SEEK_END);
	if (!ret && end != size)
		ret = end < 0 ? -errno : mismatch("the copy ends", end);
	if (ret && ret != -EILSEQ)
		fprintf(stderr, "copy: verify: %s\n", strerror(-ret));
	free(x);
	free(y);
	return ret;
}

/* --- the ring --- */

static int queue_rw(struct copy *c, int idx)
{
	struct slot *s = &c->slots[idx];
	struct io_uring_sqe *sqe = io_uring_get_sqe(c->ring);

	/* One SQE per slot at most, and as many SQ entries as slots. */
	if (!sqe)
		return -EBUSY;
	if (s->state == SLOT_READ)
		io_uring_prep_read(sqe, c->in, s->buf + s->done, s->len - s->done,
				   (__u64)(s->off + s->done));
	else
		io_uring_prep_write(sqe, c->out, s->buf + s->done, s->len - s->done,
				    (__u64)(s->off + s->done));
	io_uring_sqe_set_data64(sqe, (__u64)idx);
	c->inflight++;
	return 0;
}

/* Gives an idle slot the next block, if any is left. */
static int start_block(struct copy *c, int idx)
{
	struct slot *s = &c->slots[idx];
	off_t left = c->size - c->next;

	if (left <= 0) {
		s->state = SLOT_IDLE;
		return 0;
	}
	s->state = SLOT_READ;
	s->off = c->next;
	s->len = left < COPY_BLOCK ? (unsigned)left : COPY_BLOCK;
	s->done = 0;
	c->next += s->len;
	return queue_rw(c, idx);
}

static int complete(struct copy *c, const struct io_uring_cqe *cqe)
{
	int idx = (int)io_uring_cqe_get_data64(cqe);
	struct slot *s = &c->slots[idx];
	const char *what = s->state == SLOT_READ ? "read" : "write";

	c->inflight--;
	if (cqe->res == -EINTR || cqe->res == -EAGAIN)
		return queue_rw(c, idx);
	if (cqe->res <= 0) {
		fprintf(stderr, "copy: %s at offset %lld: %s\n", what,
			(long long)(s->off + s->done),
			cqe->res ? strerror(-cqe->res) : "unexpected end of file");
		return cqe->res ? cqe->res : -EIO;
	}
	s->done += (unsigned)cqe->res;
	if (s->done < s->len)		/* short: go on where it stopped */
		return queue_rw(c, idx);
	if (s->state == SLOT_WRITE)
		return start_block(c, idx);
	s->state = SLOT_WRITE;
	s->done = 0;
	return queue_rw(c, idx);
}

static int reap(struct copy *c)
{
	struct io_uring_cqe *cqes[COPY_DEPTH];
	unsigned i, n = io_uring_peek_batch_cqe(c->ring, cqes, COPY_DEPTH);
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = complete(c, cqes[i]);
	io_uring_cq_advance(c->ring, n);
	return ret;
}

static int run_copy(struct copy *c)
{
	int i, ret = 0;

	c->next = 0;
	c->inflight = 0;
	for (i = 0; i < COPY_DEPTH && !ret; i++)
		ret = start_block(c, i);
	while (!ret && c->inflight) {
		ret = io_uring_submit_and_wait(c->ring, 1);
		if (ret == -EINTR) {
			ret = 0;
			continue;
		}
		if (ret < 0) {
			fprintf(stderr, "copy: io_uring_submit_and_wait: %s\n",
				strerror(-ret));
			break;
		}
		ret = reap(c);
	}
	return ret;
}

/* --- the backends --- */

struct backend {
	const char *name;
	int mode;
	int up;			/* its ring exists */
	double best;		/* MiB/s of its best round */
	struct io_uring ring;
};

/* 0 if its ring is up, 1 if the kernel denies io_uring here, else <0. */
static int backend_open(struct backend *b)
{
	int old = aioring_set_mode(b->mode);
	int ret = io_uring_queue_init(COPY_DEPTH, &b->ring, 0);

	aioring_set_mode(old);
	if (b->mode == AIORING_MODE_KERNEL && (ret == -EPERM || ret == -ENOSYS)) {
		printf("%-8s unavailable: %s (io_uring is denied or absent here)\n",
		       b->name, strerror(-ret));
		return 1;
	}
	if (ret < 0) {
		fprintf(stderr, "copy: io_uring_queue_init (%s): %s\n", b->name,
			strerror(-ret));
		return ret;
	}
	b->up = 1;
	return 0;
}

static int sys_error(const char *what)
{
	int err = errno;

	fprintf(stderr, "copy: %s: %s\n", what, strerror(err));
	return -err;
}

/* One timed copy, verified after the clock stops. */
static int copy_round(struct copy *c, struct backend *b)
{
	double t0, mib_s;
	int ret;

	c->ring = &b->ring;
	if (ftruncate(c->out, 0))
		return sys_error("ftruncate");
	t0 = now();
	ret = run_copy(c);
	mib_s = (double)c->size / MIB / (now() - t0);
	if (ret)
		return ret;
	/* The next round starts with no dirty pages to write back. */
	if (fsync(c->out))
		return sys_error("fsync");
	ret = verify(c->in, c->out, c->size);
	if (!ret && mib_s > b->best)
		b->best = mib_s;
	return ret;
}

/*
 * Rounds alternate between the backends and each keeps its best: on a
 * shared or virtual machine one round alone says more about the neighbours
 * (page cache warm-up, writeback, host faults) than about the ring.
 */
static int copy_all(struct copy *c, struct backend *be, int n)
{
	int round, i, ret = 0;

	for (round = 0; round < COPY_ROUNDS && !ret; round++)
		for (i = 0; i < n && !ret; i++)
			if (be[i].up)
				ret = copy_round(c, &be[i]);
	return ret;
}

static void report(struct backend *be, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!be[i].up)
			continue;
		printf("%-8s %9.1f MiB/s  verified  %s\n",
		       aioring_backend_name(aioring_backend(&be[i].ring)),
		       be[i].best, aioring_backend_reason(&be[i].ring));
	}
	if (be[0].up && be[1].up)
		printf("user/kernel: %.2f\n", be[1].best / be[0].best);
	else
		printf("user/kernel: n/a (the kernel backend did not run)\n");
}

/* --- setup --- */

static int parse_size(int argc, char **argv, unsigned long *mib)
{
	char *end;

	*mib = DEFAULT_MIB;
	if (argc < 2)
		return 0;
	errno = 0;
	*mib = strtoul(argv[1], &end, 10);
	if (argc > 2 || errno || *end || end == argv[1] || !*mib || *mib > MAX_MIB) {
		fprintf(stderr, "usage: copy [SIZE_MIB]   (1 to %lu, default %lu)\n",
			MAX_MIB, DEFAULT_MIB);
		return -EINVAL;
	}
	return 0;
}

static int check_space(const char *dir, unsigned long mib)
{
	struct statvfs st;
	double need = 2.0 * (double)mib * MIB;

	if (statvfs(dir, &st))
		return 0;	/* let the writes say what is wrong */
	if ((double)st.f_bavail * (double)st.f_frsize >= need)
		return 0;
	fprintf(stderr, "copy: %s has less than the %.0f MiB free this needs; "
		"set TMPDIR or pass a smaller SIZE_MIB\n", dir, need / MIB);
	return -ENOSPC;
}

static int alloc_slots(struct copy *c)
{
	int i;

	for (i = 0; i < COPY_DEPTH; i++)
		if (posix_memalign((void **)&c->slots[i].buf, 4096, COPY_BLOCK))
			return -ENOMEM;
	return 0;
}

static void free_slots(struct copy *c)
{
	int i;

	for (i = 0; i < COPY_DEPTH; i++)
		free(c->slots[i].buf);
}

static int setup(struct copy *c, unsigned long mib)
{
	const char *dir = getenv("TMPDIR");

	if (!dir || !*dir)
		dir = "/tmp";
	if (check_space(dir, mib))
		return -ENOSPC;
	c->size = (off_t)mib * 1024 * 1024;
	c->in = temp_file(dir, "src");
	c->out = c->in < 0 ? -1 : temp_file(dir, "dst");
	if (c->out < 0)
		return -EIO;
	printf("copy: %lu MiB in %u KiB blocks, queue depth %d, best of %d "
	       "rounds, files in %s\n", mib, COPY_BLOCK / 1024, COPY_DEPTH,
	       COPY_ROUNDS, dir);
	fflush(stdout);
	if (alloc_slots(c)) {
		fprintf(stderr, "copy: out of memory\n");
		return -ENOMEM;
	}
	return generate(c->in, c->size);
}

int main(int argc, char **argv)
{
	static struct copy c = { .in = -1, .out = -1 };
	struct backend be[2] = {
		{ .name = "kernel", .mode = AIORING_MODE_KERNEL },
		{ .name = "user", .mode = AIORING_MODE_USER },
	};
	unsigned long mib;
	int i, ret;

	if (parse_size(argc, argv, &mib))
		return 2;
	ret = setup(&c, mib);
	for (i = 0; i < 2 && ret >= 0; i++)
		ret = backend_open(&be[i]);
	if (!ret)
		ret = copy_all(&c, be, 2);
	if (!ret)
		report(be, 2);
	for (i = 0; i < 2; i++)
		if (be[i].up)
			io_uring_queue_exit(&be[i].ring);
	free_slots(&c);
	if (c.in >= 0)
		close(c.in);
	if (c.out >= 0)
		close(c.out);
	return ret ? 1 : 0;
}
