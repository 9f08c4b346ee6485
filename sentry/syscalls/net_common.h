/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_common.h: what the socket syscalls (net.c, net_msg.c) share:
 * descriptor lookup and the guest's socket addresses, which are hostile
 * input (lengths checked before any copy).
 */
#ifndef CVISOR_SYSCALLS_NET_COMMON_H
#define CVISOR_SYSCALLS_NET_COMMON_H

#include <errno.h>
#include <stdint.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/socket.h"
#include "sentry/kernel/task.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/vfs.h"

/* sockfd_lookup_light: the socket behind fd and its file (file_put it);
 * -EBADF (O_PATH descriptors included), -ENOTSOCK. */
static inline struct socket *net_sockfd(struct task *t, int fd,
					struct file **fp, long *err)
{
	struct file *f = fd_get_nopath(t, fd);
	struct socket *s;

	*fp = NULL;
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	s = socket_of_file(f);
	if (!s) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

/* move_addr_to_kernel: a length outside [0, sizeof sockaddr_storage] is
 * EINVAL; 0 copies nothing. */
static inline int net_addr_in(struct task *t, uint64_t uaddr, int32_t len,
			      struct linux_sockaddr_storage *k)
{
	if (len < 0 || len > (int32_t)sizeof(*k))
		return -EINVAL;
	if (len == 0)
		return 0;
	return task_copy_in(t, uaddr, k, (size_t)len) ? -EFAULT : 0;
}

/* move_addr_to_user: copy at most the guest's *ulen bytes of the klen
 * byte address, then store klen (the length before truncation). */
static inline int net_addr_out(struct task *t,
			       const struct linux_sockaddr_storage *k,
			       int32_t klen, uint64_t uaddr, uint64_t ulen)
{
	int32_t len;

	if (task_copy_in(t, ulen, &len, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && task_copy_out(t, uaddr, k, (size_t)len))
		return -EFAULT;
	return task_copy_out(t, ulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/* The MSG_DONTWAIT a description's O_NONBLOCK adds. */
static inline uint32_t net_nonblock_flags(const struct file *f)
{
	return (f->flags & LINUX_O_NONBLOCK) ? LINUX_MSG_DONTWAIT : 0;
}

#endif
