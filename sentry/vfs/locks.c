/* SPDX-License-Identifier: Apache-2.0 */
/*
 * locks.c: advisory file locks, as Linux's fs/locks.c: POSIX record locks
 * (fcntl F_GETLK, F_SETLK, F_SETLKW), open file description locks (the
 * F_OFD_ forms) and flock(2).
 *
 * Locks hang off the inode in a context made on first use. A POSIX lock
 * belongs to a descriptor table (a process, or threads sharing one) and
 * goes when that table closes any descriptor of the inode; an OFD or
 * flock lock belongs to an open file description and goes with its last
 * reference. The record locks of one owner are kept together, sorted by
 * start, never overlapping, and merged when adjacent and of one type, so
 * F_GETLK reports the ranges Linux would.
 *
 * A blocked F_SETLKW is listed so that a request which would close a
 * cycle of processes waiting on each other fails with EDEADLK instead of
 * hanging them all (posix_locks_deadlock); waiters sleep on the context's
 * queue and look again after every change.
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/abi/errno.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/internal.h"

#define OFFSET_MAX INT64_MAX
/* How far posix_locks_deadlock follows a chain of waiters. */
#define MAX_DEADLK_ITERATIONS 10

struct file_lock {
	TAILQ_ENTRY(file_lock) link;
	const void *owner;  /* fd_table (POSIX) or file (OFD, flock) */
	int type;	    /* LINUX_F_RDLCK, LINUX_F_WRLCK, LINUX_F_UNLCK */
	bool ofd;	    /* an OFD record lock */
	int32_t pid;	    /* l_pid: the locking process (POSIX) */
	int64_t start, end; /* inclusive; end OFFSET_MAX: to the end */
};

TAILQ_HEAD(lock_list, file_lock);

struct file_lock_ctx {
	struct lock_list posix; /* POSIX and OFD record locks */
	struct lock_list flock;
	struct waitq wq; /* waiters for any change */
};

/* A POSIX F_SETLKW request asleep (Linux's blocked_hash). */
struct lock_block {
	LIST_ENTRY(lock_block) link;
	struct inode *inode;
	const struct file_lock *req;
};
static LIST_HEAD(, lock_block) blocked = LIST_HEAD_INITIALIZER(blocked);

static struct file_lock_ctx *ctx_get(struct inode *i)
{
	struct file_lock_ctx *c = i->flctx;

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	TAILQ_INIT(&c->posix);
	TAILQ_INIT(&c->flock);
	waitq_init(&c->wq);
	i->flctx = c;
	return c;
}

static void list_free(struct lock_list *l)
{
	struct file_lock *fl;

	while ((fl = TAILQ_FIRST(l))) {
		TAILQ_REMOVE(l, fl, link);
		free(fl);
	}
}

void vfs_locks_free(struct inode *i)
{
	struct file_lock_ctx *c = i->flctx;

	if (!c)
		return;
	list_free(&c->posix);
	list_free(&c->flock);
	free(c);
	i->flctx = NULL;
}

