/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqueue.c: POSIX message queues, after Linux's ipc/mqueue.c. The
 * sandbox has one set of named queues (as one IPC namespace has one
 * mqueue mount); a queue lives while it is linked or open. A sender that
 * finds a receiver blocked hands its message over directly, and a
 * receiver that makes room moves a blocked sender's message in, as
 * Linux's pipelined_send/receive do: so a notification is only for a
 * queue going from empty to non-empty with nobody waiting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/mqueue.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/vfs.h"

#define MQ_NAME_MAX 255

/* A task blocked in send or receive, on its stack. */
struct mq_waiter {
	TAILQ_ENTRY(mq_waiter) link;
	struct task *task;
	struct mq_msg *msg; /* the sender's; the receiver's once handed over */
	bool done;
};
TAILQ_HEAD(mq_waiters, mq_waiter);

struct mqueue {
	LIST_ENTRY(mqueue) link; /* in `queues` while linked */
	bool linked;
	unsigned opens; /* open descriptions */
	struct inode *inode; /* owner and mode; one reference per description */
	int64_t maxmsg, msgsize, curmsgs;
	uint64_t qsize; /* bytes of the queued messages */
	struct mq_msg *msgs; /* highest priority first, FIFO within one */
	struct mq_waiters senders, receivers;
	struct waitq wq;
	/* The mq_notify registration: notify_tgid 0 when none. */
	int32_t notify_tgid, notify, signo;
	uint64_t value;
	char name[];
};

static LIST_HEAD(, mqueue) queues = LIST_HEAD_INITIALIZER(queues);
static unsigned nqueues; /* alive, linked or not (queues_max) */

static const struct file_ops mqueue_fops;

