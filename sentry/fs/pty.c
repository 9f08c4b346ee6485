/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pty.c: pseudo terminal pairs (see pty.h): /dev/ptmx opens a master,
 * /dev/pts/N its slave; reads, writes, poll and the lifetime rules of
 * Linux's pty.c (a master read after every slave description closed is
 * EIO, the master's close hangs the slave up).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/pty.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

#define IO_CHUNK 4096

static const struct file_ops ptm_fops, pts_fops;

struct pty *pty_of_master(struct file *f)
{
	return f->ops == &ptm_fops ? f->priv : NULL;
}

struct pty *pty_of_slave(struct file *f)
{
	return f->ops == &pts_fops ? ((struct pty_slave *)f->priv)->pty : NULL;
}

bool pty_slave_hung_up(struct file *f)
{
	struct pty_slave *s = f->priv;

	return s->gen != s->pty->hangups;
}

/* ------------------------------------------------------------------ */
/* Queues                                                              */

static size_t q_put(struct pty_queue *q, const unsigned char *buf, size_t len)
{
	size_t room = PTY_BUF_SIZE - q->len;

	if (len > room)
		len = room;
	for (size_t k = 0; k < len; k++)
		q->buf[(q->head + q->len + k) % PTY_BUF_SIZE] = buf[k];
	q->len += len;
	return len;
}

static void q_drop(struct pty_queue *q, size_t n)
{
	q->head = (q->head + n) % PTY_BUF_SIZE;
	q->len -= n;
	if (!q->len)
		q->head = 0;
}

/* The contiguous bytes at the head. */
static size_t q_seg(const struct pty_queue *q)
{
	size_t seg = PTY_BUF_SIZE - q->head;

	return q->len < seg ? q->len : seg;
}

/* Block t until wq reports one of `events`: 0, -ETIMEDOUT, or
 * -ERESTARTSYS on a signal. */
static int pty_wait(struct task *t, struct waitq *wq, uint32_t events,
		    int64_t deadline)
{
	struct waiter w;
	int err;

	waiter_init_task(&w, t, events);
	waitq_add(wq, &w);
	err = task_wait(t, deadline, true);
	waitq_remove(&w);
	return err == -EINTR ? -ERESTARTSYS : err;
}

/* ------------------------------------------------------------------ */
/* The line discipline's side                                          */

struct pty_reader {
	struct task *t;
	struct file *f;
};

static size_t ld_output(void *ctx, const unsigned char *buf, size_t len)
{
	struct pty *pty = ctx;

	if (!pty->master_open)
		return len; /* nobody will read it */
	len = q_put(&pty->out, buf, len);
	if (len)
		waitq_notify(&pty->master_wq, LINUX_POLLIN | LINUX_POLLRDNORM);
	return len;
}

static size_t ld_output_room(void *ctx)
{
	struct pty *pty = ctx;

	return pty->master_open ? PTY_BUF_SIZE - pty->out.len : PTY_BUF_SIZE;
}

static void ld_signal(void *ctx, int sig)
{
	struct pty *pty = ctx;

	tty_signal_fg(&pty->tty, sig);
}

static int ld_check(void *ctx, void *rctx)
{
	struct pty *pty = ctx;
	struct pty_reader *r = rctx;

	if (!pty->master_open)
		return -EIO;
	return pty_slave_hung_up(r->f) ? 1 : 0;
}

static int ld_wait(void *ctx, void *rctx, int64_t deadline)
{
	struct pty *pty = ctx;
	struct pty_reader *r = rctx;

	return pty_wait(r->t, &pty->slave_wq, LINUX_POLLIN | LINUX_POLLHUP,
			deadline);
}

static int64_t ld_now(void *ctx)
{
	(void)ctx;
	return kernel_now_ns();
}

static void ld_unthrottle(void *ctx)
{
	pty_push_input(ctx);
}

static void ld_restart(void *ctx)
{
	struct pty *pty = ctx;

	waitq_notify(&pty->slave_wq, LINUX_POLLOUT | LINUX_POLLWRNORM);
}

