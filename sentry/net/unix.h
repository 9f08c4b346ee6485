/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix.h: AF_UNIX sockets, all inside the Sentry (net/unix/af_unix.c).
 *
 * Every socket has a receive queue of messages (struct unix_skb). A
 * message is charged (its truesize) to the sender's send buffer until the
 * receiver consumes it, which is what blocks a stream or datagram writer:
 * Linux's flow control, where the sender's SO_SNDBUF bounds what it has in
 * flight. A datagram receiver's queue also holds at most
 * net.unix.max_dgram_qlen + 1 messages from senders it is not connected
 * to. A listening socket's queue holds its pending connections: each
 * message carries the new, not yet accepted socket (an "embryo").
 *
 * Names: abstract names (a table keyed by type and bytes), paths (the
 * socket file is made with vfs_mknod_path in whatever filesystem holds
 * the path; the table is keyed by the file's (st_dev, st_ino), so an inode
 * object a remote filesystem re-creates after eviction still leads to the
 * socket), and autobind names ("\0" and five hex digits).
 *
 * Files in flight (SCM_RIGHTS) stay referenced by their message until it
 * is received or dropped; unix_gc.c collects cycles of sockets that only
 * messages in flight keep alive.
 *
 * The same core (queues, flow control, connections between two sockets
 * of one kernel) carries the loopback internet sockets of --network=none
 * (sentry/net/loop*.c): their unix_sock is the first member of a larger
 * struct, and a `struct unix_proto` says what differs (names, how a
 * closed peer looks, what a reader learns about a message).
 */
#ifndef CVISOR_NET_UNIX_H
#define CVISOR_NET_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "sentry/abi/socket.h"
#include "sentry/kernel/waitq.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/vfs.h"

struct socket;
struct socket_family;
struct scm_fp_list;
struct sock_msg;
struct task;

extern const struct socket_family unix_family;

/* net.unix.max_dgram_qlen */
#define UNIX_MAX_DGRAM_QLEN 10
/* net.core.somaxconn */
#define UNIX_SOMAXCONN 4096

enum unix_state {
	UNIX_CLOSE,	/* unconnected (TCP_CLOSE) */
	UNIX_LISTEN,	/* listen() called */
	UNIX_CONNECTED, /* TCP_ESTABLISHED */
};

/* A bound name: the sockaddr_un bytes a getsockname returns, shared by a
 * listener and the sockets it accepts. */
struct unix_addr {
	unsigned refs;
	int len; /* bytes of the sockaddr, family included */
	char name[LINUX_SOCKADDR_STORAGE_SIZE + 1];
};

/* One message in a receive queue. */
struct unix_skb {
	TAILQ_ENTRY(unix_skb) link;
	struct socket *sender; /* referenced; charged `truesize` */
	bool rcharged;	       /* truesize is charged to the receiver's rmem
				  instead (UDP: the sender owns nothing) */
	struct socket *embryo; /* a pending connection (listener queues) */
	struct scm_fp_list *fp;
	/* The sender's credentials (pid 0 and ids -1: none attached). */
	int32_t pid;
	uint32_t uid, gid;
	size_t len;	 /* data bytes */
	size_t consumed; /* stream: bytes already read */
	bool peeked;	 /* datagram: seen by a MSG_PEEK */
	size_t truesize;
	/* The protocol's own per-message data (Linux's skb->cb): the
	 * addresses of a loopback UDP datagram. */
	_Alignas(8) unsigned char cb[48];
	char data[];
};
TAILQ_HEAD(unix_skb_queue, unix_skb);

