/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_open.c: open, openat, creat, close, close_range, name_to_handle_at,
 * open_by_handle_at.
 */
#include <errno.h>

#include "sentry/abi/capability.h"
#include "sentry/syscalls/fs_common.h"

/* do_sys_open: the flags as Linux normalises them, a free fd first, the
 * path, then the description in the table. */
static long do_open(struct task *t, int dirfd, uint64_t upath, uint32_t flags,
		    uint32_t mode)
{
	char path[LINUX_PATH_MAX];
	struct file *f;
	long err;
	int fd;

	/* x86-64 is a 64-bit kernel: every open is O_LARGEFILE. */
	flags |= LINUX_O_LARGEFILE;
	if (!(flags & (LINUX_O_CREAT | LINUX___O_TMPFILE)))
		mode = 0;
	err = fd_check_free(t);
	if (err)
		return err;
	err = fs_getname(t, upath, path);
	if (err < 0)
		return err;
	err = vfs_open(t, dirfd, path, flags, mode & 07777, &f);
	if (err)
		return err;
	fd = fd_install(t, f, (flags & LINUX_O_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return fd;
}

long kern_open(struct task *t, const struct open_args *a)
{
	return do_open(t, LINUX_AT_FDCWD, a->pathname, a->flags, a->mode);
}

long kern_openat(struct task *t, const struct openat_args *a)
{
	return do_open(t, a->dirfd, a->pathname, a->flags, a->mode);
}

long kern_creat(struct task *t, const struct creat_args *a)
{
	return do_open(t, LINUX_AT_FDCWD, a->pathname,
		       LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, a->mode);
}

long kern_close(struct task *t, const struct close_args *a)
{
	return fd_close(t, a->fd);
}

/* close_range(2): close (or mark close-on-exec) [first, last], after
 * unsharing the table when asked. */
long kern_close_range(struct task *t, const struct close_range_args *a)
{
	uint32_t first = (uint32_t)a->first, last = a->last;
	struct fd_table *fdt;
	int fd;

	if (first > last)
		return -EINVAL;
	if ((a->flags & LINUX_CLOSE_RANGE_UNSHARE) && t->fdt->refs > 1) {
		int err = fd_table_copy(t->fdt, &fdt);

		if (err)
			return err;
		fd_table_put(t->fdt);
		t->fdt = fdt;
	}
	fdt = t->fdt;
	if (first > (uint32_t)INT32_MAX)
		return 0;
	for (fd = fdt_next(fdt, (int)first); fd >= 0 && (uint32_t)fd <= last;
	     fd = fdt_next(fdt, fd + 1)) {
		if (a->flags & LINUX_CLOSE_RANGE_CLOEXEC)
			fdt->fds[fd].flags |= FD_CLOEXEC_FLAG;
		else
			fdt_close(fdt, fd);
	}
	return 0;
}

/* File handles (fs/fhandle.c). No filesystem of the Sentry exports its
 * files by handle: a handle would have to name a file independently of
 * any path the sandbox can see, and one of a host file must never exist.
 * name_to_handle_at answers what Linux answers for a filesystem without
 * export operations, and open_by_handle_at, after Linux's checks, finds
 * every handle stale. */

#define MAX_HANDLE_SZ 128
#define AT_HANDLE_FID 0x200
#define AT_HANDLE_MNT_ID_UNIQUE 0x001
#define AT_HANDLE_CONNECTABLE 0x002

long kern_name_to_handle_at(struct task *t,
			    const struct name_to_handle_at_args *a)
{
	const uint32_t known = LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH |
			       AT_HANDLE_FID | AT_HANDLE_MNT_ID_UNIQUE |
			       AT_HANDLE_CONNECTABLE;
	char path[LINUX_PATH_MAX];
	struct path p;
	int lf = 0;
	long err;

	if (a->flags & ~known)
		return -EINVAL;
	if (a->flags & LINUX_AT_SYMLINK_FOLLOW)
		lf |= LOOKUP_FOLLOW;
	if (a->flags & LINUX_AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY_PATH;
	err = fs_getname(t, a->pathname, path);
	if (err < 0)
		return err;
	err = vfs_lookup(t, a->dirfd, path, lf, &p);
	if (err)
		return err;
	path_put(&p);
	return -EOPNOTSUPP;
}

long kern_open_by_handle_at(struct task *t,
			    const struct open_by_handle_at_args *a)
{
	struct {
		uint32_t handle_bytes;
		int32_t handle_type;
	} h;
	struct file *f;

	if (task_copy_in(t, a->handle, &h, sizeof(h)))
		return -EFAULT;
	if (h.handle_bytes > MAX_HANDLE_SZ || h.handle_bytes == 0 ||
	    h.handle_type < 0)
		return -EINVAL;
	if (a->mount_fd != LINUX_AT_FDCWD) {
		f = fd_get(t, a->mount_fd);
		if (!f)
			return -EBADF;
		file_put(f);
	}
	/* may_decode_fh: opening by handle skips every directory's search
	 * permission. */
	if (!creds_capable(t->creds, LINUX_CAP_DAC_READ_SEARCH))
		return -EPERM;
	return -ESTALE;
}
