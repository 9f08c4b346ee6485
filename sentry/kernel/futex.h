/* SPDX-License-Identifier: Apache-2.0 */
/* futex.h: the futex calls the rest of the kernel makes (exit, exec). */
#ifndef CVISOR_FUTEX_H
#define CVISOR_FUTEX_H

#include <stdint.h>

struct task;

/* Wake up to n waiters of the futex at addr (private or shared). */
int futex_wake_addr(struct task *, uint64_t addr, int n);
/* A robust futex owned by a dying task: mark it OWNER_DIED, wake one. */
void futex_handle_death(struct task *, uint64_t addr);
void futex_task_exit(struct task *);

#endif
