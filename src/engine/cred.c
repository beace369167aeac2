/* SPDX-License-Identifier: MIT */
/*
 * Reading, interning and inheriting credentials: see cred.h.
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "engine/cred.h"
#include "util/fault.h"

#define CRED_BUCKETS	64
#define CRED_MAX_GROUPS	65536		/* the kernel's NGROUPS_MAX */

static pthread_mutex_t cred_lock = PTHREAD_MUTEX_INITIALIZER;
static struct eng_cred *cred_table[CRED_BUCKETS];
static __thread const struct eng_cred *thread_cred;

/* FNV-1a over everything but the header. */
static uint32_t cred_hash(const struct eng_cred *c)
{
	const unsigned char *p = (const unsigned char *)c->uid;
	const unsigned char *end = (const unsigned char *)&c->groups[c->ngroups];
	uint32_t h = 2166136261u;

	for (; p < end; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static bool cred_same(const struct eng_cred *a, const struct eng_cred *b)
{
	return a->hash == b->hash && a->ngroups == b->ngroups &&
	       !memcmp(a->uid, b->uid, (size_t)((const char *)&a->groups[a->ngroups] -
						 (const char *)a->uid));
}

/* Reads the calling thread's credentials into a new object. The groups
 * first, to size it; raw system calls throughout, so that what is read is
 * this thread's, whatever glibc pretends. */
static struct eng_cred *cred_read(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct eng_cred *c;
	int n = (int)syscall(SYS_getgroups, 0, NULL);

	if (n < 0 || n > CRED_MAX_GROUPS)
		return NULL;
	c = fault_calloc(1, sizeof(*c) + (size_t)n * sizeof(gid_t));
	if (!c)
		return NULL;
	/* The groups can change between the two calls only if this very
	 * thread changes them, which it is not doing. */
	c->ngroups = (unsigned)syscall(SYS_getgroups, n, c->groups);
	if (syscall(SYS_getresuid, &c->uid[0], &c->uid[1], &c->uid[2]) ||
	    syscall(SYS_getresgid, &c->gid[0], &c->gid[1], &c->gid[2]) ||
	    syscall(SYS_capget, &hdr, data)) {
		free(c);
		return NULL;
	}
	/* setfs[ug]id with an invalid id changes nothing and returns the
	 * current one: the only way to read it. */
	c->uid[3] = (uid_t)syscall(SYS_setfsuid, (uid_t)-1);
	c->gid[3] = (gid_t)syscall(SYS_setfsgid, (gid_t)-1);
	c->cap[0][0] = data[0].effective;
	c->cap[0][1] = data[1].effective;
	c->cap[1][0] = data[0].permitted;
	c->cap[1][1] = data[1].permitted;
	c->cap[2][0] = data[0].inheritable;
	c->cap[2][1] = data[1].inheritable;
	c->hash = cred_hash(c);
	return c;
}

const struct eng_cred *eng_cred_current(void)
{
	struct eng_cred *c = cred_read(), **pc;

	if (!c)
		return NULL;
	pthread_mutex_lock(&cred_lock);
	for (pc = &cred_table[c->hash % CRED_BUCKETS]; *pc; pc = &(*pc)->next) {
		if (cred_same(*pc, c)) {
			/* Relaxed: the table lock orders it against the put
			 * that would unlink it. */
			atomic_fetch_add_explicit(&(*pc)->refs, 1,
						  memory_order_relaxed);
			pthread_mutex_unlock(&cred_lock);
			free(c);
			return *pc;
		}
	}
	atomic_init(&c->refs, 1);
	*pc = c;
	pthread_mutex_unlock(&cred_lock);
	return c;
}

const struct eng_cred *eng_cred_get(const struct eng_cred *cred)
{
	struct eng_cred *c = (struct eng_cred *)cred;

	/* Relaxed: whoever hands out @cred holds a reference already. */
	if (c)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return cred;
}

void eng_cred_put(const struct eng_cred *cred)
{
	struct eng_cred *c = (struct eng_cred *)cred, **pc;

	if (!c)
		return;
	/* The last reference goes under the table lock, so that a lookup
	 * that finds it cannot race with its removal. */
	pthread_mutex_lock(&cred_lock);
	if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1) {
		pthread_mutex_unlock(&cred_lock);
		return;
	}
	for (pc = &cred_table[c->hash % CRED_BUCKETS]; *pc != c; pc = &(*pc)->next)
		;
	*pc = c->next;
	pthread_mutex_unlock(&cred_lock);
	free(c);
}

const struct eng_cred *eng_thread_cred(void)
{
	return thread_cred;
}

const struct eng_cred *eng_cred_self(void)
{
	static __thread const struct eng_cred *last;
	const struct eng_cred *c;

	if (thread_cred)
		return thread_cred;
	c = eng_cred_current();
	eng_cred_put(last);
	last = c;
	return c;
}

struct cred_start {
	void *(*fn)(void *);
	void *arg;
	const struct eng_cred *cred;
};

static void cred_thread_exit(void *cred)
{
	eng_cred_put(cred);
}

static void *cred_thread(void *arg)
{
	struct cred_start st = *(struct cred_start *)arg;
	void *ret;

	free(arg);
	thread_cred = st.cred;
	pthread_cleanup_push(cred_thread_exit, (void *)st.cred);
	ret = st.fn(st.arg);
	pthread_cleanup_pop(1);
	return ret;
}

int eng_thread_create(pthread_t *thread, const pthread_attr_t *attr,
		      void *(*fn)(void *), void *arg,
		      const struct eng_cred *cred)
{
	struct cred_start *st;
	sigset_t all, old;
	int ret;

	if (!cred)
		cred = thread_cred;
	st = fault_malloc(sizeof(*st));
	if (!st)
		return ENOMEM;
	st->fn = fn;
	st->arg = arg;
	/* The new thread inherits its creator's credentials: those. */
	st->cred = cred ? eng_cred_get(cred) : eng_cred_current();
	if (!st->cred) {
		free(st);
		return errno ? errno : ENOMEM;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = fault_thread_create(thread, attr, cred_thread, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		eng_cred_put(st->cred);
		free(st);
	}
	return ret;
}
