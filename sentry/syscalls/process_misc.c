/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process_misc.c: the rest of a process's kernel interface: resource
 * limits and usage, uname and the host name, sysinfo, getrandom,
 * arch_prctl, prctl, scheduling and personality.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/mm/mm.h"

/* ------------------------------------------------------------------ */
/* rlimits                                                             */

/* The group of `pid` (0: self) for prlimit64, with Linux's permission
 * check for touching another process's limits. */
static struct thread_group *rlimit_target(struct task *t, int pid)
{
	struct task *o;

	if (!pid)
		return t->tg;
	o = task_by_tid(pid);
	if (!o || o->state == TASK_DEAD)
		return NULL;
	return o->tg;
}

/* Change one limit: raising the hard limit needs CAP_SYS_RESOURCE;
 * RLIMIT_NOFILE cannot exceed nr_open (1048576). */
static long rlimit_set(struct task *t, struct thread_group *tg, int res,
		       const struct linux_rlimit *nl)
{
	struct rlimit64_ *cur = &tg->rlimits[res];

	if (nl->rlim_cur > nl->rlim_max)
		return -EINVAL;
	if (res == LINUX_RLIMIT_NOFILE && nl->rlim_max > 1048576)
		return -EPERM;
	if (nl->rlim_max > cur->max &&
	    !creds_capable(t->creds, LINUX_CAP_SYS_RESOURCE))
		return -EPERM;
	cur->cur = nl->rlim_cur;
	cur->max = nl->rlim_max;
	/* The stack's growth limit lives in the address space. */
	if (res == LINUX_RLIMIT_STACK) {
		struct task *o;

		TAILQ_FOREACH(o, &tg->tasks, tg_link)
			if (o->mm)
				mm_layout(o->mm)->stack_limit = nl->rlim_cur;
	}
	return 0;
}

long kern_getrlimit(struct task *t, const struct getrlimit_args *a)
{
	struct linux_rlimit r = { t->tg->rlimits[a->resource].cur,
				  t->tg->rlimits[a->resource].max };

	return task_copy_out(t, a->rlim, &r, sizeof(r)) ? -EFAULT : 0;
}

long kern_setrlimit(struct task *t, const struct setrlimit_args *a)
{
	struct linux_rlimit r;

	if (task_copy_in(t, a->rlim, &r, sizeof(r)))
		return -EFAULT;
	if (a->resource < 0 || a->resource >= RLIM_NLIMITS_)
		return -EINVAL;
	return rlimit_set(t, t->tg, a->resource, &r);
}

