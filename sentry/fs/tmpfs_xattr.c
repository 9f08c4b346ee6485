/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs_xattr.c: extended attributes of tmpfs inodes (Linux's
 * simple_xattr): a list per inode, sorted by name, holding whatever the
 * VFS lets through (user.*, trusted.*, security.*; sentry/vfs/xattr.c).
 *
 * As shmem, user.* attributes take their space from the instance's ispace
 * (nr_inodes KiB) when nr_inodes limits it: ENOSPC past it. Every
 * attribute also counts against TMPFS_XATTR_HEAP_MAX per instance: the
 * values live in the Sentry's heap, and a guest must not grow that
 * without bound by labelling files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/xattr.h"
#include "sentry/fs/tmpfs.h"

/* What one attribute costs, as simple_xattr_space counts it. */
static uint64_t xattr_space(const char *name, size_t size)
{
	return sizeof(struct tmpfs_xattr) + strlen(name) + 1 + size;
}

static bool is_user(const char *name)
{
	return !strncmp(name, LINUX_XATTR_USER_PREFIX,
			strlen(LINUX_XATTR_USER_PREFIX));
}

static struct tmpfs_xattr **head(const struct inode *i)
{
	return &((struct tmpfs_node *)i->priv)->xattrs;
}

/* The link pointing at `name`, or at where it would go in order. */
static struct tmpfs_xattr **find(const struct inode *i, const char *name,
				 bool *found)
{
	struct tmpfs_xattr **pp = head(i);
	int c = 1;

	while (*pp && (c = strcmp((*pp)->name, name)) < 0)
		pp = &(*pp)->next;
	*found = *pp && c == 0;
	return pp;
}

/* Take `space` bytes for an attribute of `name` from the instance, or
 * -ENOSPC; give them back with a negative `space`. */
static int charge(struct inode *i, const char *name, int64_t space)
{
	struct tmpfs_sb *s = tmpfs_sbi(i->sb);

	if (!s)
		return 0;
	if (space > 0) {
		if (s->xattr_bytes + (uint64_t)space > TMPFS_XATTR_HEAP_MAX)
			return -ENOSPC;
		if (s->max_inodes && is_user(name)) {
			if (s->free_ispace < (uint64_t)space)
				return -ENOSPC;
			s->free_ispace -= (uint64_t)space;
		}
	} else if (s->max_inodes && is_user(name)) {
		s->free_ispace += (uint64_t)-space;
	}
	s->xattr_bytes += (uint64_t)space;
	return 0;
}

static void xattr_free(struct inode *i, struct tmpfs_xattr *x)
{
	charge(i, x->name, -(int64_t)xattr_space(x->name, x->size));
	free(x->value);
	free(x);
}

long tmpfs_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	bool found;
	struct tmpfs_xattr *x = *find(i, name, &found);

	if (!found)
		return -ENODATA;
	if (size) {
		if (x->size > size)
			return -ERANGE;
		memcpy(buf, x->value, x->size);
	}
	return (long)x->size;
}

int tmpfs_setxattr(struct inode *i, const char *name, const void *value,
		   size_t size, int flags)
{
	bool found;
	struct tmpfs_xattr **pp = find(i, name, &found), *x;
	size_t len = strlen(name);
	int err;

	if (found && (flags & LINUX_XATTR_CREATE))
		return -EEXIST;
	if (!found && (flags & LINUX_XATTR_REPLACE))
		return -ENODATA;
	err = charge(i, name, (int64_t)xattr_space(name, size));
	if (err)
		return err;
	x = malloc(sizeof(*x) + len + 1);
	if (x)
		x->value = malloc(size ? size : 1);
	if (!x || !x->value) {
		free(x);
		charge(i, name, -(int64_t)xattr_space(name, size));
		return -ENOMEM;
	}
	memcpy(x->name, name, len + 1);
	memcpy(x->value, value, size);
	x->size = size;
	if (found) {
		struct tmpfs_xattr *old = *pp;

		x->next = old->next;
		xattr_free(i, old);
	} else {
		x->next = *pp;
	}
	*pp = x;
	vfs_now(&i->ctime);
	return 0;
}

long tmpfs_listxattr(struct inode *i, char *buf, size_t size)
{
	size_t len = 0;

	for (struct tmpfs_xattr *x = *head(i); x; x = x->next) {
		size_t n = strlen(x->name) + 1;

		if (size) {
			if (len + n > size)
				return -ERANGE;
			memcpy(buf + len, x->name, n);
		}
		len += n;
	}
	return (long)len;
}

int tmpfs_removexattr(struct inode *i, const char *name)
{
	bool found;
	struct tmpfs_xattr **pp = find(i, name, &found), *x;

	if (!found)
		return -ENODATA;
	x = *pp;
	*pp = x->next;
	xattr_free(i, x);
	vfs_now(&i->ctime);
	return 0;
}

void tmpfs_xattr_free(struct inode *i)
{
	struct tmpfs_xattr *x;

	while ((x = *head(i))) {
		*head(i) = x->next;
		xattr_free(i, x);
	}
}
