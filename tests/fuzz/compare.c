/* SPDX-License-Identifier: MIT */
/*
 * Comparing the kernel's result with the engine's, and naming each
 * mismatch by a class: a line such as
 *	sqe READ fd=unix_a [] res k=-ESPIPE e=+
 * (phase, what, where, which field, kernel value, engine value) that the
 * known-differences list (known.txt) matches with globs. Positive results
 * are "+" in a class (the counts are in the detail), so one difference is
 * one class however many bytes moved.
 *
 * CQEs are compared per user_data, in the order each user_data got them
 * (the kernel defines no order across requests). A CQE that one side
 * posted and the other did not within the window is "blocks": it counts
 * only if it came early on the side that has it (before half the window),
 * so a slow completion is not a difference.
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"

static const char *const op_names[IORING_OP_LAST] = {
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

static const char *const reg_names[] = {
	"BUFFERS", "UNREGISTER_BUFFERS", "FILES", "UNREGISTER_FILES",
	"EVENTFD", "UNREGISTER_EVENTFD", "FILES_UPDATE", "EVENTFD_ASYNC",
	"PROBE", "PERSONALITY", "UNREGISTER_PERSONALITY", "RESTRICTIONS",
	"ENABLE_RINGS", "FILES2", "FILES_UPDATE2", "BUFFERS2",
	"BUFFERS_UPDATE", "IOWQ_AFF", "UNREGISTER_IOWQ_AFF",
	"IOWQ_MAX_WORKERS", "RING_FDS", "UNREGISTER_RING_FDS", "PBUF_RING",
	"UNREGISTER_PBUF_RING", "SYNC_CANCEL", "FILE_ALLOC_RANGE",
	"PBUF_STATUS", "NAPI", "UNREGISTER_NAPI", "CLOCK", "CLONE_BUFFERS",
	"SEND_MSG_RING", "ZCRX_IFQ", "RESIZE_RINGS", "MEM_REGION", "QUERY",
	"ZCRX_CTRL", "BPF_FILTER",
};

const char *fz_op_name(unsigned op)
{
	return op < IORING_OP_LAST && op_names[op] ? op_names[op] : "OP?";
}

const char *fz_reg_name(unsigned op)
{
	if (op & IORING_REGISTER_USE_REGISTERED_RING) {
		op &= ~IORING_REGISTER_USE_REGISTERED_RING;
		if (op < sizeof(reg_names) / sizeof(reg_names[0]))
			return "BY_INDEX";
	}
	return op < sizeof(reg_names) / sizeof(reg_names[0]) ? reg_names[op] : "REG?";
}

const char *fz_errname(int64_t v, char *buf, size_t len)
{
	const char *n;

	if (v > 0)
		return "+";
	if (!v)
		return "0";
	n = v >= -4095 ? strerrorname_np((int)-v) : NULL;
	if (n)
		snprintf(buf, len, "-%s", n);
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

/* --- the known-differences list ------------------------------------------ */

struct known {
	char *pat, *why;
};
struct list {
	struct known *v;
	unsigned n;
};
static struct list known, open_defects;

static int list_load(struct list *l, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *bar = strstr(line, " | "), *end;

		if (line[0] == '#' || !bar)
			continue;
		*bar = 0;
		end = bar + 3 + strcspn(bar + 3, "\n");
		*end = 0;
		l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n].pat = strdup(line);
		l->v[l->n++].why = strdup(bar + 3);
	}
	fclose(f);
	return 0;
}

static const char *list_match(const struct list *l, const char *cls)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (!fnmatch(l->v[i].pat, cls, 0))
			return l->v[i].why;
	return NULL;
}

int fz_known_load(const char *path)
{
	return list_load(&known, path);
}

const char *fz_known_match(const char *cls)
{
	return list_match(&known, cls);
}

int fz_open_load(const char *path)
{
	return list_load(&open_defects, path);
}

const char *fz_open_match(const char *cls)
{
	return list_match(&open_defects, cls);
}

/* --- classes ------------------------------------------------------------- */

static void add(struct fz_verdict *v, const char *cls, const char *detail)
{
	int i;

	for (i = 0; i < v->nclass; i++)
		if (!strcmp(v->cls[i], cls))
			return;
	if (v->nclass == FZ_MAX_CLASSES)
		return;
	snprintf(v->cls[v->nclass], sizeof(v->cls[0]), "%s", cls);
	snprintf(v->detail[v->nclass++], sizeof(v->detail[0]), "%s", detail);
}

