/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.c: socket, socketpair, bind, connect, listen, accept, accept4,
 * getsockname, getpeername, shutdown, setsockopt, getsockopt, with the
 * checks of net/socket.c in its order; the families do the rest.
 */
#include <errno.h>

#include "sentry/syscalls/net_common.h"

/* __sock_create's checks and the family's create. */
static int sock_create(struct task *t, int domain, int type, int protocol,
		       struct socket **out)
{
	const struct socket_family *fam;

	if (domain < 0 || domain >= LINUX_AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= LINUX_SOCK_MAX)
		return -EINVAL;
	fam = socket_family_find(domain);
	if (!fam)
		return -EAFNOSUPPORT;
	return fam->create(t, type, protocol, out);
}

static uint32_t file_flags(uint32_t sockflags)
{
	return (sockflags & LINUX_SOCK_NONBLOCK) ? LINUX_O_NONBLOCK : 0;
}

static unsigned fd_flags(uint32_t sockflags)
{
	return (sockflags & LINUX_SOCK_CLOEXEC) ? FD_CLOEXEC_FLAG : 0;
}

long kern_socket(struct task *t, const struct socket_args *a)
{
	uint32_t flags = a->type & ~(uint32_t)LINUX_SOCK_TYPE_MASK;
	struct socket *s;
	struct file *f;
	long fd;
	int err;

	err = sock_create(t, a->domain, (int)(a->type & LINUX_SOCK_TYPE_MASK),
			  a->protocol, &s);
	if (err)
		return err;
	err = socket_file(t, s, file_flags(flags), &f);
	if (err)
		return err;
	fd = fd_install(t, f, fd_flags(flags));
	file_put(f);
	return fd;
}

long kern_socketpair(struct task *t, const struct socketpair_args *a)
{
	uint32_t flags = a->type & ~(uint32_t)LINUX_SOCK_TYPE_MASK;
	int type = (int)(a->type & LINUX_SOCK_TYPE_MASK);
	const struct socket_family *fam;
	int32_t fds[2] = {-1, -1};
	struct socket *sa, *sb;
	struct file *fa, *fb;
	long err;

	/* Linux reserves both descriptors and writes the array before it
	 * makes the sockets: EMFILE and EFAULT come first. */
	err = fd_check_free(t);
	if (err)
		return err;
	if (task_copy_out(t, a->sv, fds, sizeof(fds)))
		return -EFAULT;
	err = sock_create(t, a->domain, type, a->protocol, &sa);
	if (err)
		return err;
	err = sock_create(t, a->domain, type, a->protocol, &sb);
	if (err) {
		socket_put(sa);
		return err;
	}
	fam = socket_family_find(a->domain);
	err = socket_file(t, sa, file_flags(flags), &fa);
	if (err) {
		socket_put(sb);
		return err;
	}
	err = socket_file(t, sb, file_flags(flags), &fb);
	if (err) {
		file_put(fa);
		return err;
	}
	err = fam->socketpair ? fam->socketpair(t, sa, sb) : -EOPNOTSUPP;
	if (!err) {
		fds[0] = fd_install(t, fa, fd_flags(flags));
		fds[1] = fds[0] < 0 ? -1 : fd_install(t, fb, fd_flags(flags));
		err = fds[0] < 0 ? fds[0] : fds[1] < 0 ? fds[1] : 0;
	}
	file_put(fa);
	file_put(fb);
	if (!err && task_copy_out(t, a->sv, fds, sizeof(fds)))
		err = -EFAULT;
	if (err) {
		if (fds[0] >= 0)
			fd_close(t, fds[0]);
		if (fds[1] >= 0)
			fd_close(t, fds[1]);
	}
	return err;
}

