/* SPDX-License-Identifier: Apache-2.0 */
/*
 * task.h: guest threads (tasks) and processes (thread groups).
 *
 * A task is one guest thread, run by one Sentry pthread. Tasks of one
 * process share a thread_group (pids, signal handlers, shared pending
 * signals, rlimits, children, exit status). What clone() can share apart
 * from the thread group is refcounted separately: the address space (mm),
 * the fd table, the filesystem context (cwd, root, umask), the signal
 * handler table.
 */
#ifndef CVISOR_TASK_H
#define CVISOR_TASK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "platform/platform.h"
#include "sentry/abi/signal.h"
#include "sentry/kernel/waitq.h"

struct mm;
struct fd_table;
struct fs_context;
struct thread_group;
struct posix_timer;
struct tty;

/* Credentials, as Linux keeps them (per task; setuid in glibc updates all
 * threads). Capabilities are the 64-bit sets. */
struct creds {
	unsigned refs;
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t *groups;
	uint64_t cap_inheritable, cap_permitted, cap_effective, cap_bounding,
		cap_ambient;
	bool no_new_privs;
	bool keep_caps;
};

struct rlimit64_ {
	uint64_t cur, max;
};
#define RLIM_NLIMITS_ 16

/* A queued signal (siginfo kept for SA_SIGINFO handlers). */
struct pending_signal {
	TAILQ_ENTRY(pending_signal) link;
	struct linux_siginfo info;
};

struct sigpending {
	uint64_t set; /* bit (sig-1) set when at least one is queued */
	TAILQ_HEAD(, pending_signal) queue;
};

/* The signal handler table, shared with CLONE_SIGHAND. */
struct sighand {
	unsigned refs;
	struct linux_sigaction action[LINUX_NSIG];
};

enum task_state {
	TASK_RUNNING,  /* in guest code or in the Sentry on its behalf */
	TASK_BLOCKED,  /* in task_wait */
	TASK_STOPPED,  /* group stop (SIGSTOP) or vfork-parent wait */
	TASK_EXITING,
	TASK_DEAD,     /* its pthread is gone; kept while a zombie leader */
};

struct task {
	int tid;                    /* in the sandbox's pid namespace */
	struct thread_group *tg;
	TAILQ_ENTRY(task) tg_link;  /* in tg->tasks */
	TAILQ_ENTRY(task) all_link; /* in the kernel's list of tasks */

	struct mm *mm;
	struct fd_table *fdt;
	struct fs_context *fs;
	struct creds *creds;
	struct sighand *sighand;

	/* Execution. */
	struct cpu_state cpu;
	struct platform_ctx *ctx;   /* bound to this task's pthread */
	pthread_t thread;
	enum task_state state;
	bool exiting;               /* exit(2) or de_thread: leave at the next check */

	/* Waking: task_wake sets `woken` and signals `cond` (kernel lock). */
	pthread_cond_t cond;
	bool woken;
	bool interrupted;           /* a signal or a kill asks it to stop waiting */
	int interrupt_fd;           /* eventfd that ends a task_host_wait() */
	bool in_host_wait;

	/* Signals. */
	uint64_t sigmask;           /* blocked; bit (sig-1) */
	uint64_t saved_sigmask;     /* restored after sigsuspend/ppoll/pselect */
	uint64_t sigwait_set;       /* blocked signals rt_sigtimedwait waits for */
	bool restore_sigmask;
	struct sigpending pending;  /* sent to this thread */
	struct linux_stack altstack;

	/* The last hardware trap, for the signal frame (cr2, trapno, err). */
	uint64_t trap_cr2, trap_no, trap_err;

	/* Syscall in progress, for restart and strace. */
	uint64_t syscall_nr;
	uint64_t syscall_args[6];
	long (*restart_fn)(struct task *); /* restart_syscall(2) */
	uint64_t restart_args[6];   /* the interrupted call's arguments */
	int64_t restart_deadline_ns;

	/* clone/exit bookkeeping. */
	uint64_t set_child_tid;
	uint64_t clear_child_tid;
	uint64_t robust_list;
	uint64_t robust_list_len;
	int exit_code;              /* wait status of this thread's exit */
	int vfork_parent_tid;       /* woken when this task execs or exits */
	int vfork_child_tid;        /* the vfork child this task waits for */
	bool vfork_done;
	bool in_guest;              /* between ctx_switch's start and its end */
	int64_t guest_since;        /* when the current guest run began */
	bool regs_replaced;         /* execve/rt_sigreturn set all registers */

	char comm[16];
	int64_t start_ns;           /* kernel_now_ns() at creation */
	int64_t utime_ns, stime_ns; /* guest and Sentry time used */
	/* Time spent asleep in task_wait/task_host_poll: a blocking system
	 * call's wall time less this is the system time it used (a sleep
	 * is not CPU time). */
	int64_t blocked_ns;
	int pdeath_signal;
	uint64_t personality;
	uint64_t timer_slack_ns;
	int nice;                   /* -20..19 */
	/* CPU affinity (bit per CPU); applied to the task's Sentry thread
	 * before it next runs guest code when `affinity_dirty`. */
	uint64_t affinity[16];
	bool affinity_dirty;
};

/* A process. The leader's tid is the tgid. */
struct thread_group {
	unsigned refs;
	int tgid;
	struct task *leader;
	TAILQ_HEAD(, task) tasks;   /* live tasks */
	unsigned ntasks;

