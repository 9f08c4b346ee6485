/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AF_UNIX unit tests without a guest: the message queues and their
 * accounting (truesize, send-buffer flow control, the datagram queue
 * limit), stream reads across messages and peek offsets, datagram
 * boundaries, names on a tmpfs root, control-message parsing and
 * delivery, files in flight (limits, iterative release, the garbage
 * collector). "Guest memory" is the test's own (test_vfs_fakes.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/abi/resource.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel/kernel.h"
#include "sentry/net/scm.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "tests/unit/vfs_fixture.h"

struct task *T;
struct creds test_creds;
static struct thread_group test_tg;

void test_become(uint32_t uid, uint32_t gid, bool caps)
{
	test_creds.uid = test_creds.euid = test_creds.suid = uid;
	test_creds.fsuid = uid;
	test_creds.gid = test_creds.egid = test_creds.sgid = gid;
	test_creds.fsgid = gid;
	test_creds.cap_effective = test_creds.cap_permitted = caps ? ~0ULL : 0;
}

/* Stand-ins for the kernel pieces the socket code calls, so the real
 * task and kernel objects (which need a platform) stay out of the link. */
bool creds_capable(const struct creds *c, int cap)
{
	return cap >= 0 && cap < 64 && (c->cap_effective & (1ULL << cap));
}

int64_t kernel_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

struct task *task_by_tid(int tid)
{
	return T && tid == T->tid ? T : NULL;
}

struct thread_group *tg_by_tgid(int tgid)
{
	return T && tgid == T->tg->tgid ? T->tg : NULL;
}

static int setup(void **state)
{
	static bool once;
	struct superblock *sb;
	struct path root;

	(void)state;
	if (!once) {
		assert_int_equal(vfs_init(), 0);
		tmpfs_register();
		assert_int_equal(tmpfs_new(0777, 0, 0, &sb), 0);
		assert_int_equal(vfs_mount_root(sb, 0, "rootfs"), 0);
		superblock_put(sb);
		once = true;
	}
	root.mnt = kernel->root_mount;
	root.dentry = kernel->root_mount->root;
	T = calloc(1, sizeof(*T));
	memset(&test_tg, 0, sizeof(test_tg));
	test_tg.tgid = 7;
	for (int k = 0; k < RLIM_NLIMITS_; k++)
		test_tg.rlimits[k] = (struct rlimit64_){~0ULL, ~0ULL};
	test_tg.rlimits[LINUX_RLIMIT_NOFILE] = (struct rlimit64_){1024, 4096};
	T->tid = 7;
	T->tg = &test_tg;
	T->creds = &test_creds;
	memset(&test_creds, 0, sizeof(test_creds));
	test_become(0, 0, true);
	assert_int_equal(fs_context_new(&root, &T->fs), 0);
	assert_int_equal(fd_table_new(&T->fdt), 0);
	fake_signals_sent = 0;
	fake_wait_hook = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fd_table_put(T->fdt);
	fs_context_put(T->fs);
	free(T);
	T = NULL;
	return 0;
}

/* A socket of type with a file in T's table; returns the fd. */
static int sock_fd(int type, struct socket **out)
{
	struct socket *s;
	struct file *f;
	int fd;

	assert_int_equal(unix_family.create(T, type, 0, &s), 0);
	assert_int_equal(socket_file(T, s, 0, &f), 0);
	fd = fd_install(T, f, 0);
	assert_true(fd >= 0);
	file_put(f);
	*out = s;
	return fd;
}

static void pair(int type, struct socket **a, struct socket **b, int *fa,
		 int *fb)
{
	*fa = sock_fd(type, a);
	*fb = sock_fd(type, b);
	assert_int_equal(unix_family.socketpair(T, *a, *b), 0);
}

static long xsend(struct socket *s, const void *buf, size_t len, uint32_t flags,
		  const void *ctl, size_t ctllen)
{
	struct linux_iovec seg;
	struct vfs_uio uio;
	struct sock_msg m = {.t = T, .uio = &uio, .ctl = ctl, .ctllen = ctllen};

	vfs_uio_init_sentry(&uio, &seg, (void *)buf, len);
	return s->ops->sendmsg(s, &m, flags);
}

