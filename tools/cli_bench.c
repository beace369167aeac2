/* SPDX-License-Identifier: MIT */
/*
 * `aioring bench`: the same workloads on aioring's two backends and on the
 * peers a program would otherwise use, side by side, in one process.
 *
 * Every case sets up all its engines, then runs them in interleaved rounds
 * (A B C, A B C, ...), each for one slice of time: drift of this machine
 * (another process, frequency, cache) then hits all of them alike, and
 * only ratios measured in the same run are compared. Figures are the
 * median ops/s of the rounds, the median of the rounds' ratios (see
 * bench_case_ratio) and p50/p99 of the per-op latency.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "cli.h"

#define MIB		(1024ull * 1024)
#define FULL_FILE	(1024 * MIB)	/* the issue's 1 GiB */
#define QUICK_FILE	(256 * MIB)
#define WRITE_FILE	(16 * MIB)
#define TMPFS_DIR	"/dev/shm"
#define EXT4_MAGIC	0xef53
#define TMPFS_MAGIC_	0x01021994

int bench_errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- the suite ------------------------------------------------------------ */

enum { F_CACHED, F_TMPFS, F_WRITE, NR_FILES };
static char file_path[NR_FILES][512];

#define NOP(i, t, n) { .id = i, .title = t, .fam = &bench_fam_nop, .qd = n, \
			.batch = true, .threads = 1 }
#define RD(i, t, f, n, dir) { .id = i, .title = t, .fam = &bench_fam_read, \
			      .qd = n, .threads = 1, .path = file_path[f], \
			      .direct = dir }
#define GROW_QD(i, n) { .id = i, .title = "randread 4k, tmpfs file, QD" #n, \
			.fam = &bench_fam_read, .qd = n, .threads = 1, \
			.path = file_path[F_TMPFS], .growth = true }
#define GROW_RINGS(i, n) { .id = i, \
			   .title = "NOP batch 32, " #n " ring(s) on own threads", \
			   .fam = &bench_fam_nop_rings, .qd = 32, .batch = true, \
			   .threads = n, .growth = true }

static struct bench_case suite[] = {
	NOP("nop-b1", "NOP, batch 1 (submit and wait each)", 1),
	NOP("nop-b32", "NOP, batch 32", 32),
	RD("randread-cached-qd1", "randread 4k, disk file in page cache, QD1",
	   F_CACHED, 1, false),
	RD("randread-cached-qd32", "randread 4k, disk file in page cache, QD32",
	   F_CACHED, 32, false),
	RD("randread-tmpfs-qd1", "randread 4k, tmpfs file, QD1", F_TMPFS, 1,
	   false),
	RD("randread-tmpfs-qd32", "randread 4k, tmpfs file, QD32", F_TMPFS, 32,
	   false),
	RD("randread-direct-qd32", "randread 4k, O_DIRECT disk file, QD32",
	   F_CACHED, 32, true),
	{ .id = "write-fsync",
	  .title = "write 4k x16 + linked fdatasync, disk file",
	  .fam = &bench_fam_write, .qd = 17, .batch = true, .threads = 1,
	  .path = file_path[F_WRITE], .file_size = WRITE_FILE,
	  .fsync_every = 16 },
	{ .id = "echo-64",
	  .title = "echo, loopback TCP, 64 connections, 64 B ping-pong",
	  .fam = &bench_fam_echo, .qd = 64, .threads = 1 },
	{ .id = "timers",
	  .title = "timeouts of 1 ms, 4096 in flight (100k per 25 ms)",
	  .fam = &bench_fam_timers, .qd = 4096, .threads = 1 },
	{ .id = "metadata",
	  .title = "openat + close + statx of one file, 32 in flight",
	  .fam = &bench_fam_meta, .qd = 32, .threads = 1,
	  .path = file_path[F_CACHED] },
	/* Cost growth: ops/s against queue depth, and against rings. */
	GROW_QD("grow-qd1", 1), GROW_QD("grow-qd4", 4), GROW_QD("grow-qd16", 16),
	GROW_QD("grow-qd64", 64), GROW_QD("grow-qd256", 256),
	GROW_RINGS("grow-rings1", 1), GROW_RINGS("grow-rings2", 2),
	GROW_RINGS("grow-rings4", 4), GROW_RINGS("grow-rings8", 8),
};

