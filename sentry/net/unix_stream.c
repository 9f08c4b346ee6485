/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_stream.c: SOCK_STREAM data (unix_stream_sendmsg and
 * unix_stream_read_generic).
 *
 * A write is cut into messages of at most half the send buffer, each
 * waiting for room in it; files ride on the first one. A read gathers
 * bytes across messages until it has what it needs (at least SO_RCVLOWAT,
 * all of it with MSG_WAITALL), but never past a message that carries
 * files, nor, when the reader passes credentials, across writers with
 * different ones, nor across the mark of out-of-band data (unix_oob.c).
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

#define SKB_MAX_HEAD 3776u    /* SKB_MAX_HEAD(0) */
#define UNIX_SKB_FRAGS 32768u /* UNIX_SKB_FRAGS_SZ */

/* One chunk of a write: its size, and what Linux charges for it (a head
 * of at most SKB_MAX_HEAD bytes, the rest in pages). */
static size_t chunk_size(const struct socket *s, size_t left, size_t *truesize)
{
	size_t size = left, frags;

	if (size > (size_t)(s->sndbuf >> 1) - 64)
		size = (size_t)(s->sndbuf >> 1) - 64;
	if (size > SKB_MAX_HEAD + UNIX_SKB_FRAGS)
		size = SKB_MAX_HEAD + UNIX_SKB_FRAGS;
	frags = size > SKB_MAX_HEAD ? size - SKB_MAX_HEAD : 0;
	frags = (frags + 4095) & ~(size_t)4095;
	if (frags > size)
		frags = size;
	*truesize = unix_truesize_split(size - frags, frags);
	return size;
}

/* Fill one message of a write, with the send's credentials and (the
 * first time) files; 0 or -errno (the message is freed). */
static int fill_skb(struct unix_skb *skb, struct sock_msg *msg,
		    struct scm_cookie *scm)
{
	long got;
	int err;

	if (scm->has_creds) {
		skb->pid = scm->creds.pid;
		skb->uid = scm->creds.uid;
		skb->gid = scm->creds.gid;
	}
	err = unix_attach_fds(skb, &scm->fp, msg->t);
	if (err)
		return err;
	got = vfs_uio_copy_from(msg->uio, skb->data, skb->len);
	if (got != (long)skb->len)
		return -EFAULT;
	return 0;
}

long unix_stream_sendmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct unix_sock *u = unix_sk(s);
	struct scm_cookie scm;
	long err;

	unix_gc_on_send();
	err = scm_send(msg->t, s, msg->ctl, msg->ctllen, &scm);
	if (err)
		return err;
	/* Out-of-band data is the last byte: there must be one. */
	err = -EOPNOTSUPP;
	if ((flags & LINUX_MSG_OOB) && !msg->uio->resid)
		goto out;
	if (msg->namelen) {
		err = u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
		goto out;
	}
	err = -ENOTCONN;
	if (!u->peer)
		goto out;
	return unix_stream_send(s, u->peer, msg, flags, &scm);
out:
	scm_destroy(&scm);
	return err;
}

/* The receiver stopped taking data: gone, or (AF_UNIX only, TCP keeps
 * queueing) shut down for reading. */
static bool peer_gone(const struct socket *s, const struct socket *other)
{
	return unix_sk(other)->dead ||
	       (!unix_sk(s)->proto && (other->shutdown & SOCK_RCV_SHUTDOWN));
}

/* Queue a message for the receiver and wake it; the last byte of an
 * urgent one is out-of-band data. */
static void deliver(struct socket *other, struct unix_skb *skb, bool urgent)
{
	unix_skb_queue_tail(other, skb);
	if (urgent)
		unix_oob_queued(other, skb);
	socket_wake(other, LINUX_POLLIN | LINUX_POLLRDNORM |
				   (urgent ? LINUX_POLLPRI : 0));
}

/* unix_wait_wmem would wait, or fail. */
static bool wmem_stops(struct socket *s)
{
	return s->err || (s->shutdown & SOCK_SEND_SHUTDOWN) ||
	       unix_sk(s)->wmem >= (size_t)s->sndbuf;
}

long unix_stream_send(struct socket *s, struct socket *other,
		      struct sock_msg *msg, uint32_t flags,
		      struct scm_cookie *scm)
{
	size_t len = msg->uio->resid, sent = 0, normal = len;
	bool oob = flags & LINUX_MSG_OOB, tcp = unix_sk(s)->proto != NULL;
	struct unix_skb *last = NULL;
	int64_t deadline;
	long err;

