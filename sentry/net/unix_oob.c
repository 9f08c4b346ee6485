/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_oob.c: out-of-band data on the core's streams, which AF_UNIX and
 * TCP both have, differently.
 *
 * A send with MSG_OOB makes its last byte the urgent one; the receiver's
 * owner gets SIGURG, and POLLPRI holds until the byte is read with
 * recv(MSG_OOB). Either way a read never goes past the mark in one call:
 * it stops before it, and the next read starts there. What differs:
 *
 * AF_UNIX (af_unix.c's queue_oob and manage_oob): the byte is a message
 * of its own (u->oob_skb). Read with MSG_OOB, it stays queued, empty,
 * as the mark; a normal read coming to it unread drops it, unless
 * SO_OOBINLINE keeps it as data. A new urgent byte leaves the old one in
 * the stream as plain data.
 *
 * TCP (tcp_check_urg, tcp_urg, tcp_recvmsg): the byte stays in the
 * stream, the last one of its message, and the urgent pointer marks it.
 * Read with MSG_OOB (TCP_URG_READ), it is still the mark; a normal read
 * skips it there, or reads it with SO_OOBINLINE, and only then is the
 * urgent state over. A newer urgent byte takes over the mark; the old
 * one is data again, unless the reader stood right at it, when it is
 * dropped. SIOCINQ counts only the bytes before a pending mark.
 *
 * The loopback stack hands TCP's urgent pointer over with the byte it
 * points at, so a reader never knows of one still to come (Linux's
 * TCP_URG_NOTYET, where recv(MSG_OOB) says EAGAIN). A TCP send that
 * must wait for room marks the last byte queued so far, as tcp_push
 * does before the wait; the end of the send marks its own last byte.
 */
#include <errno.h>
#include <stdint.h>

#include "gen/linux_flags.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/fasync.h"
#include "sentry/vfs/vfs.h"

static bool is_tcp(const struct unix_sock *u)
{
	return u->proto && u->proto->tcp_urgent;
}

static size_t skb_left(const struct unix_skb *skb)
{
	return skb->len - skb->consumed;
}

static bool oob_inline(const struct socket *s)
{
	return s->flags & SOCKF_OOBINLINE;
}

/* TCP: the reader's next byte is the urgent one (urg_seq == copied_seq). */
static bool tcp_at_mark(const struct unix_sock *u)
{
	const struct unix_skb *skb = u->oob_skb;

	return skb && skb == TAILQ_FIRST(&u->rq) &&
	       skb->consumed == skb->len - 1;
}

/* Drop a message the reader is done with, or skips. */
static void drop(struct socket *s, struct unix_skb *skb)
{
	unix_skb_unlink(s, skb);
	unix_skb_free(skb);
}

void unix_oob_queued(struct socket *r, struct unix_skb *skb)
{
	struct unix_sock *u = unix_sk(r);
	struct unix_skb *old = u->oob_skb;

	if (is_tcp(u) && old && !oob_inline(r) && tcp_at_mark(u)) {
		/* tcp_check_urg: the reader stands at the old urgent byte,
		 * which it would otherwise now read as data. */
		old->consumed++;
		drop(r, old);
	}
	u->oob_skb = skb;
	u->urg_read = false;
	fasync_send_sigurg(r->file);
}

long unix_oob_recv(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct unix_sock *u = unix_sk(s);
	struct unix_skb *skb = u->oob_skb;
	bool peek = flags & LINUX_MSG_PEEK;
	char c;

	if (oob_inline(s) || !skb || u->urg_read)
		return -EINVAL;
	c = skb->data[skb->len - 1];
	if (is_tcp(u)) {
		/* tcp_recv_urg: the byte stays the mark; an empty buffer
		 * takes it too, with MSG_TRUNC. */
		if (!peek)
			u->urg_read = true;
		msg->flags |= LINUX_MSG_OOB;
		if (!msg->uio->resid) {
			msg->flags |= LINUX_MSG_TRUNC;
			return 0;
		}
		if (!(flags & LINUX_MSG_TRUNC) &&
		    vfs_uio_copy_to(msg->uio, &c, 1) != 1)
			return -EFAULT;
		return 1;
	}
	/* unix_stream_recv_urg: the message stays queued, empty. */
	if (!peek) {
		u->oob_skb = NULL;
		skb->consumed++;
	}
	/* An empty buffer takes it too (a short copy that ends the
	 * buffer is no fault). */
	if (vfs_uio_copy_to(msg->uio, &c, 1) < 0)
		return -EFAULT;
	msg->flags |= LINUX_MSG_OOB;
	return 1;
}

/* tcp_recvmsg at the urgent byte: stop if anything was read; else skip
 * it (a peek steps over it, a read consumes it) or, with SO_OOBINLINE,
 * read it as data. */
static struct unix_skb *tcp_filter(struct socket *s, struct unix_skb *skb,
				   size_t *skip, uint32_t flags, size_t copied)
{
	struct unix_sock *u = unix_sk(s);

	if (skb != u->oob_skb || skb->consumed + *skip != skb->len - 1)
		return skb;
	if (copied)
		return NULL;
	if (oob_inline(s))
		return skb;
	if (flags & LINUX_MSG_PEEK) {
		*skip = 0;
		return TAILQ_NEXT(skb, link);
	}
	skb->consumed++;
	drop(s, skb);
	return TAILQ_FIRST(&u->rq);
}

/* manage_oob: an empty message (an urgent byte read with MSG_OOB) is the
 * mark until a read passes it; an unread urgent message stops a read
 * that has data, else it is skipped (and dropped) or, with SO_OOBINLINE,
 * read as data. */
static struct unix_skb *unix_filter(struct socket *s, struct unix_skb *skb,
				    uint32_t flags, size_t copied)
{
	struct unix_sock *u = unix_sk(s);
	bool peek = flags & LINUX_MSG_PEEK;
	struct unix_skb *next;

	if (skb_left(skb) && skb != u->oob_skb)
		return skb;
	if (!skb_left(skb)) {
		if (copied && (!u->oob_skb || skb == u->oob_skb))
			return NULL;
		next = TAILQ_NEXT(skb, link);
		if (!peek)
			drop(s, skb);
		skb = next;
		if (!skb)
			return NULL;
	}
	if (skb != u->oob_skb)
		return skb;
	if (copied)
		return NULL;
	if (peek)
		return oob_inline(s) ? skb : TAILQ_NEXT(skb, link);
	u->oob_skb = NULL;
	if (oob_inline(s))
		return skb;
	drop(s, skb);
	return TAILQ_FIRST(&u->rq);
}

struct unix_skb *unix_oob_filter(struct socket *s, struct unix_skb *skb,
				 size_t *skip, uint32_t flags, size_t copied)
{
	if (is_tcp(unix_sk(s)))
		return tcp_filter(s, skb, skip, flags, copied);
	return unix_filter(s, skb, flags, copied);
}

size_t unix_oob_room(struct socket *s, const struct unix_skb *skb, size_t off)
{
	const struct unix_sock *u = unix_sk(s);

	/* AF_UNIX's urgent byte is a message of its own: the filter stops
	 * a read before it. */
	if (!is_tcp(u) || skb != u->oob_skb || off >= skb->len - 1)
		return SIZE_MAX;
	return skb->len - 1 - off;
}

bool unix_oob_at_mark(struct socket *s)
{
	const struct unix_sock *u = unix_sk(s);
	const struct unix_skb *head = TAILQ_FIRST(&u->rq);

	if (is_tcp(u))
		return tcp_at_mark(u);
	/* unix_ioctl: the urgent message is next, or an empty one (read
	 * with MSG_OOB) that no newer urgent byte follows but at once. */
	return head &&
	       (head == u->oob_skb ||
		(!skb_left(head) &&
		 (!u->oob_skb || TAILQ_NEXT(head, link) == u->oob_skb)));
}

bool unix_oob_pending(struct socket *s)
{
	const struct unix_sock *u = unix_sk(s);

	return u->oob_skb && !u->urg_read;
}

long unix_oob_tcp_inq(struct socket *s)
{
	const struct unix_sock *u = unix_sk(s);
	const struct unix_skb *skb;
	long n = 0;

	if (oob_inline(s) || !u->oob_skb)
		return unix_inq_len(s);
	TAILQ_FOREACH(skb, &u->rq, link)
	{
		if (skb == u->oob_skb)
			return n + (long)(skb->len - 1 - skb->consumed);
		n += (long)skb_left(skb);
	}
	return n;
}
