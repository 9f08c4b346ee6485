/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mmap.c: the file side of mmap(2) (see sentry/mm/mmap_file.h): what a
 * descriptor maps, and what its open mode lets the mapping do.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "gen/linux_flags.h"
#include "sentry/fs/memfd.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/mmap_file.h"
#include "sentry/vfs/vfs.h"

/* /dev/zero mapped privately is plain anonymous memory, as on Linux. */
static bool is_dev_zero(const struct inode *ino)
{
	return LINUX_S_ISCHR(ino->mode) && linux_major(ino->rdev) == 1 &&
	       linux_minor(ino->rdev) == 5;
}

/* seal_check_write: a write-sealed file (F_SEAL_WRITE, _FUTURE_WRITE)
 * takes no new shared writable mapping (EPERM, after the EACCES of a
 * read-only file), and its shared read-only ones may not become
 * writable later. */
static int sealed_shared(struct file *f, int prot, int flags, int *maxprot)
{
	int seals = memfd_file_seals(f);
	int type = flags & (int)FLAGSET_mmap_flags_FIELD_MASK;

	if (seals <= 0 || type == LINUX_MAP_PRIVATE ||
	    !(seals & (LINUX_F_SEAL_WRITE | LINUX_F_SEAL_FUTURE_WRITE)))
		return 0;
	if ((prot & PROT_WRITE) && (f->fmode & FMODE_WRITE))
		return -EPERM;
	*maxprot &= ~PROT_WRITE;
	return 0;
}

int vfs_mmap_fd(struct task *t, int fd, uint64_t off, int prot, int flags,
		struct mm_map_args *io)
{
	struct file *f = fd_get_nopath(t, fd);
	char *name;
	int err = 0;

	(void)off;
	if (!f)
		return -EBADF;
	io->maxprot = 0;
	if (f->fmode & FMODE_READ)
		io->maxprot |= PROT_READ;
	if (f->fmode & FMODE_WRITE)
		io->maxprot |= PROT_WRITE;
	if (!f->path.mnt || !(f->path.mnt->flags & MNT_NOEXEC))
		io->maxprot |= PROT_EXEC;
	io->dev = f->inode->sb->dev;
	io->ino = f->inode->ino;
	io->obj = NULL;
	io->name = NULL;
	if (is_dev_zero(f->inode) && (flags & (int)FLAGSET_mmap_flags_FIELD_MASK) ==
					     LINUX_MAP_PRIVATE) {
		/* Anonymous memory, shown as such in /proc/PID/maps. */
		io->dev = 0;
		io->ino = 0;
		goto out;
	}
	if (!f->ops->mmap) {
		err = -ENODEV;
		goto out;
	}
	err = sealed_shared(f, prot, flags, &io->maxprot);
	if (err)
		goto out;
	err = f->ops->mmap(f, &io->obj);
	if (err)
		goto out;
	name = malloc(4096);
	if (name && vfs_file_path_string(t, f, name, 4096) >= 0)
		io->name = name;
	else
		free(name);
out:
	file_put(f);
	return err;
}
