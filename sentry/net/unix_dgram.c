/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_dgram.c: SOCK_DGRAM and SOCK_SEQPACKET data (unix_dgram_sendmsg,
 * __unix_dgram_recvmsg): one message per send, kept whole; a reader with
 * a short buffer gets MSG_TRUNC and loses the rest. A datagram sender
 * waits (or gets EAGAIN) while a receiver that is not connected back to
 * it has more than max_dgram_qlen messages queued.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/vfs.h"

#define SKB_MAX_ALLOC 32448u /* SKB_WITH_OVERHEAD(PAGE_SIZE << 3) */
#define MAX_FRAG_BYTES (17u * 4096u)

#define EV_ALL                                                                 \
	(LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP |        \
	 LINUX_POLLRDNORM | LINUX_POLLWRNORM | LINUX_POLLWRBAND |              \
	 LINUX_POLLRDHUP)

/* What Linux charges for a datagram of len bytes. */
static size_t dgram_truesize(size_t len)
{
	size_t frags = 0;

	if (len > SKB_MAX_ALLOC) {
		frags = len - SKB_MAX_ALLOC;
		if (frags > MAX_FRAG_BYTES)
			frags = MAX_FRAG_BYTES;
		frags = (frags + 4095) & ~(size_t)4095;
	}
	return unix_truesize_split(len - frags, frags);
}

/* The message with its credentials, files and data; 0 or -errno. */
static int build_skb(struct socket *s, struct sock_msg *msg,
		     struct scm_cookie *scm, int64_t deadline,
		     struct unix_skb **out)
{
	size_t len = msg->uio->resid;
	struct unix_skb *skb;
	long got;
	int err;

	if (len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	err = unix_wait_wmem(s, msg->t, deadline);
	if (err)
		return err;
	skb = unix_skb_alloc(s, len, dgram_truesize(len));
	if (!skb)
		return -ENOMEM;
	if (scm->has_creds) {
		skb->pid = scm->creds.pid;
		skb->uid = scm->creds.uid;
		skb->gid = scm->creds.gid;
	}
	err = unix_attach_fds(skb, &scm->fp, msg->t);
	if (!err) {
		got = vfs_uio_copy_from(msg->uio, skb->data, len);
		if (got != (long)len && len)
			err = -EFAULT;
	}
	if (err) {
		unix_skb_free(skb);
		return err;
	}
	*out = skb;
	return 0;
}

/* Our datagram peer is gone: forget it (ECONNREFUSED to the sender). */
static void drop_dead_peer(struct socket *s, struct socket *other)
{
	struct unix_sock *u = unix_sk(s);

	u->peer = NULL;
	unix_peer_wake_disconnect(s);
	socket_wake(s, EV_ALL);
	u->state = UNIX_CLOSE;
	unix_dgram_disconnected(s, other);
	socket_put(other);
}

/*
 * Deliver skb to its receiver: `*otherp` (referenced) or the one bound
 * at the message's address, waiting while its queue is full. Consumes
 * skb on success; 0 or -errno.
 */
static int deliver(struct socket *s, struct sock_msg *msg,
		   struct socket **otherp, struct unix_skb *skb, uint32_t flags)
{
	struct unix_sock *u = unix_sk(s);
	int64_t deadline =
		socket_deadline(flags & LINUX_MSG_DONTWAIT, s->sndtimeo_ns);
	int err;

	for (;;) {
		struct socket *other = *otherp;

		if (!other) {
			if (!msg->namelen)
				return -ECONNRESET;
			err = unix_find_other(msg->t, msg->name, msg->namelen,
					      s->type, otherp);
			if (err)
				return err;
			other = *otherp;
		}
		if (unix_sk(other)->peer && unix_sk(other)->peer != s)
			return -EPERM;
		if (unix_sk(other)->dead) {
			err = 0;
			if (s->type == LINUX_SOCK_SEQPACKET)
				err = -EPIPE;
			else if (u->peer == other) {
				drop_dead_peer(s, other);
				err = -ECONNREFUSED;
			}
			socket_put(other);
			*otherp = NULL;
			if (err)
				return err;
			continue;
		}
		if (other->shutdown & SOCK_RCV_SHUTDOWN)
			return -EPIPE;
		if (other != s && unix_sk(other)->peer != s &&
		    unix_recvq_full(other)) {
			if (deadline >= 0) {
				err = socket_wait(msg->t,
						  &unix_sk(other)->peer_wq,
						  NULL, ~0u, deadline);
				if (err == -EAGAIN && deadline > 0) {
					deadline = -1;
					continue;
				}
				if (err)
					return err;
				continue;
			}
			if (u->peer != other || unix_dgram_must_wait(s, other))
				return -EAGAIN;
		}
		unix_maybe_add_creds(skb, s, other, msg->t);
		unix_skb_queue_tail(other, skb);
		socket_wake(other, LINUX_POLLIN | LINUX_POLLRDNORM);
		return 0;
	}
}

long unix_dgram_sendmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct unix_sock *u = unix_sk(s);
	size_t len = msg->uio->resid;
	struct socket *other = NULL;
	struct unix_skb *skb = NULL;
	struct scm_cookie scm;
	long err;

