/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_msg.c: sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg.
 *
 * The guest's msghdr, iovecs, control buffer and addresses are read with
 * Linux's checks in its order (copy_msghdr_from_user, import_iovec,
 * ____sys_sendmsg): a negative name length is EINVAL, a longer one is cut
 * to sizeof(sockaddr_storage), more than UIO_MAXIOV iovecs is EMSGSIZE,
 * a control buffer of optmem_max or more is ENOBUFS.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/net/scm.h"
#include "sentry/syscalls/net_common.h"

#define TASK_SIZE_MAX 0x00007ffffffff000ULL
#define FAST_IOV 8
/* MSG_SPLICE_PAGES, MSG_SENDPAGE_NOPOLICY, MSG_SENDPAGE_DECRYPTED: the
 * kernel's own, never taken from a caller. */
#define MSG_INTERNAL_SEND 0x8110000u

static bool access_ok(uint64_t addr, uint64_t len)
{
	return len == 0 ||
	       (addr <= TASK_SIZE_MAX && len <= TASK_SIZE_MAX - addr);
}

/* A guest msghdr with its iovecs imported. */
struct msghdr_k {
	struct linux_msghdr h;
	struct linux_iovec fast[FAST_IOV], *iov;
	uint64_t total;
	struct linux_sockaddr_storage addr;
	int namelen; /* send: the destination's length (0: none) */
};

static void msghdr_free(struct msghdr_k *m)
{
	if (m->iov && m->iov != m->fast)
		free(m->iov);
	m->iov = NULL;
}

/* __copy_msghdr and import_iovec; for a send the name is read too. */
static long msghdr_in(struct task *t, uint64_t umsg, bool send,
		      struct msghdr_k *m)
{
	long total;
	int err;

	m->iov = NULL;
	if (task_copy_in(t, umsg, &m->h, sizeof(m->h)))
		return -EFAULT;
	m->namelen = m->h.name ? m->h.namelen : 0;
	if (m->namelen < 0)
		return -EINVAL;
	if (m->namelen > (int)sizeof(m->addr))
		m->namelen = sizeof(m->addr);
	if (send && m->namelen) {
		err = net_addr_in(t, m->h.name, m->namelen, &m->addr);
		if (err)
			return err;
	}
	if (m->h.iovlen > LINUX_UIO_MAXIOV)
		return -EMSGSIZE;
	total = vfs_import_iovec(t, m->h.iov, m->h.iovlen, m->fast, FAST_IOV,
				 &m->iov);
	if (total < 0)
		return total;
	m->total = (uint64_t)total;
	return 0;
}

/* One sendmsg (___sys_sendmsg); *left is what the socket did not take. */
static long sendmsg_one(struct task *t, struct socket *s, struct file *f,
			uint64_t umsg, uint32_t flags, uint32_t allowed,
			uint64_t *left)
{
	struct msghdr_k m;
	struct vfs_uio uio;
	struct sock_msg msg = {.t = t, .uio = &uio};
	void *ctl = NULL;
	long ret;

	*left = 0;
	ret = msghdr_in(t, umsg, true, &m);
	if (ret)
		goto out;
	ret = -ENOBUFS;
	if (m.h.controllen > 0x7fffffff || m.h.controllen >= SCM_OPTMEM_MAX)
		goto out;
	if (m.h.controllen) {
		ret = -ENOMEM;
		ctl = malloc(m.h.controllen);
		if (!ctl)
			goto out;
		ret = -EFAULT;
		if (task_copy_in(t, m.h.control, ctl, m.h.controllen))
			goto out;
	}
	flags |= m.h.flags & allowed;
	flags &= ~MSG_INTERNAL_SEND;
	flags |= net_nonblock_flags(f);
	vfs_uio_init_guest(&uio, t, m.iov, (int)m.h.iovlen, m.total);
	msg.name = &m.addr;
	msg.namelen = m.namelen;
	msg.ctl = ctl;
	msg.ctllen = m.h.controllen;
	ret = s->ops->sendmsg(s, &msg, flags);
	*left = uio.resid;
out:
	free(ctl);
	msghdr_free(&m);
	return ret;
}

/*
 * One recvmsg (____sys_recvmsg): after the data, the source address (as
 * much as the guest's msg_namelen allows; msg_namelen gets the full
 * length), msg_flags and the length of the control data written.
 */
