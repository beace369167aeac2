/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what the files of `aioring bench` share.
 *
 * A *case* is one workload with its parameters ("randread-cached qd32").
 * An *engine* is one way to run it (aioring on the kernel backend, on the
 * user-space engine, a pread loop, POSIX AIO...): a small table of setup,
 * run and teardown. Each workload family (nop, randread, ...) lives in its
 * own file and lists the engines that can run it. cli_bench.c runs every
 * engine of a case in interleaved rounds (A B C A B C ...) in one process,
 * so machine drift hits all of them alike and only ratios are compared.
 */
#ifndef AIORING_BENCH_H
#define AIORING_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "aioring.h"
#include "bench_loop.h"

#define BENCH_MAX_ENGINES	8
#define BENCH_MAX_ROUNDS	32
#define BENCH_BLOCK		4096u

enum bench_status {
	BR_OK,
	BR_NOT_YET,		/* the engine lacks the ops: "not yet" */
	BR_UNAVAILABLE,		/* cannot run here (library, kernel, file) */
	BR_ERROR,		/* failed while running: a bug to look at */
	BR_NA,			/* not meant for this case: not shown */
};

struct bench_result {
	const char *engine;
	enum bench_status status;
	char why[160];
	struct bench_stats st;
	/* ops/s of each round: the figure is their median, which a burst of
	 * another process's work in one slice does not move. */
	double rate[BENCH_MAX_ROUNDS];
	unsigned nrounds;
};

struct bench_case;

struct bench_engine {
	const char *name;
	int mode;		/* AIORING_MODE_* for the aioring engines */
	/* NULL when it can run @c, else why not; *st says which status. */
	const char *(*check)(const struct bench_engine *e,
			     const struct bench_case *c, enum bench_status *st);
	/* The engine's state, or NULL with a reason in @err. */
	void *(*setup)(const struct bench_engine *e, const struct bench_case *c,
		       char *err, size_t len);
	/*
	 * Runs the workload until @deadline (bench_now_ns), then lets what is
	 * in flight finish, so no engine's leftovers run in another's slice.
	 * Adds ops, time and latencies to @out; 0 or a negative errno.
	 */
	int (*run)(void *state, const struct bench_case *c, uint64_t deadline,
		   struct bench_stats *out);
	void (*teardown)(void *state);
};

struct bench_family {
	const char *name;
	const struct bench_engine *const *engines;	/* NULL-terminated */
};

struct bench_case {
	const char *id;		/* "randread-cached-qd32": JSON and --only */
	const char *title;	/* "randread ext4 cached, QD32" */
	const struct bench_family *fam;
	unsigned qd;		/* ops in flight (NOP: the batch) */
	bool batch;		/* submit qd, wait for all qd, repeat */
	unsigned threads;	/* rings on their own threads (growth) */
	const char *path;	/* the file of the I/O workloads */
	bool direct;		/* O_DIRECT */
	uint64_t file_size;
	unsigned fsync_every;	/* write-fsync: a linked fsync every N writes */
	bool growth;		/* a cost-growth point, not a main case */
	struct bench_result res[BENCH_MAX_ENGINES];
	int nres;
};

/* Memory and threads that one ring costs (bench_costs.c). */
struct bench_ring_cost {
	int err;			/* 0, or why the ring could not be made */
	long vm_kib, rss_kib;		/* VmSize and VmRSS growth */
	int threads;			/* threads the ring added */
	/* 10k idle sockets with a RECV each: threads added, or why not
	 * (-EOPNOTSUPP: the backend has no RECV yet). */
	int idle_err;
	int idle_threads;
};

/* One run of the suite: what the reports are made from. */
struct bench_run {
	struct bench_case *cases;
	int ncases;
	bool quick;
	bool targets;			/* --targets: show the project's targets */
	char command[512];
	const char *svg_path;		/* --svg, for the markdown to show */
	char date[32];			/* UTC, ISO 8601 */
	char kernel[65], cpu[128], disk_dir[256], disk_fs[32];
	long nproc, mem_mib;
	double load[2];			/* 1-min load average at start, end */
	uint64_t file_size;
	unsigned rounds, slice_ms, growth_rounds, growth_slice_ms;
	double seconds;			/* wall time of the whole run */
	struct bench_ring_cost cost[2];	/* kernel, user; 4096 entries */
};

void bench_measure_costs(struct bench_run *run);
/* The reports (bench_report.c, bench_svg.c): 0 or -errno. */
void bench_print_table(const struct bench_run *run, FILE *out);
int bench_write_json(const struct bench_run *run, const char *path);
int bench_write_svg(const struct bench_run *run, const char *path);
int bench_write_markdown(const struct bench_run *run, const char *path);
/* Ops/s of @engine in @c; 0 if it did not run. */
double bench_ops_per_sec(const struct bench_case *c, const char *engine);
const struct bench_result *bench_result_of(const struct bench_case *c,
					    const char *engine);

/* The families (one file each). */
extern const struct bench_family bench_fam_nop;
extern const struct bench_family bench_fam_nop_rings;
extern const struct bench_family bench_fam_read;
extern const struct bench_family bench_fam_write;
extern const struct bench_family bench_fam_echo;
extern const struct bench_family bench_fam_timers;
extern const struct bench_family bench_fam_meta;

/* --- aioring rings (bench_ring.c) ---------------------------------------- */

int bench_ring_init(struct bench_ring *r, int mode, unsigned qd,
		    unsigned entries, char *err, size_t len);
int bench_ring_run(void *state, const struct bench_case *c, uint64_t deadline,
		   struct bench_stats *out);
void bench_ring_exit(struct bench_ring *r);
/* NULL if the backend of @mode supports all of @ops, else why not. */
const char *bench_ring_check_ops(int mode, const unsigned char *ops,
				 unsigned n, enum bench_status *st);

/* --- randread files (bench_read.c) -------------------------------------- */

/* What every randread engine keeps: the file and one buffer per slot. */
struct rd_file {
	int fd;
	char *bufs;
	uint64_t size;
	uint64_t rng;
};

int bench_rd_open(struct rd_file *f, const struct bench_case *c, unsigned nbuf,
		  char *err, size_t len);
void bench_rd_close(struct rd_file *f);

/* --- shared helpers (cli_bench.c) ---------------------------------------- */

/* A 4 KiB-aligned offset below @size from the xorshift state @s. */
static inline uint64_t bench_rand_off(uint64_t *s, uint64_t size)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (x % (size / BENCH_BLOCK)) * BENCH_BLOCK;
}

/* The temp directory on a disk file system, for the disk workloads. */
const char *bench_disk_dir(void);
int bench_errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
