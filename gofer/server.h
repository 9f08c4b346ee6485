/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.h: the Gofer's file server, serving one Sentry connection.
 *
 * The caller (`runsc gofer`) builds the confinement first: a mount
 * namespace pivoted into the container root, the fd of /proc/self/fd
 * opened before /proc disappears from view, then the seccomp filter of
 * spec/seccomp/gofer.yaml; then it calls gofer_serve, which makes only the
 * host calls that filter lists.
 */
#ifndef CVISOR_GOFER_SERVER_H
#define CVISOR_GOFER_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#define GOFER_DEFAULT_MAX_NODES 16384

struct gofer_options {
	/* The most nodes the client may hold at once (0: the default). Each
	 * is one fd of the Gofer, so RLIMIT_NOFILE must allow this many plus
	 * a few. */
	uint32_t max_nodes;
	/*
	 * An O_PATH|O_DIRECTORY fd of /proc/self/fd, opened by the serving
	 * process itself (one inherited from another process names that
	 * process's fds), through which OPEN reopens a node's inode; or -1
	 * for gofer_serve to open "/proc/self/fd" itself. Not closed.
	 */
	int proc_self_fd;
	/*
	 * Whether the client may change the served tree (create, remove,
	 * rename, setattr, write opens, xattr changes). A read-only Gofer
	 * answers every such request with EROFS before looking at it, and
	 * runs under spec/seccomp/gofer.yaml, which has no write syscall at
	 * all; a writable one needs spec/seccomp/gofer_rw.yaml. Serving
	 * writable also clears the process's umask: the Sentry has applied
	 * the guest's umask to every mode it sends.
	 */
	bool writable;
};

#define GOFER_OPTIONS_INIT                                                  \
	{ .max_nodes = 0, .proc_self_fd = -1, .writable = false }

/*
 * Serve the files below root_fd (a directory; not closed) to the client on
 * `sock` (a SOCK_SEQPACKET socket; not closed) until the client hangs up.
 * root_fd may instead be a regular file (an O_PATH fd of it): a one-file
 * tree, the bind mount of a single host file, whose root is that file and
 * which has nothing below it.
 * opts may be NULL for the defaults. Returns 0 when the client has gone,
 * or -errno when serving could not start or the socket failed.
 */
int gofer_serve(int sock, int root_fd, const struct gofer_options *opts);

#endif
