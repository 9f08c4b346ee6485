/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqueue.h: POSIX message queues (Linux's ipc/mqueue.c): the sandbox's
 * one set of named queues and their descriptions. The syscalls in
 * syscalls/mqueue.c copy arguments in and out; this does the rest.
 * Everything here runs under the kernel lock.
 */
#ifndef CVISOR_FS_MQUEUE_H
#define CVISOR_FS_MQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sentry/abi/mqueue.h"
#include "sentry/abi/signal.h"

struct file;
struct task;

struct mq_msg {
	struct mq_msg *next;
	uint32_t prio;
	size_t len;
	char text[];
};

/* Open (or create) queue `name`, already checked by mqueue_name_ok;
 * returns the new fd or -errno. attr: NULL for the defaults. */
long mqueue_open(struct task *, const char *name, uint32_t oflag,
		 uint32_t mode, const struct linux_mq_attr *attr);
long mqueue_unlink(struct task *, const char *name);
/* 0, or the errors of a name in the mqueue root (ENOENT for "", EACCES for
 * ".", ".." and names with '/', ENAMETOOLONG past NAME_MAX). */
int mqueue_name_ok(const char *name);

/* The queue of an fd, referenced, or NULL with -EBADF semantics: the fd
 * is not open or not a queue. */
struct file *mqueue_fd_get(struct task *, int fd);
bool mqueue_file_can(const struct file *, bool write);
int64_t mqueue_msgsize(const struct file *);

/* Blocking at the monotonic deadline (0: none). send takes the message
 * over whatever it returns; receive hands one out on success. */
long mqueue_send(struct task *, struct file *, struct mq_msg *,
		 int64_t deadline);
long mqueue_receive(struct task *, struct file *, int64_t deadline,
		    struct mq_msg **out);
/* ev NULL: unregister (if the caller's process registered). */
long mqueue_notify(struct task *, struct file *,
		   const struct linux_sigevent *ev);
/* The attributes, then O_NONBLOCK from `set` when not NULL. */
void mqueue_getsetattr(struct file *, const struct linux_mq_attr *set,
		       struct linux_mq_attr *old);

#endif
