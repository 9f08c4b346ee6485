/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tty.h: what every terminal of the Sentry shares (Linux's tty_struct
 * ctrl part and tty_jobctrl.c): the session it is the controlling
 * terminal of, its foreground process group, and the job-control rules
 * built on them. Two kinds of terminals embed a struct tty: pseudo
 * terminals (pty.c) and the container's host terminal (hostfd.c).
 *
 * A process's controlling terminal is thread_group->tty (one reference
 * each); like Linux's signal->tty it is inherited by fork, dropped by
 * setsid, and taken from the whole session when the terminal hangs up or
 * the session leader exits.
 */
#ifndef CVISOR_FS_TTY_H
#define CVISOR_FS_TTY_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct inode;
struct task;
struct thread_group;
struct tty;

struct tty_ops {
	/* Another description of the terminal on f, for /dev/tty and
	 * /dev/console: set f->ops and f->priv as an open op does. */
	int (*open)(struct tty *, struct file *f);
	/* The last reference went. */
	void (*free)(struct tty *);
};

struct tty {
	unsigned refs;
	const struct tty_ops *ops;
	int sid;  /* the session it controls; 0: none */
	int pgrp; /* its foreground process group; 0: none */
};

void tty_init(struct tty *, const struct tty_ops *);
void tty_get(struct tty *);
void tty_put(struct tty *);

/* May t act on its terminal now? 0 when it may (or the terminal is not
 * its controlling one); for a background process: -EIO when sig
 * (SIGTTIN for reads, SIGTTOU for TOSTOP writes and changes) is ignored
 * or blocked (0 instead for SIGTTOU) or its group is orphaned, else sig
 * goes to its group and -ERESTARTSYS (Linux's __tty_check_change). */
int tty_check_change(struct tty *, struct task *, int sig);
/* The session and process-group ioctls every terminal answers:
 * TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID. `master`: called
 * on a pty master, which speaks for its slave without being anyone's
 * controlling terminal. */
bool tty_is_jobctl_ioctl(uint32_t cmd);
long tty_jobctl_ioctl(struct tty *, struct file *, struct task *, uint32_t cmd,
		      uint64_t arg, bool master);
/* An open(2) of the terminal by t: a session leader without a
 * controlling terminal gets this one, if it is free, the open lacks
 * O_NOCTTY (`flags`) and the description can read. */
void tty_open_ctty(struct tty *, struct task *, struct file *, uint32_t flags);
/* ISIG and SIGWINCH: sig to the foreground process group. */
void tty_signal_fg(struct tty *, int sig);
/* The terminal hung up (its pty master closed): SIGHUP and SIGCONT to
 * the session leader, and the session loses it (Linux's
 * tty_signal_session_leader). */
void tty_hangup(struct tty *);

/* The kernel's hooks: fork inherits the controlling terminal, setsid
 * drops it, the end of a process drops it and, for a session leader,
 * takes it from the session with SIGHUP to the foreground group
 * (disassociate_ctty). */
void tty_fork(struct thread_group *child, const struct thread_group *parent);
void tty_setsid(struct thread_group *);
void tty_exit(struct thread_group *);

/* /dev/tty: the caller's controlling terminal, or -ENXIO. */
int tty_open_current(struct inode *, struct file *);

#endif
