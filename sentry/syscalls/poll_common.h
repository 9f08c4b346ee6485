/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll_common.h: what the waiting syscalls share (poll.c, epoll.c):
 * timeouts as monotonic deadlines and the temporary signal mask of
 * ppoll, pselect6 and epoll_pwait.
 *
 * A deadline is 0 for "no timeout", -1 for "do not wait", or the
 * kernel_now_ns() at which the wait ends.
 */
#ifndef CVISOR_SYSCALLS_POLL_COMMON_H
#define CVISOR_SYSCALLS_POLL_COMMON_H

#include <stdbool.h>
#include <stdint.h>

struct task;

#define POLL_NO_WAIT (-1)

/* A timeout in milliseconds (negative: none). */
int64_t poll_ms_deadline(int ms);
/* A guest struct timespec timeout (0: none): the deadline, or -EFAULT /
 * -EINVAL (poll_select_set_timeout's checks). */
int64_t poll_ts_deadline(struct task *, uint64_t uts);
/* now + ns, saturating. */
int64_t poll_deadline_after(int64_t ns);

/* set_user_sigmask: install the guest sigset at umask (0: none) until
 * the call ends: -EINVAL for a size other than 8, -EFAULT. */
int poll_set_sigmask(struct task *, uint64_t umask, uint64_t size);
/* restore_saved_sigmask_unless(keep): the mask installed above stays
 * only when a signal interrupts the call (its frame restores it). */
void poll_restore_sigmask(struct task *, bool keep);

#endif
