/* SPDX-License-Identifier: MIT */
/*
 * Waits and misc: EPOLL_CTL and EPOLL_WAIT (epoll.c), the futex ops
 * (futex.c), WAITID (waitid.c).
 */
#ifndef AIORING_ENGINE_WAITOPS_H
#define AIORING_ENGINE_WAITOPS_H

#include "engine/req.h"

int eng_epoll_ctl_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_epoll_ctl_issue(struct eng_req *req, unsigned issue_flags);
int eng_epoll_wait_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_epoll_wait_issue(struct eng_req *req, unsigned issue_flags);
int eng_futex_wake_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_futex_wake_issue(struct eng_req *req, unsigned issue_flags);
int eng_futex_wait_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_futex_wait_issue(struct eng_req *req, unsigned issue_flags);
int eng_futex_waitv_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_futex_waitv_issue(struct eng_req *req, unsigned issue_flags);
void eng_futex_waitv_cleanup(struct eng_req *req);
int eng_waitid_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_waitid_issue(struct eng_req *req, unsigned issue_flags);
void eng_waitid_cleanup(struct eng_req *req);

#endif
