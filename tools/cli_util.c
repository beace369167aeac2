/* SPDX-License-Identifier: MIT */
/*
 * What every subcommand of the tool uses to refuse bad input the same way:
 * one message style, one exit code, numbers through strtoul with their
 * range checked (atoi would take "abc" as 0 and "5x" as 5).
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "aioring %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage ? usage : "");
	return CLI_EXIT_USAGE;
}

int cli_parse_uint(const char *cmd, const char *opt, const char *arg,
		   unsigned min, unsigned max, unsigned *out)
{
	unsigned long v;
	char *end;

	/* strtoul accepts a sign and leading blanks: a count has neither. */
	if (!isdigit((unsigned char)arg[0]))
		goto bad;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = (unsigned)v;
	return 0;
bad:
	fprintf(stderr, "aioring %s: %s takes a number from %u to %u, not '%s'\n",
		cmd, opt, min, max, arg);
	return -1;
}

const char *cli_self_dir(char *buf, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = 0;
	snprintf(buf, len, "%s", dirname(self));
	return buf;
}
