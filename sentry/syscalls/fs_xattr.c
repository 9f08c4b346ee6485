/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_xattr.c: the extended attribute calls (get, set, list, remove, each
 * by path, by path without following a final symlink, and by fd), in
 * Linux 6.18's order: the name and value are copied in before the path
 * is looked up or the descriptor checked. The rules are in
 * sentry/vfs/xattr.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "sentry/abi/xattr.h"
#include "sentry/syscalls/fs_common.h"

/* What a call acts on: a path (followed or not) or a descriptor. */
struct xtarget {
	uint64_t upath; /* 0: use fd */
	int fd;
	bool follow;
};

/* import_xattr_name: 1..255 bytes, else ERANGE. */
static long get_name(struct task *t, uint64_t uname,
		     char name[LINUX_XATTR_NAME_MAX + 1])
{
	long n = task_copy_string_in(t, uname, name, LINUX_XATTR_NAME_MAX + 1);

	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? n : 0;
}

/* The path of a target, referenced: a descriptor (not O_PATH, as
 * fdget), or a lookup. */
static long target_path(struct task *t, const struct xtarget *x,
			struct path *out)
{
	char path[LINUX_PATH_MAX];
	long err;

	if (!x->upath) {
		struct file *f = fd_get_nopath(t, x->fd);

		if (!f)
			return -EBADF;
		*out = f->path;
		path_get(out);
		file_put(f);
		return 0;
	}
	err = fs_getname(t, x->upath, path);
	if (err < 0)
		return err;
	return vfs_lookup(t, LINUX_AT_FDCWD, path,
			  x->follow ? LOOKUP_FOLLOW : 0, out);
}

static long do_getxattr(struct task *t, const struct xtarget *x, uint64_t uname,
			uint64_t uvalue, uint64_t size)
{
	char name[LINUX_XATTR_NAME_MAX + 1];
	void *buf = NULL;
	struct path p;
	long ret = get_name(t, uname, name);

	if (ret)
		return ret;
	if (size > LINUX_XATTR_SIZE_MAX)
		size = LINUX_XATTR_SIZE_MAX;
	if (size && !(buf = malloc(size)))
		return -ENOMEM;
	ret = target_path(t, x, &p);
	if (!ret) {
		ret = vfs_getxattr(t, &p, name, buf, size);
		path_put(&p);
	}
	if (ret > 0 && size && task_copy_out(t, uvalue, buf, (size_t)ret))
		ret = -EFAULT;
	else if (ret == -ERANGE && size >= LINUX_XATTR_SIZE_MAX)
		ret = -E2BIG;
	free(buf);
	return ret;
}

/* setxattr_copy: name, then the value's size and bytes, before the
 * target is looked up. */
static long do_setxattr(struct task *t, const struct xtarget *x, uint64_t uname,
			uint64_t uvalue, uint64_t size, int flags)
{
	char name[LINUX_XATTR_NAME_MAX + 1];
	void *value = NULL;
	struct path p;
	long ret = get_name(t, uname, name);

	if (ret)
		return ret;
	if (size > LINUX_XATTR_SIZE_MAX)
		return -E2BIG;
	if (size) {
		value = malloc(size);
		if (!value)
			return -ENOMEM;
		if (task_copy_in(t, uvalue, value, size)) {
			free(value);
			return -EFAULT;
		}
	}
	ret = target_path(t, x, &p);
	if (!ret) {
		ret = vfs_setxattr(t, &p, name, value, size, flags);
		path_put(&p);
	}
	free(value);
	return ret;
}

static long do_listxattr(struct task *t, const struct xtarget *x,
			 uint64_t ulist, uint64_t size)
{
	char *buf = NULL;
	struct path p;
	long ret;

	if (size > LINUX_XATTR_LIST_MAX)
		size = LINUX_XATTR_LIST_MAX;
	if (size && !(buf = malloc(size)))
		return -ENOMEM;
	ret = target_path(t, x, &p);
	if (!ret) {
		ret = vfs_listxattr(t, &p, buf, size);
		path_put(&p);
	}
	if (ret > 0 && size && task_copy_out(t, ulist, buf, (size_t)ret))
		ret = -EFAULT;
	else if (ret == -ERANGE && size >= LINUX_XATTR_LIST_MAX)
		ret = -E2BIG;
	free(buf);
	return ret;
}

static long do_removexattr(struct task *t, const struct xtarget *x,
			   uint64_t uname)
{
	char name[LINUX_XATTR_NAME_MAX + 1];
	struct path p;
	long ret = get_name(t, uname, name);

	if (ret)
		return ret;
	ret = target_path(t, x, &p);
	if (!ret) {
		ret = vfs_removexattr(t, &p, name);
		path_put(&p);
	}
	return ret;
}

#define BY_PATH(p) (&(struct xtarget){.upath = (p), .follow = true})
#define BY_LPATH(p) (&(struct xtarget){.upath = (p), .follow = false})
#define BY_FD(f) (&(struct xtarget){.fd = (f)})

long kern_getxattr(struct task *t, const struct getxattr_args *a)
{
	return do_getxattr(t, BY_PATH(a->path), a->name, a->value, a->size);
}

long kern_lgetxattr(struct task *t, const struct lgetxattr_args *a)
{
	return do_getxattr(t, BY_LPATH(a->path), a->name, a->value, a->size);
}

long kern_fgetxattr(struct task *t, const struct fgetxattr_args *a)
{
	return do_getxattr(t, BY_FD(a->fd), a->name, a->value, a->size);
}

long kern_setxattr(struct task *t, const struct setxattr_args *a)
{
	return do_setxattr(t, BY_PATH(a->path), a->name, a->value, a->size,
			   (int)a->flags);
}

long kern_lsetxattr(struct task *t, const struct lsetxattr_args *a)
{
	return do_setxattr(t, BY_LPATH(a->path), a->name, a->value, a->size,
			   (int)a->flags);
}

long kern_fsetxattr(struct task *t, const struct fsetxattr_args *a)
{
	return do_setxattr(t, BY_FD(a->fd), a->name, a->value, a->size,
			   (int)a->flags);
}

long kern_listxattr(struct task *t, const struct listxattr_args *a)
{
	return do_listxattr(t, BY_PATH(a->path), a->list, a->size);
}

long kern_llistxattr(struct task *t, const struct llistxattr_args *a)
{
	return do_listxattr(t, BY_LPATH(a->path), a->list, a->size);
}

long kern_flistxattr(struct task *t, const struct flistxattr_args *a)
{
	return do_listxattr(t, BY_FD(a->fd), a->list, a->size);
}

long kern_removexattr(struct task *t, const struct removexattr_args *a)
{
	return do_removexattr(t, BY_PATH(a->path), a->name);
}

long kern_lremovexattr(struct task *t, const struct lremovexattr_args *a)
{
	return do_removexattr(t, BY_LPATH(a->path), a->name);
}

long kern_fremovexattr(struct task *t, const struct fremovexattr_args *a)
{
	return do_removexattr(t, BY_FD(a->fd), a->name);
}
