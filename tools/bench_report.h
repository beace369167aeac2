/* SPDX-License-Identifier: MIT */
/*
 * bench_report.h - what the report writers of `aioring bench` share: the
 * targets and the lookups and formats they all use.
 */
#ifndef AIORING_BENCH_REPORT_H
#define AIORING_BENCH_REPORT_H

#include "bench.h"

/* A target: ops/s of @num over ops/s of @den in case @id, at least @min. */
struct bench_target {
	const char *id, *num, *den;
	double min;
	const char *label;
};

extern const struct bench_target bench_targets[];	/* ends with id NULL */

const char *bench_status_name(enum bench_status st);
const struct bench_case *bench_case_of(const struct bench_run *run,
				       const char *id);
/* ops/s of @num over @den in @c: the median of the rounds' ratios; 0 when
 * either did not run. */
double bench_case_ratio(const struct bench_case *c, const char *num,
			const char *den);
/* The same in case @id. */
double bench_ratio(const struct bench_run *run, const char *id,
		   const char *num, const char *den);
const char *bench_fmt_rate(double v, char *buf, size_t len);
const char *bench_fmt_ns(uint64_t ns, char *buf, size_t len);

#endif
