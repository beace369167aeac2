/* SPDX-License-Identifier: MIT */
/*
 * Registered ring fds (IORING_REGISTER_RING_FDS) for engine rings: a small
 * per-thread table, as the kernel's is per task, whose index the
 * application passes to io_uring_enter(IORING_ENTER_REGISTERED_RING)
 * instead of a descriptor.
 *
 * A slot names its ring by pointer and by the ring's own fd, and holds no
 * reference: every use checks that the fd still maps to that ring
 * (lock-free), so a ring torn down behind a slot makes the slot empty
 * (-EBADF) rather than dangling. The kernel's slot keeps the ring alive
 * instead; the engine does not need that, because it does not offer
 * IORING_FEAT_REG_REG_RING: io_uring_close_ring_fd() is refused, so a
 * ring is never left reachable by its index alone.
 *
 * Kernel and engine tables share one index space in the router: the
 * engine hands out free slots from the top (15 down) and the kernel from
 * the bottom, so mixing both in one thread collides only when the 16 are
 * all taken or offsets are chosen by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include "engine/ringctl.h"
#include "util/ucopy.h"
#include "util/ustr.h"

#define RINGFD_MAX	16	/* the kernel's IO_RINGFD_REG_MAX */

struct ringfd_slot {
	struct eng_ctx *ctx;
	int fd;			/* the ring's own fd when registered */
};

static __thread struct ringfd_slot ringfd_tab[RINGFD_MAX];

/* The slot's ring if it is still there; empties a stale slot. */
static struct eng_ctx *slot_ring(struct ringfd_slot *s)
{
	if (s->ctx && eng_lookup(s->fd) != s->ctx)
		s->ctx = NULL;
	return s->ctx;
}

struct eng_ctx *eng_ringfd_get(unsigned index, bool *gone)
{
	struct ringfd_slot *s;

	*gone = false;
	if (index >= RINGFD_MAX)
		return NULL;
	s = &ringfd_tab[index];
	if (!s->ctx)
		return NULL;
	if (!slot_ring(s))
		*gone = true;	/* ours, but the ring is gone: -EBADF */
	return s->ctx;
}

static int ringfd_add(struct io_uring_rsrc_update *up)
{
	struct eng_ctx *ctx;
	int i, fd = (int)up->data;

	if (up->resv)
		return -EINVAL;
	if (up->offset == -1U) {
		for (i = RINGFD_MAX - 1; i >= 0; i--)
			if (!slot_ring(&ringfd_tab[i]))
				break;
		if (i < 0)
			return -EBUSY;
	} else {
		if (up->offset >= RINGFD_MAX)
			return -EINVAL;
		i = (int)up->offset;
		if (slot_ring(&ringfd_tab[i]))
			return -EBUSY;
	}
	ctx = eng_lookup(fd);
	if (!ctx)
		ctx = eng_lookup_dup(fd);
	if (!ctx)	/* a kernel ring cannot go into the engine's table */
		return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EOPNOTSUPP;
	ringfd_tab[i].ctx = ctx;
	ringfd_tab[i].fd = ctx->ring_fd;
	up->offset = (uint32_t)i;
	return 0;
}

static int ringfd_del(const struct io_uring_rsrc_update *up)
{
	if (up->resv || up->data || up->offset >= RINGFD_MAX)
		return -EINVAL;
	ringfd_tab[up->offset].ctx = NULL;
	return 0;
}

/* IORING_(UN)REGISTER_RING_FDS: the number done, or the first error.
 * As the kernel, each entry is read, done, and (add) written back with
 * its slot; an entry that cannot be written back is undone: -EFAULT. */
int eng_ringfd_register(void *arg, unsigned nr, bool add)
{
	struct io_uring_rsrc_update *uup = arg, up;
	unsigned i;
	int ret = 0;

	if (!nr || nr > RINGFD_MAX)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if (ucopy(&up, &uup[i], sizeof(up))) {
			ret = -EFAULT;
			break;
		}
		ret = add ? ringfd_add(&up) : ringfd_del(&up);
		if (ret)
			break;
		if (add && uput(&uup[i], &up, sizeof(up))) {
			ringfd_tab[up.offset].ctx = NULL;
			ret = -EFAULT;
			break;
		}
	}
	return i ? (int)i : ret;
}
