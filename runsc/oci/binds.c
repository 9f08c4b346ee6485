/* SPDX-License-Identifier: Apache-2.0 */
/* binds.c: see binds.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "runsc/oci/binds.h"

int bind_source_open(const struct oci_mount *m, size_t i, int *fd,
		     runsc_error_t *err)
{
	struct stat st;
	int f;

	*fd = -1;
	/*
	 * O_NOFOLLOW: a file source is opened here, by runsc, and its Gofer
	 * serves exactly this inode. A symlink in its place (one a container
	 * planted in a volume it shares with this source's directory, say)
	 * must not turn into a host file of its choosing; runc follows it,
	 * cvisor refuses it.
	 */
	f = open(m->source, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0)
		return runsc_error_make(err, errno, "mounts[%zu].source %s", i,
					m->source);
	if (fstat(f, &st) < 0) {
		close(f);
		return runsc_error_make(err, errno, "mounts[%zu].source %s", i,
					m->source);
	}
	if (S_ISLNK(st.st_mode)) {
		close(f);
		/* A symlink to a directory is what it always was: the
		 * Gofer binds the path, as runc mounts it. */
		if (stat(m->source, &st) == 0 && S_ISDIR(st.st_mode))
			return BIND_DIR;
		return runsc_error_make(err, 0,
					"mounts[%zu].source %s: a symbolic link; name the file it points to",
					i, m->source);
	}
	if (S_ISDIR(st.st_mode)) {
		close(f);
		return BIND_DIR;
	}
	if (S_ISREG(st.st_mode)) {
		*fd = f;
		return BIND_FILE;
	}
	/* A Gofer never opens a socket, fifo or device of the host. */
	close(f);
	log_debug("bind mount of %s on %s: not a directory or regular file; not provided in the sandbox",
		  m->source, m->destination);
	return BIND_SKIP;
}
