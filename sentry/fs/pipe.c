/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipe.c: pipes and FIFOs (see pipe.h).
 *
 * The ring buffer grows with its contents (a power of two up to the pipe's
 * capacity) and is freed whenever the pipe drains, so idle pipes cost no
 * buffer: a guest holding thousands of empty pipes, or one pipe resized to
 * 2 GiB, must not pin that memory in the Sentry until it writes the data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/ioctl.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/vfs.h"

struct pipe {
	char *buf;	/* NULL while empty */
	uint32_t bufsz; /* bytes allocated: a power of two <= cap */
	uint32_t cap;	/* capacity: a power of two >= 4096 */
	uint32_t head;	/* read position */
	uint32_t len;	/* bytes buffered */
	unsigned readers, writers;
	unsigned nfiles; /* descriptions using it (anonymous pipes) */
	unsigned r_counter, w_counter; /* opens so far (FIFO open waits) */
	bool fifo;		       /* belongs to an inode */
	struct waitq wq;
};

static const struct file_ops pipe_fops;

static void ring_free(struct pipe *p)
{
	free(p->buf);
	p->buf = NULL;
	p->bufsz = 0;
	p->head = 0;
}

static struct pipe *pipe_alloc(bool fifo)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cap = PIPE_DEF_SIZE;
	p->fifo = fifo;
	waitq_init(&p->wq);
	return p;
}

static struct pipe *pipe_of(struct file *f)
{
	return f->priv;
}

/* Block t until p's queue reports one of `events`: 0, or -ERESTARTSYS
 * when a signal interrupts (SA_RESTART decides at delivery). */
static int pipe_wait(struct task *t, struct pipe *p, uint32_t events)
{
	struct waiter w;
	int err;

	waiter_init_task(&w, t, events);
	waitq_add(&p->wq, &w);
	err = task_wait(t, 0, true);
	waitq_remove(&w);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

static void pipe_notify(struct pipe *p, uint32_t events)
{
	waitq_notify(&p->wq, events);
}

static bool nonblocking(struct file *f, struct vfs_uio *uio)
{
	return (f->flags & LINUX_O_NONBLOCK) || !uio->t;
}

/* Take what is buffered (never waiting for more once something was
 * read); block only on an empty pipe that still has writers. */
static ssize_t pipe_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct pipe *p = pipe_of(f);

	(void)pos;
	for (;;) {
		if (p->len) {
			uint32_t n = p->len, first;
			long got;

			if (n > uio->resid)
				n = (uint32_t)uio->resid;
			first = p->bufsz - p->head;
			if (first > n)
				first = n;
			got = vfs_uio_copy_to(uio, p->buf + p->head, first);
			if (got == (long)first && n > first) {
				long more =
					vfs_uio_copy_to(uio, p->buf, n - first);

				got = more < 0 ? got : got + more;
			}
			if (got <= 0)
				return got < 0 ? got : -EFAULT;
			p->head = (p->head + (uint32_t)got) & (p->bufsz - 1);
			p->len -= (uint32_t)got;
			if (!p->len)
				ring_free(p);
			vfs_now(&f->inode->atime);
			pipe_notify(p, LINUX_POLLOUT | LINUX_POLLWRNORM);
			return got;
		}
		if (!p->writers)
			return 0;
		if (nonblocking(f, uio))
			return -EAGAIN;
		if (pipe_wait(uio->t, p, LINUX_POLLIN | LINUX_POLLHUP))
			return -ERESTARTSYS;
	}
}

/* SIGPIPE to the writing thread (Linux's send_sig: SI_USER from itself). */
static void send_sigpipe(struct task *t)
{
	struct linux_siginfo si = {.signo = LINUX_SIGPIPE,
				   .code = LINUX_SI_USER};

	if (!t)
		return;
	si.u.kill.pid = t->tg ? t->tg->tgid : t->tid;
	si.u.kill.uid = t->creds ? t->creds->uid : 0;
	signal_send_task(t, &si);
}

/* Move the ring's contents into a new buffer of `size` bytes. */
static int ring_resize(struct pipe *p, uint32_t size)
{
	char *nb = malloc(size);
	uint32_t first;

	if (!nb)
		return -ENOMEM;
	if (p->len) {
		first = p->bufsz - p->head;
		if (first > p->len)
			first = p->len;
		memcpy(nb, p->buf + p->head, first);
		memcpy(nb + first, p->buf, p->len - first);
	}
	free(p->buf);
	p->buf = nb;
	p->bufsz = size;
	p->head = 0;
	return 0;
}

