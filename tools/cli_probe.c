/* SPDX-License-Identifier: MIT */
/*
 * `aioring probe`: which backend a ring gets on this machine, and why.
 *
 * Everything is gathered first into one struct and printed after, so the
 * text and the JSON views cannot disagree. Rings are made through the
 * public API only (aioring_set_mode + io_uring_queue_init), so the answer
 * is the one a program linked against the library would get.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aioring.h"
#include "cli.h"

#define PROBE_ENTRIES	8
#define WRAP_COLUMN	78

struct backend_info {
	int err;		/* errno of io_uring_queue_init, 0 if it worked */
	int backend;		/* AIORING_BACKEND_* the ring landed on */
	char reason[256];
	unsigned features;
	int have_ops;		/* io_uring_get_probe_ring answered */
	int nr_ops;
	unsigned char ops[256];
};

struct probe_info {
	struct aioring_kernel_probe k;
	int probe_err;		/* aioring_probe_kernel's own failure */
	int io_uring_group;	/* -1: the sysctl is absent (before 6.6) */
	int seccomp_filters;	/* -1: unknown */
	const char *env;	/* AIORING_BACKEND, NULL if unset */
	int env_mode;		/* what the library makes of it */
	struct backend_info pick;	/* AIORING_MODE_AUTO */
	struct backend_info env_pick;	/* the environment's mode */
	struct backend_info be[2];	/* kernel, user */
};

static const int be_modes[2] = { AIORING_MODE_KERNEL, AIORING_MODE_USER };
static const char *const be_names[2] = { "kernel", "user" };
static const char *const mode_names[] = { "auto", "kernel", "user" };

/* --- gathering --- */

static int read_proc_int(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	char line[256];
	size_t klen = key ? strlen(key) : 0;
	int v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, klen))
			continue;
		if (sscanf(line + klen, "%d", &v) != 1)
			v = -1;
		break;
	}
	fclose(f);
	return v;
}

static void probe_ops(struct io_uring *ring, struct backend_info *b)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	int op;

	if (!p)
		return;
	b->have_ops = 1;
	for (op = 0; op <= p->last_op && op < 256; op++)
		if (io_uring_opcode_supported(p, op))
			b->ops[b->nr_ops++] = (unsigned char)op;
	io_uring_free_probe(p);
}

/* Makes a ring in @mode (-1: the environment's) and notes what it got. */
static void gather_backend(int mode, struct backend_info *b)
{
	struct io_uring ring;
	int old = aioring_set_mode(mode);
	int ret = io_uring_queue_init(PROBE_ENTRIES, &ring, 0);

	aioring_set_mode(old);
	memset(b, 0, sizeof(*b));
	if (ret < 0) {
		b->err = -ret;
		return;
	}
	b->backend = aioring_backend(&ring);
	snprintf(b->reason, sizeof(b->reason), "%s", aioring_backend_reason(&ring));
	b->features = ring.features;
	probe_ops(&ring, b);
	io_uring_queue_exit(&ring);
}

static void gather(struct probe_info *pi)
{
	int old, i, ret;

	memset(pi, 0, sizeof(*pi));
	pi->k.size = sizeof(pi->k);
	ret = aioring_probe_kernel(&pi->k);
	pi->probe_err = ret < 0 ? -ret : 0;
	pi->io_uring_group = read_proc_int("/proc/sys/kernel/io_uring_group", NULL);
	pi->seccomp_filters = read_proc_int("/proc/self/status", "Seccomp_filters:");
	pi->env = getenv("AIORING_BACKEND");
	old = aioring_set_mode(-1);
	pi->env_mode = aioring_mode();
	aioring_set_mode(old);
	gather_backend(AIORING_MODE_AUTO, &pi->pick);
	if (pi->env_mode != AIORING_MODE_AUTO)
		gather_backend(-1, &pi->env_pick);
	for (i = 0; i < 2; i++)
		gather_backend(be_modes[i], &pi->be[i]);
}

/* --- text --- */

static const char *disabled_text(int v)
{
	switch (v) {
	case 0:
		return "io_uring allowed";
	case 1:
		return "only for CAP_SYS_ADMIN and kernel.io_uring_group";
	case 2:
		return "io_uring disabled for everyone";
	default:
		return "absent (kernel before 6.6) or unreadable";
	}
}

static const char *seccomp_text(int v)
{
	static const char *const names[] = { "none", "strict", "filter" };

	return v >= 0 && v <= 2 ? names[v] : "unknown";
}

