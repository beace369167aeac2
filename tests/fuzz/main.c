/* SPDX-License-Identifier: MIT */
/*
 * aioring's differential fuzzer: the driver.
 *
 *   fuzz [--phase setup|register|sqe|all] [--seed S] [--seconds N]
 *        [--count N] [--corpus DIR] [--save DIR] [--known FILE]
 *        [--window MS] [-v]
 *   fuzz --phase P --seed S --index I     replays one input, prints it and
 *                                        both results
 *   fuzz --replay FILE                    the same for a corpus file
 *
 * Each input runs on the kernel (the oracle) and on the engine, in two
 * forked children at once. A crash or a hang of the engine's child is a
 * failure; so is a mismatch that the known-differences list does not name
 * and that a second run reproduces (a mismatch that does not come back is
 * counted as unstable). Exit status: 0 no failure, 1 failures, 77 no kernel
 * io_uring to compare with.
 */
#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"

#define HANG_MS		8000u	/* beyond the window: a hang */
#define MAX_STAT	512

struct stat_class {
	char cls[160];
	unsigned n;
	bool fail, open;
	uint64_t seed, index;
	int phase;
};

struct stats {
	unsigned inputs, clean, known, unstable, oracle_bad, crashes, hangs, fails;
	unsigned open;		/* classes on the open list (not failures) */
	unsigned unlisted;	/* new mismatches, with --crashes-only */
};

static struct {
	unsigned window_ms;
	bool verbose;
	/* A new mismatch is reported, not a failure: only crashes and hangs
	 * fail (make test's random-seed slice, which must not fail CI on a
	 * difference nobody has looked at yet; the fixed seed is strict). */
	bool crashes_only;
	const char *save_dir;
	struct stats ph[FZ_NPHASE];
	struct stat_class cls[MAX_STAT];
	unsigned ncls;
	unsigned saved;
} g = { .window_ms = 200 };

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* A network namespace of our own: nothing an input does with sockets can
 * leave the machine, and the loopback is ours. */
static void own_netns(void)
{
	struct ifreq ifr = { 0 };
	int s;

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "fuzz: no network namespace (%s): sockets use "
			"the host's loopback\n", strerror(errno));
		return;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (s >= 0)
		close(s);
}

/* -v: a crashing child prints where (addr2line -e the binary, on the
 * offsets), then dies of its signal. */
static void crash_trace(int sig)
{
	void *bt[32];

	backtrace_symbols_fd(bt, backtrace(bt, 32), 2);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void child_main(const struct fz_input *in, int backend,
		       struct fz_result *res)
{
	struct fz_env env;
	int null = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A write to a pipe or socket without a reader raises SIGPIPE on
	 * both backends alike; the result (-EPIPE) is what is compared. */
	signal(SIGPIPE, SIG_IGN);
	dup2(null, 0);
	dup2(null, 1);
	if (!g.verbose)
		dup2(null, 2);
	else {
		signal(SIGSEGV, crash_trace);
		signal(SIGBUS, crash_trace);
	}
	close(null);
	aioring_set_mode(backend == AIORING_BACKEND_KERNEL ? AIORING_MODE_KERNEL
							   : AIORING_MODE_USER);
	if (fz_env_create(&env)) {
		snprintf(res->note, sizeof(res->note), "env: %s", strerror(errno));
		snprintf(res->dir, sizeof(res->dir), "%s", env.dir);
		_exit(3);
	}
	snprintf(res->dir, sizeof(res->dir), "%s", env.dir);
	res->stage = FZ_ST_ENV;
	if (in->phase == FZ_SETUP)
		fz_exec_setup(in, res);
	else if (in->phase == FZ_REGISTER)
		fz_exec_register(in, res);
	else
		fz_exec_sqe(in, res, g.window_ms);
	res->stage = FZ_ST_DONE;
	_exit(0);
}

/* The end of a child: 0, the signal (> 0), or -1 for a hang. */
static int child_wait(pid_t pid, uint64_t deadline)
{
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		if (r < 0)
			return 0;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(500);
	}
}

