/* SPDX-License-Identifier: Apache-2.0 */
/*
 * confine.h: the host-side confinement of a sandbox's processes
 * (ARCHITECTURE.md section 9), applied by each process to itself right
 * after runsc re-executes it, before it touches anything of the
 * container.
 */
#ifndef CVISOR_OCI_CONFINE_H
#define CVISOR_OCI_CONFINE_H

#include <stdbool.h>
#include <stdint.h>

#include "runsc/oci/error.h"

/* Namespaces the Sentry is cloned into. */
unsigned long confine_sentry_clone_flags(bool network_none);

/*
 * The Sentry (already in its new mount and pid namespaces): root pivoted
 * to an empty read-only tmpfs that holds only /proc of its own pid
 * namespace (the platform reads its stubs' maps there at start), a
 * session of its own, every capability dropped (bounding set too). Runs
 * before the platform forks its stubs, so they inherit nothing more.
 */
int confine_sentry(runsc_error_t *err);

/*
 * A Gofer: a mount namespace of its own whose root is `root` (bind
 * mounted, then pivoted into), new ipc, uts and net namespaces, and only
 * the capabilities a file server needs. Afterwards "/" is the tree to
 * serve.
 */
int confine_gofer(const char *root, bool readonly, runsc_error_t *err);

/*
 * The same for a one-file tree (the bind mount of a host file): the file
 * `file_fd` (an O_PATH fd runsc opened) is bound on an empty file of a
 * fresh tmpfs, which becomes "/" with the file as CONFINE_GOFER_FILE
 * directly below it; the caller then serves only that file.
 */
#define CONFINE_GOFER_FILE "file"
int confine_gofer_file(int file_fd, bool readonly, runsc_error_t *err);

/* Drop every capability except those in `keep` (bounding set too). */
int confine_drop_caps(uint64_t keep, runsc_error_t *err);

#endif
