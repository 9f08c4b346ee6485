/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xattr.c: extended attributes with Linux's rules (fs/xattr.c and the
 * capability LSM's hooks): which namespaces exist, who may read and write
 * each, and what the calls answer. Filesystems store the attributes
 * (inode_ops.getxattr...); nothing here knows how.
 *
 *   user.*      regular files and directories only (reading another kind
 *               of file: ENODATA, writing: EPERM); read or write
 *               permission on the file; in a sticky directory only its
 *               owner (or CAP_FOWNER) writes them.
 *   trusted.*   CAP_SYS_ADMIN (without it: ENODATA on reads, EPERM on
 *               writes, and the names are left out of listings).
 *   security.*  readable by whoever reaches the file; written with
 *               CAP_SYS_ADMIN, security.capability with CAP_SETFCAP and a
 *               valid v2/v3 header, as Linux without an LSM. Stored only:
 *               file capabilities do not act at execve.
 *   system.*    POSIX ACLs are not implemented: EOPNOTSUPP, what a
 *               filesystem without ACL support answers.
 *   other names EOPNOTSUPP; a bare prefix ("user."): EINVAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/capability.h"
#include "sentry/abi/xattr.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/internal.h"

enum xattr_ns { NS_USER, NS_TRUSTED, NS_SECURITY, NS_SYSTEM, NS_NONE };

static const struct {
	const char *prefix;
	enum xattr_ns ns;
} namespaces[] = {
	{LINUX_XATTR_USER_PREFIX, NS_USER},
	{LINUX_XATTR_TRUSTED_PREFIX, NS_TRUSTED},
	{LINUX_XATTR_SECURITY_PREFIX, NS_SECURITY},
	{LINUX_XATTR_SYSTEM_PREFIX, NS_SYSTEM},
};

static bool capable(const struct creds *c, int cap)
{
	return (c->cap_effective >> cap) & 1;
}

/* The namespace of a name, and whether the name is its prefix alone. */
static enum xattr_ns name_ns(const char *name, bool *bare)
{
	for (size_t k = 0; k < sizeof(namespaces) / sizeof(namespaces[0]);
	     k++) {
		size_t n = strlen(namespaces[k].prefix);

		if (!strncmp(name, namespaces[k].prefix, n)) {
			*bare = name[n] == '\0';
			return namespaces[k].ns;
		}
	}
	*bare = false;
	return NS_NONE;
}

/* The namespace half of Linux's xattr_permission: 1 when the file's own
 * permission bits decide next, 0 when the namespace has decided yes, or
 * -errno. */
static int ns_permission(const struct creds *c, const struct inode *i,
			 enum xattr_ns ns, bool write)
{
	switch (ns) {
	case NS_SECURITY:
	case NS_SYSTEM:
		return 0;
	case NS_TRUSTED:
		if (!capable(c, LINUX_CAP_SYS_ADMIN))
			return write ? -EPERM : -ENODATA;
		return 0;
	case NS_USER:
		if (!LINUX_S_ISREG(i->mode) && !LINUX_S_ISDIR(i->mode))
			return write ? -EPERM : -ENODATA;
		/* A sticky directory (/tmp) is shared: only its owner
		 * labels it. */
		if (LINUX_S_ISDIR(i->mode) && (i->mode & LINUX_S_ISVTX) &&
		    write && c->fsuid != i->uid &&
		    !capable(c, LINUX_CAP_FOWNER))
			return -EPERM;
		return 1;
	case NS_NONE:
		break;
	}
	return 1;
}

/*
 * xattr_permission, with the filesystem's support checked between its
 * two halves: a file of a filesystem without xattrs (procfs) answers
 * EOPNOTSUPP whatever its mode says, as Linux does for root, while the
 * namespace rules (user.* on a pipe) come first.
 */
static int xattr_permission(const struct creds *c, const struct path *p,
			    enum xattr_ns ns, int mask, bool has_op)
{
	struct inode *i = p->dentry->inode;
	int r = ns_permission(c, i, ns, mask & MAY_WRITE);

	if (r < 0)
		return r;
	if (!has_op)
		return -EOPNOTSUPP;
	return r ? vfs_permission(p->mnt, i, mask, c) : 0;
}

/* Whether any filesystem knows the name (xattr_resolve_name, after the
 * fs has said it has xattrs at all). */
static int resolve(enum xattr_ns ns, bool bare)
{
	if (ns == NS_NONE || ns == NS_SYSTEM)
		return -EOPNOTSUPP;
	return bare ? -EINVAL : 0;
}

/* A v2 (20 bytes) or v3 (24 bytes) vfs_cap_data header, as Linux's
 * validheader: anything else in security.capability is EINVAL. */
