/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostfd.c: files backed by a host fd: the container's stdin, stdout and
 * stderr that runsc hands to the Sentry (a terminal, pipes, or files).
 *
 * Regular files are read and written with preadv/pwritev straight into
 * guest pages, under the kernel lock (a regular file never blocks for
 * long). Terminals, pipes and sockets may block: the task waits for
 * readiness with task_host_wait() (kernel lock dropped, a signal ends the
 * wait), then does the host read or write with the lock dropped, through
 * a Sentry bounce buffer, so no guest page is touched without the lock.
 * The host fd's O_NONBLOCK is never changed: it is shared with the world
 * outside the sandbox (the user's terminal).
 *
 * Readiness changes reach the file's waitq through the host-fd notifier
 * (sentry/kernel/fdnotify.h). A host fd the host cannot poll (a regular
 * file, /dev/null) gets no poll op, as Linux gives such files none: poll
 * calls it always ready, epoll refuses it with EPERM.
 *
 * ioctls are an allowlist: the terminal calls programs make at start are
 * passed through to a host terminal; the session and the foreground
 * process group are kept here (a struct tty, tty_jobctl.c), in the
 * sandbox's pid namespace, since the host's mean nothing inside. Any
 * other ioctl is ENOTTY and never reaches the host.
 *
 * The host terminal the sandbox starts on (runsc do from an interactive
 * shell) is its console: the controlling terminal of the first session,
 * what /dev/console and the first session's /dev/tty open. Host stdio
 * descriptions of the same terminal share its struct tty. The host
 * terminal is never hung up from inside.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/ioctl.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/fdnotify.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/vfs.h"

#define BOUNCE_MAX (64 * 1024)

struct hostfd {
	int fd;
	bool seekable; /* a regular file: pread/pwrite */
	bool tty;
	struct tty *ctl; /* the console's job control, for its terminal */
	struct waitq wq; /* for a host-fd watcher to notify */
};

/* The console: the first host terminal imported. `fd` is a duplicate
 * kept to open it again (/dev/tty, /dev/console). */
struct host_tty {
	struct tty tty;
	int fd;
	uint64_t rdev;
};

static struct host_tty *console;
static const struct file_ops hostfd_fops, hostfd_nopoll_fops;

static struct hostfd *hf(struct file *f)
{
	return f->priv;
}

int hostfd_host_fd(struct file *f)
{
	return f->ops == &hostfd_fops || f->ops == &hostfd_nopoll_fops
		       ? hf(f)->fd
		       : -1;
}

/* Regular files: I/O between the host file and guest pages. The file
 * offset is the host description's own (`shared`: the container's stdio
 * may be a file the caller also writes to, so it must move the offset the
 * caller sees); pread/pwrite use *pos. */
static ssize_t seekable_io(struct hostfd *h, struct vfs_uio *uio, int64_t *pos,
			   bool rd, bool shared)
{
	ssize_t done = 0;

	if (*pos < 0)
		return -EINVAL;
	while (uio->resid) {
		struct iovec iov[64];
		int niov = 0;
		long got = vfs_uio_host_iovecs(uio, rd, iov, 64, &niov,
					       BOUNCE_MAX * 16);
		ssize_t n;

		if (got <= 0)
			return done ? done : (got < 0 ? got : -EFAULT);
		if (shared)
			n = rd ? readv(h->fd, iov, niov)
			       : writev(h->fd, iov, niov);
		else
			n = rd ? preadv(h->fd, iov, niov, *pos)
			       : pwritev(h->fd, iov, niov, *pos);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return done ? done : -errno;
		}
		vfs_uio_advance(uio, (size_t)n);
		*pos += n;
		done += n;
		if (n < got)
			break; /* EOF, or a short write */
	}
	return done;
}

/* Wait until the host fd is ready for `events`: 0, -EAGAIN for a
 * non-blocking description, -ERESTARTSYS on a signal. */
static int host_ready(struct file *f, struct vfs_uio *uio, short events)
{
	struct pollfd p = {.fd = hf(f)->fd, .events = events};

	for (;;) {
		int r;

		if (poll(&p, 1, 0) > 0 && p.revents)
			return 0;
		if ((f->flags & LINUX_O_NONBLOCK) || !uio->t)
			return -EAGAIN;
		r = task_host_wait(uio->t, hf(f)->fd, events, 0);
		if (r == -EINTR)
			return -ERESTARTSYS;
		if (r < 0 && r != -ETIMEDOUT)
			return r;
	}
}

/* A terminal, pipe or socket: wait for data, read it without the lock
 * into a bounce buffer, then copy it to the guest under the lock. */
