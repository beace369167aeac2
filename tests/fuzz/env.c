/* SPDX-License-Identifier: MIT */
/*
 * The environment every input runs in, made afresh in each child: memory
 * at a fixed address (valid structures, a read-only page, PROT_NONE, a
 * hole, a page that ends in PROT_NONE), descriptors at fixed numbers (a
 * regular file, O_DIRECT, tmpfs, pipes, sockets, eventfds, /dev/null,
 * /dev/zero, a directory, a pty, a closed number...), and a temp directory
 * that is the working directory, so every path an input names is inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/futex.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include "fuzz.h"

#define S(off) ((void *)(uintptr_t)(FZ_STRUCTS + (off)))

static const char *const fd_names[FZ_FD_END - FZ_FD_BASE] = {
	"reg", "reg_ro", "direct", "memfd", "pipe_r", "pipe_w", "pipe2_r",
	"pipe2_w", "unix_a", "unix_b", "tcp_c", "tcp_s", "listen", "udp",
	"eventfd0", "eventfd5", "null", "zero", "dir", "closed", "pty",
	"epoll", "dgram", "opath",
};

const char *fz_fd_name(int fd)
{
	if (fd >= FZ_FD_BASE && fd < FZ_FD_END)
		return fd_names[fd - FZ_FD_BASE];
	switch (fd) {
	case FZ_FD_RING: return "ring";
	case -1: return "-1";
	case AT_FDCWD: return "cwd";
	default: return NULL;
	}
}

const char *fz_ptr_name(uint64_t p)
{
	if (!p)
		return "null";
	if (p >= FZ_KERNEL_PTR)
		return "kernel";
	if (p >= FZ_NONCANON)
		return "noncanon";
	if (p < FZ_BASE || p >= FZ_PG(FZ_NPAGES))
		return "value";
	if (p >= FZ_HOLE && p < FZ_HOLE + 2 * FZ_PAGE)
		return "hole";
	if (p >= FZ_NONE && p < FZ_NONE + FZ_PAGE)
		return "protnone";
	if (p >= FZ_RO && p < FZ_RO + FZ_PAGE)
		return "ro";
	if (p >= FZ_PARTIAL && p < FZ_PARTIAL + 2 * FZ_PAGE)
		return "partial";
	if (p % 8 && p >= FZ_STRUCTS && p < FZ_STRUCTS + 4 * FZ_PAGE)
		return "misaligned";
	return "ok";
}

/* Moves @fd to @want (closing the old number); -1 stays -1. */
static int fd_place(int fd, int want)
{
	if (fd < 0)
		return -1;
	if (fd != want) {
		if (dup2(fd, want) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static void put_str(unsigned off, const char *s)
{
	strcpy(S(off), s);
}

static void put_ts(unsigned off, long long sec, long long nsec)
{
	struct __kernel_timespec ts = { .tv_sec = sec, .tv_nsec = nsec };

	memcpy(S(off), &ts, sizeof(ts));
}

static void put_how(unsigned off, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };

	memcpy(S(off), &how, sizeof(how));
}

static void put_msg(unsigned off, void *name, socklen_t nlen, uint64_t iov)
{
	struct msghdr m = {
		.msg_name = name, .msg_namelen = nlen,
		.msg_iov = (struct iovec *)(uintptr_t)iov, .msg_iovlen = 1,
	};

	memcpy(S(off), &m, sizeof(m));
}

static void structs_fill(uint16_t port)
{
	struct iovec *iov = S(FZ_S_IOV);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT,
				     .sin6_port = htons(port) };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
	struct futex_waitv *wv = S(FZ_S_WAITV);
	int *fds = S(FZ_S_FDS), i;

	iov[0] = (struct iovec){ (void *)(uintptr_t)FZ_DATA, 100 };
	iov[1] = (struct iovec){ (void *)(uintptr_t)(FZ_DATA + 4096), 200 };
	iov[2] = (struct iovec){ (void *)(uintptr_t)(FZ_DATA + 8192), 4096 };
	iov[3] = (struct iovec){ (void *)(uintptr_t)(FZ_DATA + 16384), 1 };
	iov = S(FZ_S_IOV_BAD);
	iov[0] = (struct iovec){ (void *)(uintptr_t)FZ_DATA, 10 };
	iov[1] = (struct iovec){ (void *)(uintptr_t)FZ_HOLE, 10 };
	iov = S(FZ_S_IOV_KERN);
	iov[0] = (struct iovec){ (void *)(uintptr_t)FZ_KERNEL_PTR, 10 };
	iov = S(FZ_S_IOV_BIG);
	iov[0] = (struct iovec){ (void *)(uintptr_t)FZ_DATA, 1ull << 40 };
	put_str(FZ_S_PATH_F, "f");
	put_str(FZ_S_PATH_D, "d");
	put_str(FZ_S_PATH_NONE, "nonexist");
	put_str(FZ_S_PATH_DG, "d/g");
	put_str(FZ_S_PATH_EMPTY, "");
	put_str(FZ_S_PATH_LNK, "lnk");
	put_str(FZ_S_PATH_NEW, "new");
	memset(S(FZ_S_PATH_LONG), 'a', 300);
	((char *)S(FZ_S_PATH_LONG))[300] = 0;
	sin.sin_port = htons(port);
	memcpy(S(FZ_S_SIN), &sin, sizeof(sin));
	sin.sin_port = htons(1);
	memcpy(S(FZ_S_SIN_REFUSED), &sin, sizeof(sin));
	memcpy(S(FZ_S_SIN6), &sin6, sizeof(sin6));
	strcpy(sun.sun_path, "usock");
	memcpy(S(FZ_S_SUN), &sun, sizeof(sun));
	*(socklen_t *)S(FZ_S_SOCKLEN) = 16;
	*(socklen_t *)S(FZ_S_SOCKLEN2) = 16;
	put_msg(FZ_S_MSG, NULL, 0, FZ_STRUCTS + FZ_S_IOV);
	put_msg(FZ_S_MSG_NAME, S(FZ_S_SIN), sizeof(sin), FZ_STRUCTS + FZ_S_IOV);
	put_msg(FZ_S_MSG_BADIOV, NULL, 0, FZ_HOLE);
	put_ts(FZ_S_TS0, 0, 0);
	put_ts(FZ_S_TS1MS, 0, 1000000);
	put_ts(FZ_S_TS20MS, 0, 20000000);
	put_ts(FZ_S_TSLONG, 30, 0);
	put_ts(FZ_S_TSBAD, 0, 2000000000);
	put_ts(FZ_S_TSNEG, -1, 0);
	put_how(FZ_S_HOW, O_RDONLY, 0, 0);
	put_how(FZ_S_HOW_CREAT, O_CREAT | O_WRONLY, 0644, 0);
	put_how(FZ_S_HOW_BENEATH, O_RDONLY, 0, RESOLVE_BENEATH);
	put_how(FZ_S_HOW_BAD, ~0ull, 0, 0);
	memcpy(S(FZ_S_EPEV), &ev, sizeof(ev));
	((uint32_t *)S(FZ_S_FUTEX))[0] = 0;
	((uint32_t *)S(FZ_S_FUTEX))[1] = 1;
	for (i = 0; i < 2; i++)
		wv[i] = (struct futex_waitv){
			.val = (uint64_t)i,
			.uaddr = FZ_STRUCTS + FZ_S_FUTEX + 4 * (unsigned)i,
			.flags = FUTEX_32,
		};
	put_str(FZ_S_XNAME, "user.fz");
	put_str(FZ_S_XNAME_BAD, "bad.fz");
	for (i = 0; i < 8; i++)
		fds[i] = FZ_FD_BASE + i;
	*(uint64_t *)S(FZ_S_U64) = 1;
	iov = S(FZ_S_IOV_REG);
	iov[0] = (struct iovec){ (void *)(uintptr_t)FZ_REGBUF, 512 };
	iov[1] = (struct iovec){ (void *)(uintptr_t)(FZ_REGBUF + 16384), 4096 };
}

/* The data pattern: letters only, so no 16-bit word of it reads as an
 * address family a socket call would take. */
static void pattern(void *p, size_t len, unsigned salt)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = (unsigned char)('A' + (i / 7 + salt) % 26);
}

