/* SPDX-License-Identifier: MIT */
/*
 * Random SQE streams, checked against a model and across the backends.
 *
 * A seeded PRNG builds batches of the implemented opcodes (NOP with and
 * without an injected result, READ/WRITE/READV/WRITEV/READ_FIXED/
 * WRITE_FIXED/FSYNC on a temp file, random offsets and lengths, offset -1)
 * mixed with faults: bad fds (-1, a closed number, a directory to write
 * to), an unknown SQE flag, non-zero reserved fields, bad buffer indexes,
 * and out-of-range SQ array indexes (dropped: kdropped counts them).
 *
 * Each op of a batch owns one 4 KiB slot of the file and one 4 KiB area of
 * memory, so a batch's results do not depend on the order its ops run in.
 * That makes a model exact: the CQE of each op, how the submission splits
 * (a prep failure ends an enter, a dropped index too), kdropped, the data
 * read, the file contents and position after each batch.
 *
 * "model" runs on each backend alone (so it means something in the jail);
 * "diff" runs the same stream on both and compares them directly too.
 * AIORING_TEST_SEED=n replays a stream; the seed is printed on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>
#include "testlib.h"

#define SLOT		4096u
#define SLOTS		16u
#define FILE_SZ		(SLOTS * SLOT)
#define MAX_BATCH	SLOTS
#define RING_ENTRIES	32u
#define RUN_NS		1500000000ull	/* per case and backend pair */

enum kind { K_NOP, K_READ, K_WRITE, K_READV, K_WRITEV, K_READF, K_WRITEF,
	    K_FSYNC, K_NR };
enum fault { F_NONE, F_FD_NEG, F_FD_CLOSED, F_FD_DIR, F_SQE_FLAG,
	     F_PERSONALITY, F_NOP_IOPRIO, F_NOP_FLAG, F_FSYNC_FIELD,
	     F_FSYNC_FLAG, F_BUF_INDEX, F_SQ_INDEX };

static const char *const kind_names[K_NR] = {
	"NOP", "READ", "WRITE", "READV", "WRITEV", "READ_FIXED", "WRITE_FIXED",
	"FSYNC",
};

struct op {
	enum kind kind;
	enum fault fault;
	unsigned slot, off, len;	/* file range: slot * SLOT + off */
	bool cur_pos;			/* offset -1 */
	int inject;			/* NOP: injected result, if non-zero */
	unsigned niov;
	int expect;			/* the CQE res the model predicts */
	bool stops, dropped;		/* ends the enter; never runs */
};

struct batch {
	struct op op[MAX_BATCH];
	unsigned n;
	unsigned pos;			/* file position set before the batch */
};

/* One backend's world. */
struct env {
	int backend;
	struct io_uring ring;
	int fd, dir;
	char *area;			/* MAX_BATCH areas, 2 registered buffers */
	struct iovec iov[MAX_BATCH][3];
	struct t_rec rec;
	unsigned calls[MAX_BATCH + 1], ncalls;
};

static unsigned char model[FILE_SZ];
static unsigned model_dropped;
static int closed_fd;
static uint64_t seed;
static unsigned batch_no;

static bool is_read(enum kind k)
{
	return k == K_READ || k == K_READV || k == K_READF;
}

static bool is_rw(enum kind k)
{
	return k != K_NOP && k != K_FSYNC;
}

/* A fault that makes sense for @k, or F_NONE. */
static enum fault pick_fault(struct t_rng *r, enum kind k)
{
	static const enum fault any[] = { F_FD_NEG, F_FD_CLOSED, F_SQE_FLAG,
					  F_PERSONALITY, F_SQ_INDEX };
	unsigned x;

	if (t_rng_below(r, 4))
		return F_NONE;
	x = t_rng_below(r, 8);
	if (x < 5)
		return k == K_NOP && x < 2 ? F_NOP_IOPRIO : any[x];
	if (k == K_NOP)
		return F_NOP_FLAG;
	if (k == K_FSYNC)
		return x == 5 ? F_FSYNC_FIELD : F_FSYNC_FLAG;
	if (k == K_READF || k == K_WRITEF)
		return F_BUF_INDEX;
	return is_read(k) ? F_FD_NEG : F_FD_DIR;
}

