/* SPDX-License-Identifier: MIT */
/*
 * The router: where each ring lives, and why.
 *
 * A new ring goes to the kernel or to the engine by mode (the thread's
 * aioring_set_mode(), else AIORING_BACKEND, else auto). In auto mode the
 * kernel is tried first; EPERM (a seccomp filter, kernel.io_uring_disabled),
 * ENOSYS (no io_uring, or a filter saying so) or a SIGSYS trap select the
 * engine, and any other error is the caller's. Every later call routes by
 * ring fd: engine rings are found in the engine's fd table (or, for a dup,
 * by inode); everything else goes to the kernel unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "aioring.h"
#include "engine/engine.h"
#include "kernel/syscall.h"
#include "lib/export.h"
#include "lib/route.h"
#include "util/fdmap.h"
#include "util/ucopy.h"
#include "util/ustr.h"

static __thread int mode_override = -1;

/* Kernel rings this library made, with the reason they are there. */
static struct fdmap kernel_fds = FDMAP_INIT;
static const char reason_kernel_auto[] =
	"auto: the kernel allows io_uring, so the kernel runs it";
static const char reason_kernel_forced[] = "kernel: chosen by AIORING_BACKEND=kernel";
static const char reason_kernel_thread[] = "kernel: chosen by aioring_set_mode()";

/* Registered ring indexes not in the engine's table go to the kernel only
 * if this thread registered kernel rings: the kernel's table is per thread
 * too, and an engine-only process must not make io_uring system calls (a
 * seccomp filter may kill it for that). */
static __thread bool kernel_ringfds;
/* Some kernel ring exists (or did): a blind MSG_RING may be the kernel's.
 * Relaxed: a flag that only goes from false to true. */
static atomic_bool kernel_rings_made;

/* The kernel's answer for an index that names no ring. */
static int no_registered_ring(int index)
{
	return (unsigned)index >= 16 ? -EINVAL : -EBADF;
}

static bool fd_is_kernel_ring(int fd);

/*
 * A descriptor that is no engine ring goes to the kernel, unless this
 * process never made a kernel ring and @fd is none: then the kernel's
 * answer for "no ring" is given here (a filter that denies io_uring may
 * kill the process for the call), -EBADF or -EOPNOTSUPP.
 */
static int not_a_ring(int fd)
{
	if (atomic_load_explicit(&kernel_rings_made, memory_order_relaxed) ||
	    fd_is_kernel_ring(fd))
		return 0;
	return fd < 0 || fcntl(fd, F_GETFD) < 0 ? -EBADF : -EOPNOTSUPP;
}

#define ROUTE_ENTER_FLAGS 0xffu	/* IORING_ENTER_GETEVENTS .. NO_IOWAIT */

/* A trapping filter does not go away: after one SIGSYS, never probe again. */
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static int kernel_trapped;

/* A misspelt AIORING_BACKEND would otherwise mean auto without a word:
 * say so once per process. Relaxed: the flag only gates one message and
 * orders nothing else. */
static atomic_bool env_warned;

static void warn_env(const char *v)
{
	if (atomic_exchange_explicit(&env_warned, true, memory_order_relaxed))
		return;
	fprintf(stderr, "aioring: AIORING_BACKEND=%s is not auto, kernel or "
		"user: ignored, using auto\n", v);
}

static int env_mode(void)
{
	const char *v = getenv("AIORING_BACKEND");

	if (!v || !*v || !strcmp(v, "auto"))
		return AIORING_MODE_AUTO;
	if (!strcmp(v, "kernel"))
		return AIORING_MODE_KERNEL;
	if (!strcmp(v, "user"))
		return AIORING_MODE_USER;
	warn_env(v);
	return -1;
}

AIORING_EXPORT int aioring_mode(void)
{
	int mode = mode_override >= 0 ? mode_override : env_mode();

	return mode < 0 ? AIORING_MODE_AUTO : mode;
}

AIORING_EXPORT int aioring_set_mode(int mode)
{
	int old = mode_override;

	if (mode < -1 || mode > AIORING_MODE_USER)
		return -EINVAL;
	mode_override = mode;
	return old;
}

static int kernel_setup(unsigned entries, struct io_uring_params *p,
			int *trapped)
{
	int ret;

	pthread_mutex_lock(&probe_lock);
	if (kernel_trapped) {
		*trapped = 1;
		ret = -ENOSYS;
	} else {
		ret = ksys_io_uring_setup_guarded(entries, p, trapped);
		kernel_trapped = *trapped;
	}
	pthread_mutex_unlock(&probe_lock);
	return ret;
}

static void fallback_reason(char *buf, size_t len, int err, int trapped)
{
	if (trapped)
		snprintf(buf, len, "auto: io_uring_setup was trapped with SIGSYS "
			 "(a seccomp filter), so the engine runs it");
	else if (err == -EPERM)
		snprintf(buf, len, "auto: io_uring_setup failed with EPERM (a seccomp "
			 "filter or kernel.io_uring_disabled), so the engine runs it");
	else
		snprintf(buf, len, "auto: io_uring_setup failed with ENOSYS (no "
			 "io_uring in this kernel, or a filter), so the engine runs it");
}

