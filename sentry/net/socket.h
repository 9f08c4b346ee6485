/* SPDX-License-Identifier: Apache-2.0 */
/*
 * socket.h: the Sentry's socket layer (net/socket.c, net/core/sock.c).
 *
 * A socket is one object, refcounted, that a file description points to
 * (f->priv). Families plug in through a `struct socket_family` (how to make
 * a socket, a socket pair) and give each socket a `struct socket_ops`
 * table; the syscalls in sentry/syscalls/net*.c only ever talk to those.
 * What every family shares (buffer sizes, timeouts, SO_* flags, the
 * pending error, the peer's credentials, the wait queue) lives in struct
 * socket and is handled by sockopt.c for SOL_SOCKET.
 *
 * A socket may live longer than its file: a peer or a queued message
 * holds a reference to it, and an AF_UNIX connection not yet accepted has
 * no file at all. The file's release calls ops->release (the close
 * semantics), the last reference ops->destroy (freeing).
 *
 * Everything runs under the kernel lock.
 */
#ifndef CVISOR_NET_SOCKET_H
#define CVISOR_NET_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include "sentry/abi/socket.h"
#include "sentry/kernel/waitq.h"

struct file;
struct task;
struct vfs_uio;
struct socket;

/* socket.shutdown bits (RCV_SHUTDOWN, SEND_SHUTDOWN). */
#define SOCK_RCV_SHUTDOWN 1u
#define SOCK_SEND_SHUTDOWN 2u
#define SOCK_SHUTDOWN_MASK 3u

/* socket.flags: the boolean SOL_SOCKET options. */
#define SOCKF_DEBUG 0x1u
#define SOCKF_REUSEADDR 0x2u
#define SOCKF_DONTROUTE 0x4u
#define SOCKF_BROADCAST 0x8u
#define SOCKF_KEEPALIVE 0x10u
#define SOCKF_OOBINLINE 0x20u
#define SOCKF_NO_CHECK 0x40u
#define SOCKF_PASSCRED 0x80u
#define SOCKF_TIMESTAMP 0x100u
#define SOCKF_PASSSEC 0x200u
#define SOCKF_REUSEPORT 0x400u
#define SOCKF_TIMESTAMPNS 0x800u
#define SOCKF_SNDBUF_LOCK 0x1000u /* SO_SNDBUF was set: never grown */

/* The defaults of net.core.{w,r}mem_default and the maxima that
 * SO_SNDBUF/SO_RCVBUF may ask for (wmem_max, rmem_max), as Linux ships
 * them; the values stored are doubled, as Linux does. */
#define SOCK_WMEM_DEFAULT 212992
#define SOCK_RMEM_DEFAULT 212992
#define SOCK_WMEM_MAX 212992
#define SOCK_RMEM_MAX 212992
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304

/* A timeout that never ends (Linux's MAX_SCHEDULE_TIMEOUT). */
#define SOCK_TIMEO_INFINITE INT64_MAX

/* One sendmsg/recvmsg in the Sentry's terms (the syscalls fill it from
 * the guest's msghdr, read/write from their iovecs). */
struct sock_msg {
	struct task *t;	     /* who sends or receives; NULL: never block */
	struct vfs_uio *uio; /* the data */
	/* Send: the destination (namelen 0: none). Recv: NULL if the
	 * caller wants no source address; else filled, namelen set (0 when
	 * the source has no name). */
	struct linux_sockaddr_storage *name;
	int namelen;
	/* Send: the kernel copy of the guest's control buffer (ctllen
	 * bytes; NULL/0: none), parsed by the family (scm_send). */
	const void *ctl;
	uint64_t ctllen;
	/* Recv: the guest's control buffer, advanced as cmsgs are written
	 * (0/0: none), and the msg_flags to return. */
	uint64_t control;
	uint64_t controllen;
	uint32_t flags;
};

struct socket_ops {
	/* The address is the kernel copy of the guest's (len bytes, at
	 * most sizeof(linux_sockaddr_storage), possibly 0). */
	int (*bind)(struct socket *, struct task *,
		    struct linux_sockaddr_storage *, int len);
	int (*connect)(struct socket *, struct task *,
		       struct linux_sockaddr_storage *, int len, bool nonblock);
	int (*listen)(struct socket *, struct task *, int backlog);
	/* A new connection (referenced, no file yet), waiting unless
	 * nonblock. */
	int (*accept)(struct socket *, struct task *, bool nonblock,
		      struct socket **out);
	/* Bytes sent or received, or -errno. `flags` are MSG_* (with
	 * MSG_DONTWAIT already added for O_NONBLOCK descriptions). */
	long (*sendmsg)(struct socket *, struct sock_msg *, uint32_t flags);
	long (*recvmsg)(struct socket *, struct sock_msg *, uint32_t flags);
	/* Levels other than SOL_SOCKET (all of them with all_levels), with
	 * the guest's pointers (each family knows its sizes). NULL:
	 * -EOPNOTSUPP. */
	int (*getsockopt)(struct socket *, struct task *, int level, int name,
			  uint64_t optval, uint64_t optlen);
	int (*setsockopt)(struct socket *, struct task *, int level, int name,
			  uint64_t optval, int optlen);
	/* how is SHUT_RD, SHUT_WR or SHUT_RDWR (checked). */
	int (*shutdown)(struct socket *, int how);
	/* The address length written to *addr, or -errno (-ENOTCONN). */
	int (*getsockname)(struct socket *, struct linux_sockaddr_storage *);
	int (*getpeername)(struct socket *, struct linux_sockaddr_storage *);
	/* Ready events now, and the queue notified when they change. */
	uint32_t (*poll)(struct socket *, struct waitq **wq);
	/* The family's ioctls; NULL or unknown: -ENOTTY, and the interface
	 * requests (SIOCGIF*) are tried next, as Linux's dev_ioctl. */
	long (*ioctl)(struct socket *, struct task *, uint32_t cmd,
		      uint64_t arg);
	/* SO_PEEK_OFF; NULL: the family has no peek offset (EOPNOTSUPP). */
	int (*set_peek_off)(struct socket *, int val);
	/* The file was closed (or an unaccepted connection dropped). */
	void (*release)(struct socket *);
	/* The last reference went: free priv. */
	void (*destroy)(struct socket *);
	/* getsockopt/setsockopt see SOL_SOCKET too, and hand what the socket
	 * layer keeps to sock_{get,set}sockopt_local (host sockets). */
	bool all_levels;
};

