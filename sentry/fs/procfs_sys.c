/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs_sys.c: the system-wide part of /proc: the root's table, the
 * machine files (cpuinfo, meminfo, stat, uptime, loadavg, version,
 * filesystems), self and thread-self, and the read-only sysctls under
 * sys/ (those an OCI config may set come from sentry/kernel/sysctl.c). Figures are the sandbox's (its tasks, its memory file, its boot
 * time), formatted as Linux 6.1 formats them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sentry/abi/capability.h"
#include "sentry/fs/procfs_internal.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/sysctl.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/kernel/task.h"

static char boot_id[37];

/* Fill buf with random bytes: the host's getrandom (the Sentry's seccomp
 * policy allows it for the guest's), else something time-derived. */
static void random_bytes(uint8_t *buf, size_t n)
{
	struct timespec ts;
	uint64_t x;

	if (getrandom(buf, n, GRND_NONBLOCK) == (ssize_t)n)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec;
	for (size_t k = 0; k < n; k++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		buf[k] = (uint8_t)((x * 0x2545f4914f6cdd1dULL) >> 56);
	}
}

/* A random (version 4) UUID as text, as Linux's proc_do_uuid. */
static void make_uuid(char out[37])
{
	uint8_t b[16];

	random_bytes(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

void proc_sys_init(void)
{
	if (!boot_id[0])
		make_uuid(boot_id);
}

int proc_show_text(struct proc_ctx *ctx, struct pbuf *b)
{
	pbuf_puts(b, ctx->pi->node->text);
	return 0;
}

long proc_text_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	const char *t = ctx->pi->node->text;

	return proc_link_copy(t, strlen(t), buf, size);
}

/* /proc/self: the caller's tgid; nothing for the Sentry itself. */
long proc_self_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	char text[16];
	int n;

	if (!ctx->caller)
		return -ENOENT;
	n = snprintf(text, sizeof(text), "%d", ctx->caller->tg->tgid);
	return proc_link_copy(text, (size_t)n, buf, size);
}

long proc_thread_self_readlink(struct proc_ctx *ctx, char *buf, size_t size)
{
	char text[32];
	int n;

	if (!ctx->caller)
		return -ENOENT;
	n = snprintf(text, sizeof(text), "%d/task/%d", ctx->caller->tg->tgid,
		     ctx->caller->tid);
	return proc_link_copy(text, (size_t)n, buf, size);
}

/* ------------------------------------------------------------------ */
/* Machine-wide figures                                                */

/* What the sandbox's tasks add up to, for stat, uptime and loadavg. */
struct proc_totals {
	int64_t user_ns, sys_ns;
	unsigned running, threads;
	int last_pid;
};

static int add_group(struct thread_group *tg, void *arg)
{
	struct proc_totals *tot = arg;
	struct task *t;

	tot->user_ns += tg->utime_ns;
	tot->sys_ns += tg->stime_ns;
	TAILQ_FOREACH(t, &tg->tasks, tg_link) {
		tot->user_ns += t->utime_ns;
		tot->sys_ns += t->stime_ns;
		tot->threads++;
		if (t->state == TASK_RUNNING)
			tot->running++;
		if (t->tid > tot->last_pid)
			tot->last_pid = t->tid;
	}
	if (tg->tgid > tot->last_pid)
		tot->last_pid = tg->tgid;
	return 0;
}

static void proc_totals(struct proc_totals *tot)
{
	memset(tot, 0, sizeof(*tot));
	pidns_for_each_group(add_group, tot);
}

/* Nanoseconds since the sandbox booted. */
static int64_t uptime_ns(void)
{
	int64_t boot = (int64_t)kernel->boot_monotonic.tv_sec * 1000000000LL +
		       kernel->boot_monotonic.tv_nsec;
	int64_t now = kernel_now_ns();

	return now > boot ? now - boot : 0;
}

/* Idle time of all CPUs: what the sandbox's tasks did not use. */
static int64_t idle_ns(const struct proc_totals *tot, int64_t up)
{
	int64_t all = up * (int64_t)sysinfo_ncpus();
	int64_t busy = tot->user_ns + tot->sys_ns;

	return all > busy ? all - busy : 0;
}

/* The host's cpuinfo, cut after sysinfo_ncpus() processor blocks. */
int proc_show_cpuinfo(struct proc_ctx *ctx, struct pbuf *b)
{
	const char *text = sysinfo_cpuinfo(), *p = text;
	unsigned ncpus = sysinfo_ncpus(), seen = 0;

	(void)ctx;
	while (*p) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, "processor", 9) && ++seen > ncpus)
			break;
		p = nl ? nl + 1 : p + strlen(p);
	}
	pbuf_write(b, text, (size_t)(p - text));
	return 0;
}