int mqueue_name_ok(const char *name)
{
	size_t len = strlen(name);

	/* getname() refuses "", then lookup_one_len on the mqueue root. */
	if (len == 0)
		return -ENOENT;
	if (strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EACCES;
	if (len > MQ_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static struct mqueue *mq_lookup(const char *name)
{
	struct mqueue *q;

	LIST_FOREACH(q, &queues, link)
		if (!strcmp(q->name, name))
			return q;
	return NULL;
}

static void mq_free(struct mqueue *q)
{
	struct mq_msg *m;

	while ((m = q->msgs)) {
		q->msgs = m->next;
		free(m);
	}
	inode_put(q->inode);
	nqueues--;
	free(q);
}

/* mq_attr_ok: the limits of /proc/sys/fs/mqueue, or for CAP_SYS_RESOURCE
 * the hard ones. */
static int mq_attr_ok(struct task *t, const struct linux_mq_attr *a)
{
	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return -EINVAL;
	if (creds_capable(t->creds, LINUX_CAP_SYS_RESOURCE)) {
		if (a->mq_maxmsg > LINUX_HARD_MSGMAX ||
		    a->mq_msgsize > LINUX_HARD_MSGSIZEMAX)
			return -EINVAL;
	} else if (a->mq_maxmsg > LINUX_DFLT_MSGMAX ||
		   a->mq_msgsize > LINUX_DFLT_MSGSIZEMAX) {
		return -EINVAL;
	}
	return 0;
}

static long mq_create(struct task *t, const char *name, uint32_t mode,
		      const struct linux_mq_attr *attr, struct mqueue **out)
{
	size_t len = strlen(name);
	struct mqueue *q;
	int err;

	if (attr) {
		err = mq_attr_ok(t, attr);
		if (err)
			return err;
	}
	if (nqueues >= LINUX_DFLT_QUEUESMAX &&
	    !creds_capable(t->creds, LINUX_CAP_SYS_RESOURCE))
		return -ENOSPC;
	q = calloc(1, sizeof(*q) + len + 1);
	if (!q)
		return -ENOMEM;
	memcpy(q->name, name, len + 1);
	q->maxmsg = attr ? attr->mq_maxmsg : LINUX_DFLT_MSG;
	q->msgsize = attr ? attr->mq_msgsize : LINUX_DFLT_MSGSIZE;
	TAILQ_INIT(&q->senders);
	TAILQ_INIT(&q->receivers);
	waitq_init(&q->wq);
	q->inode = inode_new(vfs_pseudo_sb(), NULL, NULL,
			     LINUX_S_IFREG | (mode & 07777 & ~t->fs->umask), 0);
	if (!q->inode) {
		free(q);
		return -ENOMEM;
	}
	q->inode->uid = t->creds->fsuid;
	q->inode->gid = t->creds->fsgid;
	q->linked = true;
	LIST_INSERT_HEAD(&queues, q, link);
	nqueues++;
	*out = q;
	return 0;
}

long mqueue_open(struct task *t, const char *name, uint32_t oflag,
		 uint32_t mode, const struct linux_mq_attr *attr)
{
	static const int acc[] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE };
	struct mqueue *q = mq_lookup(name);
	char path[MQ_NAME_MAX + 2];
	bool created = false;
	struct file *f;
	long err;
	int fd;

	if (!q) {
		if (!(oflag & LINUX_O_CREAT))
			return -ENOENT;
		err = mq_create(t, name, mode, attr, &q);
		if (err)
			return err;
		created = true;
	} else {
		if ((oflag & (LINUX_O_CREAT | LINUX_O_EXCL)) ==
		    (LINUX_O_CREAT | LINUX_O_EXCL))
			return -EEXIST;
		if ((oflag & LINUX_O_ACCMODE) == LINUX_O_ACCMODE)
			return -EINVAL;
		err = vfs_generic_permission(q->inode,
					     acc[oflag & LINUX_O_ACCMODE],
					     t->creds);
		if (err)
			return err;
	}
	inode_get(q->inode);
	snprintf(path, sizeof(path), "/%s", name);
	err = file_new_pseudo(q->inode, path, &mqueue_fops,
			      oflag & (LINUX_O_ACCMODE | LINUX_O_NONBLOCK), q, &f);
	if (err) {
		if (created) {
			LIST_REMOVE(q, link);
			mq_free(q);
		}
		return err;
	}
	q->opens++;
	/* Linux installs every queue descriptor close-on-exec, as POSIX
	 * wants them closed across exec. */
	fd = fd_install(t, f, FD_CLOEXEC_FLAG);
	file_put(f);
	return fd;
}

long mqueue_unlink(struct task *t, const char *name)
{
	struct mqueue *q = mq_lookup(name);

	if (!q)
		return -ENOENT;
	/* The mqueue root is sticky (01777): only the owner removes. */
	if (q->inode->uid != t->creds->fsuid &&
	    !creds_capable(t->creds, LINUX_CAP_FOWNER))
		return -EPERM;
	LIST_REMOVE(q, link);
	q->linked = false;
	if (!q->opens)
		mq_free(q);
	return 0;
}

struct file *mqueue_fd_get(struct task *t, int fd)
{
	struct file *f = fd_get(t, fd);

	if (f && f->ops != &mqueue_fops) {
		file_put(f);
		return NULL;
	}
	return f;
}

bool mqueue_file_can(const struct file *f, bool write)
{
	uint32_t acc = f->flags & LINUX_O_ACCMODE;

	if (acc == LINUX_O_RDWR)
		return true;
	return write ? acc == LINUX_O_WRONLY : acc == LINUX_O_RDONLY;
}

int64_t mqueue_msgsize(const struct file *f)
{
	return ((const struct mqueue *)f->priv)->msgsize;
}

static void mq_insert(struct mqueue *q, struct mq_msg *m)
{
	struct mq_msg **p = &q->msgs;

	while (*p && (*p)->prio >= m->prio)
		p = &(*p)->next;
	m->next = *p;
	*p = m;
	q->curmsgs++;
	q->qsize += m->len;
}

/* The queue went from empty to non-empty: notify and unregister. */
static void mq_do_notify(struct mqueue *q, struct task *sender)
{
	struct thread_group *tg;

	if (!q->notify_tgid)
		return;
	tg = tg_by_tgid(q->notify_tgid);
	if (tg && q->notify == LINUX_SIGEV_SIGNAL && q->signo) {
		struct linux_siginfo si = {
			.signo = q->signo,
			.code = LINUX_SI_MESGQ,
		};

		si.u.kill.pid = sender->tg->tgid;
		si.u.kill.uid = sender->creds->uid;
		si.u.kill.value = q->value;
		signal_send_group(tg, &si);
	}
	q->notify_tgid = 0;
}

/* Sleep as a waiter on `l` until done or the deadline or a signal. */
static long mq_wait(struct task *t, struct mq_waiters *l,
		    struct mq_waiter *w, int64_t deadline)
{
	TAILQ_INSERT_TAIL(l, w, link);
	for (;;) {
		int err = task_wait(t, deadline, true);

		if (w->done)
			return 0;
		if (err) {
			TAILQ_REMOVE(l, w, link);
			return err == -ETIMEDOUT ? -ETIMEDOUT : -ERESTARTSYS;
		}
	}
}

long mqueue_send(struct task *t, struct file *f, struct mq_msg *m,
		 int64_t deadline)
{
	struct mqueue *q = f->priv;
	struct mq_waiter *r, w = { .task = t, .msg = m };
	long err;

	if (q->curmsgs >= q->maxmsg) {
		if (f->flags & LINUX_O_NONBLOCK) {
			free(m);
			return -EAGAIN;
		}
		/* A receiver queues the message and marks us done. */
		err = mq_wait(t, &q->senders, &w, deadline);
		if (err)
			free(m);
		return err;
	}
	r = TAILQ_FIRST(&q->receivers);
	if (r) {
		TAILQ_REMOVE(&q->receivers, r, link);
		r->msg = m;
		r->done = true;
		task_wake(r->task);
		return 0;
	}
	mq_insert(q, m);
	if (q->curmsgs == 1)
		mq_do_notify(q, t);
	waitq_notify(&q->wq, LINUX_POLLIN | LINUX_POLLRDNORM);
	return 0;
}

long mqueue_receive(struct task *t, struct file *f, int64_t deadline,
		    struct mq_msg **out)
{
	struct mqueue *q = f->priv;
	struct mq_waiter *s, w = { .task = t };
	struct mq_msg *m;
	long err;

	if (!q->curmsgs) {
		if (f->flags & LINUX_O_NONBLOCK)
			return -EAGAIN;
		err = mq_wait(t, &q->receivers, &w, deadline);
		if (!err)
			*out = w.msg;
		return err;
	}
	m = q->msgs;
	q->msgs = m->next;
	q->curmsgs--;
	q->qsize -= m->len;
	s = TAILQ_FIRST(&q->senders);
	if (s) {
		TAILQ_REMOVE(&q->senders, s, link);
		mq_insert(q, s->msg);
		s->done = true;
		task_wake(s->task);
	} else {
		waitq_notify(&q->wq, LINUX_POLLOUT | LINUX_POLLWRNORM);
	}
	*out = m;
	return 0;
}

long mqueue_notify(struct task *t, struct file *f,
		   const struct linux_sigevent *ev)
{
	struct mqueue *q = f->priv;

	if (!ev) {
		if (q->notify_tgid == t->tg->tgid)
			q->notify_tgid = 0;
		return 0;
	}
	if (q->notify_tgid)
		return -EBUSY;
	q->notify = ev->notify;
	q->signo = ev->signo;
	q->value = ev->value;
	q->notify_tgid = t->tg->tgid;
	return 0;
}

void mqueue_getsetattr(struct file *f, const struct linux_mq_attr *set,
		       struct linux_mq_attr *old)
{
	struct mqueue *q = f->priv;

	memset(old, 0, sizeof(*old));
	old->mq_flags = f->flags & LINUX_O_NONBLOCK;
	old->mq_maxmsg = q->maxmsg;
	old->mq_msgsize = q->msgsize;
	old->mq_curmsgs = q->curmsgs;
	if (set) {
		if (set->mq_flags & LINUX_O_NONBLOCK)
			f->flags |= LINUX_O_NONBLOCK;
		else
			f->flags &= ~LINUX_O_NONBLOCK;
	}
}

/* Reading the queue gives its state, in Linux's words. */
static ssize_t mqueue_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct mqueue *q = f->priv;
	bool reg = q->notify_tgid != 0;
	char buf[128];
	size_t len, n;
	int r;

	r = snprintf(buf, sizeof(buf),
		     "QSIZE:%-10llu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		     (unsigned long long)q->qsize, reg ? q->notify : 0,
		     reg && q->notify == LINUX_SIGEV_SIGNAL ? q->signo : 0,
		     q->notify_tgid);
	len = (size_t)r;
	if (*pos < 0 || (uint64_t)*pos >= len)
		return 0;
	n = len - (size_t)*pos;
	if (n > uio->resid)
		n = uio->resid;
	n = vfs_uio_copy_to(uio, buf + *pos, n);
	if (!n)
		return -EFAULT;
	*pos += (int64_t)n;
	return (ssize_t)n;
}

static uint32_t mqueue_poll(struct file *f, struct waitq **wq)
{
	struct mqueue *q = f->priv;
	uint32_t ev = 0;

	if (wq)
		*wq = &q->wq;
	if (q->curmsgs)
		ev |= LINUX_POLLIN | LINUX_POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		ev |= LINUX_POLLOUT | LINUX_POLLWRNORM;
	return ev;
}

static void mqueue_release(struct file *f)
{
	struct mqueue *q = f->priv;
	struct task *t = task_current();

	/* Linux drops the registration when its process closes a
	 * descriptor of the queue (mqueue_flush_file); the last close of
	 * a description is what is seen here. */
	if (t && q->notify_tgid == t->tg->tgid)
		q->notify_tgid = 0;
	if (!--q->opens && !q->linked)
		mq_free(q);
}

static const struct file_ops mqueue_fops = {
	.llseek = vfs_offset_llseek,
	.read = mqueue_read,
	.poll = mqueue_poll,
	.release = mqueue_release,
};
