/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eventpoll.c: the epoll core (see eventpoll.h), after Linux's
 * fs/eventpoll.c.
 *
 * An epitem is one interest: a callback waiter on the target file's waitq
 * that puts the item on its epoll's ready list and wakes one epoll_wait
 * caller and every poller of the epoll file itself (which is how nested
 * epoll works: an epoll file is a file like the others). Reporting polls
 * each ready item again: an item whose file is not really ready any more
 * leaves the list; a level-triggered one that is stays on it.
 *
 * Items are found through two global hashes: by (epoll, file, fd) for
 * epoll_ctl and by file for the release of a file, so the VFS's structs
 * need no field for epoll.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "gen/linux_flags.h"
#include "sentry/abi/epoll.h"
#include "sentry/abi/poll.h"
#include "sentry/fs/eventpoll.h"
#include "sentry/kernel/waitq.h"
#include "sentry/vfs/vfs.h"

/* Bits of an interest that are not events. */
#define EP_PRIVATE_BITS                                                        \
	(LINUX_EPOLLWAKEUP | LINUX_EPOLLONESHOT | LINUX_EPOLLET |              \
	 LINUX_EPOLLEXCLUSIVE)
/* What EPOLLEXCLUSIVE may come with. */
#define EP_EXCLUSIVE_OK_BITS                                                   \
	(LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLERR | LINUX_POLLHUP |        \
	 LINUX_EPOLLWAKEUP | LINUX_EPOLLET | LINUX_EPOLLEXCLUSIVE)
#define EP_HASH_SIZE 4096u

struct eventpoll;

struct epitem {
	LIST_ENTRY(epitem) key_link;  /* key_hash: (ep, file, fd) */
	LIST_ENTRY(epitem) file_link; /* file_hash: file */
	TAILQ_ENTRY(epitem) ep_link;  /* ep->items */
	TAILQ_ENTRY(epitem) rd_link;  /* ep->ready, when `ready` */
	struct eventpoll *ep;
	struct file *file; /* not referenced: see eventpoll_release */
	int fd;
	bool ready;
	uint32_t events; /* asked for, with EPOLLERR|EPOLLHUP and flags */
	uint64_t data;
	struct waiter w; /* on the file's waitq */
};

struct eventpoll {
	struct waitq wq;      /* epoll_wait callers */
	struct waitq poll_wq; /* poll/select/epoll of this epoll file */
	TAILQ_HEAD(, epitem) items;
	TAILQ_HEAD(, epitem) ready;
	struct file *file;
	unsigned gen;	/* loop checks: visited in check `gen` */
	int loop_depth; /* and the depth found there */
};

LIST_HEAD(epitem_list, epitem);
static struct epitem_list key_hash[EP_HASH_SIZE];
static struct epitem_list file_hash[EP_HASH_SIZE];
static unsigned long nitems_total;
static unsigned loop_gen;

static const struct file_ops eventpoll_fops;

static unsigned ptr_hash(const void *p)
{
	uint64_t h = (uintptr_t)p * 0x9e3779b97f4a7c15ULL;

	return (unsigned)(h >> 40);
}

static unsigned key_of(const struct eventpoll *ep, const struct file *f, int fd)
{
	return (ptr_hash(ep) ^ ptr_hash(f) ^ (unsigned)fd * 2654435761u) &
	       (EP_HASH_SIZE - 1);
}

static unsigned file_key(const struct file *f)
{
	return ptr_hash(f) & (EP_HASH_SIZE - 1);
}

bool is_file_epoll(const struct file *f)
{
	return f->ops == &eventpoll_fops;
}

static struct eventpoll *ep_of(struct file *f)
{
	return f->priv;
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *epi;

	LIST_FOREACH(epi, &key_hash[key_of(ep, f, fd)], key_link)
	if (epi->ep == ep && epi->file == f && epi->fd == fd)
		return epi;
	return NULL;
}

/* Events of the item's file now, of those it asks for; with `wq`, also
 * the queue to wait on. */
static uint32_t item_poll(struct epitem *epi, struct waitq **wq)
{
	return epi->file->ops->poll(epi->file, wq) & epi->events;
}

