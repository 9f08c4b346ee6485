/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_pid.c: the files of /proc/PID and /proc/PID/task/TID (one table;
 * task/ only in the first), and the text about a task itself: stat,
 * statm, status, limits, comm, oom_score_adj and the constant files, in
 * Linux 6.1's formats. /proc/PID shows the process (times of all its
 * threads), /proc/PID/task/TID the thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

#define PF_EXITING 0x4u
#define PF_RANDOMIZE 0x400000u

/* Linux's task_state_array letter for a task. */
static char state_letter(const struct task *t)
{
	if (t->state == TASK_DEAD || t->tg->zombie)
		return 'Z';
	switch (t->state) {
	case TASK_BLOCKED:
		return 'S';
	case TASK_STOPPED:
		return 'T';
	default:
		return 'R';
	}
}

static const char *state_name(char c)
{
	switch (c) {
	case 'S':
		return "S (sleeping)";
	case 'T':
		return "T (stopped)";
	case 'Z':
		return "Z (zombie)";
	default:
		return "R (running)";
	}
}

/* get_nr_threads: the live threads and a leader that is a zombie. */
static int nr_threads(const struct thread_group *tg)
{
	int n = (int)tg->ntasks;

	if (tg->leader && tg->leader->state == TASK_DEAD)
		n++;
	return n;
}

/* CPU time of the process (all threads, past and present) or of the
 * thread alone. */
static void task_times(const struct task *t, bool whole, int64_t *user,
		       int64_t *sys)
{
	const struct task *o;

	*user = t->utime_ns;
	*sys = t->stime_ns;
	if (!whole)
		return;
	*user = t->tg->utime_ns;
	*sys = t->tg->stime_ns;
	TAILQ_FOREACH(o, &t->tg->tasks, tg_link) {
		*user += o->utime_ns;
		*sys += o->stime_ns;
	}
}

static uint64_t ticks(int64_t ns)
{
	return ns > 0 ? (uint64_t)(ns / PROC_NS_PER_TICK) : 0;
}

/* The ignored and caught signal sets from the handler table. */
static void sig_ign_cgt(const struct task *t, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	if (!t->sighand)
		return;
	for (int s = 1; s <= LINUX_NSIG; s++) {
		uint64_t h = t->sighand->action[s - 1].handler;

		if (h == LINUX_SIG_IGN)
			*ign |= LINUX_SIGBIT(s);
		else if (h != LINUX_SIG_DFL)
			*cgt |= LINUX_SIGBIT(s);
	}
}

struct mem_figures {
	uint64_t total, resident;      /* pages */
	const struct mm_layout *lay;   /* NULL without an address space */
};

static void mem_figures(const struct task *t, struct mem_figures *m)
{
	memset(m, 0, sizeof(*m));
	if (!t->mm)
		return;
	mm_usage(t->mm, &m->total, &m->resident);
	m->lay = mm_layout(t->mm);
}

/* Pages of text, as Linux's statm and VmExe count them. */
static uint64_t text_pages(const struct mm_layout *l)
{
	uint64_t start = l->start_code & ~MM_PAGE_MASK;
	uint64_t end = (l->end_code + MM_PAGE_MASK) & ~MM_PAGE_MASK;

	return end > start ? (end - start) / MM_PAGE_SIZE : 0;
}

/* The boot-relative start of a task, in clock ticks. */
static uint64_t start_ticks(const struct task *t)
{
	int64_t boot = (int64_t)kernel->boot_monotonic.tv_sec * 1000000000LL +
		       kernel->boot_monotonic.tv_nsec;

	return ticks(t->start_ns - boot);
}

