/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawn.c: a new process in the sandbox, built from nothing: the first
 * one at boot, and those `runsc exec` asks for through the control
 * socket. Such a process has no parent in the sandbox (as a process
 * runc execs into a container has none inside its pid namespace).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "sentry/abi/capability.h"
#include "sentry/boot/boot.h"
#include "sentry/boot/mounts.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

/* Credentials from the process description. */
static struct creds *spawn_creds(const struct sentry_process *p)
{
	struct creds *c = creds_new_root();

	if (!c)
		return NULL;
	c->uid = c->euid = c->suid = c->fsuid = p->uid;
	c->gid = c->egid = c->sgid = c->fsgid = p->gid;
	if (p->ngroups) {
		c->groups = calloc(p->ngroups, sizeof(uint32_t));
		if (!c->groups) {
			creds_put(c);
			return NULL;
		}
		memcpy(c->groups, p->groups, p->ngroups * sizeof(uint32_t));
		c->ngroups = (uint32_t)p->ngroups;
	}
	if (p->has_caps) {
		/* Bits past the last capability Linux knows are dropped, as
		 * capset ignores them (they come from a config or from the
		 * control socket). */
		const uint64_t all = (1ULL << (LINUX_CAP_LAST_CAP + 1)) - 1;

		c->cap_bounding = p->cap_bounding & all;
		c->cap_effective = p->cap_effective & all;
		c->cap_inheritable = p->cap_inheritable & all;
		c->cap_permitted = p->cap_permitted & all;
		c->cap_ambient = p->cap_ambient & all;
	} else if (p->uid != 0) {
		/* A non-root user starts with no capabilities. */
		c->cap_effective = c->cap_permitted = 0;
	}
	c->no_new_privs = p->no_new_privs;
	return c;
}

static size_t vlen(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Resources of a fresh task (pid given), or -errno. */
static int spawn_task(const struct sentry_process *p, struct task *t)
{
	struct path root = { kernel->root_mount, kernel->root_mount->root };
	int err;

	t->creds = spawn_creds(p);
	t->sighand = sighand_new();
	if (!t->creds || !t->sighand)
		return -ENOMEM;
	err = fd_table_new(&t->fdt);
	if (!err)
		err = fs_context_new(&root, &t->fs);
	if (!err)
		err = mm_new(&t->mm);
	if (!err)
		err = boot_install_stdio(t, p->stdio);
	if (err)
		return err;
	t->fs->umask = p->has_umask ? p->umask & 0777 : 022;
	for (size_t i = 0; i < p->nrlimits; i++) {
		int r = p->rlimits[i].resource;

		if (r >= 0 && r < RLIM_NLIMITS_)
			t->tg->rlimits[r] = (struct rlimit64_){ p->rlimits[i].cur,
								p->rlimits[i].max };
	}
	err = boot_chdir(t, p->cwd ? p->cwd : "/");
	if (err)
		log_warn("cannot chdir to %s in the sandbox (%s): starting in /",
			 p->cwd, strerror(-err));
	return 0;
}

int boot_spawn(const struct sentry_process *p, bool first, struct task **out)
{
	struct thread_group *tg;
	struct task *t = task_alloc();
	char path[4096];
	int err;

	if (!t)
		return -ENOMEM;
	t->tid = pidns_alloc(t);
	if (t->tid < 0) {
		err = t->tid;
		task_free(t);
		return err;
	}
	tg = tg_alloc();
	if ((first && t->tid != 1) || !tg) {
		pidns_free(t->tid);
		task_free(t);
		free(tg);
		return -ENOMEM;
	}
	tg_add_task(tg, t);
	/* A session of its own, as setsid(1) would give. */
	tg->pgid = tg->sid = t->tid;
	err = spawn_task(p, t);
	if (!err)
		err = boot_find_command(t, p->argv[0], p->envp, path, sizeof(path));
	if (!err)
		err = exec_kernel(t, path, p->argv, vlen(p->argv), p->envp,
				  vlen(p->envp));
	if (err) {
		/* Never started: undo by hand what task_exit would. */
		if (t->mm)
			mm_put(t->mm);
		if (t->fdt)
			fd_table_put(t->fdt);
		if (t->fs)
			fs_context_put(t->fs);
		if (t->sighand)
			sighand_put(t->sighand);
		t->mm = NULL;
		t->fdt = NULL;
		t->fs = NULL;
		t->sighand = NULL;
		tg->leader = t;
		tg_release(tg);
		return err;
	}
	if (first) {
		kernel->init = t;
		tg->unkillable = true;
	}
	*out = t;
	return 0;
}