static const struct n_tty_ops pty_ld_ops = {
	.output = ld_output,
	.output_room = ld_output_room,
	.signal = ld_signal,
	.check = ld_check,
	.wait = ld_wait,
	.now = ld_now,
	.unthrottle = ld_unthrottle,
	.restart = ld_restart,
};

void pty_push_input(struct pty *pty)
{
	size_t before = pty->in.len;

	while (pty->in.len) {
		size_t seg = q_seg(&pty->in);
		size_t k = n_tty_receive(&pty->ld, pty->in.buf + pty->in.head,
					 seg);

		q_drop(&pty->in, k);
		if (k < seg)
			break;
	}
	if (n_tty_readable(&pty->ld, false))
		waitq_notify(&pty->slave_wq, LINUX_POLLIN | LINUX_POLLRDNORM);
	if (pty->in.len < before)
		waitq_notify(&pty->master_wq, LINUX_POLLOUT | LINUX_POLLWRNORM);
}

void pty_flush(struct pty *pty, bool ld, bool in, bool out)
{
	if (ld) {
		n_tty_flush_input(&pty->ld);
		pty_push_input(pty);
	}
	if (in) {
		pty->in.len = pty->in.head = 0;
		waitq_notify(&pty->master_wq, LINUX_POLLOUT | LINUX_POLLWRNORM);
	}
	if (out) {
		pty->out.len = pty->out.head = 0;
		waitq_notify(&pty->slave_wq, LINUX_POLLOUT | LINUX_POLLWRNORM);
	}
}

void pty_hangup(struct pty *pty)
{
	pty->hangups++;
	tty_hangup(&pty->tty);
	waitq_notify(&pty->slave_wq, WAITQ_EV_ALL);
	waitq_notify(&pty->master_wq, WAITQ_EV_ALL);
}

/* ------------------------------------------------------------------ */
/* The master                                                          */

static bool nonblocking(struct file *f, struct vfs_uio *uio)
{
	return (f->flags & LINUX_O_NONBLOCK) || !uio->t;
}

/* What the slave wrote; EIO once every slave description closed. */
static ssize_t ptm_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct pty *pty = f->priv;

	(void)pos;
	if (!uio->resid)
		return 0;
	for (;;) {
		if (pty->out.len) {
			ssize_t done = 0;
			long got = 0;

			while (pty->out.len && uio->resid) {
				size_t seg = q_seg(&pty->out);

				if (seg > uio->resid)
					seg = uio->resid;
				got = vfs_uio_copy_to(
					uio, pty->out.buf + pty->out.head, seg);
				if (got <= 0)
					break;
				q_drop(&pty->out, (size_t)got);
				done += got;
				if ((size_t)got < seg)
					break;
			}
			if (!done)
				return got < 0 ? got : -EFAULT;
			waitq_notify(&pty->slave_wq,
				     LINUX_POLLOUT | LINUX_POLLWRNORM);
			return done;
		}
		if (pty->slave_closed)
			return -EIO;
		if (nonblocking(f, uio))
			return -EAGAIN;
		if (pty_wait(uio->t, &pty->master_wq,
			     LINUX_POLLIN | LINUX_POLLHUP, 0))
			return -ERESTARTSYS;
	}
}

/* Typing at the terminal: into the line discipline, through `in`. */
static ssize_t ptm_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct pty *pty = f->priv;
	ssize_t done = 0;

	(void)pos;
	while (uio->resid) {
		size_t room = PTY_BUF_SIZE - pty->in.len;

		if (room) {
			unsigned char buf[IO_CHUNK];
			size_t want = room < sizeof(buf) ? room : sizeof(buf);
			long got;

			if (want > uio->resid)
				want = uio->resid;
			got = vfs_uio_copy_from(uio, buf, want);
			if (got <= 0)
				return done ? done : (got < 0 ? got : -EFAULT);
			q_put(&pty->in, buf, (size_t)got);
			done += got;
			pty_push_input(pty);
			continue;
		}
		if (nonblocking(f, uio))
			return done ? done : -EAGAIN;
		if (pty_wait(uio->t, &pty->master_wq, LINUX_POLLOUT, 0))
			return done ? done : -ERESTARTSYS;
	}
	return done;
}

