/* SPDX-License-Identifier: MIT */
/*
 * Registered resources: the fixed file table (rsrc_files.c) and the
 * registered buffer table (rsrc.c).
 *
 * Every table slot points at a reference-counted node. The table holds one
 * reference; each request using the slot holds another, taken when it is
 * issued. Replacing or unregistering a slot drops the table's reference
 * only, so a request in flight keeps its file or buffer until it completes,
 * and the slot's tag CQE (user_data = tag, res 0, flags 0) is posted when
 * the last reference goes, as the kernel does.
 *
 * Locking: both tables are read at issue, on any thread, and the file
 * table is changed by IORING_OP_FILES_UPDATE and direct-descriptor installs
 * from any thread too: slots are read and written under ctx->rsrc_lock.
 * The table pointers themselves change only in io_uring_register, under
 * submit_lock as well.
 */
#ifndef AIORING_ENGINE_RSRC_H
#define AIORING_ENGINE_RSRC_H

#include "engine/ctx.h"

struct eng_req;

struct eng_rsrc {
	atomic_uint refs;
	bool is_file;
	uint64_t tag;			/* 0: no tag CQE */
	struct eng_cqe_slot tag_cqe;	/* keeps the tag CQE: cq.c */
	union {
		int fd;			/* our private dup */
		struct {
			void *addr;
			size_t len;
		} buf;
	};
};

/* io_uring_register's resource opcodes (files, buffers, buffer rings);
 * under submit_lock. */
int eng_rsrc_register(struct eng_ctx *ctx, unsigned opcode, void *arg,
		      unsigned nr);

/* Drops a reference; the last one closes the file and posts the tag CQE.
 * @submitter: called on the submitter, whose CQE batch goes out first so
 * that the tag follows the request's own CQE. */
void eng_rsrc_put(struct eng_ctx *ctx, struct eng_rsrc *node, bool submitter);

/* --- fixed files (rsrc_files.c) ------------------------------------------
 *
 * For the direct-descriptor variants of other ops (OPENAT, ACCEPT,
 * SOCKET... with sqe->file_index):
 *
 * eng_file_install_fixed() puts @fd into the table. It takes ownership of
 * @fd in every case (moved out of the application's range, or closed on
 * error). @index is the 0-based slot (sqe->file_index - 1), or
 * IORING_FILE_INDEX_ALLOC to take a free slot of the allocation range.
 * A file already in the slot is replaced (its tag CQE follows when its
 * users are gone). Returns 0 for a given slot, the slot for ALLOC, or the
 * kernel's errors: -ENXIO (no table), -EINVAL (slot out of range), -ENFILE
 * (no free slot), -EBADF (an io_uring ring fd). Any thread.
 *
 * eng_file_get_fixed() takes a reference to slot @index: *fd_out stays
 * valid until eng_file_put_fixed(ctx, *node_out). -EBADF for an empty or
 * out-of-range slot. Any thread.
 *
 * eng_file_remove_fixed() empties slot @index (IORING_OP_CLOSE on a direct
 * descriptor): -ENXIO without a table, -EINVAL out of range, -EBADF if the
 * slot is empty.
 */
int eng_file_install_fixed(struct eng_ctx *ctx, int fd, unsigned index);
int eng_file_get_fixed(struct eng_ctx *ctx, unsigned index, int *fd_out,
		       struct eng_rsrc **node_out);
void eng_file_put_fixed(struct eng_ctx *ctx, struct eng_rsrc *node);
int eng_file_remove_fixed(struct eng_ctx *ctx, unsigned index);

/* IOSQE_FIXED_FILE at issue time, as the kernel's io_assign_file(): sets
 * req->fd and req->file_node. Returns 0 or -EBADF. */
int eng_req_assign_fixed(struct eng_req *req);

/* io_uring_register opcodes; under submit_lock */
int eng_files_register(struct eng_ctx *ctx, const int *fds, unsigned nr,
		       const uint64_t *tags);
int eng_files_register2(struct eng_ctx *ctx, const void *arg, unsigned size);
int eng_files_unregister(struct eng_ctx *ctx);
int eng_files_update(struct eng_ctx *ctx, const void *arg, unsigned nr);
int eng_files_update2(struct eng_ctx *ctx, const void *arg, unsigned size);
int eng_files_alloc_range(struct eng_ctx *ctx, const void *arg, unsigned nr);
/* Teardown: drops the table; no request is left. */
void eng_files_free(struct eng_ctx *ctx);

/* IORING_OP_FILES_UPDATE and IORING_OP_FIXED_FD_INSTALL */
int eng_files_update_prep(struct eng_req *req, const struct io_uring_sqe *sqe);
int eng_files_update_issue(struct eng_req *req, unsigned issue_flags);
int eng_fixed_fd_install_prep(struct eng_req *req,
			      const struct io_uring_sqe *sqe);
int eng_fixed_fd_install_issue(struct eng_req *req, unsigned issue_flags);

/* --- registered buffers (rsrc.c) ---------------------------------------- */
int eng_buffers_register(struct eng_ctx *ctx, const struct iovec *iov,
			 unsigned nr);
int eng_buffers_register2(struct eng_ctx *ctx, const void *arg, unsigned size);
int eng_buffers_update(struct eng_ctx *ctx, const void *arg, unsigned size);
int eng_buffers_unregister(struct eng_ctx *ctx);
/* Any thread: a reference to buffer @index if [addr, addr + len) lies
 * inside it, else -EFAULT. */
int eng_buffer_get(struct eng_ctx *ctx, unsigned index, uint64_t addr,
		   uint32_t len, struct eng_rsrc **node_out);
void eng_buffers_free(struct eng_ctx *ctx);

/* Shared by both tables: the register arguments read and checked as the
 * kernel does (size, reserved fields, SPARSE without data, overflow). */
int eng_rsrc_reg_read(const void *arg, unsigned size,
		      struct io_uring_rsrc_register *rr);
int eng_rsrc_update_read(const void *arg, unsigned size,
			 struct io_uring_rsrc_update2 *up);

#endif
