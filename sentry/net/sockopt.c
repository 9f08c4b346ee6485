/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sockopt.c: SOL_SOCKET options (sock_setsockopt, sk_getsockopt), with
 * Linux's length rules: a set needs an int's worth (EINVAL), a get copies
 * at most the option's size and writes back the length it used.
 * Unknown options are ENOPROTOOPT; other levels go to the family.
 */
#include <errno.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/capability.h"
#include "sentry/abi/poll.h"
#include "sentry/kernel/task.h"
#include "sentry/net/socket.h"

#define HZ_NS 1000000ll /* timeouts count in milliseconds (HZ 1000) */
#define INT_MAX_ 0x7fffffff

static uint64_t next_cookie = 1;

static bool capable(struct task *t, int cap)
{
	return creds_capable(t->creds, cap);
}

/* SO_*TIMEO as a timeval: 0/0 for no timeout (sock_get_timeout). */
static struct linux_sock_timeval get_timeout(int64_t ns)
{
	struct linux_sock_timeval tv = {0, 0};

	if (ns != SOCK_TIMEO_INFINITE) {
		tv.sec = ns / 1000000000ll;
		tv.usec = (ns % 1000000000ll) / 1000;
	}
	return tv;
}

/* sock_set_timeout: EDOM for a bad usec; a negative time means "do not
 * wait at all"; zero means forever; else rounded up to the tick. */
static int set_timeout(struct task *t, uint64_t optval, int optlen,
		       int64_t *out)
{
	struct linux_sock_timeval tv;

	if (optlen < (int)sizeof(tv))
		return -EINVAL;
	if (task_copy_in(t, optval, &tv, sizeof(tv)))
		return -EFAULT;
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0) {
		*out = 0;
		return 0;
	}
	*out = SOCK_TIMEO_INFINITE;
	if ((tv.sec || tv.usec) && tv.sec < INT64_MAX / 1000000000ll - 1)
		*out = tv.sec * 1000000000ll +
		       (tv.usec + HZ_NS / 1000 - 1) / (HZ_NS / 1000) * HZ_NS;
	return 0;
}

/* sk_setsockopt's buffer sizing: doubled (for overhead), at least the
 * minimum. */
static void set_buf(int *buf, int val, int min)
{
	if (val > INT_MAX_ / 2)
		val = INT_MAX_ / 2;
	*buf = val * 2 > min ? val * 2 : min;
}

static void set_flag(struct socket *s, unsigned flag, bool on)
{
	if (on)
		s->flags |= flag;
	else
		s->flags &= ~flag;
}

/* SO_BINDTODEVICE: an interface name, up to IFNAMSIZ - 1 bytes; the
 * sandbox has no interfaces but the loopback one. */
static int set_bindtodevice(struct socket *s, struct task *t, uint64_t optval,
			    int optlen)
{
	char name[16] = {0};

	if (!capable(t, LINUX_CAP_NET_RAW))
		return -EPERM;
	if (optlen < 0)
		return -EINVAL;
	if (optlen > 15)
		optlen = 15;
	if (optlen && task_copy_in(t, optval, name, (size_t)optlen))
		return -EFAULT;
	if (name[0] && strcmp(name, "lo"))
		return -ENODEV;
	memcpy(s->bound_dev, name, sizeof(name));
	return 0;
}

int sock_setsockopt(struct socket *s, struct task *t, int level, int name,
		    uint64_t optval, int optlen)
{
	if (level != LINUX_SOL_SOCKET || s->ops->all_levels)
		return s->ops->setsockopt
			       ? s->ops->setsockopt(s, t, level, name, optval,
						    optlen)
			       : -EOPNOTSUPP;
	return sock_setsockopt_local(s, t, name, optval, optlen);
}

