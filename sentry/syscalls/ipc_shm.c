/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ipc_shm.c: System V shared memory (shmget, shmat, shmdt, shmctl), after
 * Linux's ipc/shm.c. A segment is a page cache in the memory file, a
 * mappable as MAP_SHARED|MAP_ANONYMOUS memory is; shmat maps it like
 * mmap. Mappings are counted by the mm (shm_nattch), so fork, exec and exit
 * attach and detach as they copy and drop address spaces. The table holds
 * one reference on a segment; IPC_RMID of an attached segment drops it, and
 * the last mapping to go takes the segment with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/ipc.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

struct shm_seg {
	struct ipc_object perm;
	struct mappable *obj;
	uint64_t size;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
};

static struct ipc_ids shm_ids = IPC_IDS_INIT(LINUX_SHMMNI);
static uint64_t shm_tot; /* pages of all segments, against SHMALL */

static uint64_t seg_pages(uint64_t size)
{
	return (size + MM_PAGE_MASK) / MM_PAGE_SIZE;
}

static uint64_t shm_obj_size(struct mappable *m)
{
	return ((struct shm_seg *)mappable_priv(m))->size;
}

/* The last reference is gone: the table's, or after IPC_RMID the last
 * mapping's. */
static void shm_obj_release(struct mappable *m)
{
	struct shm_seg *s = mappable_priv(m);

	ipc_remove(&shm_ids, &s->perm);
	shm_tot -= seg_pages(s->size);
	free(s);
}

static const struct mappable_ops shm_ops = {
	.size = shm_obj_size,
	.release = shm_obj_release,
};

static struct shm_seg *shm_lookup(int id)
{
	return (struct shm_seg *)ipc_lookup(&shm_ids, id);
}

static int shm_create(struct task *t, int32_t key, int flg, void *priv)
{
	uint64_t size = *(uint64_t *)priv, pages = seg_pages(size);
	struct shm_seg *s;
	int id;

	if (size < LINUX_SHMMIN || size > LINUX_SHMMAX)
		return -EINVAL;
	if (shm_tot + pages < shm_tot || shm_tot + pages > LINUX_SHMALL)
		return -ENOSPC;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->obj = mappable_new(&shm_ops, s);
	if (!s->obj) {
		free(s);
		return -ENOMEM;
	}
	s->size = size;
	s->cpid = t->tg->tgid;
	s->ctime = ipc_now();
	id = ipc_add(t, &shm_ids, &s->perm, key, flg);
	if (id < 0) {
		s->size = 0;
		s->perm.id = -1; /* not in the table: release must not remove */
		mappable_put(s->obj);
		return id;
	}
	shm_tot += pages;
	return id;
}

static int shm_more_checks(struct ipc_object *o, void *priv)
{
	return ((struct shm_seg *)o)->size < *(uint64_t *)priv ? -EINVAL : 0;
}

long kern_shmget(struct task *t, const struct shmget_args *a)
{
	static const struct ipc_get_ops ops = { shm_create, shm_more_checks };
	uint64_t size = a->size;

	return ipc_get(t, &shm_ids, a->key, a->shmflg, &ops, &size);
}

