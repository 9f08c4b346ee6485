/* SPDX-License-Identifier: Apache-2.0 */
/* exec.h: execve inside the kernel (the syscall and the first process). */
#ifndef CVISOR_EXEC_H
#define CVISOR_EXEC_H

#include <stddef.h>

struct task;

/* Replace t's program with `path` (resolved from t's cwd) and Sentry-side
 * argv/envp. On success the task's registers start the new program. */
int exec_kernel(struct task *, const char *path, char *const *argv,
		size_t argc, char *const *envp, size_t envc);

#endif
