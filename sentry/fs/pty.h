/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pty.h: pseudo terminals, shared by pty.c (the pair and its I/O),
 * pty_ioctl.c (the terminal ioctls) and devpts.c (the /dev/pts nodes).
 *
 * One struct pty is the pair: the slave is the real terminal (settings,
 * window size, line discipline, session) and the master a view of it,
 * as in Linux where the master's termios ioctls act on the slave. Data
 * typed at the master goes through `in` (bytes the line discipline could
 * not take yet, raw mode with a full buffer) into the line discipline;
 * what programs write on the slave is processed (OPOST) into `out` for
 * the master to read.
 */
#ifndef CVISOR_FS_PTY_H
#define CVISOR_FS_PTY_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/abi/ioctl.h"
#include "sentry/fs/n_tty.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/waitq.h"

struct file;
struct inode;
struct superblock;
struct task;

#define PTY_BUF_SIZE 16384 /* each direction's queue */
#define PTY_MAX 4096	   /* Linux's default kernel.pty.max */
#define PTY_SLAVE_MAJOR 136

struct pty_queue {
	unsigned char buf[PTY_BUF_SIZE];
	size_t head, len;
};

struct pty {
	struct tty tty; /* first: the job-control part */
	int index;	/* N of /dev/pts/N */
	struct linux_termios termios;
	uint32_t ispeed, ospeed; /* termios2's explicit speeds */
	struct linux_winsize ws;
	struct n_tty ld;       /* the slave's line discipline */
	struct pty_queue in;   /* typed at the master, not yet taken */
	struct pty_queue out;  /* written on the slave, for the master */
	bool master_open;      /* the ptmx description is alive */
	unsigned slave_opens;  /* open slave descriptions */
	bool slave_closed;     /* all slave descriptions closed again */
	bool locked;	       /* TIOCSPTLCK: the slave cannot be opened */
	bool exclusive;	       /* TIOCEXCL */
	unsigned hangups;      /* slave descriptions older than the last
				  hangup are hung up */
	struct waitq master_wq, slave_wq;
	struct inode *node; /* /dev/pts/N (referenced for the pty's life) */
};

/* A slave description. */
struct pty_slave {
	struct pty *pty;
	unsigned gen; /* pty->hangups when it was opened */
};

/* The pty behind a master or slave description, or NULL. */
struct pty *pty_of_master(struct file *);
struct pty *pty_of_slave(struct file *);
bool pty_slave_hung_up(struct file *);

/* The chrdev open of /dev/ptmx and /dev/pts/ptmx: a new pair. */
int ptmx_open(struct inode *, struct file *);
/* Open a slave description of pty on f (the node's open, /dev/tty):
 * -EIO when the master is gone or, `check_lock`, the pair is locked. */
int pty_slave_open(struct pty *, struct file *f, bool check_lock);
/* TIOCGPTPEER: a slave description installed as a new fd of t. */
long pty_open_peer(struct pty *, struct task *, uint32_t flags);
/* Take pending typed input into the line discipline. */
void pty_push_input(struct pty *);
/* Drop data: typed input in the line discipline, typed input not yet
 * taken by it (`in`), output not yet read by the master (`out`). */
void pty_flush(struct pty *, bool ld, bool in, bool out);
/* Hang up the slave side (master closed, TIOCVHANGUP). */
void pty_hangup(struct pty *);

/* The ioctls (pty_ioctl.c). */
long pty_master_ioctl(struct file *, struct task *, uint32_t cmd,
		      uint64_t arg);
long pty_slave_ioctl(struct file *, struct task *, uint32_t cmd, uint64_t arg);

/* devpts.c: numbers and nodes. */
int devpts_attach(struct pty *); /* index and node; 0 or -ENOSPC */
void devpts_hide(struct pty *);	 /* the node goes from /dev/pts */
void devpts_detach(struct pty *); /* the index is free again */

#endif
