/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process_ids.c: pids, process groups, sessions, and credentials (the
 * uid/gid families, groups, capabilities), per kernel/sys.c and
 * kernel/capability.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/capability.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"

#define NGROUPS_MAX 65536

long kern_getpid(struct task *t, const struct getpid_args *a)
{
	(void)a;
	return t->tg->tgid;
}

long kern_gettid(struct task *t, const struct gettid_args *a)
{
	(void)a;
	return t->tid;
}

long kern_getppid(struct task *t, const struct getppid_args *a)
{
	(void)a;
	/* The first process's parent is outside the sandbox: 0, as for a
	 * pid namespace's init. */
	return t->tg->parent ? t->tg->parent->tgid : 0;
}

long kern_set_tid_address(struct task *t, const struct set_tid_address_args *a)
{
	t->clear_child_tid = a->tidptr;
	return t->tid;
}

long kern_getpgrp(struct task *t, const struct getpgrp_args *a)
{
	(void)a;
	return t->tg->pgid;
}

long kern_getpgid(struct task *t, const struct getpgid_args *a)
{
	struct thread_group *tg = a->pid ? tg_by_tgid(a->pid) : t->tg;

	return tg ? tg->pgid : -ESRCH;
}

long kern_getsid(struct task *t, const struct getsid_args *a)
{
	struct thread_group *tg = a->pid ? tg_by_tgid(a->pid) : t->tg;

	return tg ? tg->sid : -ESRCH;
}

struct pgrp_ctx {
	int pgid, sid;
	bool found;
};

static int pgrp_in_session(struct thread_group *tg, void *arg)
{
	struct pgrp_ctx *c = arg;

	if (tg->pgid == c->pgid && tg->sid == c->sid && !tg->zombie)
		c->found = true;
	return c->found;
}

static int pgrp_used(struct thread_group *tg, void *arg)
{
	struct pgrp_ctx *c = arg;

	if (tg->pgid == c->pgid || tg->sid == c->pgid)
		c->found = true;
	return c->found;
}

/* setpgid(2): move a process (self or a child not yet exec'd, in the same
 * session) into a process group of the session. */
long kern_setpgid(struct task *t, const struct setpgid_args *a)
{
	struct thread_group *tg = a->pid ? tg_by_tgid(a->pid) : t->tg;
	int pgid = a->pgid ? a->pgid : (tg ? tg->tgid : 0);

	if (a->pgid < 0)
		return -EINVAL;
	if (!tg || (tg != t->tg && tg->parent != t->tg))
		return -ESRCH;
	if (tg != t->tg && tg->sid != t->tg->sid)
		return -EPERM;
	if (tg != t->tg && tg->did_exec)
		return -EACCES;
	if (tg->sid == tg->tgid) /* a session leader */
		return -EPERM;
	if (pgid != tg->tgid) {
		struct pgrp_ctx c = { .pgid = pgid, .sid = t->tg->sid };

		pidns_for_each_group(pgrp_in_session, &c);
		if (!c.found)
			return -EPERM;
	}
	tg->pgid = pgid;
	return 0;
}

long kern_setsid(struct task *t, const struct setsid_args *a)
{
	struct pgrp_ctx c = { .pgid = t->tg->tgid };

	(void)a;
	/* A process group leader cannot start a session; nor can anyone
	 * whose pid names an existing group. */
	pidns_for_each_group(pgrp_used, &c);
	if (c.found)
		return -EPERM;
	t->tg->sid = t->tg->pgid = t->tg->tgid;
	tty_setsid(t->tg);
	return t->tg->sid;
}

long kern_getuid(struct task *t, const struct getuid_args *a)
{
	(void)a;
	return t->creds->uid;
}

long kern_geteuid(struct task *t, const struct geteuid_args *a)
{
	(void)a;
	return t->creds->euid;
}

long kern_getgid(struct task *t, const struct getgid_args *a)
{
	(void)a;
	return t->creds->gid;
}

long kern_getegid(struct task *t, const struct getegid_args *a)
{
	(void)a;
	return t->creds->egid;
}

/* Replace the task's creds by a modified private copy. */
static struct creds *creds_prepare(struct task *t)
{
	return creds_dup(t->creds);
}

