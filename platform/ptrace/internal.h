/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: state shared by the files of the ptrace platform.
 *
 * Processes and threads (all "stub" processes run no code of their own):
 *
 *   master    forked from the Sentry once, emptied; traced by the creator
 *             thread; every address space is a fork of it (injected clone).
 *   as        one stub process per platform_as. Its leader thread is not
 *             traced and sleeps with every signal blocked; its second thread
 *             (t0) is traced by the creator thread and only spawns stub
 *             threads. No tracer ever waits for a thread-group leader that
 *             may die: the kernel reports a leader's exit only once every
 *             other thread is reaped, and those are other threads' tracees.
 *   thread    one stub thread per (Sentry thread, as), traced by that Sentry
 *             thread (ptrace requests must come from the tracer thread).
 *
 * Locking: one mutex in subprocess.c guards the lists of stub threads (per
 * as and per tracer) and the altstack slot bitmaps. Nothing on the
 * ctx_switch hot path takes it.
 */
#ifndef CVISOR_PLATFORM_PTRACE_INTERNAL_H
#define CVISOR_PLATFORM_PTRACE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "platform/platform.h"
#include "platform/ptrace/stub.h"

#define PT_PAGE 4096UL
/* The highest user address on 4-level paging (TASK_SIZE_MAX + 1 page). */
#define PT_USER_TOP 0x7ffffffff000UL
/* Size of the reserved stub region: code, data, and fault-handler stacks. */
#define PT_STUB_REGION_LEN (32UL << 20)
/* Altstack slots per address space, one per stub thread. */
#define PT_MAX_SLOTS 4096
/* Sane user selectors of a 64-bit process. */
#define PT_USER_CS 0x33
#define PT_USER_DS 0x2b

#define pt_container_of(ptr, type, member)                                     \
	((type *)((char *)(ptr)-offsetof(type, member)))

/* A minimal intrusive doubly linked list. */
struct pt_link {
	struct pt_link *prev, *next;
};

static inline void pt_list_init(struct pt_link *head)
{
	head->prev = head->next = head;
}

static inline bool pt_list_empty(const struct pt_link *head)
{
	return head->next == head;
}

static inline void pt_list_add(struct pt_link *head, struct pt_link *l)
{
	l->next = head->next;
	l->prev = head;
	head->next->prev = l;
	head->next = l;
}

static inline void pt_list_del(struct pt_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = l->next = l;
}

/* Where the stub region's pieces are, the same in every stub. */
struct pt_stub_layout {
	uint64_t base, len; /* the whole region: [base, base + len) */
	uint64_t code;	    /* R-X page holding the stub code */
	uint64_t data;	    /* RW page: start-up parameters, scratch */
	uint64_t slots;	    /* first altstack slot */
	uint64_t slot_size;
	unsigned int nslots;
};

/* Ranges the guest may never map over (vdso, vvar, the stub region). */
struct pt_range {
	uint64_t start, end;
};

#define PT_MAX_KEEP 8

struct pt_platform;
struct pt_as;
struct pt_tracer;

/* A traced host thread: the master, an as's t0, or a stub thread. */
struct pt_thread {
	struct pt_platform *p;
	pid_t pid, tid;
	bool dead;   /* unusable: killed, or in an unknown state */
	bool reaped; /* its exit status was collected: tid is gone */
	/* Stub threads only: */
	struct pt_as *as; /* NULL once detached from its as */
	uint64_t as_id;
	struct pt_tracer *tracer;
	struct pt_link as_link, tracer_link;
	int slot;	/* altstack slot, -1 if none */
	bool fpu_valid; /* fpu holds the thread's current FPU state */
	int bound_cpu;  /* 1 + the CPU the thread is bound to; 0: unbound */
	uint8_t *fpu;	/* p->fpu_len bytes, 64-byte aligned */
};

/* One request to the creator thread. */
struct pt_creq {
	int kind;
	struct pt_as *as;
	long result;
	bool done;
	struct pt_creq *next;
};

struct pt_platform {
	struct platform pub;
	int memfd;
	struct pt_stub_layout stub;
	struct pt_range
		keep[PT_MAX_KEEP]; /* sorted, the stub region included */
	int nkeep;
	size_t fpu_len; /* size of the FPU regset ptrace uses */
	int fpu_note;	/* NT_X86_XSTATE, or NT_PRFPREG as fallback */
	struct pt_thread master;
	/* The creator thread: traces the master and every as's t0. */
	pthread_t creator;
	pthread_mutex_t creq_lock;
	pthread_cond_t creq_cv, cdone_cv;
	struct pt_creq *creq_head, *creq_tail;
};