static long recvmsg_one(struct task *t, struct socket *s, struct file *f,
			uint64_t umsg, uint32_t flags)
{
	struct msghdr_k m;
	struct vfs_uio uio;
	struct sock_msg msg = {.t = t, .uio = &uio};
	uint64_t used;
	uint32_t oflags;
	long ret;

	ret = msghdr_in(t, umsg, false, &m);
	if (ret)
		goto out;
	vfs_uio_init_guest(&uio, t, m.iov, (int)m.h.iovlen, m.total);
	msg.name = m.h.name ? &m.addr : NULL;
	msg.control = m.h.control;
	msg.controllen = m.h.controllen;
	msg.flags = flags & (LINUX_MSG_CMSG_CLOEXEC | LINUX_MSG_CMSG_COMPAT);
	ret = s->ops->recvmsg(s, &msg, flags | net_nonblock_flags(f));
	if (ret < 0)
		goto out;
	if (m.h.name) {
		int err = net_addr_out(
			t, &m.addr, msg.namelen, m.h.name,
			umsg + offsetof(struct linux_msghdr, namelen));

		if (err) {
			ret = err;
			goto out;
		}
	}
	oflags = msg.flags & ~LINUX_MSG_CMSG_COMPAT;
	used = msg.control - m.h.control;
	if (task_copy_out(t, umsg + offsetof(struct linux_msghdr, flags),
			  &oflags, sizeof(oflags)) ||
	    task_copy_out(t, umsg + offsetof(struct linux_msghdr, controllen),
			  &used, sizeof(used)))
		ret = -EFAULT;
out:
	msghdr_free(&m);
	return ret;
}

long kern_sendto(struct task *t, const struct sendto_args *a)
{
	uint64_t len =
		a->len > LINUX_MAX_RW_COUNT ? LINUX_MAX_RW_COUNT : a->len;
	struct linux_sockaddr_storage addr;
	struct linux_iovec iov = {.base = a->buf, .len = len};
	struct vfs_uio uio;
	struct sock_msg msg = {.t = t, .uio = &uio, .name = &addr};
	struct file *f;
	struct socket *s;
	long err;

	if (!access_ok(a->buf, len))
		return -EFAULT;
	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	if (a->dest_addr) {
		err = net_addr_in(t, a->dest_addr, a->addrlen, &addr);
		if (err)
			goto out;
		msg.namelen = a->addrlen;
	}
	vfs_uio_init_guest(&uio, t, &iov, 1, len);
	err = s->ops->sendmsg(s, &msg,
			      (a->flags & ~MSG_INTERNAL_SEND) |
				      net_nonblock_flags(f));
out:
	file_put(f);
	return err;
}

long kern_recvfrom(struct task *t, const struct recvfrom_args *a)
{
	uint64_t len =
		a->len > LINUX_MAX_RW_COUNT ? LINUX_MAX_RW_COUNT : a->len;
	struct linux_sockaddr_storage addr;
	struct linux_iovec iov = {.base = a->buf, .len = len};
	struct vfs_uio uio;
	struct sock_msg msg = {.t = t, .uio = &uio};
	struct file *f;
	struct socket *s;
	long err;

	if (!access_ok(a->buf, len))
		return -EFAULT;
	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	msg.name = a->src_addr ? &addr : NULL;
	vfs_uio_init_guest(&uio, t, &iov, 1, len);
	err = s->ops->recvmsg(s, &msg, a->flags | net_nonblock_flags(f));
	if (err >= 0 && a->src_addr) {
		int err2 = net_addr_out(t, &addr, msg.namelen, a->src_addr,
					a->addrlen);

		if (err2)
			err = err2;
	}
	file_put(f);
	return err;
}

long kern_sendmsg(struct task *t, const struct sendmsg_args *a)
{
	uint64_t left;
	struct file *f;
	struct socket *s;
	long err;

	if (a->flags & LINUX_MSG_CMSG_COMPAT)
		return -EINVAL;
	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	err = sendmsg_one(t, s, f, a->msg, a->flags, 0, &left);
	file_put(f);
	return err;
}

long kern_recvmsg(struct task *t, const struct recvmsg_args *a)
{
	struct file *f;
	struct socket *s;
	long err;

	if (a->flags & LINUX_MSG_CMSG_COMPAT)
		return -EINVAL;
	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	err = recvmsg_one(t, s, f, a->msg, a->flags);
	file_put(f);
	return err;
}

