/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register with bad pointers: every opcode (and a few past the
 * last) x every pointer kind of badptr.h x a few nr_args, by fd and by
 * registered ring index, on a plain ring, a disabled one and one with
 * tables registered. The argument is zeroed memory, or (the "tmpl" cases)
 * a well-formed argument for the opcode placed at each pointer kind, so
 * the calls get past the first checks. The engine must give the kernel's
 * answer, never a signal; where the engine knowingly differs (opcodes it
 * does not implement) the documented answer is checked.
 */
#include <sys/eventfd.h>
#include "badptr.h"

enum { RK_PLAIN, RK_DISABLED, RK_LOADED, RK_N };
static const char *const rk_name[RK_N] = { "plain", "disabled", "loaded" };

struct reg_call {
	int ring;
	bool use_reg;
	bool tmpl;		/* a well-formed argument, else zeroes */
	unsigned opcode;
	int kind;
	unsigned nr;
};

static struct reg_call calls[BP_MAX_CALLS];
static int ncalls;

/* Files, buffers and buffer group 1: what the update opcodes need. */
static bool ring_load(struct io_uring *ring)
{
	struct io_uring_buf_reg reg;
	void *br;

	if (io_uring_register_files_sparse(ring, 4) ||
	    io_uring_register_buffers_sparse(ring, 4))
		return false;
	br = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t)br;
	reg.ring_entries = 8;
	reg.bgid = 1;
	return br != MAP_FAILED && !io_uring_register_buf_ring(ring, &reg, 0);
}

/* Memory a template points into, made in the child. */
static void *page_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A well-formed argument for @op in @t (zeroed, big enough); its length,
 * and in *nr the nr_args that goes with it. */
