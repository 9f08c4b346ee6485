/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.c: the Sentry's control server (see control.h).
 *
 * One thread accepts; each connection gets a thread that reads requests
 * and answers them under the kernel lock. Waits (CTL_WAIT, CTL_START's
 * boot side) are condition waits on the kernel lock, so an exit recorded
 * by the exit hook wakes them without any host call.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "sentry/boot/boot.h"
#include "sentry/boot/control.h"
#include "sentry/boot/hostsig.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"

/* Exits of processes `runsc exec` started, kept for CTL_WAIT. */
#define EXITS_MAX 256

static struct {
	int listen_fd;
	bool wait_start;
	bool started;
	bool shut_down;          /* the sandbox ended */
	int init_status;
	unsigned waiters;        /* connections blocked in CTL_WAIT */
	pthread_cond_t cond;     /* any of the above changed (kernel lock) */
	struct {
		int pid, status;
	} exits[EXITS_MAX];
	unsigned nexits;         /* total ever recorded (ring index) */
} ctl = { .listen_fd = -1 };

/* kernel->orphan_exit_hook: a process started by CTL_EXEC ended. */
static void record_exit(int tgid, int status)
{
	unsigned i = ctl.nexits++ % EXITS_MAX;

	ctl.exits[i].pid = tgid;
	ctl.exits[i].status = status;
	pthread_cond_broadcast(&ctl.cond);
}

static bool find_exit(int pid, int *status)
{
	unsigned n = ctl.nexits < EXITS_MAX ? ctl.nexits : EXITS_MAX;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = (ctl.nexits - 1 - k) % EXITS_MAX;

		if (ctl.exits[i].pid == pid) {
			*status = ctl.exits[i].status;
			return true;
		}
	}
	return false;
}

static int do_start(void)
{
	if (!ctl.wait_start || ctl.started)
		return -EALREADY;
	ctl.started = true;
	pthread_cond_broadcast(&ctl.cond);
	return 0;
}

static int kill_group(struct thread_group *tg, void *arg)
{
	struct linux_siginfo info = { .signo = *(int *)arg,
				      .code = LINUX_SI_USER };

	if (!tg->zombie && info.signo)
		signal_send_group_from_host(tg, &info);
	return 0;
}

static int do_kill(const struct ctl_req *r)
{
	struct thread_group *tg;
	int sig = r->sig;

	if (sig < 0 || sig >= LINUX_NSIG)
		return -EINVAL;
	if (ctl.shut_down)
		return -ESRCH;
	if (r->flags & CTL_F_ALL) {
		pidns_for_each_group(kill_group, &sig);
		return 0;
	}
	if (r->flags & CTL_F_FG)
		return sig ? hostsig_deliver(sig, true) : 0;
	tg = tg_by_tgid(r->pid > 0 ? r->pid : 1);
	if (!tg || tg->zombie)
		return -ESRCH;
	return kill_group(tg, &sig);
}

/* Block (kernel lock held) until process `pid` ends; its wait status. */
static int do_wait(int pid, int *status)
{
	struct thread_group *tg;
	int rc = 0;

	for (;;) {
		if (pid <= 1 && ctl.shut_down) {
			*status = ctl.init_status;
			break;
		}
		if (pid > 1 && find_exit(pid, status))
			break;
		if (pid > 1 && (!(tg = tg_by_tgid(pid)) || !tg->external ||
				ctl.shut_down)) {
			/* Not one of ours, or gone without a record. */
			rc = -ESRCH;
			break;
		}
		pthread_cond_wait(&ctl.cond, &kernel->lock);
	}
	return rc;
}

struct ps_buf {
	char *buf;
	size_t len, cap;
};

static int ps_line(struct thread_group *tg, void *arg)
{
	struct ps_buf *b = arg;
	struct task *t = tg->leader;
	int n;

	if (!t || b->len >= b->cap)
		return 0;
	n = snprintf(b->buf + b->len, b->cap - b->len, "%d %d %u %c %.16s\n",
		     tg->tgid, tg->parent ? tg->parent->tgid : 0,
		     t->creds ? t->creds->uid : 0, tg->zombie ? 'Z' : 'S',
		     t->comm);
	if (n > 0 && (size_t)n < b->cap - b->len)
		b->len += (size_t)n;
	return 0;
}

/* Split the exec payload: groups, then cwd, args, environment. */
static int do_exec(const struct ctl_req *r, const char *p, size_t len,
		   const int fds[3], int *pid)
{
	struct sentry_process sp = {
		.uid = r->uid, .gid = r->gid, .has_umask = true,
		.umask = r->umask, .has_caps = r->flags & CTL_F_CAPS,
		.cap_bounding = r->cap_bounding,
		.cap_effective = r->cap_effective,
		.cap_inheritable = r->cap_inheritable,
		.cap_permitted = r->cap_permitted,
		.cap_ambient = r->cap_ambient,
		.no_new_privs = r->flags & CTL_F_NO_NEW_PRIVS,
	};
	const char *end = p + len;
	char **argv = NULL, **envp = NULL;
	struct task *t;
	int err = -EINVAL;

	if (r->ngroups > 65536 || r->argc == 0 || r->argc > 65536 ||
	    r->envc > 65536 || (size_t)r->ngroups * 4 > len)
		return -EINVAL;
	sp.groups = (const uint32_t *)p;
	sp.ngroups = r->ngroups;
	p += (size_t)r->ngroups * 4;
	argv = calloc(r->argc + 1, sizeof(char *));
	envp = calloc(r->envc + 1, sizeof(char *));
	if (!argv || !envp)
		goto out;
	/* Every string must end inside the message. */
	for (uint32_t i = 0; i < 1 + r->argc + r->envc; i++) {
		const char *nul = memchr(p, 0, (size_t)(end - p));

		if (!nul)
			goto out;
		if (i == 0)
			sp.cwd = p;
		else if (i <= r->argc)
			argv[i - 1] = (char *)p;
		else
			envp[i - 1 - r->argc] = (char *)p;
		p = nul + 1;
	}
	sp.argv = argv;
	sp.envp = envp;
	for (int i = 0; i < 3; i++)
		sp.stdio[i] = fds[i];
	if (sp.cwd[0] != '/' || !argv[0][0])
		goto out;
	if (ctl.shut_down) {
		err = -ESRCH;
		goto out;
	}
	err = boot_spawn(&sp, false, &t);
	if (err)
		goto out;
	t->tg->external = true;
	kernel->live_tasks++;
	err = task_start(t);
	if (err) {
		kernel->live_tasks--;
		goto out;
	}
	*pid = t->tid;
out:
	free(argv);
	free(envp);
	return err;
}

