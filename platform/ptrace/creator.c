// SPDX-License-Identifier: Apache-2.0
/*
 * creator.c: the platform's own thread that makes stub processes and threads.
 *
 * ptrace requests must come from the tracer thread itself, and any Sentry
 * thread may ask for a new address space or a stub thread. So one thread,
 * started with the platform and living as long as the process, traces the
 * master and the t0 thread of every address space and serves those requests
 * by injecting clone() into them. The threads it clones for Sentry threads
 * are never traced by it (CLONE_UNTRACED, no PTRACE_O_TRACECLONE): each
 * waits in pause() until the Sentry thread that asked for it seizes it;
 * the creator hands back only the tid, and only that Sentry thread ever
 * waits for it (as_release aside, once the stub is killed).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>

#include "platform/ptrace/internal.h"

/* Flags of an injected clone that makes a new address space. */
#define PT_CLONE_AS (CLONE_PARENT | CLONE_UNTRACED | SIGCHLD)
/* Flags of an injected clone that makes a stub thread. */
#define PT_CLONE_THREAD                                                        \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |    \
	 CLONE_SYSVSEM | CLONE_UNTRACED)

/* Create the master and learn the FPU regset; retried if the stub region
 * was taken between reading our maps and forking. */
static long creator_init(struct pt_platform *p)
{
	int rc = -EEXIST, tries;

	for (tries = 0; tries < 4 && rc == -EEXIST; tries++) {
		rc = pt_layout_probe(p);
		if (rc < 0)
			return rc;
		rc = pt_master_create(p);
	}
	if (rc < 0)
		return rc;
	rc = pt_fpu_probe(p);
	if (rc < 0) {
		kill(p->master.pid, SIGKILL);
		pt_reap(&p->master);
	}
	return rc;
}

/*
 * Retire the new address space's leader: block every signal (so process
 * signals go to traced threads), then let it go, untraced, to sleep for
 * good. The mask syscall is run with PTRACE_SYSCALL, to its exit stop, so
 * it is done before as_new returns and no int3 (a forced SIGTRAP, which
 * would unblock SIGTRAP again) is needed.
 */
static int leader_retire(struct pt_platform *p, struct pt_thread *l)
{
	struct user_regs_struct r;
	int status, stops = 0, n, rc;

	memset(&r, 0, sizeof(r));
	r.rip = pt_stub_addr(p, pt_stub_retire);
	r.rsp = p->stub.data + PT_PAGE;
	r.eflags = 0x202;
	pt_regs_sanitize(&r);
	if (ptrace(PTRACE_SETREGS, l->tid, 0, &r) < 0)
		return pt_ptrace_err(l);
	for (n = 0; stops < 2; n++) {
		if (n == 100)
			return -EIO;
		if (ptrace(PTRACE_SYSCALL, l->tid, 0, 0) < 0)
			return pt_ptrace_err(l);
		rc = pt_wait(l, &status);
		if (rc < 0)
			return rc;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80))
			stops++; /* the entry, then the exit */
	}
	if (ptrace(PTRACE_DETACH, l->tid, 0, 0) < 0)
		return pt_ptrace_err(l);
	return 0;
}

/*
 * Fork the master into a new stub process: its leader clones t0, the thread
 * the creator traces from now on, and retires. Returns the pid.
 */
