/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register() on the engine. Like the kernel, registration runs
 * under the submission lock, so the submitter never sees a half-made table.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "engine/req.h"
#include "engine/rsrc.h"
#include "engine/ringctl.h"
#include "util/fault.h"
#include "util/ucopy.h"
#include "util/ustr.h"

int eng_probe_fill(struct io_uring_probe *p, unsigned nr_ops)
{
	unsigned i;

	if (nr_ops > IORING_OP_LAST)
		nr_ops = IORING_OP_LAST;
	/* As the kernel: the caller hands in a zeroed probe. */
	for (i = 0; i < sizeof(*p) + nr_ops * sizeof(p->ops[0]); i++)
		if (((const unsigned char *)p)[i])
			return -EINVAL;
	p->last_op = IORING_OP_LAST - 1;
	p->ops_len = (uint8_t)nr_ops;
	for (i = 0; i < nr_ops; i++) {
		p->ops[i].op = (uint8_t)i;
		if (eng_opdef(i))
			p->ops[i].flags = IO_URING_OP_SUPPORTED;
	}
	return 0;
}

/* The kernel takes only an eventfd here; /proc tells us what @fd is. */
static int evfd_check(int fd)
{
	char path[64], link[64];
	ssize_t n;

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;	/* no /proc: take it on trust */
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

static int evfd_register(struct eng_ctx *ctx, const void *arg, unsigned nr,
			 bool async)
{
	int fd, ret;

	if (nr != 1)
		return -EINVAL;
	/* The kernel's order: busy before the argument is read. */
	if (atomic_load(&ctx->evfd) >= 0)
		return -EBUSY;
	if (ucopy(&fd, arg, sizeof(fd)))
		return -EFAULT;
	ret = evfd_check(fd);
	if (ret)
		return ret;
	/* Our own reference, as the kernel's: the application may close
	 * its descriptor while the registration lives on. */
	fd = eng_fd_private(fd, true);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&ctx->cq_lock);
	ctx->evfd_async = async;
	atomic_store(&ctx->evfd, fd);
	pthread_mutex_unlock(&ctx->cq_lock);
	return 0;
}

static int evfd_unregister(struct eng_ctx *ctx)
{
	int fd;

	/* cq_lock: no poster is between loading the fd and writing it. */
	pthread_mutex_lock(&ctx->cq_lock);
	fd = atomic_exchange(&ctx->evfd, -1);
	pthread_mutex_unlock(&ctx->cq_lock);
	if (fd < 0)
		return -ENXIO;
	close(fd);
	return 0;
}

/* The kernel's io_probe(): the whole probe is read (it must be zeroed),
 * filled, and written back. */
static int probe_register(const void *arg, unsigned nr)
{
	struct io_uring_probe *p;
	size_t size;
	int ret;

	if (!arg || nr > 256)
		return -EINVAL;
	if (nr > IORING_OP_LAST)
		nr = IORING_OP_LAST;
	size = sizeof(*p) + nr * sizeof(p->ops[0]);
	p = fault_malloc(size);
	if (!p)
		return -ENOMEM;
	ret = ucopy(p, arg, size);
	if (!ret)
		ret = eng_probe_fill(p, nr);
	if (!ret && uput((void *)arg, p, size))
		ret = -EFAULT;
	free(p);
	return ret;
}

static int iowq_max_workers(struct eng_ctx *ctx, void *arg, unsigned nr)
{
	unsigned vals[2];

	if (!arg || nr != 2)
		return -EINVAL;
	if (ucopy(vals, arg, sizeof(vals)))
		return -EFAULT;
	if (vals[0] > INT_MAX || vals[1] > INT_MAX)
		return -EINVAL;
	eng_wq_max_workers(ctx->wq, vals);
	/* As the kernel: the new limits stay even if the old ones cannot
	 * be written back. */
	return uput(arg, vals, sizeof(vals)) ? -EFAULT : 0;
}

/* The kernel's cpumask_size(): what sched_getaffinity copies out. */
static size_t kernel_cpumask_size(void)
{
	static atomic_size_t cached;
	/* Relaxed: every thread computes the same value. */
	size_t size = atomic_load_explicit(&cached, memory_order_relaxed);
	unsigned long buf[1024 / sizeof(unsigned long)];
	long n;

	if (!size) {
		n = syscall(SYS_sched_getaffinity, 0, sizeof(buf), buf);
		size = n > 0 ? (size_t)n : sizeof(cpu_set_t);
		atomic_store_explicit(&cached, size, memory_order_relaxed);
	}
	return size;
}

/* Sets the bits of a cpulist ("0-3,8") in @mask; false if unreadable. */
static bool cpulist_read(const char *path, unsigned char *mask, size_t size)
{
	FILE *f = fopen(path, "re");
	unsigned a, b;
	bool ok = false;
	int c;

	if (!f)
		return false;
	while (fscanf(f, "%u", &a) == 1) {
		b = a;
		c = fgetc(f);
		if (c == '-' && fscanf(f, "%u", &b) == 1)
			c = fgetc(f);
		for (; a <= b && a < size * 8; a++)
			mask[a / 8] |= (unsigned char)(1u << (a % 8));
		ok = true;
		if (c != ',')
			break;
	}
	fclose(f);
	return ok;
}

/* The CPUs the kernel's cpuset_cpus_allowed() gives io-wq: those of the
 * process's cpuset (cgroup v2, then v1), every possible CPU for the top
 * cpuset. */
