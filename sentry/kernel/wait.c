/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wait.c: wait4 and waitid (kernel/exit.c do_wait): find a child in the
 * state asked for, report it, and reap zombies.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidfd.h"
#include "sentry/kernel/signal.h"
#include "sentry/vfs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"

struct wait_req {
	int idtype;     /* P_ALL, P_PID, P_PGID */
	int id;
	int options;
};

struct wait_result {
	int pid;
	int status;     /* wait status (wait4) */
	int code;       /* CLD_* (waitid) */
	int si_status;  /* exit code or signal (waitid) */
	uint32_t uid;
	int64_t utime_ns, stime_ns;
};

static bool wait_match(const struct thread_group *c, const struct wait_req *w)
{
	bool clone_child = c->exit_signal != LINUX_SIGCHLD;

	if (w->idtype == LINUX_P_PID && c->tgid != w->id)
		return false;
	if (w->idtype == LINUX_P_PGID && c->pgid != w->id)
		return false;
	if (w->options & LINUX___WALL)
		return true;
	return clone_child == !!(w->options & LINUX___WCLONE);
}

static void fill(struct wait_result *r, struct thread_group *c)
{
	r->pid = c->tgid;
	r->uid = c->leader && c->leader->creds ? c->leader->creds->uid : 0;
	r->utime_ns = c->utime_ns;
	r->stime_ns = c->stime_ns;
}

/* Look at the children once. Returns a pid (result filled), 0 when a
 * matching child exists but has nothing to report, or -ECHILD. */
static int wait_scan(struct task *t, const struct wait_req *w,
		     struct wait_result *r)
{
	struct thread_group *c, *next;
	bool any = false;

	for (c = TAILQ_FIRST(&t->tg->children); c; c = next) {
		next = TAILQ_NEXT(c, sibling);
		if (!wait_match(c, w))
			continue;
		any = true;
		if (c->zombie && (w->options & LINUX_WEXITED)) {
			int st = c->group_exit_code;

			fill(r, c);
			r->status = st;
			if (st & 0x7f) {
				r->code = (st & 0x80) ? LINUX_CLD_DUMPED
						      : LINUX_CLD_KILLED;
				r->si_status = st & 0x7f;
			} else {
				r->code = LINUX_CLD_EXITED;
				r->si_status = (st >> 8) & 0xff;
			}
			if (!(w->options & LINUX_WNOWAIT)) {
				t->tg->children_utime_ns += c->utime_ns;
				t->tg->children_stime_ns += c->stime_ns;
				if (c->maxrss_kb > t->tg->children_maxrss_kb)
					t->tg->children_maxrss_kb = c->maxrss_kb;
				if (c->children_maxrss_kb > t->tg->children_maxrss_kb)
					t->tg->children_maxrss_kb =
						c->children_maxrss_kb;
				c->reaped = true;
				tg_release(c);
			}
			return r->pid;
		}
		if ((w->options & LINUX_WSTOPPED) && c->stopped &&
		    !c->stop_reported && !c->zombie) {
			fill(r, c);
			r->status = (c->stop_signal << 8) | 0x7f;
			r->code = LINUX_CLD_STOPPED;
			r->si_status = c->stop_signal;
			if (!(w->options & LINUX_WNOWAIT))
				c->stop_reported = true;
			return r->pid;
		}
		if ((w->options & LINUX_WCONTINUED) && c->continued &&
		    !c->zombie) {
			fill(r, c);
			r->status = 0xffff;
			r->code = LINUX_CLD_CONTINUED;
			r->si_status = LINUX_SIGCONT;
			if (!(w->options & LINUX_WNOWAIT))
				c->continued = false;
			return r->pid;
		}
	}
	return any ? 0 : -ECHILD;
}

static long do_wait(struct task *t, const struct wait_req *w,
		    struct wait_result *r)
{
	struct waiter wt;
	long ret;