#define NR_SUITE ((int)(sizeof(suite) / sizeof(suite[0])))

static bool case_wanted(const struct bench_case *c, const char *only,
			bool quick)
{
	char buf[256], *tok, *save = NULL;

	if (!only)
		return !(quick && c->growth);
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strstr(c->id, tok))
			return true;
	return false;
}

/* --- progress ------------------------------------------------------------- */

static struct {
	bool on;
	uint64_t total, done;	/* slices, weighted by their length */
} prog;

static void progress(const struct bench_case *c, const char *engine,
		     unsigned round, unsigned rounds)
{
	int width = 30, fill, pct;

	if (!prog.on)
		return;
	pct = prog.total ? (int)(prog.done * 100 / prog.total) : 100;
	fill = pct * width / 100;
	fprintf(stderr, "\r\033[K[%.*s%*s] %3d%% %s: %s %u/%u", fill,
	       "##############################", width - fill, "", pct,
	       c ? c->id : "done", engine ? engine : "", round, rounds);
	fflush(stderr);
}

/* --- files ---------------------------------------------------------------- */

const char *bench_disk_dir(void)
{
	static const char *const dirs[] = { "/var/tmp", "/tmp", "." };
	const char *env = getenv("TMPDIR");
	struct statfs sfs;
	size_t i;

	/* The cached workload is about a disk file system: skip any tmpfs. */
	if (env && *env && !statfs(env, &sfs) && sfs.f_type != TMPFS_MAGIC_)
		return env;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!statfs(dirs[i], &sfs) && sfs.f_type != TMPFS_MAGIC_ &&
		    !access(dirs[i], W_OK))
			return dirs[i];
	return ".";
}

static void unlink_files(void)
{
	int i;

	for (i = 0; i < NR_FILES; i++)
		if (file_path[i][0])
			unlink(file_path[i]);
}

