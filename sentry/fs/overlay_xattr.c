/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay_xattr.c: extended attributes of overlay files, as Linux's
 * overlayfs gives them: read from the layer that holds the file now (the
 * lower until a copy-up, the upper after), written on the upper copy
 * (which a write makes), and carried to the upper copy by the copy-up
 * itself, so a file keeps its user.* attributes when the sandbox first
 * changes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/xattr.h"
#include "sentry/fs/overlay_int.h"

long ovl_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	struct inode *r = ovl_real(i);

	if (!r->ops || !r->ops->getxattr)
		return -EOPNOTSUPP;
	return r->ops->getxattr(r, name, buf, size);
}

long ovl_listxattr(struct inode *i, char *buf, size_t size)
{
	struct inode *r = ovl_real(i);

	if (!r->ops || !r->ops->listxattr)
		return 0;
	return r->ops->listxattr(r, buf, size);
}

int ovl_setxattr(struct inode *i, const char *name, const void *value,
		 size_t size, int flags)
{
	int err = ovl_copy_up(i, true);
	struct inode *u = OI(i)->upper;

	if (err)
		return err;
	err = u->ops && u->ops->setxattr
		      ? u->ops->setxattr(u, name, value, size, flags)
		      : -EOPNOTSUPP;
	ovl_sync(i);
	return err;
}

int ovl_removexattr(struct inode *i, const char *name)
{
	int err = ovl_copy_up(i, true);
	struct inode *u = OI(i)->upper;

	if (err)
		return err;
	err = u->ops && u->ops->removexattr ? u->ops->removexattr(u, name)
					    : -EOPNOTSUPP;
	ovl_sync(i);
	return err;
}

/* Copy one attribute; one the lower file lost meanwhile is skipped. */
static int copy_one(struct inode *lower, struct inode *upper, const char *name,
		    char *value)
{
	long n = lower->ops->getxattr(lower, name, value, LINUX_XATTR_SIZE_MAX);

	if (n == -ENODATA || n == -EOPNOTSUPP)
		return 0;
	if (n < 0)
		return (int)n;
	return upper->ops->setxattr(upper, name, value, (size_t)n, 0);
}

int ovl_copy_xattrs(struct inode *lower, struct inode *upper)
{
	char *list, *value;
	long len;
	int err = 0;

	if (!lower->ops || !lower->ops->listxattr || !lower->ops->getxattr ||
	    !upper->ops || !upper->ops->setxattr)
		return 0;
	list = malloc(LINUX_XATTR_LIST_MAX);
	value = malloc(LINUX_XATTR_SIZE_MAX);
	if (!list || !value) {
		free(list);
		free(value);
		return -ENOMEM;
	}
	len = lower->ops->listxattr(lower, list, LINUX_XATTR_LIST_MAX);
	if (len < 0)
		err = len == -EOPNOTSUPP ? 0 : (int)len;
	for (long off = 0; !err && off < len;
	     off += (long)strnlen(list + off, (size_t)(len - off)) + 1) {
		if (strnlen(list + off, (size_t)(len - off)) ==
		    (size_t)(len - off))
			break; /* an unterminated last name */
		err = copy_one(lower, upper, list + off, value);
	}
	free(list);
	free(value);
	return err;
}