long kern_shmat(struct task *t, const struct shmat_args *a)
{
	struct mm_map_args m = { .flags = LINUX_MAP_SHARED };
	uint64_t addr = a->shmaddr;
	int acc = IPC_S_IRUGO;
	struct shm_seg *s;
	char name[32];
	int64_t r;

	if (a->shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & MM_PAGE_MASK) {
			if (!(a->shmflg & LINUX_SHM_RND))
				return -EINVAL;
			addr &= ~MM_PAGE_MASK; /* SHMLBA is a page on x86 */
			if (!addr && (a->shmflg & LINUX_SHM_REMAP))
				return -EINVAL;
		}
		/* Without SHM_REMAP an attachment must not replace anything:
		 * NOREPLACE's EEXIST is shmat's EINVAL. */
		m.flags |= (a->shmflg & LINUX_SHM_REMAP) ?
				   LINUX_MAP_FIXED : LINUX_MAP_FIXED_NOREPLACE;
	} else if (a->shmflg & LINUX_SHM_REMAP) {
		return -EINVAL;
	}
	m.prot = LINUX_PROT_READ;
	m.maxprot = LINUX_PROT_READ | LINUX_PROT_EXEC;
	if (!(a->shmflg & LINUX_SHM_RDONLY)) {
		m.prot |= LINUX_PROT_WRITE;
		m.maxprot |= LINUX_PROT_WRITE;
		acc |= IPC_S_IWUGO;
	}
	if (a->shmflg & LINUX_SHM_EXEC) {
		m.prot |= LINUX_PROT_EXEC;
		acc |= 0111;
	}
	s = shm_lookup(a->shmid);
	if (!s)
		return -EINVAL;
	if (ipc_perms(t, &s->perm, acc))
		return -EACCES;
	if (addr && addr + s->size < addr)
		return -EINVAL;
	m.addr = addr;
	m.len = s->size;
	m.obj = s->obj;
	snprintf(name, sizeof(name), "/SYSV%08x (deleted)",
		 (unsigned)s->perm.key);
	m.name = name;
	m.dev = 1; /* 00:01, the shmem mount's, as Linux shows it */
	m.ino = (uint64_t)s->perm.id; /* Linux gives the inode the shmid */
	/* SHM_REMAP over this very segment may drop its last mapping. */
	mappable_get(s->obj);
	r = mm_map(t->mm, &m);
	if (r >= 0) {
		s->atime = ipc_now();
		s->lpid = t->tg->tgid;
	}
	mappable_put(s->obj);
	if (r == -EEXIST)
		return -EINVAL;
	return r;
}

long kern_shmdt(struct task *t, const struct shmdt_args *a)
{
	struct mappable *obj;
	struct shm_seg *s;
	int err;

	err = mm_detach_object(t->mm, a->shmaddr, &shm_ops, &obj);
	if (err)
		return err;
	s = mappable_priv(obj);
	s->dtime = ipc_now();
	s->lpid = t->tg->tgid;
	mappable_put(obj); /* may be the last of a removed segment */
	return 0;
}

static long shm_info(struct task *t, int cmd, uint64_t buf)
{
	int max = ipc_max_idx(&shm_ids);

	if (cmd == LINUX_IPC_INFO) {
		struct linux_shminfo64 si = {
			.shmmax = LINUX_SHMMAX, .shmmin = LINUX_SHMMIN,
			.shmmni = LINUX_SHMMNI, .shmseg = LINUX_SHMSEG,
			.shmall = LINUX_SHMALL,
		};

		if (task_copy_out(t, buf, &si, sizeof(si)))
			return -EFAULT;
	} else {
		struct linux_shm_info si = {
			.used_ids = shm_ids.in_use,
			.shm_tot = shm_tot,
			.shm_rss = shm_tot,
		};

		if (task_copy_out(t, buf, &si, sizeof(si)))
			return -EFAULT;
	}
	return max < 0 ? 0 : max;
}

static long shm_stat(struct task *t, int id, int cmd, uint64_t buf)
{
	struct linux_shmid64_ds ds;
	struct shm_seg *s;

	if (cmd == LINUX_IPC_STAT)
		s = shm_lookup(id);
	else
		s = (struct shm_seg *)ipc_lookup_idx(&shm_ids, id);
	if (!s)
		return -EINVAL;
	if (cmd != LINUX_SHM_STAT_ANY && ipc_perms(t, &s->perm, IPC_S_IRUGO))
		return -EACCES;
	memset(&ds, 0, sizeof(ds));
	ipc_fill_perm(&s->perm, &ds.shm_perm);
	ds.shm_segsz = s->size;
	ds.shm_atime = s->atime;
	ds.shm_dtime = s->dtime;
	ds.shm_ctime = s->ctime;
	ds.shm_cpid = s->cpid;
	ds.shm_lpid = s->lpid;
	ds.shm_nattch = mappable_map_count(s->obj);
	if (task_copy_out(t, buf, &ds, sizeof(ds)))
		return -EFAULT;
	return cmd == LINUX_IPC_STAT ? 0 : s->perm.id;
}