static void creds_commit(struct task *t, struct creds *n)
{
	creds_put(t->creds);
	t->creds = n;
}

/* Linux's capability fix-up when uids change (cap_emulate_setxuid):
 * leaving uid 0 drops permitted/effective caps unless keep_caps. */
static void fixup_caps(struct creds *n, uint32_t old_ruid, uint32_t old_euid,
		       uint32_t old_suid)
{
	bool was_root = old_ruid == 0 || old_euid == 0 || old_suid == 0;

	if (was_root && n->uid && n->euid && n->suid && !n->keep_caps) {
		n->cap_permitted = 0;
		n->cap_effective = 0;
		n->cap_ambient = 0;
	}
	if (old_euid == 0 && n->euid != 0)
		n->cap_effective = 0;
	if (old_euid != 0 && n->euid == 0)
		n->cap_effective = n->cap_permitted;
}

#define NOCHANGE 0xffffffffu

/* setresuid with Linux's permission rule; -1 keeps a value. */
static long set_resuid(struct task *t, uint32_t r, uint32_t e, uint32_t s,
		       bool fs_follows)
{
	const struct creds *o = t->creds;
	struct creds *n;
	bool priv = creds_capable(o, LINUX_CAP_SETUID);

#define ALLOWED(v) ((v) == NOCHANGE || (v) == o->uid || (v) == o->euid || \
		    (v) == o->suid)
	if (!priv && (!ALLOWED(r) || !ALLOWED(e) || !ALLOWED(s)))
		return -EPERM;
#undef ALLOWED
	n = creds_prepare(t);
	if (!n)
		return -ENOMEM;
	if (r != NOCHANGE)
		n->uid = r;
	if (e != NOCHANGE)
		n->euid = e;
	if (s != NOCHANGE)
		n->suid = s;
	if (fs_follows)
		n->fsuid = n->euid;
	fixup_caps(n, o->uid, o->euid, o->suid);
	creds_commit(t, n);
	return 0;
}

static long set_resgid(struct task *t, uint32_t r, uint32_t e, uint32_t s)
{
	const struct creds *o = t->creds;
	struct creds *n;
	bool priv = creds_capable(o, LINUX_CAP_SETGID);

#define ALLOWED(v) ((v) == NOCHANGE || (v) == o->gid || (v) == o->egid || \
		    (v) == o->sgid)
	if (!priv && (!ALLOWED(r) || !ALLOWED(e) || !ALLOWED(s)))
		return -EPERM;
#undef ALLOWED
	n = creds_prepare(t);
	if (!n)
		return -ENOMEM;
	if (r != NOCHANGE)
		n->gid = r;
	if (e != NOCHANGE)
		n->egid = e;
	if (s != NOCHANGE)
		n->sgid = s;
	n->fsgid = n->egid;
	creds_commit(t, n);
	return 0;
}

long kern_setresuid(struct task *t, const struct setresuid_args *a)
{
	return set_resuid(t, a->ruid, a->euid, a->suid, true);
}

long kern_setresgid(struct task *t, const struct setresgid_args *a)
{
	return set_resgid(t, a->rgid, a->egid, a->sgid);
}

long kern_setuid(struct task *t, const struct setuid_args *a)
{
	if (creds_capable(t->creds, LINUX_CAP_SETUID))
		return set_resuid(t, a->uid, a->uid, a->uid, true);
	if (a->uid != t->creds->uid && a->uid != t->creds->suid)
		return -EPERM;
	return set_resuid(t, NOCHANGE, a->uid, NOCHANGE, true);
}

long kern_setgid(struct task *t, const struct setgid_args *a)
{
	if (creds_capable(t->creds, LINUX_CAP_SETGID))
		return set_resgid(t, a->gid, a->gid, a->gid);
	if (a->gid != t->creds->gid && a->gid != t->creds->sgid)
		return -EPERM;
	return set_resgid(t, NOCHANGE, a->gid, NOCHANGE);
}