static size_t reg_tmpl(unsigned op, struct io_uring *ring, void *t,
		       unsigned *nr)
{
	static uint64_t tags[2] = { 1, 2 };
	struct io_uring_rsrc_register *rr = t;
	struct io_uring_rsrc_update2 *up2 = t;
	struct io_uring_buf_reg *br = t;
	struct iovec *iov = page_alloc(4096 * 3);
	int *fds = page_alloc(4096), p[2];

	if (!iov || !fds || pipe(p))
		return 0;
	iov[0] = (struct iovec){ (char *)iov + 4096, 4096 };
	iov[1] = (struct iovec){ (char *)iov + 8192, 4096 };
	fds[0] = p[0];
	fds[1] = -1;
	*nr = 1;
	switch (op) {
	case IORING_REGISTER_BUFFERS:
		*nr = 2;
		memcpy(t, iov, 2 * sizeof(*iov));
		return 2 * sizeof(*iov);
	case IORING_REGISTER_FILES:
		*nr = 2;
		memcpy(t, fds, 2 * sizeof(int));
		return 2 * sizeof(int);
	case IORING_REGISTER_EVENTFD:
	case IORING_REGISTER_EVENTFD_ASYNC:
		*(int *)t = eventfd(0, EFD_CLOEXEC);
		return sizeof(int);
	case IORING_REGISTER_FILES_UPDATE:
		*(struct io_uring_files_update *)t =
			(struct io_uring_files_update){ .fds = (uintptr_t)fds };
		return sizeof(struct io_uring_files_update);
	case IORING_REGISTER_PROBE:
		*nr = 4;
		return sizeof(struct io_uring_probe) + 4 * sizeof(struct io_uring_probe_op);
	case IORING_REGISTER_RESTRICTIONS:
		*nr = 2;
		((struct io_uring_restriction *)t)[1].opcode = IORING_RESTRICTION_SQE_OP;
		return 2 * sizeof(struct io_uring_restriction);
	case IORING_REGISTER_FILES2:
	case IORING_REGISTER_BUFFERS2:
		*nr = sizeof(*rr);
		rr->nr = op == IORING_REGISTER_FILES2 ? 2 : 1;
		rr->data = op == IORING_REGISTER_FILES2 ? (uintptr_t)fds :
							  (uintptr_t)iov;
		rr->tags = (uintptr_t)tags;
		return sizeof(*rr);
	case IORING_REGISTER_FILES_UPDATE2:
	case IORING_REGISTER_BUFFERS_UPDATE:
		*nr = sizeof(*up2);
		up2->nr = 1;
		up2->data = op == IORING_REGISTER_FILES_UPDATE2 ?
			    (uintptr_t)fds : (uintptr_t)iov;
		up2->tags = (uintptr_t)tags;
		return sizeof(*up2);
	case IORING_REGISTER_IOWQ_AFF:
		*nr = 8;
		*(unsigned char *)t = 1;
		return 8;
	case IORING_REGISTER_IOWQ_MAX_WORKERS:
		*nr = 2;
		((unsigned *)t)[0] = ((unsigned *)t)[1] = 4;
		return 2 * sizeof(unsigned);
	case IORING_REGISTER_RING_FDS:
		*(struct io_uring_rsrc_update *)t = (struct io_uring_rsrc_update){
			.offset = -1U, .data = (unsigned)ring->ring_fd };
		return sizeof(struct io_uring_rsrc_update);
	case IORING_UNREGISTER_RING_FDS:
		return sizeof(struct io_uring_rsrc_update);
	case IORING_REGISTER_PBUF_RING:
		br->ring_addr = (uintptr_t)iov + 4096;
		br->ring_entries = 8;
		br->bgid = 2;
		return sizeof(*br);
	case IORING_UNREGISTER_PBUF_RING:
		br->bgid = 1;
		return sizeof(*br);
	case IORING_REGISTER_SYNC_CANCEL:
		*(struct io_uring_sync_cancel_reg *)t = (struct io_uring_sync_cancel_reg){
			.addr = 99, .timeout = { -1, -1 } };
		return sizeof(struct io_uring_sync_cancel_reg);
	case IORING_REGISTER_FILE_ALLOC_RANGE:
		*nr = 0;
		((struct io_uring_file_index_range *)t)->len = 2;
		return sizeof(struct io_uring_file_index_range);
	case IORING_REGISTER_PBUF_STATUS:
		((struct io_uring_buf_status *)t)->buf_group = 1;
		return sizeof(struct io_uring_buf_status);
	case IORING_REGISTER_CLOCK:
		*nr = 0;
		((struct io_uring_clock_register *)t)->clockid = CLOCK_BOOTTIME;
		return sizeof(struct io_uring_clock_register);
	default:
		*nr = 0;
		return 64;
	}
}

static void reg_child(int i, void *ctx)
{
	const struct reg_call *c = &calls[i];
	unsigned char t[512] = { 0 };
	struct io_uring_params p;
	struct io_uring ring;
	unsigned op = c->opcode, nr;
	size_t len;
	void *arg;
	int fd;

	memset(&p, 0, sizeof(p));
	if (c->ring == RK_DISABLED)
		p.flags = IORING_SETUP_R_DISABLED;
	if (io_uring_queue_init_params(4, &ring, &p))
		return;
	if (c->ring == RK_LOADED && !ring_load(&ring))
		return;
	arg = bp_ptr(c->kind);
	if (c->tmpl) {
		len = reg_tmpl(c->opcode, &ring, t, &nr);
		if (!len)
			return;
		arg = bp_place(c->kind, t, len);
	}
	fd = ring.ring_fd;
	if (c->use_reg) {
		if (io_uring_register_ring_fd(&ring) != 1)
			return;
		fd = ring.enter_ring_fd;
		op |= IORING_REGISTER_USE_REGISTERED_RING;
	}
	bp_returned(io_uring_register((unsigned)fd, op, arg, c->nr));
	io_uring_queue_exit(&ring);
	bp_torn_down();
}

