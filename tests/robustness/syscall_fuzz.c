/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscall_fuzz: throw random system calls with hostile arguments at the
 * kernel it runs on. Meant to run inside a sandbox only (natively, random
 * calls as root could harm the host): the point is that the Sentry
 * survives whatever a program asks. Each batch runs in a child with a
 * watchdog, so calls that block or kill the caller are harmless.
 *
 * usage: syscall_fuzz SEED BATCHES CALLS_PER_BATCH [net]
 * Prints "alive after N batches" if the kernel still answers at the end.
 *
 * With "net", each batch first makes sockets of every family and state
 * the sandbox has (connected, listening, bound; AF_UNIX, TCP, UDP,
 * UDP-Lite over IPv4 and IPv6, netlink) and then aims the socket calls at
 * them, with plausible levels, option numbers, message headers and ioctl
 * requests: random numbers alone rarely get past the first fd check.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Calls that would only end or stall the batch without testing anything,
 * or multiply processes without bound. */
static int skipped(long nr)
{
	switch (nr) {
	case SYS_exit:
	case SYS_exit_group:
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
	case SYS_clone3:
	case SYS_execve:
	case SYS_execveat:
	case SYS_pause:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigreturn:
		return 1;
	default:
		return 0;
	}
}

/* An argument: small numbers, flags-like values, pointers into a scratch
 * page, pointers nowhere, huge values. */
static uint64_t arg(char *page)
{
	switch (next() % 8) {
	case 0: return next() % 16;
	case 1: return (uint64_t)-1 - next() % 4;
	case 2: return (uint64_t)page + next() % 4096;
	case 3: return 0x100000 + (next() & 0xfffff000);
	case 4: return next();
	case 5: return 1ULL << (next() % 64);
	case 6: return next() & 0xffffffff;
	default: return 0;
	}
}

