/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memfd.h: memfd_create's files and file seals (mm/memfd.c). A memfd is
 * an unlinked tmpfs file; seals live on tmpfs files (every one has
 * F_SEAL_SEAL unless it is a memfd made with MFD_ALLOW_SEALING), and
 * tmpfs_file.c enforces them on write, truncate and fallocate, the VFS's
 * mmap on shared writable mappings.
 */
#ifndef CVISOR_FS_MEMFD_H
#define CVISOR_FS_MEMFD_H

#include <stdint.h>

struct file;
struct task;

/* fcntl's F_ADD_SEALS and F_GET_SEALS (memfd_fcntl): EPERM, EINVAL,
 * EBUSY as Linux; EINVAL for a file that cannot be sealed. */
long memfd_fcntl(struct file *, int cmd, uint64_t arg);
/* The file's seals (LINUX_F_SEAL_*), or -EINVAL when it has none. */
int memfd_file_seals(struct file *);

#endif