/* The 52 fields of /proc/PID/stat (do_task_stat). */
int proc_show_pid_stat(struct proc_ctx *ctx, struct pbuf *b)
{
	struct task *t = ctx->t;
	struct thread_group *tg = t->tg;
	bool whole = !ctx->pi->thread;
	bool permitted = proc_may_access(ctx->caller, t);
	int threads = nr_threads(tg);
	char state = state_letter(t);
	uint64_t ign, cgt, wchan = 0;
	const struct mm_layout *l;
	struct mem_figures m;
	int64_t user, sys, cuser = 0, csys = 0;
	int exit_signal = t == tg->leader ? tg->exit_signal : -1;
	unsigned flags = PF_RANDOMIZE;

	task_times(t, whole, &user, &sys);
	if (whole) {
		cuser = tg->children_utime_ns;
		csys = tg->children_stime_ns;
	}
	sig_ign_cgt(t, &ign, &cgt);
	mem_figures(t, &m);
	l = m.lay;
	if (permitted && (!whole || threads < 2))
		wchan = state != 'R';
	if (state == 'Z' || t->state == TASK_EXITING)
		flags |= PF_EXITING;
	pbuf_printf(b, "%d (%.15s) %c %d %d %d 0 -1 %u", t->tid, t->comm,
		    state, tg->parent ? tg->parent->tgid : 0, tg->pgid,
		    tg->sid, flags);
	pbuf_printf(b, " 0 0 0 0 %llu %llu %llu %llu 20 0 %d 0 %llu",
		    (unsigned long long)ticks(user),
		    (unsigned long long)ticks(sys),
		    (unsigned long long)ticks(cuser),
		    (unsigned long long)ticks(csys), threads,
		    (unsigned long long)start_ticks(t));
	pbuf_printf(b, " %llu %llu %llu",
		    (unsigned long long)(m.total * MM_PAGE_SIZE),
		    (unsigned long long)m.resident,
		    (unsigned long long)tg->rlimits[LINUX_RLIMIT_RSS].cur);
	/* Code addresses are 1 to those who may not see them. */
	if (l)
		pbuf_printf(b, " %llu %llu %llu 0 0",
			    (unsigned long long)(permitted ? l->start_code : 1),
			    (unsigned long long)(permitted ? l->end_code : 1),
			    (unsigned long long)(permitted ? l->start_stack
							   : 0));
	else
		pbuf_puts(b, " 0 0 0 0 0");
	/* Signal sets are shown as their low 31 bits, as Linux does. */
	pbuf_printf(b, " %llu %llu %llu %llu %llu 0 0 %d 0 0 0 0 0 0",
		    (unsigned long long)(t->pending.set & 0x7fffffff),
		    (unsigned long long)(t->sigmask & 0x7fffffff),
		    (unsigned long long)(ign & 0x7fffffff),
		    (unsigned long long)(cgt & 0x7fffffff),
		    (unsigned long long)wchan, exit_signal);
	if (l && permitted)
		pbuf_printf(b, " %llu %llu %llu %llu %llu %llu %llu",
			    (unsigned long long)l->start_data,
			    (unsigned long long)l->end_data,
			    (unsigned long long)l->start_brk,
			    (unsigned long long)l->arg_start,
			    (unsigned long long)l->arg_end,
			    (unsigned long long)l->env_start,
			    (unsigned long long)l->env_end);
	else
		pbuf_puts(b, " 0 0 0 0 0 0 0");
	pbuf_printf(b, " %d\n",
		    permitted && state == 'Z' ? tg->group_exit_code : 0);
	return 0;
}

int proc_show_statm(struct proc_ctx *ctx, struct pbuf *b)
{
	struct mem_figures m;
	uint64_t text = 0;

	mem_figures(ctx->t, &m);
	if (m.lay)
		text = text_pages(m.lay);
	pbuf_printf(b, "%llu %llu 0 %llu 0 %llu 0\n",
		    (unsigned long long)m.total,
		    (unsigned long long)m.resident, (unsigned long long)text,
		    (unsigned long long)(m.total > text ? m.total - text : 0));
	return 0;
}

/* "%*pb" of the first n bits all set: hex in 32-bit groups, the first
 * one only as wide as its bits need. */
static void print_mask(struct pbuf *b, unsigned n)
{
	unsigned first = n % 32 ? n % 32 : 32;
	unsigned groups = (n + 31) / 32;

	for (unsigned g = 0; g < groups; g++) {
		unsigned bits = g ? 32 : first;
		unsigned width = g ? 8 : (bits + 3) / 4;
		uint32_t v = bits == 32 ? 0xffffffffu : (1u << bits) - 1;

		pbuf_printf(b, "%s%0*x", g ? "," : "", (int)width, v);
	}
}

