/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c: execve and execveat (fs/exec.c, fs/binfmt_script.c): copy the
 * arguments out of the old image, resolve and check the file, follow
 * "#!" interpreters, let the loader build a new address space, and only
 * then, past the point of no return, replace the process's image.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "lib/log.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/kernel/timer.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

#define MAX_ARG_STRLEN (32 * 4096)   /* one argument or variable */
#define MAX_SHEBANG_DEPTH 4          /* BINPRM_MAX_RECURSION */
#define USER_CS 0x33
#define USER_SS 0x2b

/* Argument vectors copied out of the calling image. */
struct exec_strings {
	char **v;
	size_t n, cap;
	size_t bytes;                     /* strings + pointers, as Linux counts */
};

static void strings_free(struct exec_strings *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Append a copy of str (or take ownership with `own`). */
static int strings_push(struct exec_strings *s, char *str, bool own)
{
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **nv = realloc(s->v, cap * sizeof(char *));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n] = own ? str : strdup(str);
	if (!s->v[s->n])
		return -ENOMEM;
	s->bytes += strlen(str) + 1 + sizeof(char *);
	s->n++;
	s->v[s->n] = NULL;
	return 0;
}

/* The byte budget of argv + envp: a quarter of the stack limit, at least
 * 32 pages, at most 3/4 of 8 MiB (fs/exec.c get_arg_page/bprm_stack_limits). */
static size_t arg_limit(struct task *t)
{
	uint64_t lim = t->tg->rlimits[LINUX_RLIMIT_STACK].cur / 4;

	if (lim > 6 << 20)
		lim = 6 << 20;
	if (lim < 32 * 4096)
		lim = 32 * 4096;
	return (size_t)lim;
}

/* Copy a guest argv/envp vector (NULL-terminated array of pointers). */
static int copy_vector(struct task *t, uint64_t addr, struct exec_strings *s,
		       size_t *budget)
{
	char *buf = NULL;
	int err = 0;

	if (!addr)
		return 0; /* Linux treats a NULL argv/envp as empty */
	buf = malloc(MAX_ARG_STRLEN);
	if (!buf)
		return -ENOMEM;
	for (uint64_t i = 0;; i++) {
		uint64_t p;
		long len;

		if (task_copy_in(t, addr + i * 8, &p, 8)) {
			err = -EFAULT;
			break;
		}
		if (!p)
			break;
		len = task_copy_string_in(t, p, buf, MAX_ARG_STRLEN);
		if (len == -ENAMETOOLONG) {
			err = -E2BIG;
			break;
		}
		if (len < 0) {
			err = (int)len;
			break;
		}
		if ((size_t)len + 1 + 8 > *budget) {
			err = -E2BIG;
			break;
		}
		*budget -= (size_t)len + 1 + 8;
		err = strings_push(s, buf, false);
		if (err)
			break;
	}
	free(buf);
	return err;
}

/* loader_file callbacks over a VFS file. */
static long lf_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	return vfs_file_pread(ctx, buf, len, off);
}

static struct mappable *lf_mappable(void *ctx)
{
	struct file *f = ctx;
	struct mappable *m = NULL;

	if (!f->ops->mmap || f->ops->mmap(f, &m))
		return NULL;
	return m;
}

/* Resolve and open an executable: a regular file with exec permission
 * on a mount that allows exec. */
static int open_exec(struct task *t, int dirfd, const char *path, int lflags,
		     struct file **out, struct path *where)
{
	struct path p;
	struct inode *ino;
	int err = vfs_lookup(t, dirfd, path, lflags, &p);

	if (err)
		return err;
	ino = p.dentry->inode;
	if (LINUX_S_ISLNK(ino->mode)) {
		path_put(&p);
		return -ELOOP; /* AT_SYMLINK_NOFOLLOW on a symlink */
	}
	if (!LINUX_S_ISREG(ino->mode) || (p.mnt->flags & MNT_NOEXEC)) {
		path_put(&p);
		return -EACCES;
	}
	if (ino->writers) {
		path_put(&p);
		return -ETXTBSY; /* open for writing somewhere */
	}
	err = vfs_permission(p.mnt, ino, MAY_EXEC, t->creds);
	if (!err)
		err = file_new(&p, LINUX_O_RDONLY, out);
	if (err) {
		path_put(&p);
		return err;
	}
	*where = p;
	return 0;
}

struct interp_ctx {
	struct task *t;
};