/* Runs @in on both backends; the children's ends in @end[0..1]. */
static void run_both(const struct fz_input *in, struct fz_result *res, int end[2])
{
	static const int backends[2] = { AIORING_BACKEND_KERNEL, AIORING_BACKEND_USER };
	uint64_t deadline;
	pid_t pid[2];
	int i;

	for (i = 0; i < 2; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		pid[i] = fork();
		if (pid[i] == 0)
			child_main(in, backends[i], &res[i]);
	}
	deadline = now_ms() + g.window_ms + HANG_MS;
	for (i = 0; i < 2; i++) {
		end[i] = pid[i] < 0 ? -2 : child_wait(pid[i], deadline);
		fz_env_remove_dir(res[i].dir);
	}
}

static struct stat_class *class_of(const char *cls)
{
	unsigned i;

	for (i = 0; i < g.ncls; i++)
		if (!strcmp(g.cls[i].cls, cls))
			return &g.cls[i];
	if (g.ncls == MAX_STAT)
		return NULL;
	snprintf(g.cls[g.ncls].cls, sizeof(g.cls[0].cls), "%s", cls);
	return &g.cls[g.ncls++];
}

static void save(const struct fz_input *in, const char *why)
{
	char path[512];

	if (!g.save_dir || g.saved >= 200)
		return;
	snprintf(path, sizeof(path), "%s/%s-%" PRIu64 "-%" PRIu64 ".txt",
		 g.save_dir, fz_phase_names[in->phase], in->seed, in->index);
	if (!fz_write_input(path, in, why))
		g.saved++;
}

static void report(const struct fz_input *in, struct fz_result *res,
		   const char *what, const char *detail)
{
	struct stat_class *c = class_of(what);

	if (c && c->n++ == 0) {
		c->fail = true;
		c->seed = in->seed;
		c->index = in->index;
		c->phase = in->phase;
		printf("FAIL %s seed %" PRIu64 " index %" PRIu64 ": %s\n    %s\n"
		       "    replay: fuzz --phase %s --seed %" PRIu64 " --index %" PRIu64 "\n",
		       fz_phase_names[in->phase], in->seed, in->index, what, detail,
		       fz_phase_names[in->phase], in->seed, in->index);
		if (g.verbose) {
			fz_print_input(stdout, in);
			fz_print_result(stdout, "kernel", &res[0]);
			fz_print_result(stdout, "engine", &res[1]);
		}
		fflush(stdout);
		save(in, what);
	}
}

/* A class on the open list: a defect found, its fix pending (open.txt). */
static void count_open(const struct fz_input *in, const char *what)
{
	struct stat_class *c = class_of(what);

	g.ph[in->phase].open++;
	if (c && c->n++ == 0) {
		c->open = true;
		c->seed = in->seed;
		c->index = in->index;
		c->phase = in->phase;
	}
}