static uint32_t ptm_poll(struct file *f, struct waitq **wq)
{
	struct pty *pty = f->priv;
	uint32_t ev = 0;

	if (wq)
		*wq = &pty->master_wq;
	if (pty->out.len)
		ev |= LINUX_POLLIN | LINUX_POLLRDNORM;
	if (pty->slave_closed)
		ev |= LINUX_POLLHUP;
	if (pty->in.len < PTY_BUF_SIZE)
		ev |= LINUX_POLLOUT | LINUX_POLLWRNORM;
	return ev;
}

/* The master goes: its node disappears and the slave hangs up. */
static void ptm_release(struct file *f)
{
	struct pty *pty = f->priv;

	pty->master_open = false;
	pty->in.len = pty->in.head = 0;
	devpts_hide(pty);
	pty_hangup(pty);
	tty_put(&pty->tty);
}

static const struct file_ops ptm_fops = {
	.read = ptm_read,
	.write = ptm_write,
	.ioctl = pty_master_ioctl,
	.poll = ptm_poll,
	.release = ptm_release,
};

/* ------------------------------------------------------------------ */
/* The slave                                                           */

static ssize_t pts_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct pty_slave *s = f->priv;
	struct pty *pty = s->pty;
	struct pty_reader r = {.t = uio->t, .f = f};
	unsigned char buf[N_TTY_BUF_SIZE];
	size_t len = uio->resid < sizeof(buf) ? uio->resid : sizeof(buf);
	ssize_t n;

	(void)pos;
	if (pty_slave_hung_up(f))
		return 0;
	if (uio->t) {
		int err = tty_check_change(&pty->tty, uio->t, LINUX_SIGTTIN);

		if (err)
			return err;
	}
	if (!len)
		return 0;
	n = n_tty_read(&pty->ld, buf, len, nonblocking(f, uio), &r);
	if (n > 0) {
		long got = vfs_uio_copy_to(uio, buf, (size_t)n);

		/* What the guest could not take is lost, as on Linux. */
		if (got <= 0)
			return got < 0 ? got : -EFAULT;
		n = got;
	}
	return n;
}

static ssize_t pts_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct pty_slave *s = f->priv;
	struct pty *pty = s->pty;
	ssize_t done = 0;

	(void)pos;
	if (pty_slave_hung_up(f))
		return -EIO;
	if (uio->t && (pty->termios.c_lflag & LINUX_TOSTOP)) {
		int err = tty_check_change(&pty->tty, uio->t, LINUX_SIGTTOU);

		if (err)
			return err;
	}
	while (uio->resid) {
		unsigned char buf[IO_CHUNK];
		size_t want = uio->resid < sizeof(buf) ? uio->resid
						       : sizeof(buf);
		long got = vfs_uio_copy_from(uio, buf, want);
		size_t put = 0;

		if (got <= 0)
			return done ? done : (got < 0 ? got : -EFAULT);
		while (put < (size_t)got) {
			int err;

			put += n_tty_write(&pty->ld, buf + put,
					   (size_t)got - put);
			if (put == (size_t)got)
				break;
			if (nonblocking(f, uio))
				return done + put ? done + (ssize_t)put
						  : -EAGAIN;
			err = pty_wait(uio->t, &pty->slave_wq,
				       LINUX_POLLOUT | LINUX_POLLHUP, 0);
			if (pty_slave_hung_up(f))
				return done + put ? done + (ssize_t)put : -EIO;
			if (err)
				return done + put ? done + (ssize_t)put
						  : -ERESTARTSYS;
		}
		done += got;
	}
	return done;
}

static uint32_t pts_poll(struct file *f, struct waitq **wq)
{
	struct pty *pty = pty_of_slave(f);
	uint32_t ev = 0;

	if (wq)
		*wq = &pty->slave_wq;
	if (pty_slave_hung_up(f))
		return LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR |
		       LINUX_POLLHUP | LINUX_POLLRDNORM | LINUX_POLLWRNORM;
	if (n_tty_readable(&pty->ld, true))
		ev |= LINUX_POLLIN | LINUX_POLLRDNORM;
	if (!pty->master_open)
		ev |= LINUX_POLLHUP;
	if (!pty->ld.stopped && pty->out.len < PTY_BUF_SIZE)
		ev |= LINUX_POLLOUT | LINUX_POLLWRNORM;
	return ev;
}