static bool cpus_allowed(unsigned char *mask, size_t size)
{
	char line[512], path[600];
	FILE *f = fopen("/proc/self/cgroup", "re");
	const char *rel;
	bool ok = false;
	char *p;

	while (f && !ok && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "0::", 3))
			rel = line + 3;
		else if ((p = strstr(line, ":cpuset:")))
			rel = p + 8;
		else
			continue;
		if (!strcmp(rel, "/"))
			break;
		snprintf(path, sizeof(path), rel == line + 3 ?
			 "/sys/fs/cgroup%s/cpuset.cpus.effective" :
			 "/sys/fs/cgroup/cpuset%s/cpuset.effective_cpus", rel);
		ok = cpulist_read(path, mask, size);
	}
	if (f)
		fclose(f);
	return ok || cpulist_read("/sys/devices/system/cpu/possible", mask, size);
}

/* As the kernel's cpumask_subset(): over the possible CPU numbers only
 * (bits past the highest possible CPU are not looked at), a CPU outside
 * the allowed ones is -EINVAL. Unknown (no /sys): taken. */
static int cpus_allowed_check(const unsigned char *mask, size_t size)
{
	unsigned char allowed[1024] = { 0 }, possible[1024] = { 0 };
	size_t bits = 0, i;

	if (!cpulist_read("/sys/devices/system/cpu/possible", possible, size) ||
	    !cpus_allowed(allowed, size))
		return 0;
	for (i = 0; i < size * 8; i++)
		if (possible[i / 8] & (1u << (i % 8)))
			bits = i + 1;
	for (i = 0; i < bits; i++)
		if ((mask[i / 8] & ~allowed[i / 8]) & (1u << (i % 8)))
			return -EINVAL;
	return 0;
}

/*
 * IORING_REGISTER_IOWQ_AFF as the kernel reads it: at most the kernel's
 * cpumask size is copied; a mask naming CPUs outside the process's
 * cpuset is -EINVAL.
 */
static int iowq_aff(struct eng_ctx *ctx, const void *arg, unsigned len)
{
	unsigned char mask[1024] = { 0 };
	size_t size = kernel_cpumask_size();
	int ret;

	if (!arg || !len)
		return -EINVAL;
	if (size > sizeof(mask))
		size = sizeof(mask);
	if (len > size)
		len = (unsigned)size;
	if (ucopy(mask, arg, len))
		return -EFAULT;
	ret = cpus_allowed_check(mask, size);
	if (ret)
		return ret;
	return eng_wq_set_affinity(ctx->wq, mask, len);
}

static int register_locked(struct eng_ctx *ctx, unsigned opcode, void *arg,
			   unsigned nr)
{
	switch (opcode) {
	case IORING_REGISTER_BUFFERS:
	case IORING_UNREGISTER_BUFFERS:
	case IORING_REGISTER_BUFFERS2:
	case IORING_REGISTER_BUFFERS_UPDATE:
	case IORING_REGISTER_FILES:
	case IORING_UNREGISTER_FILES:
	case IORING_REGISTER_FILES2:
	case IORING_REGISTER_FILES_UPDATE:
	case IORING_REGISTER_FILES_UPDATE2:
	case IORING_REGISTER_FILE_ALLOC_RANGE:
	case IORING_REGISTER_PBUF_RING:
	case IORING_UNREGISTER_PBUF_RING:
	case IORING_REGISTER_PBUF_STATUS:
		return eng_rsrc_register(ctx, opcode, arg, nr);	/* rsrc.c */
	case IORING_REGISTER_EVENTFD:
	case IORING_REGISTER_EVENTFD_ASYNC:
		return evfd_register(ctx, arg, nr,
				     opcode == IORING_REGISTER_EVENTFD_ASYNC);
	case IORING_UNREGISTER_EVENTFD:
		return arg || nr ? -EINVAL : evfd_unregister(ctx);
	case IORING_REGISTER_PROBE:
		return probe_register(arg, nr);
	case IORING_REGISTER_IOWQ_MAX_WORKERS:
		return iowq_max_workers(ctx, arg, nr);
	case IORING_REGISTER_ENABLE_RINGS:
	case IORING_REGISTER_RESTRICTIONS:
	case IORING_REGISTER_PERSONALITY:
	case IORING_UNREGISTER_PERSONALITY:
	case IORING_REGISTER_CLOCK:
		return eng_restrict_register(ctx, opcode, arg, nr); /* restrict.c */
	case IORING_REGISTER_RING_FDS:
	case IORING_UNREGISTER_RING_FDS:		/* ringfd.c */
		return eng_ringfd_register(arg, nr,
					   opcode == IORING_REGISTER_RING_FDS);
	case IORING_REGISTER_IOWQ_AFF:
		return iowq_aff(ctx, arg, nr);
	case IORING_UNREGISTER_IOWQ_AFF:
		return arg || nr ? -EINVAL : eng_wq_set_affinity(ctx->wq, NULL, 0);
	default:
		return -EINVAL;
	}
}

int eng_register(struct eng_ctx *ctx, unsigned opcode, const void *arg,
		 unsigned nr_args)
{
	int ret;

	if (eng_forked(ctx))
		return -EBADFD;
	if (opcode >= IORING_REGISTER_LAST)
		return -EINVAL;
	pthread_mutex_lock(&ctx->submit_lock);
	/* SINGLE_ISSUER and restrictions (restrict.c): -EEXIST, -EACCES */
	ret = eng_register_check(ctx, opcode);
	/* It may wait for a running request: not under submit_lock, which
	 * the kernel drops too while it waits. */
	if (!ret && opcode == IORING_REGISTER_SYNC_CANCEL) {
		pthread_mutex_unlock(&ctx->submit_lock);
		return eng_sync_cancel(ctx, arg, nr_args);
	}
	if (!ret)
		ret = register_locked(ctx, opcode, (void *)arg, nr_args);
	pthread_mutex_unlock(&ctx->submit_lock);
	return ret;
}