int sock_setsockopt_local(struct socket *s, struct task *t, int name,
			  uint64_t optval, int optlen)
{
	int32_t val;
	bool on;

	if (name == LINUX_SO_BINDTODEVICE)
		return set_bindtodevice(s, t, optval, optlen);
	if (optlen < (int)sizeof(int32_t))
		return -EINVAL;
	if (task_copy_in(t, optval, &val, sizeof(val)))
		return -EFAULT;
	on = val != 0;
	switch (name) {
	case LINUX_SO_DEBUG:
		if (on && !capable(t, LINUX_CAP_NET_ADMIN))
			return -EACCES;
		set_flag(s, SOCKF_DEBUG, on);
		return 0;
	case LINUX_SO_REUSEADDR:
		set_flag(s, SOCKF_REUSEADDR, on);
		return 0;
	case LINUX_SO_REUSEPORT:
		/* Only internet sockets share ports. */
		if (on && s->family != LINUX_AF_INET &&
		    s->family != LINUX_AF_INET6)
			return -EOPNOTSUPP;
		set_flag(s, SOCKF_REUSEPORT, on);
		return 0;
	case LINUX_SO_DONTROUTE:
		set_flag(s, SOCKF_DONTROUTE, on);
		return 0;
	case LINUX_SO_BROADCAST:
		set_flag(s, SOCKF_BROADCAST, on);
		return 0;
	case LINUX_SO_SNDBUFFORCE:
		if (!capable(t, LINUX_CAP_NET_ADMIN))
			return -EPERM;
		set_buf(&s->sndbuf, val < 0 ? 0 : val, SOCK_MIN_SNDBUF);
		s->flags |= SOCKF_SNDBUF_LOCK;
		socket_wake(s, LINUX_POLLOUT | LINUX_POLLWRNORM);
		return 0;
	case LINUX_SO_SNDBUF:
		set_buf(&s->sndbuf,
			(uint32_t)val > SOCK_WMEM_MAX ? SOCK_WMEM_MAX : val,
			SOCK_MIN_SNDBUF);
		s->flags |= SOCKF_SNDBUF_LOCK;
		socket_wake(s, LINUX_POLLOUT | LINUX_POLLWRNORM);
		return 0;
	case LINUX_SO_RCVBUFFORCE:
		if (!capable(t, LINUX_CAP_NET_ADMIN))
			return -EPERM;
		set_buf(&s->rcvbuf, val < 0 ? 0 : val, SOCK_MIN_RCVBUF);
		return 0;
	case LINUX_SO_RCVBUF:
		set_buf(&s->rcvbuf,
			(uint32_t)val > SOCK_RMEM_MAX ? SOCK_RMEM_MAX : val,
			SOCK_MIN_RCVBUF);
		return 0;
	case LINUX_SO_KEEPALIVE:
		set_flag(s, SOCKF_KEEPALIVE, on);
		return 0;
	case LINUX_SO_OOBINLINE:
		set_flag(s, SOCKF_OOBINLINE, on);
		return 0;
	case LINUX_SO_NO_CHECK:
		set_flag(s, SOCKF_NO_CHECK, on);
		return 0;
	case LINUX_SO_PRIORITY:
		if ((val < 0 || val > 6) && !capable(t, LINUX_CAP_NET_RAW) &&
		    !capable(t, LINUX_CAP_NET_ADMIN))
			return -EPERM;
		s->priority = val;
		return 0;
	case LINUX_SO_LINGER: {
		struct linux_linger l;

		if (optlen < (int)sizeof(l))
			return -EINVAL;
		if (task_copy_in(t, optval, &l, sizeof(l)))
			return -EFAULT;
		s->linger.onoff = l.onoff ? 1 : 0;
		if (l.onoff)
			s->linger.linger = l.linger;
		return 0;
	}
	case LINUX_SO_BSDCOMPAT:
		return 0;
	case LINUX_SO_PASSCRED:
		set_flag(s, SOCKF_PASSCRED, on);
		return 0;
	case LINUX_SO_PASSSEC:
		set_flag(s, SOCKF_PASSSEC, on);
		return 0;
	case LINUX_SO_TIMESTAMP_OLD:
		set_flag(s, SOCKF_TIMESTAMP, on);
		if (on)
			s->flags &= ~SOCKF_TIMESTAMPNS;
		return 0;
	case LINUX_SO_TIMESTAMPNS_OLD:
		set_flag(s, SOCKF_TIMESTAMPNS, on);
		if (on)
			s->flags &= ~SOCKF_TIMESTAMP;
		return 0;
	case LINUX_SO_RCVLOWAT:
		s->rcvlowat = val < 0 ? INT_MAX_ : val ? val : 1;
		return 0;
	case LINUX_SO_RCVTIMEO_OLD:
	case LINUX_SO_RCVTIMEO_NEW:
		return set_timeout(t, optval, optlen, &s->rcvtimeo_ns);
	case LINUX_SO_SNDTIMEO_OLD:
	case LINUX_SO_SNDTIMEO_NEW:
		return set_timeout(t, optval, optlen, &s->sndtimeo_ns);
	case LINUX_SO_MARK:
		if (!capable(t, LINUX_CAP_NET_RAW) &&
		    !capable(t, LINUX_CAP_NET_ADMIN))
			return -EPERM;
		s->mark = (uint32_t)val;
		return 0;
	case LINUX_SO_PEEK_OFF:
		return s->ops->set_peek_off ? s->ops->set_peek_off(s, val)
					    : -EOPNOTSUPP;
	default:
		/* Read-only (SO_TYPE, SO_ERROR, SO_PEERCRED...) or unknown. */
		return -ENOPROTOOPT;
	}
}