static long xrecv(struct socket *s, void *buf, size_t len, uint32_t flags,
		  void *ctl, size_t ctllen, uint32_t *mflags)
{
	struct linux_iovec seg;
	struct vfs_uio uio;
	struct sock_msg m = {.t = T,
			     .uio = &uio,
			     .control = G(ctl),
			     .controllen = ctl ? ctllen : 0};
	long r;

	vfs_uio_init_sentry(&uio, &seg, buf, len);
	r = s->ops->recvmsg(s, &m, flags);
	if (mflags)
		*mflags = m.flags;
	return r;
}

static const uint32_t NB = LINUX_MSG_DONTWAIT;

/* What Linux reports with SIOCOUTQ for small messages: 768 bytes. */
static void test_truesize(void **state)
{
	(void)state;
	assert_int_equal(unix_truesize(3), 768);
	assert_int_equal(unix_truesize(0), 768);
	assert_true(unix_truesize(4000) > 4000);
	assert_int_equal(unix_truesize_split(0, 1), 768 + 4096);
}

static void test_stream_gather_and_peek(void **state)
{
	struct socket *a, *b;
	int fa, fb, v;
	char buf[32];

	(void)state;
	pair(LINUX_SOCK_STREAM, &a, &b, &fa, &fb);
	assert_int_equal(xsend(a, "abc", 3, 0, NULL, 0), 3);
	assert_int_equal(xsend(a, "defg", 4, 0, NULL, 0), 4);
	assert_int_equal(unix_sk(b)->qlen, 2);
	assert_int_equal(unix_sk(a)->wmem, 2 * 768);
	/* A read gathers across messages; a partial read leaves the rest. */
	assert_int_equal(xrecv(b, buf, 5, NB, NULL, 0, NULL), 5);
	assert_memory_equal(buf, "abcde", 5);
	assert_int_equal(unix_sk(b)->qlen, 1);
	assert_int_equal(unix_sk(a)->wmem, 768);
	/* Peek with an offset walks on without consuming. */
	b->peek_off = 1;
	assert_int_equal(xrecv(b, buf, 5, NB | LINUX_MSG_PEEK, NULL, 0, NULL),
			 1);
	assert_int_equal(buf[0], 'g');
	assert_int_equal(b->peek_off, 2);
	assert_int_equal(xrecv(b, buf, 5, NB | LINUX_MSG_PEEK, NULL, 0, NULL),
			 -EAGAIN);
	assert_int_equal(xrecv(b, buf, 5, NB, NULL, 0, NULL), 2);
	assert_memory_equal(buf, "fg", 2);
	assert_int_equal(b->peek_off, 0);
	assert_int_equal(unix_sk(a)->wmem, 0);
	/* MSG_WAITALL without waiting returns what there is. */
	assert_int_equal(xsend(a, "xy", 2, 0, NULL, 0), 2);
	assert_int_equal(
		xrecv(b, buf, 10, NB | LINUX_MSG_WAITALL, NULL, 0, NULL), 2);
	/* SO_RCVLOWAT above what is queued: EAGAIN, nothing consumed. */
	b->rcvlowat = 3;
	assert_int_equal(xsend(a, "xy", 2, 0, NULL, 0), 2);
	assert_int_equal(xrecv(b, buf, 10, NB, NULL, 0, NULL), 2);
	v = 0;
	(void)v;
	fd_close(T, fa);
	/* The peer closed cleanly: EOF. */
	assert_int_equal(xrecv(b, buf, 10, NB, NULL, 0, NULL), 0);
	fd_close(T, fb);
}

/* A write is cut into messages of at most half the send buffer; a
 * writer stops when its messages in flight fill its buffer. */