/* One meminfo line: the label padded to 16 columns, kB right-aligned in
 * 8 (show_val_kb). */
static void meminfo_kb(struct pbuf *b, const char *label, uint64_t kb)
{
	pbuf_printf(b, "%-16s%8llu kB\n", label, (unsigned long long)kb);
}

int proc_show_meminfo(struct proc_ctx *ctx, struct pbuf *b)
{
	static const char *const zero1[] = {
		"Buffers:", "Cached:", "SwapCached:",
	};
	static const char *const zero2[] = {
		"Active(file):", "Inactive(file):", "Unevictable:", "Mlocked:",
		"SwapTotal:", "SwapFree:", "Zswap:", "Zswapped:", "Dirty:",
		"Writeback:",
	};
	static const char *const zero3[] = {
		"Mapped:", "Shmem:", "KReclaimable:", "Slab:",
		"SReclaimable:", "SUnreclaim:", "KernelStack:", "PageTables:",
		"NFS_Unstable:", "Bounce:", "WritebackTmp:",
	};
	static const char *const zero4[] = {
		"AnonHugePages:", "ShmemHugePages:", "ShmemPmdMapped:",
		"FileHugePages:", "FilePmdMapped:",
	};
	struct sysinfo_mem m;
	uint64_t total, free_kb, used;

	(void)ctx;
	sysinfo_memory(&m);
	total = m.total >> 10;
	free_kb = m.free >> 10;
	if (free_kb > total)
		free_kb = total;
	used = total - free_kb;
	meminfo_kb(b, "MemTotal:", total);
	meminfo_kb(b, "MemFree:", free_kb);
	meminfo_kb(b, "MemAvailable:", free_kb);
	for (size_t k = 0; k < sizeof(zero1) / sizeof(*zero1); k++)
		meminfo_kb(b, zero1[k], 0);
	/* All the sandbox's memory is anonymous and active. */
	meminfo_kb(b, "Active:", used);
	meminfo_kb(b, "Inactive:", 0);
	meminfo_kb(b, "Active(anon):", used);
	meminfo_kb(b, "Inactive(anon):", 0);
	for (size_t k = 0; k < sizeof(zero2) / sizeof(*zero2); k++)
		meminfo_kb(b, zero2[k], 0);
	meminfo_kb(b, "AnonPages:", used);
	for (size_t k = 0; k < sizeof(zero3) / sizeof(*zero3); k++)
		meminfo_kb(b, zero3[k], 0);
	meminfo_kb(b, "CommitLimit:", total / 2);
	meminfo_kb(b, "Committed_AS:", used);
	meminfo_kb(b, "VmallocTotal:", 34359738367ULL);
	meminfo_kb(b, "VmallocUsed:", 0);
	meminfo_kb(b, "VmallocChunk:", 0);
	meminfo_kb(b, "Percpu:", 0);
	/* The one line Linux formats on its own. */
	pbuf_puts(b, "HardwareCorrupted:     0 kB\n");
	for (size_t k = 0; k < sizeof(zero4) / sizeof(*zero4); k++)
		meminfo_kb(b, zero4[k], 0);
	pbuf_puts(b, "HugePages_Total:       0\n"
		     "HugePages_Free:        0\n"
		     "HugePages_Rsvd:        0\n"
		     "HugePages_Surp:        0\n");
	meminfo_kb(b, "Hugepagesize:", 2048);
	meminfo_kb(b, "Hugetlb:", 0);
	return 0;
}

/* One cpu line of /proc/stat: user nice system idle iowait irq softirq
 * steal guest guest_nice, in clock ticks. */
static void stat_cpu_line(struct pbuf *b, const char *name, int64_t user,
			  int64_t sys, int64_t idle)
{
	pbuf_printf(b, "%s %lld 0 %lld %lld 0 0 0 0 0 0\n", name,
		    (long long)(user / PROC_NS_PER_TICK),
		    (long long)(sys / PROC_NS_PER_TICK),
		    (long long)(idle / PROC_NS_PER_TICK));
}