long kern_bind(struct task *t, const struct bind_args *a)
{
	struct linux_sockaddr_storage addr;
	struct file *f;
	struct socket *s;
	long err;

	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	err = net_addr_in(t, a->addr, a->addrlen, &addr);
	if (!err)
		err = s->ops->bind ? s->ops->bind(s, t, &addr, a->addrlen)
				   : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* __sys_connect: the address is read before the descriptor is known to
 * be a socket (EFAULT/EINVAL before ENOTSOCK). */
long kern_connect(struct task *t, const struct connect_args *a)
{
	struct linux_sockaddr_storage addr;
	struct file *f = fd_get_nopath(t, a->sockfd);
	struct socket *s;
	long err;

	if (!f)
		return -EBADF;
	err = net_addr_in(t, a->addr, a->addrlen, &addr);
	if (!err) {
		s = socket_of_file(f);
		if (!s)
			err = -ENOTSOCK;
		else
			err = s->ops->connect
				      ? s->ops->connect(
						s, t, &addr, a->addrlen,
						f->flags & LINUX_O_NONBLOCK)
				      : -EOPNOTSUPP;
	}
	file_put(f);
	return err;
}

long kern_listen(struct task *t, const struct listen_args *a)
{
	int backlog = a->backlog;
	struct file *f;
	struct socket *s;
	long err;

	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	/* net.core.somaxconn caps it; a negative backlog is "a lot". */
	if ((unsigned)backlog > 4096)
		backlog = 4096;
	err = s->ops->listen ? s->ops->listen(s, t, backlog) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/*
 * __sys_accept4: a free descriptor must exist before waiting (EMFILE);
 * the peer's address is written before the descriptor is installed, and
 * a fault there loses the connection, as in Linux.
 */
static long do_accept(struct task *t, int fd, uint64_t uaddr, uint64_t ulen,
		      uint32_t flags)
{
	struct linux_sockaddr_storage addr;
	struct socket *s, *ns;
	struct file *f, *nf;
	long err;

	if (flags & ~(uint32_t)(LINUX_SOCK_CLOEXEC | LINUX_SOCK_NONBLOCK))
		return -EINVAL;
	s = net_sockfd(t, fd, &f, &err);
	if (!s)
		return err;
	err = s->ops->accept ? fd_check_free(t) : -EOPNOTSUPP;
	if (!err)
		err = s->ops->accept(s, t, f->flags & LINUX_O_NONBLOCK, &ns);
	file_put(f);
	if (err)
		return err;
	err = socket_file(t, ns, file_flags(flags), &nf);
	if (err)
		return err;
	if (uaddr) {
		int len = ns->ops->getpeername(ns, &addr);

		err = len < 0 ? -ECONNABORTED
			      : net_addr_out(t, &addr, len, uaddr, ulen);
	}
	if (!err)
		err = fd_install(t, nf, fd_flags(flags));
	file_put(nf);
	return err;
}

long kern_accept(struct task *t, const struct accept_args *a)
{
	return do_accept(t, a->sockfd, a->addr, a->addrlen, 0);
}

long kern_accept4(struct task *t, const struct accept4_args *a)
{
	return do_accept(t, a->sockfd, a->addr, a->addrlen, a->flags);
}

static long do_getname(struct task *t, int fd, uint64_t uaddr, uint64_t ulen,
		       bool peer)
{
	struct linux_sockaddr_storage addr;
	struct file *f;
	struct socket *s;
	long err;

	s = net_sockfd(t, fd, &f, &err);
	if (!s)
		return err;
	err = peer ? s->ops->getpeername(s, &addr)
		   : s->ops->getsockname(s, &addr);
	if (err >= 0)
		err = net_addr_out(t, &addr, (int32_t)err, uaddr, ulen);
	file_put(f);
	return err;
}

long kern_getsockname(struct task *t, const struct getsockname_args *a)
{
	return do_getname(t, a->sockfd, a->addr, a->addrlen, false);
}

long kern_getpeername(struct task *t, const struct getpeername_args *a)
{
	return do_getname(t, a->sockfd, a->addr, a->addrlen, true);
}

long kern_shutdown(struct task *t, const struct shutdown_args *a)
{
	struct file *f;
	struct socket *s;
	long err;

	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	err = s->ops->shutdown ? s->ops->shutdown(s, a->how) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long kern_setsockopt(struct task *t, const struct setsockopt_args *a)
{
	struct file *f;
	struct socket *s;
	long err;

	if (a->optlen < 0)
		return -EINVAL;
	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	err = sock_setsockopt(s, t, a->level, a->optname, a->optval, a->optlen);
	file_put(f);
	return err;
}

long kern_getsockopt(struct task *t, const struct getsockopt_args *a)
{
	struct file *f;
	struct socket *s;
	long err;

	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	err = sock_getsockopt(s, t, a->level, a->optname, a->optval, a->optlen);
	file_put(f);
	return err;
}
