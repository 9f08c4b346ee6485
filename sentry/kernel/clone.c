/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clone.c: new tasks: threads, fork, vfork, clone3 (kernel/fork.c).
 *
 * What a child shares with its parent follows the CLONE_* flags: the
 * address space (CLONE_VM), fd table (CLONE_FILES), fs context
 * (CLONE_FS), handler table (CLONE_SIGHAND), thread group
 * (CLONE_THREAD). Namespaces are refused: the sandbox is one set of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/capability.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

#define CLONE_NS_FLAGS                                                      \
	(LINUX_CLONE_NEWNS | LINUX_CLONE_NEWCGROUP | LINUX_CLONE_NEWUTS |  \
	 LINUX_CLONE_NEWIPC | LINUX_CLONE_NEWUSER | LINUX_CLONE_NEWPID |   \
	 LINUX_CLONE_NEWNET)

/* The flag combinations Linux's copy_process refuses. */
static int check_flags(struct task *t, uint64_t f)
{
	if ((f & (LINUX_CLONE_NEWNS | LINUX_CLONE_FS)) ==
	    (LINUX_CLONE_NEWNS | LINUX_CLONE_FS))
		return -EINVAL;
	if ((f & (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS)) ==
	    (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS))
		return -EINVAL;
	if ((f & LINUX_CLONE_THREAD) && !(f & LINUX_CLONE_SIGHAND))
		return -EINVAL;
	if ((f & LINUX_CLONE_SIGHAND) && !(f & LINUX_CLONE_VM))
		return -EINVAL;
	/* Siblings of init would never be reaped. */
	if ((f & LINUX_CLONE_PARENT) && t->tg->tgid == 1)
		return -EINVAL;
	if ((f & LINUX_CLONE_THREAD) && (f & (LINUX_CLONE_NEWUSER |
					      LINUX_CLONE_NEWPID)))
		return -EINVAL;
	if (f & CLONE_NS_FLAGS)
		return -EPERM; /* one set of namespaces per sandbox */
	if ((f & LINUX_CLONE_PIDFD) &&
	    (f & (LINUX_CLONE_THREAD | LINUX_CLONE_DETACHED)))
		return -EINVAL;
	return 0;
}

/* Give the child its own or shared copies of what the flags say. */
static int share_resources(struct task *p, struct task *c, uint64_t f)
{
	int err;

	if (f & LINUX_CLONE_VM) {
		mm_get(p->mm);
		c->mm = p->mm;
	} else {
		err = mm_fork(p->mm, &c->mm);
		if (err)
			return err;
	}
	if (f & LINUX_CLONE_FILES) {
		fd_table_get(p->fdt);
		c->fdt = p->fdt;
	} else {
		err = fd_table_copy(p->fdt, &c->fdt);
		if (err)
			return err;
	}
	if (f & LINUX_CLONE_FS) {
		fs_context_get(p->fs);
		c->fs = p->fs;
	} else {
		err = fs_context_copy(p->fs, &c->fs);
		if (err)
			return err;
	}
	if (f & LINUX_CLONE_SIGHAND) {
		sighand_get(p->sighand);
		c->sighand = p->sighand;
	} else {
		c->sighand = sighand_dup(p->sighand);
		if (!c->sighand)
			return -ENOMEM;
		if (f & LINUX_CLONE_CLEAR_SIGHAND)
			/* Handlers go back to the default; ignored stays. */
			for (int i = 0; i < LINUX_NSIG; i++)
				if (c->sighand->action[i].handler != LINUX_SIG_IGN)
					memset(&c->sighand->action[i], 0,
					       sizeof(c->sighand->action[i]));
	}
	creds_get(p->creds);
	c->creds = p->creds;
	return 0;
}

/* Undo share_resources for a child that never ran. */
static void release_resources(struct task *c)
{
	if (c->mm)
		mm_put(c->mm);
	if (c->fdt)
		fd_table_put(c->fdt);
	if (c->fs)
		fs_context_put(c->fs);
	sighand_put(c->sighand);
	if (c->creds)
		creds_put(c->creds);
}

/* A new process's group: parent, session, process group, limits. */
static struct thread_group *new_group(struct task *p, uint64_t f, int exit_signal)
{
	struct thread_group *tg = tg_alloc();
	struct thread_group *parent = (f & LINUX_CLONE_PARENT) ? p->tg->parent
							      : p->tg;

	if (!tg)
		return NULL;
	tg->parent = parent;
	tg->exit_signal = exit_signal;
	tg->pgid = p->tg->pgid;
	tg->sid = p->tg->sid;
	tty_fork(tg, p->tg);
	memcpy(tg->rlimits, p->tg->rlimits, sizeof(tg->rlimits));
	tg->has_child_subreaper = p->tg->has_child_subreaper ||
				  p->tg->child_subreaper;
	memcpy(tg->exe_path, p->tg->exe_path, sizeof(tg->exe_path));
	tg_set_exe_file(tg, p->tg->exe_file);
	tg->dumpable = p->tg->dumpable;
	tg->oom_score_adj = p->tg->oom_score_adj;
	return tg;
}

