/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - the differential fuzzer of aioring (tests/fuzz/).
 *
 * An input is generated from (seed, index) by a phase's generator, run once
 * on the kernel's io_uring (the oracle) and once on the engine, each in a
 * forked child that recreates the same environment (fds at fixed numbers,
 * memory at a fixed address, a fresh temp directory), and the two results
 * are compared. See README in this directory.
 */
#ifndef AIORING_FUZZ_H
#define AIORING_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "liburing.h"
#include "aioring.h"

/* --- randomness: a seeded PRNG, or the bytes of a libFuzzer input -------- */

struct fz_rng {
	uint64_t s;
	const uint8_t *data;	/* non-NULL: draw from these bytes */
	size_t len, pos;
};

void fz_rng_seed(struct fz_rng *r, uint64_t seed);
uint64_t fz_next(struct fz_rng *r);
/* Uniform-ish in [0, n). */
uint32_t fz_below(struct fz_rng *r, uint32_t n);
/* True with probability @pct percent. */
bool fz_chance(struct fz_rng *r, unsigned pct);
/* The per-input seed of (@seed, @index, @phase). */
uint64_t fz_input_seed(uint64_t seed, uint64_t index, int phase);

/* --- the environment (env.c) --------------------------------------------- */

/* Application memory at a fixed address, the same in every child. */
#define FZ_BASE		0x200000000000ull	/* clear of ASan's shadow */
#define FZ_PAGE		4096u
#define FZ_PG(n)	(FZ_BASE + (uint64_t)(n) * FZ_PAGE)
#define FZ_DATA		FZ_PG(0)	/* 16 pages of patterned data */
#define FZ_DATA_LEN	(16u * FZ_PAGE)
#define FZ_STRUCTS	FZ_PG(16)	/* valid structures, see FZ_S_* */
#define FZ_RO		FZ_PG(20)	/* read-only: the kernel cannot write */
#define FZ_NONE		FZ_PG(21)	/* PROT_NONE */
#define FZ_PARTIAL	FZ_PG(22)	/* RW, then PROT_NONE at page 23 */
#define FZ_HOLE		FZ_PG(24)	/* unmapped (pages 24, 25) */
#define FZ_REGBUF	FZ_PG(26)	/* 2 registered buffers of 16 KiB */
#define FZ_PBUF		FZ_PG(34)	/* provided buffers: 8 x 4 KiB */
#define FZ_BUFRING	FZ_PG(42)	/* a buffer ring of 8 entries */
#define FZ_SCRATCH	FZ_PG(43)	/* random contents (register phase) */
#define FZ_SCRATCH_LEN	(4u * FZ_PAGE)
#define FZ_NPAGES	47u
#define FZ_KERNEL_PTR	0xffff888000000000ull
#define FZ_NONCANON	0x8000000000000000ull

/* Valid structures, at these offsets from FZ_STRUCTS. */
enum {
	FZ_S_IOV = 0,		/* 4 iovecs into the data pages */
	FZ_S_IOV_BAD = 64,	/* data, then the hole */
	FZ_S_IOV_KERN = 96,	/* a kernel-half base */
	FZ_S_IOV_BIG = 112,	/* a 1 TiB length */
	FZ_S_PATH_F = 128,	/* "f": the regular file */
	FZ_S_PATH_D = 136,	/* "d": a directory */
	FZ_S_PATH_NONE = 144,	/* "nonexist" */
	FZ_S_PATH_DG = 160,	/* "d/g": a file in it */
	FZ_S_PATH_EMPTY = 168,	/* "" */
	FZ_S_PATH_LNK = 176,	/* "lnk" -> "f" */
	FZ_S_PATH_NEW = 184,	/* "new" */
	FZ_S_PATH_LONG = 192,	/* 300 x 'a': ENAMETOOLONG */
	FZ_S_SIN = 512,		/* 127.0.0.1: the listener */
	FZ_S_SIN_REFUSED = 528,	/* 127.0.0.1 port 1 */
	FZ_S_SIN6 = 544,	/* ::1, the listener's port (refused) */
	FZ_S_SUN = 576,		/* AF_UNIX "usock" */
	FZ_S_SOCKLEN = 688,	/* socklen_t 16 */
	FZ_S_SOCKLEN2 = 696,	/* socklen_t 16, for a second writer */
	FZ_S_MSG = 704,		/* msghdr: 1 iovec, no name */
	FZ_S_MSG_NAME = 768,	/* msghdr with FZ_S_SIN */
	FZ_S_MSG_BADIOV = 832,	/* msghdr whose iovec is in the hole */
	FZ_S_TS0 = 896,		/* timespec {0, 0} */
	FZ_S_TS1MS = 912,
	FZ_S_TS20MS = 928,
	FZ_S_TSLONG = 944,	/* 30 s: blocks */
	FZ_S_TSBAD = 960,	/* nsec 2e9 */
	FZ_S_TSNEG = 976,	/* sec -1 */
	FZ_S_HOW = 992,		/* open_how O_RDONLY */
	FZ_S_HOW_CREAT = 1024,	/* O_CREAT | O_WRONLY, 0644 */
	FZ_S_HOW_BENEATH = 1056, /* RESOLVE_BENEATH */
	FZ_S_HOW_BAD = 1088,	/* flags ~0 */
	FZ_S_EPEV = 1120,	/* epoll_event EPOLLIN */
	FZ_S_FUTEX = 1136,	/* u32 0, then u32 1 */
	FZ_S_WAITV = 1152,	/* 2 futex_waitv on the two words */
	FZ_S_XNAME = 1216,	/* "user.fz" */
	FZ_S_XNAME_BAD = 1232,	/* "bad.fz" */
	FZ_S_FDS = 1248,	/* int[8]: env fds */
	FZ_S_U64 = 1280,	/* u64 1 */
	FZ_S_IOV_REG = 1296,	/* 2 iovecs into the registered buffers */
	FZ_S_END = 1328,
};

