/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll.c: poll, ppoll, select and pselect6 (fs/select.c). Sentry files
 * report readiness through their poll op and wake waiters on their wait
 * queues; files backed by host fds are waited for with a host ppoll, which
 * a Sentry-side wake-up (task_wake) also ends.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/abi/resource.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/vfs.h"

#define POLL_MAX_FDS 1048576 /* nr_open */

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
	int host_fd;
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
 * The core of poll and select: check every entry, wait until one is ready,
 * the monotonic deadline (0: none, -1: do not wait) or a signal. Returns
 * the number of ready entries or -errno (-EINTR when a signal came).
 */
static long do_poll(struct task *t, struct poll_entry *ents, size_t n,
		    int64_t deadline)
{
	struct pollfd *host = NULL;
	size_t nhost = 0;
	long ready = 0;
	bool arm = true;

	for (size_t i = 0; i < n; i++) {
		ents[i].file = ents[i].pfd.fd >= 0 ? fd_get(t, ents[i].pfd.fd)
						   : NULL;
		ents[i].w.q = NULL;
		ents[i].host_fd = ents[i].file ? hostfd_host_fd(ents[i].file)
					       : -1;
		if (ents[i].host_fd >= 0)
			nhost++;
	}
	if (nhost) {
		host = calloc(nhost, sizeof(*host));
		if (!host) {
			ready = -ENOMEM;
			goto out;
		}
	}
	for (;;) {
		size_t h = 0;
		int err;

		ready = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t ev = poll_one(t, &ents[i], arm);

			ents[i].pfd.revents = (int16_t)ev;
			if (ev)
				ready++;
			if (ents[i].host_fd >= 0)
				host[h++] = (struct pollfd){
					.fd = ents[i].host_fd,
					.events = ents[i].pfd.events,
				};
		}
		arm = false;
		if (ready || deadline < 0)
			break;
		if (deadline && kernel_now_ns() >= deadline)
			break;
		if (nhost)
			err = task_host_poll(t, host, (int)nhost, deadline);
		else
			err = task_wait(t, deadline, true);
		if (err == -EINTR) {
			ready = -EINTR;
			break;
		}
		if (err == -ETIMEDOUT)
			deadline = -1; /* one last look, then 0 */
		else if (err < 0)
			return err;
	}
out:
	for (size_t i = 0; i < n; i++) {
		waitq_remove(&ents[i].w);
		if (ents[i].file)
			file_put(ents[i].file);
	}
	free(host);
	return ready;
}

/* A relative timeout in ms (negative: none) as a deadline for do_poll. */
static int64_t ms_deadline(int ms)
{
	if (ms < 0)
		return 0;
	if (ms == 0)
		return -1;
	return kernel_now_ns() + (int64_t)ms * 1000000;
}

static long poll_common(struct task *t, uint64_t ufds, uint64_t nfds,
			int64_t deadline)
{
	struct poll_entry *ents;
	long ret;

	if (nfds > POLL_MAX_FDS || nfds > t->tg->rlimits[LINUX_RLIMIT_NOFILE].cur)
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
			if (task_copy_out(t, ufds + i * sizeof(struct linux_pollfd) +
						     offsetof(struct linux_pollfd,
							      revents),
					  &ents[i].pfd.revents, 2)) {
				ret = -EFAULT;
				break;
			}
	free(ents);
	return ret;
}

long kern_poll(struct task *t, const struct poll_args *a)
{
	long ret = poll_common(t, a->fds, a->nfds, ms_deadline(a->timeout));

	/* Restarted with the same timeout if no handler runs (Linux uses a
	 * restart block with the remaining time; close enough). */
	return ret == -EINTR ? -ERESTARTNOHAND : ret;
}

/* A timespec timeout as a deadline, or -errno. */
static int64_t ts_deadline(struct task *t, uint64_t uts)
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
	if (ns == 0)
		return -1;
	return kernel_now_ns() + ns;
}

/* Write back the time left of a timeout (ppoll, select). */
static void put_remaining(struct task *t, uint64_t uts, int64_t deadline,
			  bool timeval)
{
	int64_t left = deadline > 0 ? deadline - kernel_now_ns() : 0;

	if (!uts || deadline == 0)
		return;
	if (left < 0)
		left = 0;
	if (timeval) {
		struct linux_timeval tv = linux_ns_to_timeval(left);

		task_copy_out(t, uts, &tv, sizeof(tv));
	} else {
		struct linux_timespec ts = linux_ns_to_timespec(left);

		task_copy_out(t, uts, &ts, sizeof(ts));
	}
}

/* Install a temporary signal mask for ppoll/pselect; restored when the
 * call returns (or after the handler frame, when a signal interrupts). */
static int swap_mask(struct task *t, uint64_t umask, uint64_t size)
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

/* After ppoll/pselect: keep the temporary mask only if a signal is going
 * to be delivered (the frame then restores the old one). */
static long finish_mask(struct task *t, long ret)
{
	if (ret == -EINTR)
		return -ERESTARTNOHAND;
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	return ret;
}