long kern_prlimit64(struct task *t, const struct prlimit64_args *a)
{
	struct thread_group *tg;
	struct linux_rlimit nl, old;
	long err;

	if (a->resource < 0 || a->resource >= RLIM_NLIMITS_)
		return -EINVAL;
	if (a->new_limit && task_copy_in(t, a->new_limit, &nl, sizeof(nl)))
		return -EFAULT;
	tg = rlimit_target(t, a->pid);
	if (!tg)
		return -ESRCH;
	old.rlim_cur = tg->rlimits[a->resource].cur;
	old.rlim_max = tg->rlimits[a->resource].max;
	if (a->new_limit) {
		err = rlimit_set(t, tg, a->resource, &nl);
		if (err)
			return err;
	}
	if (a->old_limit && task_copy_out(t, a->old_limit, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long kern_getrusage(struct task *t, const struct getrusage_args *a)
{
	struct linux_rusage ru = { 0 };
	int64_t u = 0, s = 0;
	const struct task *o;

	switch (a->who) {
	case LINUX_RUSAGE_SELF:
		u = t->tg->utime_ns;
		s = t->tg->stime_ns;
		TAILQ_FOREACH(o, &t->tg->tasks, tg_link) {
			u += o->utime_ns;
			s += o->stime_ns;
		}
		break;
	case LINUX_RUSAGE_CHILDREN:
		u = t->tg->children_utime_ns;
		s = t->tg->children_stime_ns;
		break;
	case LINUX_RUSAGE_THREAD:
		u = t->utime_ns;
		s = t->stime_ns;
		break;
	default:
		return -EINVAL;
	}
	ru.ru_utime = linux_ns_to_timeval(u);
	ru.ru_stime = linux_ns_to_timeval(s);
	if (a->who == LINUX_RUSAGE_CHILDREN) {
		ru.ru_maxrss = (int64_t)t->tg->children_maxrss_kb;
	} else {
		tg_update_maxrss(t->tg, t->mm);
		ru.ru_maxrss = (int64_t)t->tg->maxrss_kb;
	}
	return task_copy_out(t, a->usage, &ru, sizeof(ru)) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------ */
/* Host identity                                                       */

struct linux_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
		domainname[65];
};

long kern_uname(struct task *t, const struct uname_args *a)
{
	struct linux_utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	memcpy(u.nodename, kernel->hostname, sizeof(u.nodename));
	/* The kernel version the sandbox implements, not the host's. */
	strcpy(u.release, SYSINFO_RELEASE);
	strcpy(u.version, SYSINFO_VERSION);
	strcpy(u.machine, "x86_64");
	memcpy(u.domainname, kernel->domainname, sizeof(u.domainname));
	return task_copy_out(t, a->buf, &u, sizeof(u)) ? -EFAULT : 0;
}

static long set_name(struct task *t, char *dst, uint64_t src, int len)
{
	char buf[65];

	if (!creds_capable(t->creds, LINUX_CAP_SYS_ADMIN))
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	if (task_copy_in(t, src, buf, (size_t)len))
		return -EFAULT;
	memcpy(dst, buf, (size_t)len);
	memset(dst + len, 0, 65 - (size_t)len);
	return 0;
}

long kern_sethostname(struct task *t, const struct sethostname_args *a)
{
	return set_name(t, kernel->hostname, a->name, a->len);
}

long kern_setdomainname(struct task *t, const struct setdomainname_args *a)
{
	return set_name(t, kernel->domainname, a->name, a->len);
}

struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs;
	uint16_t pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char pad3[4];
};

long kern_sysinfo(struct task *t, const struct sysinfo_args *a)
{
	struct linux_sysinfo si = { 0 };
	struct sysinfo_mem m;

	sysinfo_memory(&m);
	si.uptime = (kernel_now_ns() - (int64_t)kernel->boot_monotonic.tv_sec *
				       1000000000LL -
		     kernel->boot_monotonic.tv_nsec) / 1000000000LL + 1;
	si.totalram = m.total;
	si.freeram = m.free;
	si.bufferram = 0;
	si.procs = (uint16_t)pidns_count();
	si.mem_unit = 1;
	return task_copy_out(t, a->info, &si, sizeof(si)) ? -EFAULT : 0;
}

long kern_getrandom(struct task *t, const struct getrandom_args *a)
{
	uint8_t buf[256];
	size_t done = 0, want = a->buflen;

	if ((a->flags & (LINUX_GRND_RANDOM | LINUX_GRND_INSECURE)) ==
	    (LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
		return -EINVAL;
	if (want > 33554431)
		want = 33554431; /* Linux's per-call cap */
	while (done < want) {
		size_t n = want - done < sizeof(buf) ? want - done : sizeof(buf);
		ssize_t got = getrandom(buf, n, 0);

		if (got <= 0)
			return done ? (long)done : -EIO;
		if (task_copy_out(t, a->buf + done, buf, (size_t)got))
			return done ? (long)done : -EFAULT;
		done += (size_t)got;
		/* Long requests are interruptible, as on Linux. */
		if (done < want && task_signal_pending(t))
			return (long)done;
	}
	return (long)done;
}

/* ------------------------------------------------------------------ */
/* Thread state                                                        */

long kern_arch_prctl(struct task *t, const struct arch_prctl_args *a)
{
	const uint64_t canonical_max = 0x00007fffffffffffULL;

	switch (a->code) {
	case LINUX_ARCH_SET_FS:
		if (a->addr > canonical_max)
			return -EPERM;
		t->cpu.regs.fs_base = a->addr;
		return 0;
	case LINUX_ARCH_SET_GS:
		if (a->addr > canonical_max)
			return -EPERM;
		t->cpu.regs.gs_base = a->addr;
		return 0;
	case LINUX_ARCH_GET_FS:
		return task_copy_out(t, a->addr, &t->cpu.regs.fs_base, 8)
			       ? -EFAULT : 0;
	case LINUX_ARCH_GET_GS:
		return task_copy_out(t, a->addr, &t->cpu.regs.gs_base, 8)
			       ? -EFAULT : 0;
	case LINUX_ARCH_GET_CPUID: {
		/* CPUID faulting is not offered: cpuid always works. */
		return 1;
	}
	case LINUX_ARCH_SET_CPUID:
		return a->addr ? 0 : -ENODEV;
	default:
		return -EINVAL;
	}
}

long kern_prctl(struct task *t, const struct prctl_args *a)
{
	char name[16];

	switch (a->option) {
	case LINUX_PR_SET_NAME:
		memset(name, 0, sizeof(name));
		if (task_copy_string_in(t, a->arg2, name, sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[15] = '\0';
		memcpy(t->comm, name, sizeof(t->comm));
		return 0;
	case LINUX_PR_GET_NAME:
		return task_copy_out(t, a->arg2, t->comm, sizeof(t->comm))
			       ? -EFAULT : 0;
	case LINUX_PR_SET_PDEATHSIG:
		if (a->arg2 > LINUX_NSIG)
			return -EINVAL;
		t->pdeath_signal = (int)a->arg2;
		return 0;
	case LINUX_PR_GET_PDEATHSIG: {
		int32_t v = t->pdeath_signal;

		return task_copy_out(t, a->arg2, &v, 4) ? -EFAULT : 0;
	}
	case LINUX_PR_SET_DUMPABLE:
		if (a->arg2 > 1)
			return -EINVAL;
		t->tg->dumpable = a->arg2;
		return 0;
	case LINUX_PR_GET_DUMPABLE:
		return (long)t->tg->dumpable;
	case LINUX_PR_SET_NO_NEW_PRIVS:
		if (a->arg2 != 1 || a->arg3 || a->arg4 || a->arg5)
			return -EINVAL;
		if (!t->creds->no_new_privs) {
			struct creds *n = creds_dup(t->creds);

			if (!n)
				return -ENOMEM;
			n->no_new_privs = true;
			creds_put(t->creds);
			t->creds = n;
		}
		return 0;
	case LINUX_PR_GET_NO_NEW_PRIVS:
		if (a->arg2 || a->arg3 || a->arg4 || a->arg5)
			return -EINVAL;
		return t->creds->no_new_privs;
	case LINUX_PR_SET_CHILD_SUBREAPER:
		t->tg->child_subreaper = a->arg2 != 0;
		return 0;
	case LINUX_PR_GET_CHILD_SUBREAPER: {
		int32_t v = t->tg->child_subreaper;

		return task_copy_out(t, a->arg2, &v, 4) ? -EFAULT : 0;
	}
	case LINUX_PR_SET_KEEPCAPS:
		if (a->arg2 > 1)
			return -EINVAL;
		{
			struct creds *n = creds_dup(t->creds);

			if (!n)
				return -ENOMEM;
			n->keep_caps = a->arg2;
			creds_put(t->creds);
			t->creds = n;
		}
		return 0;
	case LINUX_PR_GET_KEEPCAPS:
		return t->creds->keep_caps;
	case LINUX_PR_CAPBSET_READ:
		if (a->arg2 > LINUX_CAP_LAST_CAP)
			return -EINVAL;
		return (t->creds->cap_bounding >> a->arg2) & 1;
	case LINUX_PR_CAPBSET_DROP:
		if (a->arg2 > LINUX_CAP_LAST_CAP)
			return -EINVAL;
		if (!creds_capable(t->creds, LINUX_CAP_SETPCAP))
			return -EPERM;
		{
			struct creds *n = creds_dup(t->creds);

			if (!n)
				return -ENOMEM;
			n->cap_bounding &= ~(1ULL << a->arg2);
			creds_put(t->creds);
			t->creds = n;
		}
		return 0;
	case LINUX_PR_GET_SECCOMP:
		return 0;
	case LINUX_PR_GET_TIMERSLACK:
		return (long)t->timer_slack_ns;
	case LINUX_PR_SET_TIMERSLACK:
		/* 0 restores the default; the Sentry's timers ignore it. */
		t->timer_slack_ns = a->arg2 ? a->arg2 : 50000;
		return 0;
	case LINUX_PR_SET_VMA:
		return 0; /* naming anonymous vmas is accepted, not shown */
	case LINUX_PR_GET_THP_DISABLE:
		return 0;
	case LINUX_PR_SET_THP_DISABLE:
		return 0;
	default:
		/* Options not implemented: what a kernel without them says. */
		return -EINVAL;
	}
}

long kern_personality(struct task *t, const struct personality_args *a)
{
	uint64_t old = t->personality;

	if (a->persona != 0xffffffffu)
		t->personality = a->persona;
	return (long)old;
}

/* ------------------------------------------------------------------ */
/* Scheduling: one policy (SCHED_OTHER), priorities recorded, CPUs as the
 * host gives them to the Sentry.                                       */

long kern_sched_yield(struct task *t, const struct sched_yield_args *a)
{
	(void)a;
	(void)t;
	kernel_unlock();
	sched_yield();
	kernel_lock();
	return 0;
}

/* The task a scheduling call names: pid 0 is the caller. */
static struct task *sched_target(struct task *t, int pid)
{
	struct task *o;

	if (!pid)
		return t;
	o = task_by_tid(pid);
	return o && o->state != TASK_DEAD ? o : NULL;
}

/* An all-CPUs mask for a task that never set one. */
static void effective_affinity(const struct task *t, uint64_t *mask)
{
	unsigned ncpu = sysinfo_ncpus();
	bool any = false;

	for (unsigned i = 0; i < 16; i++)
		any |= t->affinity[i] != 0;
	if (any) {
		memcpy(mask, t->affinity, sizeof(t->affinity));
		return;
	}
	memset(mask, 0, sizeof(t->affinity));
	for (unsigned i = 0; i < ncpu && i < SYSINFO_MAX_CPUS; i++)
		mask[i / 64] |= 1ULL << (i % 64);
}

long kern_sched_getaffinity(struct task *t, const struct sched_getaffinity_args *a)
{
	uint64_t mask[16];
	unsigned ncpu = sysinfo_ncpus();
	/* Linux copies nr_cpu_ids bits rounded up to whole longs. */
	size_t need = (ncpu + 63) / 64 * 8;
	struct task *o;

	if ((a->cpusetsize * 8) < ncpu || (a->cpusetsize & 7))
		return -EINVAL;
	/* A negative pid names nobody: ESRCH, after the size checks. */
	o = a->pid < 0 ? NULL : sched_target(t, a->pid);
	if (!o)
		return -ESRCH;
	effective_affinity(o, mask);
	if (task_copy_out(t, a->mask, mask, need))
		return -EFAULT;
	return (long)need;
}

long kern_sched_setaffinity(struct task *t, const struct sched_setaffinity_args *a)
{
	uint64_t mask[16] = { 0 }, valid[16];
	size_t len = a->cpusetsize < sizeof(mask) ? a->cpusetsize : sizeof(mask);
	struct task *o;
	bool any = false;

	if (task_copy_in(t, a->mask, mask, len))
		return -EFAULT;
	o = a->pid < 0 ? NULL : sched_target(t, a->pid);
	if (!o)
		return -ESRCH;
	/* Only CPUs the sandbox has count; none left is EINVAL. */
	memset(valid, 0, sizeof(valid));
	for (unsigned i = 0; i < sysinfo_ncpus() && i < SYSINFO_MAX_CPUS; i++)
		valid[i / 64] |= 1ULL << (i % 64);
	for (unsigned i = 0; i < 16; i++) {
		mask[i] &= valid[i];
		any |= mask[i] != 0;
	}
	if (!any)
		return -EINVAL;
	memcpy(o->affinity, mask, sizeof(mask));
	o->affinity_dirty = true;
	return 0;
}

long kern_getcpu(struct task *t, const struct getcpu_args *a)
{
	uint32_t cpu, node = 0;

	/* The task's Sentry thread runs where the task's affinity allows. */
	task_apply_affinity(t);
	cpu = (uint32_t)sched_getcpu();

	if (a->cpu && task_copy_out(t, a->cpu, &cpu, 4))
		return -EFAULT;
	if (a->node && task_copy_out(t, a->node, &node, 4))
		return -EFAULT;
	return 0;
}

long kern_sched_getscheduler(struct task *t, const struct sched_getscheduler_args *a)
{
	(void)t;
	if (a->pid < 0)
		return -EINVAL;
	if (a->pid && !task_by_tid(a->pid))
		return -ESRCH;
	return LINUX_SCHED_NORMAL;
}

long kern_sched_setscheduler(struct task *t, const struct sched_setscheduler_args *a)
{
	int32_t prio;

	if (a->pid < 0)
		return -EINVAL;
	if (task_copy_in(t, a->param, &prio, 4))
		return -EFAULT;
	if (a->pid && !task_by_tid(a->pid))
		return -ESRCH;
	if (a->policy == LINUX_SCHED_NORMAL || a->policy == LINUX_SCHED_BATCH ||
	    a->policy == LINUX_SCHED_IDLE)
		return prio == 0 ? 0 : -EINVAL;
	/* Real-time policies need privileges the sandbox does not grant. */
	return -EPERM;
}

long kern_sched_getparam(struct task *t, const struct sched_getparam_args *a)
{
	int32_t prio = 0;

	if (a->pid < 0)
		return -EINVAL;
	if (a->pid && !task_by_tid(a->pid))
		return -ESRCH;
	return task_copy_out(t, a->param, &prio, 4) ? -EFAULT : 0;
}

long kern_sched_setparam(struct task *t, const struct sched_setparam_args *a)
{
	int32_t prio;

	if (a->pid < 0)
		return -EINVAL;
	if (task_copy_in(t, a->param, &prio, 4))
		return -EFAULT;
	if (a->pid && !task_by_tid(a->pid))
		return -ESRCH;
	return prio == 0 ? 0 : -EINVAL;
}

long kern_sched_get_priority_max(struct task *t,
				 const struct sched_get_priority_max_args *a)
{
	(void)t;
	return a->policy == LINUX_SCHED_FIFO || a->policy == LINUX_SCHED_RR ? 99
									   : 0;
}

long kern_sched_get_priority_min(struct task *t,
				 const struct sched_get_priority_min_args *a)
{
	(void)t;
	return a->policy == LINUX_SCHED_FIFO || a->policy == LINUX_SCHED_RR ? 1
									   : 0;
}

long kern_sched_rr_get_interval(struct task *t,
				const struct sched_rr_get_interval_args *a)
{
	struct linux_timespec ts = { 0, 100000000 };

	if (a->pid < 0)
		return -EINVAL;
	if (a->pid && !task_by_tid(a->pid))
		return -ESRCH;
	return task_copy_out(t, a->tp, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* Nice values are kept per task and reported; the Sentry does not
 * schedule by them (the host schedules the Sentry's threads). */
long kern_getpriority(struct task *t, const struct getpriority_args *a)
{
	struct task *o;

	if (a->which != LINUX_PRIO_PROCESS)
		return 20 - t->nice;
	o = sched_target(t, a->who);
	if (!o)
		return -ESRCH;
	return 20 - o->nice; /* the raw syscall returns 20 - nice */
}

long kern_setpriority(struct task *t, const struct setpriority_args *a)
{
	int nice = a->prio < -20 ? -20 : a->prio > 19 ? 19 : a->prio;
	struct task *o;

	if (a->which != LINUX_PRIO_PROCESS) {
		/* Groups and users: apply to the caller, the only member the
		 * Sentry tracks precisely enough. */
		o = t;
	} else {
		o = sched_target(t, a->who);
		if (!o)
			return -ESRCH;
	}
	if (nice < o->nice && !creds_capable(t->creds, LINUX_CAP_SYS_NICE) &&
	    20 - nice > (int)t->tg->rlimits[LINUX_RLIMIT_NICE].cur)
		return -EACCES;
	o->nice = nice;
	return 0;
}
