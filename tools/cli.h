/* SPDX-License-Identifier: MIT */
/*
 * The aioring command line tool: what its source files share. Each
 * subcommand is one function with main()'s signature; argv[0] is the
 * subcommand's own name, so each parses its options as a program would.
 *
 * Every message of a subcommand starts with "aioring NAME: ", and a usage
 * error (bad option, bad number, unknown name) exits with CLI_EXIT_USAGE
 * before any work is done.
 */
#ifndef AIORING_CLI_H
#define AIORING_CLI_H

#include <stdio.h>

/* Exit codes of the tool itself (a jailed or run command keeps its own). */
#define CLI_EXIT_OK	0
#define CLI_EXIT_FAIL	1
#define CLI_EXIT_USAGE	2

int cmd_probe(int argc, char **argv);
int cmd_jail(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Names for the io_uring ABI values, without their prefix; NULL if unknown. */
const char *cli_opcode_name(unsigned op);
const char *cli_feature_name(unsigned bit);
/* "EPERM" for EPERM; "E<number>" in @buf for one libc has no name for. */
const char *cli_errno_name(int err, char *buf, size_t len);

/*
 * "aioring @cmd: <message>" and then @usage, on stderr; returns
 * CLI_EXIT_USAGE so that a caller can `return cli_usage_error(...)`.
 */
int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * @arg as a decimal number in [min, max] into *out: 0, or -1 after saying
 * "aioring @cmd: @opt takes a number from min to max, not '@arg'".
 */
int cli_parse_uint(const char *cmd, const char *opt, const char *arg,
		   unsigned min, unsigned max, unsigned *out);
/*
 * The directory of the running executable, in @buf; NULL if unknown.
 * `aioring run` and `aioring bench` find their files relative to it.
 */
const char *cli_self_dir(char *buf, size_t len);

#endif
