/* SPDX-License-Identifier: Apache-2.0 */
/*
 * socket.c: sockets as files (sockfs), the family table, and the helpers
 * every family uses to block, time out and signal as Linux does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/netopts.h"
#include "sentry/abi/errno.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/net/inet.h"
#include "sentry/net/netdev.h"
#include "sentry/net/netlink.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/fasync.h"
#include "sentry/vfs/vfs.h"

#define SOCKFS_MAGIC 0x534f434bu

/* The families the Sentry implements; socket(2) of any other gives
 * EAFNOSUPPORT, as Linux does for a family it lacks, which programs
 * probing them at start handle. */
static const struct socket_family *const families[] = {
	&unix_family,
	&inet_family,
	&inet6_family,
	&netlink_family,
};

static TAILQ_HEAD(, socket) all_sockets = TAILQ_HEAD_INITIALIZER(all_sockets);

const struct socket_family *socket_family_find(int domain)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (families[i]->family == domain)
			return families[i];
	return NULL;
}

struct socket *socket_alloc(int family, int type, int protocol,
			    const struct socket_ops *ops)
{
	struct socket *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	s->ops = ops;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->sndbuf = SOCK_WMEM_DEFAULT;
	s->rcvbuf = SOCK_RMEM_DEFAULT;
	s->rcvlowat = 1;
	s->peek_off = -1;
	s->rcvtimeo_ns = SOCK_TIMEO_INFINITE;
	s->sndtimeo_ns = SOCK_TIMEO_INFINITE;
	s->peercred.pid = 0;
	s->peercred.uid = (uint32_t)-1;
	s->peercred.gid = (uint32_t)-1;
	waitq_init(&s->wq);
	TAILQ_INSERT_TAIL(&all_sockets, s, all_link);
	return s;
}

void socket_get(struct socket *s)
{
	s->refs++;
}

void socket_put(struct socket *s)
{
	if (!s || --s->refs)
		return;
	if (s->ops->destroy)
		s->ops->destroy(s);
	TAILQ_REMOVE(&all_sockets, s, all_link);
	free(s->peer_groups);
	free(s);
}

void socket_for_each(int family, void (*fn)(struct socket *, void *), void *arg)
{
	struct socket *s;

	TAILQ_FOREACH(s, &all_sockets, all_link)
	if (!family || s->family == family)
		fn(s, arg);
}

/* sockfs: the superblock of socket inodes, for st_dev and statfs. */
static struct superblock *sockfs_sb(void)
{
	static struct superblock *sb;

	if (!sb && superblock_new(NULL, "sockfs", SOCKFS_MAGIC,
				  SB_PSEUDO | SB_NOCACHE, &sb))
		sb = NULL;
	return sb;
}

static struct socket *sock_of(struct file *f)
{
	return f->priv;
}

/* read(2) is recv with no flags, O_NONBLOCK giving MSG_DONTWAIT. */
static ssize_t sock_read(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct socket *s = sock_of(f);
	struct sock_msg msg = {.t = uio->t, .uio = uio};
	uint32_t flags = 0;

	(void)pos;
	if ((f->flags & LINUX_O_NONBLOCK) || !uio->t)
		flags |= LINUX_MSG_DONTWAIT;
	return s->ops->recvmsg(s, &msg, flags);
}

/* write(2) is send with no flags (a zero-length write sends an empty
 * datagram, as sock_write_iter does; reads of 0 bytes stop in vfs_read). */
static ssize_t sock_write(struct file *f, struct vfs_uio *uio, int64_t *pos)
{
	struct socket *s = sock_of(f);
	struct sock_msg msg = {.t = uio->t, .uio = uio};
	uint32_t flags = 0;

	(void)pos;
	if ((f->flags & LINUX_O_NONBLOCK) || !uio->t)
		flags |= LINUX_MSG_DONTWAIT;
	if (s->type == LINUX_SOCK_SEQPACKET)
		flags |= LINUX_MSG_EOR;
	return s->ops->sendmsg(s, &msg, flags);
}

static uint32_t sock_poll(struct file *f, struct waitq **wq)
{
	struct socket *s = sock_of(f);

	return s->ops->poll(s, wq);
}

/* sock_ioctl: the owner requests (who gets SIGURG and SIGIO, as fcntl's
 * F_SETOWN and F_GETOWN), then sock_do_ioctl: the family's, then the
 * interface requests any socket answers (dev_ioctl). */
static long sock_ioctl(struct file *f, struct task *t, uint32_t cmd,
		       uint64_t arg)
{
	struct socket *s = sock_of(f);
	int32_t who;
	long err;

	switch (cmd) {
	case LINUX_FIOSETOWN:
	case LINUX_SIOCSPGRP:
		if (task_copy_in(t, arg, &who, sizeof(who)))
			return -EFAULT;
		return fasync_setown(t, f, who);
	case LINUX_FIOGETOWN:
	case LINUX_SIOCGPGRP:
		who = fasync_getown(f);
		return task_copy_out(t, arg, &who, sizeof(who)) ? -EFAULT : 0;
	}
	err = s->ops->ioctl ? s->ops->ioctl(s, t, cmd, arg) : -ENOTTY;
	return err == -ENOTTY ? netdev_ioctl(t, cmd, arg) : err;
}