/* The memory lines of status (task_mem), in kB. */
static void status_mem(struct pbuf *b, const struct task *t)
{
	struct mem_figures m;
	uint64_t kb = MM_PAGE_SIZE / 1024, exe, lck = mm_locked_pages(t->mm);

	mem_figures(t, &m);
	exe = text_pages(m.lay);
	pbuf_printf(b, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\n",
		    (unsigned long long)(m.total * kb),
		    (unsigned long long)(m.total * kb));
	pbuf_printf(b, "VmLck:\t%8llu kB\nVmPin:\t%8llu kB\n",
		    (unsigned long long)(lck * kb), 0ULL);
	pbuf_printf(b, "VmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n",
		    (unsigned long long)(m.resident * kb),
		    (unsigned long long)(m.resident * kb));
	pbuf_printf(b,
		    "RssAnon:\t%8llu kB\nRssFile:\t%8llu kB\n"
		    "RssShmem:\t%8llu kB\n",
		    (unsigned long long)(m.resident * kb), 0ULL, 0ULL);
	pbuf_printf(b,
		    "VmData:\t%8llu kB\nVmStk:\t%8llu kB\nVmExe:\t%8llu kB\n"
		    "VmLib:\t%8llu kB\nVmPTE:\t%8llu kB\nVmSwap:\t%8llu kB\n"
		    "HugetlbPages:\t%8llu kB\n",
		    (unsigned long long)((m.total > exe ? m.total - exe : 0) *
					 kb),
		    0ULL, (unsigned long long)(exe * kb), 0ULL, 0ULL, 0ULL,
		    0ULL);
	pbuf_puts(b, "CoreDumping:\t0\nTHP_enabled:\t1\n");
}

/* How many signals are queued for t (SigQ's first figure). */
static unsigned queued_signals(const struct task *t)
{
	const struct pending_signal *p;
	unsigned n = 0;

	TAILQ_FOREACH(p, &t->pending.queue, link)
		n++;
	TAILQ_FOREACH(p, &t->tg->pending.queue, link)
		n++;
	return n;
}

/* "Name:" escapes only newline and backslash (proc_task_name). */
static void status_name(struct pbuf *b, const char *comm)
{
	pbuf_puts(b, "Name:\t");
	for (size_t k = 0; k < 15 && comm[k]; k++) {
		if (comm[k] == '\n')
			pbuf_puts(b, "\\n");
		else if (comm[k] == '\\')
			pbuf_puts(b, "\\\\");
		else
			pbuf_write(b, &comm[k], 1);
	}
	pbuf_puts(b, "\n");
}

/* Pid, credential and group lines (task_state). */
static void status_ids(struct pbuf *b, const struct task *t)
{
	const struct thread_group *tg = t->tg;
	const struct creds *c = t->creds;
	static const struct creds none;
	int fdsize = t->fdt ? (t->fdt->size > 64 ? t->fdt->size : 64) : 0;

	if (!c)
		c = &none;
	pbuf_printf(b,
		    "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		    "TracerPid:\t0\n",
		    state_name(state_letter(t)), tg->tgid, t->tid,
		    tg->parent ? tg->parent->tgid : 0);
	pbuf_printf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", c->uid,
		    c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid,
		    c->fsgid);
	pbuf_printf(b, "FDSize:\t%d\nGroups:\t", fdsize);
	for (uint32_t g = 0; g < c->ngroups; g++)
		pbuf_printf(b, "%s%u", g ? " " : "", c->groups[g]);
	pbuf_printf(b, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
		    tg->tgid, t->tid, tg->pgid, tg->sid);
}

