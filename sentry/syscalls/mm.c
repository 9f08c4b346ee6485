/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mm.c: the address-space syscalls. The semantics and most argument
 * checks live in sentry/mm (mm_map, mm_protect, ...); these handlers add
 * what needs the task: its fds, rlimits, capabilities and guest buffers.
 */
#include <errno.h>
#include <stdlib.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/capability.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/mmap_file.h"

#define PAGE 4096ULL
#define TASK_SIZE 0x7ffffffff000ULL
#define PROT_RWX (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC)
#define READ_IMPLIES_EXEC 0x0400000ULL /* personality(2) */

static uint64_t rlimit(struct task *t, int res)
{
	return t->tg->rlimits[res].cur;
}

/* Linux's may_expand_vm() for RLIMIT_AS: room for len more bytes. */
static bool may_expand(struct task *t, uint64_t len)
{
	uint64_t limit = rlimit(t, LINUX_RLIMIT_AS);

	if (limit == UINT64_MAX) /* RLIM_INFINITY */
		return true;
	return len <= limit &&
	       mm_total_pages(t->mm) + len / PAGE + !!(len % PAGE) <=
		       limit / PAGE;
}

/* can_do_mlock(): a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK. */
static bool can_mlock(struct task *t)
{
	return rlimit(t, LINUX_RLIMIT_MEMLOCK) != 0 ||
	       creds_capable(t->creds, LINUX_CAP_IPC_LOCK);
}

/* mlock_future_ok(): locking len more bytes stays within RLIMIT_MEMLOCK. */
static bool lock_ok(struct task *t, uint64_t len)
{
	uint64_t limit = rlimit(t, LINUX_RLIMIT_MEMLOCK) / PAGE;

	if (creds_capable(t->creds, LINUX_CAP_IPC_LOCK))
		return true;
	return mm_locked_pages(t->mm) + (len + PAGE - 1) / PAGE <= limit;
}

long kern_mmap(struct task *t, const struct mmap_args *a)
{
	struct mm_map_args m = {
		.addr = a->addr,
		.len = a->length,
		.prot = (int)(a->prot & PROT_RWX),
		.flags = (int)a->flags,
		.offset = (uint64_t)a->offset,
		.maxprot = PROT_RWX,
	};
	int64_t r;
	int err;

	/* x86's sys_mmap checks the offset first, for every mapping. */
	if ((uint64_t)a->offset & (PAGE - 1))
		return -EINVAL;
	if ((t->personality & READ_IMPLIES_EXEC) && (m.prot & LINUX_PROT_READ))
		m.prot |= LINUX_PROT_EXEC;
	if (!(a->flags & LINUX_MAP_ANONYMOUS)) {
		err = vfs_mmap_fd(t, a->fd, m.offset, m.prot, m.flags, &m);
		if (err)
			return err;
	} else {
		m.offset = 0;
	}
	r = -ENOMEM;
	if (!may_expand(t, a->length))
		goto out;
	if (a->flags & LINUX_MAP_LOCKED) {
		r = !can_mlock(t) ? -EPERM : -EAGAIN;
		if (r == -EPERM || !lock_ok(t, a->length))
			goto out;
	}
	r = mm_map(t->mm, &m);
out:
	if (m.obj)
		mappable_put(m.obj);
	free((char *)m.name);
	return r;
}

long kern_munmap(struct task *t, const struct munmap_args *a)
{
	return mm_unmap(t->mm, a->addr, a->len);
}

long kern_mprotect(struct task *t, const struct mprotect_args *a)
{
	return mm_protect(t->mm, a->addr, a->len, a->prot);
}

long kern_pkey_mprotect(struct task *t, const struct pkey_mprotect_args *a)
{
	/* No protection keys are ever allocated: only "none" (-1) works. */
	if (a->pkey != -1)
		return -EINVAL;
	return mm_protect(t->mm, a->addr, a->len, a->prot);
}

long kern_brk(struct task *t, const struct brk_args *a)
{
	return (long)mm_brk(t->mm, a->brk, rlimit(t, LINUX_RLIMIT_DATA));
}

