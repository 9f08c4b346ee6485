/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc_sem.c: System V semaphores (semget, semop, semtimedop, semctl),
 * after Linux's ipc/sem.c. A blocked semop waits on its set's queue of
 * pending operations; whoever changes a value retries the queue in order,
 * so operations complete atomically and in FIFO order when they can.
 * SEM_UNDO adjustments are kept per process on the set, and applied when
 * the process exits.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/ipc.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/poll_common.h"

struct sem {
	int32_t val;
	int32_t pid;
};

/* A blocked semop (Linux's struct sem_queue), on the waiter's stack. */
struct sem_waiter {
	TAILQ_ENTRY(sem_waiter) link;
	struct task *task;
	struct linux_sembuf *sops;
	unsigned nsops;
	int blocking; /* the index of the operation it waits for */
	bool undo;
	int status;   /* 1: still waiting; 0 or -errno: done */
};

/* One process's SEM_UNDO adjustments on one set (Linux's sem_undo). */
struct sem_undo {
	LIST_ENTRY(sem_undo) link;
	struct thread_group *tg;
	int16_t adj[];
};

struct sem_set {
	struct ipc_object perm;
	int nsems;
	int64_t otime, ctime;
	TAILQ_HEAD(, sem_waiter) pending;
	LIST_HEAD(, sem_undo) undos;
	struct sem sems[];
};

static struct ipc_ids sem_ids = IPC_IDS_INIT(LINUX_SEMMNI);
static long used_sems; /* semaphores in all sets, against SEMMNS */

static struct sem_set *sem_lookup(int id)
{
	return (struct sem_set *)ipc_lookup(&sem_ids, id);
}

static int sem_create(struct task *t, int32_t key, int flg, void *priv)
{
	int nsems = *(int *)priv, id;
	struct sem_set *s;

	if (!nsems)
		return -EINVAL;
	if (used_sems + nsems > LINUX_SEMMNS)
		return -ENOSPC;
	s = calloc(1, sizeof(*s) + (size_t)nsems * sizeof(s->sems[0]));
	if (!s)
		return -ENOMEM;
	s->nsems = nsems;
	s->ctime = ipc_now();
	TAILQ_INIT(&s->pending);
	LIST_INIT(&s->undos);
	id = ipc_add(t, &sem_ids, &s->perm, key, flg);
	if (id < 0) {
		free(s);
		return id;
	}
	used_sems += nsems;
	return id;
}

static int sem_more_checks(struct ipc_object *o, void *priv)
{
	return ((struct sem_set *)o)->nsems < *(int *)priv ? -EINVAL : 0;
}

long kern_semget(struct task *t, const struct semget_args *a)
{
	static const struct ipc_get_ops ops = { sem_create, sem_more_checks };
	int nsems = a->nsems;

	if (nsems < 0 || nsems > LINUX_SEMMSL)
		return -EINVAL;
	return ipc_get(t, &sem_ids, a->key, a->semflg, &ops, &nsems);
}

static struct sem_undo *undo_find(struct sem_set *s, struct thread_group *tg)
{
	struct sem_undo *u;

	LIST_FOREACH(u, &s->undos, link)
		if (u->tg == tg)
			return u;
	return NULL;
}

/*
 * Try the operations as one atomic step (Linux's perform_atomic_semop):
 * 0 when done, 1 when it must wait (w->blocking says for which), or
 * -ERANGE/-EAGAIN. They apply in order, in place, and are rolled back on
 * failure, so a retry costs nothing per semaphore of a large set.
 */
