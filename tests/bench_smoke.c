/* SPDX-License-Identifier: MIT */
/*
 * `aioring bench` runs and its reports hold together: a tiny NOP-only run
 * (one round of 20 ms per engine) must exit 0, write JSON that parses and
 * has a result for both backends, and write an SVG and a markdown file.
 * No timing assertions: speed is what the bench shows, not what a test
 * checks.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testlib.h"

/* --- a strict little JSON syntax checker ---------------------------------- */

static const char *js_value(const char *p, int depth);

static const char *js_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\' && !*++p)
			return NULL;
	}
	return p + 1;
}

static const char *js_number(const char *p)
{
	char *end;

	strtod(p, &end);
	return end == p ? NULL : end;
}

/* An object or array: members separated by commas until @close. */
static const char *js_compound(const char *p, char close, int depth)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = js_string(js_ws(p));
			if (!p || *(p = js_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = js_value(p, depth + 1);
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *js_value(const char *p, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i;

	p = js_ws(p);
	if (depth > 32)
		return NULL;
	if (*p == '{' || *p == '[')
		return js_compound(p, *p == '{' ? '}' : ']', depth);
	if (*p == '"')
		return js_string(p);
	for (i = 0; i < 3; i++)
		if (!strncmp(p, words[i], strlen(words[i])))
			return p + strlen(words[i]);
	return js_number(p);
}

/* --- running the tool ------------------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = 0;
	fclose(f);
	return buf;
}

/* The aioring binary of this build: ../aioring from this test's dir. */
static void tool_path(char *out, size_t len)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	CHECK(n > 0);
	self[n] = 0;
	snprintf(out, len, "%s/../aioring", dirname(self));
}

static int run_tool(const char *tool, const char *json, const char *svg,
		    const char *md)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		/* The table goes to /dev/null: only the files are checked. */
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execl(tool, tool, "bench", "--quick", "--only", "nop-b",
		      "--rounds", "1", "--slice", "20", "--json", json, "--svg",
		      svg, "--markdown", md, (char *)NULL);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The result object of @engine in case @id, as text up to its '}'. */
static const char *result_of(const char *json, const char *id,
			     const char *engine, char *out, size_t len)
{
	char key[128];
	const char *c, *r, *end;

	snprintf(key, sizeof(key), "\"id\":\"%s\"", id);
	c = strstr(json, key);
	if (!c)
		return NULL;
	snprintf(key, sizeof(key), "{\"engine\":\"%s\"", engine);
	r = strstr(c, key);
	end = r ? strchr(r, '}') : NULL;
	if (!end)
		return NULL;
	snprintf(out, len, "%.*s", (int)(end - r + 1), r);
	return out;
}

static void case_quick_nop(void)
{
	char tool[4200], json[256], svg[256], md[256], res[1024];
	char *text;
	const char *end;

	tool_path(tool, sizeof(tool));
	if (access(tool, X_OK))
		t_skip("%s not built", tool);
	snprintf(json, sizeof(json), "%s/aioring-bench-smoke.%d.json", t_tmpdir(),
		 (int)getpid());
	snprintf(svg, sizeof(svg), "%s/aioring-bench-smoke.%d.svg", t_tmpdir(),
		 (int)getpid());
	snprintf(md, sizeof(md), "%s/aioring-bench-smoke.%d.md", t_tmpdir(),
		 (int)getpid());
	CHECK_EQ(run_tool(tool, json, svg, md), 0);

	text = slurp(json);
	CHECK(text);
	end = js_value(text, 0);
	CHECK_MSG(end && !*js_ws(end), "the JSON does not parse");
	/* The engine always runs; the kernel wherever io_uring is allowed. */
	CHECK(result_of(text, "nop-b1", "user", res, sizeof(res)));
	CHECK_MSG(strstr(res, "\"status\":\"ok\"") && strstr(res, "\"ops_per_sec\":"),
		  "engine result: %s", res);
	CHECK(result_of(text, "nop-b32", "kernel", res, sizeof(res)));
	if (t_kernel_ok())
		CHECK_MSG(strstr(res, "\"status\":\"ok\"") &&
			  strstr(res, "\"ratio_to_kernel\":1.0000"),
			  "kernel result: %s", res);
	CHECK(strstr(text, "\"targets\":["));
	free(text);

	text = slurp(svg);
	CHECK(text && strstr(text, "<svg") && strstr(text, "</svg>"));
	free(text);
	text = slurp(md);
	CHECK(text && strstr(text, "# Benchmarks") && strstr(text, "nop-b32"));
	free(text);
	unlink(json);
	unlink(svg);
	unlink(md);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "quick_nop", case_quick_nop, T_DIFF },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