static ssize_t stream_read(struct file *f, struct vfs_uio *uio)
{
	size_t len = uio->resid < BOUNCE_MAX ? uio->resid : BOUNCE_MAX;
	char *buf = malloc(len);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		int err = host_ready(f, uio, POLLIN);

		if (err) {
			free(buf);
			return err;
		}
		/* Readiness was seen; if someone outside the sandbox races
		 * us for the data this blocks, but without the lock. */
		kernel_unlock();
		n = read(hf(f)->fd, buf, len);
		err = errno;
		kernel_lock();
		if (n >= 0)
			break;
		if (err != EAGAIN && err != EINTR) {
			free(buf);
			return -err;
		}
	}
	/* Bytes the guest cannot take are lost, as with a Linux tty read
	 * into a bad buffer. */
	if (n > 0)
		n = vfs_uio_copy_to(uio, buf, (size_t)n);
	free(buf);
	return n;
}

/* Copy up to 64 KiB from the guest, then write it all out, waiting for
 * room without the lock (a blocking write is never cut short). */
static ssize_t stream_write(struct file *f, struct vfs_uio *uio)
{
	size_t len = uio->resid < BOUNCE_MAX ? uio->resid : BOUNCE_MAX;
	char *buf = malloc(len);
	ssize_t done = 0;
	long have;

	if (!buf)
		return -ENOMEM;
	have = vfs_uio_copy_from(uio, buf, len);
	if (have <= 0) {
		free(buf);
		return have < 0 ? have : -EFAULT;
	}
	while (done < have) {
		int err = host_ready(f, uio, POLLOUT);
		ssize_t n;

		if (err) {
			free(buf);
			return done ? done : err;
		}
		kernel_unlock();
		n = write(hf(f)->fd, buf + done, (size_t)(have - done));
		err = errno;
		kernel_lock();
		if (n < 0) {
			if (err == EAGAIN || err == EINTR)
				continue;
			if (err == EPIPE && uio->t) {
				struct linux_siginfo si = {
					.signo = LINUX_SIGPIPE,
					.code = LINUX_SI_USER,
				};

				signal_send_task(uio->t, &si);
			}
			free(buf);
			return done ? done : -err;
		}
		done += n;
	}
	free(buf);
	return done;
}

static ssize_t hostfd_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	if (hf(f)->seekable)
		return seekable_io(hf(f), uio, pos, true, pos == &f->pos);
	/* A background process reading the console stops (SIGTTIN). */
	if (hf(f)->ctl && uio->t) {
		int err = tty_check_change(hf(f)->ctl, uio->t, LINUX_SIGTTIN);

		if (err)
			return err;
	}
	return stream_read(f, uio);
}

static ssize_t hostfd_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	if (hf(f)->seekable) {
		if (pos == &f->pos)
			return seekable_io(hf(f), uio, pos, false, true);
		/* pwrite with O_APPEND as the guest set it (the host fd may
		 * lack it): at the end as the host sees it now. */
		if (f->flags & LINUX_O_APPEND) {
			struct stat st;

			if (fstat(hf(f)->fd, &st) < 0)
				return -errno;
			*pos = st.st_size;
		}
		return seekable_io(hf(f), uio, pos, false, false);
	}
	return stream_write(f, uio);
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence)
{
	struct stat st;

	off_t r;

	if (!hf(f)->seekable)
		return -ESPIPE;
	if (fstat(hf(f)->fd, &st) == 0)
		f->inode->size = (uint64_t)st.st_size;
	/* The offset is the host description's (see seekable_io). */
	r = lseek(hf(f)->fd, off, whence);
	if (r < 0)
		return -errno;
	f->pos = r;
	return r;
}

static uint32_t hostfd_poll(struct file *f, struct waitq **wq)
{
	struct pollfd p = {.fd = hf(f)->fd,
			   .events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP};

	if (wq)
		*wq = &hf(f)->wq;
	if (poll(&p, 1, 0) < 0)
		return LINUX_POLLERR;
	/* Host and guest poll bits are the same numbers (both Linux). */
	return (uint32_t)p.revents;
}

/* Pass a terminal ioctl with an in/out structure of `size` bytes. */
static long tty_pass(struct hostfd *h, struct task *t, unsigned long cmd,
		     uint64_t arg, size_t size, bool in, bool out)
{
	char buf[64];
	int err;

	if (in && (err = task_copy_in(t, arg, buf, size)))
		return err;
	if (ioctl(h->fd, cmd, buf) < 0)
		return -errno;
	if (out && (err = task_copy_out(t, arg, buf, size)))
		return err;
	return 0;
}

