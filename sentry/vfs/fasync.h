/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fasync.h: what a description keeps for signal-driven I/O: fcntl's
 * owner (F_SETOWN, F_SETOWN_EX) and signal (F_SETSIG), and, while
 * O_ASYNC is on, a waiter on the file's poll queue that signals the
 * owner when the file becomes readable or writable (Linux's fown_struct
 * and fasync_struct in one), and a directory's dnotify watch (F_NOTIFY).
 * sentry/syscalls/fs_fasync.c sets it up; file_put frees it.
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

#endif