/* The result the kernel gives; and whether it fails in prep. */
static void predict(struct op *o)
{
	o->stops = o->fault == F_SQE_FLAG || o->fault == F_PERSONALITY ||
		   o->fault == F_NOP_IOPRIO || o->fault == F_NOP_FLAG ||
		   o->fault == F_FSYNC_FIELD || o->fault == F_FSYNC_FLAG;
	o->dropped = o->fault == F_SQ_INDEX;
	if (o->stops)
		o->expect = -EINVAL;
	else if (o->fault == F_FD_NEG || o->fault == F_FD_CLOSED ||
		 o->fault == F_FD_DIR)
		o->expect = -EBADF;
	else if (o->fault == F_BUF_INDEX)
		o->expect = -EFAULT;
	else if (o->kind == K_NOP)
		o->expect = o->inject;
	else if (o->kind == K_FSYNC)
		o->expect = 0;
	else if (is_read(o->kind) && o->slot * SLOT + o->off + o->len > FILE_SZ)
		o->expect = (int)(FILE_SZ - o->slot * SLOT - o->off);
	else
		o->expect = (int)o->len;
}

static void gen_op(struct t_rng *r, struct op *o, unsigned slot, bool *pos_used)
{
	memset(o, 0, sizeof(*o));
	o->kind = (enum kind)t_rng_below(r, K_NR);
	o->fault = pick_fault(r, o->kind);
	o->slot = slot;
	o->off = t_rng_below(r, SLOT);
	o->len = t_rng_below(r, SLOT - o->off + 1);
	/* Reads in the last slot may run past the end: a short read. */
	if (is_read(o->kind) && slot == SLOTS - 1)
		o->len = t_rng_below(r, SLOT + 1);
	if (o->kind == K_NOP && t_rng_below(r, 2))
		o->inject = (int)(uint32_t)t_rng_next(r);
	o->niov = 1 + t_rng_below(r, 3);
	if ((o->kind == K_READ || o->kind == K_WRITE || o->kind == K_READV ||
	     o->kind == K_WRITEV) && o->fault == F_NONE && !*pos_used &&
	    !t_rng_below(r, 5))
		o->cur_pos = *pos_used = true;
	predict(o);
}

static void gen_batch(struct t_rng *r, struct batch *b)
{
	unsigned perm[SLOTS], i, j, t;
	bool pos_used = false;

	for (i = 0; i < SLOTS; i++)
		perm[i] = i;
	for (i = SLOTS - 1; i > 0; i--) {
		j = t_rng_below(r, i + 1);
		t = perm[i], perm[i] = perm[j], perm[j] = t;
	}
	b->n = 1 + t_rng_below(r, MAX_BATCH);
	b->pos = 0;
	for (i = 0; i < b->n; i++) {
		gen_op(r, &b->op[i], perm[i], &pos_used);
		if (b->op[i].cur_pos)
			b->pos = b->op[i].slot * SLOT + b->op[i].off;
	}
}

static void print_batch(const struct batch *b)
{
	unsigned i;

	fprintf(stderr, "seed %llu (AIORING_TEST_SEED), batch %u:\n",
		(unsigned long long)seed, batch_no);
	for (i = 0; i < b->n; i++) {
		const struct op *o = &b->op[i];

		fprintf(stderr, "  #%u %s fault=%d slot=%u off=%u len=%u%s inject=%d"
			" niov=%u -> %d%s%s\n", i, kind_names[o->kind], o->fault,
			o->slot, o->off, o->len, o->cur_pos ? " (pos)" : "",
			o->inject, o->niov, o->expect, o->stops ? " stops" : "",
			o->dropped ? " dropped" : "");
	}
}

static int op_fd(const struct env *e, const struct op *o)
{
	switch (o->fault) {
	case F_FD_NEG:
		return -1;
	case F_FD_CLOSED:
		return closed_fd;
	case F_FD_DIR:
		return e->dir;
	default:
		return e->fd;
	}
}

/* Splits area @i into the op's iovecs. */
static struct iovec *op_iov(struct env *e, unsigned i, const struct op *o)
{
	char *base = e->area + i * SLOT;
	unsigned k, done = 0;