/* Ctrl-C must not leave a 1 GiB file behind (unlink is signal-safe). */
static void unlink_on_signal(int sig)
{
	unlink_files();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Writes @size bytes of non-zero data (a hole would be read from nowhere)
 * and syncs it, so the file is on the disk for O_DIRECT and in the page
 * cache for the cached reads. */
static int make_file(int which, const char *dir, uint64_t size)
{
	char *buf = malloc(MIB);
	uint64_t done;
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(file_path[which], sizeof(file_path[which]),
		 "%s/aioring-bench.%d.%d", dir, (int)getpid(), which);
	fd = open(file_path[which], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		file_path[which][0] = 0;
		free(buf);
		return ret;
	}
	for (done = 0; done < size && !ret; done += MIB) {
		memset(buf, (int)(done / MIB) | 1, MIB);
		if (pwrite(fd, buf, MIB, (off_t)done) != (ssize_t)MIB)
			ret = -EIO;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	/* Read it back once: this is what "kept in the page cache" means. */
	for (done = 0; done < size && !ret; done += MIB)
		if (pread(fd, buf, MIB, (off_t)done) != (ssize_t)MIB)
			ret = -EIO;
	close(fd);
	free(buf);
	return ret;
}

static int prepare_files(struct bench_run *run, bool want[NR_FILES])
{
	static const char *const what[NR_FILES] = { "disk", "tmpfs", "write" };
	const char *dirs[NR_FILES] = { run->disk_dir, TMPFS_DIR, run->disk_dir };
	uint64_t sizes[NR_FILES] = { run->file_size, run->file_size, WRITE_FILE };
	int i, ret;

	atexit(unlink_files);
	signal(SIGINT, unlink_on_signal);
	signal(SIGTERM, unlink_on_signal);
	signal(SIGHUP, unlink_on_signal);
	for (i = 0; i < NR_FILES; i++) {
		if (!want[i])
			continue;
		if (prog.on) {
			fprintf(stderr, "\r\033[Kwriting the %s file (%llu MiB)...", what[i],
			       (unsigned long long)(sizes[i] / MIB));
			fflush(stderr);
		}
		ret = make_file(i, dirs[i], sizes[i]);
		if (ret) {
			fprintf(stderr, "aioring bench: the %s file in %s: %s\n",
				what[i], dirs[i], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* --- running a case ------------------------------------------------------- */

static unsigned slice_of(const struct bench_run *run, const struct bench_case *c)
{
	return c->growth ? run->growth_slice_ms : run->slice_ms;
}

/* Whether --engine (a comma-separated list, NULL for all) names @name. */
static bool engine_wanted(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (!list)
		return true;
	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

static unsigned rounds_of(const struct bench_run *run,
			  const struct bench_case *c)
{
	return c->growth ? run->growth_rounds : run->rounds;
}

/* Fills c->res with every engine that applies; runnable ones get OK. The
 * cost-growth cases are about aioring's backends only. */
static void check_engines(struct bench_case *c, const char *engines)
{
	const struct bench_engine *const *e;

	c->nres = 0;
	for (e = c->fam->engines; *e && c->nres < BENCH_MAX_ENGINES; e++) {
		struct bench_result *r = &c->res[c->nres];
		enum bench_status st = BR_OK;
		const char *why;

		if (!engine_wanted(engines, (*e)->name) || (c->growth && !(*e)->mode))
			continue;
		why = (*e)->check ? (*e)->check(*e, c, &st) : NULL;
		if (why && st == BR_NA)
			continue;
		memset(r, 0, sizeof(*r));
		r->engine = (*e)->name;
		r->status = why ? st : BR_OK;
		snprintf(r->why, sizeof(r->why), "%s", why ? why : "");
		c->nres++;
	}
}

static const struct bench_engine *engine_named(const struct bench_case *c,
					       const char *name)
{
	const struct bench_engine *const *e;

	for (e = c->fam->engines; *e; e++)
		if (!strcmp((*e)->name, name))
			return *e;
	return NULL;
}

#define WATCHDOG_S	30

static char watchdog_msg[160];

/* A round that never ends is a lost completion (a bug in a backend): say
 * where, remove the files and stop, rather than hang `make demo`. */
static void watchdog(int sig)
{
	ssize_t n = write(STDERR_FILENO, watchdog_msg, strlen(watchdog_msg));

	(void)n;
	unlink_files();
	_exit(CLI_EXIT_FAIL);
}

/* One slice of one engine; its ops/s goes to r->rate. */
static int run_round(const struct bench_engine *e, void *state,
		     const struct bench_case *c, uint64_t slice,
		     struct bench_result *r)
{
	uint64_t ops = r->st.ops, ns = r->st.ns;
	int ret;

	snprintf(watchdog_msg, sizeof(watchdog_msg),
		 "\naioring bench: %s on %s made no progress for %d s: stopped\n",
		 c->id, r->engine, WATCHDOG_S);
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S + (unsigned)(slice / 1000000000ull));
	ret = e->run(state, c, bench_now_ns() + slice, &r->st);
	alarm(0);

	if (!ret && r->st.ns > ns && r->nrounds < BENCH_MAX_ROUNDS)
		r->rate[r->nrounds++] = (double)(r->st.ops - ops) * 1e9 /
					(double)(r->st.ns - ns);
	return ret;
}

/* A short unmeasured slice first: page faults, lazy threads and cold
 * caches belong to no one's figures. */
static int warm_up(const struct bench_engine *e, void *state,
		   const struct bench_case *c, uint64_t slice)
{
	static struct bench_stats scratch;

	return e->run(state, c, bench_now_ns() + slice / 4, &scratch);
}

static void run_case(struct bench_run *run, struct bench_case *c)
{
	const struct bench_engine *eng[BENCH_MAX_ENGINES] = { 0 };
	void *state[BENCH_MAX_ENGINES] = { 0 };
	uint64_t slice = (uint64_t)slice_of(run, c) * 1000000ull;
	unsigned round;
	int i, ret;

	for (i = 0; i < c->nres; i++) {
		struct bench_result *r = &c->res[i];

		if (r->status != BR_OK)
			continue;
		eng[i] = engine_named(c, r->engine);
		state[i] = eng[i]->setup(eng[i], c, r->why, sizeof(r->why));
		if (!state[i]) {
			r->status = BR_UNAVAILABLE;
			continue;
		}
		ret = warm_up(eng[i], state[i], c, slice);
		if (ret) {
			r->status = BR_ERROR;
			snprintf(r->why, sizeof(r->why), "warm-up: %s",
				 strerror(-ret));
		}
	}
	for (round = 0; round < rounds_of(run, c); round++) {
		for (i = 0; i < c->nres; i++) {
			struct bench_result *r = &c->res[i];
			int ret;

			if (!state[i] || r->status != BR_OK)
				continue;
			progress(c, r->engine, round + 1, rounds_of(run, c));
			ret = run_round(eng[i], state[i], c, slice, r);
			prog.done += slice_of(run, c);
			if (ret) {
				r->status = BR_ERROR;
				snprintf(r->why, sizeof(r->why), "run: %s",
					 strerror(-ret));
			}
		}
	}
	for (i = 0; i < c->nres; i++)
		if (state[i])
			eng[i]->teardown(state[i]);
}

/* --- the machine ---------------------------------------------------------- */

static void describe_machine(struct bench_run *run, int argc, char **argv)
{
	struct utsname u;
	struct statfs sfs;
	time_t now = time(NULL);
	char line[256];
	FILE *f;
	int i;

	strftime(run->date, sizeof(run->date), "%Y-%m-%dT%H:%M:%SZ",
		 gmtime(&now));
	if (!uname(&u))
		snprintf(run->kernel, sizeof(run->kernel), "%s", u.release);
	run->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	run->mem_mib = (long)((uint64_t)sysconf(_SC_PHYS_PAGES) *
			      (uint64_t)sysconf(_SC_PAGESIZE) / MIB);
	f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !p)
			continue;
		p += 1 + strspn(p + 1, " \t");
		p[strcspn(p, "\n")] = 0;
		snprintf(run->cpu, sizeof(run->cpu), "%s", p);
		break;
	}
	if (f)
		fclose(f);
	/* Other work on the machine is the main noise: say how much. */
	if (getloadavg(run->load, 1) != 1)
		run->load[0] = -1;
	snprintf(run->disk_dir, sizeof(run->disk_dir), "%s", bench_disk_dir());
	snprintf(run->disk_fs, sizeof(run->disk_fs), "%s",
		 statfs(run->disk_dir, &sfs) ? "?" :
		 sfs.f_type == EXT4_MAGIC ? "ext4" : "other");
	snprintf(run->command, sizeof(run->command), "aioring");
	for (i = 0; i < argc; i++)
		snprintf(run->command + strlen(run->command),
			 sizeof(run->command) - strlen(run->command), " %s",
			 argv[i]);
}

/* --- the command ------------------------------------------------------------ */

static const char bench_usage[] =
	"usage: aioring bench [--quick] [--only ID[,ID...]] [--engine NAME[,NAME...]]\n"
	"                     [--rounds N] [--slice MS] [--json FILE] [--svg FILE]\n"
	"                     [--markdown FILE] [--targets] [--list]\n"
	"  --quick     a ~15 s suite (256 MiB files, no cost-growth cases)\n"
	"  --only      cases whose id contains one of the words (--list)\n"
	"  --engine    only these engines (kernel, user, liburing, pread,\n"
	"              posix-aio, libaio, libuv, epoll, syscalls)\n"
	"  --rounds    rounds per case, 1 to 32 (default 10, --quick 5)\n"
	"  --slice     ms per engine and round, 1 to 10000 (default 100, --quick 50)\n"
	"  --json      the results, machine-readable\n"
	"  --svg       a bar chart of the ratios to the kernel backend\n"
	"  --markdown  the results as docs/BENCHMARKS.md\n"
	"  --targets   also the project's own speed targets, met or missed\n"
	"  --list      the cases, without running them\n";

struct bench_opts {
	const char *only, *engines, *json, *svg, *md;
	bool list;
};

/* Every engine name any case knows, comma-separated, in @buf. */
static const char *all_engines(char *buf, size_t len)
{
	const struct bench_engine *const *e;
	int i, n = 0;

	buf[0] = 0;
	for (i = 0; i < NR_SUITE; i++)
		for (e = suite[i].fam->engines; *e; e++) {
			char key[64];

			snprintf(key, sizeof(key), ",%s,", (*e)->name);
			if (strstr(buf, key))
				continue;
			n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0,
				      "%s%s,", n ? "" : ",", (*e)->name);
		}
	return buf;
}

/* Each name of --engine must be an engine: a typo would silently leave
 * empty tables. */
static int check_engine_names(const char *list)
{
	char known[512], buf[256], key[64], *tok, *save = NULL;
	int n = 0;

	all_engines(known, sizeof(known));
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		snprintf(key, sizeof(key), ",%s,", tok);
		n++;
		if (!strstr(known, key)) {
			known[strlen(known) - 1] = 0;
			return cli_usage_error("bench", NULL, "unknown engine '%s' "
					       "(engines: %s)", tok, known + 1);
		}
	}
	if (!n)
		return cli_usage_error("bench", NULL, "--engine needs a name");
	return 0;
}

/* Each word of --only must match some case. */
static int check_case_words(const char *only)
{
	char buf[256], ids[1024], *tok, *save = NULL;
	int i, n = 0;

	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_SUITE && !strstr(suite[i].id, tok); i++)
			;
		if (i < NR_SUITE)
			continue;
		for (i = 0; i < NR_SUITE; i++)
			n += snprintf(ids + n, sizeof(ids) > (size_t)n ?
				      sizeof(ids) - (size_t)n : 0, "%s%s",
				      i ? ", " : "", suite[i].id);
		return cli_usage_error("bench", NULL, "no case matches '%s' "
				       "(cases: %s)", tok, ids);
	}
	return 0;
}