long kern_mremap(struct task *t, const struct mremap_args *a)
{
	if (a->new_size > a->old_size &&
	    !may_expand(t, a->new_size - a->old_size))
		return -ENOMEM;
	return mm_remap(t->mm, a->old_address, a->old_size, a->new_size,
			a->flags, a->new_address);
}

long kern_madvise(struct task *t, const struct madvise_args *a)
{
	return mm_advise(t->mm, a->addr, a->length, a->advice);
}

long kern_mincore(struct task *t, const struct mincore_args *a)
{
	uint8_t buf[4096];
	uint64_t pages, done = 0;

	if (a->addr & (PAGE - 1))
		return -EINVAL;
	if (a->length > TASK_SIZE || a->addr > TASK_SIZE - a->length)
		return -ENOMEM;
	pages = a->length / PAGE + ((a->length & (PAGE - 1)) != 0);
	if (a->vec > TASK_SIZE || pages > TASK_SIZE - a->vec)
		return -EFAULT;
	/* A page of answers at a time, as Linux does. */
	while (done < pages) {
		uint64_t n =
			pages - done < sizeof(buf) ? pages - done : sizeof(buf);
		long got = mm_incore(t->mm, a->addr + done * PAGE, n, buf);

		if (got < 0)
			return got;
		if (task_copy_out(t, a->vec + done, buf, (size_t)got))
			return -EFAULT;
		done += (uint64_t)got;
	}
	return 0;
}

long kern_msync(struct task *t, const struct msync_args *a)
{
	return mm_sync(t->mm, a->addr, a->length, (int)a->flags);
}

/* mlock and mlock2: Linux's do_mlock(). */
static long do_mlock(struct task *t, uint64_t addr, uint64_t len, int how)
{
	uint64_t start = addr & ~(PAGE - 1), limit, locked, alen;
	bool cap = creds_capable(t->creds, LINUX_CAP_IPC_LOCK);

	if (!can_mlock(t))
		return -EPERM;
	alen = (len + (addr & (PAGE - 1)) + PAGE - 1) & ~(PAGE - 1);
	limit = rlimit(t, LINUX_RLIMIT_MEMLOCK) / PAGE;
	locked = alen / PAGE + mm_locked_pages(t->mm);
	/* Pages already locked in the range do not count twice. */
	if (locked > limit && !cap)
		locked -= mm_locked_pages_in(t->mm, start, alen);
	if (locked > limit && !cap)
		return -ENOMEM;
	return mm_lock(t->mm, addr, len, how);
}

long kern_mlock(struct task *t, const struct mlock_args *a)
{
	return do_mlock(t, a->addr, a->len, MM_LOCK);
}

long kern_mlock2(struct task *t, const struct mlock2_args *a)
{
	int how = MM_LOCK;

	if (a->flags & ~LINUX_MLOCK_ONFAULT)
		return -EINVAL;
	if (a->flags & LINUX_MLOCK_ONFAULT)
		how |= MM_LOCK_ONFAULT;
	return do_mlock(t, a->addr, a->len, how);
}

long kern_munlock(struct task *t, const struct munlock_args *a)
{
	return mm_lock(t->mm, a->addr, a->len, 0);
}

long kern_mlockall(struct task *t, const struct mlockall_args *a)
{
	uint32_t f = a->flags;
	uint64_t limit = rlimit(t, LINUX_RLIMIT_MEMLOCK) / PAGE;

	if (!f ||
	    (f & ~(uint32_t)(LINUX_MCL_CURRENT | LINUX_MCL_FUTURE |
			     LINUX_MCL_ONFAULT)) ||
	    f == LINUX_MCL_ONFAULT)
		return -EINVAL;
	if (!can_mlock(t))
		return -EPERM;
	if ((f & LINUX_MCL_CURRENT) && mm_total_pages(t->mm) > limit &&
	    !creds_capable(t->creds, LINUX_CAP_IPC_LOCK))
		return -ENOMEM;
	return mm_lock_all(t->mm, (int)f);
}

long kern_munlockall(struct task *t, const struct munlockall_args *a)
{
	(void)a;
	return mm_unlock_all(t->mm);
}
