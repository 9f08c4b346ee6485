/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc.c: ids, keys and permissions of System V IPC objects, after Linux's
 * ipc/util.c. The sandbox is one IPC namespace, so each kind has one table.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "sentry/abi/capability.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/task.h"

#define IPC_NSLOTS (IPC_ID_IDX_MASK + 1)

int64_t ipc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

int ipc_max_idx(const struct ipc_ids *ids)
{
	int i;

	if (!ids->slots || !ids->in_use)
		return -1;
	for (i = IPC_NSLOTS - 1; i >= 0; i--)
		if (ids->slots[i])
			return i;
	return -1;
}

struct ipc_object *ipc_next(struct ipc_ids *ids, int *idx)
{
	if (!ids->slots)
		return NULL;
	for (; *idx >= 0 && *idx < IPC_NSLOTS; (*idx)++)
		if (ids->slots[*idx])
			return ids->slots[(*idx)++];
	return NULL;
}

struct ipc_object *ipc_lookup_idx(struct ipc_ids *ids, int idx)
{
	if (!ids->slots || idx < 0 || idx >= IPC_NSLOTS)
		return NULL;
	return ids->slots[idx];
}

struct ipc_object *ipc_lookup(struct ipc_ids *ids, int id)
{
	struct ipc_object *o = ipc_lookup_idx(ids, id & IPC_ID_IDX_MASK);

	/* A stale id (the index reused since) must not reach the new
	 * object: that is what the sequence number is for. */
	if (!o || o->id != id)
		return NULL;
	return o;
}

/* Linux's idr_alloc_cyclic over [0, max): the first free index after the
 * last one handed out, wrapping around. */
static int alloc_cyclic(struct ipc_ids *ids, int max)
{
	int start = ids->last_idx + 1, i;

	if (start >= max)
		start = 0;
	for (i = 0; i < max; i++) {
		int idx = (start + i) % max;

		if (!ids->slots[idx])
			return idx;
	}
	return -1;
}

int ipc_add(struct task *t, struct ipc_ids *ids, struct ipc_object *o,
	    int32_t key, int flg)
{
	int max, idx;

	if (ids->in_use >= ids->mni)
		return -ENOSPC;
	if (!ids->slots) {
		ids->slots = calloc(IPC_NSLOTS, sizeof(*ids->slots));
		if (!ids->slots)
			return -ENOMEM;
	}
	max = ids->in_use * 3 / 2;
	if (max < IPC_MIN_CYCLE)
		max = IPC_MIN_CYCLE;
	if (max > ids->mni)
		max = ids->mni;
	idx = alloc_cyclic(ids, max);
	if (idx < 0)
		return -ENOSPC;
	if (idx <= ids->last_idx) {
		if (++ids->seq >= IPC_ID_SEQ_MAX)
			ids->seq = 0;
	}
	ids->last_idx = idx;
	o->seq = ids->seq;
	o->id = ((int)o->seq << IPC_ID_SHIFT) + idx;
	o->key = key;
	o->mode = flg & 0777;
	o->uid = o->cuid = t->creds->euid;
	o->gid = o->cgid = t->creds->egid;
	ids->slots[idx] = o;
	ids->in_use++;
	return o->id;
}

void ipc_remove(struct ipc_ids *ids, struct ipc_object *o)
{
	int idx = o->id & IPC_ID_IDX_MASK;

	if (ids->slots && ids->slots[idx] == o) {
		ids->slots[idx] = NULL;
		ids->in_use--;
	}
}

static struct ipc_object *find_key(struct ipc_ids *ids, int32_t key)
{
	int i;

	if (!ids->slots)
		return NULL;
	for (i = 0; i < IPC_NSLOTS; i++)
		if (ids->slots[i] && ids->slots[i]->key == key)
			return ids->slots[i];
	return NULL;
}

int ipc_get(struct task *t, struct ipc_ids *ids, int32_t key, int flg,
	    const struct ipc_get_ops *ops, void *priv)
{
	struct ipc_object *o;
	int err;

	if (key == LINUX_IPC_PRIVATE)
		return ops->create(t, key, flg, priv);
	o = find_key(ids, key);
	if (!o) {
		if (!(flg & LINUX_IPC_CREAT))
			return -ENOENT;
		return ops->create(t, key, flg, priv);
	}
	if ((flg & LINUX_IPC_CREAT) && (flg & LINUX_IPC_EXCL))
		return -EEXIST;
	if (ops->more_checks) {
		err = ops->more_checks(o, priv);
		if (err)
			return err;
	}
	if (ipc_perms(t, o, flg))
		return -EACCES;
	return o->id;
}

static bool in_group(const struct creds *c, uint32_t gid)
{
	uint32_t i;

	if (c->fsgid == gid)
		return true;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

int ipc_perms(const struct task *t, const struct ipc_object *o, int flag)
{
	const struct creds *c = t->creds;
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = o->mode;

	if (c->euid == o->cuid || c->euid == o->uid)
		granted >>= 6;
	else if (in_group(c, o->cgid) || in_group(c, o->gid))
		granted >>= 3;
	if ((requested & ~granted & 07) &&
	    !creds_capable(c, LINUX_CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_check_owner(const struct task *t, const struct ipc_object *o)
{
	const struct creds *c = t->creds;

	if (c->euid == o->cuid || c->euid == o->uid ||
	    creds_capable(c, LINUX_CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

void ipc_fill_perm(const struct ipc_object *o, struct linux_ipc64_perm *p)
{
	p->key = o->key;
	p->uid = o->uid;
	p->gid = o->gid;
	p->cuid = o->cuid;
	p->cgid = o->cgid;
	p->mode = o->mode;
	p->seq = o->seq;
}

int ipc_set_perm(struct ipc_object *o, const struct linux_ipc64_perm *p)
{
	/* (uid_t)-1 is no user: Linux's make_kuid fails on it. */
	if (p->uid == UINT32_MAX || p->gid == UINT32_MAX)
		return -EINVAL;
	o->uid = p->uid;
	o->gid = p->gid;
	o->mode = (o->mode & ~0777u) | (p->mode & 0777);
	return 0;
}
