/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console.h: terminals for containers (process.terminal). runsc makes a
 * pty on the host; its slave becomes the process's stdio (the guest sees
 * a host tty through a host-fd file) and its master goes to the caller
 * over --console-socket, as runc's protocol has it: one SCM_RIGHTS
 * message on a unix stream socket, the pty's name as the payload.
 */
#ifndef CVISOR_OCI_CONSOLE_H
#define CVISOR_OCI_CONSOLE_H

#include "runsc/oci/error.h"

/* A new pty sized rows x cols (0: leave it); the slave fd in *slave. The
 * master is sent to `socket_path` and closed. */
int console_setup(const char *socket_path, unsigned rows, unsigned cols,
		  int *slave, runsc_error_t *err);

#endif