/* __sys_sendmmsg: stops at the first error or short send; an error is
 * returned only when nothing was sent. */
long kern_sendmmsg(struct task *t, const struct sendmmsg_args *a)
{
	uint32_t vlen = a->vlen > LINUX_UIO_MAXIOV ? LINUX_UIO_MAXIOV : a->vlen;
	uint32_t flags = a->flags | LINUX_MSG_BATCH, n = 0;
	struct file *f;
	struct socket *s;
	long err = 0;

	if (a->flags & LINUX_MSG_CMSG_COMPAT)
		return -EINVAL;
	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	while (n < vlen) {
		uint64_t entry =
			a->msgvec + (uint64_t)n * sizeof(struct linux_mmsghdr);
		uint64_t left;
		uint32_t len;

		if (n == vlen - 1)
			flags = a->flags;
		err = sendmsg_one(t, s, f, entry, flags, LINUX_MSG_EOR, &left);
		if (err < 0)
			break;
		len = (uint32_t)err;
		err = 0;
		if (task_copy_out(t,
				  entry + offsetof(struct linux_mmsghdr, len),
				  &len, sizeof(len))) {
			err = -EFAULT;
			break;
		}
		n++;
		if (left)
			break;
	}
	file_put(f);
	return n ? (long)n : err;
}

/* The remaining time of a recvmmsg timeout (never negative). */
static struct linux_timespec remaining(int64_t end)
{
	int64_t left = end - kernel_now_ns();
	struct linux_timespec ts = {0, 0};

	if (left > 0) {
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
	}
	return ts;
}

/*
 * __sys_recvmmsg: a pending socket error first; then up to vlen messages,
 * MSG_WAITFORONE turning on MSG_DONTWAIT after the first; the timeout is
 * only looked at between messages (as Linux does). An error after some
 * messages is kept as the socket's pending error.
 */
static long do_recvmmsg(struct task *t, const struct recvmmsg_args *a,
			struct linux_timespec *ts)
{
	uint32_t flags = a->flags, n = 0;
	int64_t end = 0;
	struct file *f;
	struct socket *s;
	long err = 0;

	if (ts) {
		if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
		    ts->tv_nsec >= 1000000000)
			return -EINVAL;
		end = kernel_now_ns();
		if (ts->tv_sec >= (INT64_MAX - end) / 1000000000 - 1)
			end = INT64_MAX; /* saturate, as timespec64_add_safe */
		else
			end += ts->tv_sec * 1000000000 + ts->tv_nsec;
	}
	s = net_sockfd(t, a->sockfd, &f, &err);
	if (!s)
		return err;
	if (!(flags & LINUX_MSG_ERRQUEUE)) {
		err = socket_error(s);
		if (err)
			goto out;
	}
	while (n < a->vlen) {
		uint64_t entry =
			a->msgvec + (uint64_t)n * sizeof(struct linux_mmsghdr);
		uint32_t len;

		err = recvmsg_one(t, s, f, entry,
				  flags & ~LINUX_MSG_WAITFORONE);
		if (err < 0)
			break;
		len = (uint32_t)err;
		err = 0;
		if (task_copy_out(t,
				  entry + offsetof(struct linux_mmsghdr, len),
				  &len, sizeof(len))) {
			err = -EFAULT;
			break;
		}
		n++;
		if (flags & LINUX_MSG_WAITFORONE)
			flags |= LINUX_MSG_DONTWAIT;
		if (ts) {
			*ts = remaining(end);
			if (!ts->tv_sec && !ts->tv_nsec)
				break;
		}
	}
	if (err && n) {
		if (err != -EAGAIN)
			s->err = (int)-err;
		err = 0;
	}
out:
	file_put(f);
	return n ? (long)n : err;
}

long kern_recvmmsg(struct task *t, const struct recvmmsg_args *a)
{
	struct linux_timespec ts;
	long n;

	if (a->flags & LINUX_MSG_CMSG_COMPAT)
		return -EINVAL;
	if (!a->timeout)
		return do_recvmmsg(t, a, NULL);
	if (task_copy_in(t, a->timeout, &ts, sizeof(ts)))
		return -EFAULT;
	n = do_recvmmsg(t, a, &ts);
	if (n > 0 && task_copy_out(t, a->timeout, &ts, sizeof(ts)))
		n = -EFAULT;
	return n;
}
