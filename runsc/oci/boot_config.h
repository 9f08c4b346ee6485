/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot_config.h: an OCI config turned into the Sentry's boot description
 * (sentry/boot/boot.h), in `runsc boot` before it confines itself.
 */
#ifndef CVISOR_OCI_BOOT_CONFIG_H
#define CVISOR_OCI_BOOT_CONFIG_H

#include "runsc/oci/config.h"
#include "runsc/oci/error.h"
#include "sentry/boot/boot.h"

/* Fill cfg (whose fds the caller set) from oci; gofer_fds[k] serves the
 * bind mount oci->mounts[gofer_mounts[k]] (a bind mount with none is not
 * provided: runsc create found nothing a Gofer serves there). Storage
 * lives as long as oci. */
int oci_boot_config(const struct oci_config *oci, const size_t *gofer_mounts,
		    const int *gofer_fds, size_t ngofer_fds, const int stdio[3],
		    struct sentry_config *cfg, runsc_error_t *err);

#endif