/* Descriptors at fixed numbers, the same in every child. */
enum {
	FZ_FD_BASE = 200,
	FZ_FD_REG = FZ_FD_BASE,	/* "f" on the temp dir's file system */
	FZ_FD_REG_RO,
	FZ_FD_DIRECT,		/* "f" with O_DIRECT, or closed */
	FZ_FD_MEMFD,		/* tmpfs */
	FZ_FD_PIPE_R,		/* empty pipe */
	FZ_FD_PIPE_W,
	FZ_FD_PIPE2_R,		/* a pipe with 100 bytes in it */
	FZ_FD_PIPE2_W,
	FZ_FD_UNIX_A,		/* stream socketpair: 100 bytes for A */
	FZ_FD_UNIX_B,
	FZ_FD_TCP_C,		/* a TCP connection: 100 bytes for C */
	FZ_FD_TCP_S,
	FZ_FD_LISTEN,		/* TCP listener, one connection pending */
	FZ_FD_UDP,		/* bound UDP socket, empty */
	FZ_FD_EVENTFD0,		/* eventfd, counter 0 */
	FZ_FD_EVENTFD5,		/* eventfd, counter 5 */
	FZ_FD_NULL,		/* /dev/null */
	FZ_FD_ZERO,		/* /dev/zero */
	FZ_FD_DIR,		/* "d" */
	FZ_FD_CLOSED,		/* never open */
	FZ_FD_PTY,		/* a pty master, or closed */
	FZ_FD_EPOLL,		/* epoll set with the empty pipe */
	FZ_FD_DGRAM,		/* datagram socketpair, empty */
	FZ_FD_OPATH,		/* "f" with O_PATH */
	FZ_FD_END,
};
#define FZ_FD_RING	999	/* rewritten to the ring's fd in the child */

/* Registrations made on the ring before an SQE input runs. */
#define FZ_ENV_FILES	1u	/* the env fds as fixed files 0..N-1 */
#define FZ_ENV_BUFS	2u	/* FZ_REGBUF as buffers 0 and 1 */
#define FZ_ENV_PBUF	4u	/* group 1: buffer ring; group 2: legacy */

struct fz_env {
	char dir[256];		/* the temp dir, removed by the parent */
	uint16_t tcp_port;
};

/* In the child: maps the memory, makes the temp dir and the fds. */
int fz_env_create(struct fz_env *env);
/* After the ring exists: the FZ_ENV_* registrations; 0 or -errno. */
int fz_env_register(struct io_uring *ring, unsigned env_bits);
/* In-process use (libfuzzer.c): unmaps the memory, removes the dir. */
void fz_env_destroy(struct fz_env *env);
/* In the parent: removes a child's temp dir. */
void fz_env_remove_dir(const char *dir);
/* Fills the scratch pages from @seed. */
void fz_env_scratch(uint64_t seed);
/* The name of env fd @fd ("pipe_r"), or NULL. */
const char *fz_fd_name(int fd);
/* The kind of env fd @fd ("file", "pipe", "sock", "bad"...). */
const char *fz_fd_kind(int fd);
/* A class name for a pointer value ("data", "hole", "kernel"...). */
const char *fz_ptr_name(uint64_t p);

/* --- inputs ---------------------------------------------------------------- */

enum fz_phase { FZ_SETUP, FZ_REGISTER, FZ_SQE, FZ_NPHASE };
extern const char *const fz_phase_names[FZ_NPHASE];

