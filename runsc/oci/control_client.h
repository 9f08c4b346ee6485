/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_client.h: runsc's end of the Sentry's control socket
 * (sentry/boot/control.h has the protocol).
 */
#ifndef CVISOR_OCI_CONTROL_CLIENT_H
#define CVISOR_OCI_CONTROL_CLIENT_H

#include <stddef.h>

#include "runsc/oci/error.h"
#include "sentry/boot/control.h"

/* Connect to <root>/<id>/sandbox.sock; the fd or -1 with *err. */
int ctl_connect(const char *root, const char *id, runsc_error_t *err);
/*
 * Send a request (payload and up to three fds may be NULL/0) and read
 * its reply into *reply; the reply payload into a malloc'ed *out when
 * `out` is not NULL. Returns 0, or -1 with *err (a transport failure;
 * reply->err carries the Sentry's answer).
 */
int ctl_call(int fd, const struct ctl_req *req, const void *payload,
	     size_t plen, const int *fds, int nfds, struct ctl_reply *reply,
	     char **out, runsc_error_t *err);

#endif