/* Wait until the vfork child execs or exits (killable, like Linux). */
static void vfork_wait(struct task *p, int child_tid)
{
	p->vfork_child_tid = child_tid;
	p->vfork_done = false;
	while (!p->vfork_done)
		if (task_wait(p, 0, false) == -EINTR)
			break;
	p->vfork_child_tid = 0;
}

void task_vfork_release(struct task *c)
{
	struct task *p;

	if (!c->vfork_parent_tid)
		return;
	p = task_by_tid(c->vfork_parent_tid);
	c->vfork_parent_tid = 0;
	if (p && p->vfork_child_tid == c->tid) {
		p->vfork_done = true;
		task_wake(p);
	}
}

long task_clone(struct task *p, const struct clone_params *cp)
{
	uint64_t f = cp->flags;
	struct task *c;
	struct thread_group *tg = NULL;
	int err, tid;

	err = check_flags(p, f);
	if (err)
		return err;
	if (!(f & LINUX_CLONE_THREAD) &&
	    (cp->exit_signal < 0 || cp->exit_signal > LINUX_NSIG))
		return -EINVAL;
	if (p->tg->group_exiting)
		return -EINTR;
	c = task_alloc();
	if (!c)
		return -ENOMEM;
	tid = cp->set_tid ? pidns_alloc_at(c, cp->set_tid) : pidns_alloc(c);
	if (tid < 0) {
		task_free(c);
		return tid;
	}
	c->tid = tid;
	err = share_resources(p, c, f);
	if (err)
		goto fail;
	if (f & LINUX_CLONE_THREAD) {
		tg = p->tg;
	} else {
		tg = new_group(p, f, cp->exit_signal);
		if (!tg) {
			err = -ENOMEM;
			goto fail;
		}
	}

	/* The child resumes where the parent called clone, with 0. */
	c->cpu.regs = p->cpu.regs;
	memcpy(c->cpu.fpu, p->cpu.fpu, c->cpu.fpu_len);
	c->cpu.regs.rax = 0;
	if (cp->stack)
		c->cpu.regs.rsp = cp->stack;
	if (f & LINUX_CLONE_SETTLS)
		c->cpu.regs.fs_base = cp->tls;
	c->sigmask = p->sigmask;
	c->altstack = p->altstack;
	/* A thread sharing the stack-less address space must not inherit
	 * the parent's alternate stack (kernel/fork.c). */
	if ((f & (LINUX_CLONE_VM | LINUX_CLONE_VFORK)) == LINUX_CLONE_VM) {
		c->altstack.sp = 0;
		c->altstack.size = 0;
		c->altstack.flags = LINUX_SS_DISABLE;
	}
	memcpy(c->comm, p->comm, sizeof(c->comm));
	c->personality = p->personality;
	c->timer_slack_ns = p->timer_slack_ns;
	c->nice = p->nice;
	memcpy(c->affinity, p->affinity, sizeof(c->affinity));
	c->affinity_dirty = p->affinity_dirty;
	if (f & LINUX_CLONE_CHILD_SETTID)
		c->set_child_tid = cp->child_tid;
	if (f & LINUX_CLONE_CHILD_CLEARTID)
		c->clear_child_tid = cp->child_tid;
	if (f & LINUX_CLONE_PARENT_SETTID) {
		int32_t v = tid;

		/* Linux ignores a fault here; so do we. */
		task_copy_out(p, cp->parent_tid, &v, sizeof(v));
	}

	tg_add_task(tg, c);
	if (!(f & LINUX_CLONE_THREAD))
		TAILQ_INSERT_TAIL(&tg->parent->children, tg, sibling);
	kernel->live_tasks++;
	if (f & LINUX_CLONE_VFORK)
		c->vfork_parent_tid = p->tid;
	err = task_start(c);
	if (err) {
		/* The task is registered: let it die through the normal path
		 * is not possible without a thread; undo by hand. */
		kernel->live_tasks--;
		TAILQ_REMOVE(&tg->tasks, c, tg_link);
		tg->ntasks--;
		if (!(f & LINUX_CLONE_THREAD)) {
			TAILQ_REMOVE(&tg->parent->children, tg, sibling);
			tty_setsid(tg); /* drop the inherited terminal */
			free(tg);
		}
		goto fail;
	}
	if (f & LINUX_CLONE_PIDFD) {
		struct file *pf;
		int32_t pfd = -1;

		/* Linux makes the pidfd before the child runs; made after,
		 * it names the same process (the child cannot be reaped
		 * before its parent returns from clone). */
		if (pidfd_create(tg, 0, &pf) == 0) {
			pfd = fd_install(p, pf, FD_CLOEXEC_FLAG);
			file_put(pf);
		}
		task_copy_out(p, cp->pidfd, &pfd, sizeof(pfd));
	}
	if (f & LINUX_CLONE_VFORK)
		vfork_wait(p, tid);
	return tid;
fail:
	release_resources(c);
	pidns_free(tid);
	task_free(c);
	return err;
}