static long creator_new_as(struct pt_platform *p, struct pt_as *as)
{
	uint64_t as_args[6] = {PT_CLONE_AS, 0, 0, 0, 0, 0};
	uint64_t th_args[6] = {PT_CLONE_THREAD, 0, 0, 0, 0, 0};
	long pid, tid;
	int rc;

	pid = pt_inject(&p->master, pt_stub_clone, pt_stub_clone_trap,
			p->stub.data + PT_PAGE, __NR_clone, as_args);
	if (pid < 0)
		return pid;
	as->pid = (pid_t)pid;
	as->leader.p = as->t0.p = p;
	as->leader.pid = as->leader.tid = as->t0.pid = (pid_t)pid;
	as->leader.slot = as->t0.slot = -1;
	rc = pt_seize(&as->leader);
	if (rc < 0)
		goto fail;
	tid = pt_inject(&as->leader, pt_stub_clone, pt_stub_clone_trap,
			p->stub.data + PT_PAGE, __NR_clone, th_args);
	if (tid < 0) {
		rc = (int)tid;
		goto fail;
	}
	as->t0.tid = (pid_t)tid;
	rc = pt_seize(&as->t0);
	if (rc < 0)
		goto fail;
	rc = leader_retire(p, &as->leader);
	if (rc < 0)
		goto fail;
	return pid;
fail:
	/* Our child (CLONE_PARENT), traced or not: kill and reap it all. */
	kill((pid_t)pid, SIGKILL);
	if (as->t0.tid)
		pt_reap(&as->t0);
	pt_reap(&as->leader);
	return rc;
}

/* Clone a new stub thread in an address space; returns its tid. */
static long creator_new_thread(struct pt_platform *p, struct pt_as *as)
{
	uint64_t args[6] = {PT_CLONE_THREAD, 0, 0, 0, 0, 0};

	return pt_inject(&as->t0, pt_stub_clone, pt_stub_clone_trap,
			 p->stub.data + PT_PAGE, __NR_clone, args);
}

/* Serve one request on the creator thread. */
static long creator_serve(struct pt_platform *p, struct pt_creq *req)
{
	switch (req->kind) {
	case PT_CREQ_INIT:
		return creator_init(p);
	case PT_CREQ_AS:
		return creator_new_as(p, req->as);
	case PT_CREQ_THREAD:
		return creator_new_thread(p, req->as);
	}
	return -EINVAL;
}

/* The creator thread's loop; it ends only if start-up failed. */
static void *creator_main(void *arg)
{
	struct pt_platform *p = arg;
	struct pt_creq *req;
	bool failed;

	for (;;) {
		pthread_mutex_lock(&p->creq_lock);
		while (!p->creq_head)
			pthread_cond_wait(&p->creq_cv, &p->creq_lock);
		req = p->creq_head;
		p->creq_head = req->next;
		if (!p->creq_head)
			p->creq_tail = NULL;
		pthread_mutex_unlock(&p->creq_lock);

		req->result = creator_serve(p, req);
		failed = req->kind == PT_CREQ_INIT && req->result < 0;

		pthread_mutex_lock(&p->creq_lock);
		req->done = true;
		pthread_cond_broadcast(&p->cdone_cv);
		pthread_mutex_unlock(&p->creq_lock);
		if (failed)
			return NULL;
	}
}

/* Ask the creator thread to do something and wait for its answer. */
long pt_creator_call(struct pt_platform *p, int kind, struct pt_as *as)
{
	struct pt_creq req = {.kind = kind, .as = as};

	pthread_mutex_lock(&p->creq_lock);
	if (p->creq_tail)
		p->creq_tail->next = &req;
	else
		p->creq_head = &req;
	p->creq_tail = &req;
	pthread_cond_signal(&p->creq_cv);
	while (!req.done)
		pthread_cond_wait(&p->cdone_cv, &p->creq_lock);
	pthread_mutex_unlock(&p->creq_lock);
	return req.result;
}

/*
 * Start the creator thread (with every signal blocked: Sentry signals are
 * for Sentry threads) and have it create the master. Returns 0 or -errno.
 */
int pt_creator_start(struct pt_platform *p)
{
	sigset_t all, old;
	long rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&p->creator, NULL, creator_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		return rc;
	rc = pt_creator_call(p, PT_CREQ_INIT, NULL);
	if (rc < 0) {
		pthread_join(p->creator, NULL);
		return rc;
	}
	pthread_detach(p->creator);
	return 0;
}