int proc_show_status(struct proc_ctx *ctx, struct pbuf *b)
{
	struct task *t = ctx->t;
	const struct creds *c = t->creds;
	unsigned ncpus = sysinfo_ncpus() ? sysinfo_ncpus() : 1;
	uint64_t ign, cgt;

	status_name(b, t->comm);
	if (t->fs)
		pbuf_printf(b, "Umask:\t%04o\n", t->fs->umask & 0777);
	status_ids(b, t);
	if (t->mm)
		status_mem(b, t);
	sig_ign_cgt(t, &ign, &cgt);
	pbuf_printf(b, "Threads:\t%d\nSigQ:\t%u/%llu\n", nr_threads(t->tg),
		    queued_signals(t),
		    (unsigned long long)t->tg->rlimits[LINUX_RLIMIT_SIGPENDING]
			    .cur);
	pbuf_printf(b,
		    "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
		    "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		    (unsigned long long)t->pending.set,
		    (unsigned long long)t->tg->pending.set,
		    (unsigned long long)t->sigmask, (unsigned long long)ign,
		    (unsigned long long)cgt);
	pbuf_printf(b,
		    "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		    "CapBnd:\t%016llx\nCapAmb:\t%016llx\nNoNewPrivs:\t%d\n",
		    (unsigned long long)(c ? c->cap_inheritable : 0),
		    (unsigned long long)(c ? c->cap_permitted : 0),
		    (unsigned long long)(c ? c->cap_effective : 0),
		    (unsigned long long)(c ? c->cap_bounding : 0),
		    (unsigned long long)(c ? c->cap_ambient : 0),
		    c && c->no_new_privs);
	/* The guest has no seccomp filter of its own (yet). */
	pbuf_puts(b, "Seccomp:\t0\nSeccomp_filters:\t0\n"
		     "Speculation_Store_Bypass:\tthread vulnerable\n"
		     "SpeculationIndirectBranch:\tconditional enabled\n"
		     "Cpus_allowed:\t");
	print_mask(b, ncpus);
	if (ncpus > 1)
		pbuf_printf(b, "\nCpus_allowed_list:\t0-%u\n", ncpus - 1);
	else
		pbuf_puts(b, "\nCpus_allowed_list:\t0\n");
	pbuf_puts(b, "Mems_allowed:\t");
	for (int g = 0; g < 31; g++)
		pbuf_puts(b, "00000000,");
	pbuf_puts(b, "00000001\nMems_allowed_list:\t0\n"
		     "voluntary_ctxt_switches:\t0\n"
		     "nonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

int proc_show_limits(struct proc_ctx *ctx, struct pbuf *b)
{
	static const struct {
		const char *name, *unit;
	} lnames[RLIM_NLIMITS_] = {
		[LINUX_RLIMIT_CPU] = { "Max cpu time", "seconds" },
		[LINUX_RLIMIT_FSIZE] = { "Max file size", "bytes" },
		[LINUX_RLIMIT_DATA] = { "Max data size", "bytes" },
		[LINUX_RLIMIT_STACK] = { "Max stack size", "bytes" },
		[LINUX_RLIMIT_CORE] = { "Max core file size", "bytes" },
		[LINUX_RLIMIT_RSS] = { "Max resident set", "bytes" },
		[LINUX_RLIMIT_NPROC] = { "Max processes", "processes" },
		[LINUX_RLIMIT_NOFILE] = { "Max open files", "files" },
		[LINUX_RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
		[LINUX_RLIMIT_AS] = { "Max address space", "bytes" },
		[LINUX_RLIMIT_LOCKS] = { "Max file locks", "locks" },
		[LINUX_RLIMIT_SIGPENDING] = { "Max pending signals",
					      "signals" },
		[LINUX_RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
		[LINUX_RLIMIT_NICE] = { "Max nice priority", NULL },
		[LINUX_RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
		[LINUX_RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
	};
	const struct rlimit64_ *rl = ctx->t->tg->rlimits;

	pbuf_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		    "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS_; i++) {
		if (rl[i].cur == ~0ULL)
			pbuf_printf(b, "%-25s %-20s ", lnames[i].name,
				    "unlimited");
		else
			pbuf_printf(b, "%-25s %-20llu ", lnames[i].name,
				    (unsigned long long)rl[i].cur);
		if (rl[i].max == ~0ULL)
			pbuf_printf(b, "%-20s ", "unlimited");
		else
			pbuf_printf(b, "%-20llu ",
				    (unsigned long long)rl[i].max);
		if (lnames[i].unit)
			pbuf_printf(b, "%-10s", lnames[i].unit);
		pbuf_puts(b, "\n");
	}
	return 0;
}

static int show_comm(struct proc_ctx *ctx, struct pbuf *b)
{
	pbuf_printf(b, "%.15s\n", ctx->t->comm);
	return 0;
}

/* comm_write: a thread of the same process may rename another (what
 * pthread_setname_np does for a thread other than itself); the name is
 * the first 15 bytes, newline included, as Linux keeps it. */
static ssize_t write_comm(struct proc_ctx *ctx, const char *buf, size_t len,
			  size_t count)
{
	struct task *t = ctx->t;
	size_t max = sizeof(t->comm) - 1;

	if (ctx->caller && ctx->caller->tg != t->tg)
		return -EINVAL;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, buf, len < max ? len : max);
	return (ssize_t)count;
}

static int show_oom_score_adj(struct proc_ctx *ctx, struct pbuf *b)
{
	pbuf_printf(b, "%d\n", ctx->t->tg->oom_score_adj);
	return 0;
}

/* Parse an int the way kstrtoint does after strstrip: the whole text,
 * surrounding whitespace aside. */
static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (!*s)
		return -EINVAL;
	v = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end || v < -2147483647L - 1 || v > 2147483647L)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* oom_score_adj: -1000..1000; only CAP_SYS_RESOURCE may make a process
 * less likely to be killed than it is (so a process cannot shield itself
 * at the expense of others). */
static ssize_t write_oom_score_adj(struct proc_ctx *ctx, const char *buf,
				   size_t len, size_t count)
{
	struct thread_group *tg = ctx->t->tg;
	int v, err = parse_int(buf, &v);

	(void)len;
	if (err)
		return err;
	if (v < -1000 || v > 1000)
		return -EINVAL;
	if (v < tg->oom_score_adj && ctx->caller && ctx->caller->creds &&
	    !creds_capable(ctx->caller->creds, LINUX_CAP_SYS_RESOURCE))
		return -EACCES;
	tg->oom_score_adj = v;
	return (ssize_t)count;
}

/* No audit: nobody may set a login uid. */
static ssize_t write_loginuid(struct proc_ctx *ctx, const char *buf,
			      size_t len, size_t count)
{
	(void)ctx;
	(void)buf;
	(void)len;
	(void)count;
	return -EPERM;
}

#define PROC_LINKNODE(n, rl, fl)                                            \
	{ .name = (n), .kind = PROC_LINK, .mode = LINUX_S_IFLNK | 0777,     \
	  .readlink = (rl), .follow = (fl) }

/* tgid_base_stuff and tid_base_stuff, in Linux's order; ino numbers
 * follow the order, so entries are only ever appended. */
const struct proc_node proc_pid_entries[] = {
	{ .name = "task", .kind = PROC_TASK_DIR, .mode = LINUX_S_IFDIR | 0555,
	  .flags = PROC_F_TGID_ONLY },
	{ .name = "fd", .kind = PROC_FD_DIR, .mode = LINUX_S_IFDIR | 0500 },
	{ .name = "fdinfo", .kind = PROC_FDINFO_DIR,
	  .mode = LINUX_S_IFDIR | 0500 },
	{ .name = "ns", .kind = PROC_DIR, .mode = LINUX_S_IFDIR | 0511,
	  .children = proc_ns_entries, .ino_base = 100 },
	{ .name = "environ", .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0400,
	  .flags = PROC_F_PTRACE, .show = proc_show_environ },
	{ .name = "auxv", .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0400,
	  .flags = PROC_F_PTRACE, .show = proc_show_auxv },
	PROC_REG("status", 0444, proc_show_status),
	PROC_REG("limits", 0444, proc_show_limits),
	{ .name = "comm", .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0644,
	  .show = show_comm, .write = write_comm },
	PROC_REG("cmdline", 0444, proc_show_cmdline),
	PROC_REG("stat", 0444, proc_show_pid_stat),
	PROC_REG("statm", 0444, proc_show_statm),
	{ .name = "maps", .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0444,
	  .flags = PROC_F_PTRACE, .show = proc_show_maps },
	{ .name = "mem", .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0600,
	  .open = proc_mem_open },
	PROC_LINKNODE("cwd", proc_cwd_readlink, proc_cwd_follow),
	PROC_LINKNODE("root", proc_root_readlink, proc_root_follow),
	PROC_LINKNODE("exe", proc_exe_readlink, proc_exe_follow),
	PROC_REG("mounts", 0444, proc_show_mounts),
	PROC_REG("mountinfo", 0444, proc_show_mountinfo),
	{ .name = "io", .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0400,
	  .flags = PROC_F_PTRACE, .show = proc_show_text,
	  .text = "rchar: 0\nwchar: 0\nsyscr: 0\nsyscw: 0\nread_bytes: 0\n"
		  "write_bytes: 0\ncancelled_write_bytes: 0\n" },
	PROC_TEXT("cgroup", "0::/\n"),
	PROC_TEXT("oom_score", "0\n"),
	{ .name = "oom_score_adj", .kind = PROC_FILE,
	  .mode = LINUX_S_IFREG | 0644, .show = show_oom_score_adj,
	  .write = write_oom_score_adj },
	{ .name = "loginuid", .kind = PROC_FILE, .mode = LINUX_S_IFREG | 0644,
	  .show = proc_show_text, .write = write_loginuid,
	  .text = "4294967295" },
	/* One user namespace: the identity map of the initial one. */
	PROC_TEXT("uid_map", "         0          0 4294967295\n"),
	PROC_TEXT("gid_map", "         0          0 4294967295\n"),
	PROC_TEXT("setgroups", "allow\n"),
	/* The sandbox's network namespace (procfs_net.c). */
	{ .name = "net", .kind = PROC_DIR, .mode = LINUX_S_IFDIR | 0555,
	  .children = proc_net_entries, .ino_base = 120 },
	{ 0 },
};

const struct proc_node proc_pid_node = {
	.name = "pid",
	.kind = PROC_PID_DIR,
	.mode = LINUX_S_IFDIR | 0555,
	.children = proc_pid_entries,
	.ino_base = 1,
};
