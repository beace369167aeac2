/* SPDX-License-Identifier: MIT */
/*
 * aioring-bench: `aioring bench` as a program of its own, so that only it
 * links the peers it compares with (libuv, libaio). `aioring bench ARGS`
 * runs it with the same arguments.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	/* The reports quote the command as `aioring bench ...`. */
	argv[0] = "bench";
	return cmd_bench(argc, argv);
}