/* Runs one input and counts what came of it; returns true on a failure. */
static bool run_input(const struct fz_input *in)
{
	struct stats *st = &g.ph[in->phase];
	struct fz_result *res = mmap(NULL, 2 * sizeof(*res), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct fz_verdict v, v2;
	bool fail = false, unknown = false;
	char what[200];
	int end[2], i, j;

	if (res == MAP_FAILED)
		return false;
	st->inputs++;
	run_both(in, res, end);
	/* A crash or hang of the engine's child is a failure; so is one of
	 * the kernel's: it runs the library's own front too ("library" when
	 * both died, "kernel-backend" when only the kernel's did). */
	if (end[1] || end[0] > 0) {
		int e = end[1] ? end[1] : end[0];
		const char *who = end[1] && end[0] > 0 ? "library" :
				  end[1] ? "engine" : "kernel-backend";

		snprintf(what, sizeof(what), "%s%s%s %s %s (stage %s)",
			 fz_phase_names[in->phase], in->phase == FZ_SETUP ? " ptr=" : "",
			 in->phase == FZ_SETUP ? fz_ptr_name(in->setup.ptr) : "", who,
			 e < 0 ? "hang" : "crash", fz_stage_names[res[end[1] ? 1 : 0].stage]);
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%s",
			 e > 0 ? " signal " : "", e > 0 ? strsignal(e) : "");
		*(e < 0 ? &st->hangs : &st->crashes) += 1;
		if (fz_open_match(what)) {
			count_open(in, what);
			goto out;
		}
		report(in, res, what, "a child did not finish");
		st->fails++;
		fail = true;
		goto out;
	}
	if (end[0] || res[0].stage != FZ_ST_DONE || res[1].stage != FZ_ST_DONE) {
		st->oracle_bad++;	/* the kernel's child (or env) failed */
		goto out;
	}
	fz_compare(in, &res[0], &res[1], &v);
	for (i = 0; i < v.nclass; i++) {
		if (fz_open_match(v.cls[i]))
			count_open(in, v.cls[i]);
		else
			unknown |= !fz_known_match(v.cls[i]);
	}
	if (unknown) {		/* does it come back? */
		run_both(in, res, end);
		if (end[1] || end[0])
			memset(&v2, 0, sizeof(v2));
		else
			fz_compare(in, &res[0], &res[1], &v2);
		for (i = 0; i < v.nclass; i++) {
			if (fz_known_match(v.cls[i]) || fz_open_match(v.cls[i]))
				continue;
			for (j = 0; j < v2.nclass && strcmp(v.cls[i], v2.cls[j]); j++)
				;
			if (j == v2.nclass)
				continue;
			report(in, res, v.cls[i], v.detail[i]);
			if (g.crashes_only)
				st->unlisted++;
			else
				fail = true;
		}
	}
	for (i = 0; i < v.nclass; i++) {
		struct stat_class *c = fz_known_match(v.cls[i]) ? class_of(v.cls[i]) : NULL;

		if (c && c->n++ == 0) {
			c->seed = in->seed;
			c->index = in->index;
			c->phase = in->phase;
		}
	}
	if (fail)
		st->fails++;
	else if (unknown)
		st->unstable++;
	else if (v.nclass)
		st->known++;
	else
		st->clean++;
out:
	munmap(res, 2 * sizeof(*res));
	return fail;
}