static int try_semop(struct sem_set *s, struct sem_waiter *w, int pid)
{
	struct sem_undo *u = w->undo ? undo_find(s, w->task->tg) : NULL;
	const struct linux_sembuf *op;
	unsigned i;
	int ret = 0;

	if (w->undo && !u)
		return -EINVAL; /* cannot happen: made before the first try */
	for (i = 0; i < w->nsops; i++) {
		int32_t r;

		op = &w->sops[i];
		r = s->sems[op->sem_num].val;
		if ((!op->sem_op && r) || r + op->sem_op < 0) {
			w->blocking = (int)i;
			ret = (op->sem_flg & LINUX_IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		r += op->sem_op;
		if (r > LINUX_SEMVMX) {
			ret = -ERANGE;
			break;
		}
		if (op->sem_flg & LINUX_SEM_UNDO) {
			int32_t undo = u->adj[op->sem_num] - op->sem_op;

			if (undo < -LINUX_SEMAEM - 1 || undo > LINUX_SEMAEM) {
				ret = -ERANGE;
				break;
			}
			u->adj[op->sem_num] = (int16_t)undo;
		}
		s->sems[op->sem_num].val = r;
	}
	if (ret) {
		while (i-- > 0) {
			op = &w->sops[i];
			s->sems[op->sem_num].val -= op->sem_op;
			if (op->sem_flg & LINUX_SEM_UNDO)
				u->adj[op->sem_num] += op->sem_op;
		}
		return ret;
	}
	for (i = 0; i < w->nsops; i++)
		s->sems[w->sops[i].sem_num].pid = pid;
	s->otime = ipc_now();
	return 0;
}

/* Values changed: complete every waiting operation that now can, in
 * order, starting over after each success since it changed values too. */
static void sem_update_queue(struct sem_set *s)
{
	struct sem_waiter *w;
	bool again = true;

	while (again) {
		again = false;
		TAILQ_FOREACH(w, &s->pending, link) {
			int r = try_semop(s, w, w->task->tg->tgid);

			if (r == 1)
				continue;
			TAILQ_REMOVE(&s->pending, w, link);
			w->status = r;
			task_wake(w->task);
			again = r == 0;
			break;
		}
	}
}

static void sem_destroy(struct sem_set *s)
{
	struct sem_waiter *w;
	struct sem_undo *u;

	ipc_remove(&sem_ids, &s->perm);
	while ((w = TAILQ_FIRST(&s->pending))) {
		TAILQ_REMOVE(&s->pending, w, link);
		w->status = -EIDRM;
		task_wake(w->task);
	}
	while ((u = LIST_FIRST(&s->undos))) {
		LIST_REMOVE(u, link);
		free(u);
	}
	used_sems -= s->nsems;
	free(s);
}

/* The relative semtimedop timeout as a monotonic deadline (0: none),
 * with ppoll's checks; a zero timeout times out at once. */
static int sem_deadline(struct task *t, uint64_t addr, int64_t *deadline)
{
	int64_t d = poll_ts_deadline(t, addr);

	*deadline = 0;
	if (d < 0 && d != POLL_NO_WAIT)
		return (int)d;
	*deadline = d == POLL_NO_WAIT ? 1 : d;
	return 0;
}

static long do_semtimedop(struct task *t, int semid, uint64_t usops,
			  unsigned nsops, uint64_t timeout)
{
	struct sem_waiter w = { .task = t, .nsops = nsops, .status = 1 };
	struct sem_set *s;
	int64_t deadline;
	unsigned i, max = 0;
	bool alter = false;
	long ret;

	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > LINUX_SEMOPM)
		return -E2BIG;
	w.sops = calloc(nsops, sizeof(*w.sops));
	if (!w.sops)
		return -ENOMEM;
	ret = -EFAULT;
	if (task_copy_in(t, usops, w.sops, nsops * sizeof(*w.sops)))
		goto out;
	ret = sem_deadline(t, timeout, &deadline);
	if (ret)
		goto out;
	for (i = 0; i < nsops; i++) {
		if (w.sops[i].sem_num > max)
			max = w.sops[i].sem_num;
		if (w.sops[i].sem_flg & LINUX_SEM_UNDO)
			w.undo = true;
		if (w.sops[i].sem_op)
			alter = true;
	}
	ret = -EINVAL;
	s = sem_lookup(semid);
	if (!s)
		goto out;
	ret = -EFBIG;
	if ((int)max >= s->nsems)
		goto out;
	ret = -EACCES;
	if (ipc_perms(t, &s->perm, alter ? IPC_S_IWUGO : IPC_S_IRUGO))
		goto out;
	if (w.undo && !undo_find(s, t->tg)) {
		struct sem_undo *u = calloc(1, sizeof(*u) +
					    (size_t)s->nsems * sizeof(int16_t));

		ret = -ENOMEM;
		if (!u)
			goto out;
		u->tg = t->tg;
		LIST_INSERT_HEAD(&s->undos, u, link);
	}
	ret = try_semop(s, &w, t->tg->tgid);
	if (ret <= 0) {
		if (ret == 0 && alter)
			sem_update_queue(s);
		goto out;
	}
	TAILQ_INSERT_TAIL(&s->pending, &w, link);
	while (w.status == 1) {
		int err = task_wait(t, deadline, true);

		if (w.status != 1)
			break;
		if (err) {
			TAILQ_REMOVE(&s->pending, &w, link);
			/* Linux never restarts semop: a signal is EINTR. */
			w.status = err == -ETIMEDOUT ? -EAGAIN : -EINTR;
		}
	}
	ret = w.status;
out:
	free(w.sops);
	return ret;
}

long kern_semop(struct task *t, const struct semop_args *a)
{
	return do_semtimedop(t, a->semid, a->sops, a->nsops, 0);
}

long kern_semtimedop(struct task *t, const struct semtimedop_args *a)
{
	return do_semtimedop(t, a->semid, a->sops, a->nsops, a->timeout);
}

/* Waiters blocked on semaphore `num` for it to reach zero or to grow
 * (Linux's count_semcnt: each counts where its blocking operation is). */
static int sem_count(struct sem_set *s, int num, bool zero)
{
	struct sem_waiter *w;
	int n = 0;

	TAILQ_FOREACH(w, &s->pending, link) {
		const struct linux_sembuf *op = &w->sops[w->blocking];

		if (op->sem_num != num)
			continue;
		if (zero ? op->sem_op == 0 : op->sem_op < 0)
			n++;
	}
	return n;
}

/* SETVAL/SETALL: the values are new, so old adjustments are void. */
static void sem_clear_undo(struct sem_set *s, int num)
{
	struct sem_undo *u;

	LIST_FOREACH(u, &s->undos, link) {
		if (num < 0)
			memset(u->adj, 0, (size_t)s->nsems * sizeof(int16_t));
		else
			u->adj[num] = 0;
	}
}

static long sem_info(struct task *t, int cmd, uint64_t arg)
{
	struct linux_seminfo si = {
		.semmni = LINUX_SEMMNI, .semmns = LINUX_SEMMNS,
		.semmsl = LINUX_SEMMSL, .semopm = LINUX_SEMOPM,
		.semvmx = LINUX_SEMVMX, .semmnu = LINUX_SEMMNU,
		.semmap = LINUX_SEMMAP, .semume = LINUX_SEMUME,
		.semusz = LINUX_SEMUSZ, .semaem = LINUX_SEMAEM,
	};
	int max = ipc_max_idx(&sem_ids);

	if (cmd == LINUX_SEM_INFO) {
		si.semusz = sem_ids.in_use;
		si.semaem = (int32_t)used_sems;
	}
	if (task_copy_out(t, arg, &si, sizeof(si)))
		return -EFAULT;
	return max < 0 ? 0 : max;
}

static long sem_stat(struct task *t, int semid, int cmd, uint64_t arg)
{
	struct linux_semid64_ds ds;
	struct sem_set *s;

	if (cmd == LINUX_IPC_STAT)
		s = sem_lookup(semid);
	else
		s = (struct sem_set *)ipc_lookup_idx(&sem_ids, semid);
	if (!s)
		return -EINVAL;
	if (cmd != LINUX_SEM_STAT_ANY && ipc_perms(t, &s->perm, IPC_S_IRUGO))
		return -EACCES;
	memset(&ds, 0, sizeof(ds));
	ipc_fill_perm(&s->perm, &ds.sem_perm);
	ds.sem_otime = s->otime;
	ds.sem_ctime = s->ctime;
	ds.sem_nsems = (uint64_t)s->nsems;
	if (task_copy_out(t, arg, &ds, sizeof(ds)))
		return -EFAULT;
	return cmd == LINUX_IPC_STAT ? 0 : s->perm.id;
}

static long sem_setall(struct task *t, struct sem_set *s, uint64_t arg)
{
	uint16_t *v = calloc((size_t)s->nsems, sizeof(*v));
	int i;

	if (!v)
		return -ENOMEM;
	if (task_copy_in(t, arg, v, (size_t)s->nsems * sizeof(*v))) {
		free(v);
		return -EFAULT;
	}
	for (i = 0; i < s->nsems; i++) {
		if (v[i] > LINUX_SEMVMX) {
			free(v);
			return -ERANGE;
		}
	}
	for (i = 0; i < s->nsems; i++) {
		s->sems[i].val = v[i];
		s->sems[i].pid = t->tg->tgid;
	}
	free(v);
	sem_clear_undo(s, -1);
	s->ctime = ipc_now();
	sem_update_queue(s);
	return 0;
}

static long sem_getall(struct task *t, struct sem_set *s, uint64_t arg)
{
	uint16_t *v = calloc((size_t)s->nsems, sizeof(*v));
	int i;
	long ret = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < s->nsems; i++)
		v[i] = (uint16_t)s->sems[i].val;
	if (task_copy_out(t, arg, v, (size_t)s->nsems * sizeof(*v)))
		ret = -EFAULT;
	free(v);
	return ret;
}

