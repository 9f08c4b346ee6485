/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs.c: the procfs superblock, its inodes and its directories: the
 * root (static entries and one directory per thread group), static
 * directories, /proc/PID and /proc/PID/task/TID (one table of files), and
 * /proc/PID/task; fd/ and fdinfo/ are in procfs_fd.c.
 *
 * The superblock is SB_NOCACHE and revalidates what is cached anyway (a
 * dentry pinned by an open file or a cwd): the entries of a process that
 * died disappear, and a reused pid never finds the dead one's dentries.
 * Inode numbers are computed from (pid, thread view, file, fd), so they
 * are stable across lookups without an inode cache.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/procfs.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/task.h"

static const struct inode_ops proc_dir_iops;
static const struct inode_ops proc_file_iops;
static const struct inode_ops proc_link_iops;
static const struct inode_ops proc_magic_link_iops;
static const struct file_ops proc_dir_fops;

struct task *proc_task(const struct proc_inode *pi)
{
	struct task *t;

	if (!pi->pid)
		return NULL;
	t = task_by_tid(pi->pid);
	if (!t || t->tid != pi->pid || t->start_ns != pi->start_ns)
		return NULL;
	return t;
}

int proc_ctx_init(struct proc_ctx *ctx, struct inode *i)
{
	ctx->inode = i;
	ctx->pi = i->priv;
	ctx->caller = task_current();
	ctx->t = NULL;
	if (ctx->pi->pid) {
		ctx->t = proc_task(ctx->pi);
		if (!ctx->t)
			return -ESRCH;
	}
	return 0;
}

/* Linux's task_dump_owner: the euid/egid of a dumpable process, root
 * otherwise (a setuid program's files must not be readable by the user
 * who started it). */
static void proc_owner(const struct task *t, uint32_t *uid, uint32_t *gid)
{
	*uid = 0;
	*gid = 0;
	if (t && t->creds && t->tg && t->tg->dumpable == 1) {
		*uid = t->creds->euid;
		*gid = t->creds->egid;
	}
}

/* Owners follow setuid/setgid of the task, as pid_update_inode does. */
static void proc_refresh_owner(struct inode *i)
{
	const struct proc_inode *pi = i->priv;
	struct task *t;

	if (!pi || !pi->pid)
		return;
	t = proc_task(pi);
	if (t)
		proc_owner(t, &i->uid, &i->gid);
}

/*
 * __ptrace_may_access with FSCREDS, less LSMs: a process may look at its
 * own group; another one's memory, descriptors and environment only with
 * all of its uids and gids equal to the caller's fsuid/fsgid, and never a
 * non-dumpable one, unless the caller has CAP_SYS_PTRACE. This is what
 * keeps a user's process out of a setuid program's secrets.
 */
bool proc_may_access(const struct task *caller, const struct task *t)
{
	const struct creds *c, *tc;
	bool ptrace_cap;

	if (!caller || !caller->creds)
		return true; /* the Sentry itself */
	if (caller->tg && caller->tg == t->tg)
		return true;
	c = caller->creds;
	tc = t->creds;
	ptrace_cap = creds_capable(c, LINUX_CAP_SYS_PTRACE);
	if (!tc)
		return ptrace_cap;
	if (!(c->fsuid == tc->euid && c->fsuid == tc->suid &&
	      c->fsuid == tc->uid && c->fsgid == tc->egid &&
	      c->fsgid == tc->sgid && c->fsgid == tc->gid) &&
	    !ptrace_cap)
		return false;
	if (t->tg && t->tg->dumpable != 1 && !ptrace_cap)
		return false;
	return true;
}

uint64_t proc_pid_ino(int pid, bool thread, uint32_t idx, uint32_t sub)
{
	return ((uint64_t)(uint32_t)pid << 32) | ((uint64_t)thread << 31) |
	       ((uint64_t)(idx & 0x7f) << 24) | (sub & 0xffffff);
}

int proc_name_to_int(const char *name)
{
	long v = 0;

	/* Linux's name_to_int: digits only, no leading zero. */
	if (!*name || (name[0] == '0' && name[1]))
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9')
			return -1;
		v = v * 10 + (*name - '0');
		if (v > INT_MAX)
			return -1;
	}
	return (int)v;
}

struct path proc_caller_root(const struct task *caller)
{
	struct path root = { 0 };

	if (caller && caller->fs)
		return caller->fs->root;
	if (kernel && kernel->root_mount) {
		root.mnt = kernel->root_mount;
		root.dentry = kernel->root_mount->root;
	}
	return root;
}