	unix_gc_on_send();
	err = scm_send(msg->t, s, msg->ctl, msg->ctllen, &scm);
	if (err)
		return err;
	err = -EOPNOTSUPP;
	if (flags & LINUX_MSG_OOB)
		goto out;
	if (msg->namelen) {
		err = unix_validate_addr(msg->name, msg->namelen);
		if (err)
			goto out;
	} else {
		err = -ENOTCONN;
		other = u->peer;
		if (!other)
			goto out;
		socket_get(other);
	}
	if ((s->flags & SOCKF_PASSCRED) && !u->addr) {
		err = unix_autobind(s);
		if (err)
			goto out;
	}
	err = build_skb(
		s, msg, &scm,
		socket_deadline(flags & LINUX_MSG_DONTWAIT, s->sndtimeo_ns),
		&skb);
	if (err)
		goto out;
	err = deliver(s, msg, &other, skb, flags);
	if (err)
		unix_skb_free(skb);
	else
		err = (long)len;
out:
	if (other)
		socket_put(other);
	scm_destroy(&scm);
	return err;
}

long unix_seqpacket_sendmsg(struct socket *s, struct sock_msg *msg,
			    uint32_t flags)
{
	int err = socket_error(s);

	if (err)
		return err;
	if (unix_sk(s)->state != UNIX_CONNECTED)
		return -ENOTCONN;
	msg->namelen = 0;
	return unix_dgram_sendmsg(s, msg, flags);
}

/* A read consumed len bytes: the peek offset moves back with them. */
static void peek_off_back(struct socket *s, size_t len)
{
	if (s->peek_off < 0)
		return;
	s->peek_off = (size_t)s->peek_off > len ? s->peek_off - (int)len : 0;
}

/* __skb_try_recv_from_queue: the message at peek offset `*off` (whole
 * messages before it skipped), or the head. */
static struct unix_skb *find_skb(struct unix_sock *u, uint32_t flags, int *off)
{
	struct unix_skb *skb;
	bool at_off = (flags & LINUX_MSG_PEEK) && *off >= 0;
	int o = at_off ? *off : 0;

	TAILQ_FOREACH(skb, &u->rq, link)
	{
		if (at_off && (size_t)o >= skb->len &&
		    (skb->len || o || skb->peeked)) {
			o -= (int)skb->len;
			continue;
		}
		*off = o;
		return skb;
	}
	return NULL;
}

/* Wait for a message (__skb_wait_for_more_packets): 0 to look again,
 * 1 for end of data (RCV_SHUTDOWN), or -errno. */
static int wait_more(struct socket *s, struct task *t, int64_t *deadline)
{
	int err = socket_error(s);

	if (err)
		return err;
	if (s->shutdown & SOCK_RCV_SHUTDOWN)
		return 1;
	if (s->type == LINUX_SOCK_SEQPACKET &&
	    unix_sk(s)->state != UNIX_CONNECTED &&
	    unix_sk(s)->state != UNIX_LISTEN)
		return -ENOTCONN;
	err = socket_wait(t, &s->wq, NULL,
			  LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLRDHUP |
				  LINUX_POLLHUP | LINUX_POLLERR,
			  *deadline);
	if (err == -EAGAIN && *deadline > 0) {
		*deadline = -1;
		return 0;
	}
	return err;
}

long unix_dgram_recvmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct unix_sock *u = unix_sk(s);
	bool peek = flags & LINUX_MSG_PEEK;
	struct scm_cookie scm = {0};
	struct unix_skb *skb;
	size_t size = msg->uio->resid, avail;
	int64_t deadline;
	int off = 0;
	long err;

	if (flags & LINUX_MSG_OOB)
		return -EOPNOTSUPP;
	deadline = socket_deadline(flags & LINUX_MSG_DONTWAIT, s->rcvtimeo_ns);
	for (;;) {
		off = peek ? s->peek_off : 0;
		err = socket_error(s);
		if (err)
			return err;
		skb = find_skb(u, flags, &off);
		if (skb)
			break;
		if (deadline < 0) {
			err = -EAGAIN;
			break;
		}
		err = wait_more(s, msg->t, &deadline);
		if (err == 1) {
			err = 0;
			break;
		}
		if (err)
			break;
	}
	if (!skb) {
		/* EOF on a disconnected non-blocking SEQPACKET socket. */
		if (s->type == LINUX_SOCK_SEQPACKET && err == -EAGAIN &&
		    (s->shutdown & SOCK_RCV_SHUTDOWN))
			err = 0;
		return err;
	}
	if (!peek)
		unix_skb_unlink(s, skb);
	waitq_notify(&u->peer_wq,
		     LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLWRBAND);
	unix_skb_recv_info(s, msg, skb);
	avail = skb->len - (size_t)off;
	if (size > avail)
		size = avail;
	else if (size < avail)
		msg->flags |= LINUX_MSG_TRUNC;
	if (size &&
	    vfs_uio_copy_to(msg->uio, skb->data + off, size) != (long)size) {
		if (!peek)
			unix_skb_free(skb);
		return -EFAULT;
	}
	scm.creds.pid = skb->pid;
	scm.creds.uid = skb->uid;
	scm.creds.gid = skb->gid;
	if (!peek) {
		if (skb->fp)
			scm.fp = unix_detach_fds(skb);
		peek_off_back(s, skb->len);
	} else {
		if (s->peek_off >= 0)
			s->peek_off += (int)size;
		if (skb->fp)
			scm.fp = scm_fp_dup(skb->fp);
		skb->peeked = true;
	}
	err = (flags & LINUX_MSG_TRUNC) ? (long)avail : (long)size;
	scm_recv(s, msg, &scm);
	if (!peek)
		unix_skb_free(skb);
	return err;
}

long unix_seqpacket_recvmsg(struct socket *s, struct sock_msg *msg,
			    uint32_t flags)
{
	if (unix_sk(s)->state != UNIX_CONNECTED)
		return -ENOTCONN;
	return unix_dgram_recvmsg(s, msg, flags);
}
