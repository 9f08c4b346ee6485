/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostinet.h: the --network=host stack (struct inet_stack hostinet_stack):
 * a sandbox socket of AF_INET or AF_INET6 is a host socket the Sentry
 * owns, made non-blocking and close-on-exec, in the network namespace the
 * Sentry runs in (the host's).
 *
 * A guest call that would block waits in the Sentry, on the socket's
 * wait queue, which the host-fd notifier (sentry/kernel/fdnotify.h)
 * wakes when the host reports readiness: the waiting thread stays
 * interruptible by signals, and poll/epoll see the socket as any other.
 * Data moves between the host socket and the guest's pages directly
 * (vfs_uio_host_iovecs), under the kernel lock: a non-blocking host call
 * never blocks.
 *
 * Everything else goes through spec/netopts.yaml: socket options (host:
 * pass), ioctls, and control messages (SCM_RIGHTS never crosses: a
 * sandbox descriptor means nothing to the host, and a host one must
 * never reach the guest). Addresses are plain data the host checks.
 */
#ifndef CVISOR_NET_HOSTINET_H
#define CVISOR_NET_HOSTINET_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/net/socket.h"

struct sock_msg;
struct task;

struct host_sock {
	int fd; /* the host socket */
	/* A stream's relay of urgent data to the guest's owner (SIGURG):
	 * whether the host reported POLLPRI last time it spoke, and its
	 * FIONREAD then (the bytes before the mark). */
	struct waiter urg_w;
	bool urg_seen;
	int urg_inq;
};

static inline int host_fd(const struct socket *s)
{
	return ((const struct host_sock *)s->priv)->fd;
}

/* hostinet_msg.c */
long hostinet_sendmsg(struct socket *, struct sock_msg *, uint32_t flags);
long hostinet_recvmsg(struct socket *, struct sock_msg *, uint32_t flags);

/* hostinet_opt.c: options and ioctls through spec/netopts.yaml */
int hostinet_getsockopt(struct socket *, struct task *, int level, int name,
			uint64_t optval, uint64_t optlen);
int hostinet_setsockopt(struct socket *, struct task *, int level, int name,
			uint64_t optval, int optlen);
long hostinet_ioctl(struct socket *, struct task *, uint32_t cmd, uint64_t arg);

/* The guest read from a stream (`flags` as it asked): what the host
 * counts before the mark changed. */
void hostinet_urg_read(struct socket *, uint32_t flags);

/* Wait for the host socket to be ready for `events`, as a blocked guest
 * call does: 0 to try again, or -EAGAIN (deadline), -ERESTARTSYS, -EINTR. */
int hostinet_wait(struct socket *, struct task *, uint32_t events,
		  int64_t *deadline);

#endif
