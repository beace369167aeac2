/* SPDX-License-Identifier: MIT */
/*
 * `aioring bench --svg FILE`: a bar chart of every engine's ops/s as a
 * ratio to the kernel backend, one group of bars per case, written as
 * plain SVG (no plotting dependency). The scale is logarithmic (base 2),
 * so 0.5x and 2x are the same distance from the 1x line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "bench.h"
#include "bench_report.h"

#define W		960
#define LABEL_W		330
#define BAR_H		14
#define ROW_H		18
#define HEAD_H		22
#define TOP		60
#define LOG_MIN		(-5.0)	/* 1/32 */
#define LOG_MAX		5.0	/* 32 */

static const struct {
	const char *engine, *color;
} colors[] = {
	{ "kernel", "#4c72b0" }, { "user", "#dd8452" }, { "liburing", "#55a868" },
	{ "pread", "#8172b3" }, { "posix-aio", "#c44e52" }, { "libaio", "#937860" },
	{ "libuv", "#da8bc3" }, { "epoll", "#8c8c8c" }, { "syscalls", "#ccb974" },
};

static const char *color_of(const char *engine)
{
	size_t i;

	for (i = 0; i < sizeof(colors) / sizeof(colors[0]); i++)
		if (!strcmp(colors[i].engine, engine))
			return colors[i].color;
	return "#64b5cd";
}

static double x_of(double ratio)
{
	double l = log2(ratio);

	if (l < LOG_MIN)
		l = LOG_MIN;
	if (l > LOG_MAX)
		l = LOG_MAX;
	return LABEL_W + (l - LOG_MIN) / (LOG_MAX - LOG_MIN) * (W - LABEL_W - 20);
}

/* Rows the chart needs: a heading per case, a bar per engine that ran. */
static int chart_height(const struct bench_run *run)
{
	int i, j, h = TOP + 30;

	for (i = 0; i < run->ncases; i++) {
		const struct bench_case *c = &run->cases[i];

		if (bench_ops_per_sec(c, "kernel") <= 0)
			continue;
		h += HEAD_H;
		for (j = 0; j < c->nres; j++)
			h += c->res[j].status == BR_OK ? ROW_H : 0;
	}
	return h;
}

static void axis(FILE *f, int height)
{
	int l;

	for (l = (int)LOG_MIN; l <= (int)LOG_MAX; l++) {
		double x = x_of(pow(2, l));

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"%s\" stroke-width=\"%d\"/>\n", x, TOP - 8, x,
			height - 20, l ? "#e0e0e0" : "#333", l ? 1 : 2);
		if (l < 0)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
				"1/%d&#215;</text>\n", x, TOP - 12, 1 << -l);
		else
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
				"%d&#215;</text>\n", x, TOP - 12, 1 << l);
	}
}

static int bars(FILE *f, const struct bench_case *c, int y)
{
	int j;

	fprintf(f, "<text x=\"8\" y=\"%d\" font-weight=\"bold\">%s</text>\n",
		y + 15, c->id);
	y += HEAD_H;
	for (j = 0; j < c->nres; j++) {
		const struct bench_result *r = &c->res[j];
		double ratio, x0 = x_of(1.0), x1;

		if (r->status != BR_OK)
			continue;
		ratio = bench_case_ratio(c, r->engine, "kernel");
		x1 = x_of(ratio);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
			LABEL_W - 8, y + 11, r->engine);
		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"fill=\"%s\"><title>%s %s: %.2f&#215; kernel</title></rect>\n",
			x1 < x0 ? x1 : x0, y, fabs(x1 - x0) < 1 ? 1 : fabs(x1 - x0),
			BAR_H, color_of(r->engine), c->id, r->engine, ratio);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%.2f</text>\n",
			(x1 > x0 ? x1 : x0) + 4, y + 11, ratio);
		y += ROW_H;
	}
	return y;
}

int bench_write_svg(const struct bench_run *run, const char *path)
{
	int height = chart_height(run), y = TOP, i;
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		W, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"8\" y=\"20\" font-size=\"15\" font-weight=\"bold\">"
		"aioring bench: ops/s as a ratio to aioring on the kernel backend "
		"(log scale)</text>\n");
	fprintf(f, "<text x=\"8\" y=\"36\" font-size=\"11\">%s; Linux %s, %ld CPUs; %s</text>\n",
		run->date, run->kernel, run->nproc, run->command);
	axis(f, height);
	for (i = 0; i < run->ncases; i++)
		if (bench_ops_per_sec(&run->cases[i], "kernel") > 0)
			y = bars(f, &run->cases[i], y);
	fprintf(f, "</svg>\n");
	return fclose(f) ? -errno : 0;
}
