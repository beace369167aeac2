/* SPDX-License-Identifier: MIT */
/*
 * The file-system ops: opening and closing (openclose.c), paths
 * (fs_path.c), file ranges (fs.c), advice (advise.c), splice and tee
 * (splice.c), extended attributes (xattr.c). Their state is the request's
 * struct eng_fsop (req.h).
 *
 * Like the kernel, most of them run in a worker: they may block on a disk
 * or a server. A path is copied at prep; a dirfd is dup'ed when the
 * request goes to a worker, so that closing or reusing the number after
 * submit cannot redirect the operation.
 */
#ifndef AIORING_ENGINE_FSOPS_H
#define AIORING_ENGINE_FSOPS_H

#include "engine/req.h"

#define FSOP_OWN_DFD	1u
#define FSOP_OWN_DFD2	2u

/*
 * Completes @req with @res where the kernel does not mark an error as a
 * failure (no req_set_fail): the link chain goes on, and CQE_SKIP_SUCCESS
 * hides the CQE even of an error. The kernel does so for STATX, the path
 * ops, FSYNC, SYNC_FILE_RANGE, FALLOCATE, FTRUNCATE, MADVISE and the xattr
 * ops; OPENAT, CLOSE, PIPE, FADVISE, SPLICE and TEE do fail their chains.
 */
static inline int eng_fsop_done_soft(struct eng_req *req, int res)
{
	if (res < 0)
		req->flags |= ENG_REQ_F_RES_OK;
	eng_req_set_res(req, res, 0);
	return ENG_ISSUE_DONE;
}

/* fs_path.c: shared by the path-taking ops */
void eng_fsop_init(struct eng_req *req);
void eng_fsop_cleanup(struct eng_req *req);
/* prep_async of path ops: owns dfd/dfd2 where the paths are relative. */
int eng_fsop_prep_async(struct eng_req *req);
/* Replaces *@dfd by a dup for a worker's use where @path needs it;
 * AT_FDCWD stays, a bad fd becomes -1 (still -EBADF). 0 or -errno. */
int eng_fsop_own_dirfd(int *dfd, const char *path, bool *owned);

int eng_statx_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_statx_issue(struct eng_req *req, unsigned issue_flags);
int eng_renameat_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_renameat_issue(struct eng_req *req, unsigned issue_flags);
int eng_unlinkat_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_unlinkat_issue(struct eng_req *req, unsigned issue_flags);
int eng_mkdirat_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_mkdirat_issue(struct eng_req *req, unsigned issue_flags);
int eng_symlinkat_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_symlinkat_issue(struct eng_req *req, unsigned issue_flags);
int eng_linkat_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_linkat_issue(struct eng_req *req, unsigned issue_flags);

/* openclose.c */
/* openat2(2) is allowed here (a seccomp profile may deny it). */
bool eng_openat2_ok(void);
int eng_openat_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_openat2_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_openat_issue(struct eng_req *req, unsigned issue_flags);
int eng_close_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_close_issue(struct eng_req *req, unsigned issue_flags);
int eng_pipe_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_pipe_issue(struct eng_req *req, unsigned issue_flags);

/* fs.c */
int eng_sync_range_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_sync_range_issue(struct eng_req *req, unsigned issue_flags);
int eng_fallocate_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_fallocate_issue(struct eng_req *req, unsigned issue_flags);
int eng_ftruncate_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_ftruncate_issue(struct eng_req *req, unsigned issue_flags);

/* advise.c */
int eng_fadvise_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_fadvise_issue(struct eng_req *req, unsigned issue_flags);
int eng_madvise_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_madvise_issue(struct eng_req *req, unsigned issue_flags);

/* splice.c */
int eng_splice_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_tee_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_splice_issue(struct eng_req *req, unsigned issue_flags);
int eng_splice_prep_async(struct eng_req *req);

/* xattr.c */
int eng_getxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_fgetxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_setxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_fsetxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_xattr_issue(struct eng_req *req, unsigned issue_flags);
void eng_xattr_cleanup(struct eng_req *req);

#endif