static void test_stream_flow_control(void **state)
{
	static char big[100000], out[100000];
	struct socket *a, *b;
	int fa, fb;
	long n, total = 0;

	(void)state;
	pair(LINUX_SOCK_STREAM, &a, &b, &fa, &fb);
	a->sndbuf = SOCK_MIN_SNDBUF; /* 4608: messages of 2240 bytes */
	memset(big, 'q', sizeof(big));
	n = xsend(a, big, sizeof(big), NB, NULL, 0);
	assert_true(n > 0 && n < (long)sizeof(big));
	assert_true(unix_sk(a)->wmem >= (size_t)a->sndbuf);
	assert_int_equal(n % (SOCK_MIN_SNDBUF / 2 - 64), 0);
	assert_int_equal(xsend(a, big, 10, NB, NULL, 0), -EAGAIN);
	assert_int_equal(unix_stream_poll(a, NULL) & LINUX_POLLOUT, 0);
	while ((n = xrecv(b, out, sizeof(out), NB, NULL, 0, NULL)) > 0)
		total += n;
	assert_int_equal(n, -EAGAIN);
	assert_true(total > 0);
	assert_int_equal(unix_sk(a)->wmem, 0);
	assert_true(unix_stream_poll(a, NULL) & LINUX_POLLOUT);
	/* A blocking writer with no room and a signal: restart. */
	xsend(a, big, sizeof(big), NB, NULL, 0);
	assert_int_equal(xsend(a, big, 10, 0, NULL, 0), -ERESTARTSYS);
	fd_close(T, fb);
	/* The peer went with our data unread on our side: EPIPE and a
	 * SIGPIPE, unless MSG_NOSIGNAL. */
	fake_signals_sent = 0;
	assert_int_equal(xsend(a, "x", 1, 0, NULL, 0), -EPIPE);
	assert_int_equal(fake_signals_sent, 1);
	assert_int_equal(fake_last_signal, LINUX_SIGPIPE);
	assert_int_equal(xsend(a, "x", 1, LINUX_MSG_NOSIGNAL, NULL, 0), -EPIPE);
	assert_int_equal(fake_signals_sent, 1);
	fd_close(T, fa);
}

static void test_dgram_boundaries_and_limit(void **state)
{
	struct socket *a, *b, *r, *w;
	int fa, fb, fr, fw, n = 0;
	char buf[16];
	uint32_t mf = 0;
	struct linux_sockaddr_storage addr = {.family = LINUX_AF_UNIX};

	(void)state;
	pair(LINUX_SOCK_DGRAM, &a, &b, &fa, &fb);
	assert_int_equal(xsend(a, "hello", 5, 0, NULL, 0), 5);
	assert_int_equal(xsend(a, "", 0, 0, NULL, 0), 0);
	assert_int_equal(xsend(a, "bye", 3, 0, NULL, 0), 3);
	assert_int_equal(xrecv(b, buf, 2, NB, NULL, 0, &mf), 2);
	assert_true(mf & LINUX_MSG_TRUNC);
	assert_int_equal(xrecv(b, buf, 2, NB | LINUX_MSG_TRUNC, NULL, 0, NULL),
			 0);
	/* Peek offsets skip whole datagrams, then bytes within one. */
	b->peek_off = 1;
	assert_int_equal(xrecv(b, buf, 16, NB | LINUX_MSG_PEEK, NULL, 0, NULL),
			 2);
	assert_memory_equal(buf, "ye", 2);
	assert_int_equal(b->peek_off, 3);
	assert_int_equal(xrecv(b, buf, 16, NB, NULL, 0, NULL), 3);
	assert_int_equal(b->peek_off, 0);
	fd_close(T, fa);
	fd_close(T, fb);

	/* A receiver not connected back holds max_dgram_qlen + 1. */
	fr = sock_fd(LINUX_SOCK_DGRAM, &r);
	fw = sock_fd(LINUX_SOCK_DGRAM, &w);
	memcpy(addr.data, "\0qlimit", 7);
	assert_int_equal(r->ops->bind(r, T, &addr, 9), 0);
	assert_int_equal(w->ops->connect(w, T, &addr, 9, false), 0);
	while (xsend(w, "m", 1, NB, NULL, 0) == 1)
		n++;
	assert_int_equal(n, UNIX_MAX_DGRAM_QLEN + 1);
	assert_int_equal(xsend(w, "m", 1, NB, NULL, 0), -EAGAIN);
	assert_int_equal(unix_dgram_poll(w, NULL) & LINUX_POLLOUT, 0);
	assert_int_equal(xrecv(r, buf, 1, NB, NULL, 0, NULL), 1);
	/* The relay told the sender's pollers, and it may send again. */
	assert_true(unix_dgram_poll(w, NULL) & LINUX_POLLOUT);
	assert_int_equal(xsend(w, "m", 1, NB, NULL, 0), 1);
	/* EMSGSIZE past the send buffer less 32. */
	{
		static char big[SOCK_WMEM_DEFAULT];

		assert_int_equal(
			xsend(w, big, SOCK_WMEM_DEFAULT - 31, NB, NULL, 0),
			-EMSGSIZE);
	}
	fd_close(T, fr);
	/* The receiver went: ECONNREFUSED, then unconnected. */
	assert_int_equal(xsend(w, "m", 1, NB, NULL, 0), -ECONNREFUSED);
	assert_int_equal(xsend(w, "m", 1, NB, NULL, 0), -ENOTCONN);
	fd_close(T, fw);
}

