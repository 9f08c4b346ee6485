/* SPDX-License-Identifier: Apache-2.0 */
/* kernel.c: the kernel instance and its big lock (see kernel.h). */
#include <stdbool.h>
#include <time.h>

#include "sentry/kernel/kernel.h"

struct kernel *kernel;

/* Which thread holds the lock, for assertions; per thread, no sharing. */
static __thread bool holds_lock;

void kernel_lock(void)
{
	pthread_mutex_lock(&kernel->lock);
	holds_lock = true;
}

void kernel_unlock(void)
{
	holds_lock = false;
	pthread_mutex_unlock(&kernel->lock);
}

bool kernel_locked(void)
{
	return holds_lock;
}

int64_t kernel_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
