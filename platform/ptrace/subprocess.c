// SPDX-License-Identifier: Apache-2.0
/*
 * subprocess.c: address spaces (one stub process each) and their stub
 * threads (one per Sentry thread that uses the address space).
 *
 * A Sentry thread's stub threads are listed in its TLS (struct pt_tracer).
 * They go away with as_release(), with ctx_release() on that thread, or when
 * the thread exits (a pthread key destructor), so none leaks; if a Sentry
 * thread dies without any of these, PTRACE_O_EXITKILL kills the stub.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "platform/ptrace/debug.h"
#include "platform/ptrace/internal.h"

static pthread_key_t tracer_key;
static pthread_once_t tracer_once = PTHREAD_ONCE_INIT;
static __thread struct pt_tracer *tls_tracer;
static _Atomic uint64_t as_last_id;
/* Guards every as's and tracer's list of stub threads and the slot maps. */
static pthread_mutex_t lists_lock = PTHREAD_MUTEX_INITIALIZER;

/* Thread exit: release this thread's stub threads while it is still their
 * tracer (after it exits, EXITKILL would kill their whole processes). */
static void tracer_destroy(void *arg)
{
	struct pt_tracer *tr = arg;

	pt_tracer_release(tr);
	tls_tracer = NULL;
	free(tr);
}

/* Once per process: the key whose destructor runs at thread exit. */
static void tracer_key_init(void)
{
	pthread_key_create(&tracer_key, tracer_destroy);
}

/* The calling thread's tracer state, created on first use if `create`. */
struct pt_tracer *pt_tracer_self(bool create)
{
	struct pt_tracer *tr = tls_tracer;

	if (tr || !create)
		return tr;
	pthread_once(&tracer_once, tracer_key_init);
	tr = calloc(1, sizeof(*tr));
	if (!tr)
		return NULL;
	pt_list_init(&tr->threads);
	if (pthread_setspecific(tracer_key, tr)) {
		free(tr);
		return NULL;
	}
	tls_tracer = tr;
	return tr;
}

/* Take a free altstack slot of as, or -1; called with lists_lock held. */
static int slot_alloc(struct pt_as *as)
{
	unsigned int i;

	for (i = 0; i < as->p->stub.nslots; i++) {
		if (!(as->slot_map[i / 64] & (1ULL << (i % 64)))) {
			as->slot_map[i / 64] |= 1ULL << (i % 64);
			return (int)i;
		}
	}
	return -1;
}

/* Give a slot back; called with lists_lock held. */
static void slot_free(struct pt_as *as, int slot)
{
	if (slot >= 0)
		as->slot_map[slot / 64] &= ~(1ULL << (slot % 64));
}

/* Unlink t from its as and tracer; called with lists_lock held. */
static void thread_detach(struct pt_thread *t)
{
	if (t->as) {
		pt_list_del(&t->as_link);
		slot_free(t->as, t->slot);
		t->as = NULL;
	}
	pt_list_del(&t->tracer_link);
}

/* Free a stub thread that is detached and gone. */
static void thread_free(struct pt_thread *t)
{
	free(t->fpu);
	free(t);
}

/* Give stub thread t its own stack for the fault handler's frames. */
static int thread_setup_altstack(struct pt_thread *t)
{
	const struct pt_stub_layout *l = &t->p->stub;
	uint64_t base = l->slots + (uint64_t)t->slot * l->slot_size;
	uint64_t args[6] = {base, l->slot_size, 0, 0, 0, 0};
	long r;

	r = pt_inject(t, pt_stub_altstack, pt_stub_altstack_trap,
		      base + l->slot_size, __NR_sigaltstack, args);
	return r < 0 ? (int)r : 0;
}

/*
 * Create the calling thread's stub thread in as: the creator clones it,
 * then this thread (its tracer from now on) seizes it and sets it up.
 */
