/* SPDX-License-Identifier: MIT */
/*
 * The op table: what the engine implements, one entry per opcode. An
 * opcode without an entry is unknown to the engine: its SQE completes with
 * -EINVAL, and the probe leaves it out.
 */
#include "engine/net_int.h"
#include "engine/fsops.h"
#include "engine/req.h"
#include "engine/rsrc.h"
#include "engine/ringctl.h"
#include "engine/waitops.h"

const struct eng_opdef eng_ops[IORING_OP_LAST] = {
	[IORING_OP_NOP] = {
		.name = "NOP",
		.prep = eng_nop_prep,
		.issue = eng_nop_issue,
	},
	[IORING_OP_READV] = {
		.name = "READV",
		.ioprio = true,
		.buffer_select = true,
		.prep = eng_rwv_prep,
		.issue = eng_read_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
		.pollin = true,	/* pipes, sockets: apoll.c */
	},
	[IORING_OP_WRITEV] = {
		.name = "WRITEV",
		.ioprio = true,
		.prep = eng_rwv_prep,
		.issue = eng_write_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
		.pollout = true,	/* pipes, sockets: apoll.c */
	},
	[IORING_OP_FSYNC] = {
		.name = "FSYNC",
		.prep = eng_fsync_prep,
		.issue = eng_fsync_issue,
		.needs_file = true,
	},
	[IORING_OP_READ_FIXED] = {
		.name = "READ_FIXED",
		.ioprio = true,
		.prep = eng_rw_fixed_prep,
		.issue = eng_read_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
		.pollin = true,	/* pipes, sockets: apoll.c */
	},
	[IORING_OP_WRITE_FIXED] = {
		.name = "WRITE_FIXED",
		.ioprio = true,
		.prep = eng_rw_fixed_prep,
		.issue = eng_write_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
		.pollout = true,	/* pipes, sockets: apoll.c */
	},
	[IORING_OP_READ] = {
		.name = "READ",
		.ioprio = true,
		.buffer_select = true,
		.prep = eng_rw_prep,
		.issue = eng_read_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
		.pollin = true,	/* pipes, sockets: apoll.c */
	},
	[IORING_OP_WRITE] = {
		.name = "WRITE",
		.ioprio = true,
		.prep = eng_rw_prep,
		.issue = eng_write_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
		.pollout = true,	/* pipes, sockets: apoll.c */
	},
	[IORING_OP_MSG_RING] = {	/* msg_ring.c */
		.name = "MSG_RING",
		.prep = eng_msg_ring_prep,
		.issue = eng_msg_ring_issue,
		.needs_file = true,
	},
	[IORING_OP_FILES_UPDATE] = {	/* rsrc_files.c */
		.name = "FILES_UPDATE",
		.prep = eng_files_update_prep,
		.issue = eng_files_update_issue,
	},
	[IORING_OP_FIXED_FD_INSTALL] = {	/* rsrc_files.c */
		.name = "FIXED_FD_INSTALL",
		.prep = eng_fixed_fd_install_prep,
		.issue = eng_fixed_fd_install_issue,
		.needs_file = true,
	},
	[IORING_OP_PROVIDE_BUFFERS] = {	/* kbuf.c */
		.name = "PROVIDE_BUFFERS",
		.prep = eng_provide_buffers_prep,
		.issue = eng_provide_buffers_issue,
	},
	[IORING_OP_REMOVE_BUFFERS] = {	/* kbuf.c */
		.name = "REMOVE_BUFFERS",
		.prep = eng_remove_buffers_prep,
		.issue = eng_remove_buffers_issue,
	},
	/* sockets: net.c, net_msg.c, net_accept.c */
	[IORING_OP_SOCKET] = {
		.name = "SOCKET",
		.prep = eng_socket_prep,
		.issue = eng_socket_issue,
	},
	[IORING_OP_CONNECT] = {
		.name = "CONNECT",
		.prep = eng_connect_prep,
		.issue = eng_connect_issue,
		.needs_file = true,
		.pollout = true,
	},
	[IORING_OP_ACCEPT] = {
		.name = "ACCEPT",
		.ioprio = true,		/* IORING_ACCEPT_* flags */
		.prep = eng_accept_prep,
		.issue = eng_accept_issue,
		.needs_file = true,
		.pollin = true,
	},
	[IORING_OP_BIND] = {
		.name = "BIND",
		.prep = eng_bind_prep,
		.issue = eng_bind_issue,
		.needs_file = true,
	},
	[IORING_OP_LISTEN] = {
		.name = "LISTEN",
		.prep = eng_listen_prep,
		.issue = eng_listen_issue,
		.needs_file = true,
	},
	[IORING_OP_SHUTDOWN] = {
		.name = "SHUTDOWN",
		.prep = eng_shutdown_prep,
		.issue = eng_shutdown_issue,
		.needs_file = true,
	},
	[IORING_OP_SEND] = {
		.name = "SEND",
		.ioprio = true,		/* IORING_RECVSEND_* flags */
		.buffer_select = true,	/* net_bundle.c */
		.prep = eng_send_prep,
		.issue = eng_send_issue,
		.cleanup = eng_sr_cleanup,
		.needs_file = true,
		.pollout = true,
	},
	[IORING_OP_SENDMSG] = {
		.name = "SENDMSG",
		.ioprio = true,
		.prep = eng_sendmsg_prep,
		.issue = eng_send_issue,
		.cleanup = eng_sr_cleanup,
		.needs_file = true,
		.pollout = true,
	},
	[IORING_OP_RECV] = {
		.name = "RECV",
		.ioprio = true,
		.buffer_select = true,
		.prep = eng_recv_prep,
		.issue = eng_recv_issue,
		.cleanup = eng_sr_cleanup,
		.needs_file = true,
		.pollin = true,
	},
	[IORING_OP_RECVMSG] = {
		.name = "RECVMSG",
		.ioprio = true,
		.buffer_select = true,
		.prep = eng_recvmsg_prep,
		.issue = eng_recvmsg_issue,
		.cleanup = eng_sr_cleanup,
		.needs_file = true,
		.pollin = true,
	},
	[IORING_OP_SEND_ZC] = {
		.name = "SEND_ZC",
		.ioprio = true,
		.prep = eng_send_zc_prep,
		.issue = eng_send_zc_issue,
		.cleanup = eng_sr_cleanup,
		.needs_file = true,
		.pollout = true,
	},
	[IORING_OP_SENDMSG_ZC] = {
		.name = "SENDMSG_ZC",
		.ioprio = true,
		.prep = eng_send_zc_prep,
		.issue = eng_send_zc_issue,
		.cleanup = eng_sr_cleanup,
		.needs_file = true,
		.pollout = true,
	},
	[IORING_OP_READ_MULTISHOT] = {
		.name = "READ_MULTISHOT",
		.ioprio = true,
		.buffer_select = true,
		.prep = eng_read_mshot_prep,
		.issue = eng_read_mshot_issue,
		.needs_file = true,
		.pollin = true,
	},
	/* file-system ops: fsops.h */
	[IORING_OP_SYNC_FILE_RANGE] = {
		.name = "SYNC_FILE_RANGE",
		.prep = eng_sync_range_prep,
		.issue = eng_sync_range_issue,
		.cleanup = eng_fsop_cleanup,
		.needs_file = true,
	},
	[IORING_OP_FALLOCATE] = {
		.name = "FALLOCATE",
		.prep = eng_fallocate_prep,
		.issue = eng_fallocate_issue,
		.cleanup = eng_fsop_cleanup,
		.needs_file = true,
	},
	[IORING_OP_OPENAT] = {
		.name = "OPENAT",
		.prep = eng_openat_prep,
		.issue = eng_openat_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_CLOSE] = {
		.name = "CLOSE",
		.prep = eng_close_prep,
		.issue = eng_close_issue,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_STATX] = {
		.name = "STATX",
		.prep = eng_statx_prep,
		.issue = eng_statx_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_FADVISE] = {
		.name = "FADVISE",
		.prep = eng_fadvise_prep,
		.issue = eng_fadvise_issue,
		.cleanup = eng_fsop_cleanup,
		.needs_file = true,
	},
	[IORING_OP_MADVISE] = {
		.name = "MADVISE",
		.prep = eng_madvise_prep,
		.issue = eng_madvise_issue,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_OPENAT2] = {
		.name = "OPENAT2",
		.prep = eng_openat2_prep,
		.issue = eng_openat_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_SPLICE] = {
		.name = "SPLICE",
		.prep = eng_splice_prep,
		.issue = eng_splice_issue,
		.prep_async = eng_splice_prep_async,
		.cleanup = eng_fsop_cleanup,
		.needs_file = true,
	},
	[IORING_OP_TEE] = {
		.name = "TEE",
		.prep = eng_tee_prep,
		.issue = eng_splice_issue,
		.prep_async = eng_splice_prep_async,
		.cleanup = eng_fsop_cleanup,
		.needs_file = true,
	},
	[IORING_OP_RENAMEAT] = {
		.name = "RENAMEAT",
		.prep = eng_renameat_prep,
		.issue = eng_renameat_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_UNLINKAT] = {
		.name = "UNLINKAT",
		.prep = eng_unlinkat_prep,
		.issue = eng_unlinkat_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_MKDIRAT] = {
		.name = "MKDIRAT",
		.prep = eng_mkdirat_prep,
		.issue = eng_mkdirat_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_SYMLINKAT] = {
		.name = "SYMLINKAT",
		.prep = eng_symlinkat_prep,
		.issue = eng_symlinkat_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_LINKAT] = {
		.name = "LINKAT",
		.prep = eng_linkat_prep,
		.issue = eng_linkat_issue,
		.prep_async = eng_fsop_prep_async,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_FSETXATTR] = {
		.name = "FSETXATTR",
		.prep = eng_fsetxattr_prep,
		.issue = eng_xattr_issue,
		.cleanup = eng_xattr_cleanup,
		.needs_file = true,
	},
	[IORING_OP_SETXATTR] = {
		.name = "SETXATTR",
		.prep = eng_setxattr_prep,
		.issue = eng_xattr_issue,
		.cleanup = eng_xattr_cleanup,
	},
	[IORING_OP_FGETXATTR] = {
		.name = "FGETXATTR",
		.prep = eng_fgetxattr_prep,
		.issue = eng_xattr_issue,
		.cleanup = eng_xattr_cleanup,
		.needs_file = true,
	},
	[IORING_OP_GETXATTR] = {
		.name = "GETXATTR",
		.prep = eng_getxattr_prep,
		.issue = eng_xattr_issue,
		.cleanup = eng_xattr_cleanup,
	},
	[IORING_OP_FTRUNCATE] = {
		.name = "FTRUNCATE",
		.prep = eng_ftruncate_prep,
		.issue = eng_ftruncate_issue,
		.cleanup = eng_fsop_cleanup,
		.needs_file = true,
	},
	[IORING_OP_PIPE] = {
		.name = "PIPE",
		.prep = eng_pipe_prep,
		.issue = eng_pipe_issue,
		.cleanup = eng_fsop_cleanup,
	},
	[IORING_OP_POLL_ADD] = {	/* poll.c */
		.name = "POLL_ADD",
		.prep = eng_poll_add_prep,
		.issue = eng_poll_add_issue,
		.needs_file = true,
	},
	[IORING_OP_POLL_REMOVE] = {
		.name = "POLL_REMOVE",
		.prep = eng_poll_remove_prep,
		.issue = eng_poll_remove_issue,
	},
	[IORING_OP_TIMEOUT] = {		/* timeout.c */
		.name = "TIMEOUT",
		.prep = eng_timeout_prep,
		.issue = eng_timeout_issue,
	},
	[IORING_OP_TIMEOUT_REMOVE] = {
		.name = "TIMEOUT_REMOVE",
		.prep = eng_timeout_remove_prep,
		.issue = eng_timeout_remove_issue,
	},
	[IORING_OP_LINK_TIMEOUT] = {
		.name = "LINK_TIMEOUT",
		.prep = eng_link_timeout_prep,
		.issue = eng_link_timeout_issue,
	},
	[IORING_OP_EPOLL_CTL] = {	/* epoll.c */
		.name = "EPOLL_CTL",
		.prep = eng_epoll_ctl_prep,
		.issue = eng_epoll_ctl_issue,
	},
	[IORING_OP_EPOLL_WAIT] = {
		.name = "EPOLL_WAIT",
		.prep = eng_epoll_wait_prep,
		.issue = eng_epoll_wait_issue,
		.needs_file = true,
		.pollin = true,		/* parked while nothing is ready */
	},
	[IORING_OP_FUTEX_WAKE] = {	/* futex.c */
		.name = "FUTEX_WAKE",
		.prep = eng_futex_wake_prep,
		.issue = eng_futex_wake_issue,
	},
	[IORING_OP_FUTEX_WAIT] = {
		.name = "FUTEX_WAIT",
		.prep = eng_futex_wait_prep,
		.issue = eng_futex_wait_issue,
	},
	[IORING_OP_FUTEX_WAITV] = {
		.name = "FUTEX_WAITV",
		.prep = eng_futex_waitv_prep,
		.issue = eng_futex_waitv_issue,
		.cleanup = eng_futex_waitv_cleanup,
	},
	[IORING_OP_WAITID] = {		/* waitid.c */
		.name = "WAITID",
		.prep = eng_waitid_prep,
		.issue = eng_waitid_issue,
		.cleanup = eng_waitid_cleanup,
	},
	[IORING_OP_ASYNC_CANCEL] = {	/* cancel.c */
		.name = "ASYNC_CANCEL",
		.prep = eng_async_cancel_prep,
		.issue = eng_async_cancel_issue,
	},
};
