/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/errno.h: the kernel-internal restart errnos. A syscall handler
 * returns one of these when a signal interrupted it; the guest never sees
 * them: signal delivery turns them into a restart or -EINTR as Linux does
 * (include/linux/errno.h).
 */
#ifndef CVISOR_ABI_ERRNO_H
#define CVISOR_ABI_ERRNO_H

/* Restart if no handler runs, or the handler has SA_RESTART. */
#define ERESTARTSYS 512
/* Always restart. */
#define ERESTARTNOINTR 513
/* Restart only if no handler runs. */
#define ERESTARTNOHAND 514
/* Restart through restart_syscall(2) (task->restart_fn), if no handler. */
#define ERESTART_RESTARTBLOCK 516

#define IS_RESTART_ERRNO(ret)                                               \
	((ret) == -ERESTARTSYS || (ret) == -ERESTARTNOINTR ||               \
	 (ret) == -ERESTARTNOHAND || (ret) == -ERESTART_RESTARTBLOCK)

#endif