static void reg_what(int i, void *ctx, char *buf, size_t len)
{
	const struct reg_call *c = &calls[i];

	snprintf(buf, len, "register %u %s%s nr %u ring %s%s", c->opcode,
		 c->tmpl ? "well-formed at " : "", bp_kind_name[c->kind], c->nr,
		 rk_name[c->ring], c->use_reg ? " by index" : "");
}

/*
 * Opcodes the engine does not implement: it answers -EINVAL whatever the
 * argument, as a kernel older than the opcode does (docs/ARCHITECTURE.md,
 * "Where the engine differs").
 */
static bool reg_unsupported(unsigned opcode)
{
	switch (opcode) {
	case IORING_REGISTER_NAPI:
	case IORING_UNREGISTER_NAPI:
	case IORING_REGISTER_CLONE_BUFFERS:
	case IORING_REGISTER_ZCRX_IFQ:
	case IORING_REGISTER_RESIZE_RINGS:
	case IORING_REGISTER_MEM_REGION:
	case IORING_REGISTER_QUERY:
	case IORING_REGISTER_ZCRX_CTRL:
	case IORING_REGISTER_BPF_FILTER:
		return true;
	default:
		return false;
	}
}

static long reg_expect(int i, void *ctx, long kres)
{
	return reg_unsupported(calls[i].opcode) ? -EINVAL : BP_SAME;
}

static void reg_add(int ring, bool use_reg, bool tmpl, unsigned op, int kind,
		    unsigned nr)
{
	CHECK(ncalls < BP_MAX_CALLS);
	calls[ncalls++] = (struct reg_call){ ring, use_reg, tmpl, op, kind, nr };
}

static void reg_check(void)
{
	CHECK_EQ(bp_diff(ncalls, reg_child, NULL, BP_CALL_MS, reg_what, reg_expect),
		 0);
}

static const unsigned reg_nrs[] = { 0, 1, 2, 8, 32 };

/* Zeroed arguments at every pointer kind (@all_kinds), or at the ones
 * that stand for the rest (the other rings only change what the opcode
 * finds, not how it reads its argument). */
static void zero_matrix(unsigned last, int ring, bool use_reg, bool all_kinds)
{
	static const int some[] = { BP_VALID, BP_NULL, BP_UNMAPPED, BP_TAIL4,
				    BP_RDONLY };
	unsigned op, n, k, nk = all_kinds ? BP_NKINDS : 5;

	bp_init();
	for (op = 0; op <= last; op++)
		for (k = 0; k < nk; k++)
			for (n = 0; n < sizeof(reg_nrs) / sizeof(reg_nrs[0]); n++)
				reg_add(ring, use_reg, false, op,
					all_kinds ? (int)k : some[k], reg_nrs[n]);
	reg_check();
}

static void case_plain(void)
{
	zero_matrix(IORING_REGISTER_LAST + 2, RK_PLAIN, false, true);
}

static void case_by_index(void)
{
	zero_matrix(IORING_REGISTER_LAST + 2, RK_PLAIN, true, false);
}

static void case_disabled(void)
{
	zero_matrix(IORING_REGISTER_LAST, RK_DISABLED, false, false);
}

static void case_loaded(void)
{
	zero_matrix(IORING_REGISTER_LAST, RK_LOADED, false, false);
}

/* The ring each opcode's well-formed argument needs. */
static int tmpl_ring(unsigned op)
{
	switch (op) {
	case IORING_REGISTER_RESTRICTIONS:
		return RK_DISABLED;
	case IORING_REGISTER_FILES_UPDATE:
	case IORING_REGISTER_FILES_UPDATE2:
	case IORING_REGISTER_BUFFERS_UPDATE:
	case IORING_UNREGISTER_PBUF_RING:
	case IORING_REGISTER_FILE_ALLOC_RANGE:
	case IORING_REGISTER_PBUF_STATUS:
		return RK_LOADED;
	default:
		return RK_PLAIN;
	}
}