int proc_show_stat(struct proc_ctx *ctx, struct pbuf *b)
{
	struct proc_totals tot;
	unsigned ncpus = sysinfo_ncpus() ? sysinfo_ncpus() : 1;
	int64_t idle;

	(void)ctx;
	proc_totals(&tot);
	idle = idle_ns(&tot, uptime_ns());
	stat_cpu_line(b, "cpu ", tot.user_ns, tot.sys_ns, idle);
	/* The sandbox does not know which CPU ran what: an even share. */
	for (unsigned c = 0; c < ncpus; c++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu%u", c);
		stat_cpu_line(b, name, tot.user_ns / ncpus, tot.sys_ns / ncpus,
			      idle / ncpus);
	}
	pbuf_printf(b,
		    "intr 0\nctxt 0\nbtime %lld\nprocesses %d\n"
		    "procs_running %u\nprocs_blocked 0\n"
		    "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
		    (long long)kernel->boot_realtime.tv_sec, tot.last_pid,
		    tot.running ? tot.running : 1);
	return 0;
}

int proc_show_uptime(struct proc_ctx *ctx, struct pbuf *b)
{
	struct proc_totals tot;
	int64_t up = uptime_ns(), idle;

	(void)ctx;
	proc_totals(&tot);
	idle = idle_ns(&tot, up);
	pbuf_printf(b, "%lld.%02lld %lld.%02lld\n",
		    (long long)(up / 1000000000LL),
		    (long long)(up / 10000000LL % 100),
		    (long long)(idle / 1000000000LL),
		    (long long)(idle / 10000000LL % 100));
	return 0;
}

int proc_show_loadavg(struct proc_ctx *ctx, struct pbuf *b)
{
	struct proc_totals tot;

	(void)ctx;
	proc_totals(&tot);
	pbuf_printf(b, "0.00 0.00 0.00 %u/%u %d\n",
		    tot.running ? tot.running : 1, tot.threads, tot.last_pid);
	return 0;
}

int proc_show_version(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_puts(b, "Linux version " SYSINFO_RELEASE
		     " (cvisor@cvisor) (gcc version " __VERSION__ ") "
		     SYSINFO_VERSION "\n");
	return 0;
}

/* Registered filesystem types, "nodev" for those without a block device.
 * The VFS has no iterator over its types: these are the names any part
 * of the Sentry may register, in Linux's registration order. */