/* IPC_RMID: gone now, or once the last attachment goes (SHM_DEST, its
 * key made private so shmget no longer finds it). */
static void shm_rmid(struct shm_seg *s)
{
	if (s->perm.mode & LINUX_SHM_DEST)
		return;
	if (mappable_map_count(s->obj)) {
		s->perm.mode |= LINUX_SHM_DEST;
		s->perm.key = LINUX_IPC_PRIVATE;
	}
	mappable_put(s->obj);
}

static long shm_lock(struct task *t, struct shm_seg *s, int cmd)
{
	const struct creds *c = t->creds;

	if (!creds_capable(c, LINUX_CAP_IPC_LOCK) && c->euid != s->perm.uid &&
	    c->euid != s->perm.cuid)
		return -EPERM;
	/* Memory-file pages are never swapped: the flag is all there is. */
	if (cmd == LINUX_SHM_LOCK)
		s->perm.mode |= LINUX_SHM_LOCKED;
	else
		s->perm.mode &= ~(uint32_t)LINUX_SHM_LOCKED;
	return 0;
}

long kern_shmctl(struct task *t, const struct shmctl_args *a)
{
	struct linux_shmid64_ds ds;
	struct shm_seg *s;
	long err;

	if (a->cmd < 0 || a->shmid < 0)
		return -EINVAL;
	switch (a->cmd) {
	case LINUX_IPC_INFO:
	case LINUX_SHM_INFO:
		return shm_info(t, a->cmd, a->buf);
	case LINUX_IPC_STAT:
	case LINUX_SHM_STAT:
	case LINUX_SHM_STAT_ANY:
		return shm_stat(t, a->shmid, a->cmd, a->buf);
	case LINUX_SHM_LOCK:
	case LINUX_SHM_UNLOCK:
		s = shm_lookup(a->shmid);
		if (!s)
			return -EINVAL;
		return shm_lock(t, s, a->cmd);
	case LINUX_IPC_SET:
		if (task_copy_in(t, a->buf, &ds, sizeof(ds)))
			return -EFAULT;
		/* fallthrough */
	case LINUX_IPC_RMID:
		s = shm_lookup(a->shmid);
		if (!s)
			return -EINVAL;
		err = ipc_check_owner(t, &s->perm);
		if (err)
			return err;
		if (a->cmd == LINUX_IPC_RMID) {
			shm_rmid(s);
			return 0;
		}
		err = ipc_set_perm(&s->perm, &ds.shm_perm);
		if (!err)
			s->ctime = ipc_now();
		return err;
	}
	return -EINVAL;
}

void shm_proc_show(FILE *f)
{
	struct ipc_object *o;
	int idx = 0;

	fprintf(f, "       key      shmid perms                  size  cpid  "
		   "lpid nattch   uid   gid  cuid  cgid      atime      dtime"
		   "      ctime                   rss                  swap\n");
	while ((o = ipc_next(&shm_ids, &idx))) {
		struct shm_seg *s = (struct shm_seg *)o;

		/* rss and swap: 0, as residency in the memory file is not
		 * counted per segment (and nothing is ever swapped). */
		fprintf(f, "%10d %10d  %4o %21llu %5u %5u  %5u %5u %5u %5u %5u "
			   "%10lld %10lld %10lld %21llu %21llu\n",
			o->key, o->id, o->mode, (unsigned long long)s->size,
			(unsigned)s->cpid, (unsigned)s->lpid,
			mappable_map_count(s->obj), o->uid, o->gid, o->cuid,
			o->cgid, (long long)s->atime, (long long)s->dtime,
			(long long)s->ctime, 0ULL, 0ULL);
	}
}
