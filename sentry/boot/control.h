/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.h: the Sentry's control socket, which runsc start, exec, kill,
 * ps and wait talk to (ARCHITECTURE.md section 1).
 *
 * runsc binds a SOCK_SEQPACKET socket at <root>/<id>/sandbox.sock and
 * hands the listening fd to `runsc boot`. The Sentry only accepts on it
 * and exchanges messages: the seccomp filter allows accept4, recvmsg and
 * sendmsg, never bind or connect. One request and one reply per message;
 * a connection may carry several. Everything in a request is untrusted
 * (anyone who can reach the socket is root on the host, but a bad request
 * must still only fail).
 *
 * Request: struct ctl_req, then for CTL_EXEC: ngroups uint32 gids, then
 * NUL-terminated strings: cwd, argc args, envc environment entries. Its
 * three stdio fds ride along as SCM_RIGHTS.
 * Reply: struct ctl_reply, then `len` bytes of payload (CTL_PS: lines of
 * "PID PPID UID STATE COMM").
 */
#ifndef CVISOR_BOOT_CONTROL_H
#define CVISOR_BOOT_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#define CTL_MSG_MAX (256 * 1024)

enum ctl_op {
	CTL_START = 1,  /* start the first process (after `runsc create`) */
	CTL_KILL,       /* pid (0: the first process), sig, CTL_F_ALL */
	CTL_WAIT,       /* pid (0: the first process): its wait status */
	CTL_PS,         /* the sandbox's processes */
	CTL_EXEC,       /* a new process: value = its pid */
};

#define CTL_F_ALL 1  /* CTL_KILL: every process of the sandbox */
#define CTL_F_TTY 2  /* CTL_EXEC: its stdio is a terminal */
#define CTL_F_CAPS 4 /* CTL_EXEC: the cap_* sets below are its capabilities
			(else root gets all, others none) */
#define CTL_F_NO_NEW_PRIVS 8 /* CTL_EXEC: no_new_privs set */
#define CTL_F_FG 16  /* CTL_KILL: the foreground process group of the
			console if there is one (a terminal's signal),
			else the first process */

struct ctl_req {
	uint32_t op;
	int32_t pid;
	int32_t sig;
	uint32_t flags;
	/* CTL_EXEC */
	uint32_t uid, gid;
	uint32_t umask;
	uint32_t ngroups;
	uint32_t argc, envc;
	uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted,
		cap_ambient;
};

struct ctl_reply {
	int32_t err;    /* 0 or -errno */
	int32_t value;  /* CTL_WAIT: wait status; CTL_EXEC: pid */
	uint32_t len;   /* payload bytes that follow */
};

/*
 * Serve requests on the listening socket `fd` from a thread of its own.
 * The first process is started by CTL_START when `wait_start` is set;
 * control_wait_start blocks the boot thread until then. Kernel lock not
 * held. Returns 0 or -errno.
 */
int control_serve(int fd, bool wait_start);
/* With the kernel lock held: block until CTL_START (or the Sentry is
 * killed). */
void control_wait_start(void);
/* The sandbox has ended with `status`: answer the waiters for the first
 * process and give them a moment to read it. Kernel lock held. */
void control_shutdown(int status);

#endif