/*
 * The output files are opened (not truncated: the markdown writer keeps
 * the old file's notes) before a minute of work, so a typo in a path fails
 * at once.
 */
static int check_output(const char *path)
{
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return cli_usage_error("bench", NULL, "%s: %s", path,
				       strerror(errno));
	close(fd);
	return 0;
}

static int parse(int argc, char **argv, struct bench_run *run,
		 struct bench_opts *o)
{
	static const struct option lo[] = {
		{ "quick", no_argument, 0, 'q' }, { "only", required_argument, 0, 'o' },
		{ "json", required_argument, 0, 'j' }, { "svg", required_argument, 0, 's' },
		{ "markdown", required_argument, 0, 'm' }, { "list", no_argument, 0, 'l' },
		{ "rounds", required_argument, 0, 'r' }, { "slice", required_argument, 0, 'S' },
		{ "engine", required_argument, 0, 'e' }, { "targets", no_argument, 0, 't' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	unsigned rounds = 0, slice = 0;
	int opt;

	opterr = 0;	/* one message style: ours */
	while ((opt = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (opt) {
		case 'q': run->quick = true; break;
		case 'o': o->only = optarg; break;
		case 'e': o->engines = optarg; break;
		case 'j': o->json = optarg; break;
		case 's': o->svg = optarg; break;
		case 'm': o->md = optarg; break;
		case 'l': o->list = true; break;
		case 't': run->targets = true; break;
		case 'r':
			if (cli_parse_uint("bench", "--rounds", optarg, 1,
					   BENCH_MAX_ROUNDS, &rounds))
				return CLI_EXIT_USAGE;
			break;
		case 'S':
			if (cli_parse_uint("bench", "--slice", optarg, 1, 10000,
					   &slice))
				return CLI_EXIT_USAGE;
			break;
		case 'h': printf("%s", bench_usage); return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("bench", bench_usage, "%s needs a value",
					       argv[optind - 1]);
		default:
			return cli_usage_error("bench", bench_usage, "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error("bench", bench_usage, "unexpected argument '%s'",
				       argv[optind]);
	if ((o->engines && check_engine_names(o->engines)) ||
	    (o->only && check_case_words(o->only)))
		return CLI_EXIT_USAGE;
	if (!o->list && (check_output(o->json) || check_output(o->svg) ||
			 check_output(o->md)))
		return CLI_EXIT_USAGE;
	/*
	 * About 40 engine slots: full, 10 rounds x 100 ms (~45 s) plus the
	 * growth cases (18 slots x 5 x 60 ms); quick, 5 x 50 ms. Many short
	 * rounds make a better median than a few long ones on a busy machine.
	 */
	run->rounds = rounds ? rounds : run->quick ? 5 : 10;
	run->growth_rounds = rounds ? run->rounds : 5;
	run->slice_ms = slice ? slice : run->quick ? 50 : 100;
	run->growth_slice_ms = slice ? slice : 60;
	run->file_size = run->quick ? QUICK_FILE : FULL_FILE;
	return -1;
}

static int write_reports(const struct bench_run *run, const struct bench_opts *o)
{
	int ret = 0;

	if (o->json && bench_write_json(run, o->json) < 0)
		ret = -1, fprintf(stderr, "aioring bench: %s: %m\n", o->json);
	if (o->svg && bench_write_svg(run, o->svg) < 0)
		ret = -1, fprintf(stderr, "aioring bench: %s: %m\n", o->svg);
	if (o->md && bench_write_markdown(run, o->md) < 0)
		ret = -1, fprintf(stderr, "aioring bench: %s: %m\n", o->md);
	return ret;
}

int cmd_bench(int argc, char **argv)
{
	static struct bench_run run;
	struct bench_opts o = { 0 };
	bool files[NR_FILES] = { 0 };
	uint64_t t0 = bench_now_ns();
	int i, ret, n = 0;

	ret = parse(argc, argv, &run, &o);
	if (ret >= 0)
		return ret;
	run.svg_path = o.svg;
	describe_machine(&run, argc, argv);
	run.cases = suite;
	for (i = 0; i < NR_SUITE; i++) {
		struct bench_case *c = &suite[i];

		if (!case_wanted(c, o.only, run.quick))
			continue;
		if (o.list) {
			printf("%-22s %s\n", c->id, c->title);
			continue;
		}
		suite[n] = *c;
		c = &suite[n++];
		if (c->fam == &bench_fam_read)
			c->file_size = run.file_size;
		files[F_CACHED] |= c->path == file_path[F_CACHED];
		files[F_TMPFS] |= c->path == file_path[F_TMPFS];
		files[F_WRITE] |= c->path == file_path[F_WRITE];
		check_engines(c, o.engines);
		for (ret = 0; ret < c->nres; ret++)
			if (c->res[ret].status == BR_OK)
				prog.total += (uint64_t)rounds_of(&run, c) *
					      slice_of(&run, c);
	}
	if (o.list)
		return CLI_EXIT_OK;
	if (!n) {
		fprintf(stderr, "aioring bench: no case to run (--quick leaves "
			"out the grow-* cases)\n");
		return CLI_EXIT_USAGE;
	}
	run.ncases = n;
	/* Before the workloads, while the heap is small (bench_costs.c). */
	bench_measure_costs(&run);
	prog.on = isatty(STDERR_FILENO);
	if (prepare_files(&run, files))
		return CLI_EXIT_FAIL;
	for (i = 0; i < n; i++)
		run_case(&run, &suite[i]);
	run.seconds = (double)(bench_now_ns() - t0) / 1e9;
	if (getloadavg(&run.load[1], 1) != 1)
		run.load[1] = -1;
	if (prog.on)
		fprintf(stderr, "\r\033[K");
	bench_print_table(&run, stdout);
	return write_reports(&run, &o) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
