/* SPDX-License-Identifier: MIT */
/*
 * Inputs and results as text: the replay print-out, and the corpus format
 * (one input per file; raw SQEs and params in hex, so a file stays
 * meaningful when the generators change).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"

const char *const fz_stage_names[] = { "start", "env", "run", "reap", "exit", "done" };

static void hex_out(FILE *f, const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", c[i]);
}

static int hex_in(const char *s, void *p, size_t len)
{
	unsigned char *c = p;
	size_t i;
	unsigned v;

	for (i = 0; i < len; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		c[i] = (unsigned char)v;
	}
	return 0;
}

static void print_fd(FILE *f, int fd, bool fixed)
{
	const char *n = fixed ? fz_fd_name(FZ_FD_BASE + fd) : fz_fd_name(fd);

	fprintf(f, "%s%d", fixed ? "#" : "", fd);
	if (n)
		fprintf(f, "(%s)", n);
}

static void print_ptr(FILE *f, const char *name, uint64_t v)
{
	const char *n = fz_ptr_name(v);

	fprintf(f, " %s=0x%" PRIx64, name, v);
	if (strcmp(n, "value"))
		fprintf(f, "(%s)", n);
}

static void print_sqe(FILE *f, unsigned i, const struct io_uring_sqe *s)
{
	fprintf(f, "  [%u] %s flags=0x%x fd=", i, fz_op_name(s->opcode), s->flags);
	print_fd(f, s->fd, s->flags & IOSQE_FIXED_FILE);
	print_ptr(f, "off", s->off);
	print_ptr(f, "addr", s->addr);
	fprintf(f, " len=%u opflags=0x%x ud=0x%" PRIx64, s->len,
		(unsigned)s->rw_flags, (uint64_t)s->user_data);
	if (s->ioprio)
		fprintf(f, " ioprio=0x%x", s->ioprio);
	if (s->buf_index)
		fprintf(f, " buf=%u", s->buf_index);
	if (s->personality)
		fprintf(f, " pers=%u", s->personality);
	if (s->splice_fd_in)
		fprintf(f, " fd_in/file_index=%d", s->splice_fd_in);
	if (s->addr3)
		print_ptr(f, "addr3", s->addr3);
	if (s->__pad2[0])
		fprintf(f, " pad2=0x%" PRIx64, (uint64_t)s->__pad2[0]);
	fputc('\n', f);
}

void fz_print_input(FILE *f, const struct fz_input *in)
{
	unsigned i;

	fprintf(f, "input: phase %s seed %" PRIu64 " index %" PRIu64 "\n",
		fz_phase_names[in->phase], in->seed, in->index);
	if (in->phase == FZ_SETUP) {
		const struct io_uring_params *p = &in->setup.p;

		fprintf(f, "  io_uring_setup(%u, ", in->setup.entries);
		print_ptr(f, "params", in->setup.ptr);
		fprintf(f, ")\n  flags=0x%x cq_entries=%u sq_thread_cpu=%u "
			"sq_thread_idle=%u wq_fd=%d features=0x%x resv={%u,%u,%u}"
			" sq_off.user_addr=0x%llx cq_off.user_addr=0x%llx\n",
			p->flags, p->cq_entries, p->sq_thread_cpu,
			p->sq_thread_idle, (int)p->wq_fd, p->features, p->resv[0],
			p->resv[1], p->resv[2], (unsigned long long)p->sq_off.user_addr,
			(unsigned long long)p->cq_off.user_addr);
	} else if (in->phase == FZ_REGISTER) {
		fprintf(f, "  ring flags=0x%x scratch seed=0x%" PRIx64 "\n",
			in->reg.ring_flags, in->reg.content_seed);
		for (i = 0; i < in->reg.ncall; i++) {
			fprintf(f, "  io_uring_register(ring, %s (%u),",
				fz_reg_name(in->reg.call[i].opcode),
				in->reg.call[i].opcode);
			print_ptr(f, "arg", in->reg.call[i].arg);
			fprintf(f, ", nr_args=%u)\n", in->reg.call[i].nr_args);
		}
	} else {
		fprintf(f, "  env=0x%x ring flags=0x%x batches:", in->sqe.env,
			in->sqe.ring_flags);
		for (i = 0; i < in->sqe.nbatch; i++)
			fprintf(f, " %u", in->sqe.batch[i]);
		fputc('\n', f);
		for (i = 0; i < in->sqe.nsqe; i++)
			print_sqe(f, i, &in->sqe.sqe[i]);
	}
}

void fz_print_result(FILE *f, const char *label, const struct fz_result *r)
{
	char b[32];
	int i;

	fprintf(f, "%s: stage %s", label, fz_stage_names[r->stage]);
	for (i = 0; i < r->nret; i++)
		fprintf(f, " %s=%s", r->ret_what[i] ? r->ret_what[i] : "?",
			fz_errname(r->ret[i], b, sizeof(b)));
	fputc('\n', f);
	for (i = 0; i < r->ncqe; i++)
		fprintf(f, "  cqe ud=0x%" PRIx64 " res=%d (%s) flags=0x%x at %u ms\n",
			r->cqe[i].user_data, r->cqe[i].res,
			fz_errname(r->cqe[i].res, b, sizeof(b)), r->cqe[i].flags,
			r->cqe[i].ms);
	if (r->cqe_lost)
		fprintf(f, "  ... and %d more CQEs\n", r->cqe_lost);
	if (r->note[0])
		fprintf(f, "  note: %s\n", r->note);
}

int fz_write_input(const char *path, const struct fz_input *in, const char *why)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	if (!f)
		return -errno;
	fprintf(f, "# aioring fuzz input: %s\n", why);
	fprintf(f, "phase %s\norigin %" PRIu64 " %" PRIu64 "\n",
		fz_phase_names[in->phase], in->seed, in->index);
	if (in->phase == FZ_SETUP) {
		fprintf(f, "setup %u %" PRIx64 "\nparams ", in->setup.entries,
			in->setup.ptr);
		hex_out(f, &in->setup.p, sizeof(in->setup.p));
		fputc('\n', f);
	} else if (in->phase == FZ_REGISTER) {
		fprintf(f, "reg %x %" PRIx64 "\n", in->reg.ring_flags,
			in->reg.content_seed);
		for (i = 0; i < in->reg.ncall; i++)
			fprintf(f, "call %u %u %" PRIx64 "\n", in->reg.call[i].opcode,
				in->reg.call[i].nr_args, in->reg.call[i].arg);
	} else {
		fprintf(f, "sqe %x %x\nbatches", in->sqe.env, in->sqe.ring_flags);
		for (i = 0; i < in->sqe.nbatch; i++)
			fprintf(f, " %u", in->sqe.batch[i]);
		fputc('\n', f);
		for (i = 0; i < in->sqe.nsqe; i++) {
			fprintf(f, "raw ");
			hex_out(f, &in->sqe.sqe[i], sizeof(in->sqe.sqe[i]));
			fputc('\n', f);
		}
	}
	return fclose(f) ? -errno : 0;
}

static int read_line(struct fz_input *in, char *line)
{
	char word[16], hex[512];
	unsigned a, b, c;
	uint64_t x, y;
	int i;

	if (sscanf(line, "%15s", word) != 1 || word[0] == '#')
		return 0;
	if (!strcmp(word, "phase")) {
		for (i = 0; i < FZ_NPHASE; i++)
			if (strstr(line + 6, fz_phase_names[i]) == line + 6)
				in->phase = i;
	} else if (!strcmp(word, "origin")) {
		sscanf(line, "origin %" SCNu64 " %" SCNu64, &in->seed, &in->index);
	} else if (!strcmp(word, "setup")) {
		if (sscanf(line, "setup %u %" SCNx64, &in->setup.entries, &in->setup.ptr) != 2)
			return -1;
	} else if (!strcmp(word, "params")) {
		if (sscanf(line, "params %511s", hex) != 1 ||
		    hex_in(hex, &in->setup.p, sizeof(in->setup.p)))
			return -1;
	} else if (!strcmp(word, "reg")) {
		if (sscanf(line, "reg %x %" SCNx64, &in->reg.ring_flags,
			   &in->reg.content_seed) != 2)
			return -1;
	} else if (!strcmp(word, "call")) {
		if (in->reg.ncall >= FZ_MAX_CALLS ||
		    sscanf(line, "call %u %u %" SCNx64, &a, &b, &x) != 3)
			return -1;
		in->reg.call[in->reg.ncall++] = (struct fz_reg_call){ a, b, x };
	} else if (!strcmp(word, "sqe")) {
		if (sscanf(line, "sqe %x %x", &a, &c) != 2)
			return -1;
		in->sqe.env = a;
		in->sqe.ring_flags = c;
	} else if (!strcmp(word, "batches")) {
		char *p = line + 7, *end;

		while ((y = strtoull(p, &end, 10)) && end != p && in->sqe.nbatch < FZ_MAX_SQE) {
			in->sqe.batch[in->sqe.nbatch++] = (uint8_t)y;
			p = end;
		}
	} else if (!strcmp(word, "raw")) {
		if (in->sqe.nsqe >= FZ_MAX_SQE || sscanf(line, "raw %511s", hex) != 1 ||
		    hex_in(hex, &in->sqe.sqe[in->sqe.nsqe++], sizeof(struct io_uring_sqe)))
			return -1;
	}
	return 0;
}

int fz_read_input(const char *path, struct fz_input *in)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int ret = 0;

	if (!f)
		return -errno;
	memset(in, 0, sizeof(*in));
	while (!ret && fgets(line, sizeof(line), f))
		ret = read_line(in, line);
	fclose(f);
	return ret;
}