long kern_setreuid(struct task *t, const struct setreuid_args *a)
{
	const struct creds *o = t->creds;
	uint32_t s = NOCHANGE;

	if (!creds_capable(o, LINUX_CAP_SETUID)) {
		if (a->ruid != NOCHANGE && a->ruid != o->uid && a->ruid != o->euid)
			return -EPERM;
		if (a->euid != NOCHANGE && a->euid != o->uid &&
		    a->euid != o->euid && a->euid != o->suid)
			return -EPERM;
	}
	/* The saved uid follows the new euid when the real uid is set or
	 * the euid differs from the old real uid. */
	if (a->ruid != NOCHANGE ||
	    (a->euid != NOCHANGE && a->euid != o->uid))
		s = a->euid != NOCHANGE ? a->euid : o->euid;
	return set_resuid(t, a->ruid, a->euid, s, true);
}

long kern_setregid(struct task *t, const struct setregid_args *a)
{
	const struct creds *o = t->creds;
	uint32_t s = NOCHANGE;

	if (!creds_capable(o, LINUX_CAP_SETGID)) {
		if (a->rgid != NOCHANGE && a->rgid != o->gid && a->rgid != o->egid)
			return -EPERM;
		if (a->egid != NOCHANGE && a->egid != o->gid &&
		    a->egid != o->egid && a->egid != o->sgid)
			return -EPERM;
	}
	if (a->rgid != NOCHANGE ||
	    (a->egid != NOCHANGE && a->egid != o->gid))
		s = a->egid != NOCHANGE ? a->egid : o->egid;
	return set_resgid(t, a->rgid, a->egid, s);
}

static long copy_ids(struct task *t, uint64_t a, uint64_t b, uint64_t c,
		     uint32_t x, uint32_t y, uint32_t z)
{
	if (task_copy_out(t, a, &x, 4) || task_copy_out(t, b, &y, 4) ||
	    task_copy_out(t, c, &z, 4))
		return -EFAULT;
	return 0;
}

long kern_getresuid(struct task *t, const struct getresuid_args *a)
{
	const struct creds *c = t->creds;

	return copy_ids(t, a->ruid, a->euid, a->suid, c->uid, c->euid, c->suid);
}

long kern_getresgid(struct task *t, const struct getresgid_args *a)
{
	const struct creds *c = t->creds;

	return copy_ids(t, a->rgid, a->egid, a->sgid, c->gid, c->egid, c->sgid);
}

/* setfsuid/setfsgid: the filesystem id may become the real, effective,
 * saved or current one (any value with the capability); the old value is
 * returned whatever happens. `gid` picks the group ids. */
_Static_assert(offsetof(struct creds, fsuid) == offsetof(struct creds, uid) + 12 &&
	       offsetof(struct creds, fsgid) == offsetof(struct creds, gid) + 12,
	       "set_fs_id reads the four ids as an array");

static long set_fs_id(struct task *t, uint32_t v, bool gid)
{
	const struct creds *o = t->creds;
	const uint32_t *ids = gid ? &o->gid : &o->uid; /* real, eff, saved, fs */
	uint32_t old = ids[3];
	struct creds *n;

	if (v == NOCHANGE)
		return old;
	if (creds_capable(o, gid ? LINUX_CAP_SETGID : LINUX_CAP_SETUID) ||
	    v == ids[0] || v == ids[1] || v == ids[2] || v == ids[3]) {
		n = creds_prepare(t);
		if (n) {
			*(gid ? &n->fsgid : &n->fsuid) = v;
			creds_commit(t, n);
		}
	}
	return old;
}

long kern_setfsuid(struct task *t, const struct setfsuid_args *a)
{
	return set_fs_id(t, a->fsuid, false);
}

long kern_setfsgid(struct task *t, const struct setfsgid_args *a)
{
	return set_fs_id(t, a->fsgid, true);
}

long kern_getgroups(struct task *t, const struct getgroups_args *a)
{
	const struct creds *c = t->creds;

	if (a->size < 0)
		return -EINVAL;
	if (a->size == 0)
		return c->ngroups;
	if ((uint32_t)a->size < c->ngroups)
		return -EINVAL;
	if (c->ngroups &&
	    task_copy_out(t, a->list, c->groups, c->ngroups * sizeof(uint32_t)))
		return -EFAULT;
	return c->ngroups;
}