static bool valid_caps(const void *value, size_t size)
{
	uint32_t magic;

	if (size < sizeof(magic))
		return false;
	memcpy(&magic, value, sizeof(magic));
	magic &= 0xff000000u;
	return (size == 20 && magic == 0x02000000u) ||
	       (size == 24 && magic == 0x03000000u);
}

/* The capability LSM's word on writing security.*: CAP_SYS_ADMIN, and
 * CAP_SETFCAP for file capabilities (which would raise privileges at
 * execve on a real kernel). */
static int security_write_ok(const struct creds *c, const char *name)
{
	if (strcmp(name, LINUX_XATTR_NAME_CAPS) == 0)
		return capable(c, LINUX_CAP_SETFCAP) ? 0 : -EPERM;
	return capable(c, LINUX_CAP_SYS_ADMIN) ? 0 : -EPERM;
}

long vfs_getxattr(struct task *t, const struct path *p, const char *name,
		  void *buf, size_t size)
{
	struct inode *i = p->dentry->inode;
	bool bare;
	enum xattr_ns ns = name_ns(name, &bare);
	int err = xattr_permission(vfs_task_creds(t), p, ns, MAY_READ,
				   i->ops && i->ops->getxattr);

	if (err)
		return err;
	err = resolve(ns, bare);
	if (err)
		return err;
	return i->ops->getxattr(i, name, buf, size);
}

/* The checks setxattr and removexattr share, in Linux's order: a
 * writable mount, the permission checks, the capability LSM, a known
 * name. */
static int write_checks(struct task *t, const struct path *p, const char *name,
			const void *value, size_t size, bool remove,
			bool has_op)
{
	const struct creds *c = vfs_task_creds(t);
	bool bare;
	enum xattr_ns ns = name_ns(name, &bare);
	int err = vfs_mnt_want_write(p->mnt);

	if (!err && !remove && size && !strcmp(name, LINUX_XATTR_NAME_CAPS) &&
	    !valid_caps(value, size))
		err = -EINVAL;
	if (!err)
		err = xattr_permission(c, p, ns, MAY_WRITE, has_op);
	if (!err && ns == NS_SECURITY)
		err = security_write_ok(c, name);
	if (!err)
		err = resolve(ns, bare);
	return err;
}

int vfs_setxattr(struct task *t, const struct path *p, const char *name,
		 const void *value, size_t size, int flags)
{
	struct inode *i = p->dentry->inode;
	int err = write_checks(t, p, name, value, size, false,
			       i->ops && i->ops->setxattr);

	if (!err)
		err = i->ops->setxattr(i, name, value, size, flags);
	if (!err)
		fsnotify_xattr(p->dentry);
	return err;
}

int vfs_removexattr(struct task *t, const struct path *p, const char *name)
{
	struct inode *i = p->dentry->inode;
	int err = write_checks(t, p, name, NULL, 0, true,
			       i->ops && i->ops->removexattr);

	if (!err)
		err = i->ops->removexattr(i, name);
	if (!err)
		fsnotify_xattr(p->dentry);
	return err;
}

/* Drop the trusted.* names of a list in place; its new length. */
static size_t hide_trusted(char *list, size_t len)
{
	size_t in = 0, out = 0, plen = strlen(LINUX_XATTR_TRUSTED_PREFIX);

	while (in < len) {
		size_t l = strnlen(list + in, len - in) + 1;

		if (strncmp(list + in, LINUX_XATTR_TRUSTED_PREFIX, plen)) {
			memmove(list + out, list + in, l);
			out += l;
		}
		in += l;
	}
	return out;
}

long vfs_listxattr(struct task *t, const struct path *p, char *buf, size_t size)
{
	struct inode *i = p->dentry->inode;
	char *all;
	long n;

	if (!i->ops || !i->ops->listxattr)
		return 0;
	/* The whole list, filtered, then measured against the caller's
	 * buffer: what an unprivileged caller may not see does not count. */
	all = malloc(LINUX_XATTR_LIST_MAX);
	if (!all)
		return -ENOMEM;
	n = i->ops->listxattr(i, all, LINUX_XATTR_LIST_MAX);
	if (n == -ERANGE)
		n = -E2BIG;
	if (n > 0 && !capable(vfs_task_creds(t), LINUX_CAP_SYS_ADMIN))
		n = (long)hide_trusted(all, (size_t)n);
	if (n > 0 && size) {
		if ((size_t)n > size)
			n = -ERANGE;
		else
			memcpy(buf, all, (size_t)n);
	}
	free(all);
	return n;
}
