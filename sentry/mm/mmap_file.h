/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mmap_file.h: the one call kern_mmap makes into the vfs, so sentry/mm
 * knows nothing of files (the vfs implements it).
 */
#ifndef CVISOR_MM_MMAP_FILE_H
#define CVISOR_MM_MMAP_FILE_H

#include <stdint.h>

struct task;
struct mm_map_args;

/*
 * Resolve `fd` of task t for mmap(2) and describe what to map in `io`:
 *  - io->obj: the file's mappable, a new reference (kern_mmap drops it
 *    after mm_map). A file that maps as anonymous memory (/dev/zero with
 *    MAP_PRIVATE) may leave it NULL; shared /dev/zero may use
 *    mm_shmem_new(len).
 *  - io->maxprot: PROT_READ if the file is open for reading, PROT_WRITE
 *    if open for writing, PROT_EXEC unless its mount is noexec. mm_map
 *    turns these into Linux's EACCES (MAP_SHARED + PROT_WRITE without
 *    write access, or no read access) and EPERM (PROT_EXEC on noexec) at
 *    the point Linux checks them, so the vfs does not check prot itself.
 *  - io->name: a malloc'd path for /proc/PID/maps (kern_mmap frees it),
 *    or NULL; io->dev, io->ino as stat reports them.
 * `off`, `prot` and `flags` are the guest's, for files that care (device
 * files). Returns 0, -EBADF (not an open fd, or an O_PATH one), -ENODEV
 * (a file that cannot be mapped: directory, pipe, socket), or -errno.
 */
int vfs_mmap_fd(struct task *t, int fd, uint64_t off, int prot, int flags,
		struct mm_map_args *io);

#endif
