/* SPDX-License-Identifier: Apache-2.0 */
/*
 * futex.c: fast user-space mutexes (kernel/futex/). Waiters sit in hash
 * buckets keyed by the futex's identity; the futex word itself is touched
 * atomically in the memory file, since other guest threads run on other
 * CPUs while the Sentry looks at it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#define FUTEX_BUCKETS 256
#define FUTEX_CMD_MASK 0x7f
#define FUTEX_BITSET_ANY 0xffffffffu
#define FUTEX_WAITERS_BIT 0x80000000u
#define FUTEX_OWNER_DIED_BIT 0x40000000u
#define FUTEX_TID_MASK_ 0x3fffffffu

/* A futex's identity: the address space and address of a private futex,
 * or the shared memory object and offset of a shared one. */
struct futex_key {
	const void *obj;
	uint64_t off;
};

struct futex_waiter {
	TAILQ_ENTRY(futex_waiter) link;
	struct futex_key key;
	uint32_t bitset;
	struct task *task;
	bool woken;
};

TAILQ_HEAD(futex_bucket, futex_waiter);
static struct futex_bucket buckets[FUTEX_BUCKETS];
static bool buckets_ready;

static struct futex_bucket *bucket_of(const struct futex_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->obj * 0x9e3779b97f4a7c15ULL ^
		     k->off * 0xc2b2ae3d27d4eb4fULL;

	if (!buckets_ready) {
		for (int i = 0; i < FUTEX_BUCKETS; i++)
			TAILQ_INIT(&buckets[i]);
		buckets_ready = true;
	}
	return &buckets[(h >> 32) % FUTEX_BUCKETS];
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->obj == b->obj && a->off == b->off;
}

/* The key of the futex at addr. Shared futexes in MAP_SHARED memory are
 * keyed by the memory object so processes sharing it meet. */
static int futex_key(struct task *t, uint64_t addr, bool private,
		     struct futex_key *k)
{
	if (addr & 3)
		return -EINVAL;
	if (!private) {
		const void *obj;
		uint64_t off;

		if (mm_shared_key(t->mm, addr, &obj, &off) == 0) {
			k->obj = obj;
			k->off = off;
			return 0;
		}
	}
	k->obj = t->mm;
	k->off = addr;
	return 0;
}

/* A pointer to the futex word in the Sentry's view of the memory file,
 * writable (faulted in and copy-on-write broken) when `write` is set. */
static uint32_t *futex_word(struct task *t, uint64_t addr, bool write)
{
	struct iovec iov;
	int n;

	if (addr & 3)
		return NULL;
	if (mm_io_vectors(t->mm, addr, 4, write, &iov, 1, &n) != 4 || n != 1)
		return NULL;
	return iov.iov_base;
}

static int wake_key(const struct futex_key *k, uint32_t bitset, int n)
{
	struct futex_bucket *b = bucket_of(k);
	struct futex_waiter *w, *next;
	int woken = 0;

	for (w = TAILQ_FIRST(b); w && woken < n; w = next) {
		next = TAILQ_NEXT(w, link);
		if (!key_eq(&w->key, k) || !(w->bitset & bitset))
			continue;
		TAILQ_REMOVE(b, w, link);
		w->woken = true;
		task_wake(w->task);
		woken++;
	}
	return woken;
}

int futex_wake_addr(struct task *t, uint64_t addr, int n)
{
	struct futex_key k;

	if (futex_key(t, addr, false, &k))
		return 0;
	/* Waiters may have used the private key (glibc uses private
	 * futexes for threads); wake both kinds. */
	n -= wake_key(&k, FUTEX_BITSET_ANY, n);
	k.obj = t->mm;
	k.off = addr;
	return wake_key(&k, FUTEX_BITSET_ANY, n);
}

/* Wait on the futex until woken, the deadline, or a signal. */
static long futex_wait(struct task *t, uint64_t addr, bool private,
		       uint32_t val, uint32_t bitset, int64_t deadline)
{
	struct futex_waiter w = { .bitset = bitset, .task = t };
	uint32_t *word;
	struct futex_bucket *b;
	int err;

	if (!bitset)
		return -EINVAL;
	err = futex_key(t, addr, private, &w.key);
	if (err)
		return err;
	word = futex_word(t, addr, false);
	if (!word)
		return -EFAULT;
	if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != val)
		return -EAGAIN;
	b = bucket_of(&w.key);
	TAILQ_INSERT_TAIL(b, &w, link);
	err = 0;
	while (!w.woken && !err)
		err = task_wait(t, deadline, true);
	if (!w.woken) {
		/* Requeue may have moved us to another bucket. */
		TAILQ_REMOVE(bucket_of(&w.key), &w, link);
		if (err == -ETIMEDOUT)
			return -ETIMEDOUT;
		/* A signal: restart if no handler runs (Linux restarts a
		 * timed wait with the same absolute deadline). */
		if (deadline) {
			t->restart_deadline_ns = deadline;
			return -ERESTART_RESTARTBLOCK;
		}
		return -ERESTARTSYS;
	}
	return 0;
}