	waiter_init_task(&wt, t, WAITQ_EV_CHILD);
	waitq_add(&t->tg->child_wq, &wt);
	for (;;) {
		ret = wait_scan(t, w, r);
		if (ret != 0 || (w->options & LINUX_WNOHANG))
			break;
		if (task_wait(t, 0, true) == -EINTR) {
			ret = -ERESTARTSYS;
			break;
		}
	}
	waitq_remove(&wt);
	return ret;
}

static int copy_rusage(struct task *t, uint64_t addr, const struct wait_result *r)
{
	struct linux_rusage ru = { 0 };

	if (!addr)
		return 0;
	ru.ru_utime = linux_ns_to_timeval(r->utime_ns);
	ru.ru_stime = linux_ns_to_timeval(r->stime_ns);
	return task_copy_out(t, addr, &ru, sizeof(ru));
}

long kern_wait4(struct task *t, const struct wait4_args *a)
{
	struct wait_req w = { .options = (int)a->options | LINUX_WEXITED };
	struct wait_result r = { 0 };
	long ret;

	if (a->pid == INT32_MIN)
		return -ESRCH;
	if (a->pid < -1) {
		w.idtype = LINUX_P_PGID;
		w.id = -a->pid;
	} else if (a->pid == -1) {
		w.idtype = LINUX_P_ALL;
	} else if (a->pid == 0) {
		w.idtype = LINUX_P_PGID;
		w.id = t->tg->pgid;
	} else {
		w.idtype = LINUX_P_PID;
		w.id = a->pid;
	}
	if (a->options & LINUX_WUNTRACED)
		w.options |= LINUX_WSTOPPED;
	ret = do_wait(t, &w, &r);
	if (ret > 0) {
		int32_t st = r.status;

		if (a->wstatus && task_copy_out(t, a->wstatus, &st, sizeof(st)))
			return -EFAULT;
		if (copy_rusage(t, a->rusage, &r))
			return -EFAULT;
	}
	return ret;
}

long kern_waitid(struct task *t, const struct waitid_args *a)
{
	struct wait_req w = { .idtype = a->idtype, .id = a->id,
			      .options = (int)a->options };
	struct wait_result r = { 0 };
	struct linux_siginfo info = { 0 };
	long ret;

	if (a->options & ~(LINUX_WNOHANG | LINUX_WEXITED | LINUX_WSTOPPED |
			   LINUX_WCONTINUED | LINUX_WNOWAIT | LINUX___WNOTHREAD |
			   LINUX___WCLONE | LINUX___WALL))
		return -EINVAL;
	if (!(a->options & (LINUX_WEXITED | LINUX_WSTOPPED | LINUX_WCONTINUED)))
		return -EINVAL;
	switch (a->idtype) {
	case LINUX_P_ALL:
		break;
	case LINUX_P_PID:
		if (a->id <= 0)
			return -EINVAL;
		break;
	case LINUX_P_PGID:
		if (a->id < 0)
			return -EINVAL;
		if (a->id == 0)
			w.id = t->tg->pgid;
		break;
	case LINUX_P_PIDFD: {
		struct file *f = fd_get(t, a->id);
		struct thread_group *tg;
		bool not_pidfd;

		if (!f)
			return -EBADF;
		tg = pidfd_group(f, &not_pidfd);
		file_put(f);
		if (not_pidfd)
			return -EBADF;
		if (!tg)
			return -ECHILD;
		w.idtype = LINUX_P_PID;
		w.id = tg->tgid;
		break;
	}
	default:
		return -EINVAL;
	}
	ret = do_wait(t, &w, &r);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		info.signo = LINUX_SIGCHLD;
		info.code = r.code;
		info.u.chld.pid = r.pid;
		info.u.chld.uid = r.uid;
		info.u.chld.status = r.si_status;
	}
	/* With WNOHANG and nothing to report, the siginfo is zeroed. */
	if (a->infop && task_copy_out(t, a->infop, &info, sizeof(info)))
		return -EFAULT;
	if (ret > 0 && copy_rusage(t, a->rusage, &r))
		return -EFAULT;
	return 0;
}