	for (k = 0; k < o->niov; k++) {
		unsigned part = k + 1 == o->niov ? o->len - done : o->len / o->niov;

		e->iov[i][k] = (struct iovec){ base + done, part };
		done += part;
	}
	return e->iov[i];
}

static void prep_rw(struct env *e, struct io_uring_sqe *sqe, unsigned i,
		    const struct op *o)
{
	static const int opcode[K_NR] = {
		[K_READ] = IORING_OP_READ, [K_WRITE] = IORING_OP_WRITE,
		[K_READV] = IORING_OP_READV, [K_WRITEV] = IORING_OP_WRITEV,
		[K_READF] = IORING_OP_READ_FIXED, [K_WRITEF] = IORING_OP_WRITE_FIXED,
	};
	__u64 off = o->cur_pos ? (__u64)-1 : o->slot * SLOT + o->off;
	int fd = op_fd(e, o);

	if (o->kind == K_READV || o->kind == K_WRITEV) {
		io_uring_prep_rw(opcode[o->kind], sqe, fd, op_iov(e, i, o), o->niov, off);
		return;
	}
	io_uring_prep_rw(opcode[o->kind], sqe, fd, e->area + i * SLOT, o->len, off);
	if (o->kind == K_READF || o->kind == K_WRITEF) {
		/* Areas 0-7 are buffer 0, 8-15 buffer 1; a bad index is out of
		 * range or names the other buffer. Not for an empty range: area
		 * 8's is at buffer 0's very end, which counts as inside it. */
		sqe->buf_index = (__u16)(i / 8);
		if (o->fault == F_BUF_INDEX)
			sqe->buf_index = o->off & 1 || !o->len ? 2 : (__u16)(1 - i / 8);
	}
}

static void prep_op(struct env *e, struct io_uring_sqe *sqe, unsigned i,
		    const struct op *o)
{
	if (o->kind == K_NOP) {
		io_uring_prep_nop(sqe);
		if (o->inject)
			t_prep_nop_inject(sqe, o->inject);
	} else if (o->kind == K_FSYNC) {
		io_uring_prep_fsync(sqe, op_fd(e, o), o->off & 1 ? IORING_FSYNC_DATASYNC : 0);
	} else {
		prep_rw(e, sqe, i, o);
	}
	sqe->user_data = ((uint64_t)batch_no << 8) | i;
	if (o->fault == F_SQE_FLAG)
		sqe->flags = 0x80;
	else if (o->fault == F_PERSONALITY)
		sqe->personality = 1;
	else if (o->fault == F_NOP_IOPRIO)
		sqe->ioprio = 1;
	else if (o->fault == F_NOP_FLAG)
		sqe->nop_flags |= 1u << 30;
	else if (o->fault == F_FSYNC_FIELD)
		sqe->buf_index = 1;
	else if (o->fault == F_FSYNC_FLAG)
		sqe->fsync_flags = 4;
}

/* How the enters split the batch, as the kernel does it. */
static unsigned model_calls(const struct batch *b, unsigned *calls)
{
	unsigned i, n = 0, cur = 0;

	for (i = 0; i < b->n; i++) {
		if (b->op[i].dropped) {
			calls[n++] = cur;
			cur = 0;
			continue;
		}
		cur++;
		if (b->op[i].stops) {
			calls[n++] = cur;
			cur = 0;
		}
	}
	if (cur)
		calls[n++] = cur;
	return n;
}

/* Queues the batch, enters until every SQE is consumed, reaps the CQEs. */
static void run_batch(struct env *e, const struct batch *b)
{
	struct io_uring *ring = &e->ring;
	unsigned i, idx[MAX_BATCH], want = 0, guard = 0;
	int ret;

	CHECK_EQ(lseek(e->fd, b->pos, SEEK_SET), b->pos);
	memset(e->area, 0x5a, MAX_BATCH * SLOT);
	for (i = 0; i < b->n; i++) {
		struct io_uring_sqe *sqe = t_sqe(ring);

		idx[i] = (unsigned)(sqe - ring->sq.sqes);
		prep_op(e, sqe, i, &b->op[i]);
		/* liburing keeps array[i] == i; point this one out of range. */
		if (b->op[i].dropped)
			ring->sq.array[idx[i]] = RING_ENTRIES + idx[i];
		want += !b->op[i].dropped;
	}
	e->ncalls = 0;
	while (*ring->sq.khead != ring->sq.sqe_tail) {
		CHECK_MSG(guard++ <= MAX_BATCH, "the SQ does not drain");
		ret = io_uring_submit(ring);
		CHECK_MSG(ret >= 0, "submit: %s", strerror(-ret));
		e->calls[e->ncalls++] = (unsigned)ret;
	}
	for (i = 0; i < b->n; i++)
		ring->sq.array[idx[i]] = idx[i];
	t_rec_free(&e->rec);
	t_rec_reap(&e->rec, ring, want, 10000);
}

