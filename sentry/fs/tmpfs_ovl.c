/* SPDX-License-Identifier: Apache-2.0 */
/* tmpfs_ovl.c: see tmpfs_ovl.h. */
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/fs/tmpfs_ovl.h"

static struct tmpfs_node *node(const struct inode *i)
{
	return i->priv;
}

bool tmpfs_is_tmpfs(const struct superblock *sb)
{
	return sb && sb->magic == TMPFS_MAGIC && sb->fstype &&
	       strcmp(sb->fstype, "tmpfs") == 0;
}

void tmpfs_ovl_set_opaque(struct inode *dir, bool opaque)
{
	if (node(dir) && LINUX_S_ISDIR(dir->mode))
		node(dir)->opaque = opaque;
}

bool tmpfs_ovl_opaque(const struct inode *dir)
{
	return node(dir) && node(dir)->opaque;
}

void tmpfs_ovl_set_origin(struct inode *i, uint64_t ino)
{
	if (node(i))
		node(i)->origin = ino;
}

uint64_t tmpfs_ovl_origin(const struct inode *i)
{
	return node(i) ? node(i)->origin : 0;
}

int tmpfs_ovl_foreach(struct inode *dir,
		      int (*fn)(void *arg, const char *name, struct inode *),
		      void *arg)
{
	struct tmpfs_dirent *e;

	if (!node(dir))
		return 0;
	TAILQ_FOREACH(e, &node(dir)->entries, link)
	{
		int r = fn(arg, e->name, e->inode);

		if (r)
			return r;
	}
	return 0;
}