/* SO_PEERCRED: as much of the ucred as the caller asked for. */
static int get_peercred(struct socket *s, struct task *t, uint64_t optval,
			uint64_t optlen, int32_t len)
{
	struct linux_ucred uc = s->peercred;

	if (!s->has_peercred) {
		uc.pid = 0;
		uc.uid = uc.gid = (uint32_t)-1;
	}
	if (len > (int32_t)sizeof(uc))
		len = sizeof(uc);
	if (task_copy_out(t, optval, &uc, (size_t)len) ||
	    task_copy_out(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* SO_PEERGROUPS: ERANGE with the needed length when it does not fit. */
static int get_peergroups(struct socket *s, struct task *t, uint64_t optval,
			  uint64_t optlen, int32_t len)
{
	int32_t need = (int32_t)(s->peer_ngroups * sizeof(uint32_t));

	if (!s->has_peercred)
		return -ENODATA;
	if (len < need) {
		if (task_copy_out(t, optlen, &need, sizeof(need)))
			return -EFAULT;
		return -ERANGE;
	}
	if ((need && task_copy_out(t, optval, s->peer_groups, (size_t)need)) ||
	    task_copy_out(t, optlen, &need, sizeof(need)))
		return -EFAULT;
	return 0;
}

/* SO_PEERNAME: the peer's address; a buffer longer than it is EINVAL. */
static int get_peername(struct socket *s, struct task *t, uint64_t optval,
			uint64_t optlen, int32_t len)
{
	struct linux_sockaddr_storage a;
	int lv = s->ops->getpeername(s, &a);

	if (lv < 0)
		return -ENOTCONN;
	if (lv < len)
		return -EINVAL;
	if (task_copy_out(t, optval, &a, (size_t)len) ||
	    task_copy_out(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* SO_BINDTODEVICE: the name, or a zero length when unbound. */
static int get_bindtodevice(struct socket *s, struct task *t, uint64_t optval,
			    uint64_t optlen, int32_t len)
{
	int32_t n = (int32_t)strlen(s->bound_dev);

	if (n) {
		n++;
		if (len < n)
			return -EINVAL;
		if (task_copy_out(t, optval, s->bound_dev, (size_t)n))
			return -EFAULT;
	}
	return task_copy_out(t, optlen, &n, sizeof(n)) ? -EFAULT : 0;
}

int sock_getsockopt(struct socket *s, struct task *t, int level, int name,
		    uint64_t optval, uint64_t optlen)
{
	if (level != LINUX_SOL_SOCKET || s->ops->all_levels)
		return s->ops->getsockopt
			       ? s->ops->getsockopt(s, t, level, name, optval,
						    optlen)
			       : -EOPNOTSUPP;
	return sock_getsockopt_local(s, t, name, optval, optlen);
}

int sock_getsockopt_local(struct socket *s, struct task *t, int name,
			  uint64_t optval, uint64_t optlen)
{
	union {
		int32_t val;
		uint64_t u64;
		struct linux_linger ling;
		struct linux_sock_timeval tv;
	} v;
	int32_t len, lv = sizeof(int32_t);

	if (task_copy_in(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	switch (name) {
	case LINUX_SO_DEBUG:
		v.val = !!(s->flags & SOCKF_DEBUG);
		break;
	case LINUX_SO_REUSEADDR:
		v.val = !!(s->flags & SOCKF_REUSEADDR);
		break;
	case LINUX_SO_REUSEPORT:
		v.val = !!(s->flags & SOCKF_REUSEPORT);
		break;
	case LINUX_SO_TYPE:
		v.val = s->type;
		break;
	case LINUX_SO_PROTOCOL:
		v.val = s->protocol;
		break;
	case LINUX_SO_DOMAIN:
		v.val = s->family;
		break;
	case LINUX_SO_ERROR:
		v.val = -socket_error(s);
		break;
	case LINUX_SO_DONTROUTE:
		v.val = !!(s->flags & SOCKF_DONTROUTE);
		break;
	case LINUX_SO_BROADCAST:
		v.val = !!(s->flags & SOCKF_BROADCAST);
		break;
	case LINUX_SO_SNDBUF:
		v.val = s->sndbuf;
		break;
	case LINUX_SO_RCVBUF:
		v.val = s->rcvbuf;
		break;
	case LINUX_SO_KEEPALIVE:
		v.val = !!(s->flags & SOCKF_KEEPALIVE);
		break;
	case LINUX_SO_OOBINLINE:
		v.val = !!(s->flags & SOCKF_OOBINLINE);
		break;
	case LINUX_SO_NO_CHECK:
		v.val = !!(s->flags & SOCKF_NO_CHECK);
		break;
	case LINUX_SO_PRIORITY:
		v.val = s->priority;
		break;
	case LINUX_SO_LINGER:
		lv = sizeof(v.ling);
		v.ling = s->linger;
		break;
	case LINUX_SO_PASSCRED:
		v.val = !!(s->flags & SOCKF_PASSCRED);
		break;
	case LINUX_SO_PASSSEC:
		v.val = !!(s->flags & SOCKF_PASSSEC);
		break;
	case LINUX_SO_TIMESTAMP_OLD:
		v.val = !!(s->flags & SOCKF_TIMESTAMP);
		break;
	case LINUX_SO_TIMESTAMPNS_OLD:
		v.val = !!(s->flags & SOCKF_TIMESTAMPNS);
		break;
	case LINUX_SO_RCVLOWAT:
		v.val = s->rcvlowat;
		break;
	case LINUX_SO_SNDLOWAT:
		v.val = 1;
		break;
	case LINUX_SO_RCVTIMEO_OLD:
	case LINUX_SO_RCVTIMEO_NEW:
		lv = sizeof(v.tv);
		v.tv = get_timeout(s->rcvtimeo_ns);
		break;
	case LINUX_SO_SNDTIMEO_OLD:
	case LINUX_SO_SNDTIMEO_NEW:
		lv = sizeof(v.tv);
		v.tv = get_timeout(s->sndtimeo_ns);
		break;
	case LINUX_SO_ACCEPTCONN:
		v.val = s->listening;
		break;
	case LINUX_SO_MARK:
		v.val = (int32_t)s->mark;
		break;
	case LINUX_SO_PEEK_OFF:
		if (!s->ops->set_peek_off)
			return -EOPNOTSUPP;
		v.val = s->peek_off;
		break;
	case LINUX_SO_COOKIE:
		lv = sizeof(v.u64);
		if (!s->cookie)
			s->cookie = next_cookie++;
		v.u64 = s->cookie;
		break;
	case LINUX_SO_PEERCRED:
		return get_peercred(s, t, optval, optlen, len);
	case LINUX_SO_PEERGROUPS:
		return get_peergroups(s, t, optval, optlen, len);
	case LINUX_SO_PEERNAME:
		return get_peername(s, t, optval, optlen, len);
	case LINUX_SO_BINDTODEVICE:
		return get_bindtodevice(s, t, optval, optlen, len);
	default:
		/* SO_PEERSEC too: there is no security module. */
		return -ENOPROTOOPT;
	}
	if (len > lv)
		len = lv;
	if (task_copy_out(t, optval, &v, (size_t)len) ||
	    task_copy_out(t, optlen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
