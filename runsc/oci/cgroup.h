/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.h: the sandbox's host cgroup. The Sentry, its stubs and the
 * Gofers run in it, so linux.resources limits the whole sandbox: the
 * memory file is shared memory charged to it, the stubs count as pids.
 * cgroup v2 when /sys/fs/cgroup is cgroup2, else the v1 memory, pids and
 * cpu hierarchies.
 */
#ifndef CVISOR_OCI_CGROUP_H
#define CVISOR_OCI_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

#include "runsc/oci/config.h"
#include "runsc/oci/error.h"

/* Make the cgroup and apply the limits. `dirs` gets the directories made,
 * ':'-separated, for cgroup_add and cgroup_remove (saved in the state). */
int cgroup_create(const char *id, const struct oci_config *cfg,
		  bool systemd, char *dirs, size_t size, runsc_error_t *err);
/* Move a process into every directory of `dirs`. */
int cgroup_add(const char *dirs, pid_t pid, runsc_error_t *err);
/* Remove the directories (waiting a little for exiting processes). */
void cgroup_remove(const char *dirs);
/* Host pids in the cgroup (the first directory's cgroup.procs). */
pid_t *cgroup_pids(const char *dirs, size_t *n);

#endif