static int lf_open_interp(void *ctx, const char *path, struct loader_file *out)
{
	struct interp_ctx *ic = ctx;
	struct file *f;
	struct path p;
	int err = open_exec(ic->t, LINUX_AT_FDCWD, path, LOOKUP_FOLLOW, &f, &p);

	if (err)
		return err;
	path_put(&p);
	out->pread = lf_pread;
	out->mappable = lf_mappable;
	out->dev = f->inode->sb->dev;
	out->ino = f->inode->ino;
	out->path = strdup(path);
	out->ctx = f;
	return 0;
}

static void lf_release(void *ctx, struct loader_file *lf)
{
	(void)ctx;
	if (lf->ctx)
		file_put(lf->ctx);
	free((char *)lf->path);
	lf->ctx = NULL;
	lf->path = NULL;
}

/* Reset what execve resets in the process (past the point of no return). */
static int exec_reset_process(struct task *t, struct mm *mm,
			      const struct loader_result *res,
			      const char *filename, const struct path *exe)
{
	struct thread_group *tg = t->tg;
	const char *base = strrchr(filename, '/');
	struct mm *old = t->mm;
	struct posix_timer *pt;

	t->mm = mm;
	if (old)
		mm_put(old);
	/* A shared fd table or handler table becomes private. */
	if (t->fdt->refs > 1) {
		struct fd_table *n;

		if (fd_table_copy(t->fdt, &n) == 0) {
			fd_table_put(t->fdt);
			t->fdt = n;
		}
	}
	fd_table_exec(t);
	if (t->sighand->refs > 1) {
		struct sighand *n = sighand_dup(t->sighand);

		if (n) {
			sighand_put(t->sighand);
			t->sighand = n;
		}
	}
	for (int i = 0; i < LINUX_NSIG; i++) {
		struct linux_sigaction *a = &t->sighand->action[i];

		if (a->handler != LINUX_SIG_IGN)
			memset(a, 0, sizeof(*a));
	}
	t->altstack = (struct linux_stack){ .flags = LINUX_SS_DISABLE };
	t->robust_list = 0;
	t->clear_child_tid = 0;
	/* POSIX timers do not survive execve; interval timers do. */
	while ((pt = LIST_FIRST(&tg->timers))) {
		LIST_REMOVE(pt, link);
		ktimer_disarm(&pt->kt);
		free(pt);
	}
	base = base ? base + 1 : filename;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, base, strnlen(base, sizeof(t->comm) - 1));
	if (vfs_path_string(&t->fs->root, exe, tg->exe_path,
			    sizeof(tg->exe_path)) < 0)
		snprintf(tg->exe_path, sizeof(tg->exe_path), "%s", filename);
	tg->dumpable = 1;
	tg->did_exec = true;

	memset(&t->cpu.regs, 0, sizeof(t->cpu.regs));
	t->cpu.regs.rip = res->entry;
	t->cpu.regs.rsp = res->sp;
	t->cpu.regs.cs = USER_CS;
	t->cpu.regs.ss = USER_SS;
	t->cpu.regs.eflags = 0x202;
	t->cpu.regs.orig_rax = (uint64_t)-1;
	platform_fpu_init(&t->cpu);
	task_vfork_release(t);
	return 0;
}

/* Build the shebang argv: interp [arg] filename argv[1..]. */
static int shebang_args(struct exec_strings *argv, const char *interp,
			const char *arg, const char *filename)
{
	struct exec_strings n = { 0 };
	int err = strings_push(&n, (char *)interp, false);

	if (!err && arg[0])
		err = strings_push(&n, (char *)arg, false);
	if (!err)
		err = strings_push(&n, (char *)filename, false);
	for (size_t i = 1; !err && i < argv->n; i++)
		err = strings_push(&n, argv->v[i], false);
	if (err) {
		strings_free(&n);
		return err;
	}
	strings_free(argv);
	*argv = n;
	return 0;
}

/* The common path of execve, execveat and the first process. */
static int do_exec(struct task *t, int dirfd, const char *pathname,
		   int lflags, struct exec_strings *argv,
		   struct exec_strings *envp)
{
	char filename[4096], head[256];
	const char *execfn = pathname;
	struct loader_result res;
	struct file *f = NULL;
	struct path exe = { 0 };
	struct mm *mm = NULL;
	int err, depth = 0;