struct pt_as {
	struct pt_platform *p;
	uint64_t id; /* unique for the life of the process */
	pid_t pid;
	struct pt_thread leader; /* untraced, asleep; reaped last */
	struct pt_thread t0;	 /* traced by the creator */
	struct pt_link threads;	 /* struct pt_thread.as_link */
	atomic_bool no_handler;	 /* the fault handler is unusable */
	uint64_t slot_map[PT_MAX_SLOTS / 64];
};

/* The stub threads one Sentry thread traces, kept in its TLS. */
struct pt_tracer {
	struct pt_link threads; /* struct pt_thread.tracer_link */
	uint64_t gen;		/* bumped whenever a thread is released */
};

struct pt_ctx {
	struct pt_platform *p;
	pthread_t owner;
	atomic_int pending;	  /* ctx_interrupt() was called */
	_Atomic uint64_t running; /* pid << 32 | tid of the thread in use */
	/* Cache of the last stub thread used, valid while ids match. */
	struct pt_tracer *c_tracer;
	uint64_t c_as_id, c_gen;
	struct pt_thread *c_thread;
};

static inline struct pt_as *pt_as_of(struct platform_as *a)
{
	return (struct pt_as *)(void *)a;
}

static inline struct pt_ctx *pt_ctx_of(struct platform_ctx *c)
{
	return (struct pt_ctx *)(void *)c;
}

static inline struct pt_platform *pt_platform_of(struct platform *p)
{
	return pt_container_of(p, struct pt_platform, pub);
}

/* stub.c */
extern const char pt_stub_start[], pt_stub_end[];
extern const char pt_stub_init[], pt_stub_init_trap[];
extern const char pt_stub_syscall[], pt_stub_syscall_trap[];
extern const char pt_stub_clone[], pt_stub_clone_trap[], pt_stub_pause[];
extern const char pt_stub_retire[];
extern const char pt_stub_altstack[], pt_stub_altstack_trap[];
extern const char pt_stub_fault[], pt_stub_fault_end[];
extern const char pt_stub_restorer[];
uint64_t pt_stub_addr(const struct pt_platform *p, const char *sym);
int pt_master_create(struct pt_platform *p);

/* layout.c */
int pt_layout_probe(struct pt_platform *p);
int pt_check_range(const struct pt_platform *p, uint64_t addr, uint64_t len);
int pt_verify_stub_maps(const struct pt_platform *p, pid_t pid);

/* inject.c */
int pt_wait(struct pt_thread *t, int *status);
void pt_reap(struct pt_thread *t);
int pt_seize(struct pt_thread *t);
long pt_inject(struct pt_thread *t, const char *entry, const char *trap,
	       uint64_t sp, long nr, const uint64_t args[6]);
int pt_inject_exit(struct pt_thread *t);
int pt_ptrace_err(struct pt_thread *t);

/* creator.c */
int pt_creator_start(struct pt_platform *p);
long pt_creator_call(struct pt_platform *p, int kind, struct pt_as *as);
#define PT_CREQ_INIT 1
#define PT_CREQ_AS 2
#define PT_CREQ_THREAD 3

/* subprocess.c */
struct pt_tracer *pt_tracer_self(bool create);
struct pt_thread *pt_thread_get(struct pt_as *as, struct pt_tracer *tr,
				int *err);
void pt_tracer_release(struct pt_tracer *tr);
int pt_as_new(struct platform *, struct platform_as **);
int pt_as_map(struct platform_as *, uint64_t, uint64_t, uint64_t, int);
int pt_as_unmap(struct platform_as *, uint64_t, uint64_t);
int pt_as_protect(struct platform_as *, uint64_t, uint64_t, int);
void pt_as_release(struct platform_as *);

/* ctx.c */
int pt_ctx_new(struct platform *, struct platform_ctx **);
int pt_ctx_switch(struct platform_ctx *, struct platform_as *,
		  struct cpu_state *, struct trap *);
void pt_ctx_interrupt(struct platform_ctx *);
void pt_ctx_release(struct platform_ctx *);

/* trap.c */
int pt_classify(struct pt_thread *t, int status, struct cpu_state *st,
		struct trap *trap);

/* platform.c */
extern const struct platform_ops pt_ops;

/* regs.c */
int pt_fpu_probe(struct pt_platform *p);
int pt_regs_load(struct pt_thread *t, const struct cpu_state *st);
int pt_regs_save(struct pt_thread *t, struct cpu_state *st);
void pt_regs_sanitize(struct user_regs_struct *r);

#endif
