/* SPDX-License-Identifier: Apache-2.0 */
/*
 * debug.h: host-side facts about ptrace platform objects, for tests and
 * debugging only; nothing in the Sentry should depend on them.
 */
#ifndef CVISOR_PLATFORM_PTRACE_DEBUG_H
#define CVISOR_PLATFORM_PTRACE_DEBUG_H

#include <sys/types.h>

#include "platform/platform.h"

/* The host pid of an address space's stub process. */
pid_t platform_ptrace_as_pid(struct platform_as *a);
/* The host pid of the master stub every address space is forked from. */
pid_t platform_ptrace_master_pid(struct platform *p);

#endif
