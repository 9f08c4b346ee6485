// SPDX-License-Identifier: Apache-2.0
/*
 * ctx.c: contexts, the switch into guest code, and interrupts.
 *
 * ctx_switch runs the guest in the calling thread's stub thread of the
 * address space, which only that thread can drive (it is the tracer). The
 * hot path is SETREGS, SETREGSET (skipped when the FPU state is unchanged),
 * SYSEMU, waitpid, GETREGS, GETREGSET and nothing else.
 *
 * Interrupts: ctx_interrupt sets `pending`, then, if the ctx is running,
 * sends SIGCHLD to the stub thread it runs in (SIGCHLD: ignored by default,
 * so harmless if it ever reaches an untraced stub; standard, so repeated
 * kicks coalesce). ctx_switch publishes `running` before it tests `pending`
 * (both sequentially consistent), so either it sees the flag or the
 * interrupter sees it running and the signal stops the guest at once, even
 * if sent while the stub thread is still stopped. A leftover signal only
 * causes a spurious TRAP_INTERRUPTED, which the Sentry must tolerate.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/ptrace/internal.h"

/* ctx_new: a context for the calling thread. */
int pt_ctx_new(struct platform *pp, struct platform_ctx **out)
{
	struct pt_ctx *ctx;

	if (!pt_tracer_self(true))
		return -ENOMEM;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->p = pt_platform_of(pp);
	ctx->owner = pthread_self();
	*out = (struct platform_ctx *)(void *)ctx;
	return 0;
}

/* The stub thread to run ctx in as: the cached one if still valid. */
static struct pt_thread *ctx_thread(struct pt_ctx *ctx, struct pt_as *as,
				    int *err)
{
	struct pt_tracer *tr = pt_tracer_self(true);
	struct pt_thread *t;

	if (!tr) {
		*err = -ENOMEM;
		return NULL;
	}
	if (ctx->c_tracer == tr && ctx->c_as_id == as->id &&
	    ctx->c_gen == tr->gen)
		return ctx->c_thread;
	t = pt_thread_get(as, tr, err);
	if (!t)
		return NULL;
	ctx->c_tracer = tr;
	ctx->c_as_id = as->id;
	ctx->c_gen = tr->gen;
	ctx->c_thread = t;
	return t;
}

/* A state the host refused to load (e.g. a non-canonical fs_base, a bad
 * MXCSR): the guest gets what Linux gives for that, a SIGSEGV. */
static void bad_state(struct trap *trap)
{
	trap->kind = TRAP_SIGNAL;
	trap->signo = SIGSEGV;
	trap->code = SI_KERNEL;
	trap->trapno = 13;
}

/*
 * Keep the stub thread on the CPU its tracer runs on. A tracer and its
 * tracee hand the CPU back and forth at every trap; on different CPUs each
 * hand-off is a cross-CPU wake-up (tens of µs on a VM), on the same CPU a
 * plain context switch. The tracer itself stays free to migrate; the stub
 * follows it at its next switch. Best effort: failure costs only speed.
 */
static void bind_to_tracer_cpu(struct pt_thread *t)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0 || cpu + 1 == t->bound_cpu || cpu >= CPU_SETSIZE)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(t->tid, sizeof(set), &set) == 0)
		t->bound_cpu = cpu + 1;
}

/*
 * ctx_switch: load st, run until the guest traps, save st, describe the
 * trap. A negative errno means the platform failed (-ESRCH: the stub is
 * gone, e.g. killed by the OOM killer) and the task must die.
 */
int pt_ctx_switch(struct platform_ctx *c, struct platform_as *a,
		  struct cpu_state *st, struct trap *trap)
{
	struct pt_ctx *ctx = pt_ctx_of(c);
	struct pt_thread *t;
	int rc = 0, status;

	memset(trap, 0, sizeof(*trap));
	if (!a || !st)
		return -EINVAL;
	t = ctx_thread(ctx, pt_as_of(a), &rc);
	if (!t)
		return rc;
	if (t->dead)
		return -ESRCH;
	atomic_store(&ctx->running, (uint64_t)t->pid << 32 | (uint32_t)t->tid);
	if (atomic_exchange(&ctx->pending, 0)) {
		trap->kind = TRAP_INTERRUPTED;
		goto out;
	}
	rc = pt_regs_load(t, st);
	if (rc == -EINVAL) {
		bad_state(trap);
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	bind_to_tracer_cpu(t);
	if (ptrace(PTRACE_SYSEMU, t->tid, 0, 0) < 0) {
		rc = pt_ptrace_err(t);
		goto out;
	}
	rc = pt_wait(t, &status);
	if (rc < 0)
		goto out;
	rc = pt_classify(t, status, st, trap);
	if (rc == 0 && trap->kind == TRAP_INTERRUPTED)
		atomic_store(&ctx->pending, 0);
out:
	atomic_store(&ctx->running, 0);
	return rc;
}

/* ctx_interrupt: any thread; see the top of this file. */
void pt_ctx_interrupt(struct platform_ctx *c)
{
	struct pt_ctx *ctx = pt_ctx_of(c);
	uint64_t r;

	atomic_store(&ctx->pending, 1);
	r = atomic_load(&ctx->running);
	if (r)
		syscall(SYS_tgkill, (pid_t)(r >> 32), (pid_t)(uint32_t)r,
			SIGCHLD);
}

/*
 * ctx_release: on its own thread, also release that thread's stub threads
 * in every address space (the Sentry releases a task's ctx as its thread
 * ends); they are made again on demand if the thread goes on.
 */
void pt_ctx_release(struct platform_ctx *c)
{
	struct pt_ctx *ctx = pt_ctx_of(c);
	struct pt_tracer *tr;

	if (!ctx)
		return;
	if (pthread_equal(ctx->owner, pthread_self())) {
		tr = pt_tracer_self(false);
		if (tr)
			pt_tracer_release(tr);
	}
	free(ctx);
}
