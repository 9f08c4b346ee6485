/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fanotify.c: fanotify is refused. fanotify_init fails with EPERM (the
 * spec's errno, as for a caller without CAP_SYS_ADMIN): whole-mount and
 * permission events would let the sandbox observe and stall the files of
 * every process sharing the Sentry's filesystems. So no fanotify fd
 * exists, and fanotify_mark answers as Linux does for any other fd.
 */
#include <errno.h>

#include "gen/syscall_names.h"
#include "sentry/vfs/vfs.h"

long kern_fanotify_mark(struct task *t, const struct fanotify_mark_args *a)
{
	struct file *f = fd_get_nopath(t, a->fanotify_fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return -EINVAL; /* not a fanotify group */
}
