/* SPDX-License-Identifier: MIT */
/*
 * The reports of `aioring bench`: the table on the terminal, the targets,
 * and the JSON. All of them read the same struct bench_run, so they agree.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"
#include "bench_report.h"

static const char *const status_names[] = {
	[BR_OK] = "ok", [BR_NOT_YET] = "not yet", [BR_UNAVAILABLE] = "unavailable",
	[BR_ERROR] = "error", [BR_NA] = "n/a",
};

const struct bench_target bench_targets[] = {
	{ "nop-b32", "user", "kernel", 3.0, "NOP batch 32, engine / kernel" },
	{ "nop-b1", "user", "kernel", 5.0,
	  "NOP batch 1 (submit and wait each), engine / kernel" },
	{ "randread-cached-qd32", "user", "kernel", 1.0,
	  "ext4 cached randread QD32, engine / kernel" },
	{ "randread-cached-qd32", "user", "pread", 0.95,
	  "ext4 cached randread QD32, engine / pread loop" },
	{ "randread-tmpfs-qd32", "user", "kernel", 1.1,
	  "tmpfs randread QD32, engine / kernel" },
	{ "randread-tmpfs-qd1", "user", "kernel", 10.0,
	  "tmpfs randread QD1, engine / kernel" },
	{ "randread-direct-qd32", "user", "kernel", 0.8,
	  "O_DIRECT randread QD32, engine / kernel" },
	{ "randread-direct-qd32", "user", "posix-aio", 2.0,
	  "O_DIRECT randread QD32, engine / POSIX AIO" },
	{ "randread-cached-qd32", "user", "posix-aio", 3.0,
	  "cached randread QD32, engine / POSIX AIO" },
	{ "randread-cached-qd32", "user", "libuv", 2.0,
	  "cached randread QD32, engine / libuv pool" },
	{ "echo-64", "user", "kernel", 0.9,
	  "echo with 64 connections, engine / kernel" },
	{ "echo-64", "user", "epoll", 0.9,
	  "echo with 64 connections, engine / epoll loop" },
	{ "nop-b32", "kernel", "liburing", 0.98,
	  "NOP batch 32, our kernel backend / real liburing" },
	{ NULL, NULL, NULL, 0, NULL },
};

const char *bench_status_name(enum bench_status st)
{
	return status_names[st];
}

const struct bench_result *bench_result_of(const struct bench_case *c,
					    const char *engine)
{
	int i;

	for (i = 0; i < c->nres; i++)
		if (!strcmp(c->res[i].engine, engine))
			return &c->res[i];
	return NULL;
}

/* The median of @n values (the upper one of an even count). */
static double median(const double *x, unsigned n)
{
	double v[BENCH_MAX_ROUNDS];
	unsigned i, j;

	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && v[j - 1] > x[i]; j--)
			v[j] = v[j - 1];
		v[j] = x[i];
	}
	return n ? v[n / 2] : 0;
}

/* The median of the rounds' ops/s. */
double bench_ops_per_sec(const struct bench_case *c, const char *engine)
{
	const struct bench_result *r = bench_result_of(c, engine);

	if (!r || r->status != BR_OK)
		return 0;
	return median(r->rate, r->nrounds);
}

/*
 * ops/s of @num over ops/s of @den in @c, or 0 when either did not run:
 * the median of the ratios of each round, whose two slices ran next to
 * each other. A burst of other work on the machine slows a round or two;
 * pairing keeps it out of the ratio better than dividing two medians.
 */
double bench_case_ratio(const struct bench_case *c, const char *num,
			const char *den)
{
	const struct bench_result *a = bench_result_of(c, num);
	const struct bench_result *b = bench_result_of(c, den);
	double x[BENCH_MAX_ROUNDS];
	unsigned i, n = 0;

	if (!a || !b || a->status != BR_OK || b->status != BR_OK)
		return 0;
	for (i = 0; i < a->nrounds && i < b->nrounds; i++)
		if (b->rate[i] > 0)
			x[n++] = a->rate[i] / b->rate[i];
	return median(x, n);
}

/*
 * How much the rounds of @x disagree: half the interquartile range over the
 * median, as a fraction. A burst of other work in one round moves the range
 * but barely the quartiles, so this says how far the figure can be trusted.
 */