/* Receive one request and up to three fds; the message length or -errno
 * (0: the peer hung up). Fds beyond three, or in a request that does not
 * take them, are closed. */
static ssize_t recv_req(int fd, char *buf, size_t size, int fds[3], int *nfds)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { buf, size };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cm.buf,
			      .msg_controllen = sizeof(cm.buf) };
	ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

	*nfds = 0;
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		int *p = (int *)CMSG_DATA(c);
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < k; i++) {
			if (*nfds < 3)
				fds[(*nfds)++] = p[i];
			else
				close(p[i]);
		}
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EMSGSIZE;
	return n;
}

static void send_reply(int fd, int err, int value, const char *payload,
		       size_t len)
{
	struct ctl_reply r = { .err = err, .value = value,
			       .len = (uint32_t)len };
	struct iovec iov[2] = { { &r, sizeof(r) }, { (void *)payload, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		log_debug("control: reply lost: %m");
}

static void handle(int fd, const struct ctl_req *r, const char *payload,
		   size_t plen, int fds[3], int nfds)
{
	struct ps_buf ps = { 0 };
	int err = 0, value = 0;

	kernel_lock();
	switch (r->op) {
	case CTL_START:
		err = do_start();
		break;
	case CTL_KILL:
		err = do_kill(r);
		break;
	case CTL_WAIT:
		/* Counted until the reply is sent: control_shutdown lets
		 * the process end only once waiters have their answer. */
		ctl.waiters++;
		err = do_wait(r->pid, &value);
		break;
	case CTL_PS:
		ps.cap = 64 * 1024;
		ps.buf = malloc(ps.cap);
		if (!ps.buf)
			err = -ENOMEM;
		else
			pidns_for_each_group(ps_line, &ps);
		break;
	case CTL_EXEC:
		if (nfds != 3) {
			err = -EINVAL;
			break;
		}
		err = do_exec(r, payload, plen, fds, &value);
		break;
	default:
		err = -EINVAL;
	}
	kernel_unlock();
	send_reply(fd, err, value, ps.buf, ps.len);
	free(ps.buf);
	if (r->op == CTL_WAIT) {
		kernel_lock();
		ctl.waiters--;
		pthread_cond_broadcast(&ctl.cond);
		kernel_unlock();
	}
}

static void *connection_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char *buf = malloc(CTL_MSG_MAX);

	for (;;) {
		int fds[3], nfds;
		ssize_t n;

		if (!buf)
			break;
		n = recv_req(fd, buf, CTL_MSG_MAX, fds, &nfds);
		if (n <= 0) {
			for (int i = 0; i < nfds; i++)
				close(fds[i]);
			break;
		}
		if ((size_t)n < sizeof(struct ctl_req)) {
			send_reply(fd, -EINVAL, 0, NULL, 0);
		} else {
			struct ctl_req r;

			memcpy(&r, buf, sizeof(r));
			handle(fd, &r, buf + sizeof(r), (size_t)n - sizeof(r),
			       fds, nfds);
		}
		/* The new process holds its own duplicates. */
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
	}
	free(buf);
	close(fd);
	return NULL;
}

static void *accept_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_attr_t attr;
		pthread_t th;
		int fd = accept4(ctl.listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			log_warn("control: accept: %m");
			return NULL;
		}
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 128 * 1024);
		if (pthread_create(&th, &attr, connection_thread,
				   (void *)(intptr_t)fd))
			close(fd);
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

int control_serve(int fd, bool wait_start)
{
	pthread_condattr_t ca;
	pthread_attr_t attr;
	pthread_t th;
	int err;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ctl.cond, &ca);
	pthread_condattr_destroy(&ca);
	ctl.listen_fd = fd;
	ctl.wait_start = wait_start;
	kernel->orphan_exit_hook = record_exit;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	err = pthread_create(&th, &attr, accept_thread, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

void control_wait_start(void)
{
	while (!ctl.started)
		pthread_cond_wait(&ctl.cond, &kernel->lock);
}

void control_shutdown(int status)
{
	struct timespec dl;

	if (ctl.listen_fd < 0)
		return;
	ctl.shut_down = true;
	ctl.init_status = status;
	pthread_cond_broadcast(&ctl.cond);
	/* Let the waiters send the status before the process exits. */
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += 2;
	while (ctl.waiters > 0)
		if (pthread_cond_timedwait(&ctl.cond, &kernel->lock, &dl))
			break;
}