static void ready_add(struct eventpoll *ep, struct epitem *epi)
{
	if (epi->ready)
		return;
	TAILQ_INSERT_TAIL(&ep->ready, epi, rd_link);
	epi->ready = true;
}

static void ready_del(struct eventpoll *ep, struct epitem *epi)
{
	if (!epi->ready)
		return;
	TAILQ_REMOVE(&ep->ready, epi, rd_link);
	epi->ready = false;
}

/* Something became ready: one epoll_wait caller and every poller of the
 * epoll file are told (Linux wakes ep->wq exclusively). */
static void ep_wake(struct eventpoll *ep)
{
	if (!waitq_empty(&ep->wq))
		waitq_notify_n(&ep->wq, WAITQ_EV_ALL, 1);
	if (!waitq_empty(&ep->poll_wq))
		waitq_notify(&ep->poll_wq, LINUX_POLLIN | LINUX_POLLRDNORM);
}

/* ep_poll_callback: the target's state changed. Returns whether an
 * EPOLLEXCLUSIVE item took the wake-up (it did when an epoll_wait caller
 * of its epoll will see it). */
static int ep_poll_callback(struct waiter *w, uint32_t events)
{
	struct epitem *epi = w->priv;
	struct eventpoll *ep = epi->ep;
	int ewake = 0;

	if (events & WAITQ_EV_FREE) {
		/* The queue goes (a signalfd's process was reaped): the
		 * item stays but will never be woken again. */
		waitq_remove(w);
		return 0;
	}
	/* Disabled by EPOLLONESHOT until the next EPOLL_CTL_MOD. */
	if (!(epi->events & ~EP_PRIVATE_BITS))
		return 0;
	if (events && !(events & epi->events))
		return 0;
	ready_add(ep, epi);
	if (!(epi->events & LINUX_EPOLLEXCLUSIVE))
		ewake = 1;
	if (!waitq_empty(&ep->wq) && (epi->events & LINUX_EPOLLEXCLUSIVE)) {
		switch (events & (LINUX_POLLIN | LINUX_POLLOUT)) {
		case LINUX_POLLIN:
			ewake = !!(epi->events & LINUX_POLLIN);
			break;
		case LINUX_POLLOUT:
			ewake = !!(epi->events & LINUX_POLLOUT);
			break;
		case 0:
			ewake = 1;
			break;
		}
	}
	ep_wake(ep);
	return ewake;
}

/* The waiter's mask: what the item asks for plus what is always
 * reported. */
static uint32_t waiter_mask(const struct epitem *epi)
{
	return (epi->events & ~EP_PRIVATE_BITS) | LINUX_POLLERR |
	       LINUX_POLLHUP | WAITQ_EV_FREE;
}

static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	waitq_remove(&epi->w);
	ready_del(ep, epi);
	LIST_REMOVE(epi, key_link);
	LIST_REMOVE(epi, file_link);
	TAILQ_REMOVE(&ep->items, epi, ep_link);
	nitems_total--;
	free(epi);
}

/* ep_insert: the new item starts watching its file, and is ready at once
 * if the file is. */
static int ep_insert(struct eventpoll *ep, const struct linux_epoll_event *ev,
		     struct file *f, int fd)
{
	struct epitem *epi = calloc(1, sizeof(*epi));
	struct waitq *wq = NULL;
	uint32_t revents;

	if (!epi)
		return -ENOMEM;
	epi->ep = ep;
	epi->file = f;
	epi->fd = fd;
	epi->events = ev->events;
	epi->data = ev->data;
	LIST_INSERT_HEAD(&key_hash[key_of(ep, f, fd)], epi, key_link);
	LIST_INSERT_HEAD(&file_hash[file_key(f)], epi, file_link);
	TAILQ_INSERT_TAIL(&ep->items, epi, ep_link);
	nitems_total++;
	revents = item_poll(epi, &wq);
	waiter_init_fn(&epi->w, ep_poll_callback, epi, waiter_mask(epi));
	if (wq) {
		if (epi->events & LINUX_EPOLLEXCLUSIVE)
			waitq_add_exclusive(wq, &epi->w);
		else
			waitq_add(wq, &epi->w);
	}
	if (revents && !epi->ready) {
		ready_add(ep, epi);
		ep_wake(ep);
	}
	return 0;
}

