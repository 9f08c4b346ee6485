/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_skb.c: AF_UNIX messages: allocation charged to the sender's send
 * buffer, receive queues, credentials and files attached to a message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"

#define SKB_STRUCT_SIZE 256 /* SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
#define SKB_SHINFO_SIZE 320 /* SKB_DATA_ALIGN(sizeof(skb_shared_info)) */
#define PAGE_SIZE_ 4096u

/* kmalloc's size classes (SLUB), then whole power-of-two page runs. */
static size_t kmalloc_size(size_t n)
{
	static const size_t classes[] = {64,  96,   128,  192,	256,
					 512, 1024, 2048, 4096, 8192};
	size_t size = 16384;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (n <= classes[i])
			return classes[i];
	while (size < n)
		size <<= 1;
	return size;
}

size_t unix_truesize(size_t len)
{
	return unix_truesize_split(len, 0);
}

size_t unix_truesize_split(size_t head, size_t frags)
{
	size_t data = (head + 63) & ~(size_t)63;

	frags = (frags + PAGE_SIZE_ - 1) & ~(size_t)(PAGE_SIZE_ - 1);
	return kmalloc_size(data + SKB_SHINFO_SIZE) + SKB_STRUCT_SIZE + frags;
}

struct unix_skb *unix_skb_alloc(struct socket *sender, size_t len,
				size_t truesize)
{
	struct unix_skb *skb = malloc(sizeof(*skb) + len);

	if (!skb)
		return NULL;
	memset(skb, 0, sizeof(*skb));
	skb->len = len;
	skb->uid = (uint32_t)-1;
	skb->gid = (uint32_t)-1;
	if (sender) {
		skb->sender = sender;
		socket_get(sender);
		skb->truesize = truesize;
		unix_sk(sender)->wmem += truesize;
	}
	return skb;
}

/* The sender's buffer has room again (sock_wfree + unix_write_space):
 * writers wake once a quarter of the buffer is in use or less. */
static void uncharge(struct socket *s, size_t truesize)
{
	struct unix_sock *u = unix_sk(s);

	u->wmem -= truesize;
	if (u->wmem * 4 <= (size_t)s->sndbuf)
		socket_wake(s, LINUX_POLLOUT | LINUX_POLLWRNORM |
				       LINUX_POLLWRBAND);
}

void unix_skb_free(struct unix_skb *skb)
{
	if (!skb)
		return;
	if (skb->fp)
		scm_fp_release(unix_detach_fds(skb));
	if (skb->sender) {
		uncharge(skb->sender, skb->truesize);
		socket_put(skb->sender);
	}
	free(skb);
}

void unix_skb_queue_tail(struct socket *r, struct unix_skb *skb)
{
	struct unix_sock *u = unix_sk(r);

	TAILQ_INSERT_TAIL(&u->rq, skb, link);
	u->qlen++;
}

void unix_skb_unlink(struct socket *r, struct unix_skb *skb)
{
	struct unix_sock *u = unix_sk(r);

	TAILQ_REMOVE(&u->rq, skb, link);
	u->qlen--;
	if (u->oob_skb == skb) {
		/* A reader went past the urgent byte, or the queue went. */
		u->oob_skb = NULL;
		u->urg_read = false;
	}
	if (skb->rcharged) {
		u->rmem -= skb->truesize;
		skb->rcharged = false;
	}
}

void unix_purge_queue(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	struct unix_skb *skb;

	while ((skb = TAILQ_FIRST(&u->rq))) {
		unix_skb_unlink(s, skb);
		if (skb->embryo) {
			/* A connection nobody accepted: it closes, and its
			 * connector sees ECONNRESET. */
			unix_release_sock(skb->embryo, true);
			socket_put(skb->embryo);
			skb->embryo = NULL;
		}
		unix_skb_free(skb);
	}
}

int unix_wait_wmem(struct socket *s, struct task *t, int64_t deadline)
{
	for (;;) {
		int err = socket_error(s);

		if (err)
			return err;
		if (s->shutdown & SOCK_SEND_SHUTDOWN)
			return -EPIPE;
		if (unix_sk(s)->wmem < (size_t)s->sndbuf)
			return 0;
		err = socket_wait(t, &s->wq, NULL,
				  LINUX_POLLOUT | LINUX_POLLWRNORM |
					  LINUX_POLLERR | LINUX_POLLHUP,
				  deadline);
		if (err == -EAGAIN && deadline > 0) {
			deadline = -1; /* one last look */
			continue;
		}
		if (err)
			return err;
	}
}

void unix_maybe_add_creds(struct unix_skb *skb, struct socket *s,
			  struct socket *other, struct task *t)
{
	if (skb->pid || !t)
		return;
	if ((s->flags & SOCKF_PASSCRED) || (other->flags & SOCKF_PASSCRED) ||
	    !other->file) {
		skb->pid = t->tg->tgid;
		skb->uid = t->creds->uid;
		skb->gid = t->creds->gid;
	}
}

int unix_attach_fds(struct unix_skb *skb, struct scm_fp_list **fpp,
		    struct task *t)
{
	struct scm_fp_list *fpl = *fpp;

	if (!fpl)
		return 0;
	if (unix_too_many_fds(t))
		return -ETOOMANYREFS;
	skb->fp = fpl;
	*fpp = NULL;
	for (unsigned i = 0; i < fpl->count; i++)
		unix_inflight(fpl->fp[i]);
	unix_user_inflight(fpl->user, (long)fpl->count);
	return 0;
}

struct scm_fp_list *unix_detach_fds(struct unix_skb *skb)
{
	struct scm_fp_list *fpl = skb->fp;

	if (!fpl)
		return NULL;
	skb->fp = NULL;
	for (unsigned i = 0; i < fpl->count; i++)
		unix_notinflight(fpl->fp[i]);
	unix_user_inflight(fpl->user, -(long)fpl->count);
	return fpl;
}
