/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipe.h: pipes and FIFOs.
 *
 * A pipe is a ring of up to 16 pages (64 KiB by default, F_SETPIPE_SZ
 * changes it) in the Sentry, with a wait queue on which readers wait for
 * POLLIN and writers for POLLOUT. Writes of at most PIPE_BUF bytes are
 * atomic. pipe(2) makes an anonymous pipe with two descriptions; a FIFO
 * inode carries one pipe shared by all its opens.
 */
#ifndef CVISOR_FS_PIPE_H
#define CVISOR_FS_PIPE_H

#include <stdint.h>

struct file;
struct inode;
struct task;

#define PIPE_DEF_SIZE (64u * 1024)
#define PIPE_MAX_SIZE (1024u * 1024) /* /proc/sys/fs/pipe-max-size */

/* Two descriptions of a new anonymous pipe: read end, write end. `flags`
 * may hold LINUX_O_NONBLOCK and LINUX_O_DIRECT (packet mode). */
int pipe_create(struct task *, uint32_t flags, struct file **rd,
		struct file **wr);
/* open() of a FIFO inode: blocks (interruptibly) for the other side
 * unless O_NONBLOCK (ENXIO for a write-only open with no reader). */
int pipe_fifo_open(struct inode *, struct file *);
/* The pipe of a FIFO inode goes with it (evict). */
void pipe_fifo_release(struct inode *);
/* Bytes buffered (FIONREAD), or -EINVAL if f is not a pipe. */
long pipe_bytes(struct file *);

#endif
