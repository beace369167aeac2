/* SPDX-License-Identifier: MIT */
/*
 * GETXATTR, FGETXATTR, SETXATTR and FSETXATTR. As in the kernel, the name
 * (and a value to set) are copied at prep, and the call runs in a worker.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/xattr.h>
#include "engine/fsops.h"
#include "util/ucopy.h"
#include "util/ustr.h"

#define XATTR_NAME_BUF	256		/* XATTR_NAME_MAX + 1 */
#define XATTR_VALUE_MAX	65536		/* XATTR_SIZE_MAX */

enum { XA_GET, XA_FGET, XA_SET, XA_FSET };	/* in fsop.mode */

struct xattr_ext {
	char name[XATTR_NAME_BUF];
	void *kvalue;			/* the value to set, copied */
};

/* Name as the kernel's import_xattr_name(): "" and too long are -ERANGE. */
static int xattr_prep_name(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct xattr_ext *x = calloc(1, sizeof(*x));
	ssize_t len;

	if (!x)
		return -ENOMEM;
	req->fsop.ext = x;
	len = ustrncpy(x->name, (const void *)(uintptr_t)sqe->addr,
		       sizeof(x->name));
	if (len < 0)
		return (int)len;
	if (!len || len == (ssize_t)sizeof(x->name))
		return -ERANGE;
	return 0;
}

static int xattr_prep_get(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;

	f->off = sqe->addr2;		/* the application's value buffer */
	f->len = sqe->len;
	if (sqe->xattr_flags)
		return -EINVAL;
	return xattr_prep_name(req, sqe);
}

static int xattr_prep_set(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	struct eng_fsop *f = &req->fsop;
	struct xattr_ext *x;
	int ret;

	f->len = sqe->len;
	f->flags = sqe->xattr_flags;
	if (f->flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	ret = xattr_prep_name(req, sqe);
	if (ret || !f->len)
		return ret;
	if (f->len > XATTR_VALUE_MAX)
		return -E2BIG;
	x = f->ext;
	x->kvalue = malloc(f->len);
	if (!x->kvalue)
		return -ENOMEM;
	return ucopy(x->kvalue, (const void *)(uintptr_t)sqe->addr2, f->len);
}

static int xattr_prep_path(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	return ustrdup_path((const void *)(uintptr_t)sqe->addr3, false,
			    &req->fsop.path);
}

int eng_fgetxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	eng_fsop_init(req);
	req->fsop.mode = XA_FGET;
	return xattr_prep_get(req, sqe);
}

int eng_getxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	eng_fsop_init(req);
	req->fsop.mode = XA_GET;
	if (req->sqe_flags & IOSQE_FIXED_FILE)
		return -EBADF;
	return xattr_prep_get(req, sqe) ?: xattr_prep_path(req, sqe);
}

int eng_fsetxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	eng_fsop_init(req);
	req->fsop.mode = XA_FSET;
	return xattr_prep_set(req, sqe);
}

int eng_setxattr_prep(struct eng_req *req, const struct io_uring_sqe *sqe)
{
	eng_fsop_init(req);
	req->fsop.mode = XA_SET;
	if (req->sqe_flags & IOSQE_FIXED_FILE)
		return -EBADF;
	return xattr_prep_set(req, sqe) ?: xattr_prep_path(req, sqe);
}

static ssize_t xattr_call(struct eng_req *req)
{
	struct eng_fsop *f = &req->fsop;
	struct xattr_ext *x = f->ext;
	void *uvalue = (void *)(uintptr_t)f->off;

	switch (f->mode) {
	case XA_GET:
		return getxattr(f->path, x->name, uvalue, f->len);
	case XA_FGET:
		return fgetxattr(req->fd, x->name, uvalue, f->len);
	case XA_SET:
		return setxattr(f->path, x->name, x->kvalue, f->len,
				(int)f->flags);
	default:
		return fsetxattr(req->fd, x->name, x->kvalue, f->len,
				 (int)f->flags);
	}
}

int eng_xattr_issue(struct eng_req *req, unsigned issue_flags)
{
	ssize_t ret;

	if (issue_flags & ENG_ISSUE_NONBLOCK)
		return -EAGAIN;
	ret = xattr_call(req);
	return eng_fsop_done_soft(req, ret < 0 ? -errno : (int)ret);
}

void eng_xattr_cleanup(struct eng_req *req)
{
	struct xattr_ext *x = req->fsop.ext;

	if (x)
		free(x->kvalue);
	eng_fsop_cleanup(req);
}