long kern_ppoll(struct task *t, const struct ppoll_args *a)
{
	int64_t deadline = ts_deadline(t, a->tmo_p);
	long ret;

	if (deadline < -1)
		return deadline;
	ret = swap_mask(t, a->sigmask, a->sigsetsize);
	if (ret)
		return ret;
	ret = poll_common(t, a->fds, a->nfds, deadline);
	put_remaining(t, a->tmo_p, deadline, false);
	return finish_mask(t, ret);
}

#define SEL_IN (LINUX_POLLRDNORM | LINUX_POLLRDBAND | LINUX_POLLIN | \
		LINUX_POLLHUP | LINUX_POLLERR)
#define SEL_OUT (LINUX_POLLWRBAND | LINUX_POLLWRNORM | LINUX_POLLOUT | \
		 LINUX_POLLERR)
#define SEL_EX (LINUX_POLLPRI)

/* select on top of do_poll: fd sets in, fd sets out. */
static long select_common(struct task *t, int nfds, uint64_t rd, uint64_t wr,
			  uint64_t ex, int64_t deadline)
{
	size_t words, bytes;
	uint64_t *in[3] = { 0 }, *out = NULL;
	uint64_t addrs[3] = { rd, wr, ex };
	struct poll_entry *ents = NULL;
	size_t n = 0;
	long ret = -ENOMEM;

	if (nfds < 0)
		return -EINVAL;
	if ((uint64_t)nfds > t->tg->rlimits[LINUX_RLIMIT_NOFILE].cur)
		nfds = (int)t->tg->rlimits[LINUX_RLIMIT_NOFILE].cur;
	if (nfds > POLL_MAX_FDS)
		nfds = POLL_MAX_FDS;
	words = ((size_t)nfds + 63) / 64;
	bytes = ((size_t)nfds + 7) / 8;
	for (int s = 0; s < 3; s++) {
		in[s] = calloc(words ? words : 1, 8);
		if (!in[s])
			goto out;
		if (addrs[s] && bytes && task_copy_in(t, addrs[s], in[s], bytes)) {
			ret = -EFAULT;
			goto out;
		}
	}
	ents = calloc((size_t)nfds ? (size_t)nfds : 1, sizeof(*ents));
	out = calloc(3 * (words ? words : 1), 8);
	if (!ents || !out)
		goto out;
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		int16_t ev = 0;

		if (in[0][fd / 64] & bit)
			ev |= SEL_IN;
		if (in[1][fd / 64] & bit)
			ev |= SEL_OUT;
		if (in[2][fd / 64] & bit)
			ev |= SEL_EX;
		if (!ev)
			continue;
		{
			struct file *f = fd_get(t, fd);

			if (!f) {
				ret = -EBADF;
				goto out;
			}
			file_put(f);
		}
		ents[n].pfd.fd = fd;
		ents[n].pfd.events = ev;
		n++;
	}
	ret = do_poll(t, ents, n, deadline);
	if (ret < 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		int fd = ents[i].pfd.fd;
		uint16_t rev = (uint16_t)ents[i].pfd.revents;
		uint64_t bit = 1ULL << (fd % 64);

		if ((rev & SEL_IN) && (in[0][fd / 64] & bit)) {
			out[fd / 64] |= bit;
			ret++;
		}
		if ((rev & SEL_OUT) && (in[1][fd / 64] & bit)) {
			out[words + fd / 64] |= bit;
			ret++;
		}
		if ((rev & SEL_EX) && (in[2][fd / 64] & bit)) {
			out[2 * words + fd / 64] |= bit;
			ret++;
		}
	}
	for (int s = 0; s < 3; s++)
		if (addrs[s] && bytes &&
		    task_copy_out(t, addrs[s], out + s * words, bytes)) {
			ret = -EFAULT;
			break;
		}
out:
	for (int s = 0; s < 3; s++)
		free(in[s]);
	free(out);
	free(ents);
	return ret;
}

long kern_select(struct task *t, const struct select_args *a)
{
	int64_t deadline = 0;
	long ret;

	if (a->timeout) {
		struct linux_timeval tv;

		if (task_copy_in(t, a->timeout, &tv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises oversized microseconds into seconds. */
		deadline = tv.tv_sec == 0 && tv.tv_usec == 0
				   ? -1
				   : kernel_now_ns() + (tv.tv_sec + tv.tv_usec / 1000000) *
							       1000000000LL +
					     (tv.tv_usec % 1000000) * 1000;
	}
	ret = select_common(t, a->nfds, a->readfds, a->writefds, a->exceptfds,
			    deadline);
	put_remaining(t, a->timeout, deadline, true);
	return ret == -EINTR ? -ERESTARTNOHAND : ret;
}

long kern_pselect6(struct task *t, const struct pselect6_args *a)
{
	int64_t deadline = ts_deadline(t, a->timeout);
	struct { uint64_t set, size; } sm = { 0, 0 };
	long ret;

	if (deadline < -1)
		return deadline;
	if (a->sigmask && task_copy_in(t, a->sigmask, &sm, sizeof(sm)))
		return -EFAULT;
	ret = swap_mask(t, sm.set, sm.set ? sm.size : 8);
	if (ret)
		return ret;
	ret = select_common(t, a->nfds, a->readfds, a->writefds, a->exceptfds,
			    deadline);
	put_remaining(t, a->timeout, deadline, false);
	return finish_mask(t, ret);
}