void task_started(struct task *t)
{
	if (t->set_child_tid) {
		int32_t v = t->tid;

		task_copy_out(t, t->set_child_tid, &v, sizeof(v));
	}
}

long kern_clone(struct task *t, const struct clone_args *a)
{
	struct clone_params cp = {
		.flags = a->flags & 0xffffff00ULL, /* clone() takes 32 flag bits */
		.stack = a->stack,
		.parent_tid = a->parent_tid,
		.child_tid = a->child_tid,
		.tls = a->tls,
		.pidfd = a->parent_tid,
		.exit_signal = (int)(a->flags & 0xff),
	};

	/* clone() returns the pidfd where the parent tid would go. */
	if ((cp.flags & LINUX_CLONE_PIDFD) &&
	    (cp.flags & LINUX_CLONE_PARENT_SETTID))
		return -EINVAL;
	return task_clone(t, &cp);
}

long kern_fork(struct task *t, const struct fork_args *a)
{
	struct clone_params cp = { .exit_signal = LINUX_SIGCHLD };

	(void)a;
	return task_clone(t, &cp);
}

long kern_vfork(struct task *t, const struct vfork_args *a)
{
	struct clone_params cp = {
		.flags = LINUX_CLONE_VM | LINUX_CLONE_VFORK,
		.exit_signal = LINUX_SIGCHLD,
	};

	(void)a;
	return task_clone(t, &cp);
}

/* struct clone_args of clone3(2), version 0 (64 bytes) and later. */
struct linux_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

long kern_clone3(struct task *t, const struct clone3_args *a)
{
	struct linux_clone_args ca = { 0 };
	struct clone_params cp;
	int set_tid = 0;
	size_t n = a->size;

	if (n < 64)
		return -EINVAL;
	if (n > 4096)
		return -E2BIG;
	if (n > sizeof(ca)) {
		/* Newer fields must be zero (copy_struct_from_user). */
		uint8_t extra[64];

		for (size_t off = sizeof(ca); off < n; off += sizeof(extra)) {
			size_t m = n - off < sizeof(extra) ? n - off
							   : sizeof(extra);

			if (task_copy_in(t, a->cl_args + off, extra, m))
				return -EFAULT;
			for (size_t i = 0; i < m; i++)
				if (extra[i])
					return -E2BIG;
		}
		n = sizeof(ca);
	}
	if (task_copy_in(t, a->cl_args, &ca, n))
		return -EFAULT;
	/* Only the legacy flags and the two clone3-only ones exist. */
	if (ca.flags & ~(0xffffffffULL | LINUX_CLONE_CLEAR_SIGHAND |
			 LINUX_CLONE_INTO_CGROUP))
		return -EINVAL;
	if (ca.flags & LINUX_CLONE_DETACHED)
		return -EINVAL;
	if ((ca.flags & LINUX_CLONE_CLEAR_SIGHAND) &&
	    (ca.flags & LINUX_CLONE_SIGHAND))
		return -EINVAL;
	if ((ca.flags & 0xff) || ca.exit_signal > LINUX_NSIG)
		return -EINVAL;
	if (ca.set_tid_size > 1 || (!ca.set_tid_size && ca.set_tid) ||
	    (ca.set_tid_size && !ca.set_tid))
		return -EINVAL; /* one pid namespace level */
	if (ca.set_tid_size) {
		int32_t want;

		if (task_copy_in(t, ca.set_tid, &want, sizeof(want)))
			return -EFAULT;
		if (want <= 0 || want >= PIDNS_PID_MAX)
			return -EINVAL;
		/* Choosing a pid is checkpoint/restore's privilege. */
		if (!creds_capable(t->creds, LINUX_CAP_SYS_ADMIN) &&
		    !creds_capable(t->creds, 40 /* CAP_CHECKPOINT_RESTORE */))
			return -EPERM;
		if (task_by_tid(want))
			return -EEXIST;
		set_tid = want;
	}
	if (ca.cgroup || (ca.flags & LINUX_CLONE_INTO_CGROUP))
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0) ||
	    ca.stack + ca.stack_size < ca.stack)
		return -EINVAL;
	if ((ca.flags & LINUX_CLONE_THREAD) && ca.exit_signal)
		return -EINVAL;
	cp = (struct clone_params){
		.flags = ca.flags,
		.stack = ca.stack ? ca.stack + ca.stack_size : 0,
		.parent_tid = ca.parent_tid,
		.child_tid = ca.child_tid,
		.tls = ca.tls,
		.pidfd = ca.pidfd,
		.set_tid = set_tid,
		.exit_signal = (int)ca.exit_signal,
	};
	return task_clone(t, &cp);
}
