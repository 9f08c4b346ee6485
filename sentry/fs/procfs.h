/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs.h: the Sentry's /proc: one directory per thread group of the
 * sandbox's pid namespace, the per-process files tools read (stat, status,
 * maps, fd/, ...), and the system-wide files (meminfo, stat, uptime,
 * sys/kernel/...), all generated from Sentry state under the kernel lock.
 */
#ifndef CVISOR_FS_PROCFS_H
#define CVISOR_FS_PROCFS_H

struct superblock;

/* A new procfs instance (one reference for the caller); the first call
 * also registers the "proc" fs type for mount(2). Kernel lock held. */
int procfs_new(struct superblock **out);

/* Register "proc" for mount(2) (idempotent). */
void procfs_register(void);

/* The process an open /proc/PID directory names (what pidfd_send_signal
 * accepts in place of a pidfd), or NULL for any other file or a process
 * that is gone. */
struct file;
struct thread_group;
struct thread_group *procfs_pid_dir_group(struct file *);

#endif