/* The kind of an fd, for a class: file, pipe, sock, chr, ... */
const char *fz_fd_kind(int fd)
{
	switch (fd) {
	case FZ_FD_REG: case FZ_FD_REG_RO: case FZ_FD_MEMFD: return "file";
	case FZ_FD_DIRECT: return "direct";
	case FZ_FD_PIPE_R: case FZ_FD_PIPE_W: case FZ_FD_PIPE2_R:
	case FZ_FD_PIPE2_W: return "pipe";
	case FZ_FD_UNIX_A: case FZ_FD_UNIX_B: case FZ_FD_DGRAM: return "unix";
	case FZ_FD_TCP_C: case FZ_FD_TCP_S: case FZ_FD_LISTEN: return "tcp";
	case FZ_FD_UDP: return "udp";
	case FZ_FD_EVENTFD0: case FZ_FD_EVENTFD5: return "eventfd";
	case FZ_FD_NULL: case FZ_FD_ZERO: case FZ_FD_PTY: return "chr";
	case FZ_FD_DIR: return "dir";
	case FZ_FD_EPOLL: return "epoll";
	case FZ_FD_OPATH: return "opath";
	case FZ_FD_RING: return "ring";
	case AT_FDCWD: return "cwd";
	default: return "bad";
	}
}

/* "READ fd=pipe [LA]": what an SQE is, for its class. */
static void sqe_where(const struct io_uring_sqe *s, char *buf, size_t len)
{
	bool fixed = s->flags & IOSQE_FIXED_FILE;
	const char *fd;
	char fl[9];
	int n = 0;

	/* IOSQE_* order: FIXED_FILE, DRAIN, LINK, HARDLINK, ASYNC, BUFSEL, SKIP */
	n = 0;
	if (s->flags & IOSQE_FIXED_FILE) fl[n++] = 'F';
	if (s->flags & IOSQE_IO_DRAIN) fl[n++] = 'D';
	if (s->flags & IOSQE_IO_LINK) fl[n++] = 'L';
	if (s->flags & IOSQE_IO_HARDLINK) fl[n++] = 'H';
	if (s->flags & IOSQE_ASYNC) fl[n++] = 'A';
	if (s->flags & IOSQE_BUFFER_SELECT) fl[n++] = 'B';
	if (s->flags & IOSQE_CQE_SKIP_SUCCESS) fl[n++] = 'S';
	if (s->flags & 0x80) fl[n++] = '7';
	fl[n] = 0;
	fd = fz_fd_kind(fixed ? FZ_FD_BASE + s->fd : s->fd);
	snprintf(buf, len, "%s fd=%s%s [%s]", fz_op_name(s->opcode),
		 fixed ? "#" : "", fd, fl);
}

static const struct io_uring_sqe *sqe_of(const struct fz_input *in, uint64_t ud)
{
	unsigned i;

	for (i = 0; i < in->sqe.nsqe; i++)
		if (in->sqe.sqe[i].user_data == ud)
			return &in->sqe.sqe[i];
	return NULL;
}

static void where_of(const struct fz_input *in, int i, uint64_t ud,
		     char *buf, size_t len)
{
	const struct io_uring_sqe *s;

	if (in->phase == FZ_SQE) {
		s = ud ? sqe_of(in, ud) : NULL;
		if (s)
			sqe_where(s, buf, len);
		else
			snprintf(buf, len, "ud=0x%" PRIx64, ud);
	} else if (in->phase == FZ_REGISTER) {
		int c = i - 1;	/* ret 0 is the ring */

		if (c >= 0 && c < (int)in->reg.ncall)
			snprintf(buf, len, "%s arg=%s nr=%s",
				 fz_reg_name(in->reg.call[c].opcode),
				 fz_ptr_name(in->reg.call[c].arg),
				 in->reg.call[c].nr_args < 2 ? (in->reg.call[c].nr_args ? "1" : "0") :
				 in->reg.call[c].nr_args <= 64 ? "small" : "big");
		else
			snprintf(buf, len, "after %s",
				 fz_reg_name(in->reg.call[in->reg.ncall - 1].opcode));
	} else {
		static const char *const names[] = { "IOPOLL", "SQPOLL", "SQ_AFF",
			"CQSIZE", "CLAMP", "ATTACH_WQ", "R_DISABLED", "SUBMIT_ALL",
			"COOP", "TASKRUN_FLAG", "SQE128", "CQE32", "SINGLE_ISSUER",
			"DEFER", "NO_MMAP", "REGFD_ONLY", "NO_SQARRAY", "HYBRID",
			"CQE_MIXED", "SQE_MIXED", "SQ_REWIND" };
		uint32_t fl = in->setup.p.flags;
		int n = snprintf(buf, len, "ptr=%s flags=", fz_ptr_name(in->setup.ptr));
		unsigned b;

		for (b = 0; b < 32 && n < (int)len; b++)
			if (fl & (1u << b))
				n += snprintf(buf + n, len - (size_t)n, "%s%s",
					      b < 21 ? names[b] : "?", fl >> (b + 1) ? "|" : "");
	}
}

