/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_mounts.c: /proc/PID/mounts and /proc/PID/mountinfo, the mount
 * table as the process sees it: mounts outside its root (after chroot)
 * are left out, paths are relative to that root, and names are escaped
 * as Linux's mangle() does, so a mount point named "a b\n" cannot forge
 * a line of the table for the tools that parse it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/task.h"

#define MANGLE " \t\n\\"

/* Is p at or below root in the mount tree? */
static bool path_under(const struct path *root, const struct path *p)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;

	while (m) {
		if (m == root->mnt && d == root->dentry)
			return true;
		if (d == m->root || (d->flags & DENTRY_ROOT)) {
			if (!m->parent)
				return false;
			d = m->mountpoint;
			m = m->parent;
			continue;
		}
		d = d->parent;
	}
	return false;
}

/* Append the path of p from root, escaped. */
static int put_path(struct pbuf *b, const struct path *root,
		    const struct path *p)
{
	char *text = malloc(LINUX_PATH_MAX);
	long n;

	if (!text)
		return -ENOMEM;
	n = vfs_path_string(root, p, text, LINUX_PATH_MAX);
	if (n >= 0)
		pbuf_escape(b, text, MANGLE);
	free(text);
	return n < 0 ? (int)n : 0;
}

/* The mount's root within its filesystem ("/" unless a bind mount of a
 * subdirectory), escaped: mountinfo's fourth field. */
static void put_dentry_path(struct pbuf *b, struct dentry *d)
{
	const char *names[64];
	int n = 0;

	while (!(d->flags & DENTRY_ROOT) && d->parent != d && n < 64) {
		names[n++] = d->name;
		d = d->parent;
	}
	if (!n)
		pbuf_puts(b, "/");
	while (n--) {
		pbuf_puts(b, "/");
		pbuf_escape(b, names[n], MANGLE);
	}
}

/* show_mnt_opts: the per-mount flags after rw/ro. */
static void put_mnt_opts(struct pbuf *b, const struct mount *m)
{
	if (m->flags & MNT_NOSUID)
		pbuf_puts(b, ",nosuid");
	if (m->flags & MNT_NODEV)
		pbuf_puts(b, ",nodev");
	if (m->flags & MNT_NOEXEC)
		pbuf_puts(b, ",noexec");
	pbuf_puts(b, (m->flags & MNT_NOATIME) ? ",noatime" : ",relatime");
}

/* The mounts t can see, in mount order; fn returns -errno to stop. */
static int for_each_visible(struct proc_ctx *ctx, struct pbuf *b,
			    int (*fn)(struct pbuf *, const struct path *root,
				      struct mount *))
{
	struct task *t = ctx->t;
	struct mount *m = NULL;
	struct path root;

	/* A process that exited has no namespace left (mounts_open_common). */
	if (!t->fs)
		return -EINVAL;
	root = t->fs->root;
	while ((m = vfs_mount_next(m))) {
		struct path top = { m, m->root };
		int err;

		if ((m->flags & MNT_INTERNAL) || !path_under(&root, &top))
			continue;
		err = fn(b, &root, m);
		if (err)
			return err;
	}
	return 0;
}

/* "source mountpoint fstype options 0 0" (show_vfsmnt). */
static int mounts_line(struct pbuf *b, const struct path *root,
		       struct mount *m)
{
	struct path top = { m, m->root };
	bool ro = (m->flags & MNT_RDONLY) || (m->sb->flags & SB_RDONLY);
	int err;

	pbuf_escape(b, m->source ? m->source : "none", MANGLE);
	pbuf_puts(b, " ");
	err = put_path(b, root, &top);
	if (err)
		return err;
	pbuf_puts(b, " ");
	pbuf_escape(b, m->sb->fstype, MANGLE);
	pbuf_puts(b, ro ? " ro" : " rw");
	put_mnt_opts(b, m);
	pbuf_puts(b, " 0 0\n");
	return 0;
}

/* "id parent major:minor root mountpoint options - fstype source
 * super-options" (show_mountinfo); every mount is private. */
static int mountinfo_line(struct pbuf *b, const struct path *root,
			  struct mount *m)
{
	struct path top = { m, m->root };
	int err;

	pbuf_printf(b, "%d %d %u:%u ", m->id, m->parent ? m->parent->id : m->id,
		    linux_major(m->sb->dev), linux_minor(m->sb->dev));
	put_dentry_path(b, m->root);
	pbuf_puts(b, " ");
	err = put_path(b, root, &top);
	if (err)
		return err;
	pbuf_puts(b, (m->flags & MNT_RDONLY) ? " ro" : " rw");
	put_mnt_opts(b, m);
	pbuf_puts(b, " - ");
	pbuf_escape(b, m->sb->fstype, MANGLE);
	pbuf_puts(b, " ");
	pbuf_escape(b, m->source ? m->source : "none", MANGLE);
	pbuf_puts(b, (m->sb->flags & SB_RDONLY) ? " ro\n" : " rw\n");
	return 0;
}

int proc_show_mounts(struct proc_ctx *ctx, struct pbuf *b)
{
	return for_each_visible(ctx, b, mounts_line);
}

int proc_show_mountinfo(struct proc_ctx *ctx, struct pbuf *b)
{
	return for_each_visible(ctx, b, mountinfo_line);
}