	struct thread_group *parent;
	TAILQ_HEAD(, thread_group) children;
	TAILQ_ENTRY(thread_group) sibling;
	int exit_signal;            /* sent to the parent at exit (SIGCHLD) */

	int pgid, sid;
	struct tty *tty;            /* controlling terminal (referenced):
				       fork inherits it, setsid drops it
				       (sentry/fs/tty.h) */

	struct sigpending pending;  /* process-directed signals */
	bool group_exiting;         /* exit_group or a fatal signal */
	int group_exit_code;        /* its wait status */
	bool zombie;                /* all tasks exited, not yet reaped */
	bool reaped;

	/* Job control: group stop and continue, reported once to wait(). */
	bool stopped;
	int stop_signal;
	bool stop_reported;         /* WUNTRACED already saw it */
	bool continued;             /* WCONTINUED not yet reported */
	unsigned stop_pending;      /* tasks yet to enter the stop */

	bool external;              /* started by `runsc exec`: no parent inside */
	/* The sandbox's init, protected as a pid namespace's init is
	 * (Linux's SIGNAL_UNKILLABLE): no signal it has no handler for,
	 * but SIGKILL/SIGSTOP from outside, and a synchronous fault. */
	bool unkillable;
	bool child_subreaper;
	bool has_child_subreaper;   /* an ancestor is a subreaper */

	struct waitq child_wq;      /* a child changed state (wait4) */
	struct waitq exit_wq;       /* this group's leader can be reaped */
	struct waitq signalfd_wq;   /* a signal was queued (signalfd readers) */

	struct rlimit64_ rlimits[RLIM_NLIMITS_];

	/* Interval timers and POSIX timers. */
	struct posix_timer *itimer_real;
	struct cpu_itimer *itimer_cpu[2]; /* ITIMER_VIRTUAL, ITIMER_PROF */
	LIST_HEAD(, posix_timer) timers;
	int next_timer_id;

	/* Resource usage of reaped children (RUSAGE_CHILDREN). */
	int64_t children_utime_ns, children_stime_ns;
	int64_t utime_ns, stime_ns; /* of exited threads of this group */

	char exe_path[4096];        /* /proc/PID/exe */
	struct file *exe_file;      /* the running program: denies it writers */
	bool did_exec;              /* setpgid by the parent: EACCES after exec */
	uint64_t maxrss_kb;         /* the largest resident size seen */
	uint64_t children_maxrss_kb;
	uint64_t dumpable;
	int oom_score_adj;
};

/* The running task of the calling Sentry thread (NULL outside a task). */
struct task *task_current(void);

/*
 * Block until task_wake(), the monotonic `deadline_ns` (0: none), or, when
 * interruptible, a signal that must interrupt the call. Must hold the
 * kernel lock; drops it while blocked. Returns 0 (woken), -ETIMEDOUT, or
 * -EINTR (a signal is pending: the caller returns -ERESTARTSYS or -EINTR as
 * its syscall's semantics require).
 */
int task_wait(struct task *, int64_t deadline_ns, bool interruptible);
void task_wake(struct task *);

/*
 * Wait for a host fd to become ready (POLLIN/POLLOUT in `events`) without
 * holding the kernel lock, ending early when the task is woken by a signal
 * (task_wake or a signal makes it return). Must hold the kernel lock; it is
 * dropped during the wait and taken again. Returns the host revents (> 0),
 * -EINTR when a signal is pending, -ETIMEDOUT at the monotonic deadline
 * (0: none), or another -errno.
 */
int task_host_wait(struct task *, int fd, short events, int64_t deadline_ns);
/* The same for several host fds (struct pollfd, revents filled): returns
 * how many are ready (> 0), 0 when woken by task_wake with none ready,
 * -EINTR, -ETIMEDOUT or -errno. */
struct pollfd;
int task_host_poll(struct task *, struct pollfd *fds, int n,
		   int64_t deadline_ns);

/* True if a signal is pending that is not blocked (so a wait must end). */
bool task_signal_pending(struct task *);

/* Look up a task or group in the sandbox's pid namespace. */
struct task *task_by_tid(int tid);
struct thread_group *tg_by_tgid(int tgid);

/* Guest memory of the task's address space; 0 or -EFAULT. */
int task_copy_in(struct task *, uint64_t addr, void *dst, size_t len);
int task_copy_out(struct task *, uint64_t addr, const void *src, size_t len);
/* Copy a NUL-terminated string of at most max-1 bytes plus NUL into dst:
 * returns its length, -EFAULT, or -ENAMETOOLONG when no NUL within max. */
long task_copy_string_in(struct task *, uint64_t addr, char *dst, size_t max);

/* Send a signal (the kernel's kill/tgkill machinery). */
int signal_send_task(struct task *, const struct linux_siginfo *);
int signal_send_group(struct thread_group *, const struct linux_siginfo *);
/* From the host (runsc kill, a signal runsc forwards): as from an
 * ancestor pid namespace, SIGKILL and SIGSTOP reach even init. */
int signal_send_group_from_host(struct thread_group *,
				const struct linux_siginfo *);
/* A synchronous fault signal for the task itself (SIGSEGV at addr...). */
void signal_force(struct task *, int sig, int code, uint64_t addr);

/* Credentials checks. */
bool creds_capable(const struct creds *, int cap);

#endif