static int mem_create(void)
{
	void *p = mmap((void *)(uintptr_t)FZ_BASE, FZ_NPAGES * FZ_PAGE,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)(uintptr_t)FZ_BASE)
		return -1;
	pattern(p, FZ_NPAGES * FZ_PAGE, 0);
	memset((void *)(uintptr_t)FZ_STRUCTS, 0, 4 * FZ_PAGE);
	memset((void *)(uintptr_t)FZ_BUFRING, 0, FZ_PAGE);
	if (mprotect((void *)(uintptr_t)FZ_RO, FZ_PAGE, PROT_READ) ||
	    mprotect((void *)(uintptr_t)FZ_NONE, FZ_PAGE, PROT_NONE) ||
	    mprotect((void *)(uintptr_t)(FZ_PARTIAL + FZ_PAGE), FZ_PAGE, PROT_NONE) ||
	    munmap((void *)(uintptr_t)FZ_HOLE, 2 * FZ_PAGE))
		return -1;
	return 0;
}

void fz_env_scratch(uint64_t seed)
{
	uint64_t *w = (uint64_t *)(uintptr_t)FZ_SCRATCH;
	struct fz_rng r;
	unsigned i;

	fz_rng_seed(&r, seed);
	for (i = 0; i < FZ_SCRATCH_LEN / 8; i++) {
		switch (fz_below(&r, 6)) {
		case 0: w[i] = 0; break;
		case 1: w[i] = fz_below(&r, 16); break;
		/* two descriptors of the environment, as two ints */
		case 2: w[i] = (uint64_t)(FZ_FD_BASE + fz_below(&r, 24)) << 32 |
			       (FZ_FD_BASE + fz_below(&r, 24)); break;
		case 3: w[i] = FZ_DATA + fz_below(&r, FZ_DATA_LEN); break;
		case 4: w[i] = fz_below(&r, 2) ? FZ_HOLE : FZ_KERNEL_PTR; break;
		default: w[i] = fz_next(&r); break;
		}
	}
}

