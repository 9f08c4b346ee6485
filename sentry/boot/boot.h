/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot.h: starting a Sentry: the kernel, its filesystems and the first
 * process, then waiting for the sandbox to end.
 */
#ifndef CVISOR_BOOT_H
#define CVISOR_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;

struct sentry_rlimit {
	int resource;            /* RLIMIT_* (the same numbers as Linux's) */
	uint64_t cur, max;
};

/* A process to start in the sandbox: the first one, or one `runsc exec`
 * asks for. Zero uid/gid and no caps given means root with every
 * capability, as `runsc do` runs. */
struct sentry_process {
	char *const *argv;       /* argv[0] found on PATH */
	char *const *envp;
	const char *cwd;
	int stdio[3];            /* host fds; -1 leaves the guest fd closed */
	uint32_t uid, gid;
	const uint32_t *groups;
	size_t ngroups;
	bool has_caps;
	uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted,
		cap_ambient;
	bool no_new_privs;
	bool has_umask;
	uint32_t umask;
	const struct sentry_rlimit *rlimits;
	size_t nrlimits;
};

/* A mount of the OCI config, made after the root. */
enum sentry_mount_kind {
	SENTRY_MOUNT_GOFER,      /* a bind mount served by its own Gofer */
	SENTRY_MOUNT_TMPFS,
	SENTRY_MOUNT_PROC,
	SENTRY_MOUNT_DEV,        /* the Sentry's devfs */
	SENTRY_MOUNT_SYS,        /* the Sentry's sysfs */
	SENTRY_MOUNT_DEVPTS,     /* the Sentry's devpts (its ptys) */
};

/* A linux.sysctl entry: "kernel.hostname" = "box". */
struct sentry_sysctl {
	const char *key, *value;
};

/* A mount made after the root: one of the OCI config, or a host
 * directory `runsc do --rw-dir` asks for. */
struct sentry_mount {
	const char *dest;        /* absolute; a missing mount point is made */
	enum sentry_mount_kind kind;
	unsigned flags;          /* MNT_RDONLY, MNT_NOSUID, MNT_NODEV, MNT_NOEXEC */
	int gofer_fd;            /* SENTRY_MOUNT_GOFER: SOCK_SEQPACKET to it */
	bool writable;           /* SENTRY_MOUNT_GOFER: its Gofer serves it
				    writable */
	uint32_t mode;           /* tmpfs root mode (0: 01777) */
};

#define SENTRY_MAX_MOUNTS 64

struct sentry_config {
	int gofer_fd;            /* SOCK_SEQPACKET to the root's Gofer */
	bool no_overlay;         /* the root is the Gofer's tree read-only,
				    without the writable memory overlay */
	int stdio[3];            /* host fds that become the guest's 0, 1, 2 */
	char *const *argv;       /* the command; argv[0] found on PATH */
	char *const *envp;       /* its environment */
	const char *cwd;         /* its working directory in the sandbox */
	const char *hostname;
	bool strace;
	int strace_fd;           /* where strace lines go */
	bool no_seccomp;         /* debugging only: leave the filter out */
	/* --network=host: internet sockets are host sockets (and the
	 * seccomp filter grows by spec/seccomp/sentry_hostnet.yaml);
	 * otherwise the loopback stack. */
	bool network_host;

	/* OCI containers (runsc create/run); zero for runsc do. */
	const struct sentry_process *process; /* replaces argv..stdio above */
	const char *domainname;
	/* Mounts after the root: in addition to /dev, /dev/shm, /tmp, /proc
	 * and /sys, or (oci_mounts) instead of them. */
	const struct sentry_mount *mounts;
	size_t nmounts;
	bool oci_mounts;
	/* Sysctls to set before the first process starts (those the
	 * Sentry models; the others are logged and left). */
	const struct sentry_sysctl *sysctls;
	size_t nsysctls;
	int control_fd;          /* listening control socket, or -1 */
	int sync_fd;             /* `runsc create`: report readiness here and
				  * wait for CTL_START; -1: start at once */
};

/*
 * Build a process in the sandbox (kernel lock held) and load its program:
 * not started yet. The first one becomes pid 1. Returns 0 or -errno
 * (-ENOENT: the command was not found).
 */
int boot_spawn(const struct sentry_process *, bool first, struct task **out);

/*
 * Run the sandbox to its end. Returns the wait status of the first
 * process (as waitpid reports it), or -errno when the sandbox could not
 * start (after printing why).
 */
int sentry_boot(const struct sentry_config *);

#endif
