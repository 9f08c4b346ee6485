/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc_msg.c: System V message queues (msgget, msgsnd, msgrcv, msgctl),
 * after Linux's ipc/msg.c. Blocked senders and receivers wait on their
 * queue's lists and look again whenever the queue changes; a removed
 * queue ends their wait with EIDRM.
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
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

struct msg {
	TAILQ_ENTRY(msg) link;
	int64_t type;
	size_t size;
	char text[];
};

/* A task blocked in msgsnd or msgrcv, on its stack. */
struct msg_waiter {
	TAILQ_ENTRY(msg_waiter) link;
	struct task *task;
	int status; /* 0 while waiting; -EIDRM once the queue is gone */
};
TAILQ_HEAD(msg_waiters, msg_waiter);

struct msg_queue {
	struct ipc_object perm;
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int32_t lspid, lrpid;
	TAILQ_HEAD(, msg) msgs;
	struct msg_waiters senders, receivers;
};

static struct ipc_ids msg_ids = IPC_IDS_INIT(LINUX_MSGMNI);
/* Messages and bytes in all queues (MSG_INFO). */
static long msg_hdrs, msg_bytes;

/* How msgrcv matches msgtyp (Linux's SEARCH_*). */
enum msg_search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL };

static struct msg_queue *msq_lookup(int id)
{
	return (struct msg_queue *)ipc_lookup(&msg_ids, id);
}

static int msq_create(struct task *t, int32_t key, int flg, void *priv)
{
	struct msg_queue *q = calloc(1, sizeof(*q));
	int id;

	(void)priv;
	if (!q)
		return -ENOMEM;
	q->qbytes = LINUX_MSGMNB;
	q->ctime = ipc_now();
	TAILQ_INIT(&q->msgs);
	TAILQ_INIT(&q->senders);
	TAILQ_INIT(&q->receivers);
	id = ipc_add(t, &msg_ids, &q->perm, key, flg);
	if (id < 0)
		free(q);
	return id;
}

long kern_msgget(struct task *t, const struct msgget_args *a)
{
	static const struct ipc_get_ops ops = { msq_create, NULL };

	return ipc_get(t, &msg_ids, a->key, a->msgflg, &ops, NULL);
}

static void wake_all(struct msg_waiters *l, int status)
{
	struct msg_waiter *w;

	TAILQ_FOREACH(w, l, link) {
		if (status)
			w->status = status;
		task_wake(w->task);
	}
}

static void msq_destroy(struct msg_queue *q)
{
	struct msg *m;

	ipc_remove(&msg_ids, &q->perm);
	wake_all(&q->senders, -EIDRM);
	wake_all(&q->receivers, -EIDRM);
	while ((m = TAILQ_FIRST(&q->msgs))) {
		TAILQ_REMOVE(&q->msgs, m, link);
		msg_hdrs--;
		msg_bytes -= (long)m->size;
		free(m);
	}
	free(q);
}

/* Block on one of the queue's lists until it changes: 0 to look again,
 * -EIDRM, or -ERESTARTNOHAND for a signal (Linux restarts msgsnd and
 * msgrcv only when no handler runs). */
static int msq_wait(struct task *t, struct msg_waiters *l)
{
	struct msg_waiter w = { .task = t };
	int err;

	TAILQ_INSERT_TAIL(l, &w, link);
	err = task_wait(t, 0, true);
	if (w.status)
		return w.status; /* the queue is gone with its lists */
	TAILQ_REMOVE(l, &w, link);
	return err ? -ERESTARTNOHAND : 0;
}