static int setup_user(unsigned entries, struct io_uring_params *p)
{
	const char *why = mode_override == AIORING_MODE_USER ?
		"user: chosen by aioring_set_mode()" :
		"user: chosen by AIORING_BACKEND=user";

	return eng_setup(entries, p, why);
}

static int setup_kernel(unsigned entries, struct io_uring_params *p, int mode)
{
	struct io_uring_params saved;
	/* A bad pointer is the kernel's to refuse (-EFAULT), not a crash
	 * here; the engine reads the params the same way if it must. */
	bool have = !ucopy(&saved, p, sizeof(saved));
	char why[160];
	int trapped = 0, ret = kernel_setup(entries, p, &trapped);
	const char *reason = reason_kernel_auto;

	if (ret >= 0) {
		atomic_store_explicit(&kernel_rings_made, true,
				      memory_order_relaxed);
		/* REGISTERED_FD_ONLY gives a registered index, not an fd.
		 * (The kernel read the params: our copy holds them.) */
		if (have && (saved.flags & IORING_SETUP_REGISTERED_FD_ONLY)) {
			kernel_ringfds = true;
			return ret;
		}
		if (mode == AIORING_MODE_KERNEL)
			reason = mode_override >= 0 ? reason_kernel_thread :
						      reason_kernel_forced;
		if (fdmap_set(&kernel_fds, ret, (void *)reason)) {
			close(ret);
			return -ENOMEM;
		}
		return ret;
	}
	if (mode == AIORING_MODE_KERNEL ||
	    !(ret == -EPERM || ret == -ENOSYS || trapped))
		return ret;
	if (have)
		uput(p, &saved, sizeof(saved));
	fallback_reason(why, sizeof(why), ret, trapped);
	return eng_setup(entries, p, why);
}

int route_setup(unsigned entries, struct io_uring_params *p)
{
	int mode = aioring_mode();

	if (!p)
		return -EFAULT;
	if (mode == AIORING_MODE_USER)
		return setup_user(entries, p);
	return setup_kernel(entries, p, mode);
}

/* The engine ring behind @fd, or NULL for a kernel one. */
static struct eng_ctx *route_engine(int fd)
{
	struct eng_ctx *ctx = eng_lookup(fd);

	if (ctx || fdmap_get(&kernel_fds, fd))
		return ctx;
	return eng_lookup_dup(fd);
}

int route_enter(int fd, unsigned to_submit, unsigned min_complete,
		unsigned flags, const void *arg, size_t argsz)
{
	struct eng_ctx *ctx = NULL;
	bool gone;
	int ret;

	/* A registered ring index is not a descriptor: the engine's own
	 * table of this thread is asked first (src/engine/ringfd.c). */
	if (flags & IORING_ENTER_REGISTERED_RING) {
		ctx = eng_ringfd_get((unsigned)fd, &gone);
		if (gone)
			return -EBADF;
		if (ctx)
			flags &= ~IORING_ENTER_REGISTERED_RING;
		else if (!kernel_ringfds)	/* the kernel checks flags first */
			return flags & ~ROUTE_ENTER_FLAGS ? -EINVAL :
			       no_registered_ring(fd);
	} else {
		ctx = route_engine(fd);
		if (!ctx && (ret = not_a_ring(fd)))
			return flags & ~ROUTE_ENTER_FLAGS ? -EINVAL : ret;
	}
	if (ctx)
		return eng_enter(ctx, to_submit, min_complete, flags, arg, argsz);
	return ksys_io_uring_enter2(fd, to_submit, min_complete, flags, arg, argsz);
}

/*
 * A blind MSG_RING (fd -1) whose target is an engine ring is the engine's,
 * and so is any when there are no kernel rings to send to (the engine
 * then gives the kernel's errors without a system call). The SQE is read
 * as the kernel reads it: a bad pointer is -EFAULT, never a crash.
 * Returns 1 for "the kernel's".
 */
static int route_msg_ring(const void *arg, unsigned nr_args)
{
	bool kernel = atomic_load_explicit(&kernel_rings_made,
					   memory_order_relaxed);
	struct io_uring_sqe sqe;

	if (!arg || nr_args != 1)
		return kernel ? 1 : -EINVAL;
	if (ucopy(&sqe, arg, sizeof(sqe)))
		return kernel ? 1 : -EFAULT;
	if (kernel && !route_engine(sqe.fd))
		return 1;
	return eng_msg_ring_sync(&sqe);
}