/* The commands on one semaphore or all of them (Linux's semctl_main). */
static long sem_main(struct task *t, struct sem_set *s, int num, int cmd,
		     uint64_t arg)
{
	bool write = cmd == LINUX_SETVAL || cmd == LINUX_SETALL;

	if (cmd != LINUX_GETALL && cmd != LINUX_SETALL &&
	    (num < 0 || num >= s->nsems))
		return -EINVAL;
	if (ipc_perms(t, &s->perm, write ? IPC_S_IWUGO : IPC_S_IRUGO))
		return -EACCES;
	switch (cmd) {
	case LINUX_GETALL:
		return sem_getall(t, s, arg);
	case LINUX_SETALL:
		return sem_setall(t, s, arg);
	case LINUX_GETVAL:
		return s->sems[num].val;
	case LINUX_GETPID:
		return s->sems[num].pid;
	case LINUX_GETNCNT:
		return sem_count(s, num, false);
	case LINUX_GETZCNT:
		return sem_count(s, num, true);
	case LINUX_SETVAL:
		s->sems[num].val = (int32_t)arg;
		s->sems[num].pid = t->tg->tgid;
		sem_clear_undo(s, num);
		s->ctime = ipc_now();
		sem_update_queue(s);
		return 0;
	}
	return -EINVAL;
}

