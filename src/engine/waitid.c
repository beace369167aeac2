/* SPDX-License-Identifier: MIT */
/*
 * WAITID: waitid(2) on the ring, as the kernel's: 0 or -errno, and the
 * siginfo fields waitid writes (signo, errno, code, pid, uid, status)
 * written to addr2 if it is not NULL.
 *
 * A WNOHANG attempt runs inline. If nothing is ready (and the caller did
 * not ask for WNOHANG) the request waits in an unbound worker, never in
 * waitid itself, so that cancellation and teardown reach it: for an exit
 * of one process (P_PID, P_PIDFD, WEXITED only) it waits for its pidfd
 * to turn readable; otherwise (P_ALL, P_PGID, stops and continues) there
 * is nothing to wait on and it retries every WAITID_TICK_MS on a timerfd
 * (ARCHITECTURE.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "engine/waitops.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define WAITID_TICK_MS	20
/* waitop.val: what waitop.len is */
#define WAITID_ANY_FD	0	/* none yet: a pidfd if it can */
#define WAITID_PIDFD	1
#define WAITID_TIMER	2

int eng_waitid_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	req->waitop.len = -1;		/* for cleanup, whatever fails */
	if (sqe->addr || sqe->buf_index || sqe->addr3 || sqe->waitid_flags)
		return -EINVAL;
	req->waitop.op = sqe->len;		/* idtype */
	req->waitop.fd = sqe->fd;		/* id */
	req->waitop.flags = sqe->file_index;	/* options */
	req->waitop.addr = sqe->addr2;		/* siginfo_t * */
	req->waitop.val = WAITID_ANY_FD;
	req->flags |= ENG_REQ_F_POLLABLE;	/* an unbound worker */
	return 0;
}

/* Copies to the application as the kernel would: a bad pointer is
 * -EFAULT. Where a sandbox denies process_vm_writev the pointer is
 * trusted, as any library call's. */
static int uput(uint64_t uaddr, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len };
	struct iovec remote = { (void *)(uintptr_t)uaddr, len };
	ssize_t n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);

	if (n == (ssize_t)len)
		return 0;
	if (n >= 0 || errno == EFAULT)
		return -EFAULT;
	memcpy((void *)(uintptr_t)uaddr, src, len);
	return 0;
}

/* The fields waitid(2) sets: those before the pad, and pid, uid, status. */
static int waitid_copy_si(uint64_t uaddr, const siginfo_t *si)
{
	size_t head = offsetof(siginfo_t, si_code) + sizeof(si->si_code);
	size_t from = offsetof(siginfo_t, si_pid);
	size_t to = offsetof(siginfo_t, si_status) + sizeof(si->si_status);

	if (!uaddr)
		return 0;
	if (uput(uaddr, si, head))
		return -EFAULT;
	return uput(uaddr + from, (const char *)si + from, to - from);
}

/* One WNOHANG try: 0 or -errno to complete with, -EAGAIN to wait. */
static int waitid_try(struct eng_req *req)
{
	uint32_t options = req->waitop.flags;
	siginfo_t si = { 0 };

	if (syscall(SYS_waitid, (int)req->waitop.op, (int)req->waitop.fd, &si,
		    (int)(options | WNOHANG), NULL) < 0)
		return -errno;
	if (!si.si_pid && !(options & WNOHANG))
		return -EAGAIN;
	return waitid_copy_si(req->waitop.addr, &si);
}

/* What the worker waits on: the pidfd of the one process whose exit it
 * waits for, else a timerfd ticking every WAITID_TICK_MS. */
static int waitid_wait_fd(struct eng_req *req)
{
	struct itimerspec tick = {
		.it_interval.tv_nsec = WAITID_TICK_MS * 1000000L,
		.it_value.tv_nsec = WAITID_TICK_MS * 1000000L,
	};
	uint32_t which = req->waitop.op;
	int fd = -1;

	if (req->waitop.len >= 0)
		return req->waitop.len;
	if (!(req->waitop.flags & (WSTOPPED | WCONTINUED)) &&
	    req->waitop.val == WAITID_ANY_FD) {
		if (which == P_PID)
			fd = (int)syscall(SYS_pidfd_open, req->waitop.fd, 0);
		else if (which == P_PIDFD)
			fd = fcntl(req->waitop.fd, F_DUPFD_CLOEXEC, 0);
		req->waitop.val = WAITID_PIDFD;
	}
	if (fd < 0) {
		req->waitop.val = WAITID_TIMER;
		fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (fd < 0)
			return -errno;
		timerfd_settime(fd, 0, &tick, NULL);
	}
	req->waitop.len = fd;
	return fd;
}

int eng_waitid_issue(struct eng_req *req, unsigned issue_flags)
{
	uint64_t ticks;
	int ret, fd;

	ret = waitid_try(req);
	while (ret == -EAGAIN && !(issue_flags & ENG_ISSUE_NONBLOCK)) {
		fd = waitid_wait_fd(req);
		ret = fd < 0 ? fd : eng_wq_wait_fd(req->ctx->wq, fd, POLLIN);
		if (ret)
			break;
		if (req->waitop.val == WAITID_TIMER &&
		    read(fd, &ticks, sizeof(ticks)) < 0) {
			/* not ticked yet: a spurious wakeup */
		}
		ret = waitid_try(req);
		/* A pidfd stays readable: if its exit is not ours to reap
		 * (yet), waiting on it again would spin. The timer then. */
		if (ret == -EAGAIN && req->waitop.val == WAITID_PIDFD)
			eng_waitid_cleanup(req);
	}
	if (ret == -EAGAIN)
		return -EAGAIN;		/* to a worker */
	eng_req_set_res(req, ret, 0);
	return ENG_ISSUE_DONE;
}

void eng_waitid_cleanup(struct eng_req *req)
{
	if (req->waitop.len >= 0)
		close(req->waitop.len);
	req->waitop.len = -1;
	req->waitop.val = WAITID_TIMER;
}
