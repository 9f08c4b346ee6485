/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll.c: poll, ppoll, select and pselect6 (fs/select.c). Files report
 * readiness through their poll op and wake waiters on their wait queues;
 * files backed by host fds get their wake-ups from the host-fd notifier
 * (sentry/kernel/fdnotify.h), so every file is waited for the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/poll_common.h"
#include "sentry/vfs/vfs.h"

#define POLL_MAX_FDS 1048576 /* nr_open */
#define STICKY_TIMEOUTS 0x4000000

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* What one fd is waited for, and the state poll keeps for it. */
struct poll_entry {
	struct linux_pollfd pfd;
	struct file *file;
	struct waiter w;
};

/* Readiness of one entry now; on the first pass, also start waiting on
 * its queue. */
static uint32_t poll_one(struct task *t, struct poll_entry *e, bool arm)
{
	uint32_t ev, want;
	struct waitq *wq = NULL;

	if (e->pfd.fd < 0)
		return 0;
	if (!e->file)
		return LINUX_POLLNVAL;
	want = (uint16_t)e->pfd.events | LINUX_POLLERR | LINUX_POLLHUP;
	if (e->file->ops->poll)
		ev = e->file->ops->poll(e->file, arm ? &wq : NULL);
	else
		ev = LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLRDNORM |
		     LINUX_POLLWRNORM;
	if (arm && wq) {
		waiter_init_task(&e->w, t, want);
		waitq_add(wq, &e->w);
	}
	return ev & want;
}

/*
 * The core of poll and select (do_poll): check every entry, wait until
 * one is ready, the deadline or a signal. Returns the number of ready
 * entries, or -EINTR when a signal is pending and none is (even without
 * waiting, as Linux does).
 */
static long do_poll(struct task *t, struct poll_entry *ents, size_t n,
		    int64_t deadline)
{
	bool arm = deadline != POLL_NO_WAIT, timed_out = !arm, intr = false;
	long ready;

	for (size_t i = 0; i < n; i++) {
		ents[i].file =
			ents[i].pfd.fd >= 0 ? fd_get(t, ents[i].pfd.fd) : NULL;
		ents[i].w.q = NULL;
	}
	for (;;) {
		int err;

		ready = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t ev = poll_one(t, &ents[i], arm);

			ents[i].pfd.revents = (int16_t)ev;
			if (ev)
				ready++;
		}
		arm = false;
		if (!ready && (intr || task_signal_pending(t)))
			ready = -EINTR;
		if (ready || timed_out)
			break;
		err = task_wait(t, deadline, true);
		if (err == -ETIMEDOUT)
			timed_out = true;
		else if (err == -EINTR)
			intr = true; /* one more look, then -EINTR */
	}
	for (size_t i = 0; i < n; i++) {
		waitq_remove(&ents[i].w);
		if (ents[i].file)
			file_put(ents[i].file);
	}
	return ready;
}

int64_t poll_deadline_after(int64_t ns)
{
	int64_t now = kernel_now_ns();

	return ns > INT64_MAX - now ? INT64_MAX : now + ns;
}

int64_t poll_ms_deadline(int ms)
{
	if (ms < 0)
		return 0;
	if (ms == 0)
		return POLL_NO_WAIT;
	return poll_deadline_after((int64_t)ms * 1000000);
}

int64_t poll_ts_deadline(struct task *t, uint64_t uts)
{
	struct linux_timespec ts;
	int64_t ns;

	if (!uts)
		return 0;
	if (task_copy_in(t, uts, &ts, sizeof(ts)))
		return -EFAULT;
	ns = linux_timespec_to_ns(&ts);
	if (ns < 0)
		return -EINVAL;
	return ns ? poll_deadline_after(ns) : POLL_NO_WAIT;
}