static struct pt_thread *thread_create(struct pt_as *as, struct pt_tracer *tr,
				       int *err)
{
	struct pt_platform *p = as->p;
	struct pt_thread *t;
	long tid;
	int rc;

	t = calloc(1, sizeof(*t));
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->fpu = aligned_alloc(64, (p->fpu_len + 63) & ~63UL);
	if (!t->fpu) {
		free(t);
		*err = -ENOMEM;
		return NULL;
	}
	memset(t->fpu, 0, (p->fpu_len + 63) & ~63UL);
	t->p = p;
	t->pid = as->pid;
	t->as_id = as->id;
	t->slot = -1;
	pt_list_init(&t->as_link);
	pt_list_init(&t->tracer_link);

	tid = pt_creator_call(p, PT_CREQ_THREAD, as);
	if (tid < 0) {
		rc = (int)tid;
		goto fail;
	}
	t->tid = (pid_t)tid;
	/* Listed from now on, whatever happens: as_release or the tracer's
	 * release reaps it (an unusable one stays marked dead). */
	pthread_mutex_lock(&lists_lock);
	t->as = as;
	t->tracer = tr;
	pt_list_add(&as->threads, &t->as_link);
	pt_list_add(&tr->threads, &t->tracer_link);
	pthread_mutex_unlock(&lists_lock);

	rc = pt_seize(t);
	if (rc < 0) {
		t->dead = true; /* if untraced, it sleeps until as_release */
		*err = rc;
		return NULL;
	}
	pthread_mutex_lock(&lists_lock);
	t->slot = slot_alloc(as);
	pthread_mutex_unlock(&lists_lock);
	if (t->slot >= 0 && thread_setup_altstack(t) < 0) {
		pthread_mutex_lock(&lists_lock);
		slot_free(as, t->slot);
		t->slot = -1;
		pthread_mutex_unlock(&lists_lock);
		if (t->dead) {
			*err = -ESRCH;
			return NULL;
		}
	}
	return t;
fail:
	thread_free(t);
	*err = rc;
	return NULL;
}

/* The calling thread's stub thread in as, created on first use. */
struct pt_thread *pt_thread_get(struct pt_as *as, struct pt_tracer *tr,
				int *err)
{
	struct pt_link *l;

	pthread_mutex_lock(&lists_lock);
	for (l = tr->threads.next; l != &tr->threads; l = l->next) {
		struct pt_thread *t =
			pt_container_of(l, struct pt_thread, tracer_link);

		if (t->as_id == as->id) {
			pthread_mutex_unlock(&lists_lock);
			return t;
		}
	}
	pthread_mutex_unlock(&lists_lock);
	return thread_create(as, tr, err);
}

/*
 * Release every stub thread the calling thread traces, in all address
 * spaces: each is made to exit and reaped. Runs on the tracer thread.
 */
void pt_tracer_release(struct pt_tracer *tr)
{
	struct pt_link gone, *l;
	struct pt_thread *t;

	pt_list_init(&gone);
	pthread_mutex_lock(&lists_lock);
	while (!pt_list_empty(&tr->threads)) {
		t = pt_container_of(tr->threads.next, struct pt_thread,
				    tracer_link);
		thread_detach(t);
		pt_list_add(&gone, &t->tracer_link);
	}
	tr->gen++;
	pthread_mutex_unlock(&lists_lock);
	while (!pt_list_empty(&gone)) {
		l = gone.next;
		pt_list_del(l);
		t = pt_container_of(l, struct pt_thread, tracer_link);
		if (pt_inject_exit(t) < 0 && !t->reaped) {
			/* A stub thread in an unknown state: its address
			 * space cannot be trusted any more. */
			kill(t->pid, SIGKILL);
			pt_reap(t);
		}
		thread_free(t);
	}
}

/* as_new: fork the master into a new, empty address space. */
int pt_as_new(struct platform *pp, struct platform_as **out)
{
	struct pt_platform *p = pt_platform_of(pp);
	struct pt_as *as;
	long rc;

	as = calloc(1, sizeof(*as));
	if (!as)
		return -ENOMEM;
	as->p = p;
	as->id = ++as_last_id;
	pt_list_init(&as->threads);
	rc = pt_creator_call(p, PT_CREQ_AS, as);
	if (rc < 0) {
		free(as);
		return (int)rc;
	}
	*out = (struct platform_as *)(void *)as;
	return 0;
}