int proc_instantiate(struct superblock *sb, const struct proc_node *n,
		     const struct proc_inode *tmpl, uint64_t ino,
		     uint32_t mode, struct inode **out)
{
	const struct inode_ops *ops = &proc_file_iops;
	const struct file_ops *fops = NULL;
	struct proc_inode *pi = malloc(sizeof(*pi));
	struct inode *i;

	if (!pi)
		return -ENOMEM;
	switch (n->kind) {
	case PROC_FILE:
		break;
	case PROC_LINK:
		ops = n->follow ? &proc_magic_link_iops : &proc_link_iops;
		break;
	default:
		ops = &proc_dir_iops;
		fops = &proc_dir_fops;
		break;
	}
	i = inode_new(sb, ops, fops, mode ? mode : n->mode, ino);
	if (!i) {
		free(pi);
		return -ENOMEM;
	}
	*pi = *tmpl;
	pi->node = n;
	i->priv = pi;
	if (LINUX_S_ISDIR(i->mode))
		i->nlink = 2;
	if (pi->pid)
		proc_owner(proc_task(pi), &i->uid, &i->gid);
	*out = i;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

/* Inode number of static child k of directory dpi. */
static uint64_t child_ino(const struct proc_inode *dpi, uint32_t k)
{
	uint32_t idx = dpi->node->ino_base + k;

	return dpi->pid ? proc_pid_ino(dpi->pid, dpi->thread, idx, 0) : idx;
}

/* Is static child c shown in directory dpi? (task/ only for processes) */
static bool child_visible(const struct proc_inode *dpi,
			  const struct proc_node *c)
{
	return !(dpi->thread && (c->flags & PROC_F_TGID_ONLY));
}

static int lookup_static(struct inode *dir, const char *name,
			 struct inode **out)
{
	const struct proc_inode *dpi = dir->priv;
	const struct proc_node *c = dpi->node->children;

	for (uint32_t k = 0; c && c[k].name; k++) {
		struct proc_inode tmpl = *dpi;

		if (!child_visible(dpi, &c[k]) || strcmp(c[k].name, name))
			continue;
		tmpl.idx = dpi->node->ino_base + k;
		tmpl.fd = -1;
		return proc_instantiate(dir->sb, &c[k], &tmpl,
					child_ino(dpi, k), 0, out);
	}
	return -ENOENT;
}

/* /proc/N: any task's id works, as in Linux (threads are not listed but
 * can be looked up). */
static int lookup_pid(struct inode *dir, const char *name, struct inode **out)
{
	int pid = proc_name_to_int(name);
	struct task *t = pid > 0 ? task_by_tid(pid) : NULL;
	struct proc_inode tmpl = { .fd = -1 };

	if (!t || t->tid != pid)
		return -ENOENT;
	tmpl.pid = pid;
	tmpl.start_ns = t->start_ns;
	return proc_instantiate(dir->sb, &proc_pid_node, &tmpl,
				proc_pid_ino(pid, false, 0, 0), 0, out);
}

/* /proc/PID/task/TID: a thread of this process only. */
static int lookup_tid(struct inode *dir, const char *name, struct inode **out)
{
	const struct proc_inode *dpi = dir->priv;
	struct task *owner = proc_task(dpi), *t;
	struct proc_inode tmpl = { .fd = -1, .thread = true };
	int tid = proc_name_to_int(name);

	if (!owner || tid <= 0)
		return -ENOENT;
	t = task_by_tid(tid);
	if (!t || t->tid != tid || t->tg != owner->tg)
		return -ENOENT;
	tmpl.pid = tid;
	tmpl.start_ns = t->start_ns;
	return proc_instantiate(dir->sb, &proc_pid_node, &tmpl,
				proc_pid_ino(tid, true, 0, 0), 0, out);
}

static int proc_lookup(struct inode *dir, const char *name,
		       struct inode **out)
{
	const struct proc_inode *dpi = dir->priv;
	int err;

	if (dpi->pid && !proc_task(dpi))
		return -ENOENT;
	switch (dpi->node->kind) {
	case PROC_ROOT:
		err = lookup_static(dir, name, out);
		return err == -ENOENT ? lookup_pid(dir, name, out) : err;
	case PROC_DIR:
	case PROC_PID_DIR:
		return lookup_static(dir, name, out);
	case PROC_TASK_DIR:
		return lookup_tid(dir, name, out);
	case PROC_FD_DIR:
	case PROC_FDINFO_DIR:
		return proc_fd_lookup(dir, name, out);
	default:
		return -ENOTDIR;
	}
}

/* ------------------------------------------------------------------ */
/* Directory listings                                                  */

/* Static children at offsets 2 + k; false when the buffer is full. */
static bool emit_static(struct file *f, struct dir_ctx *ctx)
{
	const struct proc_inode *dpi = f->inode->priv;
	const struct proc_node *c = dpi->node->children;

	for (uint32_t k = 0; c && c[k].name; k++) {
		int64_t pos = 2 + (int64_t)k;

		if (pos < ctx->pos || !child_visible(dpi, &c[k]))
			continue;
		if (!ctx->emit(ctx, c[k].name, strlen(c[k].name),
			       child_ino(dpi, k),
			       linux_mode_to_dtype(c[k].mode), pos + 1))
			return false;
		ctx->pos = pos + 1;
	}
	return true;
}

/* pidns_for_each_group callback: one root entry per thread group. */
static int emit_group(struct thread_group *tg, void *arg)
{
	struct dir_ctx *ctx = arg;
	int64_t pos = PROC_PID_POS + (int64_t)tg->tgid;
	char name[16];
	int n;

	if (pos < ctx->pos)
		return 0;
	n = snprintf(name, sizeof(name), "%d", tg->tgid);
	if (!ctx->emit(ctx, name, (size_t)n,
		       proc_pid_ino(tg->tgid, false, 0, 0), LINUX_DT_DIR,
		       pos + 1))
		return 1;
	ctx->pos = pos + 1;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* /proc/PID/task: the group's threads in tid order, its zombie leader
 * included (Linux lists a leader until the group is reaped). */
static int task_getdents(struct file *f, struct dir_ctx *ctx)
{
	struct task *owner = proc_task(f->inode->priv), *t;
	struct thread_group *tg;
	unsigned n = 0;
	int *tids;

	if (!owner)
		return -ENOENT;
	if (!vfs_dir_emit_dots(f, ctx))
		return 0;
	tg = owner->tg;
	tids = malloc(((size_t)tg->ntasks + 1) * sizeof(*tids));
	if (!tids)
		return -ENOMEM;
	if (tg->leader && task_by_tid(tg->leader->tid) == tg->leader)
		tids[n++] = tg->leader->tid;
	TAILQ_FOREACH(t, &tg->tasks, tg_link)
		if (t != tg->leader && n < tg->ntasks + 1)
			tids[n++] = t->tid;
	qsort(tids, n, sizeof(*tids), cmp_int);
	for (unsigned k = 0; k < n; k++) {
		int64_t pos = 2 + (int64_t)tids[k];
		char name[16];
		int len;

		if (pos < ctx->pos)
			continue;
		len = snprintf(name, sizeof(name), "%d", tids[k]);
		if (!ctx->emit(ctx, name, (size_t)len,
			       proc_pid_ino(tids[k], true, 0, 0), LINUX_DT_DIR,
			       pos + 1))
			break;
		ctx->pos = pos + 1;
	}
	free(tids);
	return 0;
}

static int proc_getdents(struct file *f, struct dir_ctx *ctx)
{
	const struct proc_inode *dpi = f->inode->priv;

	if (dpi->pid && !proc_task(dpi))
		return -ENOENT;
	switch (dpi->node->kind) {
	case PROC_ROOT:
		if (!vfs_dir_emit_dots(f, ctx) || !emit_static(f, ctx))
			return 0;
		if (ctx->pos < PROC_PID_POS)
			ctx->pos = PROC_PID_POS;
		pidns_for_each_group(emit_group, ctx);
		return 0;
	case PROC_DIR:
	case PROC_PID_DIR:
		if (vfs_dir_emit_dots(f, ctx))
			emit_static(f, ctx);
		return 0;
	case PROC_TASK_DIR:
		return task_getdents(f, ctx);
	case PROC_FD_DIR:
	case PROC_FDINFO_DIR:
		return proc_fd_getdents(f, ctx);
	default:
		return -ENOTDIR;
	}
}

/* ------------------------------------------------------------------ */
/* Inode operations                                                    */

/* Nothing in /proc takes new names, and a file without a write handler
 * is read-only even for root (what Linux's sysctl tables do). */
static int proc_permission(struct inode *i, int mask, const struct creds *c)
{
	const struct proc_inode *pi = i->priv;

	if ((mask & MAY_WRITE) &&
	    (pi->node->kind != PROC_FILE ||
	     (!pi->node->write && !pi->node->open)))
		return -EACCES;
	proc_refresh_owner(i);
	return vfs_generic_permission(i, mask, c);
}

static int proc_getattr(struct inode *i, struct kstat *st)
{
	proc_refresh_owner(i);
	generic_fillattr(i, st);
	return 0;
}

/* proc_setattr: modes are procfs's to decide (a chmod would outlive
 * nothing but could open a file up while its dentry is pinned); owners
 * follow the task; times may be set. */
static int proc_setattr(struct inode *i, const struct iattr *a)
{
	struct iattr times = *a;

	if (a->valid & ATTR_MODE)
		return -EPERM;
	times.valid &= ATTR_ATIME | ATTR_MTIME | ATTR_CTIME;
	vfs_setattr_copy(i, &times);
	return 0;
}

static int proc_file_open(struct inode *i, struct file *f)
{
	return proc_seq_open(i, f);
}

/* readlink: a dead task's links are gone (ENOENT, as Linux). */
static long proc_readlink(struct inode *i, char *buf, size_t size)
{
	struct proc_ctx ctx;

	if (proc_ctx_init(&ctx, i))
		return -ENOENT;
	return ctx.pi->node->readlink(&ctx, buf, size);
}

static int proc_follow(struct inode *i, struct task *by, struct path *out)
{
	struct proc_ctx ctx;

	if (proc_ctx_init(&ctx, i))
		return -ENOENT;
	return ctx.pi->node->follow(&ctx, by, out);
}

long proc_link_copy(const char *text, size_t len, char *buf, size_t size)
{
	memcpy(buf, text, len < size ? len : size);
	return (long)len;
}

static const struct inode_ops proc_dir_iops = {
	.lookup = proc_lookup,
	.getattr = proc_getattr,
	.setattr = proc_setattr,
	.permission = proc_permission,
};

static const struct inode_ops proc_file_iops = {
	.open = proc_file_open,
	.getattr = proc_getattr,
	.setattr = proc_setattr,
	.permission = proc_permission,
};

static const struct inode_ops proc_link_iops = {
	.readlink = proc_readlink,
	.getattr = proc_getattr,
	.setattr = proc_setattr,
	.permission = proc_permission,
};

static const struct inode_ops proc_magic_link_iops = {
	.readlink = proc_readlink,
	.follow = proc_follow,
	.getattr = proc_getattr,
	.setattr = proc_setattr,
	.permission = proc_permission,
};

static const struct file_ops proc_dir_fops = {
	.llseek = vfs_offset_llseek,
	.getdents = proc_getdents,
};

/* ------------------------------------------------------------------ */
/* The superblock                                                      */

static void proc_evict(struct inode *i)
{
	free(i->priv);
	i->priv = NULL;
}

static int proc_statfs(struct superblock *sb, struct kstatfs *st)
{
	(void)sb;
	memset(st, 0, sizeof(*st));
	st->type = PROC_SUPER_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = LINUX_NAME_MAX;
	return 0;
}

/* A cached entry stays valid while its task (and, for fd/N, the
 * descriptor) does: pid_revalidate and tid_fd_revalidate. */
static int proc_revalidate(struct dentry *d)
{
	struct inode *i = d->inode;
	const struct proc_inode *pi = i->priv;
	struct task *t;

	if (!pi || !pi->pid)
		return 1;
	t = proc_task(pi);
	if (!t)
		return 0;
	if (pi->fd >= 0 && !proc_fd_present(t, pi->fd))
		return 0;
	proc_owner(t, &i->uid, &i->gid);
	return 1;
}

static const struct superblock_ops proc_sops = {
	.evict = proc_evict,
	.statfs = proc_statfs,
	.revalidate = proc_revalidate,
};

int procfs_new(struct superblock **out)
{
	static const struct proc_inode root_tmpl = { .fd = -1 };
	struct superblock *sb;
	struct inode *root;
	int err;

	procfs_register();
	proc_sys_init();
	err = superblock_new(&proc_sops, "proc", PROC_SUPER_MAGIC, SB_NOCACHE,
			     &sb);
	if (err)
		return err;
	err = proc_instantiate(sb, &proc_root_node, &root_tmpl, PROC_ROOT_INO,
			       0, &root);
	if (!err) {
		err = superblock_set_root(sb, root);
		if (err)
			inode_put(root);
	}
	if (err) {
		superblock_put(sb);
		return err;
	}
	*out = sb;
	return 0;
}

/* mount -t proc: options (hidepid=, subset=) are accepted and ignored. */
static int procfs_mount(const char *source, unsigned long flags,
			const char *data, struct superblock **out)
{
	(void)source;
	(void)flags;
	(void)data;
	return procfs_new(out);
}

static struct fs_type proc_fs_type = {
	.name = "proc",
	.mount = procfs_mount,
};

void procfs_register(void)
{
	if (!vfs_find_fs("proc"))
		vfs_register_fs(&proc_fs_type);
}

struct thread_group *procfs_pid_dir_group(struct file *f)
{
	const struct proc_inode *pi;
	struct task *t;

	if (!f->inode->sb || f->inode->sb->ops != &proc_sops)
		return NULL;
	pi = f->inode->priv;
	if (!pi || pi->node != &proc_pid_node || pi->thread)
		return NULL;
	t = proc_task(pi);
	return t ? t->tg : NULL;
}
