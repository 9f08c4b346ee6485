/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_fd.c: descriptor calls: dup, dup2, dup3, fcntl, flock, ioctl, pipe,
 * pipe2.
 */
#include <errno.h>

#include "sentry/abi/capability.h"
#include "sentry/abi/ioctl.h"
#include "sentry/fs/memfd.h"
#include "sentry/fs/pipe.h"
#include "sentry/syscalls/fs_common.h"

/* The status flags F_SETFL may change. */
#define SETFL_MASK                                                             \
	(LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_ASYNC | LINUX_O_DIRECT |  \
	 LINUX_O_NOATIME)

long kern_dup(struct task *t, const struct dup_args *a)
{
	struct file *f = fd_get(t, a->oldfd);
	long fd;

	if (!f)
		return -EBADF;
	fd = fd_install(t, f, 0);
	file_put(f);
	return fd;
}

static long do_dup3(struct task *t, int oldfd, int newfd, uint32_t flags)
{
	struct file *f;
	long ret;

	if (flags & ~LINUX_O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd < 0 || (uint64_t)newfd >= fd_limit(t))
		return -EBADF;
	f = fd_get(t, oldfd);
	if (!f)
		return -EBADF;
	ret = fd_replace(t, newfd, f,
			 (flags & LINUX_O_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return ret;
}

long kern_dup2(struct task *t, const struct dup2_args *a)
{
	if (a->oldfd == a->newfd) {
		struct file *f = fd_get(t, a->oldfd);

		if (!f)
			return -EBADF;
		file_put(f);
		return a->newfd;
	}
	return do_dup3(t, a->oldfd, a->newfd, 0);
}

long kern_dup3(struct task *t, const struct dup3_args *a)
{
	return do_dup3(t, a->oldfd, a->newfd, a->flags);
}

/* F_SETFL: only the settable status flags change; O_NOATIME needs the
 * owner or CAP_FOWNER. */
static long setfl(struct task *t, struct file *f, int fd, uint32_t arg)
{
	const struct creds *c = t->creds;

	if ((arg & LINUX_O_NOATIME) && !(f->flags & LINUX_O_NOATIME) &&
	    c->fsuid != f->inode->uid &&
	    !((c->cap_effective >> LINUX_CAP_FOWNER) & 1))
		return -EPERM;
	/* O_ASYNC turned on or off: the file's fasync. */
	if ((arg ^ f->flags) & LINUX_O_ASYNC) {
		int err = fs_fasync(f, fd, arg & LINUX_O_ASYNC);

		if (err)
			return err;
	}
	f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
	return 0;
}

/* The record-lock commands: struct flock in, and out again for the
 * F_GETLK forms. */
static long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	struct linux_flock l;
	long ret;

	if (task_copy_in(t, arg, &l, sizeof(l)))
		return -EFAULT;
	ret = vfs_fcntl_lock(t, f, cmd, &l);
	if (!ret && (cmd == LINUX_F_GETLK || cmd == LINUX_F_OFD_GETLK) &&
	    task_copy_out(t, arg, &l, sizeof(l)))
		ret = -EFAULT;
	return ret;
}

long kern_fcntl(struct task *t, const struct fcntl_args *a)
{
	struct file *f = fd_get(t, a->fd);
	long ret;
	int fl;

	if (!f)
		return -EBADF;
	/* An O_PATH descriptor allows only these. */
	if ((f->fmode & FMODE_PATH) && a->cmd != LINUX_F_DUPFD &&
	    a->cmd != LINUX_F_DUPFD_CLOEXEC && a->cmd != LINUX_F_GETFD &&
	    a->cmd != LINUX_F_SETFD && a->cmd != LINUX_F_GETFL) {
		file_put(f);
		return -EBADF;
	}
	switch (a->cmd) {
	case LINUX_F_DUPFD:
	case LINUX_F_DUPFD_CLOEXEC:
		if (a->arg >= fd_limit(t)) {
			ret = -EINVAL;
			break;
		}
		ret = fd_install_from(
			t, (int)a->arg, f,
			a->cmd == LINUX_F_DUPFD_CLOEXEC ? FD_CLOEXEC_FLAG : 0);
		break;
	case LINUX_F_GETFD:
		fl = fd_get_flags(t, a->fd);
		ret = fl < 0		       ? fl
		      : (fl & FD_CLOEXEC_FLAG) ? LINUX_FD_CLOEXEC
					       : 0;
		break;
	case LINUX_F_SETFD:
		ret = fd_set_flags(t, a->fd,
				   (a->arg & LINUX_FD_CLOEXEC) ? FD_CLOEXEC_FLAG
							       : 0);
		break;
	case LINUX_F_GETFL:
		ret = f->flags;
		break;
	case LINUX_F_SETFL:
		ret = setfl(t, f, a->fd, (uint32_t)a->arg);
		break;
	case LINUX_F_GETLK:
	case LINUX_F_SETLK:
	case LINUX_F_SETLKW:
	case LINUX_F_OFD_GETLK:
	case LINUX_F_OFD_SETLK:
	case LINUX_F_OFD_SETLKW:
		ret = fcntl_lock(t, f, a->cmd, a->arg);
		break;
	case LINUX_F_ADD_SEALS:
	case LINUX_F_GET_SEALS:
		ret = memfd_fcntl(f, a->cmd, a->arg);
		break;
	case LINUX_F_GETPIPE_SZ:
	case LINUX_F_SETPIPE_SZ:
		/* Only pipes have a size: EBADF for anything else. */
		ret = f->ops->fcntl ? f->ops->fcntl(f, t, a->cmd, a->arg)
				    : -EBADF;
		break;
	case LINUX_F_SETOWN:
	case LINUX_F_GETOWN:
	case LINUX_F_SETOWN_EX:
	case LINUX_F_GETOWN_EX:
	case LINUX_F_SETSIG:
	case LINUX_F_GETSIG:
		ret = fs_fcntl_owner(t, f, a->cmd, a->arg);
		break;
	case LINUX_F_NOTIFY:
		ret = fs_fcntl_notify(t, f, a->fd, (uint32_t)a->arg);
		break;
	default:
		/* Leases: not implemented. */
		ret = f->ops->fcntl ? f->ops->fcntl(f, t, a->cmd, a->arg)
				    : -EINVAL;
		break;
	}
	file_put(f);
	return ret;
}

long kern_flock(struct task *t, const struct flock_args *a)
{
	struct file *f = fd_get_nopath(t, (int)a->fd);
	long ret = vfs_flock(t, f, a->operation);

	if (f)
		file_put(f);
	return ret;
}

/* An int argument of a generic ioctl. */
static long ioctl_int_in(struct task *t, uint64_t arg, int32_t *v)
{
	return task_copy_in(t, arg, v, sizeof(*v));
}

long kern_ioctl(struct task *t, const struct ioctl_args *a)
{
	struct file *f = fd_get_nopath(t, a->fd);
	int32_t v;
	long ret;

	if (!f)
		return -EBADF;
	switch (a->cmd) {
	case LINUX_FIOCLEX:
		ret = fd_set_flags(t, a->fd, FD_CLOEXEC_FLAG);
		break;
	case LINUX_FIONCLEX:
		ret = fd_set_flags(t, a->fd, 0);
		break;
	case LINUX_FIONBIO:
		ret = ioctl_int_in(t, a->arg, &v);
		if (!ret) {
			if (v)
				f->flags |= LINUX_O_NONBLOCK;
			else
				f->flags &= ~LINUX_O_NONBLOCK;
		}
		break;
	case LINUX_FIOASYNC:
		ret = ioctl_int_in(t, a->arg, &v);
		if (!ret && !v != !(f->flags & LINUX_O_ASYNC))
			ret = fs_fasync(f, a->fd, v != 0);
		if (!ret) {
			if (v)
				f->flags |= LINUX_O_ASYNC;
			else
				f->flags &= ~LINUX_O_ASYNC;
		}
		break;
	case LINUX_FIONREAD:
		if (LINUX_S_ISREG(f->inode->mode)) {
			struct kstat k;

			ret = vfs_getattr(&f->path, &k);
			if (ret)
				break;
			v = (int32_t)((int64_t)k.size - f->pos);
			ret = task_copy_out(t, a->arg, &v, sizeof(v));
			break;
		}
		/* fallthrough */
	default:
		ret = f->ops->ioctl ? f->ops->ioctl(f, t, a->cmd, a->arg)
				    : -ENOTTY;
		break;
	}
	file_put(f);
	return ret;
}

/* pipe2: both descriptors, then the guest's array; nothing stays
 * installed if the array cannot be written. */
static long do_pipe2(struct task *t, uint64_t upipefd, uint32_t flags)
{
	struct file *rd, *wr;
	unsigned fdflags = (flags & LINUX_O_CLOEXEC) ? FD_CLOEXEC_FLAG : 0;
	int32_t fds[2];
	long err;

	if (flags & ~(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | LINUX_O_DIRECT))
		return -EINVAL;
	err = pipe_create(t, flags, &rd, &wr);
	if (err)
		return err;
	fds[0] = fd_install(t, rd, fdflags);
	fds[1] = fds[0] < 0 ? -1 : fd_install(t, wr, fdflags);
	file_put(rd);
	file_put(wr);
	if (fds[0] < 0 || fds[1] < 0) {
		if (fds[0] >= 0)
			fd_close(t, fds[0]);
		return fds[0] < 0 ? fds[0] : fds[1];
	}
	err = task_copy_out(t, upipefd, fds, sizeof(fds));
	if (err) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
	}
	return err;
}

long kern_pipe(struct task *t, const struct pipe_args *a)
{
	return do_pipe2(t, a->pipefd, 0);
}

long kern_pipe2(struct task *t, const struct pipe2_args *a)
{
	return do_pipe2(t, a->pipefd, a->flags);
}
