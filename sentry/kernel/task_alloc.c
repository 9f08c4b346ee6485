/* SPDX-License-Identifier: Apache-2.0 */
/*
 * task_alloc.c: allocation of tasks, thread groups, credentials and signal
 * handler tables, with the defaults a process starts with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gen/linux_flags.h"
#include "platform/platform.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/task_internal.h"

struct task *task_alloc(void)
{
	struct task *t = calloc(1, sizeof(*t));
	pthread_condattr_t ca;
	size_t fpu_len = platform_fpu_size();

	if (!t)
		return NULL;
	t->cpu.fpu = aligned_alloc(64, (fpu_len + 63) & ~(size_t)63);
	t->interrupt_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!t->cpu.fpu || t->interrupt_fd < 0) {
		free(t->cpu.fpu);
		if (t->interrupt_fd >= 0)
			close(t->interrupt_fd);
		free(t);
		return NULL;
	}
	t->cpu.fpu_len = fpu_len;
	memset(t->cpu.fpu, 0, fpu_len);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &ca);
	pthread_condattr_destroy(&ca);
	sigpending_init(&t->pending);
	t->altstack.flags = LINUX_SS_DISABLE;
	t->start_ns = kernel_now_ns();
	t->timer_slack_ns = 50000;
	return t;
}

void task_free(struct task *t)
{
	if (!t)
		return;
	sigpending_flush(&t->pending);
	pthread_cond_destroy(&t->cond);
	if (t->interrupt_fd >= 0)
		close(t->interrupt_fd);
	free(t->cpu.fpu);
	free(t);
}

/* The limits a Linux process gets from init on a default system. */
static void default_rlimits(struct thread_group *tg)
{
	const uint64_t inf = ~0ULL;

	for (int i = 0; i < RLIM_NLIMITS_; i++)
		tg->rlimits[i] = (struct rlimit64_){ inf, inf };
	tg->rlimits[LINUX_RLIMIT_STACK] = (struct rlimit64_){ 8 << 20, inf };
	tg->rlimits[LINUX_RLIMIT_CORE] = (struct rlimit64_){ 0, inf };
	tg->rlimits[LINUX_RLIMIT_NPROC] = (struct rlimit64_){ 63536, 63536 };
	tg->rlimits[LINUX_RLIMIT_NOFILE] = (struct rlimit64_){ 1024, 1048576 };
	tg->rlimits[LINUX_RLIMIT_MEMLOCK] = (struct rlimit64_){ 8 << 20, 8 << 20 };
	tg->rlimits[LINUX_RLIMIT_SIGPENDING] = (struct rlimit64_){ 63536, 63536 };
	tg->rlimits[LINUX_RLIMIT_MSGQUEUE] = (struct rlimit64_){ 819200, 819200 };
	tg->rlimits[LINUX_RLIMIT_NICE] = (struct rlimit64_){ 0, 0 };
	tg->rlimits[LINUX_RLIMIT_RTPRIO] = (struct rlimit64_){ 0, 0 };
}

struct thread_group *tg_alloc(void)
{
	struct thread_group *tg = calloc(1, sizeof(*tg));

	if (!tg)
		return NULL;
	tg->refs = 1;
	TAILQ_INIT(&tg->tasks);
	TAILQ_INIT(&tg->children);
	sigpending_init(&tg->pending);
	waitq_init(&tg->child_wq);
	waitq_init(&tg->exit_wq);
	waitq_init(&tg->signalfd_wq);
	LIST_INIT(&tg->timers);
	tg->exit_signal = LINUX_SIGCHLD;
	tg->dumpable = 1;
	default_rlimits(tg);
	return tg;
}

void tg_add_task(struct thread_group *tg, struct task *t)
{
	t->tg = tg;
	TAILQ_INSERT_TAIL(&tg->tasks, t, tg_link);
	tg->ntasks++;
	if (!tg->leader) {
		tg->leader = t;
		tg->tgid = t->tid;
	}
}

/* uid 0 with every capability: what a container's root gets from runc
 * before the OCI config narrows it (that comes with the config). */
struct creds *creds_new_root(void)
{
	struct creds *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->refs = 1;
	c->cap_permitted = c->cap_effective = c->cap_bounding =
		(1ULL << 41) - 1; /* CAP_CHOWN .. CAP_CHECKPOINT_RESTORE */
	return c;
}

void creds_get(struct creds *c)
{
	c->refs++;
}

void creds_put(struct creds *c)
{
	if (c && --c->refs == 0) {
		free(c->groups);
		free(c);
	}
}

struct creds *creds_dup(const struct creds *old)
{
	struct creds *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *old;
	c->refs = 1;
	c->groups = NULL;
	if (old->ngroups) {
		c->groups = malloc(old->ngroups * sizeof(uint32_t));
		if (!c->groups) {
			free(c);
			return NULL;
		}
		memcpy(c->groups, old->groups, old->ngroups * sizeof(uint32_t));
	}
	return c;
}

struct sighand *sighand_new(void)
{
	struct sighand *s = calloc(1, sizeof(*s));

	if (s)
		s->refs = 1;
	return s;
}

void sighand_get(struct sighand *s)
{
	s->refs++;
}

void sighand_put(struct sighand *s)
{
	if (s && --s->refs == 0)
		free(s);
}

struct sighand *sighand_dup(const struct sighand *old)
{
	struct sighand *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	*s = *old;
	s->refs = 1;
	return s;
}