/* Copy the guest's pollfds in, poll, write the revents back. */
static long poll_common(struct task *t, uint64_t ufds, uint64_t nfds,
			int64_t deadline)
{
	struct poll_entry *ents;
	long ret;

	if (nfds > POLL_MAX_FDS ||
	    nfds > t->tg->rlimits[LINUX_RLIMIT_NOFILE].cur)
		return -EINVAL;
	ents = calloc(nfds ? nfds : 1, sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	for (size_t i = 0; i < nfds; i++)
		if (task_copy_in(t, ufds + i * sizeof(struct linux_pollfd),
				 &ents[i].pfd, sizeof(ents[i].pfd))) {
			free(ents);
			return -EFAULT;
		}
	ret = do_poll(t, ents, nfds, deadline);
	if (ret >= 0)
		for (size_t i = 0; i < nfds; i++)
			if (task_copy_out(
				    t,
				    ufds + i * sizeof(struct linux_pollfd) +
					    offsetof(struct linux_pollfd,
						     revents),
				    &ents[i].pfd.revents, 2)) {
				ret = -EFAULT;
				break;
			}
	free(ents);
	return ret;
}

/* poll(2) interrupted with no handler to run restarts through
 * restart_syscall with the deadline it had (do_restart_poll). */
static long poll_restart(struct task *t)
{
	long ret = poll_common(t, t->restart_args[0], t->restart_args[1],
			       t->restart_deadline_ns);

	if (ret == -EINTR) {
		t->restart_fn = poll_restart;
		return -ERESTART_RESTARTBLOCK;
	}
	return ret;
}

long kern_poll(struct task *t, const struct poll_args *a)
{
	int64_t deadline = poll_ms_deadline(a->timeout);
	long ret = poll_common(t, a->fds, a->nfds, deadline);

	if (ret != -EINTR)
		return ret;
	t->restart_args[0] = a->fds;
	t->restart_args[1] = a->nfds;
	t->restart_deadline_ns = deadline;
	t->restart_fn = poll_restart;
	return -ERESTART_RESTARTBLOCK;
}

int poll_set_sigmask(struct task *t, uint64_t umask, uint64_t size)
{
	uint64_t mask;

	if (!umask)
		return 0;
	if (size != 8)
		return -EINVAL;
	if (task_copy_in(t, umask, &mask, 8))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~(LINUX_SIGBIT(LINUX_SIGKILL) |
			      LINUX_SIGBIT(LINUX_SIGSTOP));
	return 0;
}

void poll_restore_sigmask(struct task *t, bool keep)
{
	if (keep || !t->restore_sigmask)
		return;
	t->sigmask = t->saved_sigmask;
	t->restore_sigmask = false;
}

/*
 * poll_select_finish: the mask goes unless a signal interrupted; the time
 * left is written back to a non-zero timeout (Linux's update; not with
 * STICKY_TIMEOUTS). A call whose time left cannot be written back cannot
 * restart: it fails with EINTR instead.
 */
static long poll_select_finish(struct task *t, uint64_t uts, int64_t deadline,
			       bool timeval, long ret)
{
	int64_t left;
	int err;

	poll_restore_sigmask(t, ret == -EINTR);
	if (ret == -EINTR)
		ret = -ERESTARTNOHAND;
	if (!uts)
		return ret;
	if (t->personality & STICKY_TIMEOUTS)
		return ret == -ERESTARTNOHAND ? -EINTR : ret;
	if (deadline == POLL_NO_WAIT)
		return ret;
	left = deadline - kernel_now_ns();
	if (left < 0)
		left = 0;
	if (timeval) {
		struct linux_timeval tv = linux_ns_to_timeval(left);

		err = task_copy_out(t, uts, &tv, sizeof(tv));
	} else {
		struct linux_timespec ts = linux_ns_to_timespec(left);

		err = task_copy_out(t, uts, &ts, sizeof(ts));
	}
	if (err && ret == -ERESTARTNOHAND)
		ret = -EINTR;
	return ret;
}

long kern_ppoll(struct task *t, const struct ppoll_args *a)
{
	int64_t deadline = poll_ts_deadline(t, a->tmo_p);
	long ret;

	if (deadline < POLL_NO_WAIT)
		return deadline;
	ret = poll_set_sigmask(t, a->sigmask, a->sigsetsize);
	if (ret)
		return ret;
	ret = poll_common(t, a->fds, a->nfds, deadline);
	return poll_select_finish(t, a->tmo_p, deadline, false, ret);
}

#define SEL_IN                                                                 \
	(LINUX_POLLRDNORM | LINUX_POLLRDBAND | LINUX_POLLIN | LINUX_POLLHUP |  \
	 LINUX_POLLERR)
#define SEL_OUT                                                                \
	(LINUX_POLLWRBAND | LINUX_POLLWRNORM | LINUX_POLLOUT | LINUX_POLLERR)
#define SEL_EX (LINUX_POLLPRI)

/* The fd sets as core_sys_select sees them: whole 64-bit words for the
 * first nfds bits (copied in and written back as such). */
struct fd_sets {
	size_t words;
	uint64_t *in[3];
	uint64_t *out[3];
};

static void fd_sets_free(struct fd_sets *s)
{
	for (int k = 0; k < 3; k++) {
		free(s->in[k]);
		free(s->out[k]);
	}
}

/* One poll entry per fd in any set; EBADF for a set bit of a closed fd
 * (max_select_fd). */
static long select_entries(struct task *t, int nfds, struct fd_sets *s,
			   struct poll_entry **out, size_t *n)
{
	struct poll_entry *ents =
		calloc(nfds ? (size_t)nfds : 1, sizeof(*ents));

	if (!ents)
		return -ENOMEM;
	*n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		int16_t ev = 0;
		struct file *f;

		if (s->in[0][fd / 64] & bit)
			ev |= SEL_IN;
		if (s->in[1][fd / 64] & bit)
			ev |= SEL_OUT;
		if (s->in[2][fd / 64] & bit)
			ev |= SEL_EX;
		if (!ev)
			continue;
		f = fd_get(t, fd);
		if (!f) {
			free(ents);
			return -EBADF;
		}
		file_put(f);
		ents[*n].pfd.fd = fd;
		ents[*n].pfd.events = ev;
		(*n)++;
	}
	*out = ents;
	return 0;
}