static void check_calls(const struct env *e, const struct batch *b)
{
	unsigned calls[MAX_BATCH + 1], n = model_calls(b, calls), i;
	bool same = n == e->ncalls;

	for (i = 0; same && i < n; i++)
		same = calls[i] == e->calls[i];
	if (same)
		return;
	print_batch(b);
	fprintf(stderr, "enter results on %s:", t_backend_str(e->backend));
	for (i = 0; i < e->ncalls; i++)
		fprintf(stderr, " %u", e->calls[i]);
	fprintf(stderr, "; model:");
	for (i = 0; i < n; i++)
		fprintf(stderr, " %u", calls[i]);
	t_fail(__FILE__, __LINE__, "the submission split differs");
}

static void check_cqes(struct env *e, const struct batch *b)
{
	struct t_rec want;
	unsigned i;

	t_rec_init(&want);
	for (i = 0; i < b->n; i++)
		if (!b->op[i].dropped)
			t_rec_add(&want, ((uint64_t)batch_no << 8) | i, b->op[i].expect, 0);
	if (t_rec_diff(&e->rec, t_backend_str(e->backend), &want, "model")) {
		print_batch(b);
		t_fail(__FILE__, __LINE__, "CQEs differ from the model");
	}
	t_rec_free(&want);
	CHECK_MSG(*e->ring.sq.kdropped == model_dropped, "seed %llu batch %u: "
		  "kdropped %u, model %u", (unsigned long long)seed, batch_no,
		  *e->ring.sq.kdropped, model_dropped);
}

/* What the reads brought in is the file as it was before the batch. */
static void check_reads(const struct env *e, const struct batch *b)
{
	unsigned i;

	for (i = 0; i < b->n; i++) {
		const struct op *o = &b->op[i];

		if (!is_read(o->kind) || o->expect <= 0 || o->dropped)
			continue;
		CHECK_MSG(!memcmp(e->area + i * SLOT, model + o->slot * SLOT + o->off,
				  (size_t)o->expect),
			  "seed %llu batch %u op #%u: wrong data read",
			  (unsigned long long)seed, batch_no, i);
	}
}

static void apply_writes(const struct batch *b, const char *area)
{
	unsigned i;

	for (i = 0; i < b->n; i++) {
		const struct op *o = &b->op[i];

		if (is_rw(o->kind) && !is_read(o->kind) && o->expect > 0 &&
		    !o->dropped)
			memcpy(model + o->slot * SLOT + o->off, area + i * SLOT,
			       (size_t)o->expect);
	}
}

static void check_file(const struct env *e, const struct batch *b)
{
	static unsigned char got[FILE_SZ];
	unsigned i, pos = b->pos;

	CHECK_EQ(pread(e->fd, got, FILE_SZ, 0), FILE_SZ);
	CHECK_MSG(!memcmp(got, model, FILE_SZ), "seed %llu batch %u: file "
		  "contents differ on %s", (unsigned long long)seed, batch_no,
		  t_backend_str(e->backend));
	for (i = 0; i < b->n; i++)
		if (b->op[i].cur_pos)
			pos += (unsigned)b->op[i].expect;
	CHECK_MSG(lseek(e->fd, 0, SEEK_CUR) == pos, "seed %llu batch %u: file "
		  "position %lld, model %u", (unsigned long long)seed, batch_no,
		  (long long)lseek(e->fd, 0, SEEK_CUR), pos);
}

/* Writes take their data from the areas: fill them the same way in every
 * env before the batch (run_batch clears them first, so refill here). */