static void pts_release(struct file *f)
{
	struct pty_slave *s = f->priv;
	struct pty *pty = s->pty;

	if (--pty->slave_opens == 0 && pty->master_open) {
		pty->slave_closed = true;
		waitq_notify(&pty->master_wq, LINUX_POLLHUP | LINUX_POLLIN);
	}
	free(s);
	tty_put(&pty->tty);
}

static const struct file_ops pts_fops = {
	.read = pts_read,
	.write = pts_write,
	.ioctl = pty_slave_ioctl,
	.poll = pts_poll,
	.release = pts_release,
};

int pty_slave_open(struct pty *pty, struct file *f, bool check_lock)
{
	struct task *t = task_current();
	struct pty_slave *s;

	if (!pty->master_open || (check_lock && pty->locked))
		return -EIO;
	if (pty->exclusive &&
	    !(t && creds_capable(t->creds, LINUX_CAP_SYS_ADMIN)))
		return -EBUSY;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->pty = pty;
	s->gen = pty->hangups;
	pty->slave_opens++;
	pty->slave_closed = false;
	tty_get(&pty->tty);
	f->ops = &pts_fops;
	f->priv = s;
	f->fmode &= ~(FMODE_LSEEK | FMODE_PREAD);
	return 0;
}

long pty_open_peer(struct pty *pty, struct task *t, uint32_t flags)
{
	const uint32_t allowed = LINUX_O_ACCMODE | LINUX_O_NOCTTY |
				 LINUX_O_NONBLOCK | LINUX_O_CLOEXEC;
	char name[32];
	struct path p;
	struct file *f;
	long fd;
	int err;

	if (flags & ~allowed)
		return -EINVAL;
	/* The node in the caller's view of /dev/pts, so the description
	 * has the path ttyname() expects. */
	snprintf(name, sizeof(name), "/dev/pts/%d", pty->index);
	err = vfs_lookup(t, LINUX_AT_FDCWD, name, 0, &p);
	if (err)
		return -EIO;
	if (p.dentry->inode != pty->node) {
		path_put(&p);
		return -EIO;
	}
	err = file_new(&p, flags & ~LINUX_O_CLOEXEC, &f);
	path_put(&p);
	if (err)
		return err;
	fd = fd_install(t, f, (flags & LINUX_O_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return fd;
}

/* ------------------------------------------------------------------ */
/* The pair                                                            */

/* /dev/tty of a session whose terminal is this pty. */
static int pty_tty_open(struct tty *tty, struct file *f)
{
	return pty_slave_open((struct pty *)tty, f, false);
}

static void pty_free(struct tty *tty)
{
	struct pty *pty = (struct pty *)tty;

	devpts_detach(pty);
	free(pty);
}

static const struct tty_ops pty_tty_ops = {
	.open = pty_tty_open,
	.free = pty_free,
};

int ptmx_open(struct inode *i, struct file *f)
{
	struct pty *pty = calloc(1, sizeof(*pty));
	int err;

	(void)i;
	if (!pty)
		return -ENOMEM;
	tty_init(&pty->tty, &pty_tty_ops);
	/* A pty slave starts as Linux's: tty_std_termios without HUPCL. */
	n_tty_std_termios(&pty->termios);
	pty->termios.c_cflag = LINUX_B38400 | LINUX_CS8 | LINUX_CREAD;
	pty->ispeed = pty->ospeed = 38400;
	n_tty_init(&pty->ld, &pty_ld_ops, pty, &pty->termios);
	waitq_init(&pty->master_wq);
	waitq_init(&pty->slave_wq);
	pty->master_open = true;
	pty->locked = true;
	err = devpts_attach(pty);
	if (err) {
		free(pty);
		return err;
	}
	f->ops = &ptm_fops;
	f->priv = pty;
	f->fmode &= ~(FMODE_LSEEK | FMODE_PREAD);
	return 0;
}