static void test_names(void **state)
{
	struct socket *s, *s2, *c, *found;
	int fs, fs2, fc;
	struct linux_sockaddr_storage addr = {.family = LINUX_AF_UNIX}, out;
	struct kstat st;
	struct path p;

	(void)state;
	fs = sock_fd(LINUX_SOCK_STREAM, &s);
	fs2 = sock_fd(LINUX_SOCK_DGRAM, &s2);
	fc = sock_fd(LINUX_SOCK_STREAM, &c);
	strcpy(addr.data, "/sock");
	assert_int_equal(s->ops->bind(s, T, &addr, 8), 0);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/sock", 0, &p), 0);
	assert_int_equal(vfs_getattr(&p, &st), 0);
	assert_true(LINUX_S_ISSOCK(st.mode));
	path_put(&p);
	assert_int_equal(s2->ops->bind(s2, T, &addr, 8), -EADDRINUSE);
	assert_int_equal(unix_getsockname(s, &out), 8);
	assert_string_equal(out.data, "/sock");
	assert_int_equal(
		unix_find_other(T, &addr, 8, LINUX_SOCK_STREAM, &found), 0);
	assert_ptr_equal(found, s);
	socket_put(found);
	assert_int_equal(unix_find_other(T, &addr, 8, LINUX_SOCK_DGRAM, &found),
			 -EPROTOTYPE);
	/* Abstract names live per type. */
	memcpy(addr.data, "\0abs", 4);
	assert_int_equal(s2->ops->bind(s2, T, &addr, 6), 0);
	assert_int_equal(
		unix_find_other(T, &addr, 6, LINUX_SOCK_STREAM, &found),
		-ECONNREFUSED);
	assert_int_equal(unix_find_other(T, &addr, 6, LINUX_SOCK_DGRAM, &found),
			 0);
	socket_put(found);
	/* Autobind: "\0" and five hex digits, a new name each time. */
	assert_int_equal(unix_autobind(c), 0);
	assert_int_equal(unix_getsockname(c, &out), 8);
	assert_int_equal(out.data[0], 0);
	fd_close(T, fs);
	strcpy(addr.data, "/sock");
	assert_int_equal(
		unix_find_other(T, &addr, 8, LINUX_SOCK_STREAM, &found),
		-ECONNREFUSED);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/sock"), 0);
	fd_close(T, fs2);
	fd_close(T, fc);
}

/* One cmsg of the given level/type and payload into buf; its length. */
static size_t cmsg(void *buf, int level, int type, const void *data, size_t len)
{
	struct linux_cmsghdr h = {
		.len = LINUX_CMSG_LEN(len), .level = level, .type = type};

	memcpy(buf, &h, sizeof(h));
	memcpy((char *)buf + sizeof(h), data, len);
	return LINUX_CMSG_SPACE(len);
}

