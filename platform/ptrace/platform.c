// SPDX-License-Identifier: Apache-2.0
/*
 * platform.c: the ptrace platform's entry point and operations table.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>

#include "platform/ptrace/debug.h"
#include "platform/ptrace/internal.h"

const struct platform_ops pt_ops = {
	.name = "ptrace",
	.as_new = pt_as_new,
	.as_map = pt_as_map,
	.as_unmap = pt_as_unmap,
	.as_protect = pt_as_protect,
	.as_release = pt_as_release,
	.ctx_new = pt_ctx_new,
	.ctx_switch = pt_ctx_switch,
	.ctx_interrupt = pt_ctx_interrupt,
	.ctx_release = pt_ctx_release,
};

/*
 * Create the platform: start the creator thread, which forks the master
 * stub and learns the layout every stub shares. Must run before the Sentry
 * installs its seccomp filter (it forks and reads /proc).
 */
int platform_ptrace_new(int memfd, struct platform **out)
{
	struct pt_platform *p;
	int rc;

	if (memfd < 0 || fcntl(memfd, F_GETFD) < 0)
		return -EBADF;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->pub.ops = &pt_ops;
	p->memfd = memfd;
	pthread_mutex_init(&p->creq_lock, NULL);
	pthread_cond_init(&p->creq_cv, NULL);
	pthread_cond_init(&p->cdone_cv, NULL);
	rc = pt_creator_start(p);
	if (rc < 0) {
		free(p);
		return rc;
	}
	*out = &p->pub;
	return 0;
}

/* The host pid of the master stub (tests, debugging). */
pid_t platform_ptrace_master_pid(struct platform *pp)
{
	return pt_platform_of(pp)->master.pid;
}