/* select on top of do_poll: fd sets in, fd sets out. */
static long select_common(struct task *t, int nfds, uint64_t rd, uint64_t wr,
			  uint64_t ex, int64_t deadline)
{
	static const uint16_t sel[3] = {SEL_IN, SEL_OUT, SEL_EX};
	uint64_t addrs[3] = {rd, wr, ex};
	struct fd_sets s = {0};
	struct poll_entry *ents = NULL;
	int max_fds = t->fdt->size > 64 ? t->fdt->size : 64;
	size_t n = 0;
	long ret = -ENOMEM;

	if (nfds < 0)
		return -EINVAL;
	/* Bits past the descriptor table's size are ignored. */
	if (nfds > max_fds)
		nfds = max_fds;
	s.words = ((size_t)nfds + 63) / 64;
	for (int k = 0; k < 3; k++) {
		s.in[k] = calloc(s.words ? s.words : 1, 8);
		s.out[k] = calloc(s.words ? s.words : 1, 8);
		if (!s.in[k] || !s.out[k])
			goto out;
	}
	for (int k = 0; k < 3; k++)
		if (addrs[k] && s.words &&
		    task_copy_in(t, addrs[k], s.in[k], s.words * 8)) {
			ret = -EFAULT;
			goto out;
		}
	ret = select_entries(t, nfds, &s, &ents, &n);
	if (ret)
		goto out;
	ret = do_poll(t, ents, n, deadline);
	if (ret < 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		int fd = ents[i].pfd.fd;
		uint16_t rev = (uint16_t)ents[i].pfd.revents;
		uint64_t bit = 1ULL << (fd % 64);

		for (int k = 0; k < 3; k++)
			if ((rev & sel[k]) && (s.in[k][fd / 64] & bit)) {
				s.out[k][fd / 64] |= bit;
				ret++;
			}
	}
	for (int k = 0; k < 3; k++)
		if (addrs[k] && s.words &&
		    task_copy_out(t, addrs[k], s.out[k], s.words * 8)) {
			ret = -EFAULT;
			break;
		}
out:
	fd_sets_free(&s);
	free(ents);
	return ret;
}

long kern_select(struct task *t, const struct select_args *a)
{
	int64_t deadline = 0;
	long ret;

	if (a->timeout) {
		struct linux_timeval tv;
		int64_t sec, nsec;

		if (task_copy_in(t, a->timeout, &tv, sizeof(tv)))
			return -EFAULT;
		/* Oversized microseconds carry into seconds before the
		 * check, as poll_select_set_timeout sees them. */
		sec = (int64_t)((uint64_t)tv.tv_sec +
				(uint64_t)(tv.tv_usec / 1000000));
		nsec = (tv.tv_usec % 1000000) * 1000;
		if (sec < 0 || nsec < 0)
			return -EINVAL;
		if (!sec && !nsec)
			deadline = POLL_NO_WAIT;
		else if (sec > (INT64_MAX - nsec) / 1000000000LL)
			deadline = INT64_MAX;
		else
			deadline =
				poll_deadline_after(sec * 1000000000LL + nsec);
	}
	ret = select_common(t, a->nfds, a->readfds, a->writefds, a->exceptfds,
			    deadline);
	return poll_select_finish(t, a->timeout, deadline, true, ret);
}

long kern_pselect6(struct task *t, const struct pselect6_args *a)
{
	struct {
		uint64_t set, size;
	} sm = {0, 0};
	int64_t deadline;
	long ret;

	if (a->sigmask && task_copy_in(t, a->sigmask, &sm, sizeof(sm)))
		return -EFAULT;
	deadline = poll_ts_deadline(t, a->timeout);
	if (deadline < POLL_NO_WAIT)
		return deadline;
	ret = poll_set_sigmask(t, sm.set, sm.size);
	if (ret)
		return ret;
	ret = select_common(t, a->nfds, a->readfds, a->writefds, a->exceptfds,
			    deadline);
	return poll_select_finish(t, a->timeout, deadline, false, ret);
}