static double spread(const double *x, unsigned n)
{
	double v[BENCH_MAX_ROUNDS];
	unsigned i, j;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && v[j - 1] > x[i]; j--)
			v[j] = v[j - 1];
		v[j] = x[i];
	}
	return v[n / 2] > 0 ? (v[(3 * n) / 4] - v[n / 4]) / 2 / v[n / 2] : 0;
}

/* The spread of @engine's ops/s over the rounds. */
static double rate_spread(const struct bench_result *r)
{
	return spread(r->rate, r->nrounds);
}

/* The spread of the per-round ratios of @num to @den. */
static double ratio_spread(const struct bench_case *c, const char *num,
			   const char *den)
{
	const struct bench_result *a = bench_result_of(c, num);
	const struct bench_result *b = bench_result_of(c, den);
	double x[BENCH_MAX_ROUNDS];
	unsigned i, n = 0;

	if (!a || !b || a->status != BR_OK || b->status != BR_OK)
		return 0;
	for (i = 0; i < a->nrounds && i < b->nrounds; i++)
		if (b->rate[i] > 0)
			x[n++] = a->rate[i] / b->rate[i];
	return spread(x, n);
}

const struct bench_case *bench_case_of(const struct bench_run *run,
				       const char *id)
{
	int i;

	for (i = 0; i < run->ncases; i++)
		if (!strcmp(run->cases[i].id, id))
			return &run->cases[i];
	return NULL;
}

/* num / den in @id, or 0 when either did not run. */
double bench_ratio(const struct bench_run *run, const char *id,
		   const char *num, const char *den)
{
	const struct bench_case *c = bench_case_of(run, id);

	return c ? bench_case_ratio(c, num, den) : 0;
}

const char *bench_fmt_rate(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.2f M", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

const char *bench_fmt_ns(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 10000000)
		snprintf(buf, len, "%.0f ms", (double)ns / 1e6);
	else if (ns >= 10000)
		snprintf(buf, len, "%.0f us", (double)ns / 1e3);
	else
		snprintf(buf, len, "%.1f us", (double)ns / 1e3);
	return buf;
}

/* --- the terminal table ---------------------------------------------------- */

static void print_case(const struct bench_case *c, FILE *out)
{
	double kern = bench_ops_per_sec(c, "kernel");
	char a[32], b[32], p99[32], d[32], s[16];
	int i;

	fprintf(out, "\n%s  (%s)\n", c->id, c->title);
	fprintf(out, "  %-10s %12s %7s %10s %10s %14s\n", "engine", "ops/s",
		"spread", "p50", "p99", "vs kernel");
	for (i = 0; i < c->nres; i++) {
		const struct bench_result *r = &c->res[i];
		double v = bench_ops_per_sec(c, r->engine);

		if (r->status != BR_OK) {
			fprintf(out, "  %-10s %s: %s\n", r->engine,
				bench_status_name(r->status), r->why);
			continue;
		}
		if (kern > 0)
			snprintf(d, sizeof(d), "%.2f ±%.0f%%",
				 bench_case_ratio(c, r->engine, "kernel"),
				 100 * ratio_spread(c, r->engine, "kernel"));
		else
			snprintf(d, sizeof(d), "-");
		snprintf(s, sizeof(s), "±%.0f%%", 100 * rate_spread(r));
		fprintf(out, "  %-10s %12s %7s %10s %10s %14s\n", r->engine,
			bench_fmt_rate(v, a, sizeof(a)), s,
			bench_fmt_ns(bench_hist_pct(&r->st.hist, 50), b, sizeof(b)),
			bench_fmt_ns(bench_hist_pct(&r->st.hist, 99), p99, sizeof(p99)), d);
	}
}

static void print_costs(const struct bench_run *run, FILE *out)
{
	static const char *const be[2] = { "kernel", "user" };
	int i;

	fprintf(out, "\nmemory per ring, 4096 entries (VmSize / VmRSS growth, threads added)\n");
	for (i = 0; i < 2; i++) {
		const struct bench_ring_cost *k = &run->cost[i];

		if (k->err)
			fprintf(out, "  %-10s unavailable: %s\n", be[i],
				strerror(-k->err));
		else
			fprintf(out, "  %-10s %6ld KiB virtual %6ld KiB resident %3d threads\n",
				be[i], k->vm_kib, k->rss_kib, k->threads);
	}
	fprintf(out, "threads added under 10k idle sockets (a RECV armed on each)\n");
	for (i = 0; i < 2; i++) {
		const struct bench_ring_cost *k = &run->cost[i];

		if (k->idle_err == -EOPNOTSUPP)
			fprintf(out, "  %-10s not yet: no IORING_OP_RECV\n", be[i]);
		else if (k->idle_err)
			fprintf(out, "  %-10s failed: %s\n", be[i],
				strerror(-k->idle_err));
		else
			fprintf(out, "  %-10s %d\n", be[i], k->idle_threads);
	}
}

