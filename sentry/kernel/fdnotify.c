/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fdnotify.c: the host-fd notifier (see fdnotify.h).
 *
 * Host fds are registered edge-triggered for every event, whatever the
 * guest waits for: a registration is one epoll_ctl per file, not one per
 * wait, and an edge is all a guest waiter needs (it checks the real
 * state with the file's poll op before sleeping, under the kernel lock,
 * which the notifier must take before it can notify).
 *
 * An event names its fd, looked up under the kernel lock: an fd removed
 * meanwhile is gone from the table, and one reused since gets at worst a
 * spurious wake-up, which every waiter tolerates.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/log.h"
#include "sentry/kernel/fdnotify.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/waitq.h"

#define FDNOTIFY_BATCH 64

static int epfd = -1;
static struct waitq **table; /* indexed by host fd */
static int table_size;

/* The notifier thread: wait without the lock, notify with it. */
static void *fdnotify_thread(void *arg)
{
	struct epoll_event ev[FDNOTIFY_BATCH];

	(void)arg;
	for (;;) {
		int n = epoll_pwait(epfd, ev, FDNOTIFY_BATCH, -1, NULL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("fdnotify: epoll_wait: %d", errno);
			return NULL;
		}
		kernel_lock();
		for (int i = 0; i < n; i++) {
			int fd = (int)ev[i].data.u64;

			if (fd < table_size && table[fd])
				waitq_notify(table[fd], ev[i].events);
		}
		kernel_unlock();
	}
}

/* The host epoll instance and its thread, made on first use. */
static int fdnotify_start(void)
{
	pthread_attr_t attr;
	pthread_t th;
	int err;

	if (epfd >= 0)
		return 0;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	err = pthread_create(&th, &attr, fdnotify_thread, NULL);
	pthread_attr_destroy(&attr);
	if (err) {
		close(epfd);
		epfd = -1;
		return -err;
	}
	return 0;
}

int fdnotify_add(int fd, struct waitq *wq)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLET,
		.data.u64 = (uint64_t)fd,
	};
	int err = fdnotify_start();

	if (err)
		return err;
	if (fd < 0)
		return -EBADF;
	if (fd >= table_size) {
		int size = table_size ? table_size : 64;
		struct waitq **n;

		while (size <= fd)
			size *= 2;
		n = realloc(table, (size_t)size * sizeof(*n));
		if (!n)
			return -ENOMEM;
		for (int i = table_size; i < size; i++)
			n[i] = NULL;
		table = n;
		table_size = size;
	}
	/* Registered before the host can report: the lock is held. */
	table[fd] = wq;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		err = -errno;
		table[fd] = NULL;
		return err;
	}
	return 0;
}

void fdnotify_remove(int fd)
{
	if (fd < 0 || fd >= table_size || !table[fd])
		return;
	table[fd] = NULL;
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}
