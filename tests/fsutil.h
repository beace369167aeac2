/* SPDX-License-Identifier: MIT */
/* Helpers shared by the file-system op tests. */
#ifndef AIORING_TESTS_FSUTIL_H
#define AIORING_TESTS_FSUTIL_H

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testlib.h"

/* Submits @sqe alone and returns its result. */
static inline int fs_run(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int res;

	sqe->user_data = 0x5eed;
	t_submit(ring, 1);
	cqe = t_wait(ring, 10000);
	CHECK_EQ(cqe->user_data, 0x5eed);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/*
 * Submits @sqe with a NOP behind it and returns its result; *@nsub gets
 * what the first submit took: 1 when the op failed in prep (the kernel
 * stops the submission there), 2 otherwise.
 */
static inline int fs_run2(struct io_uring *ring, struct io_uring_sqe *sqe,
			  int *nsub)
{
	struct io_uring_sqe *nop;
	struct io_uring_cqe *cqe;
	int i, res = -9999;

	sqe->user_data = 1;
	nop = t_sqe(ring);
	io_uring_prep_nop(nop);
	nop->user_data = 2;
	*nsub = io_uring_submit(ring);
	if (*nsub == 1)
		CHECK_EQ(io_uring_submit(ring), 1);
	for (i = 0; i < 2; i++) {
		cqe = t_wait(ring, 10000);
		if (cqe->user_data == 1)
			res = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return res;
}

/* A prep-time failure: the error, and the submission stopped at it. */
#define CHECK_PREP_ERR(ring, sqe, err) do {				\
	int _n, _r = fs_run2((ring), (sqe), &_n);			\
	CHECK_EQ(_r, (err));						\
	CHECK_EQ(_n, 1);						\
} while (0)

/* An issue-time failure: the error, the submission went on. */
#define CHECK_ISSUE_ERR(ring, sqe, err) do {				\
	int _n, _r = fs_run2((ring), (sqe), &_n);			\
	CHECK_EQ(_r, (err));						\
	CHECK_EQ(_n, 2);						\
} while (0)

static inline int fs_rm_one(const char *p, const struct stat *st, int type,
			    struct FTW *ftw)
{
	return remove(p);
}

static char fs_dir_path[PATH_MAX];

static inline void fs_rm_dir(void)
{
	if (fs_dir_path[0])
		nftw(fs_dir_path, fs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory in the temp dir, removed when the case's process
 * exits. Returns its path. */
static inline const char *fs_tmpdir(void)
{
	snprintf(fs_dir_path, sizeof(fs_dir_path), "%s/aioring-fs-XXXXXX",
		 t_tmpdir());
	CHECK(mkdtemp(fs_dir_path));
	atexit(fs_rm_dir);
	return fs_dir_path;
}

/* @dir/@name into @buf. */
static inline const char *fs_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	CHECK(n > 0 && n < PATH_MAX);
	return buf;
}

/* The number of open descriptors of this process. */
static inline int fs_nr_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	CHECK(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#endif