static int cmp_gid(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

long kern_setgroups(struct task *t, const struct setgroups_args *a)
{
	struct creds *n;
	uint32_t *g = NULL;

	if (!creds_capable(t->creds, LINUX_CAP_SETGID))
		return -EPERM;
	if (a->size < 0 || a->size > NGROUPS_MAX)
		return -EINVAL;
	if (a->size) {
		g = malloc((size_t)a->size * sizeof(uint32_t));
		if (!g)
			return -ENOMEM;
		if (task_copy_in(t, a->list, g, (size_t)a->size * 4)) {
			free(g);
			return -EFAULT;
		}
		qsort(g, (size_t)a->size, sizeof(uint32_t), cmp_gid);
	}
	n = creds_prepare(t);
	if (!n) {
		free(g);
		return -ENOMEM;
	}
	free(n->groups);
	n->groups = g;
	n->ngroups = (uint32_t)a->size;
	creds_commit(t, n);
	return 0;
}

/* capget/capset header: version negotiation as Linux does it. */
static int cap_version(struct task *t, uint64_t hdrp, struct linux_cap_header *h,
		       unsigned *words)
{
	if (task_copy_in(t, hdrp, h, sizeof(*h)))
		return -EFAULT;
	switch (h->version) {
	case LINUX_CAPABILITY_VERSION_1:
		*words = 1;
		return 0;
	case LINUX_CAPABILITY_VERSION_2:
	case LINUX_CAPABILITY_VERSION_3:
		*words = 2;
		return 0;
	default:
		h->version = LINUX_CAPABILITY_VERSION_3;
		if (task_copy_out(t, hdrp, h, sizeof(*h)))
			return -EFAULT;
		return -EINVAL;
	}
}

long kern_capget(struct task *t, const struct capget_args *a)
{
	struct linux_cap_header h;
	struct linux_cap_data d[2];
	const struct creds *c;
	unsigned words;
	int err = cap_version(t, a->hdrp, &h, &words);

	if (err)
		return a->datap || err != -EINVAL ? err : 0;
	if (h.pid < 0)
		return -EINVAL;
	if (h.pid) {
		struct task *o = task_by_tid(h.pid);

		if (!o || o->state == TASK_DEAD)
			return -ESRCH;
		c = o->creds;
	} else {
		c = t->creds;
	}
	for (unsigned i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c->cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(c->cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c->cap_inheritable >> (32 * i));
	}
	if (a->datap && task_copy_out(t, a->datap, d, words * sizeof(d[0])))
		return -EFAULT;
	return 0;
}

long kern_capset(struct task *t, const struct capset_args *a)
{
	struct linux_cap_header h;
	struct linux_cap_data d[2] = { 0 };
	uint64_t eff, perm, inh;
	struct creds *n;
	const struct creds *o = t->creds;
	unsigned words;
	int err = cap_version(t, a->hdrp, &h, &words);

	if (err)
		return err;
	if (h.pid && h.pid != t->tid)
		return -EPERM;
	if (task_copy_in(t, a->datap, d, words * sizeof(d[0])))
		return -EFAULT;
	eff = d[0].effective | ((uint64_t)d[1].effective << 32);
	perm = d[0].permitted | ((uint64_t)d[1].permitted << 32);
	inh = d[0].inheritable | ((uint64_t)d[1].inheritable << 32);
	/* Only drop from permitted; effective within the new permitted;
	 * inheritable within permitted + bounding (or with CAP_SETPCAP). */
	if (perm & ~o->cap_permitted)
		return -EPERM;
	if (eff & ~perm)
		return -EPERM;
	if (inh & ~(o->cap_inheritable | o->cap_permitted) &&
	    !creds_capable(o, LINUX_CAP_SETPCAP))
		return -EPERM;
	if (inh & ~(o->cap_inheritable | o->cap_bounding))
		return -EPERM;
	n = creds_prepare(t);
	if (!n)
		return -ENOMEM;
	n->cap_effective = eff;
	n->cap_permitted = perm;
	n->cap_inheritable = inh;
	n->cap_ambient &= perm & inh;
	creds_commit(t, n);
	return 0;
}