/* Room for `need` buffered bytes in all (need <= cap). */
static int ring_reserve(struct pipe *p, uint32_t need)
{
	uint32_t size = p->bufsz ? p->bufsz : 4096;

	if (p->buf && need <= p->bufsz)
		return 0;
	while (size < need)
		size <<= 1;
	if (size > p->cap)
		size = p->cap;
	return ring_resize(p, size);
}

/* Append up to n bytes from uio to the ring; bytes taken or -EFAULT. */
static long ring_fill(struct pipe *p, struct vfs_uio *uio, uint32_t n)
{
	uint32_t tail, first;
	long got;
	int err = ring_reserve(p, p->len + n);

	if (err)
		return err;
	tail = (p->head + p->len) & (p->bufsz - 1);
	first = p->bufsz - tail;
	if (first > n)
		first = n;
	got = vfs_uio_copy_from(uio, p->buf + tail, first);
	if (got == (long)first && n > first) {
		long more = vfs_uio_copy_from(uio, p->buf, n - first);

		got = more < 0 ? got : got + more;
	}
	if (got > 0)
		p->len += (uint32_t)got;
	return got;
}

/* Write all of uio, blocking for room; writes of at most PIPE_BUF bytes
 * go in whole, larger ones may interleave with other writers. */
static ssize_t pipe_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct pipe *p = pipe_of(f);
	bool atomic = uio->resid <= LINUX_PIPE_BUF;
	ssize_t done = 0;

	(void)pos;
	if (!uio->resid)
		return 0;
	for (;;) {
		uint32_t space = p->cap - p->len;

		if (!p->readers) {
			send_sigpipe(uio->t);
			return done ? done : -EPIPE;
		}
		if (space && (!atomic || space >= uio->resid)) {
			uint32_t n = space;
			long got;

			if (n > uio->resid)
				n = (uint32_t)uio->resid;
			got = ring_fill(p, uio, n);
			if (got <= 0) {
				if (!p->len)
					ring_free(p);
				return done ? done : (got < 0 ? got : -EFAULT);
			}
			done += got;
			vfs_now(&f->inode->mtime);
			f->inode->ctime = f->inode->mtime;
			pipe_notify(p, LINUX_POLLIN | LINUX_POLLRDNORM);
			if (!uio->resid || got < (long)n)
				return done;
			continue;
		}
		if (nonblocking(f, uio))
			return done ? done : -EAGAIN;
		if (pipe_wait(uio->t, p, LINUX_POLLOUT | LINUX_POLLERR))
			return done ? done : -ERESTARTSYS;
	}
}

static uint32_t pipe_poll(struct file *f, struct waitq **wq)
{
	struct pipe *p = pipe_of(f);
	uint32_t ev = 0;

	if (wq)
		*wq = &p->wq;
	if (f->fmode & FMODE_READ) {
		if (p->len)
			ev |= LINUX_POLLIN | LINUX_POLLRDNORM;
		/* A FIFO reader that never saw a writer is not hung up. */
		if (!p->writers && (!p->fifo || p->w_counter))
			ev |= LINUX_POLLHUP;
	}
	if (f->fmode & FMODE_WRITE) {
		if (p->cap - p->len >= LINUX_PIPE_BUF)
			ev |= LINUX_POLLOUT | LINUX_POLLWRNORM;
		if (!p->readers)
			ev |= LINUX_POLLERR;
	}
	return ev;
}

long pipe_bytes(struct file *f)
{
	if (f->ops != &pipe_fops)
		return -EINVAL;
	return pipe_of(f)->len;
}

static long pipe_ioctl(struct file *f, struct task *t, uint32_t cmd,
		       uint64_t arg)
{
	int32_t n;

	if (cmd != LINUX_FIONREAD)
		return -ENOTTY;
	n = (int32_t)pipe_of(f)->len;
	return task_copy_out(t, arg, &n, sizeof(n));
}

/* F_SETPIPE_SZ: round up to a power-of-two number of pages; past
 * pipe-max-size needs CAP_SYS_RESOURCE; never below what is buffered. */