/* The last description went: the socket closes; it may stay in memory
 * while a peer or a queued message still refers to it. */
static void sock_release(struct file *f)
{
	struct socket *s = sock_of(f);

	s->file = NULL;
	if (s->ops->release)
		s->ops->release(s);
	socket_put(s);
}

static const struct file_ops socket_fops = {
	.read = sock_read,
	.write = sock_write,
	.ioctl = sock_ioctl,
	.poll = sock_poll,
	.release = sock_release,
};

struct socket *socket_of_file(struct file *f)
{
	return f && f->ops == &socket_fops ? f->priv : NULL;
}

int socket_file(struct task *t, struct socket *s, uint32_t flags,
		struct file **out)
{
	struct superblock *sb = sockfs_sb();
	struct inode *i;
	char name[40];
	int err;

	if (!sb) {
		socket_put(s);
		return -ENOMEM;
	}
	i = inode_new(sb, NULL, NULL, LINUX_S_IFSOCK | 0777, 0);
	if (!i) {
		socket_put(s);
		return -ENOMEM;
	}
	if (t && t->creds) {
		i->uid = t->creds->fsuid;
		i->gid = t->creds->fsgid;
	}
	snprintf(name, sizeof(name), "socket:[%llu]",
		 (unsigned long long)i->ino);
	err = file_new_pseudo(i, name, &socket_fops,
			      LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK), s,
			      out);
	if (err) {
		socket_put(s);
		return err;
	}
	s->file = *out;
	return 0;
}

int socket_error(struct socket *s)
{
	int err = s->err;

	s->err = 0;
	return -err;
}

void socket_wake(struct socket *s, uint32_t events)
{
	waitq_notify(&s->wq, events);
}

int64_t socket_deadline(bool nonblock, int64_t timeo_ns)
{
	int64_t now;

	if (nonblock || timeo_ns <= 0)
		return -1;
	if (timeo_ns == SOCK_TIMEO_INFINITE)
		return 0;
	now = kernel_now_ns();
	if (timeo_ns > INT64_MAX - now)
		return 0;
	return now + timeo_ns;
}

int socket_wait(struct task *t, struct waitq *q, struct waitq *q2,
		uint32_t mask, int64_t deadline)
{
	struct waiter w, w2;
	int err;

	if (deadline < 0 || !t)
		return -EAGAIN;
	waiter_init_task(&w, t, mask);
	waitq_add(q, &w);
	if (q2) {
		waiter_init_task(&w2, t, mask);
		waitq_add(q2, &w2);
	}
	err = task_wait(t, deadline, true);
	waitq_remove(&w);
	if (q2)
		waitq_remove(&w2);
	if (err == -EINTR)
		return deadline ? -EINTR : -ERESTARTSYS;
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	return 0;
}

void socket_sigpipe(struct task *t)
{
	struct linux_siginfo si = {.signo = LINUX_SIGPIPE,
				   .code = LINUX_SI_USER};

	if (!t)
		return;
	si.u.kill.pid = t->tg ? t->tg->tgid : t->tid;
	si.u.kill.uid = t->creds ? t->creds->uid : 0;
	signal_send_task(t, &si);
}

void socket_set_peercred(struct socket *s, struct task *t)
{
	uint32_t *groups = NULL;
	uint32_t n = 0;

	if (t && t->creds && t->creds->ngroups) {
		n = t->creds->ngroups;
		groups = malloc(n * sizeof(*groups));
		if (groups)
			memcpy(groups, t->creds->groups, n * sizeof(*groups));
		else
			n = 0;
	}
	free(s->peer_groups);
	s->peer_groups = groups;
	s->peer_ngroups = n;
	s->has_peercred = true;
	s->peercred.pid = t && t->tg ? t->tg->tgid : 0;
	s->peercred.uid = t && t->creds ? t->creds->euid : 0;
	s->peercred.gid = t && t->creds ? t->creds->egid : 0;
}

void socket_copy_peercred(struct socket *dst, const struct socket *src)
{
	uint32_t *groups = NULL;
	uint32_t n = src->peer_ngroups;

	if (n) {
		groups = malloc(n * sizeof(*groups));
		if (groups)
			memcpy(groups, src->peer_groups, n * sizeof(*groups));
		else
			n = 0;
	}
	free(dst->peer_groups);
	dst->peer_groups = groups;
	dst->peer_ngroups = n;
	dst->has_peercred = src->has_peercred;
	dst->peercred = src->peercred;
}