/* Sockets in every state the batch can reach, at fds 3 and up. */
static void make_sockets(void)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	int sv[2], l, c;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	socket(AF_NETLINK, SOCK_RAW, 0);
	for (int i = 0; i < 2; i++) {
		struct sockaddr_storage a;
		socklen_t len = sizeof(a);

		l = socket(fams[i], SOCK_STREAM, 0);
		memset(&a, 0, sizeof(a));
		a.ss_family = (sa_family_t)fams[i];
		if (fams[i] == AF_INET)
			((struct sockaddr_in *)&a)->sin_addr.s_addr =
				htonl(INADDR_LOOPBACK);
		else
			((struct sockaddr_in6 *)&a)->sin6_addr = in6addr_loopback;
		bind(l, (struct sockaddr *)&a, fams[i] == AF_INET
			   ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		listen(l, 4);
		getsockname(l, (struct sockaddr *)&a, &len);
		c = socket(fams[i], SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(c, (struct sockaddr *)&a, len);
		accept4(l, NULL, NULL, SOCK_NONBLOCK);
		for (int proto = 0; proto < 2; proto++) {
			int u = socket(fams[i], SOCK_DGRAM,
				       proto ? IPPROTO_UDPLITE : 0);
			bind(u, (struct sockaddr *)&a, len - 0);
			connect(u, (struct sockaddr *)&a, len);
		}
	}
	/* Non-blocking, so that most calls return rather than wait for the
	 * watchdog; SIGPIPE ignored, so a batch lives past a write to a
	 * closed peer. */
	for (int fd = 3; fd < 24; fd++)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
}

/* The socket calls, aimed at the batch's sockets. */
static const long net_calls[] = {
	SYS_socket, SYS_bind, SYS_connect, SYS_accept4, SYS_listen,
	SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_recvmsg, SYS_sendmmsg,
	SYS_recvmmsg, SYS_shutdown, SYS_getsockname, SYS_getpeername,
	SYS_setsockopt, SYS_getsockopt, SYS_ioctl, SYS_read, SYS_write,
	SYS_poll, SYS_fcntl, SYS_dup2, SYS_splice, SYS_sendfile,
};

static void net_call(char *page)
{
	static const int levels[] = { SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6,
				      IPPROTO_TCP, IPPROTO_UDP,
				      IPPROTO_UDPLITE, 270 /* SOL_NETLINK */ };
	static const unsigned long reqs[] = { FIONREAD, FIONBIO, SIOCATMARK,
					      SIOCOUTQ, 0x8912, 0x8913, 0x8921,
					      0x8915, 0x8933, 0x8910, FIOSETOWN,
					      FIOGETOWN, FIOASYNC };
	long nr = net_calls[next() % (sizeof(net_calls) / sizeof(net_calls[0]))];
	uint64_t fd = 3 + next() % 20, a[6];
	struct msghdr *m = (struct msghdr *)(page + 1024);
	struct iovec *iov = (struct iovec *)(page + 2048);

	for (int i = 0; i < 6; i++)
		a[i] = arg(page);
	/* A message header into the page: iovecs, a name and control bytes
	 * whose lengths are now and then hostile. */
	iov[0].iov_base = page + 3072;
	iov[0].iov_len = next() % 2 ? next() % 1024 : next();
	iov[1].iov_base = (void *)arg(page);
	iov[1].iov_len = next() % 64;
	m->msg_name = next() % 2 ? page + 512 : NULL;
	m->msg_namelen = (socklen_t)(next() % 140);
	m->msg_iov = iov;
	m->msg_iovlen = next() % 3;
	m->msg_control = next() % 2 ? page + 256 : NULL;
	m->msg_controllen = next() % 256;
	m->msg_flags = 0;
	switch (nr) {
	case SYS_setsockopt:
	case SYS_getsockopt:
		a[1] = (uint64_t)levels[next() % 7];
		a[2] = next() % 80;
		a[3] = (uint64_t)page + next() % 64;
		a[4] = nr == SYS_getsockopt ? (uint64_t)page + 4000
					    : next() % 300;
		*(socklen_t *)(page + 4000) = (socklen_t)(next() % 300);
		break;
	case SYS_sendmsg:
	case SYS_recvmsg:
		a[1] = next() % 4 ? (uint64_t)m : a[1];
		a[2] = next() % 0x8000;
		break;
	case SYS_sendto:
	case SYS_recvfrom:
		a[1] = (uint64_t)page + 3072;
		a[2] = next() % 1024;
		a[3] = next() % 0x8000 | 0x40; /* MSG_DONTWAIT mostly */
		break;
	case SYS_ioctl:
		a[1] = reqs[next() % (sizeof(reqs) / sizeof(reqs[0]))];
		a[2] = (uint64_t)page + next() % 256;
		break;
	}
	syscall(nr, fd, a[1], a[2], a[3], a[4], a[5]);
}

static void batch(int calls, int net)
{
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		_exit(1);
	alarm(2);
	if (net)
		make_sockets();
	for (int i = 0; i < calls; i++) {
		long nr = (long)(next() % 460);

		if (net && next() % 4) {
			memset(page + 3072, (int)next(), 64);
			memcpy(page + 256, &(struct cmsghdr){
				.cmsg_len = next() % 64, .cmsg_level = (int)(next() % 3) ? SOL_SOCKET : 0,
				.cmsg_type = (int)(next() % 4) }, sizeof(struct cmsghdr));
			net_call(page);
			continue;
		}

		if (skipped(nr))
			continue;
		/* Keep the scratch page and the watchdog usable. */
		if (nr == SYS_munmap || nr == SYS_mprotect || nr == SYS_mremap ||
		    nr == SYS_madvise || nr == SYS_brk || nr == SYS_alarm ||
		    nr == SYS_setitimer || nr == SYS_rt_sigprocmask ||
		    nr == SYS_rt_sigaction)
			continue;
		memset(page, (int)next(), 64);
		syscall(nr, arg(page), arg(page), arg(page), arg(page),
			arg(page), arg(page));
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	int batches, calls, net, killed = 0;

	if (argc != 4 && !(argc == 5 && strcmp(argv[4], "net") == 0))
		return 2;
	net = argc == 5;
	rng = strtoull(argv[1], NULL, 0) | 1;
	batches = atoi(argv[2]);
	calls = atoi(argv[3]);
	for (int b = 0; b < batches; b++) {
		uint64_t seed = next();
		pid_t p = fork();
		int st;

		if (p < 0)
			return 1;
		if (p == 0) {
			rng = seed | 1;
			batch(calls, net);
		}
		while (waitpid(p, &st, 0) < 0)
			;
		if (WIFSIGNALED(st))
			killed++;
	}
	/* Reap anything the batches left (their children). */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	printf("alive after %d batches (%d ended by a signal), pid %d\n",
	       batches, killed, (int)syscall(SYS_getpid));
	return 0;
}