static long pipe_set_size(struct pipe *p, struct task *t, uint32_t arg)
{
	uint32_t size = 4096;

	if (arg > (1u << 31))
		return -EINVAL;
	while (size < arg)
		size <<= 1;
	if (size > PIPE_MAX_SIZE &&
	    !(t && t->creds &&
	      ((t->creds->cap_effective >> LINUX_CAP_SYS_RESOURCE) & 1)))
		return -EPERM;
	if (size < p->len)
		return -EBUSY;
	if (p->buf && p->bufsz > size) {
		int err = ring_resize(p, size);

		if (err)
			return err;
	}
	p->cap = size;
	pipe_notify(p, LINUX_POLLOUT | LINUX_POLLWRNORM);
	return size;
}

static long pipe_fcntl(struct file *f, struct task *t, int cmd, uint64_t arg)
{
	switch (cmd) {
	case LINUX_F_GETPIPE_SZ:
		return pipe_of(f)->cap;
	case LINUX_F_SETPIPE_SZ:
		return pipe_set_size(pipe_of(f), t, (uint32_t)arg);
	default:
		return -EINVAL;
	}
}

bool pipe_is(const struct file *f)
{
	return f && f->ops == &pipe_fops;
}

long pipe_wait_readable(struct file *f, struct task *t, bool nonblock)
{
	struct pipe *p = pipe_of(f);

	for (;;) {
		if (p->len)
			return p->len;
		if (!p->writers)
			return 0;
		if (nonblock || !t)
			return -EAGAIN;
		if (pipe_wait(t, p, LINUX_POLLIN | LINUX_POLLHUP))
			return -ERESTARTSYS;
	}
}

long pipe_wait_writable(struct file *f, struct task *t, bool nonblock)
{
	struct pipe *p = pipe_of(f);

	for (;;) {
		if (!p->readers) {
			send_sigpipe(t);
			return -EPIPE;
		}
		if (p->len < p->cap)
			return p->cap - p->len;
		if (nonblock || !t)
			return -EAGAIN;
		if (pipe_wait(t, p, LINUX_POLLOUT | LINUX_POLLERR))
			return -ERESTARTSYS;
	}
}

size_t pipe_peek(struct file *f, void *buf, size_t len, size_t skip)
{
	struct pipe *p = pipe_of(f);
	size_t n, first, start;

	if (skip >= p->len)
		return 0;
	n = p->len - skip < len ? p->len - skip : len;
	start = (p->head + skip) & (p->bufsz - 1);
	first = p->bufsz - start < n ? p->bufsz - start : n;
	memcpy(buf, p->buf + start, first);
	memcpy((char *)buf + first, p->buf, n - first);
	return n;
}

void pipe_consume(struct file *f, size_t n)
{
	struct pipe *p = pipe_of(f);

	if (n > p->len)
		n = p->len;
	if (!n)
		return;
	p->head = (p->head + (uint32_t)n) & (p->bufsz - 1);
	p->len -= (uint32_t)n;
	if (!p->len)
		ring_free(p);
	vfs_now(&f->inode->atime);
	pipe_notify(p, LINUX_POLLOUT | LINUX_POLLWRNORM);
}

long pipe_append(struct file *f, const void *buf, size_t n)
{
	struct pipe *p = pipe_of(f);
	struct linux_iovec seg;
	struct vfs_uio uio;
	long got;

	if (n > p->cap - p->len)
		n = p->cap - p->len;
	if (!n)
		return 0;
	vfs_uio_init_sentry(&uio, &seg, (void *)buf, n);
	got = ring_fill(p, &uio, (uint32_t)n);
	if (got > 0) {
		vfs_now(&f->inode->mtime);
		f->inode->ctime = f->inode->mtime;
		pipe_notify(p, LINUX_POLLIN | LINUX_POLLRDNORM);
	} else if (!p->len) {
		ring_free(p);
	}
	return got;
}

static void pipe_free(struct pipe *p)
{
	free(p->buf);
	free(p);
}

/* A description goes: its side closes; waiters see EOF or EPIPE. */
static void pipe_release(struct file *f)
{
	struct pipe *p = pipe_of(f);

	if (f->fmode & FMODE_READ)
		p->readers--;
	if (f->fmode & FMODE_WRITE)
		p->writers--;
	pipe_notify(p, LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLHUP |
			       LINUX_POLLERR | LINUX_POLLRDNORM |
			       LINUX_POLLWRNORM);
	if (--p->nfiles)
		return;
	if (!p->fifo) {
		/* The last end of an anonymous pipe: a later reopen of the
		 * inode (/proc/PID/fd/N held by O_PATH) starts a new pipe. */
		if (f->inode->fifo == p)
			f->inode->fifo = NULL;
		pipe_free(p);
	} else {
		/* A FIFO nobody has open keeps no data. */
		ring_free(p);
		p->len = 0;
	}
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.fcntl = pipe_fcntl,
	.release = pipe_release,
};

