/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memfd.c: memfd_create and the seal commands of fcntl (mm/memfd.c).
 *
 * A memfd is an inode of an internal tmpfs instance (Linux's shm_mnt),
 * made nameless like an O_TMPFILE one, on a pseudo dentry whose name is
 * what /proc/PID/fd shows: "/memfd:NAME (deleted)".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/memfd.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

#define MFD_NAME_PREFIX "memfd:"
#define MFD_NAME_PREFIX_LEN 6
#define MFD_NAME_MAX_LEN (LINUX_NAME_MAX - MFD_NAME_PREFIX_LEN)
#define MFD_ALL_FLAGS                                                          \
	(LINUX_MFD_CLOEXEC | LINUX_MFD_ALLOW_SEALING | LINUX_MFD_HUGETLB |     \
	 LINUX_MFD_NOEXEC_SEAL | LINUX_MFD_EXEC)
#define F_ALL_SEALS                                                            \
	(LINUX_F_SEAL_SEAL | LINUX_F_SEAL_SHRINK | LINUX_F_SEAL_GROW |         \
	 LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE | LINUX_F_SEAL_EXEC)

static struct superblock *memfd_sb;

/* memfd_file_seals_ptr: tmpfs regular files have seals. */
static uint32_t *seals_of(struct file *f)
{
	if (f->ops != &tmpfs_file_fops || !LINUX_S_ISREG(f->inode->mode))
		return NULL;
	return &((struct tmpfs_node *)f->inode->priv)->seals;
}

int memfd_file_seals(struct file *f)
{
	uint32_t *s = seals_of(f);

	return s ? (int)*s : -EINVAL;
}

/* memfd_add_seals: in Linux's order. A write seal needs no shared
 * writable mapping to exist (mapping_deny_writable: EBUSY); an exec seal
 * on an executable file brings every write seal (W^X from the start). */
static long add_seals(struct file *f, uint32_t seals)
{
	uint32_t *cur;

	if (!(f->fmode & FMODE_WRITE))
		return -EPERM;
	if (seals & ~F_ALL_SEALS)
		return -EINVAL;
	cur = seals_of(f);
	if (!cur)
		return -EINVAL;
	if (*cur & LINUX_F_SEAL_SEAL)
		return -EPERM;
	if ((seals & LINUX_F_SEAL_WRITE) && !(*cur & LINUX_F_SEAL_WRITE)) {
		struct tmpfs_node *n = f->inode->priv;

		if (mappable_writable_maps(n->data->m))
			return -EBUSY;
	}
	if ((seals & LINUX_F_SEAL_EXEC) && (f->inode->mode & 0111))
		seals |= LINUX_F_SEAL_SHRINK | LINUX_F_SEAL_GROW |
			 LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE;
	*cur |= seals;
	return 0;
}

long memfd_fcntl(struct file *f, int cmd, uint64_t arg)
{
	switch (cmd) {
	case LINUX_F_ADD_SEALS:
		return add_seals(f, (uint32_t)arg);
	case LINUX_F_GET_SEALS:
		return memfd_file_seals(f);
	default:
		return -EINVAL;
	}
}

/* The flags as Linux takes them: EINVAL for unknown bits (huge page
 * sizes only with MFD_HUGETLB) and for MFD_EXEC with MFD_NOEXEC_SEAL;
 * with neither, MFD_EXEC (vm.memfd_noexec = 0). */
static int check_flags(uint32_t *flags)
{
	uint32_t f = *flags;

	if (!(f & LINUX_MFD_HUGETLB)
		    ? (f & ~MFD_ALL_FLAGS) != 0
		    : (f & ~(MFD_ALL_FLAGS | 0xfc000000u)) != 0)
		return -EINVAL;
	if ((f & LINUX_MFD_EXEC) && (f & LINUX_MFD_NOEXEC_SEAL))
		return -EINVAL;
	if (!(f & (LINUX_MFD_EXEC | LINUX_MFD_NOEXEC_SEAL)))
		*flags |= LINUX_MFD_EXEC;
	return 0;
}

/* A new unlinked inode of the internal tmpfs, with the memfd's mode and
 * seals. */
static int memfd_inode(struct task *t, uint32_t flags, struct inode **out)
{
	struct inode *root;
	uint32_t mode = (flags & LINUX_MFD_NOEXEC_SEAL) ? 0666 : 0777;
	struct tmpfs_node *n;
	int err;

	if (!memfd_sb) {
		err = tmpfs_new(01777, 0, 0, &memfd_sb);
		if (err)
			return err;
	}
	root = memfd_sb->root->inode;
	err = root->ops->tmpfile(root, LINUX_S_IFREG | mode, t->creds, out);
	if (err)
		return err;
	n = (*out)->priv;
	if (flags & LINUX_MFD_NOEXEC_SEAL)
		n->seals = (n->seals & ~LINUX_F_SEAL_SEAL) | LINUX_F_SEAL_EXEC;
	else if (flags & LINUX_MFD_ALLOW_SEALING)
		n->seals &= ~LINUX_F_SEAL_SEAL;
	return 0;
}

long kern_memfd_create(struct task *t, const struct memfd_create_args *a)
{
	char name[MFD_NAME_MAX_LEN + 1], path[sizeof(name) + 32];
	uint32_t flags = a->flags;
	struct inode *i;
	struct file *f;
	long len;
	int fd, err;

	err = check_flags(&flags);
	if (err)
		return err;
	len = task_copy_string_in(t, a->name, name, sizeof(name));
	if (len == -ENAMETOOLONG)
		return -EINVAL;
	if (len < 0)
		return len;
	err = fd_check_free(t);
	if (err)
		return err;
	/* No hugetlbfs here: what a kernel built without it answers. */
	if (flags & LINUX_MFD_HUGETLB)
		return -ENOSYS;
	err = memfd_inode(t, flags, &i);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/" MFD_NAME_PREFIX "%s (deleted)", name);
	err = file_new_pseudo(i, path, &tmpfs_file_fops,
			      LINUX_O_RDWR | LINUX_O_LARGEFILE, NULL, &f);
	if (err)
		return err;
	f->fmode |= FMODE_LSEEK | FMODE_PREAD;
	fd = fd_install(t, f,
			(flags & LINUX_MFD_CLOEXEC) ? FD_CLOEXEC_FLAG : 0);
	file_put(f);
	return fd;
}