/* The requeue family: wake some, move the rest to another futex. */
static long futex_requeue(struct task *t, uint64_t a1, uint64_t a2,
			  bool private, int nwake, int nmove,
			  const uint32_t *cmpval)
{
	struct futex_key k1, k2;
	struct futex_bucket *b;
	struct futex_waiter *w, *next;
	int done = 0, moved = 0, err;

	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	if ((err = futex_key(t, a1, private, &k1)) ||
	    (err = futex_key(t, a2, private, &k2)))
		return err;
	if (cmpval) {
		uint32_t *word = futex_word(t, a1, false);

		if (!word)
			return -EFAULT;
		if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != *cmpval)
			return -EAGAIN;
	}
	done = wake_key(&k1, FUTEX_BITSET_ANY, nwake);
	b = bucket_of(&k1);
	for (w = TAILQ_FIRST(b); w && moved < nmove; w = next) {
		next = TAILQ_NEXT(w, link);
		if (!key_eq(&w->key, &k1))
			continue;
		TAILQ_REMOVE(b, w, link);
		w->key = k2;
		TAILQ_INSERT_TAIL(bucket_of(&k2), w, link);
		moved++;
	}
	/* Both forms report woken plus requeued waiters. */
	return done + moved;
}

/* FUTEX_WAKE_OP: an atomic operation on the second futex, then wakes. */
static long futex_wake_op(struct task *t, uint64_t a1, uint64_t a2,
			  bool private, int n1, int n2, uint32_t encoded)
{
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = ((int32_t)(encoded << 8)) >> 20;
	int32_t cmparg = ((int32_t)(encoded << 20)) >> 20;
	struct futex_key k1, k2;
	uint32_t *word, old, new;
	bool hit;
	int err, woken;

	if (encoded & (8u << 28))
		oparg = oparg < 0 || oparg > 31 ? 0 : 1 << oparg;
	if ((err = futex_key(t, a1, private, &k1)) ||
	    (err = futex_key(t, a2, private, &k2)))
		return err;
	word = futex_word(t, a2, true);
	if (!word)
		return -EFAULT;
	old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	do {
		switch (op) {
		case 0: new = (uint32_t)oparg; break;          /* SET */
		case 1: new = old + (uint32_t)oparg; break;    /* ADD */
		case 2: new = old | (uint32_t)oparg; break;    /* OR */
		case 3: new = old & ~(uint32_t)oparg; break;   /* ANDN */
		case 4: new = old ^ (uint32_t)oparg; break;    /* XOR */
		default: return -ENOSYS;
		}
	} while (!__atomic_compare_exchange_n(word, &old, new, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	switch (cmp) {
	case 0: hit = (int32_t)old == cmparg; break;
	case 1: hit = (int32_t)old != cmparg; break;
	case 2: hit = (int32_t)old < cmparg; break;
	case 3: hit = (int32_t)old <= cmparg; break;
	case 4: hit = (int32_t)old > cmparg; break;
	case 5: hit = (int32_t)old >= cmparg; break;
	default: return -ENOSYS;
	}
	woken = wake_key(&k1, FUTEX_BITSET_ANY, n1);
	if (hit)
		woken += wake_key(&k2, FUTEX_BITSET_ANY, n2);
	return woken;
}

/* The timeout argument: relative for FUTEX_WAIT, absolute for
 * WAIT_BITSET (CLOCK_REALTIME if asked). Returns a monotonic deadline, 0
 * for none, or -errno. */
static int64_t futex_deadline(struct task *t, uint64_t addr, bool absolute,
			      bool realtime)
{
	struct linux_timespec ts;
	int64_t ns, now = kernel_now_ns();

	if (!addr)
		return 0;
	if (task_copy_in(t, addr, &ts, sizeof(ts)))
		return -EFAULT;
	ns = linux_timespec_to_ns(&ts);
	if (ns < 0)
		return -EINVAL;
	if (!absolute)
		return ns > INT64_MAX - now ? INT64_MAX : now + ns;
	if (realtime) {
		struct timespec rt;

		clock_gettime(CLOCK_REALTIME, &rt);
		ns -= (int64_t)rt.tv_sec * 1000000000LL + rt.tv_nsec;
		return ns > INT64_MAX - now ? INT64_MAX : now + ns;
	}
	return ns > 0 ? ns : 1;
}

static long futex_restart(struct task *t)
{
	const uint64_t *a = t->restart_args;
	bool private = a[1] & LINUX_FUTEX_PRIVATE_FLAG;
	uint32_t bitset = (a[1] & FUTEX_CMD_MASK) == LINUX_FUTEX_WAIT_BITSET
				  ? (uint32_t)a[5] : FUTEX_BITSET_ANY;

	return futex_wait(t, a[0], private, (uint32_t)a[2], bitset,
			  t->restart_deadline_ns);
}

long kern_futex(struct task *t, const struct futex_args *a)
{
	unsigned cmd = a->op & FUTEX_CMD_MASK;
	bool private = a->op & LINUX_FUTEX_PRIVATE_FLAG;
	bool realtime = a->op & LINUX_FUTEX_CLOCK_REALTIME;
	int64_t deadline;
	long ret;

	if (realtime && cmd != LINUX_FUTEX_WAIT && cmd != LINUX_FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case LINUX_FUTEX_WAIT:
	case LINUX_FUTEX_WAIT_BITSET:
		deadline = futex_deadline(t, a->timeout,
					  cmd == LINUX_FUTEX_WAIT_BITSET, realtime);
		if (deadline < 0)
			return deadline;
		ret = futex_wait(t, a->uaddr, private, a->val,
				 cmd == LINUX_FUTEX_WAIT ? FUTEX_BITSET_ANY
							 : a->val3,
				 deadline);
		if (ret == -ERESTART_RESTARTBLOCK) {
			t->restart_fn = futex_restart;
			memcpy(t->restart_args, t->syscall_args,
			       sizeof(t->restart_args));
		}
		return ret;
	case LINUX_FUTEX_WAKE:
	case LINUX_FUTEX_WAKE_BITSET: {
		struct futex_key k;
		uint32_t bitset = cmd == LINUX_FUTEX_WAKE ? FUTEX_BITSET_ANY
							  : a->val3;
		int err;

		if (!bitset)
			return -EINVAL;
		err = futex_key(t, a->uaddr, private, &k);
		if (err)
			return err;
		return wake_key(&k, bitset, (int)(a->val > INT32_MAX ? INT32_MAX
								     : a->val));
	}
	case LINUX_FUTEX_REQUEUE:
		return futex_requeue(t, a->uaddr, a->uaddr2, private,
				     (int)a->val, (int)(uint32_t)a->timeout,
				     NULL);
	case LINUX_FUTEX_CMP_REQUEUE:
		return futex_requeue(t, a->uaddr, a->uaddr2, private,
				     (int)a->val, (int)(uint32_t)a->timeout,
				     &a->val3);
	case LINUX_FUTEX_WAKE_OP:
		return futex_wake_op(t, a->uaddr, a->uaddr2, private,
				     (int)a->val, (int)(uint32_t)a->timeout,
				     a->val3);
	default:
		/* PI futexes and FUTEX_WAIT_REQUEUE_PI are not implemented;
		 * glibc falls back for condition variables. */
		return -ENOSYS;
	}
}

void futex_handle_death(struct task *t, uint64_t addr)
{
	uint32_t *word = futex_word(t, addr, true);
	uint32_t old, new;

	if (!word)
		return;
	old = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	do {
		if ((old & FUTEX_TID_MASK_) != (uint32_t)t->tid)
			return;
		new = (old & FUTEX_WAITERS_BIT) | FUTEX_OWNER_DIED_BIT;
	} while (!__atomic_compare_exchange_n(word, &old, new, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	if (old & FUTEX_WAITERS_BIT)
		futex_wake_addr(t, addr, 1);
}

void futex_task_exit(struct task *t)
{
	/* A task waits on a futex only inside kern_futex, which always
	 * dequeues itself before returning: nothing is left to clean. */
	(void)t;
}

long kern_set_robust_list(struct task *t, const struct set_robust_list_args *a)
{
	if (a->len != 24)
		return -EINVAL;
	t->robust_list = a->head;
	t->robust_list_len = a->len;
	return 0;
}

long kern_get_robust_list(struct task *t, const struct get_robust_list_args *a)
{
	struct task *o = a->pid ? task_by_tid(a->pid) : t;
	uint64_t len = 24;

	if (!o || o->state == TASK_DEAD)
		return -ESRCH;
	if (task_copy_out(t, a->head_ptr, &o->robust_list, 8) ||
	    task_copy_out(t, a->len_ptr, &len, 8))
		return -EFAULT;
	return 0;
}

long kern_restart_syscall(struct task *t, const struct restart_syscall_args *a)
{
	long (*fn)(struct task *) = t->restart_fn;

	(void)a;
	t->restart_fn = NULL;
	if (!fn)
		return -EINTR;
	return fn(t);
}