/* The ioctl allowlist (see the top of the file). */
static long hostfd_ioctl(struct file *f, struct task *t, uint32_t cmd,
			 uint64_t arg)
{
	struct hostfd *h = hf(f);
	int32_t v;
	long err;

	if (cmd == LINUX_FIONREAD) {
		if (h->seekable) {
			struct stat st;

			if (fstat(h->fd, &st) < 0)
				return -errno;
			v = st.st_size > f->pos ? (int32_t)(st.st_size - f->pos)
						: 0;
		} else if (ioctl(h->fd, FIONREAD, &v) < 0) {
			return -errno;
		}
		return task_copy_out(t, arg, &v, sizeof(v));
	}
	if (!h->tty)
		return -ENOTTY;
	switch (cmd) {
	case LINUX_TCGETS:
		return tty_pass(h, t, cmd, arg, sizeof(struct linux_termios),
				false, true);
	case LINUX_TCSETS:
	case LINUX_TCSETSW:
	case LINUX_TCSETSF:
		if (h->ctl &&
		    (err = tty_check_change(h->ctl, t, LINUX_SIGTTOU)))
			return err;
		return tty_pass(h, t, cmd, arg, sizeof(struct linux_termios),
				true, false);
	case LINUX_TIOCGWINSZ:
		return tty_pass(h, t, cmd, arg, sizeof(struct linux_winsize),
				false, true);
	case LINUX_TIOCSWINSZ:
		return tty_pass(h, t, cmd, arg, sizeof(struct linux_winsize),
				true, false);
	case LINUX_TIOCOUTQ:
		return tty_pass(h, t, cmd, arg, sizeof(int32_t), false, true);
	case LINUX_TCFLSH:
	case LINUX_TCXONC:
	case LINUX_TCSBRK:
		/* Integer arguments, validated by the host. */
		if (ioctl(h->fd, cmd, (unsigned long)(int)arg) < 0)
			return -errno;
		return 0;
	case LINUX_TIOCGPGRP:
	case LINUX_TIOCSPGRP:
	case LINUX_TIOCGSID:
	case LINUX_TIOCSCTTY:
	case LINUX_TIOCNOTTY:
		if (!h->ctl)
			return cmd == LINUX_TIOCSCTTY ? -EPERM : -ENOTTY;
		return tty_jobctl_ioctl(h->ctl, f, t, cmd, arg, false);
	default:
		return -ENOTTY;
	}
}

static int hostfd_fsync(struct file *f, bool datasync)
{
	if (!hf(f)->seekable)
		return -EINVAL; /* terminals and pipes have no fsync */
	if ((datasync ? fdatasync(hf(f)->fd) : fsync(hf(f)->fd)) < 0)
		return errno == EINVAL ? 0 : -errno;
	return 0;
}

static void hostfd_release(struct file *f)
{
	fdnotify_remove(hf(f)->fd);
	close(hf(f)->fd);
	if (hf(f)->ctl)
		tty_put(hf(f)->ctl);
	free(hf(f));
}

static const struct file_ops hostfd_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.ioctl = hostfd_ioctl,
	.poll = hostfd_poll,
	.fsync = hostfd_fsync,
	.release = hostfd_release,
};

/* The same without a poll op, for host fds the host cannot poll. */
static const struct file_ops hostfd_nopoll_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.ioctl = hostfd_ioctl,
	.fsync = hostfd_fsync,
	.release = hostfd_release,
};

/* Attributes from the host's fstat (size and times change outside). */
static int hostfd_getattr(struct inode *i, struct kstat *st)
{
	struct hostfd *h = i->priv;
	struct stat hs;

	generic_fillattr(i, st);
	if (fstat(h->fd, &hs) < 0)
		return 0;
	st->mode = hs.st_mode;
	st->nlink = (uint32_t)hs.st_nlink;
	st->uid = hs.st_uid;
	st->gid = hs.st_gid;
	st->rdev = linux_makedev(major(hs.st_rdev), minor(hs.st_rdev));
	st->size = (uint64_t)hs.st_size;
	st->blksize = (uint32_t)hs.st_blksize;
	st->blocks = (uint64_t)hs.st_blocks;
	st->atime = hs.st_atim;
	st->mtime = hs.st_mtim;
	st->ctime = hs.st_ctim;
	return 0;
}

static const struct inode_ops hostfd_iops = {
	.getattr = hostfd_getattr,
};