/* Run one memory syscall in the calling thread's stub thread of as. */
static int as_syscall(struct pt_as *as, long nr, const uint64_t args[6],
		      long *ret)
{
	struct pt_tracer *tr = pt_tracer_self(true);
	struct pt_thread *t;
	int err = 0;
	long r;

	if (!tr)
		return -ENOMEM;
	t = pt_thread_get(as, tr, &err);
	if (!t)
		return err;
	r = pt_inject(t, pt_stub_syscall, pt_stub_syscall_trap,
		      as->p->stub.data + PT_PAGE, nr, args);
	if (r < 0 && r >= -4095)
		return (int)r;
	*ret = r;
	return 0;
}

/* as_map: mmap(MAP_SHARED|MAP_FIXED) of the memory file into the stub. */
int pt_as_map(struct platform_as *a, uint64_t addr, uint64_t len, uint64_t off,
	      int prot)
{
	struct pt_as *as = pt_as_of(a);
	uint64_t args[6] = {addr,
			    len,
			    (uint64_t)prot,
			    MAP_SHARED | MAP_FIXED,
			    PTRACE_STUB_MEMFD,
			    off};
	long ret = 0;
	int rc;

	rc = pt_check_range(as->p, addr, len);
	if (rc < 0)
		return rc;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC) ||
	    off & (PT_PAGE - 1) || off + len < off)
		return -EINVAL;
	rc = as_syscall(as, __NR_mmap, args, &ret);
	if (rc < 0)
		return rc;
	return (uint64_t)ret == addr ? 0 : -EIO;
}

/* as_unmap: munmap in the stub. */
int pt_as_unmap(struct platform_as *a, uint64_t addr, uint64_t len)
{
	struct pt_as *as = pt_as_of(a);
	uint64_t args[6] = {addr, len, 0, 0, 0, 0};
	long ret = 0;
	int rc;

	rc = pt_check_range(as->p, addr, len);
	if (rc < 0)
		return rc;
	return as_syscall(as, __NR_munmap, args, &ret);
}

/* as_protect: mprotect in the stub. */
int pt_as_protect(struct platform_as *a, uint64_t addr, uint64_t len, int prot)
{
	struct pt_as *as = pt_as_of(a);
	uint64_t args[6] = {addr, len, (uint64_t)prot, 0, 0, 0};
	long ret = 0;
	int rc;

	rc = pt_check_range(as->p, addr, len);
	if (rc < 0)
		return rc;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	return as_syscall(as, __NR_mprotect, args, &ret);
}

/*
 * as_release: kill the stub process and reap all its threads, whoever
 * traces them. No ctx_switch or as_* call may be running on this as.
 */
void pt_as_release(struct platform_as *a)
{
	struct pt_as *as = pt_as_of(a);
	struct pt_link gone, *l;
	struct pt_thread *t;

	if (!as)
		return;
	pt_list_init(&gone);
	pthread_mutex_lock(&lists_lock);
	while (!pt_list_empty(&as->threads)) {
		t = pt_container_of(as->threads.next, struct pt_thread,
				    as_link);
		thread_detach(t);
		pt_list_add(&gone, &t->tracer_link);
	}
	pthread_mutex_unlock(&lists_lock);

	kill(as->pid, SIGKILL);
	while (!pt_list_empty(&gone)) {
		l = gone.next;
		pt_list_del(l);
		t = pt_container_of(l, struct pt_thread, tracer_link);
		pt_reap(t);
		thread_free(t);
	}
	pt_reap(&as->t0);
	/* The leader goes last: it is reapable once its threads are. */
	pt_reap(&as->leader);
	free(as);
}

/* The host pid of an address space's stub process (tests, debugging). */
pid_t platform_ptrace_as_pid(struct platform_as *a)
{
	return pt_as_of(a)->pid;
}
