/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_rw.c: read, write, pread64, pwrite64, readv, writev, preadv, pwritev,
 * preadv2, pwritev2, lseek, with Linux's checks in Linux's order (a bad
 * offset before a bad fd for the positioned calls, ESPIPE for unseekable
 * files, lengths clamped to MAX_RW_COUNT, EFAULT for buffers outside the
 * user address space).
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/syscalls/fs_common.h"

#define TASK_SIZE_MAX 0x00007ffffffff000ULL
#define FAST_IOV 8

static bool access_ok(uint64_t addr, uint64_t len)
{
	return len == 0 ||
	       (addr <= TASK_SIZE_MAX && len <= TASK_SIZE_MAX - addr);
}

/* One guest buffer: the checks of vfs_read/vfs_write, then the I/O. */
static long rw_one(struct task *t, int fd, uint64_t buf, uint64_t count,
		   int64_t *pos, bool wr, bool positioned)
{
	struct linux_iovec iov;
	struct vfs_uio uio;
	struct file *f;
	long ret;

	if (positioned && *pos < 0)
		return -EINVAL;
	f = fd_get_nopath(t, fd);
	if (!f)
		return -EBADF;
	ret = -ESPIPE;
	if (positioned && !(f->fmode & FMODE_PREAD))
		goto out;
	ret = -EBADF;
	if (!(f->fmode & (wr ? FMODE_WRITE : FMODE_READ)))
		goto out;
	ret = -EFAULT;
	if (!access_ok(buf, count))
		goto out;
	if (count > LINUX_MAX_RW_COUNT)
		count = LINUX_MAX_RW_COUNT;
	iov.base = buf;
	iov.len = count;
	vfs_uio_init_guest(&uio, t, &iov, 1, count);
	ret = wr ? vfs_write(f, &uio, pos) : vfs_read(f, &uio, pos);
out:
	file_put(f);
	return ret;
}

long kern_read(struct task *t, const struct read_args *a)
{
	return rw_one(t, a->fd, a->buf, a->count, NULL, false, false);
}

long kern_write(struct task *t, const struct write_args *a)
{
	return rw_one(t, a->fd, a->buf, a->count, NULL, true, false);
}

long kern_pread64(struct task *t, const struct pread64_args *a)
{
	int64_t pos = a->pos;

	return rw_one(t, a->fd, a->buf, a->count, &pos, false, true);
}

long kern_pwrite64(struct task *t, const struct pwrite64_args *a)
{
	int64_t pos = a->pos;

	return rw_one(t, a->fd, a->buf, a->count, &pos, true, true);
}

/* The vectored calls: pos NULL for the file offset. */
static long rw_vec(struct task *t, int fd, uint64_t uiov, uint64_t iovcnt,
		   int64_t *pos, bool wr, uint32_t rwf)
{
	struct linux_iovec fast[FAST_IOV], *iov;
	struct vfs_uio uio;
	uint32_t saved = 0;
	struct file *f;
	long total, ret;

	if (pos && *pos < 0)
		return -EINVAL;
	f = fd_get_nopath(t, fd);
	if (!f)
		return -EBADF;
	ret = -ESPIPE;
	if (pos && !(f->fmode & FMODE_PREAD))
		goto out;
	total = vfs_import_iovec(t, uiov, iovcnt, fast, FAST_IOV, &iov);
	ret = total;
	if (total < 0)
		goto out;
	ret = -EBADF;
	if (!(f->fmode & (wr ? FMODE_WRITE : FMODE_READ)))
		goto out_iov;
	/* RWF_*: HIPRI is a hint, DSYNC/SYNC need nothing from in-memory
	 * files; NOWAIT is not offered; APPEND appends this write. */
	ret = -EOPNOTSUPP;
	if (rwf & ~(LINUX_RWF_HIPRI | LINUX_RWF_DSYNC | LINUX_RWF_SYNC |
		    LINUX_RWF_APPEND))
		goto out_iov;
	ret = 0;
	if (total == 0)
		goto out_iov;
	vfs_uio_init_guest(&uio, t, iov, (int)iovcnt, (uint64_t)total);
	if (wr && (rwf & LINUX_RWF_APPEND)) {
		saved = f->flags & LINUX_O_APPEND;
		f->flags |= LINUX_O_APPEND;
	}
	ret = wr ? vfs_write(f, &uio, pos) : vfs_read(f, &uio, pos);
	if (wr && (rwf & LINUX_RWF_APPEND) && !saved)
		f->flags &= ~LINUX_O_APPEND;
out_iov:
	if (iov != fast)
		free(iov);
out:
	file_put(f);
	return ret;
}

long kern_readv(struct task *t, const struct readv_args *a)
{
	return rw_vec(t, a->fd, a->iov, a->iovcnt, NULL, false, 0);
}

long kern_writev(struct task *t, const struct writev_args *a)
{
	return rw_vec(t, a->fd, a->iov, a->iovcnt, NULL, true, 0);
}

/* On a 64-bit kernel the offset is pos_l alone (pos_from_hilo shifts the
 * high word out). */
long kern_preadv(struct task *t, const struct preadv_args *a)
{
	int64_t pos = a->pos_l;

	return rw_vec(t, a->fd, a->iov, a->iovcnt, &pos, false, 0);
}

long kern_pwritev(struct task *t, const struct pwritev_args *a)
{
	int64_t pos = a->pos_l;

	return rw_vec(t, a->fd, a->iov, a->iovcnt, &pos, true, 0);
}

long kern_preadv2(struct task *t, const struct preadv2_args *a)
{
	int64_t pos = a->pos_l;

	return rw_vec(t, a->fd, a->iov, a->iovcnt, pos == -1 ? NULL : &pos,
		      false, a->flags);
}

long kern_pwritev2(struct task *t, const struct pwritev2_args *a)
{
	int64_t pos = a->pos_l;

	return rw_vec(t, a->fd, a->iov, a->iovcnt, pos == -1 ? NULL : &pos,
		      true, a->flags);
}

long kern_lseek(struct task *t, const struct lseek_args *a)
{
	struct file *f = fd_get_nopath(t, a->fd);
	long ret;

	if (!f)
		return -EBADF;
	if ((uint32_t)a->whence > LINUX_SEEK_HOLE)
		ret = -EINVAL;
	else if (!f->ops->llseek)
		ret = -ESPIPE;
	else
		ret = f->ops->llseek(f, a->offset, a->whence);
	file_put(f);
	return ret;
}

/* posix_fadvise: advice about the page cache, which the Sentry does not
 * act on; the checks are Linux's (fs/fadvise.c). */
long kern_fadvise64(struct task *t, const struct fadvise64_args *a)
{
	struct file *f = fd_get_nopath(t, a->fd);
	long err = 0;

	if (!f)
		return -EBADF;
	if (LINUX_S_ISFIFO(f->inode->mode))
		err = -ESPIPE;
	else if ((int64_t)a->len < 0)
		err = -EINVAL;
	else if (a->advice < LINUX_POSIX_FADV_NORMAL ||
		 a->advice > LINUX_POSIX_FADV_NOREUSE)
		err = -EINVAL;
	file_put(f);
	return err;
}

/* readahead(2): WILLNEED advice on a regular file open for reading;
 * nothing to prefetch in the Sentry, so the checks are all there is. */
long kern_readahead(struct task *t, const struct readahead_args *a)
{
	struct file *f = fd_get_nopath(t, a->fd);
	long err = 0;

	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_READ))
		err = -EBADF;
	else if (!LINUX_S_ISREG(f->inode->mode) || (int64_t)a->count < 0)
		err = -EINVAL;
	file_put(f);
	return err;
}
