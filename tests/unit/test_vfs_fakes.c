/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-ins for the kernel and mm pieces the VFS calls, so its unit tests
 * run without a guest: a fake task, a Sentry-memory mappable, task_wait
 * that reports a signal. All weak: when libsentry.a brings the real ones
 * for another reason, those win.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/fdnotify.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/pidns.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "tests/unit/vfs_fixture.h"

#define WEAK __attribute__((weak))

static struct kernel fake_kernel = {.lock = PTHREAD_MUTEX_INITIALIZER};
WEAK struct kernel *kernel = &fake_kernel;

int fake_signals_sent;
int fake_last_signal;

WEAK void kernel_lock(void)
{
}

WEAK void kernel_unlock(void)
{
}

WEAK struct task *task_current(void)
{
	return NULL;
}

int (*fake_wait_hook)(struct task *);

/* Every wait is interrupted at once, so tests never block, unless the
 * test's hook plays "another task" while this one sleeps and says what
 * ends the sleep (0: woken). */
WEAK int task_wait(struct task *t, int64_t deadline_ns, bool interruptible)
{
	int (*hook)(struct task *) = fake_wait_hook;

	(void)deadline_ns;
	(void)interruptible;
	if (hook) {
		fake_wait_hook = NULL; /* one sleep per hook */
		return hook(t);
	}
	return -EINTR;
}

WEAK void task_wake(struct task *t)
{
	(void)t;
}

/* No notifier thread in unit tests: host fds are "registered". */
WEAK int fdnotify_add(int fd, struct waitq *wq)
{
	(void)fd;
	(void)wq;
	return 0;
}

WEAK void fdnotify_remove(int fd)
{
	(void)fd;
}

WEAK int task_host_wait(struct task *t, int fd, short events,
			int64_t deadline_ns)
{
	(void)t;
	(void)fd;
	(void)events;
	(void)deadline_ns;
	return -EINTR;
}

WEAK bool task_signal_pending(struct task *t)
{
	(void)t;
	return false;
}

WEAK int task_copy_in(struct task *t, uint64_t addr, void *dst, size_t len)
{
	(void)t;
	if (addr < 4096)
		return -EFAULT;
	memcpy(dst, (void *)(uintptr_t)addr, len);
	return 0;
}

WEAK int task_copy_out(struct task *t, uint64_t addr, const void *src,
		       size_t len)
{
	(void)t;
	if (addr < 4096 || (addr < fake_ro_end && addr + len > fake_ro_start))
		return -EFAULT;
	memcpy((void *)(uintptr_t)addr, src, len);
	return 0;
}

WEAK long task_copy_string_in(struct task *t, uint64_t addr, char *dst,
			      size_t max)
{
	const char *s = (const char *)(uintptr_t)addr;
	size_t n;

	(void)t;
	if (addr < 4096)
		return -EFAULT;
	n = strnlen(s, max);
	if (n == max)
		return -ENAMETOOLONG;
	memcpy(dst, s, n + 1);
	return (long)n;
}

WEAK int signal_send_task(struct task *t, const struct linux_siginfo *si)
{
	(void)t;
	fake_signals_sent++;
	fake_last_signal = si->signo;
	return 0;
}

/* The terminals (devices.c opens ptys) reach the kernel's clock, process
 * groups and signals: none of it runs in these tests. */
WEAK int64_t kernel_now_ns(void)
{
	return 0;
}

WEAK int signal_send_group(struct thread_group *tg,
			   const struct linux_siginfo *si)
{
	(void)tg;
	fake_signals_sent++;
	fake_last_signal = si->signo;
	return 0;
}

WEAK int pidns_for_each_group(int (*fn)(struct thread_group *, void *),
			      void *arg)
{
	(void)fn;
	(void)arg;
	return 0;
}

WEAK struct thread_group *tg_by_tgid(int tgid)
{
	(void)tgid;
	return NULL;
}

WEAK bool creds_capable(const struct creds *c, int cap)
{
	return cap >= 0 && cap < 64 && (c->cap_effective & (1ULL << cap));
}

/* "Guest" addresses in these tests are Sentry pointers; an address in
 * the first page, or one the test marked read-only, faults. */
uint64_t fake_ro_start, fake_ro_end;

WEAK long mm_io_vectors(struct mm *mm, uint64_t addr, size_t len, bool write,
			struct iovec *iov, int maxiov, int *niov)
{
	(void)mm;
	*niov = 0;
	if (addr < 4096 || maxiov < 1)
		return -EFAULT;
	if (write && addr < fake_ro_end && addr + len > fake_ro_start) {
		if (addr >= fake_ro_start)
			return -EFAULT;
		len = fake_ro_start - addr;
	}
	iov[0].iov_base = (void *)(uintptr_t)addr;
	iov[0].iov_len = len;
	*niov = 1;
	return (long)len;
}

/* A mappable whose pages are one growable Sentry buffer. */
struct mappable {
	const struct mappable_ops *ops;
	void *priv;
	unsigned refs;
	char *data;
	size_t cap;
};

int fake_mappables_live;

WEAK struct mappable *mappable_new(const struct mappable_ops *ops, void *priv)
{
	struct mappable *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ops = ops;
	m->priv = priv;
	m->refs = 1;
	fake_mappables_live++;
	return m;
}

WEAK void *mappable_priv(struct mappable *m)
{
	return m->priv;
}

WEAK void mappable_get(struct mappable *m)
{
	m->refs++;
}

WEAK void mappable_put(struct mappable *m)
{
	if (!m || --m->refs)
		return;
	if (m->ops->release)
		m->ops->release(m);
	free(m->data);
	free(m);
	fake_mappables_live--;
}

/* The fake maps nothing into a guest. */
WEAK unsigned mappable_writable_maps(struct mappable *m)
{
	(void)m;
	return 0;
}

WEAK long mappable_read(struct mappable *m, uint64_t off, void *dst, size_t len)
{
	size_t have = off < m->cap ? m->cap - off : 0;
	size_t n = len < have ? len : have;

	memcpy(dst, m->data + off, n);
	memset((char *)dst + n, 0, len - n);
	return (long)len;
}

WEAK long mappable_write(struct mappable *m, uint64_t off, const void *src,
			 size_t len)
{
	if (off + len > (64u << 20))
		return -ENOSPC; /* a test fake, not a sparse cache */
	if (off + len > m->cap) {
		char *n = realloc(m->data, off + len);

		if (!n)
			return -ENOMEM;
		memset(n + m->cap, 0, off + len - m->cap);
		m->data = n;
		m->cap = off + len;
	}
	memcpy(m->data + off, src, len);
	return (long)len;
}

WEAK void mappable_truncate(struct mappable *m, uint64_t size)
{
	uint64_t keep = (size + 4095) & ~4095ULL;

	if (keep < m->cap)
		m->cap = keep;
}

/* A punched hole reads as zeros. */
WEAK void mappable_invalidate(struct mappable *m, uint64_t off, uint64_t len)
{
	if (off >= m->cap)
		return;
	if (len > m->cap - off)
		len = m->cap - off;
	memset(m->data + off, 0, len);
}