/* Well-formed arguments at every pointer kind, with the right nr_args,
 * none and one too many. */
static void case_tmpl(void)
{
	unsigned char t[512];
	struct io_uring ring;
	unsigned op, nr, i;
	int k;

	bp_init();
	/* The right nr_args, from the template on a throwaway ring. */
	CHECK_EQ(io_uring_queue_init(4, &ring, 0), 0);
	for (op = 0; op < IORING_REGISTER_LAST; op++) {
		memset(t, 0, sizeof(t));
		CHECK(reg_tmpl(op, &ring, t, &nr));
		for (k = 0; k < BP_NKINDS; k++)
			for (i = 0; i < 3; i++)
				reg_add(tmpl_ring(op), false, true, op, k,
					i == 0 ? nr : i == 1 ? 0 : nr + 1);
	}
	io_uring_queue_exit(&ring);
	reg_check();
}

/* --- routing: descriptors and indexes that name no ring ------------------ */

enum { FD_MINUS1, FD_BAD, FD_PIPE, FD_RING, FD_INDEX5, FD_INDEX16, FD_N };
static const char *const fd_name[FD_N] = {
	"-1", "999", "a pipe", "the ring", "empty index 5", "index 16",
};

struct route_call {
	int fd;
	unsigned opcode;
	int kind;
	bool well_formed;	/* a MSG_RING SQE to the ring */
};

static struct route_call rcalls[512];

static void route_child(int i, void *ctx)
{
	const struct route_call *c = &rcalls[i];
	struct io_uring_sqe sqe;
	struct io_uring ring;
	unsigned op = c->opcode;
	void *arg = bp_ptr(c->kind);
	int fd, p[2];

	if (io_uring_queue_init(4, &ring, 0) || pipe(p))
		return;
	if (c->well_formed) {
		io_uring_prep_msg_ring(&sqe, ring.ring_fd, 0, 7, 0);
		arg = bp_place(c->kind, &sqe, sizeof(sqe));
	}
	switch (c->fd) {
	case FD_MINUS1:	fd = -1; break;
	case FD_BAD:	fd = 999; break;
	case FD_PIPE:	fd = p[0]; break;
	case FD_RING:	fd = ring.ring_fd; break;
	default:
		fd = c->fd == FD_INDEX5 ? 5 : 16;
		op |= IORING_REGISTER_USE_REGISTERED_RING;
		break;
	}
	bp_returned(io_uring_register((unsigned)fd, op, arg, 1));
	io_uring_queue_exit(&ring);
	bp_torn_down();
}

static void route_what(int i, void *ctx, char *buf, size_t len)
{
	const struct route_call *c = &rcalls[i];

	snprintf(buf, len, "register fd %s op %u %s%s", fd_name[c->fd],
		 c->opcode, c->well_formed ? "MSG_RING SQE at " : "",
		 bp_kind_name[c->kind]);
}

static void case_routing(void)
{
	static const unsigned ops[] = {
		IORING_REGISTER_BUFFERS, IORING_REGISTER_EVENTFD,
		IORING_REGISTER_SEND_MSG_RING, IORING_REGISTER_LAST,
		IORING_REGISTER_LAST + 5, 0x7fffffff,
	};
	static const int kinds[] = { BP_VALID, BP_NULL, BP_UNMAPPED, BP_TAIL16,
				     BP_RDONLY };
	unsigned o, k, w;
	int n = 0, f;

	bp_init();
	for (f = 0; f < FD_N; f++)
		for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++)
			for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
				for (w = 0; w < 2; w++)
					rcalls[n++] = (struct route_call){
						f, ops[o], kinds[k], w };
	CHECK_EQ(bp_diff(n, route_child, NULL, BP_CALL_MS, route_what, NULL), 0);
}

/* --- IOWQ_AFF masks --------------------------------------------------------- */

struct aff_call {
	unsigned char fill;	/* every byte of the mask */
	unsigned len;
};

