/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pidfd.h: file descriptors that refer to a process (pidfd_open,
 * CLONE_PIDFD): readable once the process has exited, usable with
 * waitid(P_PIDFD) and pidfd_send_signal.
 */
#ifndef CVISOR_PIDFD_H
#define CVISOR_PIDFD_H

#include <stdint.h>

struct file;
struct task;
struct thread_group;

/* A new pidfd description for `tg` (flags: LINUX_O_NONBLOCK). */
int pidfd_create(struct thread_group *, uint32_t flags, struct file **out);
/* The process a pidfd refers to: NULL if f is not a pidfd (*not_pidfd set)
 * or the process is gone (reaped). */
struct thread_group *pidfd_group(struct file *, bool *not_pidfd);
/* A process died: pidfds become readable. */
void pidfd_notify_exit(void);

#endif
