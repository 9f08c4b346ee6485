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

#include <stdbool.h>
#include <stddef.h>
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

/*
 * What splice, tee and vmsplice (fs_splice.c) do with the buffer of a
 * pipe description (pipe_is), under the kernel lock:
 * pipe_wait_readable: the bytes buffered once there are some (waiting for
 *   them unless nonblock or t is NULL: -EAGAIN), 0 when empty with no
 *   writer left, -ERESTARTSYS on a signal;
 * pipe_wait_writable: free bytes once there are some, -EPIPE (and
 *   SIGPIPE to t) with no reader, -EAGAIN, -ERESTARTSYS;
 * pipe_peek: copy up to len buffered bytes from offset skip, consuming
 *   nothing (tee); pipe_consume: drop n bytes from the front;
 * pipe_append: add up to n bytes (at most the free space); bytes added.
 */
bool pipe_is(const struct file *);
long pipe_wait_readable(struct file *, struct task *, bool nonblock);
long pipe_wait_writable(struct file *, struct task *, bool nonblock);
size_t pipe_peek(struct file *, void *buf, size_t len, size_t skip);
void pipe_consume(struct file *, size_t n);
long pipe_append(struct file *, const void *buf, size_t n);

#endif
