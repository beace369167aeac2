/* SPDX-License-Identifier: MIT */
/*
 * The aioring command line tool: what its source files share. Each
 * subcommand is one function with main()'s signature; argv[0] is the
 * subcommand's own name, so each parses its options as a program would.
 */
#ifndef AIORING_CLI_H
#define AIORING_CLI_H

#include <stdio.h>

/* Exit codes of the tool itself (a jailed command keeps its own). */
#define CLI_EXIT_OK	0
#define CLI_EXIT_FAIL	1
#define CLI_EXIT_USAGE	2

int cmd_probe(int argc, char **argv);
int cmd_jail(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Names for the io_uring ABI values, without their prefix; NULL if unknown. */
const char *cli_opcode_name(unsigned op);
const char *cli_feature_name(unsigned bit);
/* "EPERM" for EPERM; "E<number>" in @buf for one libc has no name for. */
const char *cli_errno_name(int err, char *buf, size_t len);

#endif