	/* AF_UNIX's urgent byte travels alone (queue_oob); TCP's is the
	 * last of the last message. */
	if (oob && !tcp)
		normal = len - 1;
	if (s->shutdown & SOCK_SEND_SHUTDOWN)
		goto pipe_err;
	deadline = socket_deadline(flags & LINUX_MSG_DONTWAIT, s->sndtimeo_ns);
	while (sent < len) {
		size_t want = sent < normal ? normal - sent : len - sent;
		size_t truesize, size = chunk_size(s, want, &truesize);
		bool urgent = oob && sent + size == len;
		struct unix_skb *skb;

		/* TCP pushes what it has before it waits for room or gives
		 * up, the urgent pointer at the last byte so far (tcp_push
		 * in tcp_sendmsg): `last` is still queued, as nothing ran
		 * since. */
		if (last && wmem_stops(s)) {
			unix_oob_queued(other, last);
			socket_wake(other, LINUX_POLLPRI);
		}
		last = NULL;
		err = unix_wait_wmem(s, msg->t, deadline);
		if (err)
			goto out;
		skb = unix_skb_alloc(s, size, truesize);
		err = -ENOMEM;
		if (!skb)
			goto out;
		err = fill_skb(skb, msg, scm);
		if (err) {
			unix_skb_free(skb);
			goto out;
		}
		if (peer_gone(s, other)) {
			unix_skb_free(skb);
			goto pipe_err;
		}
		if (!tcp)
			unix_maybe_add_creds(skb, s, other, msg->t);
		deliver(other, skb, urgent);
		if (oob && tcp)
			last = skb;
		sent += size;
	}
	scm_destroy(scm);
	return (long)sent;
pipe_err:
	if (!sent && !(flags & LINUX_MSG_NOSIGNAL))
		socket_sigpipe(msg->t);
	err = -EPIPE;
out:
	scm_destroy(scm);
	return sent ? (long)sent : err;
}

static size_t skb_left(const struct unix_skb *skb)
{
	return skb->len - skb->consumed;
}

static bool same_creds(const struct unix_skb *skb, const struct scm_cookie *scm)
{
	return skb->pid == scm->creds.pid && skb->uid == scm->creds.uid &&
	       skb->gid == scm->creds.gid;
}

/* The peek offset moves (sk_peek_offset_fwd/bwd) when it is on. */
static void peek_off_move(struct socket *s, long delta)
{
	if (s->peek_off < 0)
		return;
	if (delta < 0 && s->peek_off < -delta)
		s->peek_off = 0;
	else
		s->peek_off += (int)delta;
}

/* What one read call keeps while it walks the queue. */
struct stream_read {
	struct socket *s;
	struct sock_msg *msg;
	uint32_t flags;
	struct scm_cookie scm;
	bool check_creds;
	bool addr_done;
	size_t size;   /* bytes still wanted */
	size_t copied; /* bytes read */
};

/* A read took `chunk` bytes of skb and came to the urgent byte, which
 * is the last of skb: nothing more this call (the message stays). */
static int stop_at_mark(struct stream_read *r, struct unix_skb *skb,
			size_t chunk)
{
	if (r->flags & LINUX_MSG_PEEK) {
		peek_off_move(r->s, (long)chunk);
		return 0;
	}
	skb->consumed += chunk;
	peek_off_move(r->s, -(long)chunk);
	return 0;
}

/*
 * Read from one message at `skip` bytes into its unread part. Returns 1
 * to go on with the next message, 0 to stop, or -EFAULT (nothing copied
 * from this message).
 */
