/* SPDX-License-Identifier: MIT */
/*
 * Requests run with the credentials the kernel would use: the submitter's
 * at submit time, or those of the personality the SQE names, on every
 * path (inline, in a worker, on SQPOLL). Credentials are per thread at
 * the system-call level: a thread drops its own with a raw setresuid or
 * capset, as servers do to act for a user, and the other threads keep
 * theirs. Needs root (a uid to drop to and files only root may open);
 * skips otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "testlib.h"

#define NOBODY		65534
#define UD		7

static char secret[256];	/* root's, mode 0600 */
static char theirs[256];	/* nobody's, mode 0600 */

static void need_root(void)
{
	if (geteuid())
		t_skip("needs root: a uid to drop to, and files only root may open");
}

static void make_file(char *path, size_t len, const char *name, uid_t owner)
{
	int fd;

	snprintf(path, len, "%s/aioring-creds-%s-%d", t_tmpdir(), name,
		 (int)getpid());
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(fchown(fd, owner, owner), 0);
	close(fd);
}

static void files_make(void)
{
	make_file(secret, sizeof(secret), "root", 0);
	make_file(theirs, sizeof(theirs), "nobody", NOBODY);
}

static void files_drop(void)
{
	unlink(secret);
	unlink(theirs);
}

/* This thread only: raw system calls, not glibc's process-wide ones. */
static void drop_to_nobody(void)
{
	CHECK_EQ(syscall(SYS_setgroups, 0, NULL), 0);
	CHECK_EQ(syscall(SYS_setresgid, NOBODY, NOBODY, NOBODY), 0);
	CHECK_EQ(syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY), 0);
}

/* This thread only: uid 0 still, without CAP_DAC_OVERRIDE. */
static void drop_dac_override(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	CHECK_EQ(syscall(SYS_capget, &hdr, data), 0);
	data[0].effective &= ~(1u << CAP_DAC_OVERRIDE);
	data[0].effective &= ~(1u << CAP_DAC_READ_SEARCH);
	data[0].permitted &= ~(1u << CAP_DAC_OVERRIDE);
	data[0].permitted &= ~(1u << CAP_DAC_READ_SEARCH);
	CHECK_EQ(syscall(SYS_capset, &hdr, data), 0);
}

/* Opens @path read-only through @ring, with @flags and @personality;
 * the CQE's result (a descriptor is closed). */
static int ring_open(struct io_uring *ring, const char *path, unsigned flags,
		     unsigned personality)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	struct io_uring_cqe *cqe;
	int res;

	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	sqe->flags |= flags;
	sqe->personality = (uint16_t)personality;
	sqe->user_data = UD;
	CHECK_EQ(io_uring_submit(ring), 1);
	cqe = t_wait(ring, 5000);
	CHECK_EQ(cqe->user_data, UD);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	if (res >= 0)
		close(res);
	return res;
}

struct job {
	struct io_uring *ring;
	void (*drop)(void);
	const char *path;
	unsigned flags, personality;
	int res;
	int id;			/* a personality it registers */
};

static void *job_open(void *arg)
{
	struct job *j = arg;

	if (j->drop)
		j->drop();
	j->res = ring_open(j->ring, j->path, j->flags, j->personality);
	return NULL;
}

static void *job_register(void *arg)
{
	struct job *j = arg;

	if (j->drop)
		j->drop();
	j->id = io_uring_register_personality(j->ring);
	return NULL;
}

static void run_thread(void *(*fn)(void *), struct job *j)
{
	pthread_t t;

	CHECK_EQ(pthread_create(&t, NULL, fn, j), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
}

/* A thread that dropped to nobody opens root's file: refused inline and
 * in a worker (IOSQE_ASYNC), while root's thread still may. */
static void case_dropped_thread(void)
{
	struct io_uring ring;
	struct job j;

	need_root();
	files_make();
	t_ring(&ring, 8, NULL);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody, .path = secret };
	run_thread(job_open, &j);
	CHECK_EQ(j.res, -EACCES);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody, .path = secret,
			  .flags = IOSQE_ASYNC };
	run_thread(job_open, &j);
	CHECK_EQ(j.res, -EACCES);
	/* The workers it started must not serve root as nobody. */
	CHECK(ring_open(&ring, secret, IOSQE_ASYNC, 0) >= 0);
	CHECK(ring_open(&ring, secret, 0, 0) >= 0);
	io_uring_queue_exit(&ring);
	files_drop();
}

/* Root's workers first, then the dropped thread: still refused. */
static void case_root_workers_first(void)
{
	struct io_uring ring;
	struct job j;

	need_root();
	files_make();
	t_ring(&ring, 8, NULL);
	CHECK(ring_open(&ring, secret, IOSQE_ASYNC, 0) >= 0);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody, .path = secret,
			  .flags = IOSQE_ASYNC };
	run_thread(job_open, &j);
	CHECK_EQ(j.res, -EACCES);
	io_uring_queue_exit(&ring);
	files_drop();
}