int route_register(int fd, unsigned opcode, const void *arg, unsigned nr_args)
{
	unsigned op = opcode & ~IORING_REGISTER_USE_REGISTERED_RING;
	struct eng_ctx *ctx = NULL;
	int ret;

	if (fd == -1 && opcode == IORING_REGISTER_SEND_MSG_RING &&
	    (ret = route_msg_ring(arg, nr_args)) != 1)
		return ret;
	if (opcode & IORING_REGISTER_USE_REGISTERED_RING) {
		bool gone;

		ctx = eng_ringfd_get((unsigned)fd, &gone);
		if (gone)
			return -EBADF;
		if (ctx)
			opcode = op;
		else if (!kernel_ringfds)	/* the kernel checks op first */
			return op >= IORING_REGISTER_LAST ? -EINVAL :
			       no_registered_ring(fd);
	} else {
		ctx = route_engine(fd);
		if (!ctx && (ret = not_a_ring(fd)))	/* fd -1: blind ops */
			return op >= IORING_REGISTER_LAST || fd == -1 ?
			       -EINVAL : ret;
	}
	if (ctx)
		return eng_register(ctx, opcode, arg, nr_args);
	if ((opcode & ~IORING_REGISTER_USE_REGISTERED_RING) ==
	    IORING_REGISTER_RING_FDS)
		kernel_ringfds = true;
	return ksys_io_uring_register(fd, opcode, arg, nr_args);
}

void *route_mmap(int fd, size_t len, __u64 offset)
{
	struct eng_ctx *ctx = route_engine(fd);
	void *p;
	int err = 0;

	if (ctx) {
		p = eng_mmap(ctx, len, offset, &err);
		return p ? p : (void *)(long)err;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, (off_t)offset);
	return p == MAP_FAILED ? (void *)(long)-errno : p;
}

/* Engine ring memory belongs to the ring and goes with route_close(). */
int route_munmap(void *addr, size_t len)
{
	if (eng_owns(addr))
		return 0;
	return munmap(addr, len) ? -errno : 0;
}

void route_cq_empty(int fd)
{
	struct eng_ctx *ctx = eng_lookup(fd);

	if (ctx)
		eng_cq_idle(ctx);
}

int route_close(int fd)
{
	struct eng_ctx *ctx = route_engine(fd);

	if (ctx)
		return eng_close(ctx, fd);
	fdmap_set(&kernel_fds, fd, NULL);
	return close(fd) ? -errno : 0;
}

/* --- what aioring.h offers --- */

static bool fd_is_kernel_ring(int fd)
{
	char path[64], link[64];
	ssize_t n;

	if (fdmap_get(&kernel_fds, fd))
		return true;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:[io_uring]");
}

AIORING_EXPORT int aioring_backend_fd(int ring_fd)
{
	if (route_engine(ring_fd))
		return AIORING_BACKEND_USER;
	return fd_is_kernel_ring(ring_fd) ? AIORING_BACKEND_KERNEL : -EBADF;
}

AIORING_EXPORT int aioring_backend(const struct io_uring *ring)
{
	return ring ? aioring_backend_fd(ring->ring_fd) : -EBADF;
}

AIORING_EXPORT const char *aioring_backend_name(int backend)
{
	switch (backend) {
	case AIORING_BACKEND_KERNEL:
		return "kernel";
	case AIORING_BACKEND_USER:
		return "user";
	default:
		return "none";
	}
}

AIORING_EXPORT const char *aioring_backend_reason_fd(int ring_fd)
{
	struct eng_ctx *ctx = route_engine(ring_fd);
	const char *why;

	if (ctx)
		return eng_reason(ctx);
	why = fdmap_get(&kernel_fds, ring_fd);
	if (why)
		return why;
	return fd_is_kernel_ring(ring_fd) ? "kernel: a ring made outside aioring" :
					    "not an io_uring ring";
}

AIORING_EXPORT const char *aioring_backend_reason(const struct io_uring *ring)
{
	return ring ? aioring_backend_reason_fd(ring->ring_fd) :
		      "not an io_uring ring";
}

static int read_int_file(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int seccomp_mode(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* The struct as 0.1.0 shipped it: the smallest size a caller may pass. */
#define KERNEL_PROBE_SIZE_0 \
	(offsetof(struct aioring_kernel_probe, release) + 65)

/*
 * Fills a whole struct of this version, then copies what the caller has
 * room for: a caller built against a newer header (bigger size) gets the
 * fields this library knows, zeroes after them, and size saying where its
 * knowledge ends.
 */
AIORING_EXPORT int aioring_probe_kernel(struct aioring_kernel_probe *out)
{
	struct aioring_kernel_probe k;
	struct io_uring_params p;
	struct utsname u;
	int ret, trapped = 0;
	size_t n;

	if (!out || out->size < KERNEL_PROBE_SIZE_0)
		return -EINVAL;
	n = out->size < sizeof(k) ? out->size : sizeof(k);
	memset(&k, 0, sizeof(k));
	if (!uname(&u))
		snprintf(k.release, sizeof(k.release), "%s", u.release);
	k.io_uring_disabled = read_int_file("/proc/sys/kernel/io_uring_disabled");
	k.seccomp_mode = seccomp_mode();
	memset(&p, 0, sizeof(p));
	ret = kernel_setup(1, &p, &trapped);
	if (ret >= 0)
		close(ret);
	k.setup_errno = ret < 0 ? -ret : 0;
	k.sigsys = trapped;
	memset((char *)out + n, 0, out->size - n);
	k.size = (unsigned)n;
	memcpy(out, &k, n);
	return 0;
}
