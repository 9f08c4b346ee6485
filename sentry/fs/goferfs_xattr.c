/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs_xattr.c: extended attributes of Gofer files. The Gofer serves
 * the host's user.* attributes of regular files and directories (reads on
 * any Gofer, writes on a writable one) and nothing else: the host's
 * trusted.* and security.* hold the host's own state, which the sandbox
 * neither sees (ENODATA) nor writes (EOPNOTSUPP). A value longer than one
 * Gofer message carries (GOFER_XATTR_MAX) is E2BIG.
 */
#include <string.h>

#include "sentry/abi/xattr.h"
#include "sentry/fs/goferfs_int.h"

static bool served(const char *name)
{
	return !strncmp(name, LINUX_XATTR_USER_PREFIX,
			strlen(LINUX_XATTR_USER_PREFIX));
}

long goferfs_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	long n;

	if (!served(name))
		return -ENODATA;
	n = gofer_getxattr(goferfs_client(i), goferfs_i(i)->node, name, buf,
			   size);
	/* The caller's buffer was larger than a message: the value is
	 * one the protocol cannot carry, not one that did not fit. */
	if (n == -ERANGE && size > GOFER_XATTR_MAX)
		n = -E2BIG;
	return n < 0 ? goferfs_err((int)n) : n;
}

/* A change through the Gofer moves the host file's ctime: stat again. */
static int changed(struct inode *i, int err)
{
	if (!err)
		goferfs_i(i)->stale = true;
	return goferfs_err(err);
}

int goferfs_setxattr(struct inode *i, const char *name, const void *value,
		     size_t size, int flags)
{
	if (!served(name))
		return -EOPNOTSUPP;
	return changed(i, gofer_setxattr(goferfs_client(i), goferfs_i(i)->node,
					 name, value, size, (unsigned)flags));
}

long goferfs_listxattr(struct inode *i, char *buf, size_t size)
{
	long n;

	/* Only files the Gofer reopens have attributes to list. */
	if (!LINUX_S_ISREG(i->mode) && !LINUX_S_ISDIR(i->mode))
		return 0;
	n = gofer_listxattr(goferfs_client(i), goferfs_i(i)->node, buf, size);
	if (n == -ERANGE && size > GOFER_XATTR_MAX)
		n = -E2BIG;
	return n < 0 ? goferfs_err((int)n) : n;
}

int goferfs_removexattr(struct inode *i, const char *name)
{
	if (!served(name))
		return -EOPNOTSUPP;
	return changed(i, gofer_removexattr(goferfs_client(i),
					    goferfs_i(i)->node, name));
}