/* uid 0 without CAP_DAC_OVERRIDE: nobody's 0600 file is out of reach. */
static void case_capset(void)
{
	struct io_uring ring;
	struct job j;

	need_root();
	files_make();
	t_ring(&ring, 8, NULL);
	j = (struct job){ .ring = &ring, .drop = drop_dac_override,
			  .path = theirs, .flags = IOSQE_ASYNC };
	run_thread(job_open, &j);
	CHECK_EQ(j.res, -EACCES);
	j.flags = 0;
	run_thread(job_open, &j);
	CHECK_EQ(j.res, -EACCES);
	CHECK(ring_open(&ring, theirs, IOSQE_ASYNC, 0) >= 0);
	io_uring_queue_exit(&ring);
	files_drop();
}

/* A personality registered by a thread of nobody's, used by root: the
 * request runs as nobody, inline and in a worker. */
static void case_personality_nobody(void)
{
	struct io_uring ring;
	struct job j;

	need_root();
	files_make();
	t_ring(&ring, 8, NULL);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody };
	run_thread(job_register, &j);
	CHECK(j.id > 0);
	CHECK_EQ(ring_open(&ring, secret, 0, (unsigned)j.id), -EACCES);
	CHECK_EQ(ring_open(&ring, secret, IOSQE_ASYNC, (unsigned)j.id), -EACCES);
	CHECK(ring_open(&ring, theirs, 0, (unsigned)j.id) >= 0);
	CHECK(ring_open(&ring, secret, 0, 0) >= 0);
	CHECK_EQ(io_uring_unregister_personality(&ring, j.id), 0);
	CHECK_EQ(ring_open(&ring, secret, 0, (unsigned)j.id), -EINVAL);
	io_uring_queue_exit(&ring);
	files_drop();
}

/* Root's personality, used by a thread that dropped to nobody: it may. */
static void case_personality_root(void)
{
	struct io_uring ring;
	struct job j;
	int id;

	need_root();
	files_make();
	t_ring(&ring, 8, NULL);
	id = io_uring_register_personality(&ring);
	CHECK(id > 0);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody, .path = secret,
			  .personality = (unsigned)id };
	run_thread(job_open, &j);
	CHECK(j.res >= 0);
	j.flags = IOSQE_ASYNC;
	run_thread(job_open, &j);
	CHECK(j.res >= 0);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody, .path = secret };
	run_thread(job_open, &j);
	CHECK_EQ(j.res, -EACCES);
	io_uring_queue_exit(&ring);
	files_drop();
}

/* FIXED_FD_INSTALL installs with the task's credentials only: a
 * personality gives -EPERM. */
static void case_fd_install(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd = t_tmpfd(), id;

	need_root();
	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files(&ring, &fd, 1), 0);
	id = io_uring_register_personality(&ring);
	CHECK(id > 0);
	sqe = t_sqe(&ring);
	io_uring_prep_fixed_fd_install(sqe, 0, 0);
	sqe->personality = (uint16_t)id;
	sqe->user_data = 1;
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, -EPERM, 0);
	io_uring_queue_exit(&ring);
	close(fd);
}

/* An OPENAT_DIRECT under nobody's personality: refused too. */
static void case_openat_direct(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct job j;

	need_root();
	files_make();
	t_ring(&ring, 8, NULL);
	CHECK_EQ(io_uring_register_files_sparse(&ring, 4), 0);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody };
	run_thread(job_register, &j);
	CHECK(j.id > 0);
	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, secret, O_RDONLY, 0, 1);
	sqe->personality = (uint16_t)j.id;
	sqe->user_data = 1;
	t_submit(&ring, 1);
	T_EXPECT(&ring, 1, -EACCES, 0);
	io_uring_queue_exit(&ring);
	files_drop();
}

/* SQPOLL runs requests with the credentials of the ring's creator: a ring
 * made by root, fed by a dropped thread, opens root's file; one made by
 * the dropped thread does not. */
static void *job_sqpoll_ring(void *arg)
{
	struct job *j = arg;
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL,
				     .sq_thread_idle = 100 };
	struct io_uring ring;

	drop_to_nobody();
	t_ring(&ring, 8, &p);
	j->res = ring_open(&ring, secret, 0, 0);
	io_uring_queue_exit(&ring);
	return NULL;
}

static void case_sqpoll(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL,
				     .sq_thread_idle = 100 };
	struct io_uring ring;
	struct job j;

	need_root();
	files_make();
	t_ring(&ring, 8, &p);
	j = (struct job){ .ring = &ring, .drop = drop_to_nobody, .path = secret };
	run_thread(job_open, &j);
	CHECK(j.res >= 0);
	io_uring_queue_exit(&ring);
	j = (struct job){ 0 };
	run_thread(job_sqpoll_ring, &j);
	CHECK_EQ(j.res, -EACCES);
	files_drop();
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "dropped_thread", case_dropped_thread, 0 },
		{ "root_workers_first", case_root_workers_first, 0 },
		{ "capset", case_capset, 0 },
		{ "personality_nobody", case_personality_nobody, 0 },
		{ "personality_root", case_personality_root, 0 },
		{ "fd_install", case_fd_install, 0 },
		{ "openat_direct", case_openat_direct, 0 },
		{ "sqpoll", case_sqpoll, 0 },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
