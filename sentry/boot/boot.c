/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot.c: bring up a Sentry. Order matters for security: everything that
 * needs the host (the memory file, the platform's stub master, host
 * facts, the Gofer connection) is set up first; then the seccomp filter
 * goes on; only then does the first guest instruction run.
 */
#include <errno.h>
#include <malloc.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "gofer/client.h"
#include "lib/log.h"
#include "lib/seccomp_filter.h"
#include "platform/platform.h"
#include "platform/ptrace/stub.h"
#include "sentry/boot/boot.h"
#include "sentry/boot/control.h"
#include "sentry/boot/hostsig.h"
#include "sentry/boot/mounts.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/sysctl.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/net/inet.h"
#include "sentry/net/netdev.h"
#include "sentry/vfs/vfs.h"

/* The memory file may grow this large (virtual: RAM is used on touch). */
#define MEMFILE_MAX (64ULL << 30)

static struct kernel the_kernel;

/* The stub filter, compiled before the master stub is forked: the hook
 * runs in that fork and may only make raw syscalls. */
static struct sock_fprog stub_prog;

static int install_stub_filter(void)
{
	return seccomp_filter_install(&stub_prog);
}

static int kernel_init(const struct sentry_config *cfg)
{
	pthread_condattr_t ca;
	pthread_mutexattr_t ma;
	int err;

	kernel = &the_kernel;
	pthread_mutexattr_init(&ma);
	pthread_mutex_init(&kernel->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&kernel->all_exited, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(kernel->hostname, sizeof(kernel->hostname), "%s", cfg->hostname);
	snprintf(kernel->domainname, sizeof(kernel->domainname), "%s",
		 cfg->domainname ? cfg->domainname : "(none)");
	clock_gettime(CLOCK_REALTIME, &kernel->boot_realtime);
	clock_gettime(CLOCK_MONOTONIC, &kernel->boot_monotonic);
	kernel->strace = cfg->strace;
	kernel->strace_fd = cfg->strace_fd;
	sysinfo_init();

	err = memfile_new(MEMFILE_MAX, &kernel->memfile);
	if (err) {
		log_error("memory file: %s", strerror(-err));
		return err;
	}
	if (!cfg->no_seccomp) {
		err = seccomp_filter_export(&seccomp_filter_stub, &stub_prog);
		if (err) {
			log_error("stub seccomp filter: %s", strerror(-err));
			return err;
		}
		platform_stub_install_filter = install_stub_filter;
	}
	err = platform_ptrace_new(memfile_fd(kernel->memfile), &kernel->platform);
	if (err) {
		log_error("ptrace platform: %s", strerror(-err));
		return err;
	}
	mm_init(kernel->memfile, kernel->platform);
	kernel->gofer = gofer_client_new(cfg->gofer_fd);
	if (!kernel->gofer) {
		log_error("gofer connection: out of memory");
		return -ENOMEM;
	}
	return timer_init();
}

/* With --debug, a forbidden syscall is named before the Sentry dies. */
static void seccomp_violation(int sig, siginfo_t *si, void *uc)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg),
			 "sentry: seccomp: forbidden host syscall %d\n",
			 si->si_syscall);

	(void)sig;
	(void)uc;
	if (write(log_get_fd(), msg, (size_t)n) < 0) {
		/* dying anyway */
	}
	_exit(128 + SIGSYS);
}

/* Install the Sentry's filter, with the host-network rules only when
 * --network=host asks for them; under --debug its default action traps
 * so the violation can be reported (the handler exits at once). */
static int load_filter(bool network_host)
{
	struct seccomp_filter f = seccomp_filter_sentry;
	struct sigaction sa = { .sa_sigaction = seccomp_violation,
				.sa_flags = SA_SIGINFO };

	if (log_enabled(LOG_DEBUG)) {
		sigaction(SIGSYS, &sa, NULL);
		f.default_action = SCMP_ACT_TRAP;
	}
	return seccomp_filter_load_with(
		&f, network_host ? &seccomp_filter_sentry_hostnet : NULL);
}

/* The network mode: the stack AF_INET and AF_INET6 sockets get and, for
 * --network=host, the host's interfaces, read while the Sentry still may
 * (the filter forbids it afterwards). */
static void network_init(const struct sentry_config *cfg)
{
	int err;

	if (!cfg->network_host) {
		inet_set_mode(NET_MODE_NONE);
		return;
	}
	inet_set_mode(NET_MODE_HOST);
	err = netdev_snapshot_host();
	if (err)
		log_warn("reading the host's interfaces: %s; only lo is shown",
			 strerror(-err));
}

/* Why the sandbox cannot start, when there is more to say than an errno
 * (runsc create prints it). */
static char fail_reason[200];

/* linux.sysctl: what the Sentry models is set (after the config's
 * hostname, as runc writes sysctls after sethostname); the rest are
 * facilities the sandbox does not have, accepted as runsc create
 * validated them. A value Linux would refuse fails the start. */