	snprintf(filename, sizeof(filename), "%s", pathname);
	for (;;) {
		long n;

		err = open_exec(t, dirfd, filename, lflags, &f, &exe);
		if (err)
			return err;
		n = vfs_file_pread(f, head, sizeof(head), 0);
		if (n >= 2 && head[0] == '#' && head[1] == '!') {
			char interp[256], arg[256];

			if (++depth > MAX_SHEBANG_DEPTH) {
				err = -ELOOP;
				goto out;
			}
			err = loader_parse_shebang(head, (size_t)n, interp,
						   sizeof(interp), arg,
						   sizeof(arg));
			if (!err)
				err = shebang_args(argv, interp, arg, filename);
			if (err)
				goto out;
			snprintf(filename, sizeof(filename), "%s", interp);
			file_put(f);
			f = NULL;
			path_put(&exe);
			dirfd = LINUX_AT_FDCWD;
			lflags = LOOKUP_FOLLOW;
			continue;
		}
		break;
	}
	err = mm_new(&mm);
	if (err)
		goto out;
	{
		struct interp_ctx ic = { t };
		struct loader_file lf = {
			.pread = lf_pread,
			.mappable = lf_mappable,
			.dev = f->inode->sb->dev,
			.ino = f->inode->ino,
			.path = filename,
			.ctx = f,
		};
		struct loader_args la = {
			.argv = argv->v,
			.argc = argv->n,
			.envp = envp->v,
			.envc = envp->n,
			.execfn = execfn,
			.uid = t->creds->uid,
			.euid = t->creds->euid,
			.gid = t->creds->gid,
			.egid = t->creds->egid,
			.stack_limit = t->tg->rlimits[LINUX_RLIMIT_STACK].cur,
			.platform = kernel->platform,
			.open_interp = lf_open_interp,
			.release = lf_release,
			.open_ctx = &ic,
		};

		err = loader_exec(mm, &lf, &la, &res);
	}
	if (err)
		goto out;
	/* The point of no return: the other threads go, the image changes. */
	err = task_de_thread(t);
	if (err)
		goto out;
	exec_reset_process(t, mm, &res, filename, &exe);
	/* The program's file cannot be written while it runs (ETXTBSY). */
	tg_set_exe_file(t->tg, f);
	mm = NULL;
out:
	if (mm)
		mm_put(mm);
	if (f)
		file_put(f);
	path_put(&exe);
	return err;
}

int exec_kernel(struct task *t, const char *path, char *const *argv,
		size_t argc, char *const *envp, size_t envc)
{
	struct exec_strings a = { 0 }, e = { 0 };
	int err = 0;

	for (size_t i = 0; !err && i < argc; i++)
		err = strings_push(&a, argv[i], false);
	for (size_t i = 0; !err && i < envc; i++)
		err = strings_push(&e, envp[i], false);
	if (!err && a.bytes + e.bytes > arg_limit(t))
		err = -E2BIG;
	if (!err)
		err = do_exec(t, LINUX_AT_FDCWD, path, LOOKUP_FOLLOW, &a, &e);
	strings_free(&a);
	strings_free(&e);
	return err;
}

/* The syscalls: copy everything from the old image first. */
static long sys_exec(struct task *t, int dirfd, uint64_t upath, uint64_t uargv,
		     uint64_t uenvp, int flags)
{
	struct exec_strings a = { 0 }, e = { 0 };
	size_t budget = arg_limit(t);
	char path[4096];
	int lflags = LOOKUP_FOLLOW;
	long len, err;

	if (flags & ~(LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	len = task_copy_string_in(t, upath, path, sizeof(path));
	if (len < 0)
		return len;
	if (flags & LINUX_AT_SYMLINK_NOFOLLOW)
		lflags &= ~LOOKUP_FOLLOW;
	if (flags & LINUX_AT_EMPTY_PATH)
		lflags |= LOOKUP_EMPTY_PATH;
	if (!path[0] && !(flags & LINUX_AT_EMPTY_PATH))
		return -ENOENT;
	err = copy_vector(t, uargv, &a, &budget);
	if (!err)
		err = copy_vector(t, uenvp, &e, &budget);
	if (!err)
		err = do_exec(t, dirfd, path, lflags, &a, &e);
	strings_free(&a);
	strings_free(&e);
	if (!err)
		t->regs_replaced = true;
	return err;
}

long kern_execve(struct task *t, const struct execve_args *a)
{
	return sys_exec(t, LINUX_AT_FDCWD, a->pathname, a->argv, a->envp, 0);
}

long kern_execveat(struct task *t, const struct execveat_args *a)
{
	return sys_exec(t, a->dirfd, a->pathname, a->argv, a->envp,
			(int)a->flags);
}