/* What another family changes in the AF_UNIX core (see above). */
struct unix_proto {
	/* The socket is released: its name leaves the family's tables. */
	void (*unhash)(struct socket *);
	/* A connected stream socket s closed; what its peer sees (`reset`:
	 * s had unread data, or was never accepted). */
	void (*peer_closed)(struct socket *s, struct socket *peer, bool reset);
	/* What a reader learns with a message: its source address (in
	 * msg->name, if asked) and control messages. NULL: nothing. */
	void (*recv_info)(struct socket *receiver, struct sock_msg *,
			  const struct unix_skb *);
	/* Out-of-band data is TCP's urgent byte, which stays in the
	 * stream, rather than AF_UNIX's message of its own (unix_oob.c). */
	bool tcp_urgent;
};
struct unix_sock {
	struct socket *sk;
	const struct unix_proto *proto; /* NULL: AF_UNIX */
	enum unix_state state;
	struct unix_addr *addr; /* bound name, or NULL */
	struct path path;	/* the socket file of a path name */
	bool hashed;		/* in a name table (path: by dev, ino) */
	uint64_t bind_dev, bind_ino;
	LIST_ENTRY(unix_sock) name_link; /* in a name table */
	struct socket *peer;		 /* referenced */
	struct unix_skb_queue rq;	 /* receive (or accept) queue */
	unsigned qlen;			 /* messages in rq */
	unsigned max_backlog;		 /* sk_max_ack_backlog */
	size_t wmem;		 /* truesize of our messages in flight */
	size_t rmem;		 /* truesize charged to our queue (UDP) */
	struct waitq peer_wq;	 /* writers waiting for room in our queue */
	struct waiter peer_wake; /* our relay on a full peer's peer_wq */
	struct socket *peer_wake_on;
	/* Out-of-band data (unix_oob.c): the message whose last byte is
	 * the urgent one, while it is queued in rq and a reader has not
	 * gone past it (AF_UNIX: a message of that one byte, not yet read
	 * with MSG_OOB). */
	struct unix_skb *oob_skb;
	bool urg_read; /* TCP: read with MSG_OOB, still the mark (URG_READ) */
	bool dead;     /* released */
	bool binding;  /* a path bind is making the file */
	/* unix_gc.c: how many of our file's references messages hold. */
	unsigned inflight;
	LIST_ENTRY(unix_sock) inflight_link;
	long gc_refs;
	bool gc_alive; /* during a pass: reachable, or not a candidate */
};

static inline struct unix_sock *unix_sk(const struct socket *s)
{
	return s->priv;
}

/* A datagram receiver's queue is over its limit (max_dgram_qlen), or a
 * listener's backlog is full. */
static inline bool unix_recvq_full(const struct socket *s)
{
	const struct unix_sock *u = unix_sk(s);

	return u->qlen > u->max_backlog;
}

/* unix.c */
/* A new AF_UNIX socket of type (already mapped: SOCK_RAW is DGRAM). */
struct socket *unix_sock_new(int type);
/* Set up the core of a socket of another family (u is s->priv, zeroed;
 * the family's ops are s->ops). */
void unix_sock_init(struct socket *s, struct unix_sock *u,
		    const struct unix_proto *proto);
/* Not listening, and at most a quarter of the send buffer in flight. */
bool unix_writable(const struct socket *);
/* Close a socket: unhash its name, hang up the peer, drop the queue
 * (pending connections are released too). `embrion`: a connection that
 * was never accepted, whose connector then sees ECONNRESET. */
void unix_release_sock(struct socket *, bool embrion);
/* The ops of every socket on the core: close (unix_release_sock without
 * embrion), and the last reference (closing first a socket that never
 * had a file, then freeing priv: a family's larger struct with it). */
void unix_release(struct socket *);
void unix_destroy(struct socket *);
/* SIOCINQ: a stream's unread bytes (whatever the out-of-band mark),
 * else the first message's. */
long unix_inq_len(struct socket *);
/* Its readiness, for the stream and the datagram kinds. */
uint32_t unix_stream_poll(struct socket *, struct waitq **);
uint32_t unix_dgram_poll(struct socket *, struct waitq **);
/* Linux's datagram_poll, for kinds whose senders never wait (UDP,
 * netlink): errors, shutdown, queued messages, always writable. */