struct socket {
	unsigned refs;
	TAILQ_ENTRY(socket) all_link; /* every socket (socket_for_each) */
	const struct socket_ops *ops;
	struct file *file; /* not referenced; NULL without a description */
	int family, type, protocol;

	uint32_t shutdown; /* SOCK_*_SHUTDOWN */
	bool listening;	   /* SO_ACCEPTCONN */
	int err;	   /* pending error for SO_ERROR (positive errno) */
	unsigned flags;	   /* SOCKF_* */
	int sndbuf, rcvbuf;
	int rcvlowat;
	int priority;
	uint32_t mark;
	int peek_off; /* -1: off */
	int64_t rcvtimeo_ns,
		sndtimeo_ns; /* SOCK_TIMEO_INFINITE, 0: never wait */
	struct linux_linger linger;
	char bound_dev[16]; /* SO_BINDTODEVICE */
	uint64_t cookie;    /* SO_COOKIE, given on first use */

	/* SO_PEERCRED / SO_PEERGROUPS: the peer at connect time. */
	bool has_peercred;
	struct linux_ucred peercred;
	uint32_t peer_ngroups;
	uint32_t *peer_groups;

	struct waitq wq; /* readiness changes: poll, epoll, blocked calls */
	void *priv;	 /* the family's part */
};

/* A family: socket(2) and socketpair(2) for it. */
struct socket_family {
	int family;
	/* A new socket of `type` (SOCK_* without flags) and protocol. */
	int (*create)(struct task *, int type, int protocol,
		      struct socket **out);
	/* Connect two new sockets of the family; NULL: -EOPNOTSUPP. */
	int (*socketpair)(struct task *, struct socket *a, struct socket *b);
};

/* The family for domain, or NULL (EAFNOSUPPORT). */
const struct socket_family *socket_family_find(int domain);

/* A socket with the SOL_SOCKET defaults and one reference. */
struct socket *socket_alloc(int family, int type, int protocol,
			    const struct socket_ops *);
void socket_get(struct socket *);
void socket_put(struct socket *);

/* A description for sock (reference taken over, also on failure);
 * flags may hold LINUX_O_NONBLOCK. The inode's owner is t's fsuid. */
int socket_file(struct task *t, struct socket *sock, uint32_t flags,
		struct file **out);
/* The socket of a description, or NULL if it is none (ENOTSOCK). */
struct socket *socket_of_file(struct file *);

/* Call fn for every socket of `family` (0: all), oldest first, for
 * /proc/net; fn must not free sockets. */
void socket_for_each(int family, void (*fn)(struct socket *, void *),
		     void *arg);

/* SO_ERROR's get-and-clear: the pending error as -errno, or 0. */
int socket_error(struct socket *);
/* Notify the socket's waiters of `events`. */
void socket_wake(struct socket *, uint32_t events);

/* The wait deadline of a call (do_poll's convention): -1 do not wait
 * (nonblock, or a zero timeout), 0 wait forever, else the monotonic
 * deadline from the timeout. */
int64_t socket_deadline(bool nonblock, int64_t timeo_ns);
/*
 * Block t on q (and q2 when not NULL) for `mask` until woken, the
 * deadline, or a signal: 0 (woken: re-check), -EAGAIN (deadline passed
 * or deadline < 0), -ERESTARTSYS (signal, no timeout) or -EINTR (signal
 * with a timeout, as Linux's sock_intr_errno).
 */
int socket_wait(struct task *t, struct waitq *q, struct waitq *q2,
		uint32_t mask, int64_t deadline);

/* SIGPIPE to the sending thread (send_sig(SIGPIPE, current, 0)). */
void socket_sigpipe(struct task *);
/* Record t's process and credentials as the socket's peer credentials
 * (init_peercred); copy another socket's (copy_peercred). */
void socket_set_peercred(struct socket *, struct task *t);
void socket_copy_peercred(struct socket *dst, const struct socket *src);

/* sockopt.c: SOL_SOCKET options with Linux's checks; other levels go to
 * the family. optlen is the guest's pointer (getsockopt) or value. */
int sock_getsockopt(struct socket *, struct task *, int level, int name,
		    uint64_t optval, uint64_t optlen);
int sock_setsockopt(struct socket *, struct task *, int level, int name,
		    uint64_t optval, int optlen);
/* SOL_SOCKET as the socket layer keeps it, whatever the family. */
int sock_getsockopt_local(struct socket *, struct task *, int name,
			  uint64_t optval, uint64_t optlen);
int sock_setsockopt_local(struct socket *, struct task *, int name,
			  uint64_t optval, int optlen);

#endif