static void print_targets(const struct bench_run *run, FILE *out)
{
	const struct bench_target *t;

	fprintf(out, "\ntargets (ratios of ops/s measured in this run)\n");
	fprintf(out, "  %-52s %8s  %8s  %s\n", "metric", "measured", "target",
		"status");
	for (t = bench_targets; t->id; t++) {
		double r = bench_ratio(run, t->id, t->num, t->den);
		char m[16];

		if (r > 0)
			snprintf(m, sizeof(m), "%#.3g", r);
		else
			snprintf(m, sizeof(m), "-");
		fprintf(out, "  %-52s %8s  >= %5.2f  %s\n", t->label, m, t->min, r <= 0 ? "not measured" : r >= t->min ? "met" : "MISSED");
	}
}

/* Which backend a program's ring gets here, and why: what the figures of
 * the two backends mean for this machine. */
static void print_auto(FILE *out)
{
	struct io_uring ring;
	int old = aioring_set_mode(AIORING_MODE_AUTO);

	if (io_uring_queue_init(2, &ring, 0) == 0) {
		fprintf(out, "a program's ring runs here on: %s (%s)\n",
			aioring_backend_name(aioring_backend(&ring)),
			aioring_backend_reason(&ring));
		io_uring_queue_exit(&ring);
	}
	aioring_set_mode(old);
}

void bench_print_table(const struct bench_run *run, FILE *out)
{
	int i;

	fprintf(out, "aioring bench%s: %u rounds x %u ms per engine, interleaved; "
		"%ld CPUs, %ld MiB, Linux %s; load %.1f; %.0f s\n",
		run->quick ? " --quick" : "", run->rounds, run->slice_ms,
		run->nproc, run->mem_mib, run->kernel, run->load[0], run->seconds);
	print_auto(out);
	fprintf(out, "ops/s: median of the rounds; spread: half the interquartile "
		"range of the rounds;\nvs kernel: median of the rounds' ratios to "
		"the kernel backend (user = aioring's engine)\n");
	for (i = 0; i < run->ncases; i++)
		print_case(&run->cases[i], out);
	print_costs(run, out);
	if (run->targets)
		print_targets(run, out);
}