/* pipe(2): one pipe, one inode, two descriptions. */
int pipe_create(struct task *t, uint32_t flags, struct file **rd,
		struct file **wr)
{
	struct superblock *sb = vfs_pseudo_sb();
	struct inode *i;
	struct pipe *p;
	int err;

	if (!sb)
		return -ENOMEM;
	p = pipe_alloc(false);
	if (!p)
		return -ENOMEM;
	i = inode_new(sb, NULL, NULL, LINUX_S_IFIFO | 0600, 0);
	if (!i) {
		pipe_free(p);
		return -ENOMEM;
	}
	if (t && t->creds) {
		i->uid = t->creds->fsuid;
		i->gid = t->creds->fsgid;
	}
	inode_get(i); /* for the second description */
	flags &= LINUX_O_NONBLOCK | LINUX_O_DIRECT;
	err = file_new_pseudo(i, NULL, &pipe_fops, LINUX_O_RDONLY | flags, p,
			      rd);
	if (err) {
		inode_put(i);
		pipe_free(p);
		return err;
	}
	p->readers = 1;
	p->nfiles = 1;
	err = file_new_pseudo(i, NULL, &pipe_fops, LINUX_O_WRONLY | flags, p,
			      wr);
	if (err) {
		file_put(*rd); /* frees p */
		return err;
	}
	p->writers = 1;
	p->nfiles = 2;
	/* Opening /proc/PID/fd/N (or /dev/fd/N) of either end opens this
	 * pipe again, as Linux's fifo_open on the pipe's inode. */
	i->fifo = p;
	return 0;
}

/* Wait until `counter` moves (the other side opened). */
static int fifo_wait_open(struct pipe *p, unsigned *counter, unsigned seen)
{
	struct task *t = task_current();

	while (*counter == seen) {
		if (!t)
			return -EAGAIN;
		if (pipe_wait(t, p, LINUX_POLLIN | LINUX_POLLOUT))
			return -ERESTARTSYS;
	}
	return 0;
}

/* FIFO open: count this side in and wait for the other, as fifo_open. */
int pipe_fifo_open(struct inode *i, struct file *f)
{
	bool nb = f->flags & LINUX_O_NONBLOCK;
	struct pipe *p = i->fifo;
	/* An anonymous pipe reopened through /proc never waits for the
	 * other side (Linux's is_pipe): it had both ends once already. */
	bool is_pipe = i->sb == vfs_pseudo_sb();
	int err = 0;

	if (!p) {
		p = pipe_alloc(true);
		if (!p)
			return -ENOMEM;
		i->fifo = p;
	}
	f->priv = p;
	f->fmode &= ~(FMODE_LSEEK | FMODE_PREAD);
	switch (f->fmode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ:
		p->readers++;
		p->r_counter++;
		p->nfiles++;
		pipe_notify(p, LINUX_POLLIN | LINUX_POLLOUT);
		if (!is_pipe && !nb && !p->writers)
			err = fifo_wait_open(p, &p->w_counter, p->w_counter);
		break;
	case FMODE_WRITE:
		if (!is_pipe && nb && !p->readers)
			return -ENXIO;
		p->writers++;
		p->w_counter++;
		p->nfiles++;
		pipe_notify(p, LINUX_POLLIN | LINUX_POLLOUT);
		if (!is_pipe && !p->readers)
			err = fifo_wait_open(p, &p->r_counter, p->r_counter);
		break;
	case FMODE_READ | FMODE_WRITE:
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
		p->nfiles++;
		pipe_notify(p, LINUX_POLLIN | LINUX_POLLOUT);
		break;
	default:
		return -EINVAL;
	}
	if (err) {
		/* Interrupted before the other side came: undo this side. */
		f->ops = &pipe_fops;
		pipe_release(f);
		f->ops = NULL;
		return err;
	}
	f->ops = &pipe_fops;
	return 0;
}

void pipe_fifo_release(struct inode *i)
{
	if (i->fifo)
		pipe_free(i->fifo);
	i->fifo = NULL;
}