static void test_scm_parse(void **state)
{
	struct socket *a, *b;
	int fa, fb, fds[LINUX_SCM_MAX_FD + 1];
	union {
		char buf[2048];
		struct linux_cmsghdr align;
	} u;
	struct scm_cookie scm;
	struct linux_ucred uc = {9, 0, 0};
	size_t n;

	(void)state;
	pair(LINUX_SOCK_DGRAM, &a, &b, &fa, &fb);
	for (int i = 0; i <= LINUX_SCM_MAX_FD; i++)
		fds[i] = fa;
	n = cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds, 4 * 253);
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), 0);
	assert_int_equal(scm.fp->count, 253);
	scm_destroy(&scm);
	n = cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds, 4 * 254);
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EINVAL);
	/* Two cmsgs whose files add up past the limit. */
	n = cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds, 4 * 200);
	n += cmsg(u.buf + n, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds, 4 * 60);
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EINVAL);
	fds[0] = 555;
	n = cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds, 4);
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EBADF);
	/* A length past the buffer, or under a header. */
	assert_int_equal(scm_send(T, a, u.buf, n - 8, &scm), -EINVAL);
	((struct linux_cmsghdr *)u.buf)->len = 8;
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EINVAL);
	/* Other levels are skipped; a buffer shorter than a header is
	 * nothing at all. */
	n = cmsg(u.buf, 99, 1, fds, 4);
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), 0);
	assert_null(scm.fp);
	assert_int_equal(scm_send(T, a, u.buf, 15, &scm), 0);
	/* Credentials: our own; EINVAL for -1; EPERM for others without
	 * the capabilities; ESRCH for a process that does not exist. */
	n = cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_CREDENTIALS, &uc,
		 sizeof(uc));
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -ESRCH); /* no pid 9 */
	uc.pid = 7;
	cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_CREDENTIALS, &uc, sizeof(uc));
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), 0);
	assert_true(scm.has_creds && scm.creds.pid == 7);
	uc.uid = (uint32_t)-1;
	cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_CREDENTIALS, &uc, sizeof(uc));
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EINVAL);
	test_become(1000, 1000, false);
	uc.uid = 0;
	cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_CREDENTIALS, &uc, sizeof(uc));
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EPERM);
	uc.pid = 8;
	uc.uid = 1000;
	uc.gid = 1000;
	cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_CREDENTIALS, &uc, sizeof(uc));
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EPERM);
	test_become(0, 0, true);
	/* SCM_RIGHTS only on AF_UNIX. */
	a->family = LINUX_AF_INET;
	n = cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds + 1, 4);
	assert_int_equal(scm_send(T, a, u.buf, n, &scm), -EINVAL);
	a->family = LINUX_AF_UNIX;
	fd_close(T, fa);
	fd_close(T, fb);
}

/* Delivery into a short control buffer: MSG_CTRUNC, the descriptors
 * that fit installed, the others closed. */
static void test_scm_deliver(void **state)
{
	struct socket *a, *b;
	int fa, fb, fds[3];
	union {
		char buf[256];
		struct linux_cmsghdr align;
	} u, in;
	struct linux_cmsghdr h;
	uint32_t mf;
	char c;
	size_t n;
	struct file *rd, *wr;

	(void)state;
	pair(LINUX_SOCK_STREAM, &a, &b, &fa, &fb);
	assert_int_equal(pipe_create(T, LINUX_O_NONBLOCK, &rd, &wr), 0);
	for (int i = 0; i < 3; i++)
		fds[i] = fd_install(T, wr, 0);
	file_put(wr);
	n = cmsg(in.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds, sizeof(fds));
	assert_int_equal(xsend(a, "x", 1, 0, in.buf, n), 1);
	for (int i = 0; i < 3; i++)
		fd_close(T, fds[i]);
	/* Room for one descriptor exactly (CMSG_LEN(4)). */
	assert_int_equal(xrecv(b, &c, 1, NB, u.buf, LINUX_CMSG_LEN(4), &mf), 1);
	assert_true(mf & LINUX_MSG_CTRUNC);
	memcpy(&h, u.buf, sizeof(h));
	assert_int_equal(h.len, LINUX_CMSG_LEN(4));
	assert_int_equal(h.type, LINUX_SCM_RIGHTS);
	memcpy(&fds[0], u.buf + sizeof(h), 4);
	{
		struct file *f = fd_get_nopath(T, fds[0]);

		assert_ptr_equal(f, wr);
		file_put(f);
	}
	fd_close(T, fds[0]);
	/* Every write end is gone: the reader sees EOF. */
	{
		struct linux_iovec seg;
		struct vfs_uio uio;

		vfs_uio_init_sentry(&uio, &seg, &c, 1);
		assert_int_equal(vfs_read(rd, &uio, NULL), 0);
	}
	file_put(rd);
	/* scm_put_cmsg: a header that does not fit is only MSG_CTRUNC. */
	{
		struct sock_msg m = {
			.t = T, .control = G(u.buf), .controllen = 10};
		int v = 5;

		assert_int_equal(scm_put_cmsg(&m, 1, 2, &v, 4), 0);
		assert_true(m.flags & LINUX_MSG_CTRUNC);
		assert_int_equal(m.controllen, 10);
		m.controllen = 18;
		m.flags = 0;
		assert_int_equal(scm_put_cmsg(&m, 1, 2, &v, 4), 0);
		assert_true(m.flags & LINUX_MSG_CTRUNC);
		assert_int_equal(m.controllen, 0);
	}
	fd_close(T, fa);
	fd_close(T, fb);
}