static void print_setup(const struct probe_info *pi)
{
	char nb[16];
	int e = pi->k.setup_errno;

	printf("  %-29s", "io_uring_setup");
	if (pi->probe_err)
		printf("not probed: %s\n", strerror(pi->probe_err));
	else if (pi->k.sigsys)
		printf("trapped with SIGSYS (a seccomp filter)\n");
	else if (e)
		printf("%s: %s\n", cli_errno_name(e, nb, sizeof(nb)), strerror(e));
	else
		printf("works\n");
}

/* Whether the library takes AIORING_BACKEND as it is (unset and empty
 * mean auto); a misspelt value is ignored with a warning. */
static bool env_valid(const char *v)
{
	return !v || !*v || !strcmp(v, "auto") || !strcmp(v, "kernel") ||
	       !strcmp(v, "user");
}

static void print_system(const struct probe_info *pi)
{
	int v = pi->k.io_uring_disabled;

	printf("system\n");
	printf("  %-29s%s\n", "kernel release", pi->k.release);
	if (v >= 0)
		printf("  %-29s%d (%s)\n", "kernel.io_uring_disabled", v,
		       disabled_text(v));
	else
		printf("  %-29s%s\n", "kernel.io_uring_disabled", disabled_text(v));
	if (pi->io_uring_group != -1)
		printf("  %-29s%d\n", "kernel.io_uring_group", pi->io_uring_group);
	printf("  %-29s%d (%s)", "seccomp", pi->k.seccomp_mode,
	       seccomp_text(pi->k.seccomp_mode));
	if (pi->seccomp_filters > 0)
		printf(", %d filter%s", pi->seccomp_filters,
		       pi->seccomp_filters == 1 ? "" : "s");
	printf("\n");
	print_setup(pi);
	if (!env_valid(pi->env))
		printf("  %-29s%s -> not auto, kernel or user: ignored, mode %s\n",
		       "AIORING_BACKEND", pi->env, mode_names[pi->env_mode]);
	else
		printf("  %-29s%s -> mode %s\n", "AIORING_BACKEND",
		       pi->env ? pi->env : "(unset)", mode_names[pi->env_mode]);
}

/* Prints @words from column @start on, wrapping back to @start. */
static void wrap(int start, const char *const *words, int n)
{
	int col = start, i;

	for (i = 0; i < n; i++) {
		int len = (int)strlen(words[i]);

		if (col > start && col + 1 + len > WRAP_COLUMN)
			col = printf("\n%*s", start, "") - 1;
		col += printf("%s%s", col > start ? " " : "", words[i]);
	}
	printf("\n");
}

/* Prints @words after a label, wrapped under the first word. */
static void print_wrapped(const char *label, const char *const *words, int n)
{
	wrap(printf("  %-10s", label), words, n);
}

static void print_pick(const char *label, const struct backend_info *b)
{
	char text[sizeof(b->reason)], *w[sizeof(b->reason) / 2], *save;
	int col = printf("  %-29s", label), n = 0;

	if (b->err) {
		printf("no ring: %s\n", strerror(b->err));
		return;
	}
	printf("%s\n%*s", aioring_backend_name(b->backend), col, "");
	memcpy(text, b->reason, sizeof(text));
	for (w[n] = strtok_r(text, " ", &save); w[n];
	     w[n] = strtok_r(NULL, " ", &save))
		n++;
	wrap(col, (const char *const *)w, n);
}

static int feature_words(unsigned features, const char **w, char num[][16])
{
	int n = 0, bit;

	for (bit = 0; bit < 32; bit++) {
		if (!(features & (1u << bit)))
			continue;
		w[n] = cli_feature_name((unsigned)bit);
		if (!w[n]) {
			snprintf(num[bit], 16, "0x%x", 1u << bit);
			w[n] = num[bit];
		}
		n++;
	}
	return n;
}

static void print_ops(const struct backend_info *b)
{
	const char *w[256];
	char num[256][8];
	int i;

	if (!b->have_ops) {
		printf("  %-10s%s\n", "opcodes", "io_uring_get_probe_ring failed");
		return;
	}
	for (i = 0; i < b->nr_ops; i++) {
		w[i] = cli_opcode_name(b->ops[i]);
		if (!w[i]) {
			snprintf(num[i], sizeof(num[i]), "%u", b->ops[i]);
			w[i] = num[i];
		}
	}
	printf("  %-10s%d supported\n", "opcodes", b->nr_ops);
	print_wrapped("", w, b->nr_ops);
}

