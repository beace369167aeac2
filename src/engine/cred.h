/* SPDX-License-Identifier: MIT */
/*
 * Credentials, as the kernel's struct cred travels with a request that
 * goes async. In Linux a thread's uids, gids, groups and capabilities are
 * its own at the system-call level (glibc makes them look per process, but
 * a raw setresuid or capset changes one thread). A request must run with
 * the credentials the kernel would use: its submitter's at submit time, or
 * those of the personality it names.
 *
 * The engine never switches a thread's credentials. A thread that runs a
 * request has the request's credentials because it was created by a thread
 * that had them, and never changed them since: workers are grouped by
 * credentials (wq.c), and each group's workers are made by the submitter
 * itself, by the group's own workers, or for a personality by a worker
 * made when it was registered. A request whose credentials differ from the
 * thread it finds itself on goes to its group instead.
 *
 * Credentials are interned: equal sets share one object, so comparing two
 * is comparing pointers.
 */
#ifndef AIORING_ENGINE_CRED_H
#define AIORING_ENGINE_CRED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct eng_cred {
	struct eng_cred *next;		/* in the intern table */
	atomic_uint refs;
	uint32_t hash;
	uid_t uid[4];			/* real, effective, saved, file system */
	gid_t gid[4];
	uint32_t cap[3][2];		/* effective, permitted, inheritable */
	unsigned ngroups;
	gid_t groups[];
};

/* The calling thread's credentials, read afresh (six system calls), with
 * a reference; NULL with errno set if they cannot be read. */
const struct eng_cred *eng_cred_current(void);
const struct eng_cred *eng_cred_get(const struct eng_cred *cred);
void eng_cred_put(const struct eng_cred *cred);

/* The credentials an engine thread was created with (never changed since:
 * the engine's threads run no code that changes them); NULL on a thread
 * the engine did not create (the application's). */
const struct eng_cred *eng_thread_cred(void);
/* The calling thread's credentials: an engine thread's, as it was made;
 * an application thread's read now (six system calls), valid until its
 * next call. For the paths that run requests on the application's threads
 * outside a submission (a cancel's completions and what follows them). */
const struct eng_cred *eng_cred_self(void);

/*
 * Creates an engine thread, as pthread_create(): all signals blocked (they
 * are the application's), and the creator's credentials, which the new
 * thread inherits, recorded for eng_thread_cred(). @cred, if not NULL, is
 * what the caller already knows the creator's credentials to be. Returns 0
 * or an error number (EAGAIN also under fault injection).
 */
int eng_thread_create(pthread_t *thread, const pthread_attr_t *attr,
		      void *(*fn)(void *), void *arg,
		      const struct eng_cred *cred);

#endif