static struct hostfd *hostfd_alloc(int fd)
{
	struct hostfd *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->fd = fd;
	waitq_init(&h->wq);
	return h;
}

/* /dev/tty or /dev/console on the console: a description of its own
 * over a duplicate of the host fd. */
static int console_open(struct tty *tty, struct file *f)
{
	struct host_tty *c = (struct host_tty *)tty;
	struct hostfd *h;
	int fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return -errno;
	h = hostfd_alloc(fd);
	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	h->tty = true;
	h->ctl = tty;
	tty_get(tty);
	/* Readiness reaches the description's waitq as for any host fd. */
	f->ops = fdnotify_add(fd, &h->wq) == 0 ? &hostfd_fops
						 : &hostfd_nopoll_fops;
	f->priv = h;
	f->fmode &= ~(FMODE_LSEEK | FMODE_PREAD);
	return 0;
}

static void console_free(struct tty *tty)
{
	struct host_tty *c = (struct host_tty *)tty;

	close(c->fd);
	if (console == c)
		console = NULL;
	free(c);
}

static const struct tty_ops console_ops = {
	.open = console_open,
	.free = console_free,
};

/* The console's job control for a host terminal fd (made on the first
 * one), referenced; NULL for another terminal. */
static struct tty *console_for(int fd, const struct stat *st)
{
	if (!console) {
		struct host_tty *c = calloc(1, sizeof(*c));

		if (!c)
			return NULL;
		c->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (c->fd < 0) {
			free(c);
			return NULL;
		}
		c->rdev = st->st_rdev;
		tty_init(&c->tty, &console_ops);
		console = c;
		return &c->tty;
	}
	if (console->rdev != st->st_rdev)
		return NULL;
	tty_get(&console->tty);
	return &console->tty;
}

struct tty *hostfd_console(void)
{
	return console ? &console->tty : NULL;
}

void hostfd_console_attach(struct task *t)
{
	struct thread_group *tg = t->tg;

	if (!console || tg->tty || console->tty.sid || tg->sid != tg->tgid)
		return;
	tty_get(&console->tty);
	tg->tty = &console->tty;
	console->tty.sid = tg->sid;
	console->tty.pgrp = tg->pgid;
}

/* Wrap a host fd: a pseudo inode with the host's type and owner, named
 * as Linux names pipes and sockets in /proc/PID/fd. */
int hostfd_import(int fd, uint32_t flags, struct file **out)
{
	struct superblock *sb = vfs_pseudo_sb();
	struct hostfd *h;
	struct inode *i;
	const struct file_ops *ops = &hostfd_fops;
	struct stat st;
	char name[64];
	int err;

	if (!sb)
		return -ENOMEM;
	if (fstat(fd, &st) < 0)
		return -errno;
	h = hostfd_alloc(fd);
	if (!h)
		return -ENOMEM;
	h->seekable = S_ISREG(st.st_mode);
	h->tty = isatty(fd);
	if (h->tty)
		h->ctl = console_for(fd, &st);
	i = inode_new(sb, &hostfd_iops, NULL, st.st_mode, 0);
	if (!i) {
		tty_put(h->ctl);
		free(h);
		return -ENOMEM;
	}
	i->priv = h;
	i->uid = st.st_uid;
	i->gid = st.st_gid;
	i->size = (uint64_t)st.st_size;
	i->rdev = linux_makedev(major(st.st_rdev), minor(st.st_rdev));
	if (S_ISFIFO(st.st_mode))
		snprintf(name, sizeof(name), "pipe:[%llu]",
			 (unsigned long long)st.st_ino);
	else if (S_ISSOCK(st.st_mode))
		snprintf(name, sizeof(name), "socket:[%llu]",
			 (unsigned long long)st.st_ino);
	else
		snprintf(name, sizeof(name), "host:[%d]", fd);
	flags &= LINUX_O_ACCMODE | LINUX_O_APPEND | LINUX_O_NONBLOCK;
	err = fdnotify_add(fd, &h->wq);
	if (err == -EPERM)
		ops = &hostfd_nopoll_fops;
	else if (err) {
		inode_put(i);
		free(h);
		return err;
	}
	err = file_new_pseudo(i, name, ops, flags, h, out);
	if (err) {
		fdnotify_remove(fd);
		tty_put(h->ctl);
		free(h);
		return err;
	}
	if (h->seekable) {
		off_t cur = lseek(fd, 0, SEEK_CUR);

		(*out)->fmode |= FMODE_LSEEK | FMODE_PREAD;
		(*out)->pos = cur > 0 ? cur : 0;
	}
	return 0;
}