static void fill_areas(struct env *e, const struct batch *b)
{
	unsigned i, j;

	for (i = 0; i < b->n; i++)
		for (j = 0; j < SLOT; j++)
			e->area[i * SLOT + j] = (char)(batch_no * 7 + i * 13 + j);
}

static void env_open(struct env *e, int backend)
{
	struct iovec bufs[2];

	memset(e, 0, sizeof(*e));
	e->backend = backend;
	CHECK_EQ(t_ring_try(&e->ring, RING_ENTRIES, NULL, backend), 0);
	e->area = aligned_alloc(4096, MAX_BATCH * SLOT);
	CHECK(e->area);
	bufs[0] = (struct iovec){ e->area, 8 * SLOT };
	bufs[1] = (struct iovec){ e->area + 8 * SLOT, 8 * SLOT };
	CHECK_EQ(io_uring_register_buffers(&e->ring, bufs, 2), 0);
	e->fd = t_tmpfd();
	CHECK_EQ(pwrite(e->fd, model, FILE_SZ, 0), FILE_SZ);
	e->dir = open(t_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(e->dir >= 0);
	t_rec_init(&e->rec);
}

static void env_close(struct env *e)
{
	io_uring_queue_exit(&e->ring);
	close(e->fd);
	close(e->dir);
	free(e->area);
	t_rec_free(&e->rec);
}

static void start(struct t_rng *r)
{
	const char *s = getenv("AIORING_TEST_SEED");
	unsigned i;

	seed = s && *s ? strtoull(s, NULL, 0) : t_now_ns() ^ (uint64_t)getpid();
	t_rng_seed(r, seed);
	for (i = 0; i < FILE_SZ; i++)
		model[i] = (unsigned char)t_rng_next(r);
	model_dropped = 0;
	batch_no = 0;
}

/* A closed fd number: the highest one, which nothing opens by chance
 * (the lowest free one would be taken by the next open, ours or the
 * library's). Checked before every batch. */
static void pick_closed_fd(void)
{
	struct rlimit rl;

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	closed_fd = (int)(rl.rlim_cur > 65536 ? 65536 : rl.rlim_cur) - 1;
	CHECK_MSG(fcntl(closed_fd, F_GETFD) < 0, "fd %d is open", closed_fd);
}

static void one_batch(struct env *envs, unsigned nenv, struct t_rng *r)
{
	struct batch b;
	unsigned i;

	gen_batch(r, &b);
	CHECK_MSG(fcntl(closed_fd, F_GETFD) < 0, "fd %d got reused", closed_fd);
	for (i = 0; i < nenv; i++) {
		fill_areas(&envs[i], &b);
		run_batch(&envs[i], &b);
	}
	for (i = 0; i < b.n; i++)
		model_dropped += b.op[i].dropped;
	if (nenv == 2 && t_rec_diff(&envs[0].rec, "kernel", &envs[1].rec, "user")) {
		print_batch(&b);
		t_fail(__FILE__, __LINE__, "the backends differ");
	}
	for (i = 0; i < nenv; i++) {
		check_calls(&envs[i], &b);
		check_cqes(&envs[i], &b);
		check_reads(&envs[i], &b);
	}
	apply_writes(&b, envs[0].area);
	for (i = 0; i < nenv; i++)
		check_file(&envs[i], &b);
	batch_no++;
}

static void run_stream(const int *backends, unsigned nenv)
{
	struct env envs[2];
	struct t_rng r;
	uint64_t end;
	unsigned i;

	start(&r);
	for (i = 0; i < nenv; i++)
		env_open(&envs[i], backends[i]);
	pick_closed_fd();
	end = t_now_ns() + RUN_NS;
	while (t_now_ns() < end && batch_no < 100000)
		one_batch(envs, nenv, &r);
	CHECK(batch_no > 10);
	for (i = 0; i < nenv; i++)
		env_close(&envs[i]);
}

static void case_model(void)
{
	int b = t_backend;

	run_stream(&b, 1);
}

static void case_diff(void)
{
	static const int both[2] = { AIORING_BACKEND_KERNEL, AIORING_BACKEND_USER };

	run_stream(both, 2);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "model", case_model, 0 },
		{ "diff", case_diff, T_DIFF },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