static void print_backend(const char *name, const struct backend_info *b)
{
	const char *w[32];
	char num[32][16];
	int n;

	printf("\nbackend %s\n", name);
	if (b->err) {
		printf("  %-10sunavailable: %s\n", "status", strerror(b->err));
		return;
	}
	printf("  %-10savailable\n", "status");
	n = feature_words(b->features, w, num);
	print_wrapped("features", w, n);
	print_ops(b);
}

static void print_text(const struct probe_info *pi)
{
	char label[64];
	int i;

	printf("aioring %s\n\n", aioring_version());
	print_system(pi);
	printf("\nchoice\n");
	print_pick("auto mode picks", &pi->pick);
	if (pi->env_mode != AIORING_MODE_AUTO) {
		snprintf(label, sizeof(label), "AIORING_BACKEND=%s picks",
			 pi->env ? pi->env : "");
		print_pick(label, &pi->env_pick);
	}
	for (i = 0; i < 2; i++)
		print_backend(be_names[i], &pi->be[i]);
}

/* --- JSON --- */

static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_errno(const char *key, int err)
{
	char nb[16];

	printf("\"%s\": ", key);
	if (err)
		json_str(cli_errno_name(err, nb, sizeof(nb)));
	else
		printf("null");
}

static void json_backend(const struct backend_info *b)
{
	const char *w[32];
	char num[32][16];
	int n, i;

	printf("{ ");
	json_errno("error", b->err);
	if (b->err) {
		printf(" }");
		return;
	}
	printf(", \"backend\": ");
	json_str(aioring_backend_name(b->backend));
	printf(", \"reason\": ");
	json_str(b->reason);
	printf(", \"features\": [");
	n = feature_words(b->features, w, num);
	for (i = 0; i < n; i++) {
		printf(i ? ", " : "");
		json_str(w[i]);
	}
	printf("], \"opcodes\": [");
	for (i = 0; i < b->nr_ops; i++) {
		const char *name = cli_opcode_name(b->ops[i]);

		printf(i ? ", " : "");
		if (name)
			json_str(name);
		else
			printf("%u", b->ops[i]);
	}
	printf("] }");
}

static void json_system(const struct probe_info *pi)
{
	printf("  \"kernel_release\": ");
	json_str(pi->k.release);
	printf(",\n  \"io_uring_disabled\": %d,\n", pi->k.io_uring_disabled);
	printf("  \"io_uring_group\": %d,\n", pi->io_uring_group);
	printf("  \"seccomp_mode\": %d,\n", pi->k.seccomp_mode);
	printf("  \"seccomp_filters\": %d,\n  ", pi->seccomp_filters);
	json_errno("setup_errno", pi->k.setup_errno);
	printf(",\n  \"setup_sigsys\": %s,\n", pi->k.sigsys ? "true" : "false");
	printf("  \"AIORING_BACKEND\": ");
	if (pi->env)
		json_str(pi->env);
	else
		printf("null");
	printf(",\n  \"AIORING_BACKEND_valid\": %s", env_valid(pi->env) ? "true" : "false");
	printf(",\n  \"mode\": \"%s\",\n", mode_names[pi->env_mode]);
}

static void print_json(const struct probe_info *pi)
{
	int i;

	printf("{\n  \"version\": ");
	json_str(aioring_version());
	printf(",\n");
	json_system(pi);
	printf("  \"auto\": ");
	json_backend(&pi->pick);
	if (pi->env_mode != AIORING_MODE_AUTO) {
		printf(",\n  \"env\": ");
		json_backend(&pi->env_pick);
	}
	printf(",\n  \"backends\": {\n");
	for (i = 0; i < 2; i++) {
		printf("    \"%s\": ", be_names[i]);
		json_backend(&pi->be[i]);
		printf(i ? "\n" : ",\n");
	}
	printf("  }\n}\n");
}

static const char probe_usage[] = "usage: aioring probe [--json]\n";

/* Fails (1) when auto mode cannot make a ring: nothing here would run. */
int cmd_probe(int argc, char **argv)
{
	struct probe_info *pi;
	int json = 0, i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("%s", probe_usage);
			return CLI_EXIT_OK;
		}
		return cli_usage_error("probe", probe_usage,
				       "unknown argument '%s'", argv[i]);
	}
	/* Four backend records with opcode lists: too big for a tool's stack
	 * to be polite about. */
	pi = malloc(sizeof(*pi));
	if (!pi) {
		perror("aioring probe");
		return CLI_EXIT_FAIL;
	}
	gather(pi);
	if (json)
		print_json(pi);
	else
		print_text(pi);
	ret = pi->pick.err || fflush(stdout) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	free(pi);
	return ret;
}
