/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_open.c: open, openat, openat2, creat, close, close_range,
 * name_to_handle_at, open_by_handle_at.
 */
#include <errno.h>
#include <string.h>

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

/* openat2's struct open_how and RESOLVE_* flags (<linux/openat2.h>). */
struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

#define OPEN_HOW_SIZE_VER0 24
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20

/* copy_struct_from_user: the struct, of whatever size the caller knows;
 * bytes past ours must be zero (E2BIG: a newer field we lack). */
static long copy_how(struct task *t, uint64_t addr, uint64_t usize,
		     struct open_how *how)
{
	memset(how, 0, sizeof(*how));
	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > 4096)
		return -E2BIG;
	if (task_copy_in(t, addr, how,
			 usize < sizeof(*how) ? usize : sizeof(*how)))
		return -EFAULT;
	for (uint64_t off = sizeof(*how); off < usize; off++) {
		uint8_t b;

		if (task_copy_in(t, addr + off, &b, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	return 0;
}

/* build_open_flags as openat2 runs it: every argument checked (unknown
 * flags, a mode without O_CREAT or O_TMPFILE, O_PATH with other flags),
 * then the RESOLVE_* flags as LOOKUP_* flags. */
static long build_open_how(const struct open_how *how, int *lflags)
{
	const uint64_t valid =
		LINUX_O_ACCMODE | LINUX_O_CREAT | LINUX_O_EXCL |
		LINUX_O_NOCTTY | LINUX_O_TRUNC | LINUX_O_APPEND |
		LINUX_O_NONBLOCK | LINUX_O_DSYNC | LINUX_O_ASYNC |
		LINUX_O_DIRECT | LINUX_O_LARGEFILE | LINUX_O_DIRECTORY |
		LINUX_O_NOFOLLOW | LINUX_O_NOATIME | LINUX_O_CLOEXEC |
		LINUX___O_SYNC | LINUX_O_PATH | LINUX___O_TMPFILE;
	const uint64_t path_ok =
		LINUX_O_DIRECTORY | LINUX_O_NOFOLLOW | LINUX_O_PATH;
	uint64_t flags = how->flags & ~(uint64_t)LINUX_O_CLOEXEC;

	if (flags & ~valid)
		return -EINVAL;
	if (how->resolve & ~(uint64_t)(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
				       RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
				       RESOLVE_IN_ROOT | RESOLVE_CACHED))
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) &&
	    (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (flags & (LINUX_O_CREAT | LINUX___O_TMPFILE)) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode) {
		return -EINVAL;
	}
	if ((flags & (LINUX_O_CREAT | LINUX_O_DIRECTORY)) ==
	    (LINUX_O_CREAT | LINUX_O_DIRECTORY))
		return -EINVAL;
	if ((flags & LINUX___O_TMPFILE) &&
	    ((flags & (LINUX_O_TMPFILE | LINUX_O_CREAT)) != LINUX_O_TMPFILE ||
	     !(flags & LINUX_O_ACCMODE)))
		return -EINVAL;
	if ((flags & LINUX_O_PATH) && (flags & ~path_ok))
		return -EINVAL;
	*lflags = 0;
	if (how->resolve & RESOLVE_NO_XDEV)
		*lflags |= LOOKUP_NO_XDEV;
	if (how->resolve & RESOLVE_NO_MAGICLINKS)
		*lflags |= LOOKUP_NO_MAGICLINKS;
	if (how->resolve & RESOLVE_NO_SYMLINKS)
		*lflags |= LOOKUP_NO_SYMLINKS;
	if (how->resolve & RESOLVE_BENEATH)
		*lflags |= LOOKUP_BENEATH;
	if (how->resolve & RESOLVE_IN_ROOT)
		*lflags |= LOOKUP_IN_ROOT;
	/* Every lookup here may need the Gofer; only what cannot be
	 * "cached" anywhere is refused, as Linux does up front. */
	if ((how->resolve & RESOLVE_CACHED) &&
	    (flags & (LINUX_O_TRUNC | LINUX_O_CREAT | LINUX___O_TMPFILE)))
		return -EAGAIN;
	return 0;
}

long kern_openat2(struct task *t, const struct openat2_args *a)
{
	char path[LINUX_PATH_MAX];
	struct open_how how;
	struct file *f;
	uint32_t flags;
	int lflags, fd;
	long err = copy_how(t, a->how, a->size, &how);

	if (err)
		return err;
	if (!(how.flags & LINUX_O_PATH))
		how.flags |= LINUX_O_LARGEFILE;
	err = build_open_how(&how, &lflags);
	if (err)
		return err;
	flags = (uint32_t)how.flags;
	err = fs_getname(t, a->pathname, path);
	if (err < 0)
		return err;
	err = fd_check_free(t);
	if (err)
		return err;
	err = vfs_open_resolve(t, a->dirfd, path, flags, (uint32_t)how.mode,
			       lflags, &f);
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