static struct aff_call acalls[32];

static void aff_child(int i, void *ctx)
{
	const struct aff_call *c = &acalls[i];
	unsigned char mask[512];
	struct io_uring ring;

	if (io_uring_queue_init(4, &ring, 0))
		return;
	memset(mask, c->fill, sizeof(mask));
	bp_returned(io_uring_register_iowq_aff(&ring, c->len, (void *)mask));
	io_uring_queue_exit(&ring);
	bp_torn_down();
}

static void aff_what(int i, void *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "IOWQ_AFF %u bytes of %#x", acalls[i].len,
		 acalls[i].fill);
}

/* The kernel compares a mask with its cpuset over the possible CPUs only;
 * what lies past them is not looked at. */
static void case_aff(void)
{
	static const unsigned char fills[] = { 0, 1, 2, 3, 0x80, 0xff };
	static const unsigned lens[] = { 1, 8, 64, 512 };
	unsigned f, l;
	int n = 0;

	bp_init();
	for (f = 0; f < sizeof(fills); f++)
		for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			acalls[n++] = (struct aff_call){ fills[f], lens[l] };
	CHECK_EQ(bp_diff(n, aff_child, NULL, BP_CALL_MS, aff_what, NULL), 0);
}

/* --- the same on each backend, and in the jail --------------------------- */

/* Each pointer argument the engine used to read or write directly. */
static void case_faults(void)
{
	static const struct { unsigned op, nr; } ops[] = {
		{ IORING_REGISTER_EVENTFD, 1 }, { IORING_REGISTER_EVENTFD_ASYNC, 1 },
		{ IORING_REGISTER_PROBE, 4 }, { IORING_REGISTER_IOWQ_AFF, 8 },
		{ IORING_REGISTER_IOWQ_MAX_WORKERS, 2 },
		{ IORING_REGISTER_RING_FDS, 1 }, { IORING_UNREGISTER_RING_FDS, 1 },
		{ IORING_REGISTER_CLOCK, 0 }, { IORING_REGISTER_PBUF_RING, 1 },
		{ IORING_REGISTER_PBUF_STATUS, 1 }, { IORING_REGISTER_SYNC_CANCEL, 1 },
		{ IORING_REGISTER_FILES2, 32 }, { IORING_REGISTER_BUFFERS2, 32 },
		{ IORING_REGISTER_FILES_UPDATE, 1 }, { IORING_REGISTER_FILES_UPDATE2, 32 },
	};
	static const int kinds[] = { BP_UNMAPPED, BP_PROTNONE, BP_KERNEL };
	struct io_uring ring, dis;
	struct io_uring_params p;
	unsigned i, k;

	bp_init();
	t_ring(&ring, 4, NULL);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			CHECK_MSG(io_uring_register(ring.ring_fd, ops[i].op,
						    bp_ptr(kinds[k]), ops[i].nr) == -EFAULT,
				  "opcode %u at %s", ops[i].op,
				  bp_kind_name[kinds[k]]);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_R_DISABLED;
	t_ring(&dis, 4, &p);
	CHECK_EQ(io_uring_register(dis.ring_fd, IORING_REGISTER_RESTRICTIONS,
				   bp_ptr(BP_UNMAPPED), 1), -EFAULT);
	/* read whole before any entry is used */
	CHECK_EQ(io_uring_register(dis.ring_fd, IORING_REGISTER_RESTRICTIONS,
				   bp_ptr(BP_TAIL4), 1), -EFAULT);
	io_uring_queue_exit(&dis);
	io_uring_queue_exit(&ring);
}

