/* SPDX-License-Identifier: MIT */
/*
 * cp_linked: copies a file with linked READ -> WRITE pairs.
 *
 *   cp_linked SRC DST
 *
 * Each block is one READ linked (IOSQE_IO_LINK) to the WRITE of the same
 * buffer, so the ring runs the write only once the read has filled it; up
 * to CP_DEPTH pairs are in flight. A short read breaks its link (the write
 * completes with -ECANCELED), and a short write leaves part of a block: in
 * both cases the whole pair is simply issued again, as reading and writing
 * the same block twice gives the same bytes. AIORING_BACKEND=kernel|user
 * picks the backend. Exit status: 0 on success, 1 on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "liburing.h"

#define CP_DEPTH	16
#define CP_BLOCK	(64u * 1024)

struct cp_slot {
	char *buf;
	off_t off;
	unsigned len;
	int pending;		/* CQEs still to come: 2 per pair */
	int read_res, write_res;
};

struct cp {
	struct io_uring ring;
	int in, out;
	off_t size, next;
	unsigned busy;
	struct cp_slot slots[CP_DEPTH];
};

/* user_data: slot index * 2, + 1 for the write. */
static int cp_queue_pair(struct cp *c, unsigned i)
{
	struct cp_slot *s = &c->slots[i];
	struct io_uring_sqe *rd = io_uring_get_sqe(&c->ring);
	struct io_uring_sqe *wr = io_uring_get_sqe(&c->ring);

	if (!rd || !wr)
		return -EBUSY;	/* cannot happen: 2 SQEs per slot */
	io_uring_prep_read(rd, c->in, s->buf, s->len, (uint64_t)s->off);
	rd->flags |= IOSQE_IO_LINK;
	io_uring_sqe_set_data64(rd, i * 2);
	io_uring_prep_write(wr, c->out, s->buf, s->len, (uint64_t)s->off);
	io_uring_sqe_set_data64(wr, i * 2 + 1);
	s->pending = 2;
	return 0;
}

static int cp_start_block(struct cp *c, unsigned i)
{
	struct cp_slot *s = &c->slots[i];
	off_t left = c->size - c->next;

	s->off = c->next;
	s->len = left < CP_BLOCK ? (unsigned)left : CP_BLOCK;
	c->next += s->len;
	c->busy++;
	return cp_queue_pair(c, i);
}

/* Both CQEs of a pair are in: done, again, or an error. */
static int cp_pair_done(struct cp *c, unsigned i)
{
	struct cp_slot *s = &c->slots[i];

	if (s->read_res < 0 && s->read_res != -EINTR) {
		fprintf(stderr, "cp_linked: read: %s\n", strerror(-s->read_res));
		return -1;
	}
	if (s->read_res == 0) {
		fprintf(stderr, "cp_linked: source shrank while copying\n");
		return -1;
	}
	if (s->write_res < 0 && s->write_res != -ECANCELED &&
	    s->write_res != -EINTR) {
		fprintf(stderr, "cp_linked: write: %s\n", strerror(-s->write_res));
		return -1;
	}
	if (s->write_res == (int)s->len) {
		c->busy--;
		return c->next < c->size ? cp_start_block(c, i) : 0;
	}
	return cp_queue_pair(c, i);	/* short: the whole pair again */
}

static int cp_reap(struct cp *c)
{
	struct io_uring_cqe *cqe;
	uint64_t ud;
	struct cp_slot *s;
	int ret = io_uring_wait_cqe(&c->ring, &cqe);

	if (ret) {
		fprintf(stderr, "cp_linked: wait: %s\n", strerror(-ret));
		return -1;
	}
	ud = io_uring_cqe_get_data64(cqe);
	s = &c->slots[ud / 2];
	if (ud & 1)
		s->write_res = cqe->res;
	else
		s->read_res = cqe->res;
	io_uring_cqe_seen(&c->ring, cqe);
	if (--s->pending)
		return 0;
	return cp_pair_done(c, (unsigned)(ud / 2));
}

static int cp_run(struct cp *c)
{
	unsigned i;
	int ret;

	for (i = 0; i < CP_DEPTH && c->next < c->size; i++)
		if (cp_start_block(c, i))
			return -1;
	while (c->busy) {
		ret = io_uring_submit(&c->ring);
		if (ret < 0) {
			fprintf(stderr, "cp_linked: submit: %s\n", strerror(-ret));
			return -1;
		}
		if (cp_reap(c))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct cp c;
	struct stat st;
	unsigned i;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: cp_linked SRC DST\n");
		return 1;
	}
	c.in = open(argv[1], O_RDONLY);
	if (c.in < 0 || fstat(c.in, &st)) {
		perror(argv[1]);
		return 1;
	}
	c.out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (c.out < 0) {
		perror(argv[2]);
		return 1;
	}
	c.size = st.st_size;
	ret = io_uring_queue_init(CP_DEPTH * 2, &c.ring, 0);
	if (ret) {
		fprintf(stderr, "cp_linked: ring: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < CP_DEPTH; i++) {
		c.slots[i].buf = malloc(CP_BLOCK);
		if (!c.slots[i].buf)
			return 1;
	}
	ret = cp_run(&c);
	io_uring_queue_exit(&c.ring);
	if (!ret && close(c.out)) {
		perror(argv[2]);
		ret = -1;
	}
	return ret ? 1 : 0;
}