uint32_t unix_datagram_poll(struct socket *, struct waitq **);
/* SO_PEEK_OFF: where the next MSG_PEEK starts. */
int unix_set_peek_off(struct socket *, int val);
/* Stop relaying a full peer's wake-ups to our wait queue. */
void unix_peer_wake_disconnect(struct socket *);
/* A non-blocking datagram send finds other's queue full: true (EAGAIN)
 * unless it emptied meanwhile; our pollers are then woken when it has
 * room (unix_dgram_peer_wake_me). */
bool unix_dgram_must_wait(struct socket *s, struct socket *other);

/* unix_addr.c */
void unix_addr_put(struct unix_addr *);
/* unix_validate_addr: 0 or -EINVAL. */
int unix_validate_addr(const struct linux_sockaddr_storage *, int len);
int unix_bind(struct socket *, struct task *, struct linux_sockaddr_storage *,
	      int len);
int unix_autobind(struct socket *);
/* Remove the socket's name from the tables and drop its path. */
void unix_unbind(struct socket *);
/* The socket bound to an address, referenced (unix_find_other):
 * ENOENT/EACCES... from the path walk, ECONNREFUSED when nothing is
 * bound there, EPROTOTYPE for another socket type. */
int unix_find_other(struct task *, struct linux_sockaddr_storage *, int len,
		    int type, struct socket **out);
int unix_getsockname(struct socket *, struct linux_sockaddr_storage *);
int unix_getpeername(struct socket *, struct linux_sockaddr_storage *);
/* Copy the name of socket s into a recvmsg's source address. */
void unix_copy_addr(struct sock_msg *, struct socket *s);
/* What a reader learns with a message (unix_proto.recv_info; for AF_UNIX
 * the sender's name). */
void unix_skb_recv_info(struct socket *receiver, struct sock_msg *,
			const struct unix_skb *);

/* unix_conn.c */
int unix_stream_connect(struct socket *, struct task *,
			struct linux_sockaddr_storage *, int len,
			bool nonblock);
int unix_dgram_connect(struct socket *, struct task *,
		       struct linux_sockaddr_storage *, int len, bool nonblock);
int unix_listen(struct socket *, struct task *, int backlog);
/* listen() once the family has checked the socket may listen. */
int unix_listen_core(struct socket *, struct task *, int backlog);
/* Wire a new stream connection: s (the connector) and newsk (the server
 * side, not yet accepted) become peers; other is the listener. */
void unix_stream_link(struct socket *s, struct task *t, struct socket *other,
		      struct socket *newsk);
int unix_accept(struct socket *, struct task *, bool nonblock,
		struct socket **out);
int unix_shutdown(struct socket *, int how);
int unix_socketpair(struct task *, struct socket *a, struct socket *b);
/* A datagram socket leaves `other` (reconnect, or other died): its queue
 * is flushed and a peer connected back learns ECONNRESET. */
void unix_dgram_disconnected(struct socket *s, struct socket *other);

/* unix_skb.c: messages and queues. */
/* A message of len bytes charged (truesize) to sender, which may be NULL
 * (a listener's queue entry); NULL when out of memory. */
struct unix_skb *unix_skb_alloc(struct socket *sender, size_t len,
				size_t truesize);
/* Unlink nothing: free a message that is in no queue (uncharging the
 * sender and releasing its files). */
void unix_skb_free(struct unix_skb *);
void unix_skb_queue_tail(struct socket *receiver, struct unix_skb *);
void unix_skb_unlink(struct socket *receiver, struct unix_skb *);
/* What Linux charges for a message of len bytes in its head (kmalloc
 * rounding and struct overheads), and with `frags` bytes in pages. */
size_t unix_truesize(size_t len);
size_t unix_truesize_split(size_t head, size_t frags);
/* Wait until the sender may charge more (sock_alloc_send_pskb): 0, or
 * the pending error, -EPIPE after SEND_SHUTDOWN, -EAGAIN, a restart
 * errno. */
