/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_gc.c: files in flight and the garbage collector of AF_UNIX
 * sockets (net/unix/garbage.c).
 *
 * A socket whose only remaining references are messages in flight in
 * queues that nobody can read any more (a socket sent over itself and
 * closed, two sockets each holding the other) would never be released by
 * reference counting. When a unix socket closes and some unix socket is
 * in flight, a mark-and-sweep pass finds them: candidates are in-flight
 * sockets all of whose file references are in flight; references from
 * other candidates' queues are discounted; candidates still referenced
 * from elsewhere, and everything their queues hold, are alive; the rest
 * are unreachable and their queues are dropped, which releases them.
 *
 * The in-flight counts also bound what a sender may keep in flight
 * (Linux's too_many_unix_fds: more than RLIMIT_NOFILE per user needs
 * CAP_SYS_RESOURCE or CAP_SYS_ADMIN), plus a sandbox-wide ceiling so the
 * Sentry's memory stays bounded even for capable senders.
 */
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/kernel/task.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/vfs.h"

#define INFLIGHT_HARD_MAX (1ul << 20)
#define INFLIGHT_TRIGGER_GC 16000ul

static LIST_HEAD(, unix_sock)
	inflight_socks = LIST_HEAD_INITIALIZER(inflight_socks);
static unsigned long files_inflight;   /* all files in flight */
static unsigned long sockets_inflight; /* unix socket files in flight */
static bool gc_running;

struct user_inflight {
	uint32_t uid;
	long count;
};
static struct user_inflight *users;
static size_t nusers, capusers;

static struct unix_sock *unix_of_file(struct file *f)
{
	struct socket *s = socket_of_file(f);

	return s && s->family == LINUX_AF_UNIX ? unix_sk(s) : NULL;
}

void unix_inflight(struct file *f)
{
	struct unix_sock *u = unix_of_file(f);

	files_inflight++;
	if (!u)
		return;
	if (u->inflight++ == 0)
		LIST_INSERT_HEAD(&inflight_socks, u, inflight_link);
	sockets_inflight++;
}

void unix_notinflight(struct file *f)
{
	struct unix_sock *u = unix_of_file(f);

	files_inflight--;
	if (!u)
		return;
	if (--u->inflight == 0)
		LIST_REMOVE(u, inflight_link);
	sockets_inflight--;
}

static struct user_inflight *user_find(uint32_t uid, bool add)
{
	for (size_t i = 0; i < nusers; i++)
		if (users[i].uid == uid)
			return &users[i];
	if (!add)
		return NULL;
	if (nusers == capusers) {
		size_t cap = capusers ? capusers * 2 : 4;
		struct user_inflight *n = realloc(users, cap * sizeof(*n));

		if (!n)
			return NULL;
		users = n;
		capusers = cap;
	}
	users[nusers] = (struct user_inflight){.uid = uid};
	return &users[nusers++];
}

void unix_user_inflight(uint32_t user, long delta)
{
	struct user_inflight *ui = user_find(user, delta > 0);

	if (!ui)
		return;
	ui->count += delta;
	if (ui->count <= 0)
		*ui = users[--nusers];
}

bool unix_too_many_fds(struct task *t)
{
	struct user_inflight *ui = user_find(t->creds->uid, false);

	if (files_inflight >= INFLIGHT_HARD_MAX)
		return true;
	if (ui && (uint64_t)ui->count > fd_limit(t))
		return !creds_capable(t->creds, LINUX_CAP_SYS_RESOURCE) &&
		       !creds_capable(t->creds, LINUX_CAP_SYS_ADMIN);
	return false;
}

bool unix_gc_pending(void)
{
	return sockets_inflight && !gc_running;
}

void unix_gc_on_send(void)
{
	if (sockets_inflight > INFLIGHT_TRIGGER_GC && !gc_running)
		unix_gc();
}

/* Call fn on every unix socket held by a message of u's queue, or of the
 * queues of the connections waiting on u (a listener). */
static void scan(struct unix_sock *u, void (*fn)(struct unix_sock *, void *),
		 void *arg)
{
	struct unix_skb *skb, *e;

	TAILQ_FOREACH(skb, &u->rq, link)
	{
		for (unsigned i = 0; skb->fp && i < skb->fp->count; i++) {
			struct unix_sock *t = unix_of_file(skb->fp->fp[i]);

			if (t)
				fn(t, arg);
		}
		if (!skb->embryo)
			continue;
		TAILQ_FOREACH(e, &unix_sk(skb->embryo)->rq, link)
		for (unsigned i = 0; e->fp && i < e->fp->count; i++) {
			struct unix_sock *t = unix_of_file(e->fp->fp[i]);

			if (t)
				fn(t, arg);
		}
	}
}

static void dec_ref(struct unix_sock *t, void *arg)
{
	(void)arg;
	if (!t->gc_alive)
		t->gc_refs--;
}

struct worklist {
	struct unix_sock **v;
	size_t n;
};

static void mark_alive(struct unix_sock *t, void *arg)
{
	struct worklist *w = arg;

	if (t->gc_alive)
		return;
	t->gc_alive = true;
	w->v[w->n++] = t;
}

void unix_gc(void)
{
	struct worklist w = {0};
	struct unix_sock *u, **garbage;
	size_t total = 0, ng = 0;

	if (gc_running)
		return;
	LIST_FOREACH(u, &inflight_socks, inflight_link)
	total++;
	if (!total)
		return;
	w.v = calloc(total, sizeof(*w.v));
	garbage = calloc(total, sizeof(*garbage));
	if (!w.v || !garbage)
		goto out;
	gc_running = true;
	/* Candidates: every reference to the file is in flight. The
	 * others are alive (gc_alive doubles as "not a candidate"). */
	LIST_FOREACH(u, &inflight_socks, inflight_link)
	{
		struct file *f = u->sk->file;

		u->gc_alive = !f || f->refs != u->inflight;
		u->gc_refs = (long)u->inflight;
	}
	LIST_FOREACH(u, &inflight_socks, inflight_link)
	if (!u->gc_alive)
		scan(u, dec_ref, NULL);
	/* Roots: candidates referenced from outside the candidates. */
	LIST_FOREACH(u, &inflight_socks, inflight_link)
	if (!u->gc_alive && u->gc_refs > 0)
		mark_alive(u, &w);
	while (w.n) {
		u = w.v[--w.n];
		scan(u, mark_alive, &w);
	}
	LIST_FOREACH(u, &inflight_socks, inflight_link)
	if (!u->gc_alive) {
		socket_get(u->sk);
		garbage[ng++] = u;
	}
	/* Unreachable: drop what their queues hold; that puts the last
	 * references to their files, which releases them. */
	for (size_t i = 0; i < ng; i++)
		unix_purge_queue(garbage[i]->sk);
	for (size_t i = 0; i < ng; i++)
		socket_put(garbage[i]->sk);
	gc_running = false;
out:
	free(w.v);
	free(garbage);
}