/* ep_modify: new events and data; a now-ready item goes on the list. */
static int ep_modify(struct eventpoll *ep, struct epitem *epi,
		     const struct linux_epoll_event *ev)
{
	epi->events = ev->events;
	epi->data = ev->data;
	epi->w.mask = waiter_mask(epi);
	if (item_poll(epi, NULL) && !epi->ready) {
		ready_add(ep, epi);
		ep_wake(ep);
	}
	return 0;
}

/* How deep the epolls below ep go (0: none nested), or more than
 * EP_MAX_NESTS when too deep or when `into` is among them (a loop). */
static int depth_down(struct eventpoll *ep, struct eventpoll *into, int depth)
{
	struct epitem *epi;
	int result = 0;

	if (ep->gen == loop_gen)
		return ep->loop_depth;
	ep->gen = loop_gen;
	TAILQ_FOREACH(epi, &ep->items, ep_link) {
		struct eventpoll *sub;
		int d;

		if (!is_file_epoll(epi->file))
			continue;
		sub = ep_of(epi->file);
		if (sub == into || depth > LINUX_EP_MAX_NESTS)
			d = LINUX_EP_MAX_NESTS + 1;
		else
			d = depth_down(sub, into, depth + 1) + 1;
		if (d > result)
			result = d;
		if (result > LINUX_EP_MAX_NESTS)
			break;
	}
	ep->loop_depth = result;
	return result;
}

/* How many epolls ep is nested in, along the longest chain. */
static int depth_up(struct eventpoll *ep)
{
	struct epitem *epi;
	int result = 0;

	if (ep->gen == loop_gen)
		return ep->loop_depth;
	LIST_FOREACH(epi, &file_hash[file_key(ep->file)], file_link) {
		int d;

		if (epi->file != ep->file)
			continue;
		d = depth_up(epi->ep) + 1;
		if (d > result)
			result = d;
	}
	ep->gen = loop_gen;
	ep->loop_depth = result;
	return result;
}

/* ep_loop_check: may `to` go into `ep` without a loop or a chain of more
 * than EP_MAX_NESTS nestings (counting those above ep)? */
static bool ep_loop_ok(struct eventpoll *ep, struct eventpoll *to)
{
	int down, up;

	loop_gen++;
	down = depth_down(to, ep, 0);
	if (down > LINUX_EP_MAX_NESTS)
		return false;
	up = depth_up(ep);
	return down + 1 + up <= LINUX_EP_MAX_NESTS;
}

