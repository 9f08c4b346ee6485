/* SPDX-License-Identifier: Apache-2.0 */
/*
 * devpts.c: the devpts filesystem at /dev/pts: "ptmx" (5:2, mode 0666,
 * as containers mount it with ptmxmode=666) and one node N (136:N, mode
 * 0620, group tty) per pty whose master is open.
 *
 * One instance serves every mount (Linux since 4.7 makes each mount a new
 * instance; the sandbox mounts it once). Pty numbers are the lowest free,
 * taken until the pair is gone, as Linux's devpts_new_index.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/pty.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

#define DEVPTS_SUPER_MAGIC 0x1cd1
#define TTY_GID 5
#define PTMX_INO 2
#define NODE_INO(n) ((uint64_t)(n) + 3)

static struct superblock *devpts_sb;
static struct inode *ptmx_node;
/* ptys[n]: the pair numbered n (its node is visible while `visible[n]`). */
static struct pty *ptys[PTY_MAX];
static bool visible[PTY_MAX];

/* The slave's node: open a slave description and maybe make it the
 * opener's controlling terminal. */
static int pts_node_open(struct inode *i, struct file *f)
{
	struct pty *pty = i->priv;
	int err;

	if (!pty)
		return -EIO;
	err = pty_slave_open(pty, f, true);
	if (!err)
		tty_open_ctty(&pty->tty, task_current(), f, f->flags);
	return err;
}

static const struct inode_ops pts_node_iops = {
	.open = pts_node_open,
};

static const struct inode_ops ptmx_iops;

int devpts_attach(struct pty *pty)
{
	struct task *t = task_current();
	struct inode *i;
	int n;

	if (!devpts_sb)
		return -ENODEV;
	for (n = 0; n < PTY_MAX && ptys[n]; n++)
		;
	if (n == PTY_MAX)
		return -ENOSPC;
	i = inode_new(devpts_sb, &pts_node_iops, NULL,
		      LINUX_S_IFCHR | 0620, NODE_INO(n));
	if (!i)
		return -ENOMEM;
	i->rdev = linux_makedev(PTY_SLAVE_MAJOR, (uint32_t)n);
	i->uid = t && t->creds ? t->creds->fsuid : 0;
	i->gid = TTY_GID;
	i->priv = pty;
	pty->index = n;
	pty->node = i;
	ptys[n] = pty;
	visible[n] = true;
	return 0;
}

void devpts_hide(struct pty *pty)
{
	visible[pty->index] = false;
}

void devpts_detach(struct pty *pty)
{
	if (ptys[pty->index] == pty) {
		ptys[pty->index] = NULL;
		visible[pty->index] = false;
	}
	if (pty->node) {
		pty->node->priv = NULL; /* a stale path opens nothing */
		inode_put(pty->node);
		pty->node = NULL;
	}
}

/* "ptmx" or a visible number. */
static struct inode *find(const char *name)
{
	char *end;
	long n;

	if (!strcmp(name, "ptmx"))
		return ptmx_node;
	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
		return NULL;
	n = strtol(name, &end, 10);
	if (*end || n < 0 || n >= PTY_MAX || !ptys[n] || !visible[n])
		return NULL;
	return ptys[n]->node;
}

static int devpts_lookup(struct inode *dir, const char *name,
			 struct inode **out)
{
	struct inode *i = find(name);

	(void)dir;
	if (!i)
		return -ENOENT;
	inode_get(i);
	*out = i;
	return 0;
}

/* A cached name stays valid while it still names the same node. */
static int devpts_revalidate(struct dentry *d)
{
	return d->parent && d->parent != d && find(d->name) == d->inode;
}

static int devpts_getdents(struct file *f, struct dir_ctx *ctx)
{
	if (!vfs_dir_emit_dots(f, ctx))
		return 0;
	if (ctx->pos == 2) {
		if (!ctx->emit(ctx, "ptmx", 4, PTMX_INO, LINUX_DT_CHR, 3))
			return 0;
		ctx->pos = 3;
	}
	for (int n = (int)(ctx->pos - 3); n >= 0 && n < PTY_MAX; n++) {
		char name[16];
		int len;

		if (!ptys[n] || !visible[n])
			continue;
		len = snprintf(name, sizeof(name), "%d", n);
		if (!ctx->emit(ctx, name, (size_t)len, NODE_INO(n),
			       LINUX_DT_CHR, n + 4))
			return 0;
		ctx->pos = n + 4;
	}
	return 0;
}

static int64_t devpts_dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == LINUX_SEEK_CUR &&
	    __builtin_add_overflow(off, f->pos, &off))
		return -EINVAL;
	if ((whence != LINUX_SEEK_SET && whence != LINUX_SEEK_CUR) || off < 0)
		return -EINVAL;
	f->pos = off;
	return off;
}

static const struct inode_ops devpts_dir_iops = {
	.lookup = devpts_lookup,
};

static const struct file_ops devpts_dir_fops = {
	.llseek = devpts_dir_llseek,
	.getdents = devpts_getdents,
};

static const struct superblock_ops devpts_sops = {
	.revalidate = devpts_revalidate,
};

int devpts_new(struct superblock **out)
{
	struct inode *root;
	int err;

	if (devpts_sb) {
		superblock_get(devpts_sb);
		*out = devpts_sb;
		return 0;
	}
	err = superblock_new(&devpts_sops, "devpts", DEVPTS_SUPER_MAGIC,
			     SB_NOCACHE, &devpts_sb);
	if (err)
		return err;
	root = inode_new(devpts_sb, &devpts_dir_iops, &devpts_dir_fops,
			 LINUX_S_IFDIR | 0755, 1);
	ptmx_node = inode_new(devpts_sb, &ptmx_iops, NULL,
			      LINUX_S_IFCHR | 0666, PTMX_INO);
	if (!root || !ptmx_node ||
	    (err = superblock_set_root(devpts_sb, root))) {
		inode_put(root);
		inode_put(ptmx_node);
		superblock_put(devpts_sb);
		devpts_sb = NULL;
		return err ? err : -ENOMEM;
	}
	root->nlink = 2;
	ptmx_node->rdev = linux_makedev(5, 2);
	devpts_sb->next_ino = NODE_INO(PTY_MAX);
	/* The instance lives as long as the sandbox: one reference of its
	 * own, one for the caller. */
	superblock_get(devpts_sb);
	*out = devpts_sb;
	return 0;
}

static int devpts_mount(const char *source, unsigned long flags,
			const char *data, struct superblock **out)
{
	(void)source;
	(void)flags;
	(void)data;
	return devpts_new(out);
}

static struct fs_type devpts_type = {
	.name = "devpts",
	.mount = devpts_mount,
};

void devpts_register(void)
{
	static bool done;

	if (!done) {
		vfs_register_fs(&devpts_type);
		done = true;
	}
}