/* A long chain of sockets in flight, each carrying the one before: the
 * release walks it without recursing on the stack. */
static void test_inflight_chain(void **state)
{
	struct file *rd, *wr;
	int prev, n;
	char c;
	union {
		char buf[64];
		struct linux_cmsghdr align;
	} u;

	(void)state;
	assert_int_equal(pipe_create(T, LINUX_O_NONBLOCK, &rd, &wr), 0);
	prev = fd_install(T, wr, 0);
	file_put(wr);
	for (int i = 0; i < 20000; i++) {
		struct socket *a, *b;
		int fa, fb;

		pair(LINUX_SOCK_DGRAM, &a, &b, &fa, &fb);
		n = (int)cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, &prev,
			      4);
		assert_int_equal(xsend(a, "c", 1, 0, u.buf, (size_t)n), 1);
		fd_close(T, prev);
		fd_close(T, fa);
		prev = fb;
	}
	fd_close(T, prev);
	{
		struct linux_iovec seg;
		struct vfs_uio uio;

		vfs_uio_init_sentry(&uio, &seg, &c, 1);
		assert_int_equal(vfs_read(rd, &uio, NULL), 0);
	}
	file_put(rd);
}

/* A socket that only carries itself is collected; one someone still
 * holds is not. */
static void test_gc(void **state)
{
	struct socket *a, *b, *x, *y;
	int fa, fb, fx, fy, n;
	union {
		char buf[64];
		struct linux_cmsghdr align;
	} u;

	(void)state;
	pair(LINUX_SOCK_STREAM, &a, &b, &fa, &fb);
	n = (int)cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, &fb, 4);
	assert_int_equal(xsend(a, "c", 1, 0, u.buf, (size_t)n), 1);
	assert_int_equal(unix_sk(b)->inflight, 1);
	fd_close(T, fb);
	assert_true(unix_gc_pending());
	/* Closing any unix socket runs a pass. */
	pair(LINUX_SOCK_STREAM, &x, &y, &fx, &fy);
	fd_close(T, fx);
	assert_int_equal(a->shutdown, SOCK_SHUTDOWN_MASK);
	assert_false(unix_gc_pending());
	fd_close(T, fy);
	fd_close(T, fa);

	pair(LINUX_SOCK_STREAM, &a, &b, &fa, &fb);
	n = (int)cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, &fb, 4);
	assert_int_equal(xsend(a, "c", 1, 0, u.buf, (size_t)n), 1);
	unix_gc();
	assert_int_equal(a->shutdown, 0);
	assert_int_equal(unix_sk(b)->inflight, 1);
	fd_close(T, fa);
	fd_close(T, fb);
}

/* More files in flight than RLIMIT_NOFILE needs CAP_SYS_RESOURCE. */
static void test_inflight_limit(void **state)
{
	struct socket *a, *b;
	int fa, fb, fds[100], n, sent = 0;
	union {
		char buf[512];
		struct linux_cmsghdr align;
	} u;

	(void)state;
	pair(LINUX_SOCK_DGRAM, &a, &b, &fa, &fb);
	test_become(1000, 1000, false);
	test_tg.rlimits[LINUX_RLIMIT_NOFILE].cur = 150;
	for (int i = 0; i < 100; i++)
		fds[i] = fa;
	n = (int)cmsg(u.buf, LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS, fds, 400);
	while (xsend(a, "c", 1, NB, u.buf, (size_t)n) == 1)
		sent++;
	assert_int_equal(sent, 2);
	assert_int_equal(xsend(a, "c", 1, NB, u.buf, (size_t)n), -ETOOMANYREFS);
	test_become(0, 0, true);
	assert_int_equal(xsend(a, "c", 1, NB, u.buf, (size_t)n), 1);
	fd_close(T, fa);
	fd_close(T, fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truesize),
		cmocka_unit_test_setup_teardown(test_stream_gather_and_peek,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_flow_control, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dgram_boundaries_and_limit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scm_parse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scm_deliver, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_inflight_chain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inflight_limit, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
