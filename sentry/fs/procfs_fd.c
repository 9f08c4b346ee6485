/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_fd.c: /proc/PID/fd (a magic link per open descriptor, to the
 * open file itself) and /proc/PID/fdinfo (position, flags, mount and
 * inode of each). Descriptors are looked up in the task's table at every
 * operation: a link whose descriptor was closed is gone (revalidation
 * drops its dentry), and never reaches a file opened later.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/task.h"

bool proc_fd_present(struct task *t, int fd)
{
	return t->fdt && fd >= 0 && fdt_next(t->fdt, fd) == fd;
}

/* The file at ctx's descriptor, referenced, with its fd flags. */
static struct file *ctx_file(struct proc_ctx *ctx, unsigned *fdflags)
{
	if (!ctx->t->fdt)
		return NULL;
	return fdt_get(ctx->t->fdt, ctx->pi->fd, fdflags);
}

/* fd/N's text: the file's path from the reader's root, or its pseudo
 * name ("pipe:[N]", "anon_inode:[eventfd]"). */
static long fd_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	struct file *f;
	char *text;
	long n;

	if (!proc_may_access(ctx->caller, ctx->t))
		return -EACCES;
	f = ctx_file(ctx, NULL);
	if (!f)
		return -ENOENT;
	text = malloc(LINUX_PATH_MAX);
	if (!text) {
		file_put(f);
		return -ENOMEM;
	}
	if (ctx->caller && ctx->caller->fs) {
		n = vfs_file_path_string(ctx->caller, f, text, LINUX_PATH_MAX);
	} else {
		struct path root = proc_caller_root(NULL);

		n = root.mnt ? vfs_path_string(&root, &f->path, text,
					       LINUX_PATH_MAX)
			     : -ENOENT;
	}
	if (n >= 0)
		n = proc_link_copy(text, (size_t)n, buf, size);
	free(text);
	file_put(f);
	return n;
}

/* Following fd/N reaches the open file's own path (a deleted file, a
 * pipe): what open("/proc/self/fd/N") reopens. */
static int fd_follow(struct proc_ctx *ctx, struct task *by, struct path *out)
{
	struct file *f;

	if (!proc_may_access(by ? by : ctx->caller, ctx->t))
		return -EACCES;
	f = ctx_file(ctx, NULL);
	if (!f)
		return -ENOENT;
	*out = f->path;
	path_get(out);
	file_put(f);
	return 0;
}

/* seq_show of fdinfo: the O_CLOEXEC bit comes from the descriptor. */
static int show_fdinfo(struct proc_ctx *ctx, struct pbuf *b)
{
	unsigned fdflags = 0;
	struct file *f = ctx_file(ctx, &fdflags);
	uint32_t flags;

	if (!f)
		return -ENOENT;
	flags = f->flags;
	if (fdflags & FD_CLOEXEC_FLAG)
		flags |= LINUX_O_CLOEXEC;
	pbuf_printf(b, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
		    (long long)f->pos, flags, f->path.mnt ? f->path.mnt->id : 0,
		    (unsigned long long)f->inode->ino);
	file_put(f);
	return 0;
}

const struct proc_node proc_fd_link_node = {
	.name = "fd",
	.kind = PROC_LINK,
	.mode = LINUX_S_IFLNK | 0700,
	.readlink = fd_readlink,
	.follow = fd_follow,
};

const struct proc_node proc_fdinfo_node = {
	.name = "fdinfo",
	.kind = PROC_FILE,
	.mode = LINUX_S_IFREG | 0400,
	.flags = PROC_F_PTRACE,
	.show = show_fdinfo,
};

/* fd/N's mode says how the file is open: r-x for reading, -wx for
 * writing (proc_fd_instantiate). */
static uint32_t fd_link_mode(const struct file *f)
{
	uint32_t mode = LINUX_S_IFLNK;

	if (f->fmode & FMODE_READ)
		mode |= 0500;
	if (f->fmode & FMODE_WRITE)
		mode |= 0300;
	return mode;
}

int proc_fd_lookup(struct inode *dir, const char *name, struct inode **out)
{
	const struct proc_inode *dpi = dir->priv;
	bool info = dpi->node->kind == PROC_FDINFO_DIR;
	struct task *t = proc_task(dpi);
	struct proc_inode tmpl = *dpi;
	int fd = proc_name_to_int(name);
	uint32_t mode = 0;
	struct file *f;
	int err;

	if (!t || fd < 0 || !t->fdt)
		return -ENOENT;
	f = fdt_get(t->fdt, fd, NULL);
	if (!f)
		return -ENOENT;
	if (!info)
		mode = fd_link_mode(f);
	file_put(f);
	tmpl.fd = fd;
	err = proc_instantiate(dir->sb, info ? &proc_fdinfo_node
					     : &proc_fd_link_node,
			       &tmpl,
			       proc_pid_ino(dpi->pid, dpi->thread, dpi->idx,
					    (uint32_t)fd + 1),
			       mode, out);
	return err;
}

/* Open descriptors in order at offsets 2 + fd. */
int proc_fd_getdents(struct file *f, struct dir_ctx *ctx)
{
	const struct proc_inode *dpi = f->inode->priv;
	bool info = dpi->node->kind == PROC_FDINFO_DIR;
	struct task *t = proc_task(dpi);

	if (!t)
		return -ENOENT;
	if (!vfs_dir_emit_dots(f, ctx) || !t->fdt)
		return 0;
	for (;;) {
		char name[16];
		int fd, n;

		if (ctx->pos - 2 > 0x7fffffff)
			break;
		fd = fdt_next(t->fdt, (int)(ctx->pos - 2));
		if (fd < 0)
			break;
		n = snprintf(name, sizeof(name), "%d", fd);
		if (!ctx->emit(ctx, name, (size_t)n,
			       proc_pid_ino(dpi->pid, dpi->thread, dpi->idx,
					    (uint32_t)fd + 1),
			       info ? LINUX_DT_REG : LINUX_DT_LNK,
			       (int64_t)fd + 3))
			break;
		ctx->pos = (int64_t)fd + 3;
	}
	return 0;
}