static int apply_sysctls(const struct sentry_config *cfg)
{
	for (size_t i = 0; i < cfg->nsysctls; i++) {
		const struct sentry_sysctl *s = &cfg->sysctls[i];
		int err = sysctl_set(s->key, s->value);

		if (err == -ENOENT) {
			log_debug("sysctl %s=%s: not modelled by the Sentry; ignored",
				  s->key, s->value);
		} else if (err) {
			snprintf(fail_reason, sizeof(fail_reason),
				 "linux.sysctl.%.60s: value '%.60s'", s->key,
				 s->value);
			return err;
		}
	}
	return 0;
}

/* The first process as `runsc do` describes it: root, the caller's
 * stdio. */
static void do_process(const struct sentry_config *cfg,
		       struct sentry_process *p)
{
	static struct sentry_rlimit limits[RLIM_NLIMITS];
	mode_t mask = umask(0);

	memset(p, 0, sizeof(*p));
	p->argv = cfg->argv;
	p->envp = cfg->envp;
	p->cwd = cfg->cwd;
	memcpy(p->stdio, cfg->stdio, sizeof(p->stdio));
	/* The command runs as if runsc had run it: with the caller's
	 * resource limits and umask, which the Sentry inherited. */
	umask(mask);
	p->has_umask = true;
	p->umask = mask;
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		struct rlimit rl;

		if (getrlimit(r, &rl) != 0)
			continue;
		limits[p->nrlimits++] = (struct sentry_rlimit){
			r, rl.rlim_cur, rl.rlim_max
		};
	}
	p->rlimits = limits;
}

/* `runsc create`: say the sandbox is ready (or why it is not) on the sync
 * fd, then wait for CTL_START. */
static void report_ready(const struct sentry_config *cfg, int err)
{
	char msg[256];
	int n;

	if (cfg->sync_fd < 0)
		return;
	if (err && fail_reason[0])
		n = snprintf(msg, sizeof(msg), "%s: %s", fail_reason,
			     strerror(-err));
	else if (err)
		n = snprintf(msg, sizeof(msg), "%s", strerror(-err));
	else
		n = snprintf(msg, sizeof(msg), "ok");
	if (write(cfg->sync_fd, msg, (size_t)n) < 0)
		log_warn("cannot report readiness: %m");
}

int sentry_boot(const struct sentry_config *cfg)
{
	struct sentry_process dp;
	const struct sentry_process *proc = cfg->process;
	struct task *init;
	int err, status;

	if (!proc) {
		do_process(cfg, &dp);
		proc = &dp;
	}
	/* A host pipe whose reader went away must give the guest EPIPE, not
	 * kill the Sentry. */
	signal(SIGPIPE, SIG_IGN);
	/* Before any thread exists: they all inherit the mask, and only the
	 * host-signal thread takes what is sent to the container's pid. */
	hostsig_block();
	/* One malloc arena: under the kernel lock threads rarely contend,
	 * and a new arena makes glibc read /sys (forbidden after start). */
	mallopt(M_ARENA_MAX, 1);
	err = kernel_init(cfg);
	if (!err)
		err = apply_sysctls(cfg);
	if (!err)
		err = hostsig_start();
	if (err) {
		report_ready(cfg, err);
		return err;
	}
	network_init(cfg);
	kernel_lock();
	err = boot_mount_filesystems(cfg);
	if (err)
		log_error("mounting the filesystems: %s", strerror(-err));
	if (!err) {
		err = boot_spawn(proc, true, &init);
		if (err == -ENOENT)
			fprintf(stderr, "runsc: %s: command not found\n",
				proc->argv[0]);
		else if (err)
			fprintf(stderr, "runsc: %s: %s\n", proc->argv[0],
				strerror(-err));
	}
	if (!err && !cfg->no_seccomp) {
		/* From here on the Sentry can only do what
		 * spec/seccomp/sentry.yaml lists. */
		err = load_filter(cfg->network_host);
		if (err)
			log_error("seccomp: %s", strerror(-err));
	}
	if (!err && cfg->control_fd >= 0) {
		err = control_serve(cfg->control_fd, cfg->sync_fd >= 0);
		if (err)
			log_error("control socket: %s", strerror(-err));
	}
	report_ready(cfg, err);
	if (err) {
		kernel_unlock();
		return err;
	}
	if (cfg->sync_fd >= 0) {
		close(cfg->sync_fd);
		control_wait_start();
	}
	kernel->live_tasks++;
	err = task_start(init);
	if (err) {
		kernel_unlock();
		return err;
	}
	while (kernel->live_tasks > 0)
		pthread_cond_wait(&kernel->all_exited, &kernel->lock);
	status = kernel->exit_status;
	control_shutdown(status);
	kernel_unlock();
	return status;
}