static int tcp_pair(struct fz_env *env)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int l = socket(AF_INET, SOCK_STREAM, 0), c, s, one = 1;

	if (l < 0)
		return -1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (void *)&sin, sizeof(sin)) || listen(l, 8) ||
	    getsockname(l, (void *)&sin, &sl))
		return -1;
	env->tcp_port = ntohs(sin.sin_port);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (void *)&sin, sizeof(sin)))
		return -1;
	s = accept(l, NULL, NULL);
	if (s < 0 || write(s, (void *)(uintptr_t)FZ_DATA, 100) != 100)
		return -1;
	fd_place(c, FZ_FD_TCP_C);
	fd_place(s, FZ_FD_TCP_S);
	/* one connection left pending for ACCEPT */
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (void *)&sin, sizeof(sin)))
		return -1;
	fd_place(c, FZ_FD_END + 1);	/* kept open, never named */
	return fd_place(l, FZ_FD_LISTEN);
}

static int pipes_and_pairs(void)
{
	int p[2], sv[2];

	if (pipe(p))
		return -1;
	fd_place(p[0], FZ_FD_PIPE_R);
	fd_place(p[1], FZ_FD_PIPE_W);
	if (pipe(p) || write(p[1], (void *)(uintptr_t)FZ_DATA, 100) != 100)
		return -1;
	fd_place(p[0], FZ_FD_PIPE2_R);
	fd_place(p[1], FZ_FD_PIPE2_W);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    write(sv[1], (void *)(uintptr_t)FZ_DATA, 100) != 100)
		return -1;
	fd_place(sv[0], FZ_FD_UNIX_A);
	fd_place(sv[1], FZ_FD_UNIX_B);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return -1;
	fd_place(sv[0], FZ_FD_DGRAM);
	fd_place(sv[1], FZ_FD_END + 2);
	return 0;
}

static int files(void)
{
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, (void *)(uintptr_t)FZ_DATA, FZ_DATA_LEN) !=
	    (ssize_t)FZ_DATA_LEN)
		return -1;
	fd_place(fd, FZ_FD_REG);
	fd_place(open("f", O_RDONLY), FZ_FD_REG_RO);
	fd_place(open("f", O_RDWR | O_DIRECT), FZ_FD_DIRECT);
	fd_place(open("f", O_PATH), FZ_FD_OPATH);
	fd = memfd_create("fz", 0);
	if (fd < 0 || write(fd, (void *)(uintptr_t)FZ_DATA, 8192) != 8192)
		return -1;
	fd_place(fd, FZ_FD_MEMFD);
	if (mkdir("d", 0755) || symlink("f", "lnk"))
		return -1;
	close(open("d/g", O_CREAT | O_WRONLY, 0644));
	fd_place(open("d", O_RDONLY | O_DIRECTORY), FZ_FD_DIR);
	fd_place(open("/dev/null", O_RDWR), FZ_FD_NULL);
	fd_place(open("/dev/zero", O_RDWR), FZ_FD_ZERO);
	fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (fd >= 0 && (grantpt(fd) || unlockpt(fd))) {
		close(fd);
		fd = -1;
	}
	fd_place(fd, FZ_FD_PTY);
	return 0;
}