/* The index of the first SQE that submit call @i could take: SQEs left
 * over by an earlier call are taken first, so it is the sum of the earlier
 * calls' counts (equal on both sides up to @i). */
static unsigned batch_start(const struct fz_result *r, int i)
{
	unsigned idx = 0;
	int j;

	for (j = 0; j < i; j++)
		if (r->ret_what[j] && !strcmp(r->ret_what[j], "submit") && r->ret[j] > 0)
			idx += (unsigned)r->ret[j];
	return idx;
}

/*
 * The calls' results, up to the first that differs (later calls follow
 * from it). For a submit count, the class names the SQE that ended the
 * shorter submission; SQEs after it ran on one side only, and *cut says
 * where they start.
 */
static void cmp_rets(const struct fz_input *in, const struct fz_result *k,
		     const struct fz_result *e, struct fz_verdict *v, unsigned *cut)
{
	char cls[240], det[200], w[120], b1[32], b2[32];
	int i, n = k->nret < e->nret ? k->nret : e->nret;

	for (i = 0; i < n; i++) {
		const char *kv = fz_errname(k->ret[i], b1, sizeof(b1));
		const char *ev = fz_errname(e->ret[i], b2, sizeof(b2));
		const char *what = k->ret_what[i] ? k->ret_what[i] : "?";

		if (k->ret[i] == e->ret[i])
			continue;
		if (!strcmp(what, "features") || !strcmp(what, "flags")) {
			snprintf(b1, sizeof(b1), "0x%" PRIx64, k->ret[i]);
			snprintf(b2, sizeof(b2), "0x%" PRIx64, e->ret[i]);
			kv = b1;
			ev = b2;
		}
		snprintf(w, sizeof(w), "-");
		if (in->phase == FZ_SQE && !strcmp(what, "submit")) {
			int64_t sub = k->ret[i] < e->ret[i] ? k->ret[i] : e->ret[i];
			unsigned idx = batch_start(k, i) + (sub > 0 ? (unsigned)sub : 1) - 1;

			*cut = idx + 1;
			if (idx < in->sqe.nsqe)
				sqe_where(&in->sqe.sqe[idx], w, sizeof(w));
			kv = k->ret[i] < e->ret[i] ? "stop" : "go";
			ev = k->ret[i] < e->ret[i] ? "go" : "stop";
		} else if (in->phase != FZ_SQE) {
			where_of(in, i, 0, w, sizeof(w));
		}
		snprintf(cls, sizeof(cls), "%s %s %s k=%s e=%s",
			 fz_phase_names[in->phase], w, what, kv, ev);
		snprintf(det, sizeof(det), "%s: kernel %" PRId64 ", engine %" PRId64,
			 what, k->ret[i], e->ret[i]);
		add(v, cls, det);
		return;
	}
}

/* The CQEs of @ud on one side: their indexes in @r. */
static int cqes_of(const struct fz_result *r, uint64_t ud, int *idx, int max)
{
	int i, n = 0;

	for (i = 0; i < r->ncqe && n < max; i++)
		if (r->cqe[i].user_data == ud)
			idx[n++] = i;
	return n;
}

/* An SQE at or after one with IOSQE_IO_DRAIN: whether it runs depends on
 * the drain (one class for all of them). */
static bool behind_drain(const struct fz_input *in, uint64_t ud)
{
	unsigned i;

	for (i = 0; i < in->sqe.nsqe && in->sqe.sqe[i].user_data != ud; i++)
		if (in->sqe.sqe[i].flags & IOSQE_IO_DRAIN)
			return true;
	return i < in->sqe.nsqe && (in->sqe.sqe[i].flags & IOSQE_IO_DRAIN);
}

