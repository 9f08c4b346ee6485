/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc.h: the sandbox's System V IPC namespace, the part its three kinds
 * (semaphores, message queues, shared memory) share: ids, keys and
 * permissions, as Linux's ipc/util.c keeps them. Everything runs under the
 * kernel lock.
 */
#ifndef CVISOR_IPC_H
#define CVISOR_IPC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sentry/abi/ipc.h"

struct task;
struct thread_group;

/* The header every IPC object starts with (Linux's kern_ipc_perm). */
struct ipc_object {
	int id;
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;  /* 0777 bits, plus SHM_DEST/SHM_LOCKED for shm */
	uint16_t seq;
};

/* One kind's table of objects (Linux's struct ipc_ids). */
struct ipc_ids {
	struct ipc_object **slots; /* IPC_ID_IDX_MASK + 1 entries, lazily */
	int in_use;
	int last_idx;   /* the last index handed out (-1: none yet) */
	uint16_t seq;   /* bumped each time an index is reused */
	int mni;        /* the most objects at once (SEMMNI, MSGMNI...) */
};

#define IPC_IDS_INIT(max) { .last_idx = -1, .mni = (max) }

/* The kind-specific steps of ipc_get (Linux's struct ipc_ops): create a
 * new object and add it with ipc_add, or check an existing one (the size
 * or number of semaphores it was asked for). */
struct ipc_get_ops {
	int (*create)(struct task *, int32_t key, int flg, void *priv);
	int (*more_checks)(struct ipc_object *, void *priv);
};

/* semget/msgget/shmget: find or create the object of `key` (Linux's
 * ipcget): returns its id or -errno. */
int ipc_get(struct task *, struct ipc_ids *, int32_t key, int flg,
	    const struct ipc_get_ops *, void *priv);
/* Give `obj` an index and sequence number, its owner the caller: its id,
 * or -ENOSPC when the kind holds its limit of objects. */
int ipc_add(struct task *, struct ipc_ids *, struct ipc_object *,
	    int32_t key, int flg);
void ipc_remove(struct ipc_ids *, struct ipc_object *);
/* The object of `id` (index and sequence must both match), or NULL. */
struct ipc_object *ipc_lookup(struct ipc_ids *, int id);
/* The object at index `idx` (the *_STAT commands), or NULL. */
struct ipc_object *ipc_lookup_idx(struct ipc_ids *, int idx);
/* The highest index in use, or -1. */
int ipc_max_idx(const struct ipc_ids *);
/* Iterate: the first object at index >= *idx (which it advances). */
struct ipc_object *ipc_next(struct ipc_ids *, int *idx);

/* Linux's ipcperms: 0, or -EACCES when `flag` (S_IRUGO/S_IWUGO bits) is
 * not granted to the caller and it lacks CAP_IPC_OWNER. */
int ipc_perms(const struct task *, const struct ipc_object *, int flag);
/* IPC_SET/IPC_RMID: the creator, the owner or CAP_SYS_ADMIN; else -EPERM. */
int ipc_check_owner(const struct task *, const struct ipc_object *);
void ipc_fill_perm(const struct ipc_object *, struct linux_ipc64_perm *);
/* IPC_SET: the new owner and permission bits; -EINVAL for no owner. */
int ipc_set_perm(struct ipc_object *, const struct linux_ipc64_perm *);
/* Seconds of the wall clock, for the *_time fields. */
int64_t ipc_now(void);

/* /proc/sysvipc/{sem,msg,shm}: Linux's header and a line per object. */
void sem_proc_show(FILE *);
void msg_proc_show(FILE *);
void shm_proc_show(FILE *);

/* A thread group is gone: apply its semaphore adjustments (SEM_UNDO). */
void sem_exit(struct thread_group *);

#define IPC_S_IRUGO 0444
#define IPC_S_IWUGO 0222

#endif
