/* SPDX-License-Identifier: MIT */
/*
 * The op table: what the engine implements, one entry per opcode. An
 * opcode without an entry is unknown to the engine: its SQE completes with
 * -EINVAL, and the probe leaves it out.
 */
#include "engine/req.h"

static const struct eng_opdef eng_ops[IORING_OP_LAST] = {
	[IORING_OP_NOP] = {
		.name = "NOP",
		.prep = eng_nop_prep,
		.issue = eng_nop_issue,
	},
	[IORING_OP_READV] = {
		.name = "READV",
		.ioprio = true,
		.prep = eng_rwv_prep,
		.issue = eng_read_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
	},
	[IORING_OP_WRITEV] = {
		.name = "WRITEV",
		.ioprio = true,
		.prep = eng_rwv_prep,
		.issue = eng_write_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
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
	},
	[IORING_OP_WRITE_FIXED] = {
		.name = "WRITE_FIXED",
		.ioprio = true,
		.prep = eng_rw_fixed_prep,
		.issue = eng_write_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
	},
	[IORING_OP_READ] = {
		.name = "READ",
		.ioprio = true,
		.prep = eng_rw_prep,
		.issue = eng_read_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
	},
	[IORING_OP_WRITE] = {
		.name = "WRITE",
		.ioprio = true,
		.prep = eng_rw_prep,
		.issue = eng_write_issue,
		.prep_async = eng_rw_prep_async,
		.cleanup = eng_rw_cleanup,
		.needs_file = true,
	},
};

const struct eng_opdef *eng_opdef(unsigned opcode)
{
	if (opcode >= IORING_OP_LAST || !eng_ops[opcode].issue)
		return NULL;
	return &eng_ops[opcode];
}