int unix_wait_wmem(struct socket *, struct task *, int64_t deadline);
/* Attach the sender's (or the given) credentials, when either side
 * passes them or the receiver is not yet accepted (maybe_add_creds). */
void unix_maybe_add_creds(struct unix_skb *, struct socket *s,
			  struct socket *other, struct task *t);
/* Attach a send's files to a message, counting them in flight; 0 or
 * -ETOOMANYREFS when the sender has too many in flight. */
int unix_attach_fds(struct unix_skb *, struct scm_fp_list **fpp,
		    struct task *t);
/* Take a message's files off it (received), uncounting them. */
struct scm_fp_list *unix_detach_fds(struct unix_skb *);
/* Drop every message of the socket's queue. */
void unix_purge_queue(struct socket *);

/* unix_stream.c / unix_dgram.c */
long unix_stream_sendmsg(struct socket *, struct sock_msg *, uint32_t flags);
long unix_stream_recvmsg(struct socket *, struct sock_msg *, uint32_t flags);
/* The stream data path after the family's checks: a write into other's
 * queue (consumes scm), and a read of our queue. */
struct scm_cookie;
long unix_stream_send(struct socket *s, struct socket *other, struct sock_msg *,
		      uint32_t flags, struct scm_cookie *);
long unix_stream_read(struct socket *, struct sock_msg *, uint32_t flags);
long unix_dgram_sendmsg(struct socket *, struct sock_msg *, uint32_t flags);
long unix_dgram_recvmsg(struct socket *, struct sock_msg *, uint32_t flags);
long unix_seqpacket_sendmsg(struct socket *, struct sock_msg *, uint32_t flags);
long unix_seqpacket_recvmsg(struct socket *, struct sock_msg *, uint32_t flags);

/* unix_oob.c: out-of-band data on the core's streams, as AF_UNIX
 * (af_unix.c's oob_skb) or TCP (the urgent pointer) has it. */
/* The last message of a send with MSG_OOB was queued on r. */
void unix_oob_queued(struct socket *r, struct unix_skb *skb);
/* recv(MSG_OOB). */
long unix_oob_recv(struct socket *, struct sock_msg *, uint32_t flags);
/* A stream read comes to skb, `*skip` bytes into its unread part, with
 * `copied` bytes read so far: the message to read from now (skb, or one
 * after it past a skipped urgent byte), or NULL: stop at the mark (with
 * copied > 0) or nothing to read yet. */
struct unix_skb *unix_oob_filter(struct socket *, struct unix_skb *skb,
				 size_t *skip, uint32_t flags, size_t copied);
/* How much of skb, from `off` bytes into it, a read may take before the
 * mark (SIZE_MAX: the mark is not there). */
size_t unix_oob_room(struct socket *, const struct unix_skb *skb, size_t off);
/* SIOCATMARK: the next byte to read is at the mark. */
bool unix_oob_at_mark(struct socket *);
/* Urgent data waits to be read with MSG_OOB (POLLPRI). */
bool unix_oob_pending(struct socket *);
/* TCP's SIOCINQ (tcp_inq): without SO_OOBINLINE, only the bytes before
 * a pending mark. */
long unix_oob_tcp_inq(struct socket *);

/* unix_gc.c */
/* A file goes into / comes out of flight. */
void unix_inflight(struct file *);
void unix_notinflight(struct file *);
/* Would a sender of uid `user` exceed its in-flight limit? */
bool unix_too_many_fds(struct task *);
void unix_user_inflight(uint32_t user, long delta);
/* Collect sockets kept alive only by messages in flight in cycles. */
void unix_gc(void);
/* Is a GC pass worth running (some socket is in flight)? */
bool unix_gc_pending(void);
/* A send with many sockets in flight collects first (wait_for_unix_gc). */
void unix_gc_on_send(void);

#endif