int fz_env_create(struct fz_env *env)
{
	const char *tmp = getenv("TMPDIR");
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (mem_create())
		return -1;
	snprintf(env->dir, sizeof(env->dir), "%s/aioring-fuzz.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(env->dir) || chdir(env->dir))
		return -1;
	close(FZ_FD_CLOSED);
	if (files() || pipes_and_pairs() || tcp_pair(env))
		return -1;
	fd_place(socket(AF_INET, SOCK_DGRAM, 0), FZ_FD_UDP);
	fd_place(eventfd(0, 0), FZ_FD_EVENTFD0);
	fd_place(eventfd(5, 0), FZ_FD_EVENTFD5);
	fd = epoll_create1(0);
	if (fd < 0 || epoll_ctl(fd, EPOLL_CTL_ADD, FZ_FD_PIPE_R, &ev))
		return -1;
	fd_place(fd, FZ_FD_EPOLL);
	structs_fill(env->tcp_port);
	return 0;
}

static int fds_table(int *fds, unsigned n)
{
	unsigned i;

	/* the kernel cannot register an O_PATH file (its fget fails) */
	for (i = 0; i < n; i++)
		fds[i] = fcntl(FZ_FD_BASE + (int)i, F_GETFD) < 0 ||
			 FZ_FD_BASE + (int)i == FZ_FD_OPATH ? -1 :
			 FZ_FD_BASE + (int)i;
	return 0;
}

int fz_env_register(struct io_uring *ring, unsigned bits)
{
	int fds[FZ_FD_END - FZ_FD_BASE], ret;

	if (bits & FZ_ENV_FILES) {
		fds_table(fds, FZ_FD_END - FZ_FD_BASE);
		ret = io_uring_register_files(ring, fds, FZ_FD_END - FZ_FD_BASE);
		if (ret)
			return ret;
	}
	if (bits & FZ_ENV_BUFS) {
		struct iovec v[2] = {
			{ (void *)(uintptr_t)FZ_REGBUF, 16384 },
			{ (void *)(uintptr_t)(FZ_REGBUF + 16384), 16384 },
		};

		ret = io_uring_register_buffers(ring, v, 2);
		if (ret)
			return ret;
	}
	if (bits & FZ_ENV_PBUF) {
		struct io_uring_buf_reg reg = {
			.ring_addr = FZ_BUFRING, .ring_entries = 8, .bgid = 1,
		};
		struct io_uring_buf_ring *br = (void *)(uintptr_t)FZ_BUFRING;
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		int i;

		ret = io_uring_register_buf_ring(ring, &reg, 0);
		if (ret)
			return ret;
		io_uring_buf_ring_init(br);
		for (i = 0; i < 4; i++)
			io_uring_buf_ring_add(br, (void *)(uintptr_t)(FZ_PBUF + (unsigned)i * 4096),
					      4096, (unsigned short)i,
					      io_uring_buf_ring_mask(8), i);
		io_uring_buf_ring_advance(br, 4);
		sqe = io_uring_get_sqe(ring);
		io_uring_prep_provide_buffers(sqe, (void *)(uintptr_t)(FZ_PBUF + 4 * 4096),
					      4096, 4, 2, 0);
		sqe->user_data = 0xfeed;
		if (io_uring_submit_and_wait(ring, 1) != 1 ||
		    io_uring_peek_cqe(ring, &cqe))
			return -EIO;
		ret = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void fz_env_destroy(struct fz_env *env)
{
	munmap((void *)(uintptr_t)FZ_BASE, FZ_NPAGES * FZ_PAGE);
	fz_env_remove_dir(env->dir);
}

static int rm_one(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void fz_env_remove_dir(const char *dir)
{
	if (dir[0] && strstr(dir, "/aioring-fuzz."))
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
