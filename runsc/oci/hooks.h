/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hooks.h: OCI hooks, run on the host as runc runs them: the hook's path
 * with its args and env, the container's state JSON on its stdin, killed
 * after its timeout.
 */
#ifndef CVISOR_OCI_HOOKS_H
#define CVISOR_OCI_HOOKS_H

#include "runsc/oci/config.h"
#include "runsc/oci/error.h"

/* Run every hook of `kind` in order; the first failure stops them. */
int hooks_run(const struct oci_config *, enum oci_hook_kind kind,
	      const char *state_json, runsc_error_t *err);

#endif
