/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fasync.h: what a description keeps for signal-driven I/O: fcntl's
 * owner (F_SETOWN, F_SETOWN_EX) and signal (F_SETSIG), and, while
 * O_ASYNC is on, a waiter on the file's poll queue that signals the
 * owner when the file becomes readable or writable (Linux's fown_struct
 * and fasync_struct in one), and a directory's dnotify watch (F_NOTIFY).
 * sentry/syscalls/fs_fasync.c sets it up, sentry/vfs/fasync.c signals
 * the owner; file_put frees it.
 */
#ifndef CVISOR_VFS_FASYNC_H
#define CVISOR_VFS_FASYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/kernel/waitq.h"
#include "sentry/vfs/fsnotify.h"

/* F_OWNER_* of struct f_owner_ex. */
#define LINUX_F_OWNER_TID 0
#define LINUX_F_OWNER_PID 1
#define LINUX_F_OWNER_PGRP 2

/* The si_code of a signal F_SETSIG chose (POLL_*), saying why. */
#define LINUX_POLL_IN 1
#define LINUX_POLL_OUT 2
#define LINUX_POLL_MSG 3
#define LINUX_POLL_PRI 5

struct file;
struct task;

struct file_async {
	struct waiter w; /* on the file's poll queue while O_ASYNC */
	bool registered;
	bool has_owner;	    /* F_SETOWN was called (even with 0) */
	int fd;		    /* si_fd: the descriptor O_ASYNC was set by */
	int owner_type;	    /* LINUX_F_OWNER_* */
	int owner;	    /* tid, pid or pgid; 0: nobody */
	uint32_t uid, euid; /* of whoever set the owner */
	int signum;	    /* F_SETSIG; 0: plain SIGIO */
	/* F_NOTIFY (dnotify) on a directory: a mark of its own. */
	struct fsnotify_mark dn_mark;
	bool dn_active;
	uint32_t dn_mask; /* DN_* */
	int dn_fd;	  /* si_fd of its signals */
};

/* The description's state, made on first use (NULL: out of memory). */
struct file_async *fasync_of(struct file *);
/* send_sigio: SIGIO, or the F_SETSIG signal with si_code `reason`
 * (LINUX_POLL_*), si_fd and si_band, to the owner. */
void fasync_send_sigio(const struct file_async *, int fd, int reason);
/* Urgent data reached a socket (sk_send_sigurg): SIGURG to the owner,
 * and with O_ASYNC and F_SETSIG that signal too, for POLL_PRI. */
void fasync_send_sigurg(struct file *);
/* Does anything answer to this owner (f_getown's pid_task)? */
bool fasync_owner_alive(int type, int who);
/* __f_setown: who gets the signals, and with whose credentials; -ESRCH
 * for a pid nobody has. */
long fasync_set_owner(struct task *, struct file *, int type, int who);
/* f_setown and f_getown: F_SETOWN's int (negative: a process group),
 * which FIOSETOWN and SIOCSPGRP take too. */
long fasync_setown(struct task *, struct file *, int who);
int fasync_getown(struct file *);

#endif