int eventpoll_ctl(struct file *epf, int op, int fd, struct file *tf,
		  const struct linux_epoll_event *uev)
{
	bool has_event = op != LINUX_EPOLL_CTL_DEL;
	struct linux_epoll_event ev = {0};
	struct eventpoll *ep;
	struct epitem *epi;

	if (!tf->ops->poll)
		return -EPERM;
	if (has_event)
		ev = *uev;
	if (epf == tf || !is_file_epoll(epf))
		return -EINVAL;
	/* Exclusive waiters are queued at ADD only, and not on epolls. */
	if (has_event && (ev.events & LINUX_EPOLLEXCLUSIVE)) {
		if (op == LINUX_EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == LINUX_EPOLL_CTL_ADD &&
		    (is_file_epoll(tf) || (ev.events & ~EP_EXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	ep = ep_of(epf);
	if (op == LINUX_EPOLL_CTL_ADD && is_file_epoll(tf) &&
	    !ep_loop_ok(ep, ep_of(tf)))
		return -ELOOP;
	epi = ep_find(ep, tf, fd);
	switch (op) {
	case LINUX_EPOLL_CTL_ADD:
		if (epi)
			return -EEXIST;
		ev.events |= LINUX_POLLERR | LINUX_POLLHUP;
		return ep_insert(ep, &ev, tf, fd);
	case LINUX_EPOLL_CTL_DEL:
		if (!epi)
			return -ENOENT;
		ep_remove(ep, epi);
		return 0;
	case LINUX_EPOLL_CTL_MOD:
		if (!epi)
			return -ENOENT;
		if (epi->events & LINUX_EPOLLEXCLUSIVE)
			return -EINVAL;
		ev.events |= LINUX_POLLERR | LINUX_POLLHUP;
		return ep_modify(ep, epi, &ev);
	default:
		return -EINVAL;
	}
}

int eventpoll_send(struct file *epf, eventpoll_put_fn put, void *ctx, int max)
{
	struct eventpoll *ep = ep_of(epf);
	struct epitem *epi;
	int n = 0;
	size_t todo = 0;

	/* Only what is on the list now: level-triggered items re-queued
	 * behind it wait for the next call, as Linux's txlist does. */
	TAILQ_FOREACH(epi, &ep->ready, rd_link) {
		todo++;
	}
	while (todo-- && n < max) {
		struct linux_epoll_event ev;
		uint32_t revents;

		epi = TAILQ_FIRST(&ep->ready);
		ready_del(ep, epi);
		revents = item_poll(epi, NULL);
		if (!revents)
			continue;
		ev.events = revents;
		ev.data = epi->data;
		if (put(ctx, n, &ev)) {
			/* Back at the head, still ready. */
			TAILQ_INSERT_HEAD(&ep->ready, epi, rd_link);
			epi->ready = true;
			if (!n)
				n = -EFAULT;
			break;
		}
		n++;
		if (epi->events & LINUX_EPOLLONESHOT)
			epi->events &= EP_PRIVATE_BITS;
		else if (!(epi->events & LINUX_EPOLLET))
			ready_add(ep, epi);
	}
	/* Someone else may take what this caller left (ep_done_scan). */
	if (!TAILQ_EMPTY(&ep->ready) && !waitq_empty(&ep->wq))
		waitq_notify_n(&ep->wq, WAITQ_EV_ALL, 1);
	return n;
}

bool eventpoll_maybe_ready(struct file *epf)
{
	return !TAILQ_EMPTY(&ep_of(epf)->ready);
}

struct waitq *eventpoll_waiters(struct file *epf)
{
	return &ep_of(epf)->wq;
}

/* An epoll file is readable when one of its ready items really is;
 * items that are not leave the list (__ep_eventpoll_poll). */
static uint32_t eventpoll_poll(struct file *f, struct waitq **wq)
{
	struct eventpoll *ep = ep_of(f);
	struct epitem *epi, *next;

	if (wq)
		*wq = &ep->poll_wq;
	for (epi = TAILQ_FIRST(&ep->ready); epi; epi = next) {
		next = TAILQ_NEXT(epi, rd_link);
		if (item_poll(epi, NULL))
			return LINUX_POLLIN | LINUX_POLLRDNORM;
		ready_del(ep, epi);
	}
	return 0;
}

static void eventpoll_file_release(struct file *f)
{
	struct eventpoll *ep = ep_of(f);
	struct epitem *epi;

	while ((epi = TAILQ_FIRST(&ep->items)))
		ep_remove(ep, epi);
	free(ep);
}

static const struct file_ops eventpoll_fops = {
	.llseek = vfs_noop_llseek,
	.poll = eventpoll_poll,
	.release = eventpoll_file_release,
};

void eventpoll_release(struct file *f)
{
	struct epitem *epi, *next;

	if (!nitems_total)
		return;
	for (epi = LIST_FIRST(&file_hash[file_key(f)]); epi; epi = next) {
		next = LIST_NEXT(epi, file_link);
		if (epi->file == f)
			ep_remove(epi->ep, epi);
	}
}

int eventpoll_create(struct file **out)
{
	struct eventpoll *ep = calloc(1, sizeof(*ep));
	struct superblock *sb = vfs_pseudo_sb();
	struct inode *i;
	int err;

	if (!ep)
		return -ENOMEM;
	/* An anon inode: mode 0600 and no file type, as Linux's. */
	if (!sb || !(i = inode_new(sb, NULL, NULL, 0600, 0))) {
		free(ep);
		return -ENOMEM;
	}
	waitq_init(&ep->wq);
	waitq_init(&ep->poll_wq);
	TAILQ_INIT(&ep->items);
	TAILQ_INIT(&ep->ready);
	err = file_new_pseudo(i, "anon_inode:[eventpoll]", &eventpoll_fops,
			      LINUX_O_RDWR, ep, out);
	if (err) {
		free(ep);
		return err;
	}
	ep->file = *out;
	return 0;
}
