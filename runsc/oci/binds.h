/* SPDX-License-Identifier: Apache-2.0 */
/*
 * binds.h: the host side of a container's bind mounts, decided once, at
 * create: which sources a Gofer serves and how.
 */
#ifndef CVISOR_OCI_BINDS_H
#define CVISOR_OCI_BINDS_H

#include <stddef.h>

#include "runsc/oci/config.h"
#include "runsc/oci/error.h"

enum bind_source {
	BIND_SKIP,   /* a socket, fifo or device: no Gofer serves it */
	BIND_DIR,    /* a directory: its Gofer binds it by path */
	BIND_FILE,   /* a regular file: its Gofer gets *fd and nothing else */
};

/*
 * Look at the source of mounts[i] (a bind mount): BIND_DIR, BIND_FILE
 * with *fd an O_PATH fd of the file (the caller closes it once its Gofer
 * holds it), or BIND_SKIP; -1 with *err when the source is missing or is
 * a symlink to something other than a directory.
 */
int bind_source_open(const struct oci_mount *, size_t i, int *fd,
		     runsc_error_t *err);

#endif
