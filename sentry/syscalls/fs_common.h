/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_common.h: helpers the file syscalls (fs_*.c) share.
 */
#ifndef CVISOR_SYSCALLS_FS_COMMON_H
#define CVISOR_SYSCALLS_FS_COMMON_H

#include <stdint.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/fcntl.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

/* A guest path into buf (LINUX_PATH_MAX bytes): its length, -EFAULT, or
 * -ENAMETOOLONG (no NUL in PATH_MAX bytes), as Linux's getname. */
static inline long fs_getname(struct task *t, uint64_t addr, char *buf)
{
	return task_copy_string_in(t, addr, buf, LINUX_PATH_MAX);
}

/* LOOKUP_* flags from AT_* flags. */
static inline int fs_at_lookup(uint32_t at, bool follow)
{
	int lf = follow ? LOOKUP_FOLLOW : 0;

	if (at & LINUX_AT_SYMLINK_NOFOLLOW)
		lf &= ~LOOKUP_FOLLOW;
	if (at & LINUX_AT_SYMLINK_FOLLOW)
		lf |= LOOKUP_FOLLOW;
	if (at & LINUX_AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY_PATH;
	return lf;
}

/* Signal-driven I/O (fs_fasync.c): fcntl's owner and signal commands,
 * and O_ASYNC turned on (registering f for descriptor fd) or off. */
long fs_fcntl_owner(struct task *, struct file *, int cmd, uint64_t arg);
/* F_NOTIFY: a dnotify watch on the directory open as fd. */
long fs_fcntl_notify(struct task *, struct file *, int fd, uint32_t arg);
int fs_fasync(struct file *, int fd, bool on);

/* stat family (fs_stat.c): resolve and fill a struct linux_stat. */
long fs_do_stat(struct task *, int dirfd, uint64_t path, uint64_t statbuf,
		uint32_t at_flags);

#endif