static int read_one(struct stream_read *r, struct unix_skb *skb, size_t skip)
{
	struct socket *s = r->s;
	bool peek = r->flags & LINUX_MSG_PEEK;
	size_t chunk, room;
	long got;

	if (r->check_creds) {
		/* Never glue messages from different writers. */
		if (!same_creds(skb, &r->scm))
			return 0;
	} else if ((s->flags & SOCKF_PASSCRED) && !unix_sk(s)->proto) {
		r->scm.creds.pid = skb->pid;
		r->scm.creds.uid = skb->uid;
		r->scm.creds.gid = skb->gid;
		r->check_creds = true;
	}
	if (!r->addr_done) {
		unix_skb_recv_info(s, r->msg, skb);
		r->addr_done = true;
	}
	chunk = skb_left(skb) - skip;
	if (chunk > r->size)
		chunk = r->size;
	room = unix_oob_room(s, skb, skb->consumed + skip);
	if (chunk > room)
		chunk = room; /* up to the mark, where the read stops */
	got = vfs_uio_copy_to(r->msg->uio, skb->data + skb->consumed + skip,
			      chunk);
	if (got != (long)chunk)
		return -EFAULT;
	r->copied += chunk;
	r->size -= chunk;
	if (chunk == room)
		return stop_at_mark(r, skb, chunk);
	if (peek) {
		peek_off_move(s, (long)chunk);
		if (skb->fp) {
			r->scm.fp = scm_fp_dup(skb->fp);
			return 0;
		}
		return 1;
	}
	skb->consumed += chunk;
	peek_off_move(s, -(long)chunk);
	if (skb->fp)
		r->scm.fp = unix_detach_fds(skb);
	if (skb_left(skb))
		return 0;
	unix_skb_unlink(s, skb);
	unix_skb_free(skb);
	return r->scm.fp ? 0 : 1;
}

long unix_stream_recvmsg(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	if (unix_sk(s)->state != UNIX_CONNECTED)
		return -EINVAL;
	return unix_stream_read(s, msg, flags);
}

long unix_stream_read(struct socket *s, struct sock_msg *msg, uint32_t flags)
{
	struct unix_sock *u = unix_sk(s);
	struct stream_read r = {.s = s, .msg = msg, .flags = flags};
	size_t target, skip = 0;
	int64_t deadline;
	long err = 0;

	if (flags & LINUX_MSG_OOB)
		return unix_oob_recv(s, msg, flags);
	r.size = msg->uio->resid;
	r.scm.creds.uid = r.scm.creds.gid = (uint32_t)-1;
	target = (flags & LINUX_MSG_WAITALL)	? r.size
		 : (size_t)s->rcvlowat < r.size ? (size_t)s->rcvlowat
						: r.size;
	if (!target)
		target = 1;
	deadline = socket_deadline(flags & LINUX_MSG_DONTWAIT, s->rcvtimeo_ns);
	if ((flags & LINUX_MSG_PEEK) && s->peek_off > 0)
		skip = (size_t)s->peek_off;
	while (r.size) {
		struct unix_skb *skb = TAILQ_FIRST(&u->rq);
		int more;

		/* The mark first: an emptied urgent message at the head
		 * is the filter's to keep or drop, not to step over. */
		if (skb) {
			skb = unix_oob_filter(s, skb, &skip, flags, r.copied);
			if (!skb && r.copied)
				break; /* at the mark, even short of target */
		}
		while (skb && skip >= skb_left(skb)) {
			skip -= skb_left(skb);
			skb = TAILQ_NEXT(skb, link);
		}
		if (!skb) {
			if (r.copied >= target)
				break;
			err = socket_error(s);
			if (err || (s->shutdown & SOCK_RCV_SHUTDOWN))
				break;
			err = socket_wait(msg->t, &s->wq, NULL,
					  LINUX_POLLIN | LINUX_POLLRDNORM |
						  LINUX_POLLRDHUP |
						  LINUX_POLLHUP | LINUX_POLLERR,
					  deadline);
			if (err == -EAGAIN && deadline > 0) {
				deadline = -1;
				err = 0;
				continue;
			}
			if (err) {
				if (err != -EAGAIN) {
					scm_destroy(&r.scm);
					return r.copied ? (long)r.copied : err;
				}
				break;
			}
			continue;
		}
		/* A peek walks on from message to message without
		 * re-reading what it saw; a read consumes from the head. */
		do {
			more = read_one(&r, skb, skip);
			skip = 0;
			if (more < 0) {
				if (!r.copied)
					err = -EFAULT;
				goto done;
			}
			if (!more || !r.size)
				goto done;
			skb = (flags & LINUX_MSG_PEEK) ? TAILQ_NEXT(skb, link)
						       : TAILQ_FIRST(&u->rq);
			if (skb) {
				skb = unix_oob_filter(s, skb, &skip, flags,
						      r.copied);
				if (!skb && r.copied)
					goto done; /* at the mark */
			}
		} while (skb);
		/* A peek ends where the queue does; one that found nothing
		 * past a skipped urgent byte waits like any read. */
		if ((flags & LINUX_MSG_PEEK) && r.copied)
			break;
	}
done:
	scm_recv(s, msg, &r.scm);
	return r.copied ? (long)r.copied : err;
}