#define FZ_MAX_SQE	8
#define FZ_MAX_CALLS	4

struct fz_setup_in {
	uint32_t entries;
	uint64_t ptr;		/* where the params go (0: NULL) */
	struct io_uring_params p;
};

struct fz_reg_call {
	uint32_t opcode, nr_args;
	uint64_t arg;
};

struct fz_reg_in {
	uint32_t ring_flags;
	uint64_t content_seed;	/* fills the scratch pages */
	uint32_t ncall;
	struct fz_reg_call call[FZ_MAX_CALLS];
};

struct fz_sqe_in {
	uint32_t env;		/* FZ_ENV_* */
	uint32_t ring_flags;
	uint32_t nsqe, nbatch;
	uint8_t batch[FZ_MAX_SQE];	/* SQEs per submit */
	struct io_uring_sqe sqe[FZ_MAX_SQE];
};

struct fz_input {
	int phase;
	uint64_t seed, index;	/* where it came from (for the report) */
	union {
		struct fz_setup_in setup;
		struct fz_reg_in reg;
		struct fz_sqe_in sqe;
	};
};

/* gen_*.c: generation, execution (in the child) and printing. */
void fz_gen_setup(struct fz_rng *r, struct fz_input *in);
void fz_gen_register(struct fz_rng *r, struct fz_input *in);
void fz_gen_sqe(struct fz_rng *r, struct fz_input *in);
void fz_gen(struct fz_rng *r, int phase, struct fz_input *in);

/* --- results ------------------------------------------------------------- */

#define FZ_MAX_RETS	16
#define FZ_MAX_CQE	256

struct fz_cqe {
	uint64_t user_data;
	int32_t res;
	uint32_t flags;
	uint32_t ms;		/* arrival, since the last submit */
};

/* Lives in shared memory; the child fills it as it goes. */
struct fz_result {
	volatile int stage;	/* how far it got: FZ_ST_* */
	int nret;
	int64_t ret[FZ_MAX_RETS];	/* the calls' results, in order */
	const char *ret_what[FZ_MAX_RETS];
	int ncqe;
	int cqe_lost;		/* beyond FZ_MAX_CQE */
	struct fz_cqe cqe[FZ_MAX_CQE];
	uint32_t window_ms;
	char dir[256];
	char note[160];
};

enum { FZ_ST_START, FZ_ST_ENV, FZ_ST_RUN, FZ_ST_REAP, FZ_ST_EXIT, FZ_ST_DONE };
extern const char *const fz_stage_names[];

void fz_ret(struct fz_result *res, const char *what, int64_t v);

/* In the child (exec.c): runs @in on the current backend into @res. */
void fz_exec_setup(const struct fz_input *in, struct fz_result *res);
void fz_exec_register(const struct fz_input *in, struct fz_result *res);
void fz_exec_sqe(const struct fz_input *in, struct fz_result *res, unsigned window_ms);
/* Reaps CQEs of @ring into @res until @window_ms pass, or sooner once
 * each of @uds (n) has a final CQE and nothing is skipped. */
void fz_reap(struct io_uring *ring, struct fz_result *res, unsigned window_ms,
	     const uint64_t *uds, unsigned n, bool may_skip);

/* --- comparison (compare.c) ---------------------------------------------- */

#define FZ_MAX_CLASSES 16

struct fz_verdict {
	int nclass;
	char cls[FZ_MAX_CLASSES][160];	/* mismatch classes */
	char detail[FZ_MAX_CLASSES][200];
};

/* Compares the two results of @in; fills @v with the mismatches. */
void fz_compare(const struct fz_input *in, const struct fz_result *k,
		const struct fz_result *e, struct fz_verdict *v);
/* Known differences (tests/fuzz/known.txt): the reason, or NULL. */
int fz_known_load(const char *path);
const char *fz_known_match(const char *cls);
/* Open defects (tests/fuzz/open.txt): found, their fix pending in another
 * part of the engine; counted and shown, not failures. */
int fz_open_load(const char *path);
const char *fz_open_match(const char *cls);
/* "-EFAULT", "+", "0"... */
const char *fz_errname(int64_t v, char *buf, size_t len);
const char *fz_op_name(unsigned op);
const char *fz_reg_name(unsigned op);

/* --- printing and the corpus (io.c) -------------------------------------- */

void fz_print_input(FILE *f, const struct fz_input *in);
void fz_print_result(FILE *f, const char *label, const struct fz_result *r);
/* The text form of an input, read back by fz_read_input(). */
int fz_write_input(const char *path, const struct fz_input *in, const char *why);
int fz_read_input(const char *path, struct fz_input *in);

#endif