long kern_semctl(struct task *t, const struct semctl_args *a)
{
	struct linux_semid64_ds ds;
	struct sem_set *s;
	int cmd = a->cmd;
	long err;

	if (a->semid < 0)
		return -EINVAL;
	switch (cmd) {
	case LINUX_IPC_INFO:
	case LINUX_SEM_INFO:
		return sem_info(t, cmd, a->arg);
	case LINUX_IPC_STAT:
	case LINUX_SEM_STAT:
	case LINUX_SEM_STAT_ANY:
		return sem_stat(t, a->semid, cmd, a->arg);
	case LINUX_SETVAL:
		/* semun's val: the low 32 bits of the argument. */
		if ((int32_t)a->arg > LINUX_SEMVMX || (int32_t)a->arg < 0)
			return -ERANGE;
		/* fallthrough */
	case LINUX_GETALL:
	case LINUX_GETVAL:
	case LINUX_GETPID:
	case LINUX_GETNCNT:
	case LINUX_GETZCNT:
	case LINUX_SETALL:
		s = sem_lookup(a->semid);
		if (!s)
			return -EINVAL;
		return sem_main(t, s, a->semnum, cmd, a->arg);
	case LINUX_IPC_SET:
		if (task_copy_in(t, a->arg, &ds, sizeof(ds)))
			return -EFAULT;
		/* fallthrough */
	case LINUX_IPC_RMID:
		s = sem_lookup(a->semid);
		if (!s)
			return -EINVAL;
		err = ipc_check_owner(t, &s->perm);
		if (err)
			return err;
		if (cmd == LINUX_IPC_RMID) {
			sem_destroy(s);
			return 0;
		}
		err = ipc_set_perm(&s->perm, &ds.sem_perm);
		if (!err)
			s->ctime = ipc_now();
		return err;
	}
	return -EINVAL;
}

void sem_exit(struct thread_group *tg)
{
	struct ipc_object *o;
	int idx = 0;

	while ((o = ipc_next(&sem_ids, &idx))) {
		struct sem_set *s = (struct sem_set *)o;
		struct sem_undo *u = undo_find(s, tg);
		int i;

		if (!u)
			continue;
		LIST_REMOVE(u, link);
		for (i = 0; i < s->nsems; i++) {
			int32_t v = s->sems[i].val + u->adj[i];

			if (!u->adj[i])
				continue;
			/* Linux clamps, rather than fail an exit. */
			s->sems[i].val = v < 0 ? 0 :
					 v > LINUX_SEMVMX ? LINUX_SEMVMX : v;
			s->sems[i].pid = tg->tgid;
		}
		free(u);
		sem_update_queue(s);
	}
}

void sem_proc_show(FILE *f)
{
	struct ipc_object *o;
	int idx = 0;

	fprintf(f, "       key      semid perms      nsems   uid   gid  cuid  "
		   "cgid      otime      ctime\n");
	while ((o = ipc_next(&sem_ids, &idx))) {
		struct sem_set *s = (struct sem_set *)o;

		fprintf(f, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lld %10lld\n",
			o->key, o->id, o->mode, (unsigned)s->nsems, o->uid,
			o->gid, o->cuid, o->cgid, (long long)s->otime,
			(long long)s->ctime);
	}
}
