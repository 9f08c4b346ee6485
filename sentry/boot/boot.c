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
#include <unistd.h>

#include "gen/linux_flags.h"
#include "gofer/client.h"
#include "lib/log.h"
#include "lib/seccomp_filter.h"
#include "platform/platform.h"
#include "platform/ptrace/stub.h"
#include "sentry/boot/boot.h"
#include "sentry/boot/mounts.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/sysinfo.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

/* The memory file may grow this large (virtual: RAM is used on touch). */
#define MEMFILE_MAX (64ULL << 30)

static struct kernel the_kernel;

/* The Gofers of the host directories mounted besides the root, in
 * cfg->mounts order (they live as long as the Sentry). */
static struct gofer_client *mount_gofers[SENTRY_MAX_MOUNTS];

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
	snprintf(kernel->domainname, sizeof(kernel->domainname), "(none)");
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
	for (unsigned k = 0; k < cfg->nmounts; k++) {
		mount_gofers[k] = gofer_client_new(cfg->mounts[k].gofer_fd);
		if (!mount_gofers[k]) {
			log_error("gofer connection: out of memory");
			return -ENOMEM;
		}
	}
	return timer_init();
}

/* The first process: pid 1, root credentials, the container's stdio. */
static int create_init(const struct sentry_config *cfg, struct task **out)
{
	struct thread_group *tg;
	struct task *t = task_alloc();
	struct path root = { kernel->root_mount, kernel->root_mount->root };
	int err;

	if (!t)
		return -ENOMEM;
	t->tid = pidns_alloc(t);
	tg = tg_alloc();
	if (t->tid != 1 || !tg)
		return -ENOMEM;
	tg_add_task(tg, t);
	tg->pgid = tg->sid = 1;
	t->creds = creds_new_root();
	t->sighand = sighand_new();
	if (!t->creds || !t->sighand)
		return -ENOMEM;
	err = fd_table_new(&t->fdt);
	if (!err)
		err = fs_context_new(&root, &t->fs);
	if (!err)
		err = mm_new(&t->mm);
	if (!err)
		err = boot_install_stdio(t, cfg->stdio);
	if (err)
		return err;
	t->fs->umask = 022;
	err = boot_chdir(t, cfg->cwd);
	if (err)
		log_warn("cannot chdir to %s in the sandbox (%s): starting in /",
			 cfg->cwd, strerror(-err));
	kernel->init = t;
	*out = t;
	return 0;
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

/* Install the Sentry's filter; under --debug its default action traps so
 * the violation can be reported (the handler exits at once). */
static int load_filter(void)
{
	struct seccomp_filter f = seccomp_filter_sentry;
	struct sigaction sa = { .sa_sigaction = seccomp_violation,
				.sa_flags = SA_SIGINFO };

	if (log_enabled(LOG_DEBUG)) {
		sigaction(SIGSYS, &sa, NULL);
		f.default_action = SCMP_ACT_TRAP;
	}
	return seccomp_filter_load(&f);
}

/* Count the strings of a NULL-terminated vector. */
static size_t vlen(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int sentry_boot(const struct sentry_config *cfg)
{
	char path[4096];
	struct task *init;
	int err, status;

	/* A host pipe whose reader went away must give the guest EPIPE, not
	 * kill the Sentry. */
	signal(SIGPIPE, SIG_IGN);
	/* One malloc arena: under the kernel lock threads rarely contend,
	 * and a new arena makes glibc read /sys (forbidden after start). */
	mallopt(M_ARENA_MAX, 1);
	err = kernel_init(cfg);
	if (err)
		return err;
	kernel_lock();
	err = boot_mount_filesystems(cfg, mount_gofers);
	if (err)
		log_error("mounting the filesystems: %s", strerror(-err));
	if (!err) {
		err = create_init(cfg, &init);
		if (err)
			log_error("creating the first process: %s",
				  strerror(-err));
	}
	if (!err)
		err = boot_find_command(init, cfg->argv[0], cfg->envp, path,
					sizeof(path));
	if (err) {
		fprintf(stderr, "runsc: %s: %s\n", cfg->argv[0],
			err == -ENOENT ? "command not found" : strerror(-err));
		kernel_unlock();
		return err;
	}
	err = exec_kernel(init, path, cfg->argv, vlen(cfg->argv), cfg->envp,
			  vlen(cfg->envp));
	if (err) {
		fprintf(stderr, "runsc: %s: %s\n", path, strerror(-err));
		kernel_unlock();
		return err;
	}
	if (!cfg->no_seccomp) {
		/* From here on the Sentry can only do what
		 * spec/seccomp/sentry.yaml lists. */
		err = load_filter();
		if (err) {
			log_error("seccomp: %s", strerror(-err));
			kernel_unlock();
			return err;
		}
	}
	kernel->live_tasks = 1;
	err = task_start(init);
	if (err) {
		kernel_unlock();
		return err;
	}
	while (kernel->live_tasks > 0)
		pthread_cond_wait(&kernel->all_exited, &kernel->lock);
	status = kernel->exit_status;
	kernel_unlock();
	return status;
}
