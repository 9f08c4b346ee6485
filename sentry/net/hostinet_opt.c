/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostinet_opt.c: socket options and ioctls of --network=host sockets,
 * through spec/netopts.yaml: `pass` goes to the host socket (the value
 * bounded by the option's size), `local` stays with the Sentry's socket
 * layer (timeouts: a guest waits in the Sentry, never in the host),
 * anything else is ENOPROTOOPT.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "gen/linux_flags.h"
#include "sentry/kernel/task.h"
#include "sentry/net/hostinet.h"
#include "sentry/net/netopt.h"
#include "sentry/net/socket.h"

#define OPT_MAX 256

/* SO_LINGER with a time: a host close() would wait that long holding the
 * kernel lock, so only "off" and "abort at close" (0) reach the host; a
 * time is kept in the Sentry and the host closes as if lingering were off. */
static int set_linger(struct socket *s, struct task *t, uint64_t optval,
		      int optlen)
{
	struct linux_linger l;
	struct linger hl = {0, 0};
	int err;

	if (optlen < (int)sizeof(l))
		return -EINVAL;
	if (task_copy_in(t, optval, &l, sizeof(l)))
		return -EFAULT;
	if (l.onoff && !l.linger)
		hl.l_onoff = 1;
	if (setsockopt(host_fd(s), SOL_SOCKET, SO_LINGER, &hl, sizeof(hl)))
		return -errno;
	err = sock_setsockopt_local(s, t, LINUX_SO_LINGER, optval, optlen);
	return err;
}

int hostinet_setsockopt(struct socket *s, struct task *t, int level, int name,
			uint64_t optval, int optlen)
{
	const struct netopt *o = netopt_find(level, name);
	char buf[OPT_MAX];
	int len;

	if (!o || o->host == NETOPT_HOST_DENY)
		return -ENOPROTOOPT;
	if (o->host == NETOPT_HOST_LOCAL)
		return sock_setsockopt_local(s, t, name, optval, optlen);
	if (level == LINUX_SOL_SOCKET && name == LINUX_SO_LINGER)
		return set_linger(s, t, optval, optlen);
	len = optlen < o->size ? optlen : o->size;
	if (len < 0)
		return -EINVAL;
	if (len && task_copy_in(t, optval, buf, (size_t)len))
		return -EFAULT;
	if (setsockopt(host_fd(s), level, name, buf, (socklen_t)len))
		return -errno;
	if (level == LINUX_SOL_SOCKET) /* the Sentry's view follows */
		sock_setsockopt_local(s, t, name, optval, optlen);
	return 0;
}

int hostinet_getsockopt(struct socket *s, struct task *t, int level, int name,
			uint64_t optval, uint64_t optlen)
{
	const struct netopt *o = netopt_find(level, name);
	char buf[OPT_MAX] = {0};
	socklen_t hlen;
	int32_t len;

	if (!o || o->host == NETOPT_HOST_DENY)
		return -ENOPROTOOPT;
	if (o->host == NETOPT_HOST_LOCAL ||
	    (level == LINUX_SOL_SOCKET && name == LINUX_SO_LINGER))
		return sock_getsockopt_local(s, t, name, optval, optlen);
	if (task_copy_in(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	hlen = (socklen_t)(len < o->size ? len : o->size);
	if (hlen && task_copy_in(t, optval, buf, hlen))
		memset(buf, 0, hlen); /* an input value is optional */
	if (getsockopt(host_fd(s), level, name, buf, &hlen))
		return -errno;
	if (hlen > (socklen_t)o->size)
		hlen = (socklen_t)o->size;
	len = (int32_t)hlen;
	if ((len && task_copy_out(t, optval, buf, (size_t)len)) ||
	    task_copy_out(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

long hostinet_ioctl(struct socket *s, struct task *t, uint32_t cmd,
		    uint64_t arg)
{
	const struct netopt_ioctl *i = netopt_ioctl_find(cmd);
	char buf[64] = {0};

	if (!i || !i->host)
		return -ENOTTY;
	if (ioctl(host_fd(s), (unsigned long)cmd, buf))
		return -errno;
	return task_copy_out(t, arg, buf, (size_t)i->size) ? -EFAULT : 0;
}