static void replay_one(const struct fz_input *in)
{
	struct fz_result *res = mmap(NULL, 2 * sizeof(*res), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct fz_verdict v;
	int end[2], i;

	fz_print_input(stdout, in);
	run_both(in, res, end);
	fz_print_result(stdout, "kernel", &res[0]);
	fz_print_result(stdout, "engine", &res[1]);
	if (end[0] || end[1])
		printf("ends: kernel %d, engine %d (-1 hang, >0 signal)\n", end[0], end[1]);
	fz_compare(in, &res[0], &res[1], &v);
	for (i = 0; i < v.nclass; i++) {
		const char *why = fz_known_match(v.cls[i]) ?: fz_open_match(v.cls[i]);

		printf("%s: %s\n    %s\n", why ? (fz_known_match(v.cls[i]) ? "known" : "open") :
		       "MISMATCH", v.cls[i], v.detail[i]);
		if (why)
			printf("    (%s)\n", why);
	}
	if (!v.nclass && !end[0] && !end[1])
		printf("same\n");
}

static unsigned run_corpus(const char *dir)
{
	struct dirent **names;
	struct fz_input in;
	unsigned fails = 0;
	char path[512];
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (strstr(names[i]->d_name, ".txt")) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (fz_read_input(path, &in))
				fprintf(stderr, "fuzz: cannot read %s\n", path);
			else
				fails += run_input(&in);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return fails;
}

static void summary(uint64_t seed)
{
	unsigned p, i;

	printf("fuzz: seed %" PRIu64 "\n", seed);
	for (p = 0; p < FZ_NPHASE; p++) {
		struct stats *s = &g.ph[p];

		if (!s->inputs)
			continue;
		printf("  %-8s inputs %u: same %u, known differences %u, unstable %u, "
		       "oracle unusable %u, engine crashes %u, hangs %u, open %u, "
		       "new (reported only) %u, failed %u\n", fz_phase_names[p],
		       s->inputs, s->clean, s->known, s->unstable, s->oracle_bad,
		       s->crashes, s->hangs, s->open, s->unlisted, s->fails);
	}
	for (i = 0; i < g.ncls; i++)
		printf("  %s %5u  %s  (e.g. --phase %s --seed %" PRIu64 " --index %" PRIu64 ")\n",
		       g.cls[i].fail ? "FAIL " : g.cls[i].open ? "OPEN " : "known",
		       g.cls[i].n, g.cls[i].cls,
		       fz_phase_names[g.cls[i].phase], g.cls[i].seed, g.cls[i].index);
}

static int phase_of(const char *s)
{
	int i;

	for (i = 0; i < FZ_NPHASE; i++)
		if (!strcmp(s, fz_phase_names[i]))
			return i;
	return strcmp(s, "all") ? -2 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "phase", 1, 0, 'p' }, { "seed", 1, 0, 's' }, { "seconds", 1, 0, 't' },
		{ "count", 1, 0, 'n' }, { "index", 1, 0, 'i' }, { "corpus", 1, 0, 'c' },
		{ "save", 1, 0, 'S' }, { "known", 1, 0, 'k' }, { "window", 1, 0, 'w' },
		{ "replay", 1, 0, 'r' }, { "verbose", 0, 0, 'v' },
		{ "open", 1, 0, 'o' }, { "crashes-only", 0, 0, 'C' }, { 0 },
	};
	const char *known = "tests/fuzz/known.txt", *corpus = NULL, *replay = NULL;
	const char *open_list = "tests/fuzz/open.txt";
	uint64_t seed = 0, index = 0, count = UINT64_MAX, t_end;
	bool have_seed = false, have_index = false;
	unsigned seconds = 10, fails = 0;
	int phase = -1, c, p, p0, p1;
	struct aioring_kernel_probe kp = { .size = sizeof(kp) };

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'p': phase = phase_of(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = true; break;
		case 't': seconds = (unsigned)atoi(optarg); break;
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 'i': index = strtoull(optarg, NULL, 0); have_index = true; break;
		case 'c': corpus = optarg; break;
		case 'S': g.save_dir = optarg; break;
		case 'k': known = optarg; break;
		case 'w': g.window_ms = (unsigned)atoi(optarg); break;
		case 'r': replay = optarg; break;
		case 'v': g.verbose = true; break;
		case 'o': open_list = optarg; break;
		case 'C': g.crashes_only = true; break;
		default: return 2;
		}
	}
	if (phase == -2) {
		fprintf(stderr, "fuzz: phases: setup, register, sqe, all\n");
		return 2;
	}
	if (aioring_probe_kernel(&kp) || kp.setup_errno) {
		printf("skip: no kernel io_uring to compare with (%s)\n",
		       strerror(kp.setup_errno));
		return 77;
	}
	if (fz_known_load(known))
		fprintf(stderr, "fuzz: no known-differences list %s\n", known);
	if (*open_list)
		fz_open_load(open_list);
	if (!have_seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	own_netns();
	if (replay || have_index) {
		struct fz_input in = { .seed = seed, .index = index };
		struct fz_rng r;

		if (replay && fz_read_input(replay, &in)) {
			fprintf(stderr, "fuzz: cannot read %s\n", replay);
			return 2;
		}
		if (!replay) {
			fz_rng_seed(&r, fz_input_seed(seed, index, phase < 0 ? FZ_SQE : phase));
			fz_gen(&r, phase < 0 ? FZ_SQE : phase, &in);
		}
		replay_one(&in);
		save(&in, "kept by hand (--save with --index)");
		return 0;
	}
	printf("fuzz: seed %" PRIu64 ", %u s, phase %s\n", seed, seconds,
	       phase < 0 ? "all" : fz_phase_names[phase]);
	if (corpus)
		fails += run_corpus(corpus);
	p0 = phase < 0 ? 0 : phase;
	p1 = phase < 0 ? FZ_NPHASE : phase + 1;
	for (p = p0; p < p1; p++) {
		uint64_t i;

		t_end = now_ms() + (uint64_t)seconds * 1000 / (unsigned)(p1 - p0);
		for (i = 0; i < count && now_ms() < t_end; i++) {
			struct fz_input in = { .seed = seed, .index = i };
			struct fz_rng r;

			fz_rng_seed(&r, fz_input_seed(seed, i, p));
			fz_gen(&r, p, &in);
			fails += run_input(&in);
		}
	}
	summary(seed);
	return fails ? 1 : 0;
}