static bool overlap(const struct file_lock *a, const struct file_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* Two record locks conflict when different owners overlap and one of
 * them writes. */
static bool posix_conflict(const struct file_lock *req,
			   const struct file_lock *fl)
{
	return fl->owner != req->owner && overlap(req, fl) &&
	       (req->type == LINUX_F_WRLCK || fl->type == LINUX_F_WRLCK);
}

static struct file_lock *posix_find_conflict(struct file_lock_ctx *c,
					     const struct file_lock *req)
{
	struct file_lock *fl;

	TAILQ_FOREACH(fl, &c->posix, link)
	if (posix_conflict(req, fl))
		return fl;
	return NULL;
}

/* what_owner_is_waiting_for: the lock that blocks the sleeping request
 * of block's owner, if that owner sleeps. */
static struct file_lock *owner_waits_for(const struct file_lock *block)
{
	struct lock_block *b;

	LIST_FOREACH(b, &blocked, link)
	{
		if (b->req->owner != block->owner)
			continue;
		return b->inode->flctx
			       ? posix_find_conflict(b->inode->flctx, b->req)
			       : NULL;
	}
	return NULL;
}

/* Would req, by waiting for `block`, close a cycle of waiting owners? */
static bool posix_deadlock(const struct file_lock *req,
			   const struct file_lock *block)
{
	int n = 0;

	if (req->ofd)
		return false;
	while ((block = owner_waits_for(block))) {
		if (n++ > MAX_DEADLK_ITERATIONS)
			return false;
		if (block->owner == req->owner)
			return true;
	}
	return false;
}

/* Sleep until the context changes: 0, or -ERESTARTSYS for a signal (the
 * lock calls restart under SA_RESTART, as on Linux). A POSIX request
 * (`chain`) is listed for deadlock detection while it sleeps. */
static int lock_wait(struct task *t, struct inode *i,
		     const struct file_lock *req, bool chain)
{
	struct lock_block b = {.inode = i, .req = req};
	struct waiter w;
	int err;

	if (chain)
		LIST_INSERT_HEAD(&blocked, &b, link);
	waiter_init_task(&w, t, WAITQ_EV_ALL);
	waitq_add(&i->flctx->wq, &w);
	err = task_wait(t, 0, true);
	waitq_remove(&w);
	if (chain)
		LIST_REMOVE(&b, link);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

static void lock_notify(struct file_lock_ctx *c)
{
	waitq_notify(&c->wq, WAITQ_EV_ALL);
}

/* Put fl among its owner's locks, sorted by start (a new owner's locks go
 * last, as Linux inserts them). */
static void posix_insert(struct file_lock_ctx *c, struct file_lock *fl)
{
	struct file_lock *at;

	TAILQ_FOREACH(at, &c->posix, link)
	if (at->owner == fl->owner)
		break;
	while (at && at->owner == fl->owner && at->start < fl->start)
		at = TAILQ_NEXT(at, link);
	if (at)
		TAILQ_INSERT_BEFORE(at, fl, link);
	else
		TAILQ_INSERT_TAIL(&c->posix, fl, link);
}

/* Is fl next to [req->start, req->end] with no gap? */
static bool adjacent(const struct file_lock *fl, const struct file_lock *req)
{
	return (fl->end != OFFSET_MAX && fl->end + 1 == req->start) ||
	       (req->end != OFFSET_MAX && req->end + 1 == fl->start);
}

/* Apply req (granted: no conflict) to its owner's locks: same-type locks
 * that touch it merge into it, other overlapped ranges are cut out (a lock
 * around the range splits in two), and a lock request is inserted. `spare`
 * holds two preallocated locks (for the new lock and a split tail); the
 * ones used are set to NULL. */
static void posix_apply(struct file_lock_ctx *c, struct file_lock *req,
			struct file_lock **spare)
{
	struct file_lock *fl, *next;
	bool unlock = req->type == LINUX_F_UNLCK;

	for (fl = TAILQ_FIRST(&c->posix); fl; fl = next) {
		next = TAILQ_NEXT(fl, link);
		if (fl->owner != req->owner)
			continue;
		if (!unlock && fl->type == req->type &&
		    (overlap(fl, req) || adjacent(fl, req))) {
			if (fl->start < req->start)
				req->start = fl->start;
			if (fl->end > req->end)
				req->end = fl->end;
			TAILQ_REMOVE(&c->posix, fl, link);
			free(fl);
			continue;
		}
		if (!overlap(fl, req))
			continue;
		if (fl->start >= req->start && fl->end <= req->end) {
			TAILQ_REMOVE(&c->posix, fl, link);
			free(fl);
		} else if (fl->start < req->start && fl->end > req->end) {
			struct file_lock *tail = spare[1];

			spare[1] = NULL;
			*tail = *fl;
			tail->start = req->end + 1;
			fl->end = req->start - 1;
			posix_insert(c, tail);
		} else if (fl->start < req->start) {
			fl->end = req->start - 1;
		} else {
			/* Starts inside, ends after: its start moves, which
			 * keeps the owner's order. */
			fl->start = req->end + 1;
		}
	}
	if (!unlock) {
		fl = spare[0];
		spare[0] = NULL;
		*fl = *req;
		posix_insert(c, fl);
	}
	lock_notify(c);
}

/* posix_lock_inode for one request, waiting (F_SETLKW) while another
 * owner holds a conflicting lock. */
static int posix_lock(struct task *t, struct inode *i, struct file_lock *req,
		      bool wait)
{
	struct file_lock *spare[2] = {NULL, NULL}, *conflict;
	struct file_lock_ctx *c;
	int err = 0;

	if (req->type == LINUX_F_UNLCK && !i->flctx)
		return 0;
	c = ctx_get(i);
	spare[0] = malloc(sizeof(*spare[0]));
	spare[1] = malloc(sizeof(*spare[1]));
	if (!c || !spare[0] || !spare[1]) {
		err = -ENOLCK;
		goto out;
	}
	while (req->type != LINUX_F_UNLCK &&
	       (conflict = posix_find_conflict(c, req))) {
		err = -EAGAIN;
		if (!wait || !t)
			goto out;
		err = -EDEADLK;
		if (posix_deadlock(req, conflict))
			goto out;
		err = lock_wait(t, i, req, !req->ofd);
		if (err)
			goto out;
	}
	posix_apply(c, req, spare);
	err = 0;
out:
	free(spare[0]);
	free(spare[1]);
	return err;
}

/* flock_to_posix_lock: the byte range of a struct flock, from whence,
 * start and a length that may be 0 (to the end) or negative (before). */
static int flock_range(struct file *f, const struct linux_flock *l,
		       struct file_lock *fl)
{
	int64_t start, base;

	switch (l->l_whence) {
	case LINUX_SEEK_SET:
		base = 0;
		break;
	case LINUX_SEEK_CUR:
		base = f->pos;
		break;
	case LINUX_SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, l->l_start, &start) || start < 0)
		return -EINVAL;
	if (l->l_len > 0) {
		if (l->l_len - 1 > OFFSET_MAX - start)
			return -EOVERFLOW;
		fl->end = start + l->l_len - 1;
	} else if (l->l_len < 0) {
		if (start + l->l_len < 0)
			return -EINVAL;
		fl->end = start - 1;
		start += l->l_len;
	} else {
		fl->end = OFFSET_MAX;
	}
	fl->start = start;
	switch (l->l_type) {
	case LINUX_F_RDLCK:
	case LINUX_F_WRLCK:
	case LINUX_F_UNLCK:
		fl->type = l->l_type;
		return 0;
	default:
		return -EINVAL;
	}
}

/* fcntl_getlk: the first lock that would block this one, or F_UNLCK. */
static long fcntl_getlk(struct task *t, struct file *f, bool ofd,
			struct linux_flock *l)
{
	struct file_lock req = {0}, *fl = NULL;
	int err;

	if (l->l_type != LINUX_F_RDLCK && l->l_type != LINUX_F_WRLCK)
		return -EINVAL;
	err = flock_range(f, l, &req);
	if (err)
		return err;
	req.owner = t->fdt;
	if (ofd) {
		if (l->l_pid != 0)
			return -EINVAL;
		req.ofd = true;
		req.owner = f;
	}
	if (f->inode->flctx)
		fl = posix_find_conflict(f->inode->flctx, &req);
	if (!fl) {
		l->l_type = LINUX_F_UNLCK;
		return 0;
	}
	l->l_type = (int16_t)fl->type;
	l->l_whence = LINUX_SEEK_SET;
	l->l_start = fl->start;
	l->l_len = fl->end == OFFSET_MAX ? 0 : fl->end - fl->start + 1;
	l->l_pid = fl->ofd ? -1 : fl->pid;
	return 0;
}

/* fcntl_setlk: the range, the description's access mode for the type,
 * then the lock (owned by the descriptor table, or by the description
 * for OFD locks). */
static long fcntl_setlk(struct task *t, struct file *f, int cmd,
			const struct linux_flock *l)
{
	struct file_lock req = {0};
	bool wait = cmd == LINUX_F_SETLKW || cmd == LINUX_F_OFD_SETLKW;
	int err = flock_range(f, l, &req);

	if (err)
		return err;
	if ((req.type == LINUX_F_RDLCK && !(f->fmode & FMODE_READ)) ||
	    (req.type == LINUX_F_WRLCK && !(f->fmode & FMODE_WRITE)))
		return -EBADF;
	req.owner = t->fdt;
	req.pid = t->tg ? t->tg->tgid : t->tid;
	if (cmd == LINUX_F_OFD_SETLK || cmd == LINUX_F_OFD_SETLKW) {
		if (l->l_pid != 0)
			return -EINVAL;
		req.ofd = true;
		req.owner = f;
		req.pid = -1;
	}
	return posix_lock(t, f->inode, &req, wait);
}

long vfs_fcntl_lock(struct task *t, struct file *f, int cmd,
		    struct linux_flock *l)
{
	switch (cmd) {
	case LINUX_F_GETLK:
		return fcntl_getlk(t, f, false, l);
	case LINUX_F_OFD_GETLK:
		return fcntl_getlk(t, f, true, l);
	case LINUX_F_SETLK:
	case LINUX_F_SETLKW:
	case LINUX_F_OFD_SETLK:
	case LINUX_F_OFD_SETLKW:
		return fcntl_setlk(t, f, cmd, l);
	default:
		return -EINVAL;
	}
}

/* The first flock lock of another description that req conflicts with. */
static struct file_lock *flock_find_conflict(struct file_lock_ctx *c,
					     const struct file_lock *req)
{
	struct file_lock *fl;

	TAILQ_FOREACH(fl, &c->flock, link)
	if (fl->owner != req->owner &&
	    (req->type == LINUX_F_WRLCK || fl->type == LINUX_F_WRLCK))
		return fl;
	return NULL;
}

/* flock_lock_inode: a description holds at most one flock lock; a
 * conversion drops the old lock before waiting for the new one, as
 * Linux does (it is not atomic). */
int vfs_flock(struct task *t, struct file *f, unsigned op)
{
	struct file_lock req = {.owner = f}, *fl;
	struct file_lock_ctx *c;
	struct inode *i;
	int err;

	/* LOCK_MAND never did anything: Linux ignores it now. */
	if (op & LINUX_LOCK_MAND)
		return 0;
	switch (op & ~LINUX_LOCK_NB) {
	case LINUX_LOCK_SH:
		req.type = LINUX_F_RDLCK;
		break;
	case LINUX_LOCK_EX:
		req.type = LINUX_F_WRLCK;
		break;
	case LINUX_LOCK_UN:
		req.type = LINUX_F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (!f)
		return -EBADF;
	if (req.type != LINUX_F_UNLCK &&
	    !(f->fmode & (FMODE_READ | FMODE_WRITE)))
		return -EBADF;
	i = f->inode;
	if (req.type == LINUX_F_UNLCK && !i->flctx)
		return 0;
	c = ctx_get(i);
	if (!c)
		return -ENOLCK;
	TAILQ_FOREACH(fl, &c->flock, link)
	if (fl->owner == f)
		break;
	if (fl) {
		if (fl->type == req.type)
			return 0;
		TAILQ_REMOVE(&c->flock, fl, link);
		free(fl);
		lock_notify(c);
	}
	if (req.type == LINUX_F_UNLCK)
		return 0;
	while (flock_find_conflict(c, &req)) {
		if ((op & LINUX_LOCK_NB) || !t)
			return -EWOULDBLOCK;
		err = lock_wait(t, i, &req, false);
		if (err)
			return err;
	}
	fl = malloc(sizeof(*fl));
	if (!fl)
		return -ENOLCK;
	*fl = req;
	TAILQ_INSERT_TAIL(&c->flock, fl, link);
	return 0;
}

/* Remove the record locks of `owner` (OFD ones too when ofd). */
static void posix_remove_owner(struct file_lock_ctx *c, const void *owner,
			       bool ofd)
{
	struct file_lock *fl, *next;
	bool changed = false;

	for (fl = TAILQ_FIRST(&c->posix); fl; fl = next) {
		next = TAILQ_NEXT(fl, link);
		if (fl->owner != owner || fl->ofd != ofd)
			continue;
		TAILQ_REMOVE(&c->posix, fl, link);
		free(fl);
		changed = true;
	}
	if (changed)
		lock_notify(c);
}

void vfs_locks_remove_posix(struct file *f, const void *owner)
{
	if (f && f->inode->flctx)
		posix_remove_owner(f->inode->flctx, owner, false);
}

void vfs_locks_remove_file(struct file *f)
{
	struct file_lock_ctx *c = f->inode->flctx;
	struct file_lock *fl, *next;

	if (!c)
		return;
	posix_remove_owner(c, f, true);
	for (fl = TAILQ_FIRST(&c->flock); fl; fl = next) {
		next = TAILQ_NEXT(fl, link);
		if (fl->owner != f)
			continue;
		TAILQ_REMOVE(&c->flock, fl, link);
		free(fl);
		lock_notify(c);
	}
}
