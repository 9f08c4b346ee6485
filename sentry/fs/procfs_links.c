/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_links.c: the magic links of a process (exe, cwd, root) and its
 * ns/ directory. Following a magic link jumps to the object itself, not
 * to its name; reading one gives the name. Both need ptrace read access
 * to the process (proc_fd_access_allowed): a process's working directory
 * or executable may be somewhere its owner alone can reach.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/task.h"

/* Is t (the process whose link this is) alive and may `who` look? */
static int link_access(struct proc_ctx *ctx, struct task *who)
{
	struct task *t = ctx->t;

	if (t->state == TASK_DEAD || t->tg->zombie)
		return -ENOENT;
	if (!proc_may_access(who, t))
		return -EACCES;
	return 0;
}

/* The name of path p as the caller sees it (from its root). */
static long path_readlink(struct proc_ctx *ctx, const struct path *p,
			  char *buf, size_t size)
{
	struct path root = proc_caller_root(ctx->caller);
	char *text;
	long n;

	if (!root.mnt)
		return -ENOENT;
	text = malloc(LINUX_PATH_MAX);
	if (!text)
		return -ENOMEM;
	n = vfs_path_string(&root, p, text, LINUX_PATH_MAX);
	if (n >= 0)
		n = proc_link_copy(text, (size_t)n, buf, size);
	free(text);
	return n;
}

long proc_exe_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	const char *exe = ctx->t->tg->exe_path;
	int err = link_access(ctx, ctx->caller);

	if (err)
		return err;
	if (!exe[0])
		return -ENOENT;
	return proc_link_copy(exe, strnlen(exe, sizeof(ctx->t->tg->exe_path)),
			      buf, size);
}

/*
 * The executable is known only by the path string exec recorded (from the
 * process's root), so it is looked up again from that root, or the
 * sandbox's for a process without one, with root credentials (a magic
 * link jumps without search permission checks). Magic links are not
 * followed inside that string: a recorded "/proc/N/fd/M" must not reach
 * whatever that descriptor is now, past the checks a guest would meet.
 */
int proc_exe_follow(struct proc_ctx *ctx, struct task *by, struct path *out)
{
	const char *exe = ctx->t->tg->exe_path;
	struct path root = proc_caller_root(ctx->t);
	struct fs_context *fs;
	struct task *lt;
	int err = link_access(ctx, by ? by : ctx->caller);

	if (err)
		return err;
	if (!exe[0] || !root.mnt)
		return -ENOENT;
	err = fs_context_new(&root, &fs);
	if (err)
		return err;
	/* A lookup context: no creds means the VFS's root credentials. */
	lt = calloc(1, sizeof(*lt));
	if (!lt) {
		fs_context_put(fs);
		return -ENOMEM;
	}
	lt->fs = fs;
	err = vfs_lookup(lt, LINUX_AT_FDCWD, exe,
			 LOOKUP_FOLLOW | LOOKUP_NO_MAGIC, out);
	free(lt);
	fs_context_put(fs);
	return err;
}

/* The fs context of a live task, or NULL (exited threads have none). */
static struct fs_context *task_fs(struct proc_ctx *ctx)
{
	return ctx->t->fs;
}

long proc_cwd_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	int err = link_access(ctx, ctx->caller);

	if (err)
		return err;
	if (!task_fs(ctx))
		return -ENOENT;
	return path_readlink(ctx, &task_fs(ctx)->cwd, buf, size);
}

int proc_cwd_follow(struct proc_ctx *ctx, struct task *by, struct path *out)
{
	int err = link_access(ctx, by ? by : ctx->caller);

	if (err)
		return err;
	if (!task_fs(ctx))
		return -ENOENT;
	*out = task_fs(ctx)->cwd;
	path_get(out);
	return 0;
}

long proc_root_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	int err = link_access(ctx, ctx->caller);

	if (err)
		return err;
	if (!task_fs(ctx))
		return -ENOENT;
	return path_readlink(ctx, &task_fs(ctx)->root, buf, size);
}

int proc_root_follow(struct proc_ctx *ctx, struct task *by, struct path *out)
{
	int err = link_access(ctx, by ? by : ctx->caller);

	if (err)
		return err;
	if (!task_fs(ctx))
		return -ENOENT;
	*out = task_fs(ctx)->root;
	path_get(out);
	return 0;
}

/* ns/X: "type:[inode]" of the one namespace of each type (the initial
 * namespaces' numbers). There is no nsfs to open, so they are text only:
 * following one fails with ENOENT. */
long proc_ns_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	const char *text = ctx->pi->node->text;

	if (!proc_may_access(ctx->caller, ctx->t))
		return -EACCES;
	return proc_link_copy(text, strlen(text), buf, size);
}

#define PROC_NS(n, type, ino)                                               \
	{ .name = (n), .kind = PROC_LINK, .mode = LINUX_S_IFLNK | 0777,     \
	  .readlink = proc_ns_readlink, .text = type ":[" ino "]" }

const struct proc_node proc_ns_entries[] = {
	PROC_NS("net", "net", "4026531840"),
	PROC_NS("uts", "uts", "4026531838"),
	PROC_NS("ipc", "ipc", "4026531839"),
	PROC_NS("pid", "pid", "4026531836"),
	PROC_NS("pid_for_children", "pid", "4026531836"),
	PROC_NS("user", "user", "4026531837"),
	PROC_NS("mnt", "mnt", "4026531841"),
	PROC_NS("cgroup", "cgroup", "4026531835"),
	PROC_NS("time", "time", "4026531834"),
	PROC_NS("time_for_children", "time", "4026531834"),
	{ 0 },
};