/* Results written back to read-only memory; and which check comes first. */
static void case_order(void)
{
	struct io_uring_rsrc_update up;
	struct io_uring ring;
	int efd;

	bp_init();
	t_ring(&ring, 4, NULL);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_PROBE,
				   bp_ptr(BP_RDONLY), 4), -EFAULT);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_IOWQ_MAX_WORKERS,
				   bp_ptr(BP_RDONLY), 2), -EFAULT);
	/* a ring fd that cannot be written back is not kept */
	up = (struct io_uring_rsrc_update){ .offset = -1U,
					    .data = (unsigned)ring.ring_fd };
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_RING_FDS,
				   bp_place(BP_RDONLY, &up, sizeof(up)), 1),
		 -EFAULT);
	CHECK_EQ(io_uring_register_ring_fd(&ring), 1);
	CHECK_EQ(io_uring_unregister_ring_fd(&ring), 1);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS, NULL, 0),
		 -EFAULT);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES, NULL, 0),
		 -EFAULT);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_IOWQ_MAX_WORKERS,
				   NULL, 2), -EINVAL);
	efd = eventfd(0, EFD_CLOEXEC);
	CHECK_EQ(io_uring_register_eventfd(&ring, efd), 0);
	CHECK_EQ(io_uring_register(ring.ring_fd, IORING_REGISTER_EVENTFD,
				   bp_ptr(BP_UNMAPPED), 1), -EBUSY);
	close(efd);
	io_uring_queue_exit(&ring);
}

/* Descriptors and indexes that name no ring: the kernel's errno, with no
 * io_uring system call where the kernel's io_uring is denied. */
static void case_bad_fds(void)
{
	struct io_uring ring;
	int p[2];

	bp_init();
	t_ring(&ring, 4, NULL);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(io_uring_register(999, IORING_REGISTER_EVENTFD, NULL, 1), -EBADF);
	CHECK_EQ(io_uring_register(p[0], IORING_REGISTER_EVENTFD, NULL, 1),
		 -EOPNOTSUPP);
	CHECK_EQ(io_uring_register(p[0], IORING_REGISTER_LAST, NULL, 1), -EINVAL);
	CHECK_EQ(io_uring_register(-1, IORING_REGISTER_EVENTFD, NULL, 1), -EINVAL);
	CHECK_EQ(io_uring_register(-1, IORING_REGISTER_SEND_MSG_RING,
				   bp_ptr(BP_UNMAPPED), 1), -EFAULT);
	CHECK_EQ(io_uring_register(-1, IORING_REGISTER_SEND_MSG_RING, NULL, 1),
		 -EINVAL);
	CHECK_EQ(io_uring_register(5, IORING_REGISTER_LAST |
				   IORING_REGISTER_USE_REGISTERED_RING, NULL, 0),
		 -EINVAL);
	CHECK_EQ(io_uring_register(5, IORING_REGISTER_PROBE |
				   IORING_REGISTER_USE_REGISTERED_RING, NULL, 0),
		 -EBADF);
	CHECK_EQ(io_uring_enter(999, 0, 0, 0, NULL), -EBADF);
	CHECK_EQ(io_uring_enter(p[0], 0, 0, 0, NULL), -EOPNOTSUPP);
	CHECK_EQ(io_uring_enter(p[0], 0, 0, 1u << 12, NULL), -EINVAL);
	CHECK_EQ(io_uring_enter(5, 0, 0, IORING_ENTER_REGISTERED_RING | (1u << 12),
				NULL), -EINVAL);
	close(p[0]);
	close(p[1]);
	io_uring_queue_exit(&ring);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "plain", case_plain, T_DIFF },
		{ "by_index", case_by_index, T_DIFF },
		{ "disabled", case_disabled, T_DIFF },
		{ "loaded", case_loaded, T_DIFF },
		{ "tmpl", case_tmpl, T_DIFF },
		{ "routing", case_routing, T_DIFF },
		{ "aff", case_aff, T_DIFF },
		{ "faults", case_faults, 0 },
		{ "order", case_order, 0 },
		{ "bad_fds", case_bad_fds, 0 },
		{ NULL, NULL, 0 },
	};

	return bp_main(argc, argv, cases);
}