long kern_msgsnd(struct task *t, const struct msgsnd_args *a)
{
	struct msg_queue *q;
	struct msg *m;
	int64_t type;
	long err;

	if (task_copy_in(t, a->msgp, &type, sizeof(type)))
		return -EFAULT;
	if (a->msgsz > LINUX_MSGMAX || a->msqid < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	m = malloc(sizeof(*m) + a->msgsz);
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->size = a->msgsz;
	err = -EFAULT;
	if (task_copy_in(t, a->msgp + sizeof(type), m->text, m->size))
		goto fail;
	for (;;) {
		err = -EINVAL;
		q = msq_lookup(a->msqid);
		if (!q)
			goto fail;
		err = -EACCES;
		if (ipc_perms(t, &q->perm, IPC_S_IWUGO))
			goto fail;
		if (m->size + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes)
			break;
		err = -EAGAIN;
		if (a->msgflg & LINUX_IPC_NOWAIT)
			goto fail;
		err = msq_wait(t, &q->senders);
		if (err)
			goto fail;
	}
	TAILQ_INSERT_TAIL(&q->msgs, m, link);
	q->cbytes += m->size;
	q->qnum++;
	q->lspid = t->tg->tgid;
	q->stime = ipc_now();
	msg_hdrs++;
	msg_bytes += (long)m->size;
	wake_all(&q->receivers, 0);
	return 0;
fail:
	free(m);
	return err;
}

static bool msg_matches(const struct msg *m, int64_t type,
			enum msg_search mode)
{
	switch (mode) {
	case SEARCH_ANY:
		return true;
	case SEARCH_EQUAL:
		return m->type == type;
	case SEARCH_NOTEQUAL:
		return m->type != type;
	case SEARCH_LESSEQUAL:
		return m->type <= type;
	}
	return false;
}

/* The message msgrcv takes: the first match, or for a negative msgtyp
 * the first of the lowest type not above |msgtyp|. */
static struct msg *msg_find(struct msg_queue *q, int64_t type,
			    enum msg_search mode)
{
	struct msg *m, *found = NULL;

	TAILQ_FOREACH(m, &q->msgs, link) {
		if (!msg_matches(m, type, mode))
			continue;
		if (mode != SEARCH_LESSEQUAL)
			return m;
		if (!found || m->type < found->type)
			found = m;
		if (found->type == 1)
			break;
	}
	return found;
}

long kern_msgrcv(struct task *t, const struct msgrcv_args *a)
{
	int64_t type = a->msgtyp;
	enum msg_search mode;
	struct msg_queue *q;
	struct msg *m;
	size_t n;
	long err;

	if (a->msqid < 0 || (int64_t)a->msgsz < 0)
		return -EINVAL;
	if (a->msgflg & LINUX_MSG_COPY) {
		if ((a->msgflg & LINUX_MSG_EXCEPT) ||
		    !(a->msgflg & LINUX_IPC_NOWAIT))
			return -EINVAL;
		/* As Linux without CONFIG_CHECKPOINT_RESTORE. */
		return -ENOSYS;
	}
	if (type == 0) {
		mode = SEARCH_ANY;
	} else if (type < 0) {
		mode = SEARCH_LESSEQUAL;
		type = type == INT64_MIN ? INT64_MAX : -type;
	} else {
		mode = (a->msgflg & LINUX_MSG_EXCEPT) ? SEARCH_NOTEQUAL :
							SEARCH_EQUAL;
	}
	for (;;) {
		q = msq_lookup(a->msqid);
		if (!q)
			return -EINVAL;
		if (ipc_perms(t, &q->perm, IPC_S_IRUGO))
			return -EACCES;
		m = msg_find(q, type, mode);
		if (m)
			break;
		if (a->msgflg & LINUX_IPC_NOWAIT)
			return -ENOMSG;
		err = msq_wait(t, &q->receivers);
		if (err)
			return err;
	}
	if (a->msgsz < m->size && !(a->msgflg & LINUX_MSG_NOERROR))
		return -E2BIG;
	TAILQ_REMOVE(&q->msgs, m, link);
	q->cbytes -= m->size;
	q->qnum--;
	q->lrpid = t->tg->tgid;
	q->rtime = ipc_now();
	msg_hdrs--;
	msg_bytes -= (long)m->size;
	wake_all(&q->senders, 0);
	/* The message is off the queue: a bad buffer loses it, as on Linux. */
	n = m->size < a->msgsz ? m->size : a->msgsz;
	err = (long)n;
	if (task_copy_out(t, a->msgp, &m->type, sizeof(m->type)) ||
	    task_copy_out(t, a->msgp + sizeof(m->type), m->text, n))
		err = -EFAULT;
	free(m);
	return err;
}

static long msq_info(struct task *t, int cmd, uint64_t buf)
{
	struct linux_msginfo mi = {
		.msgmni = LINUX_MSGMNI, .msgmax = LINUX_MSGMAX,
		.msgmnb = LINUX_MSGMNB, .msgssz = LINUX_MSGSSZ,
		.msgseg = LINUX_MSGSEG, .msgmap = LINUX_MSGMAP,
		.msgpool = LINUX_MSGPOOL, .msgtql = LINUX_MSGTQL,
	};
	int max = ipc_max_idx(&msg_ids);

	if (cmd == LINUX_MSG_INFO) {
		mi.msgpool = msg_ids.in_use;
		mi.msgmap = (int32_t)msg_hdrs;
		mi.msgtql = (int32_t)msg_bytes;
	}
	if (task_copy_out(t, buf, &mi, sizeof(mi)))
		return -EFAULT;
	return max < 0 ? 0 : max;
}

static long msq_stat(struct task *t, int id, int cmd, uint64_t buf)
{
	struct linux_msqid64_ds ds;
	struct msg_queue *q;

	if (cmd == LINUX_IPC_STAT)
		q = msq_lookup(id);
	else
		q = (struct msg_queue *)ipc_lookup_idx(&msg_ids, id);
	if (!q)
		return -EINVAL;
	if (cmd != LINUX_MSG_STAT_ANY && ipc_perms(t, &q->perm, IPC_S_IRUGO))
		return -EACCES;
	memset(&ds, 0, sizeof(ds));
	ipc_fill_perm(&q->perm, &ds.msg_perm);
	ds.msg_stime = q->stime;
	ds.msg_rtime = q->rtime;
	ds.msg_ctime = q->ctime;
	ds.msg_cbytes = q->cbytes;
	ds.msg_qnum = q->qnum;
	ds.msg_qbytes = q->qbytes;
	ds.msg_lspid = q->lspid;
	ds.msg_lrpid = q->lrpid;
	if (task_copy_out(t, buf, &ds, sizeof(ds)))
		return -EFAULT;
	return cmd == LINUX_IPC_STAT ? 0 : q->perm.id;
}

long kern_msgctl(struct task *t, const struct msgctl_args *a)
{
	struct linux_msqid64_ds ds;
	struct msg_queue *q;
	long err;

	if (a->msqid < 0 || a->cmd < 0)
		return -EINVAL;
	switch (a->cmd) {
	case LINUX_IPC_INFO:
	case LINUX_MSG_INFO:
		return msq_info(t, a->cmd, a->buf);
	case LINUX_IPC_STAT:
	case LINUX_MSG_STAT:
	case LINUX_MSG_STAT_ANY:
		return msq_stat(t, a->msqid, a->cmd, a->buf);
	case LINUX_IPC_SET:
		if (task_copy_in(t, a->buf, &ds, sizeof(ds)))
			return -EFAULT;
		/* fallthrough */
	case LINUX_IPC_RMID:
		q = msq_lookup(a->msqid);
		if (!q)
			return -EINVAL;
		err = ipc_check_owner(t, &q->perm);
		if (err)
			return err;
		if (a->cmd == LINUX_IPC_RMID) {
			msq_destroy(q);
			return 0;
		}
		if (ds.msg_qbytes > LINUX_MSGMNB &&
		    !creds_capable(t->creds, LINUX_CAP_SYS_RESOURCE))
			return -EPERM;
		err = ipc_set_perm(&q->perm, &ds.msg_perm);
		if (err)
			return err;
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		/* More room, or stricter permissions: everyone looks again. */
		wake_all(&q->senders, 0);
		wake_all(&q->receivers, 0);
		return 0;
	}
	return -EINVAL;
}

void msg_proc_show(FILE *f)
{
	struct ipc_object *o;
	int idx = 0;

	fprintf(f, "       key      msqid perms      cbytes       qnum lspid "
		   "lrpid   uid   gid  cuid  cgid      stime      rtime      "
		   "ctime\n");
	while ((o = ipc_next(&msg_ids, &idx))) {
		struct msg_queue *q = (struct msg_queue *)o;

		fprintf(f, "%10d %10d  %4o  %10llu %10llu %5u %5u %5u %5u %5u "
			   "%5u %10lld %10lld %10lld\n",
			o->key, o->id, o->mode, (unsigned long long)q->cbytes,
			(unsigned long long)q->qnum, (unsigned)q->lspid,
			(unsigned)q->lrpid, o->uid, o->gid, o->cuid, o->cgid,
			(long long)q->stime, (long long)q->rtime,
			(long long)q->ctime);
	}
}