static void cmp_ud(const struct fz_input *in, const struct fz_result *k,
		   const struct fz_result *e, uint64_t ud, struct fz_verdict *v)
{
	int ki[FZ_MAX_CQE], ei[FZ_MAX_CQE], nk, ne, i, n;
	unsigned half = (k->window_ms < e->window_ms ? k->window_ms : e->window_ms) / 2;
	char cls[200], det[200], w[120], b1[32], b2[32];

	nk = cqes_of(k, ud, ki, FZ_MAX_CQE);
	ne = cqes_of(e, ud, ei, FZ_MAX_CQE);
	where_of(in, 0, ud, w, sizeof(w));
	if (!nk || !ne) {
		const struct fz_result *has = nk ? k : e;
		int first = nk ? ki[0] : ei[0];

		if (has->cqe[first].ms >= half)
			return;		/* late: timing, not behaviour */
		snprintf(cls, sizeof(cls), "sqe %s%s blocks k=%s e=%s", w,
			 behind_drain(in, ud) ? " behind-drain" : "",
			 nk ? "done" : "block", ne ? "done" : "block");
		snprintf(det, sizeof(det), "ud 0x%" PRIx64 ": %s res %d at %u ms, "
			 "the other side nothing in %u ms", ud, nk ? "kernel" : "engine",
			 has->cqe[first].res, has->cqe[first].ms, has->window_ms);
		add(v, cls, det);
		return;
	}
	n = nk < ne ? nk : ne;
	for (i = 0; i < n; i++) {
		const struct fz_cqe *a = &k->cqe[ki[i]], *b = &e->cqe[ei[i]];

		if (a->res != b->res && !(a->res > 0 && b->res > 0 && (a->flags & IORING_CQE_F_MORE))) {
			snprintf(cls, sizeof(cls), "sqe %s res k=%s e=%s", w,
				 fz_errname(a->res, b1, sizeof(b1)),
				 fz_errname(b->res, b2, sizeof(b2)));
			snprintf(det, sizeof(det), "ud 0x%" PRIx64 " cqe %d: kernel "
				 "res %d, engine res %d", ud, i, a->res, b->res);
			add(v, cls, det);
			return;
		}
		if ((a->flags ^ b->flags) & ~IORING_CQE_F_SOCK_NONEMPTY) {
			snprintf(cls, sizeof(cls), "sqe %s flags k=0x%x e=0x%x", w,
				 a->flags & 0xffff, b->flags & 0xffff);
			snprintf(det, sizeof(det), "ud 0x%" PRIx64 " cqe %d: flags "
				 "0x%x vs 0x%x", ud, i, a->flags, b->flags);
			add(v, cls, det);
			return;
		}
	}
	/* Both ended (no F_MORE on their last) early, with different counts. */
	if (nk != ne && !(k->cqe[ki[nk - 1]].flags & IORING_CQE_F_MORE) &&
	    !(e->cqe[ei[ne - 1]].flags & IORING_CQE_F_MORE) &&
	    k->cqe[ki[nk - 1]].ms < half && e->cqe[ei[ne - 1]].ms < half) {
		snprintf(cls, sizeof(cls), "sqe %s cqes k=%s e=%s", w,
			 nk > 1 ? "many" : "1", ne > 1 ? "many" : "1");
		snprintf(det, sizeof(det), "ud 0x%" PRIx64 ": kernel %d CQEs, "
			 "engine %d", ud, nk, ne);
		add(v, cls, det);
	}
}

void fz_compare(const struct fz_input *in, const struct fz_result *k,
		const struct fz_result *e, struct fz_verdict *v)
{
	uint64_t seen[2 * FZ_MAX_CQE];
	unsigned nseen = 0, j, cut = FZ_MAX_SQE;
	int i, side;

	memset(v, 0, sizeof(*v));
	cmp_rets(in, k, e, v, &cut);
	if (k->nret != e->nret && !v->nclass) {
		char cls[160];

		snprintf(cls, sizeof(cls), "%s calls k=%d e=%d",
			 fz_phase_names[in->phase], k->nret, e->nret);
		add(v, cls, "a different number of calls were made");
	}
	for (side = 0; side < 2; side++) {
		const struct fz_result *r = side ? e : k;

		for (i = 0; i < r->ncqe; i++) {
			uint64_t ud = r->cqe[i].user_data;

			for (j = 0; j < nseen && seen[j] != ud; j++)
				;
			if (j < nseen)
				continue;
			seen[nseen++] = ud;
			if (in->phase == FZ_SQE && !(ud >= 0x100 + cut &&
						     ud < 0x100 + FZ_MAX_SQE))
				cmp_ud(in, k, e, ud, v);
		}
	}
}