/* --- JSON ------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_result(FILE *f, const struct bench_case *c,
			const struct bench_result *r)
{
	double v = bench_ops_per_sec(c, r->engine);
	double kern = bench_ops_per_sec(c, "kernel");
	unsigned i;

	fprintf(f, "{\"engine\":");
	json_str(f, r->engine);
	fprintf(f, ",\"status\":");
	json_str(f, bench_status_name(r->status));
	if (r->status != BR_OK) {
		fprintf(f, ",\"reason\":");
		json_str(f, r->why);
		fprintf(f, "}");
		return;
	}
	fprintf(f, ",\"ops\":%llu,\"seconds\":%.6f,\"ops_per_sec\":%.1f,"
		"\"p50_ns\":%llu,\"p99_ns\":%llu,\"round_ops_per_sec\":[",
		(unsigned long long)r->st.ops, (double)r->st.ns / 1e9, v,
		(unsigned long long)bench_hist_pct(&r->st.hist, 50),
		(unsigned long long)bench_hist_pct(&r->st.hist, 99));
	for (i = 0; i < r->nrounds; i++)
		fprintf(f, "%s%.1f", i ? "," : "", r->rate[i]);
	fprintf(f, "]");
	if (kern > 0)
		fprintf(f, ",\"ratio_to_kernel\":%.4f",
			bench_case_ratio(c, r->engine, "kernel"));
	fprintf(f, "}");
}

static void json_cases(FILE *f, const struct bench_run *run)
{
	int i, j;

	fprintf(f, "\"cases\":[");
	for (i = 0; i < run->ncases; i++) {
		const struct bench_case *c = &run->cases[i];

		fprintf(f, "%s\n{\"id\":", i ? "," : "");
		json_str(f, c->id);
		fprintf(f, ",\"title\":");
		json_str(f, c->title);
		fprintf(f, ",\"workload\":");
		json_str(f, c->fam->name);
		fprintf(f, ",\"qd\":%u,\"threads\":%u,\"growth\":%s,\"results\":[",
			c->qd, c->threads, c->growth ? "true" : "false");
		for (j = 0; j < c->nres; j++) {
			fprintf(f, "%s", j ? "," : "");
			json_result(f, c, &c->res[j]);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
}

static void json_targets(FILE *f, const struct bench_run *run)
{
	const struct bench_target *t;

	fprintf(f, ",\n\"targets\":[");
	for (t = bench_targets; t->id; t++) {
		double r = bench_ratio(run, t->id, t->num, t->den);

		fprintf(f, "%s\n{\"metric\":", t == bench_targets ? "" : ",");
		json_str(f, t->label);
		fprintf(f, ",\"case\":\"%s\",\"num\":\"%s\",\"den\":\"%s\","
			"\"target\":%.2f,", t->id, t->num, t->den, t->min);
		if (r > 0)
			fprintf(f, "\"measured\":%.4f,\"met\":%s}", r,
				r >= t->min ? "true" : "false");
		else
			fprintf(f, "\"measured\":null,\"met\":null}");
	}
	fprintf(f, "]");
}

static void json_costs(FILE *f, const struct bench_run *run)
{
	static const char *const be[2] = { "kernel", "user" };
	int i;

	fprintf(f, ",\n\"ring_cost_4096\":{");
	for (i = 0; i < 2; i++) {
		const struct bench_ring_cost *k = &run->cost[i];

		fprintf(f, "%s\"%s\":", i ? "," : "", be[i]);
		if (k->err)
			fprintf(f, "{\"error\":%d}", -k->err);
		else
			fprintf(f, "{\"vm_kib\":%ld,\"rss_kib\":%ld,\"threads\":%d}",
				k->vm_kib, k->rss_kib, k->threads);
	}
	fprintf(f, "},\n\"idle_sockets_10k_threads\":{");
	for (i = 0; i < 2; i++) {
		const struct bench_ring_cost *k = &run->cost[i];

		fprintf(f, "%s\"%s\":", i ? "," : "", be[i]);
		if (k->idle_err == -EOPNOTSUPP)
			fprintf(f, "{\"status\":\"not yet\"}");
		else if (k->idle_err)
			fprintf(f, "{\"status\":\"failed\",\"error\":%d}",
				-k->idle_err);
		else
			fprintf(f, "{\"status\":\"ok\",\"threads\":%d}",
				k->idle_threads);
	}
	fprintf(f, "}");
}

int bench_write_json(const struct bench_run *run, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "{\"tool\":\"aioring bench\",\"version\":\"%s\",\"date\":\"%s\",",
		aioring_version(), run->date);
	fprintf(f, "\"command\":");
	json_str(f, run->command);
	fprintf(f, ",\"quick\":%s,\"rounds\":%u,\"slice_ms\":%u,"
		"\"growth_rounds\":%u,\"growth_slice_ms\":%u,\"file_bytes\":%llu,"
		"\"seconds\":%.1f,\n",
		run->quick ? "true" : "false", run->rounds, run->slice_ms,
		run->growth_rounds, run->growth_slice_ms, (unsigned long long)run->file_size,
		run->seconds);
	fprintf(f, "\"machine\":{\"nproc\":%ld,\"mem_mib\":%ld,\"kernel\":",
		run->nproc, run->mem_mib);
	json_str(f, run->kernel);
	fprintf(f, ",\"cpu\":");
	json_str(f, run->cpu);
	fprintf(f, ",\"disk_fs\":");
	json_str(f, run->disk_fs);
	fprintf(f, ",\"loadavg_start\":%.2f,\"loadavg_end\":%.2f},\n",
		run->load[0], run->load[1]);
	json_cases(f, run);
	json_targets(f, run);
	json_costs(f, run);
	fprintf(f, "}\n");
	return fclose(f) ? -errno : 0;
}