int proc_show_filesystems(struct proc_ctx *ctx, struct pbuf *b)
{
	static const struct {
		const char *name;
		bool dev;
	} known[] = {
		{ "sysfs", false },	 { "tmpfs", false },
		{ "bdev", false },	 { "proc", false },
		{ "cgroup", false },	 { "cgroup2", false },
		{ "devtmpfs", false },	 { "binfmt_misc", false },
		{ "configfs", false },	 { "debugfs", false },
		{ "tracefs", false },	 { "securityfs", false },
		{ "sockfs", false },	 { "bpf", false },
		{ "pipefs", false },	 { "ramfs", false },
		{ "hugetlbfs", false },	 { "devpts", false },
		{ "ext3", true },	 { "ext2", true },
		{ "ext4", true },	 { "squashfs", true },
		{ "vfat", true },	 { "fuseblk", true },
		{ "fuse", false },	 { "fusectl", false },
		{ "mqueue", false },	 { "9p", false },
		{ "overlay", false },	 { "goferfs", false },
	};

	(void)ctx;
	for (size_t k = 0; k < sizeof(known) / sizeof(*known); k++)
		if (vfs_find_fs(known[k].name))
			pbuf_printf(b, "%s\t%s\n", known[k].dev ? "" : "nodev",
				    known[k].name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* sys/                                                                */

static int show_hostname(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_printf(b, "%s\n", kernel->hostname);
	return 0;
}

static int show_domainname(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_printf(b, "%s\n", kernel->domainname);
	return 0;
}

static int show_port_start(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_printf(b, "%d\n", sysctl_unprivileged_port_start());
	return 0;
}

static int show_pid_max(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_printf(b, "%d\n", PIDNS_PID_MAX);
	return 0;
}

static int show_cap_last_cap(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	pbuf_printf(b, "%d\n", LINUX_CAP_LAST_CAP);
	return 0;
}

static int show_boot_id(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	proc_sys_init();
	pbuf_printf(b, "%s\n", boot_id);
	return 0;
}

/* random/uuid: a new one on every read, as Linux. */
static int show_uuid(struct proc_ctx *ctx, struct pbuf *b)
{
	char u[37];

	(void)ctx;
	make_uuid(u);
	pbuf_printf(b, "%s\n", u);
	return 0;
}

/* /proc/sysvipc/: the System V objects, from their own modules. */
static int show_sysvipc(struct pbuf *b, void (*show)(FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	show(f);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	pbuf_write(b, text, len);
	free(text);
	return 0;
}

static int show_sysvipc_sem(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	return show_sysvipc(b, sem_proc_show);
}

static int show_sysvipc_msg(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	return show_sysvipc(b, msg_proc_show);
}

static int show_sysvipc_shm(struct proc_ctx *ctx, struct pbuf *b)
{
	(void)ctx;
	return show_sysvipc(b, shm_proc_show);
}

static const struct proc_node sysvipc_dir[] = {
	PROC_REG("msg", 0444, show_sysvipc_msg),
	PROC_REG("sem", 0444, show_sysvipc_sem),
	PROC_REG("shm", 0444, show_sysvipc_shm),
	{ 0 },
};

static const struct proc_node sys_kernel_random[] = {
	PROC_REG("boot_id", 0444, show_boot_id),
	PROC_REG("uuid", 0444, show_uuid),
	{ 0 },
};

static const struct proc_node sys_kernel[] = {
	PROC_REG("cap_last_cap", 0444, show_cap_last_cap),
	PROC_REG("domainname", 0444, show_domainname),
	PROC_REG("hostname", 0444, show_hostname),
	/* The System V limits: Linux's defaults, which the Sentry keeps
	 * (sentry/abi/ipc.h). */
	PROC_TEXT("msgmax", "8192\n"),
	PROC_TEXT("msgmnb", "16384\n"),
	PROC_TEXT("msgmni", "32000\n"),
	PROC_TEXT("ngroups_max", "65536\n"),
	PROC_TEXT("osrelease", SYSINFO_RELEASE "\n"),
	PROC_TEXT("ostype", "Linux\n"),
	PROC_REG("pid_max", 0444, show_pid_max),
	PROC_SUBDIR("random", sys_kernel_random, 0x400),
	PROC_TEXT("sem", "32000\t1024000000\t500\t32000\n"),
	PROC_TEXT("shmall", "18446744073692774399\n"),
	PROC_TEXT("shmmax", "18446744073692774399\n"),
	PROC_TEXT("shmmni", "4096\n"),
	{ 0 },
};

static const struct proc_node sys_vm[] = {
	PROC_TEXT("max_map_count", "65530\n"),
	PROC_TEXT("mmap_min_addr", "65536\n"),
	PROC_TEXT("overcommit_memory", "0\n"),
	{ 0 },
};

static const struct proc_node sys_fs[] = {
	PROC_TEXT("file-max", "9223372036854775807\n"),
	PROC_TEXT("nr_open", "1048576\n"),
	{ 0 },
};

static const struct proc_node sys_net_ipv4[] = {
	PROC_REG("ip_unprivileged_port_start", 0444, show_port_start),
	{ 0 },
};

static const struct proc_node sys_net[] = {
	PROC_SUBDIR("ipv4", sys_net_ipv4, 0x800),
	{ 0 },
};

static const struct proc_node sys_dir[] = {
	PROC_SUBDIR("fs", sys_fs, 0x600),
	PROC_SUBDIR("kernel", sys_kernel, 0x300),
	PROC_SUBDIR("net", sys_net, 0x700),
	PROC_SUBDIR("vm", sys_vm, 0x500),
	{ 0 },
};

static const struct proc_node root_entries[] = {
	{ .name = "self", .kind = PROC_LINK, .mode = LINUX_S_IFLNK | 0777,
	  .readlink = proc_self_readlink },
	{ .name = "thread-self", .kind = PROC_LINK,
	  .mode = LINUX_S_IFLNK | 0777, .readlink = proc_thread_self_readlink },
	PROC_REG("cpuinfo", 0444, proc_show_cpuinfo),
	PROC_REG("filesystems", 0444, proc_show_filesystems),
	PROC_REG("loadavg", 0444, proc_show_loadavg),
	PROC_REG("meminfo", 0444, proc_show_meminfo),
	{ .name = "mounts", .kind = PROC_LINK, .mode = LINUX_S_IFLNK | 0777,
	  .readlink = proc_text_readlink, .text = "self/mounts" },
	PROC_REG("stat", 0444, proc_show_stat),
	PROC_SUBDIR("sys", sys_dir, 0x200),
	PROC_SUBDIR("sysvipc", sysvipc_dir, 0x900),
	PROC_REG("uptime", 0444, proc_show_uptime),
	PROC_REG("version", 0444, proc_show_version),
	{ .name = "net", .kind = PROC_LINK, .mode = LINUX_S_IFLNK | 0777,
	  .readlink = proc_text_readlink, .text = "self/net" },
	{ 0 },
};

const struct proc_node proc_root_node = {
	.name = "/",
	.kind = PROC_ROOT,
	.mode = LINUX_S_IFDIR | 0555,
	.children = root_entries,
	.ino_base = 0x100,
};
